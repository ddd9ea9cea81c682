"""An oversized page scanned in two overlapping halves, joined and processed as one page."""

from __future__ import annotations

from typing import Any

from .codec import LoadedImage, load_image
from .pipeline import PageResult, process_loaded
from .stitch import StitchResult, stitch_pair


def stitch_scans(
    data_a: bytes, data_b: bytes, *, dpi_hint: float | None = None, **options: Any
) -> tuple[PageResult, StitchResult]:
    """Join half b onto half a and run the page pipeline on the result; also return how they were joined.

    ``options`` are those of process_loaded (jpeg_quality, fmt, margin_mm, crop_quad, pad_to, ...).

    Raises ImageRejected for an unreadable half and StitchRefused when the halves cannot be joined surely.
    """
    half_a = load_image(data_a, dpi_hint=dpi_hint)
    half_b = load_image(data_b, dpi_hint=dpi_hint)
    joined = stitch_pair(half_a.pixels, half_b.pixels, dpi=half_a.dpi)
    page = LoadedImage(
        pixels=joined.image,
        dpi=half_a.dpi,
        dpi_source=half_a.dpi_source,
        colour_mode=half_a.colour_mode,
        source_format=half_a.source_format,
        source_mode=half_a.source_mode,
        valid=joined.valid,
    )
    return process_loaded(page, **options), joined
