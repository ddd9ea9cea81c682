import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from archive_office.models import User
from records import importing
from records.models import CatalogueSettings, Fonds
from records.services import CatalogueError


class Command(BaseCommand):
    help = (
        "Import a legacy Excel catalogue (.xlsx or .xls): every row is checked, the good rows are created or "
        "updated by archival code in one transaction. Exits 0 when the file was read, even if rows had "
        "errors, and non-zero when it could not be read at all or nothing could be written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the workbook")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument(
            "--strict", action="store_true", help="all or nothing: write nothing if a row has errors"
        )
        parser.add_argument("--report", type=Path, metavar="REPORT.json", help="write the full report here")
        parser.add_argument("--fonds", metavar="CODE", help="the fonds of the items (default: the office's)")
        parser.add_argument("--user", metavar="USERNAME", help="who the import is recorded under")

    def handle(
        self,
        *args: object,
        file: Path,
        dry_run: bool,
        strict: bool,
        report: Path | None,
        fonds: str | None,
        user: str | None,
        **options: object,
    ) -> None:
        chosen = self._fonds(fonds)
        actor = None
        if user is not None and (actor := User.objects.filter(username=user).first()) is None:
            raise CommandError(_("There is no user “%(username)s”.") % {"username": user})
        if not file.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": file})
        try:
            outcome = importing.import_catalogue(
                file, fonds=chosen, user=actor, dry_run=dry_run, all_or_nothing=strict
            )
        except (importing.WorkbookError, CatalogueError) as error:
            raise CommandError(str(error)) from None
        document = importing.report(outcome.counts, outcome.findings)
        if report is not None:
            report.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        checked = outcome.checked
        self.stdout.write(
            _("Read %(good)d good rows, %(errors)d with errors, %(skipped)d skipped; %(warnings)d warnings.")
            % {
                "good": checked.good_rows,
                "errors": checked.error_rows,
                "skipped": checked.skipped_rows,
                "warnings": len(document["warnings"]),
            }
        )
        if outcome.refused:
            self.stdout.write(
                _("Nothing was imported: rows have errors and --strict asks for all or nothing.")
            )
            return
        counts = outcome.counts
        summary = _("Imported %(imported)d new, %(updated)d changed and %(unchanged)d unchanged items.")
        if dry_run:
            summary = _(
                "Dry run, nothing written: %(imported)d new, %(updated)d changed, %(unchanged)d unchanged."
            )
        self.stdout.write(
            summary % {"imported": counts.imported, "updated": counts.updated, "unchanged": counts.unchanged}
        )

    def _fonds(self, code: str | None) -> Fonds:
        if code is None:
            return CatalogueSettings.current().default_fonds
        found = Fonds.objects.filter(code=code.strip().upper()).first()
        if found is None:
            raise CommandError(_("There is no fonds “%(code)s”.") % {"code": code})
        return found
