"""The secretariat's report to a governing body's session on the implementation of its
recommendations, as Word (or PDF through LibreOffice)."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from recommendations.models import Body, Report
from recommendations.services.session_report import (
    DEFAULT_ANNEX_LIMIT,
    FORMATS,
    LANGUAGES,
    SessionReportError,
    check_output,
    session_report_data,
    session_report_write,
)


class Command(BaseCommand):
    help = (
        "Writes the implementation report for a body's next session (after --as-of): "
        "cover, summary, numbered sections and paragraphs from the coverage figures, "
        "tables and charts by theme, Annex I (each recommendation) and Annex II (each "
        "member state)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--body", metavar="CODE", required=True, help="e.g. CND")
        parser.add_argument(
            "--report",
            metavar="SYMBOL",
            nargs="+",
            default=[],
            help="only these reports' recommendations (default: all addressed to the body)",
        )
        parser.add_argument(
            "--as-of", metavar="DATE", help="YYYY-MM-DD (default: today): figures and session"
        )
        parser.add_argument("--language", choices=sorted(LANGUAGES), default="en")
        parser.add_argument("--format", choices=FORMATS, default="docx")
        parser.add_argument(
            "--annex-limit",
            metavar="N",
            type=int,
            default=DEFAULT_ANNEX_LIMIT,
            help=f"at most N recommendations in Annex I (default {DEFAULT_ANNEX_LIMIT}; 0: none)",
        )
        parser.add_argument("--output", metavar="FILE", required=True)

    def handle(self, *args, **options):
        output = Path(options["output"])
        if options["annex_limit"] < 0:
            raise CommandError("--annex-limit: expected 0 or a positive number")
        try:
            check_output(output, options["format"])
        except SessionReportError as error:
            raise CommandError(str(error)) from None
        body = self._body(options["body"])
        reports = [self._report(symbol) for symbol in dict.fromkeys(options["report"])]
        as_of = self._date(options["as_of"]) if options["as_of"] else timezone.localdate()
        data = session_report_data(
            body=body,
            reports=reports,
            as_of=as_of,
            language=options["language"],
            annex_limit=options["annex_limit"],
        )
        try:
            session_report_write(data, output=output, output_format=options["format"])
        except SessionReportError as error:
            raise CommandError(str(error)) from None
        total = data.parts[0].coverage["total"] if len(data.parts) == 1 else None
        summary = f"{total['recommendations']:,} recommendations, " if total else ""
        self.stdout.write(
            f"Wrote {output} ({summary}{len(data.annex):,} in Annex I, {options['language']})"
        )

    def _body(self, code: str) -> Body:
        body = Body.objects.filter(code__iexact=code.strip()).first()
        if body is None:
            known = ", ".join(Body.objects.values_list("code", flat=True))
            raise CommandError(f"--body: unknown body code {code!r}; expected one of {known}.")
        return body

    def _report(self, symbol: str) -> Report:
        try:
            return Report.objects.get(symbol=symbol.strip())
        except Report.DoesNotExist:
            raise CommandError(
                f"--report: no report with symbol {symbol!r}; expected the symbol of an "
                "imported report (e.g. E/CN.7/2017/1, or its file name when the text states "
                "no symbol)."
            ) from None

    def _date(self, value: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"--as-of: expected a date as YYYY-MM-DD (e.g. 2026-01-31), got {value!r}."
            ) from None
