"""An administrator imports a messy old catalogue, corrects it from the error workbook, imports it again."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from records.models import ImportJob, Item
from tests.records.workbooks import MESSY_FIXES, messy_catalogue, write_xlsx
from tests.workers import running_worker

from .conftest import click_nav, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SLOW = 30_000  # ms: a real worker checks and commits in the background


def upload(page: Page, path) -> None:
    page.goto("/records/imports/new/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_test_id("import-upload").locator("button[type=submit]").click()


def count(page: Page, name: str):
    return page.locator(f'[data-count="{name}"]')


def test_an_administrator_imports_corrects_and_imports_again(
    page: Page, administrator, tmp_path, settings, monkeypatch
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    workbook = write_xlsx(tmp_path / "2008-2009年业务档案目录.xlsx", messy_catalogue())

    with running_worker():
        sign_in(page, "admin")
        click_nav(page, "records:import_list")
        expect(page).to_have_url("/records/imports/")
        upload(page, workbook)

        # The preview, once the worker has read every row: counts, findings by kind and by row.
        expect(count(page, "good")).to_have_text("6", timeout=SLOW)
        expect(count(page, "errors")).to_have_text("3")
        kinds = page.get_by_test_id("findings-by-kind")
        for kind in ("mangled_id", "date", "page_count", "totals_row", "note_row", "blank_row"):
            expect(kinds.locator(f'tr[data-kind="{kind}"]')).to_have_count(1)
        rows = page.get_by_test_id("findings-by-row")
        expect(rows.locator("tr[data-row]")).to_have_count(3)
        expect(rows).to_contain_text("身份证号")
        expect(page.get_by_test_id("import-sheets")).to_contain_text("草稿")

        with page.expect_download() as download:
            page.get_by_test_id("error-workbook").click()
        errors = tmp_path / "errors.xlsx"
        download.value.save_as(errors)

        page.get_by_test_id("commit-form").locator("button[type=submit]").click()
        expect(count(page, "imported")).to_have_text("6", timeout=SLOW)
        assert Item.objects.count() == 6

        # The administrator corrects the three rows the error column names, and imports the workbook again.
        book = load_workbook(errors)
        for sheet, cell, value in MESSY_FIXES:
            assert book[sheet][f"L{cell[1:]}"].value  # the row's error, in the added column
            book[sheet][cell] = value
        book.save(errors)
        upload(page, errors)
        expect(count(page, "good")).to_have_text("9", timeout=SLOW)
        expect(count(page, "errors")).to_have_text("0")
        expect(page.get_by_test_id("import-forecast")).to_contain_text("3")
        page.get_by_test_id("commit-form").locator("button[type=submit]").click()
        expect(count(page, "imported")).to_have_text("3", timeout=SLOW)
        expect(count(page, "unchanged")).to_have_text("6")

    click_nav(page, "records:import_list")
    expect(page.get_by_test_id("import-jobs").locator("tr[data-job]")).to_have_count(2)
    assert ImportJob.objects.filter(status="done").count() == 2
    assert Item.objects.count() == 9
    numbers = Item.objects.filter(year=2008, retention__code="Y").values_list("item_number", flat=True)
    assert sorted(numbers) == [1, 2, 3, 4, 5]  # gapless: the file's 0001, then the rows without a code
    zhao = Item.objects.get(persons__name="赵六")
    assert (zhao.employer_name, zhao.persons.get().citizen_id) == ("福州闽江机械厂", "110105198001010040")
