"""The monthly cross-team satisfaction pulse: each member rates the teams they worked with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opsboard.tenancy.access import require_editor
from opsboard.tenancy.models import Membership, Team
from projects.models import Project

from .computations import pulse_figures
from .models import PulseAnswer


def teams_worked_with(membership: Membership) -> QuerySet[Team]:
    """The other teams on projects the person's teams take part in."""
    own = membership.teams.all()
    projects = Project.objects.filter(organization_id=membership.organization_id, teams__in=own)
    return (
        Team.objects.filter(organization_id=membership.organization_id, projects__in=projects)
        .exclude(pk__in=own)
        .distinct()
        .order_by("name")
    )


@dataclass
class Rating:
    team: Team
    satisfaction: int
    recommend: int
    comment: str = ""


@transaction.atomic
def pulse_submit(*, actor: Membership, month: date, ratings: list[Rating]) -> int:
    """Save the person's answers for the month; answering again replaces them."""
    require_editor(actor)
    allowed = set(teams_worked_with(actor).values_list("pk", flat=True))
    for rating in ratings:
        if rating.team.pk not in allowed:
            raise ValidationError(_("You can rate only teams you worked with."))
        if not (1 <= rating.satisfaction <= 5) or not (0 <= rating.recommend <= 10):
            raise ValidationError(_("Ratings are 1 to 5, and 0 to 10 for recommending."))
    for rating in ratings:
        PulseAnswer.objects.update_or_create(
            organization_id=actor.organization_id,
            respondent=actor.user,
            team=rating.team,
            month=month,
            defaults={
                "satisfaction": rating.satisfaction,
                "recommend": rating.recommend,
                "comment": rating.comment.strip(),
            },
        )
    return len(ratings)


@dataclass
class TeamResult:
    team: Team
    answers: int
    satisfaction: float | None
    nps: float | None
    comments: list[str]


def results(*, organization_id: int, month: date) -> list[TeamResult]:
    """Each team's figures for the month; comments only where there are enough answers to hide who wrote them."""
    found = []
    for team in Team.objects.filter(organization_id=organization_id).order_by("name"):
        answers = PulseAnswer.objects.filter(team=team, month=month)
        count, mean, nps = pulse_figures(answers)
        comments = (
            list(answers.exclude(comment="").order_by("?").values_list("comment", flat=True))
            if mean is not None
            else []
        )
        found.append(TeamResult(team, count, mean, nps, comments))
    return found
