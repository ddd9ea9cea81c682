import pytest
from django.urls import reverse

from archive_office import audit
from archive_office.models import AuditEvent
from tests.factories import TEST_PASSWORD


def test_signing_in_and_out_is_recorded(client, archivist):
    client.post(reverse("login"), {"username": "archivist", "password": TEST_PASSWORD})
    client.post(reverse("logout"))
    actions = list(AuditEvent.objects.filter(actor=archivist).values_list("action", flat=True))
    assert actions == [AuditEvent.Action.LOGOUT, AuditEvent.Action.LOGIN]


def test_a_failed_sign_in_keeps_the_user_name_but_never_the_password(client, db):
    client.post(reverse("login"), {"username": "mallory", "password": "guess-123"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor_name == "mallory"
    assert "guess-123" not in str(event.detail)


def test_record_names_the_object_and_survives_the_users_deletion(archivist, administrator):
    event = audit.record(
        action=AuditEvent.Action.DOWNLOAD, actor=archivist, target=administrator, file="x.jpg"
    )
    archivist.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_name == "archivist"
    assert event.target_repr == "王建国"
    assert AuditEvent.objects.for_object(administrator).of_images().get() == event


def test_the_audit_log_filters_by_action(admin_client, archivist):
    audit.record(action=AuditEvent.Action.VIEW_IMAGE, actor=archivist, target=archivist)
    audit.record(action=AuditEvent.Action.EXPORT, actor=archivist)
    response = admin_client.get(reverse("audit_log"), {"action": "view_image"})
    assert [e.action for e in response.context["page"]] == ["view_image"]


def test_the_audit_log_answers_htmx_with_the_results_only(admin_client, archivist):
    audit.record(action=AuditEvent.Action.EXPORT, actor=archivist)
    response = admin_client.get(reverse("audit_log"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<nav" not in html


def test_the_audit_log_pages_without_counting(admin_client, archivist, django_assert_max_num_queries):
    for _ in range(60):
        audit.record(action=AuditEvent.Action.EXPORT, actor=archivist)
    # session, user, two for permissions, the page, the role, the object-type choices: none per row
    with django_assert_max_num_queries(7):
        response = admin_client.get(reverse("audit_log"))
    assert len(response.context["page"]) == 50
    assert response.context["page"].has_next
    second = admin_client.get(reverse("audit_log"), {"page": 2}).context["page"]
    assert len(second) > 0
    assert not second.has_next


@pytest.mark.parametrize("method", ["post", "delete"])
def test_the_audit_log_is_read_only(admin_client, method):
    assert getattr(admin_client, method)(reverse("audit_log")).status_code == 405


def test_nobody_edits_audit_events_in_the_admin(admin_client, archivist):
    event = audit.record(action=AuditEvent.Action.EXPORT, actor=archivist)
    response = admin_client.post(
        reverse("admin:archive_office_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
