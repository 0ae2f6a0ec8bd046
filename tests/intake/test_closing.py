"""Closing the loop, the requester's side: a finished request is confirmed (closed) or
reopened (its card back where requests land), and rated 1 to 5 with a comment; only by
its requester, only once the team has finished it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intake.models import Rating, Request, RequestState
from intake.services import request_submit
from kanban.models import ColumnKind, Comment
from kanban.services import card_move
from tests.conftest import Tenant
from tests.intake.requesting import Intake, make_intake


@pytest.fixture
def intake(tenant: Tenant) -> Intake:
    return make_intake(tenant)


@pytest.fixture
def finished(tenant: Tenant, intake: Intake) -> Request:
    """A request the team has finished: its card in the done column, the request done (as
    the clocks' triggers mark it)."""
    sent = request_submit(
        actor=tenant.member,
        request_type=intake.data_pull,
        title="Churned users",
        answers={intake.key("Which data"): "Cancellations", intake.key("Format"): "CSV"},
    )
    done = intake.board.columns.get(kind=ColumnKind.DONE)
    card_move(actor=intake.analyst, card=sent.card, column=done)
    Request.objects.filter(pk=sent.pk).update(state=RequestState.DONE, done_at=sent.submitted_at)
    sent.refresh_from_db()
    return sent


def url(name: str, sent: Request) -> str:
    return reverse(f"intake:request_{name}", args=["acme", sent.pk])


def test_the_requester_confirms_a_finished_request(
    tenant: Tenant, intake: Intake, finished: Request, client
) -> None:
    client.force_login(intake.analyst.user)
    assert client.post(url("confirm", finished)).status_code == 403
    client.force_login(tenant.member.user)
    page = client.get(url("detail", finished))
    assert "Confirm it is done" in page.text and "How satisfied are you?" in page.text
    assert client.post(url("confirm", finished)).status_code == 302
    finished.refresh_from_db()
    assert finished.state == RequestState.CLOSED and finished.closed_at is not None
    again = client.post(url("confirm", finished))
    assert again.status_code == 400
    assert "Only a request the team has finished can be confirmed." in again.text


def test_reopening_sends_the_card_back_where_requests_land(
    tenant: Tenant, intake: Intake, finished: Request, client
) -> None:
    client.force_login(tenant.member.user)
    response = client.post(url("reopen", finished), {"reason": "The plan column is missing."})
    assert response.status_code == 302
    finished.refresh_from_db()
    finished.card.refresh_from_db()
    assert (finished.state, finished.reopened, finished.done_at) == (RequestState.OPEN, 1, None)
    assert finished.card.column == intake.landing and finished.card.done_at is None
    note = Comment.objects.get(card=finished.card)
    assert (note.author, note.body) == (tenant.member.user, "The plan column is missing.")
    assert client.post(url("reopen", finished)).status_code == 400  # open: nothing to reopen


def test_the_requester_rates_once_finished_and_may_change_it(
    tenant: Tenant, intake: Intake, finished: Request, client
) -> None:
    client.force_login(tenant.member.user)
    wrong = client.post(url("rate", finished), {"score": "6"})
    assert wrong.status_code == 400 and 'id="id_score_error"' in wrong.text
    assert client.post(url("rate", finished), {"score": "4", "comment": "Quick"}).status_code == 302
    assert client.post(url("rate", finished), {"score": "5"}).status_code == 302
    rating = Rating.objects.get()
    assert (rating.request, rating.score, rating.comment) == (finished, 5, "")
    assert rating.rated_by == tenant.member.user
    client.force_login(intake.analyst.user)
    assert client.post(url("rate", finished), {"score": "1"}).status_code == 403
    assert "5 out of 5" in client.get(url("detail", finished)).text
    assert Rating.objects.get().score == 5


def test_an_open_request_is_not_rated(
    tenant: Tenant, intake: Intake, finished: Request, client
) -> None:
    Request.objects.filter(pk=finished.pk).update(state=RequestState.OPEN)
    client.force_login(tenant.member.user)
    response = client.post(url("rate", finished), {"score": "3"})
    assert response.status_code == 400
    assert "A request is rated once the team has finished it." in response.text
    assert not Rating.objects.exists()
