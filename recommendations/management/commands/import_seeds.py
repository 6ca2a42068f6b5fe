from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommendations.management.importing import expand, run_import


class Command(BaseCommand):
    help = "Import every report in the seeds/ directory (settings.SEEDS_DIR)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="write nothing")

    def handle(self, *args, dry_run, **options):
        seeds = settings.SEEDS_DIR
        if not seeds.is_dir():
            raise CommandError(f"{seeds}: seeds directory not found")
        paths = expand([str(seeds)])
        if not paths:
            raise CommandError(f"{seeds}: no report files in the seeds directory")
        run_import(self, paths, dry_run=dry_run)
