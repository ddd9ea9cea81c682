"""Shelving: placements are an append-only history, the latest row is where a box stands, moves by range."""

import pytest
from django.db import IntegrityError, transaction

from storage.models import Box, BoxPlacement
from storage.services import StorageError, box_range, move_boxes, shelve_box

from .factories import make_box, make_location, make_volume

pytestmark = pytest.mark.django_db


def _boxes(count: int) -> list[Box]:
    volumes = [make_volume() for _ in range(count)]
    return [make_box(volume=volume) for volume in volumes]


def test_a_scanned_box_goes_into_the_cell(archivist):
    box, cell = make_box(), make_location()
    shelving = shelve_box(box=box, location=cell, user=archivist)
    assert shelving.moved
    assert shelving.previous is None
    assert Box.objects.with_location().get().current_location_id == cell.pk
    assert shelving.placement.placed_by == archivist


def test_shelving_twice_in_the_same_cell_adds_no_history(archivist):
    box, cell = make_box(), make_location()
    shelve_box(box=box, location=cell, user=archivist)
    again = shelve_box(box=box, location=cell, user=archivist)
    assert not again.moved
    assert BoxPlacement.objects.count() == 1


def test_the_history_answers_where_a_box_was_before(archivist):
    box, first, second = make_box(), make_location(cell=1), make_location(cell=2)
    shelve_box(box=box, location=first, user=archivist)
    moved = shelve_box(box=box, location=second, user=archivist)
    assert moved.previous == first
    assert [p.location for p in box.history.all()] == [second, first]
    assert Box.objects.with_location().get().current_location_id == second.pk


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_history_cannot_be_rewritten(archivist, change):
    box = make_box()
    placement = shelve_box(box=box, location=make_location(), user=archivist).placement
    rows = BoxPlacement.objects.filter(pk=placement.pk)
    other = make_location(cell=9)
    rewrite = (lambda: rows.update(location=other)) if change == "update" else rows.delete
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        rewrite()


def test_a_full_cell_refuses_another_box(archivist):
    first, second = _boxes(2)
    cell = make_location(capacity=1)
    shelve_box(box=first, location=cell, user=archivist)
    with pytest.raises(StorageError, match="已满"):
        shelve_box(box=second, location=cell, user=archivist)


def test_a_box_out_of_shelf_order_is_pointed_out(archivist):
    one, two, three = _boxes(3)
    cell = make_location()
    assert shelve_box(box=one, location=cell, user=archivist).out_of_order_after is None
    assert shelve_box(box=three, location=cell, user=archivist).out_of_order_after == one
    assert shelve_box(box=two, location=cell, user=archivist).out_of_order_after == three


def test_a_range_moves_into_consecutive_cells_by_capacity(archivist):
    boxes = _boxes(5)
    start = make_location(level=1, cell=1, capacity=2)
    after = make_location(level=1, cell=2, capacity=2)
    last = make_location(level=2, cell=1, capacity=2)
    make_location(room=1, capacity=2)  # before the start in shelf order: never used
    placed = move_boxes(
        boxes=box_range(first=boxes[0], last=boxes[4], boxes=Box.objects.all()), start=start, user=archivist
    )
    assert [(p.box.number, p.location) for p in placed] == [
        (1, start), (2, start), (3, after), (4, after), (5, last)
    ]  # fmt: skip
    assert {p.how for p in placed} == {BoxPlacement.How.RANGE}


def test_a_range_runs_out_of_cells(archivist):
    boxes = _boxes(3)
    start = make_location(capacity=2)
    with pytest.raises(StorageError):
        move_boxes(boxes=boxes, start=start, user=archivist)
    assert not BoxPlacement.objects.exists()


def test_a_range_between_boxes_of_different_years_is_refused():
    first, other = make_box(year=2008), make_box(year=2009)
    with pytest.raises(StorageError):
        box_range(first=first, last=other, boxes=Box.objects.all())


def test_a_range_given_backwards_is_the_same_range():
    boxes = _boxes(3)
    assert box_range(first=boxes[2], last=boxes[0], boxes=Box.objects.all()) == boxes
