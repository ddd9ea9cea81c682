"""Lookups: who asked, for whom and why; the item, its box, cell and images; the median time to find."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from archive_office.models import AuditEvent
from storage.models import LookupRequest
from storage.services import StorageError, log_lookup, record_found, shelve_box
from tests.records.factories import ZHANG_SAN, make_item

from .factories import make_box, make_location

pytestmark = pytest.mark.django_db

LOOKUPS = reverse("storage:lookup_list")
REQUEST = {"requested_by": "王芳", "on_behalf_of": "张三", "purpose": "退休待遇核定", "query": ZHANG_SAN[1]}


def _lookup(user, **fields) -> LookupRequest:
    return log_lookup(**REQUEST | fields, user=user)


def _found_after(lookup: LookupRequest, item, user, *, minutes: float) -> LookupRequest:
    LookupRequest.objects.filter(pk=lookup.pk).update(
        received_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    return record_found(lookup=lookup, item=item, user=user)


def test_a_lookup_is_logged_and_audited(archivist):
    lookup = _lookup(archivist)
    assert (lookup.requested_by, lookup.on_behalf_of, lookup.logged_by) == ("王芳", "张三", archivist)
    event = AuditEvent.objects.for_object(lookup).get()
    assert (event.action, event.detail["purpose"]) == ("create", "退休待遇核定")


def test_finding_the_file_records_the_time_it_took(archivist):
    item = make_item()
    lookup = _found_after(_lookup(archivist), item, archivist, minutes=1.5)
    assert lookup.item == item
    assert lookup.time_to_found == pytest.approx(
        datetime.timedelta(minutes=1.5), abs=datetime.timedelta(seconds=5)
    )
    found = AuditEvent.objects.for_object(lookup).get(action=AuditEvent.Action.UPDATE)
    assert found.detail["seconds"] == pytest.approx(90, abs=5)


def test_finding_again_keeps_the_first_time_and_refuses_another_item(archivist):
    item = make_item()
    lookup = _found_after(_lookup(archivist), item, archivist, minutes=2)
    assert record_found(lookup=lookup, item=item, user=archivist).found_at == lookup.found_at
    with pytest.raises(StorageError):
        record_found(lookup=lookup, item=make_item(), user=archivist)


def test_the_median_time_to_found_is_reported(archivist, archivist_client):
    item = make_item()
    for minutes in (1, 2, 30):
        _found_after(_lookup(archivist), item, archivist, minutes=minutes)
    _lookup(archivist)  # still open: not counted
    median = LookupRequest.objects.median_time_to_found()
    assert median == pytest.approx(datetime.timedelta(minutes=2), abs=datetime.timedelta(seconds=5))
    html = archivist_client.get(LOOKUPS).content.decode()
    assert "从提出查阅到查到档案的中位用时：2.0分钟（共3次查阅）。" in html
    assert "15–30" in html


def test_logging_through_the_page_opens_the_search(archivist_client):
    item = make_item()
    response = archivist_client.post(reverse("storage:lookup_create"), REQUEST)
    lookup = LookupRequest.objects.get()
    assert response["Location"] == lookup.get_absolute_url()
    page = archivist_client.get(lookup.get_absolute_url())
    assert list(page.context["candidates"]) == [item]


def test_a_lookup_without_a_purpose_is_not_logged(archivist_client):
    response = archivist_client.post(reverse("storage:lookup_create"), REQUEST | {"purpose": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not LookupRequest.objects.exists()


def test_the_found_file_shows_its_box_cell_and_loan(archivist, archivist_client):
    box, cell = make_box(), make_location()
    shelve_box(box=box, location=cell, user=archivist)
    item = box.contents.first().item
    lookup = _lookup(archivist)
    response = archivist_client.post(reverse("storage:lookup_found", args=[lookup.pk]), {"item": item.pk})
    assert response.status_code == 302
    page = archivist_client.get(lookup.get_absolute_url())
    assert page.context["boxes"] == [box]
    assert page.context["boxes"][0].current_location == cell
    html = page.content.decode()
    assert cell.name in html
    assert 'data-testid="lookup-images"' in html


def test_lookups_are_logged_by_archive_staff_and_read_by_supervisors(supervisor_client, contractor_client):
    assert supervisor_client.post(reverse("storage:lookup_create"), REQUEST).status_code == 403
    assert supervisor_client.get(LOOKUPS).status_code == 200
    assert contractor_client.get(LOOKUPS).status_code == 403


def test_marking_found_refuses_get_and_supervisors(archivist, archivist_client, supervisor_client):
    lookup, item = _lookup(archivist), make_item()
    url = reverse("storage:lookup_found", args=[lookup.pk])
    assert archivist_client.get(url).status_code == 405
    assert supervisor_client.post(url, {"item": item.pk}).status_code == 403
    lookup.refresh_from_db()
    assert lookup.found_at is None


def test_the_lookup_list_runs_the_same_queries_for_any_page_size(
    archivist, archivist_client, django_assert_max_num_queries
):
    item = make_item()
    for _ in range(2):
        _found_after(_lookup(archivist), item, archivist, minutes=1)
    with django_assert_max_num_queries(15) as few:
        archivist_client.get(LOOKUPS)
    for _ in range(6):
        _found_after(_lookup(archivist), item, archivist, minutes=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = archivist_client.get(LOOKUPS)
    assert len(response.context["page"]) == 8
