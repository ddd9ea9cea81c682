from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from . import services
from .importing import commit_job, validate_job

RECHECK_STATUS = "records:recheck-status"


@shared_task
def recheck_catalogue() -> dict[str, int]:
    """Run the set-level catalogue rules; the rules page shows the status kept in the cache."""
    cache.set(RECHECK_STATUS, {"state": "running", "started": timezone.now().isoformat()}, None)
    try:
        counts = services.recheck_catalogue()
    except Exception:
        cache.set(RECHECK_STATUS, {"state": "failed", "finished": timezone.now().isoformat()}, None)
        raise
    cache.set(
        RECHECK_STATUS,
        {"state": "done", "finished": timezone.now().isoformat(), "found": sum(counts.values())},
        None,
    )
    return counts


@shared_task
def validate_import(job_id: int) -> None:
    """Read and check an uploaded catalogue workbook; the job row carries the progress and the findings."""
    validate_job(job_id)


@shared_task
def commit_import(job_id: int) -> None:
    """Import a checked workbook into the catalogue, once, however often the task is delivered."""
    commit_job(job_id)
