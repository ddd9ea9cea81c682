"""Demo catalogue for `seed_demo`: realistic items of the contract's business, assembled into volumes."""

from __future__ import annotations

import random

from archive_office.models import User

from .identifiers import citizen_id_check_char, credit_code_check_char
from .models import BusinessItem, CatalogueSettings, Classification, Item, Openness, Volume
from .rules import PersonEntry
from .services import assemble_volumes, catalogue_item

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
)
SURNAMES += ["欧阳", "司马"]
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "志强",
    "海燕",
    "建国",
    "玉兰",
    "春梅",
    "国庆",
]
EMPLOYERS = [
    "济南泉城机械制造有限公司",
    "山东历下商贸有限公司",
    "济南趵突泉酿酒有限责任公司",
    "历下区第一建筑工程公司",
    "济南千佛山物业管理有限公司",
    "山东省齐鲁纺织集团有限公司",
]
AREAS = ["370102", "370103", "370104", "370105", "370112", "370181"]
DEMO_ITEMS = 60


def _citizen_id(rng: random.Random) -> str:
    birth = f"{rng.randint(1950, 1995)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"{rng.choice(AREAS)}{birth}{rng.randint(1, 999):03d}"
    return body + citizen_id_check_char(body)


def _credit_code(rng: random.Random) -> str:
    body = f"91370102MA{rng.randint(0, 99999999):08d}"[:17]
    return body + credit_code_check_char(body)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def seed() -> list[str]:
    if Item.objects.exists():
        return ["Catalogue: kept as it is (it already has items)."]
    rng = random.Random(2008)
    settings = CatalogueSettings.current()
    cataloguer = User.objects.filter(username="archivist").first()
    businesses = list(BusinessItem.objects.select_related("category", "default_retention"))
    employers = [(name, _credit_code(rng)) for name in EMPLOYERS]
    for _ in range(DEMO_ITEMS):
        business = rng.choice(businesses)
        year = rng.choice([2006, 2007, 2008])
        persons = [PersonEntry(_name(rng), _citizen_id(rng)) for _ in range(rng.choice([1, 1, 1, 2]))]
        employer_name, employer_code = rng.choice(employers) if rng.random() < 0.5 else ("", "")
        item = Item(
            fonds=settings.default_fonds,
            category_code=settings.category_code,
            year=year,
            retention=business.default_retention,
            business_category=business.category,
            business_item=business,
            title=f"{persons[0].name}{business.name}材料",
            creator=settings.default_creator,
            date=f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
            page_count=rng.randint(2, 6),
            classification=Classification.objects.get(is_default=True),
            openness=Openness.objects.get(is_default=True),
            employer_code=employer_code,
            employer_name=employer_name,
        )
        catalogue_item(item=item, persons=persons, user=cataloguer)
    groups = Item.objects.values(
        "fonds", "category_code", "year", "retention", "business_category"
    ).distinct()
    for group in groups:
        first = Item.objects.filter(**group).select_related("fonds", "retention", "business_category").first()
        assemble_volumes(
            fonds=first.fonds,
            category_code=first.category_code,
            year=first.year,
            retention=first.retention,
            business_category=first.business_category,
        )
    return [f"Catalogue: {DEMO_ITEMS} items in {Volume.objects.count()} volumes."]
