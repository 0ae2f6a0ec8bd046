"""Sending a request from its form: a card on the type's board with the requester, the
answers and the files, the type's RACI, the requester following; every bad answer a field
error with nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intake.models import Request
from intake.services import request_type_accepting_set
from kanban.models import Attachment, Card, CardFollower, FollowReason, Priority
from raci.models import RaciAssignment, RaciRole
from tests.conftest import Tenant
from tests.intake.requesting import Intake, make_intake, stored_files
from tests.kanban.files import ELF, png, upload


@pytest.fixture
def intake(tenant: Tenant) -> Intake:
    return make_intake(tenant)


def send_url(intake: Intake) -> str:
    return reverse("intake:request_send", args=["acme", intake.data_pull.pk])


def answers(intake: Intake, **changes: object) -> dict[str, object]:
    values = {
        "title": "Churned users of October",
        intake.key("Which data"): "Users who cancelled in October",
        intake.key("Why"): "For the churn review.\nWith their plan.",
        intake.key("Rows"): "1500",
        intake.key("Needed by"): "2026-12-20",
        intake.key("Format"): "Excel",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def saved() -> tuple[int, int, int, int]:
    return (
        Card.objects.count(),
        Request.objects.count(),
        Attachment.objects.count(),
        RaciAssignment.objects.count(),
    )


def test_a_request_becomes_a_card_with_its_answers_raci_and_files(
    tenant: Tenant, intake: Intake, client, django_capture_on_commit_callbacks
) -> None:
    client.force_login(tenant.member.user)
    page = client.get(send_url(intake))
    assert page.status_code == 200
    assert "Which data" in page.text and 'type="date"' in page.text
    payload = answers(intake, **{intake.key("Sample"): png("样例.png")})
    response = client.post(send_url(intake), payload)
    sent = Request.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:request_detail", args=["acme", sent.pk])
    card = sent.card
    assert (card.board, card.column, card.title) == (
        intake.board,
        intake.landing,
        "Churned users of October",
    )
    assert card.created_by == tenant.member.user
    assert card.priority == Priority.NORMAL and card.team == intake.team
    assert card.assignee == intake.analyst.user
    assert "**Which data**\n\nUsers who cancelled in October" in card.description
    assert "**Sample**\n\n样例.png" in card.description
    (attachment,) = card.attachments.all()
    assert attachment.name == "样例.png" and attachment.uploaded_by == tenant.member.user
    assert sent.answers == {
        str(intake.data_pull.fields.get(label="Which data").pk): "Users who cancelled in October",
        str(intake.data_pull.fields.get(label="Why").pk): "For the churn review.\nWith their plan.",
        str(intake.data_pull.fields.get(label="Rows").pk): 1500,
        str(intake.data_pull.fields.get(label="Needed by").pk): "2026-12-20",
        str(intake.data_pull.fields.get(label="Format").pk): "Excel",
        str(intake.data_pull.fields.get(label="Sample").pk): attachment.pk,
    }
    assert (sent.requester, sent.team, sent.state) == (tenant.member.user, intake.team, "open")
    roles = dict(RaciAssignment.objects.filter(card=card).values_list("user_id", "role"))
    assert roles == {
        intake.analyst.user_id: RaciRole.RESPONSIBLE,
        intake.lead.user_id: RaciRole.ACCOUNTABLE,
    }
    follower = CardFollower.objects.get(card=card, user=tenant.member.user)
    assert follower.following and follower.reason == FollowReason.REQUESTER
    assert CardFollower.objects.filter(card=card, user=intake.lead.user, following=True).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"Which data": None}, "Which data", "Answer this question."),
        ({"Format": "PDF"}, "Format", "Choose one of the options offered."),
        ({"Rows": "many"}, "Rows", "Enter a number."),
        ({"Needed by": "next week"}, "Needed by", "Enter a date as YYYY-MM-DD."),
        ({"title": " "}, "title", "Say in a few words what you need."),
    ],
)
def test_a_bad_answer_is_a_field_error_and_nothing_is_saved(
    tenant: Tenant, intake: Intake, client, change: dict, field: str, message: str
) -> None:
    client.force_login(tenant.member.user)
    before = saved()
    keyed = {(key if key == "title" else intake.key(key)): value for key, value in change.items()}
    payload = answers(intake, **keyed, **{intake.key("Sample"): png()})
    response = client.post(send_url(intake), payload)
    assert response.status_code == 400
    key = field if field == "title" else intake.key(field)
    assert f'id="id_{key}_error">{message}' in response.text.replace("&#x27;", "'")
    assert saved() == before
    assert stored_files() == []


def test_a_file_over_the_limit_or_of_a_kind_not_kept_is_refused(
    tenant: Tenant, intake: Intake, client, settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1000
    client.force_login(tenant.member.user)
    before = saved()
    big = png("big.png", 400, 400)
    response = client.post(send_url(intake), answers(intake, **{intake.key("Sample"): big}))
    assert response.status_code == 400
    assert "“big.png” is larger than 1000\xa0bytes, the most a file may be." in response.text
    assert f'id="id_{intake.key("Sample")}_error"' in response.text
    response = client.post(
        send_url(intake), answers(intake, **{intake.key("Sample"): upload("tool.exe", ELF)})
    )
    assert response.status_code == 400
    assert f'id="id_{intake.key("Sample")}_error"' in response.text
    assert saved() == before
    assert stored_files() == []


def test_a_file_over_the_quota_stores_nothing(
    tenant: Tenant, intake: Intake, client, settings
) -> None:
    settings.ATTACHMENT_QUOTA_BYTES = 10
    client.force_login(tenant.member.user)
    before = saved()
    response = client.post(send_url(intake), answers(intake, **{intake.key("Sample"): png()}))
    assert response.status_code == 400
    assert "does not fit" in response.text
    assert saved() == before
    assert stored_files() == []


def test_a_type_that_stopped_taking_requests_takes_none(
    tenant: Tenant, intake: Intake, client
) -> None:
    request_type_accepting_set(actor=intake.lead, request_type=intake.data_pull, accepting=False)
    client.force_login(tenant.member.user)
    before = saved()
    response = client.post(send_url(intake), answers(intake))
    assert response.status_code == 400
    assert "This request type takes no new requests." in response.text
    assert saved() == before
    listing = client.get(reverse("intake:request_new", args=["acme"]))
    assert "Data pull" not in listing.text
    assert "No team takes requests through Opsboard yet." in listing.text


def test_the_new_request_page_lists_the_teams_that_take_requests(
    tenant: Tenant, intake: Intake, client, django_assert_num_queries
) -> None:
    client.force_login(tenant.member.user)
    client.get(reverse("intake:request_new", args=["acme"]))
    with django_assert_num_queries(4):  # session, memberships, teams, their types
        listing = client.get(reverse("intake:request_new", args=["acme"]))
    assert "User Operations" in listing.text
    assert send_url(intake) in listing.text


def test_a_viewer_sends_nothing_and_another_organisation_finds_nothing(
    tenant: Tenant, other_tenant: Tenant, intake: Intake, client
) -> None:
    client.force_login(tenant.viewer.user)
    assert client.post(send_url(intake), answers(intake)).status_code == 403
    client.force_login(other_tenant.member.user)
    other = reverse("intake:request_send", args=["rival", intake.data_pull.pk])
    assert client.get(other).status_code == 404
    assert client.post(other, answers(intake)).status_code == 404
    assert Request.objects.count() == 0
