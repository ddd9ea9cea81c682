"""Where an output page comes from on the input scan, and the one warp that produces it.

Coordinates are pixel edges: pixel (row i, column j) covers x in [j, j+1), y in [i, i+1), so the
whole of a W x H image is the box (0, 0)-(W, H). Rotating and cropping is one rigid transform (no
scaling, so content keeps its size) applied in a single interpolation pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from .analysis import halve, median_uint8
from .codec import YCbCr420, ycbcr

Interpolation = Literal["cubic", "linear", "lanczos"]
_CV_INTERPOLATION = {"cubic": cv2.INTER_CUBIC, "linear": cv2.INTER_LINEAR, "lanczos": cv2.INTER_LANCZOS4}


def rotation_matrix(angle_deg: float) -> np.ndarray:
    """2x2 matrix turning content offsets into image offsets for content turned angle_deg CCW (y down)."""
    rad = np.deg2rad(angle_deg)
    cos, sin = np.cos(rad), np.sin(rad)
    return np.array([[cos, sin], [-sin, cos]])


@dataclass(frozen=True)
class PageFrame:
    """An upright output rectangle placed on the input: centre, content angle and output size."""

    centre: tuple[float, float]  # input pixel-edge coordinates
    angle_deg: float  # how far the content is turned on the input (CCW positive)
    width: int
    height: int

    @classmethod
    def whole(cls, width: int, height: int, angle_deg: float = 0.0) -> PageFrame:
        """The full image turned about its centre, keeping its size (swapped for quarter turns)."""
        out_w, out_h = (height, width) if round(angle_deg / 90.0) % 2 else (width, height)
        return cls((width / 2.0, height / 2.0), angle_deg, out_w, out_h)

    @classmethod
    def from_quad(cls, quad: np.ndarray | list) -> PageFrame:
        """The rigid rectangle closest to four corners TL, TR, BR, BL (as drawn by an operator)."""
        q = np.asarray(quad, np.float64).reshape(4, 2)
        top, bottom = q[1] - q[0], q[2] - q[3]
        left, right = q[3] - q[0], q[2] - q[1]
        # Average the direction of the four sides (the vertical ones turned by 90 degrees).
        across = top + bottom + np.array([left[1] + right[1], -(left[0] + right[0])])
        angle = float(np.degrees(np.arctan2(-across[1], across[0])))
        width = (np.linalg.norm(top) + np.linalg.norm(bottom)) / 2
        height = (np.linalg.norm(left) + np.linalg.norm(right)) / 2
        if width < 1 or height < 1:
            raise ValueError("crop quad is degenerate")
        centre = q.mean(axis=0)
        return cls((float(centre[0]), float(centre[1])), angle, round(width), round(height))

    def quad(self) -> np.ndarray:
        """Corners TL, TR, BR, BL of the output on the input image (pixel-edge coordinates)."""
        w, h = self.width / 2.0, self.height / 2.0
        corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]])
        return corners @ rotation_matrix(self.angle_deg).T + np.asarray(self.centre)

    def to_input(self, points: np.ndarray) -> np.ndarray:
        """Output pixel-edge coordinates to input pixel-edge coordinates."""
        offset = np.asarray(points, np.float64) - (self.width / 2.0, self.height / 2.0)
        return offset @ rotation_matrix(self.angle_deg).T + np.asarray(self.centre)

    def to_output(self, points: np.ndarray) -> np.ndarray:
        offset = np.asarray(points, np.float64) - np.asarray(self.centre)
        return offset @ rotation_matrix(self.angle_deg) + (self.width / 2.0, self.height / 2.0)

    def inverse_map(self, scale: float = 1.0) -> np.ndarray:
        """2x3 matrix from output pixel centres to input pixel centres, for WARP_INVERSE_MAP.

        ``scale`` is the size of one pixel of the sampled plane in image pixels: 2 for the
        half-size chroma of a 4:2:0 image, whose grid keeps the image's pixel edges.
        """
        rot = rotation_matrix(self.angle_deg)
        half = np.array([self.width, self.height]) / (2.0 * scale)
        shift = np.asarray(self.centre) / scale - 0.5 + rot @ (0.5 - half)
        return np.hstack([rot, shift[:, None]])


def is_quarter_turn(angle_deg: float) -> bool:
    return abs(angle_deg / 90.0 - round(angle_deg / 90.0)) < 1e-9


def warp_frame(
    pixels: np.ndarray,
    frame: PageFrame,
    *,
    fill: tuple[int, ...],
    interpolation: Interpolation = "cubic",
    bitonal: bool = False,
) -> np.ndarray:
    """Cut the frame out of the image, upright; areas beyond the image get the fill (paper) colour."""
    fill_value = tuple(float(v) for v in fill) if pixels.ndim == 3 else float(fill[0])
    exact = is_quarter_turn(frame.angle_deg)
    out = _warp(pixels, frame, (frame.width, frame.height), fill_value, interpolation)
    if bitonal and not exact:
        out = np.where(out >= 128, 255, 0).astype(np.uint8)  # interpolation made grey edges; stay 1-bit
    return out


def warp_frame_planes(
    pixels: np.ndarray,
    frame: PageFrame,
    *,
    fill: tuple[int, ...],
    interpolation: Interpolation = "cubic",
    half: np.ndarray | None = None,
) -> YCbCr420:
    """warp_frame for an RGB image bound for a 4:2:0 JPEG: luma at full size, chroma at half size.

    The encoder would throw three quarters of the chroma away; resampling only what it keeps takes
    about two fifths of the time of warping RGB, with the same interpolation and the same result.
    ``half`` is ``halve(pixels)`` when the caller has already made it.
    """
    if is_quarter_turn(frame.angle_deg):
        return YCbCr420.from_rgb(warp_frame(pixels, frame, fill=fill))
    # Averaging 2x2 blocks commutes with the linear colour transform. An odd last row or column of
    # the scan is left out of the chroma source; the fill stands in for that one pixel's colour.
    _, cr, cb = cv2.split(cv2.cvtColor(halve(pixels) if half is None else half, cv2.COLOR_RGB2YCrCb))
    fill_y, fill_cb, fill_cr = ycbcr(fill)
    chroma_size = ((frame.width + 1) // 2, (frame.height + 1) // 2)
    return YCbCr420(
        y=_warp(
            cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY),
            frame,
            (frame.width, frame.height),
            fill_y,
            interpolation,
        ),
        cb=_warp(cb, frame, chroma_size, fill_cb, interpolation, scale=2.0),
        cr=_warp(cr, frame, chroma_size, fill_cr, interpolation, scale=2.0),
    )


def _warp(
    plane: np.ndarray,
    frame: PageFrame,
    size: tuple[int, int],
    fill: float | tuple[float, ...],
    interpolation: Interpolation,
    scale: float = 1.0,
) -> np.ndarray:
    matrix = frame.inverse_map(scale)
    if is_quarter_turn(frame.angle_deg):
        # Unskewed pages are copied exactly: snap to whole pixels and skip interpolation entirely.
        matrix, flags = np.round(matrix), cv2.INTER_NEAREST
    else:
        flags = _CV_INTERPOLATION[interpolation]
    return cv2.warpAffine(
        plane,
        matrix,
        size,
        flags=flags | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill,
    )


JPEG_MCU = 16  # pixels of a 4:2:0 JPEG coded together


def centred_offset(size: tuple[int, int], target: tuple[int, int], *, unit: int = 1) -> tuple[int, int]:
    """Where a (width, height) image sits, about centred, in a larger target: in whole ``unit`` steps.

    With unit JPEG_MCU a padded JPEG codes the page's own blocks exactly as the unpadded one did:
    what an inspector saw is what is delivered.
    """
    (width, height), (target_w, target_h) = size, target
    if target_w < width or target_h < height:
        raise ValueError(f"cannot pad a {width}x{height} page to the smaller {target_w}x{target_h}")

    def place(room: int) -> int:
        return min(room, round(room / 2 / unit) * unit)

    return place(target_w - width), place(target_h - height)


def padding_of(size: tuple[int, int], target: tuple[int, int], *, unit: int = 1) -> list[int]:
    """Left, top, right and bottom padding of centred_offset."""
    x, y = centred_offset(size, target, unit=unit)
    return [x, y, target[0] - size[0] - x, target[1] - size[1] - y]


def edge_colour(plane: np.ndarray) -> tuple[int, ...]:
    """Median colour of the outermost ring of pixels: what padding continues (scanner rim or paper)."""
    ring = np.concatenate([plane[0], plane[-1], plane[1:-1, 0], plane[1:-1, -1]])
    ring = ring.reshape(len(ring), -1)
    return tuple(median_uint8(ring[:, channel]) for channel in range(ring.shape[1]))


def pad_image(pixels: np.ndarray, target: tuple[int, int], *, unit: int = 1) -> np.ndarray:
    """Centre the image on a (width, height) canvas continuing its edge colour; content is not touched."""
    left, top, right, bottom = padding_of(pixels.shape[1::-1], target, unit=unit)
    colour = edge_colour(pixels)
    value = tuple(float(v) for v in colour) if pixels.ndim == 3 else float(colour[0])
    return cv2.copyMakeBorder(pixels, top, bottom, left, right, cv2.BORDER_CONSTANT, value=value)


def pad_planes(planes: YCbCr420, target: tuple[int, int]) -> YCbCr420:
    """pad_image for luma and half-size chroma, on whole JPEG coding units."""
    left, top, _right, _bottom = padding_of(planes.shape[::-1], target, unit=JPEG_MCU)

    def pad(plane: np.ndarray, scale: int) -> np.ndarray:
        out_w, out_h = -(-target[0] // scale), -(-target[1] // scale)
        x, y = left // scale, top // scale
        right, bottom = out_w - plane.shape[1] - x, out_h - plane.shape[0] - y
        value = float(edge_colour(plane)[0])
        return cv2.copyMakeBorder(plane, y, bottom, x, right, cv2.BORDER_CONSTANT, value=value)

    return YCbCr420(pad(planes.y, 1), pad(planes.cb, 2), pad(planes.cr, 2))
