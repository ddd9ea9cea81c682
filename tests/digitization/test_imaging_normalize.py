"""One size for the pages of an item, without stretching any page."""

import numpy as np
import pytest

from digitization.imaging import load_image, normalize_item_pages, process_page
from digitization.imaging.geometry import centred_offset, pad_image
from digitization.imaging.normalize import plan_item_sizes

from .synthetic_pages import PAPER_RGB, encode, make_page, mm

DPI = 100


@pytest.fixture(scope="module")
def a4():
    return make_page(dpi=DPI, seed=51)[0]


def test_pages_of_one_paper_size_are_padded_to_one_size_without_scaling(a4):
    pages = [a4, a4[:-9, :-5], a4[4:, 7:]]

    out = normalize_item_pages(pages, [DPI] * 3)

    assert {page.image.shape for page in out} == {a4.shape}
    for original, page in zip(pages, out, strict=True):
        x, y = page.offset
        h, w = original.shape[:2]
        assert page.scale == 1.0
        assert np.array_equal(page.image[y : y + h, x : x + w], original)


def test_padding_takes_the_paper_colour(a4):
    out = normalize_item_pages([a4, a4[:-20, :-20]], [DPI, DPI])

    pad = out[1].image[-5:, -5:].reshape(-1, 3).astype(int)
    assert np.abs(pad - PAPER_RGB).max() < 15


def test_a_different_paper_size_keeps_its_own_size(a4):
    a3 = make_page(dpi=DPI, size_mm=(297, 420), seed=52)[0]

    out = normalize_item_pages([a4, a3, a4[:-6]], [DPI] * 3)

    assert out[0].image.shape == out[2].image.shape == a4.shape
    assert out[1].image.shape == a3.shape
    assert out[1].group != out[0].group


def test_a_page_scanned_at_another_resolution_is_scaled_evenly(a4):
    fine = make_page(dpi=2 * DPI, seed=53)[0]

    out = normalize_item_pages([a4, fine, a4], [DPI, 2 * DPI, DPI])

    assert out[1].scale == 0.5
    assert out[1].dpi == DPI
    assert out[0].image.shape == out[1].image.shape == out[2].image.shape
    assert np.abs(np.subtract(out[1].image.shape[:2], a4.shape[:2])).max() <= 1
    # Both axes shrank by the same factor: the page kept its proportions.
    x, y = out[1].offset
    h, w = out[1].image.shape[0] - 2 * y, out[1].image.shape[1] - 2 * x
    assert abs(h / w - fine.shape[0] / fine.shape[1]) < 0.003


def test_grey_and_bitonal_pages_stay_grey_and_bitonal(a4):
    grey = a4.mean(axis=2).astype(np.uint8)
    bitonal = np.where(grey > 128, 255, 0).astype(np.uint8)

    out = normalize_item_pages([grey, bitonal[: -mm(3, DPI)]], [DPI, DPI])

    assert out[0].image.ndim == 2
    assert out[1].image.shape == grey.shape
    assert set(np.unique(out[1].image)) <= {0, 255}


def test_the_plan_gives_each_page_the_largest_size_of_its_paper_size_at_its_resolution():
    a4, a4_tighter, a3 = (2543, 3571), (2531, 3560), (3571, 5031)
    a4_at_200 = (1695, 2381)

    plan = plan_item_sizes([a4_tighter, a3, a4, a4_at_200, (1690, 2375)], [300, 300, 300, 200, 200])

    assert plan == [a4, a3, a4, a4_at_200, a4_at_200]


def test_a_derivative_padded_to_the_plan_keeps_its_content_and_centres_it_on_paper(a4):
    scan = encode(a4[:-30, :-20], "JPEG", dpi=DPI, quality=95)
    natural = process_page(scan, crop=False)
    target = (natural.width + 37, natural.height + 70)

    padded = process_page(scan, crop=False, pad_to=target)

    assert (padded.status, padded.width, padded.height) == ("ok", *target)
    assert padded.padding == [16, 32, 21, 38]  # about centred, on whole JPEG coding units
    inner = load_image(padded.data).pixels[32 : 32 + natural.height, 16 : 16 + natural.width].astype(int)
    difference = np.abs(inner - load_image(natural.data).pixels)
    assert difference[2:-16, 2:-16].max() == 0  # the same blocks, coded the same way
    border = load_image(padded.data).pixels[:, -5:].reshape(-1, 3).astype(int)
    assert np.abs(border - PAPER_RGB).max() < 15


def test_padding_to_a_smaller_size_is_an_error_not_a_crop(a4):
    result = process_page(encode(a4, "JPEG", dpi=DPI), crop=False, pad_to=(100, 100))

    assert result.status == "error"
    assert "smaller" in result.reason


@pytest.mark.parametrize(
    ("room", "unit", "offset"), [(31, 16, 16), (20, 16, 16), (10, 16, 0), (0, 16, 0), (7, 1, 4), (40, 16, 16)]
)
def test_padding_is_split_as_evenly_as_whole_units_allow(room, unit, offset):
    assert centred_offset((100, 100), (100 + room, 100), unit=unit) == (offset, 0)


def test_padding_continues_the_scanner_rim_around_a_cropped_page(a4):
    framed = np.full((a4.shape[0] + 20, a4.shape[1] + 20, 3), 40, np.uint8)
    framed[10:-10, 10:-10] = a4

    padded = pad_image(framed, (framed.shape[1] + 40, framed.shape[0] + 40))

    assert np.abs(padded[:, -15:].astype(int) - 40).max() == 0


def test_a_tiff_derivative_is_padded_exactly_about_its_centre_and_loses_nothing(a4):
    scan = encode(a4[:-30, :-20], "PNG", dpi=DPI)
    natural = process_page(scan, crop=False, fmt="tiff")
    target = (natural.width + 21, natural.height + 30)

    padded = process_page(scan, crop=False, fmt="tiff", pad_to=target)

    assert padded.padding == [10, 15, 11, 15]  # TIFF has no coding units: centred to the pixel
    inner = load_image(padded.data).pixels[15 : 15 + natural.height, 10 : 10 + natural.width]
    assert np.array_equal(inner, load_image(natural.data).pixels)
