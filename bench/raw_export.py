"""The raw baseline of the status export: sqlite3 -> csv.writer, no Django imported.

The same rows, columns and order as recommendations.selectors.exports.status_rows, from
one SQL query (last action date and theme codes included), written as UTF-8 CSV with BOM.
"""

import csv
import sqlite3
from pathlib import Path

EXPORT_SQL = """
SELECT f.id, rep.symbol, r.label, f.recommendation_id, th.codes, f.member_state_id,
       m.name_en, m.name_zh, f.status, f.verified_at IS NOT NULL, f.response,
       (SELECT MAX(a.date) FROM recommendations_action a WHERE a.follow_up_id = f.id),
       f.updated_at
FROM recommendations_followup f
JOIN recommendations_recommendation r ON r.id = f.recommendation_id
JOIN recommendations_report rep ON rep.id = r.report_id
JOIN recommendations_memberstate m ON m.iso3 = f.member_state_id
LEFT JOIN (
    SELECT recommendation_id AS rid, group_concat(code, ';') AS codes FROM (
        SELECT rt.recommendation_id, t.code FROM recommendations_recommendationtheme rt
        JOIN recommendations_theme t ON t.id = rt.theme_id
        ORDER BY rt.recommendation_id, t.position, t.code
    ) GROUP BY recommendation_id
) th ON th.rid = r.id
ORDER BY rep.symbol, r.position, f.member_state_id
"""

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


def export_csv_raw(database: str, output: Path) -> int:
    """sqlite3 -> csv.writer: the same rows, in the same order, as the status export."""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = 0
        with output.open("w", encoding="utf-8", newline="") as handle:
            handle.write("\ufeff")  # as the tracker does: faster than the utf-8-sig codec
            writer = csv.writer(handle)
            writer.writerow(EXPORT_HEADER)
            cursor = db.execute(EXPORT_SQL)
            while chunk := cursor.fetchmany(2000):
                writer.writerows(chunk)
                rows += len(chunk)
        return rows
    finally:
        db.close()
