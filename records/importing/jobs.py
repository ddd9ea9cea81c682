"""The import as the office runs it: check a workbook, preview it, commit it, report what happened.

`check_workbook` and `write_catalogue` are the two halves; the command line runs them in one go, the browser
runs them as an ImportJob whose background tasks call `validate_job` and `commit_job`.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archive_office import audit
from archive_office.models import AuditEvent, User
from records.models import Fonds, ImportFinding, ImportJob
from records.services import CatalogueError

from .annotate import write_error_workbook
from .cells import collector_paused, remembered_birth_places
from .commit import Counts, plan_catalogue, write_catalogue
from .reader import FIELDS, IGNORE, CatalogueWorkbook, SheetLayout, Skip, WorkbookError
from .rows import Catalogue, Finding, ItemRow, RowChecker

logger = logging.getLogger(__name__)
Status = ImportJob.Status
Severity = ImportFinding.Severity
Progress = Callable[[int, int], None]


@dataclass
class Checked:
    """A workbook read and checked: the good rows, and every finding in sheet and row order."""

    layouts: list[SheetLayout]
    rows: list[ItemRow]
    findings: list[Finding]
    error_rows: int = 0
    skipped_rows: int = 0
    total_rows: int = 0
    unknown_headers: list[dict[str, str]] = field(default_factory=list)

    @property
    def good_rows(self) -> int:
        return len(self.rows)

    @property
    def warning_count(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == Severity.WARNING)


def check_workbook(
    path: str | Path,
    *,
    fonds: Fonds,
    overrides: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> Checked:
    """Read and check every row; WorkbookError if the file cannot be read as a catalogue at all."""
    checker = RowChecker(Catalogue(fonds))
    with CatalogueWorkbook(path, overrides=overrides) as book, remembered_birth_places(), collector_paused():
        checked = Checked([], [], [])
        for event in book.events(progress):
            if isinstance(event, Skip):
                checked.findings.append(Finding.from_skip(event))
                if event.severity == Severity.SKIPPED and event.row:
                    checked.skipped_rows += 1
                continue
            row, findings = checker.check(event)
            checked.findings.extend(findings)
            if row is None:
                checked.error_rows += 1
            else:
                checked.rows.append(row)
        checked.layouts, checked.total_rows = book.layouts, book.total_rows
        checked.unknown_headers = book.unknown_headers()
    return checked


def report(counts: Counts, findings: list[Finding]) -> dict[str, Any]:
    """The import report: what was written, and every error, warning and skipped row, in file order."""
    ordered = sorted(findings, key=lambda f: (f.sheet_index, f.row))
    return {
        "imported": counts.imported,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "errors": [f.as_report() for f in ordered if f.severity == Severity.ERROR],
        "warnings": [f.as_report() for f in ordered if f.severity == Severity.WARNING],
        "skipped": [f.as_report() for f in ordered if f.severity == Severity.SKIPPED],
    }


@dataclass
class Outcome:
    checked: Checked
    counts: Counts
    findings: list[Finding]
    refused: bool = False  # all or nothing, and some rows had errors


def import_catalogue(
    path: str | Path, *, fonds: Fonds, user: User | None, dry_run: bool = False, all_or_nothing: bool = False
) -> Outcome:
    """Check and import a workbook in this process (the command line's way); WorkbookError if unreadable."""
    checked = check_workbook(path, fonds=fonds)
    if all_or_nothing and checked.error_rows:
        return Outcome(checked, Counts(), checked.findings, refused=True)
    counts, extra = write_catalogue(checked.rows, user=user, source=Path(path).name, dry_run=dry_run)
    return Outcome(checked, counts, checked.findings + extra)


# --- Jobs ---------------------------------------------------------------------------------------------


def start_import(*, upload: UploadedFile, fonds: Fonds, user: User) -> ImportJob:
    """Keep the uploaded workbook and have it checked in the background."""
    from records import tasks

    with transaction.atomic():
        job = ImportJob.objects.create(
            file=upload, original_name=Path(upload.name or "").name[:255], fonds=fonds, uploaded_by=user
        )
        audit.record(
            action=AuditEvent.Action.IMPORT, actor=user, target=job, stage="upload", fonds=fonds.code
        )
        tasks.validate_import.delay_on_commit(job.pk)
    return job


def validate_job(job_id: int) -> None:
    """Read and check the job's workbook, store the findings and the error workbook, forecast the commit.

    Run again after a lost worker (tasks are acknowledged late), it starts over; once checked, it stops.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status__in=[Status.QUEUED, Status.READING]).update(
        status=Status.READING, progress_done=0, error_message=""
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("fonds").get(pk=job_id)
    try:
        checked = check_workbook(
            job.file.path, fonds=job.fonds, overrides=job.header_overrides, progress=_progress(job_id)
        )
        plan = plan_catalogue(checked.rows)
    except WorkbookError as error:
        _fail(job, str(error))
        return
    except Exception:
        _fail(job, _("The check stopped on an unexpected error; the worker's log has the details."))
        raise
    findings = checked.findings + plan.findings
    _save_error_workbook(job, findings)
    with transaction.atomic():
        job.findings.all().delete()
        _store_findings(job, findings)
        job.sheets = [layout.summary() for layout in checked.layouts]
        job.unknown_headers = checked.unknown_headers
        job.good_rows, job.error_rows = checked.good_rows, checked.error_rows
        job.skipped_rows, job.warning_count = checked.skipped_rows, checked.warning_count
        forecast = plan.counts
        job.would_import, job.would_update, job.would_keep = (
            forecast.imported,
            forecast.updated,
            forecast.unchanged,
        )
        job.status, job.validated_at = Status.VALIDATED, timezone.now()
        job.progress_done = job.progress_total = checked.total_rows
        job.save()


def remap_headers(*, job: ImportJob, overrides: Mapping[str, str], user: User) -> None:
    """Read unknown headers as the administrator says (a field, or IGNORE) and check the workbook again."""
    from records import tasks

    if any(value not in FIELDS and value != IGNORE for value in overrides.values()):
        raise CatalogueError(_("Choose a catalogue field, or “not read”, for each column."))
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != Status.VALIDATED:
            raise CatalogueError(_("This import is not waiting for a decision."))
        locked.header_overrides = {**locked.header_overrides, **overrides}
        locked.status, locked.progress_done = Status.QUEUED, 0
        locked.save(update_fields=["header_overrides", "status", "progress_done"])
        audit.record(
            action=AuditEvent.Action.IMPORT, actor=user, target=locked, stage="map", mapping=dict(overrides)
        )
        tasks.validate_import.delay_on_commit(locked.pk)


def request_commit(*, job: ImportJob, all_or_nothing: bool, user: User) -> None:
    from records import tasks

    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != Status.VALIDATED:
            raise CatalogueError(_("This import is not waiting for a decision."))
        if not locked.good_rows:
            raise CatalogueError(_("No row can be imported: correct the workbook and upload it again."))
        locked.status, locked.all_or_nothing, locked.committed_by = Status.COMMITTING, all_or_nothing, user
        locked.progress_done = 0
        locked.save(update_fields=["status", "all_or_nothing", "committed_by", "progress_done"])
        tasks.commit_import.delay_on_commit(locked.pk)


def commit_job(job_id: int) -> None:
    """Import the job's workbook, checked again as it is now, in one transaction with the job's outcome.

    The job row is locked and its status looked at inside that transaction, so a task delivered twice
    imports once: the second finds the job done.
    """
    job = ImportJob.objects.select_related("fonds", "committed_by").get(pk=job_id)
    if job.status != Status.COMMITTING:
        return
    try:
        checked = check_workbook(
            job.file.path, fonds=job.fonds, overrides=job.header_overrides, progress=_progress(job_id)
        )
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(of=("self",))
                .select_related("fonds", "committed_by")
                .get(pk=job_id)
            )
            if job.status != Status.COMMITTING:
                return
            if job.all_or_nothing and checked.error_rows:
                counts, extra = Counts(), []
                job.note = _(
                    "Nothing was imported: %(rows)d rows have errors and all or nothing was chosen."
                ) % {"rows": checked.error_rows}
            else:
                counts, extra = write_catalogue(
                    checked.rows, user=job.committed_by, source=job.original_name, target=job
                )
            # The forecast's warnings about verified items give way to the commit's own.
            job.findings.filter(kind=ImportFinding.Kind.VERIFIED).delete()
            _store_findings(job, extra)
            job.imported, job.updated, job.unchanged = counts.imported, counts.updated, counts.unchanged
            job.status, job.finished_at = Status.DONE, timezone.now()
            job.progress_done = job.progress_total = checked.total_rows
            job.save()
    except (WorkbookError, CatalogueError) as error:
        _fail(job, str(error))
    except Exception:
        _fail(job, _("The import stopped on an unexpected error and wrote nothing; see the worker's log."))
        raise


def job_report(job: ImportJob) -> dict[str, Any]:
    findings = [
        Finding(f.sheet, f.sheet_index, f.row, f.column, f.header, f.kind, f.severity, f.message)
        for f in job.findings.order_by("sheet_index", "row", "column", "pk")
    ]
    counts = Counts(imported=job.imported or 0, updated=job.updated or 0, unchanged=job.unchanged or 0)
    return report(counts, findings)


def _store_findings(job: ImportJob, findings: list[Finding]) -> None:
    ImportFinding.objects.bulk_create(
        (
            ImportFinding(
                job=job,
                sheet=f.sheet[:100],
                sheet_index=f.sheet_index,
                row=f.row,
                column=f.column,
                header=f.header[:100],
                kind=f.kind,
                severity=f.severity,
                message=f.message[:500],
            )
            for f in findings
        ),
        batch_size=5000,
    )


def _progress(job_id: int) -> Progress:
    def report_progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)

    return report_progress


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.FAILED, error_message=message, finished_at=timezone.now()
    )
    audit.record(
        action=AuditEvent.Action.IMPORT, actor=job.uploaded_by, target=job, stage="failed", error=message
    )


def _save_error_workbook(job: ImportJob, findings: list[Finding]) -> None:
    """Keep the workbook with its error column beside the upload; a failure here only loses the download."""
    if job.error_workbook:
        job.error_workbook.delete(save=False)  # the previous check's, before a header mapping
    if not any(f.severity != Severity.SKIPPED and f.row for f in findings):
        return
    try:
        with File(tempfile.TemporaryFile(), name=f"{Path(job.original_name).stem}-errors.xlsx") as file:
            write_error_workbook(job.file.path, findings, file, overrides=job.header_overrides)
            file.seek(0)
            job.error_workbook.save(file.name, file, save=False)
    except Exception:  # the check itself succeeded; the preview then offers no download
        logger.exception("could not write the error workbook of import %s", job.pk)
        job.error_workbook = ""
