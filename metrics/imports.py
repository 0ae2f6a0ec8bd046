"""Importing many manual KPI values from CSV or Excel: read, check every row, then apply
the good rows together. Broken rows are listed with their reason; nothing is half-imported."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from projects.access import require_editor
from projects.models import Membership, Organization

from .computations import period_start
from .models import Frequency, Kpi, Measurement

MAX_ROWS = 5000
COLUMNS = ("kpi", "period", "value", "note")


@dataclass
class ImportRow:
    line: int
    kpi: Kpi | None = None
    period: date | None = None
    value: Decimal | None = None
    note: str = ""
    error: str = ""
    replaces: Decimal | None = None

    @property
    def ok(self) -> bool:
        return not self.error


def _cells(upload: IO[bytes], name: str) -> list[list[str]]:
    if name.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
        except Exception as error:  # any unreadable workbook is the same to the person
            raise ValidationError(_("This is not an Excel file Opsboard can read.")) from error
        return [
            [
                ""
                if cell is None
                else (cell.date().isoformat() if isinstance(cell, datetime) else str(cell))
                for cell in row
            ]
            for row in sheet.iter_rows(values_only=True)
        ]
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(_("Save the CSV as UTF-8 and try again.")) from error
    return list(csv.reader(io.StringIO(text)))


def read_rows(*, organization: Organization, upload: IO[bytes], name: str) -> list[ImportRow]:
    """Check every row against the organisation's manual KPIs; nothing is saved."""
    cells = _cells(upload, name)
    if not cells:
        raise ValidationError(_("The file is empty."))
    header = [cell.strip().lower() for cell in cells[0]]
    if header[:3] != list(COLUMNS[:3]):
        raise ValidationError(_("The first row must name the columns: kpi, period, value, note."))
    if len(cells) - 1 > MAX_ROWS:
        raise ValidationError(_("At most %(count)s rows at a time.") % {"count": MAX_ROWS})
    kpis = {kpi.name.strip().lower(): kpi for kpi in Kpi.objects.filter(organization=organization)}
    kpis.update({str(kpi.pk): kpi for kpi in kpis.values()})
    existing = {
        (kpi_id, start): value
        for kpi_id, start, value in Measurement.objects.filter(
            kpi__organization=organization
        ).values_list("kpi_id", "period_start", "value")
    }
    today = timezone.localdate()
    rows, seen = [], set()
    for line, raw in enumerate(cells[1:], start=2):
        raw = [*raw, "", "", "", ""][:4]
        if not any(cell.strip() for cell in raw):
            continue
        row = ImportRow(line=line, note=raw[3].strip())
        rows.append(row)
        row.kpi = kpis.get(raw[0].strip().lower())
        if row.kpi is None:
            row.error = _("No KPI called “%(name)s”.") % {"name": raw[0].strip()}
            continue
        if row.kpi.is_computed:
            row.error = _("“%(name)s” is computed from the work.") % {"name": row.kpi.name}
            continue
        try:
            row.period = date.fromisoformat(raw[1].strip()[:10])
        except ValueError:
            row.error = _("The period is not a date (YYYY-MM-DD).")
            continue
        if period_start(row.kpi.frequency, row.period) != row.period:
            row.error = (
                _("A monthly KPI takes the first day of a month.")
                if row.kpi.frequency == Frequency.MONTHLY
                else _("A weekly KPI takes the Monday a week starts on.")
            )
            continue
        if row.period > today:
            row.error = _("The period has not started yet.")
            continue
        try:
            row.value = Decimal(raw[2].strip().replace(",", ""))
            if not row.value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            row.error = _("“%(value)s” is not a number.") % {"value": raw[2]}
            continue
        if (row.kpi.pk, row.period) in seen:
            row.error = _("The same KPI and period appear earlier in the file.")
            continue
        seen.add((row.kpi.pk, row.period))
        row.replaces = existing.get((row.kpi.pk, row.period))
    return rows


@transaction.atomic
def apply_rows(*, actor: Membership, rows: list[ImportRow]) -> int:
    """Save the good rows, all or none."""
    require_editor(actor)
    good = [row for row in rows if row.ok]
    for row in good:
        Measurement.objects.update_or_create(
            kpi=row.kpi,
            period_start=row.period,
            defaults={"value": row.value, "note": row.note, "recorded_by": actor.user},
        )
    return len(good)
