"""What the benchmarks share: a database of their own, never the dev one, and percentiles."""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

DEFAULT_URL = "postgres://archive_office:archive_office@127.0.0.1:5432/archive_office"


def database_url(name: str) -> str:
    """DATABASE_URL (or the local default) pointed at another database on the same server."""
    parts = urlsplit(os.environ.get("DATABASE_URL", DEFAULT_URL))
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_database(name: str, *, reuse: bool = False) -> bool:
    """Create `name` with the UTF-8 ctype search needs, or keep it with reuse; True when it must be filled."""
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and reuse:
            return False
        if exists:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
        admin.execute(
            f"CREATE DATABASE {name} OWNER archive_office TEMPLATE template0 ENCODING 'UTF8'"
            " LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    return True


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class SqlTimer:
    """Wraps every statement Django runs: how many, how long in the database driver, and the slowest."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.statements: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.count += 1
            self.seconds += elapsed
            self.statements.append((elapsed, sql, params))
