"""Catalogue dates (DA/T 18 日期: YYYYMMDD, or a month or year alone for legacy data)."""

import calendar
import datetime
import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from records.identifiers import compact, fold_width

MIN_YEAR = 1900
MAX_YEAR = 2100


class DateError(ValueError):
    """A date that cannot be accepted; the message is meant for the user."""


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        _check_parts(self.year, self.month, self.day, shown=f"{self.year}-{self.month}-{self.day}")

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}{self.month:02d}"
        return f"{self.year:04d}{self.month:02d}{self.day:02d}"

    @classmethod
    def from_date(cls, value: datetime.date) -> "PartialDate":
        return cls(value.year, value.month, value.day)

    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> datetime.date:
        month = self.month or 12
        return datetime.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])


def _check_parts(year: int, month: int | None, day: int | None, *, shown: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError(
            _("The year of date “%(value)s” must be between %(min)d and %(max)d")
            % {"value": shown, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    if month is None:
        if day is not None:
            raise DateError(_("Date “%(value)s” has a day but no month") % {"value": shown})
        return
    if not 1 <= month <= 12:
        raise DateError(
            _("Date “%(value)s” does not exist: there is no month %(month)d")
            % {"value": shown, "month": month}
        )
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise DateError(
            _("Date “%(value)s” does not exist: month %(month)d of %(year)d has no day %(day)d")
            % {"value": shown, "year": year, "month": month, "day": day}
        )


def _partial(year: str | int, month: str | int | None, day: str | int | None, *, shown: str) -> PartialDate:
    parts = (int(year), None if month is None else int(month), None if day is None else int(day))
    _check_parts(*parts, shown=shown)
    return PartialDate(*parts)


_CATALOGUE_DATE = re.compile(r"^([0-9]{4})(?:([0-9]{2})([0-9]{2})?)?$")


def parse_catalogue_date(raw: str) -> PartialDate:
    """Parse the catalogue form: YYYYMMDD, or YYYYMM / YYYY where only a month or year is known."""
    text = fold_width(raw).strip()
    match = _CATALOGUE_DATE.match(text)
    if not match:
        raise DateError(
            _("Date “%(value)s” must be YYYYMMDD, or YYYYMM or YYYY when only the month or year is known")
            % {"value": text}
        )
    year, month, day = match.groups()
    return _partial(year, month, day, shown=text)


# --- Legacy spreadsheet cells -----------------------------------------------------------------

# Excel's 1900 date system counts a fictitious 1900-02-29 (serial 60, kept from Lotus 1-2-3),
# so serials from 61 on are days since 1899-12-30 and serials below 60 days since 1899-12-31.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_FAKE_LEAP_DAY = 60
_TRAILING_TIME = re.compile(r"[T\s]+[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$")
_SEPARATED_DATE = re.compile(r"^([0-9]{4})(?:\.([0-9]{1,2})(?:\.([0-9]{1,2}))?)?$")


def parse_legacy_date(value: object) -> PartialDate:
    """Read a date from an old catalogue cell, whatever form the typist chose.

    Whole numbers of 8, 6 or 4 digits are read as YYYYMMDD, YYYYMM and YYYY; other
    numbers are Excel serials. A fractional number like 2008.5 was typed as year.month.
    """
    if value is None or (isinstance(value, str) and not compact(value)):
        raise DateError(_("The date is empty"))
    if isinstance(value, datetime.date):
        return _partial(value.year, value.month, value.day, shown=value.isoformat())
    if isinstance(value, bool):
        raise DateError(_("Cannot read the date “%(value)s”") % {"value": value})
    if isinstance(value, int | float):
        return _parse_number(value)
    if isinstance(value, str):
        return _parse_text(value)
    raise DateError(_("Cannot read the date “%(value)s”") % {"value": value})


def _parse_number(value: int | float) -> PartialDate:
    shown = repr(value) if isinstance(value, float) else str(value)
    if not math.isfinite(value):
        raise DateError(_("Cannot read the date “%(value)s”") % {"value": shown})
    if isinstance(value, float) and not value.is_integer():
        if MIN_YEAR <= value < MAX_YEAR + 1:
            return _year_dot_month(value, shown)
        return _from_excel_serial(int(value), shown)
    whole = int(value)
    digits = str(whole)
    if len(digits) in (4, 6, 8) and MIN_YEAR <= int(digits[:4]) <= MAX_YEAR:
        return _partial(digits[:4], digits[4:6] or None, digits[6:8] or None, shown=shown)
    return _from_excel_serial(whole, shown)


def _year_dot_month(value: float, shown: str) -> PartialDate:
    year, month = repr(value).split(".")
    # A number cell keeps no trailing zero: "2008.10" became 2008.1, same as "2008.1".
    if month == "1":
        raise DateError(
            _("Date “%(value)s” may be January or October (number cells drop a final 0); check the original")
            % {"value": shown}
        )
    return _partial(year, month, None, shown=shown)


def _from_excel_serial(serial: int, shown: str) -> PartialDate:
    if serial == _EXCEL_FAKE_LEAP_DAY:
        raise DateError(
            _("Date “%(value)s” is Excel's 29 February 1900, a day that never existed") % {"value": shown}
        )
    if serial < 1:
        raise DateError(_("Cannot read the date “%(value)s”") % {"value": shown})
    offset = serial if serial > _EXCEL_FAKE_LEAP_DAY else serial + 1
    try:
        day = _EXCEL_EPOCH + datetime.timedelta(days=offset)
    except OverflowError:
        raise DateError(_("Cannot read the date “%(value)s”") % {"value": shown}) from None
    return _partial(day.year, day.month, day.day, shown=shown)


def _parse_text(raw: str) -> PartialDate:
    shown = raw.strip()
    text = compact(_TRAILING_TIME.sub("", fold_width(shown)))
    if text.isascii() and text.isdigit() and len(text) in (4, 6, 8):
        return _partial(text[:4], text[4:6] or None, text[6:8] or None, shown=shown)
    for mark in ("年", "月", "-", "/"):
        text = text.replace(mark, ".")
    text = text.removesuffix("日").removesuffix("号").rstrip(".")
    match = _SEPARATED_DATE.match(text)
    if not match:
        raise DateError(_("Cannot read the date “%(value)s”") % {"value": shown})
    year, month, day = match.groups()
    return _partial(year, month, day, shown=shown)
