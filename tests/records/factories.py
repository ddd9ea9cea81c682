"""Catalogue factories: items saved through `records.services.catalogue_item`, as a cataloguer would."""

from collections.abc import Sequence
from itertools import count

from django.db.models import Q

from archive_office.models import User
from records.models import (
    BusinessItem,
    CatalogueSettings,
    Classification,
    Fonds,
    Item,
    Openness,
    RetentionPeriod,
)
from records.rules import PersonEntry
from records.services import catalogue_item

_serial = count(1)
ZHANG_SAN = ("张三", "11010519491231002X")  # the worked example of GB 11643, a valid check character


def make_item(
    *,
    title: str = "",
    persons: Sequence[tuple[str, str]] = (ZHANG_SAN,),
    fonds: str = "Z001",
    year: int = 2008,
    business_item: str = "开户登记",
    retention: str = "",
    classification: str = "",
    openness: str = "",
    creator: str = "",
    date: str = "20080315",
    page_count: int = 3,
    legacy_code: str = "",
    user: User | None = None,
    **fields: object,
) -> Item:
    """An item of the business item (name or code) with its category and, unless given, default retention.

    Vocabularies are given by code (retention "D100", classification "NB", openness "KZ"); empty means the
    office default. With `legacy_code`, the item keeps that archival code and takes no item number.
    Other Item fields (remarks, employer_code, verified_at, ...) pass through `fields`.
    """
    settings = CatalogueSettings.current()
    business = BusinessItem.objects.select_related("category", "default_retention").get(
        Q(code=business_item) | Q(name=business_item)
    )
    item = Item(
        fonds=Fonds.objects.get(code=fonds),
        category_code=settings.category_code,
        year=year,
        retention=RetentionPeriod.objects.get(code=retention) if retention else business.default_retention,
        business_category=business.category,
        business_item=business,
        title=title or f"{business.name}材料{next(_serial)}",
        creator=creator or settings.default_creator,
        date=date,
        page_count=page_count,
        classification=_vocabulary(Classification, classification),
        openness=_vocabulary(Openness, openness),
        legacy_code=bool(legacy_code),
        archival_code=legacy_code,
        **fields,
    )
    entries = [PersonEntry(name=name, citizen_id=citizen_id) for name, citizen_id in persons]
    return catalogue_item(item=item, persons=entries, user=user)


def _vocabulary(model: type[Classification] | type[Openness], code: str) -> Classification | Openness:
    return model.objects.get(code=code) if code else model.objects.get(is_default=True)
