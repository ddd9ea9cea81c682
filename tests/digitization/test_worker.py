"""The pipeline through real Celery workers on real Redis, including a worker killed mid-task."""

import time

import pytest

from digitization import files, services
from digitization.imaging import load_image
from digitization.models import Page
from tests.digitization.factories import make_assembled_items, make_batch, scan_jpeg
from tests.workers import kill_worker, running_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _wait_for(condition, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError("timed out waiting for the worker")


def _processed(*pages: Page) -> bool:
    return not Page.objects.filter(pk__in=[p.pk for p in pages], status=Page.Status.RECEIVED).exists()


def test_a_real_worker_processes_ingested_pages(contractor, media):
    batch = make_batch(contractor=contractor, items=make_assembled_items(count=1))
    with running_worker(env={"MEDIA_ROOT": str(media)}):
        pages = [
            services.ingest_file(
                batch=batch, name=f"p{i}.jpg", data=scan_jpeg(seed=i), operator=contractor
            ).page
            for i in range(3)
        ]
        _wait_for(lambda: _processed(*pages))
    for page in Page.objects.all():
        assert page.status in {Page.Status.PROCESSED, Page.Status.FLAGGED}
        assert files.media_path(page.derivative_path).exists()


def test_a_worker_killed_mid_task_leaves_no_half_file_and_the_pages_are_processed_later(contractor, media):
    from archive_office.celery import app

    batch = make_batch(contractor=contractor, items=make_assembled_items(count=1))
    # A short visibility timeout lets the broker hand unacknowledged tasks to the next worker quickly.
    env = {
        "MEDIA_ROOT": str(media),
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "CELERY_RESTORE_INTERVAL": "1",
        "CELERY_RESTORE_THROTTLE": "1",
    }
    with running_worker(env=env) as first:
        pages = [  # over half a second each at 600 dpi, so the kill lands in the middle of one
            services.ingest_file(
                batch=batch,
                name=f"big{i}.jpg",
                data=scan_jpeg(width=4960, height=7016, dpi=600, seed=20 + i),
                operator=contractor,
            ).page
            for i in range(8)
        ]
        name = f"{first.queue}@"

        def busy() -> bool:
            active = app.control.inspect(timeout=0.5).active() or {}
            return any(tasks for worker, tasks in active.items() if worker.startswith(name))

        _wait_for(busy, timeout=30)
        kill_worker(first)
    unfinished = Page.objects.filter(pk__in=[p.pk for p in pages], status=Page.Status.RECEIVED)
    assert unfinished.exists()
    for page in unfinished:
        # The kill may land between writing a derivative and recording it, but never inside a write:
        # whatever is under the final name is a whole image (load_image refuses a truncated one).
        derivative = media / files.derivative_relpath(page.pk, "jpg")
        if derivative.exists():
            load_image(derivative.read_bytes())
    with running_worker(env=env, queue=first.queue):
        _wait_for(lambda: _processed(*pages))
    for page in Page.objects.all():
        assert page.status in {Page.Status.PROCESSED, Page.Status.FLAGGED}
        assert files.sha256_of(files.read(page.derivative_path)) == page.derivative_sha256
