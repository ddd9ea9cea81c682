"""The supervisor samples a submitted batch, inspects it by keyboard and returns it; the contractor resubmits;
the next round is accepted and the items show as published in the catalogue search.

Selectors use test ids and element ids, so the journey holds whichever language the screens speak.
"""

import pytest
from playwright.sync_api import Page, expect

from digitization.models import Batch
from qc.models import Defect, Sample, Verdict
from tests.digitization.factories import make_assembled_items

from ..qc.factories import make_submitted_batch
from .conftest import click_nav, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draw_everything(page: Page, batch: Batch) -> None:
    click_nav(page, "qc:sample_list")
    page.get_by_test_id(f"draw-{batch.code}").click()
    page.locator("input[name=mode][value=item]").check()
    page.locator("#id_rate").fill("100")
    page.get_by_test_id("draw").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-decision", "open")


def _open_first_item(page: Page) -> None:
    page.locator("[data-testid=units] tr[data-unit='1'] a").click()
    expect(page.get_by_test_id("unit-position")).to_have_attribute("data-position", "1")


def _decide(page: Page, decision: str) -> None:
    form = page.get_by_test_id("decision-form")
    expect(form.locator(f"input[name=decision][value={decision}]")).to_be_checked()  # what the figures say
    form.locator("textarea[name=note]").fill("抽检意见见缺陷清单" if decision == "reject" else "")
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-decision", decision)


def test_a_batch_is_returned_reworked_and_accepted_then_published(page: Page, contractor, supervisor):
    items = make_assembled_items(count=2, page_count=2)
    batch = make_submitted_batch(contractor=contractor, items=items, with_files=True)

    # Round 1: the supervisor draws every item and inspects by keyboard.
    sign_in(page, "supervisor")
    _draw_everything(page, batch)
    _open_first_item(page)
    status = page.get_by_test_id("image-status")
    expect(status).to_contain_text("1 / 2")
    expect(page.get_by_test_id("page-image")).to_have_attribute(
        "src", f"/batches/pages/{items[0].pages.get(sequence=1).pk}/image/derivative/"
    )
    page.keyboard.press("j")
    expect(status).to_contain_text("2 / 2")
    page.keyboard.press("k")
    expect(status).to_contain_text("1 / 2")
    page.keyboard.press("ArrowRight")
    expect(status).to_contain_text("2 / 2")
    page.keyboard.press("+")
    expect(page.get_by_test_id("page-image")).to_have_css("transform", "matrix(1.25, 0, 0, 1.25, 0, 0)")
    page.keyboard.press("r")
    page.keyboard.press("1")  # skew
    expect(page.locator("#defect-note")).to_be_focused()
    page.keyboard.type("右上角倾斜约 2°")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=unit-defects] li[data-kind=skew]")).to_contain_text("右上角倾斜约 2°")
    expect(page.get_by_test_id("pass")).to_be_disabled()
    expect(page.locator("#check-images")).not_to_be_checked()
    expect(page.locator("#check-catalogue")).to_be_checked()
    page.keyboard.press("p")  # refused silently: the item has a defect
    page.get_by_test_id("record-inspection").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("unit-position")).to_have_attribute("data-position", "2")  # the next item
    page.keyboard.press("p")
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-decision", "open")
    expect(page.locator("[data-inspection=failed]")).to_have_count(1)
    expect(page.locator("[data-inspection=passed]")).to_have_count(1)
    _decide(page, "reject")

    defect = Defect.objects.get()
    assert (defect.kind, defect.page.sequence, defect.unit.item) == (
        "skew",
        2,
        defect.unit.sample.units.get(position=1).item,
    )
    batch.refresh_from_db()
    assert batch.step == Batch.Step.RETURNED

    # The contractor reads the defect list and resubmits after rework.
    sample = Sample.objects.get()
    page.context.clear_cookies()
    sign_in(page, "contractor")
    page.goto(sample.get_absolute_url())
    expect(page.locator("[data-testid=defects] tr[data-kind=skew]")).to_contain_text("右上角倾斜约 2°")
    page.goto(batch.get_absolute_url())
    page.locator("form[action$='/advance/'] input[name=note]").fill("已重新纠偏")
    page.get_by_role("button", name="进入“已提交质检”").click()
    expect(page.get_by_test_id("batch-step")).to_have_text("已提交质检")

    # Round 2: everything passes with one key each, and the batch is accepted.
    page.context.clear_cookies()
    sign_in(page, "supervisor")
    _draw_everything(page, batch)
    _open_first_item(page)
    page.keyboard.press("p")
    expect(page.get_by_test_id("unit-position")).to_have_attribute("data-position", "2")
    page.keyboard.press("p")
    _decide(page, "accept")
    assert Verdict.objects.get(decision="accept").sample.round_number == 2
    assert Batch.objects.get().step == Batch.Step.ACCEPTED

    # The accepted items are published in the catalogue search.
    page.goto(f"/records/?q={items[0].archival_code}")
    results = page.get_by_test_id("item-results")
    expect(
        results.get_by_role("row").filter(has_text=items[0].archival_code).get_by_test_id("published")
    ).to_be_visible()
