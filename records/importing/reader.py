"""Reading legacy Excel catalogues with calamine: sheets, header rows, merged cells, rows without items.

No database here. A workbook becomes a list of sheet layouts (which column holds which catalogue field) and a
stream of events: a data row with its raw cell values by field, or a row or sheet skipped with the reason.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any

import python_calamine
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from records.identifiers import compact

from ..models import ImportFinding

logger = logging.getLogger(__name__)
Kind = ImportFinding.Kind
IGNORE = "ignore"

# The catalogue fields a column can hold, in the order the mapping form offers them.
FIELDS: dict[str, Promise] = {
    "archival_code": gettext_lazy("Archival code"),
    "fonds": gettext_lazy("Fonds"),
    "year": gettext_lazy("Year"),
    "retention": gettext_lazy("Retention"),
    "business_category": gettext_lazy("Business category"),
    "business_item": gettext_lazy("Business item"),
    "item_number": gettext_lazy("Item number"),
    "title": gettext_lazy("Title"),
    "creator": gettext_lazy("Creator"),
    "date": gettext_lazy("Date"),
    "document_number": gettext_lazy("Document number"),
    "page_count": gettext_lazy("Page count"),
    "keywords": gettext_lazy("Keywords"),
    "remarks": gettext_lazy("Remarks"),
    "classification": gettext_lazy("Classification"),
    "openness": gettext_lazy("Openness"),
    "employer_code": gettext_lazy("Employer code"),
    "employer_name": gettext_lazy("Employer name"),
    "person_name": gettext_lazy("Name"),
    "citizen_id": gettext_lazy("Citizen ID number"),
    "serial_number": gettext_lazy("Business serial number"),
    "handler": gettext_lazy("Handler"),
    "handled_on": gettext_lazy("Handling date"),
}

# What twenty years of typists called each column, after `normalize_header`.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "archival_code": ("档号", "档案号", "档案编号"),
    "fonds": ("全宗号", "全宗", "全宗代码"),
    "year": ("年度", "年份", "归档年度"),
    "retention": ("保管期限", "期限", "保存期限"),
    "business_category": ("业务类别", "类别"),
    "business_item": ("业务事项", "事项", "业务类型", "业务名称", "事项名称"),
    "item_number": ("件号", "顺序号"),
    "title": ("题名", "文件题名", "标题", "文件名称", "文件标题"),
    "creator": ("责任者",),
    "date": ("日期", "文件日期", "形成日期", "成文日期", "文件形成日期"),
    "document_number": ("文件编号", "文号", "发文字号"),
    "page_count": ("页数", "页码数", "总页数", "张数"),
    "keywords": ("主题词", "关键词"),
    "remarks": ("备注", "附注"),
    "classification": ("密级",),
    "openness": ("开放标识", "开放状态"),
    "employer_code": ("单位编号", "单位代码", "统一社会信用代码", "社会信用代码", "信用代码", "组织机构代码"),
    "employer_name": ("单位名称", "参保单位", "参保单位名称", "用人单位", "单位"),
    "person_name": ("姓名", "人员姓名", "参保人", "参保人员", "参保人姓名"),
    "citizen_id": (
        "身份证号",
        "公民身份号码",
        "身份证号码",
        "身份证",
        "证件号码",
        "社会保障号码",
        "社会保障号",
    ),
    "serial_number": ("业务流水号", "流水号"),
    "handler": ("经办人",),
    "handled_on": ("经办日期", "办理日期", "受理日期"),
    IGNORE: ("序号",),
}
# The column the error workbook adds; read back, it is ignored, and written again in place.
ERROR_COLUMN_TITLES = ("导入错误", "Importerrors")
SYNONYMS: dict[str, str] = {name: key for key, names in _SYNONYMS.items() for name in names} | dict.fromkeys(
    ERROR_COLUMN_TITLES, IGNORE
)

HEADER_SCAN_ROWS = 30  # a header further down than this is not a catalogue header
MIN_KNOWN_HEADERS = 3
PROGRESS_EVERY = 1000

_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_TOTALS = re.compile(r"^(合计|总计|小计|共计|累计)")
_NOTE = re.compile(
    r"^(注|说明|备注|附注|制表人?|填表人?|审核人?|复核人?|校对人?|录入人?|制表日期|填表日期)"
    r"[0-9一二三四五六七八九十]*[：:.、]"
)
_SHEET_YEAR = re.compile(r"(?<![0-9])(19[0-9]{2}|20[0-9]{2})(?![0-9])")
_ZIP, _COMPOUND = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

NO_HEADER = gettext_lazy(
    "No sheet has a catalogue header: a header row naming 题名 and at least two other columns (档号, 页数…)."
)
UNKNOWN_COLUMN = gettext_lazy(
    "Column “%(header)s” is not a catalogue field and was not read; map it on the preview page if needed."
)
SAME_COLUMN = gettext_lazy(
    "Column “%(header)s” means the same as column %(first)s “%(first_header)s”; only the first is read."
)
PASSWORD = gettext_lazy(
    "The workbook is protected by a password: remove the password in Excel, save it and upload it again."
)
DAMAGED = gettext_lazy(
    "The file is damaged and cannot be read: open it in Excel, save it again as .xlsx and upload that copy."
)
NOT_A_WORKBOOK = gettext_lazy(
    "The file is not an Excel workbook (.xlsx or .xls); open other files in Excel and save them as .xlsx."
)


class WorkbookError(Exception):
    """A file that cannot be read as a catalogue at all; the message says why, for the user."""


def normalize_header(value: object) -> str:
    """A header cell as the synonym table knows it: no spaces or line breaks, no *, no bracketed units."""
    text = compact(str(value)) if value not in (None, "") else ""
    return _BRACKETED.sub("", text).replace("*", "").replace("＊", "")


@dataclass(frozen=True)
class Column:
    index: int  # 0-based, absolute
    header: str
    field: str  # a key of FIELDS, IGNORE, or "" when the header is not recognised

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)


@dataclass
class SheetLayout:
    """A sheet as the import sees it: where its header is and what each column holds, or why it is skipped."""

    name: str
    index: int
    skip: str = ""  # a Kind of skipped sheet, or "" for a catalogue sheet
    header_row: int = 0  # 1-based
    columns: list[Column] = field(default_factory=list)
    last_row: int = 0  # 1-based number of the sheet's last row
    width: int = 0  # number of columns up to the last used one
    error_column: int | None = None  # 0-based index of an error column from an earlier download
    year: int | None = None  # a year in the sheet name ("2008年"), for rows without a year

    @cached_property
    def by_field(self) -> dict[str, Column]:
        return {column.field: column for column in self.columns if column.field and column.field != IGNORE}

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "skip": self.skip,
            "header_row": self.header_row,
            "last_row": self.last_row,
            "columns": [[column.letter, column.header, column.field] for column in self.columns],
        }


@dataclass(slots=True)
class DataRow:
    layout: SheetLayout
    number: int  # the spreadsheet's own 1-based row number
    values: dict[str, Any]  # field -> raw cell value, merged cells filled in


@dataclass(frozen=True)
class Skip:
    layout: SheetLayout
    row: int  # 0 for the whole sheet
    kind: str
    column: str = ""
    header: str = ""
    message: str = ""
    severity: str = ImportFinding.Severity.SKIPPED


Progress = Callable[[int, int], None]


class CatalogueWorkbook:
    """An open workbook: `layouts` describe every sheet; `events()` streams the catalogue sheets' rows."""

    def __init__(self, path: str | Path, *, overrides: Mapping[str, str] | None = None) -> None:
        self.path = Path(path)
        self.synonyms = SYNONYMS | {normalize_header(k): v for k, v in (overrides or {}).items()}
        self._tempdir: str | None = None
        self._book = self._open()
        self._metas = list(self._book.sheets_metadata)
        # Sheets are read one at a time and let go once done: a sheet's cells take more memory than its rows.
        self._sheets: dict[int, Any] = {}
        self._layouts: dict[int, SheetLayout] = {}
        if not self._metas:
            self.close()
            raise WorkbookError(_("The workbook is empty: none of its sheets holds any cell."))

    @property
    def layouts(self) -> list[SheetLayout]:
        """Every sheet's layout; WorkbookError if no sheet is a catalogue."""
        for index in range(len(self._metas)):
            if index not in self._layouts:
                self._layout_of(index)
                self._sheets.pop(index, None)
        layouts = [self._layouts[index] for index in range(len(self._metas))]
        if not any(layout.skip == "" for layout in layouts):
            if all(layout.skip == Kind.EMPTY_SHEET for layout in layouts):
                raise WorkbookError(_("The workbook is empty: none of its sheets holds any cell."))
            raise WorkbookError(str(NO_HEADER))
        return layouts

    def _layout_of(self, index: int) -> SheetLayout:
        if index not in self._layouts:
            self._layouts[index] = self._layout(index, self._metas[index])
        return self._layouts[index]

    def __enter__(self) -> CatalogueWorkbook:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._sheets.clear()
        self._book.close()
        if self._tempdir:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    @property
    def total_rows(self) -> int:
        return sum(layout.last_row for layout in self.layouts if not layout.skip)

    # --- opening ----------------------------------------------------------------------------------

    def _open(self) -> python_calamine.CalamineWorkbook:
        kind = sniff(self.path)
        path = self.path
        if path.suffix.lower() != f".{kind}":
            # calamine picks its reader by the name's extension; a renamed file is read as what it is.
            self._tempdir = tempfile.mkdtemp(prefix="import-")
            path = Path(self._tempdir) / f"workbook.{kind}"
            path.symlink_to(self.path.resolve())
        try:
            return python_calamine.CalamineWorkbook.from_path(path)
        except python_calamine.PasswordError:
            raise WorkbookError(str(PASSWORD)) from None
        except (python_calamine.CalamineError, OSError, ValueError) as error:
            logger.info("calamine cannot open %s: %s", self.path, error)
            raise WorkbookError(str(DAMAGED)) from None

    def _sheet(self, index: int) -> Any:
        if index not in self._sheets:
            try:
                self._sheets[index] = self._book.get_sheet_by_index(index)
            except (python_calamine.CalamineError, ValueError) as error:
                logger.info("calamine cannot read sheet %d of %s: %s", index, self.path, error)
                raise WorkbookError(str(DAMAGED)) from None
        return self._sheets[index]

    def _layout(self, index: int, meta: Any) -> SheetLayout:
        layout = SheetLayout(name=meta.name, index=index)
        match = _SHEET_YEAR.search(meta.name)
        layout.year = int(match.group(1)) if match else None
        if meta.visible != python_calamine.SheetVisibleEnum.Visible:
            layout.skip = Kind.HIDDEN_SHEET
            return layout
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            layout.skip = Kind.NO_HEADER
            return layout
        sheet = self._sheet(index)
        if sheet.end is None:
            layout.skip = Kind.EMPTY_SHEET
            return layout
        layout.last_row, layout.width = sheet.end[0] + 1, sheet.end[1] + 1
        for number, cells in _rows(sheet):
            if number > HEADER_SCAN_ROWS:
                break
            columns = self._columns(cells)
            known = {column.field for column in columns if column.field and column.field != IGNORE}
            if "title" in known and len(known) >= MIN_KNOWN_HEADERS:
                layout.header_row = number
                layout.columns = _first_of_each_field(columns)
                layout.error_column = next(
                    (c.index for c in columns if normalize_header(c.header) in ERROR_COLUMN_TITLES), None
                )
                return layout
        layout.skip = Kind.NO_HEADER
        self._sheets.pop(index, None)
        return layout

    def _columns(self, cells: list[Any]) -> list[Column]:
        columns = []
        for index, value in enumerate(cells):
            if _is_empty(value):
                continue
            header = str(value).strip()
            columns.append(Column(index, header, self.synonyms.get(normalize_header(value), "")))
        return columns

    # --- reading --------------------------------------------------------------------------------

    def events(self, progress: Progress | None = None) -> Iterator[DataRow | Skip]:
        """Every data row and every skipped row or sheet, sheet by sheet, in the workbook's order."""
        done = 0
        for index in range(len(self._metas)):
            layout = self._layout_of(index)
            if layout.skip:
                yield Skip(layout, 0, layout.skip, message=_sheet_skip_message(layout.skip))
                continue
            yield from self._header_findings(layout)
            sheet = self._sheet(layout.index)
            fills = _vertical_merges(sheet, below=layout.header_row)
            pending: dict[int, tuple[Any, int]] = {}  # column -> (value, last row of its merge)
            fields = [(c.index, c.field) for c in layout.columns if c.field and c.field != IGNORE]
            for number, cells in _rows(sheet):
                done += 1
                if progress is not None and done % PROGRESS_EVERY == 0:
                    progress(done, self._estimated_rows(index))
                if number < layout.header_row:
                    if not all(_is_empty(value) for value in cells):
                        yield Skip(
                            layout, number, Kind.TITLE_ROW, message=_("Title or note above the header")
                        )
                    continue
                if number == layout.header_row:
                    continue
                blank = all(_is_empty(value) for value in cells)
                for column, last in fills.pop(number, ()):
                    pending[column] = (cells[column] if column < len(cells) else "", last)
                for column, (value, last) in list(pending.items()):
                    if number > last:
                        del pending[column]
                    elif column < len(cells) and _is_empty(cells[column]):
                        cells[column] = value
                if blank:
                    yield Skip(layout, number, Kind.BLANK_ROW, message=_("Blank row"))
                    continue
                if skip := self._non_data_row(layout, number, cells, fields):
                    yield skip
                    continue
                values = {name: cells[index] if index < len(cells) else "" for index, name in fields}
                yield DataRow(layout, number, values)
            self._sheets.pop(layout.index, None)  # its cells are no longer needed
        total = self.total_rows  # also: WorkbookError if no sheet was a catalogue
        if progress is not None:
            progress(total, total)

    def _estimated_rows(self, current: int) -> int:
        """Rows of the sheets read so far, and as many again per sheet still to come."""
        read = [self._layouts[i] for i in range(current + 1) if not self._layouts[i].skip]
        rows = sum(layout.last_row for layout in read)
        waiting = sum(
            1
            for meta in self._metas[current + 1 :]
            if meta.visible == python_calamine.SheetVisibleEnum.Visible
        )
        return rows + rows // max(len(read), 1) * waiting

    def _non_data_row(
        self, layout: SheetLayout, number: int, cells: list[Any], fields: list[tuple[int, str]]
    ) -> Skip | None:
        first = next((compact(str(value)) for value in cells if not _is_empty(value)), "")
        if _TOTALS.match(first):
            return Skip(layout, number, Kind.TOTALS_ROW, message=_("Totals row (合计)"))
        if _NOTE.match(first):
            return Skip(layout, number, Kind.NOTE_ROW, message=_("Note row (注：…)"))
        if all(index >= len(cells) or _is_empty(cells[index]) for index, _field in fields):
            return Skip(layout, number, Kind.BLANK_ROW, message=_("No catalogue data in this row"))
        title = layout.by_field["title"].index  # a repeated header names the title too: look there first
        if title >= len(cells) or self.synonyms.get(normalize_header(cells[title])) != "title":
            return None
        repeated = sum(
            1
            for index, name in fields
            if index < len(cells) and self.synonyms.get(normalize_header(cells[index])) == name
        )
        if repeated >= MIN_KNOWN_HEADERS:
            return Skip(
                layout, number, Kind.HEADER_ROW, message=_("The header repeated (a new printed page)")
            )
        return None

    def _header_findings(self, layout: SheetLayout) -> Iterator[Skip]:
        """Warnings about the header: columns not read, and columns saying what an earlier column said."""
        seen: dict[str, Column] = {}
        for column in self._columns(self._header_cells(layout)):
            if column.field == IGNORE:
                continue
            if not column.field:
                message = UNKNOWN_COLUMN % {"header": column.header}
            elif column.field in seen:
                first = seen[column.field]
                message = SAME_COLUMN % {
                    "header": column.header,
                    "first": first.letter,
                    "first_header": first.header,
                }
            else:
                seen[column.field] = column
                continue
            yield Skip(
                layout,
                layout.header_row,
                Kind.HEADER,
                column=column.letter,
                header=column.header,
                message=message,
                severity=ImportFinding.Severity.WARNING,
            )

    def _header_cells(self, layout: SheetLayout) -> list[Any]:
        for number, cells in _rows(self._sheet(layout.index)):
            if number == layout.header_row:
                return cells
        return []

    def unknown_headers(self) -> list[dict[str, str]]:
        """The unrecognised header cells of the catalogue sheets, for the mapping form."""
        return [
            {"sheet": layout.name, "column": column.letter, "header": column.header}
            for layout in self.layouts
            if not layout.skip
            for column in layout.columns
            if not column.field
        ]

    def sheet_values(self, index: int) -> Iterator[tuple[int, list[Any]]]:
        """Every row of a sheet as calamine reads it, for rewriting the workbook with an error column."""
        yield from _rows(self._sheet(index))

    def merged_ranges(self, index: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        return self._sheet(index).merged_cell_ranges or []

    def is_hidden(self, index: int) -> bool:
        return self._book.sheets_metadata[index].visible != python_calamine.SheetVisibleEnum.Visible


def _first_of_each_field(columns: list[Column]) -> list[Column]:
    """A second column for a field already read (参保单位 beside 单位名称) is kept, but marked unread."""
    seen: set[str] = set()
    result = []
    for column in columns:
        if column.field and column.field != IGNORE:
            if column.field in seen:
                column = Column(column.index, column.header, IGNORE)
            seen.add(column.field)
        result.append(column)
    return result


def _rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """(1-based row number, cells from column A) for every row up to the sheet's last.

    calamine's iter_rows starts at the sheet's first row but at its first used column, so the cells are
    shifted right to their real columns; the row count is checked so a changed calamine cannot shift rows.
    """
    start = sheet.start
    if start is None:
        return
    offset = [""] * start[1]
    number = 0
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        yield number, offset + cells if offset else cells
    if number != sheet.end[0] + 1:
        raise RuntimeError(f"calamine returned {number} rows for a sheet ending on row {sheet.end[0] + 1}")


def _vertical_merges(sheet: Any, *, below: int) -> dict[int, list[tuple[int, int]]]:
    """Merges spanning several rows under the header, as {1-based first row: [(column, last row)]}.

    A merged cell's value belongs to its top-left cell; an employer merged down over several person rows
    applies to each of them, so the value is carried down the merge's first column.
    """
    merges: dict[int, list[tuple[int, int]]] = {}
    for (first_row, first_col), (last_row, _last_col) in sheet.merged_cell_ranges or []:
        if last_row > first_row and first_row + 1 > below:
            merges.setdefault(first_row + 1, []).append((first_col, last_row + 1))
    return merges


def _is_empty(value: object) -> bool:
    if value is None or value == "":
        return True
    # Most text cells start with a visible character; only the rest need the full fold.
    return (
        isinstance(value, str) and (value[0].isspace() or not value[0].isprintable()) and not compact(value)
    )


def sniff(source: Path | IO[bytes]) -> str:
    """ "xlsx" or "xls" by the file's content, whatever its name says; WorkbookError for anything else.

    Takes a path or an open binary file (an upload, before anything is stored); a file is rewound.
    """
    if isinstance(source, Path):
        try:
            with open(source, "rb") as file:
                return sniff(file)
        except OSError as error:
            raise WorkbookError(
                _("The file cannot be opened: %(error)s") % {"error": error.strerror}
            ) from None
    source.seek(0)
    head = source.read(8)
    try:
        if not head:
            raise WorkbookError(_("The file is empty (0 bytes)."))
        if head.startswith(_ZIP):
            try:
                with zipfile.ZipFile(source) as archive:
                    names = set(archive.namelist())
            except (zipfile.BadZipFile, OSError):
                raise WorkbookError(str(DAMAGED)) from None
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "xl/workbook.bin" in names or "content.xml" in names:
                raise WorkbookError(
                    _("This format (.xlsb or .ods) is not read here: save it in Excel as .xlsx.")
                )
            raise WorkbookError(str(NOT_A_WORKBOOK))
        if head == _COMPOUND:
            source.seek(0)
            # An encrypted .xlsx is a compound file holding the encrypted package; an encrypted .xls is
            # told apart by calamine when it opens the workbook.
            if _ENCRYPTED_PACKAGE in source.read():
                raise WorkbookError(str(PASSWORD))
            return "xls"
        raise WorkbookError(str(NOT_A_WORKBOOK))
    finally:
        source.seek(0)


def _sheet_skip_message(kind: str) -> str:
    if kind == Kind.HIDDEN_SHEET:
        return _("Hidden sheet: not read. Unhide it in Excel if it belongs to the catalogue.")
    if kind == Kind.EMPTY_SHEET:
        return _("Empty sheet")
    return _("No catalogue header in the first %(rows)d rows: the sheet was not read.") % {
        "rows": HEADER_SCAN_ROWS
    }
