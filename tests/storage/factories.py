"""Boxes and shelf cells for tests; boxes come from `storage.services.box_volume`, as in the office."""

from archive_office.models import User
from records.models import Volume
from storage.models import Box, Location
from storage.services import box_volume
from tests.digitization.factories import make_assembled_items


def make_volume(*, count: int = 2, **item_fields: object) -> Volume:
    """A new volume of `count` items; each call makes the group's next volume."""
    items = make_assembled_items(count=count, **item_fields)
    return items[0].placements.get().volume


def make_box(*, volume: Volume | None = None, user: User | None = None, **item_fields: object) -> Box:
    volume = volume or make_volume(**item_fields)
    items = [p.item for p in volume.placements.select_related("item").order_by("first_page")]
    return box_volume(
        volume=volume,
        first_item=str(items[0].item_number),
        last_item=str(items[-1].item_number),
        user=user,  # type: ignore[arg-type]
    )


def make_location(
    *,
    room: int = 2,
    area: int = 1,
    rack: int = 4,
    face: str = "R",
    level: int = 2,
    cell: int = 2,
    **fields: object,
) -> Location:
    return Location.objects.create(
        room=room, area=area, rack=rack, face=face, level=level, cell=cell, **fields
    )
