import os
import re
from pathlib import Path

import pytest

from backups import services
from backups.models import BackupCopy, FixityCheck
from digitization import files


def _image_bag(target: Path) -> Path:
    return next(target.glob("images-*"))


def test_a_copy_holds_images_catalogue_metadata_and_work_records(pages, copy, tmp_path):
    target = tmp_path / "copy"
    written = services.write_copy(copy=copy, target=target)
    names = {path.name for path in target.iterdir() if path.is_dir()}
    assert set(written) == names
    assert any(name.startswith("images-") for name in names)
    assert any(name.startswith("catalogue-") for name in names)
    assert "records" in names
    bag = _image_bag(target)
    for page in pages:
        assert (bag / "data" / page.original_path).read_bytes() == files.read(page.original_path)
        assert (bag / "data" / page.derivative_path).exists()
    assert (bag / "data/metadata/pages.json").exists()
    assert f"{pages[0].sha256}  data/{pages[0].original_path}" in (bag / "manifest-sha256.txt").read_text()
    copy.refresh_from_db()
    assert copy.written_at is not None
    assert copy.target == str(target)
    assert services.verify_copy(target).ok


def test_writing_again_skips_bags_that_did_not_change(pages, copy, tmp_path):
    target = tmp_path / "copy"
    services.write_copy(copy=copy, target=target)
    assert services.write_copy(copy=copy, target=target) == []


def test_a_flipped_byte_is_detected_and_named(pages, copy, tmp_path):
    target = tmp_path / "copy"
    services.write_copy(copy=copy, target=target)
    damaged = _image_bag(target) / "data" / pages[0].original_path
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    report = services.verify_copy(target)
    assert not report.ok
    assert report.changed == [f"{_image_bag(target).name}/data/{pages[0].original_path}"]
    assert report.missing == report.extra == []


def test_a_missing_file_is_detected_and_named(pages, copy, tmp_path):
    target = tmp_path / "copy"
    services.write_copy(copy=copy, target=target)
    (_image_bag(target) / "data" / pages[1].derivative_path).unlink()
    report = services.verify_copy(target)
    assert not report.ok
    assert report.missing == [f"{_image_bag(target).name}/data/{pages[1].derivative_path}"]
    assert report.changed == []


def test_an_extra_file_is_detected_and_named(pages, copy, tmp_path):
    target = tmp_path / "copy"
    services.write_copy(copy=copy, target=target)
    (_image_bag(target) / "data" / "smuggled.txt").write_text("x")
    report = services.verify_copy(target)
    assert not report.ok
    assert report.extra == [f"{_image_bag(target).name}/data/smuggled.txt"]


def test_a_sample_checks_only_that_many_files(pages, copy, tmp_path):
    target = tmp_path / "copy"
    services.write_copy(copy=copy, target=target)
    report = services.verify_copy(target, sample=2)
    assert report.ok
    assert report.checked_files == 2


def test_an_interrupted_write_resumes_without_copying_again(pages, copy, tmp_path, monkeypatch):
    target = tmp_path / "copy"
    real_copy = services.copy_entry
    copied = []

    def failing_after_two(entry, destination):
        if len(copied) == 2:
            raise OSError(5, "Input/output error")
        real_copy(entry, destination)
        copied.append(entry.path)

    monkeypatch.setattr(services, "copy_entry", failing_after_two)
    with pytest.raises(services.BackupError, match=re.escape(str(target))):
        services.write_copy(copy=copy, target=target)
    copy.refresh_from_db()
    assert copy.written_at is None
    assert list(target.glob("*.partial"))
    assert not services.verify_copy(target).ok  # a half bag is never taken as complete

    first_two = list(copied)
    copied.clear()
    monkeypatch.setattr(
        services,
        "copy_entry",
        lambda entry, destination: (copied.append(entry.path), real_copy(entry, destination)),
    )
    services.write_copy(copy=copy, target=target)
    assert not set(first_two) & set(copied)
    assert not list(target.glob("*.partial"))
    assert services.verify_copy(target).ok
    copy.refresh_from_db()
    assert copy.written_at is not None


def test_a_target_that_cannot_be_written_is_refused_and_nothing_is_recorded(pages, copy, tmp_path):
    (tmp_path / "not-a-folder").write_text("a file where the medium should be")
    target = tmp_path / "not-a-folder" / "copy"
    with pytest.raises(services.BackupError, match=re.escape(str(target))):
        services.write_copy(copy=copy, target=target)
    copy.refresh_from_db()
    assert copy.written_at is None
    assert copy.target == ""


def test_a_full_target_gives_a_clear_error(pages, copy, tmp_path, monkeypatch):
    def full(entry, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services, "copy_entry", full)
    with pytest.raises(services.BackupError) as raised:
        services.write_copy(copy=copy, target=tmp_path / "copy")
    assert "28" not in str(raised.value)
    assert str(tmp_path / "copy") in str(raised.value)
    assert BackupCopy.objects.get(pk=copy.pk).written_at is None


def test_a_damaged_original_is_not_backed_up_silently(pages, copy, tmp_path):
    original = files.media_path(pages[0].original_path)
    os.chmod(original, 0o644)
    original.write_bytes(b"not the scan")
    with pytest.raises(services.BackupError, match=pages[0].original_path):
        services.write_copy(copy=copy, target=tmp_path / "copy")


def test_restore_check_compares_a_restored_bag_with_the_live_store(pages, copy, tmp_path):
    target = tmp_path / "copy"
    services.write_copy(copy=copy, target=target)
    report = services.restore_check(target=target)
    assert report.ok
    assert report.restored == 6
    live = files.media_path(pages[2].derivative_path)
    live.write_bytes(b"changed")
    report = services.restore_check(target=target)
    assert not report.ok
    assert pages[2].derivative_path in report.differences[0]


def test_the_fixity_slice_covers_every_page_within_the_period_and_finds_a_changed_original(pages):
    original = files.media_path(pages[1].original_path)
    os.chmod(original, 0o644)
    original.write_bytes(b"bit rot")
    found = []
    for _night in range(3):
        found += services.check_fixity_slice(period_days=3)
    assert found == [pages[1].pk]
    assert FixityCheck.objects.count() == 3
    assert FixityCheck.objects.get(page=pages[1]).ok is False


def test_another_copys_folder_neither_verifies_this_copy_nor_is_written_over(pages, copy, tmp_path):
    other = BackupCopy.objects.create(name="B", purpose=BackupCopy.Purpose.OFFSITE)
    services.write_copy(copy=other, target=tmp_path / "b")

    report = services.verify_copy(tmp_path / "b", copy_name=copy.name)
    assert not report.ok
    assert report.problems == [f"文件夹 {tmp_path / 'b'} 不是副本 A（其中是 B）。"]
    assert services.verify_copy(tmp_path / "b", copy_name=other.name).ok

    with pytest.raises(services.BackupError, match="B"):
        services.write_copy(copy=copy, target=tmp_path / "b")
    assert services.copy_named_in(tmp_path / "b") == "B"


def test_verification_reports_its_progress(pages, copy, tmp_path):
    services.write_copy(copy=copy, target=tmp_path / "a")
    seen = []

    services.verify_copy(tmp_path / "a", progress=lambda done, total: seen.append((done, total)))

    assert seen
    assert seen[-1][0] == seen[-1][1] == len(seen)
