"""The audit trail (Nhật ký thao tác): every write adds one event in the same transaction."""

import json

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import insert

from tracker import database
from tracker.extensions import db
from tracker.models import AuditEvent, PersonAccess, utcnow


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
