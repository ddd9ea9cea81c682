import datetime

import pytest

from records.dates import DateError, PartialDate, parse_catalogue_date, parse_legacy_date

# --- PartialDate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (PartialDate(2008, 5, 12), "20080512"),
        (PartialDate(2008, 5), "200805"),
        (PartialDate(2008), "2008"),
        (PartialDate(1900, 1, 1), "19000101"),
    ],
)
def test_it_prints_a_date_in_catalogue_form(date, text):
    assert str(date) == text


def test_it_makes_a_partial_date_from_a_date():
    assert PartialDate.from_date(datetime.date(2008, 5, 12)) == PartialDate(2008, 5, 12)


@pytest.mark.parametrize(
    ("date", "first", "last"),
    [
        (PartialDate(2008, 5, 12), datetime.date(2008, 5, 12), datetime.date(2008, 5, 12)),
        (PartialDate(2008, 2), datetime.date(2008, 2, 1), datetime.date(2008, 2, 29)),
        (PartialDate(2007, 2), datetime.date(2007, 2, 1), datetime.date(2007, 2, 28)),
        (PartialDate(2008), datetime.date(2008, 1, 1), datetime.date(2008, 12, 31)),
    ],
)
def test_it_knows_the_first_and_last_day_it_covers(date, first, last):
    assert (date.first_day(), date.last_day()) == (first, last)


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [(2008, None, 12), (2008, 13, None), (2008, 0, None), (2008, 2, 30), (1899, 12, 31), (2101, 1, 1)],
)
def test_it_refuses_to_hold_an_impossible_date(year, month, day):
    with pytest.raises(DateError):
        PartialDate(year, month, day)


def test_it_cannot_be_changed():
    date = PartialDate(2008)
    with pytest.raises(AttributeError):
        date.year = 2009


# --- Catalogue form ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20080512", PartialDate(2008, 5, 12)),
        ("200805", PartialDate(2008, 5)),
        ("2008", PartialDate(2008)),
        (" 20080512 ", PartialDate(2008, 5, 12)),
        ("２００８０５１２", PartialDate(2008, 5, 12)),
        ("19000101", PartialDate(1900, 1, 1)),
        ("21001231", PartialDate(2100, 12, 31)),
        ("20000229", PartialDate(2000, 2, 29)),
    ],
)
def test_it_parses_the_three_catalogue_forms(raw, expected):
    assert parse_catalogue_date(raw) == expected


@pytest.mark.parametrize(
    "raw", ["2008-05-12", "2008.5.12", "2008年", "08", "20085", "2008051", "200805121", "", "abcd"]
)
def test_it_rejects_any_other_catalogue_form(raw):
    with pytest.raises(DateError, match="格式错误"):
        parse_catalogue_date(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("20080230", "日期“20080230”不存在：2008年2月没有30日"),
        ("19000229", "日期“19000229”不存在：1900年2月没有29日"),
        ("200813", "日期“200813”不存在：没有13月"),
        ("200800", "日期“200800”不存在：没有0月"),
        ("20080500", "日期“20080500”不存在：2008年5月没有0日"),
        ("18991231", "日期“18991231”的年份应在1900至2100之间"),
        ("2101", "日期“2101”的年份应在1900至2100之间"),
    ],
)
def test_it_rejects_an_impossible_catalogue_date_and_names_it(raw, message):
    with pytest.raises(DateError) as error:
        parse_catalogue_date(raw)
    assert str(error.value) == message


# --- Legacy cells --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2008.5.12", "20080512"),
        ("2008.05.12", "20080512"),
        ("2008年5月12日", "20080512"),
        ("2008年5月12号", "20080512"),
        ("2008年05月12日", "20080512"),
        (" 2008 年 5 月 12 日 ", "20080512"),
        ("20080512", "20080512"),
        ("2008-05-12", "20080512"),
        ("2008/5/12", "20080512"),
        ("2008-05-12 00:00:00", "20080512"),
        ("2008-05-12T08:30", "20080512"),
        ("２００８．５．１２", "20080512"),
        ("２００８年５月１２日", "20080512"),
        ("\u30002008-05-12\u3000", "20080512"),
        ("2008.5", "200805"),
        ("2008.10", "200810"),
        ("2008年5月", "200805"),
        ("2008-05", "200805"),
        ("200805", "200805"),
        ("2008", "2008"),
        ("2008年", "2008"),
        ("２００８", "2008"),
    ],
)
def test_it_reads_the_ways_typists_wrote_a_date(value, expected):
    assert str(parse_legacy_date(value)) == expected


@pytest.mark.parametrize("value", [datetime.datetime(2008, 5, 12, 14, 30), datetime.date(2008, 5, 12)])
def test_it_takes_date_cells_as_they_are(value):
    assert parse_legacy_date(value) == PartialDate(2008, 5, 12)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (39580, "20080512"),
        (39580.0, "20080512"),
        (39580.75, "20080512"),
        (1, "19000101"),
        (59, "19000228"),
        (61, "19000301"),
        (73415, "21001231"),
    ],
)
def test_it_converts_excel_serial_numbers_in_the_1900_date_system(serial, expected):
    assert str(parse_legacy_date(serial)) == expected


def test_it_rejects_excels_fictitious_february_29_1900():
    with pytest.raises(DateError, match="1900年2月29日"):
        parse_legacy_date(60)


@pytest.mark.parametrize(("number", "expected"), [(20080512, "20080512"), (200805, "200805"), (2008, "2008")])
def test_it_reads_whole_numbers_of_8_6_or_4_digits_as_written_dates(number, expected):
    assert str(parse_legacy_date(number)) == expected


@pytest.mark.parametrize(
    ("number", "expected"), [(2008.5, "200805"), (2008.05, "200805"), (2008.12, "200812")]
)
def test_it_reads_a_year_dot_month_number_cell(number, expected):
    assert str(parse_legacy_date(number)) == expected


def test_it_refuses_to_guess_between_january_and_october_in_a_number_cell():
    with pytest.raises(DateError, match="1月还是10月"):
        parse_legacy_date(2008.1)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2008.2.30", "2008.2.30"),
        ("2007.2.29", "2007.2.29"),
        ("2008.13", "2008.13"),
        ("2008.0", "2008.0"),
        ("2008年13月", "2008年13月"),
        ("20080230", "20080230"),
        ("1899.12.31", "1899.12.31"),
        (20081301, "20081301"),
        (2008.13, "2008.13"),
    ],
)
def test_it_rejects_an_impossible_legacy_date_and_names_the_value(value, shown):
    with pytest.raises(DateError) as error:
        parse_legacy_date(value)
    assert f"“{shown}”" in str(error.value)


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "08.5.12",
        "2008.5.12.1",
        "2008..5",
        "39580",
        "5/12/2008",
        0,
        -5,
        80000,
        float("nan"),
        float("inf"),
        True,
        object(),
    ],
)
def test_it_rejects_what_it_cannot_read(value):
    with pytest.raises(DateError):
        parse_legacy_date(value)


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_it_reports_an_empty_cell(value):
    with pytest.raises(DateError, match="日期为空"):
        parse_legacy_date(value)
