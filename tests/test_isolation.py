"""A person of another organisation gets 404 for every object of Demo Ops.

The URL conf is walked, so new views are covered without editing this test;
a view that takes a value this test cannot fill in fails it until a Demo Ops
object is added to ``demo_objects`` below.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from kanban.models import Attachment, Card, ChecklistItem, Comment
from metrics.models import Kpi
from opsboard.accounts.models import User
from opsboard.notify.models import ChatWebhook, ConnectedApp
from opsboard.tenancy.models import CompanyDay, IdentityProvider, Membership, Role, Team
from projects.models import Goal, Project
from tests.factories import InvitationFactory
from tests.intake.requesting import route_objects
from tests.urlwalk import all_routes, organization_routes

# Values that are secrets or personal, not object ids of an organisation; and the id of a
# single sign-on provider (allauth's addresses for signing in through it).
# organization_slug: an organisation's sign-in page, public and the same for anyone (an
# unknown slug reads as the general one; tests/accounts/test_single_sign_on_discovery.py).
NOT_OBJECT_IDS = {"token", "uidb36", "key", "hook", "provider_id", "organization_slug"}


def demo_objects() -> dict[str, object]:
    """One Demo Ops object for every kind of id a URL takes."""
    team = Team.objects.get(organization__slug="demo-ops", name__startswith="Product")
    member = Membership.objects.get(
        organization__slug="demo-ops", user__email="member@demo.opsboard.test"
    )
    invitation = InvitationFactory(organization=team.organization, email="new@demo.opsboard.test")
    project = Project.objects.get(organization__slug="demo-ops", name="Reduce customer churn")
    goal = Goal.objects.get(organization__slug="demo-ops", project=project, state="active")
    board = project.boards.get()
    item = ChecklistItem.objects.filter(card__board=board).first()
    return {
        "org_slug": "demo-ops",
        "team_id": team.pk,
        "membership_id": member.pk,
        "invitation_id": invitation.pk,
        "project_id": project.pk,
        "goal_id": goal.pk,
        "board_id": board.pk,
        "column_id": board.columns.first().pk,
        "card_id": item.card_id,
        "item_id": item.pk,
        "kpi_id": Kpi.objects.filter(organization__slug="demo-ops").first().pk,
        "webhook_id": ChatWebhook.objects.get(organization_id=team.organization_id).pk,
        "app_id": ConnectedApp.objects.get_or_create(
            organization=team.organization,
            service="feishu",
            defaults={"app_id": "cli_a1b2c3d4", "app_secret": "demo-app-secret"},
        )[0].pk,
        "retro_id": project.retrospectives.get().pk,
        "attachment_id": Attachment.objects.filter(organization=team.organization).first().pk,
        "comment_id": Comment.objects.filter(card__board=board).first().pk,
        "identity_provider_id": IdentityProvider.objects.get_or_create(
            organization=team.organization,
            name="Demo SSO",
            defaults={
                "server_url": "https://sso.demo.opsboard.test/realms/ops",
                "client_id": "opsboard",
                "client_secret": "demo-client-secret",
            },
        )[0].pk,
        "company_day_id": CompanyDay.objects.get_or_create(
            organization=team.organization,
            date=date(2026, 12, 31),
            defaults={"reason": "Year-end stocktake"},
        )[0].pk,
        **route_objects(team.organization),
    }


def routes_with_objects() -> list:
    return [
        route
        for route in all_routes()
        if route.kwargs
        and not route.name.startswith("admin:")
        and not (route.kwargs & NOT_OBJECT_IDS)
    ]


def test_every_route_with_an_id_is_walked(demo: None) -> None:
    known = set(demo_objects())
    for route in routes_with_objects():
        unknown = route.kwargs - known
        assert not unknown, (
            f"{route.name} takes {sorted(unknown)}: add a Demo Ops object for it in demo_objects()"
        )
    assert len(routes_with_objects()) >= 15


def test_other_organisation_gets_404_for_demo_objects(demo: None, client) -> None:
    """404 for every method a route takes; 405 only for methods it takes for no object."""
    objects = demo_objects()
    client.force_login(User.objects.get(email="other@other.opsboard.test"))
    for route in routes_with_objects():
        kwargs = {name: objects[name] for name in route.kwargs}
        addresses = [reverse(route.name, kwargs=kwargs)]
        if route.kwargs != {"org_slug"}:
            # The same ids inside the person's own organisation's address.
            addresses.append(reverse(route.name, kwargs={**kwargs, "org_slug": "other-co"}))
        for url in addresses:
            answers = {
                method: getattr(client, method)(url).status_code
                for method in ("get", "post", "patch", "delete")
            }
            assert set(answers.values()) <= {404, 405}, f"{url} ({route.name}) answered {answers}"
            assert 404 in answers.values(), f"{url} ({route.name}) answered {answers}"


def test_nothing_changed_after_the_attempts(demo: None, client) -> None:
    objects = demo_objects()
    before = list(Membership.objects.order_by("pk").values_list("pk", "role"))
    attachments_before = Attachment.objects.count()
    client.force_login(User.objects.get(email="other@other.opsboard.test"))
    for route in organization_routes():
        client.post(
            reverse(route.name, kwargs={name: objects[name] for name in route.kwargs}),
            {"role": Role.OWNER, "name": "Taken over"},
        )
    assert list(Membership.objects.order_by("pk").values_list("pk", "role")) == before
    assert not Team.objects.filter(name="Taken over").exists()
    assert not Project.objects.filter(name="Taken over").exists()
    assert not Card.objects.filter(title="Taken over").exists()
    assert Attachment.objects.count() == attachments_before
