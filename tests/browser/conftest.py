"""Playwright driving Debian's chromium (no browser download is possible here) against the live server."""

import os
import shutil

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.factories import TEST_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The machine's network is closed: without these flags chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    # Playwright's sync API runs an event loop in this thread; the ORM would refuse to run beside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser: Browser, live_server) -> Page:
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def open_from_menu(page: Page, menu: str, entry: str) -> None:
    """Click through the navigation bar as a user does: open the menu, then choose the entry."""
    nav = page.get_by_test_id("main-nav")
    nav.get_by_role("button", name=menu).click()
    nav.get_by_role("link", name=entry).click()


def click_nav(page: Page, url_name: str) -> None:
    """Follow a navigation entry by its URL name, opening its menu first when it sits in one."""
    link = page.get_by_test_id("main-nav").locator(f'[data-nav="{url_name}"]')
    if not link.is_visible():
        link.locator("xpath=ancestor::li[contains(@class, 'dropdown')]/a").click()
    link.click()
