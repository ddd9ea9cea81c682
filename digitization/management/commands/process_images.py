"""Batch the image pipeline over a folder.

manage.py process_images INPUT_DIR OUTPUT_DIR [--report REPORT.json] [--stitch]
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from digitization.measure import process_folder, write_report


class Command(BaseCommand):
    help = "Deskew, crop (and with --stitch, join NAME_a/NAME_b halves) every image in a folder."

    def add_arguments(self, parser):
        parser.add_argument("input_dir", type=Path)
        parser.add_argument("output_dir", type=Path)
        parser.add_argument("--report", type=Path, help="write a JSON report of every file")
        parser.add_argument(
            "--stitch", action="store_true", help="join NAME_a.EXT and NAME_b.EXT into NAME.jpg"
        )
        parser.add_argument("--quality", type=int, default=85, help="JPEG quality of the derivatives")
        parser.add_argument(
            "--dpi", type=float, default=None, help="resolution to assume when a file has none"
        )

    def handle(self, *args, **options):
        if not options["input_dir"].is_dir():
            raise CommandError(f"{options['input_dir']} is not a folder")
        report = process_folder(
            options["input_dir"],
            options["output_dir"],
            stitch=options["stitch"],
            jpeg_quality=options["quality"],
            dpi_hint=options["dpi"],
            progress=lambda name, status: self.stdout.write(f"{name}: {status}"),
        )
        if options["report"]:
            write_report(report, options["report"])
        statuses = [entry["status"] for entry in report["results"].values()]
        summary = ", ".join(f"{statuses.count(s)} {s}" for s in ("ok", "flagged", "rejected", "error"))
        self.stdout.write(self.style.SUCCESS(f"{len(statuses)} files: {summary}"))
