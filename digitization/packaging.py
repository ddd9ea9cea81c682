"""One ZIP per item, `档号.zip`, for the office's archive system: images `档号-NNNN.jpg` and manifests.

Pages of one paper size are delivered at one pixel size. JPEG images are stored, not recompressed
(ZIP_STORED); the manifests carry each image's SHA-256 and its digitization metadata, as JSON and as
XML in the spirit of DA/T 48.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from django.db import transaction
from django.utils import timezone

from records.codes import image_filename, zip_filename
from records.models import Item

from . import derivatives, files, imaging
from .models import ImagingSettings, Package, Page

MANIFEST_VERSION = 2  # 2: images of one paper size at one pixel size; padding, derivative_sha256, note

logger = logging.getLogger(__name__)


@dataclass
class DeliveredImage:
    """One image file of the ZIP: the page's derivative, or the same page re-made at its item's size."""

    page: Page
    data: bytes
    width: int
    height: int
    dpi: float
    padding: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # left, top, right, bottom
    software: str = ""  # of a re-made image; the derivative's own otherwise
    note: str = ""  # why the page is not at its item's size (a pipeline reason)

    @property
    def can_be_remade(self) -> bool:
        return bool(self.page.derivative_path and self.page.crop_quad)

    def entry(self, item: Item) -> dict[str, object]:
        page = self.page
        extension = page.display_path.rsplit(".", 1)[-1]
        return {
            "file": image_filename(item.archival_code, page.sequence, ext=extension),
            "sequence": page.sequence,
            "sha256": files.sha256_of(self.data),
            "derivative_sha256": page.derivative_sha256,  # the image as inspected
            "original_sha256": page.sha256,
            "original_file": page.original_name,
            "format": {"jpg": "JPEG", "tif": "TIFF"}.get(extension, page.format),
            "original_format": page.format,
            "file_size": len(self.data),
            "width": self.width,
            "height": self.height,
            "padding": self.padding,
            "dpi": page.dpi,
            "colour_mode": page.colour_mode,
            "scanner": page.scanner,
            "operator": page.operator.get_username() if page.operator else "",
            "scanned_at": page.scanned_at.isoformat(),
            "skew_deg": page.skew_deg,
            "rotation_deg": page.rotation_deg,
            "crop_quad": page.crop_quad,
            "software": self.software or page.software_version,
            "note": self.note,
        }


def delivered_images(pages: list[Page], settings: ImagingSettings) -> list[DeliveredImage]:
    """The item's images, pages of one paper size brought to one pixel size (同一件页面尺寸一致).

    A page smaller than its group is re-made from its original exactly as it was inspected (same crop,
    join and quality) and centred on a continuation of its edge: one pass from the original, so no
    second JPEG generation. Pages that cannot be re-made keep their size, say why, and set no size.
    """
    images = []
    for page in pages:
        data = files.read(page.display_path)
        width, height, dpi = derivatives.image_facts(data)
        images.append(DeliveredImage(page, data, width, height, dpi))
    sizeable = [image for image in images if image.can_be_remade]
    targets = imaging.plan_item_sizes(
        [(image.width, image.height) for image in sizeable],
        [image.dpi for image in sizeable],
        same_size_mm=settings.same_size_mm,
    )
    for image, target in zip(sizeable, targets, strict=True):
        if target != (image.width, image.height):
            _pad(image, target, settings)
    for image in images:
        if not image.can_be_remade:
            image.note = imaging.reasons.NOT_PROCESSED
    return images


def _pad(image: DeliveredImage, target: tuple[int, int], settings: ImagingSettings) -> None:
    try:
        result = derivatives.rerender(image.page, settings, pad_to=target)
    except (imaging.ImageRejected, imaging.StitchRefused) as refused:
        reason = refused.reason
    except Exception as error:  # one page must not cost the item its ZIP
        logger.exception("re-making page %s for its ZIP failed", image.page.pk)
        reason = imaging.reasons.PROCESSING_FAILED.format(detail=f"{type(error).__name__}: {error}")
    else:
        if result.data is not None and (result.width, result.height) == target:
            image.data, image.width, image.height = result.data, result.width, result.height
            image.padding, image.software = result.padding, result.software
            return
        reason = result.reason
    image.note = imaging.reasons.KEPT_OWN_SIZE.format(reason=reason)


def manifest(item: Item, images: list[DeliveredImage]) -> dict[str, object]:
    return {
        "format": "archive-imaging-package",
        "version": MANIFEST_VERSION,
        "archival_code": item.archival_code,
        "title": item.title,
        "year": item.year,
        "retention": item.retention.code,
        "page_count": item.page_count,
        "images": [image.entry(item) for image in images],
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


def zip_bytes(item: Item, images: list[DeliveredImage]) -> bytes:
    document = manifest(item, images)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for image, entry in zip(images, document["images"], strict=True):  # type: ignore[call-overload]
            name = str(entry["file"])
            # JPEG is already compressed: store it byte for byte.
            compression = zipfile.ZIP_STORED if name.endswith(".jpg") else zipfile.ZIP_DEFLATED
            archive.writestr(
                zipfile.ZipInfo(name, date_time=image.page.scanned_at.timetuple()[:6]),
                image.data,
                compress_type=compression,
            )
        archive.writestr("manifest.json", json.dumps(document, ensure_ascii=False, indent=2))
        archive.writestr("manifest.xml", manifest_xml(document))
    return buffer.getvalue()


def build_package(item_id: int) -> Package:
    """Build (or rebuild) an item's ZIP; the file is written atomically, so a killed worker leaves none."""
    item = Item.objects.select_related("retention").get(pk=item_id)
    package, _ = Package.objects.get_or_create(item=item)
    pages = list(Page.objects.filter(item=item).select_related("operator", "batch").order_by("sequence"))
    try:
        images = delivered_images(pages, ImagingSettings.current())
        data = zip_bytes(item, images)
        relative = f"packages/{item.pk // 1000:04d}/{files.sha256_of(item.archival_code.encode())[:16]}.zip"
        files.write_atomically(relative, data)
    except Exception as error:  # a package never stays "queued": it is built or says why not
        logger.exception("building the ZIP of item %s failed", item.pk)
        message = f"{type(error).__name__}: {error}"[:300]
        Package.objects.filter(pk=package.pk).update(status=Package.Status.FAILED, error=message)
        package.refresh_from_db()
        return package
    with transaction.atomic():
        Package.objects.filter(pk=package.pk).update(
            status=Package.Status.READY,
            path=relative,
            sha256=files.sha256_of(data),
            size=len(data),
            images=len(pages),
            built_at=timezone.now(),
            error="",
            warnings=[{"sequence": i.page.sequence, "reason": i.note} for i in images if i.note],
        )
    package.refresh_from_db()
    return package


def download_name(item: Item) -> str:
    return zip_filename(item.archival_code)
