"""Boxing: one volume per box, numbered as the volume, checked against the paper, never mixing groups."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from archive_office.models import AuditEvent
from records.models import Placement
from storage.models import Box, BoxItem
from storage.services import StorageError, box_volume
from tests.records.factories import make_item

from .factories import make_box, make_volume

pytestmark = pytest.mark.django_db


def test_a_box_takes_its_volumes_group_number_and_items(archivist):
    volume = make_volume(count=3)
    box = box_volume(volume=volume, first_item="1", last_item="0003", user=archivist, notes="第2件缺第1页")
    assert (box.code, box.number, box.year) == ("Z001-ZY·2008-Y-GL-B001", volume.number, 2008)
    assert (box.first_item_number, box.last_item_number, box.item_count) == (1, 3, 3)
    assert [e.item.item_number for e in box.contents.order_by("position")] == [1, 2, 3]
    assert box.remarks.notes == "第2件缺第1页"
    assert box.remarks.arranged_by == str(archivist)
    assert AuditEvent.objects.for_object(box).filter(action=AuditEvent.Action.CREATE).exists()


def test_box_numbers_follow_the_volumes_shelf_order():
    first, second = make_volume(), make_volume()
    later = make_box(volume=second)
    earlier = make_box(volume=first)
    assert (earlier.number, later.number) == (1, 2)
    assert list(Box.objects.in_shelf_order()) == [earlier, later]


def test_a_volume_is_boxed_only_once(archivist):
    box = make_box()
    with pytest.raises(StorageError, match="已装盒"):
        make_box(volume=box.volume)
    assert Box.objects.count() == 1


def test_the_first_and_last_item_must_match_the_volume(archivist):
    volume = make_volume(count=3)
    with pytest.raises(StorageError):
        box_volume(volume=volume, first_item="1", last_item="2", user=archivist)
    assert not Box.objects.exists()


def test_an_archival_code_read_off_the_paper_is_checked_too(archivist):
    volume = make_volume(count=2)
    first, last = (p.item for p in volume.placements.order_by("first_page"))
    typed_first = first.archival_code.replace("·", ".")  # as a barcode scanner types it
    box = box_volume(volume=volume, first_item=typed_first, last_item=last.archival_code, user=archivist)
    assert box.first_archival_code == first.archival_code


def test_putting_a_different_year_into_a_volume_stops_its_boxing(archivist):
    volume = make_volume(count=2)
    stray = make_item(year=2009)
    Placement.objects.create(item=stray, volume=volume, first_page=100, last_page=102)
    with pytest.raises(StorageError, match="不得混装"):
        box_volume(volume=volume, first_item="1", last_item=str(stray.item_number), user=archivist)
    assert not Box.objects.exists()


def test_the_database_refuses_an_item_of_a_different_year_in_a_box():
    box = make_box(year=2008)
    stray = make_item(year=2009)
    with pytest.raises(IntegrityError, match="storage_boxitem_same_group_as_box"), transaction.atomic():
        BoxItem.of(box=box, item=stray, position=99).save()


def test_the_model_refuses_an_item_of_another_year_copied_under_the_boxs_year():
    box = make_box(year=2008)
    stray = make_item(year=2009)
    boxs_group = {f"{field}_id" if field in {"fonds", "retention", "business_category"} else field: value
                  for field, value in box.group_key().items()}  # fmt: skip
    forged = BoxItem(box=box, item=stray, position=99, **boxs_group)
    with pytest.raises(ValidationError, match="不得混装"):
        forged.full_clean()


def test_items_out_of_ascending_item_number_are_refused(archivist):
    volume = make_volume(count=2)
    first, second = volume.placements.order_by("first_page")
    # Swap the pages: item 2 now comes first in the volume.
    Placement.objects.filter(pk=first.pk).update(first_page=50, last_page=51)
    Placement.objects.filter(pk=second.pk).update(first_page=1, last_page=2)
    with pytest.raises(StorageError, match="升序"):
        box_volume(volume=volume, first_item="2", last_item="1", user=archivist)


def test_an_empty_volume_is_not_boxed(archivist):
    volume = make_volume()
    volume.placements.all().delete()
    with pytest.raises(StorageError):
        box_volume(volume=volume, first_item="1", last_item="2", user=archivist)
