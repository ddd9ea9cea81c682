"""process_page end to end, bad inputs, manual overrides, and the folder run behind `process_images`."""

import io
import json

import numpy as np
import pytest
from django.core.management import call_command
from PIL import Image

from digitization.imaging import SOFTWARE_VERSION, PageFrame, encode_image, load_image, process_page
from digitization.imaging.codec import encode_jpeg_planes
from digitization.imaging.geometry import warp_frame, warp_frame_planes
from digitization.measure import process_folder

from .synthetic_pages import A3_LANDSCAPE_MM, encode, make_page, mm, place_on_lid, split_halves

DPI = 120


@pytest.fixture(scope="module")
def page():
    return make_page(dpi=DPI, seed=61)


@pytest.fixture(scope="module")
def scan(page):
    return place_on_lid(page[0], dpi=DPI, angle_deg=-3.4, alpha=page[1])


@pytest.fixture(scope="module")
def scan_jpeg(scan):
    return encode(scan.image, "JPEG", dpi=DPI, quality=92)


def test_a_scan_becomes_a_straight_cropped_jpeg_with_metadata(scan, scan_jpeg):
    result = process_page(scan_jpeg, jpeg_quality=80)

    assert (result.status, result.reason) == ("ok", "")
    assert abs(result.skew_deg + 3.4) < 0.1
    assert result.rotation_deg == 0
    assert result.confidence > 0.8
    assert result.software == SOFTWARE_VERSION
    assert "opencv" in result.software
    with Image.open(io.BytesIO(result.data)) as out:
        assert out.format == "JPEG"
        assert out.size == (result.width, result.height)
        assert tuple(round(v) for v in out.info["dpi"]) == (DPI, DPI)
    # The crop quad sits on the input, around the paper.
    quad = np.array(result.crop_quad)
    assert quad.shape == (4, 2)
    paper_centre = scan.paper_quad.mean(axis=0)
    assert np.abs(quad.mean(axis=0) - paper_centre).max() < mm(1, DPI)


def cmyk_jpeg(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).convert("CMYK").save(out, "JPEG", quality=90, dpi=(DPI, DPI))
    return out.getvalue()


def sixteen_bit_tiff(image: np.ndarray) -> bytes:
    grey = (image.mean(axis=2) * 257).astype(np.uint16)
    out = io.BytesIO()
    Image.fromarray(grey).save(out, "TIFF", dpi=(DPI, DPI))
    return out.getvalue()


def rgba_png(image: np.ndarray) -> bytes:
    alpha = np.where(image.max(axis=2) > 70, 255, 0).astype(np.uint8)
    return encode(np.dstack([image, alpha]), "PNG", dpi=DPI)


def exif_rotated_jpeg(image: np.ndarray) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 8  # stored turned; displayed after a quarter turn
    return encode(np.ascontiguousarray(np.rot90(image, -1)), "JPEG", dpi=DPI, quality=92, exif=exif.tobytes())


@pytest.mark.parametrize("make", [cmyk_jpeg, sixteen_bit_tiff, rgba_png, exif_rotated_jpeg])
def test_unusual_but_valid_files_are_processed(scan, make):
    result = process_page(make(scan.image))

    assert result.status == "ok", result.reason
    assert abs(result.skew_deg + 3.4) < 0.1
    # Crop quads are in the input as displayed, so they match the plain scan's.
    quad = np.array(result.crop_quad)
    assert np.abs(quad.mean(axis=0) - scan.paper_quad.mean(axis=0)).max() < mm(1, DPI)


def test_a_sixteen_bit_grey_scan_stays_grey(scan):
    result = process_page(sixteen_bit_tiff(scan.image))

    assert result.colour_mode == "grey"
    assert Image.open(io.BytesIO(result.data)).mode == "L"


def test_bad_inputs_are_refused_with_a_reason_and_never_raise(scan_jpeg):
    bomb_png = encode(np.zeros((2000, 2000), np.uint8), "PNG")
    noise = np.random.default_rng(3).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    cases = {
        "truncated": scan_jpeg[: len(scan_jpeg) // 2],
        "not an image": b"<html>scanner error</html>",
        "jpeg header, noise after": scan_jpeg[:600] + noise,
        "png header, noise after": encode(np.zeros((200, 200), np.uint8), "PNG")[:40] + noise,
        "tiny": encode(np.full((30, 20, 3), 240, np.uint8), "PNG"),
        "empty": b"",
    }
    for name, data in cases.items():
        result = process_page(data)
        assert result.status == "rejected", name
        assert result.reason, name
        assert result.data is None, name
    too_big = process_page(bomb_png, max_pixels=1_000_000)
    assert too_big.status == "rejected"
    assert "limit" in too_big.reason


@pytest.mark.parametrize("kind", ["blank", "almost black"])
def test_blank_and_almost_black_pages_are_flagged_not_rotated(page, kind):
    if kind == "blank":
        blank, alpha = make_page(dpi=DPI, seed=62, text=False, seal=False, stains=False)
        image = place_on_lid(blank, dpi=DPI, angle_deg=5.0, alpha=alpha).image
    else:
        image = np.random.default_rng(1).integers(0, 12, (1100, 800, 3), dtype=np.uint8)

    result = process_page(encode(image, "PNG", dpi=DPI))

    assert result.status == "flagged"
    assert result.reason
    assert result.skew_deg is None
    assert PageFrame.from_quad(result.crop_quad).angle_deg == pytest.approx(0.0, abs=1e-6)


def test_a_manual_angle_and_rotation_override_detection(scan_jpeg):
    result = process_page(scan_jpeg, angle_deg=1.0, rotation_deg=180)

    assert result.manual
    assert result.skew_deg == 1.0
    assert result.rotation_deg == 180
    turned = PageFrame.from_quad(result.crop_quad).angle_deg
    assert (turned - 181.0 + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=1e-3)


def test_a_crop_quad_from_an_earlier_run_reproduces_the_page(scan_jpeg):
    first = process_page(scan_jpeg)

    again = process_page(scan_jpeg, crop_quad=first.crop_quad)

    assert (again.width, again.height) == (first.width, first.height)
    assert again.skew_deg == pytest.approx(first.skew_deg, abs=1e-3)
    one, two = load_image(first.data).pixels.astype(int), load_image(again.data).pixels.astype(int)
    assert np.abs(one - two).mean() < 1.0


def test_a_hand_drawn_crop_box_is_honoured(scan_jpeg):
    box = [[100, 120], [500, 120], [500, 700], [100, 700]]

    result = process_page(scan_jpeg, crop_quad=box)

    assert (result.width, result.height) == (400, 580)
    assert result.skew_deg == 0.0
    assert result.crop_quad == [[float(x), float(y)] for x, y in box]


def test_tiff_output_keeps_the_dpi(scan_jpeg):
    result = process_page(scan_jpeg, fmt="tiff")

    with Image.open(io.BytesIO(result.data)) as out:
        assert out.format == "TIFF"
        assert tuple(round(v) for v in out.info["dpi"]) == (DPI, DPI)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, scan_jpeg):
    source = tmp_path_factory.mktemp("scans")
    (source / "Z001-0001.jpg").write_bytes(scan_jpeg)
    (source / "Z001-0002.jpg").write_bytes(scan_jpeg[:5000])
    (source / "notes.txt").write_text("operator notes, not an image")
    (source / "Thumbs.db").write_bytes(b"\x00" * 64)
    big = make_page(dpi=DPI, size_mm=A3_LANDSCAPE_MM, seed=63)[0]
    pair = split_halves(big, dpi=DPI, overlap_mm=40, tilt_a=1.0, tilt_b=-1.0, turn_b=True)
    (source / "map_a.png").write_bytes(encode(pair.a, "PNG", dpi=DPI))
    (source / "map_b.png").write_bytes(encode(pair.b, "PNG", dpi=DPI))
    return source


def test_a_folder_run_writes_derivatives_and_a_report(folder, tmp_path):
    report = process_folder(folder, tmp_path, stitch=True)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["Z001-0001.jpg", "map.jpg"]
    results = report["results"]
    assert set(results) == {"Z001-0001.jpg", "Z001-0002.jpg", "map_a.png", "map_b.png"}
    assert results["Z001-0001.jpg"]["status"] == "ok"
    assert abs(results["Z001-0001.jpg"]["skew_deg"] + 3.4) < 0.1
    assert len(results["Z001-0001.jpg"]["crop_quad"]) == 4
    assert results["Z001-0002.jpg"]["status"] == "rejected"
    assert results["Z001-0002.jpg"]["reason"]
    matrix = np.array(report["stitch"]["map"]["b_to_a"])
    assert matrix.shape == (3, 3)
    assert np.allclose(matrix[2], [0, 0, 1])
    assert json.loads(json.dumps(report)) == report


def test_halves_that_do_not_join_are_kept_apart_and_flagged(tmp_path):
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    for seed, half in ((64, "a"), (65, "b")):
        pair = split_halves(make_page(dpi=DPI, size_mm=A3_LANDSCAPE_MM, seed=seed)[0], dpi=DPI)
        (source / f"plan_{half}.png").write_bytes(encode(getattr(pair, half), "PNG", dpi=DPI))

    report = process_folder(source, out, stitch=True)

    assert report["stitch"] == {"plan": {"b_to_a": None}}
    assert sorted(p.name for p in out.iterdir()) == ["plan_a.jpg", "plan_b.jpg"]
    for name in ("plan_a.png", "plan_b.png"):
        assert report["results"][name]["status"] == "flagged"
        assert report["results"][name]["reason"].startswith("not stitched")


def test_the_management_command_wraps_the_folder_run(folder, tmp_path):
    out, report_path = tmp_path / "out", tmp_path / "report.json"

    call_command("process_images", str(folder), str(out), "--report", str(report_path), stdout=io.StringIO())

    report = json.loads(report_path.read_text())
    assert {"map_a.png", "map_b.png", "Z001-0001.jpg"} <= set(report["results"])
    assert report["stitch"] == {}
    assert (out / "map_a.jpg").exists()


@pytest.mark.parametrize("angle", [-3.4, 0.0])
def test_colour_jpegs_warped_as_luma_and_half_size_chroma_look_the_same_as_warped_rgb(scan, angle):
    frame = PageFrame((scan.image.shape[1] / 2 + 3.5, scan.image.shape[0] / 2 - 1), angle, 601, 801)
    fill = (230, 220, 190)

    rgb = encode_image(warp_frame(scan.image, frame, fill=fill), dpi=DPI)
    planar = encode_jpeg_planes(warp_frame_planes(scan.image, frame, fill=fill), dpi=DPI)

    first, second = (load_image(data).pixels.astype(float) for data in (rgb, planar))
    assert first.shape == second.shape == (801, 601, 3)
    psnr = 10 * np.log10(255**2 / ((first - second) ** 2).mean())
    assert psnr > 40
