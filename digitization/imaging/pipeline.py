"""One page from scan to archive derivative: decode, orientation, deskew, crop, encode."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from importlib import metadata

import cv2
import numpy as np

from . import reasons
from .analysis import analyse_page, halve
from .codec import (
    DEFAULT_MAX_PIXELS,
    ColourMode,
    ImageRejected,
    LoadedImage,
    encode_image,
    encode_jpeg_planes,
    load_image,
)
from .crop import DEFAULT_MARGIN_MM, find_paper
from .geometry import (
    JPEG_MCU,
    Interpolation,
    PageFrame,
    pad_image,
    pad_planes,
    padding_of,
    warp_frame,
    warp_frame_planes,
)
from .skew import OrientationResult, SkewResult, detect_orientation, detect_skew

logger = logging.getLogger(__name__)

PIPELINE_VERSION = "1.0"


def _software_version() -> str:
    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "?"

    return (
        f"archive-imaging {PIPELINE_VERSION} (opencv {cv2.__version__}, numpy {np.__version__}, "
        f"pillow {version('pillow')})"
    )


SOFTWARE_VERSION = _software_version()


@dataclass
class PageResult:
    """What happened to one page; ``data`` is the encoded derivative (None when rejected or failed)."""

    status: str  # "ok", "flagged", "rejected" or "error"
    reason: str = ""
    data: bytes | None = None
    fmt: str = "jpeg"
    quality: int | None = None  # JPEG quality used; None for TIFF
    sha256: str = ""  # of data, for the digitization metadata
    size_bytes: int = 0
    width: int = 0
    height: int = 0
    dpi: float | None = None
    dpi_source: str = ""
    colour_mode: str = ""
    skew_deg: float | None = None  # skew removed, on top of rotation_deg; None when not measured
    rotation_deg: int = 0  # quarter turn removed (content was turned this far CCW)
    confidence: float = 0.0  # of the skew, 0..1
    orientation_confidence: float = 0.0
    crop_quad: list[list[float]] = field(default_factory=list)  # TL, TR, BR, BL on the input as displayed
    padding: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # left, top, right, bottom (pad_to)
    source_width: int = 0
    source_height: int = 0
    source_format: str = ""
    source_mode: str = ""
    exif_orientation: int = 1
    manual: bool = False
    software: str = SOFTWARE_VERSION


@dataclass
class Placement:
    """Where the upright page lies on the scan, and how sure we are."""

    frame: PageFrame
    skew: SkewResult
    orientation: OrientationResult
    flags: list[str]
    fill: tuple[int, ...]  # the paper's colour, for corners the scan does not cover


@dataclass
class ProcessedPixels:
    pixels: np.ndarray
    frame: PageFrame
    skew: SkewResult
    orientation: OrientationResult
    flags: list[str]


def process_page(
    data: bytes,
    *,
    dpi_hint: float | None = None,
    jpeg_quality: int = 85,
    fmt: str = "jpeg",
    angle_deg: float | None = None,
    rotation_deg: int | None = None,
    crop_quad: list | np.ndarray | None = None,
    crop: bool = True,
    margin_mm: float = DEFAULT_MARGIN_MM,
    interpolation: Interpolation = "cubic",
    max_pixels: int = DEFAULT_MAX_PIXELS,
    pad_to: tuple[int, int] | None = None,
) -> PageResult:
    """Turn an original scan into its archive derivative. Never raises: failures come back as a status.

    Manual overrides for re-processing by hand: ``rotation_deg`` (0/90/180/270 the content is turned),
    ``angle_deg`` (skew on top of that), or ``crop_quad`` (TL, TR, BR, BL on the input as displayed,
    which fixes rotation, skew and crop at once, e.g. the ``crop_quad`` of an earlier result, adjusted).
    ``pad_to`` (width, height) centres the page on a canvas of its paper colour, to give the pages of
    one item one size (see normalize.plan_item_sizes).
    """
    try:
        loaded = load_image(data, max_pixels=max_pixels, dpi_hint=dpi_hint)
    except ImageRejected as exc:
        return PageResult(status="rejected", reason=exc.reason, fmt=fmt)
    except MemoryError:
        return PageResult(status="rejected", reason=reasons.OUT_OF_MEMORY, fmt=fmt)
    return process_loaded(
        loaded,
        jpeg_quality=jpeg_quality,
        fmt=fmt,
        angle_deg=angle_deg,
        rotation_deg=rotation_deg,
        crop_quad=crop_quad,
        crop=crop,
        margin_mm=margin_mm,
        interpolation=interpolation,
        pad_to=pad_to,
    )


def process_loaded(
    loaded: LoadedImage,
    *,
    jpeg_quality: int = 85,
    fmt: str = "jpeg",
    angle_deg: float | None = None,
    rotation_deg: int | None = None,
    crop_quad: list | np.ndarray | None = None,
    crop: bool = True,
    margin_mm: float = DEFAULT_MARGIN_MM,
    interpolation: Interpolation = "cubic",
    pad_to: tuple[int, int] | None = None,
) -> PageResult:
    """process_page for an image already decoded (e.g. a stitched pair)."""
    result = PageResult(
        status="error",
        fmt=fmt,
        quality=jpeg_quality if fmt.lower() in ("jpeg", "jpg") else None,
        dpi=loaded.dpi,
        dpi_source=loaded.dpi_source,
        colour_mode=str(loaded.colour_mode),
        source_width=loaded.width,
        source_height=loaded.height,
        source_format=loaded.source_format,
        source_mode=loaded.source_mode,
        exif_orientation=loaded.exif_orientation,
        manual=any(v is not None for v in (angle_deg, rotation_deg, crop_quad)),
    )
    try:
        # Colour JPEGs are warped as luma and half-size chroma, sharing the analysis' first halving.
        planar = fmt.lower() in ("jpeg", "jpg") and loaded.colour_mode == ColourMode.COLOUR
        half = halve(loaded.pixels) if planar else None
        placed = place_page(
            loaded.pixels,
            half=half,
            dpi=loaded.dpi,
            valid=loaded.valid,
            angle_deg=angle_deg,
            rotation_deg=rotation_deg,
            crop_quad=crop_quad,
            crop=crop,
            margin_mm=margin_mm,
        )
        result.data, (width, height), result.padding = _render(
            loaded, placed, half, fmt=fmt, quality=jpeg_quality, interpolation=interpolation, pad_to=pad_to
        )
    except Exception as exc:
        # A worker must survive any single page; the reason goes to the operator, the trace to the log.
        logger.exception("image processing failed")
        result.reason = reasons.PROCESSING_FAILED.format(detail=f"{type(exc).__name__}: {exc}")
        return result
    result.sha256 = hashlib.sha256(result.data).hexdigest()
    result.size_bytes = len(result.data)
    result.height, result.width = height, width
    # Full precision: re-rendering from this quad (e.g. when padding for the ZIP) gives the same pixels.
    result.crop_quad = [[float(x), float(y)] for x, y in placed.frame.quad()]
    result.rotation_deg = placed.orientation.rotation_deg
    skew_measured = not placed.skew.flagged
    result.skew_deg = round(float(placed.skew.angle_deg), 4) if skew_measured else None
    result.confidence = round(placed.skew.confidence, 3)
    result.orientation_confidence = round(placed.orientation.confidence, 3)
    result.status = "flagged" if placed.flags else "ok"
    result.reason = reasons.REASON_SEPARATOR.join(placed.flags)
    return result


def _render(
    loaded: LoadedImage,
    placed: Placement,
    half: np.ndarray | None,
    *,
    fmt: str,
    quality: int,
    interpolation: Interpolation,
    pad_to: tuple[int, int] | None,
) -> tuple[bytes, tuple[int, int], list[int]]:
    """The one warp from the scan to the derivative, padded if asked, encoded: (data, size, padding)."""
    fill, padding = placed.fill, [0, 0, 0, 0]
    if half is not None:
        planes = warp_frame_planes(
            loaded.pixels, placed.frame, fill=fill, interpolation=interpolation, half=half
        )
        if pad_to is not None:
            padding = padding_of(planes.shape[::-1], pad_to, unit=JPEG_MCU)
            planes = pad_planes(planes, pad_to)
        data = encode_jpeg_planes(planes, quality=quality, dpi=loaded.dpi, icc_profile=loaded.icc_profile)
        return data, planes.shape[::-1], padding
    bitonal = loaded.colour_mode == ColourMode.BITONAL
    pixels = warp_frame(loaded.pixels, placed.frame, fill=fill, interpolation=interpolation, bitonal=bitonal)
    # JPEG codes 8x8 or 16x16 blocks: whole units keep the page's own blocks as they were inspected.
    unit = JPEG_MCU if fmt.lower() in ("jpeg", "jpg") else 1
    if pad_to is not None:
        padding = padding_of(pixels.shape[1::-1], pad_to, unit=unit)
        pixels = pad_image(pixels, pad_to, unit=unit)
    data = encode_image(
        pixels,
        fmt=fmt,
        quality=quality,
        dpi=loaded.dpi,
        colour_mode=loaded.colour_mode,
        icc_profile=loaded.icc_profile,
    )
    return data, pixels.shape[1::-1], padding


def straighten(
    pixels: np.ndarray,
    *,
    dpi: float,
    colour_mode: ColourMode = ColourMode.COLOUR,
    valid: np.ndarray | None = None,
    angle_deg: float | None = None,
    rotation_deg: int | None = None,
    crop_quad: list | np.ndarray | None = None,
    crop: bool = True,
    margin_mm: float = DEFAULT_MARGIN_MM,
    interpolation: Interpolation = "cubic",
) -> ProcessedPixels:
    """Orientation, deskew and crop on arrays, in one interpolation pass."""
    placed = place_page(
        pixels,
        dpi=dpi,
        valid=valid,
        angle_deg=angle_deg,
        rotation_deg=rotation_deg,
        crop_quad=crop_quad,
        crop=crop,
        margin_mm=margin_mm,
    )
    out = warp_frame(
        pixels,
        placed.frame,
        fill=placed.fill,
        interpolation=interpolation,
        bitonal=colour_mode == ColourMode.BITONAL,
    )
    return ProcessedPixels(out, placed.frame, placed.skew, placed.orientation, placed.flags)


def place_page(
    pixels: np.ndarray,
    *,
    dpi: float,
    valid: np.ndarray | None = None,
    angle_deg: float | None = None,
    rotation_deg: int | None = None,
    crop_quad: list | np.ndarray | None = None,
    crop: bool = True,
    margin_mm: float = DEFAULT_MARGIN_MM,
    half: np.ndarray | None = None,
) -> Placement:
    """Measure orientation, skew and paper (or take them from the overrides) without touching pixels.

    ``half`` is ``halve(pixels)`` when the caller has already made it.
    """
    page = analyse_page(pixels, dpi, valid, half=half)
    flags: list[str] = []
    if crop_quad is not None:
        frame = PageFrame.from_quad(crop_quad)
        quarter = round(frame.angle_deg / 90.0) * 90
        skew = SkewResult(frame.angle_deg - quarter, 1.0, False, "manual crop")
        orientation = OrientationResult(quarter % 360, 1.0, False, "manual crop")
    else:
        skew = (
            SkewResult(angle_deg, 1.0, False, "manual angle") if angle_deg is not None else detect_skew(page)
        )
        if rotation_deg is not None:
            if rotation_deg % 90:
                raise ValueError(f"rotation must be 0, 90, 180 or 270 degrees, not {rotation_deg}")
            orientation = OrientationResult(int(rotation_deg) % 360, 1.0, False, "manual rotation")
        else:
            orientation = detect_orientation(page, skew=skew)
        # The skew is measured against the nearest image axis, so it adds to any quarter turn.
        total = orientation.rotation_deg + skew.angle_deg
        if crop:
            paper = find_paper(page, dpi, angle_deg=total, margin_mm=margin_mm)
            frame = paper.frame
            if not paper.found:
                flags.append(paper.reason)
        else:
            frame = PageFrame.whole(pixels.shape[1], pixels.shape[0], total)
    for verdict in (skew, orientation):
        if verdict.flagged and verdict.reason not in flags:
            flags.append(verdict.reason)
    return Placement(frame, skew, orientation, flags, page.paper_colour)
