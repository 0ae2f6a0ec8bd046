"""The team's side of a request on its card's page: the requester, the answers, each clock
with its state and working time left, and "Waiting on the requester" / "Resume" for the
team's members who may edit; viewers and other teams are refused, other organisations
get 404."""

from __future__ import annotations

import time_machine
from django.urls import reverse

from intake.models import FieldKind, RequestField, RequestState
from kanban.services import CardInput, card_create, comment_add
from opsboard.tenancy.models import Role
from tests.conftest import Tenant
from tests.factories import MembershipFactory
from tests.intake.clock_setup import FIRST, at, clock, desk


def _page(client, card) -> str:
    return client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text


def test_the_card_shows_the_request_and_its_clocks(tenant: Tenant, client) -> None:
    product = desk(tenant)
    field = RequestField.objects.create(
        request_type=product.request_type, label="Which months?", kind=FieldKind.TEXT
    )
    request = product.send(at("2026-11-18T10:00"))
    request.answers = {str(field.pk): "September and October"}
    request.save()
    with time_machine.travel(at("2026-11-18T10:30"), tick=False):
        comment_add(actor=tenant.member, card=request.card, body="On it.")
    client.force_login(tenant.member.user)
    with time_machine.travel(at("2026-11-18T11:00"), tick=False):
        page = _page(client, request.card)
    assert '<h2 id="card-request-heading">Request</h2>' in page
    assert product.requester.user.display_name in page
    assert "<dt>Which months?</dt>" in page
    assert "<dd>September and October</dd>" in page
    # The first response stopped on time; the plan has 23 working hours left, until Friday.
    assert "Stopped on time" in page
    assert "stopped Wed, Nov 18 10:30: The team replied" in page
    assert "<td>Running</td>" in page
    assert "23 h" in page
    assert "until Fri, Nov 20 16:00" in page
    assert "Waiting on the requester</button>" in page


def test_a_card_that_is_no_request_has_no_section(tenant: Tenant, client) -> None:
    product = desk(tenant)
    card = card_create(actor=tenant.lead, board=product.board, data=CardInput(title="Chores"))
    client.force_login(tenant.member.user)
    assert "card-request-heading" not in _page(client, card)


def test_the_team_waits_on_the_requester_and_resumes(
    tenant: Tenant, client, django_assert_num_queries
) -> None:
    product = desk(tenant)
    request = product.send(at("2026-11-18T10:00"))
    wait = reverse("intake:card_wait", args=["acme", request.card_id])
    # The whole visit on one Wednesday: a session from another day would have run out.
    with time_machine.travel(at("2026-11-18T11:00"), tick=False):
        client.force_login(tenant.member.user)
        client.get(reverse("kanban:card_detail", args=["acme", request.card_id]))
        # The membership, the card, the request, the team check, the request and its
        # clocks locked and written, the session.
        with django_assert_num_queries(13):
            response = client.post(wait)
        assert response.status_code == 302
        assert response["Location"].endswith(f"/o/acme/cards/{request.card_id}/#request")
        request.refresh_from_db()
        assert request.state == RequestState.WAITING
        assert clock(request, FIRST).running_since is None
        page = client.get(response["Location"]).text
        assert "Waiting on the requester: the response clocks are paused." in page
        assert "<td>Paused</td>" in page
        assert "Resume</button>" in page

        # Twice: said, nothing changed.
        page = client.post(wait, follow=True).text
        assert "Only an open request can wait on its requester." in page

    with time_machine.travel(at("2026-11-18T14:00"), tick=False):
        client.post(reverse("intake:card_resume", args=["acme", request.card_id]))
    request.refresh_from_db()
    assert request.state == RequestState.OPEN
    assert clock(request, FIRST).due_at == at("2026-11-18T15:00")


def test_who_may_press_the_button(tenant: Tenant, other_tenant: Tenant, client) -> None:
    product = desk(tenant)
    request = product.send(at("2026-11-18T10:00"))
    wait = reverse("intake:card_wait", args=["acme", request.card_id])
    client.force_login(tenant.viewer.user)
    assert "Waiting on the requester</button>" not in _page(client, request.card)
    assert client.post(wait).status_code == 403
    client.force_login(product.requester.user)  # of another team
    assert "Waiting on the requester</button>" not in _page(client, request.card)
    assert client.post(wait).status_code == 403
    client.force_login(other_tenant.manager.user)
    assert client.post(wait).status_code == 404
    assert (
        client.post(reverse("intake:card_wait", args=["rival", request.card_id])).status_code == 404
    )
    outsider = MembershipFactory(organization=other_tenant.organization, role=Role.OWNER)
    client.force_login(outsider.user)
    assert (
        client.post(reverse("intake:card_resume", args=["rival", request.card_id])).status_code
        == 404
    )
    # A card that is no request.
    card = card_create(actor=tenant.lead, board=product.board, data=CardInput(title="Chores"))
    client.force_login(tenant.member.user)
    assert client.post(reverse("intake:card_wait", args=["acme", card.pk])).status_code == 404
    assert client.get(wait).status_code == 405
    request.refresh_from_db()
    assert request.state == RequestState.OPEN
