from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from backups import services
from backups.models import BackupCopy


class Command(BaseCommand):
    help = "Check every payload file of the bags in TARGET_DIR against its manifest; exits 1 on any damage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", type=Path)
        parser.add_argument(
            "--sample", type=int, metavar="N", help="check the content of N random files only"
        )
        parser.add_argument(
            "--copy", metavar="NAME", help="the register entry (read from the copy if omitted)"
        )
        parser.add_argument("--by", default="", help="who verified, for the register")

    def handle(
        self, *args: object, target: Path, sample: int | None, copy: str | None, by: str, **options: object
    ) -> None:
        report = services.verify_copy(target, sample=sample, copy_name=copy)
        for label, paths in (
            (_("Missing"), report.missing),
            (_("Extra"), report.extra),
            (_("Changed"), report.changed),
            (_("Problem"), report.problems),
        ):
            for path in paths:
                self.stderr.write(f"{label}: {path}")
        name = copy or services.copy_named_in(target)
        if entry := BackupCopy.objects.filter(name=name).first():
            services.record_verification(copy=entry, report=report, by=by or "verify_backup")
        if not report.ok:
            raise CommandError(_("The copy in %(target)s is NOT verified.") % {"target": target})
        self.stdout.write(
            self.style.SUCCESS(_("Verified: %(bags)d bags, %(files)d files checked."))
            % {"bags": len(report.bags), "files": report.checked_files}
        )
