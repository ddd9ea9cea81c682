"""Archive image processing (图像处理): pure functions on bytes and numpy arrays, no Django, no Celery.

Conventions
    Arrays are RGB ``uint8 (H, W, 3)`` for colour, ``uint8 (H, W)`` for grey and bitonal (0/255).
    Angles are degrees, counter-clockwise positive as displayed (y down); straightening rotates by minus
    the angle. Quads are four ``[x, y]`` corners TL, TR, BR, BL of the output, placed on the input as
    displayed (after EXIF orientation), in pixel-edge coordinates (a W x H image spans (0, 0)-(W, H)).
    Bad input raises ImageRejected / StitchRefused, each with a plain-English ``reason`` made from a
    template in reasons.py, so that the web app can word it in Chinese.

One page (the Celery task calls this; it never raises)
    process_page(data, *, dpi_hint=None, jpeg_quality=85, fmt="jpeg"|"tiff", angle_deg=None,
                 rotation_deg=None, crop_quad=None, crop=True, margin_mm=2.5,
                 interpolation="cubic"|"linear"|"lanczos", max_pixels=150_000_000, pad_to=None)
        -> PageResult
        PageResult: status "ok" | "flagged" (processed conservatively, needs a look) | "rejected" (bad
        input) | "error" (unexpected failure), reason, data (derivative bytes), fmt, width, height, dpi,
        dpi_source, colour_mode, skew_deg (None when not measured), rotation_deg (0/90/180/270),
        confidence, orientation_confidence, crop_quad, sha256, size_bytes, source_* facts,
        exif_orientation, manual, software (SOFTWARE_VERSION).
        Overrides for re-processing by hand: rotation_deg, angle_deg, or crop_quad (which fixes turn,
        skew and crop at once; an earlier result's crop_quad reproduces that result).
    process_loaded(loaded: LoadedImage, **same options) -> PageResult    e.g. for a stitched pair
    straighten(pixels, *, dpi, ...) -> ProcessedPixels(pixels, frame, skew, orientation, flags)

Two halves of an oversized page (the Celery task calls this)
    stitch_pair(a, b, *, dpi=300, min_inliers=30, max_scale_error=0.015, b_to_a=None) -> StitchResult
        StitchResult: image (canvas), valid (mask of covered canvas), b_to_a (3x3, b pixels to a pixels,
        pixel-edge coordinates), a_offset, inliers, matches, scale, rotation_deg, overlap_mm.
        Raises StitchRefused(reason). Process the result with process_loaded(LoadedImage(..., valid=...)),
        or use stitch_scans(data_a, data_b, ...) from pairs.py, which does both. Matching is seeded, so
        the same halves join the same way; a stored b_to_a re-joins them exactly without matching.

Files
    load_image(data, *, max_pixels=150_000_000, dpi_hint=None, min_side=100) -> LoadedImage
        LoadedImage: pixels, dpi, dpi_source, colour_mode, source_format, source_mode,
        exif_orientation, icc_profile, valid. Truncated, unreadable, multi-page, tiny and oversized
        files are rejected; CMYK (through its ICC profile when present), 16-bit, palette and alpha are
        converted to 8 bits per channel; EXIF orientation is applied.
    encode_image(image, *, fmt="jpeg"|"tiff", quality=85, dpi=300, colour_mode=None, icc_profile=None)
        -> bytes, with the DPI written into the file; bitonal becomes Group 4 TIFF (or grey JPEG).

Steps, each usable alone (pass a PageAnalysis to share the measuring between them)
    analyse_page(pixels, dpi, valid=None) -> PageAnalysis
    detect_skew(image_or_analysis, *, dpi=300) -> SkewResult(angle_deg, confidence, flagged, reason, axis_deg)
    detect_orientation(image_or_analysis, *, dpi=300, skew=None)
        -> OrientationResult(rotation_deg, confidence, flagged, reason)
    deskew(image, skew_or_angle, *, dpi=300, fill=None, interpolation="cubic") -> ndarray (same size)
    find_paper(image_or_analysis, dpi=300, *, angle_deg=None, margin_mm=2.5)
        -> PaperCrop(frame, paper_quad, cut_sides, paper_colour, found, reason); .quad is the crop
    crop_to_paper(image, crop, *, fill=None, interpolation="cubic", bitonal=False) -> ndarray
    normalize_item_pages(images, dpis, *, target_dpi=None, same_size_mm=6.0)
        -> list[NormalizedPage(image, dpi, offset, scale, group)]
    plan_item_sizes(sizes, dpis, *, same_size_mm=6.0) -> the (width, height) each page should have;
        process_page(..., pad_to=size) then centres a page on its paper colour (PageResult.padding).

SOFTWARE_VERSION names this code and its library versions, for the digitization metadata (DOMAIN §4).
"""

from . import reasons
from .analysis import PageAnalysis, analyse_page
from .codec import DEFAULT_MAX_PIXELS, ColourMode, ImageRejected, LoadedImage, encode_image, load_image
from .crop import DEFAULT_MARGIN_MM, PaperCrop, crop_to_paper, find_paper
from .geometry import PageFrame
from .normalize import NormalizedPage, normalize_item_pages, plan_item_sizes
from .pairs import stitch_scans
from .pipeline import SOFTWARE_VERSION, PageResult, ProcessedPixels, process_loaded, process_page, straighten
from .skew import OrientationResult, SkewResult, deskew, detect_orientation, detect_skew
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
    "plan_item_sizes",
    "process_loaded",
    "process_page",
    "reasons",
    "stitch_pair",
    "stitch_scans",
    "straighten",
]
