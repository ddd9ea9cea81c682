"""Run the image pipeline over a folder and report what it did: the core of `manage.py process_images`.

Pure Python (no Django), so it runs and tests without settings. For every image file in the input
folder it writes ``OUTPUT/STEM.jpg``; with ``stitch=True`` the halves ``NAME_a.EXT`` and ``NAME_b.EXT``
are joined into ``OUTPUT/NAME.jpg`` first. Crop quads are given per input file, in that file's pixels.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .imaging import (
    ImageRejected,
    PageResult,
    StitchRefused,
    process_page,
    reasons,
    stitch_scans,
)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".tif", ".tiff", ".png", ".bmp", ".webp", ".jp2", ".gif"}
_HALF = re.compile(r"^(?P<name>.+)_(?P<half>[ab])$", re.IGNORECASE)


def process_folder(
    input_dir: Path,
    output_dir: Path,
    *,
    stitch: bool = False,
    jpeg_quality: int = 85,
    dpi_hint: float | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> dict:
    """Process every image in input_dir into output_dir; return the report as a JSON-ready dict."""
    output_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in input_dir.iterdir() if p.is_file() and _is_image(p))
    results: dict[str, dict] = {}
    stitched: dict[str, dict] = {}
    pairs = _pairs(files) if stitch else {}
    in_pairs = {path for pair in pairs.values() for path in pair}
    for name, (path_a, path_b) in pairs.items():
        entries, matrix = _stitch_files(path_a, path_b, output_dir / f"{name}.jpg", jpeg_quality, dpi_hint)
        results.update(entries)
        stitched[name] = {"b_to_a": matrix}
        if matrix is None:  # refused: each half still becomes its own derivative
            for path in (path_a, path_b):
                reason = entries[path.name]["reason"]
                results[path.name] = _process_file(path, output_dir, jpeg_quality, dpi_hint, flag=reason)
        if progress:
            progress(name, "stitched" if matrix is not None else "not stitched")
    taken = {f"{name}.jpg" for name in pairs}
    for path in files:
        if path in in_pairs:
            continue
        if f"{path.stem}.jpg" in taken:
            results[path.name] = _entry(None, "error", f"output name {path.stem}.jpg is already used")
            continue
        taken.add(f"{path.stem}.jpg")
        results[path.name] = _process_file(path, output_dir, jpeg_quality, dpi_hint)
        if progress:
            progress(path.name, results[path.name]["status"])
    return {"results": results, "stitch": stitched}


def write_report(report: dict, path: Path) -> None:
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


def _is_image(path: Path) -> bool:
    """Image by name, or by content for files without a telling suffix; other files are skipped."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return True
    try:
        with Image.open(path) as image:
            return bool(image.format)
    except (UnidentifiedImageError, OSError, ValueError):
        return False


def _pairs(files: list[Path]) -> dict[str, tuple[Path, Path]]:
    halves: dict[str, dict[str, Path]] = {}
    for path in files:
        match = _HALF.match(path.stem)
        if match:
            halves.setdefault(match["name"], {})[match["half"].lower()] = path
    return {name: (h["a"], h["b"]) for name, h in halves.items() if set(h) == {"a", "b"}}


def _process_file(path: Path, output_dir: Path, quality: int, dpi_hint: float | None, flag: str = "") -> dict:
    result = process_page(path.read_bytes(), dpi_hint=dpi_hint, jpeg_quality=quality)
    if result.data is not None:
        (output_dir / f"{path.stem}.jpg").write_bytes(result.data)
    if flag and result.status == "ok":
        result.status, result.reason = "flagged", flag
    elif flag:
        result.reason = reasons.REASON_SEPARATOR.join([flag, result.reason]) if result.reason else flag
    return _entry(result, result.status, result.reason)


def _stitch_files(
    path_a: Path, path_b: Path, target: Path, quality: int, dpi_hint: float | None
) -> tuple[dict[str, dict], list | None]:
    try:
        result, joined = stitch_scans(
            path_a.read_bytes(), path_b.read_bytes(), dpi_hint=dpi_hint, jpeg_quality=quality
        )
    except (ImageRejected, StitchRefused) as exc:
        reason = reasons.NOT_STITCHED.format(reason=exc.reason)
        return {p.name: _entry(None, "flagged", reason) for p in (path_a, path_b)}, None
    if result.data is not None:
        target.write_bytes(result.data)
    # The stitched page's crop, expressed in each half's own pixels.
    offset = np.asarray(joined.a_offset, np.float64)
    quad_a = np.asarray(result.crop_quad, np.float64).reshape(-1, 2) - offset if result.crop_quad else None
    a_to_b = np.linalg.inv(joined.b_to_a)
    quad_b = quad_a @ a_to_b[:2, :2].T + a_to_b[:2, 2] if quad_a is not None else None
    entries = {
        path_a.name: _entry(result, result.status, result.reason, quad_a),
        path_b.name: _entry(result, result.status, result.reason, quad_b),
    }
    return entries, [[round(float(v), 6) for v in row] for row in joined.b_to_a]


def _entry(result: PageResult | None, status: str, reason: str, quad: np.ndarray | None = None) -> dict:
    if result is None:
        return {"skew_deg": None, "crop_quad": None, "status": status, "reason": reason}
    if quad is None and result.crop_quad:
        quad = np.asarray(result.crop_quad)
    corners = None if quad is None else [[round(float(x), 2), round(float(y), 2)] for x, y in quad]
    return {"skew_deg": result.skew_deg, "crop_quad": corners, "status": status, "reason": reason}
