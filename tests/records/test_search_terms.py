import random

import pytest
from pypinyin import Style, lazy_pinyin

from records.search_terms import (
    ClassifiedQuery,
    QueryKind,
    classify_query,
    name_bigrams,
    normalize_name,
    pinyin_initials,
    pinyin_initials_many,
)

# --- Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三丰", "张三丰"),
        (" 张 三\u3000丰 ", "张三丰"),
        ("阿卜杜拉·买买提", "阿卜杜拉买买提"),
        ("阿卜杜拉•买买提", "阿卜杜拉买买提"),
        ("阿卜杜拉・买买提", "阿卜杜拉买买提"),
        ("阿卜杜拉.买买提", "阿卜杜拉买买提"),
        ("ＪＯＨＮ　Ｓｍｉｔｈ", "johnsmith"),
    ],
)
def test_it_normalises_a_name(raw, expected):
    assert normalize_name(raw) == expected


def test_it_lists_the_overlapping_pairs_of_a_name():
    assert name_bigrams("张三丰") == ["张三", "三丰"]


def test_it_lists_the_pairs_of_a_two_character_name():
    assert name_bigrams("李四") == ["李四"]


def test_it_gives_a_one_character_name_itself():
    assert name_bigrams("晶") == ["晶"]


@pytest.mark.parametrize("raw", ["", "  ", "·"])
def test_it_gives_no_pairs_for_an_empty_name(raw):
    assert name_bigrams(raw) == []


def test_it_lists_each_pair_once_in_order():
    assert name_bigrams("买买买提") == ["买买", "买提"]


def test_it_pairs_the_normalised_name():
    assert name_bigrams("阿依·木 沙") == ["阿依", "依木", "木沙"]


# --- Pinyin initials -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三丰", "zsf"),
        ("李四", "ls"),
        ("吕布", "lb"),
        (" 王　小明 ", "wxm"),
        ("阿卜杜拉·买买提", "abdlmmt"),
        ("张A3丰", "za3f"),
        ("Ｔｏｍ李", "toml"),
        ("", ""),
        ("·", ""),
    ],
)
def test_it_gives_lower_case_pinyin_initials(name, expected):
    assert pinyin_initials(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("曾国藩", "zgf"), ("单田芳", "stf"), ("解缙", "xj"), ("仇英", "qy"), ("区志坚", "ozj")],
)
def test_it_reads_the_first_character_as_a_surname(name, expected):
    assert pinyin_initials(name) == expected


def test_it_reads_the_everyday_reading_when_the_name_is_not_a_persons():
    assert pinyin_initials("单县人民医院", surname_first=False) == "dxrmyy"


def test_it_uses_one_reading_per_character():
    assert len(pinyin_initials("重长行乐")) == 4


def _sample_names(count: int) -> list[str]:
    rng = random.Random(20080512)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓彭肖田董袁潘于蒋蔡余杜叶"
    # Everyday given-name characters, with heteronyms (长 重 行 乐 都 朝) and phrases (重庆 朝阳).
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国志红文辉玉珍"
    given += "长海燕云飞春梅小龙德顺重庆行银朝阳都乐江"
    return [
        rng.choice(surnames) + "".join(rng.choices(given, k=rng.choice((1, 2, 2, 3)))) for _ in range(count)
    ]


def test_its_cached_segments_give_what_lazy_pinyin_gives_for_the_whole_name():
    for name in _sample_names(3000):
        plain = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
        assert pinyin_initials(name, surname_first=False) == plain, name


def test_it_converts_a_batch_as_it_converts_one_name():
    names = [*_sample_names(500), "曾国藩", "曾国藩", "", "张A3丰"]
    assert pinyin_initials_many(names) == [pinyin_initials(name) for name in names]


def test_it_converts_a_batch_of_employers_without_surname_readings():
    assert pinyin_initials_many(["单县人民医院"], surname_first=False) == ["dxrmyy"]


# --- Classifying what a clerk typed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "kind", "text"),
    [
        ("", QueryKind.EMPTY, ""),
        (" \u3000 ", QueryKind.EMPTY, ""),
        ("11010519491231002X", QueryKind.CITIZEN_ID, "11010519491231002X"),
        ("11010519491231002x", QueryKind.CITIZEN_ID, "11010519491231002X"),
        ("１１０１０５ １９４９１２３１ ００２Ｘ", QueryKind.CITIZEN_ID, "11010519491231002X"),
        ("110105194912310021", QueryKind.CITIZEN_ID, "110105194912310021"),
        ("110105491231002", QueryKind.CITIZEN_ID, "11010519491231002X"),
        ("002X", QueryKind.ID_SUFFIX, "002X"),
        ("002x", QueryKind.ID_SUFFIX, "002X"),
        ("1231", QueryKind.ID_SUFFIX, "1231"),
        ("491231002", QueryKind.ID_SUFFIX, "491231002"),
        ("1101051949123100", QueryKind.ID_SUFFIX, "1101051949123100"),
        ("91110000600037341L", QueryKind.CREDIT_CODE, "91110000600037341L"),
        ("91110000600037341l", QueryKind.CREDIT_CODE, "91110000600037341L"),
        ("12440600MB2C07549J", QueryKind.CREDIT_CODE, "12440600MB2C07549J"),
        ("D2143569-X", QueryKind.ORGANISATION_CODE, "D2143569X"),
        ("D2143569X", QueryKind.ORGANISATION_CODE, "D2143569X"),
        ("60003734-1", QueryKind.ORGANISATION_CODE, "600037341"),
        ("600037341", QueryKind.ORGANISATION_CODE, "600037341"),
        ("Z001", QueryKind.ARCHIVAL_CODE, "Z001"),
        ("z001-zy.2008", QueryKind.ARCHIVAL_CODE, "Z001-ZY·2008"),
        ("Z001-ZY·2008-D100-GL-0001", QueryKind.ARCHIVAL_CODE, "Z001-ZY·2008-D100-GL-0001"),
        ("ZY-2008", QueryKind.ARCHIVAL_CODE, "ZY-2008"),
        ("zsf", QueryKind.PINYIN_INITIALS, "zsf"),
        ("ZSF", QueryKind.PINYIN_INITIALS, "zsf"),
        ("ab", QueryKind.PINYIN_INITIALS, "ab"),
        ("abcdef", QueryKind.PINYIN_INITIALS, "abcdef"),
        ("张三丰", QueryKind.CHINESE, "张三丰"),
        ("  养老   转移 ", QueryKind.CHINESE, "养老 转移"),
        ("阿卜杜拉·买买提", QueryKind.CHINESE, "阿卜杜拉·买买提"),
        ("养老-转移", QueryKind.CHINESE, "养老-转移"),
        ("abcdefg", QueryKind.TEXT, "abcdefg"),
        ("a", QueryKind.TEXT, "a"),
        ("123", QueryKind.TEXT, "123"),
        ("hello  world", QueryKind.TEXT, "hello world"),
    ],
)
def test_it_tells_what_the_clerk_typed(query, kind, text):
    assert classify_query(query) == ClassifiedQuery(kind, text)


def all_digit_credit_code_failing_the_id_check() -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for serial in range(100):
        first17 = f"911100006000373{serial:02d}"
        total = sum(alphabet.index(char) * 3**i % 31 for i, char in enumerate(first17))
        code = first17 + alphabet[(31 - total % 31) % 31]
        id_total = sum(int(digit) * (2 ** (17 - i) % 11) for i, digit in enumerate(first17))
        if code.isdigit() and code[17] != "10X98765432"[id_total % 11]:
            return code
    raise AssertionError("no such code in the range tried")


def test_it_takes_18_digits_that_pass_only_the_credit_code_check_for_a_credit_code():
    code = all_digit_credit_code_failing_the_id_check()
    assert classify_query(code) == ClassifiedQuery(QueryKind.CREDIT_CODE, code)


def test_its_kinds_are_plain_strings_for_templates_and_urls():
    assert QueryKind.CITIZEN_ID == "citizen_id"


def test_an_all_digit_credit_code_that_passes_the_id_check_is_still_a_credit_code():
    # 91370112212277925X passes both checks; its "birth date" 1221-22-77 gives it away.
    assert classify_query("91370112212277925X").kind == QueryKind.CREDIT_CODE
