"""Synthetic archive pages with known geometry, for the imaging tests and the benchmark.

Everything is RGB uint8 and deterministic for a given seed. Angles follow the imaging module's convention:
counter-clockwise positive as displayed (y down), i.e. ``cv2.getRotationMatrix2D`` semantics.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

import cv2
import numpy as np
from PIL import Image

A4_MM = (210.0, 297.0)
A3_LANDSCAPE_MM = (420.0, 297.0)

# English letter frequencies, so Latin text has the usual ascender/descender balance.
_LETTERS = "etaoinshrdlcumwfgypbvkjxqz"
_FREQ = np.array(
    [
        12.7,
        9.1,
        8.2,
        7.5,
        7.0,
        6.7,
        6.3,
        6.1,
        6.0,
        4.3,
        4.0,
        2.8,
        2.8,
        2.4,
        2.4,
        2.2,
        2.0,
        2.0,
        1.9,
        1.5,
        1.0,
        0.8,
        0.2,
        0.2,
        0.1,
        0.1,
    ]
)
_FREQ = _FREQ / _FREQ.sum()

PAPER_RGB = (236, 226, 196)  # yellowed paper
INK_RGB = (28, 30, 40)
SEAL_RGB = (205, 40, 45)
LID_RGB = (38, 38, 40)


def mm(value_mm: float, dpi: float) -> int:
    return round(value_mm * dpi / 25.4)


@dataclass
class PlacedPage:
    image: np.ndarray  # RGB scan with lid border
    angle_deg: float  # true skew of the paper content
    paper_quad: np.ndarray  # 4x2 paper corners TL, TR, BR, BL in image pixels
    page_to_image: np.ndarray  # 2x3 affine from page pixels to image pixels


@dataclass
class HalfPair:
    a: np.ndarray
    b: np.ndarray
    b_to_a: np.ndarray  # 3x3 true transform from b pixels to a pixels (pixel centres, as cv2)
    page: np.ndarray  # the whole page both halves come from
    page_to_a: np.ndarray  # 3x3 transform from page pixels to a pixels


def _words(rng: np.random.Generator, n: int) -> list[str]:
    lengths = rng.integers(1, 10, size=n)
    return ["".join(rng.choice(list(_LETTERS), size=k, p=_FREQ)) for k in lengths]


def _paper(h: int, w: int, rng: np.random.Generator, *, yellow: bool) -> np.ndarray:
    base = np.array(PAPER_RGB if yellow else (246, 246, 243), np.float32)
    # Low-frequency fading: a blurred random field, stronger towards one corner.
    field = cv2.resize(rng.normal(0, 1, (6, 5)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    ramp = np.linspace(0, 1, w, dtype=np.float32)[None, :] * np.linspace(0, 1, h, dtype=np.float32)[:, None]
    shade = 1.0 + 0.015 * field - 0.04 * ramp
    page = base[None, None, :] * shade[:, :, None]
    return np.clip(page, 0, 255).astype(np.uint8)


def _text_block(
    page: np.ndarray, rng: np.random.Generator, dpi: float, *, top: int, bottom: int, left: int, right: int
) -> int:
    scale = (2.6 * dpi / 25.4) / 22.0  # ~10 pt capitals
    thick = max(1, round(dpi / 150))
    pitch = mm(6.0, dpi)
    y = top + pitch
    while y < bottom:
        x = left + (mm(7, dpi) if rng.random() < 0.15 else 0)  # paragraph indent
        limit = right - (rng.integers(0, right - left) // 2 if rng.random() < 0.2 else 0)  # short last lines
        grey = int(rng.choice([0, 0, 0, 60]))  # some faded lines
        colour = tuple(min(255, c + grey) for c in INK_RGB)
        for word in _words(rng, 30):
            if rng.random() < 0.08:
                word = word.capitalize()
            (tw, _), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
            if x + tw > limit:
                break
            cv2.putText(page, word, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA)
            x += tw + mm(2.2, dpi)
        y += pitch
    return y


def _table(
    page: np.ndarray, rng: np.random.Generator, dpi: float, *, top: int, left: int, right: int, rows: int
) -> int:
    row_h = mm(8, dpi)
    cols = np.linspace(left, right, 5).astype(int)
    thick = max(1, round(dpi / 120))
    bottom = top + rows * row_h
    for r in range(rows + 1):
        cv2.line(page, (left, top + r * row_h), (right, top + r * row_h), INK_RGB, thick, cv2.LINE_AA)
    for c in cols:
        cv2.line(page, (int(c), top), (int(c), bottom), INK_RGB, thick, cv2.LINE_AA)
    scale = (2.2 * dpi / 25.4) / 22.0
    for r in range(rows):
        for c0 in cols[:-1]:
            word = "".join(_words(rng, 2))[:8]
            org = (int(c0) + mm(2, dpi), top + r * row_h + mm(5.5, dpi))
            cv2.putText(page, word, org, cv2.FONT_HERSHEY_SIMPLEX, scale, INK_RGB, thick, cv2.LINE_AA)
    return bottom


def _multiply(page: np.ndarray, mask: np.ndarray, colour: tuple[int, int, int], strength: float) -> None:
    """Blend like ink on paper: darken towards colour where mask (0..1) is set."""
    tint = np.array(colour, np.float32) / 255.0
    factor = 1.0 - strength * mask[:, :, None] * (1.0 - tint[None, None, :])
    page[:] = np.clip(page * factor, 0, 255).astype(np.uint8)


def add_seal(page: np.ndarray, dpi: float, centre: tuple[int, int], *, radius_mm: float = 20.0) -> None:
    r = mm(radius_mm, dpi)
    cx, cy = centre
    mask = np.zeros(page.shape[:2], np.float32)
    cv2.circle(mask, (cx, cy), r, 1.0, max(2, mm(1.0, dpi)), cv2.LINE_AA)
    star = np.array(
        [
            (
                cx + 0.35 * r * np.cos(np.pi / 2 + k * 4 * np.pi / 5),
                cy - 0.35 * r * np.sin(np.pi / 2 + k * 4 * np.pi / 5),
            )
            for k in range(5)
        ],
        np.int32,
    )
    cv2.fillPoly(mask, [star], 1.0, cv2.LINE_AA)
    cv2.ellipse(
        mask, (cx, cy), (int(0.7 * r), int(0.7 * r)), 0, 200, 340, 1.0, max(2, mm(1.5, dpi)), cv2.LINE_AA
    )
    _multiply(page, np.clip(mask, 0, 1), SEAL_RGB, 0.85)


def add_stain(page: np.ndarray, rng: np.random.Generator, dpi: float, centre: tuple[int, int]) -> None:
    h, w = page.shape[:2]
    r = mm(rng.uniform(8, 18), dpi)
    x0, y0 = max(0, centre[0] - 2 * r), max(0, centre[1] - 2 * r)
    x1, y1 = min(w, centre[0] + 2 * r), min(h, centre[1] + 2 * r)
    mask = np.zeros((y1 - y0, x1 - x0), np.float32)
    axes = (r, int(r * rng.uniform(0.5, 1.0)))
    cv2.ellipse(mask, (centre[0] - x0, centre[1] - y0), axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), r / 4)
    _multiply(page[y0:y1, x0:x1], mask, (150, 110, 60), 0.35)


def make_page(
    *,
    dpi: float = 150,
    size_mm: tuple[float, float] = A4_MM,
    seed: int = 0,
    text: bool = True,
    table: bool = True,
    seal: bool = True,
    stains: bool = True,
    yellow: bool = True,
    edge_seal: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """An archive page: (RGB uint8 page, float32 paper alpha where binding holes are 0)."""
    rng = np.random.default_rng(seed)
    w, h = mm(size_mm[0], dpi), mm(size_mm[1], dpi)
    page = _paper(h, w, rng, yellow=yellow)
    left, right = mm(25, dpi), w - mm(20, dpi)
    y = mm(20, dpi)
    if text:
        # A red head (红头) title and rule, then body text, a table and more text.
        scale = (5.0 * dpi / 25.4) / 22.0
        thick = max(2, round(dpi / 75))
        title = " ".join(_words(rng, 3)).upper()
        (tw, _), _ = cv2.getTextSize(title, cv2.FONT_HERSHEY_DUPLEX, scale, thick)
        cv2.putText(
            page,
            title,
            ((w - tw) // 2, y + mm(8, dpi)),
            cv2.FONT_HERSHEY_DUPLEX,
            scale,
            SEAL_RGB,
            thick,
            cv2.LINE_AA,
        )
        y += mm(13, dpi)
        cv2.line(page, (left, y), (right, y), SEAL_RGB, max(2, mm(0.6, dpi)), cv2.LINE_AA)
        y = _text_block(page, rng, dpi, top=y, bottom=int(h * 0.42), left=left, right=right)
        if table:
            y = _table(page, rng, dpi, top=y + mm(4, dpi), left=left, right=right, rows=6)
        _text_block(page, rng, dpi, top=y + mm(2, dpi), bottom=h - mm(30, dpi), left=left, right=right)
        # Page number bottom right, as stamped when numbering (打码).
        pscale = (2.5 * dpi / 25.4) / 22.0
        org = (w - mm(22, dpi), h - mm(12, dpi))
        cv2.putText(
            page,
            str(int(rng.integers(1, 300))),
            org,
            cv2.FONT_HERSHEY_SIMPLEX,
            pscale,
            INK_RGB,
            thick,
            cv2.LINE_AA,
        )
    if seal:
        add_seal(page, dpi, (int(w * 0.68), int(h * 0.8)))
    if edge_seal:
        # A seal and a stain right at the paper edge: crop must keep them whole.
        add_seal(page, dpi, (w - mm(12, dpi), int(h * 0.55)), radius_mm=14)
        add_stain(page, rng, dpi, (mm(4, dpi), int(h * 0.3)))
    if stains:
        for _ in range(2):
            add_stain(page, rng, dpi, (int(rng.uniform(0.1, 0.9) * w), int(rng.uniform(0.1, 0.9) * h)))
    alpha = np.ones((h, w), np.float32)
    for frac in (0.3, 0.5, 0.7):  # three binding holes (三孔一线)
        cv2.circle(alpha, (mm(9, dpi), int(h * frac)), mm(3, dpi), 0.0, -1, cv2.LINE_AA)
    return page, alpha


def make_photo(*, dpi: float = 150, size_mm: tuple[float, float] = A4_MM, seed: int = 0) -> np.ndarray:
    """A photograph-like page: shaded background, sharp-edged objects at random angles, texture."""
    rng = np.random.default_rng(seed)
    w, h = mm(size_mm[0], dpi), mm(size_mm[1], dpi)
    out = np.zeros((h, w, 3), np.float32)
    for octave in range(1, 5):
        cells = 2**octave
        noise = rng.normal(0, 1, (cells + 1, cells + 1, 3)).astype(np.float32)
        out += cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC) * (40.0 / octave)
    out += np.array([120, 110, 95], np.float32)
    for _ in range(25):
        colour = tuple(float(c) for c in rng.uniform(10, 240, 3))
        centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        if rng.random() < 0.5:
            axes = (int(rng.uniform(0.03, 0.25) * w), int(rng.uniform(0.03, 0.25) * w))
            cv2.ellipse(out, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1, cv2.LINE_AA)
        else:
            pts = np.array(centre) + rng.normal(0, 0.12 * w, (int(rng.integers(3, 7)), 2))
            cv2.fillPoly(out, [pts.astype(np.int32)], colour, cv2.LINE_AA)
    for _ in range(8):  # branches, wires, edges of things: thin lines at any angle
        p0 = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        p1 = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        cv2.line(
            out, p0, p1, tuple(float(c) for c in rng.uniform(0, 80, 3)), max(1, mm(0.4, dpi)), cv2.LINE_AA
        )
    out = cv2.GaussianBlur(out, (0, 0), max(0.6, dpi / 200))
    out += rng.normal(0, 6, out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def add_scanner_noise(image: np.ndarray, rng: np.random.Generator, sigma: float = 2.5) -> np.ndarray:
    noisy = image.astype(np.float32) + rng.normal(0, sigma, image.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def place_on_lid(
    page: np.ndarray,
    *,
    dpi: float,
    angle_deg: float,
    alpha: np.ndarray | None = None,
    border_mm: tuple[float, float, float, float] = (14.0, 11.0, 17.0, 9.0),
    lid_rgb: tuple[int, int, int] = LID_RGB,
    seed: int = 0,
) -> PlacedPage:
    """Lay the page on the scanner at angle_deg (CCW positive) on a dark lid.

    border_mm is the lid showing left, top, right and bottom of the tilted sheet.
    """
    rng = np.random.default_rng(seed + 1000)
    h, w = page.shape[:2]
    bl, bt, br, bb = (mm(b, dpi) for b in border_mm)
    rad = np.deg2rad(abs(angle_deg))
    # The scanner frame grows with the paper's rotated bounding box.
    bw = int(np.ceil(w * np.cos(rad) + h * np.sin(rad)))
    bh = int(np.ceil(w * np.sin(rad) + h * np.cos(rad)))
    cw, ch = bw + bl + br, bh + bt + bb
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    matrix[:, 2] += (bl + bw / 2 - w / 2, bt + bh / 2 - h / 2)
    if alpha is None:
        alpha = np.ones((h, w), np.float32)
    warped = cv2.warpAffine(page, matrix, (cw, ch), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    cover = cv2.warpAffine(alpha, matrix, (cw, ch), flags=cv2.INTER_LINEAR, borderValue=0)
    lid = np.empty((ch, cw, 3), np.float32)
    lid[:] = lid_rgb
    lid += cv2.resize(rng.normal(0, 4, (4, 4)).astype(np.float32), (cw, ch))[:, :, None]
    # A faint shadow along the paper edge, as flatbeds show.
    shadow = cv2.GaussianBlur(cover, (0, 0), max(1.0, dpi / 100)) * (1 - cover)
    out = (
        warped.astype(np.float32) * cover[:, :, None]
        + lid * (1 - cover[:, :, None])
        - 20 * shadow[:, :, None]
    )
    out = add_scanner_noise(np.clip(out, 0, 255).astype(np.uint8), rng)
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    quad = corners @ matrix[:, :2].T + matrix[:, 2]
    return PlacedPage(out, angle_deg, quad, matrix)


def _similarity(angle_deg: float, centre: tuple[float, float], shift: tuple[float, float]) -> np.ndarray:
    m = np.eye(3)
    m[:2] = cv2.getRotationMatrix2D(centre, angle_deg, 1.0)
    m[:2, 2] += shift
    return m


def split_halves(
    page: np.ndarray,
    *,
    dpi: float,
    overlap_mm: float = 40.0,
    tilt_a: float = 0.0,
    tilt_b: float = 0.0,
    turn_b: bool = False,
    turn_a: bool = False,
    border_mm: float = 8.0,
    seed: int = 0,
) -> HalfPair:
    """Scan the left and right part of a wide page separately, as on a small flatbed.

    Each half is tilted (CCW positive) and may be turned 180 degrees; the outer sides show the lid.
    """
    rng = np.random.default_rng(seed + 2000)
    h, w = page.shape[:2]
    ov, brd = mm(overlap_mm, dpi), mm(border_mm, dpi)
    half_w = (w + ov) // 2
    win_w, win_h = half_w + brd, h + 2 * brd
    lid = np.array(LID_RGB, np.uint8)
    halves, transforms = [], []
    for side, tilt, turn in (("a", tilt_a, turn_a), ("b", tilt_b, turn_b)):
        x0 = -brd if side == "a" else w - half_w  # window origin in page pixels
        # page -> window: shift to window origin, then tilt about the window centre.
        m = _similarity(tilt, (win_w / 2, win_h / 2), (0, 0)) @ _translation(-x0, brd)
        if turn:
            m = _similarity(180.0, (win_w / 2, win_h / 2), (0, 0)) @ m
        img = cv2.warpAffine(
            page, m[:2], (win_w, win_h), flags=cv2.INTER_LINEAR, borderValue=tuple(int(c) for c in lid)
        )
        # Exposure differs a little between the two scans.
        img = np.clip(
            img.astype(np.float32) * (1.0 if side == "a" else 0.97) + (0 if side == "a" else 3), 0, 255
        )
        halves.append(add_scanner_noise(img.astype(np.uint8), rng, sigma=2.0))
        transforms.append(m)
    b_to_a = transforms[0] @ np.linalg.inv(transforms[1])
    return HalfPair(halves[0], halves[1], b_to_a, page, transforms[0])


def _translation(dx: float, dy: float) -> np.ndarray:
    m = np.eye(3)
    m[0, 2], m[1, 2] = dx, dy
    return m


def rgb_to_bgr(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[:, :, ::-1])


def encode(image: np.ndarray, fmt: str = "JPEG", *, dpi: float | None = None, **options) -> bytes:
    """Image bytes as a scanner would write them (Pillow), e.g. encode(img, "JPEG", dpi=150, quality=92)."""
    if dpi is not None:
        options["dpi"] = (dpi, dpi)
    out = BytesIO()
    Image.fromarray(image).save(out, fmt, **options)
    return out.getvalue()
