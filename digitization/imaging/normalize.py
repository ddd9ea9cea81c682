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

from .geometry import centred_offset, pad_image

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
    shapes = [(img.shape[1], img.shape[0]) for img in scaled]
    groups = _size_groups(shapes, [dpi] * len(shapes), same_size_mm)
    targets = _largest_of_each(shapes, groups)
    out = []
    for image, factor, group, target in zip(scaled, scales, groups, targets, strict=True):
        offset = centred_offset((image.shape[1], image.shape[0]), target)
        if target != (image.shape[1], image.shape[0]):
            image = pad_image(image, target)  # continues the edge: paper, scanner rim, or bitonal white
        out.append(NormalizedPage(image, dpi, offset, factor, group))
    return out


def plan_item_sizes(
    sizes: Sequence[tuple[int, int]], dpis: Sequence[float], *, same_size_mm: float = SAME_SIZE_MM
) -> list[tuple[int, int]]:
    """The (width, height) each page of an item should have: the largest of its paper-size group.

    Pages scanned at different resolutions are never grouped: matching them would take scaling.
    """
    return _largest_of_each(sizes, _size_groups(sizes, dpis, same_size_mm))


def _size_groups(sizes: Sequence[tuple[int, int]], dpis: Sequence[float], same_size_mm: float) -> list[int]:
    """A group number per page: pages of one paper size scanned at one resolution share it."""
    groups = [0] * len(sizes)
    by_dpi: dict[int, list[int]] = {}
    for index, dpi in enumerate(dpis):
        by_dpi.setdefault(round(dpi), []).append(index)
    first = 0
    for dpi, members in by_dpi.items():
        numbers = _group_by_size([sizes[i] for i in members], same_size_mm * dpi / 25.4)
        for index, number in zip(members, numbers, strict=True):
            groups[index] = first + number
        first += max(numbers) + 1
    return groups


def _largest_of_each(sizes: Sequence[tuple[int, int]], groups: list[int]) -> list[tuple[int, int]]:
    largest: dict[int, tuple[int, int]] = {}
    for (width, height), group in zip(sizes, groups, strict=True):
        known = largest.get(group, (0, 0))
        largest[group] = (max(known[0], width), max(known[1], height))
    return [largest[group] for group in groups]


def _group_by_size(sizes: list[tuple[int, int]], tolerance_px: float) -> list[int]:
    """Greedy grouping: a page joins the first group whose every member is within tolerance."""
    members: list[list[tuple[int, int]]] = []
    groups = []
    for w, h in sizes:
        for number, group in enumerate(members):
            if all(abs(w - gw) <= tolerance_px and abs(h - gh) <= tolerance_px for gw, gh in group):
                group.append((w, h))
                groups.append(number)
                break
        else:
            members.append([(w, h)])
            groups.append(len(members) - 1)
    return groups
