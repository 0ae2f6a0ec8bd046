from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.dateparse import parse_date
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kanban.models import Board, ColumnKind
from kanban.selectors import board_get_for_user, cell_counts
from kanban.tiles import card_address
from opsboard import fragments
from opsboard.dates import day
from opsboard.exports import csv_response
from opsboard.filters import chosen, filtered, read_choices
from opsboard.notify.emails import render_email
from opsboard.notify.models import Preference
from opsboard.tenancy.access import organization_view, require_editor, require_manager
from projects.goals import format_value
from projects.models import Unit

from . import board_flow as flow_of_board
from . import selectors, services
from .computations import period_start
from .digest import digest_preview as digest_for_preview
from .digest import subscribed
from .filters import KpiFilter
from .flow import Flow, cycle_times, scope_cycle_times, scope_flow, scope_throughput
from .forms import DashboardPeriodForm, KpiForm, MeasurementForm
from .imports import measurement_import_confirm, measurement_import_preview
from .models import FORMULAS, PULSE_MIN_ANSWERS, Kpi, PulseAnswer
from .process_map import PictureUnavailable, ProcessMap, png_of, process_map
from .pulse import pulse_answer, pulse_month, teams_worked_with
from .pulse import results as pulse_results
from .scopes import Scope

form_page = require_http_methods(["GET", "HEAD", "POST"])


FLOW_DAYS = 56
FLOW_WEEKS = 12
CYCLE_POINTS = 500


@organization_view
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    period = DashboardPeriodForm(request.GET or None)
    kpi_filter = KpiFilter(
        request.GET or None,
        queryset=selectors.kpis_for(organization=request.organization),
        organization=request.organization,
    )
    picked = chosen(kpi_filter)
    team, project = picked.get("team"), picked.get("project")
    kpis = list(filtered(kpi_filter))
    today = request.organization.today()
    # Another period: the tiles and the charts as they stood at its end.
    shown_day = period.cleaned_data.get("day") if period.is_valid() else None
    if shown_day and shown_day < today:
        today = shown_day
    zone = request.organization.zone
    scope = Scope(
        request.organization,
        team_id=team.pk if team else None,
        project_id=project.pk if project else None,
    )
    flow = scope_flow(scope, today=today, days=FLOW_DAYS)
    since = datetime.combine(today - timedelta(weeks=FLOW_WEEKS), time.min, tzinfo=zone)
    csv_wanted = request.GET.get("format") == "csv"
    # The chart shows the latest cards; the CSV has them all.
    if csv_wanted:
        cycles = cycle_times(scope.cards(), since=since, zone=zone)
    else:
        cycles = scope_cycle_times(scope, since=since, limit=CYCLE_POINTS)
    throughput = scope_throughput(scope, today=today, weeks=FLOW_WEEKS)
    chart = request.GET.get("chart")
    if csv_wanted and chart in ("flow", "cycle", "throughput"):
        return _chart_csv(chart, flow, cycles, throughput)
    query = request.GET.copy()
    for key in ("chart", "format"):
        query.pop(key, None)
    # The charts' labels are days as the reader writes them, each day formatted once: the
    # 500 cycle-time points fall on a few dozen days.
    labels = _DayLabels()
    flow_days = [labels[d] for d in flow.days]
    cycle_rows = [(labels[d], days, title, pk) for d, days, title, pk in cycles]
    throughput_rows = [(labels[week], n) for week, n in throughput]
    point = _("%(card)s: %(days)s (%(day)s)")
    durations = {days: format_value(days, 1, Unit.DAYS) for days in {row[1] for row in cycles}}
    filters = [period, kpi_filter.form]
    context = {
        "tiles": selectors.tiles(kpis, today=today),
        "filters": filters,
        "query": query.urlencode(),
        "formulas": FORMULAS,
        "may_manage": request.membership.can_manage,
        "flow_rows": list(zip(flow_days, flow.todo, flow.doing, flow.done, strict=True)),
        "cycles": cycle_rows,
        "card_url": card_address(request.organization.slug),  # for the table's 500 links
        "throughput": throughput_rows,
        "chart_data": {
            "flow": {
                "days": flow_days,
                "todo": flow.todo,
                "doing": flow.doing,
                "done": flow.done,
            },
            "cycles": [
                {
                    "x": label,
                    "y": days,
                    "text": point % {"card": title, "days": durations[days], "day": label},
                }
                for label, days, title, _pk in cycle_rows
            ],
            "throughput": {
                "weeks": [label for label, _n in throughput_rows],
                "done": [n for _label, n in throughput_rows],
            },
            "labels": {
                "todo": _("To do"),
                "doing": _("In progress"),
                "done": _("Done"),
                "cycle": _("Cycle time (days)"),
                "throughput": _("Cards done"),
            },
        },
    }
    context.update(_drawn_once(request, context, filters))
    return render(request, "metrics/dashboard.html", context)


def _drawn_once(request: HttpRequest, context: dict, filters: list) -> dict[str, SafeString]:
    """The filter bar and the cycle-time table, drawn once per what they show and then read
    from the cache (``opsboard.fragments``): drawing the filter's form and the table's 500
    rows was most of the page's templates. The filter bar is keyed by its choices (read
    once), the values and errors it shows; the table by its rows and card links."""
    language = get_language()
    filter_bar, cycle_table = (
        "metrics/dashboard.html#filter-bar",
        "metrics/dashboard.html#cycle-table",
    )
    keys = {
        filter_bar: fragments.key(
            "kpi-filter-bar",
            request.organization.pk,
            language,
            fragments.template_digest(filter_bar),
            [
                (read_choices(form), form.data, form.errors if form.is_bound else None)
                for form in filters
            ],
        ),
        cycle_table: fragments.key(
            "kpi-cycle-table",
            language,
            fragments.template_digest(cycle_table),
            context["card_url"],
            context["cycles"],
        ),
    }
    drawn = fragments.drawn_once(keys, partial(render_to_string, context=context, request=request))
    return {"filter_bar": drawn[filter_bar], "cycle_table": drawn[cycle_table]}


class _DayLabels(dict[date, str]):
    """Days as the reader writes them (``opsboard.dates.day``), each formatted once."""

    def __missing__(self, key: date) -> str:
        self[key] = label = day(key)
        return label


def _chart_csv(chart: str, flow: Flow, cycles: list, throughput: list) -> HttpResponse:
    response, writer = csv_response(f"{chart}.csv")
    if chart == "flow":
        writer.writerow(
            [
                pgettext("cumulative flow: the day of a row", "Day"),
                _("To do"),
                _("In progress"),
                _("Done"),
            ]
        )
        writer.writerows(
            zip([d.isoformat() for d in flow.days], flow.todo, flow.doing, flow.done, strict=True)
        )
    elif chart == "cycle":
        writer.writerow([_("Done on"), _("Cycle time (days)"), _("Card")])
        writer.writerows((d.isoformat(), days, title) for d, days, title, _pk in cycles)
    else:
        writer.writerow([_("Week"), _("Cards done")])
        writer.writerows((week.isoformat(), count) for week, count in throughput)
    return response


def _kpi_page(
    request: HttpRequest, kpi: Kpi, form: MeasurementForm | None = None, status: int = 200
) -> HttpResponse:
    [tile] = selectors.tiles([kpi], today=request.organization.today())
    period = parse_date(request.GET.get("period") or "") or tile.period
    period = period_start(kpi.frequency, period)
    if request.GET.get("format") == "csv":
        response, writer = csv_response(f"kpi-{kpi.pk}.csv")
        writer.writerow([_("Period"), kpi.display_name, _("Target")])
        for start, value in tile.series:
            writer.writerow(
                [start.isoformat(), "" if value is None else kpi.rounded(value), kpi.target]
            )
        return response
    return render(
        request,
        "metrics/kpi.html",
        {
            "kpi": kpi,
            "tile": tile,
            "period": period,
            "drilldown": selectors.cards_behind(kpi, period),
            "trend": {
                "periods": [kpi.period_name(start) for start, _value in tile.series],
                "values": [
                    None if value is None else float(value) for _start, value in tile.series
                ],
                "target": float(kpi.target),
                "labels": {"value": kpi.display_name, "target": _("Target")},
            },
            "formula": FORMULAS[kpi.source],
            "form": form or MeasurementForm(initial={"period": tile.series[-1][0]}),
            "may_record": services.may_record(request.membership, kpi),
            "may_manage": request.membership.can_manage,
        },
        status=status,
    )


@organization_view
@require_safe
def kpi_detail(request: HttpRequest, kpi_id: int) -> HttpResponse:
    return _kpi_page(
        request, selectors.kpi_get_for_user(membership=request.membership, kpi_id=kpi_id)
    )


@organization_view
@require_POST
def kpi_record(request: HttpRequest, kpi_id: int) -> HttpResponse:
    kpi = selectors.kpi_get_for_user(membership=request.membership, kpi_id=kpi_id)
    require_editor(request.membership)
    form = MeasurementForm(request.POST)
    if form.is_valid():
        try:
            recorded = services.measurement_record(
                actor=request.membership, kpi=kpi, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if recorded.replaced is not None:
                messages.info(
                    request,
                    _("The value for %(period)s was %(old)s; it is now %(new)s.")
                    % {
                        "period": kpi.period_name(recorded.measurement.period_start),
                        "old": kpi.figure(recorded.replaced),
                        "new": kpi.figure(recorded.measurement.value),
                    },
                )
            else:
                messages.success(request, _("Value recorded."))
            return redirect("metrics:kpi_detail", org_slug=request.organization.slug, kpi_id=kpi.pk)
    return _kpi_page(request, kpi, form=form, status=400)


def _kpi_form(request: HttpRequest, kpi: Kpi | None) -> HttpResponse:
    require_manager(request.membership)
    form = KpiForm(request.POST or None, instance=kpi, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        data = services.KpiInput(
            **{name: form.cleaned_data[name] for name in services.KPI_INPUT_FIELDS}
        )
        try:
            if kpi is None:
                saved = services.kpi_create(actor=request.membership, data=data)
            else:
                saved = services.kpi_update(actor=request.membership, kpi=kpi, data=data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("KPI saved."))
            return redirect(
                "metrics:kpi_detail", org_slug=request.organization.slug, kpi_id=saved.pk
            )
    title = _("Edit KPI") if kpi else _("New KPI")
    return render(
        request, "form_page.html", {"form": form, "title": title, "submit_label": _("Save")}
    )


@organization_view
@form_page
def kpi_create(request: HttpRequest) -> HttpResponse:
    return _kpi_form(request, None)


@organization_view
@form_page
def kpi_edit(request: HttpRequest, kpi_id: int) -> HttpResponse:
    return _kpi_form(
        request, selectors.kpi_get_for_user(membership=request.membership, kpi_id=kpi_id)
    )


@organization_view
@form_page
def kpi_import(request: HttpRequest) -> HttpResponse:
    """Upload, preview every row, then import the good ones together."""
    require_editor(request.membership)
    if request.method != "POST":
        return render(request, "metrics/import.html")
    upload = request.FILES.get("file")
    try:
        if request.POST.get("action") == "import":
            done = measurement_import_confirm(
                actor=request.membership, session=request.session, upload=upload
            )
            messages.success(
                request,
                _("%(imported)s values imported, %(skipped)s rows skipped.")
                % {"imported": done.imported, "skipped": done.skipped},
            )
            return redirect("metrics:dashboard", org_slug=request.organization.slug)
        rows = measurement_import_preview(
            actor=request.membership, upload=upload, session=request.session
        )
    except ValidationError as error:
        context = {"error": " ".join(error.messages)}
        return render(request, "metrics/import.html", context, status=400)
    good = sum(1 for row in rows if row.ok)
    return render(request, "metrics/import.html", {"rows": rows, "good": good})


@organization_view
@require_safe
def team_comparison(request: HttpRequest) -> HttpResponse:
    """Every team side by side: the computed KPIs this week and last."""
    columns, rows = selectors.team_comparison(
        organization=request.organization, today=request.organization.today()
    )
    return render(
        request, "metrics/teams.html", {"columns": columns, "rows": rows, "formulas": FORMULAS}
    )


@organization_view
@form_page
def pulse(request: HttpRequest) -> HttpResponse:
    """This month's pulse: rate each team you worked with; last month's results below."""
    errors: list[str] = []
    if request.method == "POST":
        try:
            saved = pulse_answer(actor=request.membership, answers=request.POST)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Thank you: %(count)s teams rated.") % {"count": saved})
            return redirect("metrics:pulse", org_slug=request.organization.slug)
    month = pulse_month(request.organization)
    teams = list(teams_worked_with(request.membership))
    mine = {a.team_id: a for a in PulseAnswer.objects.filter(respondent=request.user, month=month)}
    previous = (month - timedelta(days=1)).replace(day=1)
    return render(
        request,
        "metrics/pulse.html",
        {
            "month": month,
            "teams": [(team, mine.get(team.pk)) for team in teams],
            "errors": errors,
            "results_month": previous,
            "results": pulse_results(organization_id=request.organization.pk, month=previous),
            "min_answers": PULSE_MIN_ANSWERS,
            "scale": range(1, 6),
            "nps_scale": range(11),
        },
        status=400 if errors else 200,
    )


@organization_view
@require_safe
def digest_preview(request: HttpRequest) -> HttpResponse:
    """My next weekly digest: the running week as it stands, rendered as the email will be."""
    membership = request.membership
    digest = digest_for_preview(membership=membership, today=request.organization.today())
    subject = html = ""
    if digest is not None:
        subject, _text, html = render_email(
            template="weekly-digest",
            context=digest.context(),
            language=request.LANGUAGE_CODE,
            timezone_name=request.organization.timezone_for(request.user),
        )
    preference = Preference.objects.filter(user=request.user).first()
    return render(
        request,
        "metrics/digest_preview.html",
        {
            "digest": digest,
            "subject": subject,
            "html": html,
            "subscribed": subscribed(membership, preference),
        },
    )


def _flow_and_map(
    request: HttpRequest, board_id: int
) -> tuple[Board, flow_of_board.BoardFlow, ProcessMap]:
    """The board (404 outside the person's organisation), its flow and its process map."""
    board = board_get_for_user(membership=request.membership, board_id=board_id)
    flow = flow_of_board.board_flow(board)
    _lanes, cards_now = cell_counts(board, "")
    drawn = process_map(
        flow, board_name=board.name, as_of=request.organization.today(), cards_now=cards_now
    )
    return board, flow, drawn


@organization_view
@require_safe
def board_flow(request: HttpRequest, board_id: int) -> HttpResponse:
    """Where work waits on a board: time in each column, the bottleneck, aging work, the SLE."""
    board, flow, drawn = _flow_and_map(request, board_id)
    return render(
        request,
        "metrics/board_flow.html",
        {
            "board": board,
            "flow": flow,
            "map": drawn,
            "chart": flow_of_board.aging_chart(flow),
            "card_url": card_address(request.organization.slug),
            "history_days": flow_of_board.HISTORY_DAYS,
            "min_sample": flow_of_board.MIN_SAMPLE,
        },
    )


def _map_svg(request: HttpRequest, drawn: ProcessMap) -> str:
    svg = render_to_string("metrics/board_flow.html#process-map", {"map": drawn}, request)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@organization_view
@require_safe
def board_flow_map_svg(request: HttpRequest, board_id: int) -> HttpResponse:
    """The process map as a drawing to keep: the flow page's SVG, standalone."""
    board, _flow, drawn = _flow_and_map(request, board_id)
    response = HttpResponse(_map_svg(request, drawn), content_type="image/svg+xml; charset=utf-8")
    return _download(response, f"board-{board.pk}-process-map.svg")


@organization_view
@require_safe
def board_flow_map_png(request: HttpRequest, board_id: int) -> HttpResponse:
    """The process map as a picture for slides and chat: the same SVG, drawn by cairosvg."""
    board, _flow, drawn = _flow_and_map(request, board_id)
    try:
        picture = png_of(_map_svg(request, drawn))
    except PictureUnavailable:
        messages.error(
            request,
            _("This server cannot draw pictures (it lacks the cairo library): download the SVG."),
        )
        return redirect("metrics:board_flow", org_slug=board.organization.slug, board_id=board.pk)
    return _download(
        HttpResponse(picture, content_type="image/png"), f"board-{board.pk}-process-map.png"
    )


def _percent(share: float | None) -> float | str:
    return "" if share is None else round(share * 100, 1)


@organization_view
@require_safe
def board_flow_csv(request: HttpRequest, board_id: int) -> HttpResponse:
    """The flow page's figures for a spreadsheet: a row per column, then a row per open card
    in the steps (with its age and whether it is aging or at risk)."""
    board, flow, drawn = _flow_and_map(request, board_id)
    response, writer = csv_response(f"board-{board.pk}-flow.csv")
    yes_no = {True: _("yes"), False: _("no")}
    writer.writerow(
        [
            _("Column"),
            _("Kind"),
            _("Step"),
            _("Bottleneck"),
            _("Cards now"),
            _("Cards that left it"),
            _("Median (days)"),
            _("85th percentile (days)"),
            _("95th percentile (days)"),
            _("Time blocked (%)"),
            _("Time waiting (%)"),
            _("Came in, last four weeks"),
            _("Left, last four weeks"),
            _("Growth, last four weeks"),
        ]
    )
    kinds = dict(ColumnKind.choices)
    for step in drawn.steps:
        column = step.column
        writer.writerow(
            [
                column.name,
                kinds.get(column.kind, column.kind),
                yes_no[column.is_step],
                yes_no[step.bottleneck],
                "" if step.cards_now is None else step.cards_now,
                column.cards,
                column.median_days,
                column.p85_days,
                column.p95_days,
                _percent(column.blocked_share),
                _percent(column.waiting_share),
                column.arrived,
                column.left,
                column.growth,
            ]
        )
    writer.writerow([])
    writer.writerow(
        [
            _("Card"),
            _("Column"),
            _("Days in the column"),
            _("85th percentile (days)"),
            _("Started"),
            _("Blocked"),
            _("Aging"),
            _("At risk"),
        ]
    )
    for card in flow.cards:
        writer.writerow(
            [
                card.title,
                card.column,
                card.age_days,
                card.limit_days,
                card.started_at.date().isoformat() if card.started_at else "",
                yes_no[card.blocked],
                yes_no[card.aging],
                yes_no[card.at_risk],
            ]
        )
    return response
