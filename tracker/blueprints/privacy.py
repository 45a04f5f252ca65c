"""A person's rights over their data (Law 91/2025/QH15): export everything held, and erasure.

Both are the chair's alone. An export is logged like an opening of the file; an erasure keeps the
money records (loans, schedule, repayments, the journal) and blanks the rest
(personal_data.erase_person).
"""

import datetime as dt
import json
import unicodedata

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from tracker import accounts, audit, clock, database, personal_data
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import (
    AuditEvent,
    Donation,
    Loan,
    MentorAssignment,
    Person,
    PersonAccess,
    PersonStatusChange,
    User,
    Visit,
)
from tracker.money import balances
from tracker.text import without_hidden_characters
from tracker.web.access import get_person_or_404, requires
from tracker.web.forms import PasswordAgainForm

bp = Blueprint("privacy", __name__)

# Every column of the person except the fund and the search helpers derived from the name, so a
# field added later is exported without anyone remembering to add it here.
INTERNAL_PERSON_COLUMNS = frozenset({"fund_id", "sort_key", "search_text"})
PERSON_FIELDS = tuple(c.key for c in Person.__table__.columns if c.key not in INTERNAL_PERSON_COLUMNS)
LOAN_FIELDS = (
    "id",
    "principal",
    "purpose",
    "applied_on",
    "term_months",
    "grace_months",
    "status",
    "decided_on",
    "minutes_ref",
    "rejection_reason",
    "disbursed_on",
    "voucher_no",
    "written_off_on",
    "write_off_reason",
)


def canonical(value: str) -> str:
    """One spelling of a typed text, whatever Unicode form the keyboard produced (Unikey sends
    composed or decomposed accents), however the spaces fell, and without the characters that
    print nothing (a name saved before names refused them may hold one)."""
    return " ".join(without_hidden_characters(unicodedata.normalize("NFC", value or "")).split())


def same_name(typed: str, name: str) -> bool:
    return bool(typed) and canonical(typed) == canonical(name)


class EraseForm(PasswordAgainForm):
    confirm = StringField(
        _l("Type the person's full name to confirm"),
        [DataRequired(_l("Type the person's full name exactly as it is shown above."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        [
            DataRequired(_l("Enter the reason, e.g. the person's written request of 05/02/2026.")),
            Length(max=500),
        ],
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_confirm(self, field):
        if not same_name(field.data, self.person.full_name):
            raise ValidationError(
                _l("This is not the person's name: type it exactly as it is shown above to confirm.")
            )

    def validate_reason(self, field):
        # The reason goes into the append-only audit log, where it could never be erased.
        reason = canonical(field.data).casefold()
        details = (self.person.full_name, self.person.phone)
        if any(detail and canonical(detail).casefold() in reason for detail in details):
            raise ValidationError(
                _l("Do not write the person's name or phone in the reason: it is kept in the audit log.")
            )


# ------------------------------------------------------------------------------ export


def user_label(user: User | None) -> str | None:
    if user is None:
        return None
    return f"{user.full_name} ({user.username})" if user.full_name else user.username


def json_value(value):
    """Dates as yyyy-mm-dd; times in Vietnam time with their offset, so nobody reads UTC as local."""
    if isinstance(value, dt.datetime):
        return clock.to_local(value).replace(tzinfo=clock.VIETNAM).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def loads(value: str):
    try:
        return json.loads(value) if value else None
    except ValueError:
        return value


def person_data(person: Person) -> dict:
    """Everything the fund holds about a person, as plain JSON-friendly values."""
    data: dict = {"person": {field: getattr(person, field) for field in PERSON_FIELDS}}
    data["person"]["mentor"] = person.mentor.full_name if person.mentor else None
    data["status_history"] = [
        {
            "from_status": change.from_status,
            "to_status": change.to_status,
            "changed_on": change.changed_on,
            "reason": change.reason,
            "changed_by": user_label(change.changed_by),
        }
        for change in db.session.scalars(
            select(PersonStatusChange)
            .where(PersonStatusChange.person_id == person.id)
            .options(selectinload(PersonStatusChange.changed_by))
            .order_by(PersonStatusChange.changed_on, PersonStatusChange.id)
        )
    ]
    data["mentor_history"] = [
        {
            "mentor": assignment.mentor.full_name if assignment.mentor else None,
            "assigned_on": assignment.assigned_on,
            "ended_on": assignment.ended_on,
            "note": assignment.note,
            "assigned_by": user_label(assignment.assigned_by),
        }
        for assignment in db.session.scalars(
            select(MentorAssignment)
            .where(MentorAssignment.person_id == person.id)
            .options(selectinload(MentorAssignment.mentor), selectinload(MentorAssignment.assigned_by))
            .order_by(MentorAssignment.assigned_on, MentorAssignment.id)
        )
    ]
    data["visits"] = [
        {
            "visited_on": visit.visited_on,
            "kind": visit.kind,
            "mentor": visit.mentor.full_name if visit.mentor else None,
            "summary": visit.summary,
            "livelihood": visit.livelihood,
            "concerns": visit.concerns,
            "next_visit_on": visit.next_visit_on,
        }
        for visit in db.session.scalars(
            select(Visit)
            .where(Visit.person_id == person.id)
            .options(selectinload(Visit.mentor))
            .order_by(Visit.visited_on, Visit.id)
        )
    ]
    data["loans"] = loans_data(person)
    data["earmarked_donations"] = [
        # The donor is another person: their name is theirs, not part of this person's data.
        {"receipt_no": d.receipt_no, "amount": d.amount, "received_on": d.received_on, "note": d.note}
        for d in sorted(personal_data.owned_rows(person)[Donation], key=lambda d: (d.received_on, d.id))
    ]
    # What others wrote that names the person: another person's visit, a donation's note, a review.
    data["mentioned_in"] = [mention._asdict() for mention in personal_data.mentions(person)]
    data["access_log"] = [
        {"at": at, "action": action, "by": user_label(user)}
        for at, action, user in db.session.execute(
            select(PersonAccess.at, PersonAccess.action, User)
            .outerjoin(User, User.id == PersonAccess.user_id)
            .where(PersonAccess.person_id == person.id)
            .order_by(PersonAccess.at, PersonAccess.id)
        )
    ]
    data["changes"] = [
        {
            "at": event.at,
            "action": event.action,
            "by": user_label(event.user),
            # After an erasure the old details stay out of the export too; the reason stays in.
            **(
                {"before": loads(event.before), "after": loads(event.after)}
                if person.erased_at is None or event.action == "person.erase"
                else {}
            ),
        }
        for event in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "Person", AuditEvent.object_id == person.id)
            .where(AuditEvent.fund_id == person.fund_id)
            .options(selectinload(AuditEvent.user))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    ]
    return data


def loans_data(person: Person) -> list[dict]:
    loans = list(
        db.session.scalars(
            select(Loan)
            .where(Loan.person_id == person.id)
            .options(selectinload(Loan.installments), selectinload(Loan.repayments))
            .order_by(Loan.applied_on, Loan.id)
        )
    )
    by_loan = balances.loan_balances([loan.id for loan in loans])
    result = []
    for loan in loans:
        item = {field: getattr(loan, field) for field in LOAN_FIELDS}
        balance = by_loan[loan.id]
        item["balance"] = {
            "disbursed": balance.disbursed,
            "repaid": balance.repaid,
            "written_off": balance.written_off,
            "outstanding": balance.outstanding,
        }
        item["schedule"] = [
            {"number": i.number, "due_on": i.due_on, "amount_due": i.amount_due} for i in loan.installments
        ]
        item["repayments"] = [
            {
                "receipt_no": r.receipt_no,
                "amount": r.amount,
                "paid_on": r.paid_on,
                "method": r.method,
                "reversed": r.is_reversed,
            }
            for r in loan.repayments
        ]
        result.append(item)
    return result


@bp.route("/people/<int:person_id>/export")
@requires("export_personal")
def export(person_id: int):
    """Download everything held about a person as JSON (?format=html: a printable page); logged."""
    chosen = request.args.get("format", "json")
    if chosen not in ("json", "html"):
        abort(400)
    person = get_person_or_404(person_id)
    audit.log_access([person.id], "export")  # first: the export lists itself in the access log
    data = {
        "fund": g.fund.name,
        "exported_on": clock.today(),
        **person_data(person),
    }
    if chosen == "html":
        return render_template(
            "privacy/export.html",
            person=person,
            data=data,
        )
    body = json.dumps(data, ensure_ascii=False, indent=2, default=json_value)
    return Response(
        body.encode("utf-8"),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="nguoi-{person.id}.json"'},
    )


# ------------------------------------------------------------------------------ erasure


def render_erase(person: Person, form: EraseForm, status: int = 200):
    return render_template("privacy/erase.html", person=person, form=form), status


@bp.route("/people/<int:person_id>/erase")
@requires("erase_person")
def erase_form(person_id: int):
    """Render the erasure page: what is removed, what is kept, and the confirmation form."""
    person = get_person_or_404(person_id)
    return render_erase(person, EraseForm(formdata=None, person=person))


@bp.route("/people/<int:person_id>/erase", methods=["POST"])
@requires("erase_person")
def erase(person_id: int):
    """Erase a person's personal data, keeping the money records; the name becomes a placeholder."""
    person = get_person_or_404(person_id)
    form = EraseForm(person=person)
    if not accounts.password_confirmed(form):
        return render_erase(person, form, 422)
    database.lock_row(person)  # two erasures at once: the second finds it done
    if person.erased_at is not None:
        form.form_errors.append(_("This person's data has already been erased."))
    if not form.validate() or form.form_errors:
        return render_erase(person, form, 422)
    personal_data.erase_person(person, clock.today())
    # Only the reason: the log is append-only, so a name written here could never be erased.
    audit.record("person.erase", person, after={"reason": form.reason.data})
    db.session.commit()
    flash(_("The personal data is erased. The loans and repayments are kept."), "success")
    return redirect(url_for("people.detail", person_id=person.id), 303)
