import io
import json
import zipfile

import numpy as np
import pytest
from django.urls import reverse
from PIL import Image

from archive_office.models import AuditEvent
from digitization import derivatives, files, packaging, services, tasks
from digitization.models import Batch, ImagingSettings, Page
from tests.digitization.factories import make_assembled_items, make_batch, scan_jpeg


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def batch(contractor, media):
    return make_batch(contractor=contractor, items=make_assembled_items(count=2, page_count=2))


def _ingest(batch, name, data, **kwargs):
    return services.ingest_file(batch=batch, name=name, data=data, operator=batch.contractor, **kwargs)


def test_a_good_scan_is_kept_unchanged_with_its_metadata(batch, media, django_capture_on_commit_callbacks):
    data = scan_jpeg(seed=1)
    with django_capture_on_commit_callbacks() as queued:
        outcome = _ingest(batch, "scan-001.jpg", data, scanner="EPSON DS-50000")
    page = outcome.page
    assert outcome.accepted
    assert outcome.warnings == []
    assert files.read(page.original_path) == data
    assert page.sha256 == files.sha256_of(data)
    assert (page.width, page.height, page.dpi, page.format, page.scanner) == (
        620,
        877,
        300,
        "JPEG",
        "EPSON DS-50000",
    )
    assert not (media / page.original_path).stat().st_mode & 0o222  # read-only: originals are never modified
    assert len(queued) == 1  # processing is queued once the page is committed


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("notes.jpg", "这不是图片".encode(), "不是档案可以保存的图像"),
        ("cut.jpg", scan_jpeg(seed=2)[:4000], "不是档案可以保存的图像"),
        ("empty.jpg", b"", "不是档案可以保存的图像"),
    ],
)
def test_bad_files_are_refused_in_chinese_and_nothing_is_written(batch, media, name, data, reason):
    outcome = _ingest(batch, name, data)
    assert not outcome.accepted
    assert reason in outcome.refused
    assert not Page.objects.exists()
    assert not (media / "originals").exists()


def test_a_decompression_bomb_is_refused(batch):
    outcome = _ingest(batch, "huge.jpg", scan_jpeg(seed=3), max_pixels=100_000)
    assert not outcome.accepted
    assert not Page.objects.exists()


def test_the_same_file_twice_is_refused_as_a_duplicate(batch):
    data = scan_jpeg(seed=4)
    _ingest(batch, "a.jpg", data)
    again = _ingest(batch, "b.jpg", data)
    assert "a.jpg" in again.refused
    assert Page.objects.count() == 1


def test_a_low_resolution_scan_is_kept_but_flagged(batch):
    outcome = _ingest(batch, "low.jpg", scan_jpeg(seed=5, dpi=150))
    assert outcome.accepted
    assert "150" in outcome.warnings[0]


def test_processing_makes_a_derivative_beside_the_untouched_original(batch, media):
    page = _ingest(batch, "p.jpg", scan_jpeg(seed=6)).page
    original = files.read(page.original_path)
    assert tasks.process_page(page.pk) in {"ok", "flagged"}
    page.refresh_from_db()
    assert page.status in {Page.Status.PROCESSED, Page.Status.FLAGGED}
    with Image.open(files.media_path(page.derivative_path)) as derivative:
        assert derivative.format == "JPEG"
    with Image.open(files.media_path(page.thumbnail_path)) as thumbnail:
        assert max(thumbnail.size) <= 480
    assert files.read(page.original_path) == original
    assert page.software_version.startswith("archive-imaging")
    assert tasks.process_page(page.pk) == tasks.process_page(page.pk)  # running twice is harmless


def _named(batch, item, sequence):
    return _ingest(
        batch, f"{item.archival_code}-{sequence:04d}.jpg", scan_jpeg(seed=item.pk * 10 + sequence)
    ).page


def test_files_named_by_archival_code_link_themselves(batch, contractor):
    first, second = [bi.item for bi in batch.batch_items.order_by("item__item_number")]
    for item in (first, second):
        for sequence in (1, 2):
            _named(batch, item, sequence)
    assert services.link_by_file_names(batch=batch, user=contractor) == 4
    assert list(first.pages.order_by("sequence").values_list("sequence", flat=True)) == [1, 2]
    assert all(c.agree for c in services.reconciliation(batch))


def test_unnamed_files_link_by_scan_order_through_the_volume(batch, contractor):
    for seed in range(4):
        _ingest(batch, f"IMG_{seed:04d}.jpg", scan_jpeg(seed=100 + seed))
    assert services.link_by_scan_order(batch=batch, user=contractor) == 4
    first, second = [bi.item for bi in batch.batch_items.order_by("item__item_number")]
    assert list(first.pages.values_list("original_name", flat=True)) == ["IMG_0000.jpg", "IMG_0001.jpg"]
    assert list(second.pages.values_list("original_name", flat=True)) == ["IMG_0002.jpg", "IMG_0003.jpg"]


def _bring_to_linking(batch, contractor):
    for _ in range(3):
        batch = services.advance_batch(batch=batch, user=contractor)
    for page in batch.pages.all():
        tasks.process_page(page.pk)
    return services.advance_batch(batch=batch, user=contractor)


def test_a_page_count_difference_blocks_submission_until_explained(batch, contractor):
    first, second = [bi.item for bi in batch.batch_items.order_by("item__item_number")]
    for item, sequences in ((first, (1, 2)), (second, (1,))):  # one page of the second item is missing
        for sequence in sequences:
            _named(batch, item, sequence)
    services.link_by_file_names(batch=batch, user=contractor)
    batch = _bring_to_linking(batch, contractor)
    with pytest.raises(services.WorkflowError, match="挂接 1"):
        services.advance_batch(batch=batch, user=contractor)
    services.explain_difference(
        batch_item=second.batch_item,
        reason="第2页为空白页，未扫描",
        handling="经档案管理员确认不补扫",
        user=contractor,
    )
    batch = services.advance_batch(batch=batch, user=contractor)
    assert batch.step == Batch.Step.SUBMITTED
    with pytest.raises(services.WorkflowError, match="交给检查人员"):
        services.link_by_file_names(batch=batch, user=contractor)


def test_reordering_swaps_image_numbers(batch, contractor):
    item = batch.batch_items.order_by("item__item_number").first().item
    one, two = _named(batch, item, 1), _named(batch, item, 2)
    services.link_by_file_names(batch=batch, user=contractor)
    services.reorder_item_pages(item=item, page_ids=[two.pk, one.pk], user=contractor)
    assert list(item.pages.order_by("sequence").values_list("pk", flat=True)) == [two.pk, one.pk]


def test_viewing_an_image_is_audited_and_confined(batch, contractor_client, archivist_client, media):
    page = _ingest(batch, "p.jpg", scan_jpeg(seed=7)).page
    url = reverse("digitization:page_image", args=[page.pk, "original"])
    for client, query in ((contractor_client, ""), (archivist_client, "?download=1")):
        response = client.get(url + query)
        assert b"".join(response.streaming_content) == files.read(page.original_path)
    actions = set(AuditEvent.objects.for_object(page).values_list("action", flat=True))
    assert {"view_image", "download"} <= actions
    from archive_office.roles import Role
    from tests.conftest import signed_in
    from tests.factories import make_user

    stranger = signed_in(make_user(role=Role.CONTRACTOR))
    assert stranger.get(url).status_code == 404


def test_a_doubtful_page_is_confirmed_by_archive_staff_only(
    batch, contractor_client, archivist_client, archivist
):
    page = _ingest(batch, "p.jpg", scan_jpeg(seed=8)).page
    contractor_client.post(
        reverse("digitization:page_doubt", args=[page.pk]), {"note": "印章模糊，是否为同一页？"}
    )
    assert (
        contractor_client.post(
            reverse("digitization:page_confirm", args=[page.pk]), {"note": "x"}
        ).status_code
        == 403
    )
    queue = archivist_client.get(reverse("digitization:doubtful_queue"))
    assert [p.pk for p in queue.context["page"]] == [page.pk]
    archivist_client.post(
        reverse("digitization:page_confirm", args=[page.pk]), {"note": "核对原件，为同一页"}
    )
    page.refresh_from_db()
    assert (page.confirmed_by, page.confirmation_note) == (archivist, "核对原件，为同一页")


def test_an_item_zip_holds_its_images_unrecompressed_with_manifests(batch, contractor, contractor_client):
    item = batch.batch_items.order_by("item__item_number").first().item
    pages = [_named(batch, item, s) for s in (1, 2)]
    services.link_by_file_names(batch=batch, user=contractor)
    for page in pages:
        tasks.process_page(page.pk)
    assert tasks.build_package(item.pk) == "ready"
    response = contractor_client.get(reverse("digitization:package_download", args=[item.pk]))
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        assert names[:2] == [f"{item.archival_code}-0001.jpg", f"{item.archival_code}-0002.jpg"]
        assert archive.getinfo(names[0]).compress_type == zipfile.ZIP_STORED
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["images"][0]["sha256"] == files.sha256_of(archive.read(names[0]))
        assert manifest["images"][0]["file_size"] == len(archive.read(names[0]))
        assert manifest["images"][0]["format"] == "JPEG"
        assert b"<ArchivePackage" in archive.read("manifest.xml")
    assert "zip" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="download", target_id=str(item.pk)).exists()


def test_pages_of_one_paper_size_are_delivered_at_one_size_and_others_keep_theirs(batch, contractor):
    item = batch.batch_items.order_by("item__item_number").first().item
    ImagingSettings.objects.update_or_create(pk=1, defaults={"same_size_mm": 6.0})
    sizes = {1: (620, 877), 2: (580, 830)}  # 3.4 and 4.0 mm apart at 300 dpi: one paper size
    pages = [
        _ingest(batch, f"{item.archival_code}-{n:04d}.jpg", scan_jpeg(width=w, height=h, seed=n)).page
        for n, (w, h) in sizes.items()
    ]
    services.link_by_file_names(batch=batch, user=contractor)
    for page in pages:
        tasks.process_page(page.pk)
    inspected = files.read(Page.objects.get(pk=pages[1].pk).derivative_path)
    ImagingSettings.objects.filter(pk=1).update(jpeg_quality=60)  # changed since: re-made pages keep theirs

    assert tasks.build_package(item.pk) == "ready"

    with zipfile.ZipFile(files.media_path(item.package.path)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        images = [Image.open(io.BytesIO(archive.read(entry["file"]))) for entry in manifest["images"]]
        assert [image.size for image in images] == [(620, 877), (620, 877)]
        assert [entry["padding"] for entry in manifest["images"]] == [[0, 0, 0, 0], [16, 16, 24, 31]]
        assert [(e["width"], e["height"]) for e in manifest["images"]] == [(620, 877), (620, 877)]
        for entry in manifest["images"]:
            assert entry["sha256"] == files.sha256_of(archive.read(entry["file"]))
        # The padded page is the inspected derivative, block for block, on its paper colour
        # (its last, partial coding units now hold paper instead of repeated edge pixels).
        padded = np.asarray(images[1]).astype(int)
        same = np.abs(padded[18:830, 18:578] - np.asarray(Image.open(io.BytesIO(inspected)))[2:814, 2:562])
        assert same.max() == 0
        assert np.abs(padded[-5:, -5:] - 236).max() < 4
        assert images[1].quantization == Image.open(io.BytesIO(inspected)).quantization

    ImagingSettings.objects.filter(pk=1).update(same_size_mm=2.0)  # now they count as two paper sizes
    tasks.build_package(item.pk)
    item.package.refresh_from_db()
    with zipfile.ZipFile(files.media_path(item.package.path)) as archive:
        sizes_now = [_image_size(archive.read(n)) for n in archive.namelist()[:2]]
    assert sizes_now == [(620, 877), (580, 830)]


def test_pages_that_cannot_be_remade_keep_their_size_and_the_batch_page_says_why(
    batch, contractor, contractor_client, monkeypatch
):
    item = batch.batch_items.order_by("item__item_number").first().item
    sizes = {1: (620, 877), 2: (580, 830), 3: (600, 850)}
    pages = [
        _ingest(batch, f"{item.archival_code}-{n:04d}.jpg", scan_jpeg(width=w, height=h, seed=n)).page
        for n, (w, h) in sizes.items()
    ]
    services.link_by_file_names(batch=batch, user=contractor)
    for page in pages[1:]:  # the largest page is never processed: it must not set the item's size
        tasks.process_page(page.pk)

    original = derivatives.rerender

    def rerender(page, settings, **extra):
        if page.pk == pages[1].pk:
            raise RuntimeError("disk hiccup")
        return original(page, settings, **extra)

    monkeypatch.setattr(derivatives, "rerender", rerender)

    assert tasks.build_package(item.pk) == "ready"

    item.package.refresh_from_db()
    with zipfile.ZipFile(files.media_path(item.package.path)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        delivered = [_image_size(archive.read(entry["file"])) for entry in manifest["images"]]
    assert delivered == [(620, 877), (580, 830), (600, 850)]
    assert [entry["note"] for entry in manifest["images"]] == [
        "not processed yet: the scan itself is delivered",
        "kept at its own size: processing failed: RuntimeError: disk hiccup",
        "",
    ]
    assert item.package.warnings == [
        {"sequence": 1, "reason": "not processed yet: the scan itself is delivered"},
        {"sequence": 2, "reason": "kept at its own size: processing failed: RuntimeError: disk hiccup"},
    ]
    page = contractor_client.get(batch.get_absolute_url()).content.decode()
    assert "图像 1：尚未处理：交付的是扫描原件" in page
    assert "图像 2：保持原尺寸：处理失败（RuntimeError: disk hiccup）" in page


def test_a_zip_that_cannot_be_built_says_so_instead_of_waiting_forever(batch, contractor, monkeypatch):
    item = batch.batch_items.order_by("item__item_number").first().item
    monkeypatch.setattr(packaging, "zip_bytes", lambda item, images: 1 / 0)

    assert tasks.build_package(item.pk) == "failed"

    item.package.refresh_from_db()
    assert item.package.error == "ZeroDivisionError: division by zero"


def test_jpeg_quality_is_an_office_setting(batch):
    page = _ingest(batch, "scan.jpg", scan_jpeg(seed=5)).page
    sizes = []
    for quality in (60, 95):
        ImagingSettings.objects.update_or_create(pk=1, defaults={"jpeg_quality": quality})
        tasks.process_page(page.pk)
        page.refresh_from_db()
        sizes.append(len(files.read(page.derivative_path)))
    assert sizes[0] < sizes[1]


def _half_scans(seed: int = 41) -> tuple[bytes, bytes]:
    from tests.digitization.synthetic_pages import A3_LANDSCAPE_MM, encode, make_page, split_halves

    pair = split_halves(make_page(dpi=100, size_mm=A3_LANDSCAPE_MM, seed=seed)[0], dpi=100, turn_b=True)
    return encode(pair.a, "JPEG", dpi=100), encode(pair.b, "JPEG", dpi=100)


def test_two_halves_of_an_oversized_page_are_stitched_into_one_page(batch, contractor):
    data_a, data_b = _half_scans()
    left = _ingest(batch, "a3_a.jpg", data_a).page
    right = _ingest(batch, "a3_b.jpg", data_b).page
    services.stitch_pages(page=left, half=right, user=contractor)
    assert tasks.process_page(left.pk) in {"ok", "flagged"}
    left.refresh_from_db()
    right.refresh_from_db()
    assert right.merged_into == left
    assert len(left.overrides["b_to_a"]) == 3
    with Image.open(files.media_path(left.derivative_path)) as joined, Image.open(io.BytesIO(data_a)) as half:
        assert joined.width > half.width * 1.4  # both halves are in it
    assert list(batch.pages.whole()) == [left]


def test_a_stitched_page_is_remade_from_both_halves_when_padded_for_its_zip(batch, contractor):
    from tests.digitization.synthetic_pages import A3_LANDSCAPE_MM, encode, make_page, split_halves

    item = batch.batch_items.order_by("item__item_number").first().item
    pages = []
    for number, trimmed_mm in ((1, 0), (2, 4)):  # one sheet trimmed a little smaller: the same paper size
        size = (A3_LANDSCAPE_MM[0] - trimmed_mm, A3_LANDSCAPE_MM[1] - trimmed_mm)
        a3 = make_page(dpi=100, size_mm=size, seed=60 + number)[0]
        pair = split_halves(a3, dpi=100, tilt_b=number - 1.0, turn_b=True)
        left = _ingest(batch, f"{item.archival_code}-{number:04d}.jpg", encode(pair.a, "JPEG", dpi=100)).page
        right = _ingest(batch, f"half-{number}.jpg", encode(pair.b, "JPEG", dpi=100)).page
        services.stitch_pages(page=left, half=right, user=contractor)
        pages.append(left)
    services.link_by_file_names(batch=batch, user=contractor)
    for page in pages:
        tasks.process_page(page.pk)
    natural = [_image_size(files.read(Page.objects.get(pk=p.pk).derivative_path)) for p in pages]
    assert natural[0] != natural[1]

    assert tasks.build_package(item.pk) == "ready"

    with zipfile.ZipFile(files.media_path(item.package.path)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        delivered = [_image_size(archive.read(entry["file"])) for entry in manifest["images"]]
    assert delivered[0] == delivered[1] == tuple(max(side) for side in zip(*natural, strict=True))
    assert [entry["note"] for entry in manifest["images"]] == ["", ""]


def test_a_stitched_page_takes_a_manual_angle_and_stays_joined(batch, contractor):
    data_a, data_b = _half_scans()
    left = _ingest(batch, "a3_a.jpg", data_a).page
    right = _ingest(batch, "a3_b.jpg", data_b).page
    services.stitch_pages(page=left, half=right, user=contractor)
    tasks.process_page(left.pk)
    left.refresh_from_db()
    joined_width = _image_size(files.read(left.derivative_path))[0]

    services.set_overrides(page=left, user=contractor, angle_deg=1.5)
    tasks.process_page(left.pk)

    left.refresh_from_db()
    assert left.skew_deg == 1.5
    assert left.overrides["stitch_with"] == right.pk
    assert _image_size(files.read(left.derivative_path))[0] > joined_width * 0.9  # still both halves


def _image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_halves_that_do_not_belong_together_are_refused_with_a_reason(batch, contractor):
    left = _ingest(batch, "x_a.jpg", _half_scans(seed=42)[0]).page
    other = _ingest(batch, "y_b.jpg", _half_scans(seed=43)[1]).page
    services.stitch_pages(page=left, half=other, user=contractor)
    assert tasks.process_page(left.pk) == "flagged"
    left.refresh_from_db()
    other.refresh_from_db()
    assert other.merged_into is None
    assert left.status == Page.Status.FLAGGED
    assert left.processing_note.startswith("not stitched")


def test_a_person_can_set_the_skew_and_go_back_to_automatic(batch, contractor_client):
    page = _ingest(batch, "p.jpg", scan_jpeg(seed=30)).page
    response = contractor_client.post(
        reverse("digitization:page_straighten", args=[page.pk]), {"angle_deg": "1.5"}
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.overrides == {"angle_deg": 1.5}
    contractor_client.post(reverse("digitization:page_straighten", args=[page.pk]), {"automatic": "1"})
    page.refresh_from_db()
    assert page.overrides == {}
    bad = contractor_client.post(
        reverse("digitization:page_straighten", args=[page.pk]), {"angle_deg": "九十"}
    )
    assert bad.status_code == 302
    page.refresh_from_db()
    assert page.overrides == {}


def test_ingest_scans_keeps_the_good_files_of_a_folder_and_reports_the_bad(batch, tmp_path):
    import json

    from django.core.management import call_command

    folder = tmp_path / "scanner"
    (folder / "sub").mkdir(parents=True)
    (folder / "001.jpg").write_bytes(scan_jpeg(seed=40))
    (folder / "sub" / "002.jpg").write_bytes(scan_jpeg(seed=41))
    (folder / "003.jpg").write_bytes(scan_jpeg(seed=42)[:3000])  # truncated
    (folder / "notes.txt").write_text("扫描记录", encoding="utf-8")
    report = tmp_path / "report.json"
    call_command(
        "ingest_scans", batch.code, str(folder), "--report", str(report), "--scanner", "EPSON DS-50000"
    )
    result = json.loads(report.read_text(encoding="utf-8"))
    assert sorted(entry["file"] for entry in result["accepted"]) == ["001.jpg", "sub/002.jpg"]
    assert sorted(entry["file"] for entry in result["refused"]) == ["003.jpg", "notes.txt"]
    assert all(entry["reason"] for entry in result["refused"])
    assert Page.objects.filter(batch=batch, scanner="EPSON DS-50000").count() == 2


def test_ingest_scans_fails_for_an_unknown_batch(db, tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("ingest_scans", "PC1999-0001", str(tmp_path))
