"""Recording who did what. Every view or download of an archive image goes through `record`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.dispatch import receiver
from django.http import HttpRequest

from .models import AuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: AuditEvent.Action,
    actor: User | None = None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    **detail: Any,
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user  # type: ignore[assignment]
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else detail.pop("username", ""),
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        detail=detail,
        ip_address=client_ip(request),
    )


@receiver(user_logged_in, dispatch_uid="audit_login")
def _on_login(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record(action=AuditEvent.Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _on_logout(sender: object, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record(action=AuditEvent.Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _on_login_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in `credentials`; only the user name is kept.
    record(action=AuditEvent.Action.LOGIN_FAILED, request=request, username=credentials.get("username", ""))
