"""metrics's part of My work (``projects.my_work``): the red KPIs of the person's teams
(and the organisation's own, which every team answers for), read as the KPI page reads
them (``selectors.tiles``, red by ``services.rag``), so the two always agree."""

from __future__ import annotations

from django.utils.translation import gettext as _

from projects.my_work import Ask, Item, Part, cut

from . import selectors
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
