"""What the preview and result pages of an import show: findings grouped by kind and by row, the sheets."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import CharField, Count, Q, Value
from django.db.models.functions import Concat
from django.http import HttpRequest

from archive_office.lib.paging import paginate
from records.forms import HeaderMappingForm, ImportCommitForm
from records.models import ImportFinding, ImportJob

from .reader import FIELDS, IGNORE

Severity = ImportFinding.Severity
Kind = ImportFinding.Kind
ROWS_PER_PAGE = 50


def mappable_headers(job: ImportJob) -> tuple[list[str], dict[str, str]]:
    """The headers the administrator may map: those not recognised, and those mapped before."""
    headers = list(
        dict.fromkeys([entry["header"] for entry in job.unknown_headers] + list(job.header_overrides))
    )
    return headers, dict(job.header_overrides)


def _kinds(job: ImportJob) -> list[dict[str, Any]]:
    counts = (
        job.findings.filter(row__gt=0)
        .values("severity", "kind")
        .annotate(
            findings=Count("id"),
            rows=Count(Concat("sheet_index", Value(":"), "row", output_field=CharField()), distinct=True),
        )
        .order_by("severity", "-findings")
    )
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.SKIPPED: 2}
    kinds = [{**entry, "label": Kind(entry["kind"]).label} for entry in counts]
    return sorted(kinds, key=lambda entry: order[entry["severity"]])


def _rows(request: HttpRequest, job: ImportJob, severity: str, kind: str) -> tuple[Any, list[dict[str, Any]]]:
    """A page of rows with findings of the severity (and kind), each with all its findings."""
    chosen = job.findings.filter(severity=severity, row__gt=0)
    if kind:
        chosen = chosen.filter(kind=kind)
    pairs = chosen.values("sheet_index", "sheet", "row").distinct().order_by("sheet_index", "row")
    page = paginate(pairs, request.GET.get("page"), ROWS_PER_PAGE)
    if not page.object_list:
        return page, []
    wanted = {(pair["sheet_index"], pair["row"]) for pair in page.object_list}
    shown = [Severity.SKIPPED] if severity == Severity.SKIPPED else [Severity.ERROR, Severity.WARNING]
    where = Q()
    for sheet_index, row in wanted:
        where |= Q(sheet_index=sheet_index, row=row)
    found: dict[tuple[int, int], list[ImportFinding]] = defaultdict(list)
    for finding in job.findings.filter(where, severity__in=shown).order_by("severity", "column", "pk"):
        found[(finding.sheet_index, finding.row)].append(finding)
    rows = [{**pair, "findings": found[(pair["sheet_index"], pair["row"])]} for pair in page.object_list]
    return page, rows


def _sheets(job: ImportJob) -> list[dict[str, Any]]:
    sheets = []
    for sheet in job.sheets:
        known = sum(1 for _letter, _header, field in sheet["columns"] if field and field != IGNORE)
        sheets.append(
            {**sheet, "skip_label": Kind(sheet["skip"]).label if sheet["skip"] else "", "known": known}
        )
    return sheets


def preview_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    severity = request.GET.get("show", Severity.ERROR)
    if severity not in Severity.values:
        severity = Severity.ERROR
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    page, rows = _rows(request, job, severity, kind)
    headers, current = mappable_headers(job)
    return {
        "job": job,
        "kinds": _kinds(job),
        "sheets": _sheets(job),
        "show": severity,
        "kind": kind,
        "kind_label": Kind(kind).label if kind else "",
        "page": page,
        "rows": rows,
        "mapping_form": HeaderMappingForm(headers=headers, current=current) if headers else None,
        "fields": FIELDS,
        "commit_form": ImportCommitForm(),
        "severities": Severity,
    }


def result_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    verified = job.findings.filter(kind=Kind.VERIFIED).order_by("sheet_index", "row")[:ROWS_PER_PAGE]
    return {"job": job, "kinds": _kinds(job), "verified": list(verified), "severities": Severity}
