"""JSON API: KPIs, their measurements, and computed series over a range of periods."""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kanban.selectors import board_get_for_user
from opsboard.api_lists import ListApi
from opsboard.notify.models import Preference
from projects.apis import OrganizationMixin, PersonEmail, call_service, validated
from projects.selectors import project_get_for_user

from . import board_flow, selectors, services
from . import forecast as forecasting
from .computations import compute, period_end, period_start
from .digest import SHOWN, Digest, digest_preview, subscribed
from .filters import KpiFilter
from .models import Kpi, Measurement
from .services import rag

MAX_SERIES_PERIODS = 260  # five years of weeks


class KpiOutput(serializers.ModelSerializer):
    name = serializers.CharField(
        source="display_name",
        read_only=True,
        help_text="As typed, else the built-in name of its source in the request's language (Accept-Language).",
    )
    builtin_name = serializers.SerializerMethodField(
        help_text="True when nobody typed a name: `name` is the built-in name of its source."
    )
    value = serializers.SerializerMethodField(
        help_text="this period's value (computed live, or entered)"
    )
    rag = serializers.SerializerMethodField()

    class Meta:
        model = Kpi
        fields = [
            "id",
            "name",
            "builtin_name",
            "description",
            "source",
            "unit",
            "direction",
            "decimals",
            "target",
            "amber_threshold",
            "red_threshold",
            "frequency",
            "team",
            "project",
            "goal",
            "request_type",
            "value",
            "rag",
        ]

    def _tile(self, kpi: Kpi) -> selectors.Tile:
        tiles = self.context.setdefault("tiles", {})
        if kpi.pk not in tiles:
            [tiles[kpi.pk]] = selectors.tiles([kpi], today=kpi.organization.today())
        return tiles[kpi.pk]

    def get_builtin_name(self, kpi: Kpi) -> bool:
        return not kpi.name

    def get_value(self, kpi: Kpi) -> str | None:
        value = self._tile(kpi).value
        return None if value is None else str(value)

    def get_rag(self, kpi: Kpi) -> str | None:
        return self._tile(kpi).rag


class MeasurementOutput(serializers.ModelSerializer):
    recorded_by = PersonEmail()

    class Meta:
        model = Measurement
        fields = ["id", "period_start", "value", "note", "recorded_by", "updated_at"]


class MeasurementInput(serializers.Serializer):
    period = serializers.DateField(help_text="the Monday of a week, or the first of a month")
    value = serializers.DecimalField(max_digits=18, decimal_places=4)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SeriesPoint(serializers.Serializer):
    period_start = serializers.DateField()
    value = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    rag = serializers.CharField(allow_null=True)
    stored = serializers.BooleanField(
        help_text="kept by the nightly job or entered; otherwise computed now"
    )


def _kpi(view: OrganizationMixin, request: Request, org_slug: str, kpi_id: int) -> tuple[Any, Kpi]:
    membership = view.membership(request, org_slug)
    return membership, selectors.kpi_get_for_user(membership=membership, kpi_id=kpi_id)


class KpiListApi(OrganizationMixin, ListApi):
    filterset_class = KpiFilter

    @extend_schema(responses=KpiOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        organization = self.membership(request, org_slug).organization
        return self.list_response(
            selectors.kpis_for(organization=organization), KpiOutput, organization=organization
        )


class KpiDetailApi(OrganizationMixin, APIView):
    @extend_schema(responses=KpiOutput)
    def get(self, request: Request, org_slug: str, kpi_id: int) -> Response:
        _membership, kpi = _kpi(self, request, org_slug, kpi_id)
        return Response(KpiOutput(kpi).data)


class MeasurementListApi(OrganizationMixin, ListApi):
    @extend_schema(responses=MeasurementOutput(many=True))
    def get(self, request: Request, org_slug: str, kpi_id: int) -> Response:
        _membership, kpi = _kpi(self, request, org_slug, kpi_id)
        return self.list_response(kpi.measurements.select_related("recorded_by"), MeasurementOutput)

    @extend_schema(
        request=MeasurementInput,
        responses={201: MeasurementOutput, 200: MeasurementOutput},
        description="Record a manual KPI's value; a second value for the same period replaces the first (200).",
    )
    def post(self, request: Request, org_slug: str, kpi_id: int) -> Response:
        membership, kpi = _kpi(self, request, org_slug, kpi_id)
        recorded = call_service(
            services.measurement_record,
            actor=membership,
            kpi=kpi,
            **validated(MeasurementInput(data=request.data)),
        )
        code = status.HTTP_200_OK if recorded.replaced is not None else status.HTTP_201_CREATED
        return Response(MeasurementOutput(recorded.measurement).data, status=code)


class SeriesApi(OrganizationMixin, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", date, required=True),
            OpenApiParameter("to", date, required=True),
        ],
        responses=SeriesPoint(many=True),
        description="The KPI's value for each period from `from` to `to`: stored values, else computed now.",
    )
    def get(self, request: Request, org_slug: str, kpi_id: int) -> Response:
        _membership, kpi = _kpi(self, request, org_slug, kpi_id)
        dates = validated(_Range(data=request.query_params))
        start = period_start(kpi.frequency, dates["from"])
        stored = dict(
            kpi.measurements.filter(
                period_start__gte=start, period_start__lte=dates["to"]
            ).values_list("period_start", "value")
        )
        points = []
        while start <= dates["to"] and len(points) < MAX_SERIES_PERIODS:
            value = stored.get(start)
            if value is None and kpi.is_computed:
                value = compute(kpi, start)
            points.append(
                {
                    "period_start": start,
                    "value": value,
                    "rag": rag(kpi, value),
                    "stored": start in stored,
                }
            )
            start = period_end(kpi.frequency, start)
        return Response(SeriesPoint(points, many=True).data)


class _Range(serializers.Serializer):
    from_ = serializers.DateField()
    to = serializers.DateField()

    def to_internal_value(self, data: Any) -> dict[str, date]:
        values = super().to_internal_value({"from_": data.get("from"), "to": data.get("to")})
        if values["to"] < values["from_"]:
            raise serializers.ValidationError({"to": ["The end is before the start."]})
        return {"from": values["from_"], "to": values["to"]}


class DigestRowOutput(serializers.Serializer):
    kpi = serializers.IntegerField()
    name = serializers.CharField()
    value = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(max_digits=18, decimal_places=4)
    rag = serializers.CharField(allow_null=True)
    change = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    trend = serializers.ListField(
        child=serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True),
        help_text="the last twelve periods, oldest first",
    )


class DigestGoalOutput(serializers.Serializer):
    goal = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    progress_percent = serializers.IntegerField(allow_null=True)
    expected_percent = serializers.IntegerField(allow_null=True)


class DigestCardOutput(serializers.Serializer):
    card = serializers.IntegerField()
    title = serializers.CharField()
    project = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)


class DigestCardsOutput(serializers.Serializer):
    count = serializers.IntegerField()
    cards = DigestCardOutput(many=True, help_text="the first ten")


class DigestProjectOutput(serializers.Serializer):
    project = serializers.IntegerField()
    name = serializers.CharField()
    due_date = serializers.DateField()
    forecast = serializers.CharField(help_text="the forecast in words")


class DigestOutput(serializers.Serializer):
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    subscribed = serializers.BooleanField()
    kpis = DigestRowOutput(many=True)
    goals_at_risk = DigestGoalOutput(many=True)
    projects_at_risk = DigestProjectOutput(
        many=True, help_text="open projects whose 85% forecast date falls after their due date"
    )
    overdue = DigestCardsOutput()
    blocked = DigestCardsOutput()
    finished = DigestCardsOutput()


def _digest_data(digest: Digest, *, subscribed_now: bool) -> dict[str, Any]:
    def cards(items: list) -> dict[str, Any]:
        return {
            "count": len(items),
            "cards": [
                {
                    "card": card.pk,
                    "title": card.title,
                    "project": card.board.project.name,
                    "due_date": card.due_date,
                }
                for card in items[:SHOWN]
            ],
        }

    return {
        "week_start": digest.week_start,
        "week_end": digest.week_end,
        "subscribed": subscribed_now,
        "kpis": [
            {
                "kpi": tile.kpi.pk,
                "name": tile.kpi.display_name,
                "value": tile.value,
                "target": tile.kpi.target,
                "rag": tile.rag,
                "change": tile.change,
                "trend": [value for _period, value in tile.series],
            }
            for tile in digest.rows
        ],
        "goals_at_risk": [
            {
                "goal": tracked.goal.pk,
                "title": tracked.goal.title,
                "status": tracked.tracking.status,
                "progress_percent": tracked.tracking.progress.percent
                if tracked.tracking.progress
                else None,
                "expected_percent": tracked.tracking.expected_percent,
            }
            for tracked in digest.goals
        ],
        "projects_at_risk": [
            {
                "project": forecast.project.pk,
                "name": forecast.project.name,
                "due_date": forecast.project.due_date,
                "forecast": forecast.summary,
            }
            for forecast in digest.at_risk
        ],
        "overdue": cards(digest.overdue),
        "blocked": cards(digest.blocked),
        "finished": cards(digest.finished),
    }


class DigestPreviewApi(OrganizationMixin, APIView):
    @extend_schema(
        responses={200: DigestOutput, 204: None},
        description="Your next weekly digest: this week so far. 204 when no KPI is yours.",
    )
    def get(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        digest = digest_preview(membership=membership, today=membership.organization.today())
        if digest is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        preference = Preference.objects.filter(user=request.user).first()
        data = _digest_data(digest, subscribed_now=subscribed(membership, preference))
        return Response(DigestOutput(data).data)


class FlowColumnOutput(serializers.Serializer):
    id = serializers.IntegerField(source="column_id")
    name = serializers.CharField(help_text="in the request's language for a built-in column")
    kind = serializers.CharField()
    is_step = serializers.BooleanField(
        help_text="from the first in-progress column on (the backlog before it is not a step)"
    )
    cards = serializers.IntegerField(help_text="cards that left the column in the window")
    median_days = serializers.FloatField(allow_null=True)
    p85_days = serializers.FloatField(allow_null=True)
    p95_days = serializers.FloatField(allow_null=True)
    in_column_days = serializers.SerializerMethodField(help_text="not blocked, in the window")
    blocked_days = serializers.SerializerMethodField(help_text="blocked, in the window")
    arrived = serializers.IntegerField(help_text="cards that came in over the last 28 days")
    left = serializers.IntegerField(help_text="cards that left over the last 28 days")

    def get_in_column_days(self, column: board_flow.ColumnFlow) -> float:
        return board_flow.days(column.in_column) or 0.0

    def get_blocked_days(self, column: board_flow.ColumnFlow) -> float:
        return board_flow.days(column.blocked) or 0.0


class BottleneckOutput(serializers.Serializer):
    column = serializers.IntegerField(source="column_id")
    name = serializers.CharField()
    rule = serializers.ChoiceField(
        choices=[board_flow.QUEUE_RULE, board_flow.WAIT_RULE],
        help_text="queue: the step whose queue grew most; wait: the longest median time",
    )
    reason = serializers.CharField(help_text="in words, in the request's language")


class AgingCardOutput(serializers.Serializer):
    card = serializers.IntegerField(source="card_id")
    title = serializers.CharField()
    column = serializers.IntegerField(source="column_id")
    in_column_since = serializers.DateTimeField(source="since")
    age_days = serializers.FloatField()
    blocked = serializers.BooleanField()
    aging = serializers.BooleanField(help_text="older in its column than its 85th percentile")
    late = serializers.BooleanField(help_text="started longer ago than the SLE")
    at_risk = serializers.BooleanField(help_text="aging, or started longer ago than the SLE")


class BoardFlowOutput(serializers.Serializer):
    history_days = serializers.IntegerField()
    columns = FlowColumnOutput(many=True)
    waiting_share = serializers.FloatField(
        allow_null=True, help_text="of the steps' time, waiting (queues and blocked), 0 to 1"
    )
    bottleneck = BottleneckOutput(allow_null=True)
    no_bottleneck = serializers.CharField(help_text="why none is named, when none is")
    sle_percent = serializers.IntegerField()
    sle_days = serializers.IntegerField(
        allow_null=True, help_text="85% of the cards finished in the window took at most this"
    )
    sle = serializers.CharField(help_text="the SLE in words")
    cards = AgingCardOutput(many=True, help_text="open cards in the steps, oldest first")


class BoardFlowApi(OrganizationMixin, APIView):
    @extend_schema(
        responses=BoardFlowOutput,
        description="Where work waits on a board: time in each column, the bottleneck and "
        "why, the service level expectation and the open cards' ages.",
    )
    def get(self, request: Request, org_slug: str, board_id: int) -> Response:
        membership = self.membership(request, org_slug)
        board = board_get_for_user(membership=membership, board_id=board_id)
        flow = board_flow.board_flow(board)
        history = flow.history
        data = {
            "history_days": board_flow.HISTORY_DAYS,
            "columns": history.columns,
            "waiting_share": None
            if history.waiting_share is None
            else round(history.waiting_share, 3),
            "bottleneck": history.bottleneck,
            "no_bottleneck": history.no_bottleneck,
            "sle_percent": board_flow.SLE_PERCENT,
            "sle_days": history.sle_days,
            "sle": flow.expectation,
            "cards": flow.cards,
        }
        return Response(BoardFlowOutput(data).data)


class _ForecastBy(serializers.Serializer):
    by = serializers.DateField(required=False, help_text="default: the project's due date")


class ThroughputDayOutput(serializers.Serializer):
    day = serializers.DateField()
    cards = serializers.IntegerField()


class LikelyOutput(serializers.Serializer):
    percent = serializers.IntegerField()
    working_days = serializers.IntegerField(
        allow_null=True, help_text="after today; null when beyond three years"
    )
    date = serializers.DateField(allow_null=True, help_text="done by then with this chance")
    cards = serializers.IntegerField(
        allow_null=True, help_text="at least this many cards done by `by` with this chance"
    )


class ForecastOutput(serializers.Serializer):
    project = serializers.IntegerField()
    today = serializers.DateField()
    due_date = serializers.DateField()
    by = serializers.DateField()
    remaining = serializers.IntegerField(help_text="unfinished cards of the project's boards")
    history_weeks = serializers.IntegerField()
    runs = serializers.IntegerField()
    enough_history = serializers.BooleanField()
    at_risk = serializers.BooleanField(help_text="the 85% date falls after the due date")
    summary = serializers.CharField(help_text="in words, in the request's language")
    throughput = ThroughputDayOutput(many=True, help_text="cards done per working day")
    likely = LikelyOutput(many=True, help_text="empty with too little history")


class ProjectForecastApi(OrganizationMixin, APIView):
    @extend_schema(
        parameters=[OpenApiParameter("by", date, description="how many cards by this day")],
        responses=ForecastOutput,
        description="When the project's remaining cards will likely be done (50%, 85% and 95%), "
        "from a Monte Carlo replay of its throughput over the working calendar, and how many "
        "cards by a day.",
    )
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        membership = self.membership(request, org_slug)
        project = project_get_for_user(membership=membership, project_id=project_id)
        by = validated(_ForecastBy(data=request.query_params)).get("by", project.due_date)
        forecast = forecasting.project_forecast(project, organization=membership.organization)
        history = forecast.history
        data = {
            "project": project.pk,
            "today": forecast.today,
            "due_date": project.due_date,
            "by": by,
            "remaining": forecast.remaining,
            "history_weeks": forecasting.HISTORY_WEEKS,
            "runs": forecasting.RUNS,
            "enough_history": forecast.enough,
            "at_risk": forecast.at_risk,
            "summary": forecast.summary,
            "throughput": [
                {"day": day, "cards": cards}
                for day, cards in zip(history.days, history.done, strict=True)
            ],
            "likely": forecasting.likely_rows(forecast, by=by)
            if forecast.enough and forecast.remaining
            else [],
        }
        return Response(ForecastOutput(data).data)
