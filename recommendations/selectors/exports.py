"""The status export: one row per follow-up, read from the database in chunks.

STATUS_COLUMNS is the one declaration of the export's columns; the export_statuses
command (CSV, JSON, XLSX) and the follow-up admin's "Export selected to CSV" both use it.

Query budget, whatever the number of rows: one query for the follow-ups, read through a
cursor `chunk_size` rows at a time (the last action date is a subquery inside it), plus
one query per chunk for the themes of that chunk's recommendations. Never one per row,
and never more than one chunk of rows in memory.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery

from recommendations.models import Action, FollowUp, RecommendationTheme
from recommendations.tabular import Column

CHUNK_SIZE = 2000

# Database fields read per follow-up, and the row key each one becomes.
_FIELDS = {
    "pk": "follow_up_id",
    "recommendation__report__symbol": "report",
    "recommendation__label": "label",
    "recommendation_id": "recommendation_id",
    "member_state_id": "member_state",
    "member_state__name_en": "member_state_name_en",
    "member_state__name_zh": "member_state_name_zh",
    "status": "status",
    "is_verified": "verified",
    "response": "response",
    "last_action_date": "last_action_date",
    "updated_at": "updated_at",
}

_KEYS = [
    "follow_up_id",
    "report",
    "label",
    "recommendation_id",
    "themes",
    "member_state",
    "member_state_name_en",
    "member_state_name_zh",
    "status",
    "verified",
    "response",
    "last_action_date",
    "updated_at",
]


def utc_iso(value: datetime.datetime) -> str:
    """ISO 8601 in UTC with a Z: 2026-11-22T11:45:00.123456Z."""
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _column(key: str) -> Column:
    return Column.item(key)


# Values per row: themes a list of codes, verified a bool, last_action_date a date or
# None; tabular renders them per format (CSV/XLSX "a;b", yes/no, ""; JSON list, bool, null).
STATUS_COLUMNS: list[Column] = [_column(key) for key in _KEYS]


def _follow_up_rows(follow_ups: QuerySet[FollowUp] | None, since: datetime.datetime | None):
    queryset = FollowUp.objects.all()
    if follow_ups is not None:
        queryset = queryset.filter(pk__in=follow_ups.values("pk"))
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    last_action = Action.objects.filter(follow_up=OuterRef("pk")).order_by("-date").values("date")
    return (
        queryset.annotate(
            last_action_date=Subquery(last_action[:1]),
            # A boolean from the database: no datetime to parse just to test it.
            is_verified=ExpressionWrapper(Q(verified_at__isnull=False), BooleanField()),
        )
        .order_by("recommendation__report__symbol", "recommendation__position", "member_state_id")
        .values_list(*_FIELDS)
    )


def _themes_of(recommendation_ids: set[int]) -> dict[int, list[str]]:
    """Theme codes per recommendation, in taxonomy order: one query."""
    themes: dict[int, list[str]] = {}
    links = (
        RecommendationTheme.objects.filter(recommendation_id__in=recommendation_ids)
        .order_by("theme__position", "theme__code")
        .values_list("recommendation_id", "theme__code")
    )
    for recommendation_id, code in links:
        themes.setdefault(recommendation_id, []).append(code)
    return themes


def status_rows(
    *,
    follow_ups: QuerySet[FollowUp] | None = None,
    since: datetime.datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[dict[str, Any]]:
    """Rows of the status export, ordered by report, position in it, and member state.

    `follow_ups` narrows the export to these (e.g. the admin's selection); `since` (an
    aware datetime) to follow-ups whose `updated_at` is at or after it. Logging, changing
    or deleting an action touches its follow-up's `updated_at`, so it counts as a change.
    """
    keys = list(_FIELDS.values())
    for chunk in _raw_chunks(_follow_up_rows(follow_ups, since), chunk_size):
        rows = [dict(zip(keys, record, strict=True)) for record in chunk]
        del chunk
        themes = _themes_of({row["recommendation_id"] for row in rows})
        for row in rows:
            row["themes"] = themes.get(row["recommendation_id"], [])
            row["verified"] = bool(row["verified"])
            row["last_action_date"] = _date(row["last_action_date"])
            row["updated_at"] = _utc_text(row["updated_at"])
            yield row


def _raw_chunks(queryset: QuerySet, chunk_size: int) -> Iterator[list[tuple]]:
    """The queryset's rows as the database returns them, `chunk_size` at a time, through
    Django's chunked cursor (server-side on PostgreSQL, so memory stays flat). The ORM's
    per-value converters are skipped: on a million rows they cost more than the query;
    the three values that need it are converted by status_rows."""
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(chunk_size):
            yield batch


def _date(value) -> datetime.date | None:
    """SQLite returns dates as text, PostgreSQL as dates."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _utc_text(value) -> str:
    """updated_at as ISO 8601 UTC text. SQLite holds it as naive UTC text
    ("2026-11-22 11:45:00.123456"), PostgreSQL returns an aware datetime."""
    if isinstance(value, str):
        return value.replace(" ", "T", 1) + "Z"
    return utc_iso(value)


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
