"""Benchmarks of the tracker against baselines measured in the same run; one table per
database: SQLite, then PostgreSQL.

    .venv/bin/python bench/run.py          (or: make bench)
    BENCH_DATABASES=sqlite .venv/bin/python bench/run.py        (one database only)

Each database is benched by a process of its own (`bench/run.py --database sqlite|postgresql`);
PostgreSQL's runs under scripts/with_postgres.sh, which starts a throwaway server the way
the test suite does (initdb in a temporary directory, fsync off, unix socket only) and
removes it afterwards, unless BENCH_POSTGRESQL_URL names a server to use instead. On each,
the bench builds a throwaway database once (migrate + seed_demo), then measures:
1. import_seeds into an empty database, and the re-import of the unchanged seeds;
2. two API lists through the WSGI app with a real liaison token, against a bare Django
   view (bench/floor.py) with the same authentication, middleware and rows;
3. coverage_by_theme() over everything, against hand-written SQL (bench/baselines.py);
4. export_statuses (CSV) of every follow-up, against the driver (sqlite3, psycopg) ->
   csv.writer;
5. the questionnaire round trip of one state over 2,000 recommendations (export, preview,
   apply) in a database of its own, against openpyxl writing and reading the same cells
   (bench/questionnaire.py, which also runs alone and documents its BENCH_QUESTIONNAIRE_*
   variables);
6. the session report (DOCX) over every recommendation, its annex capped, against
   coverage_by_theme() alone in the same process (bench/session_report.py).

The baselines run on the same database as the tracker: the hand-written SQL through
sqlite3 on SQLite and through the Django connection's psycopg connection on PostgreSQL
(bench/databases.py); import_seeds and the questionnaire get databases of their own on
the same server (a file, or a database created from a template per run).

Environment (all optional):
  BENCH_DATABASES         which, in order (default sqlite,postgresql)
  BENCH_RECOMMENDATIONS   demo recommendations (default 100000)
  BENCH_FOLLOW_UPS        demo follow-ups (default 1000000)
  BENCH_SEED              seed_demo seed (default 0)
  BENCH_DATABASE_URL      SQLite URL of the throwaway database
                          (default sqlite:////tmp/tracker-bench.sqlite3; it is deleted first)
  BENCH_POSTGRESQL_URL    a PostgreSQL server to use instead of a throwaway one: its
                          database is dropped and created again, and databases named
                          tracker_bench_* are created beside it (the role must be allowed to)
  BENCH_REUSE=1           reuse the data set if it was built with the same sizes and seed
                          (and seed_demo version): SQLite's file survives the run; on
                          PostgreSQL scripts/with_postgres.sh then keeps its cluster in
                          BENCH_POSTGRESQL_DIR (default /tmp/tracker-bench-postgresql;
                          WITH_POSTGRES_KEEP) between runs instead of a throwaway one
  BENCH_REPEAT            timed calls per API measurement (default 50)
  BENCH_EXPORT_RUNS       exports per side, interleaved; the median is shown (default 3)

The bench sets DEBUG=0, persistent database connections (CONN_MAX_AGE) and a throttle
rate high enough not to answer 429; everything else is the project's settings.
"""

import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.databases import (  # noqa: E402
    POSTGRESQL,
    SQLITE,
    TITLES,
    Scratch,
    drop_and_create,
    raw_connection,
    sqlite_path,
    vendor_of,
)

DEFAULT_DATABASE_URL = f"sqlite:///{Path(tempfile.gettempdir()) / 'tracker-bench.sqlite3'}"
IMPORT_DATABASE = "tracker_bench_import"  # a file in the temporary directory on SQLite
# What seed_demo builds, beside its sizes: a data set built by an older one is rebuilt.
# 2: the sessions of the bodies and the due dates.
DEMO_VERSION = 2
RECOMMENDATION_QUERY = "limit=50&theme=drugs&body=CND"
FOLLOW_UP_QUERY = "limit=50"


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["CONN_MAX_AGE"] = "600"
    os.environ["API_THROTTLE_RATE"] = "1000000/s"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    import django

    django.setup()


def median_seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM: reset by exec, unlike ru_maxrss)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Children: measurements that need their own process --------------------------------


def child_imports() -> dict:
    """import_seeds into an empty database (3 fresh copies), then unchanged re-imports."""
    import hashlib

    scratch = Scratch(os.environ["BENCH_DATABASE_URL"], IMPORT_DATABASE)
    scratch.create()
    setup_django(scratch.url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from recommendations.parsing import Taxonomy, decode_report, parse_report

    call_command("migrate", verbosity=0)
    connections.close_all()
    scratch.save_template()
    fresh = []
    for _ in range(3):
        connections.close_all()
        scratch.restore()
        started = time.perf_counter()
        call_command("import_seeds", stdout=io.StringIO())
        fresh.append(time.perf_counter() - started)
    reimport = median_seconds(lambda: call_command("import_seeds", stdout=io.StringIO()), 5)
    paths = sorted(p for p in Path(settings.SEEDS_DIR).iterdir() if p.is_file())

    def parse_all():
        taxonomy = Taxonomy.load()
        for path in paths:
            parse_report(decode_report(path.read_bytes()), taxonomy=taxonomy)

    def hash_all():
        for path in paths:
            hashlib.sha256(path.read_bytes()).hexdigest()

    result = {
        "files": len(paths),
        "import": statistics.median(fresh),
        "reimport": reimport,
        "parse": median_seconds(parse_all, 5),
        "hash": median_seconds(hash_all, 5),
    }
    connections.close_all()
    scratch.drop()
    return result


def child_export(kind: str, trace: bool) -> dict:
    """One CSV export of every follow-up: the project's service, or the raw baseline."""
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    with tempfile.TemporaryDirectory(prefix="tracker-bench-export-") as directory:
        if kind == "tracker":
            setup_django(database_url)
            from django.core.management import call_command

            def run() -> int:  # the command a user types, as it runs from cron
                out = io.StringIO()
                call_command(
                    "export_statuses", "--output", directory, "--format", "csv", stdout=out
                )
                return int(out.getvalue().split()[1])  # "Wrote N rows to …"
        else:
            from bench.raw_export import export_csv_raw

            def run() -> int:
                return export_csv_raw(database_url, Path(directory) / "statuses.csv")

        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        rows = run()
        seconds = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    return {"rows": rows, "seconds": seconds, "traced_mb": traced_peak, "rss_mb": peak_rss_mb()}


def median_run(measured: list[dict]) -> dict:
    """The run of median time, with the highest peak RSS of all the runs."""
    middle = sorted(measured, key=lambda run: run["seconds"])[len(measured) // 2]
    return {**middle, "rss_mb": max(run["rss_mb"] for run in measured)}


def run_child(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"bench child {args} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# The data set ------------------------------------------------------------------------


REAL_REPORT_SQL = "SELECT symbol FROM recommendations_report WHERE symbol NOT LIKE 'DEMO/%' LIMIT 1"
# The data set's parameters, recorded in the database itself once seed_demo is done.
MARKER_SQL = {
    "create": "CREATE TABLE bench_data_set (params TEXT NOT NULL)",
    "insert": "INSERT INTO bench_data_set VALUES (%s)",
    "select": "SELECT params FROM bench_data_set",
}


def _query_or_none(url: str, sql: str):
    """The first row of `sql`, or None where the table is not there (not a tracker
    database, or an empty one: a throwaway)."""
    from django.db import DatabaseError

    if vendor_of(url) == SQLITE and not sqlite_path(url).exists():
        return None
    try:  # PostgreSQL: Django's connection is in autocommit, a failed query leaves no trace
        with raw_connection(url) as db:
            return db.execute(sql).fetchone()
    except (DatabaseError, *_driver_errors()):
        return None


def _driver_errors() -> tuple:
    import sqlite3

    import psycopg

    return (sqlite3.DatabaseError, psycopg.Error)


def refuse_real_database(url: str) -> None:
    """The bench deletes its database: never one that holds imported (non-demo) reports."""
    real = _query_or_none(url, REAL_REPORT_SQL)
    if real:
        raise SystemExit(
            f"{url} holds imported reports (e.g. {real[0]}): the bench deletes its "
            "database, so point the bench at a throwaway one."
        )


def build(url: str, params: dict) -> tuple[float | None, dict]:
    """migrate + seed_demo into a fresh database, unless BENCH_REUSE allows the last one."""
    from django.core.management import call_command
    from django.db import connection, connections

    from recommendations.models import Action, BodySession, FollowUp, Recommendation, Report

    refuse_real_database(url)
    reuse = os.environ.get("BENCH_REUSE") == "1"
    built = _query_or_none(url, MARKER_SQL["select"])
    seconds = None
    if not (reuse and built and json.loads(built[0]) == params):
        connections.close_all()
        drop_and_create(url)
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command(
            "seed_demo",
            recommendations=params["recommendations"],
            follow_ups=params["follow_ups"],
            seed=params["seed"],
            verbosity=0,
        )
        seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(MARKER_SQL["create"])
            cursor.execute(MARKER_SQL["insert"], [json.dumps(params)])
    else:
        call_command("migrate", verbosity=0)  # a data set built before newer migrations
    counts = {
        "reports": Report.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "actions": Action.objects.count(),
        "sessions": BodySession.objects.count(),
    }
    return seconds, counts


# API through the WSGI app -------------------------------------------------------------


class Wsgi:
    def __init__(self, key: str) -> None:
        from django.core.wsgi import get_wsgi_application

        self.app = get_wsgi_application()
        self.key = key

    def get(self, path: str, query: str) -> tuple[int, bytes]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "443",  # as behind TLS: production redirects plain HTTP
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_ACCEPT": "application/json",
            "HTTP_AUTHORIZATION": f"Token {self.key}",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        status = []
        result = self.app(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(status[0][:3]), body


def count_queries(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def bench_list(client: Wsgi, api_path: str, floor_path: str, query: str, repeat: int) -> dict:
    """Median time of the API list and of the floor view; query counts; same rows?"""
    for _ in range(5):  # warm up (and let the token record its last use)
        assert client.get(api_path, query)[0] == 200
        assert client.get(floor_path, query)[0] == 200
    api_times, floor_times = [], []
    for _ in range(repeat):  # interleaved, so that drift hits both alike
        for path, times in ((api_path, api_times), (floor_path, floor_times)):
            started = time.perf_counter()
            status, _body = client.get(path, query)
            times.append(time.perf_counter() - started)
            assert status == 200, (path, status)
    api = json.loads(client.get(api_path, query)[1])
    floor = json.loads(client.get(floor_path, query)[1])
    other_query = query.replace("limit=50", "limit=5")
    return {
        "api": statistics.median(api_times),
        "floor": statistics.median(floor_times),
        "api_queries": count_queries(lambda: client.get(api_path, query)),
        "api_queries_small": count_queries(lambda: client.get(api_path, other_query)),
        "floor_queries": count_queries(lambda: client.get(floor_path, query)),
        "same_rows": api["count"] == floor["count"] and api["results"] == floor["results"],
        "rows": len(api["results"]),
        "count": api["count"],
    }


def bench_api(repeat: int) -> dict:
    from django.test.utils import override_settings

    from recommendations.models import MemberState
    from recommendations.services.tokens import liaison_create

    _user, _created, _token, key = liaison_create(
        username="bench-liaison", member_state=MemberState.objects.get(iso3="KEN")
    )
    with override_settings(ROOT_URLCONF="bench.urls"):
        client = Wsgi(key)
        return {
            "recommendations": bench_list(
                client,
                "/api/v1/recommendations/",
                "/api/v1/floor/recommendations/",
                RECOMMENDATION_QUERY,
                repeat,
            ),
            "follow_ups": bench_list(
                client, "/api/v1/follow-ups/", "/api/v1/floor/follow-ups/", FOLLOW_UP_QUERY, repeat
            ),
        }


# Coverage -----------------------------------------------------------------------------


def _same_figures(orm: dict, raw: dict) -> bool:
    """The tracker's figures equal the SQL's, figure by figure, for every figure the SQL
    computes (all but the "No theme" row)."""

    def shared(mine, theirs):
        if isinstance(theirs, dict):
            return {key: shared(mine[key], value) for key, value in theirs.items()}
        if isinstance(theirs, list):
            return [shared(a, b) for a, b in zip(mine, theirs, strict=True)]
        return mine

    return all(shared(orm[key], raw[key]) == raw[key] for key in ("themes", "total", "states"))


def bench_coverage(url: str) -> dict:
    from django.utils import timezone

    from bench.baselines import coverage_sql
    from recommendations.selectors.coverage import coverage_by_theme, kept_reads_forget

    def first_read():  # nothing kept of the figures, as after a write
        kept_reads_forget()
        return coverage_by_theme(today=today)

    with raw_connection(url) as db:
        today = timezone.localdate()
        orm_result = first_read()
        raw_result = coverage_sql(db, today)
        agree = _same_figures(orm_result, raw_result)
        orm_times, sql_times = [], []
        for _ in range(3):  # interleaved, so that drift hits both alike
            orm_times.append(median_seconds(first_read, 1))
            sql_times.append(median_seconds(lambda: coverage_sql(db, today), 1))
        return {
            "orm": statistics.median(orm_times),
            "sql": statistics.median(sql_times),
            "queries": count_queries(first_read),
            "agree": agree,
        }


# Maintained coverage figures (issue 19) ---------------------------------------------

GROUP_BY_SQL = (
    "SELECT l.theme_id, f.status, COUNT(*) FROM recommendations_followup f "
    "JOIN recommendations_recommendationtheme l ON l.recommendation_id = f.recommendation_id "
    "GROUP BY l.theme_id, f.status"
)


def _median_of(function, repeat: int) -> float:
    function()  # warm
    return median_seconds(function, repeat)


def bench_figures(url: str, repeat: int) -> dict:
    """Coverage from the maintained figures, per scope; the plain GROUP BY; the page; a
    liaison PATCH with and without the maintenance."""
    import datetime

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    from recommendations.models import Body, FollowUp, MemberState, Report
    from recommendations.selectors import coverage as coverage_selectors
    from recommendations.selectors.coverage import coverage_by_theme, coverage_for_liaison
    from recommendations.services import follow_ups as follow_up_services
    from recommendations.services.tokens import liaison_create

    def first(function):
        """`function` as the first read after a write: nothing kept of the figures."""
        coverage_selectors.kept_reads_forget()
        return function()

    with raw_connection(url) as db:
        everything, first_read, group_by = [], [], []
        coverage_by_theme()
        for _ in range(5):  # interleaved; each first read leaves its reads kept
            everything.append(median_seconds(coverage_by_theme, 1))
            first_read.append(median_seconds(lambda: first(coverage_by_theme), 1))
            group_by.append(median_seconds(lambda: db.execute(GROUP_BY_SQL).fetchall(), 1))

    period_all = {"updated_from": None, "updated_to": None, "iso3": None}
    themes = coverage_selectors._themes()
    without_deadlines = _median_of(
        lambda: coverage_selectors._from_figures(None, 0, None, True, None, themes), 5
    )
    deadlines = _median_of(
        lambda: coverage_selectors._DeadlineFigures(
            body_code=None,
            body_key=0,
            period=period_all,
            today=datetime.date.today(),
            token=None,
            theme_list=themes,
            closed=None,
        ),
        5,
    )
    report = Report.objects.order_by("pk").first()
    body = Body.objects.filter(recommendations__report=report).order_by("code").first()
    scopes = {
        "report": {"report": report.pk},
        "body": {"body": "CND"},
        "member state": {"member_state": "KEN"},
        "report + state": {"report": report.pk, "member_state": "KEN"},
        "body + state": {"body": "CND", "member_state": "KEN"},
        "report + body": {"report": report.pk, "body": body.code},
    }
    # Each scope as the first read after a write (its reads of the figures not kept).
    scoped = {
        name: _median_of(lambda a=a: first(lambda: coverage_by_theme(**a)), 5)
        for name, a in scopes.items()
    }
    # What a liaison's GET /api/v1/coverage/ computes: small numbers withheld.
    scoped["everything, as a liaison sees it (small numbers withheld)"] = _median_of(
        lambda: first(
            lambda: coverage_for_liaison("KEN", minimum=settings.COVERAGE_MIN_OTHER_STATES)
        ),
        5,
    )
    date_range = _median_of(
        lambda: coverage_by_theme(
            updated_from=datetime.date(2020, 1, 1), updated_to=datetime.date(2020, 12, 31)
        ),
        3,
    )
    # The page, whole request, as staff.
    staff, _ = get_user_model().objects.get_or_create(
        username="bench-staff", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(SERVER_NAME="127.0.0.1", HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):  # no collectstatic manifest here
        page_status = client.get("/coverage/", secure=True).status_code
        # Interleaved, so that the host's drift hits both alike; each first read leaves
        # its reads kept for the next request.
        page_times, page_first_times = [], []
        for _ in range(11):
            page_times.append(median_seconds(lambda: client.get("/coverage/", secure=True), 1))
            page_first_times.append(
                median_seconds(lambda: first(lambda: client.get("/coverage/", secure=True)), 1)
            )
        page, page_first = statistics.median(page_times), statistics.median(page_first_times)
    # A liaison PATCH, and the same PATCH with the maintenance switched off: in pairs
    # (there and back), so that the figures stay exact.
    kenya = MemberState.objects.get(iso3="KEN")
    _user, _created, _token, key = liaison_create(username="bench-patcher", member_state=kenya)
    follow_up = (
        FollowUp.objects.filter(member_state=kenya, recommendation__is_withdrawn=False)
        .order_by("pk")
        .first()
    )
    api = Client(SERVER_NAME="127.0.0.1", HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {key}")
    path = f"/api/v1/follow-ups/{follow_up.pk}/"

    def patch(status: str) -> float:
        etag = api.get(path, secure=True)["ETag"]
        started = time.perf_counter()
        response = api.patch(
            path,
            json.dumps({"status": status}),
            content_type="application/json",
            secure=True,
            HTTP_IF_MATCH=etag,
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content
        return elapsed

    original = follow_up.status
    other = "in_progress" if original != "in_progress" else "not_started"
    maintained_times, plain_times = [], []
    real = follow_up_services.figures.follow_ups_changed
    for _ in range(max(repeat // 2, 5)):
        maintained_times += [patch(other), patch(original)]
        follow_up_services.figures.follow_ups_changed = lambda changes: list(changes)
        try:
            plain_times += [patch(other), patch(original)]
        finally:
            follow_up_services.figures.follow_ups_changed = real
    patch_queries = count_queries(lambda: patch(other))
    patch(original)
    return {
        "everything": statistics.median(everything),
        "first_read": statistics.median(first_read),
        "group_by": statistics.median(group_by),
        "without_deadlines": without_deadlines,
        "deadlines": deadlines,
        "queries": (
            count_queries(lambda: first(coverage_by_theme)),
            count_queries(coverage_by_theme),
        ),
        "agree": all(
            coverage_by_theme(**scope) == coverage_by_theme(**scope, source="tables")
            for scope in [{}, {"member_state": "KEN"}, {"body": "CND"}]
        ),
        "scoped": scoped,
        "date_range": date_range,
        "page": page,
        "page_first": page_first,
        "page_status": page_status,
        "patch": statistics.median(maintained_times),
        "patch_plain": statistics.median(plain_times),
        "patch_queries": patch_queries,
        "patches": len(maintained_times),
    }


def figure_rows(fig: dict) -> list[list[str]]:
    rows = []
    ratio = fig["group_by"] / fig["everything"]
    rows.append(
        [
            "3b",
            "the same from the maintained figures, read again, no write in between (kept "
            "per figures version)",
            f"{ms(fig['everything'])}, {fig['queries'][1]} queries",
            f"one plain GROUP BY follow-up × theme: {ms(fig['group_by'])}",
            f"{ratio:.1f}× faster",
            "≤ 100 ms, ≥ 20× faster",
            verdict(fig["everything"] <= 0.1 and ratio >= 20),
        ]
    )
    ratio = fig["group_by"] / fig["first_read"]
    rows.append(
        [
            "3b",
            "the same, first read after a write (nothing kept)",
            f"{ms(fig['first_read'])}, {fig['queries'][0]} queries",
            f"the same GROUP BY: {ms(fig['group_by'])}",
            f"{ratio:.1f}× faster",
            "≤ 100 ms",
            verdict(fig["first_read"] <= 0.1),
        ]
    )
    rows.append(
        [
            "3c",
            "of which the figures read (themes, total, states)",
            ms(fig["without_deadlines"]),
            "the recomputation from the tables (all, KEN, CND): "
            + ("same numbers" if fig["agree"] else "NUMBERS DIFFER"),
            "—",
            "≤ 100 ms",
            verdict(fig["without_deadlines"] <= 0.1 and fig["agree"]),
        ]
    )
    rows.append(
        [
            "3d",
            "of which the deadline figures (overdue, median age, overdue per state)",
            ms(fig["deadlines"]),
            "—",
            "—",
            "—",
            "—",
        ]
    )
    for name, seconds in fig["scoped"].items():
        rows.append(
            [
                "3e",
                f"coverage, scope: {name}",
                ms(seconds),
                "—",
                "—",
                "≤ 200 ms",
                verdict(seconds <= 0.2),
            ]
        )
    rows.append(
        [
            "3f",
            "coverage, scope: follow-ups updated in 2020 (follow-ups from the base table)",
            ms(fig["date_range"]),
            "—",
            "—",
            "≤ 1.5 s",
            verdict(fig["date_range"] <= 1.5),
        ]
    )
    for label, seconds in (
        ("GET /coverage/ as staff, whole request, read again: median of 11", fig["page"]),
        ("the same, first read after a write (interleaved with the above)", fig["page_first"]),
    ):
        rows.append(
            [
                "3g",
                label,
                ms(seconds)
                + ("" if fig["page_status"] == 200 else f" (HTTP {fig['page_status']})"),
                "—",
                "—",
                "≤ 300 ms",
                verdict(seconds <= 0.3 and fig["page_status"] == 200),
            ]
        )
    ratio = fig["patch"] / fig["patch_plain"]
    rows.append(
        [
            "3h",
            f"liaison PATCH of a follow-up's status: median of {fig['patches']}",
            f"{ms(fig['patch'])}, {fig['patch_queries']} queries (GET for the ETag aside)",
            f"the same PATCH, figures not maintained: {ms(fig['patch_plain'])}",
            f"{ratio:.2f}×",
            "≤ 1.3×",
            verdict(ratio <= 1.3),
        ]
    )
    return rows


# The table ----------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else ms(seconds)


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "MISSED")


def table(results: dict) -> list[list[str]]:
    rows = []
    imp = results["imports"]
    rows.append(
        [
            "1a",
            f"import_seeds, {imp['files']} seeds into an empty DB",
            s(imp["import"]),
            f"read+decode+parse only: {s(imp['parse'])}",
            f"{imp['import'] / imp['parse']:.1f}×",
            "—",
            "—",
        ]
    )
    rows.append(
        [
            "1b",
            "import_seeds again, seeds unchanged",
            s(imp["reimport"]),
            f"read+sha256 only: {s(imp['hash'])}",
            f"{imp['reimport'] / imp['hash']:.0f}×",
            "—",
            "—",
        ]
    )
    for number, key, label in (
        ("2a", "recommendations", f"GET /api/v1/recommendations/?{RECOMMENDATION_QUERY}"),
        ("2b", "follow_ups", f"GET /api/v1/follow-ups/?{FOLLOW_UP_QUERY} (liaison KEN)"),
    ):
        api = results["api"][key]
        ratio = api["api"] / api["floor"]
        constant = api["api_queries"] == api["api_queries_small"]
        rows.append(
            [
                number,
                f"{label}: median of {results['repeat']}; {api['rows']} of {api['count']:,} rows",
                f"{ms(api['api'])}, {api['api_queries']} queries"
                + ("" if constant else f" (limit=5: {api['api_queries_small']})"),
                f"bare view: {ms(api['floor'])}, {api['floor_queries']} queries"
                + ("" if api["same_rows"] else " — ROWS DIFFER"),
                f"{ratio:.2f}×",
                "≤ 2×, queries constant",
                verdict(ratio <= 2 and constant and api["same_rows"]),
            ]
        )
    cov = results["coverage"]
    ratio = cov["orm"] / cov["sql"]
    rows.append(
        [
            "3",
            "coverage_by_theme() over everything (themes, total, states, deadlines), first "
            "read after a write",
            f"{s(cov['orm'])}, {cov['queries']} queries",
            f"hand-written SQL: {s(cov['sql'])}"
            + (", same numbers" if cov["agree"] else " — NUMBERS DIFFER"),
            f"{ratio:.2f}×",
            "≤ 1.5×",
            verdict(ratio <= 1.5 and cov["agree"]),
        ]
    )
    if "figures" in results:
        rows.extend(figure_rows(results["figures"]))
    exp = results["export"]
    tracker, raw = exp["tracker"], exp["raw"]
    speed, raw_speed = tracker["rows"] / tracker["seconds"], raw["rows"] / raw["seconds"]
    rows.append(
        [
            "4a",
            f"export_statuses --format csv, {tracker['rows']:,} rows: median of {exp['runs']}",
            f"{speed:,.0f} rows/s ({s(tracker['seconds'])})",
            f"{exp['driver']} → csv.writer: {raw_speed:,.0f} rows/s ({s(raw['seconds'])})"
            + ("" if tracker["rows"] == raw["rows"] else " — ROW COUNTS DIFFER"),
            f"{speed / raw_speed:.2f}×",
            "≥ 0.5×",
            verdict(speed / raw_speed >= 0.5 and tracker["rows"] == raw["rows"]),
        ]
    )
    peak = exp["tracker_traced"]["traced_mb"]
    rows.append(
        [
            "4b",
            "export peak memory: Python heap (tracemalloc); process peak RSS",
            f"{peak:.1f} MB; RSS {tracker['rss_mb']:.0f} MB",
            f"raw: {exp['raw_traced']['traced_mb']:.1f} MB; RSS {raw['rss_mb']:.0f} MB",
            "—",
            "≤ 100 MB",
            verdict(peak <= 100 and tracker["rss_mb"] <= 100),
        ]
    )
    if "questionnaire" in results:
        from bench.questionnaire import table_rows

        rows.extend(table_rows(results["questionnaire"]))
    if "session_report" in results:
        from bench import session_report

        rows.extend(session_report.table_rows(results["session_report"]))
    return rows


def render(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), separator, *(line(row) for row in rows)])


def main() -> None:
    """Each database of BENCH_DATABASES in a process of its own (Django is set up once per
    process); PostgreSQL under scripts/with_postgres.sh unless BENCH_POSTGRESQL_URL."""
    wanted = [name.strip() for name in os.environ.get("BENCH_DATABASES", "").split(",")]
    wanted = [name for name in wanted if name] or [SQLITE, POSTGRESQL]
    unknown = set(wanted) - set(TITLES)
    if unknown:
        raise SystemExit(f"BENCH_DATABASES: unknown {sorted(unknown)}; sqlite, postgresql")
    failed = []
    for number, vendor in enumerate(wanted):
        command = [sys.executable, __file__, "--database", vendor]
        env = os.environ.copy()
        if vendor == POSTGRESQL and not os.environ.get("BENCH_POSTGRESQL_URL"):
            command = [str(ROOT / "scripts" / "with_postgres.sh"), *command]
            if os.environ.get("BENCH_REUSE") == "1":  # a cluster that outlives the run
                env["WITH_POSTGRES_KEEP"] = os.environ.get("BENCH_POSTGRESQL_DIR") or str(
                    Path(tempfile.gettempdir()) / "tracker-bench-postgresql"
                )
        if number:
            print(flush=True)
        if subprocess.run(command, env=env, check=False).returncode != 0:
            failed.append(vendor)
    if failed:
        raise SystemExit(f"bench failed on {', '.join(failed)}")


def database_url_of(vendor: str) -> str:
    """The bench's database: BENCH_DATABASE_URL (SQLite); BENCH_POSTGRESQL_URL, else the
    DATABASE_URL that scripts/with_postgres.sh exports (PostgreSQL)."""
    if vendor == SQLITE:
        url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    else:
        url = os.environ.get("BENCH_POSTGRESQL_URL") or os.environ.get("DATABASE_URL", "")
    if not url or vendor_of(url) != vendor:
        which = "BENCH_DATABASE_URL" if vendor == SQLITE else "BENCH_POSTGRESQL_URL or DATABASE_URL"
        raise SystemExit(f"bench --database {vendor}: {which} is {url!r}, not a {vendor} URL")
    return url


def where_is(vendor: str, database_url: str) -> str:
    """Where the data set lives, for the table's title."""
    if vendor == SQLITE:
        return f"file {sqlite_path(database_url)}"
    if os.environ.get("BENCH_POSTGRESQL_URL"):
        return "the server of BENCH_POSTGRESQL_URL"
    kept = os.environ.get("WITH_POSTGRES_KEEP")
    if kept:
        return f"server of scripts/with_postgres.sh, its cluster kept in {kept} (fsync off)"
    return "throwaway server of scripts/with_postgres.sh (fsync off, unix socket)"


def bench_database(vendor: str) -> None:
    """The whole bench on one database; prints its table, titled."""
    params = {
        "recommendations": env_int("BENCH_RECOMMENDATIONS", 100_000),
        "follow_ups": env_int("BENCH_FOLLOW_UPS", 1_000_000),
        "seed": env_int("BENCH_SEED", 0),
        "demo": DEMO_VERSION,
    }
    repeat = env_int("BENCH_REPEAT", 50)
    export_runs = env_int("BENCH_EXPORT_RUNS", 3)
    database_url = database_url_of(vendor)
    os.environ["BENCH_DATABASE_URL"] = database_url  # for the children
    title = TITLES[vendor]
    say = lambda message: print(f"[{title}] {message}", file=sys.stderr, flush=True)  # noqa: E731

    say("1/6 import_seeds into an empty database …")
    results: dict = {"repeat": repeat, "imports": run_child("imports")}
    setup_django(database_url)
    from django.db import connections

    from bench.databases import server_version

    say(f"the data set (seed_demo {params}; BENCH_REUSE=1 reuses it) …")
    build_seconds, counts = build(database_url, params)
    version = server_version(database_url)
    say("2/6 API lists …")
    results["api"] = bench_api(repeat)
    say("3/6 coverage …")
    results["coverage"] = bench_coverage(database_url)
    say("3/6 coverage from the maintained figures …")
    results["figures"] = bench_figures(database_url, repeat)
    connections.close_all()
    say("4/6 export …")
    runs: dict[str, list[dict]] = {"tracker": [], "raw": []}
    for _ in range(export_runs):  # interleaved, so that a busy moment hits both sides
        for kind, measured in runs.items():
            measured.append(run_child("export", kind))
    results["export"] = {
        "tracker": median_run(runs["tracker"]),
        "raw": median_run(runs["raw"]),
        "tracker_traced": run_child("export", "tracker", "trace"),
        "raw_traced": run_child("export", "raw", "trace"),
        "runs": export_runs,
        "driver": "sqlite3" if vendor == SQLITE else "psycopg",
    }
    say("5/6 questionnaire round trip (a database of its own) …")
    results["questionnaire"] = run_child("questionnaire")
    say("6/6 session report …")
    results["session_report"] = run_child("session_report")

    import django

    where = where_is(vendor, database_url)
    built = "reused" if build_seconds is None else f"built by seed_demo in {build_seconds:.0f} s"
    print(f"### {title}: {version}, {where}")
    print()
    print(
        f"Data set: {counts['reports']:,} reports, {counts['recommendations']:,} "
        f"recommendations, {counts['follow_ups']:,} follow-ups, {counts['actions']:,} actions, "
        f"{counts['sessions']:,} sessions of the bodies (seed {params['seed']}; {built})."
    )
    print(
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}; medians; DEBUG=0, CONN_MAX_AGE=600."
    )
    print()
    header = ["#", "measure", "tracker", "baseline (same run)", "ratio", "target", "result"]
    print(render(header, table(results)), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--database":
        bench_database(sys.argv[2])
    elif len(sys.argv) > 2 and sys.argv[1] == "--child":
        if sys.argv[2] == "imports":
            print(json.dumps(child_imports()))
        elif sys.argv[2] == "session_report":
            from bench.session_report import measure as measure_report

            setup_django(os.environ["BENCH_DATABASE_URL"])
            print(json.dumps(measure_report()))
        elif sys.argv[2] == "questionnaire":
            from bench.questionnaire import measure

            print(json.dumps(measure()))
        else:
            print(json.dumps(child_export(sys.argv[3], trace="trace" in sys.argv[4:])))
    else:
        main()
