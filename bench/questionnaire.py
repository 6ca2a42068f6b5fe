"""The questionnaire round trip for one state, against openpyxl with no logic (issue 16).

    .venv/bin/python bench/questionnaire.py      (alone; also row 5 of bench/run.py)

A throwaway database gets `seed_demo` with
BENCH_QUESTIONNAIRE_RECOMMENDATIONS recommendations (default 2,000) and 50 follow-ups per
recommendation spread over the member states, so that Kenya follows up about a quarter of
them, some with actions. On SQLite (the default, or when BENCH_DATABASE_URL is a
sqlite:/// URL) it is the file BENCH_QUESTIONNAIRE_DATABASE (default
/tmp/tracker-bench-questionnaire.sqlite3, deleted first); when BENCH_DATABASE_URL is a
PostgreSQL URL (bench/run.py on PostgreSQL), the database tracker_bench_questionnaire on
that server. Each round starts from a copy of that database and times, for
Kenya's whole questionnaire (every active recommendation):

- export: questionnaire_export() to XLSX bytes;
- (not timed) the ministry's work: BENCH_QUESTIONNAIRE_CHANGES status cells changed
  (default 300; rows with and without a follow-up) and BENCH_QUESTIONNAIRE_ACTIONS new
  actions (default 50), with openpyxl;
- preview: questionnaire_import(dry_run=True) of the filled workbook;
- apply: questionnaire_import(dry_run=False), which writes the changes and actions;

and, interleaved, the floor: openpyxl writing the same cells (the filled workbook's
values, sheet by sheet: same sheets, same values, no validation, protection, style or
signature) with Workbook() and ws.append(), and reading them back with
load_workbook(read_only=True). The round trip reads the workbook twice (preview, apply),
so its floor is one write and two reads. Medians of BENCH_QUESTIONNAIRE_RUNS rounds
(default 3). Target (issue 16): the round trip at most 3x its floor.
"""

import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATABASE = Path(tempfile.gettempdir()) / "tracker-bench-questionnaire.sqlite3"
STATE = "KEN"
FOLLOW_UPS_PER_RECOMMENDATION = 50
TARGET = 3.0


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def timed(function):
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


# The ministry's work (not timed) ----------------------------------------------------------


def fill(data: bytes, *, changes: int, actions: int, seed: int = 0) -> tuple[bytes, int, int]:
    """The workbook as a ministry returns it: `changes` statuses changed to another label
    of the list, `actions` new action rows. Returns the bytes, how many of the changed rows
    had a follow-up (version set) and how many had none."""
    from openpyxl import load_workbook

    from recommendations.choices import ActionKind, Status

    rng = random.Random(seed)
    book = load_workbook(io.BytesIO(data))
    sheet, action_sheet = book.worksheets[0], book.worksheets[1]
    titles = [cell.value for cell in sheet[1]]
    status, version = titles.index("Status"), titles.index("Version")
    rows = list(sheet.iter_rows(min_row=2))
    labels = [str(label) for label in Status.labels]
    with_follow_up = without = 0
    for row in rng.sample(rows, min(changes, len(rows))):
        current = row[status].value
        row[status].value = rng.choice([label for label in labels if label != current])
        if row[version].value is None:
            without += 1
        else:
            with_follow_up += 1
    kinds = [str(label) for label in ActionKind.labels]
    for number, row in enumerate(rng.sample(rows, min(actions, len(rows))), start=2):
        values = [
            row[0].value,
            row[1].value,
            f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            rng.choice(kinds),
            f"Bench action {number}: a measure taken by the ministry.",
            f"https://example.org/evidence/{number}",
        ]
        for column, value in enumerate(values, start=1):
            cell = action_sheet.cell(row=number, column=column, value=value)
            cell.data_type = "s"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue(), with_follow_up, without


def cell_values(data: bytes) -> dict[str, list[tuple]]:
    """Every sheet's values, rows without any value left out, trailing empty cells cut."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        sheets = {}
        for sheet in book:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                values = list(row)
                while values and values[-1] is None:
                    values.pop()
                if values:
                    rows.append(tuple(values))
            sheets[sheet.title] = rows
        return sheets
    finally:
        book.close()


# The floor ---------------------------------------------------------------------------------


def floor_write(sheets: dict[str, list[tuple]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def floor_read(data: bytes) -> int:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    try:
        cells = 0
        for sheet in book:
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
        return cells
    finally:
        book.close()


# The measurement (a process of its own: it sets Django up on its database) ----------------


def build(scratch, recommendations: int) -> dict:
    from django.core.management import call_command
    from django.db import connections

    from bench.run import setup_django

    scratch.create()
    setup_django(scratch.url)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command(
        "seed_demo",
        recommendations=recommendations,
        follow_ups=recommendations * FOLLOW_UPS_PER_RECOMMENDATION,
        seed=0,
        verbosity=0,
    )
    seconds = time.perf_counter() - started
    connections.close_all()
    return {"seed_seconds": seconds}


def measure() -> dict:
    """Build the database, then BENCH_QUESTIONNAIRE_RUNS interleaved rounds."""
    from bench.databases import Scratch
    from bench.run import DEFAULT_DATABASE_URL

    database = Path(os.environ.get("BENCH_QUESTIONNAIRE_DATABASE", DATABASE))
    base_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    scratch = Scratch(base_url, "tracker_bench_questionnaire", sqlite_file=database)
    recommendations = env_int("BENCH_QUESTIONNAIRE_RECOMMENDATIONS", 2000)
    runs = env_int("BENCH_QUESTIONNAIRE_RUNS", 3)
    changes = env_int("BENCH_QUESTIONNAIRE_CHANGES", 300)
    new_actions = env_int("BENCH_QUESTIONNAIRE_ACTIONS", 50)
    result = build(scratch, recommendations)
    scratch.save_template()

    from django.db import connections

    from recommendations.models import Action, FollowUp, MemberState
    from recommendations.questionnaires.services import questionnaire_export, questionnaire_import

    times: dict[str, list[float]] = {k: [] for k in ("export", "preview", "apply", "write", "read")}
    try:
        for _ in range(runs):
            connections.close_all()
            scratch.restore()
            state = MemberState.objects.get(iso3=STATE)
            follow_ups = FollowUp.objects.filter(member_state=state).count()
            actions_before = Action.objects.count()

            seconds, exported = timed(lambda state=state: questionnaire_export(member_state=state))
            times["export"].append(seconds)
            filled, changed_with, changed_without = fill(
                exported, changes=changes, actions=new_actions
            )

            def run(dry_run: bool, filled=filled):
                return questionnaire_import(
                    data=filled, name="kenya.xlsx", user=None, dry_run=dry_run
                )

            seconds, preview = timed(lambda run=run: run(True))
            times["preview"].append(seconds)
            seconds, applied = timed(lambda run=run: run(False))
            times["apply"].append(seconds)
            if preview.problems or preview.conflicts or not applied.applied:
                raise SystemExit(
                    f"questionnaire bench: problems {preview.problems[:3]}, "
                    f"{len(preview.conflicts)} conflicts, applied={applied.applied}"
                )

            sheets = cell_values(filled)
            seconds, floor_data = timed(lambda sheets=sheets: floor_write(sheets))
            times["write"].append(seconds)
            seconds, cells = timed(lambda floor_data=floor_data: floor_read(floor_data))
            times["read"].append(seconds)
            result.update(
                rows=len(sheets[next(iter(sheets))]) - 1,
                follow_ups=follow_ups,
                changes=len(applied.changes),
                created=sum(change.created for change in applied.changes),
                changed_with=changed_with,
                changed_without=changed_without,
                unchanged=len(applied.unchanged),
                actions=len(applied.actions),
                actions_written=Action.objects.count() - actions_before,
                cells=cells,
                bytes=len(exported),
                floor_bytes=len(floor_data),
            )
    finally:
        connections.close_all()
        scratch.drop()
    result.update({key: statistics.median(values) for key, values in times.items()})
    result["runs"] = runs
    return result


# The table ---------------------------------------------------------------------------------


def table_rows(q: dict) -> list[list[str]]:
    from bench.run import s, verdict

    round_trip = q["export"] + q["preview"] + q["apply"]
    floor = q["write"] + 2 * q["read"]
    ratio = round_trip / floor
    return [
        [
            "5a",
            f"questionnaire_export, {STATE}: {q['rows']:,} rows ({q['follow_ups']:,} with a "
            f"follow-up), {q['bytes'] / 1024:.0f} KB: median of {q['runs']}",
            s(q["export"]),
            f"openpyxl append + save, same cells: {s(q['write'])}",
            f"{q['export'] / q['write']:.2f}×",
            "—",
            "—",
        ],
        [
            "5b",
            f"questionnaire_import preview (dry_run): {q['changes']} changes, "
            f"{q['actions']} new actions, {q['unchanged']:,} unchanged",
            s(q["preview"]),
            f"load_workbook(read_only) + iter_rows: {s(q['read'])}",
            f"{q['preview'] / q['read']:.2f}×",
            "—",
            "—",
        ],
        [
            "5c",
            f"questionnaire_import apply: {q['changes']} follow-ups written "
            f"({q['created']} created), {q['actions_written']} actions",
            s(q["apply"]),
            f"the same read: {s(q['read'])}",
            f"{q['apply'] / q['read']:.2f}×",
            "—",
            "—",
        ],
        [
            "5",
            "questionnaire round trip: export + preview + apply",
            s(round_trip),
            f"write + 2 reads: {s(floor)}",
            f"{ratio:.2f}×",
            f"≤ {TARGET:.0f}×",
            verdict(ratio <= TARGET),
        ],
    ]


def main() -> None:
    from bench.run import render

    result = measure()
    print(
        f"seed_demo {result['seed_seconds']:.0f} s; {result['cells']:,} cells read by the floor; "
        f"floor workbook {result['floor_bytes'] / 1024:.0f} KB."
    )
    header = ["#", "measure", "tracker", "baseline (same run)", "ratio", "target", "result"]
    print(render(header, table_rows(result)))


if __name__ == "__main__":
    main()
