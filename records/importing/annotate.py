"""The error workbook: the user's own workbook with an error column on each catalogue sheet.

An .xlsx of ordinary size is opened with openpyxl and keeps its formatting; a legacy .xls (which openpyxl
cannot open) or a very large workbook is written anew from calamine's values in openpyxl's streaming mode,
keeping every sheet, row number, merge and hidden sheet. Either way the rows keep their numbers, so the
messages on the preview page point at the same cells, and the workbook can be corrected and imported again.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import MergedCell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from records.models import ImportFinding

from .reader import ERROR_COLUMN_TITLES, CatalogueWorkbook, SheetLayout, sniff
from .rows import Finding

Severity = ImportFinding.Severity
# Beyond this many cells openpyxl's full workbook model costs more memory than an import may take.
MAX_CELLS_KEPT_AS_IS = 250_000
_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
_TITLE_FONT = Font(bold=True, color="9C0006")
_WRAP = Alignment(wrap_text=True, vertical="top")


def error_column_title() -> str:
    return ERROR_COLUMN_TITLES[0]


def cell_message(finding: Finding) -> str:
    message = finding.message
    if finding.column:
        message = _("%(column)s %(header)s: %(message)s") % {
            "column": finding.column,
            "header": finding.header,
            "message": message,
        }
    if finding.severity == Severity.WARNING:
        message = _("Warning: %(message)s") % {"message": message}
    return message


def _by_sheet_and_row(findings: Iterable[Finding]) -> dict[str, dict[int, list[Finding]]]:
    grouped: dict[str, dict[int, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        if finding.severity != Severity.SKIPPED and finding.row > 0:
            grouped[finding.sheet][finding.row].append(finding)
    for rows in grouped.values():
        for found in rows.values():
            found.sort(key=lambda f: (f.severity != Severity.ERROR, f.column))
    return grouped


def write_error_workbook(
    source: str | Path, findings: Sequence[Finding], target: str | Path | IO[bytes], *, overrides: Any = None
) -> None:
    """Write the source workbook with an error column added to `target`, always as .xlsx."""
    grouped = _by_sheet_and_row(findings)
    with CatalogueWorkbook(source, overrides=overrides) as book:
        layouts = book.layouts
        cells = sum(layout.last_row * (layout.width + 1) for layout in layouts)
        if sniff(Path(source)) == "xlsx" and cells <= MAX_CELLS_KEPT_AS_IS:
            _annotate_in_place(Path(source), layouts, grouped, target)
        else:
            _rewrite(book, grouped, target)


def _error_column(layout: SheetLayout) -> int:
    """1-based column of the error column: the one an earlier download added, or the next free one."""
    return (layout.error_column if layout.error_column is not None else layout.width) + 1


def _annotate_in_place(
    source: Path, layouts: list[SheetLayout], grouped: dict[str, dict[int, list[Finding]]], target: Any
) -> None:
    workbook = load_workbook(source)
    for layout in layouts:
        if layout.skip or layout.name not in workbook.sheetnames:
            continue
        sheet = workbook[layout.name]
        column = _error_column(layout)
        title = sheet.cell(layout.header_row, column, error_column_title())
        title.font = _TITLE_FONT
        sheet.column_dimensions[get_column_letter(column)].width = 60
        if layout.error_column is not None:  # the previous download's messages go
            for number in range(layout.header_row + 1, layout.last_row + 1):
                sheet.cell(number, column).value = None
        for number, found in grouped.get(layout.name, {}).items():
            cell = sheet.cell(number, column, "\n".join(cell_message(f) for f in found))
            cell.alignment = _WRAP
            for finding in found:
                if finding.column and not isinstance(
                    marked := sheet[f"{finding.column}{number}"], MergedCell
                ):
                    marked.fill = _ERROR_FILL if finding.severity == Severity.ERROR else _WARNING_FILL
    workbook.save(target)


def _rewrite(book: CatalogueWorkbook, grouped: dict[str, dict[int, list[Finding]]], target: Any) -> None:
    workbook = Workbook(write_only=True)
    for layout in book.layouts:
        sheet = workbook.create_sheet(title=layout.name)
        if book.is_hidden(layout.index):
            sheet.sheet_state = "hidden"
        column = _error_column(layout) if not layout.skip else None
        if column is not None:
            sheet.column_dimensions[get_column_letter(column)].width = 60
        found_by_row = grouped.get(layout.name, {})
        for number, values in book.sheet_values(layout.index):
            found = found_by_row.get(number, [])
            marks = {f.column: f.severity for f in found if f.column}
            row: list[Any] = [
                _cell(sheet, value, marks.get(get_column_letter(i + 1))) for i, value in enumerate(values)
            ]
            if column is not None:
                row += [None] * (column - 1 - len(row))
                row = row[: column - 1]
                if number == layout.header_row:
                    row.append(_styled(sheet, error_column_title(), font=_TITLE_FONT))
                elif found:
                    row.append(_styled(sheet, "\n".join(cell_message(f) for f in found), alignment=_WRAP))
            sheet.append(row)
        for (first_row, first_col), (last_row, last_col) in book.merged_ranges(layout.index):
            first = f"{get_column_letter(first_col + 1)}{first_row + 1}"
            sheet.merged_cells.add(f"{first}:{get_column_letter(last_col + 1)}{last_row + 1}")
    if not workbook.worksheets:
        workbook.create_sheet()
    workbook.save(target)


def _styled(sheet: Any, value: Any, **styles: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value)
    for name, style in styles.items():
        setattr(cell, name, style)
    return cell


def _cell(sheet: Any, value: Any, severity: str | None) -> Any:
    if value == "" or value is None:
        return None
    styles: dict[str, Any] = {}
    if severity:
        styles["fill"] = _ERROR_FILL if severity == Severity.ERROR else _WARNING_FILL
    if isinstance(value, datetime.datetime | datetime.date):
        styles["number_format"] = (
            "yyyy-mm-dd" if not isinstance(value, datetime.datetime) else "yyyy-mm-dd hh:mm"
        )
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("=") or value in ERROR_CODES:
            cell = _styled(sheet, value, **styles)
            cell.data_type = "s"  # catalogue text, not a formula or an error value
            return cell
    if isinstance(value, datetime.time | datetime.timedelta):
        value = str(value)
    return _styled(sheet, value, **styles) if styles else value
