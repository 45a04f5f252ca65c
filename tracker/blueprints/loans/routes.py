"""The loans blueprint's views (see __init__.py).

Every money change goes through tracker.money.journal, which checks the rules under the fund's lock;
these views only validate input, call it, commit once and respond.
"""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from htmx_flask import make_response as htmx_response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker import accounts, audit, clock
from tracker.blueprints.loans.forms import (
    ApproveForm,
    DisburseForm,
    LoanForm,
    PauseForm,
    ReasonForm,
    RepaymentForm,
    RescheduleForm,
    ReverseWriteOffForm,
    WriteOffForm,
)
from tracker.extensions import db
from tracker.formatting import format_money
from tracker.i18n import gettext as _
from tracker.models import JournalTransaction, Loan, Person, Repayment
from tracker.money import balances, journal, loan_status
from tracker.papers import person_name
from tracker.queries.loans import loan_figures
from tracker.vouchers import Voucher
from tracker.web import once
from tracker.web.access import (
    can,
    get_or_404,
    own_committee_member_id,
    own_people_clause,
    requires,
    sees_only_own_people,
)
from tracker.web.forms import refusal_to_form
from tracker.web.views import id_arg, page_of, render_logged, wants_fragment

bp = Blueprint("loans", __name__)


def get_loan_or_404(loan_id: int) -> Loan:
    # with its borrower and who decided, whom the loan page names; the money steps lock it
    # (journal.take_loan)
    loan = get_or_404(Loan, loan_id, options=(joinedload(Loan.person), joinedload(Loan.decided_by)))
    if sees_only_own_people() and (
        loan.person.mentor_id is None or loan.person.mentor_id != own_committee_member_id()
    ):
        abort(404)
    return loan


def visible_loans():
    query = select(Loan).where(Loan.fund_id == g.fund.id).options(joinedload(Loan.person))
    if sees_only_own_people():
        query = query.join(Person, Person.id == Loan.person_id).where(own_people_clause())
    return query


STATUS_FILTERS = ("requested", "approved", "active", "repaid", "written_off", "rejected")
# ?status=disbursed: every loan whose money went out (what the dashboard's "total lent" sums)
DISBURSED = ("active", "repaid", "written_off")
PAGE_SIZE = 25


def render_index(form: LoanForm | None = None, status: int = 200):
    query = visible_loans()
    chosen = request.args.get("status")
    if chosen in STATUS_FILTERS:
        query = query.where(Loan.status == chosen)
    elif chosen == "disbursed":
        query = query.where(Loan.status.in_(DISBURSED))
    loans = page_of(query.order_by(Loan.id.desc()), PAGE_SIZE)
    today = clock.today()
    if form is None and can("apply_loan"):
        form = LoanForm(formdata=None)
        form.applied_on.data = today
        if (person_id := id_arg(request.args.get("person_id"))) is not None:
            form.person_id.data = person_id
    return (
        render_template(
            "loans/index.html",
            loans=loans.rows,
            positions=balances.positions_of(loans.rows, today),
            form=form,
            chosen=chosen,
            statuses=STATUS_FILTERS,
            page=loans.page,
            pages=loans.pages,
        ),
        status,
    )


@bp.route("/loans")
@requires("view_loans")
def index():
    """Render the loans the user may see, with the application form."""
    return render_index()


@bp.route("/loans", methods=["POST"])
@requires("apply_loan")
def create():
    """Record a loan application (members only for the people assigned to them)."""
    form = LoanForm()
    if not form.validate():
        return render_index(form, 422)
    if (earlier := once.sent_before(form)) is not None:
        return once.answer_again(earlier)
    loan = Loan(
        fund_id=g.fund.id,
        person_id=form.person_id.data,
        principal=form.principal.data,
        purpose=form.purpose.data,
        term_months=form.term_months.data,
        grace_months=form.grace_months.data,
        applied_on=form.applied_on.data,
        guarantor_name=form.guarantor_name.data,
        guarantor_relation=form.guarantor_relation.data,
        guarantor_phone=form.guarantor_phone.data,
        guarantor_address=form.guarantor_address.data,
        hamlet_head_name=form.hamlet_head_name.data,
        entered_by_id=current_user.id,
        status="requested",
    )
    db.session.add(loan)
    audit.record("loan.apply", loan, after={"principal": loan.principal, "person_id": loan.person_id})
    once.remember_where(url_for("loans.detail", loan_id=loan.id))
    db.session.commit()
    flash(_("The application is recorded; it waits for the chair's decision."), "success")
    return redirect(url_for("loans.detail", loan_id=loan.id), 303)


def loan_context(loan: Loan) -> dict:
    """Everything the loan page shows: the loan, and its figures from the journal."""
    today = clock.today()
    return {"loan": loan, "today": today, **loan_figures(loan, today)}


# The loan page's forms, each with the action (can_act) whose section shows it.
LOAN_FORMS = {
    "approve_form": ("approve", lambda: ApproveForm(formdata=None, decided_on=clock.today())),
    "reject_form": ("reject", lambda: ReasonForm(formdata=None)),
    "disburse_form": ("disburse", lambda: DisburseForm(formdata=None, disbursed_on=clock.today())),
    "repayment_form": ("repay", lambda: RepaymentForm(formdata=None, paid_on=clock.today())),
    "reverse_form": ("reverse_disbursement", lambda: ReasonForm(formdata=None)),
    "write_off_form": ("write_off", lambda: WriteOffForm(formdata=None, decided_on=clock.today())),
    "reverse_write_off_form": ("reverse_write_off", lambda: ReverseWriteOffForm(formdata=None)),
    "recovery_form": ("recover", lambda: RepaymentForm(formdata=None, paid_on=clock.today())),
    "reschedule_form": ("reschedule", lambda: RescheduleForm(formdata=None)),
    "pause_form": ("pause", lambda: PauseForm(formdata=None)),
}


def render_loan(loan: Loan, status: int = 200, **forms):
    """The loan page, with a blank form for each action the user can take on it now, unless `forms`
    gives it (with what the user typed and its errors)."""
    for name, (action, blank) in LOAN_FORMS.items():
        if not can_act(action, loan):
            # The loan moved on meanwhile (another request decided or paid it out): the form is
            # not shown, so its refusal is said at the top of the page.
            for error in forms[name].form_errors if name in forms else ():
                flash(error, "error")
        elif name not in forms:
            forms[name] = blank()
    return render_template("loans/detail.html", **loan_context(loan), **forms), status


@bp.route("/loans/<int:loan_id>")
@requires("view_loans")
def detail(loan_id: int):
    """Render a loan: schedule, repayments with receipts, outstanding, the donors whose money it uses.
    It names the borrower with the address: logged as an opening of their file is."""
    loan = get_loan_or_404(loan_id)
    page, status = render_loan(loan)
    audit.log_access([loan.person_id], "loan")
    return page, status


@bp.route("/loans/<int:loan_id>/approve", methods=["POST"])
@requires("decide_loans")
def approve(loan_id: int):
    """Approve an application (chair), citing the minutes of the meeting."""
    loan = get_loan_or_404(loan_id)
    form = ApproveForm()
    if not accounts.password_confirmed(form):
        return render_loan(loan, 422, approve_form=form)
    if form.validate():
        try:
            journal.approve(
                loan,
                form.decided_on.data,
                form.minutes_ref.data,
                current_user.id,
                approved_amount=form.approved_amount.data,
                attendees=form.attendees.data,
                votes_for=form.votes_for.data,
                votes_against=form.votes_against.data,
            )
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_loan(get_loan_or_404(loan_id), 422, approve_form=form)
    audit.record(
        "loan.approve",
        loan,
        before={"status": "requested"},
        after={"status": loan.status, "approved_amount": loan.approved_amount},
    )
    db.session.commit()
    flash(_("The loan is approved. The treasurer can now disburse it."), "success")
    return redirect(url_for("loans.detail", loan_id=loan.id), 303)


@bp.route("/loans/<int:loan_id>/reject", methods=["POST"])
@requires("decide_loans")
def reject(loan_id: int):
    """Reject an application with a reason."""
    loan = get_loan_or_404(loan_id)
    form = ReasonForm()
    if form.validate():
        try:
            journal.reject(loan, clock.today(), form.reason.data, current_user.id)
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_loan(get_loan_or_404(loan_id), 422, reject_form=form)
    audit.record("loan.reject", loan, before={"status": "requested"}, after={"status": loan.status})
    db.session.commit()
    flash(_("The application is rejected."), "success")
    return redirect(url_for("loans.detail", loan_id=loan.id), 303)


@bp.route("/loans/<int:loan_id>/disburse", methods=["POST"])
@requires("post_money")
def disburse(loan_id: int):
    """Pay out an approved loan: phiếu chi, schedule, funding from donations."""
    loan = get_loan_or_404(loan_id)
    form = DisburseForm()
    if not accounts.password_confirmed(form):
        return render_loan(get_loan_or_404(loan_id), 422, disburse_form=form)
    if form.validate():
        try:
            journal.disburse(loan, form.disbursed_on.data, current_user.id, form.account.data)
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_loan(get_loan_or_404(loan_id), 422, disburse_form=form)
    audit.record(
        "loan.disburse",
        loan,
        after={"voucher_no": loan.voucher_no, "principal": loan.lent, "account": form.account.data},
    )
    db.session.commit()
    flash(_("Disbursed with voucher %(number)s.", number=loan.voucher_no), "success")
    return redirect(url_for("loans.detail", loan_id=loan.id), 303)


@bp.route("/loans/<int:loan_id>/repayments", methods=["POST"])
@requires("post_money")
def repay(loan_id: int):
    """Record a repayment; htmx gets the loan's money panel back."""
    loan = get_loan_or_404(loan_id)
    form = RepaymentForm()
    repayment = None
    if form.validate():
        if (earlier := once.sent_before(form)) is not None:
            return once.answer_again(earlier)
        try:
            repayment = journal.record_repayment(
                loan,
                form.amount.data,
                form.paid_on.data,
                form.method.data,
                current_user.id,
                paper_book=form.paper_book.data,
                paper_no=form.paper_no.data,
                account=form.account.data,
            )
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return respond_money_panel(get_loan_or_404(loan_id), 422, repayment_form=form)
    audit.record("repayment.create", repayment, after=receipt_audit(repayment))
    once.remember_where(url_for("loans.detail", loan_id=loan.id))
    db.session.commit()
    flash(receipt_message(repayment), "success")
    if warning := journal.receipt_order_warning(repayment.transaction):
        flash(warning, "warning")
    if wants_fragment() and loan.status == "active":
        return respond_money_panel(loan, 200, recorded=repayment, warning=warning)
    # Paid off: the page's status and its corrections change too, so the whole page comes again.
    if wants_fragment():
        return htmx_response("", 200, redirect=url_for("loans.detail", loan_id=loan.id))
    return redirect(url_for("loans.detail", loan_id=loan.id), 303)


@bp.route("/loans/<int:loan_id>/recoveries", methods=["POST"])
@requires("post_money")
def recover(loan_id: int):
    """Record money back after a write-off (Thu hồi nợ đã xóa), with its own phiếu thu."""
    loan = get_loan_or_404(loan_id)
    form = RepaymentForm()
    recovery = None
    if form.validate():
        if (earlier := once.sent_before(form)) is not None:
            return once.answer_again(earlier)
        try:
            recovery = journal.record_recovery(
                loan,
                form.amount.data,
                form.paid_on.data,
                form.method.data,
                current_user.id,
                paper_book=form.paper_book.data,
                paper_no=form.paper_no.data,
                account=form.account.data,
            )
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_loan(get_loan_or_404(loan_id), 422, recovery_form=form)
    audit.record("recovery.create", recovery, after=receipt_audit(recovery))
    once.remember_where(url_for("loans.detail", loan_id=loan.id))
    db.session.commit()
    flash(
        _("Money back after the write-off recorded with receipt %(number)s.", number=recovery.receipt_no),
        "success",
    )
    if warning := journal.receipt_order_warning(recovery.transaction):
        flash(warning, "warning")
    return redirect(url_for("loans.detail", loan_id=loan.id), 303)


def receipt_audit(repayment: Repayment) -> dict:
    """What the log keeps of a receipt: its amount and number, and its paper phiếu if it had one."""
    after = {
        "amount": repayment.amount,
        "receipt_no": repayment.receipt_no,
        "account": balances.account_of(repayment.transaction),
    }
    if repayment.paper_no:
        after.update(paper_book=repayment.paper_book, paper_no=repayment.paper_no)
    return after


def receipt_message(repayment: Repayment) -> Markup:
    """ "Đã thu 1.111.000 ₫ · In phiếu thu PT-2026-0023", the receipt's number a link to it: what was
    done and the next thing to do (Markup survives the session, so a flash keeps the link)."""
    return Markup('{} · <a href="{}">{}</a>').format(
        _("Received %(amount)s", amount=format_money(repayment.amount)),
        url_for("loans.repayment_receipt", repayment_id=repayment.id),
        _("Print receipt %(number)s", number=repayment.receipt_no),
    )


def respond_money_panel(
    loan: Loan, status: int, recorded: Repayment | None = None, warning: str | None = None, **forms
):
    """The money panel to htmx; `recorded` is the repayment just saved, confirmed under the button
    that saved it with a link to its receipt (on a phone the page's messages are out of sight), with
    `warning` beside it when its date comes before a receipt entered earlier."""
    if not wants_fragment():
        return render_loan(loan, status, **forms)
    context = loan_context(loan)
    context.update(
        repayment_form=forms.get("repayment_form") or RepaymentForm(formdata=None, paid_on=clock.today()),
        reverse_form=ReasonForm(formdata=None),
        recorded=receipt_message(recorded) if recorded else None,
        recorded_warning=warning,
    )
    return htmx_response(render_template("loans/_money.html", **context), status)


@bp.route("/repayments/<int:repayment_id>/reverse", methods=["POST"])
@requires("post_money")
def reverse_repayment(repayment_id: int):
    """Reverse a repayment with a reason (mirror entries; the receipt stays, marked void)."""
    repayment = get_or_404(Repayment, repayment_id)
    form = ReasonForm()
    if form.validate():
        try:
            journal.reverse_repayment(repayment, form.reason.data, current_user.id)
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        # the reason is typed in the receipt's row, which has no room for the refusal
        flash(form.first_error or _("The reversal was refused."), "error")
        return render_loan(get_loan_or_404(repayment.loan_id), 422)
    audit.record("repayment.reverse", repayment, after={"reason": form.reason.data})
    db.session.commit()
    flash(_("Receipt %(number)s is reversed.", number=repayment.receipt_no), "success")
    return redirect(url_for("loans.detail", loan_id=repayment.loan_id), 303)


@bp.route("/loans/<int:loan_id>/reverse-disbursement", methods=["POST"])
@requires("post_money")
def reverse_disbursement(loan_id: int):
    """Reverse a disbursement (only before any repayment); the loan returns to approved."""
    loan = get_loan_or_404(loan_id)
    form = ReasonForm()
    if form.validate():
        try:
            journal.reverse_disbursement(loan, form.reason.data, current_user.id)
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_loan(get_loan_or_404(loan_id), 422, reverse_form=form)
    audit.record("loan.reverse_disbursement", loan, after={"reason": form.reason.data})
    db.session.commit()
    flash(_("The disbursement is reversed."), "success")
    return redirect(url_for("loans.detail", loan_id=loan.id), 303)


@bp.route("/loans/<int:loan_id>/write-off", methods=["POST"])
@requires("write_off")
def write_off(loan_id: int):
    """Write off what is still owed (chair); cash is untouched."""
    loan = get_loan_or_404(loan_id)
    form = WriteOffForm()
    if not accounts.password_confirmed(form):
        return render_loan(get_loan_or_404(loan_id), 422, write_off_form=form)
    if form.validate():
        try:
            journal.write_off(
                loan, form.decided_on.data, form.reason.data, current_user.id, form.minutes_ref.data
            )
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_loan(get_loan_or_404(loan_id), 422, write_off_form=form)
    audit.record(
        "loan.write_off", loan, after={"reason": form.reason.data, "minutes_ref": form.minutes_ref.data}
    )
    db.session.commit()
    flash(_("The loan is written off."), "success")
    return redirect(url_for("loans.detail", loan_id=loan.id), 303)


@bp.route("/loans/<int:loan_id>/reverse-write-off", methods=["POST"])
@requires("write_off")
def reverse_write_off(loan_id: int):
    """Take a write-off back (chair) while its period is open: the loan is owed again."""
    loan = get_loan_or_404(loan_id)
    form = ReverseWriteOffForm()
    if not accounts.password_confirmed(form):
        return render_loan(get_loan_or_404(loan_id), 422, reverse_write_off_form=form)
    if form.validate():
        try:
            journal.reverse_write_off(loan, form.reason.data, current_user.id)
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_loan(get_loan_or_404(loan_id), 422, reverse_write_off_form=form)
    audit.record(
        "loan.reverse_write_off",
        loan,
        before={"status": "written_off"},
        after={"status": loan.status, "reason": form.reason.data},
    )
    db.session.commit()
    flash(_("The write-off is reversed; the loan is collected again."), "success")
    return redirect(url_for("loans.detail", loan_id=loan.id), 303)


@bp.route("/repayments/<int:repayment_id>/receipt")
@requires("view_loans")
def repayment_receipt(repayment_id: int):
    """Render the printable phiếu thu of a repayment."""
    repayment = get_or_404(Repayment, repayment_id)
    loan = get_loan_or_404(repayment.loan_id)
    return render_logged(
        "documents/voucher.html",
        [loan.person_id],
        "voucher",
        voucher=Voucher(
            series="receipt",
            number=repayment.receipt_no,
            day=repayment.paid_on,
            party=loan.person.full_name,
            address=loan.person.address,
            reason=(
                _("Money back after the write-off of loan no. %(id)s", id=loan.id)
                if repayment.kind == "recovery"
                else _("Repayment of loan no. %(id)s", id=loan.id)
            ),
            amount=repayment.amount,
            method=repayment.method,
            account=balances.account_of(repayment.transaction),
            void=repayment.is_reversed,
            signer=loan.person.full_name,
            made_by=person_name(repayment.transaction.created_by),
            paper_book=repayment.paper_book,
            paper_no=repayment.paper_no,
        ),
        back=url_for("loans.detail", loan_id=loan.id),
    )


@bp.route("/loans/<int:loan_id>/voucher")
@requires("view_loans")
def disbursement_voucher(loan_id: int):
    """Render the printable phiếu chi of a disbursement; ?transaction=<id> one that was reversed,
    marked void."""
    loan = get_loan_or_404(loan_id)
    reversed_id = id_arg(request.args.get("transaction"))
    if reversed_id is not None:
        voided = [d for d in balances.reversed_disbursements(loan) if d.transaction_id == reversed_id]
        if not voided:
            abort(404)
        number, day, amount, void = voided[0].voucher_no, voided[0].disbursed_on, voided[0].amount, True
        transaction_id = reversed_id
    elif loan.voucher_no:
        number, day, amount, void = loan.voucher_no, loan.disbursed_on, loan.lent, False
        transaction_id = loan.disbursement_id
    else:
        abort(404)
    account = balances.account_of(db.session.get(JournalTransaction, transaction_id))
    return render_logged(
        "documents/voucher.html",
        [loan.person_id],
        "voucher",
        voucher=Voucher(
            series="payment",
            number=number,
            day=day,
            party=loan.person.full_name,
            address=loan.person.address,
            reason=_("Disbursement of loan no. %(id)s: %(purpose)s", id=loan.id, purpose=loan.purpose),
            amount=amount,
            method=account,  # paid out of the bank: by transfer
            account=account,
            void=void,
            signer=loan.person.full_name,
            made_by=person_name(loan.disbursed_by) if not void else "",
        ),
        back=url_for("loans.detail", loan_id=loan.id),
    )


def can_act(action: str, loan: Loan) -> bool:
    """Whether the loan page offers this step of tracker.money.loan_status: the user's role may take it
    and the loan's status allows it."""
    step = loan_status.STEPS[action]
    return step.permission is not None and can(step.permission) and loan.status in step.from_statuses


bp.add_app_template_global(can_act)
