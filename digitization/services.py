"""Digitization workflows: registering batches, checking page numbers, ingesting scans, linking, packaging."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from archive_office import audit
from archive_office.models import AuditEvent, User
from records.codes import normalize_code
from records.models import Item, Placement, Volume

from . import files, imaging
from .imaging.inspect import ScanFacts, inspect_scan
from .models import Batch, BatchEvent, BatchItem, Numbering, Page, ScopeRule
from .reasons import explain
from .thumbnails import make_thumbnail

# Below this a scan is flagged: DOMAIN §1 asks for at least 200 dpi.
MIN_DPI = 200
# Files named `档号-NNNN.ext` link themselves to the item and image number they name.
NAMED_IMAGE = re.compile(r"^(?P<code>.+)-(?P<sequence>\d{4})$")
FORMAT_EXTENSIONS = {"JPEG": "jpg", "TIFF": "tif", "PNG": "png", "BMP": "bmp", "JPEG2000": "jp2"}


class WorkflowError(Exception):
    """A step refused for a reason the contractor can act on (the message says which)."""


# Registering batches


@transaction.atomic
def register_batch(
    *,
    contractor: User,
    volumes: Iterable[Volume] = (),
    items: Iterable[Item] = (),
    received_on: date,
    scan_format: str = Batch.ScanFormat.JPEG,
    note: str = "",
) -> Batch:
    """Register what the contractor received: whole volumes and loose items, flagging what is out of scope."""
    chosen = {item.pk: item for item in items}
    for item in Item.objects.filter(placements__volume__in=list(volumes)).distinct():
        chosen[item.pk] = item
    if not chosen:
        raise WorkflowError(_("Choose at least one volume or item for the batch."))
    taken = BatchItem.objects.filter(item__in=chosen).select_related("item", "batch")
    if taken:
        first = taken[0]
        raise WorkflowError(
            _("%(code)s is already in batch %(batch)s.")
            % {"code": first.item.archival_code, "batch": first.batch}
        )
    batch = Batch.objects.create(
        code=_next_batch_code(received_on.year),
        contractor=contractor,
        received_on=received_on,
        scan_format=scan_format,
        note=note,
    )
    scope = ScopeRule.in_scope_pairs()
    BatchItem.objects.bulk_create(
        BatchItem(batch=batch, item=item, in_scope=(item.business_category_id, item.retention_id) in scope)
        for item in chosen.values()
    )
    # The stamped ranges start as the catalogue's plan; the contractor corrects them where the paper differs.
    Numbering.objects.bulk_create(
        Numbering(batch=batch, placement=p, first_page=p.first_page, last_page=p.last_page)
        for p in Placement.objects.filter(item__in=chosen)
    )
    BatchEvent.objects.create(batch=batch, step=batch.step, actor=contractor)
    audit.record(action=AuditEvent.Action.CREATE, actor=contractor, target=batch, items=len(chosen))
    return batch


def _next_batch_code(year: int) -> str:
    prefix = f"PC{year}-"
    last = Batch.objects.filter(code__startswith=prefix).aggregate(last=Max("code"))["last"]
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


# Page numbering (打码)


def numbering_problems(batch: Batch) -> list[str]:
    """Skipped, missing or repeated page numbers in the batch's volumes, and ranges off the page count."""
    problems: list[str] = []
    by_volume: dict[Volume, list[Numbering]] = defaultdict(list)
    for numbering in batch.numberings.select_related(
        "placement__volume__fonds",
        "placement__volume__retention",
        "placement__volume__business_category",
        "placement__item",
    ):
        by_volume[numbering.placement.volume].append(numbering)
    for volume, numberings in sorted(by_volume.items(), key=lambda pair: pair[0].pk):
        expected = 1
        for numbering in sorted(numberings, key=lambda n: (n.first_page, n.last_page)):
            code = numbering.placement.item.archival_code
            if numbering.first_page > expected:
                problems.append(
                    _("%(volume)s: pages %(first)d–%(last)d are skipped before %(code)s.")
                    % {"volume": volume, "first": expected, "last": numbering.first_page - 1, "code": code}
                )
            elif numbering.first_page < expected:
                problems.append(
                    _("%(volume)s: pages %(first)d–%(last)d of %(code)s repeat numbers already used.")
                    % {
                        "volume": volume,
                        "first": numbering.first_page,
                        "last": min(expected - 1, numbering.last_page),
                        "code": code,
                    }
                )
            if numbering.pages != numbering.placement.pages:
                problems.append(
                    _("%(code)s: numbered %(numbered)d pages in %(volume)s, the catalogue plans %(planned)d.")
                    % {
                        "code": code,
                        "numbered": numbering.pages,
                        "volume": volume,
                        "planned": numbering.placement.pages,
                    }
                )
            expected = max(expected, numbering.last_page + 1)
        if expected - 1 != volume.page_count:
            problems.append(
                _("%(volume)s: numbering ends at %(last)d, the volume has %(count)d pages.")
                % {"volume": volume, "last": expected - 1, "count": volume.page_count}
            )
    return problems


@transaction.atomic
def record_numbering(*, numbering: Numbering, first_page: int, last_page: int, user: User) -> None:
    _require_editable(numbering.batch)
    numbering.first_page, numbering.last_page = first_page, last_page
    numbering.save(update_fields=["first_page", "last_page"])
    audit.record(
        action=AuditEvent.Action.UPDATE, actor=user, target=numbering, first=first_page, last=last_page
    )


# Moving through the steps


def _require_editable(batch: Batch) -> None:
    if not batch.editable_by_contractor:
        raise WorkflowError(
            _("Batch %(batch)s is with the inspectors and cannot be changed.") % {"batch": batch}
        )


def step_blockers(batch: Batch, step: str) -> list[str]:
    """What stands between a batch and the step it would move to."""
    if step == Batch.Step.SCANNING:
        return numbering_problems(batch)
    if step == Batch.Step.PROCESSING and not batch.pages.exists():
        return [_("No scan has been received yet.")]
    if step == Batch.Step.LINKING and batch.pages.whole().filter(status=Page.Status.RECEIVED).exists():
        return [_("Some pages are still being processed.")]
    if step == Batch.Step.SUBMITTED:
        return submission_blockers(batch)
    return []


@transaction.atomic
def advance_batch(*, batch: Batch, user: User, note: str = "") -> Batch:
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    step = batch.next_step
    if step is None:
        raise WorkflowError(_("Batch %(batch)s has no next step for the contractor.") % {"batch": batch})
    if blockers := step_blockers(batch, step):
        raise WorkflowError(" ".join(blockers))
    batch.step = step
    batch.save(update_fields=["step"])
    BatchEvent.objects.create(batch=batch, step=step, actor=user, note=note)
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=batch, step=step)
    return batch


# Scan ingest


@dataclass
class IngestOutcome:
    name: str
    page: Page | None = None
    refused: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.page is not None


def ingest_file(
    *,
    batch: Batch,
    name: str,
    data: bytes,
    operator: User | None,
    scanner: str = "",
    max_pixels: int = imaging.DEFAULT_MAX_PIXELS,
) -> IngestOutcome:
    """Check one scanned file in full and keep it, or say in plain words why it is refused.

    The file is decoded to the end (truncated files are refused), its real type judged by content, its size
    held to the decompression-bomb limit. Nothing is written for a refused file.
    """
    try:
        loaded = inspect_scan(data, max_pixels=max_pixels)
    except imaging.ImageRejected as rejected:
        return IngestOutcome(
            name,
            refused=_("Not an image the archive can keep: %(reason)s") % {"reason": explain(rejected.reason)},
        )
    sha256 = files.sha256_of(data)
    if duplicate := Page.objects.filter(sha256=sha256).select_related("batch").first():
        return IngestOutcome(
            name,
            refused=_("The same file as %(page)s in batch %(batch)s.")
            % {"page": duplicate.original_name, "batch": duplicate.batch},
        )
    warnings = []
    if loaded.dpi_source != "file":
        warnings.append(_("The file records no resolution."))
    elif loaded.dpi < MIN_DPI:
        warnings.append(
            _("Scanned at %(dpi)d dpi, below the required %(min)d dpi.") % {"dpi": loaded.dpi, "min": MIN_DPI}
        )
    extension = FORMAT_EXTENSIONS.get(loaded.source_format, loaded.source_format.lower())
    path = files.store_original(data, sha256, extension)
    try:
        page = _create_page(
            batch,
            name=name,
            path=path,
            sha256=sha256,
            data=data,
            loaded=loaded,
            operator=operator,
            scanner=scanner,
            warnings=warnings,
        )
    except IntegrityError:  # the same file arrived twice at once; the other upload keeps it
        return IngestOutcome(name, refused=_("The same file was received twice."))
    from .tasks import process_page

    process_page.delay_on_commit(page.pk)
    return IngestOutcome(name, page=page, warnings=warnings)


@transaction.atomic
def _create_page(
    batch: Batch,
    *,
    name: str,
    path: str,
    sha256: str,
    data: bytes,
    loaded: ScanFacts,
    operator: User | None,
    scanner: str,
    warnings: list[str],
) -> Page:
    locked = Batch.objects.select_for_update().get(pk=batch.pk)  # scan order is given under the batch's lock
    scan_order = (locked.pages.aggregate(last=Max("scan_order"))["last"] or 0) + 1
    page = Page.objects.create(
        batch=locked,
        scan_order=scan_order,
        original_name=name[:255],
        original_path=path,
        sha256=sha256,
        file_size=len(data),
        format=loaded.source_format,
        width=loaded.width,
        height=loaded.height,
        dpi=loaded.dpi if loaded.dpi_source == "file" else None,
        dpi_source=loaded.dpi_source,
        colour_mode=loaded.colour_mode,
        scanner=scanner,
        operator=operator,
        warnings=warnings,
    )
    audit.record(action=AuditEvent.Action.CREATE, actor=operator, target=page, sha256=sha256)
    return page


# Processing results (called by the Celery task)


def apply_processing(page: Page, result: imaging.PageResult) -> None:
    """Store the derivative beside the untouched original and record what the pipeline did."""
    if result.data is None:
        page.status = Page.Status.FAILED
        page.processing_note = result.reason[:300]
        page.save(update_fields=["status", "processing_note"])
        return
    extension = "tif" if result.fmt == "tiff" else "jpg"
    derivative = files.derivative_relpath(page.pk, extension)
    files.write_atomically(derivative, result.data)
    thumbnail = files.derivative_relpath(page.pk, "jpg", kind="thumbnails")
    files.write_atomically(thumbnail, make_thumbnail(result.data))
    page.derivative_path, page.thumbnail_path = derivative, thumbnail
    page.derivative_sha256 = files.sha256_of(result.data)
    page.status = Page.Status.PROCESSED if result.status == "ok" else Page.Status.FLAGGED
    page.skew_deg, page.rotation_deg, page.crop_quad = result.skew_deg, result.rotation_deg, result.crop_quad
    page.confidence, page.processing_note = result.confidence, result.reason[:300]
    page.software_version, page.processed_at = result.software[:200], timezone.now()
    page.jpeg_quality = result.quality
    page.save()


# Page corrections by the contractor


@transaction.atomic
def set_overrides(*, page: Page, user: User, **overrides: object) -> None:
    """Re-process a page with a person's choices (quarter turns, angle, crop); the original stays as it is."""
    _require_editable(page.batch)
    page.overrides = {**page.overrides, **{k: v for k, v in overrides.items() if v is not None}}
    page.status = Page.Status.RECEIVED
    page.save(update_fields=["overrides", "status"])
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=page, overrides=page.overrides)
    from .tasks import process_page

    process_page.delay_on_commit(page.pk)


@transaction.atomic
def clear_overrides(*, page: Page, user: User) -> None:
    """Back to the automatic result: drop the manual angle, turn and crop (a stitched pair stays joined)."""
    _require_editable(page.batch)
    page.overrides = {k: v for k, v in page.overrides.items() if k in {"stitch_with", "b_to_a"}}
    page.status = Page.Status.RECEIVED
    page.save(update_fields=["overrides", "status"])
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=page, overrides="automatic")
    from .tasks import process_page

    process_page.delay_on_commit(page.pk)


@transaction.atomic
def stitch_pages(*, page: Page, half: Page, user: User) -> None:
    """Join two scans of one oversized page (overlapping by a third or more) into `page`."""
    _require_editable(page.batch)
    if half.pk == page.pk or half.batch_id != page.batch_id:
        raise WorkflowError(_("Choose another scan of the same batch as the second half."))
    if half.item_id or half.halves.exists() or half.merged_into_id:
        raise WorkflowError(_("%(page)s is linked or stitched already.") % {"page": half.original_name})
    Page.objects.filter(pk=half.pk).update(merged_into=page)
    page.overrides = {**page.overrides, "stitch_with": half.pk}
    page.status = Page.Status.RECEIVED
    page.save(update_fields=["overrides", "status"])
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=page, stitch_with=half.pk)
    from .tasks import process_page

    process_page.delay_on_commit(page.pk)


def undo_stitch(page: Page, *, reason: str) -> None:
    """A pair that could not be joined surely: both scans stand alone again and the page says why."""
    with transaction.atomic():
        Page.objects.filter(merged_into=page).update(merged_into=None)
        overrides = {k: v for k, v in page.overrides.items() if k != "stitch_with"}
        Page.objects.filter(pk=page.pk).update(
            overrides=overrides, status=Page.Status.FLAGGED, processing_note=reason[:300]
        )


@transaction.atomic
def delete_page(*, page: Page, user: User) -> None:
    """Remove a duplicate or extra scan from the batch; the stored original file itself is kept."""
    _require_editable(page.batch)
    audit.record(action=AuditEvent.Action.DELETE, actor=user, target=page, sha256=page.sha256)
    page.delete()


@transaction.atomic
def mark_doubtful(*, page: Page, user: User, note: str) -> None:
    if not note.strip():
        raise WorkflowError(_("Say what is doubtful about the page."))
    page.doubtful, page.doubtful_note = True, note.strip()
    page.confirmed_by, page.confirmed_at, page.confirmation_note = None, None, ""
    page.save(
        update_fields=["doubtful", "doubtful_note", "confirmed_by", "confirmed_at", "confirmation_note"]
    )
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=page, doubtful=note)


@transaction.atomic
def confirm_page(*, page: Page, user: User, note: str) -> None:
    """Archive staff confirm a doubtful page; the written confirmation is kept with it."""
    if not page.doubtful:
        raise WorkflowError(_("The page is not marked doubtful."))
    page.confirmed_by, page.confirmed_at, page.confirmation_note = user, timezone.now(), note.strip()
    page.save(update_fields=["confirmed_by", "confirmed_at", "confirmation_note"])
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=page, confirmed=note)


# Linking (挂接)


def _batch_items(batch: Batch) -> dict[str, Item]:
    return {bi.item.archival_code: bi.item for bi in batch.batch_items.select_related("item")}


@transaction.atomic
def link_by_file_names(*, batch: Batch, user: User) -> int:
    """Attach pages named `档号-NNNN` to that item as image NNNN; other pages are left for the other ways."""
    _require_editable(batch)
    items = {normalize_code(code): item for code, item in _batch_items(batch).items()}
    taken = set(Page.objects.filter(item__in=items.values()).values_list("item_id", "sequence"))
    changed: list[Page] = []
    for page in batch.pages.whole().filter(item__isnull=True).order_by("scan_order"):
        match = NAMED_IMAGE.match(normalize_code(page.original_name.rsplit(".", 1)[0]))
        item = items.get(match["code"]) if match else None
        if item and (item.pk, int(match["sequence"])) not in taken:
            page.item, page.sequence = item, int(match["sequence"])
            taken.add((item.pk, page.sequence))
            changed.append(page)
    Page.objects.bulk_update(changed, ["item", "sequence"])
    linked = len(changed)
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=batch, linked_by_name=linked)
    return linked


@transaction.atomic
def link_by_scan_order(*, batch: Batch, user: User) -> int:
    """Give unlinked pages, in scan order, to the batch's items in volume page order, each its page count."""
    _require_editable(batch)
    pages = list(batch.pages.whole().filter(item__isnull=True).order_by("scan_order"))
    placements = (
        Placement.objects.filter(item__batch_item__batch=batch)
        .select_related("item")
        .order_by("volume__year", "volume__number", "first_page")
    )
    # Images already linked per item: a split item's second part continues where its first part ended.
    counts = defaultdict(
        int, Page.objects.filter(item__batch_item__batch=batch).values_list("item_id").annotate(n=Count("id"))
    )
    changed: list[Page] = []
    for placement in placements:
        for _number in range(placement.pages):
            if not pages:
                break
            page = pages.pop(0)
            counts[placement.item_id] += 1
            page.item, page.sequence = placement.item, counts[placement.item_id]
            changed.append(page)
    Page.objects.bulk_update(changed, ["item", "sequence"])
    linked = len(changed)
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=batch, linked_by_order=linked)
    return linked


@transaction.atomic
def link_page(*, page: Page, item: Item | None, sequence: int | None, user: User) -> None:
    """Link (or unlink) one page by hand; an image number already taken in the item is refused."""
    _require_editable(page.batch)
    if item is not None:
        if not BatchItem.objects.filter(batch=page.batch, item=item).exists():
            raise WorkflowError(_("%(code)s is not in this batch.") % {"code": item.archival_code})
        sequence = sequence or (Page.objects.filter(item=item).aggregate(n=Max("sequence"))["n"] or 0) + 1
        if Page.objects.filter(item=item, sequence=sequence).exclude(pk=page.pk).exists():
            raise WorkflowError(
                _("Image %(n)04d of %(code)s is already linked.")
                % {"n": sequence, "code": item.archival_code}
            )
    page.item, page.sequence = item, (sequence if item else None)
    page.save(update_fields=["item", "sequence"])
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=page, item=item.pk if item else None)


@transaction.atomic
def reorder_item_pages(*, item: Item, page_ids: Sequence[int], user: User) -> None:
    """Put an item's images in the given order, renumbering them 0001, 0002, ..."""
    pages = {p.pk: p for p in Page.objects.select_for_update().filter(item=item)}
    if set(page_ids) != set(pages):
        raise WorkflowError(_("The new order must list every image of the item once."))
    _require_editable(next(iter(pages.values())).batch)
    # Two passes: unique (item, sequence) would refuse a swap made in place.
    Page.objects.filter(pk__in=pages).update(sequence=None)
    for position, pk in enumerate(page_ids, start=1):
        Page.objects.filter(pk=pk).update(sequence=position)
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=item, reordered=list(page_ids))


# Reconciliation after linking


# Before linking, an item with no images linked yet is no difference to explain.
LINKING_NOT_STARTED = {
    Batch.Step.ARRANGING,
    Batch.Step.NUMBERING,
    Batch.Step.SCANNING,
    Batch.Step.PROCESSING,
}


@dataclass(frozen=True)
class ItemCounts:
    batch_item: BatchItem
    catalogue: int
    numbered: int
    linked: int
    linking_started: bool = True

    @property
    def agree(self) -> bool:
        return self.catalogue == self.numbered == self.linked

    @property
    def to_explain(self) -> bool:
        """A difference to explain now: numbering against the catalogue always, images once linking began."""
        if self.catalogue != self.numbered:
            return not self.explained
        return self.linking_started and not self.agree and not self.explained

    @property
    def explained(self) -> bool:
        return bool(self.batch_item.difference_reason.strip() and self.batch_item.difference_handling.strip())


def reconciliation(batch: Batch) -> list[ItemCounts]:
    """Per item: the catalogue's page count, the numbered range and the images linked (three queries)."""
    numbered: dict[int, int] = defaultdict(int)
    for n in Numbering.objects.filter(batch=batch).select_related("placement"):
        numbered[n.placement.item_id] += n.pages
    linked: dict[int, int] = defaultdict(int)
    for item_id in Page.objects.filter(batch=batch, item__isnull=False).values_list("item_id", flat=True):
        linked[item_id] += 1
    started = batch.step not in LINKING_NOT_STARTED or bool(linked)
    return [
        ItemCounts(bi, bi.item.page_count, numbered[bi.item_id], linked[bi.item_id], started)
        for bi in batch.batch_items.select_related("item__package")
    ]


@transaction.atomic
def explain_difference(*, batch_item: BatchItem, reason: str, handling: str, user: User) -> None:
    _require_editable(batch_item.batch)
    if not (reason.strip() and handling.strip()):
        raise WorkflowError(_("Give both the reason for the difference and how it was handled."))
    batch_item.difference_reason, batch_item.difference_handling = reason.strip(), handling.strip()
    batch_item.save(update_fields=["difference_reason", "difference_handling"])
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=batch_item.item, reason=reason)


def submission_blockers(batch: Batch) -> list[str]:
    blockers = [
        _("%(code)s: catalogue %(catalogue)d, numbered %(numbered)d, linked %(linked)d pages: explain why.")
        % {
            "code": c.batch_item.item.archival_code,
            "catalogue": c.catalogue,
            "numbered": c.numbered,
            "linked": c.linked,
        }
        for c in reconciliation(batch)
        if not c.agree and not c.explained
    ]
    if batch.pages.whole().filter(status__in=[Page.Status.RECEIVED, Page.Status.FAILED]).exists():
        blockers.append(_("Some pages are unprocessed or failed processing."))
    if batch.pages.doubtful_open().exists():
        blockers.append(_("Doubtful pages wait for archive staff to confirm them."))
    if batch.pages.whole().filter(item__isnull=True).exists():
        blockers.append(_("Some pages are not linked to an item."))
    return blockers


# Ledgers


@dataclass(frozen=True)
class Ledger:
    planned: int
    numbered: int
    scanned: int
    linked: int
    accepted: int


def ledger(batches: Iterable[Batch] | None = None) -> Ledger:
    """Pages planned (catalogue 页数 of in-scope items), numbered, scanned, linked and accepted."""
    batch_filter = Q() if batches is None else Q(batch__in=batches)
    batch_items = BatchItem.objects.filter(batch_filter, in_scope=True)
    pages = Page.objects.filter(batch_filter)
    numberings = Numbering.objects.filter(batch_filter, placement__item__batch_item__in_scope=True)
    accepted_steps = [Batch.Step.ACCEPTED, Batch.Step.BOXED]
    return Ledger(
        planned=batch_items.aggregate(n=Sum("item__page_count"))["n"] or 0,
        numbered=numberings.aggregate(n=Sum(F("last_page") - F("first_page") + 1))["n"] or 0,
        scanned=pages.count(),
        linked=pages.filter(item__isnull=False).count(),
        accepted=pages.filter(
            item__isnull=False, item__batch_item__in_scope=True, batch__step__in=accepted_steps
        ).count(),
    )
