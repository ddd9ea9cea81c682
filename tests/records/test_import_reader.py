"""Reading workbooks as the office typed them: layout, sheets, headers, merges, non-data rows, bad files."""

import zipfile

import pytest
from django.utils import translation

from records.importing.reader import IGNORE, CatalogueWorkbook, DataRow, Skip, WorkbookError
from records.models import ImportFinding

from .workbooks import (
    DATA_START,
    HEADER_ROW,
    SheetSpec,
    catalogue_sheet,
    column_of,
    encrypted_xlsx_bytes,
    good_row,
    write_xlsx,
    xls_bytes,
    xlsx_bytes,
)

Kind = ImportFinding.Kind


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def read(path, **options):
    with CatalogueWorkbook(path, **options) as book:
        return book.layouts, list(book.events())


def data_rows(events):
    return [(event.layout.name, event.number, event.values) for event in events if isinstance(event, DataRow)]


def skips(events):
    return {(event.layout.name, event.row): event.kind for event in events if isinstance(event, Skip)}


def test_title_and_note_rows_above_the_header_are_skipped_and_the_header_found(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [catalogue_sheet(rows=[good_row()])])
    layouts, events = read(path)
    assert layouts[0].header_row == HEADER_ROW
    assert skips(events) == {("2008年", 1): Kind.TITLE_ROW, ("2008年", 2): Kind.TITLE_ROW}
    [(sheet, number, values)] = data_rows(events)
    assert (sheet, number) == ("2008年", DATA_START)
    assert values["title"] == "张三开户登记材料1"
    assert values["page_count"] == 3


def test_rows_and_columns_keep_their_spreadsheet_numbers_when_the_table_starts_further_in(tmp_path):
    headers = ["档号", "题名", "页数", "业务事项"]
    rows = [[None] * 5, [None] * 5, [None, None, *headers], [None, None, "", "题名一", 3, "开户登记"]]
    path = write_xlsx(tmp_path / "a.xlsx", [SheetSpec("目录", rows)])
    layouts, events = read(path)
    assert layouts[0].by_field["title"].letter == "D"
    assert [(number, values["title"]) for _sheet, number, values in data_rows(events)] == [(4, "题名一")]


def test_each_sheet_may_name_its_columns_differently(tmp_path):
    other = [
        "档号",
        "年度",
        "期限",
        "业务事项",
        "参保单位",
        "姓名",
        "公民身份号码",
        "文件题名",
        "日期",
        "页码数",
        "附注",
    ]
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [catalogue_sheet("2008年", [good_row()]), catalogue_sheet("2009年", [good_row()], headers=other)],
    )
    layouts, events = read(path)
    assert set(layouts[0].by_field) == set(layouts[1].by_field)
    assert layouts[1].by_field["citizen_id"].header == "公民身份号码"
    assert len(data_rows(events)) == 2


def test_headers_with_spaces_line_breaks_stars_and_units_are_recognised(tmp_path):
    headers = [" 题  名 ", "身份证\n号码", "*页数（页）", "业务事项"]
    path = write_xlsx(tmp_path / "a.xlsx", [SheetSpec("a", [headers, ["x", "", 1, "开户登记"]])])
    layouts, _events = read(path)
    assert {"title", "citizen_id", "page_count", "business_item"} <= set(layouts[0].by_field)


def test_an_unknown_header_is_reported_once_and_can_be_mapped(tmp_path):
    headers = [*catalogue_sheet().rows[2], "经办人员"]
    sheet = catalogue_sheet(rows=[{**good_row(), "经办人员": "刘敏"}], headers=headers)
    path = write_xlsx(tmp_path / "a.xlsx", [sheet])
    with CatalogueWorkbook(path) as book:
        assert book.unknown_headers() == [{"sheet": "2008年", "column": "L", "header": "经办人员"}]
        warnings = [e for e in book.events() if isinstance(e, Skip) and e.kind == Kind.HEADER]
    assert [(w.row, w.column, w.severity) for w in warnings] == [(HEADER_ROW, "L", "warning")]
    _layouts, events = read(path, overrides={"经办人员": "handler"})
    assert data_rows(events)[0][2]["handler"] == "刘敏"
    _layouts, events = read(path, overrides={"经办人员": IGNORE})
    assert "handler" not in data_rows(events)[0][2]


def test_a_second_column_meaning_the_same_is_not_read(tmp_path):
    headers = [*catalogue_sheet().rows[2], "参保单位"]
    sheet = catalogue_sheet(rows=[{**good_row(), "参保单位": "另一个单位"}], headers=headers)
    _layouts, events = read(write_xlsx(tmp_path / "a.xlsx", [sheet]))
    assert data_rows(events)[0][2]["employer_name"] == "福州某某科技有限公司"
    assert any(isinstance(e, Skip) and e.kind == Kind.HEADER and e.column == "L" for e in events)


def test_hidden_sheets_and_sheets_without_a_catalogue_header_are_skipped_and_said_so(tmp_path):
    sheets = [
        catalogue_sheet("2008年", [good_row()]),
        catalogue_sheet("旧表", [good_row()], hidden=True),
        SheetSpec("说明", [["本目录由档案室整理"], ["共三页"]]),
        SheetSpec("空表", []),
    ]
    layouts, events = read(write_xlsx(tmp_path / "a.xlsx", sheets))
    assert [layout.skip for layout in layouts] == ["", Kind.HIDDEN_SHEET, Kind.NO_HEADER, Kind.EMPTY_SHEET]
    skipped = skips(events)
    assert skipped[("旧表", 0)] == Kind.HIDDEN_SHEET
    assert skipped[("说明", 0)] == Kind.NO_HEADER
    assert skipped[("空表", 0)] == Kind.EMPTY_SHEET
    assert [sheet for sheet, _n, _v in data_rows(events)] == ["2008年"]


def test_an_employer_merged_down_over_several_rows_applies_to_each(tmp_path):
    rows = [good_row(n=n, 姓名=f"人员{n}") for n in range(1, 5)]
    rows[1]["单位名称"] = rows[2]["单位名称"] = None
    rows[3]["单位名称"] = "另一单位"
    employer = column_of("单位名称")
    merge = f"{employer}{DATA_START}:{employer}{DATA_START + 2}"
    _layouts, events = read(write_xlsx(tmp_path / "a.xlsx", [catalogue_sheet(rows=rows, merges=[merge])]))
    names = [values["employer_name"] for _s, _n, values in data_rows(events)]
    assert names == ["福州某某科技有限公司", "福州某某科技有限公司", "福州某某科技有限公司", "另一单位"]


def test_blank_rows_totals_notes_and_repeated_headers_are_skipped_not_errors(tmp_path):
    sheet = catalogue_sheet(
        rows=[good_row(n=1), {}, good_row(n=2), {"题名": "\u3000 "}],
        footer=[
            [
                "档号",
                "年度",
                "保管期限",
                "业务事项",
                "单位名称",
                "姓名",
                "身份证号",
                "题名",
                "日期",
                "页数",
                "备注",
            ],
            ["合计", None, None, None, None, None, None, None, None, 120],
            ["注：本页共2件"],
            ["制表人：王建国", None, None, "审核人：李秀兰"],
        ],
    )
    _layouts, events = read(write_xlsx(tmp_path / "a.xlsx", [sheet]))
    assert [n for _s, n, _v in data_rows(events)] == [DATA_START, DATA_START + 2]
    skipped = skips(events)
    assert skipped[("2008年", DATA_START + 1)] == Kind.BLANK_ROW
    assert skipped[("2008年", DATA_START + 3)] == Kind.BLANK_ROW
    assert skipped[("2008年", DATA_START + 4)] == Kind.HEADER_ROW
    assert skipped[("2008年", DATA_START + 5)] == Kind.TOTALS_ROW
    assert skipped[("2008年", DATA_START + 6)] == Kind.NOTE_ROW
    assert skipped[("2008年", DATA_START + 7)] == Kind.NOTE_ROW


def test_a_row_with_only_its_sequence_number_is_blank(tmp_path):
    headers = ["序号", "题名", "页数", "业务事项"]
    path = write_xlsx(tmp_path / "a.xlsx", [SheetSpec("a", [headers, [1, "x", 2, "开户登记"], [2], [3]])])
    _layouts, events = read(path)
    assert len(data_rows(events)) == 1
    assert sorted(skips(events).values()) == [Kind.BLANK_ROW, Kind.BLANK_ROW]


def test_a_legacy_xls_workbook_reads_like_the_same_xlsx(tmp_path):
    employer = column_of("单位名称")
    rows = [good_row(n=1), good_row(n=2, 单位名称=None), good_row(n=3, 日期=39580)]
    sheets = [
        catalogue_sheet(rows=rows, merges=[f"{employer}{DATA_START}:{employer}{DATA_START + 1}"]),
        catalogue_sheet("旧表", [good_row()], hidden=True),
    ]
    (tmp_path / "a.xls").write_bytes(xls_bytes(sheets))
    xls_layouts, xls_events = read(tmp_path / "a.xls")
    xlsx_layouts, xlsx_events = read(write_xlsx(tmp_path / "a.xlsx", sheets))
    assert [layout.summary() for layout in xls_layouts] == [layout.summary() for layout in xlsx_layouts]
    assert data_rows(xls_events) == data_rows(xlsx_events)
    assert skips(xls_events) == skips(xlsx_events)


def test_a_workbook_is_read_by_its_content_whatever_its_name(tmp_path):
    (tmp_path / "renamed.xls").write_bytes(xlsx_bytes([catalogue_sheet(rows=[good_row()])]))
    (tmp_path / "renamed.xlsx").write_bytes(xls_bytes([catalogue_sheet(rows=[good_row()])]))
    assert len(data_rows(read(tmp_path / "renamed.xls")[1])) == 1
    assert len(data_rows(read(tmp_path / "renamed.xlsx")[1])) == 1


# --- Files that are not catalogues at all ---


def _damaged_xml(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", [catalogue_sheet(rows=[good_row()])])
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, data[: len(data) // 2] if info.filename.endswith("sheet1.xml") else data)
    return damaged.read_bytes()


BAD_FILES = {
    "not a spreadsheet": (lambda tmp: "档号,题名\nZ001,张三\n".encode(), "not an Excel workbook"),
    "empty": (lambda tmp: b"", "empty"),
    "password-protected xlsx": (lambda tmp: encrypted_xlsx_bytes(), "password"),
    "password-protected xls": (
        lambda tmp: xls_bytes([catalogue_sheet(rows=[good_row()])], password=True),
        "password",
    ),
    "truncated": (lambda tmp: xlsx_bytes([catalogue_sheet(rows=[good_row()])])[:900], "damaged"),
    "damaged inside": (_damaged_xml, "damaged"),
    "another zip": (lambda tmp: b"PK\x03\x04" + b"\0" * 40, "damaged"),
    "no header": (
        lambda tmp: xlsx_bytes([SheetSpec("a", [["姓名", "电话"], ["张三", "123"]])]),
        "catalogue header",
    ),
    "no cell at all": (lambda tmp: xlsx_bytes([SheetSpec("a", [])]), "empty"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_file_that_is_no_catalogue_is_refused_with_a_clear_message(tmp_path, name):
    make, words = BAD_FILES[name]
    path = tmp_path / "upload.xlsx"
    path.write_bytes(make(tmp_path))
    with pytest.raises(WorkbookError) as refused:
        read(path)
    assert words in str(refused.value)
