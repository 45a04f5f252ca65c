"""The audit log (Nhật ký thao tác): every write and every opening of a person's file, for the chair.

Read-only by construction: this blueprint has GET routes only, and the tables refuse UPDATE and
DELETE by database trigger. The two tables are merged in SQL (UNION ALL, ordered by time, one page
with LIMIT/OFFSET), so a page costs the same few queries however long the log grows.
"""

import datetime as dt
import json

from flask import Blueprint, g, render_template, request, url_for
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from tracker import audit, formatting, labels
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Membership, User
from tracker.web.access import requires
from tracker.web.forms import Form, IsoDateField
from tracker.web.views import page_number, wants_fragment

bp = Blueprint("audit", __name__, url_prefix="/audit")


def kind_choices():
    return [
        ("", _l("Everything")),
        (audit.KIND_ACCESS, _l("Opened or exported a person's file")),
        ("person", _l("People helped")),
        ("visit", _l("Visits")),
        ("loan", _l("Loans")),
        ("repayment", _l("Repayments")),
        ("donation", _l("Donations")),
        ("donor", _l("Donors")),
        ("member", _l("Support team")),
        ("user", _l("Logins")),
        ("login", _l("Signing in")),
        ("period", _l("Closing the books")),
        ("fund", _l("The fund")),
    ]


# What each audit action reads as (lazy: one translation per row shown, not the whole table).
ACTION_LABELS = {
    **labels.ACCESSES,
    "review.notes": _l("Saved the review's to-do list"),
    "login": _l("Signed in"),
    "fund.create": _l("Created the fund"),
    "fund.demo": _l("Loaded the demo data"),
    "user.create": _l("Added a login"),
    "user.role": _l("Changed a login's role"),
    "user.deactivate": _l("Deactivated a login"),
    "user.activate": _l("Reactivated a login"),
    "user.password": _l("Set a login's password"),
    "member.create": _l("Added a team member"),
    "member.update": _l("Edited a team member"),
    "member.leave": _l("Marked a team member as left"),
    "person.create": _l("Added a person helped"),
    "person.update": _l("Edited a person helped"),
    "person.erase": _l("Erased a person's personal data"),
    "loan.apply": _l("Recorded a loan application"),
    "loan.approve": _l("Approved a loan"),
    "loan.reject": _l("Rejected a loan application"),
    "loan.disburse": _l("Disbursed a loan"),
    "loan.reverse_disbursement": _l("Reversed a disbursement"),
    "loan.write_off": _l("Wrote off a loan"),
    "repayment.create": _l("Recorded a repayment"),
    "repayment.reverse": _l("Reversed a repayment"),
    "donor.create": _l("Added a donor"),
    "donation.create": _l("Recorded a donation"),
    "donation.reverse": _l("Reversed a donation"),
    "period.close": _l("Closed the books"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


# object_type -> (label, endpoint, id argument) for the rows that have a page of their own.
OBJECT_PAGES = {
    "Person": (_l("Person helped"), "people.detail", "person_id"),
    "Loan": (_l("Loan"), "loans.detail", "loan_id"),
    "Donation": (_l("Donation"), "donations.detail", "donation_id"),
    "Donor": (_l("Donor"), "donors.detail", "donor_id"),
    "CommitteeMember": (_l("Team member"), "members.detail", "member_id"),
}
OBJECT_LABELS = {
    "Repayment": _l("Repayment"),
    "Membership": _l("Login"),
    "User": _l("Login"),
    "Fund": _l("Fund"),
    "PeriodClose": _l("Closing of the books"),
    "Visit": _l("Visit"),
}
MONEY_KEYS = frozenset({"amount", "principal"})


class AuditFilterForm(Form):
    """The filters, read from the query string (a GET form changes nothing: no CSRF)."""

    class Meta:
        csrf = False

    # Choices are checked below, so a stale or hand-typed value gets a message, not a 500.
    user = SelectField(_l("Who"), validate_choice=False, default="")
    kind = SelectField(_l("What"), choices=kind_choices, validate_choice=False, default="")
    start = IsoDateField(_l("From"), [Optional()], not_after_today=False, name="from")
    end = IsoDateField(_l("To"), [Optional()], not_after_today=False, name="to")

    def __init__(self, *args, logins: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = [("", _("Everyone")), *((str(id_), label) for id_, label in logins)]

    def validate_user(self, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a login of this fund from the list."))

    def validate_kind(self, field):
        if field.data and field.data not in {value for value, _label in kind_choices()}:
            raise ValidationError(_l("Choose what to show from the list."))

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("Enter an end date on or after the start date."))

    def valid(self, name: str):
        """A filter's value, or None when it is empty or was refused (a refused filter is ignored)."""
        field = self[name]
        return None if field.errors or not field.data else field.data


def fund_logins(fund_id: int) -> list[tuple[int, str]]:
    """(id, "username (full name)") of the fund's logins, for the filter."""
    users = db.session.execute(
        select(User.id, User.username, User.full_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.fund_id == fund_id)
        .order_by(User.username)
    )
    return [
        (id_, f"{username} ({full_name})" if full_name else username) for id_, username, full_name in users
    ]


def describe(row) -> dict:
    """A log row as the page shows it."""
    erased = row.erased_at is not None
    label, endpoint, argument = OBJECT_PAGES.get(
        row.object_type, (OBJECT_LABELS.get(row.object_type, row.object_type), None, None)
    )
    return {
        "source": row.source,
        "id": row.row_id,
        "at": row.at,
        "who": row.user_name or row.username,
        "username": row.username,
        "action": row.action,
        "action_label": action_label(row.action),
        "object_label": label,
        "object_id": row.object_id,
        "link": link_to(endpoint, argument, row.object_id),
        "person_name": row.full_name,
        # An erased person's old details live on in earlier events (the log is append-only); the
        # page does not show them again. The reason for the erasure itself stays readable.
        "changes": changes(row.before, row.after, hide_values=erased and row.action != "person.erase"),
    }


def link_to(endpoint: str | None, argument: str | None, object_id: int | None) -> str | None:
    if not endpoint or not object_id:
        return None
    return url_for(endpoint, **{argument: object_id})


def changes(before: str, after: str, hide_values: bool = False) -> dict:
    """before → after as rows of (key, old, new, changed), or the raw text if it is not a JSON object."""
    old, new = parse(before), parse(after)
    if old is None or new is None:
        return {"raw": [before, after]}
    keys = list(old) + [key for key in new if key not in old]
    rows = []
    for key in keys:
        shown = [readable(key, side.get(key), hide_values) if key in side else "" for side in (old, new)]
        rows.append(
            {"key": key, "before": shown[0], "after": shown[1], "changed": old.get(key) != new.get(key)}
        )
    return {"rows": rows, "both": bool(old) and bool(new)}


def parse(value: str) -> dict | None:
    if not value:
        return {}
    try:
        data = json.loads(value)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def readable(key: str, value, hidden: bool) -> str:
    if hidden:
        return _("(erased)")
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in MONEY_KEYS and isinstance(value, int):
        return formatting.format_money(value)
    if isinstance(value, str) and len(value) == 10:
        try:
            return formatting.format_date(dt.date.fromisoformat(value))
        except ValueError:
            pass
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@bp.route("")
@requires("view_audit")
def index():
    """Render the audit log of the fund: writes and file openings, newest first, with filters."""
    form = AuditFilterForm(request.args, logins=fund_logins(g.fund.id))
    form.validate()
    rows, page, pages, total = audit.log_page(
        g.fund.id,
        page_number(),
        user_id=form.valid("user"),
        kind=form.valid("kind"),
        start=form.valid("start"),
        end=form.valid("end"),
    )
    rows = [describe(row) for row in rows]
    template = "audit/_panel.html" if wants_fragment() else "audit/index.html"
    return render_template(
        template, form=form, rows=rows, total=total, page=page, pages=pages, count_limit=audit.COUNT_LIMIT
    )
