import pytest
from django.urls import reverse

from archive_office.models import AuditEvent
from archive_office.roles import Role
from digitization import services
from digitization.models import Batch, BatchEvent, Numbering
from tests.conftest import signed_in
from tests.digitization.factories import make_assembled_items, make_batch
from tests.factories import make_user


def test_registering_a_batch_flags_out_of_scope_items(contractor):
    in_scope = make_assembled_items(count=1, business_item="开户登记")  # permanent
    short = make_assembled_items(count=1, business_item="企业月度增减", retention="D10")  # 征缴类, 10 years
    batch = make_batch(contractor=contractor, items=in_scope + short)
    flags = dict(batch.batch_items.values_list("item__business_item__name", "in_scope"))
    assert flags == {"开户登记": True, "企业月度增减": False}
    assert batch.code.startswith("PC2026-")
    assert BatchEvent.objects.get(batch=batch).step == Batch.Step.ARRANGING


def test_an_item_cannot_be_in_two_batches(contractor):
    items = make_assembled_items(count=1)
    make_batch(contractor=contractor, items=items)
    with pytest.raises(services.WorkflowError, match="已在批次"):
        make_batch(contractor=contractor, items=items)


def test_registering_by_volume_takes_all_its_items(contractor_client):
    items = make_assembled_items(count=3)
    volume = items[0].placements.get().volume
    response = contractor_client.post(
        reverse("digitization:batch_create"),
        {
            "received_on": "2026-03-02",
            "scan_format": "jpeg",
            "note": "",
            "volumes": [volume.pk],
            "item_codes": "",
        },
    )
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert batch.batch_items.count() == 3


def test_numbering_check_names_skipped_and_repeated_numbers(contractor):
    batch = make_batch(contractor=contractor, items=make_assembled_items(count=3, page_count=2))
    assert services.numbering_problems(batch) == []
    _, second, third = Numbering.objects.order_by("first_page")
    Numbering.objects.filter(pk=second.pk).update(first_page=4, last_page=5)  # skips page 3
    Numbering.objects.filter(pk=third.pk).update(first_page=5, last_page=6)  # repeats page 5
    problems = services.numbering_problems(batch)
    assert any("第 3–3 页被跳过" in p for p in problems)
    assert any("第 5–5 页重复" in p for p in problems)
    batch = services.advance_batch(batch=batch, user=contractor)  # to numbering
    with pytest.raises(services.WorkflowError):
        services.advance_batch(batch=batch, user=contractor)  # scanning waits for a clean numbering


def test_the_steps_are_recorded_with_who_and_when(contractor):
    batch = make_batch(contractor=contractor)
    services.advance_batch(batch=batch, user=contractor, note="已拆卷")
    batch = services.advance_batch(batch=batch, user=contractor)
    assert batch.step == Batch.Step.SCANNING
    assert list(batch.events.values_list("step", "actor__username", "note")) == [
        ("arranging", "contractor", ""),
        ("numbering", "contractor", "已拆卷"),
        ("scanning", "contractor", ""),
    ]


def test_scanning_cannot_be_left_before_a_scan_arrives(contractor):
    batch = make_batch(contractor=contractor)
    for _ in range(2):
        batch = services.advance_batch(batch=batch, user=contractor)
    with pytest.raises(services.WorkflowError, match="尚未收到"):
        services.advance_batch(batch=batch, user=contractor)


BATCH_URLS = [
    "digitization:batch_detail",
    "digitization:batch_pages",
    "digitization:batch_numbering",
    "digitization:batch_upload",
    "digitization:numbering_sheet",
]


@pytest.mark.parametrize("name", BATCH_URLS)
def test_a_contractor_cannot_reach_another_contractors_batch(contractor, name):
    other = make_user(role=Role.CONTRACTOR, username="other-firm")
    batch = make_batch(contractor=other)
    assert signed_in(contractor).get(reverse(name, args=[batch.pk])).status_code == 404
    assert signed_in(other).get(reverse(name, args=[batch.pk])).status_code == 200


def test_a_contractor_lists_only_its_own_batches(contractor, contractor_client):
    mine = make_batch(contractor=contractor)
    make_batch(contractor=make_user(role=Role.CONTRACTOR))
    response = contractor_client.get(reverse("digitization:batch_list"))
    assert [b.pk for b in response.context["page"]] == [mine.pk]


def test_a_contractor_cannot_advance_another_contractors_batch(contractor_client):
    batch = make_batch(contractor=make_user(role=Role.CONTRACTOR))
    assert contractor_client.post(reverse("digitization:batch_advance", args=[batch.pk])).status_code == 404
    assert Batch.objects.get().step == Batch.Step.ARRANGING


def test_archive_staff_and_supervisors_read_but_do_not_register(
    archivist_client, supervisor_client, contractor
):
    batch = make_batch(contractor=contractor)
    for client in (archivist_client, supervisor_client):
        assert client.get(batch.get_absolute_url()).status_code == 200
        assert client.get(reverse("digitization:batch_create")).status_code == 403


def test_the_batch_list_runs_a_constant_number_of_queries(
    contractor, contractor_client, django_assert_max_num_queries
):
    make_batch(contractor=contractor)
    with django_assert_max_num_queries(20) as first:
        contractor_client.get(reverse("digitization:batch_list"))
    for _ in range(4):
        make_batch(contractor=contractor)
    with django_assert_max_num_queries(len(first.captured_queries)):
        contractor_client.get(reverse("digitization:batch_list"))


def test_the_page_range_sheet_prints(contractor, contractor_client):
    batch = make_batch(contractor=contractor)
    response = contractor_client.get(reverse("digitization:numbering_sheet", args=[batch.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_registering_is_audited(contractor):
    batch = make_batch(contractor=contractor)
    assert AuditEvent.objects.for_object(batch).filter(action="create").exists()


def test_the_batch_page_runs_a_constant_number_of_queries(
    contractor, contractor_client, django_assert_max_num_queries
):
    small = make_batch(contractor=contractor, items=make_assembled_items(count=2))
    with django_assert_max_num_queries(40) as first:
        contractor_client.get(small.get_absolute_url())
    large = make_batch(contractor=contractor, items=make_assembled_items(count=6, year=2009))
    with django_assert_max_num_queries(len(first.captured_queries)):
        contractor_client.get(large.get_absolute_url())


def test_no_images_linked_yet_is_no_difference_to_explain_until_linking_begins(contractor, contractor_client):
    batch = make_batch(contractor=contractor, items=make_assembled_items(count=2, page_count=2))
    assert not any(c.to_explain for c in services.reconciliation(batch))
    assert "table-warning" not in contractor_client.get(batch.get_absolute_url()).content.decode()

    first = Numbering.objects.order_by("first_page").first()
    Numbering.objects.filter(pk=first.pk).update(last_page=first.last_page + 1)  # numbering off the catalogue
    assert [c.to_explain for c in services.reconciliation(batch)] == [True, False]

    Batch.objects.filter(pk=batch.pk).update(step=Batch.Step.LINKING)
    batch.refresh_from_db()
    assert [c.to_explain for c in services.reconciliation(batch)] == [True, True]
    assert contractor_client.get(batch.get_absolute_url()).content.decode().count("table-warning") == 2
