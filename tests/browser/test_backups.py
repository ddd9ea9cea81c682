"""An administrator registers a backup copy, writes it to a folder and verifies it; a damaged copy is named.

The first write is queued before the worker starts, so the htmx progress is seen for certain and the
finished run can only appear through the progress poll's refresh.
"""

import uuid

import pytest
from playwright.sync_api import Page, expect

from archive_office.celery import app
from backups.models import BackupCopy, BackupRun
from tests.records.factories import make_item
from tests.workers import running_worker

from .conftest import click_nav, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SLOW = 30_000  # ms: a real worker writes and verifies in the background


def test_an_administrator_writes_verifies_and_finds_a_damaged_copy(
    page: Page, administrator, tmp_path, settings, monkeypatch
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    queue = f"test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(app.conf, "task_default_queue", queue)  # tasks wait there until the worker starts
    make_item(title="张三开户登记表")
    make_item(title="李四开户登记表", persons=[("李四", "110105198001010040")])
    target = tmp_path / "copies" / "A"

    sign_in(page, "admin")
    click_nav(page, "backups:copy_list")
    expect(page).to_have_url("/backups/")
    page.get_by_role("link", name="新建备份副本").click()
    page.get_by_label("名称").fill("A 封存")
    page.get_by_label("用途").select_option(label="封存备份")
    page.get_by_label("载体").fill("LTO-8")
    page.get_by_label("存放地点").fill("档案馆地下库房")
    page.get_by_label("保管人").fill("王建国")
    page.get_by_role("button", name="保存").click()
    copy = BackupCopy.objects.get(name="A 封存")
    expect(page).to_have_url(f"/backups/{copy.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("封存备份")

    page.get_by_label("目标文件夹").fill(str(target))
    page.get_by_role("button", name="写入备份").click()
    progress = page.get_by_test_id("backup-progress")
    expect(progress).to_contain_text("写入 · 排队中")
    expect(page.get_by_test_id("run-form")).to_have_count(0)  # no second run while one is under way

    runs = page.get_by_test_id("run-list").locator("tbody tr")
    register = page.get_by_test_id("copy-register")
    with running_worker(queue=queue):
        expect(runs.first).to_contain_text("完成", timeout=SLOW)
        expect(progress).to_have_count(0)
        expect(runs.first).to_contain_text("写入")
        expect(register).to_contain_text(str(target))
        expect(register).to_contain_text("个包")
        assert (target / "backup-copy.json").exists()

        page.get_by_role("button", name="校验备份").click()  # the folder just written is filled in
        expect(runs).to_have_count(2)
        expect(runs.first).to_contain_text("校验")
        expect(runs.first).to_contain_text("完成", timeout=SLOW)
        expect(register.locator(".bi-check-circle")).to_be_visible()
        expect(page.get_by_test_id("damage")).to_have_count(0)

        # One byte of the catalogue in the copy rots; the next verification names the file.
        bag = next(target.glob("catalogue-*"))
        damaged = bag / "data" / "catalogue" / "items.csv"
        data = bytearray(damaged.read_bytes())
        data[len(data) // 2] ^= 0x01
        damaged.write_bytes(bytes(data))
        page.get_by_role("button", name="校验备份").click()
        expect(runs).to_have_count(3)
        expect(runs.first).to_contain_text("失败", timeout=SLOW)
        expect(runs.first).to_have_class("table-danger")
        expect(register.locator(".bi-x-circle")).to_be_visible()
        expect(page.get_by_test_id("damage")).to_have_text(f"已改动：{bag.name}/data/catalogue/items.csv")

    click_nav(page, "backups:copy_list")
    expect(page.get_by_test_id(f"verified-{copy.pk}").locator(".bi-x-circle")).to_be_visible()
    copy.refresh_from_db()
    assert copy.last_verification_ok is False
    assert copy.last_verified_by == "admin"
    assert list(copy.runs.values_list("kind", "status")) == [
        (BackupRun.Kind.VERIFY, BackupRun.Status.FAILED),
        (BackupRun.Kind.VERIFY, BackupRun.Status.DONE),
        (BackupRun.Kind.WRITE, BackupRun.Status.DONE),
    ]


def test_a_contractor_neither_sees_nor_reaches_the_backups(page: Page, contractor):
    sign_in(page, "contractor")
    expect(page.get_by_test_id("main-nav").locator('[data-nav="backups:copy_list"]')).to_have_count(0)
    for url in ("/backups/", "/backups/new/"):
        response = page.goto(url)
        assert response is not None
        assert response.status == 403
    assert not BackupCopy.objects.exists()
