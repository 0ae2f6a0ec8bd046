"""KPI definitions, the measurement import and pulse answers go through services: every
caller gets the same rules as the pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics.imports import measurement_import_confirm, measurement_import_preview
from metrics.models import Kpi, Measurement, PulseAnswer, Source
from metrics.pulse import pulse_answer
from metrics.services import KpiInput, kpi_create, kpi_update
from projects.models import Direction
from tests.conftest import Tenant
from tests.factories import OrganizationFactory, ProjectFactory, TeamFactory
from tests.metrics.test_computed_kpis import SHANGHAI


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=SHANGHAI), tick=False):
        yield


def churn(**fields) -> KpiInput:
    values = {
        "name": "Customer churn",
        "direction": Direction.DECREASE,
        "target": Decimal(17),
        "amber_threshold": Decimal(18),
        "red_threshold": Decimal("19.5"),
    }
    return KpiInput(**(values | fields))


def test_kpi_create_and_update_keep_the_model_rules(tenant: Tenant) -> None:
    kpi = kpi_create(actor=tenant.manager, data=churn())
    assert (kpi.organization, kpi.name) == (tenant.organization, "Customer churn")
    with pytest.raises(ValidationError) as refused:
        kpi_update(actor=tenant.manager, kpi=kpi, data=churn(red_threshold=Decimal(16)))
    assert list(refused.value.message_dict) == ["red_threshold"]
    with pytest.raises(ValidationError) as refused:
        kpi_create(actor=tenant.manager, data=churn(name=""))
    assert refused.value.message_dict == {"name": ["Give the KPI a name."]}
    # A built-in name typed in is stored empty, as the form stores it.
    computed = kpi_update(
        actor=tenant.manager, kpi=kpi, data=churn(name="吞吐量", source=Source.THROUGHPUT)
    )
    assert Kpi.objects.get(pk=computed.pk).name == ""


def test_kpi_scope_stays_in_the_organisation_and_with_managers(tenant: Tenant) -> None:
    elsewhere = TeamFactory(organization=OrganizationFactory())
    with pytest.raises(ValidationError) as refused:
        kpi_create(actor=tenant.manager, data=churn(team=elsewhere))
    assert list(refused.value.message_dict) == ["team"]
    with pytest.raises(PermissionDenied):
        kpi_create(actor=tenant.lead, data=churn())
    assert not Kpi.objects.exists()


def test_the_thresholds_rule_is_the_models_so_the_admin_has_it_too(tenant: Tenant) -> None:
    kpi = Kpi(
        organization=tenant.organization, name="On time", direction=Direction.INCREASE,
        target=90, amber_threshold=95, red_threshold=75,
    )  # fmt: skip
    assert not kpi.thresholds_in_order()
    with pytest.raises(ValidationError):
        kpi.full_clean()


def test_the_import_keeps_the_previewed_file_until_it_is_imported(tenant: Tenant) -> None:
    Kpi.objects.create(
        organization=tenant.organization, name="Customer churn", source=Source.MANUAL,
        target=17, amber_threshold=18, red_threshold=19.5,
    )  # fmt: skip
    session = SessionStore()
    content = b"kpi,period,value,note\nCustomer churn,2026-11-16,18.4,\n"
    rows = measurement_import_preview(
        actor=tenant.member, upload=SimpleUploadedFile("values.csv", content), session=session
    )
    assert [row.ok for row in rows] == [True]
    assert not Measurement.objects.exists()
    done = measurement_import_confirm(actor=tenant.member, session=session)
    assert (done.imported, done.skipped) == (1, 0)
    assert Measurement.objects.get().value == Decimal("18.4")
    # Imported once: nothing is pending any more.
    with pytest.raises(ValidationError, match="Choose a CSV or Excel file"):
        measurement_import_confirm(actor=tenant.member, session=session)
    with pytest.raises(PermissionDenied):
        measurement_import_preview(
            actor=tenant.viewer, upload=SimpleUploadedFile("v.csv", content), session=session
        )


def test_pulse_answers_are_read_and_checked_by_the_service(tenant: Tenant, client) -> None:
    teams = [TeamFactory(organization=tenant.organization, name=name) for name in ("Eng", "Ops")]
    ProjectFactory(organization=tenant.organization, teams=[tenant.team, *teams])
    eng, ops = teams
    with pytest.raises(ValidationError) as refused:
        pulse_answer(
            actor=tenant.member,
            answers={f"satisfaction-{eng.pk}": "4", f"recommend-{ops.pk}": "many"},
        )
    assert refused.value.messages == [
        "Give Eng both ratings, or neither.",
        "Give Ops both ratings, or neither.",
    ]
    saved = pulse_answer(
        actor=tenant.member,
        answers={
            f"satisfaction-{eng.pk}": "4",
            f"recommend-{eng.pk}": "9",
            f"comment-{eng.pk}": " ok ",
        },
    )
    assert saved == 1
    answer = PulseAnswer.objects.get()
    assert (answer.team, answer.month, answer.comment) == (eng, date(2026, 11, 1), "ok")
    client.force_login(tenant.viewer.user)
    response = client.post(reverse("metrics:pulse", args=["acme"]), {f"satisfaction-{eng.pk}": "4"})
    assert response.status_code == 403
