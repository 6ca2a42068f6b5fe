"""Follow-up coverage by theme, as a plain-text table, CSV or JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from recommendations.filters import CoverageScopeFilter
from recommendations.selectors.coverage import (
    COVERAGE_COLUMNS,
    COVERAGE_HEADINGS,
    coverage_by_theme,
    coverage_rows,
    figure_cells,
)
from recommendations.tabular import csv_lines

FORMATS = ("table", "csv", "json")

# The scope's fields (recommendations/filters.py): the options giving them (their `dest`
# and how they are written).
_OPTIONS = {
    "report_symbol": ("report", "--report"),
    "body": ("body", "--body"),
    "member_state": ("member_state", "--member-state"),
    "updated_from": ("updated_from", "--from"),
    "updated_to": ("updated_to", "--to"),
}


def table_lines(result: dict) -> list[str]:
    """The theme rows and the total row as an aligned plain-text table."""
    headers = [str(label) for label in COVERAGE_HEADINGS]
    body = [
        [row["code"], *("—" if cell is None else str(cell) for cell in figure_cells(row))]
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
    """The scope as given (result["scope"]), named by the scope filter's labels."""
    parts = [
        f"{filter_.label} {scope[name]}"
        for name, filter_ in CoverageScopeFilter.base_filters.items()
        if scope.get(name) is not None
    ]
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
        """The options' scope, checked by the one scope filter; an error names the option."""
        given = {name: options[dest] for name, (dest, _flag) in _OPTIONS.items()}
        scope = CoverageScopeFilter({k: v for k, v in given.items() if v is not None})
        if not scope.is_valid():
            raise CommandError(
                "\n".join(
                    f"{_OPTIONS[name][1]}: {message}"
                    for name, messages in scope.errors.items()
                    for message in messages
                )
            )
        return scope.scope()
