"""Follow-up coverage by theme, as a plain-text table, CSV or JSON."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from recommendations.choices import Status
from recommendations.models import Body, MemberState, Report
from recommendations.selectors.coverage import (
    COVERAGE_COLUMNS,
    coverage_by_theme,
    coverage_rows,
)
from recommendations.tabular import csv_lines

FORMATS = ("table", "csv", "json")

# Short status headers for the table (CSV and JSON use the status codes).
_STATUS_HEADERS = {
    Status.NOT_STARTED: "not started",
    Status.IN_PROGRESS: "in progress",
    Status.IMPLEMENTED: "implemented",
    Status.NOT_IMPLEMENTED: "not impl.",
    Status.NOT_APPLICABLE: "n/a",
}


def _parse_date(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option}: expected a date as YYYY-MM-DD (e.g. 2026-01-31), got {value!r}."
        ) from None


def table_lines(result: dict) -> list[str]:
    """The theme rows and the total row as an aligned plain-text table."""
    headers = [
        "theme",
        "recs",
        "covered",
        "coverage %",
        "states",
        *(_STATUS_HEADERS[status] for status in Status.values),
        "implemented %",
        "verified",
        "unverified",
        "overdue",
        "median age",
    ]
    body = [
        [
            row["code"],
            str(row["recommendations"]),
            str(row["covered"]),
            f"{row['coverage_pct']:.1f}",
            str(row["states_reporting"]),
            *(str(row["status_counts"][status]) for status in Status.values),
            f"{row['implemented_pct']:.1f}",
            str(row["verified_implemented"]),
            str(row["unverified_implemented"]),
            str(row["overdue"]),
            "—" if row["median_age_open"] is None else str(row["median_age_open"]),
        ]
        for row in coverage_rows(result)
    ]
    widths = [max(len(line[i]) for line in [headers, *body]) for i in range(len(headers))]

    def render(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * width for width in widths)
    lines = [render(headers), rule]
    lines.extend(render(cells) for cells in body[:-1])
    lines.append(rule)
    lines.append(render(body[-1]))
    return lines


def scope_line(scope: dict) -> str:
    labels = {
        "report": "report",
        "body": "body",
        "member_state": "member state",
        "updated_from": "updated from",
        "updated_to": "updated to",
    }
    parts = [f"{label} {scope[key]}" for key, label in labels.items() if scope[key] is not None]
    return "Scope: " + (", ".join(parts) if parts else "all recommendations")


class Command(BaseCommand):
    help = (
        "Follow-up coverage by theme: recommendations, covered, coverage %, states "
        "reporting, status counts, implemented % and verified/unverified claims, per "
        "theme and in total. Withdrawn recommendations are left out."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=FORMATS, default="table", help="output format (default: table)"
        )
        parser.add_argument("--report", metavar="SYMBOL", help="only this report's recommendations")
        parser.add_argument(
            "--body", metavar="CODE", help="only recommendations addressed to this body (e.g. CND)"
        )
        parser.add_argument(
            "--member-state", metavar="ISO3", help="only this member state's follow-ups"
        )
        parser.add_argument(
            "--from",
            dest="updated_from",
            metavar="DATE",
            help="only follow-ups updated on or after this date (YYYY-MM-DD)",
        )
        parser.add_argument(
            "--to",
            dest="updated_to",
            metavar="DATE",
            help="only follow-ups updated on or before this date (YYYY-MM-DD)",
        )

    def handle(self, *args, **options):
        output_format = options["format"]
        scope = self._scope(options)
        result = coverage_by_theme(**scope, include_states=output_format == "json")
        if output_format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif output_format == "csv":
            for line in csv_lines(COVERAGE_COLUMNS, coverage_rows(result), bom=False):
                self.stdout.write(line, ending="")
        else:
            self.stdout.write(scope_line(result["scope"]))
            self.stdout.write("")
            for line in table_lines(result):
                self.stdout.write(line)

    def _scope(self, options) -> dict:
        scope: dict = {}
        if options["report"] is not None:
            symbol = options["report"].strip()
            try:
                scope["report"] = Report.objects.get(symbol=symbol)
            except Report.DoesNotExist:
                raise CommandError(
                    f"--report: no report with symbol {symbol!r}; expected the symbol of an "
                    "imported report (e.g. E/CN.7/2017/1, or its file name when the text "
                    "states no symbol)."
                ) from None
        if options["body"] is not None:
            code = options["body"].strip()
            body = Body.objects.filter(code__iexact=code).first()
            if body is None:
                known = ", ".join(Body.objects.values_list("code", flat=True))
                raise CommandError(f"--body: unknown body code {code!r}; expected one of {known}.")
            scope["body"] = body.code
        if options["member_state"] is not None:
            iso3 = options["member_state"].strip().upper()
            if not MemberState.objects.filter(iso3=iso3).exists():
                raise CommandError(
                    f"--member-state: unknown member state {options['member_state']!r}; "
                    "expected the ISO 3166-1 alpha-3 code of a UN member state (e.g. KEN)."
                )
            scope["member_state"] = iso3
        if options["updated_from"] is not None:
            scope["updated_from"] = _parse_date(options["updated_from"], "--from")
        if options["updated_to"] is not None:
            scope["updated_to"] = _parse_date(options["updated_to"], "--to")
        start, end = scope.get("updated_from"), scope.get("updated_to")
        if start and end and start > end:
            raise CommandError(
                f"--from {start.isoformat()} is after --to {end.isoformat()}; "
                "expected --from on or before --to."
            )
        return scope
