"""Writes for boards, columns and cards.

Every change to a card writes a CardEvent, bumps the board's revision and
marks the card with it, so open boards fetch only the cards that changed; a
change to the columns or labels marks the board's layout, which they fetch
whole. Moves lock the rows of the card's column and of the
target column (in primary key order, so opposite moves cannot deadlock), so
two people moving cards into a column with a hard WIP limit cannot both get in.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsboard.accounts.models import User
from opsboard.builtins import typed_name
from opsboard.tenancy.access import require_editor, require_lead
from opsboard.tenancy.models import Membership, Team
from projects.models import Goal, Project

from .models import (
    Board,
    Card,
    CardEvent,
    ChecklistItem,
    Column,
    ColumnKind,
    Comment,
    EventKind,
    Label,
    Priority,
)
from .ranks import rank_between, spread

# One statement that bumps the revision and says it (the ORM's update() says only how many rows).
_TOUCH = "UPDATE kanban_board SET revision = revision + 1 WHERE id = %s RETURNING revision"
_TOUCH_LAYOUT = (
    "UPDATE kanban_board SET revision = revision + 1, layout_revision = revision + 1"
    " WHERE id = %s RETURNING revision"
)


def _touch(board: Board | int, *cards: Card, layout: bool = False) -> int:
    """Bump the board's revision (and its layout's with ``layout``), mark ``cards`` as
    changed at it, and return it. A card about to be saved sets ``revision`` itself."""
    with connection.cursor() as cursor:
        cursor.execute(_TOUCH_LAYOUT if layout else _TOUCH, [getattr(board, "pk", board)])
        (revision,) = cursor.fetchone()
    if cards:
        Card.objects.filter(pk__in=[card.pk for card in cards]).update(revision=revision)
    return revision


def board_touched(board: Board | int, *cards: Card, layout: bool = False) -> int:
    """For changes made outside these services (the admin): open boards catch up on
    ``cards``, or with ``layout`` fetch the whole board again."""
    return _touch(board, *cards, layout=layout)


def _event(card: Card, kind: str, actor: User | None, **values: object) -> CardEvent:
    return CardEvent.objects.create(
        card=card, board_id=card.board_id, kind=kind, actor=actor, **values
    )


# Boards and columns ----------------------------------------------------------


@transaction.atomic
def board_create(*, project: Project, name: str = "", actor: Membership | None = None) -> Board:
    """A board with To do / In progress / Done columns.

    The columns are built-ins (no typed name), so each reader sees them in their
    own language: 待办 / 进行中 / 已完成 or To do / In progress / Done.
    """
    if actor is not None:
        require_lead(actor)
    organization = project.organization
    board = Board.objects.create(
        organization=organization, project=project, name=name or project.name
    )
    Column.objects.bulk_create(
        Column(board=board, kind=kind, position=position)
        for position, kind in enumerate(ColumnKind)
    )
    return board


def _column_name(name: str, kind: str) -> str:
    """The name to store: as typed, or "" for the name of its kind (empty, or that name
    in any language, as an unchanged form or an API client sends it back)."""
    return typed_name(name, ColumnKind(kind).label)


@transaction.atomic
def column_create(
    *,
    actor: Membership,
    board: Board,
    name: str,
    kind: str,
    wip_limit: int | None = None,
    wip_hard: bool = False,
) -> Column:
    require_lead(actor)
    position = (board.columns.open().aggregate(last=Max("position"))["last"] or 0) + 1
    column = Column.objects.create(
        board=board,
        name=_column_name(name, kind),
        kind=kind,
        wip_limit=wip_limit,
        wip_hard=wip_hard,
        position=position,
    )
    _touch(board, layout=True)
    return column


@transaction.atomic
def column_update(
    *,
    actor: Membership,
    column: Column,
    name: str,
    kind: str,
    wip_limit: int | None,
    wip_hard: bool,
) -> Column:
    require_lead(actor)
    column.name = _column_name(name, kind)
    column.kind = kind
    column.wip_limit = wip_limit
    column.wip_hard = wip_hard and wip_limit is not None
    column.save()
    _touch(column.board, layout=True)
    return column


@transaction.atomic
def column_shift(*, actor: Membership, column: Column, offset: int) -> None:
    """Swap a column with its neighbour to the left (-1) or right (+1)."""
    require_lead(actor)
    columns = list(column.board.columns.open().select_for_update().order_by("position", "pk"))
    index = next(i for i, c in enumerate(columns) if c.pk == column.pk)
    other = index + offset
    if 0 <= other < len(columns):
        columns[index], columns[other] = columns[other], columns[index]
        for position, item in enumerate(columns):
            if item.position != position:
                Column.objects.filter(pk=item.pk).update(position=position)
        _touch(column.board, layout=True)


@transaction.atomic
def column_archive(*, actor: Membership, column: Column) -> None:
    require_lead(actor)
    if column.cards.open().exists():
        raise ValidationError(
            _("Move or archive the cards in “%(column)s” first.") % {"column": column.display_name}
        )
    if column.board.columns.open().count() <= 1:
        raise ValidationError(_("A board keeps at least one column."))
    column.archived_at = timezone.now()
    column.save(update_fields=["archived_at"])
    _touch(column.board, layout=True)


# Cards -----------------------------------------------------------------------


@dataclass
class CardInput:
    title: str
    description: str = ""
    assignee: User | None = None
    team: Team | None = None
    goal: Goal | None = None
    due_date: date | None = None
    priority: int = Priority.NORMAL
    labels: list[Label] | None = None
    blocked: bool = False
    blocked_reason: str = ""


CARD_INPUT_FIELDS = [f.name for f in fields(CardInput)]


def _validate_card(board: Board, data: CardInput) -> None:
    if not data.title.strip():
        raise ValidationError({"title": _("Give the card a title.")})
    organization_id = board.organization_id
    if (
        data.assignee is not None
        and not Membership.objects.filter(
            organization_id=organization_id, user=data.assignee
        ).exists()
    ):
        raise ValidationError({"assignee": _("Choose a member of this organisation.")})
    if data.team is not None and data.team.organization_id != organization_id:
        raise ValidationError({"team": _("Choose teams of this organisation.")})
    if data.goal is not None and data.goal.project_id != board.project_id:
        raise ValidationError({"goal": _("Choose a goal of this board's project.")})
    if any(label.board_id != board.pk for label in data.labels or []):
        raise ValidationError({"labels": _("Choose labels of this board.")})
    if data.blocked and not data.blocked_reason.strip():
        raise ValidationError({"blocked_reason": _("Say why the card is blocked.")})


def _end_rank(column: Column) -> int:
    last = column.cards.open().aggregate(last=Max("rank"))["last"]
    return rank_between(last, None)  # type: ignore[return-value]


@transaction.atomic
def card_create(
    *, actor: Membership, board: Board, column: Column | None = None, data: CardInput
) -> Card:
    require_editor(actor)
    column = column or board.columns.open().order_by("position").first()
    if column is None or column.board_id != board.pk:
        raise ValidationError({"column": _("Choose a column of this board.")})
    _validate_card(board, data)
    locked = Column.objects.select_for_update().get(pk=column.pk)
    _check_wip(locked, moving=None)
    now = timezone.now()
    card = Card(
        board=board, column=locked, rank=_end_rank(locked), created_by=actor.user, created_at=now
    )
    _apply(card, data)
    card.started_at = now if locked.kind in (ColumnKind.DOING, ColumnKind.DONE) else None
    card.done_at = now if locked.kind == ColumnKind.DONE else None
    card.blocked_at = now if card.blocked else None
    card.revision = _touch(board)
    card.save()
    card.labels.set(data.labels or [])
    _event(card, EventKind.CREATED, actor.user, at=now, to_column=locked, to_kind=locked.kind)
    if card.assignee_id:
        _event(card, EventKind.ASSIGNED, actor.user, at=now, new_value=str(card.assignee_id))
    if card.due_date:
        _event(card, EventKind.DUE_CHANGED, actor.user, at=now, new_value=card.due_date.isoformat())
    if card.blocked:
        _event(card, EventKind.BLOCKED, actor.user, at=now, new_value=card.blocked_reason)
    return card


def _apply(card: Card, data: CardInput) -> None:
    for name in CARD_INPUT_FIELDS:
        if name != "labels":
            setattr(card, name, getattr(data, name))
    card.title = card.title.strip()
    card.blocked_reason = card.blocked_reason.strip() if card.blocked else ""


@transaction.atomic
def card_update(*, actor: Membership, card: Card, data: CardInput) -> Card:
    require_editor(actor)
    card = Card.objects.select_for_update().get(pk=card.pk)
    _validate_card(card.board, data)
    before = (card.assignee_id, card.due_date, card.blocked, card.blocked_reason)
    _apply(card, data)
    now = timezone.now()
    if card.assignee_id != before[0]:
        _event(
            card,
            EventKind.ASSIGNED,
            actor.user,
            at=now,
            old_value=str(before[0] or ""),
            new_value=str(card.assignee_id or ""),
        )
    if card.due_date != before[1]:
        _event(
            card,
            EventKind.DUE_CHANGED,
            actor.user,
            at=now,
            old_value=before[1].isoformat() if before[1] else "",
            new_value=card.due_date.isoformat() if card.due_date else "",
        )
    if card.blocked and not before[2]:
        card.blocked_at = now
        _event(card, EventKind.BLOCKED, actor.user, at=now, new_value=card.blocked_reason)
    elif not card.blocked and before[2]:
        card.blocked_at = None
        _event(card, EventKind.UNBLOCKED, actor.user, at=now, old_value=before[3])
    card.revision = _touch(card.board_id)
    card.save()
    card.labels.set(data.labels or [])
    return card


class WipLimitReached(ValidationError):
    """A move into a column whose hard WIP limit is reached."""


def _check_wip(column: Column, *, moving: Card | None) -> str | None:
    """Refuse a card that would break a hard limit; return a warning for a soft one."""
    if column.wip_limit is None:
        return None
    held = column.cards.open()
    if moving is not None:
        held = held.exclude(pk=moving.pk)
    count = held.count()
    if count < column.wip_limit:
        return None
    message = _("“%(column)s” already holds %(count)s cards, its limit is %(limit)s.") % {
        "column": column.display_name,
        "count": count,
        "limit": column.wip_limit,
    }
    if column.wip_hard:
        raise WipLimitReached(message + " " + _("Finish something there first."))
    return message


@dataclass
class MoveResult:
    card: Card
    warning: str | None = None


class Position(models.TextChoices):
    """Where a moved card goes when no neighbour is named."""

    BOTTOM = "bottom", gettext_lazy("at the bottom")
    TOP = "top", gettext_lazy("at the top")


@transaction.atomic
def card_move(
    *,
    actor: Membership,
    card: Card,
    column: Column,
    after_card_id: int | None = None,
    before_card_id: int | None = None,
    position: str = Position.BOTTOM,
) -> MoveResult:
    """Move a card into ``column``, below ``after_card_id`` and above ``before_card_id``.

    Neighbours that are no longer in the column (someone moved them
    meanwhile) are ignored; with neither, the card goes to ``position``: the
    bottom of the column, or its top. The order stays whole either way.
    """
    require_editor(actor)
    if column.board_id != card.board_id or column.archived_at is not None:
        raise ValidationError({"column": _("Choose a column of this board.")})
    card, source, target = _lock_for_move(card, column)
    if card.archived_at is not None:
        raise ValidationError(_("This card is archived."))
    warning = _check_wip(target, moving=card) if target.pk != card.column_id else None

    neighbours = {
        c.pk: c.rank
        for c in target.cards.open()
        .filter(pk__in=[i for i in (after_card_id, before_card_id) if i])
        .exclude(pk=card.pk)
    }
    above = neighbours.get(after_card_id) if after_card_id else None
    below = neighbours.get(before_card_id) if before_card_id else None
    open_cards = target.cards.open().exclude(pk=card.pk)
    if above is not None and below is None:
        below = open_cards.filter(rank__gt=above).aggregate(r=Min("rank"))["r"]
    elif below is not None and above is None:
        above = open_cards.filter(rank__lt=below).aggregate(r=Max("rank"))["r"]
    elif above is None and below is None:
        if position == Position.TOP:
            below = open_cards.aggregate(r=Min("rank"))["r"]
        else:
            above = open_cards.aggregate(r=Max("rank"))["r"]
    if above is not None and below is not None and below <= above:
        # The two neighbours are not next to each other any more: go below the first.
        below = open_cards.filter(rank__gt=above).aggregate(r=Min("rank"))["r"]
    rank = rank_between(above, below)
    if rank is None:
        rank = _rebalance(target, exclude=card, insert_after=above)

    now = timezone.now()
    card.column = target
    card.rank = rank
    if source.pk != target.pk:
        if target.kind in (ColumnKind.DOING, ColumnKind.DONE) and card.started_at is None:
            card.started_at = now
        card.done_at = (card.done_at or now) if target.kind == ColumnKind.DONE else None
        if source.kind == ColumnKind.DONE and target.kind != ColumnKind.DONE:
            card.done_at = None
        _event(
            card,
            EventKind.MOVED,
            actor.user,
            at=now,
            from_column=source,
            to_column=target,
            from_kind=source.kind,
            to_kind=target.kind,
        )
    card.revision = _touch(card.board_id)
    card.save(update_fields=["column", "rank", "started_at", "done_at", "updated_at", "revision"])
    return MoveResult(card=card, warning=warning)


def _lock_for_move(card: Card, target: Column) -> tuple[Card, Column, Column]:
    """Lock the card's column and the target column, then the card; return them fresh.

    A column's lock guards which cards it holds and their ranks, so a move
    holds both columns. They are locked in primary key order, so two people
    moving cards between the same columns in opposite directions queue
    instead of deadlocking. The card's column is read before its lock is
    held; if someone moved the card meanwhile, the locks taken are let go
    (a savepoint) and taken again for the card's new column.
    """
    while True:
        source_id = Card.objects.filter(pk=card.pk).values_list("column_id", flat=True).get()
        with transaction.atomic():
            columns = {
                c.pk: c
                for c in Column.objects.select_for_update()
                .filter(pk__in={source_id, target.pk})
                .order_by("pk")
            }
            locked = Card.objects.select_for_update(of=("self",)).get(pk=card.pk)
            if locked.column_id == source_id:
                locked.column = columns[source_id]
                return locked, columns[source_id], columns[target.pk]
            transaction.set_rollback(True)


def _rebalance(column: Column, *, exclude: Card, insert_after: int | None) -> int:
    """Spread the column's ranks out again and return a free rank after ``insert_after``."""
    cards = list(column.cards.open().exclude(pk=exclude.pk).order_by("rank", "pk"))
    ranks = spread(len(cards) + 1)
    slot = sum(1 for c in cards if insert_after is not None and c.rank <= insert_after)
    others = ranks[:slot] + ranks[slot + 1 :]
    for card, rank in zip(cards, others, strict=True):
        card.rank = rank
    Card.objects.bulk_update(cards, ["rank"])
    return ranks[slot]


@transaction.atomic
def card_archive(*, actor: Membership, card: Card, archived: bool = True) -> Card:
    require_editor(actor)
    card.archived_at = timezone.now() if archived else None
    if not archived:
        card.rank = _end_rank(card.column)
    card.revision = _touch(card.board_id)
    card.save(update_fields=["archived_at", "rank", "updated_at", "revision"])
    _event(card, EventKind.ARCHIVED if archived else EventKind.RESTORED, actor.user)
    return card


@transaction.atomic
def comment_add(*, actor: Membership, card: Card, body: str) -> Comment:
    require_editor(actor)
    if not body.strip():
        raise ValidationError({"body": _("Write something first.")})
    comment = Comment.objects.create(card=card, author=actor.user, body=body.strip())
    _touch(card.board_id, card)
    return comment


@transaction.atomic
def checklist_add(*, actor: Membership, card: Card, text: str) -> ChecklistItem:
    require_editor(actor)
    if not text.strip():
        raise ValidationError({"text": _("Write the item first.")})
    position = (card.checklist.aggregate(last=Max("position"))["last"] or 0) + 1
    item = ChecklistItem.objects.create(card=card, text=text.strip(), position=position)
    _touch(card.board_id, card)
    return item


@transaction.atomic
def checklist_toggle(*, actor: Membership, item: ChecklistItem) -> ChecklistItem:
    require_editor(actor)
    item.done = not item.done
    item.save(update_fields=["done"])
    _touch(item.card.board_id, item.card)
    return item


@transaction.atomic
def label_create(*, actor: Membership, board: Board, name: str, color: str) -> Label:
    require_lead(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the label a name.")})
    # A built-in label answers to its name in every language: no "bug" beside 缺陷.
    if any(label.is_called(name) for label in board.labels.all()):
        raise ValidationError({"name": _("This board already has that label.")})
    label = Label.objects.create(board=board, name=name, color=color)
    _touch(board, layout=True)
    return label


@transaction.atomic
def card_assign(*, actor: Membership, card: Card, assignee: User | None) -> Card:
    """Change only who the card is assigned to, with its history row."""
    require_editor(actor)
    card = Card.objects.select_for_update().get(pk=card.pk)
    if card.assignee_id == (assignee.pk if assignee else None):
        return card
    if (
        assignee is not None
        and not Membership.objects.filter(
            organization_id=card.board.organization_id, user=assignee
        ).exists()
    ):
        raise ValidationError({"assignee": _("Choose a member of this organisation.")})
    before = card.assignee_id
    card.assignee = assignee
    card.revision = _touch(card.board_id)
    card.save(update_fields=["assignee", "updated_at", "revision"])
    _event(
        card,
        EventKind.ASSIGNED,
        actor.user,
        old_value=str(before or ""),
        new_value=str(card.assignee_id or ""),
    )
    return card
