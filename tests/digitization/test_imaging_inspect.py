"""Ingest's quick checks refuse exactly what the full decode refuses, and report the same facts."""

import io

import pytest
from PIL import Image

from digitization.imaging import ImageRejected, load_image
from digitization.imaging.inspect import inspect_scan
from tests.digitization.factories import scan_jpeg


def _exif_rotated_jpeg() -> bytes:
    image = Image.open(io.BytesIO(scan_jpeg(seed=1)))
    exif = Image.Exif()
    exif[0x0112] = 6  # displayed turned 90°: width and height swap
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, dpi=(300, 300))
    return out.getvalue()


def _grey_png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (300, 400), 200).save(out, "PNG", dpi=(200, 200))
    return out.getvalue()


@pytest.mark.parametrize(
    "data", [scan_jpeg(seed=2), scan_jpeg(seed=3, dpi=150), _exif_rotated_jpeg(), _grey_png()]
)
def test_the_quick_check_reports_what_the_full_decode_finds(data):
    facts, loaded = inspect_scan(data), load_image(data)
    assert (
        facts.width,
        facts.height,
        facts.dpi,
        facts.dpi_source,
        facts.colour_mode,
        facts.source_format,
    ) == (
        loaded.width,
        loaded.height,
        loaded.dpi,
        loaded.dpi_source,
        loaded.colour_mode,
        loaded.source_format,
    )


@pytest.mark.parametrize(
    ("data", "max_pixels"),
    [
        (scan_jpeg(seed=4)[:5000], 10**8),
        (b"\xff\xd8not a jpeg", 10**8),
        (scan_jpeg(seed=5), 1000),
        (b"", 10**8),
    ],
)
def test_the_quick_check_refuses_what_the_full_decode_refuses(data, max_pixels):
    with pytest.raises(ImageRejected):
        load_image(data, max_pixels=max_pixels)
    with pytest.raises(ImageRejected):
        inspect_scan(data, max_pixels=max_pixels)
