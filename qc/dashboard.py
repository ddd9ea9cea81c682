"""The supervisors' dashboard: progress against the contract, pages per day, quality over time, rework.

Everything is aggregated in SQL (local days and weeks, grouped by step, operator, defect type and decision)
in a fixed number of queries, whatever the size of the archive. The page table, the one that grows to the
contract's 737,000 rows, is read only through its indexes on scan and processing time (bench_dashboard.py).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from digitization.models import Batch, Page

from .models import Defect, Inspection, QualitySettings, Sample, Verdict

DAYS = 30  # the daily charts
WEEKS = 12  # the quality charts
RATE_DAYS = 28  # the recent rate the projections rest on: four whole weeks, so weekends weigh the same
HORIZON_DAYS = 10 * 366  # projections further out than this are no projection


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Progress:
    contract_pages: int
    contract_end: datetime.date
    today: datetime.date
    scanned: int
    accepted: int
    scanned_recently: int
    accepted_recently: int

    @property
    def scanned_share(self) -> float:
        return 100 * self.scanned / self.contract_pages if self.contract_pages else 0.0

    @property
    def accepted_share(self) -> float:
        return 100 * self.accepted / self.contract_pages if self.contract_pages else 0.0

    @property
    def scanned_rate(self) -> float:
        return self.scanned_recently / RATE_DAYS

    @property
    def accepted_rate(self) -> float:
        return self.accepted_recently / RATE_DAYS

    def _finish(self, done: int, rate: float) -> datetime.date | None:
        if done >= self.contract_pages:
            return self.today
        days = math.ceil((self.contract_pages - done) / rate) if rate > 0 else None
        if days is None or days > HORIZON_DAYS:
            return None  # nothing (or next to nothing) done lately: no date can be promised
        return self.today + datetime.timedelta(days=days)

    @property
    def scanned_finish(self) -> datetime.date | None:
        return self._finish(self.scanned, self.scanned_rate)

    @property
    def accepted_finish(self) -> datetime.date | None:
        return self._finish(self.accepted, self.accepted_rate)

    @property
    def on_track(self) -> bool:
        finish = self.accepted_finish
        return finish is not None and finish <= self.contract_end


def progress(office: QualitySettings, today: datetime.date) -> Progress:
    since = _start_of(today - datetime.timedelta(days=RATE_DAYS - 1))
    accepted = Verdict.objects.accepted().aggregate(
        total=Sum("billable_pages"), recent=Sum("billable_pages", filter=Q(decided_at__gte=since))
    )
    return Progress(
        contract_pages=office.contract_pages,
        contract_end=office.contract_end,
        today=today,
        scanned=Page.objects.count(),
        accepted=accepted["total"] or 0,
        scanned_recently=Page.objects.filter(scanned_at__gte=since).count(),
        accepted_recently=accepted["recent"] or 0,
    )


def _series(rows: dict[Any, int], keys: list[Any]) -> list[int]:
    return [rows.get(key, 0) for key in keys]


def _users() -> list[tuple[int, str, str]]:
    return list(get_user_model().objects.values_list("pk", "full_name", "username"))


def pages_per_day(today: datetime.date, days: int = DAYS) -> dict[str, Any]:
    """Pages per local day at each step (scanned, processed, inspected, accepted) and scanned per operator."""
    first = today - datetime.timedelta(days=days - 1)
    since = _start_of(first)
    dates = [first + datetime.timedelta(days=n) for n in range(days)]
    # COUNT(*), not COUNT(id): the (scanned_at, operator) and processed_at indexes then answer alone.
    scans = (
        Page.objects.filter(scanned_at__gte=since)
        .annotate(day=TruncDate("scanned_at"))
        .values_list("day", "operator_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    scanned: dict[datetime.date, int] = defaultdict(int)
    by_operator: dict[int | None, dict[datetime.date, int]] = defaultdict(dict)
    for day, operator_id, n in scans:
        scanned[day] += n
        by_operator[operator_id][day] = n
    # The office has tens of users: naming them all costs less than joining them to every page.
    names = {pk: full_name or username for pk, full_name, username in _users()}
    processed = dict(
        Page.objects.filter(processed_at__gte=since)
        .annotate(day=TruncDate("processed_at"))
        .values_list("day")
        .annotate(n=Count("*"))
        .order_by()
    )
    inspected = dict(
        Inspection.objects.filter(inspected_at__gte=since)
        .annotate(day=TruncDate("inspected_at"))
        .values_list("day")
        .annotate(n=Sum("pages_seen"))
        .order_by()
    )
    accepted = dict(
        Verdict.objects.accepted()
        .filter(decided_at__gte=since)
        .annotate(day=TruncDate("decided_at"))
        .values_list("day")
        .annotate(n=Sum("billable_pages"))
        .order_by()
    )
    operators = sorted(
        (
            {
                "label": names.get(operator_id) or _("Unknown operator"),
                "data": _series(counts, dates),
                "total": sum(counts.values()),
            }
            for operator_id, counts in by_operator.items()
        ),
        key=lambda row: (-row["total"], row["label"]),
    )
    return {
        "days": [day.isoformat() for day in dates],
        "steps": [
            {"key": "scanned", "label": _("Scanned"), "data": _series(scanned, dates)},
            {"key": "processed", "label": _("Processed"), "data": _series(processed, dates)},
            {"key": "inspected", "label": _("Inspected"), "data": _series(inspected, dates)},
            {"key": "accepted", "label": _("Accepted"), "data": _series(accepted, dates)},
        ],
        "operators": operators,
    }


def quality_by_week(today: datetime.date, weeks: int = WEEKS) -> dict[str, Any]:
    """Per week (Monday first): pass rate of inspected items, defects by type, and the rework rate."""
    monday = today - datetime.timedelta(days=today.weekday())
    mondays = [monday - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    since = _start_of(mondays[0])

    def by_week(queryset: Any, field: str, group: str, **aggregates: Any) -> dict[tuple, list[int]]:
        # Grouped by local day in SQL, then into weeks here: at most 84 rows per group.
        rows = (
            queryset.filter(**{f"{field}__gte": since})
            .annotate(day=TruncDate(field))
            .values_list("day", group)
            .annotate(**aggregates)
            .order_by()
        )
        weekly: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(aggregates))
        for day, key, *figures in rows:
            week = weekly[(day - datetime.timedelta(days=day.weekday()), key)]
            for n, figure in enumerate(figures):
                week[n] += figure
        return weekly

    inspected = by_week(Inspection.objects, "inspected_at", "passed", n=Count("id"))
    defects = by_week(Defect.objects, "recorded_at", "kind", n=Count("id"))
    decisions = by_week(Verdict.objects, "decided_at", "decision", n=Count("id"))

    def count(rows: dict[tuple, list[int]], week: datetime.date, key: object) -> int:
        return rows[(week, key)][0] if (week, key) in rows else 0

    passed = [count(inspected, week, True) for week in mondays]
    failed = [count(inspected, week, False) for week in mondays]
    returned = [count(decisions, week, Verdict.Decision.REJECT) for week in mondays]
    accepted = [count(decisions, week, Verdict.Decision.ACCEPT) for week in mondays]
    by_kind = [
        {"label": label, "kind": kind, "data": [count(defects, week, kind) for week in mondays]}
        for kind, label in Defect.Kind.choices
    ]
    return {
        "weeks": [week.isoformat() for week in mondays],
        "inspected": [p + f for p, f in zip(passed, failed, strict=True)],
        "pass_rate": [_percent(p, p + f) for p, f in zip(passed, failed, strict=True)],
        "defects": [{**row, "total": sum(row["data"])} for row in by_kind if any(row["data"])],
        "rework_rate": [_percent(r, r + a) for r, a in zip(returned, accepted, strict=True)],
    }


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rework() -> dict[str, Any]:
    """Of all decisions, how many returned the batch; of the batches decided, how many came back."""
    figures = Verdict.objects.aggregate(
        decisions=Count("id"),
        returned=Count("id", filter=Q(decision=Verdict.Decision.REJECT)),
        batches=Count("batch", distinct=True),
        batches_returned=Count("batch", filter=Q(decision=Verdict.Decision.REJECT), distinct=True),
    )
    return {
        **figures,
        "rate": _percent(figures["returned"], figures["decisions"]),
        "batch_rate": _percent(figures["batches_returned"], figures["batches"]),
    }


def batches_waiting() -> dict[str, Any]:
    """Batches at each step; of the submitted, those still waiting for a sample and those being inspected."""
    counts = dict(Batch.objects.values_list("step").annotate(n=Count("id")).order_by())
    submitted = Batch.objects.filter(step=Batch.Step.SUBMITTED).aggregate(
        inspecting=Count("id", filter=Exists(Sample.objects.open().filter(batch=OuterRef("pk")))),
        total=Count("id"),
    )
    return {
        "steps": [(value, label, counts.get(value, 0)) for value, label in Batch.Step.choices],
        "to_sample": submitted["total"] - submitted["inspecting"],
        "inspecting": submitted["inspecting"],
        "doubtful": Page.objects.doubtful_open().count(),
    }


def dashboard(today: datetime.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    office = QualitySettings.current()
    return {
        "office": office,
        "progress": progress(office, today),
        "daily": pages_per_day(today),
        "weekly": quality_by_week(today),
        "rework": rework(),
        "waiting": batches_waiting(),
    }


def home_panels() -> dict[str, Any]:
    """The supervisor's home page: what waits for a sample or a verdict, and the latest verdicts."""
    open_sample = Sample.objects.open().filter(batch=OuterRef("pk"))
    to_sample = Batch.objects.filter(step=Batch.Step.SUBMITTED).exclude(Exists(open_sample))
    office = QualitySettings.current()
    accepted = Verdict.objects.accepted().aggregate(pages=Sum("billable_pages"))["pages"] or 0
    return {
        "to_sample": to_sample.select_related("contractor").order_by("created_at")[:5],
        "open_samples": Sample.objects.open()
        .select_related("batch")
        .annotate(
            units_total=Count("units", distinct=True), units_done=Count("units__inspection", distinct=True)
        )
        .order_by("drawn_at")[:5],
        "latest_verdicts": Verdict.objects.select_related("batch", "sample").order_by("-decided_at")[:5],
        "doubtful": Page.objects.doubtful_open().count(),
        "accepted_pages": accepted,
        "contract_pages": office.contract_pages,
    }
