"""Writing, verifying and restoring the backup copies as BagIt bags, and the rolling fixity check.

A copy is a folder of bags: one per month of ingest for images (`images-2026-03`), one for the ZIP
packages, one per day for the catalogue (`catalogue-20260321`) and one for the work records. A bag is
written under `<name>.partial` and renamed only once bagit has written its manifests, so an interrupted
write resumes there and a half bag is never taken for a complete one.
"""

from __future__ import annotations

import dataclasses
import datetime
import errno
import hashlib
import io
import json
import math
import os
import random
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import bagit
from django.conf import settings
from django.core import serializers
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from digitization import files
from digitization.models import Batch, BatchEvent, Numbering, Package, Page
from digitization.services import ledger
from qc.models import Defect, Inspection, Sample, SampleUnit, Verdict
from records.exports import write_csv, write_json
from records.models import Item

from .models import BackupCopy, FixityCheck

Progress = Callable[[int, int], None]
MARKER = "backup-copy.json"
PARTIAL = ".partial"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup could not be written, verified or restored; the message says why in plain words."""


@dataclass(frozen=True)
class Entry:
    """One payload file of a bag: where it goes under data/, and where its bytes come from."""

    path: str
    sha256: str
    source: Path | None = None
    content: bytes | None = None


@dataclass
class VerifyReport:
    bags: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checked_files: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.bags) and not (self.missing or self.extra or self.changed or self.problems)

    def as_dict(self) -> dict[str, object]:
        return {**dataclasses.asdict(self), "ok": self.ok}


# Planning: what each bag of a copy should hold now


def _generated(path: str, content: bytes) -> Entry:
    return Entry(path=path, sha256=hashlib.sha256(content).hexdigest(), content=content)


def _page_metadata(pages: list[Page]) -> bytes:
    rows = [
        {
            "id": page.pk,
            "batch": page.batch.code,
            "item": page.item.archival_code if page.item else None,
            "sequence": page.sequence,
            "original_name": page.original_name,
            "original": page.original_path,
            "sha256": page.sha256,
            "derivative": page.derivative_path,
            "derivative_sha256": page.derivative_sha256,
            "format": page.format,
            "width": page.width,
            "height": page.height,
            "dpi": page.dpi,
            "colour_mode": page.colour_mode,
            "scanner": page.scanner,
            "scanned_at": page.scanned_at.isoformat(),
            "status": page.status,
        }
        for page in pages
    ]
    return json.dumps(rows, ensure_ascii=False, indent=1).encode()


def _image_bags() -> dict[str, list[Entry]]:
    by_month: dict[str, list[Page]] = defaultdict(list)
    pages = Page.objects.select_related("batch", "item").order_by("pk")
    for page in pages:
        month = timezone.localtime(page.scanned_at).strftime("%Y-%m")
        by_month[f"images-{month}"].append(page)
    bags = {}
    for name, month_pages in by_month.items():
        entries = []
        for page in month_pages:
            entries.append(
                Entry(page.original_path, page.sha256, source=files.media_path(page.original_path))
            )
            if page.derivative_path and page.derivative_sha256:
                source = files.media_path(page.derivative_path)
                entries.append(Entry(page.derivative_path, page.derivative_sha256, source=source))
        entries.append(_generated("metadata/pages.json", _page_metadata(month_pages)))
        bags[name] = entries
    return bags


def _package_bag() -> dict[str, list[Entry]]:
    packages = Package.objects.filter(status=Package.Status.READY).exclude(path="").order_by("pk")
    entries = [Entry(p.path, p.sha256, source=files.media_path(p.path)) for p in packages if p.sha256]
    return {"packages": entries} if entries else {}


def _catalogue_bag() -> dict[str, list[Entry]]:
    items = Item.objects.order_by("pk")
    csv_text, json_text = io.StringIO(), io.StringIO()
    write_csv(items, csv_text)
    write_json(items, json_text)
    # The export stamps the time it ran; stamp the catalogue's own last change instead, so an unchanged
    # catalogue gives the same bytes and its bag is not rewritten.
    head, rest = json_text.getvalue().split("\n", 1)
    document_head = json.loads(head.removesuffix('"items": [').rstrip(", ") + "}")
    last_change = items.aggregate(last=Max("updated_at"))["last"]
    document_head["exported_at"] = timezone.localtime(last_change).isoformat() if last_change else None
    json_bytes = (json.dumps(document_head, ensure_ascii=False)[:-1] + ', "items": [\n' + rest).encode()
    name = f"catalogue-{timezone.localdate():%Y%m%d}"
    return {
        name: [
            _generated("catalogue/items.csv", csv_text.getvalue().encode()),
            _generated("catalogue/items.json", json_bytes),
        ]
    }


def _records_bag() -> dict[str, list[Entry]]:
    dumps = {
        "batches.json": Batch.objects.order_by("pk"),
        "batch_events.json": BatchEvent.objects.order_by("pk"),
        "numberings.json": Numbering.objects.order_by("pk"),
        "qc_samples.json": Sample.objects.order_by("pk"),
        "qc_sample_units.json": SampleUnit.objects.order_by("pk"),
        "qc_inspections.json": Inspection.objects.order_by("pk"),
        "qc_defects.json": Defect.objects.order_by("pk"),
        "qc_verdicts.json": Verdict.objects.order_by("pk"),
    }
    entries = [
        _generated(f"records/{name}", serializers.serialize("json", queryset, indent=1).encode())
        for name, queryset in dumps.items()
    ]
    entries.append(_generated("records/ledger.json", json.dumps(dataclasses.asdict(ledger())).encode()))
    return {"records": entries}


def plan_copy() -> dict[str, list[Entry]]:
    return {**_image_bags(), **_package_bag(), **_catalogue_bag(), **_records_bag()}


# Writing


def _check_target(target: Path) -> None:
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / ".write-probe"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        raise BackupError(
            _("The target folder %(target)s cannot be written: %(reason)s")
            % {"target": target, "reason": error.strerror or error}
        ) from error


def _medium_error(error: OSError, target: Path) -> BackupError:
    if error.errno == errno.ENOSPC:
        return BackupError(_("The target %(target)s is full.") % {"target": target})
    if error.errno in (errno.ENOENT, errno.EIO, errno.ENODEV, errno.ENXIO, errno.EROFS):
        return BackupError(
            _("The target %(target)s went away during the write (medium removed?): %(reason)s")
            % {"target": target, "reason": error.strerror or error}
        )
    return BackupError(
        _("Writing to %(target)s failed: %(reason)s") % {"target": target, "reason": error.strerror or error}
    )


def _manifest_of(bag_dir: Path) -> dict[str, str] | None:
    """The payload paths (under data/) and SHA-256 of a complete bag, or None if it is not one."""
    manifest = bag_dir / "manifest-sha256.txt"
    if not (bag_dir / "bagit.txt").exists() or not manifest.exists():
        return None
    result = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, path = line.split(None, 1)
            result[path.strip().removeprefix("data/")] = digest.lower()
    return result


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_entry(entry: Entry, destination: Path) -> None:
    """Copy one payload file through a synced temporary file; refuse a source that no longer matches."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".copying-")
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            if entry.content is not None:
                out.write(entry.content)
                digest.update(entry.content)
            else:
                assert entry.source is not None
                with entry.source.open("rb") as source:
                    while chunk := source.read(CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != entry.sha256:
            raise BackupError(
                _("%(path)s in the primary store no longer matches the SHA-256 kept at ingest.")
                % {"path": entry.path}
            )
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_bag(target: Path, name: str, entries: list[Entry], tick: Callable[[], None]) -> bool:
    """Bring one bag up to date; returns False when the complete bag already holds exactly these files."""
    final, partial = target / name, target / f"{name}{PARTIAL}"
    wanted = {entry.path: entry.sha256 for entry in entries}
    if not partial.exists() and _manifest_of(final) == wanted:
        for _entry in entries:
            tick()
        return False
    if final.exists() and not partial.exists():
        final.rename(partial)  # what changed is rewritten; the files that did not are kept
    elif final.exists():
        shutil.rmtree(final)
    data = partial / "data"
    data.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        destination = data / entry.path
        # Resuming: a file already copied with the right content is not copied again.
        if not (destination.exists() and _hash_file(destination) == entry.sha256):
            copy_entry(entry, destination)
        tick()
    for present in [p for p in data.rglob("*") if p.is_file()]:
        if present.relative_to(data).as_posix() not in wanted:
            present.unlink()
    for tag in partial.iterdir():
        if tag.is_file():
            tag.unlink()
    (partial / "bagit.txt").write_text("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n")
    bag = bagit.Bag(str(partial))
    bag.algorithms = ["sha256"]
    bag.info.update(
        {"Source-Organization": "Archive Imaging", "Bagging-Date": timezone.localdate().isoformat()}
    )
    bag.save(processes=1, manifests=True)
    if _manifest_of(partial) != wanted:
        raise BackupError(_("Bag %(bag)s did not read back as written.") % {"bag": name})
    partial.rename(final)
    return True


def write_copy(*, copy: BackupCopy, target: Path, progress: Progress | None = None) -> list[str]:
    """Write or update `copy` in `target`; returns the names of the bags written (unchanged ones are skipped).

    The register records the copy as written only when every bag is complete.
    """
    target = Path(target)
    _check_target(target)
    _refuse_another_copys_folder(copy, target)
    plan = plan_copy()
    total = sum(len(entries) for entries in plan.values())
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    written = []
    try:
        (target / MARKER).write_text(json.dumps({"copy": copy.name, "purpose": copy.purpose}))
        for name, entries in sorted(plan.items()):
            if _write_bag(target, name, entries, tick):
                written.append(name)
    except OSError as error:
        raise _medium_error(error, target) from error
    copy.target = str(target)
    copy.written_at = timezone.now()
    copy.contents = _("%(bags)d bags, %(files)d files: %(names)s") % {
        "bags": len(plan),
        "files": total,
        "names": ", ".join(sorted(plan)),
    }
    copy.save(update_fields=["target", "written_at", "contents"])
    return written


def _refuse_another_copys_folder(copy: BackupCopy, target: Path) -> None:
    """One folder holds one copy: writing over another copy would leave the register wrong about both."""
    other = copy_named_in(target)
    if other is not None and other != copy.name:
        raise BackupError(
            _("The folder %(target)s holds the copy %(other)s. Choose an empty folder or this copy's own.")
            % {"target": target, "other": other}
        )


# Verifying


def _bags_in(target: Path) -> Iterator[Path]:
    return iter(sorted(p for p in target.iterdir() if p.is_dir() and not p.name.endswith(PARTIAL)))


def verify_copy(
    target: Path,
    *,
    sample: int | None = None,
    copy_name: str | None = None,
    progress: Progress | None = None,
) -> VerifyReport:
    """Check every payload file (or a random `sample` of them) of every bag against its manifest.

    With ``copy_name``, the folder must also be that copy: another copy's folder verifies nothing
    about this one.
    """
    target = Path(target)
    report = VerifyReport()
    if not target.is_dir():
        report.problems.append(_("%(target)s is not a readable folder.") % {"target": target})
        return report
    if copy_name is not None and (found := copy_named_in(target)) != copy_name:
        report.problems.append(
            _("The folder %(target)s is not the copy %(copy)s (it holds %(found)s).")
            % {"target": target, "copy": copy_name, "found": found or _("no registered copy")}
        )
    for partial in sorted(target.glob(f"*{PARTIAL}")):
        report.problems.append(_("Bag %(bag)s was never finished.") % {"bag": partial.name})
    checks: list[tuple[str, Path, str]] = []
    tag_checks: list[tuple[str, Path, str]] = []
    for bag_dir in _bags_in(target):
        try:
            bag = bagit.Bag(str(bag_dir))
        except bagit.BagError as error:
            report.problems.append(
                _("%(bag)s is not a readable bag: %(reason)s") % {"bag": bag_dir.name, "reason": error}
            )
            continue
        report.bags.append(bag_dir.name)
        only_in_manifest, only_on_disk = bag.compare_manifests_with_fs()
        report.missing += [f"{bag_dir.name}/{path}" for path in only_in_manifest]
        report.extra += [f"{bag_dir.name}/{path}" for path in only_on_disk]
        missing = set(only_in_manifest)
        for path, digests in bag.entries.items():
            check = (f"{bag_dir.name}/{path}", bag_dir / path, digests.get("sha256", ""))
            if not path.startswith("data/"):
                tag_checks.append(check)  # tag files are few and always checked: a sample never skips them
            elif path not in missing:
                checks.append(check)
        try:
            bag.validate(processes=1, fast=True)  # the tag manifest and Payload-Oxum, as bagit reads them
        except bagit.BagValidationError as error:
            if not (only_in_manifest or only_on_disk):
                report.problems.append(f"{bag_dir.name}: {error}")
    if sample is not None and sample < len(checks):
        checks = random.sample(checks, sample)
    everything = [*tag_checks, *checks]
    for done, (label, path, expected) in enumerate(everything, start=1):
        try:
            if _hash_file(path) != expected:
                report.changed.append(label)
        except OSError as error:
            report.problems.append(f"{label}: {error.strerror or error}")
        if progress is not None:
            progress(done, len(everything))
    report.checked_files = len(checks)  # payload files; tag files are checked besides
    return report


def copy_named_in(target: Path) -> str | None:
    try:
        return json.loads((Path(target) / MARKER).read_text())["copy"]
    except (OSError, ValueError, KeyError):
        return None


def record_verification(*, copy: BackupCopy, report: VerifyReport, by: str) -> None:
    copy.last_verified_at = timezone.now()
    copy.last_verified_by = by
    copy.last_verification_ok = report.ok
    copy.last_result = report.as_dict()
    copy.save(update_fields=["last_verified_at", "last_verified_by", "last_verification_ok", "last_result"])


# Restore drill


@dataclass
class RestoreReport:
    bag: str
    restored: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.restored > 0 and not self.differences


def restore_check(*, target: Path, bag_name: str | None = None, scratch: Path | None = None) -> RestoreReport:
    """Restore one image bag to a scratch folder and compare every file with the live store."""
    target = Path(target)
    candidates = [p.name for p in _bags_in(target) if p.name.startswith("images-")]
    if bag_name is None:
        if not candidates:
            raise BackupError(_("%(target)s holds no image bag to restore.") % {"target": target})
        bag_name = random.choice(candidates)
    elif bag_name not in candidates:
        raise BackupError(_("%(target)s holds no bag %(bag)s.") % {"target": target, "bag": bag_name})
    report = RestoreReport(bag=bag_name)
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        restored = Path(folder) / bag_name
        shutil.copytree(target / bag_name, restored)
        try:
            bagit.Bag(str(restored)).validate(processes=1)
        except bagit.BagError as error:
            report.differences.append(_("The restored bag is not valid: %(reason)s") % {"reason": error})
        data = restored / "data"
        for path in sorted(p for p in data.rglob("*") if p.is_file()):
            relative = path.relative_to(data).as_posix()
            if relative.startswith("metadata/"):
                continue
            report.restored += 1
            live = files.media_path(relative)
            if not live.exists():
                report.differences.append(_("%(path)s is missing from the live store.") % {"path": relative})
            elif _hash_file(live) != _hash_file(path):
                report.differences.append(_("%(path)s differs from the live store.") % {"path": relative})
    return report


# Rolling fixity of the primary store


def fixity_period_days() -> int:
    return int(getattr(settings, "BACKUP_FIXITY_PERIOD_DAYS", 30))


def check_fixity_slice(*, period_days: int | None = None, now: datetime.datetime | None = None) -> list[int]:
    """Check the originals checked longest ago (never checked first), so all are covered in the period.

    Returns the ids of pages whose original is missing or no longer matches the SHA-256 kept at ingest.
    """
    period = period_days or fixity_period_days()
    now = now or timezone.now()
    size = math.ceil(Page.objects.count() / max(period, 1))
    pages = Page.objects.order_by(F("fixity__checked_at").asc(nulls_first=True), "pk")[:size]
    damaged = []
    for page in pages:
        problem = ""
        try:
            if _hash_file(files.media_path(page.original_path)) != page.sha256:
                problem = _("The original no longer matches the SHA-256 kept at ingest.")
        except OSError as error:
            problem = _("The original cannot be read: %(reason)s") % {"reason": error.strerror or error}
        if problem:
            damaged.append(page.pk)
        FixityCheck.objects.update_or_create(
            page=page, defaults={"checked_at": now, "ok": not problem, "problem": problem[:300]}
        )
    return damaged
