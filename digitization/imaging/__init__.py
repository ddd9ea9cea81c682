"""Archive image processing (图像处理): pure functions on bytes and numpy arrays, no Django, no Celery.

Arrays are RGB ``uint8 (H, W, 3)`` for colour, ``uint8 (H, W)`` for grey and bitonal (0/255).
Angles are degrees, counter-clockwise positive as displayed (y down); straightening rotates by minus
the angle. Quads are four ``[x, y]`` corners TL, TR, BR, BL in input pixels as displayed (after EXIF
orientation), pixel-edge coordinates (the whole W x H image is (0, 0)-(W, H)).

Public API (stable; the Celery tasks call ``process_page`` and ``stitch_pair``):

Files
    load_image(data, *, max_pixels=150_000_000, dpi_hint=None, min_side=100) -> LoadedImage
        Raises ImageRejected(reason) for truncated, unreadable, multi-page, tiny or oversized files.
        CMYK (via its ICC profile when present), 16-bit, palette and alpha are converted to 8 bits.
    encode_image(image, *, fmt="jpeg"|"tiff", quality=85, dpi, colour_mode=None, icc_profile=None) -> bytes

One page
    process_page(data, *, dpi_hint=None, jpeg_quality=85, fmt="jpeg", angle_deg=None,
                 rotation_deg=None, crop_quad=None, crop=True, margin_mm=2.5,
                 interpolation="cubic", max_pixels=...) -> PageResult
        Never raises. PageResult.status is "ok", "flagged" (processed conservatively, needs a look),
        "rejected" (bad input) or "error" (unexpected failure); ``reason`` says why.
    process_loaded(loaded, **same options) -> PageResult        (for stitched or pre-decoded images)
    straighten(pixels, *, dpi, ...) -> ProcessedPixels           (arrays only, no encoding)

Steps
    analyse_page(pixels, dpi, valid=None) -> PageAnalysis   shared measurements; pass it on to reuse
    detect_skew(image_or_analysis, *, dpi=300) -> SkewResult(angle_deg, confidence, flagged, reason, axis_deg)
    detect_orientation(image_or_analysis, *, dpi=300, skew=None) -> OrientationResult(rotation_deg, ...)
    deskew(image, skew_or_angle, *, dpi=300, fill=None, interpolation="cubic") -> ndarray  (same size)
    find_paper(image_or_analysis, dpi=300, *, angle_deg=None, margin_mm=2.5) -> PaperCrop(frame, quad, ...)
    crop_to_paper(image, crop, *, fill=None, interpolation="cubic") -> ndarray
    stitch_pair(a, b, *, dpi=300, ...) -> StitchResult(image, b_to_a, inliers, ...)
        Raises StitchRefused(reason) when the halves cannot be joined with confidence.
    normalize_item_pages(images, dpis, *, ...) -> list[NormalizedPage]

SOFTWARE_VERSION names this code and the library versions, for the digitization metadata.
"""

from .analysis import PageAnalysis, analyse_page
from .codec import DEFAULT_MAX_PIXELS, ColourMode, ImageRejected, LoadedImage, encode_image, load_image
from .crop import DEFAULT_MARGIN_MM, PaperCrop, crop_to_paper, find_paper
from .deskew import OrientationResult, SkewResult, deskew, detect_orientation, detect_skew
from .geometry import PageFrame
from .normalize import NormalizedPage, normalize_item_pages
from .pipeline import SOFTWARE_VERSION, PageResult, ProcessedPixels, process_loaded, process_page, straighten
from .stitch import StitchRefused, StitchResult, stitch_pair

__all__ = [
    "DEFAULT_MARGIN_MM",
    "DEFAULT_MAX_PIXELS",
    "SOFTWARE_VERSION",
    "ColourMode",
    "ImageRejected",
    "LoadedImage",
    "NormalizedPage",
    "OrientationResult",
    "PageAnalysis",
    "PageFrame",
    "PageResult",
    "PaperCrop",
    "ProcessedPixels",
    "SkewResult",
    "StitchRefused",
    "StitchResult",
    "analyse_page",
    "crop_to_paper",
    "deskew",
    "detect_orientation",
    "detect_skew",
    "encode_image",
    "find_paper",
    "load_image",
    "normalize_item_pages",
    "process_loaded",
    "process_page",
    "stitch_pair",
    "straighten",
]
