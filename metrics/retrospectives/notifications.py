"""Telling people about a retrospective: who answers for it, and the emails when it is
built and when it is final, claimed once per person in the notification ledger."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from opsboard.accounts.models import User
from opsboard.notify.services import notification_claim
from opsboard.notify.tasks import deliver_notification
from opsboard.tenancy.models import Role

from ..models import Retrospective
from .report import is_quiet
from .selectors import actions_of, comparison, previous_of

KIND_BUILT = "retrospective_built"
KIND_FINAL = "retrospective_final"


def recipients_of(retrospective: Retrospective) -> list[User]:
    """Active people, once each. For a project: its owner (Accountable for it) and the
    leads of its teams. For a team: its lead and its members whose role is team lead."""
    if retrospective.team_id:
        team = retrospective.team
        people = {
            user.pk: user
            for user in User.objects.filter(
                memberships__organization_id=retrospective.organization_id,
                memberships__role=Role.LEAD,
                memberships__teams=team,
            )
        }
        if team.lead_id:
            people[team.lead_id] = team.lead
    else:
        project = retrospective.project
        people = {user.pk: user for user in User.objects.filter(led_teams__projects=project)}
        if project.owner_id:
            people[project.owner_id] = project.owner
    return sorted(
        (user for user in people.values() if user.is_active), key=lambda u: (u.full_name, u.email)
    )


def notify(retrospective: Retrospective, *, kind: str) -> int:
    """Claim one ledger row per recipient and enqueue the emails after commit."""
    organization = retrospective.organization
    path = reverse(
        "metrics:retrospective_detail",
        kwargs={"org_slug": organization.slug, "retro_id": retrospective.pk},
    )
    rows = comparison(retrospective, previous_of(retrospective))
    context = {
        "retro": retrospective,
        "reviewed": retrospective.reviewed,
        "final": kind == KIND_FINAL,
        "quiet": is_quiet(retrospective.figures),
        "rows": rows,
        # The change column only where there is a month before to compare with.
        "compared": any(row.change is not None for row in rows),
        "actions": actions_of(retrospective) if kind == KIND_FINAL else [],
        "url": settings.SITE_URL + path,
    }
    claimed = 0
    for user in recipients_of(retrospective):
        notification = notification_claim(
            kind=kind,
            subject_key=f"retro:{retrospective.pk}",
            recipient=user,
            period=retrospective.period,
            template="retrospective",
            context={**context, "recipient": user},
            language=organization.language_for(user),
            timezone_name=organization.timezone_for(user),
            organization_id=organization.pk,
            link=path,
        )
        if notification is not None:
            deliver_notification.delay_on_commit(notification.pk)
            claimed += 1
    return claimed
