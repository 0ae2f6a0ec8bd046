"""Requests from other teams: a team's request types with their forms and response
targets, each request a card on the team's board with its requester, the response clocks
that run in the team's working hours, and the requester's rating at the end.

A request's life:

- *open*: submitted, the team working on it;
- *waiting*: the team waits on the requester (the clocks pause) until the requester answers;
- *done*: the card reached a done column; the requester confirms or reopens it;
- *closed*: the requester confirmed it (or the team closed it after the confirmation window).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kanban.models import Board, Card, Column, Priority
from opsboard.tenancy.models import Organization, Team


class RequestType(models.Model):
    """A kind of request a team takes from others, e.g. "Data pull" or "Complaint
    escalation": its form, where its requests land and how fast the team answers."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="request_types",
        verbose_name=_("organisation"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="request_types", verbose_name=_("team")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown above the form. Markdown.")
    )
    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="request_types", verbose_name=_("board")
    )
    column = models.ForeignKey(
        Column,
        on_delete=models.PROTECT,
        related_name="request_types",
        verbose_name=_("column"),
        help_text=_("Where new requests land on the board."),
    )
    priority = models.PositiveSmallIntegerField(
        _("default priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    # Response targets, in working minutes of the team's working hours; empty: no target.
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (working minutes)"), null=True, blank=True
    )
    plan_minutes = models.PositiveIntegerField(
        _("plan within (working minutes)"),
        null=True,
        blank=True,
        help_text=_("A plan is an owner and a due date on the request's card."),
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (working minutes)"), null=True, blank=True
    )
    # The RACI every request of this type starts with (the requester follows it).
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Responsible"),
    )
    accountable = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Accountable"),
    )
    accepting = models.BooleanField(
        _("accepting requests"),
        default=True,
        help_text=_("Untick to stop new requests of this type; open ones go on."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    class Meta:
        verbose_name = _("request type")
        verbose_name_plural = _("request types")
        ordering = ["team__name", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                "team", Lower("name"), name="intake_request_type_name_unique_in_team"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def target_minutes(self, kind: str) -> int | None:
        return {
            ClockKind.FIRST_RESPONSE: self.first_response_minutes,
            ClockKind.PLAN: self.plan_minutes,
            ClockKind.RESOLUTION: self.resolution_minutes,
        }[kind]


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    FILE = "file", _("File")


class RequestField(models.Model):
    """One question on a request type's form."""

    request_type = models.ForeignKey(
        RequestType, on_delete=models.CASCADE, related_name="fields", verbose_name=_("request type")
    )
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("For a choice field: its options.")
    )
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["request_type", "position", "pk"]

    def __str__(self) -> str:
        return self.label


class RequestState(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on the requester")
    DONE = "done", _("Done, to confirm")
    CLOSED = "closed", _("Closed")


class Request(models.Model):
    """A request one person sent a team: a card on the team's board, with the answers to
    the type's form."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="requests",
        verbose_name=_("organisation"),
    )
    request_type = models.ForeignKey(
        RequestType, on_delete=models.PROTECT, related_name="requests", verbose_name=_("type")
    )
    # The team asked (the type's team when it was sent), kept for the team's lists and KPIs.
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="requests", verbose_name=_("team")
    )
    card = models.OneToOneField(
        Card, on_delete=models.CASCADE, related_name="request", verbose_name=_("card")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="requests_sent",
        verbose_name=_("requester"),
    )
    # The form's answers by field id: text, a number, an ISO date, a choice, or for a file
    # the attachment's id.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=RequestState.choices, default=RequestState.OPEN
    )
    submitted_at = models.DateTimeField(
        _("sent"), default=django_timezone.now, editable=False, db_index=True
    )
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["requester", "state"], name="intake_request_by_requester"),
            models.Index(fields=["team", "state"], name="intake_request_by_team"),
        ]

    def __str__(self) -> str:
        return str(self.card)


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    PLAN = "plan", _("Plan")
    RESOLUTION = "resolution", _("Resolution")


class StopReason(models.TextChoices):
    REPLY = "reply", _("The team replied")
    PLAN = "plan", _("A plan was set")
    DONE = "done", _("Done")
    CLOSED = "closed", _("Closed")


class ClockStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("a response clock's state", "Running")
    PAUSED = "paused", pgettext_lazy("a response clock's state", "Paused")
    MET = "met", pgettext_lazy("a response clock's state", "Stopped on time")
    MISSED = "missed", pgettext_lazy("a response clock's state", "Missed")


def clock_decided_at() -> Coalesce:
    """When a clock's outcome became known: missed, else stopped, else (running) when it
    will be missed; a paused clock, not yet. The request KPIs count a clock in the period
    this falls in (``metrics.requests``), read off the index of the same expression."""
    return Coalesce(
        "breached_at", "stopped_at", Case(When(running_since__isnull=False, then=F("due_at")))
    )


class ResponseClock(models.Model):
    """How long the team takes to reach one target of a request, in its working time.

    ``worked`` holds the working time counted before the current run; while the clock runs
    (``running_since`` set), ``warn_at`` and ``due_at`` are the moments it reaches 75% and
    100% of its target if nothing stops it, so the scan reads them off an index. Waiting on
    the requester pauses it (no run); a stop fixes ``worked`` and whether it was ``on_time``.
    """

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="clocks", verbose_name=_("request")
    )
    kind = models.CharField(_("target"), max_length=14, choices=ClockKind.choices)
    target_minutes = models.PositiveIntegerField(_("target (working minutes)"))
    started_at = models.DateTimeField(_("started"))
    running_since = models.DateTimeField(_("running since"), null=True, blank=True)
    worked = models.DurationField(_("working time counted"), default=timedelta)
    warn_at = models.DateTimeField(_("warning due"), null=True, blank=True)
    due_at = models.DateTimeField(_("target reached"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("missed"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    stopped_by = models.CharField(
        _("stopped by"), max_length=8, choices=StopReason.choices, blank=True
    )
    on_time = models.BooleanField(_("on time"), null=True, blank=True)

    class Meta:
        verbose_name = _("response clock")
        verbose_name_plural = _("response clocks")
        ordering = ["request", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="intake_one_clock_per_target"),
        ]
        indexes = [
            # The scan's two questions, each answered from a small partial index.
            models.Index(
                fields=["warn_at"],
                condition=Q(running_since__isnull=False, warned_at__isnull=True),
                name="intake_clock_to_warn",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(running_since__isnull=False, breached_at__isnull=True),
                name="intake_clock_to_breach",
            ),
            # The request KPIs' periods: a range of this reads the period's clocks alone.
            models.Index(clock_decided_at(), name="intake_clock_decided"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.request}"

    @property
    def target(self) -> timedelta:
        return timedelta(minutes=self.target_minutes)

    def status(self, now: datetime) -> ClockStatus:
        """Where the clock stands at ``now``: missed once past its target (stopped late,
        found by the scan, or running past ``due_at``), else met, paused or running."""
        if self.stopped_at is not None:
            return ClockStatus.MET if self.on_time else ClockStatus.MISSED
        if self.breached_at is not None or self.worked > self.target:
            return ClockStatus.MISSED
        if self.running_since is None:
            return ClockStatus.PAUSED
        if self.due_at is not None and self.due_at < now:
            return ClockStatus.MISSED
        return ClockStatus.RUNNING


class Rating(models.Model):
    """The requester's word on a finished request: 1 to 5, with a comment."""

    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, related_name="rating", verbose_name=_("request")
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("rated by"),
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated"), default=django_timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="intake_rating_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5: {self.request}"
