"""Service-counter search at a million items: server time per kind of query, against p95 <= 50 ms.

    TESTING=1 .venv/bin/python bench/bench_search.py [--items 1000000] [--reuse]

Builds its own database `archive_bench` (never the dev database), migrates it, loads a realistic catalogue
with COPY (bench/catalogue_data.py), then times the item list page `/records/?q=...` through the test
client for about fifty real values of each kind of query a clerk types. Until the page exists, it times
the ORM query the page runs instead. For a kind over target, the slowest query's plan is printed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from benchdb import SqlTimer, create_database, database_url, percentile  # noqa: E402

BENCH_DB = "archive_bench"
TARGET_P95_MS = 50.0
PAGE_SIZE = 51  # the list shows 50 and peeks at one more to know whether there is a next page


def setup_django() -> None:
    # Before django.setup(): settings read DATABASE_URL once, so nothing can reach the dev database.
    os.environ["DATABASE_URL"] = database_url(BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_office.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("TESTING", "1")  # no SECRET_KEY needed, as under `make bench`
    import django

    django.setup()
    from django.db import connection

    assert connection.settings_dict["NAME"] == BENCH_DB, connection.settings_dict["NAME"]


def fill(n_items: int, seed: int) -> None:
    from bench import catalogue_data

    started = time.perf_counter()
    with psycopg.connect(database_url(BENCH_DB)) as connection:
        catalogue = catalogue_data.load_catalogue(connection, n_items=n_items, seed=seed)
    loaded = time.perf_counter()
    with psycopg.connect(database_url(BENCH_DB), autocommit=True) as connection:
        # A live catalogue is vacuumed by autovacuum; a fresh COPY is not yet (visibility map, hint bits).
        connection.execute("VACUUM (ANALYZE) records_item")
        connection.execute("VACUUM (ANALYZE) records_itemperson")
        connection.execute("ANALYZE")
    done = time.perf_counter()
    print(
        f"Generated and loaded {catalogue.items:,} items, {catalogue.persons:,} persons "
        f"({catalogue.with_employer / catalogue.items:.0%} with an employer, "
        f"{len(catalogue.counters)} item-number groups) in {loaded - started:.1f} s; "
        f"VACUUM ANALYZE {done - loaded:.1f} s; total {done - started:.1f} s"
    )


# --- Query values drawn from the data ---------------------------------------------------------------


@dataclass
class Kind:
    label: str
    expected: str  # the QueryKind classify_query should give
    values: list[str]


def draw_queries(count: int, seed: int) -> tuple[list[Kind], list[Kind]]:
    """Realistic values per kind, and a second, disjoint set for the warm-up.

    Persons are drawn by row, so common names are asked for as often as they occur at the counter.
    """
    from django.db import connection

    from bench.catalogue_data import name_fragment

    rng = random.Random(seed)
    need = 2 * count
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM records_itemperson")
        max_person = cursor.fetchone()[0]
        cursor.execute(
            "SELECT name, citizen_id, name_initials FROM records_itemperson WHERE id = ANY(%s)",
            [rng.sample(range(1, max_person + 1), 40 * need)],
        )
        persons = cursor.fetchall()
        cursor.execute("SELECT max(id) FROM records_item")
        max_item = cursor.fetchone()[0]
        cursor.execute(
            "SELECT archival_code, employer_code, employer_name FROM records_item WHERE id = ANY(%s)",
            [rng.sample(range(1, max_item + 1), 20 * need)],
        )
        items = cursor.fetchall()
    rng.shuffle(persons)
    rng.shuffle(items)
    employers = [(code, name) for _archival, code, name in items if code]

    def take(values: list[str]) -> list[str]:
        return list(dict.fromkeys(values))[:need]

    ids = take([p[1] for p in persons])
    kinds = [
        Kind("citizen ID (18)", "citizen_id", ids[:need]),
        Kind("ID last 4", "id_suffix", take([p[1][-4:] for p in persons[need:]])),
        Kind("ID last 6", "id_suffix", take([p[1][-6:] for p in persons[2 * need :]])),
        Kind("name, 2 chars", "chinese", take([p[0] for p in persons if len(p[0]) == 2])),
        Kind("name, 3 chars", "chinese", take([p[0] for p in persons if len(p[0]) == 3])),
        Kind("pinyin initials", "pinyin_initials", take([p[2] for p in persons if 2 <= len(p[2]) <= 6])),
        Kind("employer credit code", "credit_code", take([code for code, _name in employers])),
        Kind("employer name, 4 chars", "chinese", take([name_fragment(name) for _code, name in employers])),
        Kind("archival code prefix", "archival_code", take([code[:-2] for code, _e, _n in items])),
    ]
    # Half measured, half for the warm-up, so no timed query merely repeats its own warm-up.
    measured = [Kind(k.label, k.expected, k.values[0::2][:count]) for k in kinds]
    warmup = [Kind(k.label, k.expected, k.values[1::2][:count]) for k in kinds]
    return measured, warmup


# --- Running one query --------------------------------------------------------------------------------


@dataclass
class Timing:
    total_ms: float
    sql_ms: float
    queries: int


class Runner:
    """Times the list page, or the page's ORM query while the page does not exist yet."""

    def __init__(self, mode: str) -> None:
        from django.urls import NoReverseMatch, reverse

        try:
            self.url = reverse("records:item_list")
        except NoReverseMatch:
            self.url = None
        if mode == "page" and self.url is None:
            raise SystemExit("records:item_list does not resolve yet; run with --mode orm")
        self.mode = "page" if mode in ("page", "auto") and self.url else "orm"
        self.sql = SqlTimer()
        if self.mode == "page":
            from django.test import Client

            # The client's default host "testserver" is not in ALLOWED_HOSTS outside the test runner.
            self.client = Client(SERVER_NAME="localhost")
            self.client.force_login(bench_user())

    def describe(self) -> str:
        if self.mode == "page":
            return f"GET {self.url}?q=... through django.test.Client (archive_staff user, DEBUG off)"
        return "ORM: search_items(with_list_columns(), q).order_by('-year', 'archival_code')[:51] + prefetch"

    def rows(self, q: str) -> int:
        # Outside the timing, so the page is not parsed; the page runs this same query.
        return len(orm_page(q))

    def run(self, q: str) -> Timing:
        from django.db import connection

        self.sql.reset()
        with connection.execute_wrapper(self.sql):
            started = time.perf_counter()
            if self.mode == "page":
                response = self.client.get(self.url, {"q": q})
                if response.status_code != 200:
                    raise SystemExit(f"GET {self.url}?q={q} answered {response.status_code}")
            else:
                orm_page(q)
            total = time.perf_counter() - started
        return Timing(total * 1000, self.sql.seconds * 1000, self.sql.count)


def orm_page(q: str) -> list:
    from records.models import Item
    from records.search import search_items

    return list(
        search_items(Item.objects.with_list_columns(), q).order_by("-year", "archival_code")[:PAGE_SIZE]
    )


def bench_user():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from archive_office.roles import Role

    user, _created = get_user_model().objects.get_or_create(
        username="bench_clerk", defaults={"full_name": "基准测试查阅员"}
    )
    user.groups.add(Group.objects.get(name=Role.ARCHIVE_STAFF.value))
    return user


# --- Plans -----------------------------------------------------------------------------------------


def explain_slowest(runner: Runner, q: str) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest catalogue statement the request or query ran."""
    from django.db import connection

    runner.run(q)
    catalogue = [
        s for s in runner.sql.statements if '"records_item' in s[1] and not s[1].startswith("DECLARE")
    ]
    elapsed, sql, params = max(catalogue or runner.sql.statements, key=lambda statement: statement[0])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
        shown = cursor.mogrify(sql, params) if hasattr(cursor, "mogrify") else sql
    shown = " ".join(str(shown).split())
    return [f"SQL ({elapsed * 1000:.1f} ms): {shown[:700]}{' ...' if len(shown) > 700 else ''}", *plan]


# --- Main --------------------------------------------------------------------------------------------


PLANNER_SETTINGS = (
    "server_version", "shared_buffers", "work_mem", "effective_cache_size", "random_page_cost",
    "max_parallel_workers_per_gather", "jit",
)  # fmt: skip


def print_context() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM records_item")
        items = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM records_itemperson")
        persons = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('records_item')),"
            " pg_size_pretty(pg_total_relation_size('records_itemperson'))"
        )
        item_size, person_size = cursor.fetchone()
        settings = []
        for name in PLANNER_SETTINGS:
            cursor.execute("SELECT current_setting(%s)", [name])
            settings.append(f"{name}={cursor.fetchone()[0]}")
        cursor.execute(
            "SELECT string_agg(name || ' ' || n, ', ') FROM (SELECT name, count(*) AS n"
            " FROM records_itemperson GROUP BY name ORDER BY n DESC LIMIT 6) AS top"
        )
        names = cursor.fetchone()[0]
        cursor.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM records_item WHERE employer_code <> ''"
            " GROUP BY employer_code) AS per_employer"
        )
        largest_employer = cursor.fetchone()[0]
    sizes = f"{items:,} items ({item_size}), {persons:,} persons ({person_size})"
    print(f"Database {BENCH_DB}: {sizes}, sizes with indexes")
    print(f"Most common names (person rows): {names}; largest employer: {largest_employer} items")
    print("PostgreSQL: " + ", ".join(settings))


@dataclass
class Result:
    kind: Kind
    values: list[str]
    totals: list[float]
    sqls: list[float]
    queries: list[int]
    rows: list[int]

    @property
    def p95(self) -> float:
        return percentile(self.totals, 0.95)

    @property
    def passed(self) -> bool:
        return self.p95 <= TARGET_P95_MS

    @property
    def slowest(self) -> tuple[float, str]:
        return max(zip(self.totals, self.values, strict=True))


def measure(runner: Runner, kinds: list[Kind], *, repeat: int, seed: int = 0) -> list[Result]:
    """Run every value `repeat` times and keep each value's median run.

    The runs of all kinds are shuffled together, so a burst of load from elsewhere on the machine
    spreads over every kind instead of failing whichever kind happened to be running.
    """
    tasks = [(k, q) for k, kind in enumerate(kinds) for q in kind.values] * repeat
    random.Random(seed).shuffle(tasks)
    runs: dict[tuple[int, str], list[Timing]] = {}
    for k, q in tasks:
        runs.setdefault((k, q), []).append(runner.run(q))
    results = []
    for k, kind in enumerate(kinds):
        result = Result(kind, kind.values, [], [], [], [])
        for q in kind.values:
            ordered = sorted(runs[k, q], key=lambda timing: timing.total_ms)
            median = ordered[len(ordered) // 2]
            result.totals.append(median.total_ms)
            result.sqls.append(median.sql_ms)
            result.queries.append(median.queries)
            result.rows.append(runner.rows(q))
        results.append(result)
    return results


def print_table(results: list[Result]) -> None:
    header = (
        f"{'kind':<24}{'n':>4}{'p50':>8}{'p95':>8}{'max':>8}{'sql p50':>9}{'sql p95':>9}{'queries':>8}"
        f"  {'rows min/med/max':<17}{'zero':>5}  result"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for r in results:
        rows = f"{min(r.rows)}/{statistics.median(r.rows):g}/{max(r.rows)}"
        times = f"{percentile(r.totals, 0.5):>8.1f}{r.p95:>8.1f}{max(r.totals):>8.1f}"
        sql = f"{percentile(r.sqls, 0.5):>9.1f}{percentile(r.sqls, 0.95):>9.1f}"
        sql += f"{statistics.median(r.queries):>8g}"
        verdict = "PASS" if r.passed else "FAIL"
        print(f"{r.kind.label:<24}{len(r.totals):>4}{times}{sql}  {rows:<17}{r.rows.count(0):>5}  {verdict}")
    print(
        f"Target: p95 <= {TARGET_P95_MS:g} ms per kind. Times in ms: whole request, and the part spent in"
        f" the database driver (sql); rows = items on the first page (max 51). Load average at the end:"
        f" {' '.join(f'{load:.2f}' for load in os.getloadavg())} on {os.cpu_count()} CPUs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep archive_bench as it is")
    parser.add_argument("--queries", type=int, default=50, help="values per kind")
    parser.add_argument("--repeat", type=int, default=3, help="runs per value; the median counts")
    parser.add_argument("--seed", type=int, default=20241)
    parser.add_argument("--mode", choices=("auto", "page", "orm"), default="auto")
    parser.add_argument("--explain", action="store_true", help="print the slowest plan of every kind")
    parser.add_argument(
        "--slowest", type=int, default=0, metavar="N", help="list the N slowest values per kind"
    )
    args = parser.parse_args()

    must_fill = create_database(BENCH_DB, reuse=args.reuse)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if must_fill:
        fill(args.items, args.seed)
    print_context()

    from records.search_terms import classify_query

    measured, warmup = draw_queries(args.queries, args.seed + 1)
    runner = Runner(args.mode)
    print(f"Timing: {runner.describe()}; median of {args.repeat} runs per value, kinds interleaved")
    # Warm caches, code paths and the connection on other values of the same kinds.
    for kind in warmup:
        for q in kind.values:
            runner.run(q)

    results = measure(runner, measured, repeat=args.repeat)
    print_table(results)
    for kind in measured:
        wrong = [q for q in kind.values if classify_query(q).kind != kind.expected]
        if wrong:
            kinds = ", ".join(f"{q} -> {classify_query(q).kind}" for q in wrong[:5])
            print(f"Note: {len(wrong)} {kind.label} value(s) not classified as {kind.expected}: {kinds}")
    for result in results if args.slowest else []:
        worst = sorted(zip(result.totals, result.values, result.rows, strict=True), reverse=True)
        listed = ", ".join(f"{q} {ms:.0f} ms/{rows} rows" for ms, q, rows in worst[: args.slowest])
        print(f"Slowest {result.kind.label}: {listed}")
    for result in results:
        if result.passed and not args.explain:
            continue
        ms, q = result.slowest
        print(f"\n== {result.kind.label}: slowest value {q!r} ({ms:.1f} ms)")
        for line in explain_slowest(runner, q):
            print("   " + line)


if __name__ == "__main__":
    main()
