import sys

from django.core.management.base import BaseCommand

from archive_office.health import system_status


class Command(BaseCommand):
    help = "Check the database, Redis and the Celery workers; exit 1 when any does not answer."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for workers")

    def handle(self, *args: object, timeout: float, **options: object) -> None:
        statuses = system_status(worker_timeout=timeout)
        for status in statuses:
            mark = self.style.SUCCESS("ok  ") if status.ok else self.style.ERROR("DOWN")
            self.stdout.write(f"{mark} {status.name}: {status.detail}")
        if not all(status.ok for status in statuses):
            sys.exit(1)
