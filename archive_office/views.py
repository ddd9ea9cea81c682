from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .filters import AuditEventFilter
from .health import system_status
from .lib.paging import paginate
from .models import AuditEvent, User
from .roles import Role

AUDIT_PAGE_SIZE = 50


def _administrator_home(user: User) -> dict[str, Any]:
    return {
        "users_by_role": User.objects.count_by_role(),
        # Image views are audited by the thousand; the home page shows what people did, the log has the rest.
        "recent_events": AuditEvent.objects.exclude(action=AuditEvent.Action.VIEW_IMAGE).select_related(
            "target_type"
        )[:10],
    }


def _archive_staff_home(user: User) -> dict[str, Any]:
    from records.models import CatalogueIssue, Item

    counts = CatalogueIssue.objects.values_list("rule").annotate(n=models.Count("id")).order_by("rule")
    return {
        "my_recent_items": Item.objects.filter(cataloguer=user).order_by("-catalogued_at")[:8],
        "issue_counts": [(rule, CatalogueIssue.Rule(rule).label, n) for rule, n in counts],
    }


def _supervisor_home(user: User) -> dict[str, Any]:
    from qc.dashboard import home_panels

    return home_panels()


# Each role's home page shows what that person does next; apps add to these as features land.
HOME_CONTEXT: dict[Role | None, Callable[[User], dict[str, Any]]] = {
    Role.ADMINISTRATOR: _administrator_home,
    Role.ARCHIVE_STAFF: _archive_staff_home,
    Role.SUPERVISOR: _supervisor_home,
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    role = request.user.role  # type: ignore[union-attr]
    context = HOME_CONTEXT.get(role, lambda user: {})(request.user)  # type: ignore[arg-type]
    return render(request, f"archive_office/home_{role or 'none'}.html", {"role": role, **context})


@require_GET
@permission_required("archive_office.view_auditevent", raise_exception=True)
def system_status_panel(request: HttpRequest) -> HttpResponse:
    return render(request, "archive_office/system_status.html", {"statuses": system_status()})


@require_GET
@permission_required("archive_office.view_auditevent", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEventFilter(request.GET, queryset=AuditEvent.objects.select_related("target_type"))
    page = paginate(events.qs, request.GET.get("page"), AUDIT_PAGE_SIZE)
    template = "archive_office/audit_log.html#results" if request.htmx else "archive_office/audit_log.html"  # type: ignore[attr-defined]
    return render(request, template, {"filter": events, "page": page})
