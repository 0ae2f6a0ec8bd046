"""The roles decide who may change what."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kanban.models import Attachment, Card, ChecklistItem, Column, Comment, Label
from kanban.services import CardInput, attachment_add, card_create, checklist_add, comment_add
from metrics.models import Kpi, Measurement, Retrospective, RetrospectiveAction
from metrics.retrospectives.services import retrospective_build
from opsboard.notify.models import ChatWebhook, ConnectedApp, Notification
from opsboard.tenancy.models import (
    CompanyDay,
    IdentityProvider,
    Invitation,
    Membership,
    Organization,
    Role,
    Team,
)
from projects.models import CheckIn, Goal, Project
from tests.conftest import Tenant
from tests.factories import GoalFactory, InvitationFactory, ProjectFactory
from tests.intake.requesting import route_objects
from tests.kanban.files import png
from tests.urlwalk import organization_routes

# What a viewer may post: it changes only their own view of the work (following a card).
PERSONAL_ROUTES = {"kanban:card_follow", "kanban_api:card_follow"}


def test_a_viewer_may_follow_and_stop_following(tenant: Tenant, client) -> None:
    objects = objects_of(tenant)
    client.force_login(tenant.viewer.user)
    before = snapshot()
    url = reverse("kanban:card_follow", args=[objects["org_slug"], objects["card_id"]])
    assert client.post(url, {"following": "1"}).status_code == 302
    assert client.post(url, {"following": "0"}).status_code == 302
    assert snapshot() == before


def objects_of(tenant: Tenant) -> dict[str, object]:
    invitation = InvitationFactory(organization=tenant.organization)
    goal = GoalFactory(
        organization=tenant.organization,
        project=ProjectFactory(organization=tenant.organization, teams=[tenant.team]),
    )
    board = goal.project.boards.get()
    card = card_create(actor=tenant.lead, board=board, data=CardInput(title="Existing"))
    item = checklist_add(actor=tenant.lead, card=card, text="Step")
    (attachment,) = attachment_add(actor=tenant.lead, card=card, files=[png()])
    comment = comment_add(actor=tenant.lead, card=card, body="Note")
    return {
        **route_objects(tenant.organization),
        "attachment_id": attachment.pk,
        "org_slug": tenant.organization.slug,
        "team_id": tenant.team.pk,
        "membership_id": tenant.member.pk,
        "invitation_id": invitation.pk,
        "project_id": goal.project_id,
        "goal_id": goal.pk,
        "board_id": board.pk,
        "column_id": board.columns.first().pk,
        "card_id": card.pk,
        "item_id": item.pk,
        "comment_id": comment.pk,
        "company_day_id": CompanyDay.objects.create(
            organization=tenant.organization, date=date(2026, 12, 31), reason="Stocktake"
        ).pk,
        "kpi_id": Kpi.objects.create(
            organization=tenant.organization,
            name="Churn",
            target=17,
            amber_threshold=18,
            red_threshold=19,
        ).pk,
        "retro_id": retrospective_build(project=goal.project, month=date(2026, 10, 1))[0].pk,
        "webhook_id": ChatWebhook.objects.create(
            organization_id=tenant.organization.pk,
            team_id=tenant.team.pk,
            name="Product group",
            provider="slack",
            url="https://hooks.slack.com/services/T0/B0/abcdefgh",
        ).pk,
        "app_id": ConnectedApp.objects.create(
            organization=tenant.organization,
            service="feishu",
            app_id="cli_a1b2c3d4",
            app_secret="roles-app-secret",
        ).pk,
        "identity_provider_id": IdentityProvider.objects.create(
            organization=tenant.organization,
            name="Acme SSO",
            server_url="https://sso.acme.example/",
            client_id="opsboard",
            client_secret="roles-client-secret",
        ).pk,
    }


def snapshot() -> tuple:
    return (
        list(Organization.objects.values_list("pk", "name", "timezone", "reminder_lead_days")),
        list(Team.objects.values_list("pk", "name", "lead_id", "description")),
        list(Membership.objects.values_list("pk", "role")),
        list(Membership.teams.through.objects.values_list("membership_id", "team_id")),
        list(Invitation.objects.values_list("pk", "token_hash", "revoked_at", "expires_at")),
        list(Project.objects.values_list("pk", "name", "status", "due_date")),
        list(Goal.objects.values_list("pk", "title", "state", "target", "closing_note")),
        list(CheckIn.objects.values_list("pk", "value")),
        list(
            Card.objects.values_list("pk", "title", "column_id", "rank", "archived_at", "blocked")
        ),
        list(Column.objects.values_list("pk", "name", "position", "wip_limit", "archived_at")),
        list(ChecklistItem.objects.values_list("pk", "done")),
        Comment.objects.count(),
        Label.objects.count(),
        list(Kpi.objects.values_list("pk", "name", "target")),
        list(Measurement.objects.values_list("pk", "value")),
        list(ChatWebhook.objects.values_list("pk", "name", "url", "active")),
        list(ConnectedApp.objects.values_list("pk", "service", "app_id", "app_secret", "active")),
        list(IdentityProvider.objects.values_list("pk", "name", "client_secret", "active")),
        list(Organization.objects.values_list("pk", "single_sign_on_required")),
        list(Notification.objects.values_list("pk", "status")),
        list(
            Retrospective.objects.values_list(
                "pk", "state", "highlights", "problems", "built_at", "figures"
            )
        ),
        RetrospectiveAction.objects.count(),
        list(Attachment.objects.values_list("pk", "name")),
        list(CompanyDay.objects.values_list("pk", "date", "working", "reason")),
        list(
            Organization.objects.values_list(
                "pk", "working_weekdays", "work_starts", "work_ends", "holiday_region"
            )
        ),
    )


@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
def test_viewer_cannot_change_anything(tenant: Tenant, client, method: str) -> None:
    objects = objects_of(tenant)
    client.force_login(tenant.viewer.user)
    before = snapshot()
    payload = {
        "name": "Renamed",
        "title": "Renamed",
        "value": "50",
        "checked_on": "2026-11-01",
        "state": "dropped",
        "note": "Gone",
        "column": "1",
        "text": "x",
        "body": "x",
        "action": "archive",
        "baseline": "1",
        "target": "2",
        "role": Role.OWNER,
        "email": "someone@example.test",
        "timezone": "UTC",
        "language": "en",
        "reminder_lead_days": 9,
        "teams": [tenant.team.pk],
    }
    for route in organization_routes():
        if route.name in PERSONAL_ROUTES:
            continue
        url = reverse(route.name, kwargs={name: objects[name] for name in route.kwargs})
        if method == "post":
            response = client.post(url, payload)
        else:
            response = getattr(client, method)(url, payload, content_type="application/json")
        assert response.status_code in (403, 405), (
            f"{method.upper()} {url} answered {response.status_code}"
        )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url_name", "extra"),
    [
        ("projects:invitation_create", {}),
        ("projects:member_detail", {"membership_id": "viewer"}),
        ("projects:member_remove", {"membership_id": "viewer"}),
        ("projects:invitation_resend", {"invitation_id": None}),
        ("projects:invitation_revoke", {"invitation_id": None}),
    ],
)
def test_member_cannot_manage_members(tenant: Tenant, client, url_name: str, extra: dict) -> None:
    invitation = InvitationFactory(organization=tenant.organization)
    kwargs: dict[str, object] = {"org_slug": tenant.organization.slug}
    if "membership_id" in extra:
        kwargs["membership_id"] = tenant.viewer.pk
    if "invitation_id" in extra:
        kwargs["invitation_id"] = invitation.pk
    client.force_login(tenant.member.user)
    before = snapshot()
    response = client.post(
        reverse(url_name, kwargs=kwargs), {"email": "x@example.test", "role": Role.MANAGER}
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_member_sees_people_but_no_management_controls(tenant: Tenant, client) -> None:
    client.force_login(tenant.member.user)
    response = client.get(reverse("projects:people_list", args=[tenant.organization.slug]))
    assert response.status_code == 200
    assert tenant.viewer.user.email in response.text
    assert (
        reverse("projects:invitation_create", args=[tenant.organization.slug]) not in response.text
    )
    response = client.get(
        reverse("projects:member_detail", args=[tenant.organization.slug, tenant.viewer.pk])
    )
    assert response.status_code == 200
    assert "<form" not in response.text.split("<main", 1)[1].split("</main>", 1)[0]


def test_manager_cannot_make_an_owner_but_an_owner_can(tenant: Tenant, client) -> None:
    url = reverse("projects:member_detail", args=[tenant.organization.slug, tenant.member.pk])
    client.force_login(tenant.manager.user)
    response = client.post(url, {"role": Role.OWNER, "teams": [tenant.team.pk]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    tenant.member.refresh_from_db()
    assert tenant.member.role == Role.MEMBER

    client.force_login(tenant.owner.user)
    response = client.post(url, {"role": Role.OWNER, "teams": [tenant.team.pk]})
    assert response.status_code == 302
    tenant.member.refresh_from_db()
    assert tenant.member.role == Role.OWNER


def test_manager_cannot_change_an_owner(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    url = reverse("projects:member_detail", args=[tenant.organization.slug, tenant.owner.pk])
    client.post(url, {"role": Role.VIEWER})
    response = client.post(
        reverse("projects:member_remove", args=[tenant.organization.slug, tenant.owner.pk])
    )
    assert response.status_code == 403
    tenant.owner.refresh_from_db()
    assert tenant.owner.role == Role.OWNER


def test_the_last_owner_cannot_leave_or_step_down(tenant: Tenant, client) -> None:
    client.force_login(tenant.owner.user)
    url = reverse("projects:member_detail", args=[tenant.organization.slug, tenant.owner.pk])
    response = client.post(url, {"role": Role.MANAGER})
    assert response.status_code == 200
    assert "An organisation needs at least one owner." in response.text
    response = client.post(
        reverse("projects:member_remove", args=[tenant.organization.slug, tenant.owner.pk]),
        follow=True,
    )
    assert "An organisation needs at least one owner." in response.text
    assert Membership.objects.filter(pk=tenant.owner.pk, role=Role.OWNER).exists()
