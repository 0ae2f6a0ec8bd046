"""Requests through the API: request types (read by members, set up by the team's lead),
sending a request (JSON, or multipart with files), my requests, confirming, reopening and
rating, ratings; each refusal a 400 by the field with nothing saved, another team's
request a 404."""

from __future__ import annotations

import pytest

from intake.models import Rating, Request, RequestState, RequestType
from intake.services import request_type_accepting_set
from kanban.models import Attachment, Card, ColumnKind
from opsboard.accounts.services import api_key_create
from tests.conftest import Tenant
from tests.intake.requesting import Intake, make_intake, stored_files
from tests.kanban.files import png

API = "/api/v1/organizations/acme"


@pytest.fixture
def intake(tenant: Tenant) -> Intake:
    return make_intake(tenant)


def token(membership) -> dict[str, str]:
    return {"Authorization": f"Token {api_key_create(user=membership.user)}"}


def request_body(intake: Intake, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "request_type": intake.data_pull.pk,
        "title": "Churned users",
        "answers": {intake.key("Which data"): "Cancellations", intake.key("Format"): "CSV"},
    }
    body.update(changes)
    return body


def test_members_read_the_types_and_the_teams_lead_sets_them_up(
    tenant: Tenant, intake: Intake, client, django_assert_num_queries
) -> None:
    headers = token(tenant.member)
    client.get(f"{API}/request-types/", headers=headers)
    with django_assert_num_queries(5):  # the key, memberships, the page with its count, questions
        answer = client.get(f"{API}/request-types/", headers=headers)
    assert answer.status_code == 200
    (data_pull,) = answer.json()["results"]
    assert data_pull["name"] == "Data pull" and data_pull["first_response_minutes"] == 120
    assert data_pull["responsible"] == intake.analyst.user.email
    assert data_pull["fields"][0]["key"] == intake.key("Which data")
    body = {
        "team": intake.team.pk,
        "name": "Complaint escalation",
        "board": intake.board.pk,
        "column": intake.landing.pk,
        "first_response_minutes": 120,
        "plan_minutes": 1440,
        "accountable": intake.lead.user.email,
        "fields": [{"label": "Order", "kind": "text", "required": True}],
    }
    refused = client.post(
        f"{API}/request-types/", body, content_type="application/json", headers=headers
    )
    assert refused.status_code == 403
    headers = token(intake.lead)
    wrong = client.post(
        f"{API}/request-types/",
        {**body, "fields": [{"label": "Channel", "kind": "choice"}]},
        content_type="application/json",
        headers=headers,
    )
    assert wrong.status_code == 400
    assert wrong.json()["fields"] == ["“Channel”: a choice needs at least one option."]
    made = client.post(
        f"{API}/request-types/", body, content_type="application/json", headers=headers
    )
    assert made.status_code == 201, made.json()
    assert made.json()["fields"][0]["label"] == "Order"
    changed = client.patch(
        f"{API}/request-types/{made.json()['id']}/",
        {"accepting": False, "resolution_minutes": 2400},
        content_type="application/json",
        headers=headers,
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["accepting"] is False and changed.json()["resolution_minutes"] == 2400
    assert changed.json()["fields"][0]["label"] == "Order"  # the form unchanged


def test_sending_a_request_and_its_refusals(
    tenant: Tenant, intake: Intake, client, settings
) -> None:
    headers = token(tenant.member)
    url = f"{API}/requests/"
    before = Card.objects.count(), Request.objects.count()
    missing = request_body(intake, answers={intake.key("Format"): "PDF"})
    refused = client.post(url, missing, content_type="application/json", headers=headers)
    assert refused.status_code == 400
    assert refused.json() == {
        intake.key("Which data"): ["Answer this question."],
        intake.key("Format"): ["Choose one of the options offered."],
    }
    other = client.post(
        url,
        request_body(intake, request_type=999999),
        content_type="application/json",
        headers=headers,
    )
    assert other.status_code == 400 and "request_type" in other.json()
    settings.ATTACHMENT_MAX_BYTES = 1000
    multipart = {
        "request_type": intake.data_pull.pk,
        "title": "With a sample",
        intake.key("Which data"): "Cancellations",
        intake.key("Format"): "CSV",
        intake.key("Sample"): png("big.png", 400, 400),
    }
    too_large = client.post(url, multipart, headers=headers)
    assert too_large.status_code == 400
    assert too_large.json() == {
        intake.key("Sample"): ["“big.png” is larger than 1000\xa0bytes, the most a file may be."]
    }
    assert (Card.objects.count(), Request.objects.count()) == before
    assert stored_files() == []
    multipart[intake.key("Sample")] = png("sample.png")
    sent = client.post(url, multipart, headers=headers)
    assert sent.status_code == 201, sent.json()
    answer = sent.json()
    attachment = Attachment.objects.get()
    assert answer["title"] == "With a sample" and answer["state"] == "open"
    assert answer["answers"][str(intake.data_pull.fields.get(label="Sample").pk)] == attachment.pk
    assert answer["requester"] == tenant.member.user.email and answer["rating"] is None
    request_type_accepting_set(actor=intake.lead, request_type=intake.data_pull, accepting=False)
    stopped = client.post(
        url, request_body(intake), content_type="application/json", headers=headers
    )
    assert stopped.status_code == 400
    assert stopped.json() == {"request_type": ["This request type takes no new requests."]}
    assert Request.objects.count() == before[1] + 1


def test_my_requests_and_the_requesters_actions(
    tenant: Tenant, intake: Intake, client, django_assert_num_queries
) -> None:
    headers = token(tenant.member)
    for n in range(3):
        body = request_body(intake, title=f"Pull {n}")
        assert (
            client.post(
                f"{API}/requests/", body, content_type="application/json", headers=headers
            ).status_code
            == 201
        )
    with django_assert_num_queries(4):  # the key, memberships, the page with its count
        listing = client.get(f"{API}/requests/?scope=mine", headers=headers)
    assert [r["title"] for r in listing.json()["results"]] == ["Pull 2", "Pull 1", "Pull 0"]
    assert client.get(f"{API}/requests/?scope=all", headers=headers).status_code == 400
    sent = Request.objects.get(card__title="Pull 0")
    # Not finished: nothing to confirm.
    early = client.post(f"{API}/requests/{sent.pk}/confirm/", headers=headers)
    assert early.status_code == 400
    done = intake.board.columns.get(kind=ColumnKind.DONE)
    Card.objects.filter(pk=sent.card_id).update(column=done)
    Request.objects.filter(pk=sent.pk).update(state=RequestState.DONE)
    rated = client.post(
        f"{API}/requests/{sent.pk}/rating/",
        {"score": 4, "comment": "Quick"},
        content_type="application/json",
        headers=headers,
    )
    assert rated.status_code == 200 and rated.json()["score"] == 4
    assert (
        client.post(
            f"{API}/requests/{sent.pk}/rating/",
            {"score": 0},
            content_type="application/json",
            headers=headers,
        ).status_code
        == 400
    )
    reopened = client.post(
        f"{API}/requests/{sent.pk}/reopen/",
        {"reason": "Half the rows"},
        content_type="application/json",
        headers=headers,
    )
    assert reopened.status_code == 200
    assert reopened.json()["state"] == "open" and reopened.json()["reopened"] == 1
    assert reopened.json()["rating"]["score"] == 4
    Request.objects.filter(pk=sent.pk).update(state=RequestState.DONE)
    confirmed = client.post(f"{API}/requests/{sent.pk}/confirm/", headers=headers)
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "closed"
    # The team sees the ratings of its requests; another of Product does not see the request.
    team = token(intake.analyst)
    ratings = client.get(f"{API}/request-ratings/", headers=team).json()["results"]
    assert [(r["request"], r["score"]) for r in ratings] == [(sent.pk, 4)]
    assert (
        client.post(
            f"{API}/requests/{sent.pk}/rating/",
            {"score": 1},
            content_type="application/json",
            headers=team,
        ).status_code
        == 403
    )
    stranger = token(tenant.lead)
    assert client.get(f"{API}/requests/{sent.pk}/", headers=stranger).status_code == 404
    assert client.get(f"{API}/request-ratings/", headers=stranger).json()["count"] == 0
    assert Rating.objects.get().score == 4


def test_another_organisation_gets_404(
    tenant: Tenant, other_tenant: Tenant, intake: Intake, client
) -> None:
    headers = token(other_tenant.owner)
    assert client.get(f"{API}/request-types/", headers=headers).status_code == 404
    assert (
        client.get(
            f"/api/v1/organizations/rival/request-types/{intake.data_pull.pk}/", headers=headers
        ).status_code
        == 404
    )
    body = request_body(intake)
    answer = client.post(
        "/api/v1/organizations/rival/requests/",
        body,
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 400 and "request_type" in answer.json()
    assert RequestType.objects.count() == 1 and Request.objects.count() == 0
