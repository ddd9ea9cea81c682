"""The printables' shared font and page frame."""

import datetime
import subprocess

import pytest
from django.utils.translation import gettext as _
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import PageBreak, Paragraph

from archive_office.lib import pdf


@pytest.fixture
def unregistered(monkeypatch):
    """A registry without the Chinese font, restored afterwards, so each test sees a fresh process."""
    fonts = {name: font for name, font in pdfmetrics._fonts.items() if name != pdf.FONT_NAME}
    monkeypatch.setattr(pdfmetrics, "_fonts", fonts)


def test_the_font_is_loaded_and_registered_once(unregistered, monkeypatch):
    loaded, ttfont = [], pdf.TTFont

    def counting_ttfont(*args, **kwargs):
        loaded.append(args)
        return ttfont(*args, **kwargs)

    monkeypatch.setattr(pdf, "TTFont", counting_ttfont)
    names = {pdf.chinese_font_name() for _n in range(3)} | {pdf.register_chinese_font()}
    assert names == {pdf.FONT_NAME}
    assert loaded == [(pdf.FONT_NAME, str(pdf.FONT_PATH))]
    assert pdf.FONT_NAME in pdfmetrics.getRegisteredFontNames()


def test_a_missing_font_file_says_which_package_to_install(unregistered, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf, "FONT_PATH", tmp_path / "wqy-zenhei.ttc")
    with pytest.raises(pdf.ChineseFontMissing, match="fonts-wqy-zenhei"):
        pdf.chinese_font_name()
    assert pdf.FONT_NAME not in pdfmetrics.getRegisteredFontNames()


def test_chinese_paragraphs_wrap_between_characters():
    style = pdf.paragraph_style(size=10)
    paragraph = Paragraph("参保单位职工基本养老保险关系转移接续申请" * 3, style)
    _width, height = paragraph.wrap(60, 1000)
    assert style.fontName == pdf.FONT_NAME
    assert height > 5 * style.leading


def test_each_page_shows_the_title_print_date_and_page_number(tmp_path):
    style = pdf.paragraph_style()
    content = pdf.render_a4(
        [Paragraph("第一页", style), PageBreak(), Paragraph("第二页", style)],
        title="备考表",
        printed_on=datetime.date(2025, 3, 8),
    )
    path = tmp_path / "frame.pdf"
    path.write_bytes(content)
    pages = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    first, second = pages.split("\f")[:2]
    for number, page in ((1, first), (2, second)):
        assert "备考表" in page
        assert _("Printed %(date)s") % {"date": "2025-03-08"} in page
        assert "".join((_("Page %(number)s") % {"number": number}).split()) in "".join(page.split())
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    assert [line.split()[-5] for line in fonts.splitlines()[2:]] == ["yes"]


def test_a_wide_page_is_a4_landscape():
    assert pdf.frame_width(wide=True) > pdf.frame_width() > 0
