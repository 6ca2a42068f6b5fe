"""The raw baseline of the status export: the driver -> csv.writer, no Django imported.

The same rows, columns and order as recommendations.selectors.exports.status_rows, from
one SQL query (last action date and theme codes included), written as UTF-8 CSV with BOM.
On SQLite through sqlite3; on PostgreSQL through psycopg (Django's driver) with a
server-side cursor, as the tracker's export reads its rows, so neither holds them all.
"""

import csv
import sqlite3
from pathlib import Path

from bench.databases import SQLITE, sqlite_path, vendor_of

EXPORT_SQL = """
SELECT f.id, rep.symbol, r.label, f.recommendation_id, th.codes, f.member_state_id,
       m.name_en, m.name_zh, f.status,
       CASE WHEN f.verified_at IS NULL THEN 0 ELSE 1 END, f.response,
       (SELECT MAX(a.date) FROM recommendations_action a WHERE a.follow_up_id = f.id),
       f.updated_at
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
]


def export_csv_raw(database_url: str, output: Path) -> int:
    """driver -> csv.writer: the same rows, in the same order, as the status export."""
    vendor = vendor_of(database_url)
    sql = EXPORT_SQL.format(codes=THEME_CODES[vendor])
    if vendor == SQLITE:
        db = sqlite3.connect(f"file:{sqlite_path(database_url)}?mode=ro", uri=True)
        try:
            return _write(db.execute(sql), output)
        finally:
            db.close()
    import psycopg

    with psycopg.connect(database_url) as db, db.cursor(name="export") as cursor:
        cursor.execute(sql)
        return _write(cursor, output)


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
