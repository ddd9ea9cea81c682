"""An oversized page scanned in two overlapping halves, joined and processed as one page."""

from __future__ import annotations

from typing import Any

import numpy as np

from .codec import LoadedImage, load_image
from .pipeline import PageResult, process_loaded
from .stitch import StitchResult, stitch_pair


def stitch_scans(
    data_a: bytes,
    data_b: bytes,
    *,
    dpi_hint: float | None = None,
    b_to_a: list | np.ndarray | None = None,
    **options: Any,
) -> tuple[PageResult, StitchResult]:
    """Join half b onto half a and run the page pipeline on the result; also return how they were joined.

    ``b_to_a`` re-joins the halves as an earlier stitch did (StitchResult.b_to_a), so a ``crop_quad``
    of that result still fits. ``options`` are those of process_loaded (jpeg_quality, fmt, crop_quad, ...).

    Raises ImageRejected for an unreadable half and StitchRefused when the halves cannot be joined surely.
    """
    half_a = load_image(data_a, dpi_hint=dpi_hint)
    half_b = load_image(data_b, dpi_hint=dpi_hint)
    known = None if b_to_a is None else np.asarray(b_to_a, np.float64)
    joined = stitch_pair(half_a.pixels, half_b.pixels, dpi=half_a.dpi, b_to_a=known)
    page = LoadedImage(
        pixels=joined.image,
        dpi=half_a.dpi,
        dpi_source=half_a.dpi_source,
        colour_mode=half_a.colour_mode,
        source_format=half_a.source_format,
        source_mode=half_a.source_mode,
        icc_profile=half_a.icc_profile,
        valid=joined.valid,
    )
    return process_loaded(page, **options), joined
