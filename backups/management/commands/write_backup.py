from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from backups import services
from backups.models import BackupCopy


class Command(BaseCommand):
    help = "Write or update a backup copy as BagIt bags in TARGET_DIR; only what changed is written again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", type=Path, help="the folder on the backup medium")
        parser.add_argument(
            "--copy", required=True, metavar="NAME", help="the register entry, created if new"
        )
        parser.add_argument("--purpose", choices=BackupCopy.Purpose.values, help="for a new register entry")

    def handle(self, *args: object, target: Path, copy: str, purpose: str | None, **options: object) -> None:
        entry, _created = BackupCopy.objects.get_or_create(
            name=copy, defaults={"purpose": purpose or BackupCopy.Purpose.USE}
        )
        try:
            written = services.write_copy(copy=entry, target=target)
        except services.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(_("Copy %(copy)s written to %(target)s: %(count)d bags updated."))
            % {"copy": entry.name, "target": target, "count": len(written)}
        )
