"""Cell normalisers for legacy catalogues: a raw cell value in, a catalogue value or a CellError out.

Pure functions over what calamine returns (str, float, int, bool, date, datetime), built on the catalogue's
own checks in records.identifiers, records.dates and records.codes; no database.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import ric

from records import codes, dates, identifiers
from records.identifiers import compact, fold_width

from ..models import ImportFinding

Kind = ImportFinding.Kind

# Separators between several names or IDs in one cell, as typists and our own export write them.
PERSON_SEPARATORS = re.compile(r"[；;、，,/\n]")
_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_LINE_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
_PAGES = re.compile(r"^([0-9]+(?:\.0+)?)(页|张|p|P)?$")
_YEAR_TEXT = re.compile(r"^([0-9]{4})(年|年度)?$")

# Retention as the old catalogues wrote it (after `compact` and upper-casing), by DA/T 22 code.
RETENTION_WORDS = {
    "Y": "Y", "永久": "Y",
    "D100": "D100", "100年": "D100", "定期100年": "D100", "100": "D100",
    "D50": "D50", "50年": "D50", "定期50年": "D50", "50": "D50",
    "D30": "D30", "30年": "D30", "定期30年": "D30", "30": "D30",
    "D10": "D10", "10年": "D10", "定期10年": "D10", "10": "D10",
}  # fmt: skip
LEGACY_LONG, LEGACY_SHORT = "长期", "短期"

MANGLED_ID = gettext_lazy(
    "Citizen ID “%(value)s” was stored as a number and lost its last digits: key it in again as text."
)
LEGACY_RETENTION = gettext_lazy(
    "Legacy retention “%(word)s” imported as %(code)s by the office setting; check it against the paper."
)
UNKNOWN_RETENTION = gettext_lazy(
    "Retention “%(value)s” is not known: use 永久, 100年, 50年, 30年, 10年 or Y, D100, D50, D30, D10."
)


class CellError(ValueError):
    """A cell that cannot be imported as it stands; `kind` groups it in the preview."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Checked:
    value: object
    warnings: tuple[tuple[str, str], ...] = ()  # (kind, message)


def is_blank(value: object) -> bool:
    if value is None or value == "":
        return True
    # Most text cells start with a visible character; only the rest need the full fold.
    return (
        isinstance(value, str) and (value[0].isspace() or not value[0].isprintable()) and not compact(value)
    )


def text(value: object) -> str:
    """A text cell without padding (ideographic spaces included) and with single spaces inside.

    Numbers typed into text columns come back as Excel shows them: 123.0 is "123".
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _SPACES.sub(" ", str(value)).strip()


def multiline_text(value: object) -> str:
    """Like `text`, but line breaks typed into the cell (Alt+Enter) are kept."""
    if not isinstance(value, str):
        return text(value)
    lines = (_LINE_SPACES.sub(" ", line).strip() for line in value.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def split_people(value: object) -> list[str]:
    """The entries of a name or ID cell holding several (张三；李四); empty entries keep their place."""
    if is_blank(value):
        return []
    if not isinstance(value, str):
        return [value]  # type: ignore[list-item]
    return [part.strip() for part in PERSON_SEPARATORS.split(value)]


def citizen_id(value: object) -> Checked:
    """A citizen ID normalised, or converted from 15 digits, or refused; a number cell lost digits."""
    if _maybe_mangled(value) and identifiers.looks_like_float_mangled_id(value):
        shown = str(int(value)) if isinstance(value, int | float) else text(value)  # as the cell now holds it
        raise CellError(Kind.MANGLED_ID, MANGLED_ID % {"value": shown})
    raw = text(value)  # a 15-digit legacy ID survives a number cell whole
    try:
        checked = identifiers.check_citizen_id(raw)
    except identifiers.IdentifierError as error:
        raise CellError(Kind.CITIZEN_ID, str(error)) from None
    warnings = tuple((Kind.CITIZEN_ID, warning) for warning in checked.warnings)
    if checked.converted_from_15:
        message = _("15-digit citizen ID %(old)s converted to %(new)s") % {"old": raw, "new": checked.value}
        warnings += ((Kind.CONVERTED_ID, message),)
    return Checked(checked.value, warnings)


def _maybe_mangled(value: object) -> bool:
    """False for the plain ASCII text most ID cells hold, which looks_like_float_mangled_id always passes."""
    if not isinstance(value, str) or not value.isascii():
        return True
    return "." in value or "E" in value or "e" in value or value.rstrip().endswith("000")


def remembered(normalise: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Remember the normalised form of each value seen: the same dates, terms and employers recur on
    every page of a catalogue. Errors are not remembered, so their messages follow the current language."""
    cached = lru_cache(maxsize=20_000)(lambda value, _type: normalise(value))

    @wraps(normalise)
    def lookup(value: Any) -> Any:
        try:
            return cached(value, type(value))  # the type too: 2008 and 2008.0 and True are equal keys
        except TypeError:  # an unhashable value
            return normalise(value)

    return lookup


@remembered
def date(value: object) -> str:
    """A catalogue date (YYYYMMDD, or YYYYMM / YYYY) from any form a typist chose; "" for a blank cell."""
    if is_blank(value):
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    try:
        return str(dates.parse_legacy_date(value))
    except dates.DateError as error:
        raise CellError(Kind.DATE, str(error)) from None


def year(value: object) -> int:
    if isinstance(value, str) and (match := _YEAR_TEXT.match(compact(value))):
        value = match.group(1)
    try:
        return codes.check_year(value)
    except codes.CodeError as error:
        raise CellError(Kind.YEAR, str(error)) from None


def page_count(value: object) -> int:
    """12, 12.0, "12页" or full-width "１２" pages; 若干 (some), 0 and blank are refused."""
    if is_blank(value):
        raise CellError(Kind.PAGE_COUNT, _("The page count is empty; count the pages and enter the number."))
    if isinstance(value, str) and (match := _PAGES.match(compact(value))):
        value = int(float(match.group(1)))
    try:
        return codes.check_page_count(value)
    except codes.CodeError as error:
        raise CellError(Kind.PAGE_COUNT, str(error)) from None


def retention(value: object, *, legacy_long: str, legacy_short: str) -> Checked:
    """A DA/T 22 retention code; 长期 and 短期 map by the office setting, with a warning."""
    word = compact(text(value)).upper()
    if word in RETENTION_WORDS:
        return Checked(RETENTION_WORDS[word])
    for legacy, code in ((LEGACY_LONG, legacy_long), (LEGACY_SHORT, legacy_short)):
        if word == legacy:
            message = LEGACY_RETENTION % {"word": word, "code": code}
            return Checked(code, ((Kind.LEGACY_RETENTION, message),))
    raise CellError(Kind.RETENTION, UNKNOWN_RETENTION % {"value": text(value)})


@remembered
def employer_code(value: object) -> str:
    if is_blank(value):
        return ""
    try:
        return identifiers.check_employer_code(text(value))
    except identifiers.IdentifierError as error:
        raise CellError(Kind.EMPLOYER_CODE, str(error)) from None


@remembered
def term(value: object) -> str:
    """A vocabulary term as typed, for looking up by name or code: no spaces, ASCII-width letters."""
    return fold_width(compact(text(value))).upper()


# --- Speed ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def remembered_birth_places() -> Iterator[None]:
    """Within the block, look each (area code, birth year) up in stdnum's division table only once.

    check_citizen_id asks stdnum where every ID was issued, about 70 µs a time; an import meets the same
    few hundred areas and years a hundred thousand times. The answer depends on nothing else, so it is
    the same answer, kept for the duration of the block.
    """
    original = ric.get_birth_place

    @lru_cache(maxsize=20_000)
    def lookup(area: str, year: str) -> tuple[dict[str, str] | None, type[Exception] | None, tuple[Any, ...]]:
        try:
            return original(f"{area}{year}0101" + "0000"), None, ()
        except Exception as error:
            # The class and arguments, not the exception: raising one object again and again would chain
            # every caller's frames onto its traceback and keep them all alive.
            return None, type(error), error.args

    def get_birth_place(number: str) -> dict[str, str]:
        found, error, args = lookup(number[:6], number[6:10])
        if error is not None:
            raise error(*args)
        return dict(found or {})

    ric.get_birth_place = get_birth_place
    try:
        yield
    finally:
        ric.get_birth_place = original


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Within the block, no cyclic garbage collection.

    An import holds a hundred thousand rows while it makes a million small objects; the collector would
    walk all of them again and again and take a third of the time. Nothing an import makes is cyclic.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
