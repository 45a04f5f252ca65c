"""The people blueprint's views (see __init__.py): search, the file, status and mentor changes.

Members see only the people assigned to them, treasurers those with a loan; every lookup goes
through access.get_person_or_404. Every opening of a file is logged (audit.log_access).
"""

import datetime as dt
from typing import NamedTuple

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from tracker import audit, casework, clock, database, labels
from tracker.blueprints.people.forms import (
    LIFE_EVENT_STATUSES,
    STATUS_REASONS,
    MentorForm,
    NewPersonForm,
    PersonForm,
    StatusForm,
    apply_form,
    status_choices,
)
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import (
    PERSON_STATUSES,
    CommitteeMember,
    Installment,
    Loan,
    MentorAssignment,
    Person,
    PersonHandover,
    PersonStatusChange,
    Spending,
    User,
)
from tracker.money import balances, ledger
from tracker.text import searchable
from tracker.web import once, shared
from tracker.web.access import can, get_person_or_404, requires, visible_people
from tracker.web.views import id_arg, page_of, render_logged, wants_fragment

bp = Blueprint("people", __name__, url_prefix="/people")

PAGE_SIZE = 25
# ------------------------------------------------------------------ the list and its search


def filtered_people():
    """The people query for the list, from ?q= (name, phone, hamlet; accents optional), ?status=
    and ?mentor_id= (a number, or 'none' for people without a mentor)."""
    query = visible_people().options(joinedload(Person.mentor))
    terms = searchable(request.args.get("q", ""))[:100].split()
    for term in terms:
        query = query.where(Person.search_text.contains(term, autoescape=True))
    status = request.args.get("status")
    if status in PERSON_STATUSES:
        query = query.where(Person.status == status)
    mentor = request.args.get("mentor_id", "")
    if mentor == "none":
        query = query.where(Person.mentor_id.is_(None))
    elif (mentor_id := id_arg(mentor)) is not None:
        query = query.where(Person.mentor_id == mentor_id)
    return query


def list_context() -> dict:
    people = page_of(filtered_people().order_by(Person.sort_key, Person.id), PAGE_SIZE)
    return {
        "people": people.rows,
        "total": people.total,
        "page": people.page,
        "pages": people.pages,
        "q": request.args.get("q", ""),
        "chosen_status": request.args.get("status", ""),
        "chosen_mentor": request.args.get("mentor_id", ""),
        "mentors": casework.current_mentors(g.fund.id) if not current_user.role == "member" else [],
        "statuses": status_choices(),
    }


@bp.route("")
@requires("view_people")
def index():
    """Render the people list; the search box's htmx requests get only the results."""
    context = list_context()
    if wants_fragment() and request.htmx.target == "people-results":
        return render_template("people/_results.html", **context)
    return render_template("people/index.html", form=NewPersonForm(formdata=None), **context)


@bp.route("", methods=["POST"])
@requires("manage_people")
def create():
    """Add a person helped."""
    form = NewPersonForm()
    if not form.validate():
        return render_template("people/index.html", form=form, **list_context()), 422
    if (earlier := once.sent_before(form)) is not None:
        return once.answer_again(earlier)
    person = Person(fund_id=g.fund.id, status="supported", next_visit_on=clock.today())
    changed = apply_form(person, form)
    db.session.add(person)
    db.session.flush()
    if form.mentor_id.data:
        casework.assign_mentor(person, form.mentor_id.data, clock.today(), current_user.id)
    audit.record("person.create", person, after={"fields": changed, "mentor_id": person.mentor_id})
    once.remember_where(url_for("people.detail", person_id=person.id))
    db.session.commit()
    flash(_("Added %(name)s.", name=person.full_name), "success")
    return redirect(url_for("people.detail", person_id=person.id), 303)


# ------------------------------------------------------------------ the person's file


def person_context(person: Person) -> dict:
    today = clock.today()
    context = {"person": person}
    context.update(loans_of(person, today))
    if can("view_casework"):
        context.update(history_of(person))
        context.update(visit_context(person))
    if can("manage_people"):
        context["status_form"] = StatusForm(formdata=None, changed_on=today)
        context["status_reasons"] = STATUS_REASONS
        context["handover_form"] = shared.HandoverForm(formdata=None)
    context["handovers"] = db.session.scalars(
        select(PersonHandover)
        .where(or_(PersonHandover.person_id == person.id, PersonHandover.new_person_id == person.id))
        .order_by(PersonHandover.id)
    ).all()
    # grants the person received (hỗ trợ không hoàn lại): help the committee gave, beside the loans
    context["grants"] = db.session.scalars(
        select(Spending)
        .where(Spending.fund_id == g.fund.id, Spending.person_id == person.id, Spending.category == "grant")
        .order_by(Spending.proposed_on.desc(), Spending.id.desc())
    ).all()
    if can("assign_mentors"):
        context["mentor_form"] = MentorForm(formdata=None, assigned_on=today, mentor_id=person.mentor_id or 0)
    from tracker.blueprints.people.referrals import referral_context  # it imports this module

    context.update(referral_context(person))
    return context


class PersonLoan(NamedTuple):
    """One of the person's loans, as the table of loans shows it."""

    id: int
    lent: int
    status: str
    person_id: int
    borrower_name: str


def loans_of(person: Person, today: dt.date) -> dict:
    """The person's loans, oldest first, their positions today, what they still owe on loans being
    repaid and their next payment (the summary at the top of the file)."""
    loans = [
        PersonLoan(*row, person.full_name)
        for row in db.session.execute(
            select(Loan.id, Loan.lent, Loan.status, Loan.person_id)
            .where(Loan.person_id == person.id, Loan.fund_id == person.fund_id)
            .order_by(Loan.applied_on, Loan.id)
        )
    ]
    positions = balances.positions_of(loans, today)
    active = [loan for loan in loans if loan.status == "active"]
    return {
        "loans": loans,
        "positions": positions,
        "owed": sum(positions[loan.id].outstanding for loan in active) if active else None,
        "next_payment": next_payment(active, positions, today),
    }


class NextPayment(NamedTuple):
    loan_id: int
    due_on: dt.date
    amount: int  # what is left of that installment


def next_payment(active: list[PersonLoan], positions: dict, today: dt.date) -> NextPayment | None:
    """The earliest installment not yet fully paid among the active loans (one query)."""
    if not active:
        return None
    schedules: dict[int, list[Installment]] = {}
    for installment in db.session.scalars(
        select(Installment)
        .where(Installment.loan_id.in_([loan.id for loan in active]), Installment.superseded.is_(False))
        .order_by(Installment.loan_id, Installment.number)
    ):
        schedules.setdefault(installment.loan_id, []).append(installment)
    found = []
    for loan in active:
        items = schedules.get(loan.id, [])
        states = ledger.installment_states(
            [(i.due_on, i.amount_due) for i in items], positions[loan.id].balance.repaid, today
        )
        for item, state in zip(items, states, strict=True):
            if not state.settled(item.amount_due):
                found.append(NextPayment(loan.id, item.due_on, item.amount_due - state.paid))
                break
    return min(found, key=lambda row: (row.due_on, row.loan_id), default=None)


class StatusChangeRow(NamedTuple):
    changed_on: dt.date
    from_status: str
    to_status: str
    reason: str
    changed_by: str | None  # the login's full name, or its username


class AssignmentRow(NamedTuple):
    assigned_on: dt.date
    ended_on: dt.date | None
    mentor_name: str | None  # None: nobody
    note: str


def history_of(person: Person) -> dict:
    """The person's status changes and mentor assignments, newest first. Two queries."""
    changes = db.session.execute(
        select(
            PersonStatusChange.changed_on,
            PersonStatusChange.from_status,
            PersonStatusChange.to_status,
            PersonStatusChange.reason,
            func.coalesce(func.nullif(User.full_name, ""), User.username),
        )
        .outerjoin(User, User.id == PersonStatusChange.changed_by_id)
        .where(PersonStatusChange.person_id == person.id, PersonStatusChange.fund_id == person.fund_id)
        .order_by(PersonStatusChange.changed_on.desc(), PersonStatusChange.id.desc())
    )
    assignments = db.session.execute(
        select(
            MentorAssignment.assigned_on,
            MentorAssignment.ended_on,
            CommitteeMember.full_name,
            MentorAssignment.note,
        )
        .outerjoin(CommitteeMember, CommitteeMember.id == MentorAssignment.mentor_id)
        .where(MentorAssignment.person_id == person.id, MentorAssignment.fund_id == person.fund_id)
        .order_by(MentorAssignment.assigned_on.desc(), MentorAssignment.id.desc())
    )
    return {
        "status_history": [StatusChangeRow(*row) for row in changes],
        "mentor_history": [AssignmentRow(*row) for row in assignments],
    }


def visit_context(person: Person) -> dict:
    """The quick visit form and the visit timeline (web.shared: the visit pages show them too)."""
    context = shared.timeline_context(person)
    if can("log_visits") and person.status == "supported":
        context["visit_form"] = shared.visit_form_for(person)
    return context


@bp.route("/<int:person_id>")
@requires("view_people")
def detail(person_id: int):
    """Render a person's file; the opening is logged."""
    person = get_person_or_404(person_id, options=(joinedload(Person.mentor),))
    return render_logged("people/detail.html", [person.id], **person_context(person))


@bp.route("/<int:person_id>/edit")
@requires("manage_people")
def edit(person_id: int):
    """Render the form to correct a person's details (it shows them all: the opening is logged)."""
    person = get_person_or_404(person_id)
    form = PersonForm(obj=person)
    return render_logged("people/edit.html", [person.id], person=person, form=form)


@bp.route("/<int:person_id>", methods=["POST"])
@requires("manage_people")
def update(person_id: int):
    """Save corrections to a person's details."""
    person = get_person_or_404(person_id)
    if person.erased_at is not None:
        abort(404)
    form = PersonForm()
    if not form.validate():
        return render_template("people/edit.html", person=person, form=form), 422
    changed = apply_form(person, form)
    if changed:
        audit.record("person.update", person, after={"fields": changed})
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("people.detail", person_id=person.id), 303)


def render_detail_with(person: Person, status: int, **forms):
    context = person_context(person)
    context.update(forms)
    return render_template("people/detail.html", **context), status


@bp.route("/<int:person_id>/status", methods=["POST"])
@requires("manage_people")
def change_status(person_id: int):
    """Change the status (supported, settled, paused, moved, deceased) with date and reason."""
    person = get_person_or_404(person_id, lock=True)
    form = StatusForm()
    valid = form.validate()
    if valid and form.status.data == person.status:
        form.status.errors.append(_("The person already has this status."))
    last_change = db.session.scalar(
        select(func.max(PersonStatusChange.changed_on)).where(PersonStatusChange.person_id == person.id)
    )
    if valid and last_change and form.changed_on.data < last_change:
        # the history reads in order: a change cannot come before the one it follows
        form.changed_on.errors.append(
            _(
                "The change cannot be dated before the previous one (%(date)s).",
                date=format_date(last_change),
            )
        )
    open_loans = db.session.scalars(
        select(Loan).where(
            Loan.person_id == person.id, Loan.fund_id == person.fund_id, Loan.status == "active"
        )
    ).all()
    asks_about_loan = valid and open_loans and form.status.data in LIFE_EVENT_STATUSES
    if asks_about_loan:
        check_loan_action(form)
    if form.errors:
        return render_detail_with(person, 422, status_form=form)
    before = person.status
    casework.change_status(person, form.status.data, form.changed_on.data, form.reason.data, current_user.id)
    audit.record("person.status", person, before={"status": before}, after={"status": person.status})
    if asks_about_loan and form.loan_action.data == "family":
        for loan in open_loans:
            database.lock_row(loan)
            loan.payer_name, loan.payer_relation = form.payer_name.data, form.payer_relation.data
            audit.record("loan.payer", loan, after={"payer_relation": loan.payer_relation})
    db.session.commit()
    flash(
        _("Status changed to %(status)s.", status=labels.label(labels.PERSON_STATUSES, person.status)),
        "success",
    )
    if asks_about_loan and form.loan_action.data in LOAN_STEP_ANCHORS:
        # The loan's own form takes the decision (new installments, the pause's dates, the meeting).
        flash(LOAN_STEP_MESSAGES[form.loan_action.data], "success")
        anchor = LOAN_STEP_ANCHORS[form.loan_action.data]
        return redirect(url_for("loans.detail", loan_id=open_loans[0].id, _anchor=anchor), 303)
    return redirect(url_for("people.detail", person_id=person.id), 303)


LOAN_STEP_ANCHORS = {"reschedule": "change-terms", "pause": "change-terms", "write_off": "corrections"}
LOAN_STEP_MESSAGES = {
    "reschedule": _l("Now record the new schedule the committee agreed."),
    "pause": _l("Now record the pause the committee agreed."),
    "write_off": _l("Now record the write-off once the committee has decided it."),
}


def check_loan_action(form: StatusForm) -> None:
    """The person has a loan open: the form must say what happens to it."""
    if not form.loan_action.data:
        form.loan_action.errors.append(_("Say what happens to the open loan."))
    elif form.loan_action.data == "family":
        if not form.payer_name.data:
            form.payer_name.errors.append(_("Enter the name of the family member who will repay."))
        if not form.payer_relation.data:
            form.payer_relation.errors.append(_("Say how they are related to the borrower."))


@bp.route("/<int:person_id>/mentor", methods=["POST"])
@requires("assign_mentors")
def assign_mentor(person_id: int):
    """Assign (or change) the person's mentor; the previous assignment is kept in the history."""
    person = get_person_or_404(person_id, lock=True)
    form = MentorForm()
    valid = form.validate()
    if valid and (form.mentor_id.data or None) == person.mentor_id:
        form.mentor_id.errors.append(_("This is already the person's mentor."))
    if valid and form.mentor_id.data and not casework.lock_current_member(form.mentor_id.data):
        # marked as having left the team since the form was shown
        form.mentor_id.errors.append(_("Choose a current member of the team."))
    current_since = db.session.scalar(
        select(func.max(MentorAssignment.assigned_on)).where(MentorAssignment.person_id == person.id)
    )
    if valid and current_since and form.assigned_on.data < current_since:
        # it would end the current assignment before it began
        form.assigned_on.errors.append(
            _(
                "The new assignment cannot start before the current one (%(date)s).",
                date=format_date(current_since),
            )
        )
    if form.errors:
        return render_detail_with(person, 422, mentor_form=form)
    before = person.mentor_id
    casework.assign_mentor(
        person, form.mentor_id.data or None, form.assigned_on.data, current_user.id, form.note.data
    )
    audit.record("person.mentor", person, before={"mentor_id": before}, after={"mentor_id": person.mentor_id})
    db.session.commit()
    flash(_("Mentor assignment saved."), "success")
    return redirect(url_for("people.detail", person_id=person.id), 303)
