"""The supervisors' quality dashboard at the contract's full size: server time against p95 <= 300 ms.

    TESTING=1 .venv/bin/python bench/bench_dashboard.py [--pages 737000] [--reuse]

Builds its own database `archive_bench_qc` (never the dev database), migrates it, loads a realistic catalogue
(bench/catalogue_data.py) and a contract year of digitization with COPY: batches of about 150 items, their
737,000 page images scanned by eight operators over the ten months so far, and the inspection history of
every batch that reached a verdict (samples of 5%, inspections, defects, returns and second rounds). Then it
times GET /qc/dashboard/ through the test client as a supervisor, and the supervisor's home page beside it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from benchdb import SqlTimer, create_database, database_url, percentile  # noqa: E402

BENCH_DB = "archive_bench_qc"
TARGET_P95_MS = 300.0
ITEMS_PER_BATCH = 150
OPERATORS = ["王磊", "李娜", "张敏", "刘洋", "陈杰", "杨帆", "赵静", "黄涛"]
DAYS_SO_FAR = 300  # of the contract year
DEFECT_KINDS = [
    "skew",
    "content_cut",
    "illegible",
    "missing_page",
    "extra_page",
    "wrong_order",
    "wrong_field",
]


def setup_django() -> None:
    # Before django.setup(): settings read DATABASE_URL once, so nothing can reach the dev database.
    os.environ["DATABASE_URL"] = database_url(BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_office.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("TESTING", "1")  # no SECRET_KEY needed, static files without a manifest
    import django

    django.setup()
    from django.db import connection

    assert connection.settings_dict["NAME"] == BENCH_DB, connection.settings_dict["NAME"]


# --- Data --------------------------------------------------------------------------------------------


def make_users() -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from archive_office.roles import Role

    User = get_user_model()

    def user(username: str, full_name: str, role: Role) -> object:
        made, _created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        made.groups.add(Group.objects.get(name=role.value))
        return made

    return {
        "supervisor": user("bench_supervisor", "基准测试质检员", Role.SUPERVISOR),
        "contractor": user("bench_contractor", "基准测试外包", Role.CONTRACTOR),
        "operators": [user(f"bench_op{n}", name, Role.CONTRACTOR) for n, name in enumerate(OPERATORS, 1)],
    }


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


PAGE_COLUMNS = [
    "id", "batch_id", "scan_order", "item_id", "sequence", "status", "original_name", "original_path",
    "sha256", "file_size", "format", "width", "height", "dpi", "dpi_source", "colour_mode", "scanner",
    "operator_id", "scanned_at", "warnings", "derivative_path", "thumbnail_path", "derivative_sha256",
    "skew_deg", "rotation_deg", "crop_quad", "confidence", "processing_note", "software_version", "overrides",
    "processed_at", "merged_into_id", "doubtful", "doubtful_note", "confirmed_by_id", "confirmed_at",
    "confirmation_note",
]  # fmt: skip


def fill(pages_wanted: int, seed: int) -> None:
    """Catalogue, batches, pages and the inspection history: everything the dashboard reads."""
    from bench import catalogue_data

    rng = random.Random(seed)
    started = time.perf_counter()
    with psycopg.connect(database_url(BENCH_DB)) as connection:
        # About 5.7 pages an item in the generated catalogue: enough items for the pages, and some to spare.
        catalogue = catalogue_data.load_catalogue(connection, n_items=int(pages_wanted / 5.0), seed=seed)
    catalogued = time.perf_counter()
    users = make_users()
    with psycopg.connect(database_url(BENCH_DB)) as connection, connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        items = cursor.execute("SELECT id, page_count FROM records_item ORDER BY id").fetchall()
        plan = plan_batches(items, pages_wanted, rng)
        load_batches(cursor, plan, users, rng)
        pages = load_pages(cursor, plan, users, rng)
        connection.commit()
    loaded = time.perf_counter()
    history = load_inspections(plan, users, rng)
    with psycopg.connect(database_url(BENCH_DB), autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
    done = time.perf_counter()
    print(
        f"Catalogue of {catalogue.items:,} items in {catalogued - started:.1f} s; {len(plan):,} batches and "
        f"{pages:,} pages in {loaded - catalogued:.1f} s; {history} in {done - loaded:.1f} s (with VACUUM)"
    )


def plan_batches(items: list[tuple[int, int]], pages_wanted: int, rng: random.Random) -> list[dict]:
    """Cut the catalogue into batches until the contract's pages are reached, each with its days and step."""
    today = datetime.date.today()
    start = today - datetime.timedelta(days=DAYS_SO_FAR)
    batches, total, position = [], 0, 0
    while total < pages_wanted and position < len(items):
        members = items[position : position + ITEMS_PER_BATCH]
        position += ITEMS_PER_BATCH
        if total + sum(p for _i, p in members) > pages_wanted:  # the last batch takes what is left
            kept, running = [], total
            for item_id, pages in members:
                pages = min(pages, pages_wanted - running)
                if pages <= 0:
                    break
                kept.append((item_id, pages))
                running += pages
            members = kept
        batches.append({"items": members, "pages": sum(p for _i, p in members)})
        total += batches[-1]["pages"]
    for n, batch in enumerate(batches):
        # Scanning moves evenly through the ten months; the latest batches are still with the contractor.
        scanned_on = start + datetime.timedelta(days=int(n * DAYS_SO_FAR / len(batches)))
        age = (today - scanned_on).days
        batch["id"] = n + 1
        batch["scanned_on"] = scanned_on
        batch["operators"] = rng.sample(range(len(OPERATORS)), 2)
        if age <= 3:
            batch["step"] = rng.choice(["scanning", "processing", "linking"])
        elif age <= 8:
            batch["step"] = "submitted"
        elif rng.random() < 0.04 and age <= 20:
            batch["step"] = "returned"
        else:
            batch["step"] = "boxed" if age > 40 else "accepted"
        batch["rounds"] = 2 if batch["step"] in ("accepted", "boxed") and rng.random() < 0.15 else 1
    return batches


def load_batches(cursor, plan: list[dict], users: dict, rng: random.Random) -> None:
    contractor = users["contractor"].pk
    now = datetime.datetime.now(datetime.UTC)
    _copy(
        cursor,
        "digitization_batch",
        ["id", "code", "contractor_id", "step", "scan_format", "received_on", "note", "created_at"],
        (
            (b["id"], f"PC-B{b['id']:05d}", contractor, b["step"], "jpeg", b["scanned_on"], "", now)
            for b in plan
        ),
    )
    _copy(
        cursor,
        "digitization_batchitem",
        ["batch_id", "item_id", "in_scope", "difference_reason", "difference_handling"],
        ((b["id"], item_id, rng.random() < 0.95, "", "") for b in plan for item_id, _pages in b["items"]),
    )
    cursor.execute("SELECT setval(pg_get_serial_sequence('digitization_batch', 'id'), %s)", [len(plan)])


def load_pages(cursor, plan: list[dict], users: dict, rng: random.Random) -> int:
    tz = datetime.timezone(datetime.timedelta(hours=8))
    operators = [op.pk for op in users["operators"]]
    page_id = 0

    def rows():
        nonlocal page_id
        for batch in plan:
            day = batch["scanned_on"]
            scan_order = 0
            unprocessed = batch["step"] == "scanning"
            for n, (item_id, pages) in enumerate(batch["items"]):
                operator = operators[batch["operators"][n % 2]]
                for sequence in range(1, pages + 1):
                    page_id += 1
                    scan_order += 1
                    # Office hours over the batch's two days of scanning.
                    scanned = datetime.datetime.combine(
                        day + datetime.timedelta(days=scan_order % 2), datetime.time(8), tz
                    ) + datetime.timedelta(seconds=rng.randrange(9 * 3600))
                    processed = (
                        None if unprocessed else scanned + datetime.timedelta(minutes=rng.randrange(1, 90))
                    )
                    doubtful = rng.random() < 0.0005
                    yield (
                        page_id, batch["id"], scan_order, item_id, sequence,
                        "received" if unprocessed else "processed",
                        f"IMG_{page_id:07d}.jpg", f"originals/{page_id:064x}.jpg", f"{page_id:064x}",
                        rng.randrange(400_000, 1_800_000), "JPEG", 2480, 3508, 300.0, "file", "colour",
                        "EPSON DS-50000", operator, scanned, "[]",
                        "" if unprocessed else f"derivatives/{page_id // 1000:04d}/{page_id}.jpg",
                        "" if unprocessed else f"thumbnails/{page_id // 1000:04d}/{page_id}.jpg",
                        "" if unprocessed else f"{page_id:064x}"[::-1],
                        None if unprocessed else round(rng.uniform(-0.9, 0.9), 2), 0, "[]",
                        None if unprocessed else 0.9, "", "archive-imaging 0.1", "{}", processed,
                        None, doubtful, "印章不清" if doubtful else "", None, None, "",
                    )  # fmt: skip

    count = _copy(cursor, "digitization_page", PAGE_COLUMNS, rows())
    cursor.execute("SELECT setval(pg_get_serial_sequence('digitization_page', 'id'), %s)", [page_id])
    return count


def load_inspections(plan: list[dict], users: dict, rng: random.Random) -> str:
    """Every decided batch's rounds: a 5% sample, its inspections and defects, and the verdict."""
    from django.utils import timezone

    from qc.models import Defect, Inspection, Sample, SampleUnit, Verdict
    from qc.sampling import size_for_rate

    supervisor = users["supervisor"]
    tz = timezone.get_current_timezone()
    samples, units, inspections, defects, verdicts = [], [], [], [], []
    unit_id = 0
    for batch in plan:
        decided_rounds = {"accepted": batch["rounds"], "boxed": batch["rounds"], "returned": 1}.get(
            batch["step"], 0
        )
        open_round = batch["step"] == "submitted" and rng.random() < 0.5
        for round_number in range(1, decided_rounds + open_round + 1):
            drawn_at = datetime.datetime.combine(
                batch["scanned_on"] + datetime.timedelta(days=3 + 3 * round_number), datetime.time(9), tz
            )
            item_ids = [item_id for item_id, _pages in batch["items"]]
            size = size_for_rate(len(item_ids), 5)
            chosen = sorted(rng.sample(item_ids, size))
            sample = Sample(
                id=len(samples) + 1, batch_id=batch["id"], round_number=round_number, mode=Sample.Mode.ITEM,
                seed=rng.randrange(2**62), lot_size=len(item_ids), rate=5, sample_size=size,
                frame=[[item_id, "-"] for item_id in item_ids], strata={"-": [len(item_ids), size]},
                drawn_by=supervisor, drawn_at=drawn_at,
            )  # fmt: skip
            samples.append(sample)
            if round_number > decided_rounds:
                continue  # being inspected now: no inspection recorded yet
            rejected = round_number < batch["rounds"] or batch["step"] == "returned"
            pages_of = dict(batch["items"])
            for position, item_id in enumerate(chosen, 1):
                unit_id += 1
                units.append(
                    SampleUnit(id=unit_id, sample=sample, position=position, item_id=item_id, stratum="-")
                )
                faulty = (rejected and position == 1) or rng.random() < 0.01
                inspected_at = drawn_at + datetime.timedelta(minutes=4 * position)
                inspections.append(
                    Inspection(
                        unit_id=unit_id,
                        inspector=supervisor,
                        inspected_at=inspected_at,
                        catalogue_ok=True,
                        pages_ok=True,
                        images_ok=not faulty,
                        linking_ok=True,
                        pages_seen=pages_of[item_id],
                        passed=not faulty,
                    )
                )
                if faulty:
                    kind = rng.choice(DEFECT_KINDS)
                    _check, scope, critical = Defect.RULES[kind]
                    defects.append(
                        Defect(
                            unit_id=unit_id,
                            kind=kind,
                            scope=scope,
                            critical=critical,
                            note="基准测试",
                            recorded_by=supervisor,
                            recorded_at=inspected_at,
                        )
                    )
            accepted = not rejected
            verdicts.append(
                Verdict(
                    sample=sample,
                    batch_id=batch["id"],
                    decision=Verdict.Decision.ACCEPT if accepted else Verdict.Decision.REJECT,
                    pages_inspected=sum(pages_of[i] for i in chosen),
                    pages_defective=int(rejected),
                    items_inspected=size,
                    items_defective=0,
                    units_defective=int(rejected),
                    critical_defects=0,
                    failures=[] if accepted else ["image_rate"],
                    billable_pages=batch["pages"] if accepted else 0,
                    unit_price=0.61 if accepted else 0,
                    decided_by=supervisor,
                    decided_at=drawn_at + datetime.timedelta(hours=5),
                )
            )
    # bulk_create writes rows without save(): evidence is only ever inserted, so the triggers let it in.
    Sample.objects.bulk_create(samples, batch_size=2000)
    SampleUnit.objects.bulk_create(units, batch_size=5000)
    Inspection.objects.bulk_create(inspections, batch_size=5000)
    Defect.objects.bulk_create(defects, batch_size=5000)
    Verdict.objects.bulk_create(verdicts, batch_size=2000)
    return f"{len(samples):,} samples, {len(inspections):,} inspections, {len(defects):,} defects"


# --- Timing ------------------------------------------------------------------------------------------


def measure(url: str, *, runs: int, warmup: int) -> tuple[list[float], list[float], int, SqlTimer]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client(SERVER_NAME="localhost")  # "testserver" is not in ALLOWED_HOSTS outside the test runner
    client.force_login(get_user_model().objects.get(username="bench_supervisor"))
    timer = SqlTimer()
    totals, sqls = [], []
    for n in range(warmup + runs):
        timer.reset()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        if n >= warmup:
            totals.append(elapsed * 1000)
            sqls.append(timer.seconds * 1000)
    return totals, sqls, timer.count, timer


def print_context() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in ("records_item", "digitization_batch", "digitization_page", "qc_sample", "qc_inspection",
                      "qc_defect", "qc_verdict"):  # fmt: skip
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('digitization_page'))")
        size = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM digitization_page WHERE scanned_at >= now() - interval '30 days'"
        )
        recent = cursor.fetchone()[0]
        settings = []
        for name in (
            "server_version",
            "shared_buffers",
            "work_mem",
            "max_parallel_workers_per_gather",
            "jit",
        ):
            cursor.execute("SELECT current_setting(%s)", [name])
            settings.append(f"{name}={cursor.fetchone()[0]}")
    print(
        f"Database {BENCH_DB}: {counts['digitization_page']:,} pages ({size} with indexes;"
        f" {recent:,} in the last 30 days), {counts['records_item']:,} items,"
        f" {counts['digitization_batch']:,} batches,"
        f" {counts['qc_sample']:,} samples, {counts['qc_inspection']:,} inspections, {counts['qc_defect']:,}"
        f" defects, {counts['qc_verdict']:,} verdicts"
    )
    print("PostgreSQL: " + ", ".join(settings))


def explain_slowest(timer: SqlTimer) -> list[str]:
    from django.db import connection

    elapsed, sql, params = max(timer.statements, key=lambda statement: statement[0])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    shown = " ".join(sql.split())
    return [f"SQL ({elapsed * 1000:.1f} ms): {shown[:600]}{' ...' if len(shown) > 600 else ''}", *plan]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=737_000)
    parser.add_argument("--reuse", action="store_true", help="keep archive_bench_qc as it is")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--explain", action="store_true", help="print the plan of the slowest statement")
    args = parser.parse_args()

    must_fill = create_database(BENCH_DB, reuse=args.reuse)
    setup_django()
    from django.core.management import call_command
    from django.urls import reverse

    call_command("migrate", verbosity=0, interactive=False)
    if must_fill:
        fill(args.pages, args.seed)
    print_context()

    header = f"{'page':<22}{'runs':>5}{'p50':>8}{'p95':>8}{'max':>8}{'sql p50':>9}{'sql p95':>9}"
    header += f"{'queries':>8}  result"
    print("\n" + header + "\n" + "-" * len(header))
    failed = False
    for label, url, target in (
        ("quality dashboard", reverse("qc:dashboard"), TARGET_P95_MS),
        ("supervisor home", reverse("home"), None),
        ("inspection list", reverse("qc:sample_list"), None),
    ):
        totals, sqls, queries, timer = measure(url, runs=args.runs, warmup=3)
        p95 = percentile(totals, 0.95)
        verdict = "" if target is None else ("PASS" if p95 <= target else "FAIL")
        failed |= verdict == "FAIL"
        print(
            f"{label:<22}{len(totals):>5}{statistics.median(totals):>8.1f}{p95:>8.1f}{max(totals):>8.1f}"
            f"{statistics.median(sqls):>9.1f}{percentile(sqls, 0.95):>9.1f}{queries:>8}  {verdict}"
        )
        if args.explain or verdict == "FAIL":
            for line in explain_slowest(timer):
                print("   " + line)
    print(
        f"Target: the dashboard's p95 <= {TARGET_P95_MS:g} ms (whole request through django.test.Client,"
        f" DEBUG off; sql = time in the database driver). Load average at the end:"
        f" {' '.join(f'{load:.2f}' for load in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
