"""Whether the parts the system needs are answering: database, Redis and at least one Celery worker."""

from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .celery import app


@dataclass(frozen=True)
class Status:
    name: str | Promise
    ok: bool
    detail: str


def check_database() -> Status:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
    except Exception as exc:  # any failure means "not answering"; the message says why
        return Status(_("Database"), False, str(exc))
    return Status(_("Database"), True, version)


def check_redis() -> Status:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        version = client.info("server")["redis_version"]
    except Exception as exc:
        return Status(_("Redis"), False, str(exc))
    return Status(_("Redis"), True, f"Redis {version}")


def check_workers(timeout: float = 1.0) -> Status:
    try:
        replies = app.control.ping(timeout=timeout)
    except Exception as exc:
        return Status(_("Background workers"), False, str(exc))
    names = sorted(name for reply in replies for name in reply)
    if not names:
        return Status(_("Background workers"), False, str(_("No worker answered.")))
    return Status(_("Background workers"), True, ", ".join(names))


def system_status(*, worker_timeout: float = 1.0) -> list[Status]:
    return [check_database(), check_redis(), check_workers(worker_timeout)]
