"""The committee changes a loan's terms: a reschedule of what is left, or a pause of collection
(tracker.money.schedules keeps each as a new version of the schedule)."""

from flask import flash, redirect, url_for
from flask_login import current_user

from tracker import accounts, audit
from tracker.blueprints.loans.forms import PauseForm, RescheduleForm
from tracker.blueprints.loans.routes import bp, get_loan_or_404, render_loan
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.i18n import gettext as _
from tracker.money import journal, schedules
from tracker.web.access import requires
from tracker.web.forms import refusal_to_form


@bp.route("/loans/<int:loan_id>/reschedule", methods=["POST"])
@requires("change_loan_terms")
def reschedule(loan_id: int):
    """Spread what is left of the loan over new installments (chair), citing the meeting."""
    loan = get_loan_or_404(loan_id)
    form = RescheduleForm()
    if not accounts.password_confirmed(form):
        return render_loan(loan, 422, reschedule_form=form)
    change = None
    if form.validate():
        try:
            change = schedules.reschedule(
                loan,
                form.installments.data,
                form.first_due_on.data,
                form.reason.data,
                form.minutes_ref.data,
                current_user.id,
            )
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_loan(get_loan_or_404(loan_id), 422, reschedule_form=form)
    audit.record(
        "loan.reschedule",
        loan,
        after={
            "installments": change.installments,
            "first_due_on": change.first_due_on.isoformat(),
            "minutes_ref": change.minutes_ref,
        },
    )
    db.session.commit()
    flash(
        _(
            "The schedule is changed: %(count)s installments from %(date)s.",
            count=change.installments,
            date=format_date(change.first_due_on),
        ),
        "success",
    )
    return redirect(url_for("loans.detail", loan_id=loan.id), 303)


@bp.route("/loans/<int:loan_id>/pause", methods=["POST"])
@requires("change_loan_terms")
def pause(loan_id: int):
    """Pause the loan's collection for a period (chair): illness, a hospital stay, a disaster."""
    loan = get_loan_or_404(loan_id)
    form = PauseForm()
    if not accounts.password_confirmed(form):
        return render_loan(loan, 422, pause_form=form)
    change = None
    if form.validate():
        try:
            change = schedules.pause(
                loan,
                form.paused_from.data,
                form.paused_until.data,
                form.reason.data,
                form.minutes_ref.data,
                current_user.id,
            )
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_loan(get_loan_or_404(loan_id), 422, pause_form=form)
    audit.record(
        "loan.pause",
        loan,
        after={
            "paused_from": change.paused_from.isoformat(),
            "paused_until": change.paused_until.isoformat(),
        },
    )
    db.session.commit()
    flash(
        _(
            "Collection is paused from %(start)s to %(end)s.",
            start=format_date(change.paused_from),
            end=format_date(change.paused_until),
        ),
        "success",
    )
    return redirect(url_for("loans.detail", loan_id=loan.id), 303)
