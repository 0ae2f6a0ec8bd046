"""Figures read with their KPI's or goal's decimals on pages and in the digest: no raw
"18.2000", no "2.0 cards", and 72.5 rounds as people round."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from metrics.computations import period_start
from metrics.digest import send_weekly_digests
from metrics.models import Frequency, Kpi, Source
from projects.models import Unit
from tests.conftest import Tenant
from tests.factories import CheckInFactory, GoalFactory
from tests.metrics.test_weekly_digest import MONDAY, kpi, week  # noqa: F401 (a fixture)


def test_a_count_kpi_reads_as_a_whole_number_in_the_digest(
    tenant: Tenant,
    week,  # noqa: F811
    django_capture_on_commit_callbacks,
) -> None:
    kpi(tenant, "Overdue", tenant.team, source=Source.OVERDUE_OPEN, unit=Unit.COUNT, target=0,
        amber_threshold=0, red_threshold=2)  # fmt: skip
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        send_weekly_digests(now=MONDAY)
    [lead] = [m for m in mail.outbox if m.to == [tenant.lead.user.email]]
    # The week's one overdue card (Vendor contract, due on its Friday), counted as a count.
    assert "- Overdue · Product: 1 (target 0, amber), vs the week before +1\n" in lead.body
    html = lead.alternatives[0][0]
    row = html.split("Overdue · Product", 1)[1].split("</tr>", 1)[0]
    assert "1.0" not in row and ">1<" in row.replace(" ", "").replace("\n", "")


@pytest.fixture
def churn(tenant: Tenant) -> Kpi:
    return Kpi.objects.create(
        organization=tenant.organization, name="Churn", source=Source.MANUAL,
        frequency=Frequency.WEEKLY, decimals=1, target=17, amber_threshold=18, red_threshold=19,
    )  # fmt: skip


def test_replacing_a_value_says_both_with_the_kpis_decimals(
    tenant: Tenant, churn: Kpi, client
) -> None:
    week_start = period_start(Frequency.WEEKLY, timezone.localdate()) - timedelta(weeks=1)
    client.force_login(tenant.member.user)
    record = reverse("metrics:kpi_record", args=["acme", churn.pk])
    client.post(record, {"period": week_start.isoformat(), "value": "18.2"})
    page = client.post(record, {"period": week_start.isoformat(), "value": "18.45"}, follow=True)
    assert "was 18.2%; it is now 18.5%." in page.text
    assert "18.2000" not in page.text


def test_the_import_preview_shows_values_with_the_kpis_decimals(
    tenant: Tenant, churn: Kpi, client
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    week_start = period_start(Frequency.WEEKLY, timezone.localdate()) - timedelta(weeks=1)
    churn.measurements.create(period_start=week_start, value=Decimal("18.2"))
    client.force_login(tenant.member.user)
    content = f"kpi,period,value\nChurn,{week_start.isoformat()},19\n".encode()
    page = client.post(
        reverse("metrics:kpi_import", args=["acme"]),
        {"file": SimpleUploadedFile("values.csv", content), "action": "preview"},
    )
    assert "<td>19.0%</td>" in page.text and "replaces 18.2%" in page.text


def test_a_check_in_rounds_half_up_to_the_goals_decimals(tenant: Tenant, client) -> None:
    goal = GoalFactory(organization=tenant.organization, team=tenant.team, decimals=0,
                       baseline=Decimal(60), target=Decimal(90), direction="increase")  # fmt: skip
    CheckInFactory(goal=goal, value=Decimal("72.5"), checked_on=timezone.localdate())
    client.force_login(tenant.member.user)
    page = client.get(reverse("projects:goal_detail", args=["acme", goal.pk])).text
    assert "73%" in page and "72%" not in page
