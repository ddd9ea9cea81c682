"""Skew and orientation on synthetic 150 dpi pages with a dark lid border."""

import cv2
import numpy as np
import pytest

from digitization.imaging import analyse_page, deskew, detect_orientation, detect_skew, straighten

from .synthetic_pages import PAPER_RGB, make_page, make_photo, mm, place_on_lid

DPI = 150


@pytest.fixture(scope="module")
def page():
    return make_page(dpi=DPI, seed=21)


@pytest.fixture(scope="module")
def blank():
    return make_page(dpi=DPI, seed=22, text=False, seal=False, stains=False)


@pytest.mark.parametrize("angle", [-14.7, -9.3, -3.7, -0.8, 0.0, 0.45, 2.2, 6.1, 11.9, 14.8])
def test_it_measures_the_skew_within_a_tenth_of_a_degree(page, angle):
    scan = place_on_lid(page[0], dpi=DPI, angle_deg=angle, alpha=page[1], seed=int(angle * 10))

    result = detect_skew(scan.image, dpi=DPI)

    assert not result.flagged, result.reason
    assert abs(result.angle_deg - angle) < 0.1
    assert result.confidence > 0.8


def test_a_blank_page_is_flagged_and_left_unrotated(blank):
    scan = place_on_lid(blank[0], dpi=DPI, angle_deg=4.0, alpha=blank[1])

    result = detect_skew(scan.image, dpi=DPI)
    done = straighten(scan.image, dpi=DPI)

    assert result.flagged
    assert result.angle_deg == 0.0
    assert "blank" in result.reason
    assert done.frame.angle_deg == 0.0
    assert done.flags


def test_a_blank_page_without_border_comes_back_pixel_for_pixel(blank):
    done = straighten(blank[0], dpi=DPI)

    assert np.array_equal(done.pixels, blank[0])


def test_a_nearly_blank_page_is_flagged(blank):
    sparse = blank[0].copy()
    for row in range(2):
        org = (mm(25, DPI), mm(40 + 8 * row, DPI))
        cv2.putText(sparse, "received on the date below", org, cv2.FONT_HERSHEY_SIMPLEX, 0.8, (30, 30, 40), 1)

    result = detect_skew(place_on_lid(sparse, dpi=DPI, angle_deg=3.0).image, dpi=DPI)

    assert result.flagged
    assert result.angle_deg == 0.0


@pytest.mark.parametrize("on_lid", [False, True])
def test_a_photograph_is_flagged_and_left_unrotated(on_lid):
    photo = make_photo(dpi=DPI, seed=3)
    image = place_on_lid(photo, dpi=DPI, angle_deg=3.0).image if on_lid else photo

    result = detect_skew(image, dpi=DPI)

    assert result.flagged
    assert result.angle_deg == 0.0
    assert "photograph" in result.reason


def test_a_tilt_beyond_fifteen_degrees_is_flagged_not_rotated(page):
    scan = place_on_lid(page[0], dpi=DPI, angle_deg=24.0, alpha=page[1])

    result = detect_skew(scan.image, dpi=DPI)

    assert result.flagged
    assert result.angle_deg == 0.0


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_it_detects_quarter_turns(page, turn):
    turned = np.ascontiguousarray(np.rot90(page[0], turn // 90))
    alpha = np.ascontiguousarray(np.rot90(page[1], turn // 90))
    scan = place_on_lid(turned, dpi=DPI, angle_deg=1.3, alpha=alpha)
    analysis = analyse_page(scan.image, DPI)

    skew = detect_skew(analysis)
    orientation = detect_orientation(analysis, skew=skew)

    assert orientation.rotation_deg == turn
    assert not orientation.flagged
    assert abs(skew.angle_deg - 1.3) < 0.1
    assert skew.axis_deg == (90 if turn in (90, 270) else 0)


def test_a_sideways_page_is_straightened_upright(page):
    turned = np.ascontiguousarray(np.rot90(page[0], 3))
    done = straighten(place_on_lid(turned, dpi=DPI, angle_deg=-2.0).image, dpi=DPI)

    assert done.orientation.rotation_deg == 270
    assert done.pixels.shape[0] > done.pixels.shape[1]  # portrait again
    assert abs(analyse_page(done.pixels, DPI).paper_colour[0] - PAPER_RGB[0]) < 12
    assert abs(detect_skew(done.pixels, dpi=DPI).angle_deg) < 0.1


def test_deskew_fills_new_corners_with_paper_colour_not_black(page):
    straightened = deskew(page[0], 5.0, dpi=DPI)

    assert straightened.shape == page[0].shape
    corner = straightened[:3, :3].reshape(-1, 3).astype(int)
    assert np.abs(corner - PAPER_RGB).max() < 15


def test_deskew_turns_the_lines_level(page):
    scan = place_on_lid(page[0], dpi=DPI, angle_deg=-7.5, alpha=page[1])

    level = deskew(scan.image, detect_skew(scan.image, dpi=DPI), dpi=DPI)

    assert abs(detect_skew(level, dpi=DPI).angle_deg) < 0.05
