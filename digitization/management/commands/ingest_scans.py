import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from archive_office.models import User
from digitization import services
from digitization.models import Batch


class Command(BaseCommand):
    help = (
        "Check and keep every scan in a scanner's output folder for a batch; a bad file never stops the rest."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("batch_code")
        parser.add_argument("directory", type=Path)
        parser.add_argument("--report", type=Path, help="write a JSON report of every file")
        parser.add_argument("--scanner", default="", help="the scanner device, kept with each page")
        parser.add_argument(
            "--operator", default="", help="user name of the operator (default: the contractor)"
        )

    def handle(
        self,
        *args: object,
        batch_code: str,
        directory: Path,
        report: Path | None,
        scanner: str,
        operator: str,
        **options: object,
    ) -> None:
        batch = Batch.objects.filter(code=batch_code).select_related("contractor").first()
        if batch is None:
            raise CommandError(_("There is no batch %(code)s.") % {"code": batch_code})
        if not directory.is_dir():
            raise CommandError(_("%(path)s is not a folder.") % {"path": directory})
        user = User.objects.filter(username=operator).first() if operator else batch.contractor
        paths = sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))
        accepted, refused = [], []
        for number, path in enumerate(paths, start=1):
            outcome = services.ingest_file(
                batch=batch, name=path.name, data=path.read_bytes(), operator=user, scanner=scanner
            )
            if outcome.accepted:
                accepted.append(
                    {
                        "file": str(path.relative_to(directory)),
                        "page": outcome.page.pk,
                        "warnings": outcome.warnings,
                    }
                )
            else:
                refused.append({"file": str(path.relative_to(directory)), "reason": outcome.refused})
                self.stderr.write(f"{path.name}: {outcome.refused}")
            if number % 50 == 0:
                self.stderr.write(
                    _("%(done)d of %(total)d files checked…") % {"done": number, "total": len(paths)}
                )
        if report:
            report.write_text(
                json.dumps({"accepted": accepted, "refused": refused}, ensure_ascii=False, indent=2),
                encoding="utf-8",
            )
        self.stdout.write(
            _("%(ok)d files kept, %(bad)d refused.") % {"ok": len(accepted), "bad": len(refused)}
        )
        if paths and not accepted:
            sys.exit(1)
