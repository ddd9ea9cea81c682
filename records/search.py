"""The service-counter search: whatever the clerk types into one box, answered from an index.

Each kind of query (see `search_terms.classify_query`) goes to the index built for it: btree for exact
IDs, codes and prefixes, a reversed-ID btree for "the last digits", a GIN index over name bigrams for
two-character names, and trigram GIN indexes for longer names. Conditions on the item itself filter the
list query directly, so PostgreSQL may walk the list's own order index when matches are dense. Where a
query may match persons or employers, the persons' item ids are computed once (ARRAY(...), an InitPlan)
and OR-ed with the employer condition: both sides stay index-served (BitmapOr), whereas an OR with an
IN-subquery would make PostgreSQL test every catalogue row. No COUNT(*) is ever run.
"""

from __future__ import annotations

import re

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BigAutoField, Lookup, Q, QuerySet
from django.db.models.functions import Reverse

from .models import Item, ItemPerson
from .search_terms import QueryKind, classify_query, normalize_name


@BigAutoField.register_lookup
class AnyOf(Lookup):
    """`pk__any=ArraySubquery(...)`: id = ANY(ARRAY(subquery)), evaluated once before the scan."""

    lookup_name = "any"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def _persons(condition: Q) -> QuerySet:
    # order_by(): ItemPerson's Meta ordering ("item", "position") would join records_item in a subquery.
    persons = ItemPerson.objects.alias(reversed_id=Reverse("citizen_id"))
    return persons.filter(condition).order_by().values("item_id")


def _few_persons(condition: Q) -> Q:
    """Items of persons a selective condition finds (at most a few thousand rows).

    Computed first, then fetched by primary key and sorted. As a plain IN (a semi-join) PostgreSQL may
    instead walk the whole list in display order, probing each item's persons: a histogram bucket
    that lands in a narrow LIKE range makes it expect 1% of the table to match, and a search that
    should take 2 ms takes a second.
    """
    return Q(pk__any=ArraySubquery(_persons(condition)))


# The year segment of a code built by the default template; a prefix that includes it names one year.
_CODE_YEAR = re.compile(r"^[A-Z][0-9]{3}-[A-Z0-9]{1,10}\u00b7([0-9]{4})(?:-|$)")


def _code_prefix(prefix: str) -> Q:
    """Codes starting with `prefix`, as a range the list's (-year, archival_code) index can serve.

    A range, not LIKE: LIKE on a btree needs text_pattern_ops, and its row estimate comes from the
    histogram bounds the pattern matches, so it jumps from 0.01% to 1% of the table and PostgreSQL walks
    the whole list. The range relies on the database's C.UTF-8 collation (code-point order). With the
    year known, the rows come out of item_list_order_idx already in display order: 51 index entries.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    condition = Q(archival_code__gte=prefix, archival_code__lt=upper)
    if match := _CODE_YEAR.match(prefix):
        condition &= Q(year=int(match.group(1)))
    return condition


def _matching(text: str, kind: QueryKind) -> Q | None:
    match kind:
        case QueryKind.EMPTY:
            return None
        case QueryKind.CITIZEN_ID:
            return _few_persons(Q(citizen_id=text))
        case QueryKind.ID_SUFFIX:
            return _few_persons(Q(reversed_id__startswith=text[::-1]))
        case QueryKind.CREDIT_CODE | QueryKind.ORGANISATION_CODE:
            # Equality, not LIKE 'x%': the btree has the default operator class, which under a
            # C.UTF-8 database collation cannot serve LIKE prefixes.
            return Q(employer_code=text)
        case QueryKind.ARCHIVAL_CODE:
            return _code_prefix(text)
        case QueryKind.PINYIN_INITIALS:
            # Two letters ("ly") find tens of thousands: a semi-join lets the planner walk the list in
            # order and stop at 50; it needs the finer statistics on name_initials to see which is which.
            return Q(pk__in=_persons(Q(name_initials__startswith=text.lower())))
        case QueryKind.CHINESE:
            name = normalize_name(text)
            if len(name) == 1:  # a bare surname finds a tenth of the catalogue: let the planner walk
                # Names starting with the character, as a range the name index serves (see _code_prefix).
                surname = Q(name__gte=name, name__lt=chr(ord(name) + 1))
                return Q(pk__in=_persons(surname))
            if len(name) == 2:
                # Two characters give no trigram; the bigram array's GIN index answers instead.
                return _few_persons(Q(name_bigrams__contains=[name]))
            # Persons' ids first (an InitPlan), OR-ed with the employer: both served by an index.
            return Q(employer_name__contains=name) | _few_persons(Q(name__contains=name))
        case _:
            return Q(archival_code__startswith=text) | Q(employer_name__contains=text)


def search_items(queryset: QuerySet[Item], raw: str) -> QuerySet[Item]:
    query = classify_query(raw)
    condition = _matching(query.text, query.kind)
    return queryset if condition is None else queryset.filter(condition)
