"""Checked rows into the catalogue: created or updated by archival code, in one transaction, in bulk.

A row with an archival code is the item with that code. A row without one is the item of the same group,
business item, title, date, employer and persons, if the catalogue has it (so importing a workbook twice
changes nothing); otherwise it is new, and takes the next item number of its group and the office's code.

New items, their persons and their findings go in with COPY: at a hundred thousand rows the ORM's INSERT
statements cost several times the import's whole budget. The values are the ones the ORM would write:
persons come from services.person_rows and findings from services.findings_for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, cast

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive_office import audit
from archive_office.models import AuditEvent, User
from records import codes, search_terms
from records.models import (
    BusinessCategory,
    CatalogueIssue,
    CatalogueSettings,
    Fonds,
    ImportFinding,
    Item,
    ItemNumberCounter,
    ItemPerson,
    Placement,
    RetentionPeriod,
)
from records.services import (
    GROUP_ATTNAMES,
    GROUP_FIELDS,
    ITEM_LEVEL_RULES,
    CatalogueError,
    findings_for,
    person_rows,
    sync_item_number_counters,
)

from .cells import collector_paused, remembered_birth_places
from .rows import ITEM_FIELDS, Finding, ItemRow

CHUNK = 5000
# One catalogue import writes at a time: each reads the groups' highest numbers before giving new ones.
IMPORT_LOCK = 0x617263696D70  # "arcimp"
_CODE_FIELDS = ("archival_code", "legacy_code", "item_number")
_EXISTING = ("pk", "verified_at", *ITEM_FIELDS)
_NUMBER, _CODE = ITEM_FIELDS.index("item_number"), ITEM_FIELDS.index("archival_code")
_NUMBER_KEY = ", ".join((*GROUP_ATTNAMES, "item_number"))  # the columns of item_unique_number_in_group
_ITEM_COLUMNS = (*ITEM_FIELDS, "cataloguer_id", "catalogued_at", "updated_at")
_PERSON_COLUMNS = ("item_id", "position", "name", "citizen_id", "name_bigrams", "name_initials")
_ISSUE_COLUMNS = ("item_id", "rule", "severity", "message", "found_at")

VERIFIED = gettext_lazy(
    "Item %(code)s was verified against the paper on %(date)s; the import leaves it unchanged."
)
FULL_GROUP = gettext_lazy(
    "Sheet “%(sheet)s”, row %(row)d: the group already has 9999 items, the most item numbers allow."
)
TAKEN = gettext_lazy(
    "Sheet “%(sheet)s”, row %(row)d: its archival code or item number is already item %(code)s’s."
)


@dataclass(frozen=True)
class Counts:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Change:
    pk: int
    row: ItemRow
    fields: list[str]
    persons_differ: bool
    old_group: tuple[Any, ...]


@dataclass
class Plan:
    """What writing the rows would do, judged against the catalogue as it is now."""

    new: list[ItemRow] = field(default_factory=list)
    changed: list[_Change] = field(default_factory=list)
    unchanged: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def counts(self) -> Counts:
        return Counts(imported=len(self.new), updated=len(self.changed), unchanged=self.unchanged)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _row_persons(row: ItemRow) -> tuple[tuple[str, str], ...]:
    # Stored names are normalised by person_rows; compare like with like.
    return tuple((search_terms.normalize_name(p.name), p.citizen_id) for p in row.persons)


_KEY_FIELDS = (*GROUP_ATTNAMES, "business_item_id", "title", "date", "employer_code")


def _natural_key(get: Any, persons: tuple[tuple[str, str], ...]) -> tuple[Any, ...]:
    return (*(get(name) for name in _KEY_FIELDS), persons)


def _stored_persons(pks: Sequence[int]) -> dict[int, tuple[tuple[str, str], ...]]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for chunk in _chunks(pks, CHUNK):
        rows = (
            ItemPerson.objects.filter(item_id__in=chunk)
            .order_by("item_id", "position")
            .values_list("item_id", "name", "citizen_id")
        )
        for item_id, name, citizen_id in rows:
            found[item_id].append((name, citizen_id))
    return {pk: tuple(persons) for pk, persons in found.items()}


class _Existing:
    """An item already in the catalogue, as the plan compares it: its columns as one tuple, and persons.

    Tuples, not dicts: a re-import holds a hundred thousand of these beside the rows.
    """

    __slots__ = ("persons", "values")

    def __init__(self, values: tuple[Any, ...], persons: tuple[tuple[str, str], ...]) -> None:
        self.values, self.persons = values, persons

    def __getitem__(self, name: str) -> Any:
        return self.values[_AT[name]]


_AT = {name: index for index, name in enumerate(_EXISTING)}


def _fetch(pks_or_codes: Sequence[Any], *, by: str) -> list[_Existing]:
    found = list(Item.objects.filter(**{f"{by}__in": pks_or_codes}).order_by("pk").values_list(*_EXISTING))
    persons = _stored_persons([values[_AT["pk"]] for values in found])
    return [_Existing(values, persons.get(values[_AT["pk"]], ())) for values in found]


def _candidate_keys(rows: Sequence[ItemRow]) -> dict[tuple[Any, ...], list[_Existing]]:
    """The catalogue's items that rows without a code may be, by natural key, oldest first.

    One join against the rows' (fonds, year, business item, title): the title has no index, so a query
    per chunk would read the same business items' years again and again.
    """
    keys = {
        (row.fonds_id, row.year, row.business_item_id, row.title) for row in rows if not row.archival_code
    }
    if not keys:
        return {}
    fonds, years, items, titles = (list(column) for column in zip(*keys, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item.id FROM {Item._meta.db_table} AS item JOIN unnest(%s::bigint[], %s::int[],"
            " %s::bigint[], %s::text[]) AS file(fonds_id, year, business_item_id, title)"
            " USING (fonds_id, year, business_item_id, title)",
            [fonds, years, items, titles],
        )
        pks = sorted({pk for (pk,) in cursor.fetchall()})
    candidates: dict[tuple[Any, ...], list[_Existing]] = defaultdict(list)
    for chunk in _chunks(pks, CHUNK):
        for existing in _fetch(chunk, by="pk"):
            candidates[_natural_key(existing.__getitem__, existing.persons)].append(existing)
    return candidates


def plan_catalogue(rows: Sequence[ItemRow]) -> Plan:
    """Sort the rows into new, changed and unchanged items, without writing anything."""
    plan = Plan()
    candidates = _candidate_keys(rows)
    matched: set[int] = set()  # items already taken by an earlier row without a code
    kept_fields = tuple(name for name in ITEM_FIELDS if name not in _CODE_FIELDS)
    for chunk in _chunks(rows, CHUNK):
        codes_of_chunk = [row.archival_code for row in chunk if row.archival_code]
        by_code = {
            existing["archival_code"]: existing for existing in _fetch(codes_of_chunk, by="archival_code")
        }
        for row in chunk:
            if row.archival_code:
                existing = by_code.get(row.archival_code)
                compared = ITEM_FIELDS
            else:
                key = _natural_key(lambda name, row=row: getattr(row, name), _row_persons(row))
                existing = next((e for e in candidates.get(key, ()) if e["pk"] not in matched), None)
                compared = kept_fields  # matched by content, the item keeps its own code
                if existing is not None:
                    matched.add(existing["pk"])
            if existing is None:
                plan.new.append(row)
                continue
            differ = [name for name in compared if existing[name] != getattr(row, name)]
            persons_differ = existing.persons != _row_persons(row)
            if not differ and not persons_differ:
                plan.unchanged += 1
            elif existing["verified_at"] is not None:
                plan.unchanged += 1
                plan.findings.append(_verified_finding(row, existing))
            else:
                old_group = tuple(existing[name] for name in GROUP_ATTNAMES)
                plan.changed.append(_Change(existing["pk"], row, differ, persons_differ, old_group))
    return plan


def _verified_finding(row: ItemRow, existing: _Existing) -> Finding:
    message = VERIFIED % {
        "code": existing["archival_code"],
        "date": timezone.localtime(existing["verified_at"]).date().isoformat(),
    }
    kind, severity = ImportFinding.Kind.VERIFIED, ImportFinding.Severity.WARNING
    return Finding(row.sheet, row.sheet_index, row.row, "", "", kind, severity, message)


# --- Writing ------------------------------------------------------------------------------------------


def write_catalogue(
    rows: Sequence[ItemRow], *, user: User | None, source: str = "", target: Any = None, dry_run: bool = False
) -> tuple[Counts, list[Finding]]:
    """Create and update the rows' items in one transaction; nothing is written if anything fails.

    With `dry_run`, the counts are what the import would do and nothing is written.
    """
    with transaction.atomic(), remembered_birth_places(), collector_paused():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        plan = plan_catalogue(rows)
        if dry_run:
            return plan.counts, plan.findings
        writer = _Writer(user)
        try:
            writer.number(plan.new)
            writer.refuse_taken(plan.new)
            for chunk in _chunks(plan.new, CHUNK):
                writer.create(chunk)
            for chunk in _chunks(plan.changed, CHUNK):
                writer.update(chunk)
        except IntegrityError as error:
            raise CatalogueError(
                _("The catalogue could not be imported: %(error)s") % {"error": str(error).strip()}
            ) from None
        writer.update_counters()
        counts = plan.counts
        audit.record(
            action=AuditEvent.Action.IMPORT,
            actor=user,
            target=target,
            stage="commit",
            source=source,
            imported=counts.imported,
            updated=counts.updated,
            unchanged=counts.unchanged,
        )
    return counts, plan.findings


class _Writer:
    def __init__(self, user: User | None) -> None:
        self.user = user
        self.settings = CatalogueSettings.current()
        self.fonds = dict(Fonds.objects.values_list("pk", "code"))
        self.retention = dict(RetentionPeriod.objects.values_list("pk", "code"))
        self.categories = dict(BusinessCategory.objects.values_list("pk", "code"))
        self.touched: set[tuple[Any, ...]] = set()
        self.codes: dict[int, tuple[int, str]] = {}  # id(row) -> (item number, code) given by this import
        codes.validate_code_template(self.settings.code_template)
        self.now = timezone.now()
        self.placeholder = Item()  # person_rows needs an item; the COPY rows carry the real id

    def code_for(self, row: ItemRow, number: int) -> str:
        """services.build_code's code, from the row's ids; the template was validated once above."""
        return self.settings.code_template.format(
            fonds=self.fonds[row.fonds_id],
            category=codes.check_category_code(row.category_code),
            year=row.year,
            retention=self.retention[row.retention_id],
            klass=self.categories[row.business_category_id],
            number=codes.check_item_number(number),
        )

    def number(self, rows: list[ItemRow]) -> None:
        """Give rows without a code the next numbers of their groups, after every number already taken.

        The groups' counters are locked, so a cataloguer saving an item meanwhile waits for this import.
        """
        waiting = [row for row in rows if not row.archival_code]
        groups = {row.group() for row in waiting}
        if not groups:
            return
        ItemNumberCounter.objects.bulk_create(
            [ItemNumberCounter(**dict(zip(GROUP_ATTNAMES, group, strict=True))) for group in groups],
            ignore_conflicts=True,
        )
        years = {group[2] for group in groups}
        last = {
            _group_of(counter): counter.last_number
            for counter in ItemNumberCounter.objects.select_for_update().filter(year__in=years).order_by("pk")
        }
        highest = _highest_numbers(years)
        for row in rows:
            if row.item_number is not None:
                group = row.group()
                highest[group] = max(highest.get(group, 0), row.item_number)
        for row in waiting:
            group = row.group()
            number = max(last.get(group, 0), highest.get(group, 0)) + 1
            if number > codes.MAX_ITEM_NUMBER:
                raise CatalogueError(FULL_GROUP % {"sheet": row.sheet, "row": row.row})
            last[group] = highest[group] = number
            self.codes[id(row)] = (number, self.code_for(row, number))

    def refuse_taken(self, rows: list[ItemRow]) -> None:
        """Name the row whose code or item number an item outside the file already has; the unique
        constraints would refuse it with less to say.

        Only two things can collide: a code given here with a hand-made legacy code of the same text, and
        a number the file's own code carries (after a change of template). The file's codes were looked
        up by the plan, and the numbers given here come after the highest of each group.
        """
        given = {code: row for row in rows if id(row) in self.codes for code in [self.codes[id(row)][1]]}
        numbered = [row for row in rows if row.item_number is not None]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT archival_code FROM {Item._meta.db_table} WHERE archival_code = ANY(%s) LIMIT 1",
                [list(given)],
            )
            if found := cursor.fetchone():
                row = given[found[0]]
                raise CatalogueError(TAKEN % {"sheet": row.sheet, "row": row.row, "code": found[0]})
            if not numbered:
                return
            columns = zip(*[[*row.group(), row.item_number] for row in numbered], strict=True)
            cursor.execute(
                f"SELECT {_NUMBER_KEY}, archival_code FROM {Item._meta.db_table}"
                f" JOIN unnest(%s::bigint[], %s::text[], %s::int[], %s::bigint[], %s::bigint[], %s::int[])"
                f" AS file({_NUMBER_KEY}) USING ({_NUMBER_KEY}) LIMIT 1",
                [list(column) for column in columns],
            )
            if found := cursor.fetchone():
                row = next(row for row in numbered if (*row.group(), row.item_number) == tuple(found[:6]))
                raise CatalogueError(TAKEN % {"sheet": row.sheet, "row": row.row, "code": found[6]})

    def create(self, rows: list[ItemRow]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Item._meta.db_table, len(rows)],
            )
            pks = [pk for (pk,) in cursor.fetchall()]
        cataloguer = self.user.pk if self.user else None
        persons: list[list[tuple[Any, ...]]] = []  # each item's
        issues: list[tuple[Any, ...]] = []

        # The server takes in each COPY on a core of its own while this process works out the next table's
        # rows: the persons while the items stream, the findings (the heavier half) while the persons do.
        def items() -> Iterator[tuple[Any, ...]]:
            for pk, row in zip(pks, rows, strict=True):
                values = [getattr(row, name) for name in ITEM_FIELDS]
                if id(row) in self.codes:
                    values[_NUMBER], values[_CODE] = self.codes[id(row)]
                yield (pk, *values, cataloguer, self.now, self.now)
                persons.append(list(self._person_rows(pk, row)))

        def persons_then_findings() -> Iterator[tuple[Any, ...]]:
            for pk, row, own in zip(pks, rows, persons, strict=True):
                yield from own
                issues.extend(self._issue_rows(pk, row))

        _copy(Item, ("id", *_ITEM_COLUMNS), items())
        _copy(ItemPerson, _PERSON_COLUMNS, persons_then_findings())
        _copy(CatalogueIssue, _ISSUE_COLUMNS, issues)
        self.touched.update(row.group() for row in rows)

    def update(self, changes: list[_Change]) -> None:
        names: set[str] = set()
        items = []
        for change in changes:
            keep_code = not change.row.archival_code  # matched by content: the item keeps its own code
            fields = [name for name in ITEM_FIELDS if not (keep_code and name in _CODE_FIELDS)]
            item = Item(
                pk=change.pk, updated_at=self.now, **{name: getattr(change.row, name) for name in fields}
            )
            items.append(item)
            names.update(change.fields)
            self.touched.update({change.old_group, change.row.group()})
        Item.objects.bulk_update(items, [*sorted(names), "updated_at"])
        # An item moved to another group leaves its old volume, as services.update_item does.
        moved = [c.pk for c in changes if c.old_group != c.row.group()]
        Placement.objects.filter(item_id__in=moved).delete()
        self._rewrite_persons_and_findings(changes)

    def _person_rows(self, pk: int, row: ItemRow) -> Iterator[tuple[Any, ...]]:
        for person in person_rows(self.placeholder, row.persons):
            yield (
                pk,
                person.position,
                person.name,
                person.citizen_id,
                person.name_bigrams,
                person.name_initials,
            )

    def _issue_rows(self, pk: int, row: ItemRow) -> Iterator[tuple[Any, ...]]:
        # findings_for reads the item's text fields only, which the row has under the same names.
        for finding in findings_for(cast(Item, row), row.persons):
            yield (pk, finding.rule, finding.severity, finding.message[:300], self.now)

    def _rewrite_persons_and_findings(self, changes: list[_Change]) -> None:
        """services.store_findings for a chunk of changed items, and their persons where those changed."""
        persons_of = {change.pk for change in changes if change.persons_differ}
        ItemPerson.objects.filter(item_id__in=persons_of).delete()
        persons = [
            p
            for change in changes
            if change.pk in persons_of
            for p in self._person_rows(change.pk, change.row)
        ]
        _copy(ItemPerson, _PERSON_COLUMNS, persons)
        CatalogueIssue.objects.filter(item_id__in=[c.pk for c in changes], rule__in=ITEM_LEVEL_RULES).delete()
        _copy(CatalogueIssue, _ISSUE_COLUMNS, [r for c in changes for r in self._issue_rows(c.pk, c.row)])

    def update_counters(self) -> None:
        sync_item_number_counters(self.touched)


def _copy(model: Any, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """COPY the rows into the model's table; a generator's rows go to the server as they come."""
    if isinstance(rows, list) and not rows:
        return
    column_of = {f.attname: f.column for f in model._meta.concrete_fields}
    names = ", ".join(connection.ops.quote_name(column_of[name]) for name in columns)
    statement = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _group_of(obj: Item | ItemNumberCounter) -> tuple[Any, ...]:
    return tuple(getattr(obj, name) for name in GROUP_ATTNAMES)


def _highest_numbers(years: Iterable[int]) -> dict[tuple[Any, ...], int]:
    rows = (
        Item.objects.filter(year__in=set(years), item_number__isnull=False)
        .order_by()
        .values_list(*GROUP_FIELDS)
        .annotate(Max("item_number"))
    )
    return {tuple(group): number for *group, number in rows}
