"""Shared measurements of one page: a grey pyramid, the scanner lid, the paper and its ink.

Everything is measured on small copies: the "fine" level is the largest power-of-two reduction that
keeps at least ~75 dpi, the "coarse" level is half of that. Full resolution is only read once, by the
first halving, so a 300 dpi A4 page costs about as much as a 75 dpi one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np

FINE_DPI = 75.0
INK_CONTRAST = 25  # grey levels below the local paper brightness that count as ink
LID_MAX_SATURATION = 40  # red seals and brown stains are dark but coloured; the lid is neutral
DARK_PAPER_LEVEL = 60  # the brightest tenth of an image below this grey: no paper shows at all


def halve(image: np.ndarray) -> np.ndarray:
    """Halve with area averaging; trimming odd edges keeps OpenCV on its fast 2x path."""
    h, w = image.shape[:2]
    return cv2.resize(image[: h - h % 2, : w - w % 2], None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)


def to_grey(pixels: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY) if pixels.ndim == 3 else pixels


def fine_level_for(dpi: float, shape: tuple[int, ...]) -> int:
    """Halvings that keep ~75 dpi (text strokes still resolved) and a coarse level of 32+ pixels."""
    level = 0
    while dpi / 2 ** (level + 1) >= FINE_DPI * 0.99 and min(shape[:2]) >> (level + 2) >= 32:
        level += 1
    return level


@dataclass
class InkPoints:
    """Ink pixels of one pyramid level as float coordinates with darkness weights."""

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_map(cls, ink: np.ndarray, threshold: int = INK_CONTRAST) -> InkPoints:
        found = cv2.findNonZero(cv2.threshold(ink, threshold, 255, cv2.THRESH_BINARY)[1])
        if found is None:
            empty = np.zeros(0, np.float32)
            return cls(empty, empty, empty, ink.shape[:2])
        xy = found.reshape(-1, 2)
        weight = ink[xy[:, 1], xy[:, 0]].astype(np.float32)
        return cls(xy[:, 0].astype(np.float32), xy[:, 1].astype(np.float32), weight, ink.shape[:2])

    def __len__(self) -> int:
        return len(self.x)

    def profile(self, angle_deg: float) -> np.ndarray:
        """Ink projected across lines at angle_deg (CCW positive), split linearly between bins.

        The projection coordinate x*sin + y*cos is constant along a line at that angle, so the profile
        is sharpest when angle_deg matches the text lines. Linear splitting keeps the score smooth
        in the angle, which lets a parabola find the peak between grid steps.
        """
        rad = np.deg2rad(angle_deg)
        offset = np.float32(np.hypot(*self.shape) + 2)
        pos = self.x * np.float32(np.sin(rad)) + self.y * np.float32(np.cos(rad)) + offset
        index = pos.astype(np.intp)
        upper = self.weight * (pos - index)
        bins = 2 * int(offset) + 4
        return np.bincount(index, self.weight - upper, minlength=bins) + np.bincount(
            index + 1, upper, minlength=bins
        )

    def score(self, angle_deg: float) -> float:
        prof = self.profile(angle_deg)
        return float(np.dot(prof, prof))


@dataclass
class PageAnalysis:
    dpi: float
    shape: tuple[int, int]  # full resolution (H, W)
    level: int  # the fine level; its pixels are 2**level full-resolution pixels wide
    grey: np.ndarray  # fine level
    colour: np.ndarray  # fine level, RGB or grey
    valid: np.ndarray | None  # fine level, 255 where the file had image (not transparency)
    background: np.ndarray = field(init=False)  # paper brightness with ink closed away
    lid: np.ndarray = field(init=False)  # 255 where scanner lid/bed or transparency shows
    holes: np.ndarray = field(init=False)  # enclosed lid-like blobs: binding holes show the lid through
    paper_level: float = field(init=False)
    has_lid: bool = field(init=False)

    def __post_init__(self) -> None:
        self.background = self._close_ink(self.grey)
        self.paper_level = float(np.percentile(self.background, 90))
        self.lid = self._find_lid()
        self.has_lid = bool(self.lid.any())

    @property
    def scale(self) -> int:
        return 2**self.level

    @property
    def fine_dpi(self) -> float:
        return self.dpi / self.scale

    def mm(self, value: float) -> float:
        """Millimetres in fine-level pixels."""
        return value * self.fine_dpi / 25.4

    def _close_ink(self, grey: np.ndarray) -> np.ndarray:
        # A closing wider than a character stroke removes text and keeps the paper's own shading.
        size = max(3, round(self.mm(3.0)) | 1)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
        return cv2.morphologyEx(grey, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)

    def _find_lid(self) -> np.ndarray:
        """Dark, neutral regions reaching the image frame; also remembers enclosed ones (binding holes)."""
        h, w = self.grey.shape
        invalid = np.zeros((h, w), np.uint8) if self.valid is None else cv2.bitwise_not(self.valid)
        self.holes = np.zeros((h, w), np.uint8)
        darkest = self._darkest_edge(invalid)
        # No dark edge at all: the paper fills the image (or the lid is white). Nothing to cut.
        if darkest is None or darkest > 0.6 * self.paper_level or self.paper_level - darkest < 40:
            return invalid
        threshold = darkest + 0.5 * (self.paper_level - darkest)
        dark = (self.background < threshold).astype(np.uint8)
        if self.colour.ndim == 3:
            red, green, blue = cv2.split(self.colour)
            saturation = cv2.subtract(cv2.max(cv2.max(red, green), blue), cv2.min(cv2.min(red, green), blue))
            dark &= (saturation < LID_MAX_SATURATION).astype(np.uint8)
        dark |= invalid > 0
        # The lid is the dark region that reaches the image frame (or the transparent surround);
        # dark blobs enclosed by paper are binding holes, and ink never passes the closing above.
        count, labels = cv2.connectedComponents(dark, connectivity=4)
        seeds = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1], labels[invalid > 0]])
        touching = np.unique(seeds[seeds > 0])
        lookup = np.zeros(count, np.uint8)
        lookup[touching] = 255
        lid = lookup[labels]
        self.holes = cv2.subtract(dark * np.uint8(255), lid)
        return lid

    def _darkest_edge(self, invalid: np.ndarray) -> float | None:
        """Median brightness of the darkest image side, or of the edge along a transparent surround."""
        bg = self.background
        valid = invalid == 0
        edges = [(bg[0], valid[0]), (bg[-1], valid[-1]), (bg[:, 0], valid[:, 0]), (bg[:, -1], valid[:, -1])]
        if invalid.any():
            rim = cv2.dilate(invalid, np.ones((3, 3), np.uint8)) > 0
            edges.append((bg[rim & valid], np.ones(np.count_nonzero(rim & valid), bool)))
        medians = [
            float(np.median(v[ok])) for v, ok in edges if np.count_nonzero(ok) >= max(10, 0.1 * ok.size)
        ]
        return min(medians) if medians else None

    @cached_property
    def paper_mask(self) -> np.ndarray:
        """The largest non-lid region with holes filled: the sheet of paper at the fine level."""
        paper = cv2.bitwise_not(self.lid)
        contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        mask = np.zeros_like(paper)
        if contours:
            biggest = max(contours, key=cv2.contourArea)
            cv2.drawContours(mask, [biggest], -1, 255, thickness=cv2.FILLED)
        return mask

    @cached_property
    def paper_fraction(self) -> float:
        return float(np.count_nonzero(self.paper_mask)) / self.paper_mask.size

    @cached_property
    def paper_like(self) -> float:
        """Share of the sheet within a few percent of its commonest brightness; low for photographs."""
        values = self.background[self.paper_mask > 0]
        if values.size == 0:
            return 0.0
        hist = np.convolve(np.bincount(values, minlength=256), np.ones(5), mode="same")
        mode = int(np.argmax(hist))
        spread = max(6, int(0.06 * mode))
        near = np.count_nonzero((values >= mode - spread) & (values <= mode + spread))
        return near / values.size

    @cached_property
    def ink_mm2(self) -> float:
        """Ink on the page in mm2 of full black; a 17 cm line of typed text is about 35 mm2."""
        return float(self.fine_points.weight.sum()) / 255.0 / self.mm(1.0) ** 2

    @cached_property
    def paper_colour(self) -> tuple[int, ...]:
        """Median colour of clean paper (bright, inside the sheet), used to fill new corners."""
        bright = cv2.compare(self.background, self.paper_level - 12, cv2.CMP_GE)
        # Not ink: at most a little darker than the paper around it.
        unmarked = cv2.compare(cv2.subtract(self.background, self.grey), 6, cv2.CMP_LE)
        clean = cv2.bitwise_and(cv2.bitwise_and(bright, unmarked), self.paper_mask)
        if cv2.countNonZero(clean) < 50:
            clean = self.paper_mask if self.paper_mask.any() else None
        channels = cv2.split(self.colour) if self.colour.ndim == 3 else [self.colour]
        return tuple(median_of_histogram(cv2.calcHist([c], [0], clean, [256], [0, 256])) for c in channels)

    @cached_property
    def ink(self) -> np.ndarray:
        """Darkness below the local paper brightness, zero on and next to the lid."""
        ink = cv2.subtract(self.background, self.grey)
        if self.has_lid:
            reach = max(3, round(self.mm(1.5)) | 1)
            near_lid = cv2.dilate(cv2.bitwise_or(self.lid, self.holes), np.ones((reach, reach), np.uint8))
            ink[near_lid > 0] = 0
        return ink

    @cached_property
    def fine_points(self) -> InkPoints:
        return InkPoints.from_map(self.ink)

    @cached_property
    def coarse_points(self) -> InkPoints:
        return InkPoints.from_map(halve(self.ink), threshold=INK_CONTRAST // 2)

    def to_full(self, xy: np.ndarray) -> np.ndarray:
        """Fine-level pixel coordinates to full-resolution pixel coordinates (pixel centres)."""
        return (np.asarray(xy, np.float64) + 0.5) * self.scale - 0.5


def median_uint8(values: np.ndarray) -> int:
    """Median of uint8 values by counting, much cheaper than sorting a large sample."""
    return median_of_histogram(np.bincount(values.ravel(), minlength=256))


def median_of_histogram(counts: np.ndarray) -> int:
    """The lower median of values 0..255 from their counts."""
    cumulative = np.cumsum(counts.ravel())
    return int(np.searchsorted(cumulative, (cumulative[-1] + 1) // 2))


def analyse_page(
    pixels: np.ndarray, dpi: float, valid: np.ndarray | None = None, *, half: np.ndarray | None = None
) -> PageAnalysis:
    """Measure a page; ``half`` is ``halve(pixels)`` when the caller has already made it."""
    level = fine_level_for(dpi, pixels.shape)
    colour, small_valid = pixels, valid
    for step in range(level):
        colour = half if step == 0 and half is not None else halve(colour)
        small_valid = None if small_valid is None else halve(small_valid)
    if small_valid is not None:
        small_valid = np.where(small_valid >= 128, 255, 0).astype(np.uint8)
    grey = to_grey(colour)  # area averaging and the grey conversion commute; the small copy is cheaper
    return PageAnalysis(
        dpi=dpi, shape=pixels.shape[:2], level=level, grey=grey, colour=colour, valid=small_valid
    )
