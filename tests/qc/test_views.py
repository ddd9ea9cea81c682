"""The inspection screens through the test client: who may do what, side effects, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive_office.models import AuditEvent
from archive_office.roles import Role
from digitization.models import Batch
from qc import services
from qc.models import Defect, Inspection, Sample, Verdict
from records.models import Item
from tests.conftest import signed_in
from tests.digitization.factories import make_assembled_items
from tests.factories import make_user

from .factories import accept, inspect_all, make_submitted_batch


@pytest.fixture
def batch(contractor):
    return make_submitted_batch(contractor=contractor, items=make_assembled_items(count=20, page_count=2))


@pytest.fixture
def sample(batch, supervisor):
    return services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.ITEM, rate=10, seed=11)


def _decided(sample, supervisor, decision=Verdict.Decision.REJECT):
    inspect_all(sample, inspector=supervisor, defects={1: Defect.Kind.WRONG_LINK})
    return services.decide_batch(sample=sample, user=supervisor, decision=decision, note="返工")


# --- Drawing


def test_the_supervisor_sees_the_batches_waiting_for_a_sample(supervisor_client, batch):
    response = supervisor_client.get(reverse("qc:sample_list"))
    assert [b.pk for b in response.context["waiting"]] == [batch.pk]


def test_drawing_through_the_form_keeps_the_sample(supervisor_client, batch, supervisor):
    url = reverse("qc:sample_draw", args=[batch.pk])
    assert supervisor_client.get(url).status_code == 200
    response = supervisor_client.post(url, {"mode": "item", "rate": "10", "aql": "1.0"})
    sample = Sample.objects.get()
    assert response.status_code == 302
    assert response["Location"] == sample.get_absolute_url()
    assert (sample.rate, sample.sample_size, sample.drawn_by) == (10, 2, supervisor)


def test_drawing_twice_keeps_one_sample(supervisor_client, batch):
    url = reverse("qc:sample_draw", args=[batch.pk])
    supervisor_client.post(url, {"mode": "item", "rate": "5", "aql": "1.0"})
    response = supervisor_client.post(url, {"mode": "item", "rate": "5", "aql": "1.0"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Sample.objects.count() == 1


def test_a_rate_under_five_percent_is_refused_by_the_form(supervisor_client, batch):
    response = supervisor_client.post(
        reverse("qc:sample_draw", args=[batch.pk]), {"mode": "item", "rate": "4"}
    )
    assert response.context["form"].errors["rate"]
    assert not Sample.objects.exists()


@pytest.mark.parametrize("role", [Role.ARCHIVE_STAFF, Role.CONTRACTOR, Role.ADMINISTRATOR])
def test_only_supervisors_draw(cast, batch, role):
    client = signed_in(cast[role])
    url = reverse("qc:sample_draw", args=[batch.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"mode": "item", "rate": "5"}).status_code == 403
    assert not Sample.objects.exists()


# --- Inspecting


def test_the_workspace_shows_the_catalogue_fields_and_the_images(supervisor_client, sample):
    unit = sample.units.first()
    response = supervisor_client.get(unit.get_absolute_url())
    assert response.status_code == 200
    code = unit.item.archival_code
    images = response.context["images"]
    assert [image["name"] for image in images] == [f"{code}-0001.jpg", f"{code}-0002.jpg"]
    assert images[0]["url"] == reverse("digitization:page_image", args=[images[0]["id"], "derivative"])
    assert dict(response.context["fields"])[Item._meta.get_field("archival_code").verbose_name] == code
    assert 'id="workspace-images"' in response.content.decode()
    assert response.context["next_unit"] == sample.units.get(position=2).pk


def test_recording_a_defect_through_htmx_answers_with_the_panel(supervisor_client, sample):
    unit = sample.units.first()
    page = unit.item.pages.order_by("sequence").first()
    response = supervisor_client.post(
        reverse("qc:defect_add", args=[unit.pk]),
        {"kind": "skew", "note": "倾斜", "on_image": "on", "page": page.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="inspection-panel"' in response.content.decode()
    assert "<html" not in response.content.decode()
    defect = Defect.objects.get()
    assert (defect.unit, defect.page, defect.kind) == (unit, page, "skew")


def test_a_page_of_another_item_is_not_taken(supervisor_client, sample):
    first, second = sample.units.all()
    other_page = second.item.pages.first()
    supervisor_client.post(
        reverse("qc:defect_add", args=[first.pk]),
        {"kind": "skew", "note": "倾斜", "on_image": "on", "page": other_page.pk},
    )
    assert not Defect.objects.exists()


def test_passing_goes_on_to_the_next_item_and_then_to_the_sample(supervisor_client, sample):
    first, second = sample.units.all()
    response = supervisor_client.post(reverse("qc:unit_record", args=[first.pk]), {"pass": "1"})
    assert response["Location"] == second.get_absolute_url()
    response = supervisor_client.post(reverse("qc:unit_record", args=[second.pk]), {"pass": "1"})
    assert response["Location"] == sample.get_absolute_url()
    assert Inspection.objects.filter(passed=True).count() == 2


def test_recording_the_checklist_with_a_defect(supervisor_client, sample, supervisor):
    unit = sample.units.first()
    services.add_defect(unit=unit, user=supervisor, kind=Defect.Kind.NAMING, note="文件名少一位")
    checks = {"catalogue": "on", "pages": "on", "images": "on"}
    supervisor_client.post(reverse("qc:unit_record", args=[unit.pk]), {**checks, "note": "命名错"})
    inspection = Inspection.objects.get()
    assert (inspection.passed, inspection.linking_ok, inspection.note) == (False, False, "命名错")


@pytest.mark.parametrize("role", [Role.ARCHIVE_STAFF, Role.CONTRACTOR, Role.ADMINISTRATOR])
def test_only_supervisors_inspect(cast, sample, role):
    client = signed_in(cast[role])
    unit = sample.units.first()
    assert client.get(unit.get_absolute_url()).status_code == 403
    assert client.post(reverse("qc:unit_record", args=[unit.pk]), {"pass": "1"}).status_code == 403
    assert (
        client.post(reverse("qc:defect_add", args=[unit.pk]), {"kind": "naming", "note": "x"}).status_code
        == 403
    )
    assert not Inspection.objects.exists()
    assert not Defect.objects.exists()


def test_the_inspection_views_refuse_get_where_they_write(supervisor_client, sample):
    unit = sample.units.first()
    for url in (
        reverse("qc:unit_record", args=[unit.pk]),
        reverse("qc:defect_add", args=[unit.pk]),
        reverse("qc:sample_decide", args=[sample.pk]),
    ):
        assert supervisor_client.get(url).status_code == 405


# --- Deciding


def test_the_supervisor_accepts_through_the_form(supervisor_client, sample, supervisor):
    inspect_all(sample, inspector=supervisor)
    response = supervisor_client.post(
        reverse("qc:sample_decide", args=[sample.pk]), {"decision": "accept", "note": ""}
    )
    assert response["Location"] == sample.get_absolute_url()
    assert Batch.objects.get().step == Batch.Step.ACCEPTED
    assert Verdict.objects.get().decided_by == supervisor


def test_accepting_against_the_figures_is_refused(supervisor_client, sample, supervisor):
    inspect_all(sample, inspector=supervisor, defects={1: Defect.Kind.ARCHIVAL_CODE})
    supervisor_client.post(reverse("qc:sample_decide", args=[sample.pk]), {"decision": "accept"})
    assert not Verdict.objects.exists()
    assert Batch.objects.get().step == Batch.Step.SUBMITTED


@pytest.mark.parametrize("role", [Role.ARCHIVE_STAFF, Role.CONTRACTOR, Role.ADMINISTRATOR])
def test_only_supervisors_decide(cast, sample, supervisor, role):
    inspect_all(sample, inspector=supervisor)
    response = signed_in(cast[role]).post(
        reverse("qc:sample_decide", args=[sample.pk]), {"decision": "accept"}
    )
    assert response.status_code in (403, 404)
    assert not Verdict.objects.exists()


# --- Reading


def test_archive_staff_and_administrators_read_samples(archivist_client, admin_client, sample):
    for client in (archivist_client, admin_client):
        assert client.get(reverse("qc:sample_list")).status_code == 200
        assert client.get(sample.get_absolute_url()).status_code == 200


def test_a_contractor_reads_its_own_verdict_and_defect_list(contractor_client, sample, supervisor):
    assert contractor_client.get(sample.get_absolute_url()).status_code == 404  # not while being inspected
    _decided(sample, supervisor)
    response = contractor_client.get(sample.get_absolute_url())
    assert response.status_code == 200
    assert [d.kind for d in response.context["defects"]] == ["wrong_link"]
    listed = contractor_client.get(reverse("qc:sample_list"))
    assert [s.pk for s in listed.context["page"]] == [sample.pk]
    assert list(listed.context["waiting"]) == []


def test_a_contractor_cannot_read_another_contractors_verdict(sample, supervisor):
    _decided(sample, supervisor)
    other = signed_in(make_user(role=Role.CONTRACTOR, username="other-firm"))
    assert other.get(sample.get_absolute_url()).status_code == 404
    assert list(other.get(reverse("qc:sample_list")).context["page"]) == []


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_sample_list_takes_the_same_queries_for_more_samples(contractor, supervisor, supervisor_client):
    url = reverse("qc:sample_list")
    make_submitted_batch(contractor=contractor)
    services.draw_sample(batch=Batch.objects.get(), user=supervisor, mode=Sample.Mode.ITEM)
    few = _queries(supervisor_client, url)
    for _ in range(3):
        batch = make_submitted_batch(contractor=contractor)
        _decided(services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.ITEM), supervisor)
    make_submitted_batch(contractor=contractor)
    assert _queries(supervisor_client, url) == few


def test_the_sample_page_takes_the_same_queries_for_more_defects(contractor, supervisor, supervisor_client):
    small = services.draw_sample(
        batch=make_submitted_batch(contractor=contractor), user=supervisor, mode=Sample.Mode.ITEM
    )
    _decided(small, supervisor)
    large_batch = make_submitted_batch(
        contractor=contractor, items=make_assembled_items(count=10, page_count=1)
    )
    large = services.draw_sample(batch=large_batch, user=supervisor, mode=Sample.Mode.ITEM, rate=50)
    inspect_all(large, inspector=supervisor, defects={n: Defect.Kind.WRONG_FIELD for n in (1, 2, 3)})
    services.decide_batch(sample=large, user=supervisor, decision=Verdict.Decision.REJECT)
    assert _queries(supervisor_client, large.get_absolute_url()) == _queries(
        supervisor_client, small.get_absolute_url()
    )


# --- Published to search


def test_the_catalogue_shows_which_items_are_published(archivist_client, contractor, supervisor):
    accepted = make_assembled_items(count=2, page_count=1, business_item="开户登记")
    accept(make_submitted_batch(contractor=contractor, items=accepted), supervisor=supervisor)
    waiting = make_assembled_items(count=2, page_count=1, business_item="变更注销")
    make_submitted_batch(contractor=contractor, items=waiting)
    response = archivist_client.get(reverse("records:item_list"))
    html = response.content.decode()
    assert html.count('data-testid="published"') == 2
    for item in accepted:
        assert f"{item.archival_code}</a>" in html


def test_the_published_badge_costs_one_query(archivist_client, contractor, supervisor):
    accept(make_submitted_batch(contractor=contractor), supervisor=supervisor)
    with CaptureQueriesContext(connection) as captured:
        archivist_client.get(reverse("records:item_list"))
    assert sum('"digitization_batch"."step"' in q["sql"] for q in captured.captured_queries) == 1


def test_the_supervisors_home_lists_what_waits(supervisor_client, batch, sample):
    response = supervisor_client.get(reverse("home"))
    assert list(response.context["open_samples"]) == [sample]
    assert response.context["doubtful"] == 0
    assert list(response.context["to_sample"]) == []


def test_viewing_an_image_from_the_workspace_is_audited(supervisor_client, contractor, supervisor):
    batch = make_submitted_batch(contractor=contractor, with_files=True)
    sample = services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.ITEM)
    page = sample.units.first().item.pages.first()
    response = supervisor_client.get(reverse("digitization:page_image", args=[page.pk, "derivative"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a JPEG
    assert AuditEvent.objects.for_object(page).get().action == AuditEvent.Action.VIEW_IMAGE
