"""Storage: boxes (盒) and their remarks sheets (备考表), shelf locations, where each box has stood,
loans (借阅) and lookups (查阅登记)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from records import codes
from records.models import BusinessCategory, Fonds, Item, RetentionPeriod, Volume

# The columns that make a group of the catalogue: one year, retention and class (DOMAIN §2).
GROUP_FIELDS = ("fonds", "category_code", "year", "retention", "business_category")
_CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """1..99 as the office writes store rooms and areas: 二库房, 十一区."""
    tens, units = divmod(number, 10)
    if not 1 <= number <= 99:
        return str(number)
    if tens == 0:
        return _CHINESE_DIGITS[units]
    return f"{_CHINESE_DIGITS[tens] if tens > 1 else ''}十{_CHINESE_DIGITS[units] if units else ''}"


def location_name(*, room: int, area: int, rack: int, face: str, level: int, cell: int) -> str:
    # The office's own form, printed on the shelves in Chinese whatever the interface language.
    return f"{chinese_numeral(room)}库房{chinese_numeral(area)}区第{rack}列{face}面第{level}层第{cell}格"


def _is_contractor_only(user: settings.AUTH_USER_MODEL) -> bool:  # type: ignore[valid-type]
    from archive_office.roles import Role

    return not user.has_role(Role.ARCHIVE_STAFF, Role.SUPERVISOR, Role.ADMINISTRATOR) and user.has_role(
        Role.CONTRACTOR
    )


def _sees_everything(user: settings.AUTH_USER_MODEL) -> bool:  # type: ignore[valid-type]
    from archive_office.roles import Role

    return user.has_role(Role.ARCHIVE_STAFF, Role.SUPERVISOR, Role.ADMINISTRATOR)


def _in_contractors_batches(user: settings.AUTH_USER_MODEL, volume: OuterRef) -> Exists:  # type: ignore[valid-type]
    from digitization.models import BatchItem

    return Exists(BatchItem.objects.filter(batch__contractor=user, item__placements__volume=volume))


def volumes_for(user: settings.AUTH_USER_MODEL) -> models.QuerySet[Volume]:  # type: ignore[valid-type]
    """The volumes a user may box: all of them, except that a contractor boxes only its own batches'."""
    if _sees_everything(user):
        return Volume.objects.all()
    if _is_contractor_only(user):
        return Volume.objects.filter(_in_contractors_batches(user, OuterRef("pk")))
    return Volume.objects.none()


class LocationQuerySet(models.QuerySet["Location"]):
    def racks(self) -> list[tuple[int, int, int]]:
        return list(
            self.order_by().values_list("room", "area", "rack").distinct().order_by("room", "area", "rack")
        )

    def of_rack(self, room: int, area: int, rack: int) -> LocationQuerySet:
        return self.filter(room=room, area=area, rack=rack)


class Location(models.Model):
    """A shelf cell: store room – area – rack – face – level – cell, e.g. 二库房一区第4列R面第2层第2格."""

    class Face(models.TextChoices):
        LEFT = "L", _("L face")
        RIGHT = "R", _("R face")

    room = models.PositiveSmallIntegerField(
        _("store room"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    area = models.PositiveSmallIntegerField(
        _("area"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    rack = models.PositiveSmallIntegerField(
        _("rack"), validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    face = models.CharField(_("face"), max_length=1, choices=Face.choices)
    level = models.PositiveSmallIntegerField(
        _("shelf level"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    cell = models.PositiveSmallIntegerField(
        _("cell"), validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity (boxes)"), null=True, blank=True, help_text=_("Empty when the cell takes any number.")
    )

    objects = LocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("shelf location")
        verbose_name_plural = _("shelf locations")
        ordering = ["room", "area", "rack", "face", "level", "cell"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "area", "rack", "face", "level", "cell"], name="location_unique_cell"
            ),
            models.CheckConstraint(
                condition=Q(room__gte=1, area__gte=1, rack__gte=1, level__gte=1, cell__gte=1),
                name="location_parts_from_one",
            ),
            models.CheckConstraint(condition=Q(face__in=["L", "R"]), name="location_face_l_or_r"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("storage:location_detail", args=[self.pk])

    @property
    def parts(self) -> dict[str, int | str]:
        return {
            "room": self.room,
            "area": self.area,
            "rack": self.rack,
            "face": self.face,
            "level": self.level,
            "cell": self.cell,
        }

    @property
    def name(self) -> str:
        return location_name(**self.parts)  # type: ignore[arg-type]

    @property
    def rack_name(self) -> str:
        return f"{chinese_numeral(self.room)}库房{chinese_numeral(self.area)}区第{self.rack}列"

    @property
    def barcode_payload(self) -> str:
        return codes.location_barcode_payload(**self.parts)  # type: ignore[arg-type]

    def following(self) -> LocationQuerySet:
        """The cells after this one in shelf order: the rest of its level, then the next levels and racks."""
        keys = list(self.parts.items())
        after = Q(pk__in=[])
        for index, (field, value) in enumerate(keys):
            after |= Q(**dict(keys[:index]), **{f"{field}__gt": value})
        return Location.objects.filter(after)


class BoxQuerySet(models.QuerySet["Box"]):
    def for_user(self, user: settings.AUTH_USER_MODEL) -> BoxQuerySet:  # type: ignore[valid-type]
        """Every box for archive staff, supervisors and administrators; a contractor's own batches' boxes."""
        if _sees_everything(user):
            return self
        if _is_contractor_only(user):
            return self.filter(_in_contractors_batches(user, OuterRef("volume")))
        return self.none()

    def with_location(self) -> BoxQuerySet:
        """Annotate `current_location_id`: the cell of the box's latest placement, None if never shelved."""
        latest = BoxPlacement.objects.filter(box=OuterRef("pk")).order_by("-placed_at", "-id")
        return self.annotate(current_location_id=Subquery(latest.values("location")[:1]))

    def in_shelf_order(self) -> BoxQuerySet:
        return self.order_by(
            "fonds__code", "category_code", "year", "retention__order", "business_category__order", "number"
        )

    def with_labels(self) -> BoxQuerySet:
        return self.select_related("fonds", "retention", "business_category", "volume")


class Box(models.Model):
    """A box (盒): one box holds one volume, and takes its number so box numbers follow shelf order.

    The group columns are the volume's, copied here so that the database itself refuses box contents of
    another year, retention or class: BoxItem's composite foreign key points at them (migration 0001).
    """

    volume = models.OneToOneField(
        Volume, verbose_name=_("volume"), on_delete=models.PROTECT, related_name="box"
    )
    fonds = models.ForeignKey(Fonds, verbose_name=_("fonds"), on_delete=models.PROTECT, related_name="+")
    category_code = models.CharField(_("category code"), max_length=4)
    year = models.PositiveSmallIntegerField(_("year"))
    retention = models.ForeignKey(
        RetentionPeriod, verbose_name=_("retention"), on_delete=models.PROTECT, related_name="+"
    )
    business_category = models.ForeignKey(
        BusinessCategory, verbose_name=_("business category"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField(_("box number"))
    code = models.CharField(_("box code"), max_length=60, unique=True)
    first_item_number = models.PositiveIntegerField(_("first item number"), null=True, blank=True)
    last_item_number = models.PositiveIntegerField(_("last item number"), null=True, blank=True)
    first_archival_code = models.CharField(_("first archival code"), max_length=60)
    last_archival_code = models.CharField(_("last archival code"), max_length=60)
    item_count = models.PositiveIntegerField(_("items"))
    boxed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("boxed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    boxed_at = models.DateTimeField(_("boxed"), auto_now_add=True)

    objects = BoxQuerySet.as_manager()

    class Meta:
        verbose_name = _("box")
        verbose_name_plural = _("boxes")
        ordering = ["fonds", "category_code", "year", "retention", "business_category", "number"]
        constraints = [
            models.UniqueConstraint(fields=[*GROUP_FIELDS, "number"], name="box_unique_number_in_group"),
            # The target of BoxItem's composite foreign key: a box's id together with its group.
            models.UniqueConstraint(fields=["id", *GROUP_FIELDS], name="box_id_with_group"),
            models.CheckConstraint(
                condition=Q(first_item_number__lte=models.F("last_item_number"))
                | Q(first_item_number__isnull=True)
                | Q(last_item_number__isnull=True),
                name="box_item_numbers_ascending",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("storage:box_detail", args=[self.pk])

    @property
    def barcode_payload(self) -> str:
        return codes.box_barcode_payload(self.code)

    @property
    def item_numbers(self) -> str:
        """起止件号 as printed on the spine: 0001–0012 (legacy items without numbers show their codes)."""
        if self.first_item_number is not None and self.last_item_number is not None:
            return f"{self.first_item_number:04d}–{self.last_item_number:04d}"
        return f"{self.first_archival_code} – {self.last_archival_code}"

    @property
    def current_location(self) -> Location | None:
        if not hasattr(self, "_current_location"):
            if hasattr(self, "current_location_id"):
                location_id = self.current_location_id
            else:
                location_id = self.history.values_list("location", flat=True).first()
            self._current_location = Location.objects.filter(pk=location_id).first() if location_id else None
        return self._current_location

    @staticmethod
    def attach_locations(boxes: Iterable[Box]) -> list[Box]:
        """Give boxes fetched `with_location()` their Location objects in one more query."""
        boxes = list(boxes)
        found = Location.objects.in_bulk({box.current_location_id for box in boxes} - {None})
        for box in boxes:
            box._current_location = found.get(box.current_location_id)
        return boxes

    def group_key(self) -> dict[str, object]:
        return {
            "fonds": self.fonds_id,
            "category_code": self.category_code,
            "year": self.year,
            "retention": self.retention_id,
            "business_category": self.business_category_id,
        }


class BoxItem(models.Model):
    """An item inside a box, in ascending item number; an item split over volumes sits in several boxes.

    The group columns repeat the item's. A composite foreign key (box, group) → Box(id, group), added in
    migration 0001, makes the database refuse an item of another year, retention or class in a box.
    """

    box = models.ForeignKey(Box, verbose_name=_("box"), on_delete=models.CASCADE, related_name="contents")
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="box_entries"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT, related_name="+")
    category_code = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    retention = models.ForeignKey(RetentionPeriod, on_delete=models.PROTECT, related_name="+")
    business_category = models.ForeignKey(BusinessCategory, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("box content")
        verbose_name_plural = _("box contents")
        ordering = ["box", "position"]
        constraints = [
            models.UniqueConstraint(fields=["box", "item"], name="box_item_once_per_box"),
            models.UniqueConstraint(fields=["box", "position"], name="box_item_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.box} {self.item.archival_code}"

    @classmethod
    def of(cls, *, box: Box, item: Item, position: int) -> BoxItem:
        return cls(box=box, item=item, position=position, **{f: getattr(item, f) for f in GROUP_FIELDS})

    def clean(self) -> None:
        if self.item.group_key() != self.box.group_key() or self.group_key() != self.box.group_key():
            raise ValidationError(
                _("%(code)s is of another year, retention or class than box %(box)s: a box never mixes them.")
                % {"code": self.item.archival_code, "box": self.box}
            )

    def group_key(self) -> dict[str, object]:
        return {
            "fonds": self.fonds_id,
            "category_code": self.category_code,
            "year": self.year,
            "retention": self.retention_id,
            "business_category": self.business_category_id,
        }


class RemarksSheet(models.Model):
    """The remarks sheet (备考表) at the end of each box, with its five fields."""

    box = models.OneToOneField(Box, verbose_name=_("box"), on_delete=models.CASCADE, related_name="remarks")
    notes = models.TextField(
        _("notes on the files"),
        blank=True,
        help_text=_("Missing, damaged, corrected, added or removed files in this box."),
    )
    arranged_by = models.CharField(_("arranged by"), max_length=50, blank=True)
    arranged_on = models.DateField(_("arranged on"), null=True, blank=True)
    checked_by = models.CharField(_("checked by"), max_length=50, blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("remarks sheet")
        verbose_name_plural = _("remarks sheets")

    def __str__(self) -> str:
        return str(self.box)


class BoxPlacement(models.Model):
    """A box put on a shelf cell. Append-only (a trigger refuses UPDATE and DELETE): the latest row is where
    the box is, the earlier ones where it was."""

    class How(models.TextChoices):
        SCAN = "scan", _("By scanning")
        RANGE = "range", _("Moved by range")

    box = models.ForeignKey(Box, verbose_name=_("box"), on_delete=models.PROTECT, related_name="history")
    location = models.ForeignKey(
        Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="box_history"
    )
    how = models.CharField(_("how"), max_length=10, choices=How.choices, default=How.SCAN)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)

    class Meta:
        verbose_name = _("box placement")
        verbose_name_plural = _("box placements")
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["box", "-placed_at", "-id"], name="box_placement_latest_idx"),
            models.Index(fields=["location", "-placed_at"], name="box_placement_location_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.box} → {self.location}"


class LoanQuerySet(models.QuerySet["Loan"]):
    def open(self) -> LoanQuerySet:
        return self.filter(returned_at__isnull=True)

    def overdue(self, today: datetime.date | None = None) -> LoanQuerySet:
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def of(self, target: Box | Item) -> LoanQuerySet:
        return self.filter(box=target) if isinstance(target, Box) else self.filter(item=target)

    def by_item(self, item_ids: Iterable[int]) -> dict[int, dict[str, object]]:
        """The open loans that take each of these items out, itself or in its box, in one query."""
        ids = list(item_ids)
        rows = (
            self.open()
            .filter(Q(item_id__in=ids) | Q(box__contents__item_id__in=ids))
            .values(
                "item_id",
                "box__contents__item_id",
                "box__code",
                "due_on",
                "borrower__full_name",
                "borrower__username",
                "borrower_department",
            )
        )
        found: dict[int, dict[str, object]] = {}
        for row in rows:
            item_id = row["item_id"] or row["box__contents__item_id"]
            borrower = row["borrower__full_name"] or row["borrower__username"] or ""
            found[item_id] = {
                "borrower": " · ".join(n for n in (borrower, row["borrower_department"]) if n),
                "due_on": row["due_on"],
                "box_code": row["box__code"] or "",
                "overdue": row["due_on"] < timezone.localdate(),
            }
        return found


class Loan(models.Model):
    """A box or an item lent out (借阅) to a staff member or a business department, until it is returned."""

    box = models.ForeignKey(
        Box, verbose_name=_("box"), null=True, blank=True, on_delete=models.PROTECT, related_name="loans"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("item"), null=True, blank=True, on_delete=models.PROTECT, related_name="loans"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("borrower"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    borrower_department = models.CharField(_("borrowing department"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    due_on = models.DateField(_("due"))
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lent by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lent_at = models.DateTimeField(_("lent"), default=timezone.now)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("returned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-lent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(box__isnull=False, item__isnull=True) | Q(box__isnull=True, item__isnull=False),
                name="loan_box_or_item",
            ),
            models.CheckConstraint(
                condition=Q(borrower__isnull=False) | ~Q(borrower_department=""), name="loan_has_borrower"
            ),
            models.UniqueConstraint(
                fields=["box"], condition=Q(returned_at__isnull=True), name="loan_one_open_per_box"
            ),
            models.UniqueConstraint(
                fields=["item"], condition=Q(returned_at__isnull=True), name="loan_one_open_per_item"
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(returned_at__isnull=True), name="loan_open_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.target_code} → {self.borrower_name}"

    @property
    def target(self) -> Box | Item:
        return self.box if self.box_id else self.item  # type: ignore[return-value]

    @property
    def target_code(self) -> str:
        return self.box.code if self.box_id else self.item.archival_code  # type: ignore[union-attr]

    @property
    def borrower_name(self) -> str:
        return " · ".join(str(n) for n in (self.borrower, self.borrower_department) if n)

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def returned_late(self) -> bool:
        return self.returned_at is not None and self.due_on < timezone.localdate(self.returned_at)


class Median(models.Aggregate):
    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


class LookupQuerySet(models.QuerySet["LookupRequest"]):
    def found(self) -> LookupQuerySet:
        return self.filter(found_at__isnull=False)

    def median_time_to_found(self) -> datetime.timedelta | None:
        waited = models.ExpressionWrapper(
            models.F("found_at") - models.F("received_at"), output_field=models.DurationField()
        )
        return self.found().aggregate(median=Median(waited, output_field=models.DurationField()))["median"]


class LookupRequest(models.Model):
    """A lookup (查阅登记): who asked, for whom and why, and how long it took to find the file."""

    requested_by = models.CharField(_("asked by"), max_length=50)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    query = models.CharField(
        _("looking for"), max_length=200, help_text=_("Citizen ID, name, employer or archival code.")
    )
    item = models.ForeignKey(
        Item,
        verbose_name=_("item found"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lookups",
    )
    received_at = models.DateTimeField(_("requested at"), default=timezone.now)
    found_at = models.DateTimeField(_("found at"), null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LookupQuerySet.as_manager()

    class Meta:
        verbose_name = _("lookup")
        verbose_name_plural = _("lookups")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(found_at__isnull=True, item__isnull=True)
                | Q(found_at__isnull=False, item__isnull=False, found_at__gte=models.F("received_at")),
                name="lookup_found_with_item_after_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.requested_by}: {self.query}"

    def get_absolute_url(self) -> str:
        return reverse("storage:lookup_detail", args=[self.pk])

    @property
    def time_to_found(self) -> datetime.timedelta | None:
        return self.found_at - self.received_at if self.found_at else None
