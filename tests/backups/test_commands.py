import pytest
from django.core.management import CommandError, call_command

from backups.models import BackupCopy


def test_write_then_verify_records_a_verified_copy(pages, tmp_path):
    target = tmp_path / "copy"
    call_command("write_backup", str(target), "--copy", "B", "--purpose", "offsite")
    copy = BackupCopy.objects.get(name="B")
    assert copy.purpose == "offsite"
    assert copy.written_at is not None
    call_command("verify_backup", str(target), "--by", "王建国")
    copy.refresh_from_db()
    assert copy.last_verification_ok is True
    assert copy.last_verified_by == "王建国"
    call_command("verify_backup", str(target), "--sample", "1")
    call_command("restore_check", "--copy", "B")


def test_verify_exits_non_zero_on_damage_and_records_it(pages, tmp_path, capsys):
    target = tmp_path / "copy"
    call_command("write_backup", str(target), "--copy", "B")
    bag = next(target.glob("images-*"))
    (bag / "data" / pages[0].original_path).unlink()
    with pytest.raises(CommandError):
        call_command("verify_backup", str(target))
    assert f"{bag.name}/data/{pages[0].original_path}" in capsys.readouterr().err
    copy = BackupCopy.objects.get(name="B")
    assert copy.last_verification_ok is False
    assert copy.last_result["missing"] == [f"{bag.name}/data/{pages[0].original_path}"]


def test_verify_of_a_tampered_tag_file_is_not_reported_verified(pages, tmp_path):
    target = tmp_path / "copy"
    call_command("write_backup", str(target), "--copy", "B")
    bag = next(target.glob("images-*"))
    info = bag / "bag-info.txt"
    info.write_text(info.read_text() + "Tampered: yes\n")
    with pytest.raises(CommandError):
        call_command("verify_backup", str(target))
    assert BackupCopy.objects.get(name="B").last_verification_ok is False


def test_write_to_an_unwritable_target_fails_cleanly(db, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match="file"):
        call_command("write_backup", str(tmp_path / "file" / "copy"), "--copy", "B")
    assert BackupCopy.objects.get(name="B").written_at is None


def test_verify_of_an_empty_folder_fails(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("verify_backup", str(tmp_path))


def test_the_demo_data_gives_a_copy_with_real_image_payloads(db, tmp_path):
    from django.core.management import call_command

    from digitization.models import Page

    call_command("seed_demo")
    target = tmp_path / "copy"
    call_command("write_backup", str(target), "--copy", "demo")
    images = [p for p in target.rglob("data/**/*.jpg")]
    originals = {page.sha256 for page in Page.objects.all()}
    assert len(images) >= len(originals) > 0
    import hashlib

    assert originals <= {hashlib.sha256(p.read_bytes()).hexdigest() for p in images}
    call_command("verify_backup", str(target))
