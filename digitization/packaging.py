"""One ZIP per item, `档号.zip`, for the office's archive system: images `档号-NNNN.jpg` and manifests.

Pages of one paper size are delivered at one pixel size. JPEG images are stored, not recompressed
(ZIP_STORED); the manifests carry each image's SHA-256 and its digitization metadata, as JSON and as
XML in the spirit of DA/T 48.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from django.db import transaction
from django.utils import timezone

from records.codes import image_filename, zip_filename
from records.models import Item

from . import derivatives, files, imaging
from .models import ImagingSettings, Package, Page

MANIFEST_VERSION = 1


@dataclass
class DeliveredImage:
    """One image file of the ZIP: the page's derivative, or the same page re-made at its item's size."""

    page: Page
    data: bytes
    width: int
    height: int
    padding: tuple[int, int] = (0, 0)
    note: str = ""

    def entry(self, item: Item) -> dict[str, object]:
        page = self.page
        extension = page.display_path.rsplit(".", 1)[-1]
        return {
            "file": image_filename(item.archival_code, page.sequence, ext=extension),
            "sequence": page.sequence,
            "sha256": files.sha256_of(self.data),
            "original_sha256": page.sha256,
            "original_file": page.original_name,
            "format": {"jpg": "JPEG", "tif": "TIFF"}.get(extension, page.format),
            "original_format": page.format,
            "file_size": len(self.data),
            "width": self.width,
            "height": self.height,
            "padding": list(self.padding),
            "dpi": page.dpi,
            "colour_mode": page.colour_mode,
            "scanner": page.scanner,
            "operator": page.operator.get_username() if page.operator else "",
            "scanned_at": page.scanned_at.isoformat(),
            "skew_deg": page.skew_deg,
            "rotation_deg": page.rotation_deg,
            "crop_quad": page.crop_quad,
            "software": page.software_version,
            "note": self.note,
        }


def delivered_images(pages: list[Page], settings: ImagingSettings) -> list[DeliveredImage]:
    """The item's images, pages of one paper size brought to one pixel size (同一件页面尺寸一致).

    A page smaller than its group is re-made from its original with the crop it was inspected with and
    centred on its own paper colour: one pass from the original, so no second JPEG generation.
    """
    images, dpis = [], []
    for page in pages:
        data = files.read(page.display_path)
        width, height, dpi = derivatives.image_facts(data)
        images.append(DeliveredImage(page, data, width, height))
        dpis.append(dpi)
    sizes = [(image.width, image.height) for image in images]
    targets = imaging.plan_item_sizes(sizes, dpis, same_size_mm=settings.same_size_mm)
    for image, target in zip(images, targets, strict=True):
        if target != (image.width, image.height) and image.page.derivative_path and image.page.crop_quad:
            _pad(image, target, settings)
    return images


def _pad(image: DeliveredImage, target: tuple[int, int], settings: ImagingSettings) -> None:
    page = image.page
    options = {"crop_quad": page.crop_quad, "pad_to": target}
    try:
        if "stitch_with" in page.overrides:
            half = Page.objects.get(pk=page.overrides["stitch_with"])
            result, _joined = derivatives.render_stitched(page, half, settings, **options)
        else:
            result = derivatives.render(page, settings, **options)
    except (Page.DoesNotExist, imaging.ImageRejected, imaging.StitchRefused) as refused:
        image.note = f"kept at its own size: {getattr(refused, 'reason', refused)}"
        return
    if result.data is None or (result.width, result.height) != target:
        image.note = f"kept at its own size: {result.reason}"
        return
    image.data, image.width, image.height = result.data, result.width, result.height
    image.padding = (result.padding[0], result.padding[1])


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
        data = zip_bytes(item, delivered_images(pages, ImagingSettings.current()))
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
