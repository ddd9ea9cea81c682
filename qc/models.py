"""Quality inspection (抽检): samples drawn from submitted batches, inspections, defects and verdicts.

A sample and its units are evidence: they are only ever created, never changed or deleted. The model
refuses a second save, the admin shows them read-only, and a database trigger (migration 0002) refuses
UPDATE and DELETE from anywhere else. Verdicts are kept the same way.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from digitization.models import Batch, Page
from records.models import Item, Volume

from . import sampling

MIN_SAMPLE_RATE = Decimal("5")  # DOMAIN §6: at least 5% of a batch


def _contract_start() -> datetime.date:
    return datetime.date(timezone.localdate().year, 1, 1)


def _contract_end() -> datetime.date:
    return datetime.date(timezone.localdate().year, 12, 31)


class QualitySettings(models.Model):
    """The office settings of inspection and payment: one row, edited in the admin."""

    sample_rate = models.DecimalField(
        _("sample rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=[MinValueValidator(MIN_SAMPLE_RATE), MaxValueValidator(Decimal("100"))],
        help_text=_("Share of a batch drawn for inspection; the contract asks for at least 5%."),
    )
    default_aql = models.CharField(
        _("default AQL (GB/T 2828.1)"),
        max_length=5,
        choices=[(aql, aql) for aql in sampling.AQLS],
        default="1.0",
    )
    unit_price = models.DecimalField(
        _("unit price per page (CNY)"), max_digits=8, decimal_places=4, default=Decimal("0.6100")
    )
    contract_cap = models.DecimalField(
        _("contract cap (CNY)"), max_digits=12, decimal_places=2, default=Decimal("450000.00")
    )
    contract_pages = models.PositiveIntegerField(_("pages in the contract"), default=737_000)
    contract_start = models.DateField(_("contract start"), default=_contract_start)
    contract_end = models.DateField(_("contract end"), default=_contract_end)

    class Meta:
        verbose_name = _("quality settings")
        verbose_name_plural = _("quality settings")
        permissions = [
            ("view_dashboard", _("Can see the quality dashboards")),
            ("view_billing", _("Can see billing statements")),
        ]

    def __str__(self) -> str:
        return str(_("Quality settings"))

    def clean(self) -> None:
        if self.contract_start and self.contract_end and self.contract_start >= self.contract_end:
            raise ValidationError({"contract_end": _("The contract ends after it starts.")})

    @classmethod
    def current(cls) -> QualitySettings:
        return cls.objects.get_or_create(pk=1)[0]


class ImmutableEvidence(Exception):
    """Samples, their units and verdicts are evidence: once written they are never changed."""


class EvidenceModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ImmutableEvidence(f"{type(self).__name__} {self.pk} is evidence and cannot be changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ImmutableEvidence(f"{type(self).__name__} {self.pk} is evidence and cannot be deleted")


class SampleQuerySet(models.QuerySet["Sample"]):
    def for_user(self, user: settings.AUTH_USER_MODEL) -> SampleQuerySet:  # type: ignore[valid-type]
        """Samples of the batches a user may read; a contractor sees its own, and only once decided."""
        from archive_office.roles import Role

        samples = self.filter(batch__in=Batch.objects.for_user(user))
        if not user.has_role(Role.ARCHIVE_STAFF, Role.SUPERVISOR, Role.ADMINISTRATOR):
            samples = samples.filter(verdict__isnull=False)
        return samples

    def open(self) -> SampleQuerySet:
        return self.filter(verdict__isnull=True)


class Sample(EvidenceModel):
    """One round of inspection of a submitted batch: the plan, the seed and who drew it."""

    class Mode(models.TextChoices):
        ITEM = "item", _("Random, by item")
        VOLUME = "volume", _("Random, by volume")
        GB2828 = "gb2828", _("GB/T 2828.1, by item")

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="samples"
    )
    round_number = models.PositiveSmallIntegerField(_("round"))
    mode = models.CharField(_("sampling mode"), max_length=10, choices=Mode.choices)
    seed = models.BigIntegerField(_("seed"))
    lot_size = models.PositiveIntegerField(_("lot size"))  # units in the frame: items, or volumes
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    aql = models.CharField(_("AQL"), max_length=5, blank=True)
    code_letter = models.CharField(_("code letter"), max_length=1, blank=True)
    sample_size = models.PositiveIntegerField(_("sample size"))
    accept_number = models.PositiveIntegerField(_("Ac"), null=True, blank=True)
    reject_number = models.PositiveIntegerField(_("Re"), null=True, blank=True)
    # The frame as given to the draw, [[unit id, stratum], ...], and per stratum [units, drawn]: with the
    # seed, anyone can run sampling.draw again and get the same units.
    frame = models.JSONField(_("sampling frame"), default=list)
    strata = models.JSONField(_("strata"), default=dict)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn"), default=timezone.now)

    objects = SampleQuerySet.as_manager()

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["-drawn_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "round_number"], name="sample_one_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.batch.code} #{self.round_number}"

    def get_absolute_url(self) -> str:
        return reverse("qc:sample_detail", args=[self.pk])

    def redraw(self) -> sampling.Draw:
        """The draw again from the recorded frame and seed: it must give the units recorded."""
        units = [sampling.Unit(key=key, stratum=stratum) for key, stratum in self.frame]
        return sampling.draw(units, size=self.sample_size, seed=self.seed)

    @property
    def plan(self) -> sampling.Plan | None:
        if self.mode != self.Mode.GB2828:
            return None
        return sampling.single_sampling_plan(self.lot_size, self.aql)


class SampleUnit(EvidenceModel):
    """An item drawn for inspection (by volume: each item of a drawn volume), in workspace order."""

    sample = models.ForeignKey(
        Sample, verbose_name=_("sample"), on_delete=models.CASCADE, related_name="units"
    )
    position = models.PositiveIntegerField(_("number"))
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    volume = models.ForeignKey(
        Volume, verbose_name=_("volume"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stratum = models.CharField(_("stratum"), max_length=100)

    class Meta:
        verbose_name = _("sampled item")
        verbose_name_plural = _("sampled items")
        ordering = ["sample", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "item"], name="sample_unit_item_once"),
            models.UniqueConstraint(fields=["sample", "position"], name="sample_unit_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sample} {self.position}: {self.item.archival_code}"

    def get_absolute_url(self) -> str:
        return reverse("qc:unit_inspect", args=[self.pk])


class Check(models.TextChoices):
    """The inspection checklist (DOMAIN §6); every defect type belongs to one check."""

    CATALOGUE = "catalogue", _("Catalogue fields are right")
    PAGES = "pages", _("Pages are complete and in order")
    IMAGES = "images", _("Images are straight, uncut and legible")
    LINKING = "linking", _("Naming and linking are right")


class Defect(models.Model):
    """A defect an inspector found in a sampled item, on one of its pages or in the item as a whole."""

    class Kind(models.TextChoices):
        # In the order of the workspace's number keys 1-9, 0.
        SKEW = "skew", _("Skew")
        CONTENT_CUT = "content_cut", _("Content cut off")
        ILLEGIBLE = "illegible", _("Illegible")
        MISSING_PAGE = "missing_page", _("Missing page")
        EXTRA_PAGE = "extra_page", _("Extra page")
        WRONG_ORDER = "wrong_order", _("Wrong page order")
        WRONG_FIELD = "wrong_field", _("Wrong catalogue field")
        ARCHIVAL_CODE = "archival_code", _("Wrong archival code")
        WRONG_LINK = "wrong_link", _("Wrong link")
        NAMING = "naming", _("Wrong naming")

    class Scope(models.TextChoices):
        IMAGE = "image", _("Image (judged per page)")
        CATALOGUE = "catalogue", _("Catalogue and linkage (judged per item)")

    # Per kind: the check it fails, what it is judged on, and whether the contract admits none of it.
    RULES: dict[str, tuple[str, str, bool]] = {
        Kind.SKEW: (Check.IMAGES, Scope.IMAGE, False),
        Kind.CONTENT_CUT: (Check.IMAGES, Scope.IMAGE, True),  # image completeness
        Kind.ILLEGIBLE: (Check.IMAGES, Scope.IMAGE, False),
        Kind.MISSING_PAGE: (Check.PAGES, Scope.CATALOGUE, True),
        Kind.EXTRA_PAGE: (Check.PAGES, Scope.CATALOGUE, False),
        Kind.WRONG_ORDER: (Check.PAGES, Scope.CATALOGUE, False),
        Kind.WRONG_FIELD: (Check.CATALOGUE, Scope.CATALOGUE, False),
        Kind.ARCHIVAL_CODE: (Check.CATALOGUE, Scope.CATALOGUE, True),
        Kind.WRONG_LINK: (Check.LINKING, Scope.CATALOGUE, False),
        Kind.NAMING: (Check.LINKING, Scope.CATALOGUE, False),
    }

    unit = models.ForeignKey(
        SampleUnit, verbose_name=_("sampled item"), on_delete=models.CASCADE, related_name="defects"
    )
    # The page goes if the contractor removes it in rework; its name stays with the defect.
    page = models.ForeignKey(
        Page, verbose_name=_("page"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    page_name = models.CharField(_("image"), max_length=255, blank=True)
    kind = models.CharField(_("defect"), max_length=20, choices=Kind.choices)
    scope = models.CharField(_("judged on"), max_length=10, choices=Scope.choices)
    critical = models.BooleanField(_("no error admitted"), default=False)
    note = models.TextField(_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("defect")
        verbose_name_plural = _("defects")
        ordering = ["unit", "recorded_at", "id"]
        indexes = [models.Index(fields=["recorded_at", "kind"], name="defect_recorded_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.note}"

    @property
    def failed_check(self) -> str:
        return self.RULES[self.kind][0]


class Inspection(models.Model):
    """The inspector's result for one sampled item: the checklist and whether it passed."""

    # Each check's field; a check is ticked exactly when no defect of its kinds is recorded.
    CHECK_FIELDS = {
        Check.CATALOGUE: "catalogue_ok",
        Check.PAGES: "pages_ok",
        Check.IMAGES: "images_ok",
        Check.LINKING: "linking_ok",
    }

    unit = models.OneToOneField(
        SampleUnit, verbose_name=_("sampled item"), on_delete=models.CASCADE, related_name="inspection"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_at = models.DateTimeField(_("inspected"), default=timezone.now)
    catalogue_ok = models.BooleanField(Check.CATALOGUE.label)
    pages_ok = models.BooleanField(Check.PAGES.label)
    images_ok = models.BooleanField(Check.IMAGES.label)
    linking_ok = models.BooleanField(Check.LINKING.label)
    pages_seen = models.PositiveIntegerField(_("images"))
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["inspected_at"], name="inspection_at_idx")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.passed}"


class VerdictQuerySet(models.QuerySet["Verdict"]):
    def accepted(self) -> VerdictQuerySet:
        return self.filter(decision=Verdict.Decision.ACCEPT)


class Verdict(EvidenceModel):
    """The decision on a sample, with the figures it rested on; accepting counts the pages for payment."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("Accepted")
        REJECT = "reject", _("Returned for rework")

    sample = models.OneToOneField(
        Sample, verbose_name=_("sample"), on_delete=models.PROTECT, related_name="verdict"
    )
    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="verdicts"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    pages_inspected = models.PositiveIntegerField(_("pages inspected"))
    pages_defective = models.PositiveIntegerField(_("pages with image defects"))
    items_inspected = models.PositiveIntegerField(_("items inspected"))
    items_defective = models.PositiveIntegerField(_("items with catalogue or linkage defects"))
    units_defective = models.PositiveIntegerField(_("nonconforming items"))
    critical_defects = models.PositiveIntegerField(_("zero-tolerance defects"))
    failures = models.JSONField(_("rules not met"), default=list, blank=True)
    # What acceptance counted for payment, at the unit price then in force (out-of-scope pages never count).
    billable_pages = models.PositiveIntegerField(_("billable pages"), default=0)
    unit_price = models.DecimalField(_("unit price (CNY)"), max_digits=8, decimal_places=4, default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    objects = VerdictQuerySet.as_manager()

    class Meta:
        verbose_name = _("verdict")
        verbose_name_plural = _("verdicts")
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["decided_at"], name="verdict_decided_at_idx")]

    def __str__(self) -> str:
        return f"{self.sample}: {self.get_decision_display()}"

    def get_absolute_url(self) -> str:
        return self.sample.get_absolute_url()

    @property
    def amount(self) -> Decimal:
        return (self.billable_pages * self.unit_price).quantize(Decimal("0.01"))
