"""The index follows the objects: each change is in it once the change commits, a rolled
back one never, and a deleted object leaves it."""

from __future__ import annotations

import pytest
from django.db import transaction

from kanban.models import Comment
from kanban.services import CardInput, card_move, card_update, comment_add
from metrics.models import Kpi, Retrospective, Source
from opsboard.search import services as search_services
from opsboard.search.forms import SearchForm
from opsboard.search.models import SearchDocument
from opsboard.search.selectors import search_rows
from projects.models import Goal
from tests.conftest import Tenant
from tests.factories import GoalFactory

from .conftest import Place

pytestmark = pytest.mark.django_db


def titles(tenant: Tenant, text: str, kind: str = "") -> list[str]:
    form = SearchForm({"q": text, "kind": kind})
    assert form.is_valid()
    rows = search_rows(organization=tenant.organization, terms=form.terms, kind=form.chosen_kind)
    return [row[2] for row in rows]


def test_a_new_card_its_edits_and_its_comments_are_found_after_commit(
    place: Place, django_capture_on_commit_callbacks
) -> None:
    tenant = place.tenant
    with django_capture_on_commit_callbacks(execute=True):
        card = place.card("Freight tender")
    assert titles(tenant, "freight") == ["Freight tender"]

    with django_capture_on_commit_callbacks(execute=True):
        card_update(
            actor=tenant.lead,
            card=card,
            data=CardInput(title="Carrier tender", description="海运报价"),
        )
    assert titles(tenant, "freight") == []
    assert titles(tenant, "carrier") == ["Carrier tender"]
    assert titles(tenant, "报价") == ["Carrier tender"]

    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_add(actor=tenant.member, card=card, body="等待供应商回复")
    assert titles(tenant, "供应商") == ["Carrier tender"]

    with django_capture_on_commit_callbacks(execute=True):
        Comment.objects.filter(pk=comment.pk).get().delete()
    assert titles(tenant, "供应商") == []


def test_a_move_leaves_the_document_alone(place: Place, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        card = place.card("Quarterly plan")
    doing = place.board.columns.get(kind="doing")
    with django_capture_on_commit_callbacks() as callbacks:
        card_move(actor=place.tenant.lead, card=card, column=doing, position="top")
    # The followers are told (kanban.tasks.tell_followers); the index is not refreshed.
    assert search_services._refresh not in [getattr(call, "func", call) for call in callbacks]


def test_a_deleted_card_leaves_the_index(place: Place, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        card = place.card("Temporary card", comments=("临时",))
    assert SearchDocument.objects.filter(kind="card", object_id=card.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        card.delete()
    assert not SearchDocument.objects.filter(kind="card", object_id=card.pk).exists()
    assert titles(place.tenant, "临时") == []


def test_a_deleted_goal_leaves_the_index(place: Place, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        goal = GoalFactory(organization=place.tenant.organization, title="Pallet reuse")
    assert titles(place.tenant, "pallet") == ["Pallet reuse"]
    with django_capture_on_commit_callbacks(execute=True):
        goal.delete()
    assert titles(place.tenant, "pallet") == []
    assert not SearchDocument.objects.filter(kind="goal").exists()


def test_a_change_rolled_back_leaves_the_index_alone(
    place: Place, django_capture_on_commit_callbacks
) -> None:
    def made_then_refused() -> None:
        with transaction.atomic():
            place.card("Never happened")
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pytest.raises(RuntimeError, made_then_refused)
    assert callbacks == []
    assert titles(place.tenant, "happened") == []


def test_goals_kpis_and_retrospectives_follow_their_changes(
    place: Place, django_capture_on_commit_callbacks
) -> None:
    tenant = place.tenant
    with django_capture_on_commit_callbacks(execute=True):
        goal = GoalFactory(organization=tenant.organization, title="Raise NPS", statement="")
        kpi = Kpi.objects.create(
            organization=tenant.organization, name="Complaint rate", source=Source.MANUAL,
            target=1, amber_threshold=2, red_threshold=3,
        )  # fmt: skip
        retrospective = Retrospective.objects.create(
            organization=tenant.organization, project=place.project, month="2026-10-01"
        )
    assert titles(tenant, "nps", "goal") == ["Raise NPS"]
    assert titles(tenant, "complaint") == ["Complaint rate"]

    with django_capture_on_commit_callbacks(execute=True):
        Goal.objects.filter(pk=goal.pk).get()  # the page reads it, the service saves it
        goal.statement = "客户满意度提升"
        goal.save()
        kpi.name = "投诉率"
        kpi.save()
        retrospective.problems = "交接延迟"
        retrospective.save()
    assert titles(tenant, "满意") == ["Raise NPS"]
    assert titles(tenant, "complaint") == []
    assert titles(tenant, "投诉") == ["投诉率"]
    assert titles(tenant, "交接", "retrospective") == ["Churn programme"]

    with django_capture_on_commit_callbacks(execute=True):
        place.project.name = "Onboarding"
        place.project.save()
    assert titles(tenant, "onboarding", "retrospective") == ["Onboarding"]


def test_a_person_renamed_is_found_by_the_new_name_in_each_organisation(
    tenant: Tenant, other_tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    from opsboard.tenancy.models import Membership

    person = tenant.member.user
    Membership.objects.create(organization=other_tenant.organization, user=person)
    with django_capture_on_commit_callbacks(execute=True):
        person.full_name = "李四 Li Si"
        person.save()
    assert titles(tenant, "李四") == ["李四 Li Si"]
    assert titles(other_tenant, "li si") == ["李四 Li Si"]
    with django_capture_on_commit_callbacks() as callbacks:
        person.save(update_fields=["last_login"])
    assert callbacks == []


def test_rebuilding_writes_every_kind_and_drops_what_is_gone(place: Place) -> None:
    import io

    from django.core.management import call_command

    card = place.card("Cold chain audit", comments=("冷链",))
    SearchDocument.objects.create(
        organization=place.tenant.organization, kind="card", object_id=card.pk + 1000, title="Gone"
    )
    SearchDocument.objects.create(
        organization=place.tenant.organization, kind="invoice", object_id=1, title="No such kind"
    )
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "card: 1" in out.getvalue()
    assert "person: 5" in out.getvalue()
    assert titles(place.tenant, "冷链") == ["Cold chain audit"]
    assert not SearchDocument.objects.filter(title__in=["Gone", "No such kind"]).exists()
    kinds = set(SearchDocument.objects.values_list("kind", flat=True))
    assert kinds == {"card", "project", "person"}


def test_vectors_are_kept_in_their_rows(place: Place, indexed) -> None:
    """Ranking reads every match's vector: the column keeps it in the row (STORAGE MAIN)
    rather than in the TOAST table (docs/performance.md, search)."""
    from django.db import connection

    comments = tuple(f"Carrier {n} missed the cold chain window at dock {n}" for n in range(60))
    place.card("Cold chain audit", comments=comments)
    indexed()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'search_searchdocument'::regclass AND attname = 'vector'"
        )
        assert cursor.fetchone() == ("m",)
    assert titles(place.tenant, "dock") == ["Cold chain audit"]
