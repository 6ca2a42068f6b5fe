"""Tables written to CSV (and XLSX later): columns declared once, cells made safe.

A cell that starts with = + - @ (or a tab/carriage return) is prefixed with a quote so
that spreadsheet programs show it as text instead of running it as a formula.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    value: Callable[[Any], Any]


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(value)


class _Echo:
    """A file-like object whose write returns the line, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: list[Column], rows: Iterable[Any], *, bom: bool = True) -> Iterator[str]:
    """CSV text, one line at a time: UTF-8 BOM first so Excel reads Chinese correctly."""
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow([column.header for column in columns])
    for row in rows:
        yield writer.writerow([cell(column.value(row)) for column in columns])


def xlsx_file(sheets: list[tuple[str, list[Column], Iterable[Any]]], target) -> None:
    """Write sheets of (title, columns, rows) to an XLSX file, in openpyxl's streaming mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([column.header for column in columns])
        for row in rows:
            sheet.append([cell(column.value(row)) for column in columns])
    workbook.save(target)


RECOMMENDATION_COLUMNS = [
    Column("report", "report", lambda r: r.report.symbol),
    Column("label", "label", lambda r: r.label),
    Column("recommendation_id", "recommendation_id", lambda r: r.pk),
    Column("themes", "themes", lambda r: [t.code for t in r.themes.all()]),
    Column("sdg_targets", "sdg_targets", lambda r: r.sdg_targets),
    Column("withdrawn", "withdrawn", lambda r: r.is_withdrawn),
    Column("follow_ups", "follow_ups", lambda r: r.follow_up_count),
    Column("unverified_claims", "unverified_claims", lambda r: r.unverified_count),
    Column("addressee", "addressee", lambda r: r.addressee),
    Column("text", "text", lambda r: r.text),
]
