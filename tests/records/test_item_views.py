import pytest
from django.urls import reverse

from archive_office.models import AuditEvent
from records.models import BusinessItem, Item
from tests.records.factories import make_item

LIST = reverse("records:item_list")


@pytest.fixture
def catalogue(db):
    return {
        "zhang": make_item(title="张伟开户登记表", persons=[("张伟", "370102198506121239")]),
        "ouyang": make_item(title="欧阳明华养老转移", persons=[("欧阳明华", "370102198001010016")]),
        "employer": make_item(
            title="单位信息变更表",
            persons=(),
            employer_code="91370102MA3C6FXK4T",
            employer_name="济南泉城机械制造有限公司",
        ),
        "old": make_item(title="旧目录条目", persons=(), year=1998, legacy_code="1-1998-永久-7"),
    }


def _codes(response) -> set[str]:
    return {item.archival_code for item in response.context["page"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("370102198506121239", "zhang"),
        ("3701021985061212399", None),  # one digit too many: finds nothing rather than something wrong
        ("06121239", "zhang"),
        ("0016", "ouyang"),
        ("张伟", "zhang"),
        ("欧", "ouyang"),  # a surname alone finds everyone who bears it
        ("欧阳明华", "ouyang"),
        ("明华", "ouyang"),
        ("zw", "zhang"),
        ("oymh", "ouyang"),
        ("91370102MA3C6FXK4T", "employer"),
        ("泉城机械", "employer"),
        ("Z001-ZY·2008-Y-GL-0001", "zhang"),
        ("1-1998", "old"),
    ],
)
def test_one_search_box_finds_what_the_counter_clerk_types(archivist_client, catalogue, query, expected):
    response = archivist_client.get(LIST, {"q": query})
    assert response.status_code == 200
    assert _codes(response) == ({catalogue[expected].archival_code} if expected else set())


def test_filters_sit_beside_the_search_box(archivist_client, catalogue):
    response = archivist_client.get(LIST, {"year": 1998})
    assert _codes(response) == {"1-1998-永久-7"}


def test_the_list_runs_the_same_number_of_queries_for_any_page_size(
    archivist_client, db, django_assert_max_num_queries
):
    for _ in range(3):
        make_item(persons=[("王芳", "11010519491231002X"), ("李娜", "")])
    # 13: one of them marks the items whose images are published (qc_tags.published_ids).
    with django_assert_max_num_queries(13) as small:
        archivist_client.get(LIST)
    for _ in range(30):
        make_item(persons=[("王芳", "11010519491231002X"), ("李娜", "")])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = archivist_client.get(LIST)
    assert len(response.context["page"]) == 33


def test_htmx_search_renders_only_the_results(archivist_client, catalogue):
    html = archivist_client.get(LIST, {"q": "张伟"}, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "张伟开户登记表" in html


def _post_item(client, **overrides):
    data = {
        "fonds": "",
        "year": "2010",
        "business_item": BusinessItem.objects.get(name="养老转移").pk,
        "retention": "",
        "title": "王芳养老保险关系转移申请表",
        "creator": "区社会保险事业中心",
        "date": "20100312",
        "document_number": "",
        "page_count": "6",
        "employer_code": "",
        "employer_name": "",
        "serial_number": "",
        "handler": "",
        "handled_on": "",
        "keywords": "",
        "classification": "",
        "openness": "",
        "remarks": "",
        "persons-TOTAL_FORMS": "2",
        "persons-INITIAL_FORMS": "0",
        "persons-MIN_NUM_FORMS": "0",
        "persons-MAX_NUM_FORMS": "50",
        "persons-0-name": "王芳",
        "persons-0-citizen_id": "11010519491231002x",
        "persons-1-name": "",
        "persons-1-citizen_id": "",
        "save_next": "",
    }
    form = client.get(reverse("records:item_create")).context["form"]
    for name in ("fonds", "classification", "openness"):
        data[name] = form.initial[name]
    data.update(overrides)
    return client.post(reverse("records:item_create"), data)


def test_saving_an_item_numbers_it_and_opens_the_next_entry_with_carried_defaults(
    archivist_client, archivist
):
    response = _post_item(archivist_client)
    assert response.status_code == 302
    assert response["Location"] == reverse("records:item_create")
    item = Item.objects.get()
    assert item.archival_code == "Z001-ZY·2010-D100-GL-0001"
    assert item.persons.get().citizen_id == "11010519491231002X"
    assert item.cataloguer == archivist
    assert AuditEvent.objects.filter(action="create", target_id=str(item.pk)).exists()
    next_form = archivist_client.get(response["Location"]).context["form"]
    assert next_form.initial["year"] == 2010
    assert next_form.initial["business_item"] == item.business_item_id


def test_a_wrong_check_character_is_refused_in_chinese_and_nothing_is_saved(archivist_client):
    response = _post_item(archivist_client, **{"persons-0-citizen_id": "110105194912310021"})
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not Item.objects.exists()


def test_an_impossible_date_is_refused(archivist_client):
    response = _post_item(archivist_client, date="20080230")
    assert "date" in response.context["form"].errors
    assert not Item.objects.exists()


def test_a_page_count_of_zero_is_refused(archivist_client):
    response = _post_item(archivist_client, page_count="0")
    assert "page_count" in response.context["form"].errors


def test_editing_an_item_keeps_its_number(archivist_client, catalogue):
    item = catalogue["zhang"]
    url = reverse("records:item_edit", args=[item.pk])
    form = archivist_client.get(url).context["form"]
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if value is not None
    }
    data |= {
        "title": "张伟开户登记表（更正）",
        "persons-TOTAL_FORMS": "1",
        "persons-INITIAL_FORMS": "0",
        "persons-0-name": "张伟",
        "persons-0-citizen_id": "11010519491231002X",
    }
    response = archivist_client.post(url, data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "张伟开户登记表（更正）"
    assert item.archival_code == "Z001-ZY·2008-Y-GL-0001"


def test_supervisors_read_but_do_not_catalogue(supervisor_client, catalogue):
    assert supervisor_client.get(LIST).status_code == 200
    assert supervisor_client.get(reverse("records:item_create")).status_code == 403
    assert (
        supervisor_client.post(reverse("records:item_delete", args=[catalogue["zhang"].pk])).status_code
        == 403
    )


def test_a_contractor_reads_only_the_items_of_its_own_batches(contractor, contractor_client, catalogue):
    from records.services import assemble_volumes
    from tests.digitization.factories import make_batch

    assert _codes(contractor_client.get(LIST)) == set()
    zhang = catalogue["zhang"]
    assemble_volumes(
        fonds=zhang.fonds,
        category_code=zhang.category_code,
        year=zhang.year,
        retention=zhang.retention,
        business_category=zhang.business_category,
    )
    make_batch(contractor=contractor, items=[zhang])
    assert _codes(contractor_client.get(LIST)) == {zhang.archival_code}
    other = catalogue["ouyang"]
    assert contractor_client.get(reverse("records:item_detail", args=[other.pk])).status_code == 404
    assert contractor_client.get(reverse("records:item_create")).status_code == 403


def test_the_rules_page_lists_findings_with_a_link_to_correct_them(archivist_client, db):
    item = make_item(title="张伟[申请表")
    response = archivist_client.get(reverse("records:issue_list"), {"rule": "title"})
    html = response.content.decode()
    assert item.archival_code in html
    assert reverse("records:item_edit", args=[item.pk]) in html


def test_the_whole_catalogue_check_runs_in_the_background(
    archivist_client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = archivist_client.post(reverse("records:issue_recheck"))
    assert response.status_code == 302
    assert len(callbacks) == 1


def test_the_filtered_list_exports_to_excel_with_an_audit_record(archivist_client, catalogue, archivist):
    from io import BytesIO

    from openpyxl import load_workbook

    response = archivist_client.get(reverse("records:item_export"), {"year": 1998})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("档号", "全宗号")
    assert [row[0] for row in rows[1:]] == ["1-1998-永久-7"]
    assert AuditEvent.objects.filter(action="export", actor=archivist).exists()


def test_a_too_large_export_is_refused_with_advice(archivist_client, catalogue, monkeypatch):
    from records import views

    monkeypatch.setattr(views, "EXPORT_LIMIT", 2)
    response = archivist_client.get(reverse("records:item_export"))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="export").exists()
