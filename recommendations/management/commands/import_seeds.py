from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommendations.management.importing import run_import
from recommendations.services.imports import MAX_WITHDRAW_SHARE, share_text


class Command(BaseCommand):
    help = (
        "Import every report in the seeds/ directory (settings.SEEDS_DIR): the regular "
        "files directly inside it; subdirectories, symbolic links and hidden files are "
        "skipped and listed. Same rules as import_report."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="write nothing")
        parser.add_argument(
            "--allow-withdraw",
            action="store_true",
            help=(
                "confirm re-imports that withdraw more than "
                f"{share_text(MAX_WITHDRAW_SHARE)} of a report's active recommendations"
            ),
        )

        parser.add_argument(
            "--allow-unmatched",
            action="store_true",
            help=(
                "confirm language versions whose labels do not all match their report's "
                "active recommendations"
            ),
        )

    def handle(self, *args, dry_run, allow_withdraw, allow_unmatched, **options):
        seeds = settings.SEEDS_DIR
        if not seeds.is_dir():
            raise CommandError(f"{seeds}: seeds directory not found")
        run_import(
            self,
            [str(seeds)],
            dry_run=dry_run,
            allow_withdraw=allow_withdraw,
            allow_unmatched=allow_unmatched,
            nothing_to_import=f"{seeds}: no report files in the seeds directory",
        )
