"""Every interface string has a Simplified Chinese translation in the committed catalogue."""

import ast
import re
from pathlib import Path

import pytest
from django.utils.translation import trans_real

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["archive_office", "records", "digitization", "qc", "storage", "templates"]

TEMPLATE_STRING = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
TEMPLATE_BLOCK = re.compile(
    r"\{%\s*blocktrans(?:late)?\b[^%]*?%\}(.*?)\{%\s*endblocktrans(?:late)?\s*%\}", re.S
)
PYTHON_STRING = re.compile(r"""\b(?:_|gettext|gettext_lazy|pgettext_lazy)\(\s*(["'])(.+?)(?<!\\)\1\s*[,)]""")


def _block_msgid(body: str) -> str:
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", body)


def _msgids() -> set[str]:
    found: set[str] = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if "migrations" in path.parts or path.suffix not in {".py", ".html", ".txt"}:
                continue
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".py":
                found |= {
                    ast.literal_eval(quote + body + quote) for quote, body in PYTHON_STRING.findall(text)
                }
            else:
                # Django doubles % in template literals before looking them up, as makemessages does.
                found |= {m[1].replace("%", "%%") for m in TEMPLATE_STRING.findall(text)}
                found |= {_block_msgid(body) for body in TEMPLATE_BLOCK.findall(text) if "{%" not in body}
    return found


MSGIDS = sorted(_msgids())


def test_the_extraction_finds_strings():
    assert "Archive Imaging" in MSGIDS
    assert "Page %(number)s" in MSGIDS


@pytest.mark.parametrize("msgid", MSGIDS)
def test_each_string_is_translated_to_chinese(msgid):
    catalog = trans_real.translation("zh-hans")._catalog
    assert catalog.get(msgid), f"no zh_Hans translation for {msgid!r}: run `make messages` and translate it"
