"""The monthly statement: accepted in-scope pages × unit price, against the contract cap (DOMAIN §1).

Each acceptance recorded its billable pages and the unit price then in force (qc.Verdict), so a month's
statement never changes afterwards, even when the office later changes the price. Amounts are rounded
half up to the fen per batch, as the finance office does by hand; once the cap is reached, nothing more
is payable, and the statement says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from archive_office.lib import pdf

from .models import QualitySettings, Verdict

FEN = Decimal("0.01")


@dataclass(frozen=True)
class StatementLine:
    batch_code: str
    accepted_on: datetime.date
    pages: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.pages * self.unit_price).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Statement:
    month: datetime.date  # its first day
    lines: list[StatementLine]
    cap: Decimal
    billed_before: Decimal  # payable in the months before, within the cap
    pages_before: int

    @property
    def pages(self) -> int:
        return sum(line.pages for line in self.lines)

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def payable(self) -> Decimal:
        return min(self.amount, max(self.cap - self.billed_before, Decimal("0.00")))

    @property
    def capped(self) -> bool:
        return self.payable < self.amount

    @property
    def billed_to_date(self) -> Decimal:
        return self.billed_before + self.payable

    @property
    def cap_left(self) -> Decimal:
        return self.cap - self.billed_to_date


def parse_month(raw: str | None, today: datetime.date) -> datetime.date:
    """`2026-11` → 2026-11-01; anything else means this month."""
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def monthly_statement(month: datetime.date) -> Statement:
    office = QualitySettings.current()
    start, end = _start_of(month), _start_of(next_month(month))
    accepted = Verdict.objects.accepted()
    lines = [
        StatementLine(
            batch_code=verdict.batch.code,
            accepted_on=timezone.localdate(verdict.decided_at),
            pages=verdict.billable_pages,
            unit_price=verdict.unit_price,
        )
        for verdict in accepted.filter(decided_at__gte=start, decided_at__lt=end)
        .select_related("batch")
        .order_by("decided_at", "id")
    ]
    # ROUND on numeric rounds half away from zero: the same as ROUND_HALF_UP for these positive amounts.
    amount = ExpressionWrapper(
        Round(F("billable_pages") * F("unit_price"), 2),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    before = accepted.filter(decided_at__lt=start).aggregate(amount=Sum(amount), pages=Sum("billable_pages"))
    return Statement(
        month=month,
        lines=lines,
        cap=office.contract_cap,
        billed_before=min(before["amount"] or Decimal("0.00"), office.contract_cap),
        pages_before=before["pages"] or 0,
    )


def _title(statement: Statement) -> str:
    return _("Billing statement %(month)s") % {"month": statement.month.strftime("%Y-%m")}


def _header() -> list[str]:
    return [
        _("No."),
        _("Batch"),
        _("Accepted on"),
        _("Accepted pages"),
        _("Unit price (CNY)"),
        _("Amount (CNY)"),
    ]


def _summary(statement: Statement) -> list[tuple[str, object]]:
    return [
        (_("Accepted pages this month"), statement.pages),
        (_("Amount this month (CNY)"), statement.amount),
        (_("Payable this month within the cap (CNY)"), statement.payable),
        (_("Paid before this month (CNY)"), statement.billed_before),
        (_("Billed to date (CNY)"), statement.billed_to_date),
        (_("Contract cap (CNY)"), statement.cap),
        (_("Left under the cap (CNY)"), statement.cap_left),
    ]


def write_xlsx(statement: Statement, stream: BinaryIO) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = statement.month.strftime("%Y-%m")
    sheet.append([_title(statement)])
    sheet.append([])
    sheet.append(_header())
    for number, line in enumerate(statement.lines, start=1):
        sheet.append([number, line.batch_code, line.accepted_on, line.pages, line.unit_price, line.amount])
        sheet.cell(sheet.max_row, 3).number_format = "yyyy-mm-dd"
        sheet.cell(sheet.max_row, 5).number_format = "0.0000"
        sheet.cell(sheet.max_row, 6).number_format = "#,##0.00"
    sheet.append([])
    for label, value in _summary(statement):
        sheet.append([None, label, None, None, None, value])
        if isinstance(value, Decimal):
            sheet.cell(sheet.max_row, 6).number_format = "#,##0.00"
    if statement.capped:
        sheet.append([None, _("The contract cap is reached: the amount above it is not payable.")])
    for letter, width in {"A": 6, "B": 36, "C": 14, "D": 14, "E": 16, "F": 18}.items():
        sheet.column_dimensions[letter].width = width
    workbook.save(stream)


def render_pdf(statement: Statement) -> bytes:
    heading = pdf.paragraph_style("heading", size=13)
    body = pdf.paragraph_style("body", size=9)
    rows = [
        [
            str(n),
            line.batch_code,
            line.accepted_on.isoformat(),
            str(line.pages),
            f"{line.unit_price}",
            f"{line.amount:,}",
        ]
        for n, line in enumerate(statement.lines, start=1)
    ]
    story: list[Flowable] = [Paragraph(escape(_title(statement)), heading), Spacer(1, 4 * mm)]
    if rows:
        story.append(pdf.grid_table(_header(), rows, [w * mm for w in (12, 42, 28, 28, 30, 40)]))
    else:
        story.append(Paragraph(escape(_("No batch was accepted this month.")), body))
    story.append(Spacer(1, 6 * mm))
    summary = [[label, f"{value:,}"] for label, value in _summary(statement)]
    story.append(pdf.grid_table([_("Summary"), ""], summary, [110 * mm, 70 * mm]))
    if statement.capped:
        story += [
            Spacer(1, 4 * mm),
            Paragraph(escape(_("The contract cap is reached: the amount above it is not payable.")), body),
        ]
    return pdf.render_a4(story, title=_title(statement))
