"""Connection settings that money correctness depends on.

SQLite: the pysqlite driver delays BEGIN until the first write, so a read-check-then-write is not
atomic and concurrent repayments could overpay a loan. We take over transaction control (SQLAlchemy's
documented recipe) and start every transaction of a state-changing request with BEGIN IMMEDIATE,
which takes the write lock before the first read. WAL lets readers go on meanwhile.

PostgreSQL: money functions lock the rows they check with SELECT ... FOR UPDATE (see ledger_store).
A request that writes nothing by contract (a GET whose view is not marked writes_on_get) runs in a
READ ONLY transaction, so the database refuses a write that slipped into it, and ends it with
COMMIT: psycopg throws its prepared statements away at every rollback, and every read-only request
ended with one, so PostgreSQL parsed and planned each statement of every page again (0.3–2.3 ms a
page, bench/NOTES.md). A committed read-only transaction has written nothing, as a rolled-back one.
"""

import sqlite3

from flask import Flask, current_app, has_request_context, request
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
READ_ONLY = "tracker_read_only"  # in a connection's info: its transaction began READ ONLY
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
    if conn.dialect.driver == "psycopg":
        _begin_postgresql(conn)
        return
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock(conn) else "BEGIN")


def _begin_postgresql(conn) -> None:
    """Have psycopg open a read-only request's transaction with BEGIN READ ONLY (no statement of its
    own), and note on the connection whether this transaction is one, for its end."""
    dbapi_connection = conn.connection.dbapi_connection
    read_only = has_request_context() and not _wants_write_lock(conn)
    if dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
        dbapi_connection.read_only = read_only
        conn.info[READ_ONLY] = read_only
    else:  # a transaction already open (not ours): leave it as it is, and roll it back at the end
        conn.info[READ_ONLY] = False


def end_read_only_transaction(exc: BaseException | None) -> None:
    """teardown_request, before the session is closed: COMMIT a read-only request's transaction on
    PostgreSQL instead of letting it roll back (see the module's docstring)."""
    from tracker.extensions import db

    session = db.session()  # the request's own Session behind the scoped proxy
    if exc is not None or not session.in_transaction():
        return
    if not session.connection().info.get(READ_ONLY):
        return
    try:
        session.commit()
    except SQLAlchemyError:
        # Something was changed on a page that must not write; the database refused it.
        current_app.logger.exception("A read-only request tried to write; rolled back")
        session.rollback()


_installed = False


def configure_engine_events(app: Flask) -> None:
    app.teardown_request(end_read_only_transaction)
    global _installed
    if _installed:
        return
    event.listen(Engine, "connect", _on_connect)
    event.listen(Engine, "begin", _on_begin)
    _installed = True
