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


# object_type -> (the kind of record, the page it has) for the "Record" column.
OBJECT_PAGES = {
    "Person": (_l("Person helped"), "people.detail"),
    "Visit": (_l("Visit"), "people.detail"),  # a visit is read in its person's file
    "Loan": (_l("Loan"), "loans.detail"),
    "Repayment": (_l("Repayment"), "loans.detail"),
    "Donation": (_l("Donation"), "donations.detail"),
    "Donor": (_l("Donor"), "donors.detail"),
    "CommitteeMember": (_l("Team member"), "members.detail"),
    "Membership": (_l("Login"), None),
    "User": (_l("Login"), None),
    "Fund": (_l("Fund"), None),
    "PeriodClose": (_l("Closing of the books"), None),
    "Transfer": (_l("Move between cash and the bank"), None),
    "CashCount": (_l("Cash count"), "cash.count_paper"),
    "ReviewNote": (_l("Six-monthly and year-end review"), None),
}
PAGE_ARGUMENTS = {
    "people.detail": "person_id",
    "loans.detail": "loan_id",
    "donations.detail": "donation_id",
    "donors.detail": "donor_id",
    "members.detail": "member_id",
    "cash.count_paper": "count_id",
}


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


def describe(row, names: dict) -> dict:
    """A log row as the page shows it: a sentence ("Recorded a visit — Phan Văn Lực"), the record
    it concerns with a link to its page, and the fields before and after by their labels."""
    erased = row.erased_at is not None
    old, new = parse(row.before), parse(row.after)
    subject, record, link = record_of(row, names, new or old or {})
    action = audit.action_words(row.action)
    return {
        "source": row.source,
        "id": row.row_id,
        "at": row.at,
        "who": row.user_name or row.username,
        "username": row.username,
        "action": row.action,
        "action_words": action,
        "subject": subject,  # the sentence: action_words — subject (linked to its page)
        "record": record,
        "link": link,
        # An erased person's old details live on in earlier events (the log is append-only); the
        # page does not show them again. The reason for the erasure itself stays readable.
        "changes": changes(
            old,
            new,
            row,
            names,
            hide_values=erased and row.action != "person.erase",
            raw=(row.before, row.after),
        ),
    }


def record_of(row, names: dict, values: dict) -> tuple[str, str, str | None]:
    """(the record's name for the sentence, its kind and number for the column, its page)."""
    kind = row.object_type
    label, endpoint = OBJECT_PAGES.get(kind, ("", None))
    label = str(label)
    named = names.get((kind, row.object_id))
    page_id = row.object_id
    subject = ""
    if kind == "Person":
        subject = row.full_name or ""
    elif kind in ("Visit", "Loan", "Repayment") and named:
        subject = named.name
        page_id = named.page_id
        if kind == "Repayment":
            label = _("Receipt %(number)s", number=named.number)
        if kind == "Loan":
            label = f"{label} #{row.object_id}"
    elif kind in ("Donation", "Donor") and named:
        subject = donor_shown(named)
        if kind == "Donation":
            label = _("Receipt %(number)s", number=named.number)
    elif kind == "CommitteeMember" and named:
        subject = named.name
    elif kind in ("Membership", "User") and named:
        subject = login_shown(named)
    elif kind == "Fund" and named:
        subject = named.name
    elif kind == "Transfer" and values.get("document_no"):
        subject = values["document_no"]
    elif kind == "CashCount" and values.get("counted_on"):
        subject = readable("counted_on", values["counted_on"], row, {})
    elif kind == "PeriodClose" and values.get("closed_through"):
        subject = _("through %(date)s", date=readable("closed_through", values["closed_through"], row, {}))
    elif kind == "ReviewNote" or row.action == "review.notes":
        subject = period_words(values.get("period"))
    link = url_for(endpoint, **{PAGE_ARGUMENTS[endpoint]: page_id}) if endpoint and page_id else None
    return subject, label, link


def donor_shown(named) -> str:
    """A donor as the chair sees them everywhere: an anonymous donor is not named."""
    return str(labels.ANONYMOUS_DONOR) if named.anonymous else named.name


def login_shown(named) -> str:
    return f"{named.number} ({named.name})" if named.number else named.name


def period_words(key) -> str:
    """2026 -> "Year 2026", 2026-H1 -> "First half of 2026", as the review's picker says."""
    text = str(key or "")
    first, dots, last = text.partition("..")
    if dots:  # a range of days: 2025-01-01..2026-12-31
        try:
            start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        except ValueError:
            return text
        return _(
            "From %(start)s to %(end)s",
            start=formatting.format_date(start),
            end=formatting.format_date(end),
        )
    year, _dash, half = text.partition("-")
    if not year.isdigit():
        return text
    if half.upper() == "H1":
        return _("First half of %(year)s", year=year)
    if half.upper() == "H2":
        return _("Second half of %(year)s", year=year)
    return _("Year %(year)s", year=year)


def names_wanted(rows) -> dict[str, set[int]]:
    """The records a page of the log mentions: its rows' own, and those named in their fields."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        # a person's rows too, though the page's query names them: so that a page costs the same
        # three queries whatever its rows are
        if row.object_id:
            wanted.setdefault(row.object_type, set()).add(row.object_id)
        for side in (parse(row.before), parse(row.after)):
            for key, value in (side or {}).items():
                how = audit.FIELDS.get(key, (None, None))[1]
                if isinstance(how, str) and how in audit.NAMED_BY and isinstance(value, int) and value:
                    wanted.setdefault(audit.NAMED_BY[how], set()).add(value)
    return wanted


def changes(old, new, row, names, hide_values: bool = False, raw=("", "")) -> dict:
    """before → after as rows of (label, old, new, changed), or the raw text if it is not a JSON object."""
    if old is None or new is None:
        return {"raw": list(raw)}
    keys = list(old) + [key for key in new if key not in old]
    rows = []
    for key in keys:
        shown = [
            readable(key, side.get(key), row, names, hide_values) if key in side else ""
            for side in (old, new)
        ]
        rows.append(
            {
                "label": field_label(key),
                "before": shown[0],
                "after": shown[1],
                "changed": old.get(key) != new.get(key),
            }
        )
    return {"rows": rows, "both": bool(old) and bool(new)}


def field_label(key: str) -> str:
    label, _how = audit.FIELDS.get(key, (None, None))
    return str(label) if label is not None else key


def parse(value: str) -> dict | None:
    if not value:
        return {}
    try:
        data = json.loads(value)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def readable(key: str, value, row, names: dict, hidden: bool = False) -> str:
    """A value as the form showed it: words for a code, a name for an id, money and dates written out."""
    if hidden:
        return _("(erased)")
    if value is None or value == "":
        return "—"
    _label, how = audit.FIELDS.get(key, (None, None))
    if isinstance(value, bool) or how == "yes_no":
        return _("Yes") if value else _("No")
    if isinstance(how, dict):
        return labels.label(how, value)
    if how == "status":
        table = labels.PERSON_STATUSES if row.object_type == "Person" else labels.LOAN_STATUSES
        return labels.label(table, value)
    if how == "money" and isinstance(value, int):
        return formatting.format_money(value)
    if how in audit.NAMED_BY:
        return named_value(how, value, names)
    if how == "period":
        return period_words(value)
    if how == "person_fields" and isinstance(value, list):
        return ", ".join(str(audit.PERSON_FIELDS.get(field, field)) for field in value)
    if isinstance(value, str) and len(value) == 10:
        try:
            return formatting.format_date(dt.date.fromisoformat(value))
        except ValueError:
            pass
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def named_value(how: str, value, names: dict) -> str:
    named = names.get((audit.NAMED_BY[how], value)) if isinstance(value, int) else None
    if named is None:
        return _("(not found)")
    if how == "donor":
        return donor_shown(named)
    if how == "login":
        return login_shown(named)
    if how == "loan":
        return _("Loan #%(id)s, %(name)s", id=value, name=named.name)
    return named.name


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
    names = audit.record_names(g.fund.id, names_wanted(rows))
    rows = [describe(row, names) for row in rows]
    template = "audit/_panel.html" if wants_fragment() else "audit/index.html"
    return render_template(
        template, form=form, rows=rows, total=total, page=page, pages=pages, count_limit=audit.COUNT_LIMIT
    )
