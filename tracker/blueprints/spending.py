"""Money that is not a loan: grants to a person helped (/grants, hỗ trợ không hoàn lại) and the
team's running costs (/expenses, chi hoạt động). The two follow one path, so the same views serve
both blueprints: proposed by the treasurer or the chair, approved or rejected by the chair with a
reason, paid by the treasurer with a phiếu chi, reversible. tracker.money.journal does the money.
"""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from tracker import audit, clock, labels
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import SPENDING_KINDS, Donation, Donor, Person, Spending, SpendingFunding
from tracker.money import balances, journal
from tracker.papers import person_name
from tracker.vouchers import Voucher
from tracker.web import once
from tracker.web.access import can, get_or_404, requires, scoped
from tracker.web.forms import Form, IsoDateField, MoneyField, NamesNobody, reason_field, refusal_to_form
from tracker.web.money_account import PAID_FROM, account_field
from tracker.web.once import OnceForm
from tracker.web.views import page_of, render_logged

grants = Blueprint("grants", __name__, url_prefix="/grants")
expenses = Blueprint("expenses", __name__, url_prefix="/expenses")
CATEGORY_OF = {"grants": "grant", "expenses": "expense"}
PAGE_SIZE = 25


def category() -> str:
    return CATEGORY_OF[request.blueprint]


class SpendingForm(OnceForm):
    kind = SelectField(_l("Kind"), validate_choice=False)
    # A grant's: the person helped it goes to (checked in validate_person_id).
    person_id = SelectField(_l("Person helped"), coerce=int, default=0, validate_choice=False)
    payee = StringField(_l("Paid to"), [Length(max=200)])
    amount = MoneyField(_l("Amount"), [InputRequired(_l("Enter the amount."))])
    purpose = TextAreaField(
        _l("What it is for"),
        [DataRequired(_l("Say what the money is for.")), Length(max=500), NamesNobody()],
        description=_l("Kept in the books for good: do not write a person's name here."),
    )
    proposed_on = IsoDateField(_l("Proposed on"), [InputRequired(_l("Enter the date of the proposal."))])

    def __init__(self, category: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.kind.choices = [(code, labels.SPENDING_KINDS[code]) for code in SPENDING_KINDS[category]]
        if category == "grant":
            people = db.session.execute(
                scoped(Person)
                .with_only_columns(Person.id, Person.full_name)
                .where(Person.erased_at.is_(None), Person.status.in_(("supported", "paused")))
                .order_by(Person.sort_key, Person.id)
            )
            self.person_id.choices = [(0, _("Choose a person")), *((id_, name) for id_, name in people)]
        else:
            self.person_id.choices = []

    def validate_kind(self, field):
        if field.data not in SPENDING_KINDS[self.category]:
            raise ValidationError(_l("Choose the kind from the list."))

    def validate_person_id(self, field):
        if self.category == "grant" and field.data not in {v for v, _label in field.choices if v}:
            raise ValidationError(_l("Choose the person the grant goes to."))


class DecisionForm(Form):
    decision = SelectField(
        _l("Decision"), choices=lambda: [("approve", _l("Approve")), ("reject", _l("Reject"))]
    )
    decided_on = IsoDateField(_l("Decided on"), [InputRequired(_l("Enter the date of the decision."))])
    reason = reason_field(_l("Reason for the decision"))


class PayForm(Form):
    paid_on = IsoDateField(_l("Paid out on"), [InputRequired(_l("Enter the date the money was paid."))])
    account = account_field(PAID_FROM)


class ReasonForm(Form):
    reason = reason_field(_l("Reason for the reversal"))


def record(step: str, spending: Spending, after: dict) -> None:
    """The audit entry of a step of a grant or a cost, each action written out (the audit words
    test reads the literal names)."""
    match spending.category, step:
        case "grant", "propose":
            audit.record("grant.propose", spending, after=after)
        case "grant", "approve":
            audit.record("grant.approve", spending, after=after)
        case "grant", "reject":
            audit.record("grant.reject", spending, after=after)
        case "grant", "pay":
            audit.record("grant.pay", spending, after=after)
        case "grant", "reverse":
            audit.record("grant.reverse", spending, after=after)
        case "expense", "propose":
            audit.record("expense.propose", spending, after=after)
        case "expense", "approve":
            audit.record("expense.approve", spending, after=after)
        case "expense", "reject":
            audit.record("expense.reject", spending, after=after)
        case "expense", "pay":
            audit.record("expense.pay", spending, after=after)
        case "expense", "reverse":
            audit.record("expense.reverse", spending, after=after)
        case _:
            raise ValueError(f"no audit action for {spending.category} {step}")


def get_spending_or_404(spending_id: int) -> Spending:
    spending = get_or_404(Spending, spending_id)
    if spending.category != category():
        abort(404)  # a grant's id under /expenses names nothing
    return spending


def people_shown(spending: Spending) -> list[int]:
    return [spending.person_id] if spending.person_id else []


def render(template: str, person_ids: list[int], status: int, **context):
    """A page that names people: its opening is logged, except when it answers a refused form
    (a refusal writes nothing; the page was logged when it was first opened)."""
    if status == 200:
        return render_logged(template, person_ids, **context), status
    return render_template(template, **context), status


def render_index(form: SpendingForm | None = None, status: int = 200):
    rows = page_of(
        select(Spending)
        .where(Spending.fund_id == g.fund.id, Spending.category == category())
        .options(joinedload(Spending.person))  # one query for the page, not one per grant
        .order_by(Spending.proposed_on.desc(), Spending.id.desc()),
        PAGE_SIZE,
    )
    if form is None and can("propose_spending"):
        form = SpendingForm(category(), formdata=None, proposed_on=clock.today())
    return render(
        "spending/index.html",
        [row.person_id for row in rows.rows if row.person_id],
        status,
        category=category(),
        rows=rows.rows,
        total=rows.total,
        page=rows.page,
        pages=rows.pages,
        form=form,
    )


def index():
    """Render the grants (or running costs), newest first, with the proposal form."""
    return render_index()


def create():
    """Propose a grant or a running cost; the chair decides it."""
    form = SpendingForm(category())
    if not form.validate():
        return render_index(form, 422)
    if (earlier := once.sent_before(form)) is not None:
        return once.answer_again(earlier)
    spending = Spending(
        fund_id=g.fund.id,
        category=category(),
        kind=form.kind.data,
        person_id=form.person_id.data if category() == "grant" else None,
        payee=form.payee.data.strip() if category() == "expense" else "",
        purpose=form.purpose.data.strip(),
        amount=form.amount.data,
        proposed_on=form.proposed_on.data,
        proposed_by_id=current_user.id,
    )
    db.session.add(spending)
    record(
        "propose",
        spending,
        after={
            "spending_kind": spending.kind,
            "person_id": spending.person_id,
            "payee": spending.payee,
            "amount": spending.amount,
            "proposed_on": spending.proposed_on.isoformat(),
        },
    )
    where = url_for(f"{request.blueprint}.detail", spending_id=spending.id)
    once.remember_where(where)
    db.session.commit()
    flash(_("Proposed; the chair decides it."), "success")
    return redirect(where, 303)


def render_spending(spending: Spending, status: int = 200, **forms):
    funded = db.session.execute(
        select(Donation.id, Donation.receipt_no, Donor, SpendingFunding.amount)
        .join(Donation, Donation.id == SpendingFunding.donation_id)
        .join(Donor, Donor.id == Donation.donor_id)
        .where(SpendingFunding.spending_id == spending.id, SpendingFunding.void.is_(False))
        .order_by(Donation.received_on, Donation.id)
    ).all()
    return render(
        "spending/detail.html",
        people_shown(spending),
        status,
        category=category(),
        spending=spending,
        funded=funded,
        decision_form=forms.get("decision_form") or DecisionForm(formdata=None, decided_on=clock.today()),
        pay_form=forms.get("pay_form") or PayForm(formdata=None, paid_on=clock.today()),
        reverse_form=forms.get("reverse_form") or ReasonForm(formdata=None),
    )


def detail(spending_id: int):
    """Render a grant or a running cost: the proposal, the decision, the payment and its phiếu chi."""
    return render_spending(get_spending_or_404(spending_id))


def decide(spending_id: int):
    """The chair approves or rejects a proposal, with the reason."""
    spending = get_spending_or_404(spending_id)
    form = DecisionForm()
    if form.validate():
        try:
            journal.decide_spending(
                spending,
                form.decision.data == "approve",
                form.decided_on.data,
                form.reason.data,
                current_user.id,
            )
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_spending(get_spending_or_404(spending_id), 422, decision_form=form)
    record(
        form.decision.data,
        spending,
        after={"decided_on": spending.decided_on.isoformat(), "reason": spending.decision_reason},
    )
    db.session.commit()
    flash(_("Approved.") if spending.status == "approved" else _("Rejected."), "success")
    return redirect(url_for(f"{request.blueprint}.detail", spending_id=spending.id), 303)


def pay(spending_id: int):
    """The treasurer pays an approved grant or cost: a phiếu chi and the journal entry."""
    spending = get_spending_or_404(spending_id)
    form = PayForm()
    if form.validate():
        if spending.decided_by_id == current_user.id:  # the chair cannot pay; kept for a merged role
            form.form_errors.append(_l("The person who approved this cannot also pay it."))
        else:
            try:
                journal.pay_spending(spending, form.paid_on.data, current_user.id, form.account.data)
            except journal.MoneyRefused as refusal:
                refusal_to_form(form, refusal)
    if form.errors or form.form_errors:
        db.session.rollback()
        return render_spending(get_spending_or_404(spending_id), 422, pay_form=form)
    record(
        "pay",
        spending,
        after={
            "voucher_no": spending.voucher_no,
            "amount": spending.amount,
            "paid_on": spending.paid_on.isoformat(),
            "account": form.account.data,
        },
    )
    db.session.commit()
    flash(_("Paid with voucher %(number)s.", number=spending.voucher_no), "success")
    return redirect(url_for(f"{request.blueprint}.voucher", spending_id=spending.id), 303)


def reverse(spending_id: int):
    """Reverse a payment with a reason (mirror entries; the phiếu chi stays, marked void)."""
    spending = get_spending_or_404(spending_id)
    form = ReasonForm()
    if form.validate():
        try:
            journal.reverse_spending(spending, form.reason.data, current_user.id)
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors or form.form_errors:
        db.session.rollback()
        return render_spending(get_spending_or_404(spending_id), 422, reverse_form=form)
    record(
        "reverse",
        spending,
        after={"voucher_no": spending.voucher_no, "reason": form.reason.data},
    )
    db.session.commit()
    flash(_("Voucher %(number)s is reversed.", number=spending.voucher_no), "success")
    return redirect(url_for(f"{request.blueprint}.detail", spending_id=spending.id), 303)


def voucher(spending_id: int):
    """Render the printable phiếu chi (C41-BB) of a paid grant or cost, void once reversed."""
    spending = get_spending_or_404(spending_id)
    if not spending.voucher_no:
        abort(404)
    kind = labels.label(labels.SPENDING_KINDS, spending.kind)
    if spending.category == "grant":
        party, address = spending.person.full_name, spending.person.address
        reason = _("Grant (not to be repaid): %(kind)s. %(purpose)s", kind=kind, purpose=spending.purpose)
    else:
        party, address = spending.payee, ""
        reason = _("Running cost: %(kind)s. %(purpose)s", kind=kind, purpose=spending.purpose)
    return render_logged(
        "documents/voucher.html",
        people_shown(spending),
        "voucher",
        voucher=Voucher(
            series="payment",
            number=spending.voucher_no,
            day=spending.paid_on,
            party=party,
            address=address,
            reason=reason,
            amount=spending.amount,
            method=balances.account_of(spending.transaction),
            void=spending.is_reversed,
            signer=party,
            made_by=person_name(spending.paid_by),
        ),
        back=url_for(f"{request.blueprint}.detail", spending_id=spending.id),
    )


ROUTES = (
    ("", "index", index, "GET", "view_money"),
    ("", "create", create, "POST", "propose_spending"),
    ("/<int:spending_id>", "detail", detail, "GET", "view_money"),
    ("/<int:spending_id>/decide", "decide", decide, "POST", "decide_spending"),
    ("/<int:spending_id>/pay", "pay", pay, "POST", "post_money"),
    ("/<int:spending_id>/reverse", "reverse", reverse, "POST", "post_money"),
    ("/<int:spending_id>/voucher", "voucher", voucher, "GET", "view_money"),
)
for blueprint in (grants, expenses):
    for rule, endpoint, view, method, permission in ROUTES:
        blueprint.add_url_rule(rule, endpoint, requires(permission)(view), methods=[method])
