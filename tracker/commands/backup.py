"""Consistent backups of the SQLite database while the app runs, and a guarded restore.

Never copy the live file: with WAL, part of the data sits in the -wal file and a plain copy taken
mid-write is often corrupt. SQLite's online backup API copies a consistent snapshot.

While an app process (a gunicorn worker, `flask run`) uses the database it holds a shared lock on
`<database>.lock`; restore takes that lock exclusively, so it refuses while the server runs.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from tracker import locks
from tracker.extensions import db

COUNTED_TABLES = (
    "fund",
    "person",
    "donation",
    "loan",
    "repayment",
    "visit",
    "journal_transaction",
    "journal_line",
)


class BackupError(Exception):
    pass


def sqlite_path(app: Flask) -> Path | None:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def hold_instance_lock(app: Flask) -> None:
    """Called at start-up: a shared lock that says 'a process is using this database'."""
    path = sqlite_path(app)
    if path is None:
        return
    # A raw descriptor, held for the life of the process (no file object to warn when collected).
    descriptor = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    locks.lock_shared(descriptor)
    app.extensions["instance_lock"] = descriptor


def release_instance_lock(app: Flask) -> None:
    descriptor = app.extensions.pop("instance_lock", None)
    if descriptor is not None:
        os.close(descriptor)


@dataclass
class Summary:
    path: Path
    size: int
    integrity: str
    counts: dict[str, int]
    ledger_sum: int  # sum of every journal line: 0 when every transaction balances


def inspect(path: Path) -> Summary:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        counts = {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in COUNTED_TABLES
            if table in tables
        }
        ledger_sum = (
            connection.execute("SELECT coalesce(sum(amount), 0) FROM journal_line").fetchone()[0]
            if "journal_line" in tables
            else 0
        )
    finally:
        connection.close()
    return Summary(path, path.stat().st_size, integrity, counts, ledger_sum)


def backup(app: Flask, target: Path) -> Summary:
    source_path = sqlite_path(app)
    if source_path is None:
        raise BackupError(
            "This installation uses PostgreSQL: back it up with pg_dump, for example\n"
            '  pg_dump -Fc -f tracker-$(date +%F).dump "$DATABASE_URL"\n'
            'and restore with pg_restore --clean -d "$DATABASE_URL" tracker-YYYY-MM-DD.dump'
        )
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    target = target.resolve()
    if target == source_path.resolve():
        raise BackupError("the backup must not overwrite the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(source_path, timeout=30)
    destination = sqlite3.connect(partial)
    try:
        source.execute("PRAGMA busy_timeout=30000")
        source.backup(destination)  # one consistent snapshot, even while others write
        # The copy comes in WAL mode like its source: one file, with no -wal and -shm beside it
        # (reading it would make them, and they would stay behind with the copy's name).
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
        source.close()
    summary = inspect(partial)
    if summary.integrity != "ok":
        partial.unlink()
        raise BackupError(f"the copy failed its integrity check: {summary.integrity}")
    os.replace(partial, target)
    os.chmod(target, 0o600)  # personal data: readable by the owner only
    summary.path = target
    return summary


def restore(app: Flask, source: Path) -> Summary:
    target_path = sqlite_path(app)
    if target_path is None:
        raise BackupError("This installation uses PostgreSQL: restore with pg_restore (see the README).")
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    summary = inspect(source)
    if summary.integrity != "ok" or "journal_line" not in summary.counts:
        raise BackupError(f"{source} is not a sound backup of this application ({summary.integrity})")
    release_instance_lock(app)  # our own shared lock, taken at start-up
    lock = open(f"{target_path}.lock", "a")  # noqa: SIM115
    try:
        try:
            locks.lock_exclusive_nowait(lock.fileno())
        except BlockingIOError:
            raise BackupError(
                "The server is still using the database. Stop it first (Ctrl+C in the terminal of "
                "`make run`, or `systemctl stop tracker` for gunicorn), then run restore again."
            ) from None
        db.engine.dispose()  # our own pooled connections
        source_db = sqlite3.connect(source)
        destination = sqlite3.connect(target_path)
        try:
            source_db.backup(destination)
        finally:
            destination.close()
            source_db.close()
    finally:
        lock.close()
    return inspect(target_path)
