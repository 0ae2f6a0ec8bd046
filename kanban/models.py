from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.validators import MinValueValidator
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.db.models.lookups import Exact
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsboard.builtins import is_one_of, names_of, shown_name
from opsboard.tenancy.models import Organization, Team
from projects.models import Goal, Project

from .attachments import KINDS


class OpenQuerySet(models.QuerySet):
    """Boards and columns in use: not archived."""

    def open(self) -> OpenQuerySet:
        return self.filter(archived_at__isnull=True)


class Board(models.Model):
    """A project's kanban board. ``revision`` goes up with every change, so
    open boards can ask cheaply whether anything moved; each card keeps the
    revision of its own last change, so they get only the cards that did.
    ``layout_revision`` is the revision of the last change to the board's
    layout (its columns or labels), which open boards take whole."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="boards",
        verbose_name=_("organisation"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="boards", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=120)
    revision = models.PositiveBigIntegerField(default=0, editable=False)
    layout_revision = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    objects = OpenQuerySet.as_manager()

    class Meta:
        verbose_name = _("board")
        verbose_name_plural = _("boards")
        ordering = ["project__name", "name"]

    def __str__(self) -> str:
        return self.name


class ColumnKind(models.TextChoices):
    """What a column means for the work: it sets started_at and done_at, and the metrics read it."""

    TODO = "todo", _("To do")
    DOING = "doing", _("In progress")
    DONE = "done", _("Done")


class Column(models.Model):
    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, related_name="columns", verbose_name=_("board")
    )
    # Empty for the columns a board starts with: they show the name of their kind.
    name = models.CharField(
        _("name"),
        max_length=60,
        blank=True,
        help_text=_("Leave empty to use the name of its kind, in each reader's language."),
    )
    kind = models.CharField(
        _("kind"), max_length=5, choices=ColumnKind.choices, default=ColumnKind.TODO
    )
    wip_limit = models.PositiveSmallIntegerField(
        _("WIP limit"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("The most cards this column should hold. Empty: no limit."),
    )
    wip_hard = models.BooleanField(
        _("hard limit"),
        default=False,
        help_text=_("Refuse moves into a full column instead of only warning."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    objects = OpenQuerySet.as_manager()

    class Meta:
        verbose_name = _("column")
        verbose_name_plural = _("columns")
        ordering = ["board", "position", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name as typed, else the name of its kind (To do / 待办) in the reader's language."""
        return shown_name(self.name, ColumnKind(self.kind).label)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


# Between white and black, one reads at 4.58:1 or better on any colour (WCAG asks 4.5:1).
LABEL_TEXT_LIGHT = "#ffffff"
LABEL_TEXT_DARK = "#000000"
LABEL_DEFAULT_COLOR = "#6b7785"
COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of a ``#rrggbb`` colour."""
    red, green, blue = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


class BuiltinLabel(models.TextChoices):
    """Labels in the product's words: the kinds of work any ops team tags cards with."""

    BUG = "bug", pgettext_lazy("card label", "bug")
    FEATURE = "feature", pgettext_lazy("card label", "feature")
    DATA = "data", pgettext_lazy("card label", "data")
    RESEARCH = "research", pgettext_lazy("card label", "research")
    EXPERIMENT = "experiment", pgettext_lazy("card label", "experiment")
    PERFORMANCE = "performance", pgettext_lazy("card label", "performance")
    REPORT = "report", pgettext_lazy("card label", "report")


class Label(models.Model):
    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, related_name="labels", verbose_name=_("board")
    )
    # A built-in label keeps its name empty and shows the built-in name in the reader's language.
    name = models.CharField(_("name"), max_length=40, blank=True)
    builtin = models.CharField(
        _("built-in label"), max_length=20, choices=BuiltinLabel.choices, blank=True
    )
    color = models.CharField(_("colour"), max_length=7, default=LABEL_DEFAULT_COLOR)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        # Built-ins (no typed name) first, then the typed names.
        ordering = ["name", "builtin"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "name"],
                condition=~models.Q(name=""),
                name="kanban_label_unique_on_board",
            ),
            models.UniqueConstraint(
                fields=["board", "builtin"],
                condition=~models.Q(builtin=""),
                name="kanban_label_builtin_once_on_board",
            ),
            models.CheckConstraint(
                condition=~models.Q(name="", builtin=""), name="kanban_label_named"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name as typed, else the built-in name in the reader's language (bug / 缺陷)."""
        return shown_name(self.name, self._builtin_name)

    def is_called(self, name: str) -> bool:
        """Whether ``name`` names this label: as typed, or the built-in's in any language."""
        return is_one_of(name, names_of(self.name, self._builtin_name))

    @property
    def _builtin_name(self) -> str | None:
        return BuiltinLabel(self.builtin).label if self.builtin else None

    @property
    def shown_color(self) -> str:
        """The colour, when it is one (``#rrggbb``; the admin takes any text), else grey."""
        return self.color if COLOR.fullmatch(self.color) else LABEL_DEFAULT_COLOR

    @property
    def style(self) -> str:
        """The chip's colours as a style attribute: its colour, and black text where white
        would not read (``.label`` writes white)."""
        dark = ";--label-text:#000" if self.text_color == LABEL_TEXT_DARK else ""
        return f"--label:{self.shown_color}{dark}"

    @property
    def text_color(self) -> str:
        """White or black, whichever contrasts more with the label's colour."""
        background = relative_luminance(self.shown_color)
        on_white = 1.05 / (background + 0.05)
        on_black = (background + 0.05) / 0.05
        return LABEL_TEXT_LIGHT if on_white >= on_black else LABEL_TEXT_DARK


class JSONGroupArray(models.Aggregate):
    """SQLite's json_group_array, for the `make run` database."""

    function = "JSON_GROUP_ARRAY"
    output_field = models.JSONField()


# Unfinished: on its board and not done. Overdue: unfinished and due before the day.
UNFINISHED = Q(archived_at__isnull=True, done_at__isnull=True)


def overdue_on(day: date) -> Q:
    return UNFINISHED & Q(due_date__lt=day)


# The snapshot rules of a past moment, as conditions, so that several can be counted in one
# query (each a filtered count); ``CardQuerySet.open_as_of``, ``overdue_as_of`` and
# ``blocked_as_of`` filter by them.
def was_open(moment: datetime) -> Q:
    """The card existed at ``moment`` and was neither done nor archived then."""
    return Q(
        Q(created_at__lt=moment),
        Q(done_at__isnull=True) | Q(done_at__gte=moment),
        Q(archived_at__isnull=True) | Q(archived_at__gte=moment),
    )


def was_overdue(moment: datetime, zone: zoneinfo.ZoneInfo) -> Q:
    """Open at ``moment`` and due before its day in ``zone``."""
    return was_open(moment) & Q(due_date__lt=moment.astimezone(zone).date())


def was_blocked(moment: datetime) -> Q:
    """Open at ``moment``, and its last block or unblock before it was a block."""
    last_block_event = (
        CardEvent.objects.filter(
            card=OuterRef("pk"),
            kind__in=[EventKind.BLOCKED, EventKind.UNBLOCKED],
            at__lt=moment,
        )
        .order_by("-at", "-pk")
        .values("kind")[:1]
    )
    return was_open(moment) & Q(Exact(Subquery(last_block_event), EventKind.BLOCKED))


class CardQuerySet(models.QuerySet["Card"]):
    """The one home of what a card's state means: open, overdue, late, blocked, done.

    "Today" is always the organisation's (``Organization.today()``, ``day_of(moment)``):
    a card due on the 4th is overdue from the 5th in the organisation's time zone.
    Snapshot rules for a moment in the past (``*_as_of``) read the card's history.
    """

    def open(self) -> CardQuerySet:
        """Cards on their board: not archived (done or not)."""
        return self.filter(archived_at__isnull=True)

    def movable_to(self, column_id: int) -> CardQuerySet:
        """Cards that may move to the column ``column_id`` (an open column of their own
        board), each with it as ``target``, read in the same query."""
        return (
            self.annotate(
                target=models.FilteredRelation(
                    "board__columns",
                    condition=Q(board__columns__pk=column_id, board__columns__archived_at=None),
                )
            )
            .filter(target__isnull=False)
            .select_related("target")
            .order_by()
        )

    def archived(self) -> CardQuerySet:
        """Cards taken off their board (they keep their history and can be restored)."""
        return self.filter(archived_at__isnull=False)

    def shown(self) -> CardQuerySet:
        """Open cards in open columns: the cards a board shows."""
        return self.open().filter(column__archived_at__isnull=True)

    def unfinished(self) -> CardQuerySet:
        """Open cards not yet done: the work still to do."""
        return self.filter(UNFINISHED)

    def overdue(self, on: date) -> CardQuerySet:
        """Unfinished cards whose due date is before the day ``on``."""
        return self.filter(overdue_on(on))

    def with_label_ids(self) -> CardQuerySet:
        """Annotate ``label_ids``: the card's labels' ids, in no order (empty, or None on
        SQLite, for none). Ids alone, in the card's own query: a list that is only read
        takes the labels' names from one read of the board's labels."""
        ids = Card.labels.through.objects.filter(card=OuterRef("pk")).values("label_id")
        if connection.vendor == "postgresql":
            return self.annotate(label_ids=ArraySubquery(ids))
        grouped = ids.order_by().values("card").annotate(ids=JSONGroupArray("label_id"))
        return self.annotate(label_ids=Subquery(grouped.values("ids")))

    def with_overdue(self, on: date) -> CardQuerySet:
        """Annotate ``overdue``: whether the card is overdue on the day ``on``."""
        return self.annotate(
            overdue=models.ExpressionWrapper(overdue_on(on), output_field=models.BooleanField())
        )

    def with_column_since(self) -> CardQuerySet:
        """Annotate ``column_since``: when the card came into the column it is in (its
        latest event that put it in a column: made there, or moved there)."""
        entered = (
            CardEvent.objects.filter(card=OuterRef("pk"), to_column__isnull=False)
            .order_by("-at", "-pk")
            .values("at")[:1]
        )
        return self.annotate(column_since=Subquery(entered))

    def due_by(self, day: date) -> CardQuerySet:
        """Unfinished cards due on or before ``day`` (overdue ones included)."""
        return self.unfinished().filter(due_date__lte=day)

    def blocked(self) -> CardQuerySet:
        """Unfinished cards blocked now."""
        return self.unfinished().filter(blocked=True)

    def blocked_for(self, days: int, on: date, zone: zoneinfo.ZoneInfo) -> CardQuerySet:
        """Unfinished cards blocked since ``days`` days or more before the day ``on`` (the
        day they were blocked read in ``zone``): "blocked for days", as the Accountable's
        reminders count them (``RaciPolicy.blocked_alert_days``)."""
        since = datetime.combine(on - timedelta(days=days - 1), datetime.min.time(), tzinfo=zone)
        return self.blocked().filter(blocked_at__lt=since)

    def done_in(self, begin: datetime, end: datetime) -> CardQuerySet:
        """Cards done in ``[begin, end)``, archived or not: the work finished in a period."""
        return self.filter(done_at__gte=begin, done_at__lt=end)

    def with_done_day(self, zone: zoneinfo.ZoneInfo) -> CardQuerySet:
        """Annotate ``done_day``: the day a card was done, read in ``zone``."""
        return self.annotate(done_day=TruncDate("done_at", tzinfo=zone))

    def late(self, zone: zoneinfo.ZoneInfo) -> CardQuerySet:
        """Done cards finished after the day they were due (the day read in ``zone``)."""
        return self.with_done_day(zone).filter(
            due_date__isnull=False, done_day__gt=models.F("due_date")
        )

    def on_time(self, zone: zoneinfo.ZoneInfo) -> CardQuerySet:
        """Done cards finished on or before the day they were due."""
        return self.with_done_day(zone).filter(
            due_date__isnull=False, done_day__lte=models.F("due_date")
        )

    def open_as_of(self, moment: datetime) -> CardQuerySet:
        """Cards that existed at ``moment`` and were neither done nor archived then."""
        return self.filter(was_open(moment))

    def overdue_as_of(self, moment: datetime, zone: zoneinfo.ZoneInfo) -> CardQuerySet:
        """Cards open at ``moment`` and due before its day in ``zone``."""
        return self.filter(was_overdue(moment, zone))

    def blocked_as_of(self, moment: datetime) -> CardQuerySet:
        """Cards open at ``moment`` whose last block or unblock before it was a block:
        read from the history, so a past period shows what was blocked then, not now."""
        return self.filter(was_blocked(moment))

    def blocked_during(self, begin: datetime, end: datetime) -> CardQuerySet:
        """Cards blocked at any time in ``[begin, end)``: blocked then, or already blocked
        when the period began."""
        blocked_in_period = CardEvent.objects.filter(
            card=OuterRef("pk"), kind=EventKind.BLOCKED, at__gte=begin, at__lt=end
        )
        already_blocked = self.blocked_as_of(begin).values("pk")
        return self.filter(Exists(blocked_in_period) | Q(pk__in=already_blocked))


class Card(models.Model):
    """A piece of work. Ordered in its column by ``rank``; history in CardEvent."""

    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, related_name="cards", verbose_name=_("board")
    )
    column = models.ForeignKey(
        Column, on_delete=models.PROTECT, related_name="cards", verbose_name=_("column")
    )
    rank = models.BigIntegerField(_("rank"), default=0, editable=False)
    # The board's revision at the card's last change (``Board.revision``).
    revision = models.PositiveBigIntegerField(default=0, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cards",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cards",
        verbose_name=_("team"),
    )
    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cards",
        verbose_name=_("goal"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    labels = models.ManyToManyField(
        Label, blank=True, related_name="cards", verbose_name=_("labels")
    )
    blocked = models.BooleanField(_("blocked"), default=False)
    blocked_reason = models.CharField(_("why it is blocked"), max_length=300, blank=True)
    blocked_at = models.DateTimeField(_("blocked since"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["column__position", "rank"]
        indexes = [
            models.Index(fields=["column", "rank"], name="kanban_card_column_rank"),
            models.Index(fields=["board", "archived_at"], name="kanban_card_board_open"),
            # Open boards catching up read the cards changed since their revision.
            models.Index(fields=["board", "revision"], name="kanban_card_board_revision"),
            # The KPIs read cards done in a period, per board and per team.
            models.Index(fields=["board", "done_at"], name="kanban_card_board_done"),
            models.Index(fields=["team", "done_at"], name="kanban_card_team_done"),
            models.Index(
                fields=["due_date"],
                name="kanban_card_due",
                condition=models.Q(archived_at__isnull=True, done_at__isnull=True),
            ),
            # The reminder scan reads open cards blocked for a while.
            models.Index(
                fields=["blocked_at"],
                name="kanban_card_blocked",
                condition=models.Q(blocked=True, archived_at__isnull=True, done_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unfinished(self) -> bool:
        """On its board and not done (``CardQuerySet.unfinished``)."""
        return self.archived_at is None and self.done_at is None

    def is_overdue(self, on: date) -> bool:
        """Unfinished and due before the day ``on`` (``CardQuerySet.overdue``)."""
        return bool(self.is_unfinished and self.due_date and self.due_date < on)

    def is_due_by(self, day: date) -> bool:
        """Unfinished and due on or before ``day`` (``CardQuerySet.due_by``)."""
        return bool(self.is_unfinished and self.due_date and self.due_date <= day)

    def was_late(self, zone: zoneinfo.ZoneInfo) -> bool:
        """Done after the day it was due, the day read in ``zone`` (``CardQuerySet.late``)."""
        return bool(
            self.due_date and self.done_at and self.done_at.astimezone(zone).date() > self.due_date
        )


class EventKind(models.TextChoices):
    """What happened to a card. The labels name the event where it stands alone (the admin);
    the card's history writes each kind as a sentence of its own (templates/kanban/card.html)."""

    CREATED = "created", pgettext_lazy("card history event", "created")
    MOVED = "moved", pgettext_lazy("card history event", "moved")
    ASSIGNED = "assigned", pgettext_lazy("card history event", "assigned")
    DUE_CHANGED = "due_changed", pgettext_lazy("card history event", "changed the due date")
    BLOCKED = "blocked", pgettext_lazy("card history event", "blocked")
    UNBLOCKED = "unblocked", pgettext_lazy("card history event", "unblocked")
    ARCHIVED = "archived", pgettext_lazy("card history event", "archived")
    RESTORED = "restored", pgettext_lazy("card history event", "restored")
    FILE_ADDED = "file_added", pgettext_lazy("card history event", "attached a file")
    FILE_REMOVED = "file_removed", pgettext_lazy("card history event", "removed a file")


class CardEvent(models.Model):
    """One thing that happened to a card. Cycle time, cumulative flow and the
    standup's "since yesterday" are computed from these rows."""

    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, related_name="events", verbose_name=_("card")
    )
    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, related_name="events", verbose_name=_("board")
    )
    kind = models.CharField(_("what"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    at = models.DateTimeField(_("when"), default=django_timezone.now, db_index=True)
    from_column = models.ForeignKey(
        Column,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from column"),
    )
    to_column = models.ForeignKey(
        Column,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to column"),
    )
    # The kinds are kept as they were, so history survives renamed or archived columns.
    from_kind = models.CharField(max_length=5, choices=ColumnKind.choices, blank=True)
    to_kind = models.CharField(max_length=5, choices=ColumnKind.choices, blank=True)
    old_value = models.CharField(max_length=300, blank=True)
    new_value = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("card event")
        verbose_name_plural = _("card events")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["board", "at"], name="kanban_event_board_at"),
            models.Index(fields=["card", "at"], name="kanban_event_card_at"),
        ]

    def __str__(self) -> str:
        return f"{self.card} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ChecklistItem(models.Model):
    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("card")
    )
    text = models.CharField(_("text"), max_length=200)
    done = models.BooleanField(pgettext_lazy("checklist item", "done"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Comment(models.Model):
    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, related_name="comments", verbose_name=_("card")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), help_text=_("Markdown."))
    created_at = models.DateTimeField(_("written"), default=django_timezone.now, editable=False)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:40]


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def bytes_used(self) -> int:
        """What the files take together (an organisation's quota counts its own)."""
        return self.aggregate(used=models.Sum("size"))["used"] or 0


class Attachment(models.Model):
    """A file attached to a card, or to one of its comments. The file is stored under a
    random key (``kanban.attachments.storage_key``) through Django's storage API and served
    only by the app, to members of the organisation; ``name`` is the name it was given,
    cleaned (``kanban.attachments.clean_name``), and ``content_type`` what its content is."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("card")
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("comment"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), max_length=255)
    # A smaller WebP the page shows for a large image (kanban.attachments.preview_of).
    preview = models.FileField(_("preview"), max_length=255, blank=True)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=django_timezone.now, editable=False)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["card", "created_at"], name="kanban_attachment_card"),
            # The quota adds up an organisation's sizes from the index alone.
            models.Index(
                fields=["organization"], include=["size"], name="kanban_attachment_org_size"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="kanban_attachment_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """A raster image the page may show (never SVG or HTML: see ``kanban.attachments``)."""
        kind = KINDS.get(self.content_type)
        return bool(kind and kind.image)


class FollowReason(models.TextChoices):
    """Why someone follows a card: they chose to, or what made them follow it."""

    CHOSE = "chose", _("chose to follow")
    CREATOR = "creator", _("created it")
    ASSIGNEE = "assignee", _("assigned to it")
    RESPONSIBLE = "responsible", _("Responsible for it")
    ACCOUNTABLE = "accountable", _("Accountable for it")
    COMMENTER = "commenter", _("commented on it")
    REQUESTER = "requester", _("asked for it")


class CardFollower(models.Model):
    """A person who hears about a card's activity (comments, moves, due dates, blocks).

    The row stays when they stop following (``following`` false), so that stopping
    sticks: being the creator or a commenter again does not bring them back; a new
    responsibility does (``kanban.services.card_followers_add``).
    ``last_seen_at``: when they last looked at the card's activity (its page).
    """

    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, related_name="followers", verbose_name=_("card")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="followed_cards",
        verbose_name=_("person"),
    )
    following = models.BooleanField(_("following"), default=True)
    reason = models.CharField(_("why"), max_length=12, choices=FollowReason.choices)
    since = models.DateTimeField(_("since"), default=django_timezone.now)
    last_seen_at = models.DateTimeField(_("last looked"), null=True, blank=True)

    class Meta:
        verbose_name = _("card follower")
        verbose_name_plural = _("card followers")
        constraints = [
            models.UniqueConstraint(fields=["card", "user"], name="kanban_follower_once"),
        ]
        indexes = [
            # "The cards I follow": a person's followed cards, whatever their number.
            models.Index(
                fields=["user", "card"],
                name="kanban_follower_by_person",
                condition=models.Q(following=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.card}"


class Mention(models.Model):
    """A person named with "@" in a card's description (no comment) or in a comment.

    Written when the text is saved, from the mentions that resolve to an active member
    of the card's organisation (``kanban.mentions``); the text keeps them as
    ``@[Name](user:ID)``. The person is told once per text, through the ledger.
    """

    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, related_name="mentions", verbose_name=_("card")
    )
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentions",
        verbose_name=_("comment"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentions",
        verbose_name=_("person mentioned"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("mentioned by"),
    )
    created_at = models.DateTimeField(_("when"), default=django_timezone.now)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user"],
                condition=models.Q(comment__isnull=False),
                name="kanban_mention_once_per_comment",
            ),
            models.UniqueConstraint(
                fields=["card", "user"],
                condition=models.Q(comment__isnull=True),
                name="kanban_mention_once_per_description",
            ),
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="kanban_mention_by_person")]

    def __str__(self) -> str:
        return f"@{self.user} on {self.card}"
