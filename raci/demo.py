"""RACI for the churn project, split as the source material does it: User Operations
collects the data, Product improves the feature, Engineering optimises the system.
A few problems are left in on purpose, for the warnings to show."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from kanban.models import Card, CardFollower
from opsboard.accounts.models import User
from opsboard.notify.chat import Provider
from opsboard.notify.models import ChatWebhook
from opsboard.tenancy.models import Organization
from projects.models import Project

from .models import RaciAssignment, RaciPolicy, RaciRole
from .services import FOLLOWING_ROLES

# For cards of each team: who is Accountable (the first who is not doing the card),
# which team is Consulted and which is Informed.
SPLIT = {
    "User": (("lead", "zhao.lei"), "Product", "Engineering"),
    "Product": (("zhao.lei", "lead"), "User", "Engineering"),
    "Engineering": (("sun.hao", "lead"), "Product", "User"),
}


def seed_demo_raci(organization: Organization, today: date) -> None:
    project = Project.objects.get(organization=organization, name="Reduce customer churn")
    cards = list(Card.objects.filter(board__project=project).select_related("team"))
    if RaciAssignment.objects.filter(card__in=cards).exists():
        return
    people = {
        user.email.split("@")[0]: user
        for user in User.objects.filter(memberships__organization=organization)
    }
    teams = {team.name.split(" ")[0]: team for team in organization.teams.all()}
    roles = []
    for card in cards:
        team_key = card.team.name.split(" ")[0]
        candidates, consulted, informed = SPLIT[team_key]
        accountable = next(name for name in candidates if name != _local(card.assignee))
        if card.assignee_id:
            roles.append(
                RaciAssignment(card=card, role=RaciRole.RESPONSIBLE, user_id=card.assignee_id)
            )
        if card.title != "Error budget for payments":  # deliberately nobody Accountable
            roles.append(
                RaciAssignment(card=card, role=RaciRole.ACCOUNTABLE, user=people[accountable])
            )
        roles.append(RaciAssignment(card=card, role=RaciRole.CONSULTED, team=teams[consulted]))
        roles.append(RaciAssignment(card=card, role=RaciRole.INFORMED, team=teams[informed]))
        if card.title == "Pricing page clarity review":  # deliberately two Accountable
            roles.append(
                RaciAssignment(card=card, role=RaciRole.ACCOUNTABLE, user=people["sun.hao"])
            )
        if (
            card.title == "Redesign the cancellation flow with offers"
        ):  # deliberately too many Consulted
            roles += [
                RaciAssignment(card=card, role=RaciRole.CONSULTED, user=people[name])
                for name in ("xu.jie", "huang.tao", "sun.hao")
            ]
    RaciAssignment.objects.bulk_create(roles)
    # The people Responsible and Accountable follow their cards, as raci_set makes them.
    CardFollower.objects.bulk_create(
        [
            CardFollower(card=role.card, user=role.user, reason=FOLLOWING_ROLES[role.role])
            for role in roles
            if role.user is not None and role.role in FOLLOWING_ROLES
        ],
        ignore_conflicts=True,
    )
    # A lead of a cross-team project is Accountable for many cards; the demo's
    # threshold lets one of them stand out as overloaded.
    RaciPolicy.objects.update_or_create(
        organization=organization, defaults={"accountable_limit": 7}
    )


def _local(user: User | None) -> str:
    return user.email.split("@")[0] if user else ""


def seed_demo_chat(organization: Organization, today: date) -> None:
    """User Operations' Feishu group, signed, posting into the dev outbox (make run)."""
    team = organization.teams.get(name__startswith="User")
    ChatWebhook.objects.get_or_create(
        organization_id=organization.pk,
        team_id=team.pk,
        name="User Operations · Feishu",
        defaults={
            "provider": Provider.FEISHU,
            "url": f"{settings.SITE_URL}/dev/chat/open-apis/bot/v2/hook/demo-user-ops",
            "secret": "demo-signing-secret",
            "hour": 9,
        },
    )
