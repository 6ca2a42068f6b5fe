from django.core.management.base import BaseCommand

from recommendations.management.importing import run_import
from recommendations.services.imports import MAX_WITHDRAW_SHARE, share_text

_WITHDRAW_LIMIT = f"more than {share_text(MAX_WITHDRAW_SHARE)}"


class Command(BaseCommand):
    help = (
        "Import UN report files (text extracted from PDF, or Markdown) and their "
        "recommendations. Each report is one transaction; a bad file is reported and "
        "the others still import, and the command exits with status 1. A file with the "
        "same content (SHA-256) as a report named after its file is that report, under "
        "any name. A re-import that would withdraw "
        f"{_WITHDRAW_LIMIT} of a report's active recommendations is refused unless "
        "--allow-withdraw is given. A file stating the symbol of a report already "
        "imported, in another language than the report's original, adds that language's "
        "text to the recommendations it matches by label; labels that do not match "
        "(missing or extra) need --allow-unmatched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help=(
                "report file (a symbolic link is followed) or directory: the regular "
                "files directly inside it; subdirectories, symbolic links, hidden and "
                "other entries are skipped and listed"
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="parse and report what would change, without writing anything",
        )
        parser.add_argument(
            "--allow-withdraw",
            action="store_true",
            help=(
                f"confirm a re-import that withdraws {_WITHDRAW_LIMIT} of a report's active "
                "recommendations (otherwise refused as a likely truncated or wrong file)"
            ),
        )

        parser.add_argument(
            "--allow-unmatched",
            action="store_true",
            help=(
                "confirm a language version whose labels do not all match the report's "
                "active recommendations: the matched ones get their text, the others are "
                "listed (otherwise refused, nothing written)"
            ),
        )

    def handle(self, *args, paths, dry_run, allow_withdraw, allow_unmatched, **options):
        run_import(
            self,
            paths,
            dry_run=dry_run,
            allow_withdraw=allow_withdraw,
            allow_unmatched=allow_unmatched,
        )
