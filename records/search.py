"""The service-counter search: whatever the clerk types into one box, answered from an index.

Each kind of query (see `search_terms.classify_query`) goes to the index built for it: btree for exact
IDs, codes and prefixes, a reversed-ID btree for "the last digits", a GIN index over name bigrams for
two-character names, and trigram GIN indexes for longer names. Where a query may match persons or
employers, the two index-served id lists are joined with UNION: an OR across tables would make
PostgreSQL test every catalogue row. No COUNT(*) is ever run.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Reverse

from .models import Item, ItemPerson
from .search_terms import QueryKind, classify_query, normalize_name


def _persons(condition: Q) -> QuerySet:
    return ItemPerson.objects.filter(condition).values("item_id")


def _employers(condition: Q) -> QuerySet:
    return Item.objects.filter(condition).values("id")


def _chinese_ids(text: str) -> QuerySet:
    name = normalize_name(text)
    if len(name) == 1:
        return _persons(Q(name=name))
    if len(name) == 2:
        # Two characters give no trigram; the bigram array's GIN index answers instead.
        return _persons(Q(name_bigrams__contains=[name]))
    return _persons(Q(name__contains=name)).union(_employers(Q(employer_name__contains=name)))


def matching_ids(raw: str) -> QuerySet | None:
    """Ids of the items matching what the clerk typed; None when the box is empty."""
    query = classify_query(raw)
    text = query.text
    match query.kind:
        case QueryKind.EMPTY:
            return None
        case QueryKind.CITIZEN_ID:
            return _persons(Q(citizen_id=text))
        case QueryKind.ID_SUFFIX:
            return (
                ItemPerson.objects.alias(reversed_id=Reverse("citizen_id"))
                .filter(reversed_id__startswith=text[::-1])
                .values("item_id")
            )
        case QueryKind.CREDIT_CODE | QueryKind.ORGANISATION_CODE:
            return _employers(Q(employer_code__startswith=text))
        case QueryKind.ARCHIVAL_CODE:
            return _employers(Q(archival_code__startswith=text))
        case QueryKind.PINYIN_INITIALS:
            return _persons(Q(name_initials__startswith=text.lower()))
        case QueryKind.CHINESE:
            return _chinese_ids(text)
        case _:
            return _employers(Q(archival_code__startswith=text)).union(
                _employers(Q(employer_name__contains=text))
            )


def search_items(queryset: QuerySet[Item], raw: str) -> QuerySet[Item]:
    ids = matching_ids(raw)
    return queryset if ids is None else queryset.filter(pk__in=ids)
