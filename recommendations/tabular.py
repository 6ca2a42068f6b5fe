"""Tables written to CSV, XLSX and JSON: columns declared once, cells made safe.

A spreadsheet cell (CSV, XLSX) that starts with = + - @ (or a tab/carriage return) is
prefixed with a quote so that spreadsheet programs show it as text instead of running it
as a formula. JSON is not a spreadsheet: `json_row` keeps the true text and native types.
"""

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX cell cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    value: Callable[[Any], Any]

    @classmethod
    def item(cls, key: str, header: str | None = None) -> "Column":
        """A column that is the row's value under `key` (rows are mappings)."""
        return cls(key, header or key, itemgetter(key))


def cells_function(columns: list[Column]) -> Callable[[Any], list[Any]]:
    """row -> spreadsheet cells, built once for a table. When every column is a plain
    key lookup (Column.item), one itemgetter reads them all: exports call this a million
    times."""
    getters = [column.value for column in columns]
    plain = all(repr(column.value) == repr(itemgetter(column.key)) for column in columns)
    if plain and len(columns) > 1:
        read_all = itemgetter(*(column.key for column in columns))
        return lambda row: [cell(value) for value in read_all(row)]
    return lambda row: [cell(getter(row)) for getter in getters]


_FORMULA_FIRST = frozenset(_FORMULA_START)


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in _FORMULA_FIRST:
        return "'" + value
    return value


def cell(value: Any) -> Any:
    """A value as a spreadsheet cell. Exported millions of times: the common kinds first."""
    kind = type(value)
    if kind is str:
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if kind is int or kind is float:
        return value
    if value is None:
        return ""
    if kind is bool:
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return neutralise(";".join(str(v) for v in value))
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
    cells = cells_function(columns)
    for row in rows:
        yield writer.writerow(cells(row))


def header(columns: list[Column]) -> list[str]:
    return [column.header for column in columns]


def row_cells(columns: list[Column], row: Any) -> list[Any]:
    """One row as spreadsheet cells (CSV, XLSX): formulas neutralised."""
    return [cell(column.value(row)) for column in columns]


def xlsx_cells(columns: list[Column], row: Any) -> list[Any]:
    """Spreadsheet cells without the control characters XLSX cannot hold (openpyxl refuses)."""
    return [
        _XLSX_ILLEGAL.sub("", value) if isinstance(value, str) else value
        for value in row_cells(columns, row)
    ]


def json_value(value: Any) -> Any:
    """A value as JSON: the true text (not neutralised), lists as lists, dates as ISO 8601."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def json_row(columns: list[Column], row: Any) -> dict[str, Any]:
    return {column.key: json_value(column.value(row)) for column in columns}


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
