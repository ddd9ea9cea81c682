"""The printables render with the embedded Chinese font, and every barcode on them decodes to its payload."""

import re
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from storage import labels
from storage.models import Box

from .factories import make_box, make_location, make_volume

pytestmark = pytest.mark.django_db


def _write(tmp_path: Path, content: bytes, name: str = "label.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def decoded(pdf: Path) -> list[str]:
    """Rasterise every page at 300 dpi, as an office printer would print it, and read each barcode."""
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(pdf), str(pdf.with_suffix(""))], check=True)
    pages = sorted(str(p) for p in pdf.parent.glob(f"{pdf.stem}*.png"))
    result = subprocess.run(["zbarimg", "--raw", "-q", *pages], capture_output=True, text=True)
    return sorted(result.stdout.split())


def fonts(pdf: Path) -> list[tuple[str, str]]:
    """(font name, embedded?) of each font the PDF uses."""
    listing = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    return [(line.split()[0], line.split()[-5]) for line in listing.splitlines()[2:]]


def page_size(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert found is not None
    return float(found[1]), float(found[2])


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1])  # type: ignore[index]


def text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def _only_the_chinese_font_embedded(pdf: Path) -> None:
    found = fonts(pdf)
    assert found
    assert all(name.endswith("WenQuanYiZenHei-0") and embedded == "yes" for name, embedded in found)


@pytest.mark.parametrize("width", labels.SPINE_WIDTHS_MM)
def test_a_spine_label_renders_at_each_width_and_its_qr_code_decodes(tmp_path, width):
    box = make_box()
    pdf = _write(tmp_path, labels.spine_label_pdf(box, width_mm=width))
    assert decoded(pdf) == ["BOX:Z001-ZY.2008-Y-GL-B001"]
    _only_the_chinese_font_embedded(pdf)
    assert page_size(pdf)[0] == pytest.approx(width * 72 / 25.4, abs=0.01)


def test_a_spine_label_shows_the_fields_the_contract_asks_for(tmp_path):
    box = make_box(count=3)
    with translation.override("en"):
        shown = text(_write(tmp_path, labels.spine_label_pdf(box, width_mm=50)))
    for expected in [
        "Fonds no.",
        "Z001",
        "Year",
        "2008",
        "Category",
        "管理类",
        "Retention",
        "永久",
        "0001",
        "0003",
        "Box no.",
    ]:
        assert expected in shown, expected


def test_a_spine_unknown_width_is_refused():
    with pytest.raises(ValueError, match="25 mm"):
        labels.spine_label_pdf(make_box(), width_mm=25)


def test_spine_labels_in_batch_fill_a4_sheets_and_all_decode(tmp_path):
    boxes = [make_box(volume=make_volume()) for _ in range(4)]
    chosen = labels.box_labels(
        Box.objects.with_labels().select_related("remarks").filter(pk__in=[b.pk for b in boxes])
    )
    pdf = _write(tmp_path, labels.spine_sheets_pdf(chosen, width_mm=50, title="spines"))
    assert pages(pdf) == 2  # three 50 mm spines fit across A4
    assert page_size(pdf) == pytest.approx((595.28, 841.89), abs=0.01)
    assert decoded(pdf) == sorted(f"BOX:Z001-ZY.2008-Y-GL-B{n:03d}" for n in range(1, 5))
    _only_the_chinese_font_embedded(pdf)


def test_a_box_cover_carries_a_code128_that_decodes(tmp_path):
    box = make_box()
    with translation.override("en"):
        pdf = _write(tmp_path, labels.covers_pdf([labels.BoxLabel.of(box)], title="cover"))
    assert decoded(pdf) == ["BOX:Z001-ZY.2008-Y-GL-B001"]
    shown = text(pdf)
    for expected in [box.fonds.name, "Archive box", box.first_archival_code, box.code]:
        assert expected in shown
    _only_the_chinese_font_embedded(pdf)


def test_the_remarks_sheet_has_its_five_fields(tmp_path, archivist):
    box = make_box()
    box.remarks.notes = "第2件缺第3页"
    box.remarks.checked_by = "陈静"
    box.remarks.save()
    box.refresh_from_db()
    with translation.override("en"):
        shown = text(_write(tmp_path, labels.remarks_sheets_pdf([labels.BoxLabel.of(box)], title="remarks")))
    for expected in [
        "Remarks sheet",
        "Notes on the files in this box",
        "第2件缺第3页",
        "Arranged by",
        "Checked by",
        "陈静",
        "Date",
    ]:
        assert expected in shown, expected
    assert box.remarks.arranged_on.isoformat() in shown


def test_shelf_labels_carry_the_cell_name_and_a_decodable_code128(tmp_path):
    cells = [make_location(cell=n) for n in range(1, 16)]  # 14 to a sheet: the fifteenth starts another
    pdf = _write(tmp_path, labels.location_labels_pdf(cells, title="cells"))
    assert decoded(pdf) == sorted(f"LOC:2-1-4-R-2-{n}" for n in range(1, 16))
    assert "二库房一区第4列R面第2层第15格" in text(pdf)
    _only_the_chinese_font_embedded(pdf)


def test_an_empty_printout_says_so(tmp_path):
    with translation.override("en"):
        assert "Nothing to print." in text(
            _write(tmp_path, labels.spine_sheets_pdf([], width_mm=20, title="none"))
        )
