"""The supervisors' dashboard: its figures, who sees it, and a query count that does not grow."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive_office.roles import Role
from digitization.models import Batch, Page
from qc import dashboard, services
from qc.dashboard import Progress
from qc.models import Defect, Sample, Verdict
from tests.conftest import signed_in
from tests.digitization.factories import make_assembled_items
from tests.factories import make_user

from .factories import accept, inspect_all, make_submitted_batch

TODAY = datetime.date(2026, 11, 18)  # a Wednesday


def _progress(**figures: int) -> Progress:
    defaults = dict(
        contract_pages=737_000,
        contract_end=datetime.date(2026, 12, 31),
        today=TODAY,
        scanned=0,
        accepted=0,
        scanned_recently=0,
        accepted_recently=0,
    )
    return Progress(**{**defaults, **figures})


def test_the_projection_runs_the_remaining_pages_at_the_recent_rate():
    progress = _progress(accepted=700_000, accepted_recently=28 * 1_000)  # 1,000 pages a day
    assert progress.accepted_rate == 1_000
    assert progress.accepted_finish == TODAY + datetime.timedelta(days=37)
    assert progress.on_track


def test_a_slow_rate_finishes_after_the_contract():
    progress = _progress(accepted=600_000, accepted_recently=28 * 1_000)
    assert progress.accepted_finish == TODAY + datetime.timedelta(days=137)
    assert not progress.on_track


def test_without_recent_work_no_finish_is_promised():
    assert _progress(accepted=10).accepted_finish is None
    assert _progress(accepted=10, accepted_recently=1).accepted_finish is None  # 20,000 years away
    assert _progress(accepted=737_000).accepted_finish == TODAY


@pytest.fixture
def busy(contractor, supervisor):
    """Two operators' pages over the last days, one accepted batch and one returned."""
    operators = [make_user(role=Role.CONTRACTOR, full_name=name) for name in ("赵敏", "钱程")]
    accepted_batch = make_submitted_batch(
        contractor=contractor, items=make_assembled_items(count=4, page_count=2), operators=operators
    )
    accept(accepted_batch, supervisor=supervisor)
    returned = make_submitted_batch(contractor=contractor, items=make_assembled_items(count=2, page_count=3))
    sample = services.draw_sample(batch=returned, user=supervisor, mode=Sample.Mode.ITEM, rate=100)
    inspect_all(sample, inspector=supervisor, defects={1: Defect.Kind.MISSING_PAGE, 2: Defect.Kind.SKEW})
    services.decide_batch(sample=sample, user=supervisor, decision=Verdict.Decision.REJECT)
    three_days_ago = timezone.now() - datetime.timedelta(days=3)
    Page.objects.filter(batch=returned).update(scanned_at=three_days_ago, processed_at=three_days_ago)
    return {"accepted": accepted_batch, "returned": returned}


def test_the_figures_come_from_the_data(busy):
    today = timezone.localdate()
    figures = dashboard.dashboard(today)
    progress = figures["progress"]
    assert (progress.scanned, progress.accepted, progress.scanned_recently) == (14, 8, 14)
    steps = {row["key"]: row["data"] for row in figures["daily"]["steps"]}
    assert steps["scanned"][-1] == 8
    assert steps["scanned"][-4] == 6  # the returned batch's pages, three days back
    assert steps["processed"][-4] == 6
    assert steps["accepted"][-1] == 8
    assert sum(steps["inspected"]) == 2 + 6  # one sampled item of 2 pages, and 2 items of 3
    operators = {row["label"]: row["total"] for row in figures["daily"]["operators"]}
    assert operators == {"赵敏": 4, "钱程": 4, "张伟": 6}
    weekly = figures["weekly"]
    assert weekly["inspected"][-1] == 3
    assert weekly["pass_rate"][-1] == pytest.approx(33.3)
    assert weekly["rework_rate"][-1] == 50.0
    assert {row["kind"]: row["total"] for row in weekly["defects"]} == {"skew": 1, "missing_page": 1}
    assert figures["rework"]["rate"] == 50.0
    waiting = figures["waiting"]
    assert dict((value, n) for value, _label, n in waiting["steps"])[Batch.Step.RETURNED] == 1
    assert (waiting["to_sample"], waiting["inspecting"], waiting["doubtful"]) == (0, 0, 0)


def test_weeks_begin_on_monday(db):
    weeks = dashboard.quality_by_week(TODAY)["weeks"]
    assert weeks[-1] == "2026-11-16"
    assert len(weeks) == dashboard.WEEKS


def test_the_page_embeds_the_chart_data_and_the_vendored_chartjs(supervisor_client, busy):
    response = supervisor_client.get(reverse("qc:dashboard"))
    html = response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "cdn" not in html.lower()
    start = html.index('<script id="dashboard-data" type="application/json">') + len(
        '<script id="dashboard-data" type="application/json">'
    )
    data = json.loads(html[start : html.index("</script>", start)])
    assert len(data["daily"]["days"]) == dashboard.DAYS
    assert {"pass_rate", "rework_rate"} <= set(data["labels"])
    assert reverse("digitization:doubtful_queue") in html


@pytest.mark.parametrize(
    ("role", "status"), [(Role.ARCHIVE_STAFF, 403), (Role.CONTRACTOR, 403), (Role.ADMINISTRATOR, 200)]
)
def test_who_sees_the_dashboard(cast, role, status):
    assert signed_in(cast[role]).get(reverse("qc:dashboard")).status_code == status


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboard_takes_the_same_queries_whatever_the_data(supervisor_client, contractor, supervisor):
    url = reverse("qc:dashboard")
    empty = _queries(supervisor_client, url)
    for _ in range(2):
        accept(make_submitted_batch(contractor=contractor), supervisor=supervisor)
    make_submitted_batch(contractor=contractor)
    assert _queries(supervisor_client, url) == empty


def test_supervisors_reach_the_doubtful_queue_from_the_dashboard_but_do_not_confirm(
    supervisor_client, contractor
):
    batch = make_submitted_batch(contractor=contractor)
    Page.objects.filter(pk=batch.pages.first().pk).update(doubtful=True, doubtful_note="印章不清")
    response = supervisor_client.get(reverse("digitization:doubtful_queue"))
    assert response.status_code == 200
    assert len(response.context["page"]) == 1
    assert (
        reverse("digitization:page_confirm", args=[batch.pages.first().pk]) not in response.content.decode()
    )
    page = batch.pages.first()
    assert (
        supervisor_client.post(
            reverse("digitization:page_confirm", args=[page.pk]), {"note": "x"}
        ).status_code
        == 403
    )
