import pytest
from playwright.sync_api import Page, expect

from archive_office.roles import Role
from tests.archive_office.test_home import HEADINGS

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_sees_its_chinese_home_page(page: Page, cast, role):
    page.goto("/")
    expect(page).to_have_url("/login/?next=/")
    sign_in(page, cast[role].username)
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[role])
    expect(page.get_by_test_id("current-user")).to_contain_text(cast[role].full_name)
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def test_a_wrong_password_is_refused_in_chinese(page: Page, archivist):
    sign_in_attempt = page.goto("/login/")
    assert sign_in_attempt.ok
    page.get_by_label("用户名").fill("archivist")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误，请重试。")


def test_the_administrator_sees_the_live_system_status(page: Page, administrator):
    sign_in(page, "admin")
    status = page.get_by_test_id("system-status")
    expect(status).to_contain_text("数据库 正常")
    expect(status).to_contain_text("Redis 正常")


def test_switching_to_english(page: Page, archivist):
    sign_in(page, "archivist")
    page.get_by_test_id("language-switch").locator("select").select_option("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive staff")
