"""Connection settings that money correctness depends on.

SQLite: the pysqlite driver delays BEGIN until the first write, so a read-check-then-write is not
atomic and concurrent repayments could overpay a loan. We take over transaction control (SQLAlchemy's
documented recipe) and start every transaction of a state-changing request with BEGIN IMMEDIATE,
which takes the write lock before the first read. WAL lets readers go on meanwhile.

PostgreSQL: money functions lock the rows they check with SELECT ... FOR UPDATE (see ledger_store).
"""

import sqlite3

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
BUSY_TIMEOUT_MS = 30_000


def _wants_write_lock(conn) -> bool:
    if conn.get_execution_options().get("write_lock"):
        return True
    if not has_request_context():
        return False
    if request.method not in SAFE_METHODS:
        return True
    # A page that logs who opened a file writes on GET: it must take the lock before it reads,
    # or its write fails with "database is locked" when another request wrote in between.
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "writes_on_get", False))


def _on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_begin(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock(conn) else "BEGIN")


_installed = False


def configure_engine_events(app: Flask) -> None:
    global _installed
    if _installed:
        return
    event.listen(Engine, "connect", _on_connect)
    event.listen(Engine, "begin", _on_begin)
    _installed = True
