"""The RACI rules: what is wrong with a card's roles. Nothing here fixes anything."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import RaciRole


class ProblemKind(models.TextChoices):
    NO_ACCOUNTABLE = "no_accountable", gettext_lazy("No Accountable")
    MANY_ACCOUNTABLE = "many_accountable", gettext_lazy("More than one Accountable")
    NO_RESPONSIBLE = "no_responsible", gettext_lazy("Nobody Responsible")
    TOO_MANY_CONSULTED = "too_many_consulted", gettext_lazy("Too many Consulted")
    ACCOUNTABLE_OUTSIDE = (
        "accountable_outside",
        gettext_lazy("Accountable outside the project's teams"),
    )
    ACCOUNTABLE_OVERLOADED = (
        "accountable_overloaded",
        gettext_lazy("Accountable for too many cards"),
    )

    @property
    def is_error(self) -> bool:
        """The kind breaks the rules (one in ``ERRORS``); the others are warnings."""
        return self in ERRORS


# The first three break the rules; the others are warnings. Pages, the API and the matrix's
# summary ask ``ProblemKind.is_error`` or ``Problem.is_error``.
ERRORS = {ProblemKind.NO_ACCOUNTABLE, ProblemKind.MANY_ACCOUNTABLE, ProblemKind.NO_RESPONSIBLE}


@dataclass(frozen=True)
class Role:
    """One role on a card: held by a user or a team (one of the ids is None)."""

    role: str
    user_id: int | None = None
    team_id: int | None = None


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    message: str

    @property
    def is_error(self) -> bool:
        return self.kind.is_error


@dataclass(frozen=True)
class Context:
    """What the rules need beyond the card's own roles."""

    consulted_limit: int
    accountable_limit: int
    project_team_ids: frozenset[int]
    teams_of_user: dict[int, frozenset[int]]  # user id -> ids of the teams they are in
    accountable_counts: dict[int, int]  # user id -> open cards they are Accountable for
    names: dict[int, str]  # user id -> display name


def card_problems(
    roles: Iterable[Role], context: Context, *, is_open: bool = True
) -> list[Problem]:
    """What is wrong with one card's roles; overload only counts against open cards."""
    roles = list(roles)
    accountable = [r for r in roles if r.role == RaciRole.ACCOUNTABLE]
    problems = []
    if not accountable:
        problems.append(
            Problem(
                ProblemKind.NO_ACCOUNTABLE,
                _("Nobody is Accountable: name exactly one person or team."),
            )
        )
    elif len(accountable) > 1:
        problems.append(
            Problem(
                ProblemKind.MANY_ACCOUNTABLE,
                _("%(count)s are Accountable: keep exactly one.") % {"count": len(accountable)},
            )
        )
    if not any(r.role == RaciRole.RESPONSIBLE for r in roles):
        problems.append(
            Problem(
                ProblemKind.NO_RESPONSIBLE, _("Nobody is Responsible: someone must do the work.")
            )
        )
    consulted = sum(1 for r in roles if r.role == RaciRole.CONSULTED)
    if consulted > context.consulted_limit:
        problems.append(
            Problem(
                ProblemKind.TOO_MANY_CONSULTED,
                _("%(count)s are Consulted, more than %(limit)s: decisions will be slow.")
                % {"count": consulted, "limit": context.consulted_limit},
            )
        )
    for role in accountable:
        if role.team_id is not None:
            outside = role.team_id not in context.project_team_ids
        else:
            outside = not (
                context.teams_of_user.get(role.user_id, frozenset()) & context.project_team_ids
            )
        if outside:
            problems.append(
                Problem(
                    ProblemKind.ACCOUNTABLE_OUTSIDE,
                    _("The Accountable is not in any of the project's teams."),
                )
            )
        if (
            is_open
            and role.user_id is not None
            and context.accountable_counts.get(role.user_id, 0) > context.accountable_limit
        ):
            problems.append(
                Problem(
                    ProblemKind.ACCOUNTABLE_OVERLOADED,
                    _("%(name)s is Accountable for %(count)s open cards, more than %(limit)s.")
                    % {
                        "name": context.names.get(role.user_id, "?"),
                        "count": context.accountable_counts[role.user_id],
                        "limit": context.accountable_limit,
                    },
                )
            )
    return problems
