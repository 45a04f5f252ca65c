"""A form sent twice is saved once.

On a poor connection the answer to a form can be lost after the server has saved it: the user sees
no answer (or the browser's error page), presses the button again, and without care the fund would
record a second repayment of the same money. Every form that creates something (a repayment, a
donation, a loan application, a visit, a person, a donor, a team member) therefore carries a random
key, made when the form is shown (`form_key`, a hidden field). The view claims the key in the
transaction that saves: the first sending saves and keeps the key with the address of what it
saved; another sending of the same key saves nothing and goes to that address, saying it was saved
already.

The claim is an INSERT of (user, key) under a unique constraint, with ON CONFLICT DO NOTHING:
- two sendings at once: PostgreSQL makes the second INSERT wait for the first transaction, then
  finds the key and inserts nothing; on SQLite a request that writes takes the write lock first
  (tracker.database), so the second runs after the first has committed;
- a sending that is refused (a wrong amount, more than is owed) rolls back with its key, so the
  corrected form, which keeps its key, is saved when sent again;
- a form without a key (an older page, a script) is saved as before.
Keys are kept 30 days: each claim drops the same user's older ones.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from flask import flash, g, redirect
from flask_login import current_user
from htmx_flask import make_response as htmx_response
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from wtforms import HiddenField

from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.models import FormSubmission, utcnow
from tracker.web.forms import Form
from tracker.web.views import wants_fragment

KEPT_DAYS = 30
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
_CLAIMED = "form_submission_id"


def new_key() -> str:
    return secrets.token_urlsafe(18)


def _valid_key(value):
    """A key as we make them, or None (nothing to claim): the field is hidden, so a mangled key must
    not become an error the user cannot see."""
    return value if isinstance(value, str) and _KEY.fullmatch(value) else None


class OnceForm(Form):
    """A form that creates something: it carries a new key each time it is shown empty, and keeps
    its key when it comes back with errors."""

    form_key = HiddenField(default=new_key, filters=[_valid_key])


def sent_before(form: OnceForm) -> str | None:
    """Where an earlier sending of this form saved what it made, or None: then this is the first,
    which claims the form's key in this request's transaction; go on and save, and say where the
    result can be seen (remember_where)."""
    key = form.form_key.data if form.form_key.raw_data else None  # not sent: the default is new
    if not key:
        return None
    session = db.session
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    session.execute(
        delete(FormSubmission).where(
            FormSubmission.user_id == current_user.id,
            FormSubmission.saved_at < now - dt.timedelta(days=KEPT_DAYS),
        )
    )
    claimed = session.execute(
        insert(FormSubmission)
        .values(user_id=current_user.id, key=key, saved_at=now, location="")
        .on_conflict_do_nothing(index_elements=[FormSubmission.user_id, FormSubmission.key])
        .returning(FormSubmission.id)
    ).scalar()
    if claimed is not None:
        g.setdefault(_CLAIMED, claimed)
        return None
    location = session.scalar(
        select(FormSubmission.location).where(
            FormSubmission.user_id == current_user.id, FormSubmission.key == key
        )
    )
    return location or "/"


def remember_where(location: str) -> None:
    """Note where the claimed form's result can be seen (for a second sending of it)."""
    claimed = g.get(_CLAIMED)
    if claimed is not None:
        db.session.execute(
            update(FormSubmission).where(FormSubmission.id == claimed).values(location=location)
        )


def answer_again(location: str):
    """The answer to a form sent again: nothing saved, and the page of what the first sending saved."""
    db.session.rollback()
    flash(_("This was saved already: the form was sent twice, and it is recorded once."), "success")
    if wants_fragment():
        # htmx would swap a redirect's page into the form's place: have it load the page instead.
        return htmx_response("", 200, redirect=location)
    return redirect(location, 303)
