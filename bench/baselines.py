"""Hand-written SQL baseline for the coverage table, on SQLite and on PostgreSQL.

Written the way one would by hand, knowing the schema: a follow-up is unique per
recommendation and member state, a theme link unique per recommendation and theme, so
plain COUNT/SUM replace the ORM's COUNT(DISTINCT ...). The SQL is the same on both
databases but for the date of a timestamp and the parameter marker; `db` is a sqlite3
connection or a psycopg one (bench/databases.py, raw_connection).
"""

import datetime
import math
import statistics
from collections import defaultdict
from typing import Any

from bench.databases import is_sqlite, placeholder
from recommendations.selectors.coverage import (
    STATUS_CODES,
    TOTAL_CODE,
    TOTAL_NAME_EN,
    TOTAL_NAME_ZH,
    percent,
)

# Per theme, then the total row (is_total = 1, sorted last). per_rec folds each
# recommendation's follow-ups into one row, so the theme rows join 1 row per link.
COVERAGE_ROWS_SQL = """
WITH per_rec AS (
    SELECT recommendation_id AS rid, COUNT(*) AS n,
           COUNT(*) FILTER (WHERE status = 'not_started') AS s_not_started,
           COUNT(*) FILTER (WHERE status = 'in_progress') AS s_in_progress,
           COUNT(*) FILTER (WHERE status = 'implemented') AS s_implemented,
           COUNT(*) FILTER (WHERE status = 'not_implemented') AS s_not_implemented,
           COUNT(*) FILTER (WHERE status = 'not_applicable') AS s_not_applicable,
           COUNT(*) FILTER (WHERE status = 'implemented' AND verified_at IS NOT NULL)
               AS verified,
           COUNT(*) FILTER (WHERE status = 'implemented' AND verified_at IS NULL)
               AS unverified
    FROM recommendations_followup GROUP BY recommendation_id
),
active AS (
    SELECT r.id, p.* FROM recommendations_recommendation r
    LEFT JOIN per_rec p ON p.rid = r.id
    WHERE NOT r.is_withdrawn
)
SELECT 0 AS is_total, t.position, t.code, t.name_zh, t.name_en,
       COUNT(a.id), COUNT(a.rid), COALESCE(SUM(a.n), 0),
       COALESCE(SUM(a.s_not_started), 0), COALESCE(SUM(a.s_in_progress), 0),
       COALESCE(SUM(a.s_implemented), 0), COALESCE(SUM(a.s_not_implemented), 0),
       COALESCE(SUM(a.s_not_applicable), 0),
       COALESCE(SUM(a.verified), 0), COALESCE(SUM(a.unverified), 0)
FROM recommendations_theme t
LEFT JOIN recommendations_recommendationtheme rt ON rt.theme_id = t.id
LEFT JOIN active a ON a.id = rt.recommendation_id
GROUP BY t.id
UNION ALL
SELECT 1, NULL, NULL, NULL, NULL,
       COUNT(a.id), COUNT(a.rid), COALESCE(SUM(a.n), 0),
       COALESCE(SUM(a.s_not_started), 0), COALESCE(SUM(a.s_in_progress), 0),
       COALESCE(SUM(a.s_implemented), 0), COALESCE(SUM(a.s_not_implemented), 0),
       COALESCE(SUM(a.s_not_applicable), 0),
       COALESCE(SUM(a.verified), 0), COALESCE(SUM(a.unverified), 0)
FROM active a
ORDER BY 1, 2, 3
"""
# The status columns above, in this order.
STATUSES = ["not_started", "in_progress", "implemented", "not_implemented", "not_applicable"]

COVERAGE_STATES_SQL = """
SELECT m.iso3, m.name_en, m.name_zh, COUNT(*)
FROM recommendations_followup f
JOIN recommendations_recommendation r ON r.id = f.recommendation_id
JOIN recommendations_memberstate m ON m.iso3 = f.member_state_id
WHERE NOT r.is_withdrawn
GROUP BY m.iso3
ORDER BY m.name_en
"""

COVERAGE_STATE_THEMES_SQL = """
SELECT f.member_state_id, t.code, COUNT(*)
FROM recommendations_followup f
JOIN recommendations_recommendation r ON r.id = f.recommendation_id
JOIN recommendations_recommendationtheme rt ON rt.recommendation_id = f.recommendation_id
JOIN recommendations_theme t ON t.id = rt.theme_id
WHERE NOT r.is_withdrawn
GROUP BY f.member_state_id, t.code
"""


# Deadlines (selectors/deadlines.py): the due date of each active recommendation (its own,
# else its report's) and its themes; the recommendations a final follow-up closed; per
# member state, the past-due recommendations it closed; each report's date.
DEADLINE_RECOMMENDATIONS_SQL = """
SELECT r.id, r.report_id, COALESCE(r.due_date, p.due_date), t.code
FROM recommendations_recommendation r
JOIN recommendations_report p ON p.id = r.report_id
LEFT JOIN recommendations_recommendationtheme l ON l.recommendation_id = r.id
LEFT JOIN recommendations_theme t ON t.id = l.theme_id
WHERE NOT r.is_withdrawn
"""
CLOSED_SQL = """
SELECT DISTINCT f.recommendation_id
FROM recommendations_followup f
JOIN recommendations_recommendation r ON r.id = f.recommendation_id
WHERE NOT r.is_withdrawn AND f.status IN ('implemented', 'not_implemented', 'not_applicable')
"""
CLOSED_PAST_DUE_SQL = """
SELECT f.member_state_id, COUNT(*)
FROM recommendations_followup f
JOIN recommendations_recommendation r ON r.id = f.recommendation_id
JOIN recommendations_report p ON p.id = r.report_id
WHERE NOT r.is_withdrawn
  AND f.status IN ('implemented', 'not_implemented', 'not_applicable')
  AND COALESCE(r.due_date, p.due_date) < {param}
GROUP BY f.member_state_id
"""
REPORT_DATES_SQL = """
SELECT p.id, COALESCE(MAX(s.start_date), p.document_date, {imported_day})
FROM recommendations_report p
LEFT JOIN recommendations_reportsession s ON s.report_id = p.id
GROUP BY p.id
"""


# The date (UTC) of a timestamp column: SQLite stores ISO text, PostgreSQL a timestamptz
# (and Django's connections use UTC).
IMPORTED_DAY = {True: "substr(p.imported_at, 1, 10)", False: "CAST(p.imported_at AS date)"}


def _date(value) -> datetime.date | None:
    """A date column's value: ISO text from sqlite3, a date from psycopg."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _deadlines(db, today: datetime.date):
    """(figures per row code, overdue per member state), as coverage_by_theme has them."""
    members: dict[str, list[int]] = defaultdict(list)
    due_of: dict[int, datetime.date | None] = {}
    report_of: dict[int, int] = {}
    for pk, report, due, code in db.execute(DEADLINE_RECOMMENDATIONS_SQL):
        due_of[pk], report_of[pk] = _date(due), report
        if code is not None:
            members[code].append(pk)
    members[TOTAL_CODE] = list(due_of)
    past_due = {pk for pk, due in due_of.items() if due is not None and due < today}
    closed = {pk for (pk,) in db.execute(CLOSED_SQL)}
    closed_past_due = dict(
        db.execute(
            CLOSED_PAST_DUE_SQL.format(param=placeholder(db)),
            (today.isoformat() if is_sqlite(db) else today,),
        ).fetchall()
    )
    report_dates = REPORT_DATES_SQL.format(imported_day=IMPORTED_DAY[is_sqlite(db)])
    dates = {pk: _date(day) for pk, day in db.execute(report_dates)}
    age = {pk: (today - dates[report_of[pk]]).days for pk in due_of if pk not in closed}
    figures = {}
    for code, pks in members.items():
        ages = [age[pk] for pk in pks if pk in age]
        figures[code] = {
            "overdue": sum(1 for pk in pks if pk in age and pk in past_due),
            "median_age_open": math.floor(statistics.median(ages) + 0.5) if ages else None,
        }
    overdue = {iso3: len(past_due) - n for iso3, n in closed_past_due.items()}
    return figures, overdue, len(past_due)


def _row(code, name_zh, name_en, counts, states_reporting) -> dict[str, Any]:
    # SUM of counts is a numeric on PostgreSQL (a Decimal): whole numbers here.
    recommendations, covered, follow_ups, *rest = (int(count) for count in counts)
    status_counts = dict(zip(STATUSES, rest[: len(STATUSES)], strict=True))
    verified, unverified = rest[len(STATUSES) :]
    return {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "recommendations": recommendations,
        "covered": covered,
        "coverage_pct": percent(covered, recommendations),
        "states_reporting": states_reporting,
        "status_counts": status_counts,
        "implemented_pct": percent(status_counts["implemented"], follow_ups),
        "verified_implemented": verified,
        "unverified_implemented": unverified,
    }


def coverage_sql(db, today: datetime.date) -> dict[str, Any]:
    """The same result as coverage_by_theme(today=today) without a scope (the "No theme"
    row aside), from seven SQL queries."""
    if STATUSES != STATUS_CODES:
        raise RuntimeError("bench/baselines.py: update the status columns of the SQL")
    rows = db.execute(COVERAGE_ROWS_SQL).fetchall()
    per_state = db.execute(COVERAGE_STATES_SQL).fetchall()
    reported: dict[tuple[str, str], int] = {}
    states_per_theme: dict[str, int] = {}
    for iso3, code, n in db.execute(COVERAGE_STATE_THEMES_SQL):
        reported[(iso3, code)] = n
        states_per_theme[code] = states_per_theme.get(code, 0) + 1
    themes = [
        _row(code, zh, en, counts, states_per_theme.get(code, 0))
        for is_total, _position, code, zh, en, *counts in rows
        if not is_total
    ]
    total_counts = rows[-1][5:]  # the total row sorts last (is_total = 1)
    total = _row(TOTAL_CODE, TOTAL_NAME_ZH, TOTAL_NAME_EN, total_counts, len(per_state))
    states = [
        {
            "iso3": iso3,
            "name_en": name_en,
            "name_zh": name_zh,
            "themes": {
                theme["code"]: percent(
                    reported.get((iso3, theme["code"]), 0), theme["recommendations"]
                )
                for theme in themes
            },
            "total": percent(n, total["recommendations"]),
        }
        for iso3, name_en, name_zh, n in per_state
    ]
    figures, overdue, past_due = _deadlines(db, today)
    empty = {"overdue": 0, "median_age_open": None}
    for row in [*themes, total]:
        row.update(figures.get(row["code"], empty))
    for state in states:
        state["overdue"] = overdue.get(state["iso3"], past_due)
    return {"themes": themes, "total": total, "states": states}
