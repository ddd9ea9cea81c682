"""The page-range sheet (页号范围表) per volume, printed for the numbering desk."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from archive_office.lib import pdf

from .models import Batch, Numbering


def page_range_sheet_pdf(batch: Batch) -> bytes:
    numberings = (
        Numbering.objects.filter(batch=batch)
        .select_related(
            "placement__item",
            "placement__volume__fonds",
            "placement__volume__retention",
            "placement__volume__business_category",
        )
        .order_by("placement__volume__year", "placement__volume__number", "first_page")
    )
    by_volume: dict[object, list[Numbering]] = {}
    for numbering in numberings:
        by_volume.setdefault(numbering.placement.volume, []).append(numbering)
    heading = pdf.paragraph_style("heading", size=12)
    body = pdf.paragraph_style("cell", size=8)
    story: list[Flowable] = []
    for volume, rows in by_volume.items():
        if story:
            story.append(PageBreak())
        story += [
            Paragraph(escape(_("Page ranges of volume %(volume)s") % {"volume": volume}), heading),
            Spacer(1, 4 * mm),
        ]
        header = [
            _("No."),
            _("Archival code"),
            _("Title"),
            _("Part"),
            _("Planned page numbers"),
            _("Stamped page numbers"),
        ]
        table_rows = [
            [
                str(index),
                Paragraph(escape(n.placement.item.archival_code), body),
                Paragraph(escape(n.placement.item.title), body),
                n.placement.part_label,
                f"{n.placement.first_page}–{n.placement.last_page}",
                f"{n.first_page}–{n.last_page}",
            ]
            for index, n in enumerate(rows, start=1)
        ]
        story.append(pdf.grid_table(header, table_rows, [w * mm for w in (10, 48, 70, 12, 20, 20)]))
    if not story:
        story.append(Paragraph(escape(_("The batch has no item in a volume.")), body))
    return pdf.render_a4(story, title=_("Page ranges · batch %(batch)s") % {"batch": batch.code})
