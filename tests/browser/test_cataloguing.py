import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from records.models import Item

from .conftest import open_from_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_archivist_catalogues_with_the_keyboard_finds_and_exports_the_item(page: Page, archivist):
    sign_in(page, "archivist")
    open_from_menu(page, "档案目录", "新建条目")
    page.get_by_label("业务事项").select_option(label="养老转移")
    page.get_by_label("年度").fill("2010")
    page.get_by_label("题名").fill("王芳养老保险关系转移申请表")
    page.get_by_label("页数").fill("6")
    page.get_by_placeholder("姓名").first.fill("王芳")
    page.get_by_placeholder("公民身份号码").first.fill("１１０１０５１９４９１２３１００２ｘ")
    page.get_by_placeholder("公民身份号码").first.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("已保存 Z001-ZY·2010-D100-GL-0001")
    # The next entry opens with the year and business item carried over, the cursor in the title.
    expect(page.get_by_label("年度")).to_have_value("2010")
    expect(page.get_by_label("题名")).to_be_focused()

    open_from_menu(page, "档案目录", "目录检索")
    page.get_by_role("searchbox").fill("1231002x")
    results = page.get_by_test_id("item-results")
    expect(results).to_contain_text("王芳养老保险关系转移申请表")
    expect(results).to_contain_text("11010519491231002X")
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename == "catalogue.xlsx"
    rows = list(
        load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active.iter_rows(values_only=True)
    )
    assert rows[0][:3] == ("档号", "全宗号", "年度")
    assert rows[1][0] == "Z001-ZY·2010-D100-GL-0001"
    assert rows[1][8:10] == ("王芳", "11010519491231002X")
    results.get_by_role("link", name="Z001-ZY·2010-D100-GL-0001").click()
    expect(page.get_by_test_id("archival-code")).to_have_text("Z001-ZY·2010-D100-GL-0001")
    assert Item.objects.get().persons.get().name == "王芳"


def test_a_wrong_citizen_id_is_explained_in_chinese(page: Page, archivist):
    sign_in(page, "archivist")
    page.goto("/records/items/new/")
    page.get_by_label("业务事项").select_option(label="开户登记")
    page.get_by_label("年度").fill("2008")
    page.get_by_label("题名").fill("张伟开户登记表")
    page.get_by_label("页数").fill("3")
    page.get_by_placeholder("姓名").first.fill("张伟")
    page.get_by_placeholder("公民身份号码").first.fill("110105194912310021")
    page.get_by_role("button", name="保存并录入下一件").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("校验位错误")
    assert not Item.objects.exists()
