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

from .analysis import analyse_page, to_grey

MIN_INLIERS = 30
MAX_SCALE_ERROR = 0.015  # 1.5%: more means the halves were scanned at different resolutions
MIN_OVERLAP_MM = 8.0
MIN_AGREEMENT = 0.6  # correlation of the overlapping parts; true halves reach 0.9 and more
BAND_SHARE = 0.35  # share of a half, along its open side, searched for features
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
) -> StitchResult:
    """Join half b onto half a (a keeps its pixels); raise StitchRefused with a reason when unsure."""
    if a.ndim != b.ndim:
        raise StitchRefused("one half is colour and the other grey: scan both halves the same way")
    page_a, page_b = _Half.of(a, dpi), _Half.of(b, dpi)
    scale = page_a.scale
    points_b, points_a, matches = _match(page_a, page_b)
    if len(points_a) < min_inliers:
        raise StitchRefused(f"only {len(points_a)} matching details between the halves (need {min_inliers})")
    model, inlier_mask = cv2.estimateAffinePartial2D(
        points_b, points_a, method=cv2.RANSAC, ransacReprojThreshold=1.5, maxIters=5000, confidence=0.999
    )
    inliers = 0 if inlier_mask is None else int(inlier_mask.sum())
    if model is None or inliers < min_inliers:
        raise StitchRefused(f"only {inliers} matching details agree on one placement (need {min_inliers})")
    found_scale = float(np.sqrt(abs(np.linalg.det(model[:, :2]))))
    if abs(found_scale - 1.0) > max_scale_error:
        raise StitchRefused(
            f"halves differ in scale by {abs(found_scale - 1) * 100:.1f}%: scanned at different dpi?"
        )
    b_to_a = _to_full(model, scale)
    overlap_mm, covered, agreement = _overlap(page_a, page_b, model)
    if covered > 0.9:
        raise StitchRefused("the second image repeats the first instead of continuing it")
    if overlap_mm < MIN_OVERLAP_MM:
        raise StitchRefused(f"halves overlap by only {overlap_mm:.0f} mm (need {MIN_OVERLAP_MM:.0f})")
    if agreement < MIN_AGREEMENT:
        raise StitchRefused(
            f"the halves do not show the same thing where they overlap (match {agreement:.2f})"
        )
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


def _feature_mask(page: _Half) -> np.ndarray:
    """Paper only (lid corners look alike on every scan), and only the band along the open side."""
    mask = page.paper_mask.copy()
    h, w = mask.shape
    open_sides = [side for side, edge in _edges(mask).items() if np.count_nonzero(edge) > 0.5 * edge.size]
    if len(open_sides) == 1:
        band = np.zeros_like(mask)
        depth_x, depth_y = int(BAND_SHARE * w), int(BAND_SHARE * h)
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


def _match(page_a: _Half, page_b: _Half) -> tuple[np.ndarray, np.ndarray, int]:
    # Precise upscaling removes SIFT's half-pixel bias, which would not cancel for a half turned round.
    sift = cv2.SIFT_create(enable_precise_upscale=True)
    keys_a, desc_a = sift.detectAndCompute(page_a.grey, _feature_mask(page_a))
    keys_b, desc_b = sift.detectAndCompute(page_b.grey, _feature_mask(page_b))
    if desc_a is None or desc_b is None or len(keys_a) < 2 or len(keys_b) < 2:
        raise StitchRefused("no detail to match near the join (blank halves?)")
    matcher = cv2.FlannBasedMatcher({"algorithm": 1, "trees": 4}, {"checks": 64})
    pairs = matcher.knnMatch(desc_b, desc_a, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO_TEST * p[1].distance]
    points_b = np.float32([keys_b[m.queryIdx].pt for m in good]).reshape(-1, 2)
    points_a = np.float32([keys_a[m.trainIdx].pt for m in good]).reshape(-1, 2)
    return points_b, points_a, len(good)


def _to_full(model: np.ndarray, scale: int) -> np.ndarray:
    """A model fitted on copies reduced by `scale` (area averaging) to full-resolution pixel centres."""
    reduce = np.array([[1.0 / scale, 0, 0.5 / scale - 0.5], [0, 1.0 / scale, 0.5 / scale - 0.5], [0, 0, 1]])
    return np.linalg.inv(reduce) @ np.vstack([model, [0, 0, 1]]) @ reduce


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
    """Paste a by whole pixels, warp b once (cubic) next to it, and join them along the cheapest seam."""
    ha, wa = a.shape[:2]
    hb, wb = b.shape[:2]
    corners_b = np.array([[-0.5, -0.5], [wb - 0.5, -0.5], [wb - 0.5, hb - 0.5], [-0.5, hb - 0.5]])
    placed = corners_b @ b_to_a[:2, :2].T + b_to_a[:2, 2]
    x0 = int(np.floor(min(0.0, placed[:, 0].min() + 0.5)))
    y0 = int(np.floor(min(0.0, placed[:, 1].min() + 0.5)))
    x1 = int(np.ceil(max(wa, placed[:, 0].max() + 0.5)))
    y1 = int(np.ceil(max(ha, placed[:, 1].max() + 0.5)))
    width, height = x1 - x0, y1 - y0
    fill = page_a.paper_colour if a.ndim == 3 else page_a.paper_colour[:1]
    canvas = np.empty((height, width, *a.shape[2:]), np.uint8)
    canvas[:] = np.array(fill, np.uint8)
    canvas[-y0 : -y0 + ha, -x0 : -x0 + wa] = a
    covers_a = np.zeros((height, width), np.uint8)
    covers_a[-y0 : -y0 + ha, -x0 : -x0 + wa] = 255
    # b is only warped over its own footprint on the canvas.
    bx0 = max(0, int(np.floor(placed[:, 0].min() + 0.5)) - x0)
    by0 = max(0, int(np.floor(placed[:, 1].min() + 0.5)) - y0)
    bx1 = min(width, int(np.ceil(placed[:, 0].max() + 0.5)) - x0)
    by1 = min(height, int(np.ceil(placed[:, 1].max() + 0.5)) - y0)
    to_roi = np.array([[1.0, 0, -x0 - bx0], [0, 1.0, -y0 - by0], [0, 0, 1]]) @ b_to_a
    roi_size = (bx1 - bx0, by1 - by0)
    border = tuple(float(v) for v in fill)
    warped_b = cv2.warpAffine(b, to_roi[:2], roi_size, flags=cv2.INTER_CUBIC, borderValue=border)
    covers_b = np.zeros((height, width), np.uint8)
    covers_b[by0:by1, bx0:bx1] = cv2.warpAffine(
        np.full((hb, wb), 255, np.uint8), to_roi[:2], roi_size, flags=cv2.INTER_NEAREST
    )
    roi = (slice(by0, by1), slice(bx0, bx1))
    scale = page_a.scale
    small_a, small_b = _reduce(canvas[roi], scale), _reduce(warped_b, scale)
    has_a, has_b = _reduce(covers_a[roi], scale) == 255, _reduce(covers_b[roi], scale) == 255
    weight = _seam_weight(small_a, small_b, has_a, has_b, roi_size, scale, page_a.paper_level)
    warped_b = _match_exposure(small_a, small_b, has_a & has_b, warped_b)
    target = canvas[roi]
    cv2.copyTo(warped_b, (weight == 255).astype(np.uint8), target)
    soft = np.nonzero((weight > 0) & (weight < 255))
    if len(soft[0]):
        alpha = weight[soft].astype(np.float32) / 255.0
        if a.ndim == 3:
            alpha = alpha[:, None]
        mixed = target[soft].astype(np.float32) * (1 - alpha) + warped_b[soft].astype(np.float32) * alpha
        target[soft] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    return canvas, cv2.bitwise_or(covers_a, covers_b), (-x0, -y0)


def _reduce(image: np.ndarray, scale: int) -> np.ndarray:
    """Area-average by a whole factor; trimming the ragged edge keeps OpenCV on its fast path."""
    h, w = image.shape[:2]
    h, w = max(scale, h - h % scale), max(scale, w - w % scale)
    return cv2.resize(image[:h, :w], (w // scale, h // scale), interpolation=cv2.INTER_AREA)


def _match_exposure(
    small_a: np.ndarray, small_b: np.ndarray, both: np.ndarray, warped_b: np.ndarray
) -> np.ndarray:
    """Scale b's channels so its paper matches a's in the overlap (two scans rarely expose alike)."""
    if np.count_nonzero(both) < 200:
        return warped_b
    sample_a = small_a[both].reshape(np.count_nonzero(both), -1).astype(np.float32)
    sample_b = small_b[both].reshape(np.count_nonzero(both), -1).astype(np.float32)
    bright = sample_a.mean(axis=1) >= np.percentile(sample_a.mean(axis=1), 50)  # paper, not ink
    gains = np.median(sample_a[bright], axis=0) / np.maximum(np.median(sample_b[bright], axis=0), 1.0)
    if np.all(np.abs(gains - 1.0) < 0.005) or np.any(np.abs(gains - 1.0) > 0.25):
        return warped_b
    return cv2.multiply(warped_b, tuple(float(g) for g in gains) + (1.0,) * (4 - len(gains)))


def _seam_weight(
    small_a: np.ndarray,
    small_b: np.ndarray,
    has_a: np.ndarray,
    has_b: np.ndarray,
    size: tuple[int, int],
    scale: int,
    paper: float,
) -> np.ndarray:
    """Per pixel, how much comes from b (0..255): b's side of the cheapest path through the overlap."""
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
        take_b = np.where(both, (after if b_after else ~after).astype(np.float32), take_b)
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
