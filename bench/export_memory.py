"""Does export_statuses stay flat in memory as the rows grow? Export N and 4N rows, compare.

    DEBUG=1 DATABASE_URL=sqlite:////tmp/export-bench.sqlite3 \\
        .venv/bin/python bench/export_memory.py [--rows N] [--reuse]

1. Builds the demo data set of `seed_demo` (recommendations.services.demo) in the
   throwaway SQLite database named by DATABASE_URL (deleted and migrated first; --reuse
   keeps one built before with the same --rows): 4N follow-ups on 4N/10 recommendations,
   half an action per follow-up on average.
2. Runs `manage.py export_statuses` through call_command, in a fresh child process per
   format (csv, json, xlsx, and the three together) and size: N rows (--since picks the
   N most recently updated follow-ups) and 4N rows (everything). Each is run twice: once
   plain, for the time and the peak RSS (ru_maxrss), once under tracemalloc for the peak
   of Python allocations (tracemalloc slows Python down and adds its own memory).
3. Prints a table: rows, seconds, rows/s, tracemalloc peak, max RSS of the child (the
   whole process: Python, Django, SQLite's page cache) and how much the export added to
   it, with the 4N/N ratios. Flat memory means ratios near 1 while the rows grow 4x.

The parent process never imports Django and the data set is built in a child too:
Linux carries a process's ru_maxrss across exec, so a big parent would inflate the
children's figures.
"""

import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["csv", "json", "xlsx", "csv,json,xlsx"]
STATES_PER_RECOMMENDATION = 10


def database_path() -> Path:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("sqlite:///"):
        sys.exit(
            "Set DATABASE_URL to a throwaway SQLite file, e.g. "
            "DATABASE_URL=sqlite:////tmp/export-bench.sqlite3 (it is deleted and rebuilt)."
        )
    path = Path(url.removeprefix("sqlite:///"))
    if path.resolve() == (ROOT / "db.sqlite3").resolve():
        sys.exit(f"{path} is the project's database: name a throwaway file instead.")
    return path


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()


def build(total: int) -> None:
    """4N follow-ups on 4N/10 recommendations: the demo data set of seed_demo."""
    from django.core.management import call_command
    from django.db import connection

    from recommendations.services.demo import demo_build

    call_command("migrate", verbosity=0)
    demo_build(recommendations=total // STATES_PER_RECOMMENDATION, follow_ups=total, seed=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")


def counts() -> dict[str, int]:
    from recommendations.models import Action, FollowUp, Recommendation

    return {
        "recommendations": Recommendation.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "actions": Action.objects.count(),
    }


def since_for(rows: int) -> str:
    """The updated_at from which exactly `rows` follow-ups are at or after."""
    from recommendations.models import FollowUp

    value = FollowUp.objects.order_by("-updated_at").values_list("updated_at", flat=True)[rows - 1]
    return value.astimezone(datetime.UTC).isoformat()


def child_build(rows: int, reuse: bool, path: Path) -> None:
    """Build (unless reused) and describe the data set; prints a JSON line."""
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    exists = path.exists()
    setup_django()
    import sqlite3

    from recommendations.selectors.exports import CHUNK_SIZE

    started = time.perf_counter()
    if not exists:
        build(4 * rows)
    print(
        json.dumps(
            {
                **counts(),
                "built_seconds": None if exists else time.perf_counter() - started,
                "since": since_for(rows),
                "sqlite": sqlite3.sqlite_version,
                "python": sys.version.split()[0],
                "chunk_size": CHUNK_SIZE,
            }
        )
    )


def child_export(formats: str, since: str, traced: bool) -> None:
    """One export, in this fresh process; prints a JSON line."""
    setup_django()
    from django.core.management import call_command

    output = Path(tempfile.mkdtemp(prefix="export-bench-"))
    args = ["export_statuses", "--output", str(output), "--format", formats]
    if since:
        args += ["--since", since]
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    call_command(*args, verbosity=0)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    after_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (run,) = [path for path in output.iterdir() if not path.name.startswith(".")]
    rows = json.loads((run / "manifest.json").read_text())["rows"]
    shutil.rmtree(output)
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "peak_mb": peak / 2**20,
                "maxrss_mb": after_kb / 1024,
                "rss_growth_mb": (after_kb - before_kb) / 1024,
            }
        )
    )


def run_child(*args: str) -> dict:
    command = [sys.executable, __file__, *args]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"child failed: {' '.join(command)}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(formats: str, since: str) -> dict:
    plain = run_child("--export", formats, "--since", since)
    traced = run_child("--export", formats, "--since", since, "--traced")
    return {**plain, "peak_mb": traced["peak_mb"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000, help="N (default 50000)")
    parser.add_argument("--reuse", action="store_true", help="keep a database built before")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--export", metavar="FORMATS", help=argparse.SUPPRESS)
    parser.add_argument("--since", default="", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    path = database_path()
    if options.build:
        child_build(options.rows, options.reuse, path)
        return
    if options.export:
        child_export(options.export, options.since, options.traced)
        return

    large = 4 * options.rows
    build_args = ["--build", "--rows", str(options.rows)] + (["--reuse"] if options.reuse else [])
    data = run_child(*build_args)
    if data["built_seconds"] is not None:
        print(f"Built the data set in {data['built_seconds']:.1f} s.")
    if data["follow_ups"] != large:
        sys.exit(f"{path} holds {data['follow_ups']} follow-ups, not {large}: drop --reuse")
    print(
        f"Data: {data['recommendations']:,} recommendations, {data['follow_ups']:,} "
        f"follow-ups, {data['actions']:,} actions; SQLite {data['sqlite']}, "
        f"Python {data['python']}, chunk size {data['chunk_size']}."
    )
    header = (
        f"{'format':<14} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'peak MB':>8} "
        f"{'ratio':>6} {'maxRSS MB':>10} {'ratio':>6} {'RSS +MB':>8}"
    )
    print()
    print(header)
    print("-" * len(header))
    for formats in FORMATS:
        first = measure(formats, data["since"])
        second = measure(formats, "")
        for result in (first, second):
            print(
                f"{formats:<14} {result['rows']:>8,} {result['seconds']:>8.1f} "
                f"{result['rows'] / result['seconds']:>8,.0f} {result['peak_mb']:>8.1f} "
                f"{result['peak_mb'] / first['peak_mb']:>6.2f} {result['maxrss_mb']:>10.1f} "
                f"{result['maxrss_mb'] / first['maxrss_mb']:>6.2f} "
                f"{result['rss_growth_mb']:>8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
