"""flask backup / restore: consistent copies while the app writes, and a guarded restore."""

import datetime as dt
import os
import sqlite3
import threading
import time

import pytest

from tests.conftest import POSTGRES_URL
from tests.factories import donate
from tracker import create_app
from tracker.commands import backup
from tracker.extensions import db

sqlite_only = pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite backups; PostgreSQL uses pg_dump")


def ledger_state(path):
    connection = sqlite3.connect(path)
    try:
        unbalanced = connection.execute(
            "SELECT count(*) FROM (SELECT transaction_id FROM journal_line GROUP BY transaction_id "
            "HAVING sum(amount) != 0)"
        ).fetchone()[0]
        cash = connection.execute(
            "SELECT coalesce(sum(amount), 0) FROM journal_line WHERE account='cash'"
        ).fetchone()[0]
        donated = connection.execute(
            "SELECT coalesce(sum(amount), 0) FROM donation WHERE reversal_id IS NULL"
        ).fetchone()[0]
        donations = connection.execute("SELECT count(*) FROM donation").fetchone()[0]
        transactions = connection.execute("SELECT count(*) FROM journal_transaction").fetchone()[0]
    finally:
        connection.close()
    return unbalanced, cash, donated, donations, transactions


@sqlite_only
def test_backup_while_the_app_writes_is_consistent(app, money, seed, runner, tmp_path):
    stop = threading.Event()
    written = []

    def write_load():
        day = dt.date(2026, 1, 1)
        while not stop.is_set() and len(written) < 400:
            written.append(donate(app, seed.fund_id, money.donor_id, 100_000, day))

    writer = threading.Thread(target=write_load)
    writer.start()
    try:
        copies = []
        for n in range(5):
            deadline = time.monotonic() + 30
            while len(written) < (n + 1) * 10 and time.monotonic() < deadline:
                time.sleep(0.005)
            target = tmp_path / f"backup-{n}.sqlite3"
            result = runner.invoke(args=["backup", str(target)])
            assert result.exit_code == 0, result.output
            assert "integrity ok" in result.output
            copies.append(target)
    finally:
        stop.set()
        writer.join()
    for copy in copies:
        unbalanced, cash, donated, donations, transactions = ledger_state(copy)
        assert unbalanced == 0
        assert cash == donated  # a snapshot from one moment: every donation with its journal entry
        assert donations == transactions
        assert oct(os.stat(copy).st_mode & 0o777) == "0o600"
    counts = [ledger_state(copy)[3] for copy in copies]
    assert counts == sorted(counts) and counts[-1] <= len(written)
    # and the last copy taken under load restores: the database is that moment again
    with app.app_context():
        db.engine.dispose()
    restored = runner.invoke(args=["restore", "--yes", str(copies[-1])])
    assert restored.exit_code == 0, restored.output
    path = backup.sqlite_path(app)
    assert ledger_state(path) == ledger_state(copies[-1])
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()


@sqlite_only
def test_restore_refuses_while_the_server_holds_the_database(app, money, seed, runner, tmp_path, monkeypatch):
    donate(app, seed.fund_id, money.donor_id, 5_000_000, dt.date(2026, 1, 1))
    saved = tmp_path / "saved.sqlite3"
    assert runner.invoke(args=["backup", str(saved)]).exit_code == 0
    donate(app, seed.fund_id, money.donor_id, 7_000_000, dt.date(2026, 1, 2))  # after the backup

    monkeypatch.setenv("TRACKER_SQLALCHEMY_DATABASE_URI", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("TRACKER_SECRET_KEY", "x")
    server = create_app()  # as a running server would: it holds the instance lock
    try:
        refused = runner.invoke(args=["restore", "--yes", str(saved)])
        assert refused.exit_code != 0 and "Stop it first" in refused.output
    finally:
        backup.release_instance_lock(server)
    with app.app_context():
        db.engine.dispose()
    restored = runner.invoke(args=["restore", "--yes", str(saved)])
    assert restored.exit_code == 0, restored.output
    path = backup.sqlite_path(app)
    unbalanced, cash, donated, donations, _ = ledger_state(path)
    assert (unbalanced, cash, donated, donations) == (0, 5_000_000, 5_000_000, 1)


@sqlite_only
def test_restore_refuses_a_file_that_is_not_a_backup(app, seed, runner, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    result = runner.invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code != 0


def test_backup_on_postgresql_explains_pg_dump(tmp_path):
    app = create_app(
        {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@localhost/tracker"}
    )
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x")])
    assert result.exit_code != 0 and "pg_dump" in result.output


@sqlite_only
def test_a_backup_is_one_file_and_only_its_owner_reads_it(app, money, seed, runner, tmp_path):
    """The copy used to come in WAL mode: checking it left <name>.partial-wal and .partial-shm
    (readable by all) beside it, with the personal data of the last writes."""
    donate(app, seed.fund_id, money.donor_id, 1_000_000, dt.date(2026, 1, 2))
    folder = tmp_path / "backups"
    result = runner.invoke(args=["backup", str(folder / "tracker.sqlite3")])
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in folder.iterdir()) == ["tracker.sqlite3"]
    assert oct((folder / "tracker.sqlite3").stat().st_mode & 0o777) == "0o600"
    copy = sqlite3.connect(folder / "tracker.sqlite3")
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT count(*) FROM donation").fetchone()[0] == 1
    finally:
        copy.close()
