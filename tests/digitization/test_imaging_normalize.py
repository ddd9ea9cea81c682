"""One size for the pages of an item, without stretching any page."""

import numpy as np
import pytest

from digitization.imaging import normalize_item_pages

from .synthetic_pages import PAPER_RGB, make_page, mm

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

    out = normalize_item_pages([grey, bitonal[: -mm(3, DPI)]], [DPI, DPI], bitonal=[False, True])

    assert out[0].image.ndim == 2
    assert out[1].image.shape == grey.shape
    assert set(np.unique(out[1].image)) <= {0, 255}
