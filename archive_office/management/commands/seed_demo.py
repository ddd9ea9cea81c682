from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

# Each app contributes its demo data; order matters (people first, then the catalogue that cites them).
SEEDERS = [
    "archive_office.demo.seed",
    "records.demo.seed",
    "digitization.demo.seed",
]


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent: running it again changes nothing new)."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        lines: list[str] = []
        for dotted in SEEDERS:
            lines.extend(import_string(dotted)())
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/ with:"))
        for line in lines:
            self.stdout.write(f"  {line}")
