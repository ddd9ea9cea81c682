"""Importing the office's legacy Excel catalogues (.xlsx and .xls).

reader: calamine reading, sheets, headers, merges and non-data rows · cells: cell normalisers · rows: a row
checked into an item · commit: the catalogue upsert · annotate: the error workbook · jobs: the workflows.
"""

from .commit import Counts, write_catalogue
from .jobs import (
    Checked,
    Outcome,
    check_workbook,
    commit_job,
    import_catalogue,
    job_report,
    remap_headers,
    report,
    request_commit,
    start_import,
    validate_job,
)
from .reader import FIELDS, IGNORE, WorkbookError

__all__ = [
    "FIELDS",
    "IGNORE",
    "Checked",
    "Counts",
    "Outcome",
    "WorkbookError",
    "check_workbook",
    "commit_job",
    "import_catalogue",
    "job_report",
    "remap_headers",
    "report",
    "request_commit",
    "start_import",
    "validate_job",
    "write_catalogue",
]
