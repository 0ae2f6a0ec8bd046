"""The monthly cross-team satisfaction pulse: each member rates the teams they worked with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from projects.access import require_editor
from projects.models import Membership, Organization, Project, Team

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


def pulse_month(organization: Organization) -> date:
    """The month the pulse asks about now: the first day of this month in the
    organisation's time zone."""
    return organization.today().replace(day=1)


@dataclass
class Rating:
    team: Team
    satisfaction: int
    recommend: int
    comment: str = ""


def pulse_answer(*, actor: Membership, answers: Mapping[str, str]) -> int:
    """Save this month's answers as the pulse page posts them: for each team worked with,
    ``satisfaction-<team id>``, ``recommend-<team id>`` and ``comment-<team id>``.

    A team with neither rating is left out; a team with one alone, or one that is not a
    number, is refused with the others, naming each such team.
    """
    require_editor(actor)
    teams = list(teams_worked_with(actor))
    ratings, errors = [], []
    for team in teams:
        satisfaction = answers.get(f"satisfaction-{team.pk}")
        recommend = answers.get(f"recommend-{team.pk}")
        if not satisfaction and not recommend:
            continue  # not every team needs an answer
        try:
            ratings.append(
                Rating(
                    team,
                    int(satisfaction or ""),
                    int(recommend or ""),
                    answers.get(f"comment-{team.pk}", ""),
                )
            )
        except ValueError:
            errors.append(_("Give %(team)s both ratings, or neither.") % {"team": team.name})
    if errors:
        raise ValidationError(errors)
    return _submit(
        actor=actor,
        month=pulse_month(actor.organization),
        ratings=ratings,
        allowed={team.pk for team in teams},
    )


def pulse_submit(*, actor: Membership, month: date, ratings: list[Rating]) -> int:
    """Save the person's answers for the month; answering again replaces them."""
    allowed = set(teams_worked_with(actor).values_list("pk", flat=True))
    return _submit(actor=actor, month=month, ratings=ratings, allowed=allowed)


@transaction.atomic
def _submit(*, actor: Membership, month: date, ratings: list[Rating], allowed: set[int]) -> int:
    require_editor(actor)
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
