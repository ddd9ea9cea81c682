"""The catalogue: items (件) and volumes (卷) described per DA/T 18, with archival codes per DA/T 22-2015."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Reverse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import codes


class Vocabulary(models.Model):
    """A term administrators edit in the admin; items refer to it, so terms are never deleted in use."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Fonds(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("fonds")
        verbose_name_plural = _("fonds")

    def clean(self) -> None:
        try:
            self.code = codes.check_fonds_code(self.code)
        except codes.CodeError as error:
            raise ValidationError({"code": str(error)}) from None


class RetentionPeriod(Vocabulary):
    years = models.PositiveSmallIntegerField(
        _("years"), null=True, blank=True, help_text=_("Empty for permanent.")
    )

    class Meta(Vocabulary.Meta):
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")


class BusinessCategory(Vocabulary):
    """管理类 / 征缴类 / 待遇类: its code is the class (机构(问题)代码) part of the archival code."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("business category")
        verbose_name_plural = _("business categories")


class BusinessItem(Vocabulary):
    category = models.ForeignKey(
        BusinessCategory, verbose_name=_("business category"), on_delete=models.PROTECT, related_name="items"
    )
    default_retention = models.ForeignKey(
        RetentionPeriod, verbose_name=_("default retention"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta(Vocabulary.Meta):
        verbose_name = _("business item")
        verbose_name_plural = _("business items")


class Classification(Vocabulary):
    is_default = models.BooleanField(_("default"), default=False)

    class Meta(Vocabulary.Meta):
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")


class Openness(Vocabulary):
    is_default = models.BooleanField(_("default"), default=False)

    class Meta(Vocabulary.Meta):
        verbose_name = _("openness")
        verbose_name_plural = _("openness")


class CatalogueSettings(models.Model):
    """The office settings of the catalogue: one row, edited in the admin."""

    default_fonds = models.ForeignKey(Fonds, verbose_name=_("default fonds"), on_delete=models.PROTECT)
    category_code = models.CharField(_("category code"), max_length=4, default="ZY")
    code_template = models.CharField(
        _("archival code template"), max_length=120, default=codes.DEFAULT_CODE_TEMPLATE
    )
    default_creator = models.CharField(_("default creator"), max_length=100, default="区社会保险事业中心")
    sheets_per_cm = models.PositiveSmallIntegerField(_("sheets per centimetre"), default=100)
    max_volume_cm = models.PositiveSmallIntegerField(_("maximum volume thickness (cm)"), default=4)
    # Catalogues before 2006 wrote 长期 / 短期; the 2009 order has no such periods, so the office decides.
    legacy_long_term = models.CharField(
        _("legacy 长期 (long term) imports as"),
        max_length=4,
        choices=[(code, code) for code in codes.RETENTION_CODES],
        default="D30",
    )
    legacy_short_term = models.CharField(
        _("legacy 短期 (short term) imports as"),
        max_length=4,
        choices=[(code, code) for code in codes.RETENTION_CODES],
        default="D10",
    )

    class Meta:
        verbose_name = _("catalogue settings")
        verbose_name_plural = _("catalogue settings")

    def __str__(self) -> str:
        return str(_("Catalogue settings"))

    def clean(self) -> None:
        try:
            codes.validate_code_template(self.code_template)
        except codes.CodeTemplateError as error:
            raise ValidationError({"code_template": str(error)}) from None

    @classmethod
    def current(cls) -> CatalogueSettings:
        return cls.objects.select_related("default_fonds").get(pk=1)

    @property
    def volume_capacity(self) -> int:
        """Pages one volume holds: each page counts as a sheet, so a volume never exceeds its thickness."""
        return self.sheets_per_cm * self.max_volume_cm


class ItemNumberCounter(models.Model):
    """The last item number given in one (fonds, category, year, retention, class) group.

    Numbers come from this row under SELECT ... FOR UPDATE, so two cataloguers saving at once queue on it
    and never take the same or skip a number; the unique constraint on Item backs it up.
    """

    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT)
    category_code = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    retention = models.ForeignKey(RetentionPeriod, on_delete=models.PROTECT)
    business_category = models.ForeignKey(BusinessCategory, on_delete=models.PROTECT)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fonds", "category_code", "year", "retention", "business_category"],
                name="item_counter_one_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_code}·{self.year} → {self.last_number:04d}"


class Volume(models.Model):
    """A volume (卷): items of one year, retention and class, at most the office's thickness."""

    fonds = models.ForeignKey(Fonds, verbose_name=_("fonds"), on_delete=models.PROTECT)
    category_code = models.CharField(_("category code"), max_length=4)
    year = models.PositiveSmallIntegerField(_("year"))
    retention = models.ForeignKey(RetentionPeriod, verbose_name=_("retention"), on_delete=models.PROTECT)
    business_category = models.ForeignKey(
        BusinessCategory, verbose_name=_("business category"), on_delete=models.PROTECT
    )
    number = models.PositiveIntegerField(_("volume number"))
    page_count = models.PositiveIntegerField(_("pages"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("volume")
        verbose_name_plural = _("volumes")
        ordering = ["fonds", "year", "retention", "business_category", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fonds", "category_code", "year", "retention", "business_category", "number"],
                name="volume_unique_number_in_group",
            )
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("records:volume_detail", args=[self.pk])

    @property
    def label(self) -> str:
        group = f"{self.fonds.code}-{self.category_code}{codes.MIDDLE_DOT}{self.year}"
        return f"{group}-{self.retention.code}-{self.business_category.code}-V{self.number:03d}"


LIST_COLUMNS = ("archival_code", "title", "employer_name", "page_count", "year", "retention", "business_item")


class ItemQuerySet(models.QuerySet["Item"]):
    def for_user(self, user: settings.AUTH_USER_MODEL) -> ItemQuerySet:  # type: ignore[valid-type]
        """The items a user may read: everything, except that a contractor reads only its own batches'."""
        from archive_office.roles import Role

        if user.has_role(Role.ARCHIVE_STAFF, Role.SUPERVISOR, Role.ADMINISTRATOR):
            return self
        if user.has_role(Role.CONTRACTOR):
            return self.filter(batch_item__batch__contractor=user)
        return self.none()

    def with_list_columns(self) -> ItemQuerySet:
        """What the list shows, and no more: a search may sort thousands of matches before the top 50."""
        return (
            self.select_related("retention", "business_item")
            .only(*LIST_COLUMNS, "retention__name", "retention__code", "business_item__name")
            .prefetch_related("persons")
        )


class Item(models.Model):
    """An item (件): one business file, described per DA/T 18 with the social-insurance subject."""

    # Identity
    archival_code = models.CharField(_("archival code"), max_length=60, unique=True)
    legacy_code = models.BooleanField(
        _("legacy code"),
        default=False,
        help_text=_("Kept as given by an old catalogue, not built by the template."),
    )
    fonds = models.ForeignKey(Fonds, verbose_name=_("fonds"), on_delete=models.PROTECT)
    category_code = models.CharField(_("category code"), max_length=4)
    year = models.PositiveSmallIntegerField(_("year"))
    retention = models.ForeignKey(RetentionPeriod, verbose_name=_("retention"), on_delete=models.PROTECT)
    business_category = models.ForeignKey(
        BusinessCategory, verbose_name=_("business category"), on_delete=models.PROTECT
    )
    business_item = models.ForeignKey(BusinessItem, verbose_name=_("business item"), on_delete=models.PROTECT)
    item_number = models.PositiveIntegerField(_("item number"), null=True, blank=True)
    # Content
    title = models.CharField(_("title"), max_length=500)
    creator = models.CharField(_("creator"), max_length=200)
    date = models.CharField(_("date"), max_length=8, blank=True, help_text=_("YYYYMMDD, or YYYYMM / YYYY"))
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    page_count = models.PositiveIntegerField(_("pages"))
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    # Access
    classification = models.ForeignKey(
        Classification, verbose_name=_("classification"), on_delete=models.PROTECT
    )
    openness = models.ForeignKey(Openness, verbose_name=_("openness"), on_delete=models.PROTECT)
    # Subject: at most one employer per item
    employer_code = models.CharField(_("employer code"), max_length=18, blank=True)
    employer_name = models.CharField(_("employer name"), max_length=200, blank=True)
    serial_number = models.CharField(_("business serial number"), max_length=50, blank=True)
    handler = models.CharField(_("handler"), max_length=50, blank=True)
    handled_on = models.CharField(_("handling date"), max_length=8, blank=True)
    # Control
    cataloguer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cataloguer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    catalogued_at = models.DateTimeField(_("catalogued"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    verified_at = models.DateTimeField(_("verified against the paper"), null=True, blank=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["-year", "archival_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["fonds", "category_code", "year", "retention", "business_category", "item_number"],
                name="item_unique_number_in_group",
            ),
            models.CheckConstraint(condition=models.Q(page_count__gt=0), name="item_page_count_positive"),
            models.CheckConstraint(
                condition=models.Q(year__gte=1900, year__lte=2100), name="item_year_four_digits"
            ),
        ]
        indexes = [
            models.Index(fields=["-year", "archival_code"], name="item_list_order_idx"),
            models.Index(
                fields=["archival_code"], name="item_code_prefix_idx", opclasses=["text_pattern_ops"]
            ),
            models.Index(fields=["employer_code"], name="item_employer_code_idx"),
            GinIndex(fields=["employer_name"], name="item_employer_trgm_idx", opclasses=["gin_trgm_ops"]),
            models.Index(fields=["business_item", "-year"], name="item_business_item_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.archival_code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("records:item_detail", args=[self.pk])

    @property
    def image_zip_name(self) -> str:
        return codes.zip_filename(self.archival_code)

    def group_key(self) -> dict[str, object]:
        return {
            "fonds": self.fonds_id,
            "category_code": self.category_code,
            "year": self.year,
            "retention": self.retention_id,
            "business_category": self.business_category_id,
        }


class ItemPerson(models.Model):
    """An insured person an item concerns, with the columns the service-counter search is indexed on."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="persons")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=50)
    citizen_id = models.CharField(_("citizen ID number"), max_length=18, blank=True)
    # Derived from name: two-character names are found through their bigram, initials typed as pinyin.
    name_bigrams = ArrayField(models.CharField(max_length=2), default=list, editable=False)
    name_initials = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["item", "position"]
        indexes = [
            models.Index(fields=["citizen_id"], name="person_citizen_id_idx"),
            models.Index(
                OpClass(Reverse("citizen_id"), name="text_pattern_ops"), name="person_id_suffix_idx"
            ),
            models.Index(fields=["name"], name="person_name_idx"),
            GinIndex(fields=["name"], name="person_name_trgm_idx", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["name_bigrams"], name="person_name_bigram_idx"),
            models.Index(
                fields=["name_initials"], name="person_initials_idx", opclasses=["text_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.citizen_id}".strip()


class Placement(models.Model):
    """Where an item sits in a volume: part k of n, and its first and last page number there.

    An item thicker than one volume spans several (1/3, 2/3, 3/3); its parts' pages add up to its page count.
    """

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="placements"
    )
    volume = models.ForeignKey(
        Volume, verbose_name=_("volume"), on_delete=models.CASCADE, related_name="placements"
    )
    part = models.PositiveSmallIntegerField(_("part"), default=1)
    parts = models.PositiveSmallIntegerField(_("parts"), default=1)
    first_page = models.PositiveIntegerField(_("first page"))
    last_page = models.PositiveIntegerField(_("last page"))

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["volume", "first_page"]
        constraints = [
            models.UniqueConstraint(fields=["item", "part"], name="placement_one_per_part"),
            models.UniqueConstraint(fields=["volume", "first_page"], name="placement_unique_start"),
            models.CheckConstraint(
                condition=models.Q(first_page__gte=1, last_page__gte=models.F("first_page")),
                name="placement_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(part__lte=models.F("parts")), name="placement_part_in_parts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volume} {self.first_page}-{self.last_page}"

    @property
    def pages(self) -> int:
        return self.last_page - self.first_page + 1

    @property
    def part_label(self) -> str:
        return f"{self.part}/{self.parts}" if self.parts > 1 else ""


class CatalogueIssue(models.Model):
    """A catalogue data rule an item breaks, kept so the rules page lists a million items' problems fast."""

    class Rule(models.TextChoices):
        MISSING_FIELD = "missing_field", _("Missing required field")
        CITIZEN_ID = "citizen_id", _("Invalid citizen ID number")
        EMPLOYER_CODE = "employer_code", _("Invalid employer code")
        DATE = "date", _("Malformed date")
        TITLE = "title", _("Malformed title")
        PAGE_RANGE = "page_range", _("Page range inconsistent with the volume")
        PERSON_NAMES = "person_names", _("One citizen ID under two names")
        ITEM_NUMBER_GAP = "item_number_gap", _("Gap in item numbers")

    class Severity(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Warning")

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="issues")
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.ERROR
    )
    message = models.CharField(_("message"), max_length=300)
    found_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        verbose_name = _("catalogue issue")
        verbose_name_plural = _("catalogue issues")
        ordering = ["rule", "item_id"]
        indexes = [models.Index(fields=["rule", "item"], name="issue_rule_item_idx")]

    def __str__(self) -> str:
        return self.message


class ImportJob(models.Model):
    """One upload of a legacy Excel catalogue: read and checked in the background, then committed on request.

    The workbook stays under MEDIA_ROOT/imports/, so checking again after a header mapping and the commit
    both read the file itself rather than a copy of its rows.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        READING = "reading", _("Reading and checking")
        VALIDATED = "validated", _("Ready to import")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.QUEUED, Status.READING, Status.COMMITTING)

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fonds = models.ForeignKey(Fonds, verbose_name=_("fonds"), on_delete=models.PROTECT)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    all_or_nothing = models.BooleanField(_("all or nothing"), default=False)
    header_overrides = models.JSONField(_("header mapping"), default=dict, blank=True)
    unknown_headers = models.JSONField(_("unknown headers"), default=list, blank=True)
    sheets = models.JSONField(_("sheets"), default=list, blank=True)
    progress_done = models.PositiveIntegerField(_("rows read"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    good_rows = models.PositiveIntegerField(_("good rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    skipped_rows = models.PositiveIntegerField(_("skipped rows"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    # The preview's forecast, and what the commit did.
    would_import = models.PositiveIntegerField(_("would import"), default=0)
    would_update = models.PositiveIntegerField(_("would update"), default=0)
    would_keep = models.PositiveIntegerField(_("would leave unchanged"), default=0)
    imported = models.PositiveIntegerField(_("imported"), null=True, blank=True)
    updated = models.PositiveIntegerField(_("updated"), null=True, blank=True)
    unchanged = models.PositiveIntegerField(_("unchanged"), null=True, blank=True)
    error_workbook = models.FileField(
        _("error workbook"), upload_to="imports/%Y/%m/", max_length=255, blank=True
    )
    error_message = models.TextField(_("error"), blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("committed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    validated_at = models.DateTimeField(_("checked"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("records:import_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


class ImportFinding(models.Model):
    """What reading one cell, row or sheet of an import found: an error, a warning, or why it was skipped."""

    class Severity(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Warning")
        SKIPPED = "skipped", _("Skipped")

    class Kind(models.TextChoices):
        MANGLED_ID = "mangled_id", _("Citizen ID stored as a number")
        CITIZEN_ID = "citizen_id", _("Citizen ID number")
        CONVERTED_ID = "converted_id", _("15-digit citizen ID converted")
        EMPLOYER_CODE = "employer_code", _("Employer code")
        DATE = "date", _("Date")
        YEAR = "year", _("Year")
        RETENTION = "retention", _("Retention period")
        LEGACY_RETENTION = "legacy_retention", _("Legacy retention mapped")
        PAGE_COUNT = "page_count", _("Page count")
        VOCABULARY = "vocabulary", _("Unknown vocabulary term")
        REQUIRED = "required", _("Missing value")
        TOO_LONG = "too_long", _("Value too long")
        DUPLICATE_CODE = "duplicate_code", _("Archival code repeated in the file")
        ARCHIVAL_CODE = "archival_code", _("Archival code")
        PERSONS = "persons", _("Names and citizen IDs")
        SAME_ROW = "same_row", _("Row repeated without an archival code")
        HEADER = "header", _("Column not recognised")
        VERIFIED = "verified", _("Verified item kept")
        HIDDEN_SHEET = "hidden_sheet", _("Hidden sheet")
        NO_HEADER = "no_header", _("Sheet without a catalogue header")
        EMPTY_SHEET = "empty_sheet", _("Empty sheet")
        TITLE_ROW = "title_row", _("Title or note above the header")
        BLANK_ROW = "blank_row", _("Blank row")
        TOTALS_ROW = "totals_row", _("Totals row")
        NOTE_ROW = "note_row", _("Note row")
        HEADER_ROW = "header_row", _("Repeated header row")

    job = models.ForeignKey(
        ImportJob, verbose_name=_("catalogue import"), on_delete=models.CASCADE, related_name="findings"
    )
    sheet = models.CharField(_("sheet"), max_length=100)
    sheet_index = models.PositiveSmallIntegerField(default=0)
    row = models.PositiveIntegerField(
        _("row"), help_text=_("The spreadsheet's own row number; 0 for a sheet.")
    )
    column = models.CharField(_("column"), max_length=3, blank=True)
    header = models.CharField(_("header"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    message = models.CharField(_("message"), max_length=500)

    class Meta:
        verbose_name = _("import finding")
        verbose_name_plural = _("import findings")
        ordering = ["sheet_index", "row", "column", "pk"]
        indexes = [
            models.Index(fields=["job", "severity", "kind"], name="import_finding_kind_idx"),
            models.Index(fields=["job", "severity", "sheet_index", "row"], name="import_finding_row_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}: {self.message}"
