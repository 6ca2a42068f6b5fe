"""Tables written to CSV, XLSX and JSON: columns declared once, cells made safe.

A spreadsheet cell (CSV, XLSX) that starts with = + - @ (or a tab/carriage return) is
prefixed with a quote so that spreadsheet programs show it as text instead of running it
as a formula. JSON is not a spreadsheet: `json_rows_function` keeps the true text and native
types.

A table's columns are one list of Column: key, header, how to read the value from a row,
and kind. Every writer reads that list: csv_lines / csv_response (CSV), xlsx_file /
xlsx_response (XLSX), json_rows_function (JSON), and the status export's writers.

A column's Kind (TEXT, NUMBER, FLAG, CODES, STAMP) says how each format writes a whole
column of its values; that is what lets the status export write a million rows quickly.
A column of kind ANY (the default) has its value inspected per cell. Rows are mappings or
objects read by the columns' `value` functions, or tuples in column order (columns made
with Column.at or columns_at).
"""

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(_FORMULA_START)
# Control characters an XLSX cell cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# A column of values (one chunk of rows) -> the same column as a format wants it.
Converter = Callable[[Sequence[Any]], Sequence[Any]]


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in _FORMULA_FIRST:
        return "'" + value
    return value


def cell(value: Any) -> Any:
    """A value of any kind as a spreadsheet cell: the common kinds first."""
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


def json_value(value: Any) -> Any:
    """A value as JSON: the true text (not neutralised), lists as lists, dates as ISO 8601."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _neutralised(values: Sequence[Any]) -> Sequence[Any]:
    """A column of text cells with formulas neutralised. The common case, no cell starting
    with a formula character, is found by a scan that runs in C (map, filter, isdisjoint)."""
    if _FORMULA_FIRST.isdisjoint(map(itemgetter(0), filter(None, values))):
        return values
    return ["'" + v if v and v[0] in _FORMULA_FIRST else v for v in values]


def _flags(values: Sequence[Any]) -> list[str]:
    return ["yes" if value else "no" for value in values]


def _joined_codes(values: Sequence[Iterable[str]]) -> Sequence[str]:
    return _neutralised(list(map(";".join, values)))


def _each(convert: Callable[[Any], Any]) -> Converter:
    return lambda values: list(map(convert, values))


@dataclass(frozen=True)
class Kind:
    """What a column's values are, and how each format writes a whole column of them.

    `cells`: for spreadsheets (CSV, XLSX); `json`: for JSON. None means the values are
    already what the format wants (a None value stays None: an empty cell, a null).
    """

    name: str
    cells: Converter | None
    json: Converter | None


# The kinds of column values, each declared once with its conversion per format.
ANY = Kind("any", _each(cell), _each(json_value))  # inspected per value (`cell`, `json_value`)
TEXT = Kind("text", _neutralised, None)  # str or None: neutralised in spreadsheets
NUMBER = Kind("number", None, None)  # int, float or None: as is
FLAG = Kind("flag", _flags, _each(bool))  # bool: yes/no in spreadsheets, a boolean in JSON
CODES = Kind("codes", _joined_codes, _each(list))  # sequence of str: "a;b", a list in JSON
STAMP = Kind("stamp", None, None)  # ISO 8601 text made by this project, or None: as is


@dataclass(frozen=True)
class Column:
    """One column of a table: its key (JSON, the manifest), its header (the spreadsheets'
    first row; a lazy translation is written in the active language), how to read its
    value from a row, and its kind (how each format writes it)."""

    key: str
    header: str
    value: Callable[[Any], Any]
    kind: Kind = ANY
    index: int | None = None  # set by Column.at: the value is row[index]

    @classmethod
    def of(cls, key: str, value: Callable[[Any], Any], kind: Kind = ANY, *, header=None):
        """A column read by `value(row)`, headed by its key unless a header is given."""
        return cls(key, key if header is None else header, value, kind)

    @classmethod
    def item(cls, key: str, header: str | None = None, kind: Kind = ANY) -> "Column":
        """A column that is the row's value under `key` (rows are mappings)."""
        return cls(key, header or key, itemgetter(key), kind)

    @classmethod
    def at(cls, index: int, key: str, kind: Kind, header: str | None = None) -> "Column":
        """A column that is the row's value at `index` (rows are tuples)."""
        return cls(key, header or key, itemgetter(index), kind, index)


def columns_at(*declared: tuple[str, Kind]) -> list[Column]:
    """Columns of tuple rows, from (key, kind) pairs in row order."""
    return [Column.at(index, key, kind) for index, (key, kind) in enumerate(declared)]


def _rows_function(
    columns: list[Column], format_of: Callable[[Kind], Converter | None]
) -> Callable[[Sequence[Any]], list[tuple]]:
    """rows -> converted rows (tuples in column order). Built once per table, called once
    per chunk of rows: the rows are turned into columns and each column converted for its
    kind as a whole, so that a million-row export spends its time in C, not in a Python
    call per cell."""
    convert = [format_of(column.kind) for column in columns]
    positional = all(column.index == position for position, column in enumerate(columns))
    getters = [column.value for column in columns]

    def convert_rows(rows: Sequence[Any]) -> list[tuple]:
        if not rows:
            return []
        if positional:
            values = list(zip(*rows, strict=True))
        else:
            values = [list(map(getter, rows)) for getter in getters]
        converted = [
            column if f is None else f(column) for f, column in zip(convert, values, strict=True)
        ]
        return list(zip(*converted, strict=True))

    return convert_rows


def cells_rows_function(columns: list[Column]) -> Callable[[Sequence[Any]], list[tuple]]:
    """rows -> spreadsheet rows (CSV, XLSX): formulas neutralised, flags yes/no, codes "a;b"."""
    return _rows_function(columns, lambda kind: kind.cells)


def xlsx_rows_function(columns: list[Column]) -> Callable[[Sequence[Any]], list[list[Any]]]:
    """rows -> XLSX rows: spreadsheet cells without the control characters XLSX cannot hold
    (openpyxl refuses them)."""
    cells_rows = cells_rows_function(columns)

    def xlsx_rows(rows: Sequence[Any]) -> list[list[Any]]:
        return [
            [_XLSX_ILLEGAL.sub("", value) if type(value) is str else value for value in row]
            for row in cells_rows(rows)
        ]

    return xlsx_rows


def json_rows_function(columns: list[Column]) -> Callable[[Sequence[Any]], list[dict[str, Any]]]:
    """rows -> JSON objects of the true values, keyed by column key."""
    keys = [column.key for column in columns]
    values_rows = _rows_function(columns, lambda kind: kind.json)
    return lambda rows: [dict(zip(keys, values, strict=True)) for values in values_rows(rows)]


def header(columns: list[Column]) -> list[str]:
    """The header row: each column's header as text (lazy translations rendered now)."""
    return [str(column.header) for column in columns]


class _Echo:
    """A file-like object whose write returns the line, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: list[Column], rows: Iterable[Any], *, bom: bool = True) -> Iterator[str]:
    """CSV text, one line at a time (rows read and converted 500 at a time): UTF-8 BOM
    first so Excel reads Chinese correctly."""
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow(header(columns))
    cells_rows = cells_rows_function(columns)
    remaining = iter(rows)
    while chunk := list(islice(remaining, 500)):
        for cells in cells_rows(chunk):
            yield writer.writerow(cells)


def xlsx_file(sheets: list[tuple[str, list[Column], Iterable[Any]]], target) -> None:
    """Write sheets of (title, columns, rows) to an XLSX file, in openpyxl's streaming mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(header(columns))
        for row in xlsx_rows_function(columns)(list(rows)):
            sheet.append(row)
    workbook.save(target)


def _stamp() -> str:
    return timezone.now().strftime("%Y%m%dT%H%M%SZ")


def csv_response(columns: list[Column], rows: Iterable[Any], name: str) -> StreamingHttpResponse:
    """A streamed CSV download, NAME-<UTC stamp>.csv."""
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}-{_stamp()}.csv"'
    return response


def xlsx_response(sheets: list[tuple[str, list[Column], Iterable[Any]]], name: str) -> HttpResponse:
    """An XLSX download of sheets of (title, columns, rows), NAME-<UTC stamp>.xlsx."""
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{_stamp()}.xlsx"'
    xlsx_file(sheets, response)
    return response


# The admin's "Export selected to CSV" of recommendations (rows: annotated Recommendations).
RECOMMENDATION_COLUMNS = [
    Column.of("report", lambda r: r.report.symbol, TEXT),
    Column.of("label", lambda r: r.label, TEXT),
    Column.of("recommendation_id", lambda r: r.pk, NUMBER),
    Column.of("themes", lambda r: [t.code for t in r.themes.all()], CODES),
    Column.of("sdg_targets", lambda r: r.sdg_targets),  # JSON: inspected per value
    Column.of("withdrawn", lambda r: r.is_withdrawn, FLAG),
    Column.of("follow_ups", lambda r: r.follow_up_count, NUMBER),
    Column.of("unverified_claims", lambda r: r.unverified_count, NUMBER),
    Column.of("addressee", lambda r: r.addressee, TEXT),
    Column.of("text", lambda r: r.text, TEXT),
]
