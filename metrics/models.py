from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Direction, Goal, Organization, Project, Team, Unit


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class Source(models.TextChoices):
    """Where a KPI's values come from: typed in, or computed from the cards and goals."""

    MANUAL = "manual", _("Entered by hand")
    ON_TIME_RATE = "on_time_rate", _("On-time completion rate")
    THROUGHPUT = "throughput", _("Throughput (cards done per week)")
    CYCLE_TIME_MEDIAN = "cycle_time_median", _("Cycle time, median (days)")
    CYCLE_TIME_P85 = "cycle_time_p85", _("Cycle time, 85th percentile (days)")
    LEAD_TIME_MEDIAN = "lead_time_median", _("Lead time, median (days)")
    OVERDUE_OPEN = "overdue_open", _("Open overdue cards")
    WORK_IN_PROGRESS = "wip", _("Work in progress")
    BLOCKED = "blocked", _("Blocked cards")
    GOAL_PROGRESS = "goal_progress", _("Goal progress")


KPI_DIRECTIONS = [(Direction.INCREASE, _("higher")), (Direction.DECREASE, _("lower"))]


class Kpi(models.Model):
    """A number a team watches against a target: computed from the work, or recorded by hand."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    direction = models.CharField(
        _("better when"),
        max_length=10,
        choices=KPI_DIRECTIONS,
        default=Direction.INCREASE,
    )
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    amber_threshold = models.DecimalField(
        _("amber from"),
        max_digits=18,
        decimal_places=4,
        help_text=_("Worse than this is amber. Usually the target itself."),
    )
    red_threshold = models.DecimalField(
        _("red from"), max_digits=18, decimal_places=4, help_text=_("Worse than this is red.")
    )
    frequency = models.CharField(
        _("frequency"), max_length=7, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    # The scope: none of the three means the whole organisation.
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kpis",
        verbose_name=_("team"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kpis",
        verbose_name=_("project"),
    )
    goal = models.ForeignKey(
        Goal,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kpis",
        verbose_name=_("goal"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.source != Source.MANUAL


class Measurement(models.Model):
    """A KPI's value for one period (the week or month starting on ``period_start``)."""

    kpi = models.ForeignKey(
        Kpi, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("KPI")
    )
    period_start = models.DateField(_("period"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    updated_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["kpi", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period_start"], name="metrics_one_value_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.period_start}: {self.value}"


# How each computed KPI is worked out: shown in the tile's tooltip and on the KPI page.
FORMULAS = {
    Source.MANUAL: _("Entered by hand for each period."),
    Source.ON_TIME_RATE: _(
        "Cards done in the period whose done date is on or before their due date, "
        "divided by the cards done in the period that had a due date."
    ),
    Source.THROUGHPUT: _("Cards done in the period, per week."),
    Source.CYCLE_TIME_MEDIAN: _(
        "For cards done in the period: the median of the days from their first move into an in-progress column to done."
    ),
    Source.CYCLE_TIME_P85: _(
        "As the cycle time, the 85th percentile: 85 cards in 100 took this many days or fewer."
    ),
    Source.LEAD_TIME_MEDIAN: _(
        "For cards done in the period: the median of the days from created to done."
    ),
    Source.OVERDUE_OPEN: _(
        "Cards open at the end of the period (now, for this one) whose due date had passed."
    ),
    Source.WORK_IN_PROGRESS: _(
        "Cards started and not done at the end of the period (now, for this one)."
    ),
    Source.BLOCKED: _("Open cards blocked at the end of the period (now, for this one)."),
    Source.GOAL_PROGRESS: _(
        "The goal's progress from its latest check-in; for a team, project or organisation, the mean over its active goals."
    ),
}
