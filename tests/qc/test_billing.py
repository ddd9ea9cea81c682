"""The monthly statement: accepted in-scope pages × unit price, within the contract cap, as XLSX and PDF."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from archive_office.models import AuditEvent
from archive_office.roles import Role
from qc import billing, services
from qc.models import QualitySettings, Sample, Verdict
from tests.conftest import signed_in
from tests.digitization.factories import make_assembled_items

from .factories import accept, make_submitted_batch


def _accepted_on(day: datetime.date, *, contractor, supervisor, pages: int, price: str = "0.61") -> Verdict:
    """An acceptance recorded on a given day (verdicts are never changed, so it is written so at once)."""
    batch = make_submitted_batch(contractor=contractor, items=make_assembled_items(count=1, page_count=1))
    sample = services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.ITEM)
    return Verdict.objects.create(
        sample=sample,
        batch=batch,
        decision=Verdict.Decision.ACCEPT,
        pages_inspected=1,
        pages_defective=0,
        items_inspected=1,
        items_defective=0,
        units_defective=0,
        critical_defects=0,
        billable_pages=pages,
        unit_price=Decimal(price),
        decided_by=supervisor,
        decided_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
    )


@pytest.fixture
def november(contractor, supervisor):
    _accepted_on(datetime.date(2026, 10, 30), contractor=contractor, supervisor=supervisor, pages=10_000)
    _accepted_on(datetime.date(2026, 11, 2), contractor=contractor, supervisor=supervisor, pages=1_235)
    _accepted_on(
        datetime.date(2026, 11, 30), contractor=contractor, supervisor=supervisor, pages=2, price="0.6125"
    )
    _accepted_on(datetime.date(2026, 12, 1), contractor=contractor, supervisor=supervisor, pages=999)


def test_a_month_bills_its_acceptances_at_their_prices(november):
    statement = billing.monthly_statement(datetime.date(2026, 11, 1))
    assert [(line.accepted_on.day, line.pages, line.amount) for line in statement.lines] == [
        (2, 1_235, Decimal("753.35")),
        (30, 2, Decimal("1.23")),  # 1.225 rounds half up
    ]
    assert (statement.pages, statement.amount, statement.payable) == (
        1_237,
        Decimal("754.58"),
        Decimal("754.58"),
    )
    assert (statement.billed_before, statement.pages_before) == (Decimal("6100.00"), 10_000)
    assert statement.billed_to_date == Decimal("6854.58")
    assert statement.cap_left == Decimal("450000") - Decimal("6854.58")
    assert not statement.capped


def test_nothing_is_payable_beyond_the_cap(november):
    office = QualitySettings.current()
    office.contract_cap = Decimal("6500.00")
    office.save()
    statement = billing.monthly_statement(datetime.date(2026, 11, 1))
    assert (statement.amount, statement.payable, statement.cap_left) == (
        Decimal("754.58"),
        Decimal("400.00"),
        Decimal("0.00"),
    )
    assert statement.capped
    later = billing.monthly_statement(datetime.date(2026, 12, 1))
    assert (later.billed_before, later.payable) == (Decimal("6500.00"), Decimal("0.00"))


def test_a_returned_batch_and_out_of_scope_pages_are_not_billed(contractor, supervisor):
    in_scope = make_assembled_items(count=2, page_count=3, business_item="开户登记")
    out = make_assembled_items(count=1, page_count=4, business_item="企业月度增减", retention="D10")
    accept(make_submitted_batch(contractor=contractor, items=in_scope + out), supervisor=supervisor)
    statement = billing.monthly_statement(timezone.localdate().replace(day=1))
    assert [line.pages for line in statement.lines] == [6]


def test_the_statement_downloads_as_xlsx_and_pdf_and_is_audited(supervisor_client, november):
    url = reverse("qc:billing_download", args=["xlsx"])
    response = supervisor_client.get(url, {"month": "2026-11"})
    assert response["Content-Disposition"] == 'attachment; filename="billing-2026-11.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row and row[1]]
    assert [row[3] for row in rows if isinstance(row[0], int)] == [1_235, 2]
    assert Decimal(str(rows[-1][5])) == Decimal("443145.42")  # left under the cap
    pdf = supervisor_client.get(reverse("qc:billing_download", args=["pdf"]), {"month": "2026-11"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert sorted(e.detail["format"] for e in exports) == ["pdf", "xlsx"]


def test_the_statement_page_shows_the_month(supervisor_client, november):
    response = supervisor_client.get(reverse("qc:billing"), {"month": "2026-11"})
    assert response.context["statement"].month == datetime.date(2026, 11, 1)
    assert 'data-figure="payable">754.58<' in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"), [(Role.ARCHIVE_STAFF, 403), (Role.CONTRACTOR, 403), (Role.ADMINISTRATOR, 200)]
)
def test_who_sees_the_billing(cast, role, status):
    client = signed_in(cast[role])
    assert client.get(reverse("qc:billing")).status_code == status
    assert client.get(reverse("qc:billing_download", args=["pdf"])).status_code == status


def test_a_month_that_is_not_a_month_means_this_month():
    today = datetime.date(2026, 11, 21)
    assert billing.parse_month("2026-13", today) == datetime.date(2026, 11, 1)
    assert billing.parse_month("abc", today) == datetime.date(2026, 11, 1)
    assert billing.parse_month("2026-02", today) == datetime.date(2026, 2, 1)
    assert billing.next_month(datetime.date(2026, 12, 1)) == datetime.date(2027, 1, 1)
