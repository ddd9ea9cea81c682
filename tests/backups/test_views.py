import pytest
from django.urls import reverse

from archive_office.celery import app
from backups.models import BackupCopy, BackupRun


@pytest.fixture
def eager_tasks():
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_archive_staff_read_the_register(archivist_client, copy, django_assert_num_queries):
    BackupCopy.objects.create(name="C", purpose=BackupCopy.Purpose.USE)
    BackupCopy.objects.create(name="D", purpose=BackupCopy.Purpose.OFFSITE)
    with django_assert_num_queries(6):  # session, user, permissions, the copies: one query for any number
        response = archivist_client.get(reverse("backups:copy_list"))
    assert response.status_code == 200
    assert list(response.context["copies"]) == list(BackupCopy.objects.all())
    assert archivist_client.get(copy.get_absolute_url()).status_code == 200


def test_archive_staff_and_contractors_cannot_write(archivist_client, contractor_client, copy, tmp_path):
    url = reverse("backups:copy_run", args=[copy.pk])
    assert archivist_client.post(url, {"kind": "write", "target": str(tmp_path)}).status_code == 403
    assert contractor_client.get(reverse("backups:copy_list")).status_code == 403
    assert not BackupRun.objects.exists()


def test_the_run_action_rejects_get(admin_client, copy):
    assert admin_client.get(reverse("backups:copy_run", args=[copy.pk])).status_code == 405


def test_an_administrator_writes_then_verifies_a_copy_in_the_background(
    admin_client, pages, copy, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    url = reverse("backups:copy_run", args=[copy.pk])
    target = tmp_path / "copy"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"kind": "write", "target": str(target)})
    assert response.status_code == 302
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.DONE
    assert run.progress_done == run.progress_total > 0
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"kind": "verify", "target": str(target)})
    copy.refresh_from_db()
    assert copy.last_verification_ok is True
    assert copy.last_verified_by == "admin"
    assert BackupRun.objects.filter(status=BackupRun.Status.DONE).count() == 2


def test_a_failed_write_is_shown_as_failed_and_the_copy_not_written(
    admin_client, copy, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    (tmp_path / "file").write_text("x")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("backups:copy_run", args=[copy.pk]),
            {"kind": "write", "target": str(tmp_path / "file" / "c")},
        )
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.FAILED
    assert str(tmp_path) in run.message
    copy.refresh_from_db()
    assert copy.written_at is None


def test_progress_of_a_running_copy_is_a_partial_and_a_finished_one_refreshes(admin_client, copy):
    run = BackupRun.objects.create(copy=copy, kind="write", target="/x", progress_done=1, progress_total=4)
    response = admin_client.get(reverse("backups:run_progress", args=[run.pk]))
    assert b"backup-progress" in response.content
    assert b"25%" in response.content
    run.status = BackupRun.Status.DONE
    run.save()
    response = admin_client.get(reverse("backups:run_progress", args=[run.pk]))
    assert response.headers["HX-Refresh"] == "true"


def test_the_system_menu_shows_backups_to_administrators(admin_client):
    assert reverse("backups:copy_list").encode() in admin_client.get(reverse("home")).content


def test_a_second_run_while_one_is_under_way_is_refused_and_a_bad_form_is_explained(admin_client, copy):
    url = reverse("backups:copy_run", args=[copy.pk])
    running = BackupRun.objects.create(copy=copy, kind="write", target="/x", status=BackupRun.Status.RUNNING)

    response = admin_client.post(url, {"kind": "verify", "target": "/x"}, follow=True)
    assert list(BackupRun.objects.all()) == [running]
    assert "正在进行" in response.content.decode()

    running.status = BackupRun.Status.DONE
    running.save()
    response = admin_client.post(url, {"kind": "write", "target": ""}, follow=True)
    assert list(BackupRun.objects.all()) == [running]
    assert "目标文件夹" in response.content.decode()
