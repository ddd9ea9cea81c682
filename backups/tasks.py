"""Thin tasks: the browser's write and verify in the background, and the nightly fixity slice.

Beat runs `check_fixity_slice` from CELERY_BEAT_SCHEDULE in settings.
"""

from pathlib import Path

from celery import shared_task
from django.utils import timezone

from . import services
from .models import BackupRun


def _finish(run: BackupRun, *, status: str, message: str = "") -> None:
    run.status, run.message, run.finished_at = status, message, timezone.now()
    run.save(update_fields=["status", "message", "finished_at"])


@shared_task
def run_backup(run_id: int) -> str:
    run = BackupRun.objects.select_related("copy", "started_by").get(pk=run_id)
    run.status = BackupRun.Status.RUNNING
    run.save(update_fields=["status"])

    def progress(done: int, total: int) -> None:
        if done == total or done % 20 == 0:
            BackupRun.objects.filter(pk=run.pk).update(progress_done=done, progress_total=total)

    try:
        if run.kind == BackupRun.Kind.WRITE:
            written = services.write_copy(copy=run.copy, target=Path(run.target), progress=progress)
            message = ", ".join(written)
        else:
            report = services.verify_copy(Path(run.target), copy_name=run.copy.name, progress=progress)
            by = run.started_by.get_username() if run.started_by else ""
            services.record_verification(copy=run.copy, report=report, by=by)
            if not report.ok:
                _finish(run, status=BackupRun.Status.FAILED, message="\n".join(_lines(report)))
                return "damaged"
            message = ""
    except services.BackupError as error:
        _finish(run, status=BackupRun.Status.FAILED, message=str(error))
        return "failed"
    _finish(run, status=BackupRun.Status.DONE, message=message)
    return "done"


def _lines(report: services.VerifyReport) -> list[str]:
    return [*report.missing, *report.extra, *report.changed, *report.problems]


@shared_task
def check_fixity_slice() -> int:
    return len(services.check_fixity_slice())
