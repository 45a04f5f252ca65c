"""Figures that sum a whole fund or province, kept in memory until the fund's next write.

The dashboard, the reports, the review and the province's table sum thousands of journal lines and
files; they are computed once per (fund, revision, day, language, parameters) and kept in this
process, so the next view costs one read of the revisions instead of a dozen queries. Only such
pages keep anything (`fund_figures`, `funds_figures`): a single record or a list filtered by the
user's permissions is cheap to read, and a kept or shared copy of it would be a privacy bug.

A fund has two revisions, new random numbers at every commit that writes its rows: one for its
money (the journal and what it is about: donations, donors, loans, repayments, schedules,
fundings, closed periods) and one for the rest (people, visits, the team...). A figure names what
it depends on, so a visit does not drop the money sums. Random rather than counted: a database
restored from a backup does not bring back a number that already named other figures.

What keeps this true:
- revisions change from the ORM's flushes (`after_flush`), so no write path can forget one; the
  logs written when somebody only reads (`UNTRACKED`) change none;
- a request that has written and not yet committed neither reads nor fills the store (its figures
  would include rows that other requests cannot see yet);
- what is kept is plain values (numbers, dates, strings, tuples), never ORM rows;
- with FIGURES_CACHE = "verify" (the test suite) every hit is computed again and compared, so a
  write that escapes the revisions fails the tests that see its figures.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from itertools import chain
from typing import TypeVar

from flask import current_app, g, has_app_context, has_request_context
from flask_babel import get_locale
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker import clock
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CashCount,
    DocumentCounter,
    Donation,
    Donor,
    Fund,
    Funding,
    FundRevision,
    GiftInKind,
    Installment,
    JournalLine,
    JournalTransaction,
    Loan,
    PeriodClose,
    PersonAccess,
    Repayment,
    Spending,
    SpendingFunding,
    Transfer,
    random_revision,
)

MONEY, CASEWORK = "money", "casework"
PARTS = (MONEY, CASEWORK)
MONEY_TABLES = (
    JournalTransaction,
    JournalLine,
    Donation,
    Donor,
    Loan,
    Repayment,
    Installment,
    Funding,
    DocumentCounter,
    PeriodClose,
    Transfer,
    CashCount,
    Spending,  # grants and running costs (money that is not a loan)
    SpendingFunding,
    GiftInKind,  # not money, but counted with it in the review and on the donor's page
)
# Logs written when somebody only looks: they change no figure, and a new revision on every read
# would both empty the store and make readers of a fund wait for each other's commits.
UNTRACKED = (AuditEvent, PersonAccess)
SIZE = 512  # values per process (a dashboard's is ~30 KB with its charts, a province row ~2 KB)
_PENDING = "funds_written"  # in a session's info: {part: {fund id}} written since its transaction began
_READ = "fund_revisions"  # in flask.g: {fund id: {part: revision}} read in this request

T = TypeVar("T")


class StaleFigures(AssertionError):
    """In "verify" mode: a kept value differs from the same figures computed again."""


# ------------------------------------------------------------------ revisions


def written_funds(session: Session) -> dict[str, set[int]]:
    return session.info.get(_PENDING, {})


@event.listens_for(Session, "after_flush")
def _note_written_funds(session: Session, _flush_context) -> None:
    written = session.info.setdefault(_PENDING, {})
    changed = [row for row in session.dirty if session.is_modified(row, include_collections=False)]
    for row in chain(session.new, changed, session.deleted):
        if isinstance(row, UNTRACKED):
            continue
        if isinstance(row, Fund):
            for part in PARTS:
                written.setdefault(part, set()).add(row.id)
        elif (fund_id := getattr(row, "fund_id", None)) is not None:
            part = MONEY if isinstance(row, MONEY_TABLES) else CASEWORK
            written.setdefault(part, set()).add(fund_id)


@event.listens_for(Session, "before_commit")
def _new_revisions(session: Session) -> None:
    """The transaction's last statements: a new revision for each part of each fund it wrote, in one
    order for everybody (no deadlock between two funds). A table of its own, which nobody else
    locks (models.FundRevision)."""
    session.flush()
    written = session.info.pop(_PENDING, None)
    if not written:
        return
    connection = session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    for fund_id in sorted(set().union(*written.values())):
        values = {f"{part}_revision": random_revision() for part in PARTS if fund_id in written.get(part, ())}
        connection.execute(
            insert(FundRevision)
            .values(
                fund_id=fund_id, **{f"{part}_revision": values.get(f"{part}_revision", 0) for part in PARTS}
            )
            .on_conflict_do_update(index_elements=[FundRevision.fund_id], set_=values)
        )
    if has_app_context() and "figures" in current_app.extensions:
        # What this process kept of these funds can no longer be served: let it go now (an erased
        # file leaves no copy behind here). Another process lets its copies go when it next looks
        # the fund up (_lookup), or they age out unread.
        current_app.extensions["figures"].forget_written(written)


@event.listens_for(Session, "after_rollback")
def _forget_written_funds(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_commit")
def _forget_read_revisions(_session: Session) -> None:
    if has_request_context():
        g.pop(_READ, None)


def revisions(fund_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Each fund's revisions ({part: revision}; 0 until its first write), read once a request: a
    request sees the figures as of its first look, as if it had come a few milliseconds earlier
    than a write committed meanwhile."""
    known = g.setdefault(_READ, {}) if has_request_context() else {}
    missing = sorted(set(fund_ids) - set(known))
    if missing:
        found = {
            fund_id: {MONEY: money, CASEWORK: casework}
            for fund_id, money, casework in db.session.execute(
                select(
                    FundRevision.fund_id, FundRevision.money_revision, FundRevision.casework_revision
                ).where(FundRevision.fund_id.in_(missing))
            )
        }
        for fund_id in missing:
            known[fund_id] = found.get(fund_id, {MONEY: 0, CASEWORK: 0})
    return {fund_id: known[fund_id] for fund_id in fund_ids}


# ------------------------------------------------------------------ kept figures


def fund_figures(
    fund_id: int, depends_on: tuple[str, ...], key: tuple[Hashable, ...], compute: Callable[[], T]
) -> T:
    """compute(), or the value it gave for the same revisions of `depends_on` (parts of PARTS), day,
    language and key (which must name everything else the value depends on: its kind, its dates)."""
    found = funds_figures([fund_id], depends_on, key, lambda missing: {fund_id: compute()})
    return found[fund_id]


def funds_figures(
    fund_ids: list[int],
    depends_on: tuple[str, ...],
    key: tuple[Hashable, ...],
    compute: Callable[[list[int]], dict[int, T]],
) -> dict[int, T]:
    """A value per fund (a province's table: a row per fund), each kept against its own fund's
    revisions: compute(ids) is asked only for the funds written since (one batch), so a write to
    one fund recomputes one row."""
    session = db.session
    session.flush()
    mode = current_app.config["FIGURES_CACHE"]
    if mode == "off" or written_funds(session):
        return compute(list(fund_ids))
    store: FigureStore = current_app.extensions["figures"]
    today, locale = clock.today(), str(get_locale())

    def full_key(fund_id: int, seen: dict[str, int]) -> tuple:
        return (fund_id, tuple(seen[part] for part in depends_on), today, locale, *key)

    seen = revisions(fund_ids)
    keys = {fund_id: full_key(fund_id, seen[fund_id]) for fund_id in fund_ids}
    found, missing = {}, []
    for fund_id, fund_key in keys.items():
        value = store.get(fund_key)
        if value is FigureStore.MISSING:
            # The fund has a new revision: what this process kept of its older ones can no longer
            # be served (another process wrote, or erased a file); let it go now.
            store.forget_fund_except(fund_id, fund_key[1], depends_on)
            missing.append(fund_id)
        else:
            found[fund_id] = value
    if missing:
        computed = compute(missing)
        for fund_id in missing:
            store.put(keys[fund_id], depends_on, computed[fund_id])
        found.update(computed)
    if mode == "verify":
        verify([fund_id for fund_id in fund_ids if fund_id not in missing], depends_on, found, keys, compute)
    return {fund_id: found[fund_id] for fund_id in fund_ids}


def verify(kept_ids: list[int], depends_on, found: dict, keys: dict, compute) -> None:
    """Each kept value against the same figures computed again from the database."""
    if not kept_ids:
        return
    fresh = compute(kept_ids)
    if has_request_context():
        g.pop(_READ, None)
    now = revisions(kept_ids)
    for fund_id in kept_ids:
        # A write that committed meanwhile (PostgreSQL reads each statement's latest commits) has
        # a new revision: then the two need not agree, and neither is served after it.
        unchanged = tuple(now[fund_id][part] for part in depends_on) == keys[fund_id][1]
        if unchanged and fresh[fund_id] != found[fund_id]:
            raise StaleFigures(f"fund {fund_id}, {keys[fund_id][4:]}: the kept figures differ")


class FigureStore:
    """The kept values of one app, least recently used out first."""

    MISSING = object()

    def __init__(self, size: int = SIZE):
        self.size = size
        self._values: OrderedDict[tuple, tuple[tuple[str, ...], object]] = OrderedDict()
        self._lock = threading.Lock()  # the development server answers in threads

    def get(self, key: tuple) -> object:
        with self._lock:
            entry = self._values.get(key)
            if entry is None:
                return self.MISSING
            self._values.move_to_end(key)
            return entry[1]

    def put(self, key: tuple, depends_on: tuple[str, ...], value: object) -> None:
        with self._lock:
            self._values[key] = (depends_on, value)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def forget_written(self, written: dict[str, set[int]]) -> None:
        """Let go of the values of these funds that depend on what was written ({part: {fund id}})."""
        with self._lock:
            stale = [
                key
                for key, (parts, _value) in self._values.items()
                if any(key[0] in written.get(part, ()) for part in parts)
            ]
            for key in stale:
                del self._values[key]

    def forget_fund_except(
        self, fund_id: int, revisions: tuple[int, ...], depends_on: tuple[str, ...]
    ) -> None:
        with self._lock:
            stale = [
                key
                for key, (parts, _value) in self._values.items()
                if key[0] == fund_id and parts == depends_on and key[1] != revisions
            ]
            for key in stale:
                del self._values[key]


MODES = ("on", "off", "verify")  # "verify": the test suite's


def init_app(app) -> None:
    mode = app.config.setdefault("FIGURES_CACHE", "on")
    if mode not in MODES:
        raise ValueError(f"FIGURES_CACHE must be one of {', '.join(MODES)}, not {mode!r}")
    app.extensions["figures"] = FigureStore()
