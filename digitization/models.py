"""The contractor's work: batches of catalogued items, their page numbering, scans and linked images."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from records.models import BusinessCategory, Item, Placement, RetentionPeriod

from .reasons import explain


class ImagingSettings(models.Model):
    """The office's settings for archive images: one row, edited in the admin."""

    jpeg_quality = models.PositiveSmallIntegerField(
        _("JPEG quality"),
        default=85,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
        help_text=_("Quality of JPEG derivatives, 50 to 100. Higher keeps finer detail in larger files."),
    )
    margin_mm = models.FloatField(
        _("margin outside the paper (mm)"),
        default=2.5,
        validators=[MinValueValidator(2.0), MaxValueValidator(3.0)],
        help_text=_("How much of the scanner background is kept around the paper edge, 2 to 3 mm."),
    )
    same_size_mm = models.FloatField(
        _("same paper size within (mm)"),
        default=6.0,
        validators=[MinValueValidator(1.0), MaxValueValidator(20.0)],
        help_text=_(
            "Pages of one item whose crops differ by no more than this are delivered at one size, "
            "padded with their paper colour."
        ),
    )

    class Meta:
        verbose_name = _("imaging settings")
        verbose_name_plural = _("imaging settings")

    def __str__(self) -> str:
        return str(_("Imaging settings"))

    @classmethod
    def current(cls) -> ImagingSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class ScopeRule(models.Model):
    """Whether the contract covers files of a business category and retention (an office setting).

    Out-of-scope items are flagged when a batch is registered and never counted for payment.
    """

    business_category = models.ForeignKey(
        BusinessCategory, verbose_name=_("business category"), on_delete=models.CASCADE
    )
    retention = models.ForeignKey(RetentionPeriod, verbose_name=_("retention"), on_delete=models.CASCADE)
    in_scope = models.BooleanField(_("in scope"), default=True)

    class Meta:
        verbose_name = _("scope rule")
        verbose_name_plural = _("scope rules")
        constraints = [
            models.UniqueConstraint(
                fields=["business_category", "retention"], name="scope_rule_once_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.business_category} {self.retention}: {self.in_scope}"

    @classmethod
    def in_scope_pairs(cls) -> set[tuple[int, int]]:
        return set(cls.objects.filter(in_scope=True).values_list("business_category_id", "retention_id"))


class BatchQuerySet(models.QuerySet["Batch"]):
    def for_user(self, user: settings.AUTH_USER_MODEL) -> BatchQuerySet:  # type: ignore[valid-type]
        """A contractor sees only its own batches; archive staff, supervisors and administrators all."""
        from archive_office.roles import Role

        if user.has_role(Role.ARCHIVE_STAFF, Role.SUPERVISOR, Role.ADMINISTRATOR):
            return self
        if user.has_role(Role.CONTRACTOR):
            return self.filter(contractor=user)
        return self.none()

    def with_ledger(self) -> BatchQuerySet:
        return self.annotate(
            items_total=Count("batch_items", distinct=True),
            pages_planned=models.Subquery(
                BatchItem.objects.filter(batch=models.OuterRef("pk"), in_scope=True)
                .values("batch")
                .annotate(total=models.Sum("item__page_count"))
                .values("total")[:1]
            ),
            pages_scanned=Count("pages", distinct=True),
            pages_linked=Count("pages", filter=Q(pages__item__isnull=False), distinct=True),
        )


class Batch(models.Model):
    """A batch of items the contractor received from the archive room, moved step by step to boxing."""

    class Step(models.TextChoices):
        ARRANGING = "arranging", _("Arranging")
        NUMBERING = "numbering", _("Numbering pages")
        SCANNING = "scanning", _("Scanning")
        PROCESSING = "processing", _("Processing images")
        LINKING = "linking", _("Linking")
        SUBMITTED = "submitted", _("Submitted for inspection")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for rework")
        BOXED = "boxed", _("Boxed")

    class ScanFormat(models.TextChoices):
        JPEG = "jpeg", "JPEG"
        TIFF = "tiff", "TIFF"

    # The contractor's own path through the steps; inspection moves it on from SUBMITTED.
    CONTRACTOR_FLOW = [
        Step.ARRANGING,
        Step.NUMBERING,
        Step.SCANNING,
        Step.PROCESSING,
        Step.LINKING,
        Step.SUBMITTED,
    ]

    code = models.CharField(_("batch code"), max_length=30, unique=True)
    contractor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contractor"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices, default=Step.ARRANGING)
    scan_format = models.CharField(
        _("scan format"), max_length=10, choices=ScanFormat.choices, default="jpeg"
    )
    received_on = models.DateField(_("received from the archive room"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["contractor", "-created_at"], name="batch_contractor_idx")]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("digitization:batch_detail", args=[self.pk])

    @property
    def next_step(self) -> str | None:
        flow = self.CONTRACTOR_FLOW
        if self.step == self.Step.RETURNED:
            return self.Step.SUBMITTED  # rework ends in a new submission
        if self.step in flow[:-1]:
            return flow[flow.index(self.step) + 1]
        return None

    @property
    def editable_by_contractor(self) -> bool:
        return self.step not in {self.Step.SUBMITTED, self.Step.ACCEPTED, self.Step.BOXED}


class BatchEvent(models.Model):
    """Who moved a batch to which step, and when: the batch's history."""

    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="events")
    step = models.CharField(_("step"), max_length=20, choices=Batch.Step.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("batch event")
        verbose_name_plural = _("batch events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.batch} {self.get_step_display()}"


class BatchItem(models.Model):
    """An item handed over in a batch, with its scope and the page-count reconciliation after linking."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="batch_items"
    )
    item = models.OneToOneField(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="batch_item"
    )
    in_scope = models.BooleanField(_("in scope"), default=True)
    # When the three page counts differ, the item may pass only with a reason and a handling note.
    difference_reason = models.TextField(_("reason for the difference"), blank=True)
    difference_handling = models.TextField(_("handling of the difference"), blank=True)

    class Meta:
        verbose_name = _("batch item")
        verbose_name_plural = _("batch items")
        ordering = ["item__archival_code"]

    def __str__(self) -> str:
        return str(self.item)


class Numbering(models.Model):
    """The page numbers the contractor stamped on one item's part in a volume (打码)."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="numberings"
    )
    placement = models.OneToOneField(
        Placement, verbose_name=_("placement"), on_delete=models.CASCADE, related_name="numbering"
    )
    first_page = models.PositiveIntegerField(_("first page number"))
    last_page = models.PositiveIntegerField(_("last page number"))

    class Meta:
        verbose_name = _("page numbering")
        verbose_name_plural = _("page numberings")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_page__gte=1, last_page__gte=models.F("first_page")),
                name="numbering_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.placement.item} {self.first_page}-{self.last_page}"

    @property
    def pages(self) -> int:
        return self.last_page - self.first_page + 1


class PageQuerySet(models.QuerySet["Page"]):
    def for_user(self, user: settings.AUTH_USER_MODEL) -> PageQuerySet:  # type: ignore[valid-type]
        return self.filter(batch__in=Batch.objects.for_user(user))

    def whole(self) -> PageQuerySet:
        """Pages that stand for themselves: not a half stitched into another page."""
        return self.filter(merged_into__isnull=True)

    def doubtful_open(self) -> PageQuerySet:
        return self.filter(doubtful=True, confirmed_at__isnull=True)


class Page(models.Model):
    """One scanned image: the untouched original, its derivative and digitization metadata (DOMAIN §4)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        FLAGGED = "flagged", _("Needs a look")
        FAILED = "failed", _("Processing failed")

    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="pages")
    scan_order = models.PositiveIntegerField(_("scan order"))
    item = models.ForeignKey(
        Item, verbose_name=_("item"), null=True, blank=True, on_delete=models.SET_NULL, related_name="pages"
    )
    sequence = models.PositiveSmallIntegerField(_("image number"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    # The original, stored once under its SHA-256 and never modified.
    original_name = models.CharField(_("file name"), max_length=255)
    original_path = models.CharField(max_length=255, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    file_size = models.PositiveBigIntegerField(_("file size"))
    format = models.CharField(_("format"), max_length=10)
    width = models.PositiveIntegerField(_("width (px)"))
    height = models.PositiveIntegerField(_("height (px)"))
    dpi = models.FloatField(_("resolution (dpi)"), null=True)
    dpi_source = models.CharField(max_length=10, blank=True)
    colour_mode = models.CharField(_("colour mode"), max_length=10)
    scanner = models.CharField(_("scanner"), max_length=100, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scanned_at = models.DateTimeField(_("received"), auto_now_add=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # The derivative and what processing did; manual overrides re-run the pipeline with a person's choices.
    derivative_path = models.CharField(max_length=255, blank=True, editable=False)
    thumbnail_path = models.CharField(max_length=255, blank=True, editable=False)
    derivative_sha256 = models.CharField(max_length=64, blank=True)
    skew_deg = models.FloatField(_("skew found (°)"), null=True, blank=True)
    rotation_deg = models.SmallIntegerField(_("rotation (°)"), default=0)
    crop_quad = models.JSONField(_("crop"), default=list, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    processing_note = models.CharField(_("processing note"), max_length=300, blank=True)
    software_version = models.CharField(_("software"), max_length=200, blank=True)
    jpeg_quality = models.PositiveSmallIntegerField(_("JPEG quality"), null=True, blank=True)
    overrides = models.JSONField(_("manual overrides"), default=dict, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    # The second half of an oversized page, joined onto the first: it is no page of its own any more.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("stitched into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="halves",
    )
    # A page the contractor is unsure of waits for archive staff to confirm it.
    doubtful = models.BooleanField(_("doubtful"), default=False)
    doubtful_note = models.TextField(_("doubt"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmation_note = models.TextField(_("confirmation"), blank=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        verbose_name = _("page image")
        verbose_name_plural = _("page images")
        ordering = ["batch", "scan_order"]
        permissions = [("confirm_page", _("Can confirm doubtful pages"))]
        constraints = [
            models.UniqueConstraint(fields=["item", "sequence"], name="page_unique_sequence_in_item"),
            models.UniqueConstraint(fields=["batch", "scan_order"], name="page_unique_scan_order"),
        ]
        indexes = [
            models.Index(fields=["batch", "status"], name="page_batch_status_idx"),
            models.Index(fields=["item", "sequence"], name="page_item_sequence_idx"),
            models.Index(fields=["doubtful", "confirmed_at"], name="page_doubtful_idx"),
            # The supervisors' dashboard counts pages per day and operator (qc.dashboard).
            models.Index(fields=["scanned_at", "operator"], name="page_scanned_operator_idx"),
            models.Index(fields=["processed_at"], name="page_processed_at_idx"),
        ]

    def __str__(self) -> str:
        return self.image_name or self.original_name

    def get_absolute_url(self) -> str:
        return reverse("digitization:page_detail", args=[self.pk])

    @property
    def image_name(self) -> str:
        """The archive name `档号-NNNN.jpg` once linked."""
        from records.codes import image_filename

        if self.item_id is None or self.sequence is None:
            return ""
        return image_filename(self.item.archival_code, self.sequence)

    @property
    def display_path(self) -> str:
        return self.derivative_path or self.original_path

    @property
    def colour_mode_label(self) -> str:
        labels = {"colour": _("colour"), "grey": _("grey"), "bitonal": _("bitonal")}
        return str(labels.get(self.colour_mode, self.colour_mode))

    @property
    def explained_note(self) -> str:
        """The processing note in the reader's language (the pipeline stores it in English)."""
        return explain(self.processing_note)


class Package(models.Model):
    """The ZIP of one item (`档号.zip`), built in the background for the office's archive system."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    item = models.OneToOneField(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="package"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    path = models.CharField(max_length=255, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    images = models.PositiveSmallIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # Pages delivered at their own size instead of their item's: [{"sequence": n, "reason": "..."}].
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")

    def __str__(self) -> str:
        return self.item.image_zip_name

    @property
    def explained_warnings(self) -> list[str]:
        """One line per page not delivered at its item's size, in the reader's language."""
        return [
            _("Image %(sequence)s: %(reason)s") % {"sequence": w["sequence"], "reason": explain(w["reason"])}
            for w in self.warnings
        ]
