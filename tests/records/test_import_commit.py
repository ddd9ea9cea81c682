"""Committing an import: codes and numbers, idempotency, corrections, all or nothing, and no half-writes."""

import io

import pytest
from django.utils import translation

from archive_office.models import AuditEvent
from records import exports
from records.importing import Counts, check_workbook, commit, import_catalogue
from records.models import (
    CatalogueIssue,
    CatalogueSettings,
    Fonds,
    ImportFinding,
    Item,
    ItemNumberCounter,
    ItemPerson,
)
from records.services import CatalogueError

from .factories import make_item
from .workbooks import DATA_START, HEADERS, catalogue_sheet, citizen_id, good_row, write_xlsx

Kind = ImportFinding.Kind


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def fonds(db):
    return Fonds.objects.get(code="Z001")


def workbook(tmp_path, *rows, name="catalogue.xlsx", headers=HEADERS):
    return write_xlsx(tmp_path / name, [catalogue_sheet(rows=rows, headers=headers)])


def run(path, fonds, **options):
    return import_catalogue(path, fonds=fonds, user=None, **options)


def counter(year=2008, retention="Y", klass="GL"):
    return ItemNumberCounter.objects.get(year=year, retention__code=retention, business_category__code=klass)


MESSY = [
    good_row(n=1, 档号="Z001-ZY·2008-Y-GL-0003"),
    good_row(n=2),
    good_row(n=3, 页数="若干"),
    good_row(n=4, 业务事项="职工基数申报", 保管期限="30年"),
    good_row(n=5),
]


def test_the_first_import_creates_the_good_rows_with_codes_numbers_persons_and_checks(
    fonds, tmp_path, archivist
):
    outcome = run(workbook(tmp_path, *MESSY), fonds)
    assert outcome.counts == Counts(imported=4, updated=0, unchanged=0)
    assert sorted(Item.objects.values_list("archival_code", flat=True)) == [
        "Z001-ZY·2008-D30-ZJ-0001",
        "Z001-ZY·2008-Y-GL-0003",
        "Z001-ZY·2008-Y-GL-0004",  # rows without a code continue after the file's own numbers
        "Z001-ZY·2008-Y-GL-0005",
    ]
    assert counter().last_number == 5
    assert counter(retention="D30", klass="ZJ").last_number == 1
    person = ItemPerson.objects.get(item__archival_code="Z001-ZY·2008-Y-GL-0004")
    assert (person.name, person.citizen_id, person.name_bigrams, person.name_initials) == (
        "张三", citizen_id(sequence=2), ["张三"], "zs"
    )  # fmt: skip
    item = Item.objects.get(archival_code="Z001-ZY·2008-Y-GL-0005")
    assert (item.title, item.date, item.page_count, item.creator, item.legacy_code) == (
        "张三开户登记材料5", "20080512", 3, "区社会保险事业中心", False
    )  # fmt: skip
    assert item.verified_at is None  # imported entries still need checking against the paper


def test_numbers_given_by_the_import_follow_the_catalogue_and_the_catalogue_follows_them(fonds, tmp_path):
    make_item(year=2008)  # 0001, catalogued by hand
    run(workbook(tmp_path, good_row(n=1), good_row(n=2)), fonds)
    assert counter().last_number == 3
    assert make_item(year=2008).archival_code == "Z001-ZY·2008-Y-GL-0004"


def test_the_items_own_data_checks_are_stored(fonds, tmp_path):
    run(workbook(tmp_path, good_row(n=1, 题名="张三【开户】材料")), fonds)
    assert list(CatalogueIssue.objects.values_list("rule", flat=True)) == [CatalogueIssue.Rule.TITLE]


def test_importing_the_same_workbook_again_changes_nothing(fonds, tmp_path):
    path = workbook(tmp_path, *MESSY)
    run(path, fonds)
    before = list(Item.objects.order_by("pk").values())
    persons = list(ItemPerson.objects.order_by("pk").values())
    outcome = run(path, fonds)
    assert outcome.counts == Counts(imported=0, updated=0, unchanged=4)
    assert list(Item.objects.order_by("pk").values()) == before
    assert list(ItemPerson.objects.order_by("pk").values()) == persons
    assert counter().last_number == 5


def test_a_corrected_workbook_updates_the_rows_it_fixes_and_imports_the_rows_it_repairs(fonds, tmp_path):
    run(workbook(tmp_path, *MESSY), fonds)
    corrected = [dict(row) for row in MESSY]
    corrected[0]["页数"] = 4  # coded row: updated by its code
    corrected[1]["备注"] = "原件有水渍"  # row without a code: found by its content, updated
    corrected[2]["页数"] = 7  # the error fixed: imported now
    outcome = run(workbook(tmp_path, *corrected, name="corrected.xlsx"), fonds)
    assert outcome.counts == Counts(imported=1, updated=2, unchanged=2)
    assert Item.objects.get(archival_code="Z001-ZY·2008-Y-GL-0003").page_count == 4
    assert Item.objects.get(archival_code="Z001-ZY·2008-Y-GL-0004").remarks == "原件有水渍"
    assert Item.objects.get(title="张三开户登记材料3").archival_code == "Z001-ZY·2008-Y-GL-0006"
    assert Item.objects.count() == 5
    assert counter().last_number == 6


def test_a_corrected_person_is_rewritten_with_its_search_columns(fonds, tmp_path):
    run(workbook(tmp_path, good_row(n=1, 档号="Z001-ZY·2008-Y-GL-0001")), fonds)
    outcome = run(
        workbook(tmp_path, good_row(n=1, 档号="Z001-ZY·2008-Y-GL-0001", 姓名="李四"), name="b.xlsx"), fonds
    )
    assert outcome.counts.updated == 1
    assert list(ItemPerson.objects.values_list("name", "name_initials")) == [("李四", "ls")]


def test_an_item_verified_against_the_paper_is_not_overwritten(fonds, tmp_path):
    from django.utils import timezone

    run(workbook(tmp_path, good_row(n=1, 档号="Z001-ZY·2008-Y-GL-0001")), fonds)
    Item.objects.update(verified_at=timezone.now())
    outcome = run(
        workbook(tmp_path, good_row(n=1, 档号="Z001-ZY·2008-Y-GL-0001", 页数=9), name="b.xlsx"), fonds
    )
    assert outcome.counts == Counts(unchanged=1)
    assert Item.objects.get().page_count == 3
    assert [(f.row, f.kind) for f in outcome.findings if f.severity == "warning"] == [
        (DATA_START, Kind.VERIFIED)
    ]


def test_a_failure_while_writing_leaves_the_catalogue_as_it_was(fonds, tmp_path, monkeypatch):
    make_item(year=2008)
    before = (
        Item.objects.count(),
        ItemPerson.objects.count(),
        counter().last_number,
        AuditEvent.objects.count(),
    )
    real_copy = commit._copy

    def failing_copy(model, columns, rows):
        if model is ItemPerson:
            raise RuntimeError("the disk is full")
        real_copy(model, columns, rows)

    monkeypatch.setattr(commit, "_copy", failing_copy)
    with pytest.raises(RuntimeError):
        run(workbook(tmp_path, *MESSY), fonds)
    after = (
        Item.objects.count(),
        ItemPerson.objects.count(),
        counter().last_number,
        AuditEvent.objects.count(),
    )
    assert after == before


def test_a_failing_update_rolls_back_the_new_items_too(fonds, tmp_path, monkeypatch):
    run(workbook(tmp_path, good_row(n=1, 档号="Z001-ZY·2008-Y-GL-0001")), fonds)
    monkeypatch.setattr(
        Item.objects, "bulk_update", lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError)
    )
    rows = [good_row(n=1, 档号="Z001-ZY·2008-Y-GL-0001", 页数=9), good_row(n=2)]
    with pytest.raises(RuntimeError):
        run(workbook(tmp_path, *rows, name="b.xlsx"), fonds)
    assert list(Item.objects.values_list("page_count", flat=True)) == [3]


def test_all_or_nothing_writes_nothing_when_a_row_has_errors(fonds, tmp_path):
    outcome = run(workbook(tmp_path, *MESSY), fonds, all_or_nothing=True)
    assert outcome.refused
    assert outcome.counts == Counts()
    assert not Item.objects.exists()
    outcome = run(workbook(tmp_path, good_row(n=1), name="good.xlsx"), fonds, all_or_nothing=True)
    assert outcome.counts.imported == 1


def test_a_dry_run_counts_without_writing(fonds, tmp_path):
    outcome = run(workbook(tmp_path, *MESSY), fonds, dry_run=True)
    assert outcome.counts == Counts(imported=4)
    assert not Item.objects.exists()
    assert not ItemNumberCounter.objects.exists()


def test_a_code_already_held_by_a_hand_made_legacy_item_stops_the_import_naming_the_row(fonds, tmp_path):
    make_item(year=2008, legacy_code="Z001-ZY·2008-Y-GL-0001")
    with pytest.raises(CatalogueError) as refused:
        run(workbook(tmp_path, good_row(n=1)), fonds)
    assert f"row {DATA_START}" in str(refused.value)
    assert Item.objects.count() == 1


def test_each_commit_is_audited_with_its_counts(fonds, tmp_path, administrator):
    import_catalogue(workbook(tmp_path, *MESSY), fonds=fonds, user=administrator)
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.actor == administrator
    assert (event.detail["imported"], event.detail["source"]) == (4, "catalogue.xlsx")


def test_an_exported_catalogue_imports_back_unchanged(fonds, tmp_path, archivist):
    make_item(persons=[("张三", citizen_id(sequence=1)), ("李四", citizen_id(sequence=2))], user=archivist)
    make_item(
        business_item="职工基数申报",
        date="200803",
        employer_code="91350100M000100Y43",
        employer_name="福州某某",
    )
    make_item(
        business_item="参保人员退休审批",
        year=2001,
        date="2001",
        legacy_code="Z001-WS.2001-Y-0012",
        persons=[],
    )
    buffer = io.BytesIO()
    exports.write_xlsx(Item.objects.order_by("archival_code"), buffer)
    path = tmp_path / "export.xlsx"
    path.write_bytes(buffer.getvalue())
    checked = check_workbook(path, fonds=fonds)
    assert checked.error_rows == 0
    outcome = run(path, fonds)
    assert outcome.counts == Counts(unchanged=3)


def test_a_file_code_whose_number_another_item_holds_stops_the_import(fonds, tmp_path):
    make_item(year=2008)  # Z001-ZY·2008-Y-GL-0001, number 1
    CatalogueSettings.objects.update(
        code_template="{fonds}-{category}·{year}-{retention}-{klass}-{number:05d}"
    )
    with pytest.raises(CatalogueError) as refused:
        run(workbook(tmp_path, good_row(n=1, 档号="Z001-ZY·2008-Y-GL-00001")), fonds)
    assert "Z001-ZY·2008-Y-GL-0001" in str(refused.value)
    assert Item.objects.count() == 1
