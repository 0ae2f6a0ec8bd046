"""Writes for boards, columns and cards.

Every change to a card writes a CardEvent, bumps the board's revision and
marks the card with it, so open boards fetch only the cards that changed; a
change to the columns or labels marks the board's layout, which they fetch
whole.

One lock per board. Every write here to a board's cards, columns, labels,
comments or checklists begins by bumping the board's revision (``_touch``): an
UPDATE of the board's row, which holds that row until the change commits. So
changes to one board run one at a time, in the order of their revisions, and what
a change reads after that first statement is the board as it is (READ COMMITTED
reads each statement afresh; on SQLite the first write takes the database's write
lock): which column a card is in, a column's ranks, how many cards it holds
against its WIP limit, whether it is still open. No other row needs a lock of its
own, so none is taken (no ``select_for_update``), and a change holds none of the
board's rows while it waits for the board's: two changes cannot wait for each
other in a circle. Two people moving cards between two columns in opposite
directions queue on the board; two people dropping cards into the last place of a
column with a hard WIP limit get one in and one refusal. (A lock on a card taken
after the board's could still wait in a circle with a writer that holds the card
while it waits for the board: a RACI assignment being added holds a share lock on
its card while it assigns the card here.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import Count, Max, Min, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsboard.accounts.models import User
from opsboard.builtins import typed_name
from opsboard.tenancy.access import require_editor, require_lead
from opsboard.tenancy.models import Membership, Organization, Team
from projects.models import Goal, Project

from . import attachments, mentions
from .models import (
    Attachment,
    Board,
    Card,
    CardEvent,
    CardFollower,
    ChecklistItem,
    Column,
    ColumnKind,
    Comment,
    EventKind,
    FollowReason,
    Label,
    Mention,
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
    changed at it, and return it. A card about to be saved sets ``revision`` itself.

    This is the board's lock (see the module's docstring): the first statement of every
    change to a board. It is a statement of its own: what a statement joins to the
    board's row is read as it was when the statement began, before it waited for the
    lock, so the rest is read by the statements after it."""
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


# What a card's followers hear of (a move into a done column is its "done").
ACTIVITY_KINDS = {EventKind.MOVED, EventKind.DUE_CHANGED, EventKind.BLOCKED, EventKind.UNBLOCKED}


def _event(
    card: Card, kind: str, actor: User | None, *, tell: bool = True, **values: object
) -> CardEvent:
    """Write the card's history row; the followers hear of the kinds they follow once
    the change commits (``kanban.activity``), unless ``tell`` is false (a new card)."""
    event = CardEvent.objects.create(
        card=card, board_id=card.board_id, kind=kind, actor=actor, **values
    )
    if tell and kind in ACTIVITY_KINDS:
        _tell_followers(event_id=event.pk)
    return event


def _tell_followers(*, event_id: int | None = None, comment_id: int | None = None) -> None:
    # Imported here: the tasks import the activity module, which imports this one.
    from .tasks import tell_followers

    tell_followers.delay_on_commit(event_id=event_id, comment_id=comment_id)


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
    _touch(board, layout=True)
    position = (board.columns.open().aggregate(last=Max("position"))["last"] or 0) + 1
    return Column.objects.create(
        board=board,
        name=_column_name(name, kind),
        kind=kind,
        wip_limit=wip_limit,
        wip_hard=wip_hard,
        position=position,
    )


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
    _touch(column.board_id, layout=True)
    column.name = _column_name(name, kind)
    column.kind = kind
    column.wip_limit = wip_limit
    column.wip_hard = wip_hard and wip_limit is not None
    column.save()
    return column


@transaction.atomic
def column_shift(*, actor: Membership, column: Column, offset: int) -> None:
    """Swap a column with its neighbour to the left (-1) or right (+1)."""
    require_lead(actor)
    _touch(column.board_id, layout=True)
    columns = list(
        Column.objects.filter(board_id=column.board_id).open().order_by("position", "pk")
    )
    index = next(i for i, c in enumerate(columns) if c.pk == column.pk)
    other = index + offset
    if 0 <= other < len(columns):
        columns[index], columns[other] = columns[other], columns[index]
        for position, item in enumerate(columns):
            if item.position != position:
                Column.objects.filter(pk=item.pk).update(position=position)


@transaction.atomic
def column_archive(*, actor: Membership, column: Column) -> None:
    require_lead(actor)
    _touch(column.board_id, layout=True)
    if column.cards.open().exists():
        raise ValidationError(
            _("Move or archive the cards in “%(column)s” first.") % {"column": column.display_name}
        )
    if column.board.columns.open().count() <= 1:
        raise ValidationError(_("A board keeps at least one column."))
    column.archived_at = timezone.now()
    column.save(update_fields=["archived_at"])


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


def _end_rank(cards: models.QuerySet[Card]) -> int:
    """A rank below all of ``cards`` (a column's open cards)."""
    last = cards.aggregate(last=Max("rank"))["last"]
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
    revision = _touch(board)
    # As it is now that the board is held: archived, or its limit changed, meanwhile?
    column = Column.objects.open().filter(pk=column.pk).first()
    if column is None:
        raise ValidationError({"column": _("Choose a column of this board.")})
    if column.wip_limit is not None:
        _check_wip(column, held=column.cards.open().count())
    now = timezone.now()
    card = Card(
        board=board,
        column=column,
        rank=_end_rank(column.cards.open()),
        created_by=actor.user,
        created_at=now,
    )
    _apply(card, data)
    card.started_at = now if column.kind in (ColumnKind.DOING, ColumnKind.DONE) else None
    card.done_at = now if column.kind == ColumnKind.DONE else None
    card.blocked_at = now if card.blocked else None
    card.revision = revision
    card.save()
    card.labels.set(data.labels or [])
    # A new card's due date and block are part of its creation: no one hears of them.
    _event(card, EventKind.CREATED, actor.user, at=now, to_column=column, to_kind=column.kind)
    if card.assignee_id:
        _event(card, EventKind.ASSIGNED, actor.user, at=now, new_value=str(card.assignee_id))
    if card.due_date:
        _event(
            card,
            EventKind.DUE_CHANGED,
            actor.user,
            tell=False,
            at=now,
            new_value=card.due_date.isoformat(),
        )
    if card.blocked:
        _event(
            card, EventKind.BLOCKED, actor.user, tell=False, at=now, new_value=card.blocked_reason
        )
    card_followers_add(card_id=card.pk, user_ids=[actor.user.pk], reason=FollowReason.CREATOR)
    if card.assignee_id:
        card_followers_add(
            card_id=card.pk, user_ids=[card.assignee_id], reason=FollowReason.ASSIGNEE, renew=True
        )
    description = _save_mentions(card, None, card.description, actor.user, fresh=True)
    if description != card.description:
        card.description = description
        card.save(update_fields=["description"])
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
    revision = _touch(card.board_id)
    card = Card.objects.get(pk=card.pk)  # as it is now that the board is held
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
    if card.assignee_id and card.assignee_id != before[0]:
        card_followers_add(
            card_id=card.pk, user_ids=[card.assignee_id], reason=FollowReason.ASSIGNEE, renew=True
        )
    card.description = _save_mentions(card, None, card.description, actor.user)
    card.revision = revision
    card.save()
    card.labels.set(data.labels or [])
    return card


class WipLimitReached(ValidationError):
    """A move into a column whose hard WIP limit is reached."""


def _check_wip(column: Column, *, held: int) -> str | None:
    """Refuse a card that would break a hard limit; return a warning for a soft one.
    ``held``: the open cards the column holds, the one coming in aside."""
    if column.wip_limit is None or held < column.wip_limit:
        return None
    message = _("“%(column)s” already holds %(count)s cards, its limit is %(limit)s.") % {
        "column": column.display_name,
        "count": held,
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

    Five statements between columns, four within one (a rebalance aside): the
    board's lock and new revision; the card as it is now, with its column and the
    target; the target's ranks (and, under a WIP limit, its count); the history
    row; the card. Whoever moved the card meanwhile has committed by the time the
    board is held, so it moves from where it is now.
    """
    require_editor(actor)
    if column.board_id != card.board_id or column.archived_at is not None:
        raise ValidationError({"column": _("Choose a column of this board.")})
    revision = _touch(card.board_id)
    try:
        card = Card.objects.movable_to(column.pk).select_related("column").get(pk=card.pk)
    except Card.DoesNotExist:  # the column was archived meanwhile
        raise ValidationError({"column": _("Choose a column of this board.")}) from None
    source, target = card.column, card.target
    if card.archived_at is not None:
        raise ValidationError(_("This card is archived."))
    between = source.pk != target.pk
    ranks = _target_ranks(
        card,
        target,
        after_card_id=after_card_id,
        before_card_id=before_card_id,
        count=between and target.wip_limit is not None,
    )
    warning = _check_wip(target, held=ranks["held"]) if "held" in ranks else None
    above, below = _neighbour_ranks(ranks, position)
    rank = rank_between(above, below)
    if rank is None:
        rank = _rebalance(target, exclude=card, insert_after=above)

    now = timezone.now()
    card.column = target
    card.rank = rank
    card.revision = revision
    if between:
        if target.kind in (ColumnKind.DOING, ColumnKind.DONE) and card.started_at is None:
            card.started_at = now
        card.done_at = (card.done_at or now) if target.kind == ColumnKind.DONE else None
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
    card.save(update_fields=["column", "rank", "started_at", "done_at", "updated_at", "revision"])
    return MoveResult(card=card, warning=warning)


def _target_ranks(
    card: Card,
    target: Column,
    *,
    after_card_id: int | None,
    before_card_id: int | None,
    count: bool,
) -> dict[str, int | None]:
    """What a move needs of the target's other open cards, in one query: their first and
    last ranks; the named neighbours' ranks (``above``, ``below``: absent when they are
    not there any more) and the ranks next to them (``after_above``, ``before_below``);
    with ``count``, how many there are (``held``, for the WIP rule)."""
    others = Card.objects.open().filter(column=target).exclude(pk=card.pk)
    wanted: dict[str, models.Aggregate] = {"first": Min("rank"), "last": Max("rank")}
    if count:
        wanted["held"] = Count("pk")
    if after_card_id:
        above = Subquery(others.filter(pk=after_card_id).values("rank"))
        wanted["above"] = Max("rank", filter=Q(pk=after_card_id))
        wanted["after_above"] = Min("rank", filter=Q(rank__gt=above))
    if before_card_id:
        below = Subquery(others.filter(pk=before_card_id).values("rank"))
        wanted["below"] = Max("rank", filter=Q(pk=before_card_id))
        wanted["before_below"] = Max("rank", filter=Q(rank__lt=below))
    return others.aggregate(**wanted)


def _neighbour_ranks(ranks: dict[str, int | None], position: str) -> tuple[int | None, int | None]:
    """The ranks of the cards the moved card goes between (None: the column's end)."""
    above, below = ranks.get("above"), ranks.get("below")
    if above is not None and below is None:
        below = ranks["after_above"]
    elif below is not None and above is None:
        above = ranks["before_below"]
    elif above is None and below is None:
        if position == Position.TOP:
            below = ranks["first"]
        else:
            above = ranks["last"]
    elif below <= above:  # type: ignore[operator]
        # The two neighbours are not next to each other any more: go below the first.
        below = ranks["after_above"]
    return above, below


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
    card.revision = _touch(card.board_id)
    card.archived_at = timezone.now() if archived else None
    if not archived:
        # The bottom of the column the card is in now (someone may have moved it since).
        card.rank = _end_rank(Card.objects.open().filter(column__cards=card.pk))
    card.save(update_fields=["archived_at", "rank", "updated_at", "revision"])
    _event(card, EventKind.ARCHIVED if archived else EventKind.RESTORED, actor.user)
    return card


@transaction.atomic
def comment_add(*, actor: Membership, card: Card, body: str) -> Comment:
    require_editor(actor)
    if not body.strip():
        raise ValidationError({"body": _("Write something first.")})
    _touch(card.board_id, card)
    comment = Comment.objects.create(card=card, author=actor.user, body=body.strip())
    body = _save_mentions(card, comment, comment.body, actor.user, fresh=True)
    if body != comment.body:
        comment.body = body
        comment.save(update_fields=["body"])
    card_followers_add(card_id=card.pk, user_ids=[actor.user.pk], reason=FollowReason.COMMENTER)
    _tell_followers(comment_id=comment.pk)
    return comment


@transaction.atomic
def comment_update(*, actor: Membership, comment: Comment, body: str) -> Comment:
    """Change a comment's text: only its author may. Who was mentioned before is not told
    again; someone mentioned for the first time is. The followers hear of comments once,
    when written."""
    require_editor(actor)
    if comment.author_id != actor.user_id:
        raise PermissionDenied(_("Only its author can change a comment."))
    if not body.strip():
        raise ValidationError({"body": _("Write something first.")})
    card = comment.card
    _touch(card.board_id, card)
    comment.body = _save_mentions(card, comment, body.strip(), actor.user)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    return comment


# Attachments -----------------------------------------------------------------


@dataclass
class _CheckedFile:
    """An uploaded file that passed the rules that need no lock: its name, size and kind."""

    file: File
    name: str
    size: int
    kind: attachments.FileKind
    width: int | None = None
    height: int | None = None
    preview: File | None = None


def _check_file(file: File) -> _CheckedFile:
    """The rules of ``kanban.attachments``: a size within the limit, a kind told from the
    content, a clean name ending as its kind does, an image that opens."""
    name = attachments.clean_name(file.name or "")
    attachments.check_size(name, file.size or 0)
    kind = attachments.kind_of(file, name)
    checked = _CheckedFile(file, attachments.named_for(name, kind), file.size, kind)
    if kind.image:
        checked.width, checked.height = attachments.image_size(file, checked.name)
        checked.preview = attachments.preview_of(
            file, kind, width=checked.width, height=checked.height, nbytes=checked.size
        )
    return checked


@contextmanager
def _stored_files() -> Iterator[list[str]]:
    """The keys of the files stored inside the block, removed again when it fails: a refused
    upload leaves nothing in storage."""
    keys: list[str] = []
    try:
        yield keys
    except BaseException:
        for key in keys:
            default_storage.delete(key)
        raise


def _check_files(files: Sequence[File]) -> list[_CheckedFile]:
    """Every file checked (``_check_file``) before any is stored."""
    if not files:
        raise ValidationError({"file": _("Choose a file to attach.")})
    return [_check_file(file) for file in files]


def _attach(
    *,
    actor: Membership,
    card: Card,
    checked: list[_CheckedFile],
    comment: Comment | None,
    keys: list[str],
) -> list[Attachment]:
    """Store checked files and record them on ``card`` under the organisation's quota. The
    files are stored before the board and the quota are held (a slow storage holds no
    lock); each is counted against the quota under the organisation's lock, so two uploads
    at once cannot both pass it."""
    organization_id = card.board.organization_id
    stored = []
    for item in checked:
        item.file.seek(0)
        key = default_storage.save(attachments.storage_key(organization_id), item.file)
        keys.append(key)
        preview = ""
        if item.preview is not None:
            preview = default_storage.save(attachments.storage_key(organization_id), item.preview)
            keys.append(preview)
        stored.append((key, preview))
    with transaction.atomic():
        revision = _touch(card.board_id, card)
        if Card.objects.filter(pk=card.pk, archived_at__isnull=False).exists():
            raise ValidationError(_("This card is archived."))
        # The quota's lock: the organisation's row, held until the change commits. NO KEY:
        # rows that only point at the organisation are still written meanwhile.
        Organization.objects.select_for_update(no_key=True).filter(pk=organization_id).values(
            "pk"
        ).get()
        used = Attachment.objects.filter(organization_id=organization_id).bytes_used()
        added = []
        for item, (key, preview) in zip(checked, stored, strict=True):
            if used + item.size > attachments.quota_bytes():
                raise ValidationError(
                    attachments.quota_message(used=used, size=item.size, name=item.name),
                    code="quota",
                )
            used += item.size
            attachment = Attachment.objects.create(
                organization_id=organization_id,
                card=card,
                comment=comment,
                uploaded_by=actor.user,
                file=key,
                preview=preview,
                name=item.name,
                size=item.size,
                content_type=item.kind.content_type,
                width=item.width,
                height=item.height,
            )
            _event(card, EventKind.FILE_ADDED, actor.user, new_value=item.name[:300])
            added.append(attachment)
        card.revision = revision
    return added


def attachment_add(
    *, actor: Membership, card: Card, files: Sequence[File], comment: Comment | None = None
) -> list[Attachment]:
    """Attach ``files`` to ``card`` (or to ``comment``, one of its comments): all of them,
    or, when any is refused (too large, empty, a kind not kept, over the organisation's
    quota), none, with nothing left in storage."""
    require_editor(actor)
    if comment is not None and comment.card_id != card.pk:
        raise ValidationError({"comment": _("Choose a comment of this card.")})
    checked = _check_files(files)
    with _stored_files() as keys:
        return _attach(actor=actor, card=card, checked=checked, comment=comment, keys=keys)


def comment_add_with_files(
    *, actor: Membership, card: Card, body: str, files: Sequence[File]
) -> Comment:
    """A comment with files attached to it, together or not at all."""
    if not files:
        return comment_add(actor=actor, card=card, body=body)
    require_editor(actor)
    checked = _check_files(files)  # a bad file is refused before the comment is written
    with _stored_files() as keys, transaction.atomic():
        comment = comment_add(actor=actor, card=card, body=body)
        _attach(actor=actor, card=card, checked=checked, comment=comment, keys=keys)
    return comment


@transaction.atomic
def attachment_delete(*, actor: Membership, attachment: Attachment) -> None:
    """Remove a file: its uploader or anyone who may edit the card (every role but viewer;
    viewers change nothing, their own uploads from before included). The history keeps its
    name; the stored file goes once the change commits (``kanban.signals``)."""
    require_editor(actor)
    card = attachment.card
    _touch(card.board_id, card)
    deleted, _rows = Attachment.objects.filter(pk=attachment.pk).delete()
    if deleted:  # not removed meanwhile by someone else
        _event(card, EventKind.FILE_REMOVED, actor.user, old_value=attachment.name[:300])


@transaction.atomic
def checklist_add(*, actor: Membership, card: Card, text: str) -> ChecklistItem:
    require_editor(actor)
    if not text.strip():
        raise ValidationError({"text": _("Write the item first.")})
    _touch(card.board_id, card)
    position = (card.checklist.aggregate(last=Max("position"))["last"] or 0) + 1
    return ChecklistItem.objects.create(card=card, text=text.strip(), position=position)


@transaction.atomic
def checklist_toggle(*, actor: Membership, item: ChecklistItem) -> ChecklistItem:
    require_editor(actor)
    _touch(item.card.board_id, item.card)
    item.done = not item.done
    item.save(update_fields=["done"])
    return item


@transaction.atomic
def label_create(*, actor: Membership, board: Board, name: str, color: str) -> Label:
    require_lead(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the label a name.")})
    _touch(board, layout=True)
    # A built-in label answers to its name in every language: no "bug" beside 缺陷.
    if any(label.is_called(name) for label in board.labels.all()):
        raise ValidationError({"name": _("This board already has that label.")})
    return Label.objects.create(board=board, name=name, color=color)


@transaction.atomic
def card_assign(*, actor: Membership, card: Card, assignee: User | None) -> Card:
    """Change only who the card is assigned to, with its history row. Asked for what the
    card already has, the board's revision still goes up, with no card marked."""
    require_editor(actor)
    revision = _touch(card.board_id)
    card = Card.objects.get(pk=card.pk)  # as it is now that the board is held
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
    card.revision = revision
    card.save(update_fields=["assignee", "updated_at", "revision"])
    if assignee is not None:
        card_followers_add(
            card_id=card.pk, user_ids=[assignee.pk], reason=FollowReason.ASSIGNEE, renew=True
        )
    _event(
        card,
        EventKind.ASSIGNED,
        actor.user,
        old_value=str(before or ""),
        new_value=str(card.assignee_id or ""),
    )
    return card


# Following and mentions -------------------------------------------------------


def card_followers_add(
    *, card_id: int, user_ids: list[int], reason: str, renew: bool = False
) -> None:
    """Make people follow a card, in one statement.

    Someone who stopped following stays stopped (their row is kept), unless ``renew``: a
    new responsibility for the card (being assigned it, made Responsible or Accountable)
    is a new reason to hear about it, as Jira adds a new assignee to the watchers.
    """
    rows = [
        CardFollower(card_id=card_id, user_id=user_id, reason=reason)
        for user_id in sorted(set(user_ids))
        if user_id
    ]
    if not rows:
        return
    if renew:
        CardFollower.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["card", "user"],
            update_fields=["following", "reason"],
        )
    else:
        CardFollower.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def card_follow_set(*, actor: Membership, card: Card, following: bool) -> CardFollower:
    """Follow a card, or stop following it, as anyone who may see it may (viewers too:
    following changes nothing on the card). Stopping sticks (``card_followers_add``)."""
    chose = {"following": following, "reason": FollowReason.CHOSE}
    follower, _created = CardFollower.objects.update_or_create(
        card=card,
        user=actor.user,
        # Stopping keeps why they followed; following again is their own choice.
        defaults=chose if following else {"following": False},
        create_defaults=chose,
    )
    return follower


def _save_mentions(
    card: Card, comment: Comment | None, text: str, author: User, *, fresh: bool = False
) -> str:
    """Record who ``text`` mentions and tell whoever is mentioned in it for the first
    time; return the text with any mention of someone who is not an active member of the
    card's organisation written as plain "@Name" (it tells no one, links nowhere).

    Telling goes through the ledger, keyed by the text (the comment, or the card's
    description) and the person, so editing the text never tells anyone twice.
    """
    wanted = mentions.mentioned_ids(text)
    allowed = (
        set(
            Membership.objects.filter(
                organization_id=card.board.organization_id,
                user_id__in=wanted,
                user__is_active=True,
            ).values_list("user_id", flat=True)
        )
        if wanted
        else set()
    )
    if wanted - allowed:
        text = mentions.MENTION.sub(
            lambda match: match[0] if int(match["user_id"]) in allowed else f"@{match['name']}",
            text,
        )
    if fresh and not wanted:  # a new text that mentions no one: nothing to read or write
        return text
    kept = Mention.objects.filter(card=card, comment=comment)
    before = set() if fresh else set(kept.values_list("user_id", flat=True))
    if before - allowed:
        kept.filter(user_id__in=before - allowed).delete()
    new = sorted(allowed - before)
    if new:
        created = Mention.objects.bulk_create(
            Mention(card=card, comment=comment, user_id=user_id, author=author) for user_id in new
        )
        told = [mention.pk for mention in created if mention.user_id != author.pk]
        if told:
            from .tasks import tell_mentioned

            tell_mentioned.delay_on_commit(mention_ids=told)
    return text
