"""The register of backup copies (three verified copies: sealed, off-site, for use) and the fixity log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class BackupCopy(models.Model):
    class Purpose(models.TextChoices):
        SEALED = "sealed", _("Sealed")
        OFFSITE = "offsite", _("Off-site")
        USE = "use", _("For use")

    name = models.CharField(_("name"), max_length=60, unique=True)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.USE)
    medium = models.CharField(_("medium"), max_length=100, blank=True)
    label = models.CharField(_("label"), max_length=100, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    custodian = models.CharField(_("custodian"), max_length=100, blank=True)
    contents = models.TextField(_("contents"), blank=True)
    # The folder the copy was last written to, so the browser can verify it again.
    target = models.CharField(_("target folder"), max_length=500, blank=True)
    written_at = models.DateTimeField(_("written"), null=True, blank=True)
    last_verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    last_verified_by = models.CharField(_("verified by"), max_length=150, blank=True)
    last_verification_ok = models.BooleanField(_("verified readable"), null=True)
    last_result = models.JSONField(_("last result"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("backup copy")
        verbose_name_plural = _("backup copies")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("backups:copy_detail", args=[self.pk])


class BackupRunQuerySet(models.QuerySet):
    def running(self) -> BackupRunQuerySet:
        return self.filter(status__in=["queued", "running"])


class BackupRun(models.Model):
    class Kind(models.TextChoices):
        WRITE = "write", _("Write")
        VERIFY = "verify", _("Verify")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    copy = models.ForeignKey(
        BackupCopy, verbose_name=_("copy"), on_delete=models.CASCADE, related_name="runs"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    target = models.CharField(_("target folder"), max_length=500)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(_("message"), blank=True)

    objects = BackupRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("backup run")
        verbose_name_plural = _("backup runs")

    def __str__(self) -> str:
        return f"{self.copy} {self.kind} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def progress_percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class FixityCheck(models.Model):
    """The last rolling check of one page's original against the SHA-256 kept at ingest."""

    page = models.OneToOneField(
        "digitization.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="fixity"
    )
    checked_at = models.DateTimeField(_("checked"))
    ok = models.BooleanField(_("intact"))
    problem = models.CharField(_("problem"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("fixity check")
        verbose_name_plural = _("fixity checks")

    def __str__(self) -> str:
        return f"{self.page_id} {self.checked_at:%Y-%m-%d}"
