"""Cells per column kind: what spreadsheets and JSON receive, whatever the row shape."""

import datetime

from django.utils import translation
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from recommendations.tabular import (
    ANY,
    CODES,
    FLAG,
    NUMBER,
    RECOMMENDATION_COLUMNS,
    STAMP,
    TEXT,
    Column,
    cells_rows_function,
    columns_at,
    csv_lines,
    header,
    json_rows_function,
    xlsx_rows_function,
)

KINDS = [NUMBER, TEXT, CODES, FLAG, STAMP]
KEYS = ["id", "name", "themes", "verified", "date"]
POSITIONAL = [
    Column.at(i, key, kind) for i, (key, kind) in enumerate(zip(KEYS, KINDS, strict=True))
]
BY_KEY = [Column.item(key, kind=kind) for key, kind in zip(KEYS, KINDS, strict=True)]
UNTYPED = [Column.item(key) for key in KEYS]  # kind ANY: each value inspected


def cells_function(columns):
    """One row's spreadsheet cells, through the chunk converter."""
    return lambda row: cells_rows_function(columns)([row])[0]


texts = st.text(max_size=12)
rows = st.tuples(
    st.integers(),
    st.one_of(st.none(), texts),
    st.lists(st.sampled_from(["drugs", "=cmd", "corruption"]), max_size=3).map(tuple),
    st.booleans(),
    st.one_of(st.none(), st.dates().map(datetime.date.isoformat)),
)


def test_spreadsheet_cells_per_kind():
    def cells(row):
        return list(cells_function(POSITIONAL)(row))

    row = (7, "=1+1", ("drugs", "corruption"), True, None)
    assert cells(row) == [7, "'=1+1", "drugs;corruption", "yes", None]
    assert cells((8, None, (), False, "2025-04-01")) == [8, None, "", "no", "2025-04-01"]
    assert cells((9, "-x", ("=cmd",), False, None))[1:3] == ["'-x", "'=cmd"]


def test_json_keeps_the_true_values():
    row = (7, "=1+1", ("drugs", "corruption"), 1, None)
    assert json_rows_function(POSITIONAL)([row]) == [
        {
            "id": 7,
            "name": "=1+1",
            "themes": ["drugs", "corruption"],
            "verified": True,
            "date": None,
        }
    ]


def test_xlsx_cells_drop_control_characters():
    cells = xlsx_rows_function(POSITIONAL)([(1, "a\x00b\x1fc\td", (), False, None)])[0]
    assert cells[1] == "abc\td"  # tab is allowed in a cell, NUL and US are not


@given(rows)
def test_tuple_rows_and_mapping_rows_give_the_same_cells(row):
    mapping = dict(zip(KEYS, row, strict=True))
    assert cells_function(POSITIONAL)(row) == cells_function(BY_KEY)(mapping)
    assert json_rows_function(POSITIONAL)([row])[0] == json_rows_function(BY_KEY)([mapping])[0]


@given(rows)
def test_declared_kinds_agree_with_inspecting_each_value(row):
    """Declaring a kind is a speed-up, never a change: ANY columns give the same cells
    (but for None, an empty cell either way)."""
    mapping = dict(zip(KEYS, row, strict=True))
    typed = cells_function(BY_KEY)(mapping)
    untyped = cells_function(UNTYPED)(mapping)
    assert [("" if cell is None else cell) for cell in typed] == list(untyped)


@given(rows)
def test_no_spreadsheet_text_starts_a_formula(row):
    for value in cells_function(POSITIONAL)(row):
        if isinstance(value, str) and value:
            assert value[0] not in "=+-@\t\r"


def test_any_column_inspects_values():
    cells = cells_function([Column.item("v")])
    assert [cells({"v": v})[0] for v in (None, True, 3, datetime.date(2025, 1, 2), ["a", "b"])] == [
        "",
        "yes",
        3,
        "2025-01-02",
        "a;b",
    ]
    assert Column.item("v").kind == ANY


@given(st.lists(rows, max_size=20))
def test_a_chunk_converts_as_its_rows_one_by_one(chunk):
    """Columns are converted a chunk at a time (one formula among plain cells included)."""
    one_by_one = [cells_function(POSITIONAL)(row) for row in chunk]
    assert cells_rows_function(POSITIONAL)(chunk) == one_by_one
    assert json_rows_function(POSITIONAL)(chunk) == [
        json_rows_function(POSITIONAL)([row])[0] for row in chunk
    ]


def test_only_the_formula_cell_of_a_column_changes():
    chunk = [(n, text, (), False, None) for n, text in enumerate(["a", None, "", "=b", "c"])]
    names = [row[1] for row in cells_rows_function(POSITIONAL)(chunk)]
    assert names == ["a", None, "", "'=b", "c"]


def test_csv_lines_over_several_chunks():
    rows = [{"id": n, "name": "=x" if n % 499 == 0 else f"n{n}"} for n in range(1201)]
    columns = [Column.item("id", kind=NUMBER), Column.item("name", kind=TEXT)]
    text = "".join(csv_lines(columns, iter(rows)))
    assert text.startswith("\ufeffid,name\r\n")
    lines = text.removeprefix("\ufeffid,name\r\n").splitlines()
    assert len(lines) == 1201
    assert lines[0] == "0,'=x" and lines[499] == "499,'=x" and lines[998] == "998,'=x"
    assert lines[500] == "500,n500" and lines[1200] == "1200,n1200"


def test_columns_at_and_of_declare_a_column_once():
    declared = columns_at(("id", NUMBER), ("name", TEXT))
    assert [(c.key, c.header, c.kind, c.index) for c in declared] == [
        ("id", "id", NUMBER, 0),
        ("name", "name", TEXT, 1),
    ]
    assert declared[1].value((7, "x")) == "x"
    column = Column.of("total", lambda row: row[0], NUMBER)
    assert (column.key, column.header, column.kind) == ("total", "total", NUMBER)
    assert Column.of("v", len, header="Value").header == "Value"


def test_a_translatable_header_is_written_in_the_active_language():
    columns = [Column.item("label", gettext_lazy("label"), TEXT)]
    with translation.override("en"):
        assert header(columns) == ["label"]
        assert "".join(csv_lines(columns, [{"label": "1(a)"}])) == "\ufefflabel\r\n1(a)\r\n"
    with translation.override("zh-hans"):
        assert header(columns) == [str(gettext_lazy("label"))]


class _Recommendation:
    """What RECOMMENDATION_COLUMNS read from an annotated Recommendation."""

    def __init__(self, values):
        self.report = type("Report", (), {"symbol": values["report"]})
        codes = [type("Theme", (), {"code": code}) for code in values["themes"]]
        self.themes = type("Themes", (), {"all": lambda _self: codes})()
        self.pk = values["recommendation_id"]
        self.label, self.text, self.addressee = values["label"], values["text"], ""
        self.sdg_targets, self.is_withdrawn = values["sdg_targets"], values["withdrawn"]
        self.follow_up_count, self.unverified_count = 3, 0


@given(
    st.fixed_dictionaries(
        {
            "report": texts,
            "label": texts,
            "recommendation_id": st.integers(min_value=1),
            "themes": st.lists(st.sampled_from(["drugs", "=cmd"]), max_size=2),
            "sdg_targets": st.lists(st.sampled_from(["16.4", "-5"]), max_size=2),
            "withdrawn": st.booleans(),
            "text": texts,
        }
    )
)
def test_recommendation_kinds_write_what_inspecting_each_value_would(values):
    row = _Recommendation(values)
    untyped = [Column.of(c.key, c.value) for c in RECOMMENDATION_COLUMNS]
    assert cells_function(RECOMMENDATION_COLUMNS)(row) == cells_function(untyped)(row)
