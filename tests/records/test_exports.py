import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.utils import translation
from openpyxl import load_workbook

from archive_office.models import AuditEvent
from records import exports
from records.exports import (
    EXPORT_HEADERS,
    CatalogueImportError,
    ImportCounts,
    export_rows,
    import_catalogue_json,
    write_csv,
    write_json,
    write_xlsx,
)
from records.models import Fonds, Item, ItemNumberCounter
from records.services import GROUP_FIELDS, assemble_volumes

from .factories import ZHANG_SAN, make_item

LI_SI = ("李四", "110105198001010016")
WANG_WU = ("王五", "320102197506150028")
VERIFIED = datetime.datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=datetime.UTC)
# The fixture's codes; a legacy code keeps the ASCII dot its old catalogue typed.
GL_0001, ZJ_0001, LEGACY = "Z001-ZY·2008-Y-GL-0001", "Z001-ZY·2008-D30-ZJ-0001", "Z001-WS.2001-Y-0012"


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English, the language of their msgids, whatever the catalogue translates."""
    with translation.override("en"):
        yield


@pytest.fixture
def catalogue(archivist):
    """Three items: two persons with an employer, a month-only date, and a legacy code with a year only."""
    return [
        make_item(
            title="张三、李四开户登记材料",
            persons=[ZHANG_SAN, LI_SI],
            employer_code="91350100M000100Y43",
            employer_name="福州某某科技有限公司",
            remarks='原件有水渍,另附"复印件"\n一页',
            verified_at=VERIFIED,
            user=archivist,
        ),
        make_item(business_item="职工基数申报", date="200803", persons=[WANG_WU], user=archivist),
        make_item(
            business_item="参保人员退休审批",
            year=2001,
            date="2001",
            title="[退休审批材料]",
            legacy_code=LEGACY,
            persons=[],
        ),
    ]


def ordered():
    return Item.objects.order_by("archival_code")


def csv_text(queryset=None, **options):
    stream = io.StringIO()
    write_csv(ordered() if queryset is None else queryset, stream, **options)
    return stream.getvalue()


def csv_rows(text):
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def row_of(rows, code):
    return dict(zip(EXPORT_HEADERS, next(row for row in rows if row[0] == code), strict=True))


def json_document(queryset=None):
    stream = io.StringIO()
    write_json(ordered() if queryset is None else queryset, stream)
    return stream.getvalue()


def entry(document, code):
    return next(item for item in document["items"] if item["archival_code"] == code)


def catalogue_dump():
    """Every stored value of the catalogue except row ids and update times, in a comparable form."""
    skipped = {"id", "updated_at"}
    items = []
    for item in Item.objects.order_by("archival_code").prefetch_related("persons", "issues"):
        fields = {
            f.attname: getattr(item, f.attname)
            for f in Item._meta.concrete_fields
            if f.attname not in skipped
        }
        fields["persons"] = [
            (p.position, p.name, p.citizen_id, p.name_bigrams, p.name_initials) for p in item.persons.all()
        ]
        fields["issues"] = sorted((i.rule, i.severity, i.message) for i in item.issues.all())
        items.append(fields)
    counters = sorted(
        ItemNumberCounter.objects.values_list(
            "fonds_id", "category_code", "year", "retention_id", "business_category_id", "last_number"
        )
    )
    return items, counters


def wipe():
    Item.objects.all().delete()
    ItemNumberCounter.objects.all().delete()


# --- CSV ---------------------------------------------------------------------------------------------


def test_the_headers_are_the_agreed_columns_in_the_agreed_order(catalogue):
    agreed = (
        "档号,全宗号,年度,保管期限,业务类别,业务事项,单位编号,单位名称,姓名,"
        "身份证号,题名,责任者,日期,页数,密级,开放标识,备注"
    )
    assert agreed.split(",") == EXPORT_HEADERS
    assert csv_rows(csv_text())[0] == EXPORT_HEADERS


def test_the_csv_starts_with_a_byte_order_mark(catalogue):
    assert csv_text().encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_the_csv_can_be_written_into_an_http_response(catalogue):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    write_csv(ordered(), response)
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert csv_rows(response.content.decode("utf-8")) == csv_rows(csv_text())


def test_a_row_carries_each_column_from_the_item(catalogue):
    first = catalogue[0]
    row = row_of(csv_rows(csv_text()), first.archival_code)
    assert row == {
        "档号": "Z001-ZY·2008-Y-GL-0001",
        "全宗号": "Z001",
        "年度": "2008",
        "保管期限": "Y",
        "业务类别": "管理类",
        "业务事项": "开户登记",
        "单位编号": "91350100M000100Y43",
        "单位名称": "福州某某科技有限公司",
        "姓名": "张三；李四",
        "身份证号": "11010519491231002X；110105198001010016",
        "题名": "张三、李四开户登记材料",
        "责任者": "区社会保险事业中心",
        "日期": "20080315",
        "页数": "3",
        "密级": "内部",
        "开放标识": "控制",
        "备注": '原件有水渍,另附"复印件"\n一页',
    }


def test_persons_are_joined_by_a_full_width_semicolon_with_names_and_ids_in_the_same_order(db):
    item = make_item(persons=[LI_SI, ("王小明", ""), ZHANG_SAN])
    row = row_of(csv_rows(csv_text()), item.archival_code)
    assert row["姓名"] == "李四；王小明；张三"
    assert row["身份证号"] == "110105198001010016；；11010519491231002X"


def test_an_item_without_persons_has_empty_name_and_id_columns(catalogue):
    row = row_of(csv_rows(csv_text()), LEGACY)
    assert (row["姓名"], row["身份证号"]) == ("", "")


def test_retention_is_exported_as_its_code(catalogue):
    rows = csv_rows(csv_text())
    assert [row_of(rows, item.archival_code)["保管期限"] for item in catalogue] == ["Y", "D30", "Y"]


def test_partial_dates_are_exported_as_stored(catalogue):
    rows = csv_rows(csv_text())
    assert [row_of(rows, item.archival_code)["日期"] for item in catalogue] == ["20080315", "200803", "2001"]


def test_a_legacy_code_is_exported_as_given(catalogue):
    row = row_of(csv_rows(csv_text()), LEGACY)
    assert row["档号"] == "Z001-WS.2001-Y-0012"
    assert row["业务事项"] == "参保人员退休审批"


def test_the_csv_read_back_with_the_csv_module_gives_the_rows_exported(catalogue):
    assert csv_rows(csv_text()) == [EXPORT_HEADERS, *export_rows(ordered())]
    assert len(csv_rows(csv_text())) == 4


def test_the_export_follows_the_querysets_filter_and_order(catalogue):
    codes = [row[0] for row in export_rows(Item.objects.filter(year=2008).order_by("-archival_code"))]
    assert codes == [GL_0001, ZJ_0001]


# --- XLSX --------------------------------------------------------------------------------------------


def xlsx_rows(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_read_back_with_openpyxl_gives_the_same_rows_as_the_csv(catalogue):
    stream = io.BytesIO()
    write_xlsx(ordered(), stream)
    assert xlsx_rows(stream.getvalue()) == csv_rows(csv_text())


def test_the_xlsx_can_be_written_into_an_http_response_from_a_list_page_queryset(catalogue, archivist):
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    count = write_xlsx(Item.objects.with_list_columns().filter(year=2008), response, user=archivist)
    assert count == 2
    assert len(xlsx_rows(response.content)) == 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.detail) == (archivist, {"rows": 2, "format": "xlsx", "filters": {}})


def test_the_xlsx_keeps_text_that_looks_like_a_formula_or_an_error_as_text(db):
    make_item(title="=HYPERLINK(1)", remarks="#N/A")
    stream = io.BytesIO()
    write_xlsx(ordered(), stream)
    sheet = load_workbook(io.BytesIO(stream.getvalue())).active
    title, remarks = sheet.cell(row=2, column=11), sheet.cell(row=2, column=17)
    assert (title.value, title.data_type) == ("=HYPERLINK(1)", "s")
    assert (remarks.value, remarks.data_type) == ("#N/A", "s")


def test_the_xlsx_drops_control_characters_xml_cannot_hold(db):
    make_item(remarks="第一页\x0b第二页")
    stream = io.BytesIO()
    write_xlsx(ordered(), stream)
    assert xlsx_rows(stream.getvalue())[1][16] == "第一页第二页"


# --- JSON --------------------------------------------------------------------------------------------


def test_the_json_document_is_versioned_and_names_vocabularies_by_code(catalogue, archivist):
    document = json.loads(json_document())
    assert (document["format"], document["version"]) == ("archive-imaging-catalogue", 1)
    first, legacy = entry(document, GL_0001), entry(document, LEGACY)
    assert first["fonds"] == "Z001"
    assert (first["retention"], first["business_category"], first["business_item"]) == ("Y", "GL", "GL01")
    assert (first["classification"], first["openness"]) == ("NB", "KZ")
    assert (first["item_number"], first["legacy_code"], first["cataloguer"]) == (1, False, "archivist")
    assert first["persons"] == [
        {"name": "张三", "citizen_id": "11010519491231002X"},
        {"name": "李四", "citizen_id": "110105198001010016"},
    ]
    assert datetime.datetime.fromisoformat(first["verified_at"]) == VERIFIED
    assert (legacy["archival_code"], legacy["legacy_code"], legacy["item_number"]) == (
        LEGACY,
        True,
        None,
    )


def test_json_export_wipe_and_import_recreate_identical_rows(catalogue, archivist):
    before = catalogue_dump()
    document = json_document()
    wipe()
    counts = import_catalogue_json(io.StringIO(document), user=archivist)
    assert counts == ImportCounts(created=3, updated=0, unchanged=0)
    assert catalogue_dump() == before
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.actor == archivist
    assert event.detail == {"format": "json", "source": "", "created": 3, "updated": 0, "unchanged": 0}


def test_reimporting_the_same_file_changes_nothing(catalogue):
    document = json_document()
    before = catalogue_dump(), list(Item.objects.order_by("pk").values_list("updated_at", flat=True))
    counts = import_catalogue_json(io.BytesIO(document.encode("utf-8")))
    assert counts == ImportCounts(created=0, updated=0, unchanged=3)
    assert (
        catalogue_dump(),
        list(Item.objects.order_by("pk").values_list("updated_at", flat=True)),
    ) == before


def test_an_import_updates_the_items_that_differ_and_rewrites_their_persons(catalogue):
    document = json.loads(json_document())
    entry(document, ZJ_0001)["title"] = "职工基数申报表(更正)"
    entry(document, ZJ_0001)["persons"] = [{"name": "赵六", "citizen_id": "440301199002280030"}]
    counts = import_catalogue_json(io.StringIO(json.dumps(document)))
    assert counts == ImportCounts(created=0, updated=1, unchanged=2)
    item = Item.objects.get(pk=catalogue[1].pk)
    assert item.title == "职工基数申报表(更正)"
    person = item.persons.get()
    assert (person.name, person.citizen_id, person.name_bigrams, person.name_initials) == (
        "赵六",
        "440301199002280030",
        ["赵六"],
        "zl",
    )


def test_an_imported_catalogue_numbers_on_from_the_highest_item_number_of_each_group(catalogue):
    make_item(persons=[])  # Z001-ZY·2008-Y-GL-0002
    document = json_document()
    wipe()
    import_catalogue_json(io.StringIO(document))
    counter = ItemNumberCounter.objects.get(year=2008, business_category__code="GL")
    assert counter.last_number == 2
    assert make_item().archival_code == "Z001-ZY·2008-Y-GL-0003"


def test_an_item_moved_to_another_group_leaves_its_volume_and_both_counters_follow(catalogue):
    item = catalogue[0]
    assemble_volumes(**{field: getattr(item, field) for field in GROUP_FIELDS})
    document = json.loads(json_document())
    entry(document, GL_0001)["year"] = 2009
    assert import_catalogue_json(io.StringIO(json.dumps(document))) == ImportCounts(updated=1, unchanged=2)
    assert not item.placements.exists()
    counters = ItemNumberCounter.objects.filter(business_category__code="GL").order_by("year")
    assert [(counter.year, counter.last_number) for counter in counters] == [(2008, 0), (2009, 1)]


def test_a_cataloguer_unknown_here_is_left_empty(catalogue):
    document = json.loads(json_document())
    entry(document, ZJ_0001)["cataloguer"] = "someone-elsewhere"
    assert import_catalogue_json(io.StringIO(json.dumps(document))) == ImportCounts(updated=1, unchanged=2)
    assert Item.objects.get(archival_code=ZJ_0001).cataloguer is None


def test_the_import_reads_a_file_by_path(catalogue, tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(json_document(), encoding="utf-8")
    assert import_catalogue_json(path) == ImportCounts(unchanged=3)


def test_an_unknown_business_item_code_is_refused_naming_the_item_and_nothing_is_written(
    catalogue, monkeypatch
):
    document = json.loads(json_document())
    document["items"].sort(key=lambda item: item["archival_code"] == LEGACY)
    entry(document, LEGACY)["business_item"] = "XX99"
    wipe()
    monkeypatch.setattr(exports, "IMPORT_CHUNK_SIZE", 1)  # the first two items are written before the error
    with pytest.raises(CatalogueImportError, match=r"Z001-WS\.2001-Y-0012.*XX99"):
        import_catalogue_json(io.StringIO(json.dumps(document)))
    assert not Item.objects.exists()
    assert not ItemNumberCounter.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="something-else"), "not a catalogue"),
        (lambda d: d.update(version=2), "version 2"),
        (lambda d: d["items"].append(entry(d, GL_0001)), f"{GL_0001} appears twice"),
        (lambda d: entry(d, GL_0001).update(year="08"), GL_0001),
        (lambda d: entry(d, GL_0001).update(page_count=0), GL_0001),
        (lambda d: entry(d, GL_0001).pop("remarks"), f"{GL_0001}.*remarks"),
        (lambda d: entry(d, GL_0001).update(persons=[{"name": "张三"}]), f"{GL_0001}.*persons"),
        (lambda d: d["items"][1].update(archival_code=""), "number 2 in the file"),
        (lambda d: entry(d, ZJ_0001).update(verified_at="yesterday"), f"{ZJ_0001}.*verified_at"),
    ],
)
def test_a_malformed_file_is_refused_with_a_reason(catalogue, change, message):
    document = json.loads(json_document())
    change(document)
    before = catalogue_dump()
    with pytest.raises(CatalogueImportError, match=message):
        import_catalogue_json(io.StringIO(json.dumps(document)))
    assert catalogue_dump() == before


def test_a_file_that_is_not_json_is_refused(db):
    with pytest.raises(CatalogueImportError, match="not valid JSON"):
        import_catalogue_json(io.StringIO("档号,全宗号\n"))


def test_an_item_number_held_by_another_item_of_the_group_is_refused_naming_both(catalogue):
    document = json.loads(json_document())
    entry(document, GL_0001)["archival_code"] = f"{GL_0001}-copy"
    with pytest.raises(CatalogueImportError, match=r"GL-0001-copy.*Z001-ZY·2008-Y-GL-0001\b"):
        import_catalogue_json(io.StringIO(json.dumps(document)))


# --- Commands ----------------------------------------------------------------------------------------


def read_export(path):
    if path.suffix == ".csv":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        return csv_rows(path.read_text(encoding="utf-8"))
    if path.suffix == ".xlsx":
        return xlsx_rows(path.read_bytes())
    return json.loads(path.read_text(encoding="utf-8"))["items"]


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "json"])
def test_the_export_command_writes_the_file_and_an_audit_event(catalogue, archivist, tmp_path, suffix):
    path = tmp_path / f"catalogue.{suffix}"
    out = io.StringIO()
    call_command("export_catalogue", "--output", str(path), "--user", "archivist", stdout=out)
    assert len(read_export(path)) == (3 if suffix == "json" else 4)
    assert list(tmp_path.iterdir()) == [path]
    assert "3" in out.getvalue()
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.detail) == (archivist, {"rows": 3, "format": suffix, "filters": {}})


def test_the_export_command_filters_by_year_and_fonds(catalogue, tmp_path):
    other = Fonds.objects.create(code="Z002", name="区医疗保障事务中心")
    make_item(fonds=other.code, persons=[])
    path = tmp_path / "2008.csv"
    call_command(
        "export_catalogue", "--output", str(path), "--year", "2008", "--fonds", "Z001", stdout=io.StringIO()
    )
    assert [row[0] for row in read_export(path)[1:]] == [ZJ_0001, GL_0001]
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).detail["filters"] == {
        "year": 2008,
        "fonds": "Z001",
    }


def test_the_export_command_reports_progress_on_stderr(catalogue, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    err = io.StringIO()
    call_command("export_catalogue", "--output", str(tmp_path / "c.json"), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == ["2 items written…"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--output", "catalogue.txt"], r"\.csv, \.xlsx or \.json"),
        (["--output", "catalogue.csv", "--fonds", "Z999"], "Z999"),
        (["--output", "catalogue.csv", "--user", "nobody"], "nobody"),
    ],
)
def test_the_export_command_refuses_bad_arguments(db, tmp_path, monkeypatch, arguments, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("export_catalogue", *arguments)
    assert list(tmp_path.iterdir()) == []


def test_the_import_command_reads_an_exported_file_back(catalogue, archivist, tmp_path):
    path = tmp_path / "catalogue.json"
    call_command("export_catalogue", "--output", str(path), stdout=io.StringIO())
    before = catalogue_dump()
    wipe()
    out = io.StringIO()
    call_command("import_catalogue_json", str(path), "--user", "archivist", stdout=out)
    assert catalogue_dump() == before
    assert "3" in out.getvalue()
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert (event.actor, event.detail["created"], event.detail["source"]) == (archivist, 3, str(path))


def test_the_import_command_reports_a_refused_file(catalogue, tmp_path):
    document = json.loads(json_document())
    entry(document, GL_0001)["openness"] = "??"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match=GL_0001):
        call_command("import_catalogue_json", str(path))


# --- Queries -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("write", "stream"), [(write_csv, io.StringIO), (write_xlsx, io.BytesIO), (write_json, io.StringIO)]
)
def test_exporting_30_items_with_two_persons_each_takes_a_constant_number_of_queries(
    db, django_assert_num_queries, write, stream
):
    for _ in range(30):
        make_item(persons=[ZHANG_SAN, LI_SI])
    # The items (one cursor), their persons (one query per chunk of 2,000) and the audit event.
    with django_assert_num_queries(3):
        assert write(Item.objects.with_list_columns(), stream()) == 30
