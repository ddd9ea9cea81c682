from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from archive_office.models import User
from records.exports import CatalogueImportError, import_catalogue_json


class Command(BaseCommand):
    help = (
        "Import a catalogue written by `export_catalogue --output FILE.json`: items are matched by archival "
        "code and created or updated; nothing is written if any item is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the JSON file")
        parser.add_argument("--user", metavar="USERNAME", help="who the import is recorded under")

    def handle(self, *args: object, file: Path, user: str | None, **options: object) -> None:
        actor = None
        if user is not None:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(_("There is no user “%(username)s”.") % {"username": user})
        try:
            counts = import_catalogue_json(file, user=actor)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": file, "error": error}
            ) from None
        except CatalogueImportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Imported %(created)d new, %(updated)d changed and %(unchanged)d unchanged items.")
            % {"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged}
        )
