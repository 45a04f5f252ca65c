"""The audit trail (Nhật ký thao tác): every write adds one event in the same transaction."""

import json

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import insert

from tracker.extensions import db
from tracker.models import AuditEvent, utcnow


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    """The fields of a row worth keeping in before/after, as JSON-friendly values."""
    result = {}
    for field in fields:
        value = getattr(obj, field)
        result[field] = value.isoformat() if hasattr(value, "isoformat") else value
    return result


def record_access(person, action: str = "view") -> None:
    """Log that the current user opened (or exported) a person's file. Same transaction as the page."""
    from tracker.models import PersonAccess

    db.session.add(
        PersonAccess(fund_id=person.fund_id, user_id=current_user.id, person_id=person.id, action=action)
    )


def record_accesses(fund_id: int, person_ids, action: str) -> None:
    """Log that the current user exported personal data of these people (one record each)."""
    from tracker.models import PersonAccess

    at = utcnow()
    rows = [
        {"fund_id": fund_id, "user_id": current_user.id, "person_id": person_id, "action": action, "at": at}
        for person_id in sorted(set(person_ids))
    ]
    if rows:  # one statement whatever their number
        db.session.execute(insert(PersonAccess), rows)


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
