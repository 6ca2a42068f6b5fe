"""The bench's databases: SQLite files, or databases on one PostgreSQL server.

The bench runs once per database (bench/run.py, BENCH_DATABASES). Everything that
depends on which one lives here:

- `raw_connection(url)`: what the hand-written baselines talk to. On SQLite a sqlite3
  connection of their own, read-only; on PostgreSQL the Django connection's own psycopg
  connection (the same driver, server and session settings as the ORM side). Both answer
  `.execute(sql, params)` with a cursor; `placeholder(db)` is the parameter marker.
- `Scratch`: a throwaway database beside the bench's (import_seeds into an empty
  database, the questionnaire's own data set), with a template to start each run from: a
  copied file on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL.
- `drop_and_create(url)`: empty the bench's database before seed_demo.

No Django import at module level: the raw export's child process must not pay for it.
"""

import shutil
import sqlite3
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SQLITE, POSTGRESQL = "sqlite", "postgresql"
TITLES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}


def vendor_of(url: str) -> str:
    scheme = url.split(":", 1)[0]
    if scheme == "sqlite":
        return SQLITE
    if scheme in ("postgres", "postgresql", "pgsql"):
        return POSTGRESQL
    raise SystemExit(f"bench: unsupported database URL {url!r} (sqlite:/// or postgres://)")


def sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    """The URL of another database on the same PostgreSQL server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _admin(url: str):
    """An autocommit psycopg connection to the server's maintenance database."""
    import psycopg

    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def _recreate(admin, name: str, template: str | None = None) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop_and_create(url: str) -> None:
    """An empty database at `url` (Django's connections to it closed first)."""
    if vendor_of(url) == SQLITE:
        remove_sqlite(sqlite_path(url))
        return
    with _admin(url) as admin:
        _recreate(admin, database_name(url))


class Scratch:
    """A throwaway database named `name` beside the one at `base_url`, and its template."""

    def __init__(self, base_url: str, name: str, sqlite_file: Path | None = None) -> None:
        self.vendor = vendor_of(base_url)
        if self.vendor == SQLITE:
            self.path = sqlite_file or Path(tempfile.gettempdir()) / f"{name}.sqlite3"
            self.template = self.path.with_suffix(".template")
            self.url = f"sqlite:///{self.path}"
        else:
            self.name, self.template_name = name, f"{name}_template"
            self.url = with_database(base_url, name)

    def create(self) -> None:
        drop_and_create(self.url)

    def save_template(self) -> None:
        if self.vendor == SQLITE:
            shutil.copyfile(self.path, self.template)
            return
        with _admin(self.url) as admin:
            _recreate(admin, self.template_name, template=self.name)

    def restore(self) -> None:
        """The database as the template has it (close Django's connections first)."""
        if self.vendor == SQLITE:
            remove_sqlite(self.path)
            shutil.copyfile(self.template, self.path)
            return
        with _admin(self.url) as admin:
            _recreate(admin, self.name, template=self.template_name)

    def drop(self) -> None:
        if self.vendor == SQLITE:
            remove_sqlite(self.path)
            self.template.unlink(missing_ok=True)
            return
        with _admin(self.url) as admin:
            for name in (self.name, self.template_name):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def raw_connection(url: str):
    """The baselines' connection: sqlite3 (read-only, closed after) or Django's psycopg."""
    if vendor_of(url) == SQLITE:
        db = sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True)
        try:
            yield db
        finally:
            db.close()
        return
    from django.db import connection

    connection.ensure_connection()
    yield connection.connection


def placeholder(db) -> str:
    return "?" if isinstance(db, sqlite3.Connection) else "%s"


def is_sqlite(db) -> bool:
    return isinstance(db, sqlite3.Connection)


def server_version(url: str) -> str:
    """ "SQLite 3.40.1" or "PostgreSQL 15.8" (Django set up on `url`)."""
    if vendor_of(url) == SQLITE:
        return f"SQLite {sqlite3.sqlite_version}"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
