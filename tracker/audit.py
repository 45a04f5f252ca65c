"""The audit trail (Nhật ký thao tác): every write adds one event in the same transaction."""

import datetime as dt
import json

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import String, and_, bindparam, case, func, insert, literal_column, or_, select, union_all

from tracker import clock, database
from tracker.extensions import db
from tracker.models import AuditEvent, Person, PersonAccess, User, utcnow


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    """The fields of a row worth keeping in before/after, as JSON-friendly values."""
    result = {}
    for field in fields:
        value = getattr(obj, field)
        result[field] = value.isoformat() if hasattr(value, "isoformat") else value
    return result


def log_access(person_ids, action: str = "view") -> None:
    """Put on record that the current user saw these people's data (DESIGN §5: who, whose, when;
    one row each). Ends the request's transaction, which must only have read, and writes the log
    in a short one of its own: a page that shows a file reads without SQLite's write lock, and
    takes it for one INSERT. Call it before the page is sent (after rendering it, or before
    reading what an export hands over)."""
    at = utcnow()
    fund_id = g.fund.id
    rows = [
        {"fund_id": fund_id, "user_id": current_user.id, "person_id": person_id, "action": action, "at": at}
        for person_id in sorted(set(person_ids))
    ]
    database.end_transaction_before_slow_work()
    if not rows:
        return
    with database.writing():
        db.session.execute(insert(PersonAccess), rows)  # one statement whatever their number
        db.session.commit()


def record(
    action: str,
    obj=None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    fund_id: int | None = None,
    user_id: int | None = None,
) -> AuditEvent:
    if has_request_context() and current_user and current_user.is_authenticated:
        user_id = user_id or current_user.id
        fund_id = fund_id or getattr(g.get("fund"), "id", None)
    if obj is not None:
        db.session.flush()
        fund_id = fund_id or getattr(obj, "fund_id", None)
    event = AuditEvent(
        fund_id=fund_id,
        user_id=user_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        before=json.dumps(before, ensure_ascii=False, default=str) if before else "",
        after=json.dumps(after, ensure_ascii=False, default=str) if after else "",
    )
    db.session.add(event)
    return event


# ------------------------------------------------------------------------------ reading the log

# The log grows with every opening of a file: the count stops here (40 pages); older entries are
# found by their dates.
COUNT_LIMIT = 1_000
PAGE_SIZE = 25  # as the other lists
KIND_ACCESS = "access"  # ?kind= for the openings and exports of a person's file


def utc_start_of(day: dt.date) -> dt.datetime:
    """Midnight in Vietnam at the start of `day`, as the naive UTC the tables store."""
    local = dt.datetime.combine(day, dt.time.min, tzinfo=clock.VIETNAM)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def constant(value: str):
    """A string constant as a column of the merged rows (no bind parameter, so it types on PostgreSQL)."""
    return literal_column(f"'{value}'", String)


def log_query(kind: str | None, by_user: bool, since: bool, until: bool, newest: bool):
    """The merged log of a fund as one subquery with common columns, filters applied to each side.

    Values come as bind parameters (fund_id, user_id, start, end, kind, kind_prefix, newest); the
    arguments say which filters there are. With `newest`, each side keeps only its newest rows, read
    backwards along its (fund_id, at) index: enough for the pages up to there, without merging,
    joining and sorting a whole log that grows by every opening of a file."""
    events = select(
        constant("event").label("source"),
        AuditEvent.id.label("row_id"),
        AuditEvent.at.label("at"),
        AuditEvent.user_id.label("user_id"),
        AuditEvent.action.label("action"),
        AuditEvent.object_type.label("object_type"),
        AuditEvent.object_id.label("object_id"),
        AuditEvent.before.label("before"),
        AuditEvent.after.label("after"),
        case((AuditEvent.object_type == "Person", AuditEvent.object_id), else_=None).label("person_id"),
    ).where(AuditEvent.fund_id == bindparam("fund_id"))
    accesses = select(
        constant("access").label("source"),
        PersonAccess.id.label("row_id"),
        PersonAccess.at.label("at"),
        PersonAccess.user_id.label("user_id"),
        PersonAccess.action.label("action"),
        constant("Person").label("object_type"),
        PersonAccess.person_id.label("object_id"),
        constant("").label("before"),
        constant("").label("after"),
        PersonAccess.person_id.label("person_id"),
    ).where(PersonAccess.fund_id == bindparam("fund_id"))

    if by_user:
        events = events.where(AuditEvent.user_id == bindparam("user_id"))
        accesses = accesses.where(PersonAccess.user_id == bindparam("user_id"))
    if since:
        events = events.where(AuditEvent.at >= bindparam("start"))
        accesses = accesses.where(PersonAccess.at >= bindparam("start"))
    if until:
        events = events.where(AuditEvent.at < bindparam("end"))
        accesses = accesses.where(PersonAccess.at < bindparam("end"))
    if kind and kind != KIND_ACCESS:
        events = events.where(
            or_(AuditEvent.action == bindparam("kind"), AuditEvent.action.like(bindparam("kind_prefix")))
        )
    if newest:
        events = events.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(bindparam("newest"))
        accesses = accesses.order_by(PersonAccess.at.desc(), PersonAccess.id.desc()).limit(
            bindparam("newest")
        )
        events, accesses = events.subquery().select(), accesses.subquery().select()
    if kind == KIND_ACCESS:
        return accesses.subquery("log")
    if kind:
        return events.subquery("log")
    return union_all(events, accesses).subquery("log")


def log_statements(kind: str | None, by_user: bool, since: bool, until: bool):
    """(count, page) for one shape of filters. `kind` is None, KIND_ACCESS or "action" (any action
    prefix, bound as a value)."""
    counted = select(log_query(kind, by_user, since, until, newest=False).c.row_id)
    count = select(func.count()).select_from(counted.limit(bindparam("count_limit")).subquery())
    log = log_query(kind, by_user, since, until, newest=True)
    page = (
        select(log, User.username, User.full_name.label("user_name"), Person.full_name, Person.erased_at)
        .outerjoin(User, User.id == log.c.user_id)
        .outerjoin(Person, and_(Person.id == log.c.person_id, Person.fund_id == bindparam("fund_id")))
        .order_by(log.c.at.desc(), log.c.source, log.c.row_id.desc())
        .offset(bindparam("offset"))
        .limit(PAGE_SIZE)
    )
    return count, page


def log_page(
    fund_id: int,
    page: int,
    *,
    user_id: int | None = None,
    kind: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> tuple[list, int, int, int]:
    """One page of a fund's log, newest first: (rows, page, pages, total rows). Two queries. `kind`
    is KIND_ACCESS (openings of a file), the prefix of an action ("loan"), or None (everything).

    The log grows with every opening of a file, for years: the count stops past COUNT_LIMIT rows
    (and the pages with it), so a view costs the same in the tenth year as in the first; older
    entries are found by their dates."""
    values = {"fund_id": fund_id, "count_limit": COUNT_LIMIT + 1}
    if user_id:
        values["user_id"] = int(user_id)
    if start:
        values["start"] = utc_start_of(start)
    if end:
        values["end"] = utc_start_of(end + dt.timedelta(days=1))
    if kind and kind != KIND_ACCESS:
        values.update(kind=kind, kind_prefix=f"{kind}.%")
    count, page_query = log_statements(
        kind if kind in (None, KIND_ACCESS) else "action", bool(user_id), bool(start), bool(end)
    )
    total = db.session.scalar(count, values)
    pages = max(1, -(-min(total, COUNT_LIMIT) // PAGE_SIZE))
    # Past the end (or a page number too big for the database's integers): the last page.
    page = min(page, pages)
    rows = db.session.execute(
        page_query, {**values, "newest": page * PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    ).all()
    return rows, page, pages, total
