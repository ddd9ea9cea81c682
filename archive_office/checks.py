"""System checks that catch a database which would make search silently return nothing."""

from typing import Any

from django.core.checks import Error, Tags, register
from django.db import connections


def chinese_trigram_problem(cursor: Any) -> str | None:
    """Say what is wrong when pg_trgm is installed but extracts no trigrams from Chinese text."""
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if cursor.fetchone() is None:
        return None  # The migration that enables pg_trgm has not run yet.
    cursor.execute("SELECT show_trgm('档案'), current_setting('lc_ctype')")
    trigrams, ctype = cursor.fetchone()
    if trigrams:
        return None
    return f"pg_trgm extracts no trigrams from Chinese text (database LC_CTYPE is {ctype!r})."


@register(Tags.database)
def check_trigrams_work_on_chinese(databases: list[str] | None = None, **kwargs: Any) -> list[Error]:
    # With LC_CTYPE "C", pg_trgm treats CJK characters as non-word characters and extracts no trigrams,
    # so similarity search finds nothing without any error. Fail loudly instead.
    errors: list[Error] = []
    for alias in databases or []:
        with connections[alias].cursor() as cursor:
            problem = chinese_trigram_problem(cursor)
        if problem:
            errors.append(
                Error(
                    problem,
                    hint="Create the database with a UTF-8 ctype, e.g. "
                    "CREATE DATABASE ... TEMPLATE template0 LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'.",
                    id="archive_office.E001",
                )
            )
    return errors
