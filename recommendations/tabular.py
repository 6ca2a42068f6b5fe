"""Tables written to CSV, XLSX and JSON: columns declared once, cells made safe.

A spreadsheet cell (CSV, XLSX) that starts with = + - @ (or a tab/carriage return) is
prefixed with a quote so that spreadsheet programs show it as text instead of running it
as a formula. JSON is not a spreadsheet: `json_function` keeps the true text and native
types.

A column may declare the kind of its values (TEXT, NUMBER, FLAG, CODES, STAMP); its cells
are then converted for that kind alone, which is what lets the status export write a
million rows quickly. A column of kind ANY (the default) has its value inspected per cell.
Rows are mappings or objects read by the columns' `value` functions, or tuples in column
order (columns made with Column.at).
"""

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

# Kinds of column values.
ANY = "any"  # inspected per cell (see `cell`)
TEXT = "text"  # str or None: neutralised in spreadsheets
NUMBER = "number"  # int, float or None: as is
FLAG = "flag"  # bool: yes/no in spreadsheets
CODES = "codes"  # sequence of str: "a;b" in spreadsheets, a list in JSON
STAMP = "stamp"  # ISO 8601 text made by this project, or None: as is

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(_FORMULA_START)
# Control characters an XLSX cell cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    value: Callable[[Any], Any]
    kind: str = ANY
    index: int | None = None  # set by Column.at: the value is row[index]

    @classmethod
    def item(cls, key: str, header: str | None = None, kind: str = ANY) -> "Column":
        """A column that is the row's value under `key` (rows are mappings)."""
        return cls(key, header or key, itemgetter(key), kind)

    @classmethod
    def at(cls, index: int, key: str, kind: str, header: str | None = None) -> "Column":
        """A column that is the row's value at `index` (rows are tuples)."""
        return cls(key, header or key, itemgetter(index), kind, index)


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


def _text_cell(value: str | None) -> str | None:
    return "'" + value if value and value[0] in _FORMULA_FIRST else value


def _flag_cell(value: bool) -> str:
    return "yes" if value else "no"


def _codes_cell(value: Iterable[str]) -> str:
    text = ";".join(value)
    return "'" + text if text[:1] in _FORMULA_FIRST else text


# Per kind: how a value becomes a spreadsheet cell (None: it already is one). A None value
# stays None: an empty cell in CSV and XLSX alike.
_SPREADSHEET = {
    ANY: cell,
    TEXT: _text_cell,
    NUMBER: None,
    FLAG: _flag_cell,
    CODES: _codes_cell,
    STAMP: None,
}


def json_value(value: Any) -> Any:
    """A value as JSON: the true text (not neutralised), lists as lists, dates as ISO 8601."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# Per kind: how a value becomes JSON (None: it already is).
_JSON = {ANY: json_value, TEXT: None, NUMBER: None, FLAG: bool, CODES: list, STAMP: None}


def _positional(columns: list[Column]) -> bool:
    """Rows are tuples holding exactly these columns, in this order."""
    return all(column.index == position for position, column in enumerate(columns))


def _row_function(
    columns: list[Column], converters: dict[str, Callable[[Any], Any] | None]
) -> Callable[[Any], list[Any]]:
    """row -> converted values, in column order. Built once per table: exports call it a
    million times, so tuple rows are copied and only the columns that need it converted
    (text cells checked inline: a call per text cell costs more than the check)."""
    convert = [converters[column.kind] for column in columns]
    if _positional(columns):
        texts = [index for index, f in enumerate(convert) if f is _text_cell]
        steps = [(index, f) for index, f in enumerate(convert) if f not in (None, _text_cell)]
        first = _FORMULA_FIRST

        def from_tuple(row: tuple) -> list[Any]:
            values = list(row)
            for index in texts:
                value = values[index]
                if value and value[0] in first:
                    values[index] = "'" + value
            for index, f in steps:
                values[index] = f(values[index])
            return values

        return from_tuple
    pairs = [(column.value, f or _identity) for column, f in zip(columns, convert, strict=True)]
    return lambda row: [f(getter(row)) for getter, f in pairs]


def _identity(value: Any) -> Any:
    return value


def cells_function(columns: list[Column]) -> Callable[[Any], list[Any]]:
    """row -> spreadsheet cells (CSV, XLSX): formulas neutralised, flags yes/no, codes "a;b"."""
    return _row_function(columns, _SPREADSHEET)


def xlsx_cells_function(columns: list[Column]) -> Callable[[Any], list[Any]]:
    """row -> XLSX cells: spreadsheet cells without the control characters XLSX cannot
    hold (openpyxl refuses them)."""
    cells = cells_function(columns)

    def xlsx_cells(row: Any) -> list[Any]:
        return [
            _XLSX_ILLEGAL.sub("", value) if type(value) is str else value for value in cells(row)
        ]

    return xlsx_cells


def json_function(columns: list[Column]) -> Callable[[Any], dict[str, Any]]:
    """row -> a JSON object of the true values, keyed by column key."""
    keys = [column.key for column in columns]
    values = _row_function(columns, _JSON)
    return lambda row: dict(zip(keys, values(row), strict=True))


def header(columns: list[Column]) -> list[str]:
    return [column.header for column in columns]


class _Echo:
    """A file-like object whose write returns the line, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: list[Column], rows: Iterable[Any], *, bom: bool = True) -> Iterator[str]:
    """CSV text, one line at a time: UTF-8 BOM first so Excel reads Chinese correctly."""
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow(header(columns))
    cells = cells_function(columns)
    for row in rows:
        yield writer.writerow(cells(row))


def xlsx_file(sheets: list[tuple[str, list[Column], Iterable[Any]]], target) -> None:
    """Write sheets of (title, columns, rows) to an XLSX file, in openpyxl's streaming mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(header(columns))
        cells = xlsx_cells_function(columns)
        for row in rows:
            sheet.append(cells(row))
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
