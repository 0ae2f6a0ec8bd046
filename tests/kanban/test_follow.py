"""Following a card: who follows it by themselves, following and stopping, and what the
followers hear of (once each, never their own changes)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from kanban.models import CardFollower, FollowReason
from kanban.services import (
    CardInput,
    card_assign,
    card_follow_set,
    card_move,
    card_update,
    comment_add,
)
from opsboard.notify.models import ActivityEmail, Channel, Notification, Preference
from raci.models import RaciRole
from raci.services import raci_set
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup


def following(card) -> set[int]:
    return set(
        CardFollower.objects.filter(card=card, following=True).values_list("user_id", flat=True)
    )


def activity(kind: str = "card_activity") -> list[tuple[int, str, str]]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient_id", "subject_key", "channel")
    )


def data(card, **changes) -> CardInput:
    fields = {
        "title": card.title,
        "description": card.description,
        "assignee": card.assignee,
        "due_date": card.due_date,
        "blocked": card.blocked,
        "blocked_reason": card.blocked_reason,
        **changes,
    }
    return CardInput(**fields)


@pytest.fixture
def immediately(tenant: Tenant) -> None:
    for membership in (tenant.owner, tenant.manager, tenant.lead, tenant.member, tenant.viewer):
        Preference.objects.update_or_create(
            user=membership.user, defaults={"activity_email": ActivityEmail.IMMEDIATELY}
        )


def test_the_creator_and_the_assignee_follow_a_new_card(tenant: Tenant, kanban: BoardSetup):
    card = kanban.add(tenant, "Churn analysis", assignee=tenant.member.user)
    assert following(card) == {tenant.lead.user_id, tenant.member.user_id}
    reasons = dict(CardFollower.objects.filter(card=card).values_list("user_id", "reason"))
    assert reasons == {
        tenant.lead.user_id: FollowReason.CREATOR,
        tenant.member.user_id: FollowReason.ASSIGNEE,
    }


def test_a_new_assignee_and_the_responsible_and_accountable_follow(
    tenant: Tenant, kanban: BoardSetup
):
    card = kanban.add(tenant, "Churn analysis")
    card_assign(actor=tenant.lead, card=card, assignee=tenant.member.user)
    raci_set(actor=tenant.lead, card=card, role=RaciRole.ACCOUNTABLE, user=tenant.manager.user)
    raci_set(actor=tenant.lead, card=card, role=RaciRole.RESPONSIBLE, user=tenant.owner.user)
    # Consulted and Informed hear through their own routes, not as followers.
    raci_set(actor=tenant.lead, card=card, role=RaciRole.CONSULTED, user=tenant.viewer.user)
    assert following(card) == {
        tenant.lead.user_id,
        tenant.member.user_id,
        tenant.manager.user_id,
        tenant.owner.user_id,
    }


def test_someone_who_stopped_stays_stopped_until_newly_responsible(
    tenant: Tenant, kanban: BoardSetup
):
    card = kanban.add(tenant, "Churn analysis", assignee=tenant.member.user)
    card_follow_set(actor=tenant.member, card=card, following=False)
    card_follow_set(actor=tenant.lead, card=card, following=False)
    # Commenting again, or a save that keeps the assignee, does not bring them back.
    comment_add(actor=tenant.lead, card=card, body="Looking")
    card_update(actor=tenant.lead, card=card, data=data(card, title="Churn analysis v2"))
    assert following(card) == set()
    # Becoming Accountable is a new responsibility.
    raci_set(actor=tenant.manager, card=card, role=RaciRole.ACCOUNTABLE, user=tenant.lead.user)
    assert following(card) == {tenant.lead.user_id}
    # As is being assigned it again after someone else had it.
    card_assign(actor=tenant.lead, card=card, assignee=tenant.owner.user)
    card_assign(actor=tenant.lead, card=card, assignee=tenant.member.user)
    assert tenant.member.user_id in following(card)


def test_follow_and_stop_from_the_card_page(tenant: Tenant, kanban: BoardSetup, client):
    card = kanban.add(tenant, "Churn analysis")
    url = reverse("kanban:card_follow", args=["acme", card.pk])
    client.force_login(tenant.viewer.user)  # a viewer sees the card, so may follow it
    page = client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text
    assert 'aria-pressed="false"' in page and url in page

    response = client.post(url, {"following": "1"})
    assert response.status_code == 302 and response["Location"].endswith("#follow")
    assert tenant.viewer.user_id in following(card)

    response = client.post(url, {"following": "0"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="follow"' in response.text and 'aria-pressed="false"' in response.text
    assert "<html" not in response.text
    assert tenant.viewer.user_id not in following(card)

    assert client.post(url, {"following": "maybe"}).status_code == 400
    assert client.get(url).status_code == 405


def test_another_organisations_card_cannot_be_followed(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, client
):
    card = kanban.add(tenant, "Churn analysis")
    client.force_login(other_tenant.owner.user)
    response = client.post(reverse("kanban:card_follow", args=["rival", card.pk]), {"following": 1})
    assert response.status_code == 404
    assert other_tenant.owner.user_id not in following(card)


@pytest.mark.usefixtures("immediately")
def test_each_kind_of_change_reaches_the_followers_once_and_not_who_made_it(
    tenant: Tenant, kanban: BoardSetup, django_capture_on_commit_callbacks
):
    card = kanban.add(tenant, "Churn analysis", assignee=tenant.member.user)
    card_follow_set(actor=tenant.viewer, card=card, following=True)
    followers = {tenant.lead.user_id, tenant.member.user_id, tenant.viewer.user_id}
    assert following(card) == followers
    assert activity() == []  # creating the card, with its due date, tells no one

    steps = [
        lambda: card_move(actor=tenant.member, card=card, column=kanban.doing),
        lambda: card_update(
            actor=tenant.member, card=card, data=data(card, due_date=date(2026, 12, 1))
        ),
        lambda: card_update(
            actor=tenant.member,
            card=card,
            data=data(card, due_date=date(2026, 12, 1), blocked=True, blocked_reason="Data"),
        ),
        lambda: card_update(actor=tenant.member, card=card, data=data(card, blocked=False)),
        lambda: comment_add(actor=tenant.member, card=card, body="Numbers are in"),
        lambda: card_move(actor=tenant.member, card=card, column=kanban.done),
    ]
    for step in steps:
        card.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            step()

    rows = Notification.objects.filter(kind="card_activity")
    # Six changes, to the two followers who did not make them, by email as they chose.
    assert rows.count() == 12
    assert set(rows.values_list("recipient_id", flat=True)) == followers - {tenant.member.user_id}
    assert set(rows.values_list("channel", flat=True)) == {Channel.EMAIL}
    titles = sorted(rows.filter(recipient=tenant.lead.user).values_list("title", flat=True))
    assert any("moved “Churn analysis” from To do to In progress" in t for t in titles)
    assert any("finished “Churn analysis”" in t for t in titles)
    assert any("marked “Churn analysis” as blocked: Data" in t for t in titles)
    assert any("unblocked “Churn analysis”" in t for t in titles)
    assert any("set the due date of “Churn analysis” to Dec 1" in t for t in titles)
    assert any("commented on “Churn analysis”" in t for t in titles)
    assert len(mail.outbox) == 12
    comment_mail = next(m for m in mail.outbox if "commented" in m.subject)
    assert "Numbers are in" in comment_mail.body
    assert "Numbers are in" in comment_mail.alternatives[0][0]
    assert "#comment-" in comment_mail.body

    # A task run twice (a retry, a copy) finds the rows taken.
    from kanban.activity import tell_followers

    event = card.events.filter(kind="moved").last()
    assert tell_followers(event_id=event.pk) == []
    assert Notification.objects.filter(kind="card_activity").count() == 12


def test_a_follower_who_left_the_organisation_hears_nothing(
    tenant: Tenant, kanban: BoardSetup, django_capture_on_commit_callbacks
):
    card = kanban.add(tenant, "Churn analysis", assignee=tenant.member.user)
    tenant.member.delete()
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(actor=tenant.lead, card=card, body="Anyone?")
    assert activity() == []


def test_in_the_app_at_once_when_bundled(
    tenant: Tenant, kanban: BoardSetup, django_capture_on_commit_callbacks
):
    card = kanban.add(tenant, "Churn analysis", assignee=tenant.member.user)
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(actor=tenant.lead, card=card, body="Over to you")
    # No preference saved: hourly, so the row is in the app only, and no email yet.
    assert activity() == [
        (tenant.member.user_id, f"comment:{card.comments.get().pk}", Channel.IN_APP)
    ]
    assert mail.outbox == []


def test_the_card_page_notes_when_a_follower_looked(tenant: Tenant, kanban: BoardSetup, client):
    card = kanban.add(tenant, "Churn analysis", assignee=tenant.member.user)
    client.force_login(tenant.member.user)
    client.get(reverse("kanban:card_detail", args=["acme", card.pk]))
    follow = CardFollower.objects.get(card=card, user=tenant.member.user)
    assert follow.last_seen_at is not None
    assert follow.last_seen_at > follow.since - timedelta(seconds=1)
