"""Archival codes (档号) per DA/T 22-2015, and every name derived from one.

Item-level form: 全宗号-门类代码·年度-保管期限代码-机构(问题)代码-件号, e.g. Z001-ZY·2008-D100-GL-0001.
"-" joins higher and lower levels, "·" (U+00B7) joins codes of the same level.
"""

import re
import string
from dataclasses import dataclass

from django.utils.translation import gettext as _

from records.dates import MAX_YEAR, MIN_YEAR
from records.identifiers import compact

MIDDLE_DOT = "\u00b7"
DEFAULT_CODE_TEMPLATE = "{fonds}-{category}·{year}-{retention}-{klass}-{number:04d}"
CODE_FIELDS = ("fonds", "category", "year", "retention", "klass", "number")
RETENTION_CODES = ("Y", "D100", "D50", "D30", "D10")
MAX_ITEM_NUMBER = 9999  # DA/T 22: the item number has four digits.

# Characters Windows, ZIP tools or shells cannot take in a file name.
_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_SAMPLE_VALUES = {
    "fonds": "Z001", "category": "ZY", "year": 2008, "retention": "D100", "klass": "GL", "number": 1,
}  # fmt: skip


class CodeError(ValueError):
    """A code or code part that cannot be accepted; the message is meant for the user."""


class CodeTemplateError(CodeError):
    pass


# --- Templates and building ---------------------------------------------------------------------


def validate_code_template(template: str) -> None:
    fields = _template_fields(template)
    unknown = [name for name in fields if name not in CODE_FIELDS]
    if unknown:
        raise CodeTemplateError(
            _("Archival code template “%(template)s” has unknown fields %(fields)s (available: %(known)s)")
            % {
                "template": template,
                "fields": _(", ").join(f"{{{name}}}" for name in unknown),
                "known": _(", ").join(f"{{{name}}}" for name in CODE_FIELDS),
            }
        )
    if "number" not in fields:
        raise CodeTemplateError(
            _("Archival code template “%(template)s” lacks the item number field {number}")
            % {"template": template}
        )
    try:
        sample = template.format(**_SAMPLE_VALUES)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise CodeTemplateError(
            _("Archival code template “%(template)s” has an invalid format specification")
            % {"template": template}
        ) from None
    # Image and ZIP files are named after the code, so the template must not break a file name.
    if _UNSAFE_IN_FILENAME.search(sample) or compact(sample) != sample:
        raise CodeTemplateError(
            _("Archival code template “%(template)s” contains spaces or characters not allowed in file names")
            % {"template": template}
        )


def _template_fields(template: str) -> list[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise CodeTemplateError(
            _("Archival code template “%(template)s” has unbalanced braces") % {"template": template}
        ) from None
    fields = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if "{" in (spec or ""):
            raise CodeTemplateError(
                _("Archival code template “%(template)s” has an invalid format specification")
                % {"template": template}
            )
        if conversion is not None:
            raise CodeTemplateError(
                _("Archival code template “%(template)s” uses the unsupported conversion “!%(conversion)s”")
                % {"template": template, "conversion": conversion}
            )
        fields.append(name)
    return fields


def build_archival_code(
    template: str = DEFAULT_CODE_TEMPLATE,
    *,
    fonds: str,
    category: str,
    year: int,
    retention: str,
    klass: str,
    number: int,
) -> str:
    validate_code_template(template)
    values = _checked_group(fonds, category, year, retention, klass)
    return template.format(**values, number=check_item_number(number))


def group_prefix(
    template: str = DEFAULT_CODE_TEMPLATE,
    *,
    fonds: str,
    category: str,
    year: int,
    retention: str,
    klass: str,
) -> str:
    """The template's text up to the item number, separator included ("Z001-ZY·2008-D100-GL-").

    Item numbers restart in each group, so codes starting with this prefix are one group's items.
    """
    validate_code_template(template)
    values = _checked_group(fonds, category, year, retention, klass)
    prefix = []
    for literal, name, spec, _conversion in string.Formatter().parse(template):
        prefix.append(literal)
        if name == "number":
            break
        if name is not None:
            prefix.append(format(values[name], spec or ""))
    return "".join(prefix)


def _checked_group(fonds: str, category: str, year: int, retention: str, klass: str) -> dict[str, str | int]:
    return {
        "fonds": check_fonds_code(fonds),
        "category": check_category_code(category),
        "year": check_year(year),
        "retention": check_retention_code(retention),
        "klass": check_class_code(klass),
    }


# --- Validators for the parts -------------------------------------------------------------------


def check_fonds_code(raw: str) -> str:
    value = compact(raw).upper()
    if not re.fullmatch(r"[A-Z][0-9]{3}", value):
        raise CodeError(
            _("Fonds code “%(value)s” must be 1 letter followed by 3 digits, e.g. Z001") % {"value": value}
        )
    return value


def check_category_code(raw: str) -> str:
    return _check_letter_code(raw, _("Category code"))


def check_class_code(raw: str) -> str:
    return _check_letter_code(raw, _("Department (subject) code"))


def _check_letter_code(raw: str, label: str) -> str:
    # Category and class codes are office settings; letters and digits only, so they cannot
    # smuggle a "-" or "·" into the code and shift its levels.
    value = compact(raw).upper()
    if not re.fullmatch(r"[A-Z0-9]{1,10}", value):
        raise CodeError(
            _("%(label)s “%(value)s” must consist of capital letters or digits")
            % {"label": label, "value": value}
        )
    return value


def check_year(value: object) -> int:
    year = _as_whole_number(value)
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise CodeError(
            _("Year “%(value)s” must be a 4-digit year from %(min)d to %(max)d")
            % {"value": _shown(value), "min": MIN_YEAR, "max": MAX_YEAR}
        )
    return year


def check_retention_code(raw: str) -> str:
    value = compact(raw).upper()
    if value not in RETENTION_CODES:
        raise CodeError(
            _("Retention period code “%(value)s” must be Y (permanent) or D10, D30, D50 or D100")
            % {"value": value}
        )
    return value


def check_page_count(value: object) -> int:
    count = _as_whole_number(value)
    if count is None or count <= 0:
        raise CodeError(
            _("Page count “%(value)s” must be a whole number greater than 0") % {"value": _shown(value)}
        )
    return count


def check_item_number(value: object) -> int:
    number = _as_whole_number(value)
    if number is None or not 1 <= number <= MAX_ITEM_NUMBER:
        raise CodeError(
            _("Item number “%(value)s” must be a whole number from 1 to %(max)d")
            % {"value": _shown(value), "max": MAX_ITEM_NUMBER}
        )
    return number


def _as_whole_number(value: object) -> int | None:
    """Read an int from an int, an integral float (spreadsheet cells) or a digit string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = compact(value)
        return int(text) if text.isascii() and text.isdigit() else None
    return None


def _shown(value: object) -> str:
    return value.strip() if isinstance(value, str) else str(value)


# --- Legacy codes -------------------------------------------------------------------------------

# Dots typed instead of U+00B7 between the category letters and the year: ASCII and full-width
# full stops, bullet, katakana middle dots, hyphenation point, bullet and dot operators, Greek
# ano teleia.
_DOT_BEFORE_YEAR = re.compile(
    r"(?<=[A-Za-z])[.\u2022\u30fb\uff65\u2027\u2219\u22c5\u0387](?=[0-9]{4}(?![0-9]))"
)


def normalize_code(raw: str) -> str:
    """Normalise a legacy code for comparison: whitespace, width, and the dot before the year.

    Nothing else changes; legacy codes are kept as the old catalogues wrote them.
    """
    return _DOT_BEFORE_YEAR.sub(MIDDLE_DOT, compact(raw))


# --- Names derived from a code (one place for all of them) --------------------------------------


def safe_filename(code: str) -> str:
    """The code as a file name: characters file systems refuse become "_".

    Codes built from a template never contain them; some legacy codes use "/".
    """
    return _UNSAFE_IN_FILENAME.sub("_", compact(code)).strip(".")


def image_filename(code: str, sequence: int, ext: str = "jpg") -> str:
    """Name of an item's image: 档号-NNNN.ext, NNNN the image's sequence within the item."""
    number = _as_whole_number(sequence)
    if number is None or not 1 <= number <= 9999:
        raise CodeError(
            _("Image sequence number “%(value)s” must be a whole number from 1 to 9999")
            % {"value": _shown(sequence)}
        )
    extension = ext.strip().lstrip(".").lower()
    if not extension.isascii() or not extension.isalnum():
        raise CodeError(_("File extension “%(value)s” is not valid") % {"value": ext})
    return f"{safe_filename(code)}-{number:04d}.{extension}"


def zip_filename(code: str) -> str:
    return f"{safe_filename(code)}.zip"


def barcode_payload(code: str) -> str:
    """The code as Code128 text: ASCII only, so U+00B7 is written as ".".

    `code_from_barcode` turns every "." back into U+00B7, so a code that already holds a "."
    (or any other non-ASCII character) is refused rather than printed ambiguously.
    """
    value = compact(code)
    payload = value.replace(MIDDLE_DOT, ".")
    if "." in value or not payload.isascii() or not payload.isprintable():
        raise CodeError(
            _("No barcode for archival code “%(value)s”: it has characters a barcode cannot represent")
            % {"value": value}
        )
    return payload


def code_from_barcode(payload: str) -> str:
    # A scanner acting as a keyboard types full-width characters while a Chinese IME is on.
    return compact(payload).replace(".", MIDDLE_DOT)


# --- Boxes and shelf locations (one place for their codes and barcode payloads too) -------------

BOX_PAYLOAD_PREFIX = "BOX:"
LOCATION_PAYLOAD_PREFIX = "LOC:"
MAX_BOX_NUMBER = 9999
_LOCATION_PAYLOAD = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{1,3})-([LR])-(\d{1,2})-(\d{1,3})")


def box_code(*, fonds: str, category: str, year: int, retention: str, klass: str, number: int) -> str:
    """A box's code: its group's levels of the archival code and the box number, Z001-ZY·2008-D100-GL-B003.

    The "B" keeps a box apart from an item, whose code ends in the bare item number.
    """
    values = _checked_group(fonds, category, year, retention, klass)
    boxed = _as_whole_number(number)
    if boxed is None or not 1 <= boxed <= MAX_BOX_NUMBER:
        raise CodeError(
            _("Box number “%(value)s” must be a whole number from 1 to %(max)d")
            % {"value": _shown(number), "max": MAX_BOX_NUMBER}
        )
    group = f"{values['fonds']}-{values['category']}{MIDDLE_DOT}{values['year']}"
    return f"{group}-{values['retention']}-{values['klass']}-B{boxed:03d}"


def box_barcode_payload(code: str) -> str:
    return BOX_PAYLOAD_PREFIX + barcode_payload(code)


def location_barcode_payload(*, room: int, area: int, rack: int, face: str, level: int, cell: int) -> str:
    """A shelf cell as barcode text, LOC:2-1-4-R-2-2 for 二库房一区第4列R面第2层第2格."""
    payload = f"{LOCATION_PAYLOAD_PREFIX}{room}-{area}-{rack}-{face}-{level}-{cell}"
    if not _LOCATION_PAYLOAD.fullmatch(payload.removeprefix(LOCATION_PAYLOAD_PREFIX)):
        raise CodeError(_("No barcode for shelf location “%(value)s”") % {"value": payload})
    return payload


@dataclass(frozen=True)
class ScannedCode:
    """What a scanner typed: a box code, a shelf cell's parts, or (anything else) an item's archival code."""

    kind: str  # "box", "location" or "item"
    code: str = ""
    location: tuple[int, int, int, str, int, int] | None = None


def read_scanned_code(payload: str) -> ScannedCode:
    text = compact(payload)
    # A scanner typing with Caps Lock on swaps the case; box and location payloads are upper case only.
    prefix = text[:4].upper()
    if prefix == BOX_PAYLOAD_PREFIX:
        return ScannedCode(kind="box", code=code_from_barcode(text[4:].upper()))
    if prefix == LOCATION_PAYLOAD_PREFIX:
        match = _LOCATION_PAYLOAD.fullmatch(text[4:].upper())
        if match is None:
            raise CodeError(_("“%(value)s” is not a shelf location code") % {"value": text})
        room, area, rack, face, level, cell = match.groups()
        return ScannedCode(
            kind="location", location=(int(room), int(area), int(rack), face, int(level), int(cell))
        )
    return ScannedCode(kind="item", code=code_from_barcode(text))
