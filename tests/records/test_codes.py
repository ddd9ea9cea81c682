import pytest

from records.codes import (
    DEFAULT_CODE_TEMPLATE,
    CodeError,
    CodeTemplateError,
    barcode_payload,
    build_archival_code,
    check_fonds_code,
    check_page_count,
    check_retention_code,
    check_year,
    code_from_barcode,
    group_prefix,
    image_filename,
    normalize_code,
    safe_filename,
    validate_code_template,
    zip_filename,
)

EXAMPLE = "Z001-ZY·2008-D100-GL-0001"
GROUP = {"fonds": "Z001", "category": "ZY", "year": 2008, "retention": "D100", "klass": "GL"}


# --- Building codes ------------------------------------------------------------------------------


def test_it_builds_the_da_t_22_example():
    assert build_archival_code(**GROUP, number=1) == EXAMPLE


def test_it_joins_category_and_year_with_a_middle_dot():
    assert "\u00b7" in build_archival_code(**GROUP, number=1)


@pytest.mark.parametrize(("number", "suffix"), [(12, "-0012"), (9999, "-9999")])
def test_it_pads_the_item_number_to_four_digits(number, suffix):
    assert build_archival_code(**GROUP, number=number).endswith(suffix)


def test_it_normalises_the_parts_it_is_given():
    code = build_archival_code(
        fonds=" z001", category="zy", year="2008", retention="d100", klass="gl", number=1
    )
    assert code == EXAMPLE


@pytest.mark.parametrize("number", [0, -1, 10000, 1.5, True])
def test_it_rejects_an_item_number_outside_four_digits(number):
    with pytest.raises(CodeError, match="件号"):
        build_archival_code(**GROUP, number=number)


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("fonds", "Z01"),
        ("category", "Z-Y"),
        ("category", "Z·Y"),
        ("category", ""),
        ("klass", "管理"),
        ("klass", "G/L"),
        ("year", 1899),
        ("retention", "D20"),
    ],
)
def test_it_rejects_a_part_that_would_break_the_code(part, value):
    with pytest.raises(CodeError):
        build_archival_code(**(GROUP | {part: value}), number=1)


def test_it_builds_codes_from_an_office_template():
    template = "{fonds}-{year}-{retention}-{klass}-{number:03d}"
    assert build_archival_code(template, **GROUP, number=7) == "Z001-2008-D100-GL-007"


def test_it_gives_the_group_prefix_of_a_code():
    assert group_prefix(**GROUP) == "Z001-ZY·2008-D100-GL-"
    assert EXAMPLE.startswith(group_prefix(**GROUP))


def test_it_gives_the_group_prefix_of_an_office_template():
    template = "{fonds}-{klass}·{year}-{number:04d}"
    assert group_prefix(template, **GROUP) == "Z001-GL·2008-"


# --- Templates -----------------------------------------------------------------------------------


def test_the_default_template_is_valid():
    validate_code_template(DEFAULT_CODE_TEMPLATE)


def test_it_rejects_a_template_with_an_unknown_field_and_names_it():
    with pytest.raises(CodeTemplateError, match=r"未知字段：\{volume\}"):
        validate_code_template("{fonds}-{volume}-{number:04d}")


def test_it_rejects_a_template_without_the_item_number():
    with pytest.raises(CodeTemplateError, match="缺少件号字段"):
        validate_code_template("{fonds}-{category}·{year}-{retention}-{klass}")


@pytest.mark.parametrize(
    "template",
    [
        "{fonds}-{number:04d",
        "{fonds}}-{number}",
        "{}-{number}",
        "{0}-{number}",
        "{fonds.lower}-{number}",
        "{fonds[0]}-{number}",
        "{fonds!r}-{number}",
        "{fonds}-{number:{width}}",
        "{fonds:04d}-{number}",
        "{fonds}-{number:q}",
    ],
)
def test_it_rejects_a_template_python_cannot_format_safely(template):
    with pytest.raises(CodeTemplateError):
        validate_code_template(template)


@pytest.mark.parametrize("template", ["{fonds}/{number:04d}", "{fonds} {number:04d}", "{fonds}:{number}"])
def test_it_rejects_a_template_that_would_break_file_names(template):
    with pytest.raises(CodeTemplateError, match="文件名"):
        validate_code_template(template)


def test_it_checks_the_template_before_building():
    with pytest.raises(CodeTemplateError):
        build_archival_code("{fonds}-{volume}", **GROUP, number=1)


# --- Legacy codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        EXAMPLE,
        f"  {EXAMPLE}\u3000",
        "Z001 - ZY·2008 - D100 - GL - 0001",
        "Ｚ００１－ＺＹ·２００８－Ｄ１００－ＧＬ－０００１",
        "Z001-ZY.2008-D100-GL-0001",
        "Z001-ZY．2008-D100-GL-0001",
        "Z001-ZY•2008-D100-GL-0001",
        "Z001-ZY・2008-D100-GL-0001",
        "Z001-ZY･2008-D100-GL-0001",
        "Z001-ZY‧2008-D100-GL-0001",
        "Z001-ZY\u03872008-D100-GL-0001",
    ],
)
def test_it_normalises_whitespace_width_and_the_dot_before_the_year(raw):
    assert normalize_code(raw) == EXAMPLE


@pytest.mark.parametrize(
    "raw",
    [
        "z001-zy·2008-d100-gl-0001",
        "Z001-ZY·2008-D100-GL-0001.2",
        "Z001-WS.KJ-2008",
        "Z001-ZY.20081-D100",
        "Z001-12.2008",
        "文书·2008-永久-0001",
    ],
)
def test_it_keeps_legacy_codes_otherwise_as_written(raw):
    assert normalize_code(raw) == raw


def test_it_leaves_a_prefix_ending_with_the_year_comparable():
    assert normalize_code("Z001-ZY.2008") == "Z001-ZY·2008"


# --- Names derived from a code -------------------------------------------------------------------


def test_it_names_an_image_after_the_code_and_its_sequence():
    assert image_filename(EXAMPLE, 1) == "Z001-ZY·2008-D100-GL-0001-0001.jpg"


def test_it_names_an_image_with_another_extension():
    assert image_filename(EXAMPLE, 12, ".TIF") == "Z001-ZY·2008-D100-GL-0001-0012.tif"


@pytest.mark.parametrize("sequence", [0, -1, 10000, 1.5])
def test_it_rejects_an_image_sequence_outside_four_digits(sequence):
    with pytest.raises(CodeError, match="图像序号"):
        image_filename(EXAMPLE, sequence)


@pytest.mark.parametrize("ext", ["", "j/pg", "jp g", "图片"])
def test_it_rejects_a_strange_extension(ext):
    with pytest.raises(CodeError, match="扩展名"):
        image_filename(EXAMPLE, 1, ext)


def test_it_names_the_zip_after_the_code():
    assert zip_filename(EXAMPLE) == "Z001-ZY·2008-D100-GL-0001.zip"


def test_a_built_code_is_already_a_safe_file_name():
    assert safe_filename(EXAMPLE) == EXAMPLE


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("Z001/ZY-2008/0001", "Z001_ZY-2008_0001"),
        ('A\\B:C*D?E"F<G>H|I', "A_B_C_D_E_F_G_H_I"),
        ("..Z001", "Z001"),
        (" Z001 ", "Z001"),
    ],
)
def test_it_replaces_what_file_systems_refuse(code, expected):
    assert safe_filename(code) == expected


def test_derived_file_names_use_the_safe_form():
    assert zip_filename("Z001/0001") == "Z001_0001.zip"
    assert image_filename("Z001/0001", 3) == "Z001_0001-0003.jpg"


# --- Barcodes ------------------------------------------------------------------------------------


def test_it_writes_the_middle_dot_as_a_full_stop_in_the_barcode():
    assert barcode_payload(EXAMPLE) == "Z001-ZY.2008-D100-GL-0001"


def test_it_reads_a_barcode_back_into_the_code():
    assert code_from_barcode(barcode_payload(EXAMPLE)) == EXAMPLE


def test_it_reads_a_barcode_typed_in_full_width_by_a_scanner():
    assert code_from_barcode("Ｚ００１－ＺＹ．２００８－Ｄ１００－ＧＬ－０００１\r\n") == EXAMPLE


@pytest.mark.parametrize("code", ["Z001-ZY·2008-0001.1", "文书·2008-0001", "Z001\x07"])
def test_it_refuses_a_barcode_it_could_not_read_back(code):
    with pytest.raises(CodeError, match="条码"):
        barcode_payload(code)


# --- Validators ----------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["Z001", " z001 ", "Ｚ００１"])
def test_it_accepts_a_fonds_code_of_a_letter_and_three_digits(raw):
    assert check_fonds_code(raw) == "Z001"


@pytest.mark.parametrize("raw", ["Z01", "Z0011", "ZZ01", "1001", "", "Z-01"])
def test_it_rejects_any_other_fonds_code(raw):
    with pytest.raises(CodeError, match="全宗号"):
        check_fonds_code(raw)


@pytest.mark.parametrize("value", [2008, "2008", 2008.0, " ２００８ ", 1900, 2100])
def test_it_accepts_a_four_digit_year(value):
    assert check_year(value) in (2008, 1900, 2100)


@pytest.mark.parametrize("value", [1899, 2101, "08", "2008年", 2008.5, True, None, "二〇〇八", "-2008"])
def test_it_rejects_any_other_year(value):
    with pytest.raises(CodeError, match="年度"):
        check_year(value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Y", "Y"), ("y", "Y"), ("D10", "D10"), ("D30", "D30"), ("D50", "D50"), ("d100", "D100")],
)
def test_it_accepts_the_retention_codes(raw, expected):
    assert check_retention_code(raw) == expected


@pytest.mark.parametrize("raw", ["D20", "D", "P", "永久", "", "Y100", "D 1 0 0 X"])
def test_it_rejects_any_other_retention_code(raw):
    with pytest.raises(CodeError, match="保管期限代码"):
        check_retention_code(raw)


@pytest.mark.parametrize(("value", "expected"), [(1, 1), ("12", 12), (3.0, 3), (" ３ ", 3)])
def test_it_accepts_a_positive_page_count(value, expected):
    assert check_page_count(value) == expected


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "abc", "", None])
def test_it_rejects_a_page_count_that_is_not_positive(value):
    with pytest.raises(CodeError, match="页数"):
        check_page_count(value)
