"""Write a member state's questionnaire workbook (XLSX)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations.models import MemberState, Report, Theme
from recommendations.questionnaires.services import questionnaire_export


class Command(BaseCommand):
    help = "Write a member state's questionnaire: one row per active recommendation in scope."

    def add_arguments(self, parser):
        parser.add_argument("--state", required=True, help="ISO3 code of the member state")
        parser.add_argument("--report", help="only this report's recommendations (symbol)")
        parser.add_argument("--theme", help="only this theme's recommendations (code)")
        parser.add_argument("--language", choices=["en", "zh"], default="en")
        parser.add_argument("--output", required=True, help="the XLSX file to write")

    def handle(self, *args, state, report, theme, language, output, **options):
        member_state = MemberState.objects.filter(iso3=state.upper()).first()
        if member_state is None:
            raise CommandError(f"--state: no member state {state!r} (an ISO3 code, e.g. KEN).")
        if report and not Report.objects.filter(symbol=report).exists():
            raise CommandError(f"--report: no report {report!r}.")
        if theme and not Theme.objects.filter(code=theme).exists():
            raise CommandError(f"--theme: no theme {theme!r}.")
        data = questionnaire_export(
            member_state=member_state, language=language, report=report, theme=theme
        )
        Path(output).write_bytes(data)
        self.stdout.write(f"Wrote {output} ({member_state.iso3}, {language}).")
