from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from opsboard.tenancy.models import Organization, Team


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")
    ARCHIVED = "archived", _("Archived")


class Project(models.Model):
    """Cross-team work with an owner, dates and goals, e.g. "Reduce customer churn"."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="projects",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    teams = models.ManyToManyField(
        Team, related_name="projects", verbose_name=_("participating teams")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_projects",
        verbose_name=_("owner"),
    )
    start_date = models.DateField(_("start date"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-start_date", "name"]
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_date__gte=models.F("start_date")),
                name="projects_project_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    COUNT = "count", _("count")
    CURRENCY = "currency", _("currency")
    DAYS = "days", _("days")
    HOURS = "hours", _("hours")
    SCORE = "score", _("score")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase to the target")
    DECREASE = "decrease", _("Decrease to the target")
    RANGE = "range", _("Stay within a range")


class GoalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ACHIEVED = "achieved", _("Achieved")
    PARTIALLY_ACHIEVED = "partial", _("Partially achieved")
    MISSED = "missed", _("Missed")
    DROPPED = "dropped", _("Dropped")


CLOSED_GOAL_STATES = (
    GoalState.ACHIEVED,
    GoalState.PARTIALLY_ACHIEVED,
    GoalState.MISSED,
    GoalState.DROPPED,
)

CONFIDENCE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]

# Goals are checked in weekly, at the weekly meeting (the source material's rhythm).
CHECK_IN_EVERY_DAYS = 7


class GoalQuerySet(models.QuerySet["Goal"]):
    def with_last_check_in(self) -> GoalQuerySet:
        """Annotate ``last_checked_on``: the day of the goal's latest check-in, or None."""
        latest = CheckIn.objects.filter(goal=models.OuterRef("pk")).order_by("-checked_on")
        return self.annotate(last_checked_on=models.Subquery(latest.values("checked_on")[:1]))

    def due_check_in(self, on: date) -> GoalQuerySet:
        """Active goals whose last check-in (else their start, else their creation) is
        ``CHECK_IN_EVERY_DAYS`` days or more before the day ``on``: the one rule of "due a
        check-in"."""
        since = Coalesce(
            "last_checked_on",
            "start_date",
            TruncDate("created_at"),
            output_field=models.DateField(),
        )
        return (
            self.with_last_check_in()
            .filter(state=GoalState.ACTIVE)
            .alias(check_in_since=since)
            .filter(check_in_since__lte=on - timedelta(days=CHECK_IN_EVERY_DAYS))
        )


class Goal(models.Model):
    """A SMART goal. Without a project it is an organisation objective.

    Each SMART criterion is structured data: Specific (title, statement),
    Measurable (metric, unit, baseline, target, direction, decimals),
    Achievable (confidence, resources), Relevant (parent), Time-bound (dates).
    Progress and status are derived from check-ins, never typed in.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="goals", verbose_name=_("organisation")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("project"),
        help_text=_("Leave empty for an organisation objective."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("serves the objective"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("team"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_goals",
        verbose_name=_("owner"),
    )
    # Specific
    title = models.CharField(_("title"), max_length=200)
    statement = models.TextField(
        _("what changes, for whom"),
        blank=True,
        help_text=_("Say what will be different and for whom."),
    )
    # Measurable
    metric_name = models.CharField(_("metric"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("For a range, its lower end."),
    )
    target_high = models.DecimalField(
        _("upper end of the range"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    decimals = models.PositiveSmallIntegerField(
        _("decimals"), default=0, validators=[MaxValueValidator(4)]
    )
    # Achievable
    confidence = models.PositiveSmallIntegerField(
        _("confidence (1–5)"), null=True, blank=True, validators=CONFIDENCE_VALIDATORS
    )
    resources_note = models.TextField(_("resources and constraints"), blank=True)
    # Time-bound
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    state = models.CharField(
        _("state"), max_length=10, choices=GoalState.choices, default=GoalState.DRAFT
    )
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = GoalQuerySet.as_manager()

    CHECK_IN_EVERY_DAYS = CHECK_IN_EVERY_DAYS

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["due_date", "title"]
        indexes = [
            models.Index(fields=["organization", "state"]),
            models.Index(fields=["project", "state"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_objective(self) -> bool:
        return self.project_id is None

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_GOAL_STATES


class CheckIn(models.Model):
    """The measured value of a goal's metric on a day, with how confident the team is."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("goal")
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    confidence = models.PositiveSmallIntegerField(
        _("confidence (1–5)"), null=True, blank=True, validators=CONFIDENCE_VALIDATORS
    )
    note = models.TextField(_("note"), blank=True)
    checked_on = models.DateField(_("date"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="check_ins",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["checked_on", "created_at"]
        indexes = [models.Index(fields=["goal", "checked_on"])]

    def __str__(self) -> str:
        return f"{self.goal} = {self.value} ({self.checked_on})"
