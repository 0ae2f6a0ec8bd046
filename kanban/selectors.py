"""Reads for boards, cards and the standup, scoped to the person asking."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import FilterSet

from opsboard.accounts.models import User
from opsboard.compiled import Compiled
from opsboard.filters import chosen
from opsboard.tenancy.calendar import WorkingCalendar, calendar_for
from opsboard.tenancy.models import Membership, Organization

from . import mentions, tiles
from .aging import Aging, aging_for
from .mentions import Person
from .models import (
    Attachment,
    Board,
    Card,
    CardEvent,
    CardFollower,
    CardQuerySet,
    ChecklistItem,
    Column,
    ColumnKind,
    Comment,
    EventKind,
    Mention,
)


def boards_for_organization(*, organization: Organization) -> QuerySet[Board]:
    return _with_card_counts(Board.objects.open().filter(organization=organization))


def boards_for_project(*, project_id: int) -> QuerySet[Board]:
    return _with_card_counts(Board.objects.open().filter(project_id=project_id))


def _with_card_counts(boards: QuerySet[Board]) -> QuerySet[Board]:
    """``boards`` with ``card_count``: the open cards on each."""
    open_cards = (
        Card.objects.open()
        .filter(board=OuterRef("pk"))
        .order_by()
        .values("board")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        boards.select_related("project")
        .annotate(card_count=Coalesce(Subquery(open_cards), 0))
        .order_by("project__name", "name")
    )


def board_get_for_user(*, membership: Membership, board_id: int) -> Board:
    board = get_object_or_404(
        Board.objects.select_related("project"),
        organization_id=membership.organization_id,
        pk=board_id,
    )
    board.organization = membership.organization  # the one it was found in
    return board


_BOARD_REVISIONS = Compiled(
    lambda organization_id, board_id: Board.objects.filter(
        organization_id=organization_id, pk=board_id
    ).values_list("revision", "layout_revision", "project_id"),
    organization_id=-(2**62) + 1,
    board_id=-(2**62) + 2,
)


def board_revisions_for_user(*, membership: Membership, board_id: int) -> Board:
    """The board as an open board's poll reads it: its ids and revisions in one short
    query, compiled once, no project joined and no model built from a row (or 404). Its labels,
    columns, cards and project can be read from it when something changed."""
    found = _BOARD_REVISIONS.rows(organization_id=membership.organization_id, board_id=board_id)
    if not found:
        raise Http404
    [(revision, layout_revision, project_id)] = found
    board = Board(
        pk=board_id,
        organization_id=membership.organization_id,
        project_id=project_id,
        revision=revision,
        layout_revision=layout_revision,
    )
    board.organization = membership.organization
    return board


def card_get_for_user(*, membership: Membership, card_id: int) -> Card:
    card = get_object_or_404(
        Card.objects.select_related(
            "board__project", "column", "assignee", "team", "goal", "created_by"
        ),
        board__organization_id=membership.organization_id,
        pk=card_id,
    )
    card.board.organization = membership.organization  # the one it was found in
    return card


def card_get_for_move(*, membership: Membership, card_id: int, column_id: int) -> Card | None:
    """The card to move with its board (what the answer is drawn from) and ``target``:
    the column ``column_id``, in one query. None when the column is not an open column of
    the card's board; 404 outside the organisation, as ``card_get_for_user``."""
    cards = Card.objects.movable_to(column_id).select_related("board__project")
    try:
        card = cards.get(board__organization_id=membership.organization_id, pk=card_id)
    except Card.DoesNotExist:
        # Not a card of this organisation (404), or a column it cannot go to.
        card_get_for_user(membership=membership, card_id=card_id)
        return None
    card.board.organization = membership.organization  # the one it was found in
    return card


# A card as the API's list reads it: CardOutput's fields, in its order, with the assignee
# by email and the labels by id.
CARD_ROW_FIELDS = (
    "id",
    "board_id",
    "column_id",
    "title",
    "description",
    "assignee__email",
    "team_id",
    "goal_id",
    "due_date",
    "priority",
    "label_ids",
    "blocked",
    "blocked_reason",
    "blocked_at",
    "started_at",
    "done_at",
    "created_at",
    "archived_at",
)


def card_rows(cards: QuerySet[Card]) -> QuerySet[Card]:
    """``cards`` as tuples of ``CARD_ROW_FIELDS``, each card's label ids read in the same
    query: for a list that is only read, without a model instance per card and a labels
    prefetch."""
    return cards.with_label_ids().values_list(*CARD_ROW_FIELDS)


def column_get_for_user(*, membership: Membership, column_id: int) -> Column:
    return get_object_or_404(
        Column.objects.select_related("board"),
        board__organization_id=membership.organization_id,
        pk=column_id,
    )


def checklist_item_get_for_user(*, membership: Membership, item_id: int) -> ChecklistItem:
    return get_object_or_404(
        ChecklistItem.objects.select_related("card__board"),
        card__board__organization_id=membership.organization_id,
        pk=item_id,
    )


def open_columns(board: Board) -> QuerySet[Column]:
    return board.columns.open().order_by("position", "pk")


@dataclass
class BoardFilters:
    """What the reader chose: the card filters (a ``kanban.filters.CardFilter``), the lanes,
    and whether the done column shows its older cards too."""

    cards: FilterSet | None = None
    lanes: str = ""  # "", "team" or "assignee"
    all_done: bool = False  # also the cards done more than DONE_SHOWN_DAYS ago

    @property
    def active(self) -> bool:
        return self.cards is not None and bool(chosen(self.cards))


@dataclass
class Cell:
    column: Column
    cards: list[dict[str, Any]]  # rows of ``kanban.tiles.rows``
    count: int  # open cards of the lane in the column, whatever the filter
    column_count: int  # open cards in the whole column: what its WIP limit counts
    tiles: str = ""  # the cards' tiles, once rendered (``kanban.tiles.render``)

    @property
    def at_limit(self) -> bool:
        return self.column.wip_limit is not None and self.column_count >= self.column.wip_limit

    @property
    def over_limit(self) -> bool:
        return self.column.wip_limit is not None and self.column_count > self.column.wip_limit


@dataclass
class Lane:
    key: str
    title: str
    cells: list[Cell]


# Done columns show the last two weeks' work; older done cards are a click away.
DONE_SHOWN_DAYS = 14


@dataclass
class BoardView:
    board: Board
    columns: list[Column]
    lanes: list[Lane]
    shown: int
    older_done: int  # done cards left out because they are older than DONE_SHOWN_DAYS
    aging: Aging  # the board's limits and service level expectation (``kanban.aging``)

    @property
    def cells(self) -> list[Cell]:
        return [cell for lane in self.lanes for cell in lane.cells]


# Lanes by team or by assignee; a lane's key names whose cards it holds.
LANE_KEYS = {"team": "team", "assignee": "person"}


def _lane_key(lanes: str, holder_id: int | None) -> str:
    if lanes not in LANE_KEYS:
        return "all"
    return f"{LANE_KEYS[lanes]}-{holder_id or 0}"


def lane_key(lanes: str, team_id: int | None, assignee_id: int | None) -> str:
    """The key of the lane a card goes in, from its team and assignee."""
    return _lane_key(lanes, team_id if lanes == "team" else assignee_id)


def lane_of(lanes: str, row: dict[str, Any]) -> tuple[str, str]:
    """The lane (key, title) a card's row goes in."""
    key = lane_key(lanes, row["team_id"], row["assignee_id"])
    if lanes == "team":
        return key, row["team__name"] or _("No team")
    if lanes == "assignee":
        assignee = tiles.person(row)
        return key, assignee.display_name if assignee else _("Nobody")
    return key, ""


def shown_cards(board: Board, filters: BoardFilters) -> CardQuerySet:
    """The cards the board shows the reader, in order: open, in open columns, matching the
    filters, and done ones only from the last DONE_SHOWN_DAYS unless all are asked for."""
    cards = Card.objects.shown().filter(board=board).order_by("rank", "pk")
    if not filters.all_done:
        cards = cards.exclude(done_at__lt=_done_cutoff())
    if filters.active:
        cards = filters.cards.filter_queryset(cards)
    return cards


def _done_cutoff() -> datetime:
    return timezone.now() - timedelta(days=DONE_SHOWN_DAYS)


def cell_counts(board: Board, lanes: str) -> tuple[dict[tuple[str, int], int], dict[int, int]]:
    """Open cards per (lane, column) and per column, whatever the filter: a lane counts
    its own cards, the column's WIP limit counts them all."""
    lane_field = lanes if lanes in LANE_KEYS else None
    lane_counts: dict[tuple[str, int], int] = defaultdict(int)
    column_counts: dict[int, int] = defaultdict(int)
    for column_id, holder_id, n in (
        Card.objects.filter(board=board)
        .open()
        .values_list("column", lane_field or "column")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        lane_counts[(_lane_key(lanes, holder_id), column_id)] += n
        column_counts[column_id] += n
    return lane_counts, column_counts


def board_view(*, board: Board, filters: BoardFilters, today: date) -> BoardView:
    """The board's columns and cards as the filters and lanes ask, in a fixed number of
    queries. ``today`` is the organisation's: a card is overdue against it."""
    columns = list(open_columns(board))
    lane_counts, column_counts = cell_counts(board, filters.lanes)
    older_done = 0
    if not filters.all_done:
        older_done = Card.objects.filter(board=board, done_at__lt=_done_cutoff()).open().count()
    aging = aging_for(board)
    cards = tiles.rows(shown_cards(board, filters), today=today, aging=aging)
    grouped: dict[tuple[str, str], dict[int, list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in cards:
        grouped[lane_of(filters.lanes, row)][row["column_id"]].append(row)
    if not grouped:
        grouped[("all", "")] = defaultdict(list)
    lanes = [
        Lane(
            key=key,
            title=title,
            cells=[
                Cell(
                    column,
                    grouped[(key, title)][column.pk],
                    count=lane_counts[(key, column.pk)],
                    column_count=column_counts[column.pk],
                )
                for column in columns
            ],
        )
        for key, title in sorted(
            grouped, key=lambda lane: (lane[0].endswith("-0"), lane[1].lower())
        )
    ]
    return BoardView(
        board=board,
        columns=columns,
        lanes=lanes,
        shown=len(cards),
        older_done=older_done,
        aging=aging,
    )


def card_history(*, card: Card) -> list[CardEvent]:
    """The card's events, newest first. An assignment carries the people it went from and
    to (``assigned_from``, ``assigned_to``; None when nobody, or an account since deleted),
    so the history can name them; a due-date change its days (``due_from``, ``due_to``),
    so the history writes them in the reader's language."""
    events = list(
        card.events.select_related("actor", "from_column", "to_column").order_by("-at", "-pk")
    )
    assignments = [event for event in events if event.kind == EventKind.ASSIGNED]
    people = User.objects.in_bulk(
        {
            int(value)
            for event in assignments
            for value in (event.old_value, event.new_value)
            if value.isdigit()
        }
    )
    for event in assignments:
        event.assigned_from = (
            people.get(int(event.old_value)) if event.old_value.isdigit() else None
        )
        event.assigned_to = people.get(int(event.new_value)) if event.new_value.isdigit() else None
    for event in events:
        if event.kind == EventKind.DUE_CHANGED:
            event.due_from = date.fromisoformat(event.old_value) if event.old_value else None
            event.due_to = date.fromisoformat(event.new_value) if event.new_value else None
    return events


def card_comments(*, card: Card) -> QuerySet[Comment]:
    return card.comments.select_related("author").order_by("created_at")


# Attachments -----------------------------------------------------------------


def attachment_get_for_user(*, membership: Membership, attachment_id: int) -> Attachment:
    """An attachment of the person's organisation, with its card (or 404)."""
    return get_object_or_404(
        Attachment.objects.select_related("card"),
        organization_id=membership.organization_id,
        pk=attachment_id,
    )


def attachments_for_card(*, card: Card) -> QuerySet[Attachment]:
    """The card's files and its comments' files, oldest first, with who uploaded each: one
    query however many there are (the page sorts them by comment: ``files_of``)."""
    return card.attachments.select_related("uploaded_by").order_by("created_at", "pk")


# The standup ----------------------------------------------------------------


def last_working_day(today: date, calendar: WorkingCalendar) -> date:
    """The working day before ``today`` in the organisation's calendar: the Friday on a
    Monday, the last day before a public holiday on the first day after it."""
    return calendar.previous_working_day(today)


@dataclass
class StandupLane:
    key: str
    title: str
    blocked: list[Card] = field(default_factory=list)
    done: list[Card] = field(default_factory=list)
    doing: list[Card] = field(default_factory=list)
    due_soon: list[Card] = field(default_factory=list)
    aging: list[Card] = field(default_factory=list)  # not blocked, older than most in their column

    @property
    def empty(self) -> bool:
        return not (self.blocked or self.aging or self.done or self.doing or self.due_soon)


@dataclass
class Standup:
    since: datetime  # the start of the last working day, in the organisation's time zone
    due_by: date
    lanes: list[StandupLane]

    @property
    def since_day(self) -> date:
        """The last working day, as the organisation names it (whatever the reader's zone)."""
        return self.since.date()


def standup(*, board: Board, by: str, today: date, lead_days: int) -> Standup:
    """Who did what since the last working day's standup, what is in progress, blocked and due soon.

    ``today`` is the organisation's (``Organization.today()``). Blocked cards come first in
    every lane, then the aging ones (``kanban.aging``: older in their column than the
    board's history allows); "done since" counts from the start of the last working day
    in the organisation's time zone.
    """
    aging = aging_for(board)
    now = timezone.now()
    organization = board.organization
    since = datetime.combine(
        last_working_day(today, calendar_for(organization)), time.min, tzinfo=organization.zone
    )
    due_by = today + timedelta(days=lead_days)
    on_board = Card.objects.shown().filter(board=board)
    cards = (
        (
            on_board.filter(done_at__gte=since)
            | on_board.blocked()
            | on_board.filter(column__kind=ColumnKind.DOING)
            | on_board.due_by(due_by)
            | on_board.unfinished().filter(column_id__in=list(aging.limits))
        )
        .with_column_since()
        .select_related("assignee", "team", "column")
        .order_by("due_date", "rank")
    )
    lanes: dict[str, StandupLane] = {}
    for card in cards:
        if by == "team":
            key, title = f"team-{card.team_id or 0}", card.team.name if card.team else _("No team")
        else:
            key, title = (
                f"person-{card.assignee_id or 0}",
                card.assignee.display_name if card.assignee else _("Nobody"),
            )
        lane = lanes.setdefault(key, StandupLane(key, title))
        if not card.is_unfinished:
            lane.done.append(card)  # done since the last standup: the only finished ones read
            continue
        if card.blocked:
            lane.blocked.append(card)
        else:
            # An aging card in progress is in "In progress" too: the lists say different things.
            if aging.is_old(card.column_id, card.column_since, now):
                lane.aging.append(card)
            if card.column.kind == ColumnKind.DOING:
                lane.doing.append(card)
        if card.is_due_by(due_by):
            lane.due_soon.append(card)
    ordered = sorted(
        lanes.values(),
        key=lambda lane: (not lane.blocked, lane.key.endswith("-0"), lane.title.lower()),
    )
    return Standup(since=since, due_by=due_by, lanes=ordered)


# Following and mentions -------------------------------------------------------


def comment_get_for_user(*, membership: Membership, comment_id: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related("card__board", "author"),
        card__board__organization_id=membership.organization_id,
        pk=comment_id,
    )
    comment.card.board.organization = membership.organization  # the one it was found in
    return comment


def card_looked_at(*, user: User, card: Card) -> bool:
    """Whether ``user`` follows the card; if so, note that they looked at its activity now
    (what "changed since I last looked" starts from). One statement either way."""
    return (
        CardFollower.objects.filter(card=card, user=user, following=True).update(
            last_seen_at=timezone.now()
        )
        == 1
    )


def card_followers(*, card: Card) -> list[User]:
    """Who follows the card, by name: active members of its organisation."""
    return list(
        User.objects.filter(
            followed_cards__card=card,
            followed_cards__following=True,
            is_active=True,
            memberships__organization_id=card.board.organization_id,
        ).order_by("full_name", "email")
    )


def followed_cards_for(*, user: User, organization: Organization) -> CardQuerySet:
    """The cards of the organisation ``user`` follows, most recently changed first, each
    with ``last_seen_at``: when they last looked at its activity."""
    follows = CardFollower.objects.filter(card=OuterRef("pk"), user=user, following=True)
    return (
        Card.objects.filter(
            board__organization=organization,
            followers__user=user,
            followers__following=True,
        )
        .annotate(last_seen_at=Subquery(follows.values("last_seen_at")[:1]))
        .select_related("board__project", "column", "assignee")
        .order_by("-updated_at", "-pk")
    )


def followed_changes_for(
    *,
    user: User,
    organization: Organization,
    since: datetime | None = None,
    limit: int = 50,
) -> list[Any]:
    """What changed on the cards ``user`` follows since they last looked at each (its
    page; else since they began to follow it), and after ``since`` when given: comments,
    moves, done, due dates, blocks and unblocks, by others, newest first, at most ``limit``.

    Each is a ``kanban.activity.Change`` (card, kind, actor, when, link). Two queries
    whatever the number of cards followed: the history rows and the comments, each
    joined to the person's follow of its card.
    """
    from .activity import changes
    from .services import ACTIVITY_KINDS

    # One join to the person's follow of the card, in one filter() call: the bound
    # (when they last looked, else when they began to follow) reads the same row.
    looked = Coalesce(F("card__followers__last_seen_at"), F("card__followers__since"))
    mine = {"card__followers__user": user, "card__followers__following": True}
    events = (
        CardEvent.objects.filter(
            **mine,
            board__organization=organization,
            kind__in=ACTIVITY_KINDS,
            at__gt=looked,
        )
        .filter(**({"at__gt": since} if since else {}))
        .exclude(actor=user)
        .order_by("-at", "-pk")
        .values_list("pk", flat=True)[:limit]
    )
    comments = (
        Comment.objects.filter(
            **mine, card__board__organization=organization, created_at__gt=looked
        )
        .filter(**({"created_at__gt": since} if since else {}))
        .exclude(author=user)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[:limit]
    )
    found = changes([f"card-event:{pk}" for pk in events] + [f"comment:{pk}" for pk in comments])
    return sorted(found.values(), key=lambda change: change.at, reverse=True)[:limit]


def mentions_for(*, user: User, organization: Organization) -> QuerySet[Mention]:
    """Where ``user`` was mentioned in the organisation, newest first, with the card, the
    comment and who wrote it."""
    return (
        Mention.objects.filter(user=user, card__board__organization=organization)
        .select_related("card__board__project", "comment", "author")
        .order_by("-created_at", "-pk")
    )


def mention_people(*, organization: Organization, texts: list[str]) -> dict[int, Person]:
    """The people ``texts`` mention who are active members of the organisation, with their
    page: what ``kanban.mentions.render_with_mentions`` links. No query without mentions."""
    wanted = mentions.mentioned_ids(*texts)
    if not wanted:
        return {}
    rows = Membership.objects.filter(
        organization=organization, user_id__in=wanted, user__is_active=True
    ).values_list("pk", "user_id", "user__full_name", "user__email")
    return {
        user_id: Person(
            user_id=user_id,
            name=(full_name or "").strip() or email,
            url=reverse(
                "projects:member_detail",
                kwargs={"org_slug": organization.slug, "membership_id": membership_id},
            ),
        )
        for membership_id, user_id, full_name, email in rows
    }
