import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from archive_office.checks import check_trigrams_work_on_chinese, chinese_trigram_problem
from archive_office.settings import envbool, envint

ROOT = Path(__file__).resolve().parents[2]


def _run_django(*args: str, **env: str) -> subprocess.CompletedProcess:
    dropped = {"SECRET_KEY", "DEBUG", "TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_a_bad_boolean_stops_the_start(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe'"):
        envbool("DEBUG", False)


def test_a_bad_number_stops_the_start(monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_AGE", "ten hours")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        envint("SESSION_COOKIE_AGE", 1)


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_django("check", TESTING="0", DEBUG="0", SECRET_KEY_FILE="/nonexistent/secret_key")
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set" in result.stderr


def test_deploy_check_is_clean_with_the_production_variables():
    result = _run_django(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        TESTING="0",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_COOKIES="1",
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS="31536000",
        BEHIND_HTTPS_PROXY="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_defaults_are_chinese_and_shanghai():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.CELERY_TASK_ACKS_LATE is True


def test_the_trigram_check_passes_on_the_test_database(db):
    assert check_trigrams_work_on_chinese(databases=["default"]) == []


def test_the_trigram_problem_is_named_on_a_database_with_ctype_c(db):
    params = settings.DATABASES["default"]
    conninfo = dict(
        host=params["HOST"], port=params["PORT"], user=params["USER"], password=params["PASSWORD"]
    )
    name = "archive_ctype_c_check"
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C' LC_COLLATE 'C'"
        )
        try:
            with psycopg.connect(dbname=name, autocommit=True, **conninfo) as conn:
                conn.execute("CREATE EXTENSION pg_trgm")
                problem = chinese_trigram_problem(conn.cursor())
        finally:
            admin.execute(f"DROP DATABASE {name}")
    assert problem == "pg_trgm extracts no trigrams from Chinese text (database LC_CTYPE is 'C')."


def test_static_files_collect_under_the_production_manifest_storage(tmp_path):
    result = _run_django(
        "collectstatic",
        "--noinput",
        "-v",
        "0",
        TESTING="0",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "staticfiles.json").exists()
