"""Search keys for the service counter: name bigrams, pinyin initials, and what a query is."""

import datetime
import enum
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.seg.simpleseg import seg

from records.codes import normalize_code
from records.identifiers import (
    CREDIT_CODE_ALPHABET,
    IdentifierError,
    check_credit_code,
    check_organisation_code,
    citizen_id_check_char,
    compact,
    convert_15_to_18,
    fold_width,
)

# Dots between the parts of transliterated minority names (阿卜杜拉·买买提), as people type them.
_NAME_SEPARATORS = str.maketrans("", "", ".\u00b7\u2022\u2027\u2219\u22c5\u30fb")

# Surnames read differently from the character's everyday reading, which pypinyin gives.
# Clerks type what they hear: 曾 is Zeng as a surname, not ceng.
_SURNAME_INITIALS = {
    "单": "s", "曾": "z", "解": "x", "仇": "q", "区": "o", "查": "z",
    "翟": "z", "种": "c", "秘": "b", "召": "s", "覃": "q",
}  # fmt: skip


def normalize_name(text: str) -> str:
    """Fold width and compatibility forms (NFKC), drop whitespace and name dots, lower-case."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split()).translate(_NAME_SEPARATORS).lower()


def name_bigrams(text: str) -> list[str]:
    name = normalize_name(text)
    if len(name) < 2:
        return [name] if name else []
    return list(dict.fromkeys(name[i : i + 2] for i in range(len(name) - 1)))


def pinyin_initials(text: str, *, surname_first: bool = True) -> str:
    """Lower-case pinyin initials, one reading per character: 张三丰 -> "zsf".

    Letters and digits are kept, other characters dropped. With `surname_first`, the
    first character takes its surname reading (曾国藩 -> "zgf"); pass False for employers.
    """
    name = normalize_name(text)
    # Same segmentation as lazy_pinyin, so a phrase reading (张长江 -> zcj) is kept,
    # but each segment is converted once and cached: names share most of their segments.
    initials = "".join(_segment_initials(segment) for segment in seg(name))
    if surname_first and name[:1] in _SURNAME_INITIALS:
        initials = _SURNAME_INITIALS[name[0]] + initials[1:]
    return initials


def pinyin_initials_many(names: Iterable[str], *, surname_first: bool = True) -> list[str]:
    """`pinyin_initials` for a batch (a catalogue import); repeated names are converted once."""
    done: dict[str, str] = {}
    result = []
    for name in names:
        if name not in done:
            done[name] = pinyin_initials(name, surname_first=surname_first)
        result.append(done[name])
    return result


@lru_cache(maxsize=200_000)
def _segment_initials(segment: str) -> str:
    letters = "".join(lazy_pinyin(segment, style=Style.FIRST_LETTER)).lower()
    return "".join(char for char in letters if char.isascii() and char.isalnum())


# --- What a clerk typed into the one search box ---------------------------------------------


class QueryKind(enum.StrEnum):
    EMPTY = "empty"
    CITIZEN_ID = "citizen_id"
    ID_SUFFIX = "id_suffix"
    CREDIT_CODE = "credit_code"
    ORGANISATION_CODE = "organisation_code"
    ARCHIVAL_CODE = "archival_code"
    PINYIN_INITIALS = "pinyin_initials"
    CHINESE = "chinese"
    TEXT = "text"


@dataclass(frozen=True)
class ClassifiedQuery:
    kind: QueryKind
    text: str


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_CITIZEN_ID_18 = re.compile(r"^[0-9]{17}[0-9X]$")
_ID_SUFFIX = re.compile(r"^(?:[0-9]{4,17}|[0-9]{3,16}X)$")
_CREDIT_CODE = re.compile(f"^[{CREDIT_CODE_ALPHABET}]{{18}}$")
_ORGANISATION_CODE_WITH_HYPHEN = re.compile(r"^[0-9A-Z]{8}-[0-9X]$")
_ORGANISATION_CODE = re.compile(r"^[0-9A-Z]{8}[0-9X]$")
_FONDS_START = re.compile(r"^[A-Z][0-9]{3}")
_PINYIN_INITIALS = re.compile(r"^[a-zA-Z]{2,6}$")


def classify_query(q: str) -> ClassifiedQuery:
    """Tell what a query is and normalise it for that kind of search.

    A 15-digit ID comes back as its 18-digit form. Ambiguous shapes are settled by
    check characters: 18 digits that fail the ID check but pass the credit-code check
    are a credit code; 9 characters without hyphen are an organisation code only when
    the GB 11714 check holds, otherwise digits are taken as the end of an ID.
    """
    text = " ".join(fold_width(q).split())
    packed = compact(text).upper()
    if not packed:
        return ClassifiedQuery(QueryKind.EMPTY, "")
    if len(packed) == 15 and packed.isascii() and packed.isdigit():
        return ClassifiedQuery(QueryKind.CITIZEN_ID, convert_15_to_18(packed))
    if _CITIZEN_ID_18.match(packed):
        # About 2% of credit codes are 18 digits that also pass the ID check; in those the "birth date"
        # (characters 7-14) reads like year 1221, so a credit code without a plausible date wins.
        looks_like_id = citizen_id_check_char(packed[:17]) == packed[17] and _plausible_birth_date(
            packed[6:14]
        )
        if _is_credit_code(packed) and not looks_like_id:
            return ClassifiedQuery(QueryKind.CREDIT_CODE, packed)
        return ClassifiedQuery(QueryKind.CITIZEN_ID, packed)
    if _CREDIT_CODE.match(packed):
        return ClassifiedQuery(QueryKind.CREDIT_CODE, packed)
    if _ORGANISATION_CODE_WITH_HYPHEN.match(packed) or (
        _ORGANISATION_CODE.match(packed) and _is_organisation_code(packed)
    ):
        return ClassifiedQuery(QueryKind.ORGANISATION_CODE, packed.replace("-", ""))
    if _ID_SUFFIX.match(packed):
        return ClassifiedQuery(QueryKind.ID_SUFFIX, packed)
    if _FONDS_START.match(packed) or ("-" in packed and not _CJK.search(packed)):
        return ClassifiedQuery(QueryKind.ARCHIVAL_CODE, normalize_code(packed))
    if _PINYIN_INITIALS.match(packed):
        return ClassifiedQuery(QueryKind.PINYIN_INITIALS, packed.lower())
    if _CJK.search(text):
        return ClassifiedQuery(QueryKind.CHINESE, text)
    return ClassifiedQuery(QueryKind.TEXT, text)


def _plausible_birth_date(yyyymmdd: str) -> bool:
    try:
        born = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return 1900 <= born.year <= datetime.date.today().year


def _is_credit_code(value: str) -> bool:
    try:
        check_credit_code(value)
    except IdentifierError:
        return False
    return True


def _is_organisation_code(value: str) -> bool:
    try:
        check_organisation_code(value)
    except IdentifierError:
        return False
    return True
