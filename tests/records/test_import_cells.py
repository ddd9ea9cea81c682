"""Cell normalisers: each way a typist wrote a value, read into the catalogue's form or refused."""

import datetime

import pytest
from django.utils import translation

from records.importing import cells
from records.importing.cells import CellError
from records.models import ImportFinding

from .workbooks import citizen_id

Kind = ImportFinding.Kind
VALID = "11010519491231002X"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refused(normalise, value, **kwargs) -> CellError:
    with pytest.raises(CellError) as caught:
        normalise(value, **kwargs)
    return caught.value


# --- Citizen IDs ---


def test_an_id_stored_as_a_number_is_refused_for_rekeying_and_never_repaired():
    error = refused(cells.citizen_id, 110105194912310000.0)
    assert error.kind == Kind.MANGLED_ID
    assert "110105194912310000" in str(error)
    assert "key it in again" in str(error)


def test_an_id_typed_in_scientific_notation_is_refused_too():
    assert refused(cells.citizen_id, "1.10105E+17").kind == Kind.MANGLED_ID


@pytest.mark.parametrize(
    "raw",
    [
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "11010519491231002x",
        "\u3000" + VALID + "\u3000",
    ],
)
def test_spaces_full_width_digits_and_a_lower_case_x_are_normalised(raw):
    assert cells.citizen_id(raw).value == VALID


def test_an_old_15_digit_id_is_converted_with_a_warning():
    checked = cells.citizen_id("110105491231002")
    assert checked.value == "11010519491231002X"
    assert [kind for kind, _message in checked.warnings] == [Kind.CONVERTED_ID]


def test_a_15_digit_id_kept_in_a_number_cell_is_whole_and_converted():
    assert cells.citizen_id(110105491231002.0).value == "11010519491231002X"


def test_a_wrong_check_character_is_an_error():
    error = refused(cells.citizen_id, "110105194912310021")
    assert error.kind == Kind.CITIZEN_ID
    assert "should be X" in str(error)


def test_an_area_unknown_for_the_birth_year_is_only_a_warning():
    checked = cells.citizen_id(citizen_id("19600101", area="350102"))
    assert [kind for kind, _message in checked.warnings] == [Kind.CITIZEN_ID]


def test_remembered_birth_places_give_the_same_answers_and_raise_afresh_each_time():
    ids = [citizen_id("19600101", n, "350102") for n in range(3)] + [VALID]
    plain = [cells.citizen_id(i).warnings for i in ids]
    with cells.remembered_birth_places():
        remembered = [cells.citizen_id(i).warnings for i in ids]
    assert remembered == plain


# --- Dates ---


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime.date(2008, 5, 12), "20080512"),
        (datetime.datetime(2008, 5, 12, 9, 30), "20080512"),
        (39580.0, "20080512"),  # an Excel serial number in a cell without a date format
        ("2008.5.12", "20080512"),
        ("2008年5月12日", "20080512"),
        ("20080512", "20080512"),
        (20080512.0, "20080512"),
        ("2008-05-12", "20080512"),
        ("2008/5/12", "20080512"),
        ("２００８．５．１２", "20080512"),
        ("2008.5", "200805"),  # a month
        (2008.5, "200805"),
        ("2008", "2008"),
        ("", ""),
        (None, ""),
    ],
)
def test_dates_in_every_form_typists_used(raw, expected):
    assert cells.date(raw) == expected


@pytest.mark.parametrize("raw", ["2008.2.30", "2008年13月1日", "2008-02-30", "20080230", "去年", 2008.1])
def test_impossible_or_unreadable_dates_are_errors(raw):
    assert refused(cells.date, raw).kind == Kind.DATE


# --- Retention ---


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("永久", "Y"), ("Y", "Y"), ("y", "Y"), ("100年", "D100"), ("定期100年", "D100"), ("D100", "D100"),
        ("30年", "D30"), ("定期30年", "D30"), ("D30", "D30"), (" 30 年 ", "D30"), ("10年", "D10"),
        (30.0, "D30"),
    ],
)  # fmt: skip
def test_retention_words_map_to_codes(raw, code):
    assert cells.retention(raw, legacy_long="D30", legacy_short="D10") == cells.Checked(code)


@pytest.mark.parametrize(("raw", "code"), [("长期", "D50"), ("短期", "D30")])
def test_legacy_long_and_short_term_map_by_the_office_setting_with_a_warning(raw, code):
    checked = cells.retention(raw, legacy_long="D50", legacy_short="D30")
    assert checked.value == code
    assert [kind for kind, _message in checked.warnings] == [Kind.LEGACY_RETENTION]


def test_an_unknown_retention_word_is_an_error():
    assert refused(cells.retention, "暂存", legacy_long="D30", legacy_short="D10").kind == Kind.RETENTION


# --- Page counts ---


@pytest.mark.parametrize("raw", [12, 12.0, "12", "12页", "１２", " 12 页 ", "12.0"])
def test_page_counts(raw):
    assert cells.page_count(raw) == 12


@pytest.mark.parametrize("raw", ["若干", 0, "0", None, "", "  ", 12.5, -3])
def test_some_pages_zero_or_blank_are_errors(raw):
    assert refused(cells.page_count, raw).kind == Kind.PAGE_COUNT


# --- Text ---


def test_text_loses_padding_including_ideographic_spaces():
    assert cells.text("\u3000 张三开户  登记\u3000") == "张三开户 登记"


def test_numbers_in_text_columns_read_as_excel_shows_them():
    assert cells.text(123.0) == "123"
    assert cells.text(12.5) == "12.5"


def test_remarks_keep_their_line_breaks():
    assert cells.multiline_text(" 原件破损\u3000\r\n\n 已修复 ") == "原件破损\n已修复"


def test_several_people_in_one_cell_keep_their_places():
    assert cells.split_people("张三；李四、王五") == ["张三", "李四", "王五"]
    assert cells.split_people("；110105194912310021") == ["", "110105194912310021"]
