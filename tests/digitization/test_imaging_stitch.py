"""Joining two flatbed halves of an oversized page."""

import cv2
import numpy as np
import pytest

from digitization.imaging import StitchRefused, stitch_pair

from .synthetic_pages import A3_LANDSCAPE_MM, make_page, split_halves

EDGE = np.array([[1.0, 0, 0.5], [0, 1.0, 0.5], [0, 0, 1]])  # pixel centres to pixel edges


@pytest.fixture(scope="module")
def big_page():
    return {dpi: make_page(dpi=dpi, size_mm=A3_LANDSCAPE_MM, seed=41)[0] for dpi in (100, 150)}


def placement_error(found: np.ndarray, truth_centres: np.ndarray, shape: tuple[int, ...]) -> float:
    """Largest distance, over b's corners, between where the found and the true transform put them."""
    truth = EDGE @ truth_centres @ np.linalg.inv(EDGE)
    h, w = shape[:2]
    corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], float)
    return float(np.abs(corners @ found.T - corners @ truth.T)[:, :2].max())


@pytest.mark.parametrize(
    ("dpi", "overlap_mm", "tilt_a", "tilt_b", "turn_b"),
    [
        (150, 40, 1.5, -2.0, False),
        (150, 25, -2.0, 1.2, True),
        (150, 140, 0.3, 2.0, True),
        (100, 30, 2.0, 1.0, True),
    ],
)
def test_it_recovers_the_known_placement_of_the_second_half(
    big_page, dpi, overlap_mm, tilt_a, tilt_b, turn_b
):
    pair = split_halves(
        big_page[dpi], dpi=dpi, overlap_mm=overlap_mm, tilt_a=tilt_a, tilt_b=tilt_b, turn_b=turn_b
    )

    result = stitch_pair(pair.a, pair.b, dpi=dpi)

    assert placement_error(result.b_to_a, pair.b_to_a, pair.b.shape) < 1.0
    assert abs(result.scale - 1.0) < 0.005
    expected_turn = (180 if turn_b else 0) + tilt_b - tilt_a
    assert abs((result.rotation_deg - expected_turn + 180) % 360 - 180) < 0.1
    assert result.inliers >= 30


def test_the_join_shows_no_seam(big_page):
    dpi = 150
    pair = split_halves(big_page[dpi], dpi=dpi, overlap_mm=40, tilt_a=1.0, tilt_b=-1.5, turn_b=True)

    result = stitch_pair(pair.a, pair.b, dpi=dpi)

    # The whole page as it should look on the canvas: the original, placed like half a.
    x, y = result.a_offset
    place = np.array([[1.0, 0, x], [0, 1.0, y], [0, 0, 1]]) @ pair.page_to_a
    height, width = result.image.shape[:2]
    truth = cv2.warpAffine(pair.page, place[:2], (width, height), flags=cv2.INTER_LINEAR)
    on_page = cv2.warpAffine(np.full(pair.page.shape[:2], 255, np.uint8), place[:2], (width, height))
    inner = cv2.erode(on_page, np.ones((15, 15), np.uint8)) > 0
    diff = np.abs(result.image.astype(int) - truth.astype(int)).max(axis=2)
    # Columns across the join (the middle of the page) differ no more than columns inside one half.
    middle = slice(width // 2 - 60, width // 2 + 60)
    left = slice(width // 4 - 60, width // 4 + 60)
    assert diff[:, middle][inner[:, middle]].mean() < diff[:, left][inner[:, left]].mean() + 2.0
    assert np.percentile(diff[inner], 99) < 40


def test_it_refuses_halves_of_different_pages():
    dpi = 150
    one = split_halves(make_page(dpi=dpi, size_mm=A3_LANDSCAPE_MM, seed=42)[0], dpi=dpi)
    other = split_halves(make_page(dpi=dpi, size_mm=A3_LANDSCAPE_MM, seed=43)[0], dpi=dpi, turn_b=True)

    with pytest.raises(StitchRefused) as refused:
        stitch_pair(one.a, other.b, dpi=dpi)

    assert "match" in refused.value.reason


def test_it_refuses_the_same_half_twice(big_page):
    pair = split_halves(big_page[150], dpi=150)

    with pytest.raises(StitchRefused, match="repeats"):
        stitch_pair(pair.a, pair.a.copy(), dpi=150)


def test_it_refuses_blank_halves():
    blank, _ = make_page(dpi=100, size_mm=A3_LANDSCAPE_MM, text=False, seal=False, stains=False)
    pair = split_halves(blank, dpi=100)

    with pytest.raises(StitchRefused):
        stitch_pair(pair.a, pair.b, dpi=100)


def test_it_refuses_halves_at_different_resolutions(big_page):
    pair = split_halves(big_page[150], dpi=150, overlap_mm=60)
    smaller = cv2.resize(pair.b, None, fx=0.9, fy=0.9, interpolation=cv2.INTER_AREA)

    with pytest.raises(StitchRefused):
        stitch_pair(pair.a, smaller, dpi=150)


def test_the_same_halves_join_the_same_way_and_a_stored_join_rebuilds_the_page_exactly(big_page):
    pair = split_halves(big_page[100], dpi=100, overlap_mm=40, tilt_b=1.0, turn_b=True)
    first = stitch_pair(pair.a, pair.b, dpi=100)
    again = stitch_pair(pair.a, pair.b, dpi=100)
    assert np.array_equal(first.b_to_a, again.b_to_a)  # RANSAC is seeded: no drift between runs

    stored = np.array(first.b_to_a.tolist())  # as kept in the page's overrides (JSON)
    rebuilt = stitch_pair(pair.a, pair.b, dpi=100, b_to_a=stored)

    assert np.array_equal(rebuilt.image, first.image)
    assert np.array_equal(rebuilt.valid, first.valid)
    assert rebuilt.a_offset == first.a_offset
