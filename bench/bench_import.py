"""Legacy Excel import at 100,000 rows: validate and commit within 20 s and 500 MB on this machine.

    TESTING=1 .venv/bin/python bench/bench_import.py [--rows 100000] [--sheets 4] [--keep-workbook]

Builds its own database `archive_bench_import` (never the dev database) and migrates it, generates a
catalogue workbook (tests/records/workbooks.py: half the rows with archival codes, mixed date forms,
padded names, one row in a hundred faulty), then, in a fresh child process so its peak memory is the
import's own, times calamine's raw read of every row, the check of every row, and the commit. A second
import of the same workbook is timed too: it must write nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import create_database, database_url  # noqa: E402

BENCH_DB = "archive_bench_import"
TARGET_SECONDS = 20.0
TARGET_MB = 500.0


def setup_django() -> None:
    # Before django.setup(): settings read DATABASE_URL once, so nothing can reach the dev database.
    os.environ["DATABASE_URL"] = database_url(BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_office.settings")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.db import connection

    assert connection.settings_dict["NAME"] == BENCH_DB, connection.settings_dict["NAME"]


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def raw_read(path: Path) -> tuple[int, float]:
    """calamine alone: open the workbook and touch every row of every sheet."""
    import python_calamine

    started = time.perf_counter()
    rows = 0
    with python_calamine.CalamineWorkbook.from_path(path) as book:
        for name in book.sheet_names:
            for _row in book.get_sheet_by_name(name).iter_rows():
                rows += 1
    return rows, time.perf_counter() - started


def server_cpu() -> float:
    """CPU seconds PostgreSQL's backend for this connection has used (it runs on the other core)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # a database on another machine
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_import(path: str, queue: multiprocessing.Queue) -> None:
    """In a child process: check and commit the workbook, twice; report times and peak memory."""
    setup_django()
    from records.importing import check_workbook, write_catalogue
    from records.models import CatalogueSettings

    fonds = CatalogueSettings.current().default_fonds
    figures = {}
    figures["raw_rows"], figures["raw_read"] = raw_read(Path(path))
    for run in ("first", "second"):
        started, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
        checked = check_workbook(path, fonds=fonds)
        validated = time.perf_counter()
        counts, _warnings = write_catalogue(checked.rows, user=None, source=Path(path).name)
        committed = time.perf_counter()
        figures[run] = {
            "validate": validated - started,
            "commit": committed - validated,
            "cpu": time.process_time() - cpu,
            "server_cpu": server_cpu() - server,
            "good": checked.good_rows,
            "errors": checked.error_rows,
            "skipped": checked.skipped_rows,
            "counts": (counts.imported, counts.updated, counts.unchanged),
        }
        del checked  # one import's rows at a time, as in the worker
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(figures)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sheets", type=int, default=4)
    parser.add_argument("--keep-workbook", action="store_true", help="keep the generated workbook in var/")
    options = parser.parse_args()

    create_database(BENCH_DB)
    setup_django()
    migrate()
    from tests.records.workbooks import write_bench_workbook

    folder = ROOT / "var" if options.keep_workbook else Path(tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(exist_ok=True)
    path = folder / f"bench-import-{options.rows}.xlsx"
    started = time.perf_counter()
    write_bench_workbook(path, options.rows, sheets=options.sheets)
    print(
        f"Generated {options.rows:,} rows on {options.sheets} sheets "
        f"({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
    )

    # A fresh process, so the peak memory measured is the import's and not the generator's.
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=run_import, args=(str(path), queue))
    load = os.getloadavg()  # other work on the machine shares its two cores
    child.start()
    figures = queue.get()
    child.join()
    if not options.keep_workbook:
        path.unlink()
        folder.rmdir()

    print(f"Load average when the import started: {' '.join(f'{value:.2f}' for value in load)}")
    print(f"Raw read (calamine, {figures['raw_rows']:,} rows): {figures['raw_read']:.2f} s")
    ok = True
    for run in ("first", "second"):
        done = figures[run]
        total = done["validate"] + done["commit"]
        imported, updated, unchanged = done["counts"]
        print(
            f"{run.capitalize()} import: validate {done['validate']:.2f} s + commit {done['commit']:.2f} s"
            f" = {total:.2f} s (target <= {TARGET_SECONDS:.0f} s; CPU: this process {done['cpu']:.2f} s,"
            f" PostgreSQL {done['server_cpu']:.2f} s);"
            f" {done['good']:,} good rows,"
            f" {done['errors']:,} with errors, {done['skipped']:,} skipped;"
            f" imported {imported:,}, updated {updated:,}, unchanged {unchanged:,}"
        )
        ok = ok and total <= TARGET_SECONDS
    ok = ok and figures["second"]["counts"][0] == 0
    print(f"Peak memory of the import process: {figures['peak_mb']:.0f} MB (target <= {TARGET_MB:.0f} MB)")
    ok = ok and figures["peak_mb"] <= TARGET_MB
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
