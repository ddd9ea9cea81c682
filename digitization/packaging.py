"""One ZIP per item, `档号.zip`, for the office's archive system: images `档号-NNNN.jpg` and manifests.

JPEG images are stored, not recompressed (ZIP_STORED); the manifests carry each image's SHA-256 and its
digitization metadata, as JSON and as XML in the spirit of DA/T 48.
"""

from __future__ import annotations

import io
import json
import zipfile
from xml.etree import ElementTree as ET

from django.db import transaction
from django.utils import timezone

from records.codes import image_filename, zip_filename
from records.models import Item

from . import files
from .models import Package, Page

MANIFEST_VERSION = 1


def _image_entry(item: Item, page: Page) -> dict[str, object]:
    path = page.display_path
    extension = path.rsplit(".", 1)[-1]
    return {
        "file": image_filename(item.archival_code, page.sequence, ext=extension),
        "sequence": page.sequence,
        "sha256": page.derivative_sha256 or page.sha256,
        "original_sha256": page.sha256,
        "original_file": page.original_name,
        "format": page.format,
        "width": page.width,
        "height": page.height,
        "dpi": page.dpi,
        "colour_mode": page.colour_mode,
        "scanner": page.scanner,
        "operator": page.operator.get_username() if page.operator else "",
        "scanned_at": page.scanned_at.isoformat(),
        "skew_deg": page.skew_deg,
        "rotation_deg": page.rotation_deg,
        "crop_quad": page.crop_quad,
        "software": page.software_version,
        "_path": path,
    }


def manifest(item: Item, pages: list[Page]) -> dict[str, object]:
    return {
        "format": "archive-imaging-package",
        "version": MANIFEST_VERSION,
        "archival_code": item.archival_code,
        "title": item.title,
        "year": item.year,
        "retention": item.retention.code,
        "page_count": item.page_count,
        "images": [{k: v for k, v in _image_entry(item, p).items() if k != "_path"} for p in pages],
    }


def manifest_xml(document: dict[str, object]) -> bytes:
    root = ET.Element("ArchivePackage", version=str(MANIFEST_VERSION))
    record = ET.SubElement(root, "Record")
    for key in ("archival_code", "title", "year", "retention", "page_count"):
        ET.SubElement(record, key).text = str(document[key])
    images = ET.SubElement(root, "Images")
    for image in document["images"]:  # type: ignore[attr-defined]
        element = ET.SubElement(images, "Image")
        for key, value in image.items():
            ET.SubElement(element, key).text = (
                "" if value is None else json.dumps(value) if isinstance(value, list) else str(value)
            )
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def zip_bytes(item: Item, pages: list[Page]) -> bytes:
    document = manifest(item, pages)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for page in pages:
            entry = _image_entry(item, page)
            data = files.read(entry["_path"])  # type: ignore[arg-type]
            # JPEG is already compressed: store it byte for byte.
            compression = zipfile.ZIP_STORED if str(entry["file"]).endswith(".jpg") else zipfile.ZIP_DEFLATED
            archive.writestr(
                zipfile.ZipInfo(str(entry["file"]), date_time=page.scanned_at.timetuple()[:6]),
                data,
                compress_type=compression,
            )
        archive.writestr("manifest.json", json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr("manifest.xml", manifest_xml(document))
    return buffer.getvalue()


def build_package(item_id: int) -> Package:
    """Build (or rebuild) an item's ZIP; the file is written atomically, so a killed worker leaves none."""
    item = Item.objects.select_related("retention").get(pk=item_id)
    package, _ = Package.objects.get_or_create(item=item)
    pages = list(Page.objects.filter(item=item).select_related("operator").order_by("sequence"))
    try:
        data = zip_bytes(item, pages)
    except OSError as error:
        Package.objects.filter(pk=package.pk).update(status=Package.Status.FAILED, error=str(error)[:300])
        package.refresh_from_db()
        return package
    relative = f"packages/{item.pk // 1000:04d}/{files.sha256_of(item.archival_code.encode())[:16]}.zip"
    files.write_atomically(relative, data)
    with transaction.atomic():
        Package.objects.filter(pk=package.pk).update(
            status=Package.Status.READY,
            path=relative,
            sha256=files.sha256_of(data),
            size=len(data),
            images=len(pages),
            built_at=timezone.now(),
            error="",
        )
    package.refresh_from_db()
    return package


def download_name(item: Item) -> str:
    return zip_filename(item.archival_code)
