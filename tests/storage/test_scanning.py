"""The scan-to-shelve page: each code a scanner types is one POST; htmx adds a confirmed line per box."""

import pytest
from django.urls import reverse
from django.utils import translation

from storage.models import Box, BoxPlacement, Location
from tests.digitization.factories import make_assembled_items, make_batch

from .factories import make_box, make_location, make_volume

pytestmark = pytest.mark.django_db

SHELVE = reverse("storage:shelve")
MOVE = reverse("storage:move")


def _scan(client, code: str, cell: Location | None = None, *, htmx: bool = True):
    data = {"code": code, "cell": cell.pk if cell else ""}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with translation.override("en"):
        return client.post(SHELVE, data, **headers)


def test_the_page_waits_for_a_scan(archivist_client):
    html = archivist_client.get(SHELVE).content.decode()
    assert 'data-scan-input data-testid="scan-input"' in html
    assert "js/scanner.js" in html  # which focuses the input once it handles scans


def test_scanning_a_cell_makes_it_current(archivist_client):
    cell = make_location()
    response = _scan(archivist_client, "LOC:2-1-4-R-2-2")
    html = response.content.decode()
    assert response.context["result"].ok
    assert response.context["result"].cell == cell
    assert 'hx-swap-oob="true"' in html
    assert f'name="cell" value="{cell.pk}"' in html


def test_scanning_a_box_places_and_confirms_it(archivist_client):
    box, cell = make_box(), make_location()
    response = _scan(archivist_client, box.barcode_payload, cell)
    assert response.context["result"].ok
    assert "已上架至" in response.context["result"].message
    assert response.content.decode().lstrip().startswith("<tr")
    assert BoxPlacement.objects.get().location == cell


def test_scanning_the_same_box_twice_keeps_one_placement(archivist_client):
    box, cell = make_box(), make_location()
    _scan(archivist_client, box.barcode_payload, cell)
    again = _scan(archivist_client, box.barcode_payload, cell)
    assert "已在" in again.context["result"].message
    assert BoxPlacement.objects.count() == 1


def test_a_box_before_any_cell_is_refused(archivist_client):
    response = _scan(archivist_client, make_box().barcode_payload)
    assert not response.context["result"].ok
    assert not BoxPlacement.objects.exists()


def test_an_unknown_code_is_a_red_line_not_an_error_page(archivist_client):
    response = _scan(archivist_client, "BOX:Z999-ZY.2008-Y-GL-B001", make_location())
    assert response.status_code == 200
    assert 'data-ok="false"' in response.content.decode()


def test_without_javascript_the_whole_page_comes_back(archivist_client):
    box, cell = make_box(), make_location()
    response = _scan(archivist_client, box.barcode_payload, cell, htmx=False)
    html = response.content.decode()
    assert "<html" in html
    assert f'name="cell" value="{cell.pk}"' in html
    assert BoxPlacement.objects.count() == 1


def test_shelving_refuses_supervisors(supervisor_client):
    assert supervisor_client.get(SHELVE).status_code == 403
    assert supervisor_client.post(SHELVE, {"code": "LOC:2-1-4-R-2-2"}).status_code == 403


def test_a_contractor_shelves_only_its_own_batches_boxes(contractor, contractor_client):
    items = make_assembled_items(count=2, year=2011)
    make_batch(contractor=contractor, items=items)
    own = make_box(volume=items[0].placements.get().volume)
    other = make_box(year=2012)
    cell = make_location()
    assert not _scan(contractor_client, other.barcode_payload, cell).context["result"].ok
    assert _scan(contractor_client, own.barcode_payload, cell).context["result"].ok
    assert list(BoxPlacement.objects.values_list("box", flat=True)) == [own.pk]


def test_a_range_of_boxes_moves_by_scanning_first_last_and_cell(archivist_client):
    boxes = [make_box(volume=make_volume()) for _ in range(3)]
    start = make_location(capacity=2)
    following = make_location(cell=3)
    response = archivist_client.post(
        MOVE,
        {
            "first_box": boxes[0].barcode_payload,
            "last_box": boxes[2].barcode_payload,
            "start": "LOC:2-1-4-R-2-2",
        },
    )
    assert response.status_code == 302
    located = {b.pk: b.current_location_id for b in Box.objects.with_location()}
    assert located == {boxes[0].pk: start.pk, boxes[1].pk: start.pk, boxes[2].pk: following.pk}


def test_a_move_with_a_box_as_the_cell_is_refused(archivist_client):
    box = make_box()
    response = archivist_client.post(
        MOVE,
        {"first_box": box.barcode_payload, "last_box": box.barcode_payload, "start": box.barcode_payload},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not BoxPlacement.objects.exists()


def test_locations_are_recorded_rack_by_rack_and_listed(archivist_client):
    data = {"room": 2, "area": 1, "rack": 4, "faces": "LR", "levels": 3, "cells": 2, "capacity": 10}
    assert archivist_client.post(reverse("storage:location_add"), data).status_code == 302
    archivist_client.post(reverse("storage:location_add"), data)  # twice: nothing doubles
    assert Location.objects.count() == 12
    response = archivist_client.get(reverse("storage:location_list"))
    assert "二库房一区第4列L面第1层第1格" in response.content.decode()


def test_only_archive_staff_record_locations(contractor_client):
    data = {"room": 2, "area": 1, "rack": 4, "faces": "L", "levels": 1, "cells": 1}
    assert contractor_client.post(reverse("storage:location_add"), data).status_code == 403


def test_a_cell_page_lists_the_boxes_there_now(archivist, archivist_client):
    box, cell = make_box(), make_location()
    _scan(archivist_client, box.barcode_payload, cell)
    response = archivist_client.get(cell.get_absolute_url())
    assert list(response.context["boxes"]) == [box]


def test_shelf_labels_print_for_a_rack(archivist_client):
    make_location(), make_location(rack=5)
    response = archivist_client.get(reverse("storage:location_labels"), {"rack": "2-1-4"})
    assert response["Content-Type"] == "application/pdf"
