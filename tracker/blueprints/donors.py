"""Donors (Nhà tài trợ): the list with what each has given, the add form, and what their money did.

A donor's page says which loans their money went into and how much of it has come back, but not
who borrowed it: the borrower's name is personal data the donor has no need for.
"""

from dataclasses import dataclass

from flask import Blueprint, flash, g, redirect, render_template, url_for
from sqlalchemy import func, select
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from tracker import audit, labels
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Donation, Donor, Funding, Loan
from tracker.money import balances
from tracker.web import once
from tracker.web.access import get_or_404, requires
from tracker.web.forms import NameField, PhoneField
from tracker.web.once import OnceForm
from tracker.web.views import page_number, wants_fragment

bp = Blueprint("donors", __name__, url_prefix="/donors")

PAGE_SIZE = 25
# The audit log is append-only: keep no contact details of private benefactors in it.
AUDITED_FIELDS = ("kind", "anonymous")


def kind_choices():
    return labels.choices(labels.DONOR_KINDS)


class DonorForm(OnceForm):
    name = NameField(
        _l("Full name or business name"),
        [DataRequired(_l("Enter the name of the donor or business.")), Length(max=200)],
    )
    kind = SelectField(_l("Kind of donor"), choices=kind_choices, default="business")
    phone = PhoneField(_l("Phone"))
    address = StringField(_l("Address"), [Length(max=200)])
    anonymous = BooleanField(_l("Anonymous: do not print the name on receipts and lists"))


def donor_label(donor: Donor) -> str:
    """The name to show for a donor: anonymous donors are not named on lists and receipts (only the
    treasurer, who records their money, sees the name, on the donors' own pages)."""
    return _("Anonymous donor") if donor.anonymous else donor.name


bp.add_app_template_global(donor_label)


def donors_with_totals(page: int, size: int) -> list[tuple[Donor, int, int]]:
    """A page of (donor, total given, number of donations); reversed donations do not count.
    One query: the totals come from a grouped subquery, not one query per donor."""
    totals = (
        select(
            Donation.donor_id,
            func.sum(Donation.amount).label("total"),
            func.count(Donation.id).label("count"),
        )
        .where(Donation.fund_id == g.fund.id, Donation.reversal_id.is_(None))
        .group_by(Donation.donor_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Donor, func.coalesce(totals.c.total, 0), func.coalesce(totals.c.count, 0))
        .outerjoin(totals, totals.c.donor_id == Donor.id)
        .where(Donor.fund_id == g.fund.id)
        .order_by(Donor.sort_key, Donor.id)
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return [(donor, int(total), int(count)) for donor, total, count in rows]


@dataclass(frozen=True)
class FundingRow:
    """One Funding: how much of one donation went into one loan, and how much of that came back."""

    loan: Loan
    donation_id: int
    receipt_no: str
    funded: int
    returned: int


def money_trail(*conditions) -> list[FundingRow]:
    """Live fundings of this fund matching `conditions`, with the share each loan has repaid
    (three queries whatever the number of rows)."""
    rows = db.session.execute(
        select(Funding.id, Funding.amount, Loan, Donation.id, Donation.receipt_no)
        .join(Loan, Loan.id == Funding.loan_id)
        .join(Donation, Donation.id == Funding.donation_id)
        .where(
            Funding.fund_id == g.fund.id,
            Loan.fund_id == g.fund.id,
            Donation.fund_id == g.fund.id,
            Funding.void.is_(False),
            *conditions,
        )
        .order_by(Loan.id, Donation.received_on, Funding.id)
    ).all()
    returns = balances.returned_by_funding(g.fund.id, sorted({row.Loan.id for row in rows}))
    return [
        FundingRow(
            loan=loan,
            donation_id=donation_id,
            receipt_no=receipt_no,
            funded=int(amount),
            returned=returns[funding_id],
        )
        for funding_id, amount, loan, donation_id, receipt_no in rows
    ]


def render_index(form: DonorForm | None = None, status: int = 200):
    page = page_number()
    total = db.session.scalar(select(func.count(Donor.id)).where(Donor.fund_id == g.fund.id))
    return (
        render_template(
            "donors/index.html",
            rows=donors_with_totals(page, PAGE_SIZE),
            total=total,
            form=form or DonorForm(formdata=None),
            page=page,
            pages=max(1, -(-total // PAGE_SIZE)),
        ),
        status,
    )


@bp.route("")
@requires("view_money")
def index():
    """Render the donors in Vietnamese order with what each has given; the add form for the treasurer."""
    return render_index()


@bp.route("", methods=["POST"])
@requires("post_money")
def create():
    """Add a donor: a plain form goes to the donor's page; the donation form's inline part gets its
    donor picker back with the new donor selected."""
    # The donation form's picker lives in the donations blueprint, which imports DonorForm from here.
    from tracker.blueprints.donations import render_donor_picker

    form = DonorForm()
    if not form.validate():
        if wants_fragment():
            return render_donor_picker(donor_form=form, status=422)
        return render_index(form, 422)
    if (earlier := once.claim(form)) is not None:
        return once.answer_again(earlier)
    donor = Donor(
        fund_id=g.fund.id,
        kind=form.kind.data,
        phone=form.phone.data,
        address=form.address.data,
        anonymous=form.anonymous.data,
    )
    donor.set_name(form.name.data)  # after the kind: a business sorts by its whole name
    db.session.add(donor)
    audit.record("donor.create", donor, after=audit.snapshot(donor, AUDITED_FIELDS))
    once.saved(url_for("donors.detail", donor_id=donor.id))
    db.session.commit()
    flash(_("Added %(name)s.", name=donor.name), "success")
    if wants_fragment():
        return render_donor_picker(selected_donor_id=donor.id)
    return redirect(url_for("donors.detail", donor_id=donor.id), 303)


@bp.route("/<int:donor_id>")
@requires("view_money")
def detail(donor_id: int):
    """Render a donor: their donations and what their money did (loans funded, money come back)."""
    donor = get_or_404(Donor, donor_id)
    donations = db.session.scalars(
        select(Donation)
        .where(Donation.fund_id == g.fund.id, Donation.donor_id == donor.id)
        .order_by(Donation.received_on.desc(), Donation.id.desc())
    ).all()
    trail = money_trail(Donation.donor_id == donor.id)
    return render_template(
        "donors/detail.html",
        donor=donor,
        donations=donations,
        given=sum(d.amount for d in donations if not d.is_reversed),
        trail=trail,
        lent=sum(row.funded for row in trail),
        returned=sum(row.returned for row in trail),
    )
