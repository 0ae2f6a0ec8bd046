"""Every CSV and Excel export writes what people typed as text, never as a formula."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kanban.models import Card
from kanban.services import CardInput, card_create
from metrics.computations import period_start
from metrics.models import Frequency, Kpi, Measurement, Source
from raci.services import policy_update, raci_set
from tests.conftest import RaciSetup, Tenant

# Each starts a formula in a spreadsheet (OWASP's list, with tab and carriage return).
FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1"]
# A card's title is stripped when it is saved through the service.
TYPED = [formula for formula in FORMULAS if not formula[0].isspace()]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_raci_exports_keep_titles_names_and_problems_as_text(
    tenant: Tenant, raci: RaciSetup, client
) -> None:
    person = tenant.member.user
    person.full_name = "=HYPERLINK(1)"
    person.save()
    policy_update(actor=tenant.manager, consulted_limit=3, accountable_limit=1)
    for title in TYPED:
        card = card_create(actor=tenant.lead, board=raci.board, data=CardInput(title=title))
        raci_set(actor=tenant.lead, card=card, role="A", user=person)
        raci_set(actor=tenant.lead, card=card, role="R", user=tenant.lead.user)
    client.force_login(tenant.viewer.user)

    lines = read_csv(client.get(reverse("raci:export_csv", args=["acme", raci.project.pk])))
    assert "'=HYPERLINK(1)" in lines[0]
    titles = [line[0] for line in lines[1:]]
    assert all("'" + title in titles for title in TYPED)
    problems = [line[-1] for line in lines[1:] if line[0] == "'=1+1"]
    assert problems[0].startswith("'=HYPERLINK(1) is Accountable for 4 open cards")

    response = client.get(reverse("raci:export_xlsx", args=["acme", raci.project.pk]))
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert set(TYPED) <= texts  # as typed, without an apostrophe to see
    assert "=HYPERLINK(1)" in texts
    assert any(str(text).startswith("=HYPERLINK(1) is Accountable") for text in texts)


def test_kpi_csv_escapes_the_name_and_keeps_a_negative_value_a_number(
    tenant: Tenant, client
) -> None:
    kpi = Kpi.objects.create(
        organization=tenant.organization, name="-cost saving", source=Source.MANUAL,
        frequency=Frequency.WEEKLY, target=-15, amber_threshold=-10, red_threshold=-5,
    )  # fmt: skip
    week = period_start(Frequency.WEEKLY, timezone.localdate()) - timedelta(weeks=1)
    Measurement.objects.create(kpi=kpi, period_start=week, value=Decimal("-15"))
    client.force_login(tenant.viewer.user)
    response = client.get(
        reverse("metrics:kpi_detail", args=["acme", kpi.pk]),
        {"format": "csv", "period": week.isoformat()},
    )
    lines = read_csv(response)
    assert lines[0][1] == "'-cost saving"
    values = {line[0]: line[1] for line in lines[1:]}
    assert Decimal(values[week.isoformat()]) == Decimal("-15")
    assert all(Decimal(line[2]) == Decimal("-15") for line in lines[1:])


def test_cycle_time_csv_escapes_card_titles(tenant: Tenant, raci: RaciSetup, client) -> None:
    done = raci.board.columns.get(kind="done")
    now = timezone.now()
    for title in FORMULAS:
        Card.objects.create(
            board=raci.board,
            column=done,
            title=title,
            started_at=now - timedelta(days=3),
            done_at=now - timedelta(days=1),
        )
    client.force_login(tenant.viewer.user)
    response = client.get(
        reverse("metrics:dashboard", args=["acme"]), {"chart": "cycle", "format": "csv"}
    )
    lines = read_csv(response)
    assert sorted(line[2] for line in lines[1:]) == sorted("'" + title for title in FORMULAS)
    assert all(Decimal(line[1]) == 2 for line in lines[1:])  # the days stay numbers
