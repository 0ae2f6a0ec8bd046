"""CSV and Excel exports: what people wrote goes out as text, never as a formula.

A spreadsheet takes a cell that starts with = + - @, a tab or a carriage return for a
formula (OWASP, "CSV injection"), so a card called ``=HYPERLINK(...)`` would run in the
reader's Excel. Every export writes through here; numbers stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: Any) -> Any:
    """A CSV cell: text a spreadsheet would read as a formula gets a leading apostrophe,
    which spreadsheets take to mean "text" (-15 as a number is not text and stays as it is)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    """csv.writer with every cell passed through ``as_text``."""

    def __init__(self, file: Any) -> None:
        self._writer = csv.writer(file)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([as_text(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_response(filename: str) -> tuple[HttpResponse, CsvWriter]:
    """A CSV download and the writer to fill it with."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads Chinese names as UTF-8
    return response, CsvWriter(response)


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as a file, with no cell a formula: openpyxl stores any text starting
    with = as one, so such cells are stored as the text they are. (Text starting with
    + - @ is stored as text already; in a workbook it needs no apostrophe.)"""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    output = BytesIO()
    book.save(output)
    return output.getvalue()
