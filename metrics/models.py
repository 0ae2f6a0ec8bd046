from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone as django_timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from intake.models import RequestType
from opsboard.builtins import names_of, shown_name, typed_name
from opsboard.dates import day_range
from opsboard.tenancy.models import Organization, Team
from projects.goals import format_change, format_value
from projects.models import Direction, Goal, Project, Unit

from .scopes import Scope


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
    BLOCKED_DAYS = "blocked_days", _("Blocked days")
    GOAL_PROGRESS = "goal_progress", _("Goal progress")
    PULSE_SATISFACTION = "pulse_satisfaction", _("Cross-team satisfaction (pulse, 1-5)")
    PULSE_NPS = "pulse_nps", _("NPS of working with the team (pulse)")
    FIRST_RESPONSE_ON_TIME = "response_on_time", _("Requests: first responses on time")
    RESOLUTION_ON_TIME = "resolution_on_time", _("Requests: resolutions on time")
    REQUESTER_SATISFACTION = "requester_rating", _("Requests: requester satisfaction (1-5)")


# The names of the KPIs the product computes, shown in the reader's language while
# nobody typed another (``Kpi.display_name``).
BUILTIN_NAMES = {
    Source.ON_TIME_RATE: _("On-time completion rate"),
    Source.THROUGHPUT: _("Throughput"),
    Source.CYCLE_TIME_MEDIAN: _("Cycle time (median)"),
    Source.CYCLE_TIME_P85: _("Cycle time (85th percentile)"),
    Source.LEAD_TIME_MEDIAN: _("Lead time (median)"),
    Source.OVERDUE_OPEN: _("Open overdue cards"),
    Source.WORK_IN_PROGRESS: _("Work in progress"),
    Source.BLOCKED: _("Blocked cards"),
    Source.BLOCKED_DAYS: _("Blocked days"),
    Source.GOAL_PROGRESS: _("Goal progress"),
    Source.PULSE_SATISFACTION: _("Cross-team satisfaction"),
    Source.PULSE_NPS: _("NPS of working with other teams"),
    Source.FIRST_RESPONSE_ON_TIME: _("First responses on time"),
    Source.RESOLUTION_ON_TIME: _("Resolutions on time"),
    Source.REQUESTER_SATISFACTION: _("Requester satisfaction"),
}

# Computed KPIs of requests between teams: the only ones a request type can narrow.
REQUEST_SOURCES = frozenset(
    {Source.FIRST_RESPONSE_ON_TIME, Source.RESOLUTION_ON_TIME, Source.REQUESTER_SATISFACTION}
)

# Computed KPIs that count cards: whole numbers, whatever decimals the KPI was given.
COUNT_SOURCES = frozenset({Source.OVERDUE_OPEN, Source.WORK_IN_PROGRESS, Source.BLOCKED})

KPI_DIRECTIONS = [(Direction.INCREASE, _("higher")), (Direction.DECREASE, _("lower"))]


class KpiQuerySet(models.QuerySet["Kpi"]):
    _ORGANIZATION_WIDE = models.Q(team__isnull=True, project__isnull=True, goal__isnull=True)

    def organization_wide(self) -> KpiQuerySet:
        """KPIs of the whole organisation: no team, project or goal."""
        return self.filter(self._ORGANIZATION_WIDE)

    def answered_by(self, team: Team) -> KpiQuerySet:
        """A team's KPIs and the organisation-wide ones, which every team answers for."""
        return self.answered_by_any([team.pk])

    def answered_by_any(self, team_ids: Iterable[int]) -> KpiQuerySet:
        """The KPIs any of the teams ``team_ids`` answers for: theirs and the organisation's."""
        return self.filter(models.Q(team_id__in=list(team_ids)) | self._ORGANIZATION_WIDE)

    def in_reading_order(self) -> KpiQuerySet:
        """By position, then by the name the reader sees: a built-in KPI by its name in
        the active language, not by its empty name."""
        builtin = Case(
            *(When(source=source, then=Value(str(name))) for source, name in BUILTIN_NAMES.items()),
            default=Value(""),
            output_field=models.CharField(),
        )
        return self.order_by("position", Coalesce(NullIf("name", Value("")), builtin), "pk")


class Kpi(models.Model):
    """A number a team watches against a target: computed from the work, or recorded by hand.

    A computed KPI may leave its name empty: it then shows the built-in name of its
    source (``BUILTIN_NAMES``) in each reader's language.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("organisation")
    )
    name = models.CharField(
        _("name"),
        max_length=120,
        blank=True,
        help_text=_(
            "Leave empty for a computed KPI to use its built-in name, in each reader's language."
        ),
    )
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
    # A request KPI may count one request type's requests alone; the KPI is then its team's.
    request_type = models.ForeignKey(
        RequestType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kpis",
        verbose_name=_("request type"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    objects = KpiQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name="", source=Source.MANUAL),
                name="metrics_kpi_manual_named",
                violation_error_message=_("Give the KPI a name."),
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        """A manual KPI is named; the target and the two thresholds run from good to bad;
        only a request KPI takes a request type, and is then the type's team's."""
        super().clean()
        self.name = typed_name(self.name, BUILTIN_NAMES.get(self.source))
        if not self.name and not self.is_computed:
            raise ValidationError({"name": _("Give the KPI a name.")})
        if self.request_type_id:
            self._clean_request_type()
        if not self.thresholds_in_order():
            raise ValidationError(
                {
                    "red_threshold": _(
                        "Order them from good to bad: target, then where amber starts, then where red starts."
                    )
                }
            )

    def _clean_request_type(self) -> None:
        if self.source not in REQUEST_SOURCES:
            raise ValidationError(
                {
                    "request_type": _(
                        "Only a KPI of requests (first responses or resolutions on time, "
                        "requester satisfaction) counts one request type."
                    )
                }
            )
        team_id = self.request_type.team_id
        if self.team_id and self.team_id != team_id:
            raise ValidationError(
                {
                    "request_type": _(
                        "This request type is another team's: choose its team, or no team."
                    )
                }
            )
        self.team_id = team_id

    def thresholds_in_order(self) -> bool:
        """Target, amber and red from good to bad in the KPI's direction (``rag`` reads them
        so). True while one of them is missing: the field says so itself."""
        target, amber, red = self.target, self.amber_threshold, self.red_threshold
        if None in (target, amber, red):
            return True
        if self.direction == Direction.INCREASE:
            return target >= amber >= red
        return target <= amber <= red

    @property
    def display_name(self) -> str:
        """The name as typed, else the built-in name of its source in the reader's language."""
        return shown_name(self.name, BUILTIN_NAMES.get(self.source))

    def names(self) -> set[str]:
        """Every name the KPI answers to (an import file's kpi column)."""
        return names_of(self.name, BUILTIN_NAMES.get(self.source))

    @property
    def is_computed(self) -> bool:
        return self.source != Source.MANUAL

    @property
    def scope(self) -> Scope:
        """Whose work the KPI measures: its organisation, or its team, project or goal."""
        return Scope(
            self.organization,
            team_id=self.team_id,
            project_id=self.project_id,
            goal_id=self.goal_id,
            request_type_id=self.request_type_id,
        )

    @property
    def figure_decimals(self) -> int:
        return 0 if self.source in COUNT_SOURCES else self.decimals

    def figure(self, value: Decimal | None) -> str:
        """A value as pages, emails, chat posts and exports show it: the KPI's decimals
        (none for counts) and its unit, e.g. ``18.2%``."""
        return format_value(value, self.figure_decimals, self.unit)

    def change_figure(self, change: Decimal | None) -> str:
        """A change of the value, as tiles and the digest show it: ``+2.0 percentage points``."""
        return format_change(change, self.figure_decimals, self.unit)

    def period_name(self, start: date) -> str:
        """A period of the KPI as people name it: 「2026年11月」, a week 「11月16日—11月22日」."""
        if self.frequency == Frequency.MONTHLY:
            return date_format(start, "YEAR_MONTH_FORMAT")
        return day_range(start, start + timedelta(days=6))

    def rounded(self, value: Decimal | None) -> Decimal | None:
        """A value to the KPI's decimals, still a number (for CSV exports)."""
        if value is None:
            return None
        return Decimal(value).quantize(
            Decimal(1).scaleb(-self.figure_decimals), rounding=ROUND_HALF_UP
        )

    @property
    def label(self) -> str:
        """The name with its team, project or goal, as tiles and digests show it: two teams
        may each have a "Throughput", two goals each a "Goal progress"."""
        if self.request_type:
            return f"{self.display_name} · {self.team.name} · {self.request_type.name}"
        if self.team:
            return f"{self.display_name} · {self.team.name}"
        if self.project:
            return f"{self.display_name} · {self.project.name}"
        if self.goal:
            return f"{self.display_name} · {self.goal.title}"
        return self.display_name


class Measurement(models.Model):
    """A KPI's value for one period (the week or month starting on ``period_start``)."""

    kpi = models.ForeignKey(
        Kpi, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("KPI")
    )
    period_start = models.DateField(_("period"))
    # Empty only for a computed KPI's finished period with nothing to measure (no card done
    # with a due date, fewer than three pulse answers): stored too, so it is not asked again.
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True)
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


# Pulse results are shown only from this many answers, so nobody can be picked out.
PULSE_MIN_ANSWERS = 3


class PulseAnswer(models.Model):
    """Once a month, one person's view of working with another team."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pulse_answers",
        verbose_name=_("respondent"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="pulse_answers", verbose_name=_("team rated")
    )
    month = models.DateField(_("month"))
    satisfaction = models.PositiveSmallIntegerField(
        _("working with them (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    recommend = models.PositiveSmallIntegerField(
        _("would recommend working with them (0-10)"),
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        verbose_name = _("pulse answer")
        verbose_name_plural = _("pulse answers")
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "team", "month"],
                name="metrics_one_pulse_answer_per_team_month",
            )
        ]
        indexes = [models.Index(fields=["team", "month"], name="metrics_pulse_team_month")]

    def __str__(self) -> str:
        return f"{self.team} · {date_format(self.month, 'YEAR_MONTH_FORMAT')}"


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
    Source.BLOCKED_DAYS: _(
        "The days cards spent blocked within the period, added up over the cards."
    ),
    Source.GOAL_PROGRESS: _(
        "The goal's progress from its latest check-in; for a team, project or organisation, the mean over its active goals."
    ),
    Source.PULSE_SATISFACTION: _(
        "The mean of the month's pulse ratings of working with the team (1-5); shown from 3 answers."
    ),
    Source.PULSE_NPS: _(
        "Of the month's pulse answers about the team: the share who would recommend working with them (9-10) "
        "less the share who would not (0-6), from -100 to 100; shown from 3 answers."
    ),
    Source.FIRST_RESPONSE_ON_TIME: _(
        "Requests' first-response clocks decided in the period that stopped within their target, "
        "divided by all decided in the period: stopped, or missed while still open (those count as late)."
    ),
    Source.RESOLUTION_ON_TIME: _(
        "Requests' resolution clocks decided in the period that stopped within their target, "
        "divided by all decided in the period: stopped, or missed while still open (those count as late)."
    ),
    Source.REQUESTER_SATISFACTION: _(
        "The mean of the requesters' ratings (1-5) given in the period to the requests they sent."
    ),
}


class RetrospectiveState(models.TextChoices):
    DRAFT = "draft", _("In review")
    FINAL = "final", _("Final")


class Retrospective(models.Model):
    """A project's (or a team's) monthly review: the month's figures and the generated
    highlights and problems, stored when it is built, then the sections the team fills in."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    # The scope: a project or a team, never both.
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retrospectives",
        verbose_name=_("project"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retrospectives",
        verbose_name=_("team"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reviewed."))
    state = models.CharField(
        _("state"),
        max_length=5,
        choices=RetrospectiveState.choices,
        default=RetrospectiveState.DRAFT,
    )
    # Generated when built: figures by name, and lists of {"kind": ..., ...} items.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    generated_highlights = models.JSONField(_("generated highlights"), default=list, blank=True)
    generated_problems = models.JSONField(_("generated problems"), default=list, blank=True)
    # Written by the team in the review meeting.
    highlights = models.TextField(_("highlights"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    built_at = models.DateTimeField(_("built"), default=django_timezone.now)
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finalised by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("retrospective")
        verbose_name_plural = _("retrospectives")
        ordering = ["-month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month"],
                condition=models.Q(project__isnull=False),
                name="metrics_one_retrospective_per_project_month",
            ),
            models.UniqueConstraint(
                fields=["team", "month"],
                condition=models.Q(team__isnull=False),
                name="metrics_one_retrospective_per_team_month",
            ),
            models.CheckConstraint(
                condition=models.Q(project__isnull=False, team__isnull=True)
                | models.Q(project__isnull=True, team__isnull=False),
                name="metrics_retrospective_project_or_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewed} · {date_format(self.month, 'YEAR_MONTH_FORMAT')}"

    @property
    def reviewed(self) -> Project | Team:
        """The project or the team the retrospective reviews."""
        return self.project or self.team  # type: ignore[return-value]

    @property
    def is_final(self) -> bool:
        return self.state == RetrospectiveState.FINAL

    @property
    def period(self) -> str:
        """The month as the notification ledger keys it, e.g. "2026-10"."""
        return f"{self.month:%Y-%m}"


class RetrospectiveAction(models.Model):
    """An improvement action agreed in the review: a card on the project's board (for a
    team's retrospective, on the board of one of the team's projects)."""

    retrospective = models.ForeignKey(
        Retrospective,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("retrospective"),
    )
    card = models.OneToOneField(
        "kanban.Card",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retrospective_action",
        verbose_name=_("card"),
    )
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(_("created"), default=django_timezone.now, editable=False)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title
