"""The KPI dashboard in a real browser draws its charts."""

from __future__ import annotations

import re

import pytest

from metrics.models import Kpi, Source
from tests.conftest import Tenant
from tests.e2e.test_sign_in_and_language import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_dashboard_draws_tiles_and_charts(page, tenant: Tenant, raci) -> None:
    Kpi.objects.create(
        organization=tenant.organization,
        name="Throughput",
        source=Source.THROUGHPUT,
        target=5,
        amber_threshold=4,
        red_threshold=2,
    )
    sign_in(page, tenant.lead.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto("/o/acme/kpis/")
    assert page.locator(".kpi-tile").get_by_text("Throughput").is_visible()
    for chart in ("chart-flow", "chart-cycle", "chart-throughput"):
        page.wait_for_function(f"() => document.getElementById('{chart}').chart !== undefined")
        drawn = page.evaluate(
            f"() => document.getElementById('{chart}').chart.data.datasets.length"
        )
        assert drawn >= 1
    # The cumulative flow counts the three cards waiting on the board.
    todo_today = page.evaluate(
        "() => document.getElementById('chart-flow').chart.data.datasets[2].data.slice(-1)[0]"
    )
    assert todo_today == 3


def test_kpi_page_draws_the_trend_with_its_target(page, tenant: Tenant) -> None:
    kpi = Kpi.objects.create(
        organization=tenant.organization,
        name="Customer churn",
        source=Source.MANUAL,
        target=17,
        amber_threshold=18,
        red_threshold=19,
    )
    sign_in(page, tenant.lead.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/kpis/{kpi.pk}/")
    page.get_by_label("Period starting").fill("2026-11-16")
    page.get_by_label("Value").fill("18.4")
    page.get_by_role("button", name="Record").click()
    page.get_by_text("Value recorded.").wait_for()
    page.wait_for_function("() => document.getElementById('chart-trend').chart !== undefined")
    target = page.evaluate(
        "() => document.getElementById('chart-trend').chart.data.datasets[1].data[0]"
    )
    assert target == 17
