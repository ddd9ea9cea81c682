"""Running the image pipeline for a page: which original, which overrides, which office settings.

The processing task and the ZIP builder both come here, so a page is always rendered the same way.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from . import files, imaging
from .models import ImagingSettings, Page


def _options(page: Page, settings: ImagingSettings, extra: dict[str, Any]) -> dict[str, Any]:
    if extra.get("crop_quad") is None:  # a crop fixes turn, skew and crop at once; otherwise the person's say
        overrides = page.overrides
        extra = {
            "angle_deg": overrides.get("angle_deg"),
            "rotation_deg": overrides.get("rotation_deg"),
            "crop": overrides.get("crop", True),
            **extra,
        }
    return {
        "dpi_hint": page.dpi,
        "jpeg_quality": settings.jpeg_quality,
        "fmt": "tiff" if page.batch.scan_format == "tiff" else "jpeg",
        "margin_mm": settings.margin_mm,
        **extra,
    }


def render(page: Page, settings: ImagingSettings, **extra: Any) -> imaging.PageResult:
    """The page's derivative from its original, with the page's manual overrides unless a crop is given."""
    return imaging.process_page(files.read(page.original_path), **_options(page, settings, extra))


def render_stitched(
    page: Page, half: Page, settings: ImagingSettings, **extra: Any
) -> tuple[imaging.PageResult, imaging.StitchResult]:
    """The derivative of two halves joined; raises ImageRejected or StitchRefused as stitch_scans does.

    ``b_to_a`` (the join stored when the pair was first stitched) joins them exactly as then.
    """
    return imaging.stitch_scans(
        files.read(page.original_path), files.read(half.original_path), **_options(page, settings, extra)
    )


def rerender(page: Page, settings: ImagingSettings, **extra: Any) -> imaging.PageResult:
    """The page made again as it was inspected (same crop, same join, same quality), with ``extra``."""
    extra = {"crop_quad": page.crop_quad, "jpeg_quality": page.jpeg_quality or settings.jpeg_quality, **extra}
    if "stitch_with" not in page.overrides:
        return render(page, settings, **extra)
    half = Page.objects.get(pk=page.overrides["stitch_with"])
    return render_stitched(page, half, settings, b_to_a=page.overrides.get("b_to_a"), **extra)[0]


def image_facts(data: bytes) -> tuple[int, int, float]:
    """Width, height and dpi of an encoded derivative, read from its header."""
    with Image.open(io.BytesIO(data)) as image:
        dpi = image.info.get("dpi", (0, 0))[0]
        return image.width, image.height, float(dpi or 0)
