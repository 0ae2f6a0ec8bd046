"""The matrix as an Excel workbook: coloured roles, frozen headers, a legend."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from opsboard.exports import workbook_bytes

from .models import RaciRole
from .selectors import Matrix

ROLE_FILLS = {
    RaciRole.RESPONSIBLE: "C8E6C9",
    RaciRole.ACCOUNTABLE: "FFCDD2",
    RaciRole.CONSULTED: "BBDEFB",
    RaciRole.INFORMED: "ECEFF1",
}
HEADER_FILL = PatternFill("solid", fgColor="DFE4EA")
PROBLEM_FONT = Font(color="B3261E")


def matrix_xlsx(matrix: Matrix) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("RACI")[:31]
    holders = matrix.holders
    first_role_column = 3

    # Row 1: each team over its columns; row 2: the team itself, then its people.
    sheet.cell(row=1, column=1, value=matrix.project.name).font = Font(bold=True)
    column = first_role_column
    for team, team_holders in matrix.teams:
        sheet.cell(row=1, column=column, value=team.name).font = Font(bold=True)
        if len(team_holders) > 1:
            sheet.merge_cells(
                start_row=1,
                start_column=column,
                end_row=1,
                end_column=column + len(team_holders) - 1,
            )
        column += len(team_holders)
    headers = [_("Card"), _("Column"), *[h.name for h in holders], _("Problems")]
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(
            wrap_text=True,
            vertical="bottom",
            text_rotation=90 if 3 <= index < 3 + len(holders) else 0,
        )

    for row_number, row in enumerate(matrix.rows, start=3):
        sheet.cell(row=row_number, column=1, value=row.card.title)
        sheet.cell(row=row_number, column=2, value=row.card.column.display_name)
        for offset, holder in enumerate(holders):
            role = row.role_of(holder)
            cell = sheet.cell(row=row_number, column=first_role_column + offset, value=role or None)
            cell.alignment = Alignment(horizontal="center")
            if role:
                cell.fill = PatternFill("solid", fgColor=ROLE_FILLS[RaciRole(role)])
                cell.font = Font(bold=role == RaciRole.ACCOUNTABLE)
        problems = sheet.cell(
            row=row_number,
            column=first_role_column + len(holders),
            value="; ".join(p.message for p in row.problems) or None,
        )
        problems.font = PROBLEM_FONT

    sheet.freeze_panes = sheet.cell(row=3, column=first_role_column)
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 14
    for offset in range(len(holders)):
        sheet.column_dimensions[get_column_letter(first_role_column + offset)].width = 5
    sheet.column_dimensions[get_column_letter(first_role_column + len(holders))].width = 60

    legend = book.create_sheet(_("Legend")[:31])
    legend.append([_("Letter"), _("Role"), _("Means")])
    meanings = {
        RaciRole.RESPONSIBLE: _("does the work"),
        RaciRole.ACCOUNTABLE: _("makes the final decision; exactly one per card"),
        RaciRole.CONSULTED: _("the expert asked before deciding"),
        RaciRole.INFORMED: _("kept informed of progress"),
    }
    for role in RaciRole:
        legend.append([role.value, str(role.label), meanings[role]])
        legend.cell(row=legend.max_row, column=1).fill = PatternFill(
            "solid", fgColor=ROLE_FILLS[role]
        )
    for cell in legend[1]:
        cell.font = Font(bold=True)
    legend.column_dimensions["B"].width = 16
    legend.column_dimensions["C"].width = 50

    return workbook_bytes(book)
