import pytest
from playwright.sync_api import Page, expect

from digitization import services
from digitization.models import Batch
from digitization.models import Page as ScanPage
from tests.digitization.factories import make_assembled_items, make_batch, scan_jpeg
from tests.workers import running_worker

from .conftest import open_from_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _advance(page: Page, step: str) -> None:
    page.get_by_role("button", name=f"进入“{step}”").click()
    expect(page.get_by_test_id("batch-step")).to_have_text(step)


def test_the_contractor_takes_a_batch_from_registration_to_inspection(
    page: Page, contractor, media, tmp_path
):
    items = make_assembled_items(count=2, page_count=2)
    volume = items[0].placements.get().volume
    scans = tmp_path / "scans"
    scans.mkdir()
    for item in items:
        for sequence in (1, 2):
            (scans / f"{item.archival_code}-{sequence:04d}.jpg").write_bytes(
                scan_jpeg(seed=item.pk * 10 + sequence)
            )
    (scans / "readme.jpg").write_text("扫描说明", encoding="utf-8")

    with running_worker(env={"MEDIA_ROOT": str(media)}):
        sign_in(page, "contractor")
        open_from_menu(page, "数字化", "批次")
        page.get_by_role("link", name="登记批次").click()
        page.get_by_label("接收的案卷").select_option(value=str(volume.pk))
        page.get_by_role("button", name="登记").click()
        expect(page.get_by_test_id("batch-step")).to_have_text("整理")
        _advance(page, "打码")
        _advance(page, "扫描")

        page.get_by_role("link", name="上传扫描件").click()
        page.get_by_label("扫描文件").set_input_files(sorted(str(p) for p in scans.iterdir()))
        page.get_by_label("扫描设备").fill("EPSON DS-50000")
        page.get_by_role("button", name="上传", exact=True).click()
        expect(page.get_by_test_id("upload-summary")).to_have_text("完成：保存 4 个，拒收 1 个。")
        refused = page.get_by_test_id("upload-results").locator("tr", has_text="readme.jpg")
        expect(refused).to_contain_text("不是档案可以保存的图像：不是图像文件（无法识别文件格式）")

        page.get_by_role("link", name="返回批次").click()
        _advance(page, "图像处理")
        # The page grid polls until the worker has processed every page.
        expect(page.locator("[data-page-status=received]")).to_have_count(0, timeout=60_000)
        expect(page.locator("[data-page-status]")).to_have_count(4)
        _advance(page, "挂接")
        page.get_by_role("button", name="按文件名挂接（档号-NNNN）").click()
        expect(page.get_by_role("alert")).to_contain_text("已挂接 4 页")
        _advance(page, "已提交质检")

    ledger = page.get_by_test_id("ledger")
    for key in ("planned", "numbered", "scanned", "linked"):
        expect(ledger.locator(f"[data-ledger={key}]")).to_have_text("4")
    expect(ledger.locator("[data-ledger=accepted]")).to_have_text("0")
    batch = Batch.objects.get()
    assert batch.step == Batch.Step.SUBMITTED
    assert [e.step for e in batch.events.all()] == [
        "arranging",
        "numbering",
        "scanning",
        "processing",
        "linking",
        "submitted",
    ]


def test_archive_staff_confirm_a_doubtful_page(page: Page, contractor, archivist, media):
    batch = make_batch(contractor=contractor)
    scan = services.ingest_file(batch=batch, name="p1.jpg", data=scan_jpeg(seed=3), operator=contractor).page
    services.mark_doubtful(page=scan, user=contractor, note="公章不清，是否需重扫？")

    sign_in(page, "archivist")
    open_from_menu(page, "数字化", "存疑页面")
    queue = page.get_by_test_id("doubtful-pages")
    expect(queue).to_contain_text("公章不清，是否需重扫？")
    queue.get_by_label("处理意见").fill("核对原件，公章清晰可辨，无需重扫")
    queue.get_by_role("button", name="确认").click()
    expect(page.get_by_role("alert")).to_contain_text("已确认")
    expect(page.get_by_text("没有等待确认的页面。")).to_be_visible()
    scan = ScanPage.objects.get()
    assert scan.confirmed_by == archivist
    assert scan.confirmation_note == "核对原件，公章清晰可辨，无需重扫"
