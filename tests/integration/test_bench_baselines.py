"""The bench's hand-written baselines (bench/) on the database the suite runs on.

`make test` runs this on SQLite and on PostgreSQL, so both dialects of the SQL the bench
compares the tracker against are run: the coverage SQL (through Django's own driver
connection, as the bench does on PostgreSQL) must give the selector's figures, and the
raw export's query one row per follow-up.
"""

import datetime
import os

import pytest
from django.db import connection

from bench.baselines import coverage_sql
from bench.databases import Scratch
from bench.raw_export import EXPORT_HEADER, export_sql
from bench.run import _same_figures
from recommendations.models import FollowUp
from recommendations.selectors.coverage import coverage_by_theme
from recommendations.selectors.exports import STATUS_COLUMNS, status_rows
from recommendations.services.demo import demo_build

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2021, 6, 30)  # some demo deadlines past, some to come


@pytest.fixture
def demo():
    demo_build(recommendations=150, follow_ups=1500, seed=9)


def test_the_coverage_sql_gives_the_selectors_figures(demo):
    connection.ensure_connection()
    raw = coverage_sql(connection.connection, TODAY)
    assert _same_figures(coverage_by_theme(today=TODAY), raw)
    # The demo's deadlines make the deadline figures something to compare.
    assert 0 < raw["total"]["overdue"] < raw["total"]["recommendations"]
    assert raw["total"]["median_age_open"] > 0


def test_the_raw_export_query_gives_the_rows_and_deadlines_of_the_export(demo):
    connection.ensure_connection()
    today = datetime.date.today().isoformat()
    rows = connection.connection.execute(export_sql(connection.vendor), {"today": today})
    rows = rows.fetchall()
    assert len(rows) == FollowUp.objects.count() == 1500
    assert [column.key for column in STATUS_COLUMNS] == EXPORT_HEADER
    assert all(len(row) == len(EXPORT_HEADER) for row in rows)
    assert {row[9] for row in rows} == {0, 1}  # verified, as a number on both
    assert all(row[4] for row in rows)  # every demo recommendation has a theme
    # The deadline columns: the same as the tracker's, and some follow-ups overdue.
    raw = [(row[0], row[13] and str(row[13]), row[14]) for row in rows]
    assert raw == [(row[0], row[13], row[14]) for row in status_rows()]
    assert any(days for _pk, _due, days in raw)


def test_a_scratch_database_starts_each_run_from_its_template(tmp_path):
    """Where import_seeds and the questionnaire run: a file copied, or a database created
    from a template on the same PostgreSQL server."""
    if connection.vendor == "postgresql":
        import psycopg as driver

        base = os.environ["DATABASE_URL"]
    else:
        import sqlite3 as driver

        base = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    scratch = Scratch(base, "tracker_bench_scratch_test", sqlite_file=tmp_path / "s.sqlite3")

    def execute(*statements):
        url = scratch.url.removeprefix("sqlite:///") if scratch.vendor == "sqlite" else scratch.url
        db = driver.connect(url)
        try:
            cursors = [db.execute(sql) for sql in statements]
            rows = cursors[-1].fetchall() if cursors[-1].description else None
            db.commit()
            return rows
        finally:
            db.close()

    scratch.create()
    try:
        execute("CREATE TABLE t (n INTEGER)", "INSERT INTO t VALUES (1)")
        scratch.save_template()
        execute("INSERT INTO t VALUES (2)")
        assert execute("SELECT COUNT(*) FROM t") == [(2,)]
        scratch.restore()
        assert execute("SELECT COUNT(*) FROM t") == [(1,)]
    finally:
        scratch.drop()
