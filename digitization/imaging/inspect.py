"""The checks a scan passes before it is kept, without decoding it to an array (ingest speed)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from . import reasons
from .codec import (
    DEFAULT_MAX_PIXELS,
    MIN_SIDE_PX,
    ColourMode,
    ImageRejected,
    _exif_orientation,
    _read_dpi,
    load_image,
)

# Orientations 5-8 swap width and height when the image is displayed.
_SWAPS_SIDES = {5, 6, 7, 8}


@dataclass(frozen=True)
class ScanFacts:
    """What ingest records of an original (DOMAIN §4), the size as displayed after EXIF orientation."""

    width: int
    height: int
    dpi: float
    dpi_source: str
    colour_mode: ColourMode
    source_format: str


def inspect_scan(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, min_side: int = MIN_SIDE_PX
) -> ScanFacts:
    """Refuse what `load_image` would refuse, for a fraction of its cost on JPEG.

    A JPEG is decoded at 1/8 scale: that still reads every entropy-coded byte, so truncation is caught,
    but skips the full-size inverse DCT. Every other format goes through `load_image` itself.
    """
    head = _open_jpeg(data)
    if head is None:
        loaded = load_image(data, max_pixels=max_pixels, min_side=min_side)
        return ScanFacts(
            loaded.width,
            loaded.height,
            loaded.dpi,
            loaded.dpi_source,
            loaded.colour_mode,
            loaded.source_format,
        )
    width, height = head.size
    if width * height > max_pixels:
        raise ImageRejected(reasons.TOO_MANY_PIXELS.format(width=width, height=height, limit=max_pixels))
    if min(width, height) < min_side:
        raise ImageRejected(reasons.TOO_SMALL.format(width=width, height=height))
    head.draft(head.mode, (max(1, width // 8), max(1, height // 8)))
    try:
        head.load()  # raises on truncated or corrupt data; LOAD_TRUNCATED_IMAGES is never set
    except Exception as exc:
        raise ImageRejected(reasons.UNDECODABLE.format(detail=exc)) from None
    orientation = _exif_orientation(head)
    if orientation in _SWAPS_SIDES:
        width, height = height, width
    dpi, dpi_source = _read_dpi(head, None)
    mode = ColourMode.GREY if head.mode == "L" else ColourMode.COLOUR
    return ScanFacts(width, height, dpi, dpi_source, mode, "JPEG")


def _open_jpeg(data: bytes) -> Image.Image | None:
    """The opened image when it is a plain RGB or grey JPEG; None sends it down the full path."""
    if not data.startswith(b"\xff\xd8"):
        return None
    try:
        image = Image.open(io.BytesIO(data))
    except Exception:
        return None  # load_image gives the precise reason
    return image if image.format == "JPEG" and image.mode in ("RGB", "L") else None
