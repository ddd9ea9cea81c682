"""The import through a real Celery worker process, against real Redis and the test database."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archive_office.roles import Role
from records import importing
from records.models import CatalogueSettings, ImportJob, Item
from tests.factories import make_user
from tests.workers import running_worker

from .workbooks import messy_catalogue, xlsx_bytes


def wait_for(job, *statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} stayed {job.status}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_checks_then_imports_an_uploaded_workbook(tmp_path, settings, monkeypatch):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setenv("MEDIA_ROOT", str(media))  # the worker reads its settings from the environment
    admin = make_user(role=Role.ADMINISTRATOR)
    upload = SimpleUploadedFile("旧目录.xlsx", xlsx_bytes(messy_catalogue()))
    with running_worker():
        job = importing.start_import(
            upload=upload, fonds=CatalogueSettings.current().default_fonds, user=admin
        )
        wait_for(job, ImportJob.Status.VALIDATED, ImportJob.Status.FAILED)
        assert (job.status, job.good_rows, job.error_rows) == ("validated", 6, 3)
        assert job.progress_done == job.progress_total > 0
        assert job.error_workbook
        assert not Item.objects.exists()
        importing.request_commit(job=job, all_or_nothing=False, user=admin)
        wait_for(job, ImportJob.Status.DONE, ImportJob.Status.FAILED)
    assert (job.status, job.imported, job.updated, job.unchanged) == ("done", 6, 0, 0)
    assert Item.objects.count() == 6
    assert set(Item.objects.values_list("cataloguer", flat=True)) == {admin.pk}
