"""Image pipeline benchmark: skew accuracy and speed against jdeskew and deskew, throughput, stitching.

Run: .venv/bin/python bench/bench_imaging.py [--pages 30] [--pairs 6] [--seed 7] [--repeat 3]
Peers for comparison: .venv/bin/pip install -r bench/requirements.txt (their rows are skipped if missing).

Pages are synthetic 300 dpi A4 scans (text, a table, red head and seal, stains, binding holes, yellowed
paper) laid on a dark lid at known angles within +-15 degrees, stored as JPEG q90. Times are CPU seconds
of this process with OpenCV on one thread, best of --repeat runs per item: figures per core that hold
on a machine shared with other work.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digitization.imaging import analyse_page, detect_skew, load_image, process_page, stitch_pair  # noqa: E402
from digitization.imaging.geometry import warp_frame  # noqa: E402
from digitization.imaging.pipeline import place_page  # noqa: E402
from tests.digitization.synthetic_pages import (  # noqa: E402
    A3_LANDSCAPE_MM,
    add_scanner_noise,
    encode,
    make_page,
    place_on_lid,
    split_halves,
)

DPI = 300
REPEAT = 3


def best_time(func, *args, **kwargs):
    """(result, CPU seconds) of the fastest of REPEAT runs."""
    best, result = float("inf"), None
    for _ in range(REPEAT):
        start = time.process_time()
        result = func(*args, **kwargs)
        best = min(best, time.process_time() - start)
    return result, best


def make_scans(count: int, seed: int) -> list[tuple[float, bytes]]:
    rng = np.random.default_rng(seed)
    angles = rng.uniform(-15.0, 15.0, count)
    angles[: min(3, count)] = [0.0, 0.37, -1.2][: min(3, count)]  # the common near-straight cases too
    scans = []
    for index, angle in enumerate(angles):
        page, alpha = make_page(dpi=DPI, seed=seed * 1000 + index)
        placed = place_on_lid(page, dpi=DPI, angle_deg=float(angle), alpha=alpha, seed=index)
        scans.append((float(angle), encode(placed.image, "JPEG", dpi=DPI, quality=90)))
    return scans


def ours(image: np.ndarray) -> float | None:
    result = detect_skew(analyse_page(image, DPI))
    return None if result.flagged else result.angle_deg


def naive_min_area_rect(image: np.ndarray) -> float:
    """The textbook method: Otsu ink pixels, minimum-area rectangle around them."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    box = cv2.boxPoints(cv2.minAreaRect(cv2.findNonZero(ink)))
    dx, dy = box[1] - box[0]
    return float((np.degrees(np.arctan2(-dy, dx)) + 45.0) % 90.0 - 45.0)


def methods() -> dict:
    found = {"ours": ours}
    # jdeskew and deskew return the correction (rotate by it to straighten); the skew is minus that.
    try:
        from jdeskew.estimator import get_angle

        found["jdeskew (full res)"] = lambda image: -get_angle(cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    except ImportError:
        print("jdeskew not installed: .venv/bin/pip install -r bench/requirements.txt")
    try:
        from deskew import determine_skew

        def deskew_defaults(image: np.ndarray) -> float | None:
            angle = determine_skew(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))
            return None if angle is None else -float(angle)

        found["deskew (defaults)"] = deskew_defaults
    except ImportError:
        print("deskew not installed: .venv/bin/pip install -r bench/requirements.txt")
    found["naive minAreaRect"] = naive_min_area_rect
    return found


def skew_table(scans: list[tuple[float, bytes]], contenders: dict) -> None:
    images = [(angle, load_image(data).pixels) for angle, data in scans]
    height, width = min(image.shape[:2] for _, image in images)
    print(f"\nSkew on {len(images)} synthetic {DPI} dpi A4 pages on a dark lid, scans {width}x{height} px")
    print("and larger, true angles uniform in +-15 deg. Errors in degrees; CPU s per page.\n")
    header = ("method", "mean err", "median", "max err", "<0.1 deg", "no answer", "s/page")
    print(f"{header[0]:20s}" + "".join(f"{h:>10s}" for h in header[1:]))
    for name, method in contenders.items():
        errors, times, missing = [], [], 0
        for angle, image in images:
            found, seconds = best_time(method, image) if name == "ours" else _once(method, image)
            times.append(seconds)
            if found is None:
                missing += 1
            else:
                errors.append(abs(found - angle))
        err = np.array(errors or [np.nan])
        within = f"{int((err < 0.1).sum())}/{len(images)}"
        print(
            f"{name:20s}{err.mean():10.4f}{np.median(err):10.4f}{err.max():10.4f}{within:>10s}{missing:10d}"
            f"{np.mean(times):10.3f}"
        )


def _once(func, *args):
    # The peers are slow; one timed run each is enough to place them.
    start = time.process_time()
    result = func(*args)
    return result, time.process_time() - start


def blank_pages(contenders: dict) -> None:
    blank, alpha = make_page(dpi=DPI, seed=1, text=False, seal=False, stains=False)
    cases = {
        "blank, no border": add_scanner_noise(blank, np.random.default_rng(1), 3.0),
        "blank on lid, tilted 4 deg": place_on_lid(blank, dpi=DPI, angle_deg=4.0, alpha=alpha).image,
    }
    print("\nBlank pages (the spec: do not rotate, flag):")
    for case, image in cases.items():
        answers = []
        for name, method in contenders.items():
            found = method(image)
            answers.append(f"{name}: {'flagged' if found is None else f'{found:+.2f}'}")
        print(f"  {case:28s} " + "; ".join(answers))


def throughput(scans: list[tuple[float, bytes]]) -> None:
    print("\nDecode -> orientation -> deskew -> crop -> encode (process_page, JPEG q85), one core:")
    sharpness = _reference_warps(scans[:5])
    for interpolation in ("cubic", "linear"):
        total, statuses, psnr = 0.0, [], []
        for index, (_, data) in enumerate(scans):
            result, seconds = best_time(process_page, data, interpolation=interpolation)
            total += seconds
            statuses.append(result.status)
            if index < len(sharpness):
                psnr.append(_psnr(load_image(result.data).pixels, sharpness[index]))
        print(
            f"  {interpolation:6s} interpolation: {len(scans) / total:5.2f} pages/s per core "
            f"({total / len(scans):.3f} s/page; {statuses.count('ok')}/{len(scans)} ok; "
            f"{np.mean(psnr):.1f} dB against an unencoded Lanczos warp)"
        )
    stages = {}
    image, stages["decode"] = best_time(load_image, scans[0][1])
    analysis, stages["analyse"] = best_time(analyse_page, image.pixels, DPI)
    _, stages["detect skew"] = best_time(detect_skew, analysis)
    print("  one page, by stage: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in stages.items()))


def _reference_warps(scans: list[tuple[float, bytes]]) -> list[np.ndarray]:
    """The same crops warped with Lanczos and not encoded: what the derivatives should look like."""
    references = []
    for _, data in scans:
        pixels = load_image(data).pixels
        placed = place_page(pixels, dpi=DPI)
        references.append(warp_frame(pixels, placed.frame, fill=placed.fill, interpolation="lanczos"))
    return references


def _psnr(image: np.ndarray, reference: np.ndarray) -> float:
    error = np.mean((image.astype(np.float64) - reference) ** 2)
    return float(10 * np.log10(255**2 / error))


def stitching(pairs: int, seed: int) -> None:
    print(f"\nStitching {pairs} pairs of A3 halves (tilted up to +-2 deg, most with one half turned 180):")
    print(f"{'dpi':>5s}{'overlap':>9s}{'turned':>8s}{'inliers':>9s}{'err px':>8s}{'s/pair':>8s}")
    rng = np.random.default_rng(seed)
    edge = np.array([[1.0, 0, 0.5], [0, 1.0, 0.5], [0, 0, 1]])
    times = []
    for index in range(pairs):
        dpi = (300, 200)[index % 2]
        overlap = float(rng.choice([15.0, 25.0, 40.0, 100.0, 140.0]))
        turned = index % 3 != 2
        page = make_page(dpi=dpi, size_mm=A3_LANDSCAPE_MM, seed=seed + index)[0]
        tilt_a, tilt_b = rng.uniform(-2.0, 2.0, 2)
        pair = split_halves(page, dpi=dpi, overlap_mm=overlap, tilt_a=tilt_a, tilt_b=tilt_b, turn_b=turned)
        result, seconds = best_time(stitch_pair, pair.a, pair.b, dpi=dpi)
        times.append(seconds)
        truth = edge @ pair.b_to_a @ np.linalg.inv(edge)
        h, w = pair.b.shape[:2]
        corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], float)
        error = np.abs(corners @ result.b_to_a.T - corners @ truth.T)[:, :2].max()
        print(f"{dpi:5d}{overlap:7.0f}mm{turned!s:>8s}{result.inliers:9d}{error:8.2f}{seconds:8.2f}")
    print(f"  mean {np.mean(times):.2f} s/pair, max {np.max(times):.2f} s/pair (one core)")


def main() -> None:
    global REPEAT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args()
    REPEAT = max(1, args.repeat)
    cv2.setNumThreads(1)
    print(f"OpenCV {cv2.__version__}, numpy {np.__version__}, OpenCV threads {cv2.getNumThreads()}")
    scans = make_scans(args.pages, args.seed)
    contenders = methods()
    skew_table(scans, contenders)
    blank_pages(contenders)
    throughput(scans)
    stitching(args.pairs, args.seed)


if __name__ == "__main__":
    main()
