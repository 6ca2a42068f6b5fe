"""Write a member state's questionnaire: a workbook (XLSX) or one CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations.models import MemberState, Report, Theme
from recommendations.questionnaires.services import FILE_FORMATS, questionnaire_export


class Command(BaseCommand):
    help = "Write a member state's questionnaire: one row per active recommendation in scope."

    def add_arguments(self, parser):
        parser.add_argument("--state", required=True, help="ISO3 code of the member state")
        parser.add_argument("--report", help="only this report's recommendations (symbol)")
        parser.add_argument("--theme", help="only this theme's recommendations (code)")
        parser.add_argument("--language", choices=["en", "zh"], default="en")
        parser.add_argument("--output", required=True, help="the file to write")
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=list(FILE_FORMATS),
            help="xlsx or csv (default: by the output's extension, else xlsx)",
        )

    def handle(self, *args, state, report, theme, language, output, file_format, **options):
        member_state = MemberState.objects.filter(iso3=state.upper()).first()
        if member_state is None:
            raise CommandError(f"--state: no member state {state!r} (an ISO3 code, e.g. KEN).")
        if report and not Report.objects.filter(symbol=report).exists():
            raise CommandError(f"--report: no report {report!r}.")
        if theme and not Theme.objects.filter(code=theme).exists():
            raise CommandError(f"--theme: no theme {theme!r}.")
        if file_format is None:
            file_format = "csv" if output.lower().endswith(".csv") else "xlsx"
        data = questionnaire_export(
            member_state=member_state,
            language=language,
            report=report,
            theme=theme,
            file_format=file_format,
        )
        Path(output).write_bytes(data)
        self.stdout.write(f"Wrote {output} ({member_state.iso3}, {language}).")
