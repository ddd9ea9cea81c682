"""The volume register (案卷登记) and each volume's list of contents (卷内目录), as PDF and as a workbook.

Both are printed after volumes are assembled and again after boxing, when the register is checked against
each box's first and last item; the rows come from `register_rows`, in two queries for any number of volumes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table

from archive_office.lib import pdf

from .models import Placement, Volume


@dataclass(frozen=True)
class RegisterEntry:
    """One item, or one part of a split item, in a volume's contents."""

    archival_code: str
    title: str
    part_label: str  # "2/3" for part two of an item spanning three volumes, else ""
    first_page: int
    last_page: int


@dataclass(frozen=True)
class RegisterRow:
    label: str
    year: int
    retention_code: str
    business_category: str
    item_count: int
    first_item_number: str
    last_item_number: str
    first_archival_code: str
    last_archival_code: str
    page_count: int
    entries: tuple[RegisterEntry, ...]


def _item_number(number: int | None) -> str:
    # Legacy items keep the code an old catalogue gave them and may have no item number.
    return f"{number:04d}" if number is not None else ""


def register_rows(volumes: QuerySet[Volume]) -> list[RegisterRow]:
    volumes = volumes.select_related("fonds", "retention", "business_category").prefetch_related(
        Prefetch("placements", queryset=Placement.objects.select_related("item").order_by("first_page"))
    )
    rows = []
    for volume in volumes:
        placements = list(volume.placements.all())
        first = placements[0].item if placements else None
        last = placements[-1].item if placements else None
        rows.append(
            RegisterRow(
                label=volume.label,
                year=volume.year,
                retention_code=volume.retention.code,
                business_category=volume.business_category.name,
                item_count=len({p.item_id for p in placements}),
                first_item_number=_item_number(first.item_number) if first else "",
                last_item_number=_item_number(last.item_number) if last else "",
                first_archival_code=first.archival_code if first else "",
                last_archival_code=last.archival_code if last else "",
                page_count=volume.page_count,
                entries=tuple(
                    RegisterEntry(
                        archival_code=p.item.archival_code,
                        title=p.item.title,
                        part_label=p.part_label,
                        first_page=p.first_page,
                        last_page=p.last_page,
                    )
                    for p in placements
                ),
            )
        )
    return rows


# PDF -----------------------------------------------------------------------------------------------------


def _summary_table(rows: list[RegisterRow]) -> Table:
    cell = pdf.paragraph_style("cell", size=8)
    header = [
        _("Volume"),
        _("Year"),
        _("Retention"),
        _("Business category"),
        _("Item count"),
        _("Item numbers"),
        _("Page count"),
    ]
    body: list[list[Any]] = []
    for row in rows:
        numbers = f"{row.first_item_number}–{row.last_item_number}" if row.item_count else ""
        body.append(
            [
                Paragraph(escape(row.label), cell),
                row.year,
                row.retention_code,
                Paragraph(escape(row.business_category), cell),
                row.item_count,
                numbers,
                row.page_count,
            ]
        )
    return pdf.grid_table(header, body, [w * mm for w in (50, 14, 18, 28, 18, 32, 20)])


def _contents_table(row: RegisterRow) -> Table:
    cell = pdf.paragraph_style("cell", size=8)
    header = [_("No."), _("Archival code"), _("Title"), _("Part"), _("Page range")]
    body: list[list[Any]] = []
    for number, entry in enumerate(row.entries, start=1):
        body.append(
            [
                number,
                Paragraph(escape(entry.archival_code), cell),
                Paragraph(escape(entry.title), cell),
                entry.part_label,
                f"{entry.first_page}–{entry.last_page}",
            ]
        )
    return pdf.grid_table(header, body, [w * mm for w in (10, 50, 88, 12, 20)])


def volume_register_pdf(volumes: QuerySet[Volume], *, title: str) -> bytes:
    """The register of all volumes, then each volume's contents starting on a page of its own so that it
    can be filed at the front of the volume."""
    rows = register_rows(volumes)
    heading = pdf.paragraph_style("heading", size=13, spaceAfter=3 * mm)
    subheading = pdf.paragraph_style("subheading", size=9, spaceAfter=2 * mm)
    story: list[Flowable] = [Paragraph(escape(title), heading)]
    if not rows:
        story.append(Paragraph(escape(_("No volumes to list.")), subheading))
        return pdf.render_a4(story, title=title)
    story.append(_summary_table(rows))
    for row in rows:
        summary = _(
            "Year %(year)s · retention %(retention)s · %(category)s · items: %(items)s · pages: %(pages)s"
        ) % {
            "year": row.year,
            "retention": row.retention_code,
            "category": row.business_category,
            "items": row.item_count,
            "pages": row.page_count,
        }
        story += [
            PageBreak(),
            Paragraph(escape(_("Contents of volume %(label)s") % {"label": row.label}), heading),
            Paragraph(escape(summary), subheading),
            Spacer(0, 1 * mm),
            _contents_table(row),
        ]
    return pdf.render_a4(story, title=title)


# Workbook ------------------------------------------------------------------------------------------------


def _write_sheet(sheet: Worksheet, header: list[str], widths: list[int], rows: list[list[Any]]) -> None:
    sheet.append(header)
    for values in rows:
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            # openpyxl stores a string starting with "=" as a formula; catalogue text is never one.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E6E6E6")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"


def volume_register_xlsx(volumes: QuerySet[Volume]) -> bytes:
    rows = register_rows(volumes)
    workbook = Workbook()
    register = workbook.active
    assert register is not None
    register.title = _("Volume register")
    _write_sheet(
        register,
        [
            _("Volume"),
            _("Year"),
            _("Retention"),
            _("Business category"),
            _("Item count"),
            _("First item number"),
            _("Last item number"),
            _("First archival code"),
            _("Last archival code"),
            _("Page count"),
        ],
        [30, 8, 10, 12, 8, 10, 10, 28, 28, 8],
        [
            [
                row.label,
                row.year,
                row.retention_code,
                row.business_category,
                row.item_count,
                row.first_item_number,
                row.last_item_number,
                row.first_archival_code,
                row.last_archival_code,
                row.page_count,
            ]
            for row in rows
        ],
    )
    _write_sheet(
        workbook.create_sheet(_("Volume contents")),
        [_("Volume"), _("No."), _("Archival code"), _("Title"), _("Part"), _("First page"), _("Last page")],
        [30, 6, 28, 60, 8, 8, 8],
        [
            [
                row.label,
                number,
                entry.archival_code,
                entry.title,
                entry.part_label,
                entry.first_page,
                entry.last_page,
            ]
            for row in rows
            for number, entry in enumerate(row.entries, start=1)
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
