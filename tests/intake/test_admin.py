"""The admin's requests: a manager sees and edits their own organisation's request types
(with their questions), requests, clocks (read only) and ratings, and no other's; a type
saved there keeps the pages' rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import ClockKind, Rating, Request, RequestType, ResponseClock
from intake.services import request_submit
from tests.admin_pages import change_page_data
from tests.conftest import Tenant
from tests.factories import ProjectFactory
from tests.intake.requesting import Intake, make_intake


@pytest.fixture
def intake(tenant: Tenant) -> Intake:
    return make_intake(tenant)


@pytest.fixture
def sent(tenant: Tenant, intake: Intake) -> Request:
    sent = request_submit(
        actor=tenant.member,
        request_type=intake.data_pull,
        title="Churned users",
        answers={intake.key("Which data"): "Cancellations", intake.key("Format"): "CSV"},
    )
    now = timezone.now()
    # Whatever the type's targets started, a first-response clock to show.
    ResponseClock.objects.update_or_create(
        request=sent,
        kind=ClockKind.FIRST_RESPONSE,
        defaults={
            "target_minutes": 120,
            "started_at": now,
            "running_since": now,
            "due_at": now + timedelta(hours=2),
        },
    )
    Rating.objects.create(request=sent, rated_by=tenant.member.user, score=4)
    return sent


def staff(membership):
    membership.user.is_staff = True
    membership.user.save()
    return membership.user


def test_a_manager_sees_their_organisations_requests_and_no_others(
    tenant: Tenant, other_tenant: Tenant, intake: Intake, sent: Request, client
) -> None:
    theirs = make_intake(other_tenant)
    client.force_login(staff(tenant.manager))
    for model in ("requesttype", "request", "responseclock", "rating"):
        response = client.get(reverse(f"admin:intake_{model}_changelist"))
        assert response.status_code == 200, model
        assert "Churned users" in response.text or "Data pull" in response.text, model
    listing = client.get(reverse("admin:intake_requesttype_changelist")).text
    assert f"/admin/intake/requesttype/{intake.data_pull.pk}/change/" in listing
    assert f"/admin/intake/requesttype/{theirs.data_pull.pk}/change/" not in listing
    other = client.get(reverse("admin:intake_requesttype_change", args=[theirs.data_pull.pk]))
    assert other.status_code == 302
    clock = ResponseClock.objects.filter(kind=ClockKind.FIRST_RESPONSE).get()
    page = client.get(reverse("admin:intake_responseclock_change", args=[clock.pk]))
    assert page.status_code == 200 and 'name="target_minutes"' not in page.text  # read only
    assert client.get(reverse("admin:intake_request_add")).status_code == 403


def test_a_type_saved_in_the_admin_keeps_the_rules(tenant: Tenant, intake: Intake, client) -> None:
    client.force_login(staff(tenant.manager))
    url = reverse("admin:intake_requesttype_change", args=[intake.data_pull.pk])
    data = change_page_data(client, url)
    elsewhere = ProjectFactory(organization=tenant.organization, name="Elsewhere")
    data["board"] = elsewhere.boards.get().pk
    data["column"] = elsewhere.boards.get().columns.first().pk
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Choose a board of a project the team takes part in." in response.text
    data = change_page_data(client, url)
    data["name"] = "Data pulls"
    data["fields-0-label"] = "Which data, exactly"
    assert client.post(url, data).status_code == 302
    intake.data_pull.refresh_from_db()
    assert intake.data_pull.name == "Data pulls"
    assert RequestType.objects.get().fields.first().label == "Which data, exactly"
