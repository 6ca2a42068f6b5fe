"""Preview, then apply, a member state's returned questionnaire workbook.

Exit status: 0 when the preview is clean (with --dry-run) or the workbook was applied;
non-zero (CommandError) when the file is refused, has problems (nothing is written), or
has conflicts and --skip-conflicts was not given (nothing is written). With
--skip-conflicts the other rows are applied and the conflicts listed; --conflicts-output
writes them as a new workbook to settle, in every case.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations.models import MemberState
from recommendations.questionnaires.services import (
    ImportResult,
    WorkbookRefused,
    conflicts_export,
    questionnaire_import,
)


class Command(BaseCommand):
    help = "Preview and apply a returned questionnaire (the state is read from the workbook)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the returned workbook (XLSX) or CSV file")
        parser.add_argument("--dry-run", action="store_true", help="preview only, write nothing")
        parser.add_argument(
            "--skip-conflicts",
            action="store_true",
            help="apply the other rows when some rows conflict (the conflicts are not applied)",
        )
        parser.add_argument(
            "--conflicts-output",
            help="write the conflicting rows as a new questionnaire (in the file's format)",
        )

    def handle(self, *args, file, dry_run, skip_conflicts, conflicts_output, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot be read ({error.strerror}).") from None
        try:
            result = questionnaire_import(
                data=data,
                name=path.name,
                user=None,
                dry_run=dry_run,
                skip_conflicts=skip_conflicts,
            )
        except WorkbookRefused as refused:
            raise CommandError(f"{file}: {refused.problem} Nothing was written.") from None
        self._report(result)
        if conflicts_output and result.conflicts:
            state = MemberState.objects.get(iso3=result.state)
            Path(conflicts_output).write_bytes(conflicts_export(result, member_state=state))
            self.stdout.write(f"Conflicts written to {conflicts_output}.")
        if result.problems:
            raise CommandError(f"{file}: {len(result.problems)} problem(s); nothing was written.")
        if result.conflicts and not skip_conflicts:
            raise CommandError(
                f"{file}: {len(result.conflicts)} conflict(s); nothing was written. "
                "Settle them (--conflicts-output FILE) or apply the other rows with "
                "--skip-conflicts."
            )
        if result.applied:
            self.stdout.write(
                f"Applied: {len(result.changes)} row(s) changed, "
                f"{sum(not a.already_recorded for a in result.actions)} action(s) added."
            )
        else:
            self.stdout.write("Dry run: nothing was written.")

    def _report(self, result: ImportResult) -> None:
        write = self.stdout.write
        exported = f", exported {result.exported_at}" if result.exported_at else ""
        write(f"{result.name}: questionnaire of {result.state} ({result.language}){exported}.")
        for change in result.changes:
            what = "new follow-up" if change.created else "changed"
            write(
                f"  {change.sheet} row {change.row}: {change.report} {change.label} {what}: "
                f"status {change.status_from or '—'} → {change.status_to}, "
                f"response {change.response_from or '—'} → {change.response_to or '—'}"
            )
        for action in result.actions:
            note = " (already recorded, skipped)" if action.already_recorded else ""
            write(
                f"  {action.sheet} row {action.row}: new action on {action.report} "
                f"{action.label}: {action.date} {action.kind}{note}"
            )
        write(f"  {len(result.unchanged)} row(s) unchanged.")
        for conflict in result.conflicts:
            changed_at = f"{conflict.changed_at:%Y-%m-%d %H:%M} UTC" if conflict.changed_at else ""
            write(
                f"  CONFLICT {conflict.sheet} row {conflict.row}: {conflict.report} "
                f"{conflict.label}: their answer {conflict.their_status}"
                f"/{conflict.their_response or '—'}; current {conflict.current_status}"
                f"/{conflict.current_response or '—'} (version {conflict.current_version}, "
                f"exported {conflict.exported_version or '—'}), changed by "
                f"{conflict.changed_by or '—'} {changed_at} {conflict.changed_via}".rstrip()
            )
        for problem in result.problems:
            write(f"  PROBLEM {problem}")
