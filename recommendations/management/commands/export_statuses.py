"""Write a dated status export (CSV, JSON, XLSX and a manifest): for cron or a systemd timer."""

import datetime
import gc
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from recommendations.services.exports import (
    FORMATS,
    ExportError,
    ExportLocked,
    statuses_export,
)

# EX_TEMPFAIL (sysexits.h): another run holds the lock; trying again later will work.
LOCKED_EXIT_STATUS = 75
# 128 + SIGTERM, what a shell reports for a process ended by SIGTERM.
TERMINATED_EXIT_STATUS = 128 + signal.SIGTERM


def parse_formats(value: str) -> list[str]:
    formats = list(dict.fromkeys(part.strip().lower() for part in value.split(",")))
    formats = [name for name in formats if name]
    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        got = f"unknown format {unknown[0]!r}" if unknown else "no format given"
        raise CommandError(
            f"--format: {got}; expected a comma-separated list of {', '.join(FORMATS)} "
            "(e.g. --format csv,json)."
        )
    return formats


def parse_since(value: str) -> datetime.datetime:
    try:
        since = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            "--since: expected an ISO 8601 date-time such as 2026-01-31T00:00:00Z "
            f"(or a date, 2026-01-31, meaning its start in UTC), got {value!r}."
        ) from None
    if since.tzinfo is None:
        since = since.replace(tzinfo=datetime.UTC)  # naive times are UTC, like the export
    try:
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 in a query.
        return since.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise CommandError(f"--since {value}: date-time out of range") from None


def parse_keep(value: str) -> int:
    try:
        keep = int(value)
    except ValueError:
        keep = 0
    if keep < 1:
        raise CommandError(
            f"--keep: expected the number of runs to keep, a whole number of 1 or more, "
            f"got {value!r}."
        )
    return keep


def export_options(options: dict[str, Any]) -> dict[str, Any]:
    """The command's options, checked, as arguments of services.exports.statuses_export."""
    if not options["output"].strip():
        raise CommandError("--output: expected a directory, got an empty value.")
    output = Path(options["output"]).expanduser()
    if output.exists() and not output.is_dir():
        raise CommandError(f"--output: {output} exists and is not a directory.")
    return {
        "output": output,
        "formats": parse_formats(options["format"]),
        "since": None if options["since"] is None else parse_since(options["since"]),
        "keep": None if options["keep"] is None else parse_keep(options["keep"]),
    }


class Terminated(Exception):
    """The process received SIGTERM."""


@contextmanager
def _terminate_as_exception() -> Iterator[None]:
    """SIGTERM (systemd stopping the unit, `kill`) raises Terminated in the run, so that
    it ends like any failed run: its temporary directory removed, nothing published, the
    lock released. Python's default would end the process on the spot and leave the
    temporary directory to the next run. Only the main thread can handle signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep the objects alive now (Django, the apps) out of the garbage collector's scans
    while the block runs: the export's millions of short-lived row tuples trigger many
    full collections, each of which would rescan them all (about 10% of a million-row
    export). Garbage is collected first, so nothing is frozen that should be freed."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class Command(BaseCommand):
    help = (
        "Write the status of every follow-up (one row each) to a new dated directory "
        "OUTPUT/<UTC stamp>/ as CSV, JSON and/or XLSX with a manifest.json (row counts, "
        "sizes, sha256). The directory appears complete or not at all; two runs never "
        "overlap (the second exits with status 75)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            required=True,
            metavar="DIR",
            help="directory that holds the runs (created if missing)",
        )
        parser.add_argument(
            "--format",
            default=",".join(FORMATS),
            metavar="LIST",
            help=f"comma-separated formats (default: {','.join(FORMATS)})",
        )
        parser.add_argument(
            "--since",
            metavar="ISO-DATETIME",
            help="only follow-ups changed at or after this time (e.g. 2026-01-31T00:00:00Z; "
            "naive times are UTC); an action logged, changed or deleted counts as a change",
        )
        parser.add_argument(
            "--keep",
            metavar="N",
            help="after writing, remove all but the newest N run directories",
        )

    def handle(self, *args, **options):
        arguments = export_options(options)
        try:
            with _frozen_heap(), _terminate_as_exception():
                run = statuses_export(**arguments)
        except Terminated:
            raise CommandError(
                f"{arguments['output']}: stopped by SIGTERM; nothing was published.",
                returncode=TERMINATED_EXIT_STATUS,
            ) from None
        except ExportLocked as error:
            raise CommandError(str(error), returncode=LOCKED_EXIT_STATUS) from None
        except ExportError as error:
            raise CommandError(f"{arguments['output']}: {error}.") from None
        except OSError as error:  # e.g. no permission to create the directory or lock file
            raise CommandError(f"--output {arguments['output']}: {error}.") from None
        formats = ", ".join(file.format for file in run.files)
        self.stdout.write(f"Wrote {run.rows} rows to {run.directory} ({formats}).")
        if options["verbosity"] > 1:
            for file in run.files:
                self.stdout.write(f"  {file.name}: {file.bytes} bytes, sha256 {file.sha256}")
        for path in run.removed:
            self.stdout.write(f"Removed old run {path}.")
