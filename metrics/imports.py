"""Importing many manual KPI values from CSV or Excel: read, check every row, then apply
the good rows together. Broken rows are listed with their reason; nothing is half-imported.

The import page works in two steps: ``measurement_import_preview`` reads the upload (at
most ``MAX_IMPORT_BYTES`` of it), lists every row and keeps the file as the person's
pending import; ``measurement_import_confirm`` reads the kept file again, against the
values as they are then, and saves its good rows.
"""

from __future__ import annotations

import base64
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from projects.access import require_editor
from projects.models import Membership, Organization

from .models import Kpi, Measurement
from .services import period_refusal

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# Far more than MAX_ROWS rows of four cells take unpacked, even with styles and long notes.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
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


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, float):
        # Excel keeps 15 significant digits; beyond them a float is binary noise (0.1 + 0.2).
        return format(cell, ".15g")
    return str(cell)


def _lines(upload: IO[bytes], name: str) -> Iterator[list[str]]:
    """The file's rows as text, one at a time: a big file is never read whole."""
    if name.lower().endswith(".xlsx"):
        _check_unpacked_size(upload)
        try:
            sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
            # max_col: a sheet claiming thousands of columns is not padded out to them.
            for row in sheet.iter_rows(max_col=len(COLUMNS), values_only=True):
                yield [_cell_text(cell) for cell in row]
        except Exception as error:  # any unreadable workbook is the same to the person
            raise ValidationError(_("This is not an Excel file Opsboard can read.")) from error
        return
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(text)
    except UnicodeDecodeError as error:
        raise ValidationError(_("Save the CSV as UTF-8 and try again.")) from error
    except csv.Error as error:
        raise ValidationError(_("This is not a CSV file Opsboard can read.")) from error
    finally:
        text.detach()  # the upload stays open for whoever passed it


def _check_unpacked_size(upload: IO[bytes]) -> None:
    """Refuse a workbook that unpacks to more than MAX_UNPACKED_BYTES: a few compressed
    megabytes can hold gigabytes of XML, and a sheet that does not state its size is read
    to its end when it is opened. The sizes are those the zip declares, which reading it
    enforces."""
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ValidationError(_("This is not an Excel file Opsboard can read.")) from error
    finally:
        upload.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(
            _("The workbook holds more than %(count)s rows' worth of data.") % {"count": MAX_ROWS}
        )


def _field_error(model: type[models.Model], field: str, value: object) -> str:
    """The model field's own validators (max_length, max_digits, decimal_places), so a row the
    preview accepts is a row the database takes."""
    try:
        model._meta.get_field(field).run_validators(value)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def read_rows(*, organization: Organization, upload: IO[bytes], name: str) -> list[ImportRow]:
    """Check every row against the organisation's manual KPIs; nothing is saved.

    Rows are read one at a time and the reading stops at the first row beyond ``MAX_ROWS``.
    """
    with closing(_lines(upload, name)) as lines:
        return _check_rows(organization=organization, lines=lines)


def _check_rows(*, organization: Organization, lines: Iterator[list[str]]) -> list[ImportRow]:
    header = next(lines, None)
    if header is None:
        raise ValidationError(_("The file is empty."))
    if [cell.strip().lower() for cell in header][:3] != list(COLUMNS[:3]):
        raise ValidationError(_("The first row must name the columns: kpi, period, value, note."))
    # A KPI by its name (a built-in's in either language), or by its number.
    organization_kpis = list(Kpi.objects.filter(organization=organization))
    kpis = {name.strip().lower(): kpi for kpi in organization_kpis for name in kpi.names()}
    kpis.update({str(kpi.pk): kpi for kpi in organization_kpis})
    existing = {
        (kpi_id, start): value
        for kpi_id, start, value in Measurement.objects.filter(
            kpi__organization=organization
        ).values_list("kpi_id", "period_start", "value")
    }
    rows, seen = [], set()
    for line, raw in enumerate(lines, start=2):
        if line - 1 > MAX_ROWS:
            raise ValidationError(_("At most %(count)s rows at a time.") % {"count": MAX_ROWS})
        raw = [*raw, "", "", "", ""][:4]
        if not any(cell.strip() for cell in raw):
            continue
        row = ImportRow(line=line)
        rows.append(row)
        if any("\x00" in cell for cell in raw):
            row.error = _("The row holds a NUL character, which no text may contain.")
            continue
        row.note = raw[3].strip()
        row.kpi = kpis.get(raw[0].strip().lower())
        if row.kpi is None:
            row.error = _("No KPI called “%(name)s”.") % {"name": raw[0].strip()}
            continue
        if row.kpi.is_computed:
            row.error = _("“%(name)s” is computed from the work.") % {"name": row.kpi.display_name}
            continue
        try:
            row.period = date.fromisoformat(raw[1].strip()[:10])
        except ValueError:
            row.error = _("The period is not a date (YYYY-MM-DD).")
            continue
        row.error = period_refusal(row.kpi, row.period)
        if row.error:
            continue
        try:
            row.value = Decimal(raw[2].strip().replace(",", ""))
            if not row.value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            row.error = _("“%(value)s” is not a number.") % {"value": raw[2]}
            continue
        row.error = _field_error(Measurement, "value", row.value) or _field_error(
            Measurement, "note", row.note
        )
        if row.error:
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


@dataclass
class Imported:
    imported: int
    skipped: int


def measurement_import_preview(
    *, actor: Membership, upload: UploadedFile | None, session: SessionBase
) -> list[ImportRow]:
    """Check every row of an uploaded file, and keep the file in the person's session for
    ``measurement_import_confirm``; nothing is saved. A file that cannot be read is not kept."""
    require_editor(actor)
    name, content = _read_upload(upload)
    _pending_keep(session, name=name, content=content)
    try:
        return read_rows(organization=actor.organization, upload=io.BytesIO(content), name=name)
    except ValidationError:
        _pending_drop(session)
        raise


@transaction.atomic
def measurement_import_confirm(
    *, actor: Membership, session: SessionBase, upload: UploadedFile | None = None
) -> Imported:
    """Save the good rows of the file previewed last, read again now (the values may have
    changed since). With none pending, a file sent along is read and saved in one step."""
    require_editor(actor)
    name, content = _pending_take(session) or _read_upload(upload)
    rows = read_rows(organization=actor.organization, upload=io.BytesIO(content), name=name)
    return Imported(
        imported=apply_rows(actor=actor, rows=rows), skipped=sum(1 for row in rows if not row.ok)
    )


def _read_upload(upload: UploadedFile | None) -> tuple[str, bytes]:
    """The upload's name and bytes, refused beyond ``MAX_IMPORT_BYTES``: one byte past the
    limit is enough to know it is too big, and the rest is never read."""
    if upload is None:
        raise ValidationError(_("Choose a CSV or Excel file."))
    content = upload.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is larger than 2 MB."))
    return upload.name or "", content


# The pending import: the file previewed last, kept in the person's session (stored on the
# server) until it is imported or another file is previewed.
PENDING_SESSION_KEY = "kpi_import"


def _pending_keep(session: SessionBase, *, name: str, content: bytes) -> None:
    session[PENDING_SESSION_KEY] = {"name": name, "content": base64.b64encode(content).decode()}


def _pending_take(session: SessionBase) -> tuple[str, bytes] | None:
    stored = session.pop(PENDING_SESSION_KEY, None)
    if stored is None:
        return None
    return stored["name"], base64.b64decode(stored["content"])


def _pending_drop(session: SessionBase) -> None:
    session.pop(PENDING_SESSION_KEY, None)
