"""Importing values from CSV and Excel; the KPI API."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from metrics.models import Kpi, Measurement, Source
from projects.models import Direction
from tests.conftest import Tenant
from tests.metrics.test_computed_kpis import SHANGHAI


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def churn(tenant: Tenant) -> Kpi:
    Kpi.objects.create(
        organization=tenant.organization,
        name="Throughput",
        source=Source.THROUGHPUT,
        target=5,
        amber_threshold=4,
        red_threshold=2,
    )
    return Kpi.objects.create(
        organization=tenant.organization, name="Customer churn", source=Source.MANUAL, direction=Direction.DECREASE,
        target=17, amber_threshold=18, red_threshold=19.5,
    )  # fmt: skip


CSV = """kpi,period,value,note
Customer churn,2026-11-09,19.4,
customer churn,2026-11-16,19.1,after the checklist
Customer churn,2026-11-17,19.0,not a Monday
Customer churn,2026-11-23,abc,
Nobody knows,2026-11-16,3,
Throughput,2026-11-16,4,
Customer churn,2026-11-16,18.0,twice
Customer churn,2026-12-07,17,
"""


def upload(client, content: bytes, name: str, action: str = "preview"):
    return client.post(
        reverse("metrics:kpi_import", args=["acme"]),
        {"file": SimpleUploadedFile(name, content), "action": action},
    )


def test_csv_preview_lists_every_broken_row_and_imports_only_the_good(
    tenant: Tenant, churn: Kpi, client
) -> None:
    Measurement.objects.create(kpi=churn, period_start=date(2026, 11, 9), value=Decimal(20))
    client.force_login(tenant.member.user)
    preview = upload(client, CSV.encode(), "values.csv")
    assert preview.status_code == 200
    rows = {row.line: row for row in preview.context["rows"]}
    assert rows[2].ok and rows[2].replaces == Decimal(20)
    assert rows[3].ok and rows[3].replaces is None
    assert rows[4].error == "A weekly KPI takes the Monday a week starts on."
    assert rows[5].error == "“abc” is not a number."
    assert rows[6].error == "No KPI called “Nobody knows”."
    assert rows[7].error == "“Throughput” is computed from the work."
    assert rows[8].error == "The same KPI and period appear earlier in the file."
    assert rows[9].error == "The period has not started yet."
    assert preview.context["good"] == 2
    assert Measurement.objects.count() == 1  # nothing saved by the preview

    response = client.post(
        reverse("metrics:kpi_import", args=["acme"]), {"action": "import"}, follow=True
    )
    assert "2 values imported, 6 rows skipped." in response.text
    assert dict(Measurement.objects.filter(kpi=churn).values_list("period_start", "value")) == {
        date(2026, 11, 9): Decimal("19.4"),
        date(2026, 11, 16): Decimal("19.1"),
    }


def test_excel_files_import_too(tenant: Tenant, churn: Kpi, client) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["kpi", "period", "value", "note"])
    sheet.append(["Customer churn", datetime(2026, 11, 16), 19.2, "from Excel"])
    content = io.BytesIO()
    book.save(content)
    client.force_login(tenant.member.user)
    assert upload(client, content.getvalue(), "values.xlsx").context["good"] == 1
    client.post(reverse("metrics:kpi_import", args=["acme"]), {"action": "import"})
    assert Measurement.objects.get(kpi=churn).note == "from Excel"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"name,when\nx,y\n", "wrong.csv", "The first row must name the columns"),
        (b"\xff\xfe\x00bad", "binary.csv", "Save the CSV as UTF-8"),
        (b"not a workbook", "fake.xlsx", "not an Excel file"),
    ],
)
def test_unreadable_files_are_refused(
    tenant: Tenant, churn: Kpi, client, content, name, message
) -> None:
    client.force_login(tenant.member.user)
    response = upload(client, content, name)
    assert response.status_code == 400
    assert message in response.text


def test_api(tenant: Tenant, other_tenant: Tenant, churn: Kpi, client) -> None:
    client.force_login(tenant.member.user)
    api = "/api/v1/organizations/acme/kpis"
    kpis = client.get(f"{api}/").json()["results"]
    assert {k["name"] for k in kpis} == {"Customer churn", "Throughput"}
    response = client.post(
        f"{api}/{churn.pk}/measurements/",
        {"period": "2026-11-16", "value": "19.1"},
        content_type="application/json",
    )
    assert response.status_code == 201
    response = client.post(
        f"{api}/{churn.pk}/measurements/",
        {"period": "2026-11-16", "value": "18.9"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Measurement.objects.get(kpi=churn).value == Decimal("18.9")
    for payload, field in (
        ({"period": "2026-11-17", "value": "1"}, "period"),
        ({"period": "2026-11-16", "value": "x"}, "value"),
    ):
        response = client.post(
            f"{api}/{churn.pk}/measurements/", payload, content_type="application/json"
        )
        assert response.status_code == 400
        assert field in response.json()
    series = client.get(
        f"{api}/{churn.pk}/series/", {"from": "2026-11-09", "to": "2026-11-23"}
    ).json()
    assert [(p["period_start"], p["value"], p["stored"]) for p in series] == [
        ("2026-11-09", None, False),
        ("2026-11-16", "18.9000", True),
        ("2026-11-23", None, False),
    ]
    assert series[1]["rag"] == "amber"
    assert (
        client.get(
            f"{api}/{churn.pk}/series/", {"from": "2026-11-23", "to": "2026-11-01"}
        ).status_code
        == 400
    )
    detail = client.get(f"{api}/{churn.pk}/").json()
    assert (detail["value"], detail["rag"]) == ("18.9000", "amber")
    foreign = Kpi.objects.create(
        organization=other_tenant.organization,
        name="x",
        target=1,
        amber_threshold=1,
        red_threshold=1,
    )
    assert client.get(f"{api}/{foreign.pk}/").status_code == 404
    client.force_login(tenant.viewer.user)
    assert (
        client.post(
            f"{api}/{churn.pk}/measurements/",
            {"period": "2026-11-16", "value": "1"},
            content_type="application/json",
        ).status_code
        == 403
    )
