"""How the app talks to its database, where correctness depends on it.

SQLite: the pysqlite driver delays BEGIN until the first write, so a read-check-then-write is not
atomic and concurrent repayments could overpay a loan. We take over transaction control (SQLAlchemy's
documented recipe) and start every transaction of a state-changing request with BEGIN IMMEDIATE,
which takes the database's one write lock before the first read. Writers wait for it in line
(WriterQueue) and give up after DATABASE_WAIT_SECONDS with a 503. WAL lets readers go on meanwhile.

PostgreSQL: money functions lock the rows they check with SELECT ... FOR UPDATE (journal.lock_fund,
lock_row); a lock waited for longer than DATABASE_WAIT_SECONDS ends the statement (lock_timeout).
A request that writes nothing by contract (a GET, outside writing()) runs in a READ ONLY
transaction: the database refuses a write that slipped into such a page.
"""

import collections
import os
import sqlite3
import threading
import time
from contextlib import contextmanager

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from tracker import locks

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# How long a request waits for the database (SQLite's write lock, a PostgreSQL row lock) before it
# answers "busy, try again" (503): well under gunicorn's 30-second worker timeout, which would
# otherwise kill the worker and answer a bare 500.
WAIT_SECONDS = 10
WRITING = "tracker_writing"  # in flask.g: this GET request is writing its log now (writing())
HOLDS_WRITERS_LOCK = "tracker_writers_lock"  # in a connection record's info: the WriterQueue it holds


class DatabaseBusy(Exception):
    """The database stayed locked by other writers for WAIT_SECONDS: nothing was done."""


def is_lock_timeout(error: SQLAlchemyError) -> bool:
    """SQLite's "database is locked" after its busy timeout, or PostgreSQL's lock_timeout."""
    original = getattr(error, "orig", None)
    if isinstance(original, sqlite3.OperationalError):
        return "locked" in str(original)
    return getattr(original, "sqlstate", None) == "55P03"  # lock_not_available


def wait_seconds() -> float:
    return (
        current_app.config.get("DATABASE_WAIT_SECONDS", WAIT_SECONDS) if has_app_context() else WAIT_SECONDS
    )


def _wants_write_lock(conn) -> bool:
    if conn.get_execution_options().get("write_lock"):
        return True
    if not has_request_context():
        return False
    # A page only reads, but for the log of who opened a file, written last in a short transaction
    # of its own (writing()), so that reading the page does not hold the write lock.
    return request.method not in SAFE_METHODS or g.get(WRITING, False)


@contextmanager
def writing():
    """In a GET request: the transactions begun inside write (take the write lock on SQLite, begin
    READ WRITE on PostgreSQL). Commit inside the block."""
    before = g.get(WRITING, False)
    setattr(g, WRITING, True)
    try:
        yield
    finally:
        setattr(g, WRITING, before)


def end_transaction_before_slow_work() -> None:
    """Before work that needs no database and takes long (hashing a password): end the request's
    transaction, so that SQLite's write lock and PostgreSQL's row locks are not held meanwhile (12
    failed logins held a donation up for 2 seconds). Nothing may have been written yet: it would be
    committed here, half done. The next statement begins a new transaction."""
    from tracker.extensions import db

    session = db.session()
    if session.new or session.dirty or session.deleted or session.info.get(FLUSHED):
        raise RuntimeError("a transaction with changes cannot be ended before slow work")
    session.commit()


FLUSHED = "tracker_flushed"  # in a session's info: its transaction has sent changes to the database


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context) -> None:
    session.info[FLUSHED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_flushed(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(FLUSHED, None)


def lock_row(row) -> None:
    """Read a row again and hold it until the transaction ends (SELECT ... FOR UPDATE on
    PostgreSQL; on SQLite the request already holds the write lock): a check made on it now
    cannot be undone by another request before this one commits. Lock order, to never deadlock:
    the fund (journal.lock_fund), then a loan or a person, then a committee member."""
    from tracker.extensions import db

    # OF the row's own table: a refresh repeats the loader options the row was read with (a loan
    # with its borrower, outer joined), and PostgreSQL locks no outer-joined row
    db.session.refresh(row, with_for_update={"of": type(row)})


class WriterQueue:
    """SQLite's writers, one at a time and in the order they came.

    SQLite itself lets a writer that finds the database locked sleep and try again, a little longer
    each time (its busy handler), so a writer wakes long after the lock is free, or loses it to a
    newcomer (bench/writers.py). Here a writer waits in line before BEGIN IMMEDIATE instead: the
    threads of this process in a first-come queue, each woken the moment the one before it is done;
    the processes (gunicorn's workers) through a lock on a file beside the database, which the head
    of each process's queue asks for every millisecond. Gives up after wait_seconds()."""

    def __init__(self, path: str):
        self.path = path
        self._mutex = threading.Lock()
        self._busy = False
        self._waiting: collections.deque[threading.Event] = collections.deque()
        self._fd: int | None = None
        self._pid = 0  # whose file descriptor: a forked worker opens its own (flock is per open file)

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._mutex:
            turn = None if not self._busy else threading.Event()
            if turn is None:
                self._busy = True
            else:
                self._waiting.append(turn)
        if turn is not None and not turn.wait(timeout):
            with self._mutex:
                if turn in self._waiting:  # not handed over meanwhile
                    self._waiting.remove(turn)
                    raise DatabaseBusy
        try:
            self._lock_file(deadline)
        except BaseException:
            self._hand_over()
            raise

    def release(self) -> None:
        if self._fd is not None:
            locks.unlock(self._fd)
        self._hand_over()

    def _hand_over(self) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._busy = False

    def _lock_file(self, deadline: float) -> None:
        if self._pid != os.getpid():
            self._fd, self._pid = os.open(f"{self.path}.writers", os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        while True:
            try:
                locks.lock_exclusive_nowait(self._fd)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DatabaseBusy from None
                time.sleep(0.001)


_queues: dict[str, WriterQueue] = {}
_queues_mutex = threading.Lock()


def writer_queue(conn) -> WriterQueue | None:
    path = conn.engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    path = os.path.abspath(path)
    with _queues_mutex:
        return _queues.setdefault(path, WriterQueue(path))


def _wait_for_writers(conn) -> None:
    record = conn.connection._connection_record
    if record is None or HOLDS_WRITERS_LOCK in record.info:
        return
    queue = writer_queue(conn)
    if queue is not None:
        queue.acquire(wait_seconds())
        record.info[HOLDS_WRITERS_LOCK] = queue


def _let_writers_go(_dbapi_connection, record) -> None:
    queue = record.info.pop(HOLDS_WRITERS_LOCK, None) if record is not None else None
    if queue is not None:
        queue.release()


def _on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # For writers outside the WriterQueue (another program, a backup); ours wait in it.
    cursor.execute(f"PRAGMA busy_timeout={int(WAIT_SECONDS * 1000)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_begin(conn) -> None:
    if conn.dialect.name == "postgresql":
        # psycopg begins READ ONLY or READ WRITE as this says (outside a request: CLI, tests, write)
        conn.connection.dbapi_connection.read_only = has_request_context() and not _wants_write_lock(conn)
        return
    if conn.dialect.name != "sqlite":
        return
    if _wants_write_lock(conn):
        _wait_for_writers(conn)
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def begin_snapshot() -> None:
    """Before the session's first statement: the reads that follow see one state of the database,
    in a transaction (REPEATABLE READ on PostgreSQL; on SQLite a session's reads are one already):
    an export's opening balance agrees with its rows. After the first statement it changes nothing."""
    from tracker.extensions import db

    if db.session().in_transaction() or db.engine.dialect.name != "postgresql":
        return
    db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def engine_options(app: Flask) -> None:
    """Before the engine is made: PostgreSQL gives up waiting for a lock as SQLite does."""
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "postgresql":
        return
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    connect_args = options.setdefault("connect_args", {})
    wait_ms = int(app.config.get("DATABASE_WAIT_SECONDS", WAIT_SECONDS) * 1000)
    if "lock_timeout" not in connect_args.get("options", ""):
        connect_args["options"] = f"{connect_args.get('options', '')} -c lock_timeout={wait_ms}".strip()


def end_read_only_request(exc: BaseException | None) -> None:
    """teardown_request: a GET that went well ends its transaction with COMMIT rather than the
    session's ROLLBACK. It wrote nothing (on PostgreSQL it ran READ ONLY), so nothing changes, but
    psycopg drops the statements it has prepared at every rollback, and PostgreSQL would plan each
    page's statements again at every view."""
    from tracker.extensions import db

    session = db.session()
    if exc is None and has_request_context() and request.method in SAFE_METHODS and session.in_transaction():
        if not (session.new or session.dirty or session.deleted or session.info.get(FLUSHED)):
            session.commit()


_installed = False


def configure_engine_events(app: Flask) -> None:
    app.teardown_request(end_read_only_request)
    global _installed
    if _installed:
        return
    event.listen(Engine, "connect", _on_connect)
    event.listen(Engine, "begin", _on_begin)
    # checkin: right after the session's commit or rollback, the next writer may go
    event.listen(Pool, "checkin", _let_writers_go)
    event.listen(
        Pool, "invalidate", lambda connection, record, _exception: _let_writers_go(connection, record)
    )
    event.listen(Pool, "close", _let_writers_go)
    _installed = True
