"""Storage workflows: boxing a volume, shelving and moving boxes, lending and returning, logging lookups."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from archive_office import audit
from archive_office.models import AuditEvent, User
from records import codes
from records.models import Item, Volume

from .models import Box, BoxItem, BoxPlacement, Loan, Location, LookupRequest, RemarksSheet


class StorageError(Exception):
    """A storage action refused for a reason the user can act on (the message says which)."""


# --- Boxing (装盒) ---------------------------------------------------------------------------------------


def _matches(typed: str, item: Item) -> bool:
    """Whether what the boxer read off the paper (an item number or an archival code) is this item."""
    text = codes.normalize_code(typed)
    if text.isascii() and text.isdigit():
        return item.item_number == int(text)
    return codes.code_from_barcode(text) == item.archival_code


def _item_number(item: Item) -> str:
    return f"{item.item_number:04d}" if item.item_number is not None else item.archival_code


@transaction.atomic
def box_volume(*, volume: Volume, first_item: str, last_item: str, user: User | None, notes: str = "") -> Box:
    """Register a volume as boxed, after checking the box's first and last item against it (DOMAIN §1 step 9).

    The box takes the volume's number, so box numbers follow the volumes' shelf order.
    """
    volume = (
        Volume.objects.select_for_update(of=("self",))
        .select_related("fonds", "retention", "business_category")
        .get(pk=volume.pk)
    )
    if Box.objects.filter(volume=volume).exists():
        raise StorageError(_("Volume %(volume)s is already boxed.") % {"volume": volume})
    items = [p.item for p in volume.placements.select_related("item").order_by("first_page")]
    if not items:
        raise StorageError(_("Volume %(volume)s holds no item to box.") % {"volume": volume})
    group = {
        "fonds": volume.fonds_id,
        "category_code": volume.category_code,
        "year": volume.year,
        "retention": volume.retention_id,
        "business_category": volume.business_category_id,
    }
    for item in items:
        if item.group_key() != group:
            raise StorageError(
                _("%(code)s is not of volume %(volume)s's year, retention and class: a box never mixes them.")
                % {"code": item.archival_code, "volume": volume}
            )
    numbers = [item.item_number for item in items if item.item_number is not None]
    if numbers != sorted(numbers):
        raise StorageError(
            _("The items of volume %(volume)s are not in ascending item number; put them in order first.")
            % {"volume": volume}
        )
    first, last = items[0], items[-1]
    if not (_matches(first_item, first) and _matches(last_item, last)):
        raise StorageError(
            _("The box holds %(first)s to %(last)s; volume %(volume)s holds %(want_first)s to %(want_last)s.")
            % {
                "first": first_item,
                "last": last_item,
                "volume": volume,
                "want_first": _item_number(first),
                "want_last": _item_number(last),
            }
        )
    box = Box.objects.create(
        volume=volume,
        fonds=volume.fonds,
        category_code=volume.category_code,
        year=volume.year,
        retention=volume.retention,
        business_category=volume.business_category,
        number=volume.number,
        code=codes.box_code(
            fonds=volume.fonds.code,
            category=volume.category_code,
            year=volume.year,
            retention=volume.retention.code,
            klass=volume.business_category.code,
            number=volume.number,
        ),
        first_item_number=first.item_number,
        last_item_number=last.item_number,
        first_archival_code=first.archival_code,
        last_archival_code=last.archival_code,
        item_count=len({item.pk for item in items}),
        boxed_by=user,
    )
    unique = list(dict.fromkeys(items))
    BoxItem.objects.bulk_create(
        BoxItem.of(box=box, item=item, position=position) for position, item in enumerate(unique, start=1)
    )
    RemarksSheet.objects.create(
        box=box, notes=notes, arranged_by=str(user) if user else "", arranged_on=timezone.localdate()
    )
    audit.record(action=AuditEvent.Action.CREATE, actor=user, target=box, volume=volume.label)
    return box


# --- Shelving (上架) -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shelving:
    placement: BoxPlacement
    moved: bool  # False when the box was already in that cell
    previous: Location | None
    out_of_order_after: (
        Box | None
    )  # the box shelved just before in this cell, when this one does not follow it


def _boxes_in(location: Location) -> QuerySet[Box]:
    return Box.objects.with_location().filter(current_location_id=location.pk)


def _check_room(location: Location, *, adding: int = 1, leaving: Sequence[int] = ()) -> None:
    if location.capacity is None:
        return
    present = _boxes_in(location).exclude(pk__in=leaving).count()
    if present + adding > location.capacity:
        raise StorageError(
            _("Cell %(cell)s is full: it takes %(capacity)d boxes.")
            % {"cell": location, "capacity": location.capacity}
        )


def _out_of_order_after(box: Box, location: Location) -> Box | None:
    # Box numbers follow shelf order: in a cell, box N of a group comes right after box N-1.
    last = (
        BoxPlacement.objects.filter(location=location)
        .exclude(box=box)
        .select_related("box")
        .order_by("-placed_at", "-id")
        .first()
    )
    if last is None or last.box.group_key() != box.group_key() or last.box.number == box.number - 1:
        return None
    return last.box


@transaction.atomic
def shelve_box(*, box: Box, location: Location, user: User, how: str = BoxPlacement.How.SCAN) -> Shelving:
    box = Box.objects.select_for_update().get(pk=box.pk)  # one placement of a box at a time
    current = box.history.select_related("location").first()
    if current is not None and current.location_id == location.pk:
        return Shelving(placement=current, moved=False, previous=current.location, out_of_order_after=None)
    _check_room(location)
    after = _out_of_order_after(box, location)
    placement = BoxPlacement.objects.create(box=box, location=location, placed_by=user, how=how)
    return Shelving(
        placement=placement,
        moved=True,
        previous=current.location if current else None,
        out_of_order_after=after,
    )


def box_range(*, first: Box, last: Box, boxes: QuerySet[Box]) -> list[Box]:
    """Boxes `first` to `last` of one group, in shelf order, among those given."""
    if first.group_key() != last.group_key():
        raise StorageError(_("The first and last box must be of one year, retention and class."))
    low, high = sorted((first.number, last.number))
    return list(boxes.filter(**first.group_key(), number__range=(low, high)).in_shelf_order())


@transaction.atomic
def move_boxes(*, boxes: Sequence[Box], start: Location, user: User) -> list[BoxPlacement]:
    """Move boxes, in shelf order, into `start` and then the cells after it, filling each to its capacity."""
    if not boxes:
        raise StorageError(_("No box in that range."))
    moving = [box.pk for box in boxes]
    locked = list(Box.objects.select_for_update(of=("self",)).filter(pk__in=moving).in_shelf_order())
    cells = iter([start, *start.following()])
    cell, room = _next_cell(cells, moving)
    placements = []
    for box in locked:
        while room == 0:
            cell, room = _next_cell(cells, moving)
        current = box.history.first()
        if current is None or current.location_id != cell.pk:
            placements.append(
                BoxPlacement(box=box, location=cell, placed_by=user, how=BoxPlacement.How.RANGE)
            )
        room -= 1
    return BoxPlacement.objects.bulk_create(placements)


def _next_cell(cells: object, moving: Sequence[int]) -> tuple[Location, int]:
    for cell in cells:  # type: ignore[attr-defined]
        if cell.capacity is None:
            return cell, -1  # room never reaches 0: every remaining box fits
        room = cell.capacity - _boxes_in(cell).exclude(pk__in=moving).count()
        if room > 0:
            return cell, room
    raise StorageError(_("Not enough room in the cells from the starting cell on."))


# --- What a scanner typed --------------------------------------------------------------------------------


def identify(payload: str, *, boxes: QuerySet[Box], items: QuerySet[Item]) -> Box | Item | Location:
    """The box, item or shelf cell a scanned code names, among those the user may see."""
    try:
        scanned = codes.read_scanned_code(payload)
    except codes.CodeError as error:
        raise StorageError(str(error)) from None
    found: Box | Item | Location | None
    if scanned.kind == "location":
        room, area, rack, face, level, cell = scanned.location  # type: ignore[misc]
        found = Location.objects.filter(
            room=room, area=area, rack=rack, face=face, level=level, cell=cell
        ).first()
    elif scanned.kind == "box":
        found = boxes.filter(code=scanned.code).first()
    else:
        found = items.filter(archival_code=scanned.code).first()
    if found is None:
        raise StorageError(_("Nothing known by the code “%(code)s”.") % {"code": payload.strip()})
    return found


# --- Loans (借阅) ----------------------------------------------------------------------------------------


def _describe(target: Box | Item) -> str:
    return target.code if isinstance(target, Box) else target.archival_code


@transaction.atomic
def lend(
    *,
    target: Box | Item,
    borrower: User | None,
    department: str = "",
    purpose: str,
    due_on: datetime.date,
    user: User,
    request: HttpRequest | None = None,
) -> Loan:
    type(target).objects.select_for_update().get(pk=target.pk)  # type: ignore[attr-defined]
    department = department.strip()
    if borrower is None and not department:
        raise StorageError(_("Choose the borrower: a staff member or a business department."))
    if due_on < timezone.localdate():
        raise StorageError(_("The due date has already passed."))
    current = Loan.objects.open().of(target).select_related("borrower").first()
    if current is not None:
        raise StorageError(
            _("%(code)s is already on loan to %(borrower)s.")
            % {"code": _describe(target), "borrower": current.borrower_name}
        )
    if isinstance(target, Item):
        out = Loan.objects.open().filter(box__contents__item=target).select_related("box", "borrower").first()
        if out is not None:
            raise StorageError(
                _("%(code)s is in box %(box)s, which is on loan to %(borrower)s.")
                % {"code": target.archival_code, "box": out.box, "borrower": out.borrower_name}
            )
    loan = Loan.objects.create(
        box=target if isinstance(target, Box) else None,
        item=target if isinstance(target, Item) else None,
        borrower=borrower,
        borrower_department=department,
        purpose=purpose.strip(),
        due_on=due_on,
        lent_by=user,
    )
    audit.record(
        action=AuditEvent.Action.CREATE,
        actor=user,
        target=loan,
        request=request,
        event="lend",
        code=_describe(target),
        borrower=loan.borrower_name,
        purpose=loan.purpose,
        due_on=due_on.isoformat(),
    )
    return loan


@transaction.atomic
def return_loan(*, target: Box | Item, user: User, request: HttpRequest | None = None) -> Loan:
    loan = Loan.objects.open().of(target).select_for_update(of=("self",)).select_related("borrower").first()
    if loan is None:
        raise StorageError(_("%(code)s is not on loan.") % {"code": _describe(target)})
    loan.returned_at = timezone.now()
    loan.returned_by = user
    loan.save(update_fields=["returned_at", "returned_by"])
    audit.record(
        action=AuditEvent.Action.UPDATE,
        actor=user,
        target=loan,
        request=request,
        event="return",
        code=_describe(target),
        borrower=loan.borrower_name,
        overdue=loan.due_on < timezone.localdate(),
    )
    return loan


# --- Lookups (查阅登记) ----------------------------------------------------------------------------------


@transaction.atomic
def log_lookup(
    *,
    requested_by: str,
    on_behalf_of: str = "",
    purpose: str,
    query: str,
    user: User,
    request: HttpRequest | None = None,
) -> LookupRequest:
    lookup = LookupRequest.objects.create(
        requested_by=requested_by.strip(),
        on_behalf_of=on_behalf_of.strip(),
        purpose=purpose.strip(),
        query=query.strip(),
        logged_by=user,
    )
    audit.record(
        action=AuditEvent.Action.CREATE,
        actor=user,
        target=lookup,
        request=request,
        event="lookup",
        requested_by=lookup.requested_by,
        on_behalf_of=lookup.on_behalf_of,
        purpose=lookup.purpose,
        query=lookup.query,
    )
    return lookup


@transaction.atomic
def record_found(
    *, lookup: LookupRequest, item: Item, user: User, request: HttpRequest | None = None
) -> LookupRequest:
    """Stop the clock: the file asked for is found. Only the first find counts towards the median."""
    lookup = LookupRequest.objects.select_for_update().get(pk=lookup.pk)
    if lookup.found_at is not None:
        if lookup.item_id == item.pk:
            return lookup
        raise StorageError(_("This lookup has already found %(code)s.") % {"code": lookup.item.archival_code})  # type: ignore[union-attr]
    lookup.item = item
    lookup.found_at = timezone.now()
    lookup.save(update_fields=["item", "found_at"])
    audit.record(
        action=AuditEvent.Action.UPDATE,
        actor=user,
        target=lookup,
        request=request,
        event="found",
        code=item.archival_code,
        seconds=round(lookup.time_to_found.total_seconds()),  # type: ignore[union-attr]
    )
    return lookup
