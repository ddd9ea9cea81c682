"""Catalogue workflows that span several rows: numbering, saving an item with its persons, checks, volumes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from archive_office import audit
from archive_office.models import AuditEvent, User

from . import codes, search_terms
from .models import (
    BusinessCategory,
    CatalogueIssue,
    CatalogueSettings,
    Fonds,
    Item,
    ItemNumberCounter,
    ItemPerson,
    Placement,
    RetentionPeriod,
    Volume,
)
from .rules import Finding, PersonEntry, item_findings

GROUP_FIELDS = ("fonds", "category_code", "year", "retention", "business_category")


class CatalogueError(Exception):
    """A catalogue change refused for a reason the user can act on (the message says which)."""


def allocate_item_number(
    *,
    fonds: Fonds,
    category_code: str,
    year: int,
    retention: RetentionPeriod,
    business_category: BusinessCategory,
) -> int:
    """The next item number of the group. Call inside the transaction that saves the item."""
    counter, _created = ItemNumberCounter.objects.get_or_create(
        fonds=fonds,
        category_code=category_code,
        year=year,
        retention=retention,
        business_category=business_category,
    )
    counter = ItemNumberCounter.objects.select_for_update().get(pk=counter.pk)
    if counter.last_number >= codes.MAX_ITEM_NUMBER:
        raise CatalogueError(
            _("This group already has 9999 items, the most a four-digit item number allows.")
        )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


GROUP_ATTNAMES = ("fonds_id", "category_code", "year", "retention_id", "business_category_id")


def sync_item_number_counters(groups: set[tuple[Any, ...]]) -> None:
    """After a bulk write, set each group's counter to its highest item number, for numbering to go on.

    Groups are tuples of GROUP_ATTNAMES; call inside the transaction that wrote the items.
    """
    if not groups:
        return
    years = {group[2] for group in groups}
    counters = {
        tuple(getattr(counter, name) for name in GROUP_ATTNAMES): counter
        for counter in ItemNumberCounter.objects.select_for_update().filter(year__in=years).order_by("pk")
    }
    highest = {
        tuple(group): number
        for *group, number in Item.objects.filter(year__in=years, item_number__isnull=False)
        .order_by()
        .values_list(*GROUP_FIELDS)
        .annotate(Max("item_number"))
    }
    new, changed = [], []
    for group in groups:
        last, counter = highest.get(group, 0), counters.get(group)
        if counter is None and last:
            new.append(ItemNumberCounter(**dict(zip(GROUP_ATTNAMES, group, strict=True)), last_number=last))
        elif counter is not None and counter.last_number != last:
            counter.last_number = last
            changed.append(counter)
    ItemNumberCounter.objects.bulk_create(new)
    ItemNumberCounter.objects.bulk_update(changed, ["last_number"])


def build_code(item: Item, settings: CatalogueSettings) -> str:
    return codes.build_archival_code(
        settings.code_template,
        fonds=item.fonds.code,
        category=item.category_code,
        year=item.year,
        retention=item.retention.code,
        klass=item.business_category.code,
        number=item.item_number,
    )


def findings_for(item: Item, persons: Sequence[PersonEntry]) -> list[Finding]:
    return item_findings(
        title=item.title,
        creator=item.creator,
        page_count=item.page_count,
        date=item.date,
        handled_on=item.handled_on,
        employer_code=item.employer_code,
        employer_name=item.employer_name,
        persons=persons,
    )


def store_findings(item: Item, findings: Sequence[Finding]) -> None:
    """Replace the item's own findings; set-level ones are kept until the next full recheck."""
    own_rules = {finding.rule for finding in findings} | ITEM_LEVEL_RULES
    item.issues.filter(rule__in=own_rules).delete()
    CatalogueIssue.objects.bulk_create(
        CatalogueIssue(item=item, rule=f.rule, severity=f.severity, message=f.message[:300]) for f in findings
    )


ITEM_LEVEL_RULES = {
    CatalogueIssue.Rule.MISSING_FIELD,
    CatalogueIssue.Rule.CITIZEN_ID,
    CatalogueIssue.Rule.EMPLOYER_CODE,
    CatalogueIssue.Rule.DATE,
    CatalogueIssue.Rule.TITLE,
}


def person_rows(item: Item, persons: Sequence[PersonEntry]) -> list[ItemPerson]:
    initials = search_terms.pinyin_initials_many([p.name for p in persons])
    return [
        ItemPerson(
            item=item,
            position=position,
            name=search_terms.normalize_name(person.name),
            citizen_id=person.citizen_id,
            name_bigrams=search_terms.name_bigrams(person.name),
            name_initials=initials[position],
        )
        for position, person in enumerate(persons)
    ]


def _save_persons(item: Item, persons: Sequence[PersonEntry]) -> None:
    item.persons.all().delete()
    ItemPerson.objects.bulk_create(person_rows(item, persons))


@transaction.atomic
def catalogue_item(*, item: Item, persons: Sequence[PersonEntry], user: User | None) -> Item:
    """Save a new item: give it the next item number of its group and its archival code (unless legacy)."""
    settings = CatalogueSettings.current()
    item.cataloguer = user
    if not item.legacy_code:
        item.item_number = allocate_item_number(**{f: getattr(item, f) for f in GROUP_FIELDS})
        item.archival_code = build_code(item, settings)
    if Item.objects.filter(archival_code=item.archival_code).exists():
        raise CatalogueError(
            _("The archival code %(code)s is already in use.") % {"code": item.archival_code}
        )
    item.save()
    _save_persons(item, persons)
    store_findings(item, findings_for(item, persons))
    audit.record(action=AuditEvent.Action.CREATE, actor=user, target=item)
    return item


@transaction.atomic
def update_item(*, item: Item, persons: Sequence[PersonEntry], user: User | None) -> Item:
    """Save changes to an item. Moving it to another group is refused unless it is the last of its group,
    because numbers must stay gapless."""
    before = Item.objects.select_for_update().get(pk=item.pk)
    changed_group = any(
        getattr(before, f"{f}_id", getattr(before, f)) != getattr(item, f"{f}_id", getattr(item, f))
        for f in GROUP_FIELDS
    )
    if changed_group and not item.legacy_code:
        _release_number(before)
        item.item_number = allocate_item_number(**{f: getattr(item, f) for f in GROUP_FIELDS})
        item.archival_code = build_code(item, CatalogueSettings.current())
        item.placements.all().delete()
    item.save()
    _save_persons(item, persons)
    store_findings(item, findings_for(item, persons))
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=item)
    return item


def _release_number(item: Item) -> None:
    """Give back an item's number; only the group's last number can be given back without a gap."""
    if item.item_number is None:
        return
    counter = ItemNumberCounter.objects.select_for_update().get(**{f: getattr(item, f) for f in GROUP_FIELDS})
    if counter.last_number != item.item_number:
        raise CatalogueError(
            _("Item number %(number)04d is not the last of its group (%(last)04d): fix later ones first.")
            % {"number": item.item_number, "last": counter.last_number}
        )
    counter.last_number -= 1
    counter.save(update_fields=["last_number"])


@transaction.atomic
def delete_item(*, item: Item, user: User | None) -> None:
    if not item.legacy_code:
        _release_number(Item.objects.select_for_update().get(pk=item.pk))
    audit.record(action=AuditEvent.Action.DELETE, actor=user, target=item)
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError:
        # A file in a batch, a box, a loan or a lookup is evidence of work done: it stays.
        raise CatalogueError(
            _("%(code)s is in a batch, a box or a loan and cannot be deleted.") % {"code": item.archival_code}
        ) from None


# Set-level rules, each one SQL statement over the whole catalogue returning (item id, message).
_SET_RULES: dict[str, str] = {
    CatalogueIssue.Rule.PERSON_NAMES: """
        SELECT DISTINCT p.item_id, p.citizen_id || ': ' || names.list
        FROM records_itemperson p
        JOIN (SELECT citizen_id, string_agg(DISTINCT name, ' / ') AS list
              FROM records_itemperson WHERE citizen_id <> '' GROUP BY citizen_id
              HAVING count(DISTINCT name) > 1) names USING (citizen_id)
    """,
    CatalogueIssue.Rule.ITEM_NUMBER_GAP: """
        SELECT id, item_number::text FROM (
            SELECT id, item_number,
                   lag(item_number) OVER (PARTITION BY fonds_id, category_code, year, retention_id,
                                          business_category_id ORDER BY item_number) AS previous
            FROM records_item WHERE item_number IS NOT NULL) numbered
        WHERE item_number <> coalesce(previous, 0) + 1
    """,
    CatalogueIssue.Rule.PAGE_RANGE: """
        SELECT item_id, volume_id::text || ':' || first_page || '-' || last_page FROM (
            SELECT item_id, volume_id, first_page, last_page,
                   lag(last_page) OVER (PARTITION BY volume_id ORDER BY first_page) AS previous_last
            FROM records_placement) ranges
        WHERE first_page <> coalesce(previous_last, 0) + 1
        UNION
        SELECT p.item_id, 'pages' FROM records_placement p JOIN records_item i ON i.id = p.item_id
        GROUP BY p.item_id, i.page_count HAVING sum(p.last_page - p.first_page + 1) <> i.page_count
    """,
}


def _set_rule_message(rule: str, detail: str) -> str:
    if rule == CatalogueIssue.Rule.PERSON_NAMES:
        return _("One citizen ID under several names: %(detail)s") % {"detail": detail}
    if rule == CatalogueIssue.Rule.ITEM_NUMBER_GAP:
        return _("Item number %(number)s does not follow the previous number of its group.") % {
            "number": detail
        }
    if detail == "pages":
        return _("The pages placed in volumes do not add up to the item's page count.")
    return _("The page range does not continue the previous item's range in the volume.")


@transaction.atomic
def recheck_catalogue() -> dict[str, int]:
    """Run the set-level rules over the whole catalogue and replace their findings."""
    counts: dict[str, int] = {}
    for rule, sql in _SET_RULES.items():
        CatalogueIssue.objects.filter(rule=rule).delete()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        CatalogueIssue.objects.bulk_create(
            (
                CatalogueIssue(item_id=item_id, rule=rule, message=_set_rule_message(rule, detail)[:300])
                for item_id, detail in rows
            ),
            batch_size=5000,
        )
        counts[rule] = len(rows)
    return counts


@transaction.atomic
def assemble_volumes(
    *,
    fonds: Fonds,
    category_code: str,
    year: int,
    retention: RetentionPeriod,
    business_category: BusinessCategory,
) -> list[Volume]:
    """Put the group's unplaced items, in item-number order, into volumes of at most the office's thickness.

    Pages are numbered continuously within each volume; an item too thick for the room left starts a new
    volume, and one thicker than a whole volume spans several, numbered 1/n ... n/n.
    """
    capacity = CatalogueSettings.current().volume_capacity
    group: dict[str, Any] = dict(
        fonds=fonds,
        category_code=category_code,
        year=year,
        retention=retention,
        business_category=business_category,
    )
    items = list(
        # of=("self",): FOR UPDATE may not lock the nullable side of the outer join to placements.
        Item.objects.select_for_update(of=("self",))
        .filter(placements__isnull=True, **group)
        .order_by("item_number", "archival_code")
    )
    last = Volume.objects.filter(**group).order_by("-number").first()
    volumes: list[Volume] = []
    volume, used = None, capacity  # start a fresh volume rather than reopen one already registered

    def next_volume() -> Volume:
        number = (volumes[-1].number if volumes else (last.number if last else 0)) + 1
        created = Volume.objects.create(number=number, **group)
        volumes.append(created)
        return created

    placements: list[Placement] = []
    for item in items:
        parts = -(-item.page_count // capacity)
        if parts == 1 and used + item.page_count > capacity:
            volume, used = next_volume(), 0
        remaining = item.page_count
        for part in range(1, parts + 1):
            if volume is None or used == capacity or (parts > 1 and used > 0):
                volume, used = next_volume(), 0
            pages = min(remaining, capacity - used)
            placements.append(
                Placement(
                    item=item,
                    volume=volume,
                    part=part,
                    parts=parts,
                    first_page=used + 1,
                    last_page=used + pages,
                )
            )
            used += pages
            remaining -= pages
    Placement.objects.bulk_create(placements)
    for created in volumes:
        created.page_count = sum(p.pages for p in placements if p.volume is created)
        created.save(update_fields=["page_count"])
    return volumes
