"""One spreadsheet row to one catalogue item: each cell normalised and checked, each problem a finding.

A row with an error is not imported; a row with warnings is. Findings name the sheet, the spreadsheet's own
row number and the column (letter and the workbook's own header), so the user can find the cell.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, fields
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from records import codes
from records.models import (
    BusinessCategory,
    BusinessItem,
    CatalogueSettings,
    Classification,
    Fonds,
    ImportFinding,
    Item,
    ItemPerson,
    Openness,
    RetentionPeriod,
)
from records.rules import PersonEntry

from . import cells
from .cells import CellError
from .reader import DataRow, Skip

Kind = ImportFinding.Kind
Severity = ImportFinding.Severity

UNKNOWN_ITEM = gettext_lazy(
    "Business item “%(value)s” is not in the vocabulary: correct the cell or have the term added first."
)
OTHER_CATEGORY = gettext_lazy(
    "Business category “%(value)s” does not match business item “%(item)s” (%(category)s)."
)
UNPAIRED = gettext_lazy(
    "%(ids)d citizen IDs but %(names)d names: list both in the same order, separated by ；."
)
REPEATED_CODE = gettext_lazy(
    "Archival code %(code)s already appears on sheet “%(sheet)s”, row %(row)d; each item needs its own."
)
DISAGREEING_CODE = gettext_lazy(
    "Archival code %(code)s does not agree with the row: the code says %(code_parts)s, the row %(row_parts)s."
)
SAME_ROW = gettext_lazy(
    "Same item as sheet “%(sheet)s” row %(row)d, neither with an archival code: both are imported."
)


@dataclass(frozen=True, slots=True)
class Finding:
    sheet: str
    sheet_index: int
    row: int
    column: str
    header: str
    kind: str
    severity: str
    message: str

    @classmethod
    def from_skip(cls, skip: Skip) -> Finding:
        layout = skip.layout
        return cls(
            layout.name,
            layout.index,
            skip.row,
            skip.column,
            skip.header,
            skip.kind,
            skip.severity,
            skip.message,
        )

    def as_report(self) -> dict[str, Any]:
        if self.severity == Severity.SKIPPED:
            return {"sheet": self.sheet, "row": self.row, "reason": self.message}
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass(slots=True)
class ItemRow:
    """A checked row: the Item's field values (foreign keys as ids) and its persons."""

    sheet: str
    sheet_index: int
    row: int
    archival_code: str  # "" when the import is to give the next number of the group
    legacy_code: bool
    item_number: int | None
    fonds_id: int
    category_code: str
    year: int
    retention_id: int
    business_category_id: int
    business_item_id: int
    title: str
    creator: str
    date: str
    document_number: str
    page_count: int
    keywords: str
    remarks: str
    classification_id: int
    openness_id: int
    employer_code: str
    employer_name: str
    serial_number: str
    handler: str
    handled_on: str
    persons: tuple[PersonEntry, ...]

    def group(self) -> tuple[int, str, int, int, int]:
        return (self.fonds_id, self.category_code, self.year, self.retention_id, self.business_category_id)

    def natural_key(self) -> tuple[Any, ...]:
        """What identifies a row without an archival code between two imports of the same catalogue."""
        people = tuple((p.name, p.citizen_id) for p in self.persons)
        return (*self.group(), self.business_item_id, self.title, self.date, self.employer_code, people)


# The Item fields an import writes, in model attnames; the rest (cataloguer, dates) is the system's.
ITEM_FIELDS = tuple(
    f.name for f in fields(ItemRow) if f.name not in {"sheet", "sheet_index", "row", "persons"}
)
_TEXT_FIELDS = (
    "title", "creator", "document_number", "keywords", "employer_name", "serial_number", "handler",
)  # fmt: skip
_PART_PATTERNS = {
    "fonds": "[A-Z][0-9]{3}", "category": "[A-Z0-9]{1,10}", "year": "[0-9]{4}", "retention": "Y|D[0-9]{1,3}",
    "klass": "[A-Z0-9]{1,10}", "number": "[0-9]{1,9}",
}  # fmt: skip


def code_pattern(template: str) -> re.Pattern[str]:
    """A regular expression matching the codes the office's template builds, with a group per part."""
    parts, seen = [], set()
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>{_PART_PATTERNS[name]})")
            seen.add(name)
    return re.compile("".join(parts))


def _by_term(objects: Any) -> dict[str, Any]:
    """Vocabulary terms looked up by name or code, as typed."""
    found = {}
    for obj in objects:
        found[cells.term(obj.code)] = obj
        found.setdefault(cells.term(obj.name), obj)
    return found


class Catalogue:
    """What rows are checked against: the office settings and vocabularies, read once per import."""

    def __init__(self, fonds: Fonds) -> None:
        self.fonds = fonds
        self.settings = CatalogueSettings.current()
        self.business_items = _by_term(BusinessItem.objects.filter(is_active=True).select_related("category"))
        self.categories = _by_term(BusinessCategory.objects.all())
        self.retention = {period.code: period for period in RetentionPeriod.objects.all()}
        self.retention_codes = {period.pk: code for code, period in self.retention.items()}
        self.classifications = _by_term(Classification.objects.all())
        self.openness = _by_term(Openness.objects.all())
        self.default_classification = Classification.objects.filter(is_default=True).first()
        self.default_openness = Openness.objects.filter(is_default=True).first()
        codes.validate_code_template(self.settings.code_template)
        self.code_pattern = code_pattern(self.settings.code_template)
        self.max_length = {name: Item._meta.get_field(name).max_length for name in _TEXT_FIELDS}
        self.max_length |= {"archival_code": Item._meta.get_field("archival_code").max_length}
        self.name_length = ItemPerson._meta.get_field("name").max_length


class RowChecker:
    """Checks the rows of one import in order; remembers codes and rows seen, to report repeats."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.codes_seen: dict[str, tuple[str, int]] = {}
        self.keys_seen: dict[tuple[Any, ...], tuple[str, int]] = {}

    def check(self, data: DataRow) -> tuple[ItemRow | None, list[Finding]]:
        return _Row(self, data).check()


class _Row:
    """The work of checking one row; `error` and `warn` record findings against a field's column."""

    def __init__(self, checker: RowChecker, data: DataRow) -> None:
        self.checker = checker
        self.catalogue = checker.catalogue
        self.data = data
        self.columns = data.layout.by_field
        self.findings: list[Finding] = []
        self.failed = False

    def value(self, field: str) -> Any:
        return self.data.values.get(field)

    def error(self, field: str, kind: str, message: str) -> None:
        self.failed = True
        self._add(field, kind, message, Severity.ERROR)

    def warn(self, field: str, kind: str, message: str) -> None:
        self._add(field, kind, message, Severity.WARNING)

    def _add(self, field: str, kind: str, message: str, severity: str) -> None:
        column = self.columns.get(field)
        layout = self.data.layout
        self.findings.append(
            Finding(
                layout.name,
                layout.index,
                self.data.number,
                column.letter if column else "",
                column.header if column else "",
                kind,
                severity,
                message[:500],
            )
        )

    def cell(self, field: str, normalise: Any, *, raw: Any = None, **kwargs: Any) -> Any:
        """The normalised value of the field's cell (or of `raw`), or None after recording its error."""
        try:
            checked = normalise(self.value(field) if raw is None else raw, **kwargs)
        except CellError as error:
            self.error(field, error.kind, str(error))
            return None
        if isinstance(checked, cells.Checked):
            for kind, message in checked.warnings:
                self.warn(field, kind, message)
            return checked.value
        return checked

    def text(self, field: str) -> str:
        value = cells.text(self.value(field))
        limit = self.catalogue.max_length.get(field)
        if limit and len(value) > limit:
            self.error(
                field,
                Kind.TOO_LONG,
                _("%(length)d characters; at most %(limit)d fit.") % {"length": len(value), "limit": limit},
            )
        return value

    # --- the row ----------------------------------------------------------------------------------

    def check(self) -> tuple[ItemRow | None, list[Finding]]:
        catalogue = self.catalogue
        settings = catalogue.settings
        title = self.text("title")
        if not title:
            self.error("title", Kind.REQUIRED, _("The title is empty."))
        business_item = self.business_item()
        code, parts = self.archival_code()
        year = self.year(parts)
        retention = self.retention(business_item, parts)
        page_count = self.cell("page_count", cells.page_count)
        date = self.cell("date", cells.date)
        handled_on = self.cell("handled_on", cells.date)
        employer_code = self.cell("employer_code", cells.employer_code)
        classification = self.term(
            "classification", catalogue.classifications, catalogue.default_classification
        )
        openness = self.term("openness", catalogue.openness, catalogue.default_openness)
        persons = self.persons()
        self.fonds()
        values = {
            field: self.text(field) for field in ("document_number", "keywords", "serial_number", "handler")
        }
        employer_name = self.text("employer_name")
        creator = self.text("creator") or settings.default_creator
        remarks = cells.multiline_text(self.value("remarks"))
        if self.failed or business_item is None or year is None or retention is None:
            return None, self.findings
        row = ItemRow(
            sheet=self.data.layout.name,
            sheet_index=self.data.layout.index,
            row=self.data.number,
            archival_code=code,
            legacy_code=False,
            item_number=None,
            fonds_id=catalogue.fonds.pk,
            category_code=settings.category_code,
            year=year,
            retention_id=retention.pk,
            business_category_id=business_item.category_id,
            business_item_id=business_item.pk,
            title=title,
            creator=creator,
            date=date,
            page_count=page_count,
            remarks=remarks,
            classification_id=classification.pk,
            openness_id=openness.pk,
            employer_code=employer_code,
            employer_name=employer_name,
            handled_on=handled_on,
            persons=tuple(persons),
            **values,
        )
        self.settle_code(row, parts, business_item)
        if self.failed:
            return None, self.findings
        self.remember(row)
        return row, self.findings

    def business_item(self) -> BusinessItem | None:
        raw = self.value("business_item")
        if cells.is_blank(raw):
            self.error("business_item", Kind.REQUIRED, _("The business item is empty."))
            return None
        item = self.catalogue.business_items.get(cells.term(raw))
        if item is None:
            self.error(
                "business_item",
                Kind.VOCABULARY,
                UNKNOWN_ITEM % {"value": cells.text(raw)},
            )
            return None
        category = self.value("business_category")
        if not cells.is_blank(category):
            found = self.catalogue.categories.get(cells.term(category))
            if found is None or found.pk != item.category_id:
                self.error(
                    "business_category",
                    Kind.VOCABULARY,
                    OTHER_CATEGORY
                    % {"value": cells.text(category), "item": item.name, "category": item.category.name},
                )
        return item

    def term(self, field: str, terms: dict[str, Any], default: Any) -> Any:
        raw = self.value(field)
        if cells.is_blank(raw):
            return default
        found = terms.get(cells.term(raw))
        if found is None:
            self.error(
                field,
                Kind.VOCABULARY,
                _("“%(value)s” is not in the vocabulary; use one of: %(terms)s.")
                % {"value": cells.text(raw), "terms": "、".join(sorted({t.name for t in terms.values()}))},
            )
        return found

    def fonds(self) -> None:
        raw = self.value("fonds")
        if not cells.is_blank(raw) and cells.term(raw) != self.catalogue.fonds.code:
            self.error(
                "fonds",
                Kind.VOCABULARY,
                _("Fonds “%(value)s” is not the fonds chosen for this import (%(fonds)s).")
                % {"value": cells.text(raw), "fonds": self.catalogue.fonds.code},
            )

    def year(self, parts: dict[str, str]) -> int | None:
        """The 年度 column; else the archival code's year, the sheet's name (2008年) or the date's year."""
        if not cells.is_blank(self.value("year")):
            return self.cell("year", cells.year)
        if parts.get("year"):
            return int(parts["year"])
        if self.data.layout.year:
            return self.data.layout.year
        try:
            date = cells.date(self.value("date"))
        except CellError:
            date = ""  # reported with the date
        if date:
            return int(date[:4])
        self.error(
            "year",
            Kind.YEAR,
            _("The year is empty, and neither the archival code, the sheet name nor the date gives it."),
        )
        return None

    def retention(self, item: BusinessItem | None, parts: dict[str, str]) -> RetentionPeriod | None:
        """The 保管期限 column; else the archival code's; else the business item's default retention."""
        settings = self.catalogue.settings
        if not cells.is_blank(self.value("retention")):
            code = self.cell(
                "retention",
                cells.retention,
                legacy_long=settings.legacy_long_term,
                legacy_short=settings.legacy_short_term,
            )
        elif parts.get("retention"):
            code = parts["retention"]
        else:
            return item.default_retention if item else None
        if code is None:
            return None
        period = self.catalogue.retention.get(code)
        if period is None:
            self.error(
                "retention",
                Kind.RETENTION,
                _("Retention %(code)s is not in the vocabulary of retention periods.") % {"code": code},
            )
        return period

    def persons(self) -> list[PersonEntry]:
        names = cells.split_people(self.value("person_name"))
        ids = cells.split_people(self.value("citizen_id"))
        if len(ids) > max(len(names), 1):
            self.error(
                "citizen_id",
                Kind.PERSONS,
                UNPAIRED % {"ids": len(ids), "names": len(names)},
            )
            return []
        persons = []
        for position in range(max(len(names), len(ids))):
            name = cells.text(names[position]) if position < len(names) else ""
            raw_id = ids[position] if position < len(ids) else ""
            citizen_id = ""
            if not cells.is_blank(raw_id):
                citizen_id = self.cell("citizen_id", cells.citizen_id, raw=raw_id) or ""
                if not name:
                    self.error("person_name", Kind.REQUIRED, _("A citizen ID needs the person's name."))
            if len(name) > self.catalogue.name_length:
                self.error(
                    "person_name", Kind.TOO_LONG, _("The name “%(name)s” is too long.") % {"name": name}
                )
            if name:
                persons.append(PersonEntry(name=name, citizen_id=citizen_id))
        return persons

    # --- archival codes -------------------------------------------------------------------------------

    def archival_code(self) -> tuple[str, dict[str, str]]:
        """The code as written (spaces and widths folded), and its parts if the office's template built it."""
        code = cells.compact(cells.text(self.value("archival_code")))
        if not code:
            return "", {}
        if len(code) > self.catalogue.max_length["archival_code"]:
            self.error("archival_code", Kind.TOO_LONG, _("The archival code is too long."))
            return "", {}
        normalised = codes.normalize_code(code)
        self.claim_code(code)
        match = self.catalogue.code_pattern.fullmatch(normalised)
        if match is None:
            return code, {}  # a legacy code, kept as the old catalogue wrote it
        return normalised, match.groupdict()

    def claim_code(self, code: str) -> None:
        """The first row with a code keeps it, even if it has other errors; a repeat is an error."""
        key = codes.normalize_code(code)
        here = (self.data.layout.name, self.data.number)
        first = self.checker.codes_seen.setdefault(key, here)
        if first != here:
            self.error(
                "archival_code",
                Kind.DUPLICATE_CODE,
                REPEATED_CODE % {"code": code, "sheet": first[0], "row": first[1]},
            )

    def settle_code(self, row: ItemRow, parts: dict[str, str], item: BusinessItem) -> None:
        """Decide whether the row's code is the template's (its item number then counts) or a legacy one."""
        settings = self.catalogue.settings
        number_cell = self.value("item_number")
        number = None
        if not cells.is_blank(number_cell):
            try:
                number = codes.check_item_number(number_cell)
            except codes.CodeError as error:
                self.error("item_number", Kind.ARCHIVAL_CODE, str(error))
                return
        group = {
            "fonds": self.catalogue.fonds.code,
            "category": settings.category_code,
            "year": str(row.year),
            "retention": self.catalogue.retention_codes[row.retention_id],
            "klass": item.category.code,
        }
        if parts:
            wrong = [name for name, value in group.items() if name in parts and parts[name] != value]
            if wrong:
                self.error(
                    "archival_code",
                    Kind.ARCHIVAL_CODE,
                    DISAGREEING_CODE
                    % {
                        "code": row.archival_code,
                        "code_parts": " ".join(parts[name] for name in wrong),
                        "row_parts": " ".join(group[name] for name in wrong),
                    },
                )
                return
            built = self.build(group, int(parts["number"]))
            if built == row.archival_code:
                if number is not None and number != int(parts["number"]):
                    self.error(
                        "item_number",
                        Kind.ARCHIVAL_CODE,
                        _("Item number %(number)d differs from the archival code's %(code)s.")
                        % {"number": number, "code": row.archival_code},
                    )
                    return
                try:
                    row.item_number = codes.check_item_number(int(parts["number"]))
                except codes.CodeError as error:
                    self.error("archival_code", Kind.ARCHIVAL_CODE, str(error))
            else:
                row.legacy_code = True
        elif row.archival_code:
            row.legacy_code = True
        elif number is not None:
            row.item_number = number
            row.archival_code = self.build(group, number)
            self.claim_code(row.archival_code)

    def build(self, group: dict[str, str], number: int) -> str:
        """codes.build_archival_code, without validating the template and the vocabulary codes each time."""
        return self.catalogue.settings.code_template.format(
            fonds=group["fonds"],
            category=group["category"],
            year=int(group["year"]),
            retention=group["retention"],
            klass=group["klass"],
            number=number,
        )

    def remember(self, row: ItemRow) -> None:
        if row.archival_code:
            return
        here = (row.sheet, row.row)
        key = row.natural_key()
        if key in self.checker.keys_seen:
            sheet, first_row = self.checker.keys_seen[key]
            self.warn(
                "title",
                Kind.SAME_ROW,
                SAME_ROW % {"sheet": sheet, "row": first_row},
            )
        else:
            self.checker.keys_seen[key] = here
