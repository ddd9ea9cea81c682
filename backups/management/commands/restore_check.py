from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from backups import services
from backups.models import BackupCopy


class Command(BaseCommand):
    help = "Restore drill: restore one image bag to a scratch folder and compare it with the live store."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", type=Path, nargs="?", help="the copy's folder (default: copy --copy's)")
        parser.add_argument("--copy", metavar="NAME", help="the register entry whose folder to use")
        parser.add_argument("--bag", help="the bag to restore (default: one chosen at random)")
        parser.add_argument(
            "--scratch", type=Path, help="where to restore (default: the system's temp folder)"
        )

    def handle(
        self,
        *args: object,
        target: Path | None,
        copy: str | None,
        bag: str | None,
        scratch: Path | None,
        **options: object,
    ) -> None:
        if target is None:
            entry = BackupCopy.objects.filter(name=copy).exclude(target="").first()
            if entry is None:
                raise CommandError(_("Name a target folder, or a copy that has been written."))
            target = Path(entry.target)
        try:
            report = services.restore_check(target=target, bag_name=bag, scratch=scratch)
        except services.BackupError as error:
            raise CommandError(str(error)) from error
        for difference in report.differences:
            self.stderr.write(difference)
        if not report.ok:
            raise CommandError(_("Restore drill of %(bag)s failed.") % {"bag": report.bag})
        self.stdout.write(
            self.style.SUCCESS(_("Restore drill of %(bag)s: %(count)d files match the live store."))
            % {"bag": report.bag, "count": report.restored}
        )
