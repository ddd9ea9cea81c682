"""Decoding scans into arrays and encoding derivatives, with the scan's DPI and colour mode kept."""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
import simplejpeg
from PIL import Image, ImageCms, UnidentifiedImageError

from . import reasons

# A0 at 300 dpi is about 139 Mpx; anything larger is more likely a decompression bomb than a scan.
DEFAULT_MAX_PIXELS = 150_000_000
MIN_SIDE_PX = 100
ASSUMED_DPI = 300.0
PLAUSIBLE_DPI = (100.0, 2400.0)  # 72 and 96 are software defaults, not scanner resolutions

# Pillow transpose for each EXIF orientation value, as ImageOps.exif_transpose does it.
_EXIF_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class ImageRejected(ValueError):
    """The input cannot be processed; ``reason`` says why in plain English for the operator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ColourMode(StrEnum):
    COLOUR = "colour"  # 彩色
    GREY = "grey"  # 灰度
    BITONAL = "bitonal"  # 黑白


@dataclass(frozen=True)
class LoadedImage:
    """A decoded scan as displayed: EXIF orientation applied, 8 bits per channel.

    ``pixels`` is RGB ``(H, W, 3)`` for colour, ``(H, W)`` for grey and bitonal (0/255).
    ``valid`` is None, or a uint8 mask (255 = image) where the file had transparency.
    """

    pixels: np.ndarray
    dpi: float
    dpi_source: str  # "file", "hint" or "assumed"
    colour_mode: ColourMode
    source_format: str  # Pillow format name: "JPEG", "TIFF", "PNG", ...
    source_mode: str  # Pillow mode as stored: "RGB", "CMYK", "I;16", "RGBA", "1", ...
    exif_orientation: int = 1
    icc_profile: bytes | None = None
    valid: np.ndarray | None = None

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])


def load_image(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    dpi_hint: float | None = None,
    min_side: int = MIN_SIDE_PX,
) -> LoadedImage:
    """Decode and check a scan; raise ImageRejected with a reason for anything unusable."""
    if not data:
        raise ImageRejected(reasons.EMPTY_FILE)
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageRejected(reasons.NOT_AN_IMAGE) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(reasons.DECOMPRESSION_BOMB) from None
    except Exception as exc:  # malformed files make Pillow raise almost anything
        raise ImageRejected(reasons.UNREADABLE_HEADER.format(detail=exc)) from None
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRejected(reasons.TOO_MANY_PIXELS.format(width=width, height=height, limit=max_pixels))
    if min(width, height) < min_side:
        raise ImageRejected(reasons.TOO_SMALL.format(width=width, height=height))
    if getattr(image, "n_frames", 1) > 1:
        # Taking the first frame would silently lose pages, and missing pages admit no error.
        raise ImageRejected(reasons.SEVERAL_PAGES.format(pages=image.n_frames))
    try:
        pixels, mode, valid = _decode_pixels(image, data)
    except ImageRejected:
        raise
    except MemoryError:
        raise ImageRejected(reasons.OUT_OF_MEMORY) from None
    except Exception as exc:  # truncated or corrupt data: Pillow's errors vary by format
        raise ImageRejected(reasons.UNDECODABLE.format(detail=exc)) from None
    orientation = _exif_orientation(image)
    pixels = _exif_transpose(pixels, orientation)
    if valid is not None:
        valid = _exif_transpose(valid, orientation)
    dpi, dpi_source = _read_dpi(image, dpi_hint)
    icc = image.info.get("icc_profile") if image.mode != "CMYK" else None
    return LoadedImage(
        pixels=np.ascontiguousarray(pixels),
        dpi=dpi,
        dpi_source=dpi_source,
        colour_mode=mode,
        source_format=image.format or "unknown",
        source_mode=image.mode,
        exif_orientation=orientation,
        icc_profile=icc or None,
        valid=None if valid is None else np.ascontiguousarray(valid),
    )


def _decode_pixels(image: Image.Image, data: bytes) -> tuple[np.ndarray, ColourMode, np.ndarray | None]:
    if image.format == "JPEG" and image.mode in ("RGB", "L"):
        return _decode_jpeg_fast(image, data)
    image.load()  # raises OSError on truncated data; never set LOAD_TRUNCATED_IMAGES
    mode = image.mode
    if mode == "1":
        return np.asarray(image.convert("L")), ColourMode.BITONAL, None
    if mode == "L":
        return np.asarray(image), ColourMode.GREY, None
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit grey: scale 0..65535 to 0..255 rather than clipping, so the look is kept.
        wide = np.asarray(image).astype(np.float32)
        return np.clip(wide / 257.0 + 0.5, 0, 255).astype(np.uint8), ColourMode.GREY, None
    if mode in ("LA", "La"):
        grey_alpha = np.asarray(image.convert("LA"))
        return (
            _composite(grey_alpha[:, :, 0], grey_alpha[:, :, 1]),
            ColourMode.GREY,
            _mask(grey_alpha[:, :, 1]),
        )
    if mode == "CMYK":
        return np.asarray(_cmyk_to_rgb(image)), ColourMode.COLOUR, None
    if mode in ("RGBA", "RGBa", "PA") or (mode == "P" and "transparency" in image.info):
        rgba = np.asarray(image.convert("RGBA"))
        return _composite(rgba[:, :, :3], rgba[:, :, 3]), ColourMode.COLOUR, _mask(rgba[:, :, 3])
    if mode == "F":
        raise ImageRejected(reasons.FLOATING_POINT)
    return np.asarray(image.convert("RGB")), ColourMode.COLOUR, None


def _decode_jpeg_fast(image: Image.Image, data: bytes) -> tuple[np.ndarray, ColourMode, None]:
    """Decode with libjpeg-turbo; a truncated stream is refused, never taken as half a page.

    Other warnings (stray bytes before a marker, as some scanners write) leave the picture whole and
    are let through, as Pillow lets them through at ingest.
    """
    grey = image.mode == "L"
    colorspace = "GRAY" if grey else "RGB"
    try:
        pixels = simplejpeg.decode_jpeg(data, colorspace=colorspace, strict=True)
    except ValueError as exc:
        if "premature end" in str(exc).lower():
            raise ImageRejected(reasons.DAMAGED_JPEG.format(detail=exc)) from None
        flags = (cv2.IMREAD_GRAYSCALE if grey else cv2.IMREAD_COLOR_RGB) | cv2.IMREAD_IGNORE_ORIENTATION
        pixels = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
        if pixels is None:
            raise ImageRejected(reasons.DAMAGED_JPEG.format(detail=exc)) from None
    if pixels.shape[:2] != (image.height, image.width):
        raise ImageRejected(reasons.DAMAGED_JPEG.format(detail="wrong image size"))
    if grey:
        return pixels.reshape(image.height, image.width), ColourMode.GREY, None
    return pixels, ColourMode.COLOUR, None


def _cmyk_to_rgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: fall back to the plain conversion below
    # Pillow already undoes Adobe's inverted CMYK when reading; this is the naive, profile-free mapping.
    return image.convert("RGB")


def _mask(alpha: np.ndarray) -> np.ndarray | None:
    valid = np.where(alpha >= 128, 255, 0).astype(np.uint8)
    return None if valid.all() else valid


def _composite(colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Put transparent pixels on the paper's colour (the median of the brightest opaque pixels)."""
    opaque = alpha >= 128
    if not opaque.any():
        return np.full_like(colour, 255)
    samples = colour[opaque]
    bright = samples.reshape(len(samples), -1).astype(np.float32)
    luma = bright.mean(axis=1)
    paper = np.median(bright[luma >= np.percentile(luma, 75)], axis=0)
    weight = (alpha.astype(np.float32) / 255.0).reshape(alpha.shape + (1,) * (colour.ndim - 2))
    mixed = colour.astype(np.float32) * weight + paper.reshape((1, 1, -1)[: colour.ndim]) * (1.0 - weight)
    return np.clip(mixed + 0.5, 0, 255).astype(np.uint8)


def _exif_orientation(image: Image.Image) -> int:
    try:
        value = int(image.getexif().get(0x0112, 1) or 1)
    except Exception:  # a damaged EXIF block should not cost the page: show it as stored
        return 1
    return value if value in _EXIF_TRANSPOSE else 1


def _exif_transpose(pixels: np.ndarray, orientation: int) -> np.ndarray:
    if orientation == 2:
        return pixels[:, ::-1]
    if orientation == 3:
        return pixels[::-1, ::-1]
    if orientation == 4:
        return pixels[::-1]
    if orientation == 5:
        return pixels.swapaxes(0, 1)
    if orientation == 6:
        return np.rot90(pixels, k=-1)
    if orientation == 7:
        return pixels.swapaxes(0, 1)[::-1, ::-1]
    if orientation == 8:
        return np.rot90(pixels, k=1)
    return pixels


def _read_dpi(image: Image.Image, dpi_hint: float | None) -> tuple[float, str]:
    found = image.info.get("dpi")
    try:
        value = float(found[0]) if found else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    if PLAUSIBLE_DPI[0] <= value <= PLAUSIBLE_DPI[1]:
        return value, "file"
    if dpi_hint:
        return float(dpi_hint), "hint"
    return ASSUMED_DPI, "assumed"


@dataclass(frozen=True)
class YCbCr420:
    """A colour image as a 4:2:0 JPEG stores it: full-size luma, chroma at half size each way.

    Chroma pixel (i, j) covers luma pixels [2i, 2i+2) x [2j, 2j+2) (JFIF centred siting).
    """

    y: np.ndarray
    cb: np.ndarray
    cr: np.ndarray

    @classmethod
    def from_rgb(cls, rgb: np.ndarray) -> YCbCr420:
        h, w = rgb.shape[:2]
        padded = rgb
        if h % 2 or w % 2:  # the last chroma row or column covers one image pixel, repeated
            padded = cv2.copyMakeBorder(rgb, 0, h % 2, 0, w % 2, cv2.BORDER_REPLICATE)
        # The colour transform is linear, so averaging 2x2 blocks first gives the same chroma for a quarter.
        small = cv2.resize(padded, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        _, cr, cb = cv2.split(cv2.cvtColor(small, cv2.COLOR_RGB2YCrCb))
        return cls(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cb, cr)

    @property
    def shape(self) -> tuple[int, int]:
        return self.y.shape[:2]


def ycbcr(rgb: tuple[float, ...]) -> tuple[int, int, int]:
    """JFIF (full-range BT.601) Y, Cb, Cr of one RGB colour."""
    r, g, b = (float(v) for v in rgb[:3])
    y = 0.299 * r + 0.587 * g + 0.114 * b
    return tuple(int(np.clip(round(v), 0, 255)) for v in (y, 128 + 0.564 * (b - y), 128 + 0.713 * (r - y)))


def encode_image(
    image: np.ndarray,
    *,
    fmt: str = "jpeg",
    quality: int = 85,
    dpi: float = ASSUMED_DPI,
    colour_mode: ColourMode | None = None,
    icc_profile: bytes | None = None,
) -> bytes:
    """Encode a derivative as JPEG (4:2:0 for colour) or TIFF with the DPI written into the file.

    Bitonal images become Group 4 TIFF, or a grey JPEG (JPEG has no 1-bit mode).
    """
    fmt = fmt.lower()
    mode = colour_mode or (ColourMode.COLOUR if image.ndim == 3 else ColourMode.GREY)
    dpi_int = _dpi_field(dpi)
    if fmt in ("jpeg", "jpg"):
        _check_quality(quality)
        if image.ndim == 3:
            data = simplejpeg.encode_jpeg(
                np.ascontiguousarray(image), quality=quality, colorspace="RGB", colorsubsampling="420"
            )
        else:
            grey = np.ascontiguousarray(image)[:, :, None]
            data = simplejpeg.encode_jpeg(grey, quality=quality, colorspace="GRAY")
        return _jfif_header(data, dpi_int, icc_profile)
    if fmt in ("tiff", "tif"):
        pil = Image.fromarray(image)
        compression = "tiff_lzw"
        if mode == ColourMode.BITONAL:
            pil, compression = pil.point(lambda v: 255 if v >= 128 else 0).convert("1"), "group4"
        out = io.BytesIO()
        extra = {"icc_profile": icc_profile} if icc_profile else {}
        pil.save(out, "TIFF", compression=compression, dpi=(dpi_int, dpi_int), **extra)
        return out.getvalue()
    raise ValueError(f"unsupported output format {fmt!r}; use 'jpeg' or 'tiff'")


def encode_jpeg_planes(
    planes: YCbCr420, *, quality: int = 85, dpi: float = ASSUMED_DPI, icc_profile: bytes | None = None
) -> bytes:
    """Encode luma and chroma planes as they are: no colour conversion or chroma resampling on the way."""
    _check_quality(quality)
    luma = planes.y
    height, width = luma.shape
    if height % 2 or width % 2:
        # libjpeg-turbo reads luma in 2x2 blocks, past an odd last row or column: give it a repeated
        # row or column to read, and a view of the true size.
        padded = cv2.copyMakeBorder(luma, 0, height % 2, 0, width % 2, cv2.BORDER_REPLICATE)
        luma = padded[:height, :width]
    data = simplejpeg.encode_jpeg_yuv_planes(luma, planes.cb, planes.cr, quality=quality)
    return _jfif_header(data, _dpi_field(dpi), icc_profile)


def _check_quality(quality: int) -> None:
    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality must be 1..100, not {quality}")


def _dpi_field(dpi: float) -> int:
    return max(1, min(65535, round(dpi)))


ICC_MARKER = b"ICC_PROFILE\x00"
ICC_CHUNK = 65535 - 2 - len(ICC_MARKER) - 2  # segment length field, marker name, sequence and count


def _jfif_header(data: bytes, dpi: int, icc_profile: bytes | None) -> bytes:
    """Set the JFIF density to dots per inch and embed the ICC profile as APP2 segments after APP0."""
    if data[2:4] != b"\xff\xe0" or data[6:11] != b"JFIF\x00":
        raise ValueError("JPEG encoder wrote no JFIF header")
    out = bytearray(data)
    out[13] = 1  # units: dots per inch
    out[14:16] = dpi.to_bytes(2, "big")
    out[16:18] = dpi.to_bytes(2, "big")
    if not icc_profile:
        return bytes(out)
    chunks = [icc_profile[i : i + ICC_CHUNK] for i in range(0, len(icc_profile), ICC_CHUNK)]
    if len(chunks) > 255:
        raise ValueError("ICC profile too large to embed in a JPEG")
    segments = b"".join(
        b"\xff\xe2"
        + (len(chunk) + len(ICC_MARKER) + 4).to_bytes(2, "big")
        + ICC_MARKER
        + bytes([number, len(chunks)])
        + chunk
        for number, chunk in enumerate(chunks, start=1)
    )
    app0_end = 4 + int.from_bytes(out[4:6], "big")
    return bytes(out[:app0_end]) + segments + bytes(out[app0_end:])
