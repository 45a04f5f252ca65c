"""Donations (Khoản đóng góp): the list, the form, a donation's page, its phiếu thu and its reversal.

Every money change goes through tracker.money.journal, which numbers the receipt and posts the entry
under the fund's lock; these views only validate input, call it, commit once and respond.
"""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from tracker import audit, clock, labels
from tracker.extensions import db
from tracker.formatting import format_money
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Donation, Donor, Funding, Loan, Person
from tracker.money import balances, journal
from tracker.papers import person_name
from tracker.queries.donations import money_trail, spending_trail
from tracker.vouchers import Voucher
from tracker.web import once
from tracker.web.access import can, get_or_404, requires, scoped
from tracker.web.forms import (
    Form,
    IsoDateField,
    MoneyField,
    PaperReceiptFields,
    reason_field,
    refusal_to_form,
)
from tracker.web.money_account import account_field
from tracker.web.once import OnceForm
from tracker.web.shared import DonorForm
from tracker.web.views import id_arg, page_of, wants_fragment

bp = Blueprint("donations", __name__, url_prefix="/donations")

PAGE_SIZE = 25
# No free-text note in the append-only audit log: it may name the earmarked person.
AUDITED_FIELDS = (
    "receipt_no",
    "paper_book",
    "paper_no",
    "donor_id",
    "amount",
    "received_on",
    "method",
    "earmark_person_id",
    "earmark_loan_id",
)


def method_choices():
    return labels.choices(labels.PAYMENT_METHODS)


class DonationForm(PaperReceiptFields, OnceForm):
    # Choices are checked in the validate_ methods below, with a message that says what to do.
    donor_id = SelectField(_l("Donor"), coerce=int, default=0, validate_choice=False)
    amount = MoneyField(_l("Amount"), [InputRequired(_l("Enter the amount received."))])
    received_on = IsoDateField(
        _l("Received on"), [InputRequired(_l("Enter the date the money was received."))]
    )
    method = SelectField(_l("Method"), choices=method_choices, default="cash")
    account = account_field()
    earmark_person_id = SelectField(
        _l("Earmarked for (optional)"), coerce=int, default=0, validate_choice=False
    )
    # or for one loan not yet paid out: its disbursement uses this money first (journal.allocate_funding)
    earmark_loan_id = SelectField(
        _l("Or earmarked for a loan (optional)"), coerce=int, default=0, validate_choice=False
    )
    note = TextAreaField(_l("Note"), [Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        donors = db.session.execute(
            select(Donor.id, Donor.name).where(Donor.fund_id == g.fund.id).order_by(Donor.sort_key, Donor.id)
        )
        self.donor_id.choices = [(0, _("Choose a donor")), *((id_, name) for id_, name in donors)]
        people = db.session.execute(
            # Earmarking is money work: the treasurer picks from everyone being supported.
            scoped(Person)
            .with_only_columns(Person.id, Person.full_name)
            .where(Person.erased_at.is_(None), Person.status == "supported")
            .order_by(Person.sort_key, Person.id)
        )
        self.earmark_person_id.choices = [(0, _("Not earmarked")), *((id_, name) for id_, name in people)]
        loans = db.session.execute(
            select(Loan.id, Person.full_name, Loan.lent)
            .join(Person, Person.id == Loan.person_id)
            .where(
                Loan.fund_id == g.fund.id,
                Person.fund_id == g.fund.id,
                Loan.status.in_(("requested", "approved")),
            )
            .order_by(Loan.id)
        )
        self.earmark_loan_id.choices = [
            (0, _("Not earmarked")),
            *((id_, f"#{id_} · {name} · {format_money(principal)}") for id_, name, principal in loans),
        ]

    def validate_donor_id(self, field):
        if field.data not in {value for value, _label in field.choices if value}:
            raise ValidationError(_l("Choose the donor from the list, or add a new donor first."))

    def validate_earmark_person_id(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a person from the list, or leave it not earmarked."))

    def validate_earmark_loan_id(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a loan waiting to be paid out, or leave it not earmarked."))
        if field.data and self.earmark_person_id.data:
            raise ValidationError(_l("Earmark the money for a person or for a loan, not both."))


class ReasonForm(Form):
    reason = reason_field(_l("Reason for the reversal"))


def render_index(form: DonationForm | None = None, status: int = 200):
    donations = page_of(
        select(Donation)
        .where(Donation.fund_id == g.fund.id)
        .options(joinedload(Donation.donor))
        .order_by(Donation.received_on.desc(), Donation.id.desc()),
        PAGE_SIZE,
    )
    if form is None and can("post_money"):
        form = DonationForm(formdata=None, received_on=clock.today())
        # "Record a donation" from a donor's page
        if (donor_id := id_arg(request.args.get("donor_id"))) is not None:
            form.donor_id.data = donor_id
    return (
        render_template(
            "donations/index.html",
            donations=donations.rows,
            total=donations.total,
            form=form,
            page=donations.page,
            pages=donations.pages,
        ),
        status,
    )


def render_donor_picker(
    donor_form: DonorForm | None = None, selected_donor_id: int | None = None, status: int = 200
):
    """The donation form's donor part for htmx: the select (with `selected_donor_id` chosen), and the
    inline new-donor fields again if `donor_form` was refused."""
    form = DonationForm()  # keeps the choice the user had made, sent along with the new donor
    if selected_donor_id is not None:
        form.donor_id.data = selected_donor_id
    return render_template("donations/_donor_picker.html", form=form, donor_form=donor_form), status


@bp.route("")
@requires("view_money")
def index():
    """Render the donations, newest first, with the donation form for the treasurer."""
    return render_index()


@bp.route("", methods=["POST"])
@requires("post_money")
def create():
    """Record a donation: phiếu thu number, journal entry, audit, then the donation's page."""
    form = DonationForm()
    donation = None
    if form.validate():
        if (earlier := once.sent_before(form)) is not None:
            return once.answer_again(earlier)
        donation = Donation(
            fund_id=g.fund.id,
            donor_id=form.donor_id.data,
            amount=form.amount.data,
            received_on=form.received_on.data,
            method=form.method.data,
            paper_book=form.paper_book.data,
            paper_no=form.paper_no.data,
            note=form.note.data,
            earmark_person_id=form.earmark_person_id.data or None,
            earmark_loan_id=form.earmark_loan_id.data or None,
        )
        try:
            journal.record_donation(donation, current_user.id, form.account.data)
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_index(form, 422)
    audit.record(
        "donation.create",
        donation,
        after={**audit.snapshot(donation, AUDITED_FIELDS), "account": form.account.data},
    )
    # the treasurer lands on the receipt, to print it while the donor waits
    once.remember_where(url_for("donations.receipt", donation_id=donation.id))
    db.session.commit()
    flash(_("Donation recorded with receipt %(number)s.", number=donation.receipt_no), "success")
    if warning := journal.receipt_order_warning(donation.transaction):
        flash(warning, "warning")
    return redirect(url_for("donations.receipt", donation_id=donation.id), 303)


@bp.route("/new-donor", methods=["POST"])
@requires("post_money")
def add_donor():
    """Add a donor from the donation form's inline fields: its donor picker comes back with the new
    donor chosen (or with the fields and what to correct)."""
    form = DonorForm()
    if not form.validate():
        return render_donor_picker(donor_form=form, status=422)
    if (earlier := once.sent_before(form)) is not None:
        return once.answer_again(earlier)
    donor = form.new_donor(g.fund.id)
    audit.record("donor.create", donor, after=audit.snapshot(donor, DonorForm.AUDITED_FIELDS))
    once.remember_where(url_for("donors.detail", donor_id=donor.id))
    db.session.commit()
    flash(_("Added %(name)s.", name=donor.name), "success")
    return render_donor_picker(selected_donor_id=donor.id)


@bp.route("/new-donor")
@requires("post_money")
def new_donor():
    """Render the inline new-donor fields of the donation form (htmx); others go to the donors page."""
    if not wants_fragment():
        return redirect(url_for("donors.index", _anchor="new-donor"))
    return render_template("donations/_new_donor.html", donor_form=DonorForm(formdata=None))


def render_donation(donation: Donation, status: int = 200, reverse_form: ReasonForm | None = None):
    return (
        render_template(
            "donations/detail.html",
            donation=donation,
            trail=money_trail(g.fund.id, Funding.donation_id == donation.id),
            spent=spending_trail(g.fund.id, Donation.id == donation.id),
            reverse_form=reverse_form or ReasonForm(formdata=None),
        ),
        status,
    )


@bp.route("/<int:donation_id>")
@requires("view_money")
def detail(donation_id: int):
    """Render a donation: its receipt, its reversal if any, and the loans its money went into."""
    return render_donation(get_or_404(Donation, donation_id))


@bp.route("/<int:donation_id>/reverse", methods=["POST"])
@requires("post_money")
def reverse(donation_id: int):
    """Reverse a donation with a reason (mirror entries; the receipt stays, marked void)."""
    donation = get_or_404(Donation, donation_id, lock=True)
    form = ReasonForm()
    if form.validate():
        try:
            journal.reverse_donation(donation, form.reason.data, current_user.id)
        except journal.MoneyRefused as refusal:
            refusal_to_form(form, refusal)
    if form.errors:
        db.session.rollback()
        return render_donation(get_or_404(Donation, donation_id), 422, reverse_form=form)
    audit.record(
        "donation.reverse", donation, after={"receipt_no": donation.receipt_no, "reason": form.reason.data}
    )
    db.session.commit()
    flash(_("Receipt %(number)s is reversed.", number=donation.receipt_no), "success")
    return redirect(url_for("donations.detail", donation_id=donation.id), 303)


@bp.route("/<int:donation_id>/receipt")
@requires("view_money")
def receipt(donation_id: int):
    """Render the printable phiếu thu of a donation (marked void if it was reversed)."""
    donation = get_or_404(Donation, donation_id)
    donor = donation.donor
    if donation.note:
        reason = _("Contribution to the fund: %(note)s", note=donation.note)
    else:
        reason = _("Contribution to the fund")
    return render_template(
        "documents/voucher.html",
        voucher=Voucher(
            series="receipt",
            number=donation.receipt_no,
            day=donation.received_on,
            party=labels.donor_name(donor),
            address="" if donor.anonymous else donor.address,
            reason=reason,
            amount=donation.amount,
            method=donation.method,
            account=balances.account_of(donation.transaction),
            void=donation.is_reversed,
            # a business's or an organisation's money is brought by someone the app does not know
            signer=donor.name if donor.kind == "individual" and not donor.anonymous else "",
            made_by=person_name(donation.transaction.created_by),
            paper_book=donation.paper_book,
            paper_no=donation.paper_no,
        ),
        back=url_for("donations.detail", donation_id=donation.id),
    )
