from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations.services.backup import BackupError, database_restore
from recommendations.services.coverage_figures import figures_rebuild


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a backup made by backup_db. Stop the "
        "application first. Needs --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to restore")
        parser.add_argument(
            "--yes", action="store_true", help="confirm: the current data is replaced"
        )

    def handle(self, *args, path, yes, **options):
        if not yes:
            raise CommandError("restore_db replaces every row of the database: add --yes")
        try:
            database_restore(source=Path(path))
        except BackupError as error:
            raise CommandError(str(error)) from None
        # A backup made before the figures existed, or written by hand: recomputed.
        figures_rebuild()
        self.stdout.write(f"Database restored from {path}")
