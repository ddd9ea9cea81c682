"""Every kind of mess in an old catalogue, checked row by row: what is read, and what is reported where."""

import pytest
from django.utils import translation

from records.importing import check_workbook
from records.models import BusinessItem, CatalogueSettings, Classification, Fonds, ImportFinding

from .workbooks import (
    DATA_START,
    HEADERS,
    SheetSpec,
    catalogue_sheet,
    citizen_id,
    column_of,
    good_row,
    write_xlsx,
)

Kind = ImportFinding.Kind
ROW = DATA_START  # the first item's spreadsheet row


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def fonds(db):
    return Fonds.objects.get(code="Z001")


def check(tmp_path, *rows, sheets=None, headers=HEADERS, **options):
    sheets = sheets or [catalogue_sheet(rows=rows, headers=headers)]
    path = write_xlsx(tmp_path / "catalogue.xlsx", sheets)
    return check_workbook(path, fonds=options.pop("fonds", None) or Fonds.objects.get(code="Z001"), **options)


def found(checked, severity="error"):
    """(sheet, row, column, kind) of each finding of the severity."""
    return [(f.sheet, f.row, f.column, f.kind) for f in checked.findings if f.severity == severity]


def only_row(checked):
    [row] = checked.rows
    return row


# --- Citizen IDs ---


def test_an_id_stored_as_a_number_is_an_error_asking_for_rekeying(fonds, tmp_path):
    checked = check(tmp_path, good_row(身份证号=110105194912310000))
    assert found(checked) == [("2008年", ROW, column_of("身份证号"), Kind.MANGLED_ID)]
    assert checked.rows == []
    assert checked.error_rows == 1


@pytest.mark.parametrize(
    "raw", [" 11010519491231002x ", "１１０１０５１９４９１２３１００２Ｘ", "110105 19491231 002X"]
)
def test_spaced_full_width_and_lower_case_ids_are_normalised(fonds, tmp_path, raw):
    row = only_row(check(tmp_path, good_row(身份证号=raw)))
    assert row.persons[0].citizen_id == "11010519491231002X"


def test_a_15_digit_id_is_converted_and_the_conversion_reported(fonds, tmp_path):
    checked = check(tmp_path, good_row(身份证号="110105491231002"))
    assert only_row(checked).persons[0].citizen_id == "11010519491231002X"
    assert found(checked, "warning") == [("2008年", ROW, column_of("身份证号"), Kind.CONVERTED_ID)]


def test_a_wrong_check_character_is_an_error(fonds, tmp_path):
    checked = check(tmp_path, good_row(身份证号="110105194912310021"))
    assert found(checked) == [("2008年", ROW, column_of("身份证号"), Kind.CITIZEN_ID)]


def test_several_persons_in_one_row_pair_names_with_ids(fonds, tmp_path):
    ids = [citizen_id(sequence=1), citizen_id(sequence=2)]
    row = only_row(check(tmp_path, good_row(姓名="张三；李四", 身份证号="；".join(ids))))
    assert [(p.name, p.citizen_id) for p in row.persons] == [("张三", ids[0]), ("李四", ids[1])]


def test_more_ids_than_names_is_an_error(fonds, tmp_path):
    checked = check(
        tmp_path, good_row(姓名="张三", 身份证号=f"{citizen_id(sequence=1)}；{citizen_id(sequence=2)}")
    )
    assert [kind for *_where, kind in found(checked)] == [Kind.PERSONS]


def test_an_id_without_a_name_is_an_error(fonds, tmp_path):
    checked = check(tmp_path, good_row(姓名=None))
    assert found(checked) == [("2008年", ROW, column_of("姓名"), Kind.REQUIRED)]


# --- Dates ---


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("2008.5.12", "20080512"), ("2008年5月12日", "20080512"), (20080512, "20080512"),
     ("2008-05-12", "20080512"), ("2008/5/12", "20080512"), (39580, "20080512"), ("2008.5", "200805"),
     (None, "")],
)  # fmt: skip
def test_dates_in_every_form_are_read(fonds, tmp_path, raw, stored):
    assert only_row(check(tmp_path, good_row(日期=raw))).date == stored


def test_a_real_date_cell_is_read(fonds, tmp_path):
    import datetime

    assert only_row(check(tmp_path, good_row(日期=datetime.date(2008, 5, 12)))).date == "20080512"


def test_an_impossible_date_is_an_error_in_its_column(fonds, tmp_path):
    checked = check(tmp_path, good_row(日期="2008.2.30"))
    assert found(checked) == [("2008年", ROW, column_of("日期"), Kind.DATE)]


# --- Retention ---


@pytest.mark.parametrize(
    ("raw", "code"),
    [("永久", "Y"), ("Y", "Y"), ("100年", "D100"), ("定期100年", "D100"), ("D100", "D100"), ("30年", "D30"),
     ("定期30年", "D30"), ("D30", "D30"), (None, "Y")],  # blank: the business item's default (开户登记: Y)
)  # fmt: skip
def test_retention_as_written_in_each_era(fonds, tmp_path, raw, code):
    checked = check(tmp_path, good_row(保管期限=raw))
    assert checked.layouts
    assert only_row(checked).retention_id == _retention(code)


def _retention(code):
    from records.models import RetentionPeriod

    return RetentionPeriod.objects.get(code=code).pk


def test_legacy_long_term_maps_by_the_office_setting_with_a_warning(fonds, tmp_path):
    CatalogueSettings.objects.update(legacy_long_term="D50", legacy_short_term="D30")
    checked = check(tmp_path, good_row(n=1, 保管期限="长期"), good_row(n=2, 保管期限="短期"))
    assert [row.retention_id for row in checked.rows] == [_retention("D50"), _retention("D30")]
    assert [kind for *_where, kind in found(checked, "warning")] == [Kind.LEGACY_RETENTION] * 2


def test_an_unknown_retention_word_is_an_error(fonds, tmp_path):
    checked = check(tmp_path, good_row(保管期限="暂存"))
    assert found(checked) == [("2008年", ROW, column_of("保管期限"), Kind.RETENTION)]


# --- Page counts ---


@pytest.mark.parametrize("raw", [12, 12.0, "12页", "１２"])
def test_page_counts_as_typed(fonds, tmp_path, raw):
    assert only_row(check(tmp_path, good_row(页数=raw))).page_count == 12


@pytest.mark.parametrize("raw", ["若干", 0, None])
def test_some_zero_or_blank_pages_are_errors(fonds, tmp_path, raw):
    checked = check(tmp_path, good_row(页数=raw))
    assert found(checked) == [("2008年", ROW, column_of("页数"), Kind.PAGE_COUNT)]


# --- Text and vocabulary ---


def test_padding_and_ideographic_spaces_are_trimmed(fonds, tmp_path):
    row = only_row(
        check(
            tmp_path,
            good_row(题名="\u3000 张三开户登记材料 \u3000", 姓名=" 张三\u3000", 业务事项=" 开户登记 "),
        )
    )
    assert (row.title, row.persons[0].name) == ("张三开户登记材料", "张三")


def test_an_unknown_business_item_is_an_error_and_no_term_is_created(fonds, tmp_path):
    before = BusinessItem.objects.count()
    checked = check(tmp_path, good_row(业务事项="工伤认定"))
    assert found(checked) == [("2008年", ROW, column_of("业务事项"), Kind.VOCABULARY)]
    assert BusinessItem.objects.count() == before


def test_a_business_item_may_be_given_by_its_code(fonds, tmp_path):
    assert (
        only_row(check(tmp_path, good_row(业务事项="gl01"))).business_item_id
        == BusinessItem.objects.get(code="GL01").pk
    )


def test_an_unknown_classification_is_an_error_and_a_blank_one_the_default(fonds, tmp_path):
    headers = [*HEADERS, "密级"]
    checked = check(tmp_path, good_row(n=1, 密级="绝密"), good_row(n=2), headers=headers)
    assert found(checked) == [("2008年", ROW, "L", Kind.VOCABULARY)]
    assert only_row(checked).classification_id == Classification.objects.get(is_default=True).pk


def test_a_business_category_that_contradicts_the_business_item_is_an_error(fonds, tmp_path):
    headers = [*HEADERS, "业务类别"]
    checked = check(
        tmp_path, good_row(n=1, 业务类别="待遇类"), good_row(n=2, 业务类别="管理类"), headers=headers
    )
    assert found(checked) == [("2008年", ROW, "L", Kind.VOCABULARY)]


def test_a_row_of_another_fonds_is_an_error(fonds, tmp_path):
    headers = [*HEADERS, "全宗号"]
    checked = check(tmp_path, good_row(n=1, 全宗号="Z002"), good_row(n=2, 全宗号="z001"), headers=headers)
    assert found(checked) == [("2008年", ROW, "L", Kind.VOCABULARY)]


def test_an_invalid_employer_code_is_an_error_and_a_valid_one_normalised(fonds, tmp_path):
    headers = [*HEADERS, "统一社会信用代码"]
    wrong, spaced = "91350100M000100Y44", " 91350100m000100y43 "
    checked = check(
        tmp_path,
        good_row(n=1, 统一社会信用代码=wrong),
        good_row(n=2, 统一社会信用代码=spaced),
        headers=headers,
    )
    assert found(checked) == [("2008年", ROW, "L", Kind.EMPLOYER_CODE)]
    assert only_row(checked).employer_code == "91350100M000100Y43"


def test_a_title_too_long_for_the_catalogue_is_an_error(fonds, tmp_path):
    assert found(check(tmp_path, good_row(题名="长" * 501))) == [
        ("2008年", ROW, column_of("题名"), Kind.TOO_LONG)
    ]


def test_an_empty_title_is_an_error(fonds, tmp_path):
    checked = check(tmp_path, good_row(题名=None, n=1), good_row(n=2))
    assert found(checked) == [("2008年", ROW, column_of("题名"), Kind.REQUIRED)]


# --- Years ---


def test_the_year_comes_from_the_year_column_else_the_sheet_name_else_the_date(fonds, tmp_path):
    headers = [h for h in HEADERS if h != "年度"]
    sheets = [
        catalogue_sheet("2009年度", [good_row(n=1, 日期="2010.1.5")], headers=headers),
        catalogue_sheet("目录", [good_row(n=2, 日期="2011.3.1"), good_row(n=3, 日期=None)], headers=headers),
    ]
    checked = check(tmp_path, sheets=sheets)
    assert [row.year for row in checked.rows] == [2009, 2011]
    assert found(checked) == [("目录", ROW + 1, "", Kind.YEAR)]


# --- Archival codes ---


def test_a_template_code_gives_the_item_number_and_a_typed_dot_is_read_as_the_middle_dot(fonds, tmp_path):
    checked = check(
        tmp_path, good_row(n=1, 档号="Z001-ZY·2008-Y-GL-0007"), good_row(n=2, 档号="Z001-ZY.2008-Y-GL-0008")
    )
    assert [(r.archival_code, r.item_number, r.legacy_code) for r in checked.rows] == [
        ("Z001-ZY·2008-Y-GL-0007", 7, False),
        ("Z001-ZY·2008-Y-GL-0008", 8, False),
    ]


def test_a_legacy_code_is_kept_as_the_old_catalogue_wrote_it(fonds, tmp_path):
    row = only_row(check(tmp_path, good_row(档号=" 1-1998-永久-7 ")))
    assert (row.archival_code, row.item_number, row.legacy_code) == ("1-1998-永久-7", None, True)


def test_a_code_that_contradicts_its_row_is_an_error(fonds, tmp_path):
    checked = check(tmp_path, good_row(档号="Z001-ZY·2009-Y-GL-0001"))
    assert found(checked) == [("2008年", ROW, column_of("档号"), Kind.ARCHIVAL_CODE)]


def test_the_year_and_retention_may_come_from_the_code(fonds, tmp_path):
    headers = [h for h in HEADERS if h not in ("年度", "保管期限")]
    row = only_row(check(tmp_path, good_row(档号="Z001-ZY·2005-D100-GL-0003", 日期=None), headers=headers))
    assert (row.year, row.retention_id) == (2005, _retention("D100"))


def test_a_code_repeated_in_the_file_is_an_error_on_the_repeat_only(fonds, tmp_path):
    code = "Z001-ZY·2008-Y-GL-0001"
    sheets = [
        catalogue_sheet("2008年", [good_row(n=1, 档号=code), good_row(n=2, 档号="Z001-ZY.2008-Y-GL-0001")]),
        catalogue_sheet("补录", [good_row(n=3, 档号=code)]),
    ]
    checked = check(tmp_path, sheets=sheets)
    assert found(checked) == [
        ("2008年", ROW + 1, column_of("档号"), Kind.DUPLICATE_CODE),
        ("补录", ROW, column_of("档号"), Kind.DUPLICATE_CODE),
    ]
    assert [row.row for row in checked.rows] == [ROW]


def test_rows_without_a_code_wait_for_one_and_an_item_number_column_builds_it(fonds, tmp_path):
    headers = [*HEADERS, "件号"]
    checked = check(tmp_path, good_row(n=1), good_row(n=2, 件号=12), headers=headers)
    assert [(r.archival_code, r.item_number) for r in checked.rows] == [
        ("", None),
        ("Z001-ZY·2008-Y-GL-0012", 12),
    ]


def test_a_row_typed_twice_without_a_code_is_a_warning(fonds, tmp_path):
    checked = check(tmp_path, good_row(n=1), good_row(n=1))
    assert found(checked, "warning") == [("2008年", ROW + 1, column_of("题名"), Kind.SAME_ROW)]
    assert len(checked.rows) == 2


def test_counts_of_good_error_and_skipped_rows(fonds, tmp_path):
    sheet = catalogue_sheet(
        rows=[good_row(n=1), good_row(n=2, 页数="若干"), {}, good_row(n=3)], footer=[["合计"]]
    )
    checked = check(tmp_path, sheets=[sheet, SheetSpec("隐藏", [["x"]], hidden=True)])
    # Skipped: the title and note rows, the blank row and the totals; the hidden sheet is listed apart.
    assert (checked.good_rows, checked.error_rows, checked.skipped_rows) == (2, 1, 4)


def test_a_template_code_beyond_item_number_9999_is_an_error(fonds, tmp_path):
    checked = check(tmp_path, good_row(档号="Z001-ZY·2008-Y-GL-12345"))
    assert found(checked) == [("2008年", ROW, column_of("档号"), Kind.ARCHIVAL_CODE)]
