"""A real Celery worker process for integration tests, consuming from real Redis against the test database."""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.conf import settings

from archive_office.celery import app

ROOT = Path(__file__).resolve().parent.parent


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def running_worker(
    *, concurrency: int = 1, queue: str = "", env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """Start `celery worker` on a queue of its own (or the one named); tasks sent meanwhile go to it.

    The worker runs in its own process group, so a test can kill it and its pool at once.
    """
    queue = queue or f"test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "TESTING": "1",
        "DATABASE_URL": _test_database_url(),
        "CELERY_QUEUE": queue,
        **(env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "archive_office", "worker", "--pool=prefork"]
    command += [f"--concurrency={concurrency}", "-Q", queue, "-n", f"{queue}@%h"]
    command += ["--without-gossip", "--without-mingle", "--loglevel=warning"]
    # The log goes to a file, not a pipe: a full pipe would stall the worker.
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        process.queue = queue  # type: ignore[attr-defined]
        previous_queue = app.conf.task_default_queue
        app.conf.task_default_queue = queue
        try:
            _wait_until_ready(f"{queue}@", process, log)
            yield process
        finally:
            app.conf.task_default_queue = previous_queue
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    kill_worker(process)


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children, as a power cut or the OOM killer would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _wait_until_ready(name_prefix: str, process: subprocess.Popen, log: IO[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the Celery worker exited early:\n{log.read()}")
        replies = app.control.ping(timeout=0.5)
        if any(name.startswith(name_prefix) for reply in replies for name in reply):
            return
    raise TimeoutError("the Celery worker did not answer within a minute")
