"""The administrator's import screens: upload, progress, preview, header mapping, error workbook, commit."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from archive_office.celery import app
from archive_office.models import AuditEvent
from archive_office.roles import Role
from records.importing import annotate
from records.models import ImportFinding, ImportJob, Item
from tests.conftest import signed_in

from .workbooks import (
    DATA_START,
    HEADER_ROW,
    HEADERS,
    catalogue_sheet,
    column_of,
    encrypted_xlsx_bytes,
    good_row,
    xls_bytes,
    xlsx_bytes,
)

Kind = ImportFinding.Kind
ERROR_COLUMN = "L"  # after the eleven columns of HEADERS
MESSY_ROWS = [
    good_row(n=1),
    good_row(n=2, 身份证号=110105198001010000),  # stored as a number
    good_row(n=3, 日期="2008.2.30"),
    good_row(n=4, 保管期限="长期"),
    good_row(n=5, 页数="若干"),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _eager_tasks():
    """No worker in these tests: tasks run in the request, as soon as its transaction commits."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def messy_bytes(rows=MESSY_ROWS, headers=HEADERS):
    return xlsx_bytes(
        [catalogue_sheet(rows=rows, headers=headers), catalogue_sheet("旧表", [good_row()], hidden=True)]
    )


@pytest.fixture
def upload(admin_client, django_capture_on_commit_callbacks):
    def post(content=None, name="目录2008.xlsx", **data):
        file = SimpleUploadedFile(name, messy_bytes() if content is None else content)
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(reverse("records:import_upload"), {"file": file, **data})

    return post


@pytest.fixture
def job(upload):
    upload()
    return ImportJob.objects.get()


def commit(client, job, capture, mode="good_rows"):
    with capture(execute=True):
        return client.post(reverse("records:import_commit", args=[job.pk]), {"mode": mode})


# --- Who may import ---


ROUTES = [
    ("get", "records:import_list", False),
    ("get", "records:import_upload", False),
    ("get", "records:import_detail", True),
    ("get", "records:import_progress", True),
    ("get", "records:import_error_workbook", True),
    ("get", "records:import_report", True),
    ("post", "records:import_commit", True),
    ("post", "records:import_map_headers", True),
]


@pytest.mark.parametrize("role", [Role.ARCHIVE_STAFF, Role.SUPERVISOR, Role.CONTRACTOR])
@pytest.mark.parametrize(("method", "name", "needs_job"), ROUTES)
def test_only_administrators_may_import(cast, job, role, method, name, needs_job):
    client = signed_in(cast[role])
    url = reverse(name, args=[job.pk] if needs_job else [])
    assert getattr(client, method)(url).status_code == 403
    assert ImportJob.objects.get().status == ImportJob.Status.VALIDATED


def test_the_administrator_finds_imports_in_the_navigation(admin_client, archivist_client):
    shown = {item.url_name for item in admin_client.get(reverse("home")).context["nav_items"]}
    assert "records:import_list" in shown
    shown = {item.url_name for item in archivist_client.get(reverse("home")).context["nav_items"]}
    assert "records:import_list" not in shown


def test_pages_refuse_the_wrong_method(admin_client, job):
    assert admin_client.post(reverse("records:import_list")).status_code == 405
    assert admin_client.get(reverse("records:import_commit", args=[job.pk])).status_code == 405
    assert admin_client.put(reverse("records:import_upload")).status_code == 405


# --- Upload and check ---


def test_an_upload_is_kept_checked_in_the_background_and_audited(admin_client, upload, administrator):
    response = upload()
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert (job.status, job.original_name, job.uploaded_by, job.fonds.code) == (
        "validated",
        "目录2008.xlsx",
        administrator,
        "Z001",
    )
    assert job.file.name.startswith("imports/")
    assert (job.good_rows, job.error_rows, job.warning_count) == (2, 3, 1)
    assert job.skipped_rows == 2  # the title and note rows; the hidden sheet is listed with the sheets
    assert (job.progress_done, job.progress_total) == (job.progress_total, 8)
    assert (job.would_import, job.would_update, job.would_keep) == (2, 0, 0)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, target_id=str(job.pk)).exists()
    assert not Item.objects.exists()


def test_the_fonds_is_chosen_at_upload(upload, db):
    from records.models import Fonds

    other = Fonds.objects.create(code="Z002", name="另一个全宗")
    upload(fonds=other.pk)
    assert ImportJob.objects.get().fonds == other


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"", "a.xlsx", ""),  # Django's own message: the submitted file is empty
        ("档号,题名\n".encode(), "a.csv", "不是 Excel 工作簿"),
        (encrypted_xlsx_bytes(), "a.xlsx", "密码保护"),
        (b"PK\x03\x04" + bytes(30), "a.xlsx", "已损坏"),
    ],
    ids=["empty", "csv", "password", "corrupt"],
)
def test_a_file_that_is_no_workbook_is_refused_at_once_and_nothing_kept(upload, content, name, words):
    with translation.override("en"):
        response = upload(content, name)
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_a_workbook_without_a_catalogue_header_fails_with_a_message_and_nothing_running(upload, admin_client):
    from .workbooks import SheetSpec

    with translation.override("en"):
        upload(xlsx_bytes([SheetSpec("人员", [["姓名", "电话"], ["张三", "1"]])]))
        job = ImportJob.objects.get()
        assert job.status == ImportJob.Status.FAILED
        assert not job.is_running
        assert "目录表头" in job.error_message
        response = admin_client.get(job.get_absolute_url())
    assert response.templates[0].name == "records/import_result.html"
    assert job.error_message in response.content.decode()
    assert not Item.objects.exists()


# --- Progress ---


def test_a_running_job_shows_a_progress_bar_polled_every_second(admin_client, job):
    ImportJob.objects.filter(pk=job.pk).update(status="reading", progress_done=250, progress_total=1000)
    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "25%" in page
    partial = admin_client.get(
        reverse("records:import_progress", args=[job.pk]), headers={"HX-Request": "true"}
    )
    assert "25%" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_the_progress_poll_reloads_the_page_when_the_job_is_done(admin_client, job):
    response = admin_client.get(
        reverse("records:import_progress", args=[job.pk]), headers={"HX-Request": "true"}
    )
    assert response["HX-Refresh"] == "true"


# --- Preview ---


def test_the_preview_groups_the_findings_by_kind_and_by_row(admin_client, job):
    response = admin_client.get(job.get_absolute_url())
    assert response.templates[0].name == "records/import_preview.html"
    kinds = {(k["severity"], k["kind"]): k["rows"] for k in response.context["kinds"]}
    assert kinds[("error", Kind.MANGLED_ID)] == 1
    assert kinds[("error", Kind.DATE)] == 1
    assert kinds[("error", Kind.PAGE_COUNT)] == 1
    assert kinds[("warning", Kind.LEGACY_RETENTION)] == 1
    rows = response.context["rows"]
    assert [(r["sheet"], r["row"]) for r in rows] == [("2008年", DATA_START + n) for n in (1, 2, 4)]
    assert [(f.column, f.header) for f in rows[0]["findings"]] == [(column_of("身份证号"), "身份证号")]
    page = response.content.decode()
    assert "身份证号" in page
    assert "旧表" in page


def test_the_preview_filters_rows_by_kind_and_severity(admin_client, job):
    url = job.get_absolute_url()
    rows = admin_client.get(url, {"show": "error", "kind": Kind.DATE}).context["rows"]
    assert [r["row"] for r in rows] == [DATA_START + 2]
    rows = admin_client.get(url, {"show": "warning"}).context["rows"]
    assert [r["row"] for r in rows] == [DATA_START + 3]
    rows = admin_client.get(url, {"show": "skipped"}).context["rows"]
    assert [r["row"] for r in rows] == [1, 2]


def test_an_unknown_header_is_mapped_on_the_preview_and_the_workbook_checked_again(
    admin_client, upload, django_capture_on_commit_callbacks
):
    headers = [*HEADERS, "经办人员"]
    upload(messy_bytes([{**good_row(n=1), "经办人员": "刘敏"}], headers=headers))
    job = ImportJob.objects.get()
    form = admin_client.get(job.get_absolute_url()).context["mapping_form"]
    assert [field.label for field in form] == ["经办人员"]
    assert job.findings.filter(kind=Kind.HEADER).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("records:import_map_headers", args=[job.pk]), {"header_0": "handler"})
    job.refresh_from_db()
    assert (job.status, job.header_overrides) == ("validated", {"经办人员": "handler"})
    assert not job.findings.filter(kind=Kind.HEADER).exists()
    commit(admin_client, job, django_capture_on_commit_callbacks)
    assert Item.objects.get().handler == "刘敏"


# --- The error workbook ---


def _download(client, job):
    response = client.get(reverse("records:import_error_workbook", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_error_workbook_is_the_users_own_with_an_error_column(admin_client, job):
    book = _download(admin_client, job)
    assert book.sheetnames == ["2008年", "旧表"]
    assert book["旧表"].sheet_state == "hidden"
    sheet = book["2008年"]
    assert sheet[f"{ERROR_COLUMN}{HEADER_ROW}"].value == "导入错误"
    assert sheet["A1"].value == "社会保险业务档案目录"
    assert "A1:K1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet[f"{ERROR_COLUMN}{DATA_START}"].value is None  # a good row
    assert column_of("身份证号") in sheet[f"{ERROR_COLUMN}{DATA_START + 1}"].value
    assert sheet[f"{column_of('身份证号')}{DATA_START + 1}"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet[f"{ERROR_COLUMN}{DATA_START + 3}"].value  # the warning is there too


def test_a_large_or_legacy_workbook_is_rewritten_with_its_rows_where_they_were(
    admin_client, upload, monkeypatch
):
    monkeypatch.setattr(annotate, "MAX_CELLS_KEPT_AS_IS", 0)
    employer = column_of("单位名称")
    sheets = [
        catalogue_sheet(rows=MESSY_ROWS, merges=[f"{employer}{DATA_START}:{employer}{DATA_START + 1}"]),
        catalogue_sheet("旧表", [good_row()], hidden=True),
    ]
    upload(xls_bytes(sheets), name="旧目录.xls")
    job = ImportJob.objects.get()
    book = _download(admin_client, job)
    sheet = book["2008年"]
    assert book["旧表"].sheet_state == "hidden"
    assert sheet[f"{ERROR_COLUMN}{HEADER_ROW}"].value == "导入错误"
    assert sheet[f"H{DATA_START + 2}"].value == "张三开户登记材料3"
    assert column_of("日期") in sheet[f"{ERROR_COLUMN}{DATA_START + 2}"].value
    assert f"{employer}{DATA_START}:{employer}{DATA_START + 1}" in {str(r) for r in sheet.merged_cells.ranges}


def test_the_corrected_error_workbook_imports_the_fixed_rows(
    admin_client, upload, django_capture_on_commit_callbacks
):
    upload()
    job = ImportJob.objects.get()
    commit(admin_client, job, django_capture_on_commit_callbacks)
    book = _download(admin_client, job)
    sheet = book["2008年"]
    sheet[f"{column_of('身份证号')}{DATA_START + 1}"] = "110105198001010016"
    sheet[f"{column_of('日期')}{DATA_START + 2}"] = "2008.2.28"
    sheet[f"{column_of('页数')}{DATA_START + 4}"] = 5
    buffer = io.BytesIO()
    book.save(buffer)
    upload(buffer.getvalue(), name="目录2008（改）.xlsx")
    corrected = ImportJob.objects.latest("pk")
    assert (corrected.good_rows, corrected.error_rows) == (5, 0)
    assert not corrected.findings.filter(
        kind=Kind.HEADER
    ).exists()  # the error column is not a catalogue column
    commit(admin_client, corrected, django_capture_on_commit_callbacks)
    corrected.refresh_from_db()
    assert (corrected.imported, corrected.updated, corrected.unchanged) == (3, 0, 2)
    assert Item.objects.count() == 5


def test_a_job_without_findings_has_no_error_workbook(admin_client, upload):
    upload(xlsx_bytes([catalogue_sheet(rows=[good_row()])]))
    job = ImportJob.objects.get()
    assert not job.findings.exclude(severity="skipped").exists()
    assert admin_client.get(reverse("records:import_error_workbook", args=[job.pk])).status_code == 404


# --- Commit and result ---


def test_committing_imports_the_good_rows_and_shows_the_result(
    admin_client, job, django_capture_on_commit_callbacks, administrator
):
    response = commit(admin_client, job, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.imported, job.updated, job.unchanged, job.committed_by) == (
        "done",
        2,
        0,
        0,
        administrator,
    )
    assert Item.objects.count() == 2
    page = admin_client.get(job.get_absolute_url())
    assert page.templates[0].name == "records/import_result.html"
    assert 'data-count="imported">2<' in page.content.decode()


def test_committing_twice_imports_once(admin_client, job, django_capture_on_commit_callbacks):
    commit(admin_client, job, django_capture_on_commit_callbacks)
    response = commit(admin_client, job, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Item.objects.count() == 2
    assert ImportJob.objects.get().imported == 2


def test_the_commit_task_delivered_again_does_nothing(admin_client, job, django_capture_on_commit_callbacks):
    from records import tasks

    commit(admin_client, job, django_capture_on_commit_callbacks)
    tasks.commit_import(job.pk)
    tasks.validate_import(job.pk)
    assert Item.objects.count() == 2
    assert ImportJob.objects.get().status == "done"


def test_all_or_nothing_imports_nothing_while_rows_have_errors(
    admin_client, job, django_capture_on_commit_callbacks
):
    commit(admin_client, job, django_capture_on_commit_callbacks, mode="all_or_nothing")
    job.refresh_from_db()
    assert (job.status, job.imported, job.all_or_nothing) == ("done", 0, True)
    assert job.note
    assert not Item.objects.exists()


def test_a_failure_during_the_commit_writes_nothing_and_says_so(
    admin_client, job, django_capture_on_commit_callbacks, monkeypatch
):
    from records.importing import commit as commit_module

    def full_group(self, rows):
        raise commit_module.CatalogueError("the group is full")

    monkeypatch.setattr(commit_module._Writer, "number", full_group)
    commit(admin_client, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.error_message) == ("failed", "the group is full")
    assert not Item.objects.exists()


def test_the_report_has_the_agreed_shape(admin_client, job, django_capture_on_commit_callbacks):
    commit(admin_client, job, django_capture_on_commit_callbacks)
    response = admin_client.get(reverse("records:import_report", args=[job.pk]))
    document = json.loads(response.content)
    assert (document["imported"], document["updated"], document["unchanged"]) == (2, 0, 0)
    assert [(e["sheet"], e["row"], e["column"]) for e in document["errors"]] == [
        ("2008年", DATA_START + 1, column_of("身份证号")),
        ("2008年", DATA_START + 2, column_of("日期")),
        ("2008年", DATA_START + 4, column_of("页数")),
    ]
    assert {k: v for k, v in document["skipped"][-1].items() if k != "reason"} == {"sheet": "旧表", "row": 0}


# --- The list of jobs ---


def test_the_job_list_shows_who_when_which_file_and_the_outcome(
    admin_client, job, django_capture_on_commit_callbacks
):
    commit(admin_client, job, django_capture_on_commit_callbacks)
    page = admin_client.get(reverse("records:import_list")).content.decode()
    assert "目录2008.xlsx" in page
    assert "王建国" in page
    assert job.created_at.astimezone().strftime("%Y-%m-%d") in page


def test_the_job_list_costs_the_same_queries_however_many_jobs(
    admin_client, upload, django_assert_num_queries
):
    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("records:import_list")).status_code == 200
        return len(captured)

    upload()
    one = queries()
    for _ in range(4):
        upload()
    assert queries() == one


# --- The admin ---


@pytest.mark.parametrize(
    "url",
    [
        "/admin/records/importjob/",
        "/admin/records/item/",
        "/admin/records/businessitem/",
        "/admin/records/cataloguesettings/1/change/",
    ],
)
def test_the_administrator_sees_imports_items_and_settings_in_the_admin(admin_client, job, url):
    response = admin_client.get(url)
    assert response.status_code == 200


def test_the_legacy_retention_mapping_is_an_office_setting_in_the_admin(admin_client):
    page = admin_client.get("/admin/records/cataloguesettings/1/change/").content.decode()
    assert 'name="legacy_long_term"' in page
    assert 'name="legacy_short_term"' in page
