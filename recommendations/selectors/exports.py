"""The status export: one row per follow-up, read from the database in chunks.

STATUS_COLUMNS is the one declaration of the export's columns; the export_statuses
command (CSV, JSON, XLSX) and the follow-up admin's "Export selected to CSV" both use it.

Query budget, whatever the number of rows: one query for the follow-ups, read through a
cursor `chunk_size` rows at a time (the last action date is a subquery inside it), plus
one query per chunk for the themes of that chunk's recommendations. Never one per row,
and never more than one chunk of rows in memory.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from operator import add
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    ExpressionWrapper,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.utils import timezone

from recommendations.models import Action, FollowUp, RecommendationTheme
from recommendations.selectors.deadlines import days_overdue, due_date_of, open_q
from recommendations.tabular import CODES, FLAG, NUMBER, STAMP, TEXT, Column, columns_at

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class _Source:
    """Where a status column's values come from: a field of the follow-ups query, and how
    a chunk's column of those raw values becomes the export's values (None: as they are).
    Conversions run on a whole column at a time (a map in C, or one query per chunk)."""

    field: str
    convert: Callable[[tuple], Iterable[Any]] | None = None


def _themes(recommendation_ids: tuple) -> Iterable[tuple[str, ...]]:
    themes = _themes_of(set(recommendation_ids))
    return map(themes.get, recommendation_ids, repeat(()))


def _flags(values: tuple) -> Iterable[bool]:
    return map(bool, values)


# The export's columns, in order, declared once: key (the header of CSV and XLSX, the key
# of JSON and the manifest), kind (how tabular writes it per format: spreadsheets "a;b",
# yes/no; JSON a list, a boolean) and source. Dates and times are ISO 8601 text (STAMP),
# None when absent.
_STATUS = [
    ("follow_up_id", NUMBER, _Source("pk")),
    ("report", TEXT, _Source("recommendation__report__symbol")),
    ("label", TEXT, _Source("recommendation__label")),
    ("recommendation_id", NUMBER, _Source("recommendation_id")),
    ("themes", CODES, _Source("recommendation_id", _themes)),
    ("member_state", TEXT, _Source("member_state_id")),
    ("member_state_name_en", TEXT, _Source("member_state__name_en")),
    ("member_state_name_zh", TEXT, _Source("member_state__name_zh")),
    ("status", TEXT, _Source("status")),
    ("verified", FLAG, _Source("is_verified", _flags)),
    ("response", TEXT, _Source("response")),
    ("last_action_date", STAMP, _Source("last_action_text", lambda v: _dates_iso(v))),
    ("updated_at", STAMP, _Source("updated_text", lambda v: _utc_texts(v))),
    # Added at the end (issue 17), the columns before them unchanged.
    ("due_date", STAMP, _Source("due_text", lambda v: _dates_iso(v))),
    ("days_overdue", NUMBER, _Source("open_due_text", lambda v: _days_overdue(v))),
]

# Rows are tuples in this order (Column.at).
STATUS_COLUMNS: list[Column] = columns_at(*((key, kind) for key, kind, _source in _STATUS))

# Database fields read per follow-up, each once, and where each column finds its field.
_FIELDS = list(dict.fromkeys(source.field for _key, _kind, source in _STATUS))
_READS = [(_FIELDS.index(source.field), source.convert) for _key, _kind, source in _STATUS]


def utc_iso(value: datetime.datetime) -> str:
    """ISO 8601 in UTC with a Z: 2026-11-22T11:45:00.123456Z."""
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


class _StoredText(Func):
    """A date or datetime as SQLite stores it, ISO 8601 text ("2026-11-22 11:45:00.123456",
    UTC for a datetime), instead of the datetime the driver would parse for the export to
    format straight back (a million parses and formats). Other databases: the value itself."""

    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST({sql} AS TEXT)", params


def _follow_up_rows(follow_ups: QuerySet[FollowUp] | None, since: datetime.datetime | None):
    queryset = FollowUp.objects.all()
    if follow_ups is not None:
        queryset = queryset.filter(pk__in=follow_ups.values("pk"))
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    last_action = Action.objects.filter(follow_up=OuterRef("pk")).order_by("-date").values("date")
    return (
        queryset.annotate(
            last_action_text=_StoredText(Subquery(last_action[:1])),
            updated_text=_StoredText("updated_at"),
            due_text=_StoredText(due_date_of("recommendation__")),
            # The due date of an open follow-up only: the others are never overdue.
            open_due_text=_StoredText(
                Case(
                    When(
                        open_q() & Q(recommendation__is_withdrawn=False),
                        then=due_date_of("recommendation__"),
                    ),
                    default=None,
                    output_field=DateField(),
                )
            ),
            # A boolean from the database: no datetime to parse just to test it.
            is_verified=ExpressionWrapper(Q(verified_at__isnull=False), BooleanField()),
        )
        .order_by("recommendation__report__symbol", "recommendation__position", "member_state_id")
        .values_list(*_FIELDS)
    )


def _themes_of(recommendation_ids: set[int]) -> dict[int, tuple[str, ...]]:
    """Theme codes per recommendation, in taxonomy order: one query."""
    themes: dict[int, list[str]] = {}
    links = (
        RecommendationTheme.objects.filter(recommendation_id__in=recommendation_ids)
        .order_by("theme__position", "theme__code")
        .values_list("recommendation_id", "theme__code")
    )
    for recommendation_id, code in links:
        themes.setdefault(recommendation_id, []).append(code)
    return {recommendation_id: tuple(codes) for recommendation_id, codes in themes.items()}


def status_chunks(
    *,
    follow_ups: QuerySet[FollowUp] | None = None,
    since: datetime.datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[list[tuple]]:
    """Rows of the status export (tuples in STATUS_COLUMNS order), `chunk_size` at a
    time, ordered by report, position in it, and member state.

    `follow_ups` narrows the export to these (e.g. the admin's selection); `since` (an
    aware datetime) to follow-ups whose `updated_at` is at or after it. Logging, changing
    or deleting an action touches its follow-up's `updated_at`, so it counts as a change.
    """
    for chunk in _raw_chunks(_follow_up_rows(follow_ups, since), chunk_size):
        # Column by column: each conversion is a map over a column, run in C.
        fields = list(zip(*chunk, strict=True))
        del chunk
        yield list(
            zip(
                *(fields[at] if convert is None else convert(fields[at]) for at, convert in _READS),
                strict=True,
            )
        )


def status_rows(**kwargs) -> Iterator[tuple]:
    """The rows of status_chunks (same arguments), one at a time."""
    for chunk in status_chunks(**kwargs):
        yield from chunk


def _raw_chunks(queryset: QuerySet, chunk_size: int) -> Iterator[list[tuple]]:
    """The queryset's rows as the database returns them, `chunk_size` at a time, through
    Django's chunked cursor (server-side on PostgreSQL, so memory stays flat). The ORM's
    per-value converters are skipped: on a million rows they cost more than the query;
    status_chunks converts the values that need it. (The driver's own conversions remain:
    PostgreSQL's dates and datetimes arrive as such; on SQLite, _StoredText reads them as
    text.)"""
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(chunk_size):
            yield batch


def _dates_iso(values: tuple) -> Iterable[str | None]:
    """Last action dates as ISO 8601 text: SQLite gives it already (see _StoredText),
    other databases dates or None."""
    if all(value is None or value.__class__ is str for value in values):
        return values
    return [None if value is None else value.isoformat() for value in values]


def _days_overdue(values: tuple) -> Iterable[int | None]:
    """Days since the due date of open follow-ups past it (selectors/deadlines.py)."""
    today = timezone.localdate()
    return [
        None
        if value is None
        else days_overdue(
            value if value.__class__ is datetime.date else datetime.date.fromisoformat(value),
            today,
        )
        for value in values
    ]


def _utc_texts(values: tuple) -> Iterable[str]:
    """updated_at as ISO 8601 UTC text, 2026-11-22T11:45:00.123456Z. SQLite gives the
    stored text, 2026-11-22 11:45:00.123456 in UTC (see _StoredText): a T for the space
    and a Z appended. Other databases give aware datetimes."""
    if all(value.__class__ is str for value in values):
        return map(add, map(str.replace, values, repeat(" "), repeat("T"), repeat(1)), repeat("Z"))
    return [utc_iso(value) for value in values]


@contextmanager
def read_snapshot() -> Iterator[None]:
    """Every query of the export sees the database as it was at the first one.

    PostgreSQL: one REPEATABLE READ, READ ONLY transaction (unless one is open already).
    SQLite: nothing is opened, because this project's SQLite transactions are IMMEDIATE
    and would hold the write lock for the whole export. In WAL mode the main query reads
    one snapshot from first row to last, and while it is open the per-chunk theme queries
    share it; only the themes of the last chunk may be read just after it closes.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
