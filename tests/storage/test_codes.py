"""Box and shelf-cell codes, their barcode payloads, and reading back what a scanner typed."""

import pytest

from records.codes import (
    CodeError,
    ScannedCode,
    box_barcode_payload,
    box_code,
    location_barcode_payload,
    read_scanned_code,
)
from storage.models import chinese_numeral, location_name

GROUP = {"fonds": "Z001", "category": "ZY", "year": 2008, "retention": "D100", "klass": "GL"}
CELL = {"room": 2, "area": 1, "rack": 4, "face": "R", "level": 2, "cell": 2}


def test_a_box_code_is_its_groups_code_levels_and_the_box_number():
    assert box_code(**GROUP, number=3) == "Z001-ZY·2008-D100-GL-B003"


@pytest.mark.parametrize("number", [0, 10_000, "x"])
def test_a_box_number_out_of_range_is_refused(number):
    with pytest.raises(CodeError):
        box_code(**GROUP, number=number)


def test_a_box_payload_is_ascii_and_marked_as_a_box():
    assert box_barcode_payload("Z001-ZY·2008-D100-GL-B003") == "BOX:Z001-ZY.2008-D100-GL-B003"


def test_a_cell_is_named_as_the_office_writes_it():
    assert location_name(**CELL) == "二库房一区第4列R面第2层第2格"
    assert location_barcode_payload(**CELL) == "LOC:2-1-4-R-2-2"


@pytest.mark.parametrize(
    ("number", "written"), [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (99, "九十九")]
)
def test_store_rooms_and_areas_are_numbered_in_chinese(number, written):
    assert chinese_numeral(number) == written


def test_it_reads_back_a_box_a_cell_and_an_item():
    assert read_scanned_code("BOX:Z001-ZY.2008-D100-GL-B003") == ScannedCode(
        "box", "Z001-ZY·2008-D100-GL-B003"
    )
    assert read_scanned_code("LOC:2-1-4-R-2-2") == ScannedCode("location", location=(2, 1, 4, "R", 2, 2))
    assert read_scanned_code("Z001-ZY.2008-D100-GL-0001") == ScannedCode("item", "Z001-ZY·2008-D100-GL-0001")


def test_it_reads_a_scanner_typing_full_width_with_caps_lock_on():
    assert (
        read_scanned_code("ｂｏｘ：ｚ００１－ｚｙ．２００８－ｄ１００－ｇｌ－ｂ００３\r\n").code
        == "Z001-ZY·2008-D100-GL-B003"
    )
    assert read_scanned_code("loc:2-1-4-r-2-2").location == (2, 1, 4, "R", 2, 2)


def test_a_malformed_cell_code_is_refused():
    with pytest.raises(CodeError):
        read_scanned_code("LOC:2-1-4-X-2-2")
