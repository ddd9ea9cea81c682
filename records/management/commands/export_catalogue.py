import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from archive_office.models import User
from records import exports
from records.models import Fonds, Item

# The writer and how its file is opened, by the output file's extension.
WRITERS = {
    ".csv": (exports.write_csv, {"mode": "w", "encoding": "utf-8", "newline": ""}),
    ".xlsx": (exports.write_xlsx, {"mode": "wb"}),
    ".json": (exports.write_json, {"mode": "w", "encoding": "utf-8"}),
}


class Command(BaseCommand):
    help = (
        "Export the catalogue for data exchange: CSV (UTF-8 with BOM), XLSX or JSON, chosen by the output "
        "file's extension. Open the XLSX in Excel: Excel turns the citizen IDs of a CSV file into numbers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="FILE.csv, FILE.xlsx or FILE.json")
        parser.add_argument("--year", type=int, help="only items of this year")
        parser.add_argument("--fonds", metavar="CODE", help="only items of this fonds, e.g. Z001")
        parser.add_argument("--user", metavar="USERNAME", help="who the export is recorded under")

    def handle(
        self,
        *args: object,
        output: Path,
        year: int | None,
        fonds: str | None,
        user: str | None,
        **options: object,
    ) -> None:
        if output.suffix.lower() not in WRITERS:
            raise CommandError(_("The output file must end in .csv, .xlsx or .json."))
        write, open_options = WRITERS[output.suffix.lower()]
        items = Item.objects.order_by("archival_code")
        filters: dict[str, object] = {}
        if year is not None:
            items = items.filter(year=year)
            filters["year"] = year
        if fonds:
            if not Fonds.objects.filter(code=fonds).exists():
                raise CommandError(_("There is no fonds with the code “%(code)s”.") % {"code": fonds})
            items = items.filter(fonds__code=fonds)
            filters["fonds"] = fonds
        actor = None
        if user is not None:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(_("There is no user “%(username)s”.") % {"username": user})
        # Written beside the target and renamed at the end, so a failed export leaves no half file behind.
        partial = output.with_name(f".{output.name}.partial")
        try:
            with open(partial, **open_options) as stream:  # type: ignore[call-overload]
                count = write(items, stream, user=actor, progress=self._progress, filters=filters)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(_("Exported %(count)d items to %(path)s.") % {"count": count, "path": output})

    def _progress(self, count: int) -> None:
        self.stderr.write(_("%(count)d items written…") % {"count": count})
