"""Connection settings that money correctness depends on.

SQLite: the pysqlite driver delays BEGIN until the first write, so a read-check-then-write is not
atomic and concurrent repayments could overpay a loan. We take over transaction control (SQLAlchemy's
documented recipe) and start every transaction of a state-changing request with BEGIN IMMEDIATE,
which takes the write lock before the first read. WAL lets readers go on meanwhile.

PostgreSQL: money functions lock the rows they check with SELECT ... FOR UPDATE (see ledger_store).
The app's connections are opened read-only by default (default_transaction_read_only): a request that
writes nothing by contract (a GET whose view is not marked writes_on_get) runs its statements
outside any transaction block (psycopg autocommit), and the database refuses a write that slipped
into it. Every other transaction begins with BEGIN READ WRITE. A page's statements each see the
database as it is when they start, as they did inside a READ COMMITTED transaction, without the two
round trips of BEGIN and COMMIT (0.25 ms of every page, bench/NOTES.md). psycopg keeps its prepared
statements: it throws them away at a rollback, and such a request has none.
"""

import sqlite3

from flask import Flask, current_app, has_request_context, request
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import Pool

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
READ_ONLY = "tracker_read_only"  # in a connection's info: this request's statements may not write
OUR_AUTOCOMMIT = "tracker_autocommit"  # in a connection's info: autocommit switched on by _begin_postgresql
READ_ONLY_BY_DEFAULT = "-c default_transaction_read_only=on"
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
    """A read-only request's statements run outside a transaction block, where the connection's
    default refuses writes; any other transaction begins READ WRITE. Notes which on the connection."""
    dbapi_connection = conn.connection.dbapi_connection
    if conn.info.pop(OUR_AUTOCOMMIT, False):  # a second transaction on this connection: decide again
        dbapi_connection.autocommit = False
    if dbapi_connection.info.transaction_status != TransactionStatus.IDLE or dbapi_connection.autocommit:
        # a transaction already open (not ours), or SQLAlchemy's AUTOCOMMIT level (VACUUM): as it is
        conn.info[READ_ONLY] = False
        return
    read_only = has_request_context() and not _wants_write_lock(conn)
    if read_only and conn.get_execution_options().get("isolation_level") is None:
        dbapi_connection.autocommit = True
        conn.info[OUR_AUTOCOMMIT] = True
    else:  # BEGIN READ WRITE, against the connection's default, or a snapshot's BEGIN ... READ ONLY
        dbapi_connection.read_only = read_only
    conn.info[READ_ONLY] = read_only


def begin_snapshot() -> None:
    """Before the session's first statement: the reads that follow see one state of the database,
    in a transaction (REPEATABLE READ on PostgreSQL; on SQLite a session's reads are one already).
    An export's opening balance agrees with its rows, and a server-side cursor (yield_per) has the
    transaction block it needs. After the first statement it changes nothing."""
    from tracker.extensions import db

    if db.session().in_transaction() or db.engine.dialect.name != "postgresql":
        return
    db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def holds_cursor() -> bool:
    """Whether the session's reads run in a transaction block, as a server-side cursor needs (on
    PostgreSQL a read-only request's statements run outside one, see the module's docstring)."""
    from tracker.extensions import db

    return not db.session.connection().info.get(OUR_AUTOCOMMIT, False)


def _end_our_autocommit(dbapi_connection, record) -> None:
    """Pool checkin: a connection goes back to the pool with transactions, as SQLAlchemy expects."""
    if record.info.pop(OUR_AUTOCOMMIT, False):
        dbapi_connection.autocommit = False


def engine_options(app: Flask) -> None:
    """Before the engine is made: PostgreSQL connections of the app are read-only by default."""
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        return
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    connect_args = options.setdefault("connect_args", {})
    if READ_ONLY_BY_DEFAULT not in connect_args.get("options", ""):
        connect_args["options"] = f"{connect_args.get('options', '')} {READ_ONLY_BY_DEFAULT}".strip()


def end_read_only_transaction(exc: BaseException | None) -> None:
    """teardown_request, before the session is closed: end a read-only request's session with a
    commit (no statement: nothing is open), not a rollback, and log a write the database refused."""
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
    event.listen(Pool, "checkin", _end_our_autocommit)
    _installed = True
