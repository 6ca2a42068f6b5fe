"""Dated status exports (CSV, JSON, XLSX) that other systems can pick up safely.

A run, in OUTPUT:
1. takes an exclusive, non-blocking lock on OUTPUT/.export_statuses.lock (services/locks.py),
   so two runs never overlap: the second fails at once with ExportLocked;
2. removes temporary directories that a killed run left behind (.<stamp>.tmp-*);
3. reads the rows once (selectors.exports.status_chunks, one snapshot, in chunks) and
   hands each chunk to every requested format as it goes: memory stays flat and every
   file holds the same rows;
4. writes into OUTPUT/.<stamp>.tmp-<random>/, fsyncs each file, writes manifest.json
   (byte size and sha256 of each file read back from disk), fsyncs it and the directory;
5. renames that directory to OUTPUT/<stamp>/ (same filesystem, so atomic) and fsyncs
   OUTPUT: a reader sees a complete run or none. On any error the temporary directory is
   removed and earlier runs are left as they were;
6. with `keep`, removes all but the newest `keep` run directories.

The stamp is the run's start in UTC (20261122T114500Z). A second run within the same
second gets a suffix (20261122T114500Z-2): no run ever overwrites another.
"""

import csv
import datetime
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from django.db import DatabaseError
from django.db.models import QuerySet
from django.utils import timezone

from recommendations.models import FollowUp
from recommendations.selectors.exports import (
    STATUS_COLUMNS,
    read_snapshot,
    status_chunks,
    utc_iso,
)
from recommendations.services.locks import exclusive_lock
from recommendations.tabular import (
    Column,
    cells_rows_function,
    header,
    json_rows_function,
    xlsx_rows_function,
)

FORMATS = ("csv", "json", "xlsx")
LOCK_NAME = ".export_statuses.lock"
MANIFEST_NAME = "manifest.json"
FILE_PREFIX = "statuses"
TOOL = "export_statuses"
MANIFEST_VERSION = 1
XLSX_MAX_ROWS = 1_048_575  # a worksheet's 1,048,576 rows, less the header

RUN_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>[2-9]|[1-9]\d+))?$")
_TEMP_NAME = re.compile(r"^\.\d{8}T\d{6}Z(?:-\d+)?\.tmp-[A-Za-z0-9_]+$")


class ExportError(Exception):
    """The export could not be written; nothing was published."""


class ExportLocked(ExportError):
    """Another run holds the lock on the output directory."""


@dataclass(frozen=True)
class ExportedFile:
    name: str
    format: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class ExportRun:
    directory: Path
    rows: int
    files: tuple[ExportedFile, ...]
    removed: tuple[Path, ...] = ()


def tool_version() -> str:
    try:
        return metadata.version("recommendation-tracker")
    except metadata.PackageNotFoundError:
        return "unknown"


def _iso(value: datetime.datetime | None) -> str | None:
    return None if value is None else utc_iso(value)


# Writers: one per format, each fed the same chunks of rows ----------------------------


class CsvWriter:
    """UTF-8 with BOM (Excel reads the Chinese correctly), RFC 4180, formulas neutralised."""

    format = "csv"

    def __init__(self, path: Path, columns: list[Column], metadata: dict[str, Any]) -> None:
        # The BOM written by hand: Python's utf-8-sig codec encodes each write in Python,
        # plain utf-8 in C (a second or so on a million rows).
        self.file = path.open("w", encoding="utf-8", newline="")
        self.file.write("\ufeff")
        self.writer = csv.writer(self.file)
        self.writer.writerow(header(columns))
        self.cells_rows = cells_rows_function(columns)

    def write_rows(self, rows: list[Any]) -> None:
        self.writer.writerows(self.cells_rows(rows))

    def finish(self) -> None:
        self.file.close()

    def close(self) -> None:
        self.file.close()


class JsonWriter:
    """One document {"export": {...}, "rows": [...]}, one row per line, streamed.

    JSON is not a spreadsheet: the text is kept as it is (not neutralised), themes are a
    list, verified a boolean, dates ISO 8601 strings and missing values null.
    """

    format = "json"

    def __init__(self, path: Path, columns: list[Column], metadata: dict[str, Any]) -> None:
        self.objects = json_rows_function(columns)
        self.file = path.open("w", encoding="utf-8")
        self.file.write('{"export": ' + self._dumps(metadata) + ', "rows": [')
        self.separator = "\n"

    @staticmethod
    def _dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    def write_rows(self, rows: list[Any]) -> None:
        write, dumps = self.file.write, self._dumps
        for row in self.objects(rows):
            write(self.separator)
            write(dumps(row))
            self.separator = ",\n"

    def finish(self) -> None:
        self.file.write("\n]}\n")
        self.file.close()

    def close(self) -> None:
        self.file.close()


class XlsxWriter:
    """openpyxl in write-only mode: rows go to a temporary file, not to memory."""

    format = "xlsx"

    def __init__(self, path: Path, columns: list[Column], metadata: dict[str, Any]) -> None:
        from openpyxl import Workbook

        self.path = path
        self.xlsx_rows = xlsx_rows_function(columns)
        self.rows = 0
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=FILE_PREFIX)
        self.sheet.append(header(columns))

    def write_rows(self, rows: list[Any]) -> None:
        self.rows += len(rows)
        if self.rows > XLSX_MAX_ROWS:
            raise ExportError(
                f"an XLSX worksheet holds at most {XLSX_MAX_ROWS:,} rows; "
                "export csv and json only, or narrow the export with --since"
            )
        for row in self.xlsx_rows(rows):
            self.sheet.append(row)

    def finish(self) -> None:
        self.workbook.save(self.path)

    def close(self) -> None:
        """After a failure, end openpyxl's row stream (it deletes its temporary file at exit)."""
        if not self.sheet.closed:
            with suppress(Exception):  # the failure being handled is the one to report
                self.sheet.close()


WRITERS = {writer.format: writer for writer in (CsvWriter, JsonWriter, XlsxWriter)}


# Files on disk ------------------------------------------------------------------------


def _seal(path: Path) -> tuple[int, str]:
    """fsync a written file and return its byte size and sha256, as read back from disk."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        os.fsync(file.fileno())
        while block := file.read(1024 * 1024):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def export_lock(output: Path) -> Iterator[None]:
    """Hold OUTPUT/.export_statuses.lock exclusively, or raise ExportLocked at once
    (services/locks.py)."""
    path = output / LOCK_NAME

    def refuse(by: str) -> ExportLocked:
        return ExportLocked(
            f"another export_statuses run is writing to {output} (lock {path} is held{by}); "
            "this run stopped without writing anything. Try again when it has finished."
        )

    with exclusive_lock(path, refuse=refuse):
        yield


def run_directories(output: Path) -> list[Path]:
    """Completed runs in OUTPUT, oldest first: directories named like a stamp that hold a
    manifest. Anything else (other files, symlinks, temporaries) is not a run."""
    runs = []
    for entry in os.scandir(output):
        match = RUN_NAME.match(entry.name)
        if (
            match
            and entry.is_dir(follow_symlinks=False)
            and Path(entry.path, MANIFEST_NAME).is_file()
        ):
            runs.append((match["stamp"], int(match["n"] or 1), Path(entry.path)))
    return [path for _stamp, _n, path in sorted(runs)]


def runs_prune(*, output: Path, keep: int) -> tuple[Path, ...]:
    """Remove all but the newest `keep` runs; call it holding the lock."""
    if keep < 1:
        raise ExportError("keep must be 1 or more")
    removed = tuple(run_directories(output)[:-keep])
    for path in removed:
        shutil.rmtree(path)
    return removed


def _remove_stale_temporaries(output: Path) -> None:
    """Temporary directories of runs killed before they finished (we hold the lock)."""
    for entry in os.scandir(output):
        if _TEMP_NAME.match(entry.name) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)


def _free_name(output: Path, stamp: str) -> str:
    """The stamp, or the stamp with the first free suffix (-2, -3 …) if a run has it."""
    name, n = stamp, 1
    while (output / name).exists():
        n += 1
        name = f"{stamp}-{n}"
    return name


# The run ------------------------------------------------------------------------------


def statuses_export(
    *,
    output: Path,
    formats: Sequence[str] = FORMATS,
    since: datetime.datetime | None = None,
    keep: int | None = None,
    follow_ups: QuerySet[FollowUp] | None = None,
    now: datetime.datetime | None = None,
) -> ExportRun:
    """Write one dated run directory in `output` and return what was written.

    `since` (aware) exports only follow-ups changed at or after it; `keep` then removes
    all but the newest `keep` runs. Raises ExportLocked when another run holds the lock,
    ExportError when the export cannot be written (nothing is published then).
    """
    unknown = [name for name in formats if name not in WRITERS]
    if unknown or not formats:
        raise ExportError(f"unknown formats {unknown}; expected some of {', '.join(FORMATS)}")
    if keep is not None and keep < 1:
        raise ExportError("keep must be 1 or more")
    if since is not None and timezone.is_naive(since):
        raise ExportError("since must be an aware datetime")
    output = Path(output)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"{output}: cannot create the output directory ({error})") from None
    if not output.is_dir():
        raise ExportError(f"{output}: not a directory")

    with export_lock(output):
        _remove_stale_temporaries(output)
        started = (now or timezone.now()).astimezone(datetime.UTC)
        name = _free_name(output, started.strftime("%Y%m%dT%H%M%SZ"))
        # Not tempfile.mkdtemp: its mode 0700 would survive the rename and hide the run
        # from the systems that read it. mkdir honours the umask, as the files do.
        temporary = output / f".{name}.tmp-{secrets.token_hex(4)}"
        temporary.mkdir()
        try:
            files = _write_run(
                temporary,
                name=name,
                formats=list(dict.fromkeys(formats)),
                since=since,
                follow_ups=follow_ups,
                started=started,
            )
            target = output / name
            if target.exists():  # only a writer that ignores the lock could have made it
                raise ExportError(f"{target} appeared during the run; not overwriting it")
            temporary.rename(target)
        except DatabaseError as error:
            shutil.rmtree(temporary, ignore_errors=True)
            raise ExportError(f"database error: {error}; nothing was published") from error
        except (ExportError, OSError) as error:
            shutil.rmtree(temporary, ignore_errors=True)
            raise ExportError(f"{error}; nothing was published") from error
        except BaseException:  # a bug, an interrupt: clean up all the same
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        _fsync_directory(output)  # makes the rename durable
        removed = runs_prune(output=output, keep=keep) if keep is not None else ()
    rows = files[0].rows if files else 0
    return ExportRun(directory=target, rows=rows, files=tuple(files), removed=removed)


def _write_run(
    directory: Path,
    *,
    name: str,
    formats: list[str],
    since: datetime.datetime | None,
    follow_ups: QuerySet[FollowUp] | None,
    started: datetime.datetime,
) -> list[ExportedFile]:
    filters = {"since": _iso(since), "formats": formats}
    header_info = {
        "tool": TOOL,
        "version": tool_version(),
        "run_at": _iso(started),
        "filters": filters,
        "columns": [column.key for column in STATUS_COLUMNS],
    }
    paths = {fmt: directory / f"{FILE_PREFIX}-{name}.{fmt}" for fmt in formats}
    rows = 0
    with ExitStack() as stack:
        writers = []
        for fmt in formats:
            writer = WRITERS[fmt](paths[fmt], STATUS_COLUMNS, header_info)
            stack.callback(writer.close)
            writers.append(writer)
        with read_snapshot():
            for chunk in status_chunks(follow_ups=follow_ups, since=since):
                for writer in writers:
                    writer.write_rows(chunk)
                rows += len(chunk)
        for writer in writers:
            writer.finish()

    files = []
    for fmt in formats:
        size, sha256 = _seal(paths[fmt])
        files.append(ExportedFile(paths[fmt].name, fmt, rows, size, sha256))
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        **header_info,
        "finished_at": _iso(timezone.now()),
        "rows": rows,
        "files": [
            {
                "name": f.name,
                "format": f.format,
                "rows": f.rows,
                "bytes": f.bytes,
                "sha256": f.sha256,
            }
            for f in files
        ],
    }
    manifest_path = directory / MANIFEST_NAME
    with manifest_path.open("w", encoding="utf-8") as file:
        json.dump(manifest, file, ensure_ascii=False, indent=2)
        file.write("\n")
        file.flush()
        os.fsync(file.fileno())
    _fsync_directory(directory)
    return files
