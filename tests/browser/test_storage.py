"""Archive staff shelve boxes with a keyboard-wedge scanner, then lend a box and take it back by scanning."""

import pytest
from playwright.sync_api import Page, expect

from storage.models import Box, Loan
from tests.storage.factories import make_box, make_location, make_volume

from .conftest import click_nav, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _scan(page: Page, code: str, key: str = "Enter") -> None:
    # A keyboard-wedge scanner is a keyboard: it types the code, then Enter or Tab.
    page.keyboard.type(code)
    page.keyboard.press(key)


def test_archive_staff_shelve_by_scanning_then_lend_and_return_a_box(page: Page, archivist):
    first, second = make_box(volume=make_volume()), make_box(volume=make_volume())
    cell = make_location()

    sign_in(page, "archivist")
    click_nav(page, "storage:shelve")
    expect(page.get_by_test_id("scan-input")).to_be_focused()
    rows = page.get_by_test_id("scan-row")

    # Scanned in one go, without waiting: each code is sent in turn and confirmed on its own line.
    _scan(page, cell.barcode_payload)
    _scan(page, first.barcode_payload)
    _scan(page, second.barcode_payload, key="Tab")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-testid=scan-row][data-ok=true]")).to_have_count(3)
    expect(page.get_by_test_id("current-cell")).to_contain_text(cell.name)
    expect(page.get_by_test_id("scan-input")).to_be_focused()
    expect(page.get_by_test_id("scan-input")).to_have_value("")
    assert {box.current_location_id for box in Box.objects.with_location()} == {cell.pk}

    # A box that is not there is a red line, and scanning goes on.
    _scan(page, "BOX:Z999-ZY.2008-Y-GL-B009")
    expect(page.locator("[data-testid=scan-row][data-ok=false]")).to_have_count(1)

    click_nav(page, "storage:loan_list")
    page.locator("a[href='/storage/loans/lend/']").first.click()
    form = page.get_by_test_id("lend-form")
    form.locator("[name=department]").fill("待遇科")
    form.locator("[name=purpose]").fill("退休审批复核")
    page.get_by_test_id("scan-input").focus()
    _scan(page, first.barcode_payload)
    expect(page.locator("[data-testid=scan-row][data-ok=true]")).to_have_count(1)
    loan = Loan.objects.get()
    assert (loan.box, loan.borrower_department, loan.purpose) == (first, "待遇科", "退休审批复核")

    # The catalogue's search results say that the box's files are out.
    item = first.contents.first().item
    page.goto(f"/records/?q={item.archival_code}")
    expect(page.get_by_test_id("on-loan")).to_contain_text("待遇科")

    page.goto("/storage/loans/return/")
    expect(page.get_by_test_id("scan-input")).to_be_focused()
    _scan(page, first.barcode_payload)
    expect(page.locator("[data-testid=scan-row][data-ok=true]")).to_have_count(1)
    loan.refresh_from_db()
    assert loan.returned_at is not None
    page.goto("/storage/loans/")
    expect(page.get_by_test_id("loan-list")).to_have_count(0)
