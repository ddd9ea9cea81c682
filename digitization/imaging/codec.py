"""Decoding scans into arrays and encoding derivatives, with the scan's DPI and colour mode kept."""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from PIL import Image, ImageCms, UnidentifiedImageError

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
        raise ImageRejected("empty file")
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageRejected("not an image file (format not recognised)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("image has too many pixels (possible decompression bomb)") from None
    except Exception as exc:  # malformed files make Pillow raise almost anything
        raise ImageRejected(f"cannot read image header: {exc}") from None
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRejected(f"image has {width}x{height} pixels, above the limit of {max_pixels}")
    if min(width, height) < min_side:
        raise ImageRejected(f"image is only {width}x{height} pixels, too small for a page scan")
    if getattr(image, "n_frames", 1) > 1:
        # Taking the first frame would silently lose pages, and missing pages admit no error.
        raise ImageRejected(f"file holds {image.n_frames} pages; split it into one file per page")
    try:
        pixels, mode, valid = _decode_pixels(image, data)
    except ImageRejected:
        raise
    except MemoryError:
        raise ImageRejected("image too large to decode in memory") from None
    except Exception as exc:  # truncated or corrupt data: Pillow's errors vary by format
        raise ImageRejected(f"cannot decode image: {exc}") from None
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
        raise ImageRejected("32-bit floating point images are not scans; convert to 8 or 16 bit")
    return np.asarray(image.convert("RGB")), ColourMode.COLOUR, None


def _decode_jpeg_fast(image: Image.Image, data: bytes) -> tuple[np.ndarray, ColourMode, None]:
    """Let Pillow decode the whole stream at 1/8 scale, then decode at full size with OpenCV.

    OpenCV's decoder only warns on a truncated JPEG; Pillow raises. A 1/8 draft still reads every
    entropy-coded byte, so it catches truncation at a fifth of the cost of a full Pillow decode.
    """
    width, height = image.size
    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
    image.load()
    grey = image.mode == "L"
    flags = (cv2.IMREAD_GRAYSCALE if grey else cv2.IMREAD_COLOR_RGB) | cv2.IMREAD_IGNORE_ORIENTATION
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if pixels is None or pixels.shape[:2] != (height, width):
        raise ImageRejected("JPEG data is damaged and cannot be decoded")
    return pixels, ColourMode.GREY if grey else ColourMode.COLOUR, None


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


def encode_image(
    image: np.ndarray,
    *,
    fmt: str = "jpeg",
    quality: int = 85,
    dpi: float = ASSUMED_DPI,
    colour_mode: ColourMode | None = None,
    icc_profile: bytes | None = None,
) -> bytes:
    """Encode a derivative as JPEG or TIFF with the DPI written into the file.

    Bitonal images become Group 4 TIFF, or a grey JPEG (JPEG has no 1-bit mode).
    """
    fmt = fmt.lower()
    mode = colour_mode or (ColourMode.COLOUR if image.ndim == 3 else ColourMode.GREY)
    dpi_int = max(1, min(65535, round(dpi)))
    if fmt in ("jpeg", "jpg"):
        if not 1 <= quality <= 100:
            raise ValueError(f"JPEG quality must be 1..100, not {quality}")
        if icc_profile is None:
            return _encode_jpeg_fast(image, quality, dpi_int)
        pil = Image.fromarray(image)
        out = io.BytesIO()
        pil.save(
            out, "JPEG", quality=quality, dpi=(dpi_int, dpi_int), icc_profile=icc_profile, optimize=False
        )
        return out.getvalue()
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


def _encode_jpeg_fast(image: np.ndarray, quality: int, dpi: int) -> bytes:
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
    ok, buffer = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    data = bytearray(buffer.tobytes())
    # libjpeg writes a JFIF APP0 segment with density units 0; set units to dots per inch and the density.
    if data[2:4] == b"\xff\xe0" and data[6:11] == b"JFIF\x00":
        data[13] = 1
        data[14:16] = dpi.to_bytes(2, "big")
        data[16:18] = dpi.to_bytes(2, "big")
        return bytes(data)
    out = io.BytesIO()
    Image.fromarray(image).save(out, "JPEG", quality=quality, dpi=(dpi, dpi))
    return out.getvalue()
