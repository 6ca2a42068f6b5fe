from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations.services.backup import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Back up the database to a file: SQLite's online backup (safe while the site "
        "runs), or pg_dump's custom format for PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to write")

    def handle(self, *args, path, **options):
        try:
            written = database_backup(target=Path(path))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backup written to {written}")
