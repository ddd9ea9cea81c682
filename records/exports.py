"""The catalogue for data exchange: CSV, XLSX and JSON exports, and the JSON import that reads them back.

CSV and XLSX carry the office's exchange columns (EXPORT_HEADERS); JSON carries every field needed to
recreate an item, with vocabularies by code so a file moves between databases. Exports stream: rows are
read in chunks with one query for the chunk's persons, and never held all at once.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from itertools import islice
from typing import IO, TYPE_CHECKING, Any, Protocol

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

from archive_office import audit
from archive_office.models import AuditEvent, User

from . import codes
from .models import (
    BusinessCategory,
    BusinessItem,
    CatalogueIssue,
    Classification,
    Fonds,
    Item,
    ItemNumberCounter,
    ItemPerson,
    Openness,
    Placement,
    RetentionPeriod,
    Vocabulary,
)
from .rules import PersonEntry
from .services import (
    GROUP_ATTNAMES,
    GROUP_FIELDS,
    ITEM_LEVEL_RULES,
    CatalogueError,
    findings_for,
    person_rows,
    sync_item_number_counters,
)

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

EXPORT_HEADERS = [
    "档号", "全宗号", "年度", "保管期限", "业务类别", "业务事项", "单位编号", "单位名称", "姓名", "身份证号",
    "题名", "责任者", "日期", "页数", "密级", "开放标识", "备注",
]  # fmt: skip
PERSON_SEPARATOR = "；"  # full-width, as the office writes lists; NFKC-folded names never contain it
JSON_FORMAT = "archive-imaging-catalogue"
JSON_VERSION = 1
CHUNK_SIZE = 2000
IMPORT_CHUNK_SIZE = 1000
PROGRESS_EVERY = 10_000

# One lookup per exchange column, in EXPORT_HEADERS order; the persons fill 姓名 and 身份证号 between them.
_PERSON_COLUMN = EXPORT_HEADERS.index("姓名")
_ROW_FIELDS = (
    "archival_code", "fonds__code", "year", "retention__code", "business_category__name",
    "business_item__name", "employer_code", "employer_name", "title", "creator", "date", "page_count",
    "classification__name", "openness__name", "remarks",
)  # fmt: skip
# The JSON item: its key is the lookup's first part (fonds__code -> "fonds"), persons come last.
_JSON_FIELDS = (
    "archival_code", "legacy_code", "fonds__code", "category_code", "year", "retention__code",
    "business_category__code", "business_item__code", "item_number", "title", "creator", "date",
    "document_number", "page_count", "keywords", "remarks", "classification__code", "openness__code",
    "employer_code", "employer_name", "serial_number", "handler", "handled_on", "cataloguer__username",
    "catalogued_at", "verified_at",
)  # fmt: skip
_VOCABULARIES: dict[str, type[Vocabulary]] = {
    "fonds": Fonds,
    "retention": RetentionPeriod,
    "business_category": BusinessCategory,
    "business_item": BusinessItem,
    "classification": Classification,
    "openness": Openness,
}
_TEXT_KEYS = (
    "archival_code", "category_code", "title", "creator", "date", "document_number", "keywords", "remarks",
    "employer_code", "employer_name", "serial_number", "handler", "handled_on",
)  # fmt: skip
_ITEM_KEYS = frozenset(lookup.split("__")[0] for lookup in _JSON_FIELDS) | {"persons"}

Progress = Callable[[int], None]


class TextSink(Protocol):
    def write(self, text: str, /) -> Any: ...


class BinarySink(Protocol):
    """A file-like object a ZIP can be written to: a file, BytesIO or HttpResponse."""

    def write(self, data: bytes, /) -> Any: ...

    def flush(self) -> Any: ...


# --- Exports --------------------------------------------------------------------------------------


def export_rows(queryset: QuerySet[Item]) -> Iterator[list[str]]:
    """The exchange rows of the items, without the header, in the queryset's order."""
    for row, persons in _rows_with_persons(queryset, _ROW_FIELDS):
        values = [str(row[field]) for field in _ROW_FIELDS]
        # Names and IDs in the same order, so the n-th ID belongs to the n-th name even when one is empty.
        names = PERSON_SEPARATOR.join(name for name, _citizen_id in persons)
        citizen_ids = PERSON_SEPARATOR.join(citizen_id for _name, citizen_id in persons)
        yield [*values[:_PERSON_COLUMN], names, citizen_ids, *values[_PERSON_COLUMN:]]


def write_csv(
    queryset: QuerySet[Item],
    stream: TextSink,
    *,
    user: User | None = None,
    progress: Progress | None = None,
    filters: Mapping[str, object] | None = None,
) -> int:
    """Write the items as CSV to a text stream (a file opened with newline="", or an HttpResponse).

    The byte order mark is written here, so open files as plain UTF-8: Excel guesses the encoding
    of a CSV file wrongly without it. Returns the number of items written.
    """
    stream.write("\ufeff")
    writer = csv.writer(stream)
    writer.writerow(EXPORT_HEADERS)
    count = 0
    for count, row in enumerate(export_rows(queryset), start=1):
        writer.writerow(row)
        _report(progress, count)
    _record_export(user=user, rows=count, format="csv", filters=filters)
    return count


def write_xlsx(
    queryset: QuerySet[Item],
    stream: BinarySink | str | os.PathLike[str],
    *,
    user: User | None = None,
    progress: Progress | None = None,
    filters: Mapping[str, object] | None = None,
) -> int:
    """Write the items as an XLSX workbook to a binary stream (a file, BytesIO or HttpResponse).

    Every cell is text, so citizen IDs keep all 18 characters and nothing turns into a formula.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Catalogue"))
    sheet.freeze_panes = "A2"
    for letter, width in {"A": 28, "H": 30, "I": 16, "J": 22, "K": 40, "Q": 30}.items():
        sheet.column_dimensions[letter].width = width
    sheet.append(EXPORT_HEADERS)
    count = 0
    for count, row in enumerate(export_rows(queryset), start=1):
        sheet.append([_text_cell(sheet, value) for value in row])
        _report(progress, count)
    workbook.save(stream)  # zipfile writes to any object with write() and flush(), seekable or not
    _record_export(user=user, rows=count, format="xlsx", filters=filters)
    return count


def write_json(
    queryset: QuerySet[Item],
    stream: TextSink,
    *,
    user: User | None = None,
    progress: Progress | None = None,
    filters: Mapping[str, object] | None = None,
) -> int:
    """Write the items as a versioned JSON document that `import_catalogue_json` reads back unchanged.

    One item per line keeps a large file readable in an editor and diffable between two exports.
    """
    head = {"format": JSON_FORMAT, "version": JSON_VERSION, "exported_at": timezone.localtime().isoformat()}
    stream.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "items": [\n')
    count = 0
    for count, (row, persons) in enumerate(_rows_with_persons(queryset, _JSON_FIELDS), start=1):
        item = {lookup.split("__")[0]: _json_value(row[lookup]) for lookup in _JSON_FIELDS}
        item["persons"] = [{"name": name, "citizen_id": citizen_id} for name, citizen_id in persons]
        stream.write(("" if count == 1 else ",\n") + json.dumps(item, ensure_ascii=False))
        _report(progress, count)
    stream.write("\n]}\n")
    _record_export(user=user, rows=count, format="json", filters=filters)
    return count


def _rows_with_persons(
    queryset: QuerySet[Item], fields: Iterable[str]
) -> Iterator[tuple[dict[str, Any], list[tuple[str, str]]]]:
    # Plain values instead of model instances, and one persons query per chunk rather than per item.
    rows = queryset.prefetch_related(None).values("pk", *fields).iterator(chunk_size=CHUNK_SIZE)
    for chunk in _chunks(rows, CHUNK_SIZE):
        persons: dict[int, list[tuple[str, str]]] = defaultdict(list)
        found = (
            ItemPerson.objects.filter(item_id__in=[row["pk"] for row in chunk])
            .order_by("item_id", "position")
            .values_list("item_id", "name", "citizen_id")
        )
        for item_id, name, citizen_id in found:
            persons[item_id].append((name, citizen_id))
        for row in chunk:
            yield row, persons[row["pk"]]


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> str | WriteOnlyCell:
    # XML cannot hold most control characters; old Excel catalogues sometimes carry them in remarks.
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith("=") or text in ERROR_CODES:
        # openpyxl would store "=..." as a formula and "#N/A" as an error; this is catalogue text.
        cell = WriteOnlyCell(sheet, text)
        cell.data_type = "s"
        return cell
    return text


def _json_value(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value


def _report(progress: Progress | None, count: int) -> None:
    if progress is not None and count % PROGRESS_EVERY == 0:
        progress(count)


def _record_export(
    *, user: User | None, rows: int, format: str, filters: Mapping[str, object] | None
) -> None:
    audit.record(
        action=AuditEvent.Action.EXPORT, actor=user, rows=rows, format=format, filters=dict(filters or {})
    )


def _chunks(iterable: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- JSON import ----------------------------------------------------------------------------------


class CatalogueImportError(CatalogueError):
    """A catalogue file refused as a whole; the message names the item at fault."""


@dataclass(frozen=True)
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def import_catalogue_json(
    source: str | os.PathLike[str] | IO[Any], *, user: User | None = None
) -> ImportCounts:
    """Create or update items from a JSON export, matched by archival code, all or nothing.

    Persons are rewritten through `person_rows` so the search columns are filled, the item-level data
    rules are run again, and each touched group's item number counter is set to its highest number.
    Items not in the file are left alone; `updated_at` is set by this import, not taken from the file.
    """
    entries = _document_items(_read_document(source))
    importer = _Importer(entries)
    for chunk in _chunks(enumerate(entries, start=1), IMPORT_CHUNK_SIZE):
        importer.import_chunk(chunk)
    importer.update_counters()
    counts = ImportCounts(created=importer.created, updated=importer.updated, unchanged=importer.unchanged)
    name = source if isinstance(source, str | os.PathLike) else getattr(source, "name", "")
    audit.record(
        action=AuditEvent.Action.IMPORT, actor=user, format="json", source=str(name), **asdict(counts)
    )
    return counts


def _read_document(source: str | os.PathLike[str] | IO[Any]) -> object:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as file:
            data = file.read()
    else:
        data = source.read()
    if isinstance(data, str):
        data = data.removeprefix("\ufeff")  # json.loads skips a byte order mark in bytes, not in text
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CatalogueImportError(_("The file is not valid JSON: %(error)s") % {"error": error}) from None


def _document_items(document: object) -> list[Any]:
    if not isinstance(document, dict) or document.get("format") != JSON_FORMAT:
        raise CatalogueImportError(_("The file is not a catalogue exported by Archive Imaging."))
    version = document.get("version")
    if version != JSON_VERSION or isinstance(version, bool):
        raise CatalogueImportError(
            _("Catalogue file version %(version)s cannot be read; this system reads version %(supported)d.")
            % {"version": json.dumps(version), "supported": JSON_VERSION}
        )
    items = document.get("items")
    if not isinstance(items, list):
        raise CatalogueImportError(_("The catalogue file has no list of items."))
    return items


def _label(index: int, raw: object) -> str:
    code = raw.get("archival_code") if isinstance(raw, dict) else None
    return (
        code
        if isinstance(code, str) and code.strip()
        else _("number %(index)d in the file") % {"index": index}
    )


def _invalid(label: str, key: str, value: object) -> CatalogueImportError:
    return CatalogueImportError(
        _("Item %(item)s: “%(field)s” has an invalid value %(value)s.")
        % {"item": label, "field": key, "value": json.dumps(value, ensure_ascii=False)[:60]}
    )


class _Importer:
    """Upserts chunks of file items; holds the vocabularies, the users met so far and the counts."""

    def __init__(self, entries: list[Any]) -> None:
        self.vocabularies = {
            key: dict(model.objects.values_list("code", "pk")) for key, model in _VOCABULARIES.items()
        }
        self.users: dict[str, int | None] = {}
        self.document_codes = self._check_duplicates(entries)
        self.touched_groups: set[tuple[Any, ...]] = set()
        self.created = self.updated = self.unchanged = 0

    @staticmethod
    def _check_duplicates(entries: list[Any]) -> set[str]:
        """Refuse two items with one code, or one item number twice in a group, before writing anything."""
        seen_codes: set[str] = set()
        seen_numbers: dict[tuple[Any, ...], str] = {}
        for index, raw in enumerate(entries, start=1):
            if not isinstance(raw, dict):
                continue  # reported with its position when its chunk is read
            label = _label(index, raw)
            code = raw.get("archival_code")
            if isinstance(code, str):
                if code in seen_codes:
                    raise CatalogueImportError(_("Item %(item)s appears twice in the file.") % {"item": code})
                seen_codes.add(code)
            number_key = tuple(raw.get(key) for key in (*GROUP_FIELDS, "item_number"))
            if raw.get("item_number") is not None and all(isinstance(v, str | int) for v in number_key):
                if number_key in seen_numbers:
                    raise CatalogueImportError(
                        _("Items %(first)s and %(second)s have the same item number in the same group.")
                        % {"first": seen_numbers[number_key], "second": label}
                    )
                seen_numbers[number_key] = label
        return seen_codes

    def import_chunk(self, chunk: list[tuple[int, Any]]) -> None:
        self._load_users(raw.get("cataloguer") for _index, raw in chunk if isinstance(raw, dict))
        parsed = [self._parse(index, raw) for index, raw in chunk]
        existing = {
            item.archival_code: item
            for item in Item.objects.select_for_update()
            .filter(archival_code__in=[fields["archival_code"] for fields, _persons in parsed])
            .prefetch_related("persons")
        }
        new: list[tuple[Item, list[PersonEntry]]] = []
        changed: list[tuple[Item, list[PersonEntry]]] = []
        changed_fields: set[str] = set()
        new_persons: list[Item] = []
        moved: list[int] = []
        for fields, persons in parsed:
            item = existing.get(fields["archival_code"])
            if item is None:
                new.append((Item(**fields), persons))
                continue
            differs = [name for name, value in fields.items() if getattr(item, name) != value]
            stored = [(person.name, person.citizen_id) for person in item.persons.all()]
            persons_differ = stored != [(row.name, row.citizen_id) for row in person_rows(item, persons)]
            if not differs and not persons_differ:
                self.unchanged += 1
                continue
            before = _group_of(item)
            for name in differs:
                setattr(item, name, fields[name])
            if _group_of(item) != before:
                self.touched_groups.add(before)
                moved.append(item.pk)
            changed.append((item, persons))
            changed_fields.update(differs)
            if persons_differ:
                new_persons.append(item)
        self._refuse_number_clashes([item for item, _persons in new + changed])
        try:
            self._write(new, changed, changed_fields, new_persons, moved)
        except IntegrityError as error:
            raise CatalogueImportError(
                _("The catalogue could not be imported: %(error)s") % {"error": str(error).strip()}
            ) from None
        self.created += len(new)
        self.updated += len(changed)

    def _write(
        self,
        new: list[tuple[Item, list[PersonEntry]]],
        changed: list[tuple[Item, list[PersonEntry]]],
        changed_fields: set[str],
        new_persons: list[Item],
        moved: list[int],
    ) -> None:
        catalogued = [item.catalogued_at for item, _persons in new]
        Item.objects.bulk_create([item for item, _persons in new])
        # bulk_create stamps auto_now_add fields with the current time; the file's catalogue date wins.
        # One UPDATE from two arrays: bulk_update's CASE per row is several times slower at this size.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Item._meta.db_table} AS item SET catalogued_at = file.at "
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS file(id, at) WHERE item.id = file.id",
                [[item.pk for item, _persons in new], catalogued],
            )
        for (item, _persons), when in zip(new, catalogued, strict=True):
            item.catalogued_at = when
        now = timezone.now()
        for item, _persons in changed:
            item.updated_at = now
        Item.objects.bulk_update(
            [item for item, _persons in changed], [*sorted(changed_fields), "updated_at"]
        )
        # An item moved to another group leaves its old volume, as `services.update_item` does.
        Placement.objects.filter(item_id__in=moved).delete()

        written = new + changed
        ItemPerson.objects.filter(item__in=new_persons).delete()
        rewrite = {item.pk for item in new_persons} | {item.pk for item, _persons in new}
        ItemPerson.objects.bulk_create(
            row for item, persons in written if item.pk in rewrite for row in person_rows(item, persons)
        )
        CatalogueIssue.objects.filter(
            item__in=[item for item, _p in written], rule__in=ITEM_LEVEL_RULES
        ).delete()
        CatalogueIssue.objects.bulk_create(
            CatalogueIssue(
                item=item, rule=finding.rule, severity=finding.severity, message=finding.message[:300]
            )
            for item, persons in written
            for finding in findings_for(item, persons)
        )
        self.touched_groups.update(_group_of(item) for item, _persons in written)

    def _refuse_number_clashes(self, items: list[Item]) -> None:
        """Name the item already holding a number the file gives to another item of the same group."""
        wanted = {
            (*_group_of(item), item.item_number): item.archival_code for item in items if item.item_number
        }
        if not wanted:
            return
        holders = (
            Item.objects.filter(
                year__in={key[2] for key in wanted}, item_number__in={key[-1] for key in wanted}
            )
            .exclude(archival_code__in=wanted.values())
            .values_list(*GROUP_FIELDS, "item_number", "archival_code")
        )
        for *key, holder in holders:
            # An item also in the file takes its numbers from the file, so it cannot clash with it.
            if tuple(key) in wanted and holder not in self.document_codes:
                raise CatalogueImportError(
                    _("Item %(item)s: its item number is already held by item %(holder)s.")
                    % {"item": wanted[tuple(key)], "holder": holder}
                )

    def update_counters(self) -> None:
        sync_item_number_counters(self.touched_groups)

    def _load_users(self, usernames: Iterable[object]) -> None:
        wanted = {name for name in usernames if isinstance(name, str) and name not in self.users}
        if wanted:
            found = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
            # A cataloguer unknown here is dropped: the item stays, its cataloguer is left empty.
            self.users.update({name: found.get(name) for name in wanted})

    def _parse(self, index: int, raw: object) -> tuple[dict[str, Any], list[PersonEntry]]:
        """The model field values (attnames) and persons of one file item, or an error naming it."""
        label = _label(index, raw)
        if not isinstance(raw, dict):
            raise CatalogueImportError(_("Item %(item)s is not a JSON object.") % {"item": label})
        missing = sorted(_ITEM_KEYS - raw.keys())
        unknown = sorted(raw.keys() - _ITEM_KEYS)
        if missing or unknown:
            raise CatalogueImportError(
                _("Item %(item)s has missing fields (%(missing)s) or unknown fields (%(unknown)s).")
                % {"item": label, "missing": ", ".join(missing) or "-", "unknown": ", ".join(unknown) or "-"}
            )
        fields: dict[str, Any] = {}
        for key in _TEXT_KEYS:
            value = raw[key]
            if not isinstance(value, str) or len(value) > (_max_length(Item, key) or len(value)):
                raise _invalid(label, key, value)
            fields[key] = value
        if not raw["archival_code"].strip():
            raise _invalid(label, "archival_code", raw["archival_code"])
        if not isinstance(raw["legacy_code"], bool):
            raise _invalid(label, "legacy_code", raw["legacy_code"])
        fields["legacy_code"] = raw["legacy_code"]
        try:
            fields["year"] = codes.check_year(raw["year"])
            fields["page_count"] = codes.check_page_count(raw["page_count"])
            number = raw["item_number"]
            fields["item_number"] = None if number is None else codes.check_item_number(number)
        except codes.CodeError as error:
            raise CatalogueImportError(
                _("Item %(item)s: %(error)s") % {"item": label, "error": error}
            ) from None
        for key, model in _VOCABULARIES.items():
            code = raw[key]
            if not isinstance(code, str) or code not in self.vocabularies[key]:
                raise CatalogueImportError(
                    _("Item %(item)s: unknown %(vocabulary)s code “%(code)s”.")
                    % {"item": label, "vocabulary": model._meta.verbose_name, "code": code}
                )
            fields[f"{key}_id"] = self.vocabularies[key][code]
        cataloguer = raw["cataloguer"]
        if cataloguer is not None and not isinstance(cataloguer, str):
            raise _invalid(label, "cataloguer", cataloguer)
        fields["cataloguer_id"] = None if cataloguer is None else self.users[cataloguer]
        fields["catalogued_at"] = _parse_moment(label, "catalogued_at", raw["catalogued_at"])
        verified = raw["verified_at"]
        fields["verified_at"] = None if verified is None else _parse_moment(label, "verified_at", verified)
        return fields, _parse_persons(label, raw["persons"])


def _group_of(row: Item | ItemNumberCounter) -> tuple[Any, ...]:
    return tuple(getattr(row, attname) for attname in GROUP_ATTNAMES)


def _max_length(model: type[Item | ItemPerson], name: str) -> int | None:
    return getattr(model._meta.get_field(name), "max_length", None)


def _parse_moment(label: str, key: str, value: object) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value if isinstance(value, str) else "")
    except ValueError:
        raise _invalid(label, key, value) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _parse_persons(label: str, value: object) -> list[PersonEntry]:
    if not isinstance(value, list):
        raise _invalid(label, "persons", value)
    persons = []
    for person in value:
        if (
            not isinstance(person, dict)
            or person.keys() != {"name", "citizen_id"}
            or not isinstance(person["name"], str)
            or not isinstance(person["citizen_id"], str)
            or len(person["name"]) > _max_length(ItemPerson, "name")
            or len(person["citizen_id"]) > _max_length(ItemPerson, "citizen_id")
        ):
            raise _invalid(label, "persons", person)
        persons.append(PersonEntry(name=person["name"], citizen_id=person["citizen_id"]))
    return persons
