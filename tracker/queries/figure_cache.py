"""A fund's revision, and the figures kept against it.

Every transaction that writes a fund's rows gives the fund a new revision, a random 62-bit number,
as its last statement before it commits (one row per fund in `fund_revision`, a table nobody else
locks: see models.FundRevision for why not the fund's own row). Random rather than counted: a
database restored from a backup does not bring back a number that already named other figures.

The dashboard's and the reports' figures are sums over thousands of journal lines: they are
computed once per (fund, revision, day, language, parameters) and kept in this process, so that the
next page that asks for them costs one read of the revision by primary key instead of a dozen
queries. Nothing is ever stale: a write changes the revision, and the revision is read in the
request that shows the figures.

The rules that keep that true:
- the revision changes from the ORM's flushes (`after_flush`), so no write path can forget it;
  the only tables that do not change it are the logs written when somebody only reads
  (`UNTRACKED`), and the login tables, which carry no fund_id;
- a request that has written and not yet committed never reads nor fills the cache (its figures
  would include rows that other requests cannot see yet);
- what is kept is plain values (numbers, dates, strings, tuples), never ORM rows, and callers treat
  it as read-only;
- with FIGURES_CACHE = "verify" (the test suite), every hit is computed again and compared, so a
  write that escapes the revision fails the tests that see its figures.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from itertools import chain
from typing import TypeVar

from flask import current_app, g, has_app_context, has_request_context
from flask_babel import get_locale
from sqlalchemy import Select, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker import clock
from tracker.extensions import db
from tracker.models import AuditEvent, Fund, FundRevision, PersonAccess, random_revision

# Logs written when somebody only looks: they change no figure, and a new revision on every read
# would both empty the cache and make readers of a fund wait for each other's commits.
UNTRACKED = (AuditEvent, PersonAccess)
KEPT = 256  # entries per process (a dashboard's is ~30 KB with its charts)
_PENDING = "funds_written"
_READ = "fund_revisions"  # in flask.g: {fund id: revision} read in this request

T = TypeVar("T")


class StaleFigures(AssertionError):
    """In "verify" mode: a kept value differs from the same figures computed again."""


def written_funds(session: Session) -> set[int]:
    """The funds whose rows this session's flushes have changed since its transaction began."""
    return session.info.get(_PENDING, set())


@event.listens_for(Session, "after_flush")
def _note_written_funds(session: Session, _flush_context) -> None:
    written = session.info.setdefault(_PENDING, set())
    changed = [row for row in session.dirty if session.is_modified(row, include_collections=False)]
    for row in chain(session.new, changed, session.deleted):
        if isinstance(row, UNTRACKED):
            continue
        fund_id = row.id if isinstance(row, Fund) else getattr(row, "fund_id", None)
        if fund_id is not None:
            written.add(fund_id)


@event.listens_for(Session, "before_commit")
def _new_revisions(session: Session) -> None:
    session.flush()
    written = session.info.pop(_PENDING, None)
    if not written:
        return
    connection = session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    for fund_id in sorted(written):  # one order for everybody: no deadlock between two funds
        value = random_revision()
        connection.execute(
            insert(FundRevision)
            .values(fund_id=fund_id, revision=value)
            .on_conflict_do_update(index_elements=[FundRevision.fund_id], set_={"revision": value})
        )
    if has_app_context() and "figures" in current_app.extensions:
        # What was kept of these funds can no longer be served; this process lets it go at once
        # (an erased file leaves no copy behind here). Another process lets its copies go when it
        # next looks a value of the fund up (_kept), or they age out unread.
        current_app.extensions["figures"].forget_funds(written)


@event.listens_for(Session, "after_rollback")
def _forget_written_funds(session: Session) -> None:
    session.info.pop(_PENDING, None)


def revision(fund_id: int) -> int:
    """The fund's revision; 0 until its first write (since this table exists). Read once a request:
    the login's query reads the revision of the user's own fund (note_revision), and a commit
    forgets what was read. A request sees the figures as of its start, as if it had come a few
    milliseconds earlier than a write committed meanwhile."""
    if not has_request_context():
        return read_revision(fund_id)
    known = g.setdefault(_READ, {})
    if fund_id not in known:
        known[fund_id] = read_revision(fund_id)
    return known[fund_id]


def read_revision(fund_id: int) -> int:
    return db.session.scalar(select(FundRevision.revision).where(FundRevision.fund_id == fund_id)) or 0


def note_revision(fund_id: int, value: int) -> None:
    """The revision of a fund as read in this request's first query (accounts.load_session_user)."""
    if has_request_context():
        g.setdefault(_READ, {})[fund_id] = value


@event.listens_for(Session, "after_commit")
def _forget_read_revisions(_session: Session) -> None:
    if has_request_context():
        g.pop(_READ, None)


def revisions_of(funds: Select) -> tuple[tuple[int, int], ...]:
    """(fund id, revision) of each of several funds (a SELECT of ids, e.g. a province's), in id
    order: it changes when any of them is written, and when a fund joins or leaves the set."""
    rows = db.session.execute(
        select(Fund.id, func.coalesce(FundRevision.revision, 0))
        .outerjoin(FundRevision, FundRevision.fund_id == Fund.id)
        .where(Fund.id.in_(funds))
        .order_by(Fund.id)
    )
    return tuple((fund_id, revision) for fund_id, revision in rows)


def kept(fund_id: int, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """compute(), or the value it gave for the same fund revision, day, language and key (which
    must name everything else the value depends on: the figures' kind, their dates)."""
    return _kept(
        lambda: (fund_id, revision(fund_id)), key, compute, lambda: (fund_id, read_revision(fund_id))
    )


def kept_for_funds(funds: Select, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """kept() for figures over several funds: kept until any of them is written."""

    def identity() -> tuple:
        return ("funds", revisions_of(funds))

    return _kept(identity, key, compute, identity)


def _kept(
    identity: Callable[[], tuple],
    key: tuple[Hashable, ...],
    compute: Callable[[], T],
    identity_now: Callable[[], tuple],
) -> T:
    """`identity` names the revisions the value is kept against; `identity_now` reads them again
    from the database (for "verify")."""
    mode = current_app.config["FIGURES_CACHE"]
    session = db.session
    session.flush()
    if mode == "off" or written_funds(session):
        return compute()
    revisions = identity()
    full_key = (*revisions, clock.today(), str(get_locale()), *key)
    store = current_app.extensions["figures"]
    value = store.get(full_key)
    if value is Store.MISSING:
        if isinstance(revisions[0], int):
            # A fund's new revision: what this process kept of its older ones can no longer be
            # served (another process wrote, or erased a file); let it go now, not when it ages out.
            store.forget_fund_except(revisions[0], revisions[1])
        value = compute()
        store.put(full_key, value)
    elif mode == "verify":
        fresh = compute()
        # A write that committed meanwhile (PostgreSQL reads each statement's latest commits) has
        # a new revision: then the two need not agree, and neither is served after it.
        if fresh != value and identity_now() == revisions:
            raise StaleFigures(f"{full_key[0]}, {key}: the kept figures differ from the journal's")
    return value


class Store:
    """The kept values of one app, least recently used out first."""

    MISSING = object()

    def __init__(self, size: int = KEPT):
        self.size = size
        self._values: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()  # the development server answers in threads

    def get(self, key: tuple) -> object:
        with self._lock:
            value = self._values.get(key, self.MISSING)
            if value is not self.MISSING:
                self._values.move_to_end(key)
            return value

    def forget_funds(self, fund_ids: set[int]) -> None:
        with self._lock:
            for key in [key for key in self._values if key[0] in fund_ids]:
                del self._values[key]

    def forget_fund_except(self, fund_id: int, revision: int) -> None:
        with self._lock:
            for key in [key for key in self._values if key[0] == fund_id and key[1] != revision]:
                del self._values[key]

    def put(self, key: tuple, value: object) -> None:
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)


MODES = ("on", "off", "verify")  # "verify": the test suite's


def init_app(app) -> None:
    mode = app.config.setdefault("FIGURES_CACHE", "on")
    if mode not in MODES:
        raise ValueError(f"FIGURES_CACHE must be one of {', '.join(MODES)}, not {mode!r}")
    app.extensions["figures"] = Store()
