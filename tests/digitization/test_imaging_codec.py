"""Decoding scans (bad ones included) and encoding derivatives with their DPI."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageOps

from digitization.imaging import ColourMode, ImageRejected, encode_image, load_image
from digitization.imaging.codec import YCbCr420, encode_jpeg_planes, ycbcr

from .synthetic_pages import encode, make_page


@pytest.fixture(scope="module")
def page():
    image, _ = make_page(dpi=100, seed=11)
    return image


def test_it_decodes_a_jpeg_with_its_dpi_and_colour(page):
    loaded = load_image(encode(page, "JPEG", dpi=100, quality=95))

    assert loaded.pixels.shape == page.shape
    assert loaded.colour_mode == ColourMode.COLOUR
    assert (loaded.dpi, loaded.dpi_source) == (100.0, "file")
    assert np.abs(loaded.pixels.astype(int) - page).mean() < 3


def test_it_rejects_a_truncated_jpeg(page):
    data = encode(page, "JPEG", dpi=100)

    with pytest.raises(ImageRejected, match="truncated"):
        load_image(data[: len(data) * 2 // 3])


def test_it_converts_cmyk_to_rgb():
    cyan = Image.new("CMYK", (300, 200), (255, 0, 0, 0))
    out = io.BytesIO()
    cyan.save(out, "JPEG", quality=95)

    loaded = load_image(out.getvalue())

    assert loaded.source_mode == "CMYK"
    assert loaded.pixels.shape == (200, 300, 3)
    assert np.abs(loaded.pixels[100, 150].astype(int) - (0, 255, 255)).max() < 8


def test_it_scales_16_bit_grey_to_8_bit_without_clipping():
    ramp = np.tile(np.linspace(0, 65535, 400).astype(np.uint16), (300, 1))
    out = io.BytesIO()
    Image.fromarray(ramp).save(out, "TIFF", dpi=(300, 300))

    loaded = load_image(out.getvalue())

    assert loaded.source_mode.startswith("I;16")
    assert loaded.colour_mode == ColourMode.GREY
    assert loaded.pixels.dtype == np.uint8
    assert loaded.pixels[0, 0] == 0
    assert loaded.pixels[0, -1] == 255
    assert abs(int(loaded.pixels[0, 200]) - round(ramp[0, 200] / 257)) <= 1


def test_it_flattens_rgba_onto_paper_and_remembers_the_transparent_surround(page):
    rgba = np.zeros((page.shape[0] + 40, page.shape[1] + 40, 4), np.uint8)
    rgba[20:-20, 20:-20, :3] = page
    rgba[20:-20, 20:-20, 3] = 255

    loaded = load_image(encode(rgba, "PNG"))

    assert loaded.pixels.shape == (*rgba.shape[:2], 3)
    assert loaded.valid is not None
    assert loaded.valid[5, 5] == 0
    assert loaded.valid[300, 300] == 255
    # The transparent surround takes the paper's colour, not black.
    assert loaded.pixels[5, 5].min() > 180


def test_it_applies_the_exif_orientation(page):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways; displayed turned 90 degrees clockwise
    data = encode(page, "JPEG", dpi=100, quality=95, exif=exif.tobytes())

    loaded = load_image(data)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))))

    assert loaded.exif_orientation == 6
    assert loaded.pixels.shape == (page.shape[1], page.shape[0], 3)
    assert np.abs(loaded.pixels.astype(int) - expected).mean() < 1


def test_it_rejects_a_tiny_image():
    with pytest.raises(ImageRejected, match="too small"):
        load_image(encode(np.full((40, 30, 3), 200, np.uint8), "PNG"))


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4 not a scan", b"\x00" * 1000])
def test_it_rejects_bytes_that_are_not_an_image(data):
    with pytest.raises(ImageRejected) as caught:
        load_image(data)

    assert caught.value.reason


def test_it_rejects_more_pixels_than_allowed(page):
    with pytest.raises(ImageRejected, match="above the limit"):
        load_image(encode(page, "PNG"), max_pixels=page.shape[0] * page.shape[1] - 1)


def test_it_rejects_a_decompression_bomb():
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    # A 40000 x 40000 PNG header with no real pixel data behind it.
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40000, 40000, 8, 0, 0, 0, 0))
    bomb += chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")

    with pytest.raises(ImageRejected, match="pixels"):
        load_image(bomb)


def test_it_rejects_a_multi_page_tiff(page):
    out = io.BytesIO()
    first, second = Image.fromarray(page), Image.fromarray(page[::-1])
    first.save(out, "TIFF", save_all=True, append_images=[second])

    with pytest.raises(ImageRejected, match="2 pages"):
        load_image(out.getvalue())


def test_it_prefers_the_file_dpi_then_the_hint_then_300(page):
    assert load_image(encode(page, "JPEG", dpi=200), dpi_hint=150).dpi == 200
    assert load_image(encode(page, "JPEG", dpi=72), dpi_hint=150).dpi_source == "hint"
    assert load_image(encode(page, "PNG")).dpi == 300
    assert load_image(encode(page, "PNG")).dpi_source == "assumed"


def test_it_keeps_bitonal_and_grey_scans_as_they_are(page):
    grey = page.mean(axis=2).astype(np.uint8)
    bitonal = Image.fromarray(grey).point(lambda v: 255 if v > 128 else 0).convert("1")
    out = io.BytesIO()
    bitonal.save(out, "TIFF", compression="group4", dpi=(300, 300))

    assert load_image(encode(grey, "PNG")).colour_mode == ColourMode.GREY
    loaded = load_image(out.getvalue())
    assert loaded.colour_mode == ColourMode.BITONAL
    assert set(np.unique(loaded.pixels)) <= {0, 255}


@pytest.mark.parametrize("fmt", ["jpeg", "tiff"])
def test_the_dpi_is_written_into_the_file(page, fmt):
    data = encode_image(page, fmt=fmt, quality=80, dpi=300)

    with Image.open(io.BytesIO(data)) as written:
        assert written.format == fmt.upper()
        assert tuple(round(v) for v in written.info["dpi"]) == (300, 300)


def test_jpeg_quality_is_a_parameter(page):
    assert len(encode_image(page, quality=40, dpi=100)) < len(encode_image(page, quality=95, dpi=100))


def test_bitonal_stays_one_bit_in_tiff_and_grey_stays_grey_in_jpeg(page):
    grey = page.mean(axis=2).astype(np.uint8)
    bitonal = np.where(grey > 128, 255, 0).astype(np.uint8)

    tiff = Image.open(io.BytesIO(encode_image(bitonal, fmt="tiff", dpi=300, colour_mode=ColourMode.BITONAL)))
    jpeg = Image.open(io.BytesIO(encode_image(grey, fmt="jpeg", dpi=300)))

    assert (tiff.mode, tiff.info["compression"]) == ("1", "group4")
    assert np.array_equal(np.asarray(tiff.convert("L")), bitonal)
    assert jpeg.mode == "L"


def test_a_jpeg_derivative_carries_the_scans_icc_profile_even_when_it_needs_several_segments(page):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    padded = profile + bytes(150_000)  # larger than one APP2 segment holds

    for data in (
        encode_image(page, dpi=300, icc_profile=padded),
        encode_jpeg_planes(YCbCr420.from_rgb(page), dpi=300, icc_profile=padded),
    ):
        with Image.open(io.BytesIO(data)) as written:
            assert written.info["icc_profile"] == padded
            assert tuple(round(v) for v in written.info["dpi"]) == (300, 300)
            assert np.abs(np.asarray(written).astype(int) - page).mean() < 3


@pytest.mark.parametrize("size", [(400, 300), (401, 299)])
def test_planes_encode_the_same_picture_as_rgb(page, size):
    rgb = np.ascontiguousarray(page[: size[0], : size[1]])
    planes = YCbCr420.from_rgb(rgb)

    assert planes.cb.shape == planes.cr.shape == ((size[0] + 1) // 2, (size[1] + 1) // 2)
    with Image.open(io.BytesIO(encode_jpeg_planes(planes, quality=95))) as written:
        assert written.size == (size[1], size[0])
        assert np.abs(np.asarray(written).astype(int) - rgb).mean() < 2.5


def test_ycbcr_of_a_colour_matches_the_image_conversion():
    colour = (231, 194, 150)
    planes = YCbCr420.from_rgb(np.full((4, 4, 3), colour, np.uint8))

    assert ycbcr(colour) == (int(planes.y[0, 0]), int(planes.cb[0, 0]), int(planes.cr[0, 0]))


@pytest.mark.parametrize("size", [(877, 620), (801, 601), (99, 101)])
def test_odd_sized_planes_encode_their_last_row_and_column_faithfully(size):
    # libjpeg-turbo reads luma in 2x2 blocks; an odd edge once picked up whatever lay beyond the array.
    colour = (200, 180, 150)
    for _ in range(3):
        data = encode_jpeg_planes(YCbCr420.from_rgb(np.full((*size, 3), colour, np.uint8)), quality=90)
        with Image.open(io.BytesIO(data)) as written:
            assert written.size == size[::-1]
            assert np.abs(np.asarray(written).astype(int) - colour).max() <= 2


def test_a_jpeg_with_stray_bytes_before_a_marker_is_read_as_pillow_reads_it(page):
    # Some scanners write these; libjpeg only warns, and the picture is whole.
    data = encode(page, "JPEG", dpi=100, quality=95)
    scan = data.index(b"\xff\xda")
    loaded = load_image(data[:scan] + b"\x00\x00" + data[scan:])

    assert loaded.pixels.shape == page.shape
    assert np.abs(loaded.pixels.astype(int) - page).mean() < 3
