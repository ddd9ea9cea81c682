import datetime

import pytest

from records.identifiers import (
    CheckedId,
    IdentifierError,
    check_citizen_id,
    check_credit_code,
    check_employer_code,
    check_organisation_code,
    citizen_id_check_char,
    convert_15_to_18,
    credit_code_check_char,
    credit_code_warnings,
    looks_like_float_mangled_id,
    normalize_citizen_id,
    organisation_code_check_char,
    organisation_code_from_credit_code,
)

# The worked example of GB 11643-1999.
KNOWN_ID = "11010519491231002X"
# From python-stdnum's documentation; letters in the body and a letter check character.
KNOWN_CREDIT_CODE = "91110000600037341L"
# The worked example of GB 11714-1997.
KNOWN_ORGANISATION_CODE = "D2143569-X"
TODAY = datetime.date(2025, 6, 1)


def valid_citizen_id(first17: str) -> str:
    """Append the check character, computed by ISO 7064's recursive MOD 11-2 form."""
    p = 0
    for digit in first17:
        p = (p + int(digit)) * 2 % 11
    return first17 + "0123456789X"[(12 - p) % 11]


def valid_credit_code(first17: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(char) * 3**i % 31 for i, char in enumerate(first17))
    return first17 + alphabet[(31 - total % 31) % 31]


def check(raw: str) -> CheckedId:
    return check_citizen_id(raw, today=TODAY)


# --- Citizen ID ---------------------------------------------------------------------------------


def test_the_test_helper_agrees_with_the_standard_example():
    assert valid_citizen_id(KNOWN_ID[:17]) == KNOWN_ID


def test_it_computes_the_check_character_of_the_standard_example():
    assert citizen_id_check_char(KNOWN_ID[:17]) == "X"


@pytest.mark.parametrize(
    "first17", ["1101051949123100", "1101051949123100X", "１１０１０５１９４９１２３１００２"]
)
def test_it_refuses_to_compute_a_check_character_from_anything_but_17_digits(first17):
    with pytest.raises(IdentifierError):
        citizen_id_check_char(first17)


def test_it_normalises_spaces_width_and_lower_case_x():
    raw = " １１０１０５\u3000１９４９１２３１ 002x\t"
    assert normalize_citizen_id(raw) == KNOWN_ID


def test_it_drops_invisible_characters_pasted_from_spreadsheets():
    assert normalize_citizen_id("\ufeff11010519491231002X\u200b") == KNOWN_ID


def test_it_converts_a_15_digit_id_by_inserting_19_and_a_check_character():
    assert convert_15_to_18("110105491231002") == KNOWN_ID


@pytest.mark.parametrize("id15", ["11010549123100", "11010549123100X", "1101054912310021"])
def test_it_refuses_to_convert_anything_but_15_digits(id15):
    with pytest.raises(IdentifierError):
        convert_15_to_18(id15)


def test_it_accepts_a_valid_id():
    assert check(KNOWN_ID) == CheckedId(KNOWN_ID, (), False)


def test_it_accepts_the_stdnum_example():
    assert check("360426199101010071").value == "360426199101010071"


def test_it_accepts_an_id_typed_in_full_width_with_lower_case_x():
    assert check("１１０１０５１９４９１２３１００２ｘ").value == KNOWN_ID


def test_it_accepts_a_15_digit_id_and_returns_its_18_digit_form():
    checked = check("110105491231002")
    assert checked.value == KNOWN_ID
    assert checked.converted_from_15


@pytest.mark.parametrize("raw", ["1101051949123100", "11010519491231002X1", ""])
def test_it_rejects_a_wrong_length_and_names_the_value(raw):
    with pytest.raises(IdentifierError, match="位数错误") as error:
        check(raw)
    assert f"实为{len(raw)}位" in str(error.value)
    assert f"“{raw}”" in str(error.value)


@pytest.mark.parametrize("raw", ["1101051949123100AX", "110105194912X1002X", "11010519491231002Y"])
def test_it_rejects_letters_other_than_a_final_x(raw):
    with pytest.raises(IdentifierError, match="前17位应为数字"):
        check(raw)


def test_it_rejects_a_15_digit_id_with_a_letter():
    with pytest.raises(IdentifierError, match="只能由数字组成"):
        check("11010549123100X")


def test_it_rejects_an_impossible_birth_date():
    raw = valid_citizen_id("11010519490230002")
    with pytest.raises(IdentifierError, match="出生日期19490230不存在"):
        check(raw)


def test_it_rejects_february_29_of_a_common_year():
    with pytest.raises(IdentifierError, match="不存在"):
        check(valid_citizen_id("11010519490229002"))


def test_it_accepts_february_29_of_a_leap_year():
    raw = valid_citizen_id("11010519520229002")
    assert check(raw).value == raw


def test_it_rejects_an_impossible_birth_date_in_a_15_digit_id():
    with pytest.raises(IdentifierError, match="出生日期19491331不存在"):
        check("110105491331002")


def test_it_rejects_a_birth_date_in_the_future():
    raw = valid_citizen_id("11010520250602002")
    with pytest.raises(IdentifierError, match="晚于今天"):
        check(raw)


def test_it_accepts_a_child_born_today():
    raw = valid_citizen_id("11010520250601002")
    assert check(raw).value == raw


def test_it_rejects_a_wrong_check_character_and_says_the_expected_one():
    with pytest.raises(IdentifierError) as error:
        check("110105194912310021")
    assert str(error.value) == "身份证号“110105194912310021”校验位错误，应为X"


def test_it_warns_when_the_area_code_did_not_exist_in_the_birth_year():
    # 110103 was Beijing's Chongwen district until 2010.
    raw = valid_citizen_id("11010320150101001")
    checked = check(raw)
    assert checked.value == raw
    assert len(checked.warnings) == 1
    assert "地区码110103在2015年" in checked.warnings[0]


def test_it_does_not_warn_about_an_area_code_valid_in_the_birth_year():
    assert check(valid_citizen_id("11010319900101001")).warnings == ()


@pytest.mark.parametrize("area", ["999999", "119999"])
def test_it_warns_about_an_unknown_area_code_instead_of_rejecting_the_id(area):
    checked = check(valid_citizen_id(area + "19900101001"))
    assert "请核对" in checked.warnings[0]


# --- Spreadsheet trap -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        3.70102198001011e17,
        370102198001011000,
        1101051949123100.0,
        "3.70102198001011E+17",
        "3.70102198001011e+17",
        "3.70102198001011E17",
        " 3.70102198001011E+17 ",
        "370102198001011000.0",
    ],
)
def test_it_spots_an_id_that_went_through_a_spreadsheet_number(value):
    assert looks_like_float_mangled_id(value)


def test_it_spots_a_text_id_ending_in_000_whose_check_fails():
    assert citizen_id_check_char("37010219800101100") != "0"
    assert looks_like_float_mangled_id("370102198001011000")


def test_it_trusts_a_text_id_ending_in_000_whose_check_holds():
    genuine = next(
        valid_citizen_id(f"37010219800101{digit}00")
        for digit in "0123456789"
        if valid_citizen_id(f"37010219800101{digit}00").endswith("0")
    )
    assert not looks_like_float_mangled_id(genuine)


@pytest.mark.parametrize(
    "value",
    [KNOWN_ID, "110105491231002", 110105491231002, 110105491231002.0, True, None, 12.5, "", "abc"],
)
def test_it_leaves_intact_values_alone(value):
    assert not looks_like_float_mangled_id(value)


# --- Organisation code (GB 11714) ------------------------------------------------------------------


def test_it_computes_the_check_character_of_the_gb_11714_example():
    assert organisation_code_check_char("D2143569") == "X"


def test_it_writes_a_check_value_of_11_as_zero():
    assert organisation_code_check_char("00000000") == "0"


@pytest.mark.parametrize("raw", ["D2143569-X", "D2143569X", " d2143569-x ", "Ｄ２１４３５６９－Ｘ"])
def test_it_accepts_an_organisation_code_with_or_without_hyphen(raw):
    assert check_organisation_code(raw) == "D2143569X"


def test_it_rejects_an_organisation_code_with_a_wrong_check_character():
    with pytest.raises(IdentifierError) as error:
        check_organisation_code("D2143569-1")
    assert str(error.value) == "组织机构代码“D2143569-1”校验码错误，应为X"


@pytest.mark.parametrize("raw", ["D214356-X", "D2143569-XX", "D2143569-A", "D2143569--X", "D21435#9X"])
def test_it_rejects_an_organisation_code_of_the_wrong_shape(raw):
    with pytest.raises(IdentifierError, match="格式错误"):
        check_organisation_code(raw)


# --- Unified social credit code (GB 32100) ---------------------------------------------------------


def test_the_credit_code_helper_agrees_with_a_known_code():
    assert valid_credit_code(KNOWN_CREDIT_CODE[:17]) == KNOWN_CREDIT_CODE
    assert credit_code_check_char(KNOWN_CREDIT_CODE[:17]) == "L"


@pytest.mark.parametrize("raw", [KNOWN_CREDIT_CODE, "91110000600037341l", " 9111 0000 6000 3734 1L "])
def test_it_accepts_a_valid_credit_code(raw):
    assert check_credit_code(raw) == KNOWN_CREDIT_CODE


def test_it_accepts_a_credit_code_typed_in_full_width():
    assert check_credit_code("９１１１００００６０００３７３４１Ｌ") == KNOWN_CREDIT_CODE


def test_it_accepts_a_credit_code_with_letters_in_the_subject_code():
    assert check_credit_code("12440600MB2C07549J") == "12440600MB2C07549J"


def test_it_maps_a_check_value_of_31_to_zero():
    code = next(
        valid_credit_code(f"9111000060003734{char}")
        for char in "0123456789ABCDEFGHJKLMNPQRTUWXY"
        if valid_credit_code(f"9111000060003734{char}").endswith("0")
    )
    assert check_credit_code(code) == code


def test_it_rejects_a_credit_code_of_the_wrong_length():
    with pytest.raises(IdentifierError, match="应为18位，实为17位"):
        check_credit_code(KNOWN_CREDIT_CODE[:17])


@pytest.mark.parametrize("letter", "IOSVZ")
def test_it_rejects_letters_the_credit_code_alphabet_leaves_out(letter):
    with pytest.raises(IdentifierError) as error:
        check_credit_code(f"9111000060003734{letter}L")
    assert f"不允许的字符：{letter}" in str(error.value)


def test_it_rejects_a_credit_code_whose_division_code_has_letters():
    with pytest.raises(IdentifierError, match="第3至8位"):
        check_credit_code(valid_credit_code("911A0000600037341"))


def test_it_rejects_a_credit_code_with_a_wrong_check_character_and_says_the_expected_one():
    with pytest.raises(IdentifierError) as error:
        check_credit_code("91110000600037341A")
    assert str(error.value) == "统一社会信用代码“91110000600037341A”校验码错误，应为L"


def test_it_finds_the_organisation_code_inside_a_credit_code():
    assert organisation_code_from_credit_code(KNOWN_CREDIT_CODE) == "600037341"


def test_it_has_no_doubts_about_a_credit_code_with_a_valid_organisation_code():
    assert credit_code_warnings(KNOWN_CREDIT_CODE) == ()


def test_it_only_warns_about_a_credit_code_whose_organisation_code_fails_gb_11714():
    code = valid_credit_code("91110000600037342")
    assert check_credit_code(code) == code
    (warning,) = credit_code_warnings(code)
    assert "600037342" in warning


# --- Employer code -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (KNOWN_CREDIT_CODE, KNOWN_CREDIT_CODE),
        (KNOWN_ORGANISATION_CODE, "D2143569X"),
        ("D2143569X", "D2143569X"),
    ],
)
def test_it_accepts_either_form_of_employer_code(raw, expected):
    assert check_employer_code(raw) == expected


@pytest.mark.parametrize("raw", ["123456", "91110000600037341", "9111000060003734LLL"])
def test_it_rejects_an_employer_code_of_neither_length(raw):
    with pytest.raises(IdentifierError, match="应为18位统一社会信用代码或9位组织机构代码"):
        check_employer_code(raw)


def test_it_checks_the_employer_code_by_its_form():
    with pytest.raises(IdentifierError, match="校验码错误"):
        check_employer_code("D2143569-0")
