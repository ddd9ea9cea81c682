"""`manage.py import_catalogue`: exit codes, the report's shape, dry runs and all or nothing."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from records.models import Item

from .workbooks import (
    DATA_START,
    SheetSpec,
    catalogue_sheet,
    column_of,
    encrypted_xlsx_bytes,
    good_row,
    write_xlsx,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def messy(tmp_path):
    sheets = [
        catalogue_sheet(
            rows=[good_row(n=1), good_row(n=2, 页数="若干"), good_row(n=3, 保管期限="长期")],
            footer=[["合计"]],
        ),
        SheetSpec("旧表", [["x"]], hidden=True),
    ]
    return write_xlsx(tmp_path / "messy.xlsx", sheets)


def test_it_imports_and_writes_the_report(db, messy, tmp_path, capsys):
    report = tmp_path / "report.json"
    call_command("import_catalogue", str(messy), "--report", str(report))
    document = json.loads(report.read_text(encoding="utf-8"))
    assert set(document) == {"imported", "updated", "unchanged", "errors", "warnings", "skipped"}
    assert (document["imported"], document["updated"], document["unchanged"]) == (2, 0, 0)
    [error] = document["errors"]
    assert set(error) == {"sheet", "row", "column", "message"}
    assert (error["sheet"], error["row"], error["column"]) == ("2008年", DATA_START + 1, column_of("页数"))
    assert [(w["row"], w["column"]) for w in document["warnings"]] == [
        (DATA_START + 2, column_of("保管期限"))
    ]
    assert all(set(skip) == {"sheet", "row", "reason"} for skip in document["skipped"])
    assert [(s["sheet"], s["row"]) for s in document["skipped"]] == [
        ("2008年", 1), ("2008年", 2), ("2008年", DATA_START + 3), ("旧表", 0)
    ]  # fmt: skip
    assert Item.objects.count() == 2
    assert "Imported 2 new, 0 changed and 0 unchanged items." in capsys.readouterr().out


def test_it_exits_zero_when_rows_have_errors_and_again_unchanged(db, messy, tmp_path):
    call_command("import_catalogue", str(messy))
    report = tmp_path / "again.json"
    call_command("import_catalogue", str(messy), "--report", str(report))
    document = json.loads(report.read_text(encoding="utf-8"))
    assert (document["imported"], document["unchanged"]) == (0, 2)


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(db, messy, tmp_path, capsys):
    report = tmp_path / "report.json"
    call_command("import_catalogue", str(messy), "--dry-run", "--report", str(report))
    assert json.loads(report.read_text(encoding="utf-8"))["imported"] == 2
    assert not Item.objects.exists()
    assert "Dry run" in capsys.readouterr().out


def test_strict_imports_nothing_when_a_row_has_errors(db, messy, tmp_path, capsys):
    report = tmp_path / "report.json"
    call_command("import_catalogue", str(messy), "--strict", "--report", str(report))
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["imported"] == 0
    assert len(document["errors"]) == 1
    assert not Item.objects.exists()


UNREADABLE = {
    "empty": b"",
    "csv": "档号,题名\n".encode(),
    "password": encrypted_xlsx_bytes(),
    "corrupt": b"PK\x03\x04",
}


@pytest.mark.parametrize("content", list(UNREADABLE.values()), ids=list(UNREADABLE))
def test_it_fails_when_the_file_cannot_be_read_and_writes_nothing(db, tmp_path, content):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    report = tmp_path / "report.json"
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), "--report", str(report))
    assert not report.exists()
    assert not Item.objects.exists()


def test_a_missing_file_or_fonds_is_an_error(db, messy, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(tmp_path / "missing.xlsx"))
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(messy), "--fonds", "Q999")


@pytest.mark.django_db(transaction=True)
def test_the_exit_codes_seen_by_a_shell(messy, tmp_path):
    """The command in its own process: 0 when the file was read (rows with errors included), else not 0."""
    import os
    import subprocess
    import sys

    from tests.workers import ROOT, _test_database_url

    env = {**os.environ, "TESTING": "1", "DATABASE_URL": _test_database_url()}
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")

    def status(path):
        command = [sys.executable, "manage.py", "import_catalogue", str(path), "--dry-run"]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=120).returncode

    assert status(messy) == 0
    assert status(bad) != 0
