"""Joining two partial scans of an oversized page (拼接) into one image without a visible seam.

Features: SIFT on ~75 dpi copies, restricted to the band along the side where each half's paper runs
off the scan (found from the lid), matched with Lowe's ratio test. Geometry: a similarity (rotation,
shift, scale) fitted with RANSAC; both halves come from one scanner at one resolution, so the scale
must be 1. The join follows the cheapest path through the overlap (where the halves agree and there
is no ink), so a residual sub-pixel misfit never doubles a stroke. cv2.Stitcher is not used: it fails
on text-dense flatbed halves and hides why.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from . import reasons
from .analysis import analyse_page, median_uint8, to_grey

MIN_INLIERS = 30
MAX_SCALE_ERROR = 0.015  # 1.5%: more means the halves were scanned at different resolutions
MIN_OVERLAP_MM = 8.0
MIN_AGREEMENT = 0.6  # correlation of the overlapping parts; true halves reach 0.9 and more
# Share of a half, along its open side, searched first. The two bands meet when the overlap is under
# BAND_SHARE / (1 - BAND_SHARE) of the page width (flatbed halves of A3 overlap less); else all is searched.
BAND_SHARE = 0.35
RATIO_TEST = 0.8
FEATURE_DPI = 75.0  # matching resolution: text strokes still resolved, SIFT stays well under a second


class StitchRefused(ValueError):
    """The halves cannot be joined with confidence; ``reason`` says why in plain English."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StitchResult:
    image: np.ndarray  # the joined page, on a canvas holding both halves
    valid: np.ndarray  # uint8, 255 where a half covers the canvas (the rest is filled with paper colour)
    b_to_a: np.ndarray  # 3x3, b pixels to a pixels (pixel-edge coordinates, as quads)
    a_offset: tuple[int, int]  # where a's top-left corner sits on the canvas
    inliers: int
    matches: int
    scale: float
    rotation_deg: float  # how far b is turned relative to a (CCW), e.g. ~180 for a half turned round
    overlap_mm: float


def stitch_pair(
    a: np.ndarray,
    b: np.ndarray,
    *,
    dpi: float = 300.0,
    min_inliers: int = MIN_INLIERS,
    max_scale_error: float = MAX_SCALE_ERROR,
    b_to_a: np.ndarray | None = None,
) -> StitchResult:
    """Join half b onto half a (a keeps its pixels); raise StitchRefused with a reason when unsure.

    ``b_to_a``, as an earlier StitchResult gave it, joins the halves exactly as then, without matching.
    """
    if a.ndim != b.ndim:
        raise StitchRefused(reasons.MIXED_COLOUR_MODES)
    if b_to_a is not None:
        return _rejoin(a, b, np.asarray(b_to_a, np.float64), _Half.of(a, dpi))
    page_a, page_b = _Half.of(a, dpi), _Half.of(b, dpi)
    scale = page_a.scale
    model, inliers, matches = _fit(page_a, page_b, BAND_SHARE)
    if inliers < min_inliers:
        model, inliers, matches = _fit(page_a, page_b, 1.0)
    if matches < 3:
        raise StitchRefused(reasons.NOTHING_TO_MATCH)
    if model is None or inliers < min_inliers:
        raise StitchRefused(reasons.TOO_FEW_MATCHES.format(inliers=inliers, needed=min_inliers))
    found_scale = float(np.sqrt(abs(np.linalg.det(model[:, :2]))))
    if abs(found_scale - 1.0) > max_scale_error:
        raise StitchRefused(reasons.SCALE_DIFFERS.format(percent=abs(found_scale - 1) * 100))
    b_to_a = _to_full(model, scale)
    overlap_mm, covered, agreement = _overlap(page_a, page_b, model)
    if covered > 0.9:
        raise StitchRefused(reasons.REPEATED_HALF)
    if overlap_mm < MIN_OVERLAP_MM:
        raise StitchRefused(reasons.OVERLAP_TOO_SMALL.format(overlap=overlap_mm, needed=MIN_OVERLAP_MM))
    if agreement < MIN_AGREEMENT:
        raise StitchRefused(reasons.OVERLAP_DISAGREES.format(agreement=agreement))
    image, valid, offset = _compose(a, b, b_to_a, page_a)
    rotation = float(np.degrees(np.arctan2(model[1, 0], model[0, 0])))  # b's content relative to a's
    return StitchResult(
        image=image,
        valid=valid,
        b_to_a=_centre_to_edge(b_to_a),
        a_offset=offset,
        inliers=inliers,
        matches=matches,
        scale=found_scale,
        rotation_deg=rotation,
        overlap_mm=overlap_mm,
    )


def _rejoin(a: np.ndarray, b: np.ndarray, b_to_a: np.ndarray, page_a: _Half) -> StitchResult:
    shift = np.array([[1.0, 0, 0.5], [0, 1.0, 0.5], [0, 0, 1]])
    image, valid, offset = _compose(a, b, np.linalg.inv(shift) @ b_to_a @ shift, page_a)
    return StitchResult(
        image=image,
        valid=valid,
        b_to_a=b_to_a,
        a_offset=offset,
        inliers=0,
        matches=0,
        scale=float(np.sqrt(abs(np.linalg.det(b_to_a[:2, :2])))),
        rotation_deg=float(np.degrees(np.arctan2(b_to_a[1, 0], b_to_a[0, 0]))),
        overlap_mm=0.0,
    )


@dataclass(frozen=True)
class _Half:
    """One half at the matching resolution: grey, where its paper is, and its paper's look."""

    grey: np.ndarray
    paper_mask: np.ndarray
    scale: int
    dpi: float
    paper_level: float
    paper_colour: tuple[int, ...]

    @classmethod
    def of(cls, image: np.ndarray, dpi: float) -> _Half:
        page = analyse_page(image, dpi)
        scale = max(1, round(dpi / FEATURE_DPI))
        grey = _reduce(to_grey(image), scale)
        paper = cv2.resize(page.paper_mask, grey.shape[::-1], interpolation=cv2.INTER_NEAREST)
        return cls(grey, paper, scale, dpi, page.paper_level, page.paper_colour)

    def mm(self, value: float) -> float:
        return value * self.dpi / self.scale / 25.4


def _fit(page_a: _Half, page_b: _Half, band: float) -> tuple[np.ndarray | None, int, int]:
    """Similarity from b to a (matching resolution) by RANSAC; with its inlier and match counts."""
    points_b, points_a = _match(page_a, page_b, band)
    if len(points_a) < 3:
        return None, 0, len(points_a)
    cv2.setRNGSeed(2859)  # RANSAC draws from OpenCV's generator: the same halves join the same way every time
    model, inlier_mask = cv2.estimateAffinePartial2D(
        points_b, points_a, method=cv2.RANSAC, ransacReprojThreshold=1.5, maxIters=5000, confidence=0.999
    )
    inliers = 0 if model is None or inlier_mask is None else int(inlier_mask.sum())
    return model, inliers, len(points_a)


def _feature_mask(page: _Half, share: float) -> np.ndarray:
    """Paper only (lid corners look alike on every scan), and only the band along the open side."""
    mask = page.paper_mask.copy()
    h, w = mask.shape
    open_sides = [side for side, edge in _edges(mask).items() if np.count_nonzero(edge) > 0.5 * edge.size]
    if len(open_sides) == 1 and share < 1.0:
        band = np.zeros_like(mask)
        depth_x, depth_y = int(share * w), int(share * h)
        side = open_sides[0]
        if side == "left":
            band[:, :depth_x] = 255
        elif side == "right":
            band[:, w - depth_x :] = 255
        elif side == "top":
            band[:depth_y] = 255
        else:
            band[h - depth_y :] = 255
        mask &= band
    return mask


def _edges(mask: np.ndarray) -> dict[str, np.ndarray]:
    return {"left": mask[:, 0], "right": mask[:, -1], "top": mask[0], "bottom": mask[-1]}


def _match(page_a: _Half, page_b: _Half, band: float) -> tuple[np.ndarray, np.ndarray]:
    keys_a, desc_a = _features(page_a, band)
    keys_b, desc_b = _features(page_b, band)
    if len(keys_a) < 2 or len(keys_b) < 2:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    matcher = cv2.FlannBasedMatcher({"algorithm": 1, "trees": 4}, {"checks": 64})
    pairs = matcher.knnMatch(desc_b, desc_a, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO_TEST * p[1].distance]
    points_b = keys_b[[m.queryIdx for m in good]].reshape(-1, 2)
    points_a = keys_a[[m.trainIdx for m in good]].reshape(-1, 2)
    return points_b, points_a


def _features(page: _Half, band: float) -> tuple[np.ndarray, np.ndarray | None]:
    """SIFT keypoint positions and descriptors; the image is cut to the band first (SIFT's pyramid
    costs the whole image it is given, whatever the mask)."""
    mask = _feature_mask(page, band)
    x, y, w, h = cv2.boundingRect(mask)
    if w == 0 or h == 0:
        return np.zeros((0, 2), np.float32), None
    # Precise upscaling removes SIFT's half-pixel bias, which would not cancel for a half turned round.
    sift = cv2.SIFT_create(enable_precise_upscale=True)
    keys, desc = sift.detectAndCompute(page.grey[y : y + h, x : x + w], mask[y : y + h, x : x + w])
    points = np.float32([k.pt for k in keys]).reshape(-1, 2) + np.float32([x, y])
    return points, desc


def _to_full(model: np.ndarray, scale: int) -> np.ndarray:
    """A model fitted on copies reduced by `scale` (area averaging) to full-resolution pixel centres."""
    return np.linalg.inv(_reduction(scale)) @ np.vstack([model, [0, 0, 1]]) @ _reduction(scale)


def _centre_to_edge(matrix: np.ndarray) -> np.ndarray:
    shift = np.array([[1.0, 0, 0.5], [0, 1.0, 0.5], [0, 0, 1]])
    return shift @ matrix @ np.linalg.inv(shift)


def _overlap(page_a: _Half, page_b: _Half, model: np.ndarray) -> tuple[float, float, float]:
    """Overlap width across the join (mm), share of b's paper lying on a's, and how alike they look there."""
    h, w = page_a.paper_mask.shape
    b_on_a = cv2.warpAffine(page_b.paper_mask, model, (w, h), flags=cv2.INTER_NEAREST)
    both = cv2.erode(cv2.bitwise_and(b_on_a, page_a.paper_mask), np.ones((3, 3), np.uint8))
    covered = np.count_nonzero(both) / max(1, np.count_nonzero(page_b.paper_mask))
    if np.count_nonzero(both) < 100:
        return 0.0, covered, 0.0
    _, _, bw, bh = cv2.boundingRect(both)
    grey_b = cv2.warpAffine(page_b.grey, model, (w, h), flags=cv2.INTER_LINEAR)
    inside = both > 0
    # Zero-mean correlation ignores the exposure difference between the two scans.
    va = page_a.grey[inside].astype(np.float32)
    vb = grey_b[inside].astype(np.float32)
    va -= va.mean()
    vb -= vb.mean()
    agreement = float(np.dot(va, vb) / max(np.sqrt(np.dot(va, va) * np.dot(vb, vb)), 1e-6))
    return min(bw, bh) / page_a.mm(1.0), covered, agreement


def _compose(
    a: np.ndarray, b: np.ndarray, b_to_a: np.ndarray, page_a: _Half
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Paste a by whole pixels, find the seam on small copies, then warp b (cubic) only where it is used."""
    ha, wa = a.shape[:2]
    hb, wb = b.shape[:2]
    corners_b = np.array([[-0.5, -0.5], [wb - 0.5, -0.5], [wb - 0.5, hb - 0.5], [-0.5, hb - 0.5]])
    placed = corners_b @ b_to_a[:2, :2].T + b_to_a[:2, 2]
    x0 = int(np.floor(min(0.0, placed[:, 0].min() + 0.5)))
    y0 = int(np.floor(min(0.0, placed[:, 1].min() + 0.5)))
    x1 = int(np.ceil(max(wa, placed[:, 0].max() + 0.5)))
    y1 = int(np.ceil(max(ha, placed[:, 1].max() + 0.5)))
    width, height = x1 - x0, y1 - y0
    fill = tuple(float(v) for v in (page_a.paper_colour if a.ndim == 3 else page_a.paper_colour[:1]))
    pad = (-y0, y1 - ha, -x0, x1 - wa)  # top, bottom, left, right
    canvas = cv2.copyMakeBorder(a, *pad, cv2.BORDER_CONSTANT, value=fill)
    covers_a = cv2.copyMakeBorder(np.full((ha, wa), 255, np.uint8), *pad, cv2.BORDER_CONSTANT, value=0)
    # Everything below happens inside b's bounding box on the canvas.
    bx0 = max(0, int(np.floor(placed[:, 0].min() + 0.5)) - x0)
    by0 = max(0, int(np.floor(placed[:, 1].min() + 0.5)) - y0)
    bx1 = min(width, int(np.ceil(placed[:, 0].max() + 0.5)) - x0)
    by1 = min(height, int(np.ceil(placed[:, 1].max() + 0.5)) - y0)
    roi = (slice(by0, by1), slice(bx0, bx1))
    to_roi = np.array([[1.0, 0, -x0 - bx0], [0, 1.0, -y0 - by0], [0, 0, 1]]) @ b_to_a
    covers_b = np.zeros((height, width), np.uint8)
    # b's footprint, one pixel inside its edge: the outermost pixels are part border after interpolation.
    inset = np.array([[0.5, 0.5], [wb - 1.5, 0.5], [wb - 1.5, hb - 1.5], [0.5, hb - 1.5]])
    footprint = inset @ to_roi[:2, :2].T + to_roi[:2, 2]
    cv2.fillConvexPoly(covers_b[roi], np.round(footprint * 16).astype(np.int32), 255, cv2.LINE_8, 4)

    scale = page_a.scale
    small_a = _reduce(canvas[roi], scale)
    small_model = _reduction(scale) @ to_roi @ np.linalg.inv(_reduction(scale))
    small_b = cv2.warpAffine(_reduce(b, scale), small_model[:2], small_a.shape[1::-1], borderValue=fill)
    has_a, has_b = _reduce(covers_a[roi], scale) == 255, _reduce(covers_b[roi], scale) == 255
    weight = _seam_weight(small_a, small_b, has_a, has_b, (bx1 - bx0, by1 - by0), scale, page_a.paper_level)
    covers_b[roi] &= cv2.inRange(weight, 1, 255)  # b counts as image only where it is used
    gains = _exposure_gains(small_a, small_b, has_a & has_b)
    # Warp b band by band, each only as wide as b is used there: the seam wanders, so one bounding
    # box would cover nearly all of b.
    for top in range(0, by1 - by0, 256):
        rows = slice(top, min(top + 256, by1 - by0))
        left, _, used_w, _ = cv2.boundingRect(covers_b[roi][rows])
        if used_w:
            _paste_b(
                canvas[roi][rows, left : left + used_w],
                weight[rows, left : left + used_w],
                b,
                to_roi,
                (left, top),
                fill,
                gains,
            )
    return canvas, cv2.bitwise_or(covers_a, covers_b), (-x0, -y0)


def _paste_b(
    target: np.ndarray,
    weight: np.ndarray,
    b: np.ndarray,
    to_roi: np.ndarray,
    origin: tuple[int, int],
    fill: tuple[float, ...],
    gains: tuple[float, ...] | None,
) -> None:
    """Warp b (cubic) onto one rectangle of the canvas and blend it in by its seam weight."""
    to_target = np.array([[1.0, 0, -origin[0]], [0, 1.0, -origin[1]], [0, 0, 1]]) @ to_roi
    height, width = weight.shape
    warped_b = cv2.warpAffine(b, to_target[:2], (width, height), flags=cv2.INTER_CUBIC, borderValue=fill)
    if gains is not None:
        warped_b = cv2.multiply(warped_b, (*gains, *(1.0,) * (4 - len(gains))))
    cv2.copyTo(warped_b, cv2.inRange(weight, 255, 255), target)
    soft = cv2.findNonZero(cv2.inRange(weight, 1, 254))
    if soft is not None:
        cols, rows = soft.reshape(-1, 2).T
        alpha = weight[rows, cols].astype(np.float32) / 255.0
        if b.ndim == 3:
            alpha = alpha[:, None]
        mixed = target[rows, cols] * (1 - alpha) + warped_b[rows, cols] * alpha
        target[rows, cols] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)


def _reduction(scale: int) -> np.ndarray:
    """Full-resolution pixel centres to those of a copy area-averaged by a whole factor."""
    return np.array([[1.0 / scale, 0, 0.5 / scale - 0.5], [0, 1.0 / scale, 0.5 / scale - 0.5], [0, 0, 1]])


def _reduce(image: np.ndarray, scale: int) -> np.ndarray:
    """Area-average by a whole factor; trimming the ragged edge keeps OpenCV on its fast path."""
    h, w = image.shape[:2]
    h, w = max(scale, h - h % scale), max(scale, w - w % scale)
    return cv2.resize(image[:h, :w], (w // scale, h // scale), interpolation=cv2.INTER_AREA)


def _exposure_gains(small_a: np.ndarray, small_b: np.ndarray, both: np.ndarray) -> tuple[float, ...] | None:
    """Per-channel gains that bring b's paper to a's in the overlap (two scans rarely expose alike)."""
    count = np.count_nonzero(both)
    if count < 200:
        return None
    sample_a, sample_b = small_a[both].reshape(count, -1), small_b[both].reshape(count, -1)
    luma = to_grey(small_a)[both]
    paper = luma >= median_uint8(luma)  # the brighter half of the overlap is paper, not ink
    gains = np.array(
        [
            median_uint8(sample_a[paper, c]) / max(median_uint8(sample_b[paper, c]), 1)
            for c in range(sample_a.shape[1])
        ]
    )
    if np.all(np.abs(gains - 1.0) < 0.005) or np.any(np.abs(gains - 1.0) > 0.25):
        return None
    return tuple(float(g) for g in gains)


def _seam_weight(
    small_a: np.ndarray,
    small_b: np.ndarray,
    has_a: np.ndarray,
    has_b: np.ndarray,
    size: tuple[int, int],
    scale: int,
    paper: float,
) -> np.ndarray:
    """Per pixel, how much comes from b (0..255): b's side of the cheapest path through the overlap.

    The path runs the whole length of the canvas, so slivers of b that stick out beside a (its tilted
    lid edges) stay on a's side and b is only ever needed beyond the seam.
    """
    both = has_a & has_b
    take_b = (has_b & ~has_a).astype(np.float32)
    if both.any():
        grey_a, grey_b = to_grey(small_a).astype(np.float32), to_grey(small_b).astype(np.float32)
        # Lines of text, and places where the halves disagree, are expensive to cut through.
        cost = np.abs(grey_a - grey_b) + 0.5 * np.clip(paper - np.minimum(grey_a, grey_b), 0, None)
        ys, xs = np.nonzero(both)
        vertical = (ys.max() - ys.min()) >= (xs.max() - xs.min())
        axis = 1 if vertical else 0
        only_a, only_b = has_a & ~has_b, has_b & ~has_a
        b_after = True
        if only_a.any() and only_b.any():
            b_after = np.argwhere(only_b)[:, axis].mean() > np.argwhere(only_a)[:, axis].mean()
        seam_cost = np.where(both, cost, 1e6)
        seam = _cheapest_path(seam_cost if vertical else seam_cost.T)
        positions = np.arange(both.shape[axis])
        after = positions[None, :] > seam[:, None] if vertical else positions[:, None] > seam[None, :]
        take_b = (has_b & (after if b_after else ~after)).astype(np.float32)
    # Upsampling the choice smooths it over a few pixels: a feathered, not a hard, join.
    small = np.round(take_b * 255).astype(np.uint8)
    up = cv2.resize(small, (small.shape[1] * scale, small.shape[0] * scale), interpolation=cv2.INTER_LINEAR)
    width, height = size
    return cv2.copyMakeBorder(up, 0, height - up.shape[0], 0, width - up.shape[1], cv2.BORDER_REPLICATE)


def _cheapest_path(cost: np.ndarray) -> np.ndarray:
    """Column per row of the top-to-bottom path with the least summed cost, moving at most 1 per row."""
    rows, cols = cost.shape
    total = cost[0].astype(np.float64)
    steps = np.zeros((rows, cols), np.int8)
    inf = np.array([np.inf])
    for r in range(1, rows):
        left = np.concatenate([inf, total[:-1]])
        right = np.concatenate([total[1:], inf])
        options = np.stack([left, total, right])
        choice = np.argmin(options, axis=0)
        steps[r] = choice - 1
        total = cost[r] + options[choice, np.arange(cols)]
    path = np.empty(rows, np.intp)
    path[-1] = int(np.argmin(total))
    for r in range(rows - 1, 0, -1):
        path[r - 1] = path[r] + steps[r, path[r]]
    return path
