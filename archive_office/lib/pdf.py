"""What every printable shares: the embedded Chinese font, a wrapping paragraph style and an A4 page frame.

The font is embedded (reportlab subsets TrueType fonts into the PDF): a CID font that is only named,
such as STSong-Light, prints with whatever the other machine substitutes, or as empty boxes.
"""

from __future__ import annotations

import datetime
import io
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

FONT_NAME = "WenQuanYiZenHei"
# Debian package fonts-wqy-zenhei; subfont 0 of the collection is the proportional Zen Hei.
FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
MARGIN = 15 * mm
HEADER_SIZE = 8

_register_lock = threading.Lock()


class ChineseFontMissing(RuntimeError):
    """The server lacks the font file; printables cannot be made until it is installed."""


def register_chinese_font() -> str:
    """Register the embedded Chinese font once per process and return its name."""
    with _register_lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            if not FONT_PATH.is_file():
                raise ChineseFontMissing(
                    _("The Chinese font %(path)s is missing: install the Debian package fonts-wqy-zenhei.")
                    % {"path": FONT_PATH}
                )
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    return FONT_NAME


def chinese_font_name() -> str:
    return register_chinese_font()


def paragraph_style(name: str = "body", *, size: float = 9, **options: Any) -> ParagraphStyle:
    # Without wordWrap="CJK" reportlab breaks lines only at spaces, so a Chinese title never wraps.
    return ParagraphStyle(
        name,
        fontName=chinese_font_name(),
        fontSize=size,
        leading=size * 1.3,
        alignment=TA_LEFT,
        wordWrap="CJK",
        **options,
    )


def frame_width(*, wide: bool = False) -> float:
    """The width flowables may fill on the page `render_a4` makes, for sizing table columns."""
    return (landscape(A4) if wide else A4)[0] - 2 * MARGIN


def _page_decorator(title: str, printed_on: datetime.date) -> Callable[[Any, Any], None]:
    printed = _("Printed %(date)s") % {"date": printed_on.isoformat()}

    def decorate(canvas: Any, document: Any) -> None:
        width, height = document.pagesize
        canvas.saveState()
        canvas.setFont(chinese_font_name(), HEADER_SIZE)
        canvas.drawString(MARGIN, height - MARGIN + 3 * mm, title)
        canvas.drawRightString(width - MARGIN, height - MARGIN + 3 * mm, printed)
        canvas.line(MARGIN, height - MARGIN + 1.5 * mm, width - MARGIN, height - MARGIN + 1.5 * mm)
        canvas.drawCentredString(width / 2, MARGIN - 8 * mm, _("Page %(number)s") % {"number": document.page})
        canvas.restoreState()

    return decorate


def render_a4(
    story: Sequence[Flowable], *, title: str, wide: bool = False, printed_on: datetime.date | None = None
) -> bytes:
    """Lay the flowables out on A4 (landscape when wide) under a header with the title and print date
    and a footer with the page number, and return the PDF."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4) if wide else A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN,
        title=title,
        # Otherwise each page starts in Helvetica, which pdffonts then lists as a font not embedded.
        initialFontName=chinese_font_name(),
    )
    decorate = _page_decorator(title, printed_on or timezone.localdate())
    document.build(list(story), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def grid_table(header: Sequence[str], body: list[list[Any]], widths: list[float]) -> Table:
    """A ruled table with a shaded header row that repeats on every page it runs onto."""
    heading = paragraph_style("column", size=8)
    data = [[Paragraph(escape(text), heading) for text in header], *body]
    # repeatRows=1 prints the header row again at the top of every page a long volume runs onto.
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), chinese_font_name()),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
