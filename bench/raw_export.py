"""The raw baseline of the status export: the driver -> csv.writer, no Django imported.

The same rows, columns and order as recommendations.selectors.exports.status_rows, from
one SQL query (last action date and theme codes included), written as UTF-8 CSV with BOM.
On SQLite through sqlite3; on PostgreSQL through psycopg (Django's driver) with a
server-side cursor, as the tracker's export reads its rows, so neither holds them all.
"""

import csv
import datetime
import sqlite3
from pathlib import Path

from bench.databases import SQLITE, sqlite_path, vendor_of

EXPORT_SQL = """
SELECT f.id, rep.symbol, r.label, f.recommendation_id, th.codes, f.member_state_id,
       m.name_en, m.name_zh, f.status,
       CASE WHEN f.verified_at IS NULL THEN 0 ELSE 1 END, f.response,
       (SELECT MAX(a.date) FROM recommendations_action a WHERE a.follow_up_id = f.id),
       f.updated_at, COALESCE(r.due_date, rep.due_date),
       CASE WHEN NOT r.is_withdrawn
                 AND f.status NOT IN ('implemented', 'not_implemented', 'not_applicable')
                 AND COALESCE(r.due_date, rep.due_date) < {today}
            THEN {days} END
FROM recommendations_followup f
JOIN recommendations_recommendation r ON r.id = f.recommendation_id
JOIN recommendations_report rep ON rep.id = r.report_id
JOIN recommendations_memberstate m ON m.iso3 = f.member_state_id
LEFT JOIN (
    SELECT recommendation_id AS rid, {codes} AS codes FROM (
        SELECT rt.recommendation_id, t.code, t.position
        FROM recommendations_recommendationtheme rt
        JOIN recommendations_theme t ON t.id = rt.theme_id
        ORDER BY rt.recommendation_id, t.position, t.code
    ) ordered GROUP BY recommendation_id
) th ON th.rid = r.id
ORDER BY rep.symbol, r.position, f.member_state_id
"""
# days_overdue (selectors/deadlines.py): days from the due date to today, for an open
# follow-up of an active recommendation past it.
DAYS_OVERDUE = {
    "sqlite": "CAST(julianday({today}) - julianday(COALESCE(r.due_date, rep.due_date)) AS INTEGER)",
    "postgresql": "CAST({today} AS date) - COALESCE(r.due_date, rep.due_date)",
}
# The theme codes of a recommendation in order: SQLite's group_concat keeps the order of
# the rows it folds, PostgreSQL's string_agg is told.
THEME_CODES = {
    "sqlite": "group_concat(code, ';')",
    "postgresql": "string_agg(code, ';' ORDER BY position, code)",
}

EXPORT_HEADER = [
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
    "due_date",
    "days_overdue",
]


def export_csv_raw(database_url: str, output: Path) -> int:
    """driver -> csv.writer: the same rows, in the same order, as the status export."""
    vendor = vendor_of(database_url)
    sql = export_sql(vendor)
    today = datetime.date.today().isoformat()
    if vendor == SQLITE:
        db = sqlite3.connect(f"file:{sqlite_path(database_url)}?mode=ro", uri=True)
        try:
            return _write(db.execute(sql, {"today": today}), output)
        finally:
            db.close()
    import psycopg

    with psycopg.connect(database_url) as db, db.cursor(name="export") as cursor:
        cursor.execute(sql, {"today": today})
        return _write(cursor, output)


def export_sql(vendor: str) -> str:
    """The query for sqlite3 or psycopg, with a named parameter `today` (ISO text)."""
    today = ":today" if vendor == SQLITE else "%(today)s"
    days = DAYS_OVERDUE[vendor].format(today=today)
    return EXPORT_SQL.format(codes=THEME_CODES[vendor], today=today, days=days)


def _write(cursor, output: Path) -> int:
    rows = 0
    with output.open("w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")  # as the tracker does: faster than the utf-8-sig codec
        writer = csv.writer(handle)
        writer.writerow(EXPORT_HEADER)
        while chunk := cursor.fetchmany(2000):
            writer.writerows(chunk)
            rows += len(chunk)
    return rows
