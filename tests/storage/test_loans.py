"""Loans: lend by scanning, return by scanning, the overdue list, and "on loan" in the catalogue's results."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from archive_office.models import AuditEvent
from records.codes import barcode_payload
from storage.models import Loan
from storage.services import StorageError, lend, return_loan
from tests.records.factories import make_item

from .factories import make_box

pytestmark = pytest.mark.django_db

LEND = reverse("storage:lend")
RETURN = reverse("storage:return")
LOANS = reverse("storage:loan_list")
IN_A_MONTH = timezone.localdate() + datetime.timedelta(days=30)


def _lend(client, code: str, **fields):
    data = {"code": code, "department": "待遇科", "purpose": "退休审批复核", "due_on": IN_A_MONTH.isoformat()}
    with translation.override("en"):
        return client.post(LEND, data | fields, HTTP_HX_REQUEST="true")


def _return(client, code: str):
    with translation.override("en"):
        return client.post(RETURN, {"code": code}, HTTP_HX_REQUEST="true")


def _loan(target, user, **fields):
    values = {"borrower": None, "department": "待遇科", "purpose": "审计", "due_on": IN_A_MONTH, "user": user}
    return lend(target=target, **values | fields)


# --- Services -------------------------------------------------------------------------------------------


def test_lending_a_box_is_recorded_and_audited(archivist, supervisor):
    box = make_box()
    loan = _loan(box, archivist, borrower=supervisor, department="")
    assert (loan.box, loan.borrower, loan.lent_by, loan.is_open) == (box, supervisor, archivist, True)
    event = AuditEvent.objects.for_object(loan).get()
    assert (event.action, event.detail["event"], event.detail["code"]) == ("create", "lend", box.code)


def test_a_box_is_not_lent_twice(archivist):
    box = make_box()
    _loan(box, archivist)
    with pytest.raises(StorageError):
        _loan(box, archivist)
    assert Loan.objects.count() == 1


def test_an_item_in_a_box_on_loan_cannot_be_lent(archivist):
    box = make_box()
    _loan(box, archivist)
    with pytest.raises(StorageError, match=box.code):
        _loan(box.contents.first().item, archivist)


def test_a_loan_needs_a_borrower_and_a_future_due_date(archivist):
    item = make_item()
    with pytest.raises(StorageError):
        _loan(item, archivist, department=" ")
    with pytest.raises(StorageError):
        _loan(item, archivist, due_on=timezone.localdate() - datetime.timedelta(days=1))


def test_returning_closes_the_loan_and_is_audited(archivist):
    item = make_item()
    loan = _loan(item, archivist)
    returned = return_loan(target=item, user=archivist)
    assert returned.pk == loan.pk
    assert returned.returned_by == archivist
    assert not Loan.objects.open().exists()
    assert AuditEvent.objects.for_object(loan).filter(action=AuditEvent.Action.UPDATE).exists()
    with pytest.raises(StorageError):
        return_loan(target=item, user=archivist)


# --- Scanning pages -------------------------------------------------------------------------------------


def test_scanning_a_box_lends_it_with_the_chosen_borrower(archivist_client, supervisor):
    box = make_box()
    response = _lend(archivist_client, box.barcode_payload, borrower=supervisor.pk, department="")
    assert response.context["result"].ok
    assert Loan.objects.get().borrower == supervisor
    assert 'data-ok="true"' in response.content.decode()


def test_scanning_an_item_lends_it_to_a_department(archivist_client):
    item = make_item()
    response = _lend(archivist_client, barcode_payload(item.archival_code))
    assert response.context["result"].ok
    assert Loan.objects.get().item == item


def test_lending_without_a_purpose_lends_nothing(archivist_client):
    response = _lend(archivist_client, make_box().barcode_payload, purpose="")
    assert not response.context["result"].ok
    assert not Loan.objects.exists()


def test_lending_the_same_box_twice_is_a_red_line(archivist_client):
    box = make_box()
    _lend(archivist_client, box.barcode_payload)
    assert not _lend(archivist_client, box.barcode_payload).context["result"].ok
    assert Loan.objects.count() == 1


def test_a_shelf_cell_cannot_be_lent(archivist_client):
    from .factories import make_location

    make_location()
    assert not _lend(archivist_client, "LOC:2-1-4-R-2-2").context["result"].ok


def test_scanning_returns_the_loan(archivist_client):
    box = make_box()
    _lend(archivist_client, box.barcode_payload)
    response = _return(archivist_client, box.barcode_payload)
    assert response.context["result"].ok
    assert Loan.objects.get().returned_at is not None
    assert not _return(archivist_client, box.barcode_payload).context["result"].ok


def test_loans_are_for_archive_staff(supervisor_client, contractor_client):
    assert supervisor_client.post(LEND, {"code": "x"}).status_code == 403
    assert contractor_client.get(LEND).status_code == 403
    assert contractor_client.post(RETURN, {"code": "x"}).status_code == 403
    assert supervisor_client.get(LOANS).status_code == 200
    assert contractor_client.get(LOANS).status_code == 403


def test_the_lend_page_refuses_put(archivist_client):
    assert archivist_client.put(LEND).status_code == 405


# --- Lists ----------------------------------------------------------------------------------------------


def test_the_overdue_list_shows_only_late_loans(archivist, archivist_client):
    late, on_time = make_item(), make_item()
    _loan(on_time, archivist)
    loan = _loan(late, archivist)
    Loan.objects.filter(pk=loan.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    response = archivist_client.get(LOANS, {"show": "overdue"})
    assert [row.item for row in response.context["page"]] == [late]
    assert response.context["overdue_count"] == 1


def test_the_loan_list_runs_the_same_queries_for_any_page_size(
    archivist, archivist_client, django_assert_max_num_queries
):
    for _ in range(2):
        _loan(make_box(year=2000 + Loan.objects.count()), archivist)
    with django_assert_max_num_queries(15) as few:
        archivist_client.get(LOANS)
    for _ in range(6):
        _loan(make_item(), archivist)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = archivist_client.get(LOANS)
    assert len(response.context["page"]) == 8


def _row(html: str, code: str) -> str:
    return next(row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{code}</a>" in row)


def test_the_catalogue_search_shows_files_on_loan_in_one_query(
    archivist, archivist_client, django_assert_max_num_queries
):
    lent_item, in_box, at_home = make_item(), make_box(year=2009), make_item(year=2010)
    _loan(lent_item, archivist)
    _loan(in_box, archivist)
    boxed_item = in_box.contents.first().item
    catalogue = reverse("records:item_list")
    with translation.override("en"):
        response = archivist_client.get(catalogue, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="on-loan"' in _row(html, lent_item.archival_code)
    assert "待遇科" in _row(html, boxed_item.archival_code)
    assert "on-loan" not in _row(html, at_home.archival_code)
    with django_assert_max_num_queries(20) as few:
        archivist_client.get(catalogue)
    assert sum("storage_loan" in query["sql"] for query in few.captured_queries) == 1
    for _ in range(5):
        _loan(make_item(), archivist)
    with django_assert_max_num_queries(len(few.captured_queries)):
        archivist_client.get(catalogue)
