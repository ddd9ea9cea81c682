"""Skew and orientation: which way the text lines run, and how to turn the page straight.

Angles are counter-clockwise positive as displayed (image y axis pointing down), the convention of
``cv2.getRotationMatrix2D``. A page whose lines rise to the right has a positive angle; straightening
rotates it by minus that angle.

Skew comes from projection profiles: ink is projected across candidate line directions and the
direction with the most peaked profile (sum of squares) wins. Text lines, table rules and headings all
sharpen the same profile. The search runs coarse to fine on small copies (~37 then ~75 dpi), and a
parabola through the best three scores places the peak between grid steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import reasons
from .analysis import DARK_PAPER_LEVEL, InkPoints, PageAnalysis, analyse_page
from .geometry import Interpolation, PageFrame, warp_frame

MAX_SKEW_DEG = 15.0
SEARCH_DEG = 20.0  # searched either side of each axis, so a page at 16 degrees is seen, not clipped
BLANK_INK_MM2 = 15.0  # less ink than half a typed line: a blank page with specks
MIN_INK_MM2 = 120.0  # about three and a half typed lines: below this a page is "nearly blank"
MIN_EXCESS = 0.25  # text lines give 1 or more; pictures and stains stay near 0
# Orientation votes run from -1 (upside down) to +1 (upright). Turning an upright page over is the worse
# mistake, so a half turn needs a clearer vote than choosing between two sideways readings.
FLIP_VOTE = 0.45
SIDEWAYS_VOTE = 0.3
ASCENDER_WEIGHT = 0.5  # the ascender cue only exists for Latin script; the margin cue counts double


@dataclass(frozen=True)
class SkewResult:
    angle_deg: float  # skew to remove; 0.0 when flagged for lack of a clear answer
    confidence: float  # 0..1
    flagged: bool
    reason: str
    axis_deg: int = 0  # 0 when the lines run across the image, 90 when they run up and down


@dataclass(frozen=True)
class OrientationResult:
    rotation_deg: int  # 0, 90, 180 or 270: how far (CCW) the content is turned; undo with -rotation_deg
    confidence: float  # strength of the text's vote, 0..1; 0 when nothing tells (assumed upright)
    flagged: bool
    reason: str


def detect_skew(image: np.ndarray | PageAnalysis, *, dpi: float = 300.0) -> SkewResult:
    """Measure the tilt of the text lines, within +-15 degrees of the nearest image axis."""
    page = image if isinstance(image, PageAnalysis) else analyse_page(image, dpi)
    if page.paper_fraction < 0.05 or page.paper_level < DARK_PAPER_LEVEL:
        return SkewResult(0.0, 0.0, True, reasons.NO_PAPER)
    if page.paper_like < 0.5:
        return SkewResult(0.0, 0.0, True, reasons.PHOTOGRAPH)
    if page.ink_mm2 < BLANK_INK_MM2 or len(page.coarse_points) < 50:
        return SkewResult(0.0, 0.0, True, reasons.BLANK_PAGE)
    families = [_search_family(page.coarse_points, axis) for axis in (0, 90)]
    best = max(families, key=lambda fam: fam.excess)
    angle = _refine(page.fine_points, best.angle, 0.6, 0.2)
    angle = _refine(page.fine_points, angle, 0.1, 0.05)
    skew = angle - best.axis
    confidence = _confidence(best.excess, page.ink_mm2)
    if best.excess < MIN_EXCESS:
        return SkewResult(0.0, confidence, True, reasons.NO_CLEAR_LINES, best.axis)
    if page.ink_mm2 < MIN_INK_MM2:
        return SkewResult(0.0, confidence, True, reasons.NEARLY_BLANK, best.axis)
    if abs(skew) > MAX_SKEW_DEG:
        reason = reasons.TOO_TILTED.format(angle=skew, limit=MAX_SKEW_DEG)
        return SkewResult(0.0, confidence, True, reason, best.axis)
    return SkewResult(float(skew), confidence, False, "", best.axis)


@dataclass(frozen=True)
class _Family:
    axis: int
    angle: float
    excess: float  # how far the best profile stands above a typical direction (0 = no structure)
    scores: np.ndarray


def _search_family(points: InkPoints, axis: int) -> _Family:
    angles = np.arange(axis - SEARCH_DEG, axis + SEARCH_DEG + 0.5, 1.0)
    scores = np.array([points.score(a) for a in angles])
    best = int(np.argmax(scores))
    angle = float(angles[best]) + _parabola_offset(scores, best) * 1.0
    excess = float(scores[best] / max(np.median(scores), 1e-9) - 1.0)
    return _Family(axis, angle, excess, scores)


def _refine(points: InkPoints, centre: float, half_width: float, step: float) -> float:
    angles = np.arange(centre - half_width, centre + half_width + step / 2, step)
    scores = np.array([points.score(a) for a in angles])
    best = int(np.argmax(scores))
    return float(angles[best]) + _parabola_offset(scores, best) * step


def _parabola_offset(scores: np.ndarray, best: int) -> float:
    if best == 0 or best == len(scores) - 1:
        return 0.0
    left, mid, right = scores[best - 1 : best + 2]
    curvature = left - 2 * mid + right
    return float(0.5 * (left - right) / curvature) if curvature < 0 else 0.0


def _confidence(excess: float, ink_mm2: float) -> float:
    # A page of text reaches an excess near 1 and thousands of mm2 of ink; saturate well below that.
    return float(np.clip(excess / (2 * MIN_EXCESS), 0, 1) * np.clip(ink_mm2 / (2 * MIN_INK_MM2), 0, 1))


def detect_orientation(
    image: np.ndarray | PageAnalysis, *, dpi: float = 300.0, skew: SkewResult | None = None
) -> OrientationResult:
    """Tell upright from turned (90/180/270) pages by how text lines end and how letters sit on them.

    Pages are assumed upright unless the text says otherwise; a sideways page whose reading direction
    is unclear, or a page that looks upside down without enough certainty, is flagged, not turned.
    """
    page = image if isinstance(image, PageAnalysis) else analyse_page(image, dpi)
    skew = skew or detect_skew(page)
    if skew.flagged:
        # Without measured lines there is nothing to judge by; the skew verdict already flags the page.
        return OrientationResult(0, 0.0, False, "no text lines to judge orientation by")
    ascender, margin, lines = _upright_cues(page, skew.axis_deg + skew.angle_deg)
    vote = float(np.clip(ASCENDER_WEIGHT * ascender + margin, -1, 1)) if lines >= 4 else 0.0
    if skew.axis_deg == 90:
        if abs(vote) < SIDEWAYS_VOTE:
            return OrientationResult(0, abs(vote), True, reasons.SIDEWAYS)
        return OrientationResult(90 if vote > 0 else 270, abs(vote), False, "")
    if vote <= -FLIP_VOTE:
        return OrientationResult(180, abs(vote), False, "")
    if vote < -FLIP_VOTE / 3:
        return OrientationResult(0, abs(vote), True, reasons.MAYBE_UPSIDE_DOWN)
    return OrientationResult(0, max(vote, 0.0), False, "")


def _upright_cues(page: PageAnalysis, turn_deg: float) -> tuple[float, float, int]:
    """Evidence (-1..1 each) that the page is upright when turned back by turn_deg, or upside down.

    Two cues from how documents are written: (1) Latin script has far more ascenders than descenders,
    so each line carries more ink above its dense x-height band than below it; (2) lines start at one
    left margin and end ragged on the right. Chinese gives no ascender signal; the margin cue still holds.
    """
    points = page.fine_points
    rad = np.deg2rad(turn_deg)
    across = points.x * np.float32(np.sin(rad)) + points.y * np.float32(np.cos(rad))
    along = points.x * np.float32(np.cos(rad)) - points.y * np.float32(np.sin(rad))
    across -= across.min()
    rows = across.astype(np.intp)
    profile = np.bincount(rows, points.weight)
    # Lines are runs of rows with ink, split at the (nearly) empty rows between them. The reference is
    # a typical inked row, not the peak, so heavy table rules do not swallow the sparse ascender rows.
    typical = np.percentile(profile[profile > 0], 75)
    inside = profile > 0.05 * typical
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(np.int8), [0]])))
    starts, ends = edges[::2], edges[1::2]
    ascender = _ascender_vote(profile, starts, ends)
    band_of_row = np.full(len(profile), -1)
    for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
        band_of_row[start:end] = number
    band = band_of_row[rows]
    keep = band >= 0
    order = np.argsort(band[keep], kind="stable")
    sorted_band, sorted_along = band[keep][order], along[keep][order]
    if len(sorted_band) == 0:
        return ascender, 0.0, 0
    first = np.flatnonzero(np.diff(np.concatenate([[-1], sorted_band])))
    lefts = np.minimum.reduceat(sorted_along, first)
    rights = np.maximum.reduceat(sorted_along, first)
    long_enough = rights - lefts >= page.mm(40.0)  # page numbers and specks are not lines
    lefts, rights = lefts[long_enough], rights[long_enough]
    if len(lefts) < 4:
        return ascender, 0.0, len(lefts)
    tolerance = page.mm(1.0)
    align = _aligned_share(lefts, tolerance) - _aligned_share(rights, tolerance)
    return ascender, align, len(lefts)


def _ascender_vote(profile: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> float:
    """Per line, ink above the dense core minus ink below it; a t-like score over all lines, -1..1."""
    leans = []
    for start, end in zip(starts, ends, strict=True):
        segment = profile[start:end]
        if len(segment) < 4:
            continue  # a rule or a speck, not a line of letters
        core = np.flatnonzero(segment >= 0.5 * segment.max())
        above, below = segment[: core[0]].sum(), segment[core[-1] + 1 :].sum()
        if above + below > 0:
            leans.append((above - below) / (above + below))
    if len(leans) < 4:
        return 0.0
    spread = float(np.std(leans)) / np.sqrt(len(leans))
    return float(np.clip(np.mean(leans) / max(spread, 1e-6) / 6.0, -1, 1))


def _aligned_share(ends: np.ndarray, tolerance: float) -> float:
    """Largest share of line ends that fall within +-tolerance of one position."""
    ends = np.sort(ends)
    within = np.searchsorted(ends, ends + 2 * tolerance, side="right") - np.arange(len(ends))
    return float(within.max()) / len(ends)


def deskew(
    image: np.ndarray,
    skew_or_angle: SkewResult | float,
    *,
    dpi: float = 300.0,
    fill: tuple[int, ...] | None = None,
    interpolation: Interpolation = "cubic",
) -> np.ndarray:
    """Rotate by minus the skew about the centre, same size; new corners get the paper's colour."""
    angle = skew_or_angle.angle_deg if isinstance(skew_or_angle, SkewResult) else float(skew_or_angle)
    if fill is None:
        fill = analyse_page(image, dpi).paper_colour
    frame = PageFrame.whole(image.shape[1], image.shape[0], angle)
    return warp_frame(image, frame, fill=fill, interpolation=interpolation)
