"""A computed KPI nobody named reads in each reader's language; a typed name reads as typed."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from metrics.models import Kpi, Source
from metrics.selectors import kpis_for
from projects.models import Direction
from tests.conftest import Tenant
from tests.metrics.test_computed_kpis import SHANGHAI

API = "/api/v1/organizations/acme/kpis"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=SHANGHAI), tick=False):
        yield


def computed(tenant: Tenant, source: str = Source.ON_TIME_RATE, **fields) -> Kpi:
    values = {
        "organization": tenant.organization, "source": source, "target": 90,
        "amber_threshold": 90, "red_threshold": 75,
    }  # fmt: skip
    return Kpi.objects.create(**values | fields)


def test_a_computed_kpi_without_a_name_shows_its_built_in_name(tenant: Tenant) -> None:
    kpi = computed(tenant, team=tenant.team)
    with translation.override("en"):
        assert (kpi.display_name, kpi.label) == ("On-time completion rate", "On-time completion rate · Product")  # fmt: skip
    with translation.override("zh-hans"):
        assert (str(kpi), kpi.label) == ("任务按时完成率", "任务按时完成率 · Product")


@pytest.mark.parametrize(
    ("language", "name"), [("en", "On-time completion rate"), ("zh-hans", "任务按时完成率")]
)
def test_the_kpi_page_and_the_dashboard_name_it_in_the_readers_language(
    tenant: Tenant, client, language: str, name: str
) -> None:
    tenant.organization.language = "zh-hans"
    tenant.organization.save()
    kpi = computed(tenant)
    typed = computed(tenant, source=Source.THROUGHPUT, name="每周交付")
    tenant.member.user.language = language
    tenant.member.user.save()
    client.force_login(tenant.member.user)
    response = client.get(reverse("metrics:kpi_detail", args=["acme", kpi.pk]))
    assert f"<h1>{name} " in response.text
    assert response.context["trend"]["labels"]["value"] == name  # the chart's legend
    dashboard = client.get(reverse("metrics:dashboard", args=["acme"])).text
    assert f"<small>{name}</small>" in dashboard
    assert "<small>每周交付</small>" in dashboard
    csv = client.get(reverse("metrics:kpi_detail", args=["acme", kpi.pk]), {"format": "csv"})
    assert name in csv.content.decode()
    assert typed.display_name == "每周交付"


def test_the_api_names_it_in_the_requests_language(tenant: Tenant, client) -> None:
    kpi = computed(tenant)
    computed(tenant, source=Source.THROUGHPUT, name="Weekly delivery")
    client.force_login(tenant.member.user)
    english = client.get(f"{API}/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    chinese = client.get(f"{API}/{kpi.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert {(k["name"], k["builtin_name"]) for k in english} == {
        ("On-time completion rate", True),
        ("Weekly delivery", False),
    }
    assert chinese["name"] == "任务按时完成率"


def kpi_form(**fields) -> dict[str, object]:
    return {
        "source": "throughput", "unit": "count", "direction": "increase", "decimals": 1,
        "target": 5, "amber_threshold": 4, "red_threshold": 2, "frequency": "weekly", "position": 0,
    } | fields  # fmt: skip


def test_the_form_keeps_a_built_in_name_empty_and_a_manual_kpi_named(
    tenant: Tenant, client
) -> None:
    client.force_login(tenant.manager.user)
    create = reverse("metrics:kpi_create", args=["acme"])
    assert client.post(create, kpi_form(name="")).status_code == 302
    # The built-in name typed in either language, as read on the page, is no typed name.
    assert client.post(create, kpi_form(name=" 吞吐量 ")).status_code == 302
    assert client.post(create, kpi_form(name="Throughput")).status_code == 302
    assert list(Kpi.objects.values_list("name", flat=True)) == ["", "", ""]

    kpi = Kpi.objects.first()
    edit = reverse("metrics:kpi_edit", args=["acme", kpi.pk])
    assert client.post(edit, kpi_form(name="每周交付")).status_code == 302
    kpi.refresh_from_db()
    assert kpi.name == "每周交付"

    response = client.post(create, kpi_form(name="", source="manual"))
    assert response.status_code == 200
    assert "Give the KPI a name." in response.text
    assert Kpi.objects.count() == 3


def test_importing_values_finds_a_built_in_kpi_by_either_name(tenant: Tenant, client) -> None:
    computed(tenant, source=Source.THROUGHPUT, target=5, amber_threshold=4, red_threshold=2)
    Kpi.objects.create(
        organization=tenant.organization, name="Customer churn", source=Source.MANUAL,
        direction=Direction.DECREASE, target=17, amber_threshold=18, red_threshold=19.5,
    )  # fmt: skip
    client.force_login(tenant.member.user)
    content = "kpi,period,value,note\n吞吐量,2026-11-16,4,\nthroughput,2026-11-16,4,\n"
    response = client.post(
        reverse("metrics:kpi_import", args=["acme"]),
        {"file": SimpleUploadedFile("values.csv", content.encode()), "action": "preview"},
    )
    errors = [row.error for row in response.context["rows"]]
    assert errors == ["“Throughput” is computed from the work."] * 2


def test_kpis_read_in_order_of_the_name_the_reader_sees(tenant: Tenant) -> None:
    for source in (Source.THROUGHPUT, Source.BLOCKED, Source.ON_TIME_RATE):
        computed(tenant, source=source)
    computed(tenant, source=Source.THROUGHPUT, name="Delivery")
    computed(tenant, source=Source.BLOCKED, name="All blocked, later", position=1)
    with translation.override("en"):
        assert [k.display_name for k in kpis_for(organization=tenant.organization)] == [
            "Blocked cards",
            "Delivery",
            "On-time completion rate",
            "Throughput",
            "All blocked, later",
        ]
