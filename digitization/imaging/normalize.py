"""Keeping the pages of one item the same size (同一件页面尺寸一致) without distorting any of them.

Pages of the same paper size (within a tolerance, e.g. several A4 crops a few pixels apart) are padded
with their paper colour to the largest of them; a different paper size (an A3 foldout among A4 pages)
keeps its own size. Content is only ever scaled uniformly, and only when pages were scanned at
different resolutions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from .analysis import analyse_page

SAME_SIZE_MM = 6.0  # crops of one paper size differ by a few mm; A4 and B5 differ by 30 mm and more


@dataclass(frozen=True)
class NormalizedPage:
    image: np.ndarray
    dpi: float
    offset: tuple[int, int]  # where the page's own pixels start inside the padded image (x, y)
    scale: float  # uniform resampling applied (1.0 when the page already had the item's dpi)
    group: int  # pages with the same group number share one size


def normalize_item_pages(
    images: Sequence[np.ndarray],
    dpis: Sequence[float],
    *,
    target_dpi: float | None = None,
    same_size_mm: float = SAME_SIZE_MM,
    bitonal: Sequence[bool] | None = None,
) -> list[NormalizedPage]:
    """Bring an item's pages to one resolution and, per paper size, to one pixel size."""
    if len(images) != len(dpis):
        raise ValueError("one dpi per image is needed")
    if not images:
        return []
    # The commonest resolution wins, so most pages are left untouched.
    dpi = float(target_dpi or Counter(round(d) for d in dpis).most_common(1)[0][0])
    scaled, scales = [], []
    for image, page_dpi in zip(images, dpis, strict=True):
        factor = dpi / float(page_dpi)
        if abs(factor - 1.0) > 1e-6:
            size = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
            method = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
            image = cv2.resize(image, size, interpolation=method)
        scaled.append(image)
        scales.append(factor)
    groups = _group_by_size([img.shape[:2] for img in scaled], same_size_mm * dpi / 25.4)
    targets: dict[int, tuple[int, int]] = {}
    for image, group in zip(scaled, groups, strict=True):
        h, w = image.shape[:2]
        th, tw = targets.get(group, (0, 0))
        targets[group] = (max(th, h), max(tw, w))
    flags = list(bitonal) if bitonal is not None else [False] * len(scaled)
    out = []
    for image, factor, group, is_bitonal in zip(scaled, scales, groups, flags, strict=True):
        th, tw = targets[group]
        h, w = image.shape[:2]
        x, y = (tw - w) // 2, (th - h) // 2
        fill = (
            (255,) * (image.shape[2] if image.ndim == 3 else 1) if is_bitonal else _paper_colour(image, dpi)
        )
        if (th, tw) != (h, w):
            image = cv2.copyMakeBorder(
                image, y, th - h - y, x, tw - w - x, cv2.BORDER_CONSTANT, value=tuple(float(v) for v in fill)
            )
        out.append(NormalizedPage(image, dpi, (x, y), factor, group))
    return out


def _group_by_size(shapes: list[tuple[int, int]], tolerance_px: float) -> list[int]:
    """Greedy grouping: a page joins the first group whose every member is within tolerance."""
    members: list[list[tuple[int, int]]] = []
    groups = []
    for h, w in shapes:
        for number, group in enumerate(members):
            if all(abs(h - gh) <= tolerance_px and abs(w - gw) <= tolerance_px for gh, gw in group):
                group.append((h, w))
                groups.append(number)
                break
        else:
            members.append([(h, w)])
            groups.append(len(members) - 1)
    return groups


def _paper_colour(image: np.ndarray, dpi: float) -> tuple[int, ...]:
    return analyse_page(image, dpi).paper_colour
