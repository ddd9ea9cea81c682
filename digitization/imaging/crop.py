"""Finding the sheet against the scanner lid and cropping to it with a small margin.

The archive rule (DOMAIN.md step 6): crop scanner borders leaving 2-3 mm outside the paper edge and
never cut content. The crop is therefore taken around the whole sheet (its convex hull), not around
the ink, and a side where the paper runs off the image is left where the scan ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from . import reasons
from .analysis import DARK_PAPER_LEVEL, PageAnalysis, analyse_page
from .geometry import Interpolation, PageFrame, rotation_matrix, warp_frame

DEFAULT_MARGIN_MM = 2.5
_SIDES = {"left": (-1.0, 0.0), "top": (0.0, -1.0), "right": (1.0, 0.0), "bottom": (0.0, 1.0)}


@dataclass(frozen=True)
class PaperCrop:
    frame: PageFrame  # the output rectangle on the input, margin included
    paper_quad: np.ndarray | None  # the sheet's own edges (TL, TR, BR, BL), None when no border showed
    cut_sides: tuple[str, ...]  # image sides where a lid border was found and cut away
    paper_colour: tuple[int, ...]
    found: bool
    reason: str = ""

    @property
    def quad(self) -> np.ndarray:
        return self.frame.quad()


def find_paper(
    image: np.ndarray | PageAnalysis,
    dpi: float = 300.0,
    *,
    angle_deg: float | None = None,
    margin_mm: float = DEFAULT_MARGIN_MM,
) -> PaperCrop:
    """Locate the sheet and the crop around it, upright at angle_deg (default: the sheet's own edges)."""
    page = image if isinstance(image, PageAnalysis) else analyse_page(image, dpi)
    height, width = page.shape
    colour = page.paper_colour
    if not page.has_lid:
        frame = PageFrame.whole(width, height, angle_deg or 0.0)
        return PaperCrop(frame, None, (), colour, True, "no scanner border")
    hull = _paper_hull(page)
    if hull is None or page.paper_fraction < 0.05 or page.paper_level < DARK_PAPER_LEVEL:
        frame = PageFrame.whole(width, height, angle_deg or 0.0)
        return PaperCrop(frame, None, (), colour, False, reasons.NO_PAPER)
    if angle_deg is None:
        angle_deg = _edge_angle(hull)
    centre = np.array([width / 2.0, height / 2.0])
    rot = rotation_matrix(angle_deg)
    content = (hull - centre) @ rot  # hull points in upright (output-aligned) coordinates
    half_pixel = page.scale / 2.0  # hull points are fine-pixel centres; the sheet reaches their edges
    low = content.min(axis=0) - half_pixel
    high = content.max(axis=0) + half_pixel
    paper_low, paper_high = low.copy(), high.copy()
    margin = margin_mm * page.dpi / 25.4
    low, high = low - margin, high + margin
    cut = []
    for side, normal in _SIDES.items():
        if _paper_reaches(page, side):
            # The sheet runs off the scan here: keep the image's extent, as there is no edge to find.
            upright = np.asarray(normal) @ rot
            axis = int(np.argmax(np.abs(upright)))
            mid = centre + np.asarray(normal) * (width / 2.0 if normal[0] else height / 2.0)
            position = ((mid - centre) @ rot)[axis]
            if upright[axis] < 0:
                low[axis], paper_low[axis] = position, position
            else:
                high[axis], paper_high[axis] = position, position
        else:
            cut.append(side)
    frame = _frame_from_box(centre, rot, angle_deg, low, high)
    paper = _frame_from_box(centre, rot, angle_deg, paper_low, paper_high)
    return PaperCrop(frame, paper.quad(), tuple(cut), colour, True)


def crop_to_paper(
    image: np.ndarray,
    crop: PaperCrop | PageFrame,
    *,
    fill: tuple[int, ...] | None = None,
    interpolation: Interpolation = "cubic",
    bitonal: bool = False,
) -> np.ndarray:
    """Cut the crop out upright; anything beyond the scan is filled with the paper's colour."""
    frame = crop.frame if isinstance(crop, PaperCrop) else crop
    if fill is None:
        fill = crop.paper_colour if isinstance(crop, PaperCrop) else analyse_page(image, 300.0).paper_colour
    return warp_frame(image, frame, fill=fill, interpolation=interpolation, bitonal=bitonal)


def _paper_hull(page: PageAnalysis) -> np.ndarray | None:
    contours, _ = cv2.findContours(page.paper_mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    # The convex hull bridges notches where dark ink or a hole meets the edge, so they are never cut.
    hull = cv2.convexHull(max(contours, key=cv2.contourArea)).reshape(-1, 2)
    return page.to_full(hull) + 0.5  # fine pixel centres to full-resolution pixel-edge coordinates


def _paper_reaches(page: PageAnalysis, side: str) -> bool:
    mask = page.paper_mask
    edge = {"left": mask[:, 0], "right": mask[:, -1], "top": mask[0], "bottom": mask[-1]}[side]
    return bool(np.count_nonzero(edge) > 0.5 * edge.size)


def _edge_angle(hull: np.ndarray) -> float:
    box = cv2.boxPoints(cv2.minAreaRect(hull.astype(np.float32)))
    best = 0.0
    for i in range(4):
        dx, dy = box[(i + 1) % 4] - box[i]
        angle = float(np.degrees(np.arctan2(-dy, dx)))
        angle = (angle + 45.0) % 90.0 - 45.0
        if i == 0 or abs(angle) < abs(best):
            best = angle
    return best


def _frame_from_box(
    centre: np.ndarray, rot: np.ndarray, angle: float, low: np.ndarray, high: np.ndarray
) -> PageFrame:
    mid = (low + high) / 2.0
    size = np.maximum(np.round(high - low), 1).astype(int)
    where = centre + rot @ mid
    return PageFrame((float(where[0]), float(where[1])), angle, int(size[0]), int(size[1]))
