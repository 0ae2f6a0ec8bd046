"""metrics's parts of My work (``projects.my_work``): the red KPIs of the person's teams
(and the organisation's own, which every team answers for), read as the KPI page reads
them (``selectors.tiles``, red by ``services.rag``), so the two always agree; and their
projects at risk, by the forecast's rule (``forecast.at_risk``)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.models import Project
from projects.my_work import Ask, Item, Part, cut

from . import selectors
from .forecast import AT_RISK_PERCENT, HISTORY_WEEKS, at_risk
from .services import Rag


def kpis_part(ask: Ask) -> Part:
    kpis = list(selectors.kpis_for(organization=ask.organization).answered_by_any(ask.team_ids))
    red = [tile for tile in selectors.tiles(kpis, today=ask.today) if tile.rag == Rag.RED]
    items = [
        Item(
            kind="kpi",
            id=tile.kpi.pk,
            title=tile.kpi.display_name,
            url=ask.url("metrics:kpi_detail", kpi_id=tile.kpi.pk),
            why=_("%(value)s against a target of %(target)s, %(period)s")
            % {
                "value": tile.kpi.figure(tile.value),
                "target": tile.kpi.figure(tile.kpi.target),
                "period": tile.kpi.period_name(tile.period),
            },
            where=tile.kpi.team.name if tile.kpi.team else _("The whole organisation"),
            tone="danger",
            day=tile.period,
        )
        for tile in red
    ]
    return Part(
        key="kpis",
        title=_("My teams' red KPIs"),
        groups=[cut("red", _("Red"), items)],
        link=ask.url("metrics:dashboard"),
        link_label=_("All KPIs"),
        note=_("Your teams' KPIs and the organisation's, beyond their red threshold."),
    )


def projects_at_risk_part(ask: Ask) -> Part:
    """The open projects the person owns or whose team they lead, when the forecast puts
    their remaining work after their due date (``forecast.at_risk``)."""
    projects = (
        Project.objects.filter(organization=ask.organization)
        .filter(Q(owner=ask.user) | Q(teams__lead=ask.user))
        .distinct()
    )
    items = [
        Item(
            kind="project",
            id=forecast.project.pk,
            title=forecast.project.name,
            url=ask.url("projects:project_detail", project_id=forecast.project.pk),
            why=forecast.summary,
            tone="danger",
            day=forecast.project.due_date,
        )
        for forecast in at_risk(projects, organization=ask.organization, today=ask.today)
    ]
    return Part(
        key="projects_at_risk",
        title=_("My projects at risk"),
        groups=[cut("at_risk", _("At risk"), items)],
        link=ask.url("projects:project_list"),
        link_label=_("All projects"),
        note=ngettext(
            "Open projects you own or whose team you lead, when fewer than %(percent)s%% of"
            " the forecast's runs, at the pace of the last %(weeks)s week, finish the"
            " remaining cards by the due date.",
            "Open projects you own or whose team you lead, when fewer than %(percent)s%% of"
            " the forecast's runs, at the pace of the last %(weeks)s weeks, finish the"
            " remaining cards by the due date.",
            HISTORY_WEEKS,
        )
        % {"percent": AT_RISK_PERCENT, "weeks": HISTORY_WEEKS},
    )
