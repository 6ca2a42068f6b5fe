"""export_statuses: dated, atomic, locked runs in CSV, JSON and XLSX, and the admin's CSV."""

import csv
import datetime
import fcntl
import hashlib
import io
import json
import os
import shlex
import signal
import subprocess
import sys
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from recommendations.choices import ActionKind, Response, Status
from recommendations.management.commands.export_statuses import Command, export_options
from recommendations.models import FollowUp, MemberState, Report
from recommendations.selectors.exports import STATUS_COLUMNS, status_rows
from recommendations.services import exports
from recommendations.services import follow_ups as services
from tests.conftest import ROOT
from tests.integration.shared import make_follow_up, rec, state

pytestmark = pytest.mark.django_db

# The command line of the cron and systemd examples in the README (keep them identical).
DOCUMENTED_COMMAND = (
    "/srv/tracker/.venv/bin/python /srv/tracker/manage.py export_statuses "
    "--output /srv/tracker/exports --format csv,json,xlsx --keep 30"
)

HEADER = [
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
SEED_2017 = "001_11a12d27b9d2d054.txt"
SEED_2004 = "002_2ed4e228b852b96c.txt"


@pytest.fixture
def data(seeds, staff, liaison):
    """Four follow-ups on the seeds, two actions on one of them."""
    make_follow_up(
        rec("93(a)"),
        "KEN",
        Status.IMPLEMENTED,
        response=Response.ACCEPTED,
        user=liaison,
        verified_by=staff,
    )
    make_follow_up(rec("93(b)"), "KEN", Status.IMPLEMENTED, user=liaison)
    bolivia = services.follow_up_create(
        recommendation=rec("93(b)"), member_state=state("BOL"), status="in_progress", user=staff
    )
    services.follow_up_create(
        recommendation=rec("59(a)", SEED_2004), member_state=state("CHN"), user=staff
    )
    for day in (datetime.date(2025, 2, 1), datetime.date(2025, 1, 10)):
        services.action_create(
            follow_up=bolivia,
            user=staff,
            date=day,
            kind=ActionKind.LEGISLATION,
            description="通过了新的法律",
        )
    return staff


def export(output: Path, *args: str) -> Path:
    """Run the command; return the run directory it reports."""
    out = StringIO()
    call_command("export_statuses", "--output", str(output), *args, stdout=out)
    line = out.getvalue().splitlines()[0]
    assert line.startswith("Wrote ")
    return Path(line.split(" to ", 1)[1].rsplit(" (", 1)[0])


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def read_xlsx(path: Path) -> list[list]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["statuses"]
    rows = [list(row) for row in workbook["statuses"].iter_rows(values_only=True)]
    workbook.close()
    return rows


def as_text(value) -> str:
    return "" if value is None else str(value)


def files_of(run: Path) -> dict[str, Path]:
    return {path.suffix.lstrip("."): path for path in run.iterdir() if path.name != "manifest.json"}


def listing(output: Path) -> list[str]:
    return sorted(path.name for path in output.iterdir())


# Content -------------------------------------------------------------------------------


def test_every_format_holds_the_same_rows(data, tmp_path):
    run = export(tmp_path)
    stamp = run.name
    assert listing(tmp_path) == [".export_statuses.lock", stamp]
    assert sorted(path.name for path in run.iterdir()) == [
        "manifest.json",
        f"statuses-{stamp}.csv",
        f"statuses-{stamp}.json",
        f"statuses-{stamp}.xlsx",
    ]
    files = files_of(run)
    assert files["csv"].read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel

    rows = read_csv(files["csv"])
    assert list(rows[0]) == HEADER
    assert len(rows) == FollowUp.objects.count() == 4
    # Ordered by report, position in it, member state.
    assert [(row["label"], row["member_state"]) for row in rows] == [
        ("93(a)", "KEN"),
        ("93(b)", "BOL"),
        ("93(b)", "KEN"),
        ("59(a)", "CHN"),
    ]
    bolivia = FollowUp.objects.get(recommendation=rec("93(b)"), member_state="BOL")
    updated = bolivia.updated_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    assert rows[1] == {
        "follow_up_id": str(bolivia.pk),
        "report": SEED_2017,
        "label": "93(b)",
        "recommendation_id": str(rec("93(b)").pk),
        "themes": "drugs",
        "member_state": "BOL",
        "member_state_name_en": "Bolivia (Plurinational State of)",
        "member_state_name_zh": "多民族玻利维亚国",
        "status": "in_progress",
        "verified": "no",
        "response": "",
        "last_action_date": "2025-02-01",  # the latest of its two actions
        "updated_at": updated,
        "due_date": "",  # no session of its bodies known, none set
        "days_overdue": "",
    }
    assert rows[0]["verified"] == "yes" and rows[0]["response"] == "accepted"
    assert rows[2]["status"] == "implemented" and rows[2]["verified"] == "no"  # a claim
    assert rows[3]["themes"] == "organized-crime;corruption;terrorism"
    assert rows[3]["member_state_name_zh"] == "中国" and rows[3]["last_action_date"] == ""

    document = read_json(files["json"])
    assert list(document) == ["export", "rows"]
    assert document["export"]["filters"] == {"since": None, "formats": ["csv", "json", "xlsx"]}
    assert document["export"]["columns"] == HEADER
    assert [list(row) for row in document["rows"]] == [HEADER] * 4
    json_bolivia = document["rows"][1]
    assert json_bolivia["themes"] == ["drugs"] and json_bolivia["verified"] is False
    assert json_bolivia["recommendation_id"] == rec("93(b)").pk
    assert json_bolivia["member_state_name_zh"] == "多民族玻利维亚国"
    assert document["rows"][3]["last_action_date"] is None
    assert document["rows"][3]["themes"] == ["organized-crime", "corruption", "terrorism"]

    sheet = read_xlsx(files["xlsx"])
    assert sheet[0] == HEADER
    # Empty cells at the end of a row are not stored: read as empty.
    padding = [[""] * (len(HEADER) - len(line)) for line in sheet[1:]]
    assert [
        [as_text(value) for value in line] + pad
        for line, pad in zip(sheet[1:], padding, strict=True)
    ] == [list(row.values()) for row in rows]
    assert sheet[2][7] == "多民族玻利维亚国" and sheet[2][3] == rec("93(b)").pk


def test_manifest_describes_the_files(data, tmp_path):
    run = export(tmp_path, "--format", "json,csv", "--since", "2000-01-01T00:00:00+08:00")
    manifest = read_json(run / "manifest.json")
    assert manifest["tool"] == "export_statuses" and manifest["version"] == exports.tool_version()
    assert manifest["version"] not in {"", "unknown"}
    assert manifest["filters"] == {"since": "1999-12-31T16:00:00Z", "formats": ["json", "csv"]}
    assert manifest["rows"] == 4 and manifest["columns"] == HEADER
    assert run.name == datetime.datetime.fromisoformat(manifest["run_at"]).strftime(
        "%Y%m%dT%H%M%SZ"
    )
    assert manifest["run_at"] <= manifest["finished_at"]
    assert [entry["format"] for entry in manifest["files"]] == ["json", "csv"]
    for entry in manifest["files"]:
        content = (run / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        assert entry["bytes"] == len(content) and entry["rows"] == 4
    assert sorted(path.name for path in run.iterdir()) == sorted(
        ["manifest.json", *(entry["name"] for entry in manifest["files"])]
    )


def test_formulas_are_neutralised_in_spreadsheets_not_in_json(data, tmp_path):
    Report.objects.filter(symbol=SEED_2017).update(symbol='=HYPERLINK("http://evil","x")')
    MemberState.objects.filter(iso3="KEN").update(name_en="+cmd|' /C calc'!A0", name_zh="@中文")
    files = files_of(export(tmp_path))

    rows = read_csv(files["csv"])
    assert rows[0]["label"] == "59(a)"  # the renamed report now sorts last
    row = rows[1]
    assert row["label"] == "93(a)" and row["member_state"] == "KEN"
    assert row["report"] == '\'=HYPERLINK("http://evil","x")'
    assert row["member_state_name_en"] == "'+cmd|' /C calc'!A0"
    assert row["member_state_name_zh"] == "'@中文"

    workbook = openpyxl.load_workbook(files["xlsx"])  # not read-only: cell types visible
    cells = next(workbook["statuses"].iter_rows(min_row=3, max_row=3))
    assert cells[1].value == '\'=HYPERLINK("http://evil","x")' and cells[1].data_type == "s"
    assert cells[6].value == "'+cmd|' /C calc'!A0"

    row = read_json(files["json"])["rows"][1]  # JSON is not a spreadsheet: the true text
    assert row["report"] == '=HYPERLINK("http://evil","x")'
    assert row["member_state_name_zh"] == "@中文"


# --since -------------------------------------------------------------------------------


def test_since_exports_only_changed_follow_ups(data, tmp_path):
    old = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    new = datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC)
    FollowUp.objects.update(updated_at=old)
    chinese = FollowUp.objects.get(member_state="CHN")
    FollowUp.objects.filter(pk=chinese.pk).update(updated_at=new)

    rows = read_csv(files_of(export(tmp_path, "--since", "2025-06-01T12:00:00Z"))["csv"])
    assert [row["member_state"] for row in rows] == ["CHN"]  # at or after: inclusive
    assert rows[0]["updated_at"] == "2025-06-01T12:00:00Z"  # whole seconds: no fraction
    rows = read_csv(files_of(export(tmp_path, "--since", "2025-06-01T12:00:01Z"))["csv"])
    assert rows == []
    # An offset and a plain date are understood; a naive time is UTC.
    rows = read_csv(files_of(export(tmp_path, "--since", "2025-06-01T20:00+08:00"))["csv"])
    assert len(rows) == 1
    rows = read_csv(files_of(export(tmp_path, "--since", "2025-03-01"))["csv"])
    assert len(rows) == 4

    # Logging an action touches its follow-up: it is a change since then.
    kenya = FollowUp.objects.get(recommendation=rec("93(a)"), member_state="KEN")
    services.action_create(
        follow_up=kenya,
        user=data,
        date=datetime.date(2025, 5, 5),
        kind=ActionKind.POLICY,
        description="国家战略",
    )
    rows = read_csv(files_of(export(tmp_path, "--since", "2025-06-01T12:00:01Z"))["csv"])
    assert [(row["label"], row["last_action_date"]) for row in rows] == [("93(a)", "2025-05-05")]


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "2025-06-01T25:00", ""])
def test_bad_since_names_the_option(data, tmp_path, value):
    with pytest.raises(CommandError, match="--since: expected an ISO 8601 date-time"):
        call_command("export_statuses", "--output", str(tmp_path), "--since", value)
    assert not tmp_path.exists() or listing(tmp_path) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv,pdf"], "--format: unknown format 'pdf'"),
        (["--format", " , "], "--format: no format given"),
        (["--keep", "0"], "--keep: expected the number of runs to keep"),
        (["--keep", "many"], "--keep: expected the number of runs to keep"),
    ],
)
def test_bad_options_name_the_option(data, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_statuses", "--output", str(tmp_path), *args)
    assert listing(tmp_path) == []


def test_output_must_be_a_directory(data, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(CommandError, match=r"--output: .* exists and is not a directory"):
        call_command("export_statuses", "--output", str(target))


# Runs: dated, never overwritten, atomic, pruned -------------------------------------


def test_runs_in_the_same_second_get_a_suffix(data, tmp_path):
    now = datetime.datetime(2026, 11, 22, 11, 45, 0, 100, tzinfo=datetime.UTC)
    first = exports.statuses_export(output=tmp_path, formats=["csv"], now=now)
    second = exports.statuses_export(output=tmp_path, formats=["csv"], now=now)
    assert first.directory.name == "20261122T114500Z"
    assert second.directory.name == "20261122T114500Z-2"
    assert second.files[0].name == "statuses-20261122T114500Z-2.csv"
    assert (first.directory / "statuses-20261122T114500Z.csv").is_file()
    for _ in range(3, 11):
        exports.statuses_export(output=tmp_path, formats=["csv"], now=now)
    names = [path.name for path in exports.run_directories(tmp_path)]
    assert names[0] == "20261122T114500Z" and names[-2:] == [
        "20261122T114500Z-9",
        "20261122T114500Z-10",
    ]


def crash_after(rows: int):
    """A write_rows that writes the first `rows` rows it is given, then fails."""
    written = {"n": 0}

    def write_rows(self, chunk):
        room = rows - written["n"]
        original[type(self)](self, chunk[:room])
        written["n"] += min(room, len(chunk))
        if len(chunk) > room:
            raise RuntimeError("disk on fire")

    return write_rows


original = {writer: writer.write_rows for writer in exports.WRITERS.values()}


@pytest.mark.parametrize("writer", ["csv", "json", "xlsx"])
def test_a_failed_run_leaves_no_trace_and_the_previous_run_intact(
    data, tmp_path, monkeypatch, writer
):
    first = export(tmp_path)
    before = {path.name: path.read_bytes() for path in first.iterdir()}
    Writer = exports.WRITERS[writer]
    monkeypatch.setattr(Writer, "write_rows", crash_after(2))
    with pytest.raises(RuntimeError, match="disk on fire"):
        export(tmp_path)
    assert listing(tmp_path) == [".export_statuses.lock", first.name]
    assert {path.name: path.read_bytes() for path in first.iterdir()} == before


def test_a_failure_while_sealing_publishes_nothing(data, tmp_path, monkeypatch):
    def no_fsync(path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "_fsync_directory", no_fsync)
    with pytest.raises(CommandError, match="No space left on device; nothing was published"):
        export(tmp_path)
    assert listing(tmp_path) == [".export_statuses.lock"]


def test_a_database_failure_is_reported_and_publishes_nothing(data, tmp_path, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")
        yield

    monkeypatch.setattr(exports, "status_chunks", broken)
    with pytest.raises(CommandError, match="database error: server closed the connection"):
        export(tmp_path)
    assert listing(tmp_path) == [".export_statuses.lock"]


def test_too_many_rows_for_xlsx_is_a_clear_error(data, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    with pytest.raises(CommandError, match="an XLSX worksheet holds at most 3 rows"):
        export(tmp_path)
    assert listing(tmp_path) == [".export_statuses.lock"]
    export(tmp_path, "--format", "csv,json")


def test_a_killed_run_is_cleaned_up_by_the_next(data, tmp_path):
    stale = tmp_path / ".20261122T000000Z.tmp-1a2b3c4d"
    stale.mkdir()
    (stale / "statuses-20261122T000000Z.csv").write_text("partial")
    run = export(tmp_path)
    assert listing(tmp_path) == [".export_statuses.lock", run.name]


def test_sigterm_during_a_run_publishes_nothing_and_leaves_nothing(data, tmp_path, monkeypatch):
    first = export(tmp_path)
    write_rows = exports.CsvWriter.write_rows

    def terminated_while_writing(self, rows):
        write_rows(self, rows[:1])
        os.kill(os.getpid(), signal.SIGTERM)  # as systemd stopping the unit would
        write_rows(self, rows[1:])

    def unhandled(signum, frame):  # instead of ending pytest, if the command had no handler
        raise AssertionError("SIGTERM reached the handler from before the run")

    monkeypatch.setattr(exports.CsvWriter, "write_rows", terminated_while_writing)
    previous = signal.signal(signal.SIGTERM, unhandled)
    try:
        with pytest.raises(CommandError, match="stopped by SIGTERM; nothing was published") as e:
            export(tmp_path)
        assert signal.getsignal(signal.SIGTERM) is unhandled  # the previous handler is back
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert e.value.returncode == 128 + signal.SIGTERM
    assert listing(tmp_path) == [".export_statuses.lock", first.name]
    monkeypatch.undo()
    assert export(tmp_path).name != first.name  # the lock was released


def test_keep_removes_only_older_runs(data, tmp_path):
    for day in (1, 2, 3):
        now = datetime.datetime(2021, 1, day, 2, 15, tzinfo=datetime.UTC)
        exports.statuses_export(output=tmp_path, formats=["csv"], now=now)
    # Things that are not runs, even if they look a little like one.
    (tmp_path / "README.txt").write_text("do not delete")
    (tmp_path / "20210101T021500Z.csv").write_text("a file, not a run")
    (tmp_path / "20190101T000000Z").mkdir()  # no manifest: not ours
    (tmp_path / "archive").mkdir()
    (tmp_path / "20100101T000000Z").symlink_to(tmp_path / "archive")

    out = StringIO()
    call_command("export_statuses", "--output", str(tmp_path), "--keep", "2", stdout=out)
    assert out.getvalue().count("Removed old run") == 2
    runs = [path.name for path in exports.run_directories(tmp_path)]
    assert runs[0] == "20210103T021500Z" and len(runs) == 2  # and the new run
    assert sorted(set(listing(tmp_path)) - set(runs)) == [
        ".export_statuses.lock",
        "20100101T000000Z",
        "20190101T000000Z",
        "20210101T021500Z.csv",
        "README.txt",
        "archive",
    ]


# The lock ------------------------------------------------------------------------------


def hold_lock(output: Path) -> int:
    output.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(output / ".export_statuses.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(descriptor, b"4242\n")
    return descriptor


def test_a_second_run_while_one_runs_stops_at_once(data, tmp_path):
    descriptor = hold_lock(tmp_path)
    try:
        with pytest.raises(CommandError) as raised:
            call_command("export_statuses", "--output", str(tmp_path))
        assert "another export_statuses run is writing to" in str(raised.value)
        assert "held by process 4242" in str(raised.value)
        assert raised.value.returncode == 75
        assert listing(tmp_path) == [".export_statuses.lock"]
    finally:
        os.close(descriptor)
    export(tmp_path)  # released: the next run goes ahead


def test_the_lock_fails_the_real_process_with_status_75(tmp_path):
    descriptor = hold_lock(tmp_path)
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "export_statuses", "--output", str(tmp_path)],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "1"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        os.close(descriptor)
    assert result.returncode == 75
    assert "CommandError: another export_statuses run is writing to" in result.stderr


# The admin action ----------------------------------------------------------------------


def test_admin_export_has_the_same_columns_and_rows(client, data, tmp_path):
    data.is_superuser = True
    data.save()
    client.force_login(data)
    selected = list(
        FollowUp.objects.filter(member_state__in=["KEN", "CHN"]).values_list("pk", flat=True)
    )
    response = client.post(
        "/admin/recommendations/followup/",
        {"action": "export_csv", "_selected_action": selected},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="statuses-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    admin_rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert list(admin_rows[0]) == HEADER == [column.header for column in STATUS_COLUMNS]

    command_rows = read_csv(files_of(export(tmp_path, "--format", "csv"))["csv"])
    assert admin_rows == [row for row in command_rows if row["member_state"] != "BOL"]
    assert len(admin_rows) == 3


# The documented command line -------------------------------------------------------------


def test_the_documented_command_line_is_accepted():
    words = shlex.split(DOCUMENTED_COMMAND)
    assert words[1].endswith("manage.py") and words[2] == "export_statuses"
    parser = Command().create_parser("manage.py", "export_statuses")
    options = vars(parser.parse_args(words[3:]))
    assert export_options(options) == {
        "output": Path("/srv/tracker/exports"),
        "formats": ["csv", "json", "xlsx"],
        "since": None,
        "keep": 30,
    }
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if "export_statuses --output" in readme:  # once the operator's section is merged
        assert readme.count(DOCUMENTED_COMMAND) >= 2  # the cron line and ExecStart=


# Query budget ----------------------------------------------------------------------------


def export_queries(**kwargs) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        rows = sum(1 for _row in status_rows(**kwargs))
    return rows, len(captured)


def test_queries_do_not_grow_with_rows(data):
    small_rows, small_queries = export_queries()
    assert (small_rows, small_queries) == (4, 2)  # follow-ups, then themes of the chunk
    for iso3 in ["FRA", "DEU", "ITA", "ESP", "PRT", "NLD", "BEL", "AUT", "CHE", "SWE"]:
        for label in ("93(a)", "94(a)", "99(c)"):
            follow_up = services.follow_up_create(
                recommendation=rec(label), member_state=state(iso3), user=data
            )
            services.action_create(
                follow_up=follow_up,
                user=data,
                date=datetime.date(2025, 4, 1),
                kind=ActionKind.OTHER,
                description="x",
            )
    assert export_queries() == (34, small_queries)
    # Beyond one chunk: one themes query per chunk, never one per row.
    assert export_queries(chunk_size=5) == (34, 1 + 7)


def test_the_command_runs_a_constant_number_of_queries(data, tmp_path):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            export(tmp_path)
        return len(captured)

    before = count()
    for iso3 in ["FRA", "DEU", "ITA", "ESP"]:
        services.follow_up_create(recommendation=rec("93(a)"), member_state=state(iso3), user=data)
    assert count() == before


@pytest.mark.django_db(transaction=True)
def test_export_outside_a_transaction(reference_data, tmp_path):
    """No transaction around the command (as in cron): on PostgreSQL the export opens its
    own read-only REPEATABLE READ snapshot; on SQLite it must not take the write lock."""
    call_command("import_seeds", stdout=StringIO())
    user = get_user_model().objects.create_user("officer2")
    services.follow_up_create(recommendation=rec("93(a)"), member_state=state("KEN"), user=user)
    with CaptureQueriesContext(connection) as captured:
        rows = read_csv(files_of(export(tmp_path))["csv"])
    assert [row["member_state"] for row in rows] == ["KEN"]
    snapshot = [query for query in captured if "REPEATABLE READ" in query["sql"]]
    assert len(snapshot) == (1 if connection.vendor == "postgresql" else 0)
    assert not connection.in_atomic_block


def test_due_date_and_days_overdue_come_last(data):
    """The 2017 report due 1 January 2026, 59(a) (another report) on its own 1 January
    2099: Bolivia's open follow-up of 93(b) counts its days overdue; Kenya's, closed
    (implemented), and China's, not yet due, count none."""
    from django.utils import timezone

    from recommendations.models import Report
    from recommendations.services import deadlines

    report = Report.objects.get(symbol=SEED_2017)
    deadlines.report_due_date_set(report=report, due_date=datetime.date(2026, 1, 1))
    deadlines.recommendation_due_date_set(
        recommendation=rec("59(a)", SEED_2004), due_date=datetime.date(2099, 1, 1), user=None
    )
    rows = {(row[2], row[5]): row[-2:] for row in status_rows()}
    late = (timezone.localdate() - datetime.date(2026, 1, 1)).days
    assert rows == {
        ("59(a)", "CHN"): ("2099-01-01", None),
        ("93(a)", "KEN"): ("2026-01-01", None),
        ("93(b)", "BOL"): ("2026-01-01", late),
        ("93(b)", "KEN"): ("2026-01-01", None),
    }
