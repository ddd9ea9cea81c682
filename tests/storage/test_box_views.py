"""The box screens: boxing volumes, the box list and page, the remarks sheet and the printouts."""

import pytest
from django.urls import reverse
from django.utils import translation

from archive_office.models import AuditEvent
from storage.models import Box
from storage.services import shelve_box
from tests.conftest import signed_in
from tests.digitization.factories import make_assembled_items, make_batch

from .factories import make_box, make_location, make_volume
from .test_labels import decoded

pytestmark = pytest.mark.django_db

LIST = reverse("storage:box_list")
QUEUE = reverse("storage:volume_queue")


def _box_url(volume) -> str:
    return reverse("storage:box_create", args=[volume.pk])


def _typed(volume) -> dict[str, str]:
    items = [p.item for p in volume.placements.order_by("first_page")]
    return {"first_item": str(items[0].item_number), "last_item": str(items[-1].item_number)}


def _contractors_volume(contractor):
    items = make_assembled_items(count=2)
    make_batch(contractor=contractor, items=items)
    return items[0].placements.get().volume


# --- Boxing ---------------------------------------------------------------------------------------------


def test_boxing_a_volume_registers_its_box(archivist_client):
    volume = make_volume()
    response = archivist_client.post(_box_url(volume), _typed(volume) | {"notes": "第1件有破损"})
    box = Box.objects.get()
    assert response.status_code == 302
    assert response["Location"] == box.get_absolute_url()
    assert box.remarks.notes == "第1件有破损"


def test_boxing_refuses_get(archivist_client):
    assert archivist_client.get(_box_url(make_volume())).status_code == 405


def test_supervisors_do_not_box(supervisor_client):
    volume = make_volume()
    assert supervisor_client.post(_box_url(volume), _typed(volume)).status_code == 403
    assert supervisor_client.get(QUEUE).status_code == 403
    assert not Box.objects.exists()


def test_boxing_twice_makes_one_box(archivist_client):
    volume = make_volume()
    archivist_client.post(_box_url(volume), _typed(volume), follow=True)
    response = archivist_client.post(_box_url(volume), _typed(volume), follow=True)
    assert Box.objects.count() == 1
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_wrong_last_item_is_refused_with_the_volumes_range(archivist_client):
    volume = make_volume(count=3)
    with translation.override("en"):
        response = archivist_client.post(_box_url(volume), {"first_item": "1", "last_item": "2"}, follow=True)
        message = str(next(iter(response.context["messages"])))
    assert "0001至0003" in message
    assert not Box.objects.exists()


def test_a_contractor_boxes_the_volumes_of_its_own_batches_only(contractor, contractor_client):
    own, other = _contractors_volume(contractor), make_volume(year=2010)
    assert contractor_client.post(_box_url(other), _typed(other)).status_code == 404
    assert contractor_client.post(_box_url(own), _typed(own)).status_code == 302
    assert Box.objects.get().volume == own
    queue = contractor_client.get(QUEUE)
    assert list(queue.context["page"]) == []  # its own volume is boxed; the other one is not offered


def test_the_queue_lists_volumes_not_yet_boxed(archivist_client):
    boxed, waiting = make_volume(), make_volume()
    make_box(volume=boxed)
    assert list(archivist_client.get(QUEUE).context["page"]) == [waiting]


# --- List and page --------------------------------------------------------------------------------------


def test_the_box_list_shows_where_each_box_stands(archivist, archivist_client):
    box, cell = make_box(), make_location()
    shelve_box(box=box, location=cell, user=archivist)
    response = archivist_client.get(LIST)
    assert response.status_code == 200
    assert cell.name in response.content.decode()


def test_the_box_list_runs_the_same_queries_for_any_page_size(
    archivist, archivist_client, django_assert_max_num_queries
):
    cell = make_location()
    for _ in range(2):
        shelve_box(box=make_box(volume=make_volume()), location=cell, user=archivist)
    with django_assert_max_num_queries(20) as few:
        archivist_client.get(LIST)
    for _ in range(8):
        shelve_box(box=make_box(volume=make_volume()), location=cell, user=archivist)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = archivist_client.get(LIST)
    assert len(response.context["page"]) == 10


def test_a_contractor_lists_only_its_own_boxes(contractor, contractor_client):
    own = make_box(volume=_contractors_volume(contractor))
    make_box(year=2010)
    assert [box for box, _loan in contractor_client.get(LIST).context["rows"]] == [own]


def test_a_contractor_cannot_open_anothers_box(contractor_client):
    box = make_box()
    assert contractor_client.get(box.get_absolute_url()).status_code == 404


def test_the_box_page_shows_contents_history_and_print_links(archivist, archivist_client):
    box = make_box()
    shelve_box(box=box, location=make_location(), user=archivist)
    response = archivist_client.get(box.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert box.first_archival_code in html
    assert "二库房一区第4列R面第2层第2格" in html
    assert reverse("storage:box_printable", args=[box.pk, "spine"]) + "?width=20" in html


def test_users_without_a_role_see_no_box(db):
    from tests.factories import make_user

    assert signed_in(make_user()).get(LIST).status_code == 403


# --- Remarks sheet --------------------------------------------------------------------------------------


def test_the_remarks_sheet_is_saved_and_audited(archivist_client):
    box = make_box()
    data = {
        "notes": "第2件缺第3页",
        "arranged_by": "张伟",
        "arranged_on": "2026-03-02",
        "checked_by": "李秀兰",
        "checked_on": "2026-03-03",
    }
    response = archivist_client.post(reverse("storage:remarks_edit", args=[box.pk]), data)
    assert response.status_code == 302
    box.remarks.refresh_from_db()
    assert (box.remarks.checked_by, box.remarks.checked_on.isoformat()) == ("李秀兰", "2026-03-03")
    assert AuditEvent.objects.for_object(box).filter(action=AuditEvent.Action.UPDATE).exists()


def test_the_remarks_sheet_refuses_get_and_supervisors(archivist_client, supervisor_client):
    url = reverse("storage:remarks_edit", args=[make_box().pk])
    assert archivist_client.get(url).status_code == 405
    assert supervisor_client.post(url, {"notes": "x"}).status_code == 403


# --- Printouts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["spine", "cover", "remarks"])
def test_each_box_printable_is_a_pdf(archivist_client, kind, tmp_path):
    box = make_box()
    response = archivist_client.get(reverse("storage:box_printable", args=[box.pk, kind]), {"width": 20})
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "box.pdf"
    path.write_bytes(response.content)
    if kind != "remarks":
        assert decoded(path) == [box.barcode_payload]


def test_a_spine_width_not_offered_is_not_found(archivist_client):
    url = reverse("storage:box_printable", args=[make_box().pk, "spine"])
    assert archivist_client.get(url, {"width": 25}).status_code == 404


def _print(client, **params):
    return client.get(reverse("storage:box_print"), params)


def _payloads(response, tmp_path) -> list[str]:
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "print.pdf"
    path.write_bytes(response.content)
    return decoded(path)


def test_spine_labels_print_for_a_range_of_volumes(archivist_client, tmp_path):
    boxes = [make_box(volume=make_volume()) for _ in range(4)]
    first = boxes[0]
    group = {
        "fonds": first.fonds_id,
        "retention": first.retention_id,
        "business_category": first.business_category_id,
    }
    response = _print(
        archivist_client,
        kind="spine",
        width=40,
        by="range",
        year=2008,
        first_number=2,
        last_number=3,
        **group,
    )
    assert _payloads(response, tmp_path) == [boxes[1].barcode_payload, boxes[2].barcode_payload]


def test_covers_print_for_a_shelf(archivist, archivist_client, tmp_path):
    on_rack, elsewhere = make_box(volume=make_volume()), make_box(volume=make_volume())
    shelve_box(box=on_rack, location=make_location(rack=4), user=archivist)
    shelve_box(box=elsewhere, location=make_location(rack=5), user=archivist)
    response = _print(archivist_client, kind="cover", by="shelf", rack="2-1-4")
    assert _payloads(response, tmp_path) == [on_rack.barcode_payload]


def test_spine_labels_print_for_a_batch(contractor, contractor_client, tmp_path):
    volume = _contractors_volume(contractor)
    box = make_box(volume=volume)
    make_box(year=2010)
    batch = contractor.batches.get()
    response = _print(contractor_client, kind="spine", width=20, by="batch", batch=batch.pk)
    assert _payloads(response, tmp_path) == [box.barcode_payload]


def test_an_incomplete_print_request_goes_back_to_the_list(archivist_client):
    response = _print(archivist_client, kind="spine", width=30, by="range", year=2008)
    assert response.status_code == 302
    assert response["Location"] == LIST
