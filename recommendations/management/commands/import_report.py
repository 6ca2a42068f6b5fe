from django.core.management.base import BaseCommand

from recommendations.management.importing import expand, run_import


class Command(BaseCommand):
    help = (
        "Import UN report files (text extracted from PDF, or Markdown) and their "
        "recommendations. Each report is one transaction; a bad file is reported and "
        "the others still import."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="report file or directory")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="parse and report what would change, without writing anything",
        )

    def handle(self, *args, paths, dry_run, **options):
        run_import(self, expand(paths), dry_run=dry_run)
