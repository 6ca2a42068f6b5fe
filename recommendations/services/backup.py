"""Backup and restore of the whole database.

SQLite: the online backup API (a consistent copy while the site runs). PostgreSQL:
pg_dump's custom format, restored with pg_restore --clean. A backup is written to a
temporary file and moved into place, so a failed run never leaves a half-written file.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    pass


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{name} not found: install the PostgreSQL client (apt-get install postgresql-client)"
    )


def _pg_args_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = []
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _sqlite_copy(source: str, target: str) -> None:
    """Copy one SQLite database into another with the online backup API."""
    origin = sqlite3.connect(source, uri=source.startswith("file:"))
    copy = sqlite3.connect(target)
    with copy:
        origin.backup(copy)
    copy.close()
    origin.close()


def _pg_run(tool: str, *arguments: str) -> None:
    """Run a PostgreSQL client tool with this database's host, port and user."""
    options, env = _pg_args_env()
    command = [_pg_tool(tool), *options, *arguments]
    result = subprocess.run(  # noqa: S603 (no shell; arguments from settings)
        command, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")


def _sqlite_path() -> Path:
    return Path(connection.settings_dict["NAME"])


def database_backup(*, target: Path) -> Path:
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        if connection.vendor == "sqlite":
            _sqlite_copy(str(_sqlite_path()), temporary)
        elif connection.vendor == "postgresql":
            _pg_run(
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                temporary,
                connection.settings_dict["NAME"],
            )
        else:
            raise BackupError(f"backup of {connection.vendor} databases is not supported")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def _check_sqlite_backup(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as db:
            if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source}: the backup fails SQLite's integrity check")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source}: not an SQLite backup ({error})") from None
    if "django_migrations" not in tables:
        raise BackupError(f"{source}: not a backup of this application (no migrations table)")


def database_restore(*, source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    if connection.vendor == "sqlite":
        _check_sqlite_backup(source)
        connection.close()
        _sqlite_copy(f"file:{source}?mode=ro", str(_sqlite_path()))
    elif connection.vendor == "postgresql":
        connection.close()
        _pg_run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            connection.settings_dict["NAME"],
            str(source),
        )
    else:
        raise BackupError(f"restore of {connection.vendor} databases is not supported")
