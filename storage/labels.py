"""Printables of the store rooms: box spine labels, box covers, remarks sheets (备考表) and shelf labels.

Drawn with reportlab in the embedded WenQuanYi font (archive_office.lib.pdf). Barcodes carry the payloads
of records.codes: a QR code on the spine, whose square fits the narrowest (20 mm) spine, and Code128 where
there is room for its width. Batch printing puts many spine or shelf labels on each A4 sheet.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from archive_office.lib import pdf

from .models import Box, Location

SPINE_WIDTHS_MM = (20, 30, 40, 50)
SPINE_HEIGHT = 250 * mm
SHEET_MARGIN = 10 * mm
PADDING = 1.5 * mm
QR_MAX = 30 * mm
BAR_WIDTH = 0.33 * mm  # about 4 dots per bar at 300 dpi: any office scanner reads it


@dataclass(frozen=True)
class BoxLabel:
    """What every printable of a box shows, read once from the box and its remarks sheet."""

    code: str
    payload: str
    fonds_code: str
    fonds_name: str
    year: int
    category: str
    retention: str
    first_item: str
    last_item: str
    first_archival_code: str
    last_archival_code: str
    item_count: int
    number: int
    volume: str
    notes: str = ""
    arranged_by: str = ""
    arranged_on: str = ""
    checked_by: str = ""
    checked_on: str = ""

    @classmethod
    def of(cls, box: Box) -> BoxLabel:
        remarks = getattr(box, "remarks", None)

        def day(value: Any) -> str:
            return formats.date_format(value, "Y-m-d") if value else ""

        return cls(
            code=box.code,
            payload=box.barcode_payload,
            fonds_code=box.fonds.code,
            fonds_name=box.fonds.name,
            year=box.year,
            category=box.business_category.name,
            retention=box.retention.name,
            first_item=f"{box.first_item_number:04d}" if box.first_item_number else box.first_archival_code,
            last_item=f"{box.last_item_number:04d}" if box.last_item_number else box.last_archival_code,
            first_archival_code=box.first_archival_code,
            last_archival_code=box.last_archival_code,
            item_count=box.item_count,
            number=box.number,
            volume=box.volume.label,
            notes=remarks.notes if remarks else "",
            arranged_by=remarks.arranged_by if remarks else "",
            arranged_on=day(remarks.arranged_on) if remarks else "",
            checked_by=remarks.checked_by if remarks else "",
            checked_on=day(remarks.checked_on) if remarks else "",
        )


def box_labels(boxes: Iterable[Box]) -> list[BoxLabel]:
    return [BoxLabel.of(box) for box in boxes]


# --- Drawing helpers --------------------------------------------------------------------------------------


def _canvas(buffer: io.BytesIO, *, pagesize: tuple[float, float], title: str) -> Canvas:
    # initialFontName: otherwise each page starts in Helvetica, a font the PDF would name but not embed.
    canvas = Canvas(buffer, pagesize=pagesize, initialFontName=pdf.chinese_font_name(), initialFontSize=8)
    canvas.setTitle(title)
    return canvas


def _fitted_size(text: str, width: float, *, largest: float) -> float:
    natural = stringWidth(text, pdf.chinese_font_name(), 1) or 1
    return min(largest, width / natural)


def _wrapped(text: str, width: float, size: float) -> list[str]:
    """Break a text character by character so each line fits: Chinese needs no spaces to break at."""
    lines, line = [], ""
    for char in text:
        if line and stringWidth(line + char, pdf.chinese_font_name(), size) > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines


def _fit_lines(text: str, width: float, *, largest: float, smallest: float) -> tuple[list[str], float]:
    """One line as large as fits the width; below the smallest size the text runs down the spine instead."""
    size = _fitted_size(text, width, largest=largest)
    if size >= smallest:
        return [text], size
    return _wrapped(text, width, smallest), smallest


def _centred_lines(
    canvas: Canvas, lines: Sequence[str], size: float, *, centre_x: float, top: float
) -> float:
    canvas.setFont(pdf.chinese_font_name(), size)
    y = top
    for line in lines:
        y -= size
        canvas.drawCentredString(centre_x, y, line)
        y -= size * 0.2
    return y


def _draw_qr(canvas: Canvas, payload: str, *, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(payload, barLevel="M")  # its bounds include the four-module quiet zone
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        size,
        size,
        transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0],
        initialFontName=pdf.chinese_font_name(),  # a drawing otherwise names Helvetica without embedding it
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def _code128(payload: str, *, bar_height: float, bar_width: float = BAR_WIDTH) -> code128.Code128:
    # humanReadable=False: its text would be set in Helvetica, not embedded; the payload is written below.
    return code128.Code128(payload, barWidth=bar_width, barHeight=bar_height, humanReadable=False, quiet=True)


def _draw_code128(
    canvas: Canvas, payload: str, *, centre_x: float, y: float, height: float, width: float
) -> None:
    bar_width = BAR_WIDTH
    barcode = _code128(payload, bar_height=height, bar_width=bar_width)
    if barcode.width > width:  # a long code on a small label: narrower bars rather than a cut-off code
        bar_width *= width / barcode.width
        barcode = _code128(payload, bar_height=height, bar_width=bar_width)
    barcode.drawOn(canvas, centre_x - barcode.width / 2, y)


# --- Spine labels ---------------------------------------------------------------------------------------


def _spine_rows(label: BoxLabel) -> list[tuple[str, list[str], float, float]]:
    """Caption, value lines, share of the height and largest value size of each field, top to bottom."""
    return [
        (_("Fonds no."), [label.fonds_code], 1, 28),
        (_("Year"), [str(label.year)], 1, 28),
        (_("Category"), [label.category], 1, 28),
        (_("Retention"), [label.retention], 1, 28),
        (_("Item numbers"), [label.first_item, "|", label.last_item], 1.8, 28),
        (_("Box no."), [str(label.number)], 1.5, 72),
    ]


def draw_spine(canvas: Canvas, label: BoxLabel, *, x: float, y: float, width: float, height: float) -> None:
    """One spine label with its lower left corner at (x, y): fields stacked down the spine, then the QR."""
    inner = width - 2 * PADDING
    canvas.setLineWidth(0.4)
    canvas.rect(x, y, width, height)
    qr_size = min(inner, QR_MAX)
    _draw_qr(canvas, label.payload, x=x + (width - qr_size) / 2, y=y + PADDING, size=qr_size)
    rows = _spine_rows(label)
    top, bottom = y + height, y + qr_size + 2 * PADDING
    unit = (top - bottom) / sum(row[2] for row in rows)
    centre = x + width / 2
    for caption, values, share, largest in rows:
        row_height = unit * share
        caption_lines, caption_size = _fit_lines(caption, inner, largest=10, smallest=5)
        value_room = row_height - len(caption_lines) * caption_size * 1.2 - 2 * PADDING
        largest = min(largest, value_room / (len(values) * 1.2))
        value_size = min(_fitted_size(v, inner, largest=largest) for v in values)
        value_lines = [
            line for v in values for line in _fit_lines(v, inner, largest=value_size, smallest=6)[0]
        ]
        below = _centred_lines(canvas, caption_lines, caption_size, centre_x=centre, top=top - PADDING)
        _centred_lines(canvas, value_lines, value_size, centre_x=centre, top=below - PADDING / 2)
        top -= row_height
        canvas.line(x, top, x + width, top)


def spine_label_pdf(box: Box, *, width_mm: int) -> bytes:
    """One spine label on a page of its own size, for a label printer."""
    width = _spine_width(width_mm)
    buffer = io.BytesIO()
    canvas = _canvas(buffer, pagesize=(width, SPINE_HEIGHT), title=box.code)
    draw_spine(canvas, BoxLabel.of(box), x=0, y=0, width=width, height=SPINE_HEIGHT)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def spine_sheets_pdf(labels: Sequence[BoxLabel], *, width_mm: int, title: str) -> bytes:
    """Spine labels side by side on A4, as many across as the width allows (9 of 20 mm, 3 of 50 mm)."""
    width = _spine_width(width_mm)
    across = int((A4[0] - 2 * SHEET_MARGIN) // width)
    buffer = io.BytesIO()
    canvas = _canvas(buffer, pagesize=A4, title=title)
    for index, label in enumerate(labels):
        column = index % across
        if index and column == 0:
            canvas.showPage()
        x = SHEET_MARGIN + column * width
        draw_spine(canvas, label, x=x, y=(A4[1] - SPINE_HEIGHT) / 2, width=width, height=SPINE_HEIGHT)
    if not labels:
        _nothing_to_print(canvas)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _spine_width(width_mm: int) -> float:
    if width_mm not in SPINE_WIDTHS_MM:
        raise ValueError(f"spine width {width_mm} mm is not one of {SPINE_WIDTHS_MM}")
    return width_mm * mm


def _nothing_to_print(canvas: Canvas) -> None:
    canvas.setFont(pdf.chinese_font_name(), 12)
    canvas.drawString(SHEET_MARGIN, A4[1] - 2 * SHEET_MARGIN, _("Nothing to print."))


# --- Box covers and remarks sheets (one A4 page per box) --------------------------------------------------


def _field_table(
    rows: list[list[Any]],
    widths: list[float],
    *,
    size: float = 12,
    padding: float = 6,
    heights: list[float | None] | None = None,
) -> Table:
    table = Table(rows, colWidths=widths, rowHeights=heights)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), pdf.chinese_font_name()),
                ("FONTSIZE", (0, 0), (-1, -1), size),
                ("LEADING", (0, 0), (-1, -1), size * 1.3),
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), padding),
                ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
            ]
        )
    )
    return table


def _draw_at_top(canvas: Canvas, flowable: Any, *, top: float) -> float:
    width = A4[0] - 4 * SHEET_MARGIN
    _w, height = flowable.wrapOn(canvas, width, A4[1])
    flowable.drawOn(canvas, 2 * SHEET_MARGIN, top - height)
    return top - height


def _heading(canvas: Canvas, text: str, *, top: float, size: float = 22) -> float:
    canvas.setFont(pdf.chinese_font_name(), size)
    canvas.drawCentredString(A4[0] / 2, top - size, text)
    return top - size * 1.8


def draw_cover(canvas: Canvas, label: BoxLabel) -> None:
    top = _heading(canvas, label.fonds_name, top=A4[1] - 3 * SHEET_MARGIN, size=24)
    top = _heading(canvas, _("Archive box"), top=top, size=18)
    value = pdf.paragraph_style("cover-value", size=13)
    rows = [
        [_("Fonds no."), label.fonds_code],
        [_("Year"), str(label.year)],
        [_("Category"), label.category],
        [_("Retention"), label.retention],
        [
            _("Archival codes"),
            Paragraph(escape(f"{label.first_archival_code} – {label.last_archival_code}"), value),
        ],
        [_("Item numbers"), f"{label.first_item} – {label.last_item}"],
        [_("Items"), str(label.item_count)],
        [_("Volume"), label.volume],
        [_("Box no."), str(label.number)],
    ]
    table = _field_table(rows, [45 * mm, A4[0] - 4 * SHEET_MARGIN - 45 * mm], size=13, padding=8)
    bottom = _draw_at_top(canvas, table, top=top - 10 * mm)
    bar_y = bottom - 40 * mm
    _draw_code128(
        canvas, label.payload, centre_x=A4[0] / 2, y=bar_y, height=18 * mm, width=A4[0] - 4 * SHEET_MARGIN
    )
    canvas.setFont(pdf.chinese_font_name(), 11)
    canvas.drawCentredString(A4[0] / 2, bar_y - 6 * mm, label.code)


def draw_remarks_sheet(canvas: Canvas, label: BoxLabel) -> None:
    top = _heading(canvas, _("Remarks sheet"), top=A4[1] - 3 * SHEET_MARGIN)
    canvas.setFont(pdf.chinese_font_name(), 10)
    canvas.drawCentredString(
        A4[0] / 2, top, _("Box %(box)s · items %(first)s – %(last)s") % {
            "box": label.code, "first": label.first_item, "last": label.last_item
        }
    )  # fmt: skip
    width = A4[0] - 4 * SHEET_MARGIN
    body = pdf.paragraph_style("remarks-notes", size=12)
    hint = pdf.paragraph_style("remarks-hint", size=9, textColor=colors.grey)
    hint.alignment = TA_CENTER
    notes = Paragraph(escape(label.notes).replace("\n", "<br/>"), body)
    rows = [
        [Paragraph(escape(_("Notes on the files in this box")), body), "", "", ""],
        [Paragraph(escape(_("(missing, damaged, corrected, added or removed files)")), hint), "", "", ""],
        [notes, "", "", ""],
        [_("Arranged by"), label.arranged_by, _("Date"), label.arranged_on],
        [_("Checked by"), label.checked_by, _("Date"), label.checked_on],
    ]
    # The notes cell keeps the height of the printed form, however short the notes.
    heights = [None, None, 150 * mm, None, None]
    table = _field_table(
        rows, [w * width for w in (0.2, 0.35, 0.15, 0.3)], size=12, padding=8, heights=heights
    )
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("SPAN", (0, 1), (-1, 1)),
                ("SPAN", (0, 2), (-1, 2)),
                ("VALIGN", (0, 2), (-1, 2), "TOP"),
            ]
        )
    )
    _draw_at_top(canvas, table, top=top - 8 * mm)


def _pages(labels: Sequence[BoxLabel], draw: Any, *, title: str) -> bytes:
    buffer = io.BytesIO()
    canvas = _canvas(buffer, pagesize=A4, title=title)
    for label in labels:
        draw(canvas, label)
        canvas.showPage()
    if not labels:
        _nothing_to_print(canvas)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def covers_pdf(labels: Sequence[BoxLabel], *, title: str) -> bytes:
    return _pages(labels, draw_cover, title=title)


def remarks_sheets_pdf(labels: Sequence[BoxLabel], *, title: str) -> bytes:
    return _pages(labels, draw_remarks_sheet, title=title)


# --- Shelf location labels ------------------------------------------------------------------------------

LOCATION_LABEL = (90 * mm, 36 * mm)


def draw_location_label(canvas: Canvas, location: Location, *, x: float, y: float) -> None:
    width, height = LOCATION_LABEL
    canvas.setLineWidth(0.3)
    canvas.setStrokeColor(colors.lightgrey)
    canvas.rect(x, y, width, height)
    canvas.setStrokeColor(colors.black)
    name = location.name
    size = _fitted_size(name, width - 6 * mm, largest=13)
    canvas.setFont(pdf.chinese_font_name(), size)
    canvas.drawCentredString(x + width / 2, y + height - 3 * mm - size, name)
    payload = location.barcode_payload
    _draw_code128(canvas, payload, centre_x=x + width / 2, y=y + 7 * mm, height=13 * mm, width=width - 4 * mm)
    canvas.setFont(pdf.chinese_font_name(), 8)
    canvas.drawCentredString(x + width / 2, y + 3 * mm, payload)


def location_labels_pdf(locations: Sequence[Location], *, title: str) -> bytes:
    """Shelf labels two across and seven down on A4, cut along the grey lines."""
    width, height = LOCATION_LABEL
    across, down = 2, 7
    left = (A4[0] - across * width) / 2
    top = A4[1] - (A4[1] - down * height) / 2
    buffer = io.BytesIO()
    canvas = _canvas(buffer, pagesize=A4, title=title)
    for index, location in enumerate(locations):
        slot = index % (across * down)
        if index and slot == 0:
            canvas.showPage()
        row, column = divmod(slot, across)
        draw_location_label(canvas, location, x=left + column * width, y=top - (row + 1) * height)
    if not locations:
        _nothing_to_print(canvas)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
