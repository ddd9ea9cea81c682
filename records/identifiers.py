"""Checks for the identifiers the catalogue stores: citizen IDs, credit codes, organisation codes.

Pure functions, no database. Error messages are English msgids for `gettext`;
the Simplified Chinese users see is in locale/zh_Hans.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

# Full-width ASCII (U+FF01..U+FF5E) sits exactly 0xFEE0 above ASCII; U+3000 is the ideographic space.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Invisible characters that ride along when values are pasted from Excel or web pages.
_INVISIBLE = {code: None for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)}


def fold_width(text: str) -> str:
    """Map full-width ASCII characters and the ideographic space to their ASCII forms."""
    return text.translate(_HALFWIDTH)


def compact(text: str) -> str:
    """Fold width and drop every whitespace or invisible character."""
    return "".join(fold_width(text).translate(_INVISIBLE).split())


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


class IdentifierError(ValueError):
    """An identifier that cannot be accepted; the message is meant for the user."""


# --- Citizen ID (公民身份号码), GB 11643-1999 ----------------------------------------------------

# ISO 7064 MOD 11-2 as GB 11643 writes it out: position i (1..17) weighs 2^(18-i) mod 11,
# and the check character is "10X98765432"[sum % 11].
_CITIZEN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CITIZEN_ID_CHECK_CHARS = "10X98765432"


@dataclass(frozen=True)
class CheckedId:
    value: str
    warnings: tuple[str, ...] = ()
    converted_from_15: bool = False


def normalize_citizen_id(raw: str) -> str:
    return compact(raw).upper()


def citizen_id_check_char(first17: str) -> str:
    if len(first17) != 17 or not _is_digits(first17):
        raise IdentifierError(
            _("The first 17 characters of a citizen ID must be 17 digits, not “%(value)s”")
            % {"value": first17}
        )
    total = sum(int(digit) * weight for digit, weight in zip(first17, _CITIZEN_ID_WEIGHTS, strict=True))
    return _CITIZEN_ID_CHECK_CHARS[total % 11]


def convert_15_to_18(id15: str) -> str:
    """Convert a first-generation ID (GB 11643-1989, issued until 1999): YYMMDD is read as 19YY."""
    if len(id15) != 15 or not _is_digits(id15):
        raise IdentifierError(_("A 15-digit citizen ID must be 15 digits, not “%(value)s”") % {"value": id15})
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + citizen_id_check_char(first17)


def check_citizen_id(raw: str, *, today: datetime.date | None = None) -> CheckedId:
    """Check and normalise a citizen ID; 15-digit IDs come back converted to 18 digits.

    An area code unknown for the birth year is only a warning: the stdnum area table
    is incomplete for older and recently changed divisions.
    """
    value = normalize_citizen_id(raw)
    converted = len(value) == 15
    if converted:
        if not _is_digits(value):
            raise IdentifierError(
                _("15-digit citizen ID “%(value)s” must consist of digits only") % {"value": value}
            )
        value18 = convert_15_to_18(value)
    elif len(value) == 18:
        if not _is_digits(value[:17]) or value[17] not in "0123456789X":
            raise IdentifierError(
                _("Citizen ID “%(value)s” is malformed: 17 digits must be followed by a digit or X")
                % {"value": value}
            )
        value18 = value
    else:
        raise IdentifierError(
            _("Citizen ID “%(value)s” has %(length)d characters; it must have 18 (or 15 for an old ID)")
            % {"value": value, "length": len(value)}
        )
    birth_date = _citizen_id_birth_date(value18, shown=value)
    if birth_date > (today or datetime.date.today()):
        raise IdentifierError(
            _("Birth date %(date)s in citizen ID “%(value)s” is later than today")
            % {"value": value, "date": birth_date.isoformat()}
        )
    expected = citizen_id_check_char(value18[:17])
    if value18[17] != expected:
        raise IdentifierError(
            _("Citizen ID “%(value)s” has a wrong check character; it should be %(expected)s")
            % {"value": value, "expected": expected}
        )
    return CheckedId(value18, _area_warnings(value18), converted)


def _citizen_id_birth_date(value18: str, *, shown: str) -> datetime.date:
    try:
        return datetime.date(int(value18[6:10]), int(value18[10:12]), int(value18[12:14]))
    except ValueError:
        raise IdentifierError(
            _("Birth date %(date)s in citizen ID “%(value)s” does not exist")
            % {"value": shown, "date": value18[6:14]}
        ) from None


def _area_warnings(value18: str) -> tuple[str, ...]:
    # stdnum raises KeyError, not a ValidationError, when only the province part is known.
    try:
        ric.get_birth_place(value18)
    except (ValidationError, KeyError):
        message = _(
            "Area code %(area)s of citizen ID “%(value)s” matched no division in %(year)s; please check"
        )
        return (message % {"value": value18, "area": value18[:6], "year": value18[6:10]},)
    return ()


_EXCEL_SCIENTIFIC = re.compile(r"^[1-9](\.[0-9]+)?E\+?(1[5-9])$")
_DIGITS_WITH_DECIMALS = re.compile(r"^([0-9]+)\.0*$")


def looks_like_float_mangled_id(value: object) -> bool:
    """Tell whether a cell holds an ID that went through a spreadsheet number.

    Excel keeps 15 significant digits, so a 16-to-18-digit ID typed into a number cell
    lost its last digits: it cannot be repaired and must be keyed again from the paper.
    A 15-digit legacy ID survives a number cell intact and is not reported.
    A text cell of 18 digits ending in 000 is reported only when its check character fails.
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return abs(value) >= 10**15
    if not isinstance(value, str):
        return False
    text = compact(value).upper()
    if _EXCEL_SCIENTIFIC.match(text):
        return True
    if match := _DIGITS_WITH_DECIMALS.match(text):
        return len(match.group(1).lstrip("0")) > 15
    if len(text) == 18 and _is_digits(text) and text.endswith("000"):
        return citizen_id_check_char(text[:17]) != text[17]
    return False


# --- Organisation code (组织机构代码), GB 11714-1997 -------------------------------------------

# GB 11714: body of 8 digits or capital letters (A=10 .. Z=35), weights below,
# check = 11 - (sum mod 11), where 10 is written X and 11 is written 0.
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORGANISATION_CODE = re.compile(r"^([0-9A-Z]{8})-?([0-9X])$")


def organisation_code_check_char(body8: str) -> str:
    if not re.fullmatch(r"[0-9A-Z]{8}", body8):
        raise IdentifierError(
            _("The body of an organisation code must be 8 digits or capital letters, not “%(value)s”")
            % {"value": body8}
        )
    total = sum(int(char, 36) * weight for char, weight in zip(body8, _ORGANISATION_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_organisation_code(raw: str) -> str:
    """Check an old 9-character organisation code; returns it without the hyphen."""
    value = compact(raw).upper()
    match = _ORGANISATION_CODE.match(value)
    if not match:
        raise IdentifierError(
            _("Organisation code “%(value)s” must be 8 digits or capital letters and a check character")
            % {"value": value}
        )
    body, check = match.groups()
    expected = organisation_code_check_char(body)
    if check != expected:
        raise IdentifierError(
            _("Organisation code “%(value)s” has a wrong check character; it should be %(expected)s")
            % {"value": value, "expected": expected}
        )
    return body + check


# --- Unified social credit code (统一社会信用代码), GB 32100-2015 -------------------------------

# GB 32100 uses 31 characters (no I, O, S, V, Z) and ISO 7064 MOD 31-3 via GB/T 17710:
# weight 3^(i-1) mod 31, check = 31 - (sum mod 31), where 31 maps to 0.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def credit_code_check_char(first17: str) -> str:
    if len(first17) != 17 or any(char not in CREDIT_CODE_ALPHABET for char in first17):
        raise IdentifierError(
            _("Invalid characters in the first 17 of a unified social credit code: “%(value)s”")
            % {"value": first17}
        )
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(raw: str) -> str:
    """Check a credit code's form and check character; see `credit_code_warnings` for the rest."""
    value = compact(raw).upper()
    if len(value) != 18:
        raise IdentifierError(
            _("Unified social credit code “%(value)s” has %(length)d characters; it must have 18")
            % {"value": value, "length": len(value)}
        )
    invalid = sorted({char for char in value if char not in CREDIT_CODE_ALPHABET})
    if invalid:
        raise IdentifierError(
            _("Unified social credit code “%(value)s” has invalid characters: %(chars)s (no I, O, S, V, Z)")
            % {"value": value, "chars": _(", ").join(invalid)}
        )
    # Characters 3-8 are the registering authority's GB/T 2260 division code.
    if not _is_digits(value[2:8]):
        raise IdentifierError(
            _("Characters 3 to 8 of unified social credit code “%(value)s” must be a division code")
            % {"value": value}
        )
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        raise IdentifierError(
            _("Unified social credit code “%(value)s” has a wrong check character; it should be %(expected)s")
            % {"value": value, "expected": expected}
        )
    return value


def organisation_code_from_credit_code(code: str) -> str:
    """Characters 9-17 of a credit code: the subject's organisation code (GB 32100 code structure)."""
    return code[8:17]


def credit_code_warnings(code: str) -> tuple[str, ...]:
    """Doubts about a credit code that passed `check_credit_code`.

    GB 32100 says characters 9-17 follow GB 11714, but registries have not applied it
    uniformly and the code's own check character already guards the transcription, so a
    failed GB 11714 check is a warning for a person to confirm, never a rejection.
    """
    embedded = organisation_code_from_credit_code(code)
    try:
        check_organisation_code(embedded)
    except IdentifierError:
        message = _(
            "Organisation code %(embedded)s in “%(value)s” fails its check; compare with the original"
        )
        return (message % {"value": code, "embedded": embedded},)
    return ()


def check_employer_code(raw: str) -> str:
    """Accept an employer's credit code (18 characters) or old organisation code (9, or 10 with -)."""
    value = compact(raw).upper()
    if len(value) == 18:
        return check_credit_code(value)
    if len(value) in (9, 10):
        return check_organisation_code(value)
    raise IdentifierError(
        _("Employer code “%(value)s” must be an 18-character credit code or 9-character organisation code")
        % {"value": value}
    )
