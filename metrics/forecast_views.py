"""The forecast on the project page, and its numbers as CSV."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from opsboard.exports import csv_response
from opsboard.tenancy.access import organization_view
from projects.models import Project
from projects.selectors import project_get_for_user

from . import forecast as forecasting


def forecast_section(request: HttpRequest, project: Project) -> dict[str, Any]:
    """On the project page: when the remaining cards will likely be done, against the due date."""
    forecast = forecasting.project_forecast(project, organization=request.organization)
    return {
        "forecast": forecast,
        "rows": forecasting.likely_rows(forecast, by=project.due_date),
        "history_weeks": forecasting.HISTORY_WEEKS,
        "runs": forecasting.RUNS,
    }


@organization_view
@require_safe
def project_forecast_csv(request: HttpRequest, project_id: int) -> HttpResponse:
    """The numbers under the forecast: each history day's cards done, then each percent's
    answer."""
    project = project_get_for_user(membership=request.membership, project_id=project_id)
    forecast = forecasting.project_forecast(project, organization=request.organization)
    response, writer = csv_response(f"forecast-project-{project.pk}.csv")
    writer.writerow([_("Working day"), _("Cards done")])
    writer.writerows(zip(forecast.history.days, forecast.history.done, strict=True))
    writer.writerow([])
    writer.writerow(
        [
            _("Chance"),
            _("Working days from today"),
            _("Done by"),
            _("Cards done by %(date)s at least") % {"date": project.due_date.isoformat()},
        ]
    )
    for row in forecasting.likely_rows(forecast, by=project.due_date):
        writer.writerow([f"{row.percent}%", row.working_days, row.date, row.cards])
    writer.writerow([])
    writer.writerow([_("Remaining cards"), forecast.remaining])
    writer.writerow([_("Due date"), project.due_date])
    writer.writerow([_("Runs"), forecasting.RUNS])
    writer.writerow([_("Forecast"), forecast.summary])
    return response
