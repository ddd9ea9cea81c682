"""Cropping to the sheet: 2-3 mm outside its edge, nothing on the paper ever cut."""

import numpy as np
import pytest

from digitization.imaging import PageFrame, find_paper, load_image, process_page, straighten

from .synthetic_pages import INK_RGB, encode, make_page, mm, place_on_lid

DPI = 150


BLUE_INK = (35, 55, 170)  # a ballpoint note; nothing else on the page or the lid is blue


def red(image: np.ndarray) -> int:
    r, g, b = (image[:, :, c].astype(int) for c in range(3))
    return int(((r > 150) & (g < 120) & (b < 120)).sum())


def blue(image: np.ndarray) -> int:
    r, b = image[:, :, 0].astype(int), image[:, :, 2].astype(int)
    return int((b > r + 60).sum())


def margins_mm(frame: PageFrame, paper_quad: np.ndarray) -> list[float]:
    """Distance from each side of the output to the true paper edge: left, top, right, bottom."""
    paper = frame.to_output(paper_quad + 0.5)  # the generator's quad is in pixel-centre coordinates
    px = [
        paper[:, 0].min(),
        paper[:, 1].min(),
        frame.width - paper[:, 0].max(),
        frame.height - paper[:, 1].max(),
    ]
    return [v * 25.4 / DPI for v in px]


@pytest.fixture(scope="module")
def edge_page():
    image, alpha = make_page(dpi=DPI, seed=31, edge_seal=True)
    # Ink right at the paper's edges: notes on the left and top, a black stroke off the bottom.
    image[mm(60, DPI) : mm(90, DPI), : mm(1.5, DPI)] = BLUE_INK
    image[: mm(1, DPI), mm(60, DPI) : mm(90, DPI)] = BLUE_INK
    image[-mm(2, DPI) :, mm(100, DPI) : mm(140, DPI)] = INK_RGB
    return image, alpha


@pytest.mark.parametrize("angle", [-8.0, -1.5, 0.0, 3.2, 12.0])
def test_the_crop_leaves_two_to_three_mm_outside_the_paper(edge_page, angle):
    scan = place_on_lid(edge_page[0], dpi=DPI, angle_deg=angle, alpha=edge_page[1], seed=3)

    done = straighten(scan.image, dpi=DPI)

    for margin in margins_mm(done.frame, scan.paper_quad):
        assert 2.0 <= margin <= 3.0


def test_the_crop_never_cuts_seals_stains_or_ink_at_the_edge(edge_page):
    scan = place_on_lid(edge_page[0], dpi=DPI, angle_deg=4.0, alpha=edge_page[1], seed=4)

    done = straighten(scan.image, dpi=DPI)

    assert red(done.pixels) >= 0.93 * red(edge_page[0])
    assert blue(done.pixels) >= 0.95 * blue(edge_page[0])


def test_an_image_without_lid_border_keeps_its_size(edge_page):
    done = straighten(edge_page[0], dpi=DPI)

    assert done.pixels.shape == edge_page[0].shape


def test_find_paper_reports_no_border_when_the_paper_fills_the_scan(edge_page):
    crop = find_paper(edge_page[0], DPI)

    assert crop.paper_quad is None
    assert crop.cut_sides == ()
    assert (crop.frame.width, crop.frame.height) == (edge_page[0].shape[1], edge_page[0].shape[0])


def test_find_paper_follows_the_sheet_edges_without_an_angle(edge_page):
    scan = place_on_lid(edge_page[0], dpi=DPI, angle_deg=-5.0, alpha=edge_page[1])

    crop = find_paper(scan.image, DPI)

    assert abs(crop.frame.angle_deg + 5.0) < 0.3
    assert set(crop.cut_sides) == {"left", "top", "right", "bottom"}


def test_a_transparent_surround_is_cropped_like_a_lid(edge_page):
    scan = place_on_lid(edge_page[0], dpi=DPI, angle_deg=2.5, alpha=edge_page[1], lid_rgb=(0, 0, 0))
    rgba = np.dstack([scan.image, np.where(scan.image.max(axis=2) > 60, 255, 0).astype(np.uint8)])
    # Transparent pixels of an RGBA file carry arbitrary colour; make it bright to prove alpha is used.
    rgba[rgba[:, :, 3] == 0, :3] = 250

    result = process_page(encode(rgba, "PNG", dpi=DPI))
    out = load_image(result.data).pixels

    assert result.status == "ok", result.reason
    paper_w, paper_h = edge_page[0].shape[1], edge_page[0].shape[0]
    assert abs(out.shape[1] - paper_w - 2 * mm(2.5, DPI)) <= mm(1, DPI)
    assert abs(out.shape[0] - paper_h - 2 * mm(2.5, DPI)) <= mm(1, DPI)


def test_a_page_longer_than_the_scanner_keeps_the_scan_length(edge_page):
    # Lid only left and right: the sheet runs off the top and bottom of the scan.
    scan = place_on_lid(edge_page[0], dpi=DPI, angle_deg=0.0, alpha=edge_page[1], border_mm=(12, 0, 12, 0))
    cut = scan.image[mm(10, DPI) : -mm(10, DPI)]

    done = straighten(cut, dpi=DPI)

    assert done.pixels.shape[0] == cut.shape[0]
    assert abs(done.pixels.shape[1] - edge_page[0].shape[1] - 2 * mm(2.5, DPI)) <= 2


def test_an_almost_black_image_is_flagged_and_not_cropped():
    rng = np.random.default_rng(5)
    dark = rng.integers(0, 14, (1200, 900, 3), dtype=np.uint8)

    result = process_page(encode(dark, "PNG", dpi=DPI))

    assert result.status == "flagged"
    assert result.reason
    assert (result.width, result.height) == (900, 1200)
    assert result.skew_deg is None
