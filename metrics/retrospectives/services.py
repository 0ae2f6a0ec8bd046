"""The writes of a retrospective: building and rebuilding it, and the team's review
(its own highlights and problems, improvement actions as cards, finalising)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kanban.models import Board
from kanban.services import CardInput, card_create
from opsboard.accounts.models import User
from projects.access import require_editor, require_lead, require_manager
from projects.models import Membership, Project, Team

from ..models import Retrospective, RetrospectiveAction, RetrospectiveState
from .notifications import KIND_FINAL, notify
from .report import Subject, report_for
from .selectors import action_boards


@transaction.atomic
def retrospective_build(
    *, month: date, project: Project | None = None, team: Team | None = None
) -> tuple[Retrospective, bool]:
    """The project's or the team's retrospective for ``month``, built now unless it exists.
    True when built."""
    subject = Subject.of(project or team)  # type: ignore[arg-type]
    existing = subject.retrospectives().filter(month=month).first()
    if existing is not None:
        return existing, False
    report = report_for(subject, month)
    retrospective, created = Retrospective.objects.get_or_create(
        **subject.lookup,
        month=month,
        defaults={
            "organization": subject.organization,
            "figures": report.figures,
            "generated_highlights": report.highlights,
            "generated_problems": report.problems,
            "built_at": timezone.now(),
        },
    )
    return retrospective, created


@transaction.atomic
def retrospective_rebuild(*, actor: Membership, retrospective: Retrospective) -> Retrospective:
    """Work the figures and the generated items out again (after late updates to the cards);
    what the team wrote and its actions stay."""
    require_manager(actor)
    report = report_for(Subject.of_retrospective(retrospective), retrospective.month)
    retrospective.figures = report.figures
    retrospective.generated_highlights = report.highlights
    retrospective.generated_problems = report.problems
    retrospective.built_at = timezone.now()
    retrospective.save()
    return retrospective


# Reviewing -------------------------------------------------------------------


def require_may_edit(actor: Membership, retrospective: Retrospective) -> None:
    """The team edits a retrospective in review; once final, only a manager may."""
    require_editor(actor)
    if retrospective.is_final:
        require_manager(actor)


@transaction.atomic
def retrospective_update(
    *, actor: Membership, retrospective: Retrospective, highlights: str, problems: str
) -> Retrospective:
    require_may_edit(actor, retrospective)
    retrospective.highlights = highlights.strip()
    retrospective.problems = problems.strip()
    retrospective.save(update_fields=["highlights", "problems", "updated_at"])
    return retrospective


@transaction.atomic
def retrospective_action_add(
    *,
    actor: Membership,
    retrospective: Retrospective,
    title: str,
    owner: User | None,
    due_date: date | None,
    board: Board | None = None,
) -> RetrospectiveAction:
    """An improvement action: a card for its owner, due when agreed, on the project's board;
    for a team, on the board chosen among those of the projects the team takes part in."""
    require_may_edit(actor, retrospective)
    errors = {}
    if owner is None:
        errors["owner"] = _("Every action needs an owner.")
    if due_date is None:
        errors["due_date"] = _("Every action needs a due date.")
    elif due_date < retrospective.organization.today():
        errors["due_date"] = _("The due date has passed.")
    if retrospective.project_id:
        board = retrospective.project.boards.order_by("pk").first()
        if board is None:
            errors["title"] = _("The project has no board to put the action on.")
    else:
        boards = action_boards(retrospective)
        if not boards.exists():
            errors["board"] = _(
                "The team takes part in no active project, so there is no board for the action."
            )
        elif board is None or not boards.filter(pk=board.pk).exists():
            errors["board"] = _("Choose the board of one of the team's projects.")
    if errors:
        raise ValidationError(errors)
    description = _("Improvement action from the retrospective of %(month)s.") % {
        "month": date_format(retrospective.month, "YEAR_MONTH_FORMAT")
    }
    card = card_create(
        actor=actor,
        board=board,
        data=CardInput(title=title, description=description, assignee=owner, due_date=due_date),
    )
    return RetrospectiveAction.objects.create(
        retrospective=retrospective, card=card, title=card.title, owner=owner, due_date=due_date
    )


@transaction.atomic
def retrospective_finalise(*, actor: Membership, retrospective: Retrospective) -> Retrospective:
    require_lead(actor)
    if retrospective.is_final:
        return retrospective
    retrospective.state = RetrospectiveState.FINAL
    retrospective.finalised_at = timezone.now()
    retrospective.finalised_by = actor.user
    retrospective.save(update_fields=["state", "finalised_at", "finalised_by", "updated_at"])
    notify(retrospective, kind=KIND_FINAL)
    return retrospective
