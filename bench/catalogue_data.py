"""A realistic catalogue for benchmarks: Chinese names, valid IDs and credit codes, gapless archival codes.

Pure generation (`generate_catalogue`) is kept apart from loading (`load_catalogue`, PostgreSQL COPY through
psycopg 3), so other benchmarks can reuse either. Everything is drawn from one seeded `random.Random`, so the
same seed and size give the same catalogue.

Realism matters here because the search's cost is set by the data's skew: a few surnames cover a third of
the population, so "张伟" or the initials "zw" match thousands of rows while a citizen ID matches a handful.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
import re
import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from queue import Queue
from typing import TypeVar

import stdnum

from records import codes, search_terms
from records.identifiers import (
    CREDIT_CODE_ALPHABET,
    citizen_id_check_char,
    credit_code_check_char,
    organisation_code_check_char,
)

T = TypeVar("T")
FIRST_YEAR, LAST_YEAR = 1995, 2024
CATEGORY_CODE = "ZY"

# --- Names ---------------------------------------------------------------------------------------

# Surname shares (per cent) after the 2020 census ranking; the rest of the population is spread over
# rarer surnames below, including those whose surname reading differs (单 shan, 曾 zeng, 解 xie).
_SURNAME_SHARES = """
王7.1 李7.0 张6.7 刘5.4 陈4.5 杨3.1 赵2.3 黄2.2 周2.0 吴2.0 徐1.7 孙1.5 胡1.3 朱1.3 高1.2 林1.2 何1.2
郭1.2 马1.1 罗0.9 梁0.8 宋0.7 郑0.7 谢0.7 韩0.6 唐0.6 冯0.6 于0.5 董0.5 萧0.5 程0.5 曹0.5 袁0.5 邓0.5
许0.5 傅0.5 沈0.4 曾0.4 彭0.4 吕0.4 苏0.4 卢0.4 蒋0.4 蔡0.4 贾0.4 丁0.4 魏0.4 薛0.4 叶0.4 阎0.3 余0.3
潘0.3 杜0.3 戴0.3 夏0.3 钟0.3 汪0.3 田0.3 任0.3 姜0.3 范0.3 方0.3 石0.3 姚0.3 谭0.3 廖0.2 邹0.2 熊0.2
金0.2 陆0.2 郝0.2 孔0.2 白0.2 崔0.2 康0.2 毛0.2 邱0.2 秦0.2 江0.2 史0.2 顾0.2 侯0.2 邵0.2 孟0.2 龙0.2
万0.2 段0.2 雷0.2 钱0.2 汤0.2 尹0.2 黎0.1 易0.1 常0.1 武0.1 乔0.1 贺0.1 赖0.1 龚0.1 文0.1 庞0.1 樊0.1
兰0.1 殷0.1 施0.1 陶0.1 洪0.1 翟0.1 安0.1 颜0.1 倪0.1 严0.1 牛0.1 温0.1 芦0.1 季0.1 俞0.1 章0.1 鲁0.1
葛0.1 伍0.1 韦0.1 申0.1 尤0.1 毕0.1 聂0.1 丛0.1 焦0.1 向0.1 柳0.1 邢0.1 路0.1 岳0.1 齐0.1 梅0.1
莫0.1 庄0.1 辛0.1 管0.1 祝0.1 左0.1 涂0.1 谷0.1 祁0.1 时0.1 舒0.1 耿0.1 牟0.1 卜0.1 詹0.1 关0.1 苗0.1
凌0.1 费0.1 纪0.1 靳0.1 盛0.1 童0.1 欧0.1 甄0.1 项0.1 曲0.1 成0.1 游0.1 阳0.1 裴0.1 席0.1 卫0.1 查0.05
屈0.1 鲍0.1 位0.1 覃0.05 霍0.1 翁0.1 隋0.1 植0.05 甘0.1 景0.1 薄0.05 单0.1 包0.1 司0.1 柏0.05 宁0.1
柯0.1 阮0.05 桂0.05 闵0.05 解0.05 强0.05 仇0.03 欧阳0.05 司马0.01 上官0.01 诸葛0.01 东方0.01 令狐0.01
"""
SURNAMES, SURNAME_WEIGHTS = zip(
    *((m[1], float(m[2])) for m in re.finditer(r"(\D+?)([0-9.]+)", "".join(_SURNAME_SHARES.split()))),
    strict=True,
)

# Given names, most common first; weights fall off as in name-frequency reports (a Zipf-like tail).
_MALE_SINGLE = (
    "伟勇军磊涛斌强鹏杰峰超波辉刚健明亮俊飞凯浩华平鑫毅林洋宇龙兵东博彬帅阳锋成坤晨昊然振新海琦岩雷旭"
    "鸿猛凡政乐航康剑楠铭永诚星松翔栋武鹤江坚宏昌晖彪晓聪浩钢忠磊巍杨震旺骏"
)
_FEMALE_SINGLE = (
    "芳娜敏静丽艳娟霞燕玲婷萍红琳倩颖慧洁雪莉丹英梅兰凤琴云晶蕾欣悦璐瑶薇楠宁佳月荣秀妍琪"
    "娇媛菲露茜蓉岚娅琦婕璇青莹君琼爽莎曼宁华茹芬芸萌双艺蓓冰"
)
_MALE_TWO = {
    # Names typical of a birth cohort: 建国 in the 1950s, 子轩 after 2000.
    "old": (
        "建国 建华 建军 国庆 志强 志刚 国强 建平 德明 振华 卫东 红军 国华 永刚 建民 福林 长江 保国 学军 金生"
    ),
    "mid": (
        "海涛 晓东 志勇 建伟 晓明 永强 海军 立新 俊杰 文杰 小龙 伟东 振宇 光辉 明辉 海峰 家豪 国栋 晓峰 建新"
    ),
    "young": (
        "浩然 子轩 宇轩 俊熙 梓豪 皓轩 一鸣 子豪 博文 天佑 俊宇 明轩 思远 宇航 泽宇 浩宇 嘉懿 睿泽 子墨 宇辰"
    ),
}
_FEMALE_TWO = {
    "old": (
        "秀英 桂英 秀兰 玉兰 桂兰 凤英 秀珍 玉珍 淑珍 秀云 桂芳 玉梅 秀荣 淑兰 翠兰 凤兰 桂荣 玉英 素芳 桂珍"
    ),
    "mid": (
        "丽娟 海燕 晓燕 春梅 红梅 丽华 晓红 雪梅 艳红 丽萍 秀梅 玉洁 晓丽 海霞 美玲 慧敏 春燕 婷婷 晓婷 丽丽"
    ),
    "young": (
        "子涵 梓涵 欣怡 雨涵 一诺 诗涵 梦瑶 雨欣 思涵 佳怡 可馨 紫涵 欣妍 语桐 若曦 雨桐 佳琪 芷若 梓萱 诗琪"
    ),
}
# Free combinations give the long tail of two-character given names.
_MALE_FIRST = "文志建国晓海永俊小明宏立家子振庆春德金卫新光天玉红世朝德恩嘉利学书双福长兆铁少云如荣连继昌宝"
_MALE_SECOND = "军明华伟强平东林杰峰辉勇刚涛斌超波龙飞宇鹏亮成生祥福荣山民忠良才彬义安元全清武江胜发权仁宁"
_FEMALE_FIRST = "秀丽玉晓春海淑美桂红慧雪思雨欣佳梦文佩婉静金亚彩凤素爱月小艳秋冬巧翠宝明新永庆立金若"
_FEMALE_SECOND = "英兰华芳珍梅霞娟燕玲丽萍红云琴敏洁婷颖莉倩涵怡琳瑶月凤荣香兰莲君娥娜秀娇芝菊花平青"


def _zipf(n: int, s: float = 0.7) -> list[float]:
    return list(itertools.accumulate(1 / (rank**s) for rank in range(1, n + 1)))


def _cohort(birth_year: int) -> str:
    return "old" if birth_year < 1965 else "mid" if birth_year < 1988 else "young"


class NameMaker:
    """Person names with realistic duplication: surname share times given-name share."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._surname_cum = list(itertools.accumulate(SURNAME_WEIGHTS))
        self._single = {True: list(_MALE_SINGLE), False: list(_FEMALE_SINGLE)}
        self._two = {
            (male, cohort): names.split()
            for male, table in ((True, _MALE_TWO), (False, _FEMALE_TWO))
            for cohort, names in table.items()
        }
        self._parts = {True: (_MALE_FIRST, _MALE_SECOND), False: (_FEMALE_FIRST, _FEMALE_SECOND)}

    def name(self, *, male: bool, birth_year: int) -> str:
        rng = self.rng
        surname = rng.choices(SURNAMES, cum_weights=self._surname_cum)[0]
        # Single-character given names peaked with the 1970s-90s cohorts.
        single_share = 0.45 if 1968 <= birth_year <= 1995 else 0.2
        if rng.random() < single_share:
            pool = self._single[male]
            return surname + rng.choices(pool, cum_weights=_cum(len(pool)))[0]
        if rng.random() < 0.25:
            pool = self._two[male, _cohort(birth_year)]
            return surname + rng.choices(pool, cum_weights=_cum(len(pool)))[0]
        first, second = self._parts[male]
        given = rng.choices(first, cum_weights=_cum(len(first)))[0]
        return surname + given + rng.choices(second, cum_weights=_cum(len(second)))[0]


_CUM_CACHE: dict[int, list[float]] = {}


def _cum(n: int) -> list[float]:
    if n not in _CUM_CACHE:
        _CUM_CACHE[n] = _zipf(n)
    return _CUM_CACHE[n]


# --- Citizen IDs (GB 11643) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Division:
    code: str
    ranges: tuple[tuple[int, int], ...]  # years in which the code was assigned; empty means always

    def valid_in(self, year: int) -> bool:
        return not self.ranges or any(start <= year <= end for start, end in self.ranges)


def divisions() -> list[Division]:
    """County-level division codes from python-stdnum's table, with the years each was in use.

    An ID whose area code was valid in the birth year passes `ric.get_birth_place`, so the generated IDs
    raise no area warning in the catalogue checks.
    """
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    result = []
    province = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line.split()[0]
            continue
        suffix, rest = line.strip().split(" ", 1)
        if suffix.endswith("00"):  # province- or prefecture-level rows, not where people are registered
            continue
        names = rest.split("=", 1)[1].strip('"').split(",")
        ranges = []
        for name in names:
            if not name.startswith("["):
                ranges = []
                break
            start, end = name[1:].split("]")[0].split("-")
            ranges.append((int(start or 0), int(end or 9999)))
        result.append(Division(province + suffix, tuple(ranges)))
    return result


class CitizenIdMaker:
    """Valid 18-character IDs; most people of a Jinan district office were born in Jinan or Shandong."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._all = divisions()
        self._by_year: dict[tuple[str, int], list[str]] = {}
        self.issued: set[str] = set()

    def _codes(self, scope: str, year: int) -> list[str]:
        key = (scope, year)
        if key not in self._by_year:
            prefix = {"jinan": "3701", "shandong": "37", "china": ""}[scope]
            self._by_year[key] = [d.code for d in self._all if d.code.startswith(prefix) and d.valid_in(year)]
        return self._by_year[key]

    def citizen_id(self, *, birth: datetime.date, male: bool) -> str:
        rng = self.rng
        scope = rng.choices(("jinan", "shandong", "china"), cum_weights=(60, 85, 100))[0]
        area = rng.choice(self._codes(scope, birth.year))
        while True:
            # The sequence's last digit is odd for men and even for women.
            sequence = rng.randrange(0, 100) * 10 + rng.randrange(1 if male else 0, 10, 2)
            first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
            value = first17 + citizen_id_check_char(first17)
            if value not in self.issued:
                self.issued.add(value)
                return value


@dataclass(frozen=True)
class Person:
    name: str
    citizen_id: str
    birth_year: int


def make_people(rng: random.Random, count: int) -> list[Person]:
    """People sorted by birth year, born 1933-2006: everyone who may work or retire in 1995-2024."""
    names = NameMaker(rng)
    ids = CitizenIdMaker(rng)
    years = list(range(1933, 2007))
    # More people of working age in the middle cohorts than among the oldest and youngest.
    year_cum = list(itertools.accumulate(min(1.0, 0.3 + 0.7 * min(y - 1933, 2006 - y) / 20) for y in years))
    people = []
    for birth_year in sorted(rng.choices(years, cum_weights=year_cum, k=count)):
        male = rng.random() < 0.52
        birth = datetime.date(birth_year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        people.append(
            Person(
                names.name(male=male, birth_year=birth_year),
                ids.citizen_id(birth=birth, male=male),
                birth_year,
            )
        )
    return people


# --- Employers (GB 32100 credit codes) ------------------------------------------------------------

# Districts of Jinan in use today, for the registering authority's division code (characters 3-8).
_JINAN_DISTRICTS = {
    "370100": "", "370102": "历下区", "370103": "市中区", "370104": "槐荫区", "370105": "天桥区",
    "370112": "历城区", "370113": "长清区", "370114": "章丘区", "370115": "济阳区", "370116": "莱芜区",
    "370117": "钢城区", "370124": "平阴县", "370126": "商河县",
}  # fmt: skip
PLACES = ("济南市", "济南", "山东省", "山东")
_BRAND_FIRST = "华鲁泉金恒宏鑫永瑞盛天正顺新东中汇联通信德嘉兴和泰昌源海明方荣立万大宝康安博凯远光"
_BRAND_SECOND = "宇信城桥通达源盛泰丰安华昌海润鼎诚峰力祥运发隆邦广科美锦辉利翔远腾宏洋达晟元"
_INDUSTRIES = (
    "机械制造", "建筑工程", "商贸", "物流", "科技", "餐饮管理", "物业管理", "纺织", "化工", "食品",
    "电子", "医药", "汽车销售", "印刷", "装饰工程", "房地产开发", "信息技术", "环保科技", "重工机械",
    "钢铁", "建材", "服装", "劳务派遣", "保安服务", "酒店管理", "农业开发", "电力设备", "塑料制品",
    "包装材料", "家具", "水泥", "锅炉制造", "轴承", "暖通设备", "广告", "文化传媒", "教育咨询",
)  # fmt: skip
_FORMS = (
    ("有限公司", 60),
    ("有限责任公司", 20),
    ("股份有限公司", 8),
    ("集团有限公司", 4),
    ("有限公司分公司", 8),
)


@dataclass(frozen=True)
class Employer:
    code: str
    name: str


def credit_code(rng: random.Random, *, division: str, kind: str, registered: int) -> str:
    """A valid credit code: authority and type, division, the embedded organisation code, check character.

    Codes issued since 2015 embed a new organisation code starting "MA"; older ones carry the employer's
    all-digit GB 11714 code, which is why many credit codes are 18 digits.
    """
    if registered >= 2015:
        body = "MA" + "".join(rng.choice(CREDIT_CODE_ALPHABET[:-1]) for _ in range(6))
    else:
        body = f"{rng.randrange(1, 8)}{rng.randrange(10**7):07d}"
    organisation = body + organisation_code_check_char(body)
    first17 = kind + division + organisation
    return first17 + credit_code_check_char(first17)


def make_employers(rng: random.Random, count: int) -> list[Employer]:
    employers: list[Employer] = []
    names: set[str] = set()
    codes_seen: set[str] = set()
    districts = list(_JINAN_DISTRICTS)
    forms, form_weights = zip(*_FORMS, strict=True)
    while len(employers) < count:
        division = rng.choice(districts)
        district = _JINAN_DISTRICTS[division]
        brand = rng.choice(_BRAND_FIRST) + rng.choice(_BRAND_SECOND)
        industry = rng.choice(_INDUSTRIES)
        form = rng.choices(forms, weights=form_weights)[0]
        place = rng.choices(PLACES, weights=(20, 55, 5, 20))[0]
        if form == "有限公司分公司":
            name = f"{place}{brand}{industry}有限公司{district or '济南'}分公司"
        else:
            name = f"{place}{brand}{industry}{form}"
        code = credit_code(rng, division=division, kind="91", registered=rng.randrange(1990, 2025))
        if name in names or code in codes_seen:
            continue
        names.add(name)
        codes_seen.add(code)
        employers.append(Employer(code, name))
    return employers


def name_fragment(employer_name: str, length: int = 4) -> str:
    """What a clerk types for an employer: the trade name and the start of the industry ("华宇机械")."""
    for place in PLACES:
        if employer_name.startswith(place):
            return employer_name[len(place) : len(place) + length]
    return employer_name[:length]


# --- Items -----------------------------------------------------------------------------------------

# Business item code -> (share of items, share with an employer, title pattern). {p} is the person(s);
# {e} and {s} the employer, or the person(s) when the file has none; {y} the year, {m} the month.
# Employer files (单位 forms) carry the employer; personal ones rarely do.
BUSINESS_MIX = {
    "GL01": (4, 0.8, "{e}社会保险登记表"),
    "GL02": (3, 0.5, "{s}社会保险注销登记表"),
    "GL03": (6, 0.1, "{p}社会保险关系转移接续表"),
    "GL04": (3, 1.0, "{e}单位信息变更登记表"),
    "GL05": (6, 0.1, "{p}个人账户变更审批表"),
    "GL06": (8, 0.05, "{p}个人信息变更申请表"),
    "GL07": (10, 0.1, "{p}养老保险关系转移申请表"),
    "GL08": (6, 0.1, "{p}医疗保险关系转移申请表"),
    "GL09": (0.3, 0.9, "{p}外籍人员参保登记表"),
    "ZJ01": (6, 1.0, "{e}{y}年度职工缴费基数申报表"),
    "ZJ02": (6, 1.0, "{e}{y}年{m}月职工增减变动表"),
    "ZJ03": (4, 0.9, "{s}养老保险补缴审批表"),
    "DY01": (5, 0.0, "{p}个人账户一次性支付审批表"),
    "DY02": (10, 0.2, "{p}企业职工基本养老金核定表"),
    "DY03": (8, 0.1, "{p}参保人员退休审批表"),
    "DY04": (8, 0.0, "{p}退休人员社会化管理服务材料"),
}
RETIREMENT_ITEMS = {"DY01", "DY02", "DY03", "DY04"}
# Four fonds share the office's shelves; at a million items the busiest groups of one fonds would
# overflow the four-digit item number, so items spread over them (and spill to the next when full).
FONDS = (
    ("Z001", "区社会保险事业中心", 40),
    ("Z002", "区医疗保障服务中心", 30),
    ("Z003", "区机关事业单位社会保险中心", 20),
    ("Z004", "区劳动就业和社会保障服务中心", 10),
)


@dataclass(frozen=True)
class Vocabulary:
    """Primary keys of the vocabulary rows the migrations create, by code."""

    fonds: dict[str, int]
    retention: dict[str, int]
    categories: dict[str, int]
    business_items: dict[str, tuple[int, str, str, str]]  # code -> (id, name, category code, retention code)
    classification: int
    openness: int


@dataclass
class Catalogue:
    """What was generated, beyond the rows: item number counters per group."""

    counters: dict[tuple[str, int, str, str], int] = field(default_factory=dict)
    items: int = 0
    persons: int = 0
    with_employer: int = 0


ITEM_COLUMNS = (
    "id", "archival_code", "legacy_code", "fonds_id", "category_code", "year", "retention_id",
    "business_category_id", "business_item_id", "item_number", "title", "creator", "date",
    "document_number", "page_count", "keywords", "remarks", "classification_id", "openness_id",
    "employer_code", "employer_name", "serial_number", "handler", "handled_on", "cataloguer_id",
    "catalogued_at", "updated_at", "verified_at",
)  # fmt: skip
PERSON_COLUMNS = ("id", "item_id", "position", "name", "citizen_id", "name_bigrams", "name_initials")


def _plan_groups(rng: random.Random, n_items: int, vocab: Vocabulary) -> list[tuple[tuple, list[str]]]:
    """Draw each item's business item, year and fonds; return catalogue-order chunks of one group each.

    Files are catalogued volume by volume, so consecutive ids share a group, while the volumes of
    different years and classes arrive interleaved.
    """
    item_codes = list(BUSINESS_MIX)
    item_cum = list(itertools.accumulate(BUSINESS_MIX[c][0] for c in item_codes))
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    # Files per year grew with enrolment: the last year has about twice the first's.
    year_cum = list(itertools.accumulate(0.65 + 0.7 * i / (len(years) - 1) for i in range(len(years))))
    fonds_codes = [code for code, _name, _weight in FONDS]
    fonds_cum = list(itertools.accumulate(weight for _code, _name, weight in FONDS))
    groups: dict[tuple, list[str]] = defaultdict(list)
    drawn = zip(
        rng.choices(item_codes, cum_weights=item_cum, k=n_items),
        rng.choices(years, cum_weights=year_cum, k=n_items),
        rng.choices(range(len(fonds_codes)), cum_weights=fonds_cum, k=n_items),
        strict=True,
    )
    for code, year, fonds_index in drawn:
        _id, _name, klass, retention = vocab.business_items[code]
        for step in range(len(fonds_codes)):
            key = (fonds_codes[(fonds_index + step) % len(fonds_codes)], year, retention, klass)
            if len(groups[key]) < codes.MAX_ITEM_NUMBER:
                groups[key].append(code)
                break
        else:
            raise ValueError(f"More than {codes.MAX_ITEM_NUMBER} items in every fonds for {year} {klass}")
    chunks = []
    for key, members in groups.items():
        start = 0
        while start < len(members):
            size = rng.randrange(80, 400)
            chunks.append((key, members[start : start + size]))
            start += size
    rng.shuffle(chunks)
    return chunks


def generate_catalogue(
    rng: random.Random, n_items: int, vocab: Vocabulary, catalogue: Catalogue, *, batch_size: int = 20_000
) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """Yield (item rows, person rows) batches in COPY column order, ids from 1.

    Person rows carry the search keys exactly as `services.person_rows` computes them.
    """
    people = make_people(rng, max(1000, int(n_items * 0.6)))
    birth_years = [p.birth_year for p in people]
    employers = make_employers(rng, max(50, n_items // 40))
    employer_cum = _zipf(len(employers), 0.8)
    clerks = [NameMaker(rng).name(male=rng.random() < 0.4, birth_year=1980) for _ in range(40)]
    fonds_names = {code: name for code, name, _weight in FONDS}
    catalogued = datetime.datetime(2025, 3, 1, 8, tzinfo=datetime.UTC)

    item_rows: list[tuple] = []
    person_rows: list[tuple] = []
    pending_names: list[str] = []
    item_id = person_id = 0
    for (fonds, year, retention, klass), members in _plan_groups(rng, n_items, vocab):
        group = (fonds, year, retention, klass)
        for code in members:
            item_id += 1
            number = catalogue.counters.get(group, 0) + 1
            catalogue.counters[group] = number
            business_id, _name, _klass, _retention = vocab.business_items[code]
            _share, employer_share, pattern = BUSINESS_MIX[code]
            # Working age for most files, 50-62 at the file's year for retirement files.
            young, old = (50, 62) if code in RETIREMENT_ITEMS else (18, 60)
            low = bisect.bisect_left(birth_years, year - old)
            high = bisect.bisect_right(birth_years, year - young)
            count = rng.choices((1, 2, 3), cum_weights=(55, 85, 100))[0]
            persons = [people[rng.randrange(low, high)] for _ in range(count)]
            persons = list({p.citizen_id: p for p in persons}.values())
            employer = (
                employers[rng.choices(range(len(employers)), cum_weights=employer_cum)[0]]
                if rng.random() < employer_share
                else None
            )
            who = persons[0].name if len(persons) == 1 else f"{persons[0].name}等{len(persons)}人"
            month, day = rng.randrange(1, 13), rng.randrange(1, 29)
            title = pattern.format(
                p=who,
                e=employer.name if employer else who,
                s=employer.name if employer else who,
                y=year,
                m=month,
            )
            date = f"{year}{month:02d}{day:02d}"
            stamp = catalogued + datetime.timedelta(seconds=item_id * 7)
            item_rows.append(
                (
                    item_id,
                    codes.build_archival_code(
                        fonds=fonds,
                        category=CATEGORY_CODE,
                        year=year,
                        retention=retention,
                        klass=klass,
                        number=number,
                    ),
                    False,
                    vocab.fonds[fonds],
                    CATEGORY_CODE,
                    year,
                    vocab.retention[retention],
                    vocab.categories[klass],
                    business_id,
                    number,
                    title,
                    fonds_names[fonds],
                    date,
                    "",
                    min(200, 1 + int(rng.lognormvariate(1.3, 0.7))),
                    "",
                    "",
                    vocab.classification,
                    vocab.openness,
                    employer.code if employer else "",
                    employer.name if employer else "",
                    f"{year}{klass}{item_id:08d}",
                    rng.choice(clerks),
                    date,
                    None,
                    stamp,
                    stamp,
                    stamp if rng.random() < 0.7 else None,
                )
            )
            for position, person in enumerate(persons):
                person_id += 1
                pending_names.append(person.name)
                person_rows.append(
                    (
                        person_id,
                        item_id,
                        position,
                        search_terms.normalize_name(person.name),
                        person.citizen_id,
                        search_terms.name_bigrams(person.name),
                        None,  # initials: filled per batch below
                    )
                )
            catalogue.with_employer += employer is not None
            if len(item_rows) >= batch_size:
                yield item_rows, _with_initials(person_rows, pending_names)
                catalogue.items += len(item_rows)
                catalogue.persons += len(person_rows)
                item_rows, person_rows, pending_names = [], [], []
    if item_rows:
        yield item_rows, _with_initials(person_rows, pending_names)
        catalogue.items += len(item_rows)
        catalogue.persons += len(person_rows)


def _with_initials(rows: list[tuple], names: Sequence[str]) -> list[tuple]:
    # pinyin_initials_many is per name, so one call per batch gives what person_rows gives per item.
    initials = search_terms.pinyin_initials_many(names)
    return [(*row[:6], initials[i]) for i, row in enumerate(rows)]


# --- Loading ---------------------------------------------------------------------------------------


def in_background(batches: Iterator[T], *, depth: int = 2) -> Iterator[T]:
    """Draw batches in a thread, so Python builds the next batch while the server indexes this one."""
    queue: Queue = Queue(maxsize=depth)
    finished = object()

    def produce() -> None:
        try:
            for batch in batches:
                queue.put(batch)
        except BaseException as error:  # handed to the consumer, which re-raises it
            queue.put(error)
        finally:
            queue.put(finished)

    thread = threading.Thread(target=produce, name="catalogue-generator", daemon=True)
    thread.start()
    while (batch := queue.get()) is not finished:
        if isinstance(batch, BaseException):
            raise batch
        yield batch
    thread.join()


def read_vocabulary(cursor) -> Vocabulary:
    def pairs(table: str) -> dict[str, int]:
        cursor.execute(f"SELECT code, id FROM {table}")
        return dict(cursor.fetchall())

    cursor.execute(
        "SELECT b.code, b.id, b.name, c.code, r.code FROM records_businessitem b"
        " JOIN records_businesscategory c ON c.id = b.category_id"
        " JOIN records_retentionperiod r ON r.id = b.default_retention_id"
    )
    business_items = {code: (pk, name, klass, retention) for code, pk, name, klass, retention in cursor}
    cursor.execute("SELECT id FROM records_classification WHERE is_default")
    classification = cursor.fetchone()[0]
    cursor.execute("SELECT id FROM records_openness WHERE is_default")
    openness = cursor.fetchone()[0]
    return Vocabulary(
        fonds=pairs("records_fonds"),
        retention=pairs("records_retentionperiod"),
        categories=pairs("records_businesscategory"),
        business_items=business_items,
        classification=classification,
        openness=openness,
    )


def add_fonds(cursor) -> None:
    for code, name, _weight in FONDS:
        cursor.execute(
            'INSERT INTO records_fonds (code, name, "order", is_active) VALUES (%s, %s, %s, true)'
            " ON CONFLICT (code) DO NOTHING",
            (code, name, int(code[1:])),
        )


def load_catalogue(connection, *, n_items: int, seed: int = 20241, batch_size: int = 20_000) -> Catalogue:
    """Generate and COPY a catalogue into an empty, migrated database through a psycopg 3 connection.

    The tables keep every index the migrations made: loading pays their upkeep as a real import would.
    Item ids and person ids are given explicitly, so the identity sequences are moved past them after.
    """
    rng = random.Random(seed)
    catalogue = Catalogue()
    with connection.cursor() as cursor:
        # Session settings only: no fsync wait per batch, and room for the GIN pending-list merges.
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '64MB'")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        add_fonds(cursor)
        vocab = read_vocabulary(cursor)
        connection.commit()
        batches = generate_catalogue(rng, n_items, vocab, catalogue, batch_size=batch_size)
        for items, persons in in_background(batches):
            with cursor.copy(f"COPY records_item ({', '.join(ITEM_COLUMNS)}) FROM STDIN") as copy:
                for row in items:
                    copy.write_row(row)
            with cursor.copy(f"COPY records_itemperson ({', '.join(PERSON_COLUMNS)}) FROM STDIN") as copy:
                for row in persons:
                    copy.write_row(row)
            connection.commit()
        cursor.executemany(
            "INSERT INTO records_itemnumbercounter"
            " (fonds_id, category_code, year, retention_id, business_category_id, last_number)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (vocab.fonds[f], CATEGORY_CODE, y, vocab.retention[r], vocab.categories[k], last)
                for (f, y, r, k), last in sorted(catalogue.counters.items())
            ],
        )
        for table in ("records_item", "records_itemperson"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        connection.commit()
    return catalogue
