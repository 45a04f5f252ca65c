"""Donors (Nhà tài trợ): the list with what each has given, the add form, and what their money did.

A donor's page says which loans their money went into and how much of it has come back, but not
who borrowed it: the borrower's name is personal data the donor has no need for.
"""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from sqlalchemy import func, select
from wtforms import SelectField

from tracker import audit
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Donation, Donor
from tracker.queries import donations as donations_queries
from tracker.web import once
from tracker.web.access import get_or_404, requires
from tracker.web.forms import Form
from tracker.web.shared import DonorForm, donor_title_choices
from tracker.web.views import page_number

bp = Blueprint("donors", __name__, url_prefix="/donors")

PAGE_SIZE = 25


class TitleForm(Form):
    """How a benefactor's letter addresses them (Ông, Bà), set after the donor was added."""

    title = SelectField(_l("Title (for letters: Mr or Ms)"), choices=donor_title_choices)


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
    """Add a donor, then the donor's page (the donation form adds one of its own: donations.add_donor)."""
    form = DonorForm()
    if not form.validate():
        return render_index(form, 422)
    if (earlier := once.sent_before(form)) is not None:
        return once.answer_again(earlier)
    donor = form.new_donor(g.fund.id)
    audit.record("donor.create", donor, after=audit.snapshot(donor, DonorForm.AUDITED_FIELDS))
    once.remember_where(url_for("donors.detail", donor_id=donor.id))
    db.session.commit()
    flash(_("Added %(name)s.", name=donor.name), "success")
    return redirect(url_for("donors.detail", donor_id=donor.id), 303)


@bp.route("/<int:donor_id>")
@requires("view_money")
def detail(donor_id: int):
    """Render a donor: their donations and what their money did (loans funded, money come back)."""
    return render_detail(get_or_404(Donor, donor_id))


@bp.route("/<int:donor_id>/title", methods=["POST"])
@requires("post_money")
def set_title(donor_id: int):
    """Record how a benefactor is addressed (Ông, Bà), then the donor's page."""
    donor = get_or_404(Donor, donor_id)
    form = TitleForm()
    if donor.kind != "individual":
        form.title.errors = [_("Only a benefactor (a person) has a title.")]
        return render_detail(donor, form, 422)
    if not form.validate():
        return render_detail(donor, form, 422)
    before = audit.snapshot(donor, ("title",))
    donor.title = form.title.data
    audit.record("donor.title", donor, before=before, after=audit.snapshot(donor, ("title",)))
    db.session.commit()
    flash(_("Saved how %(name)s is addressed.", name=donor.name), "success")
    return redirect(url_for("donors.detail", donor_id=donor.id), 303)


def render_detail(donor: Donor, title_form: TitleForm | None = None, status: int = 200):
    donations = db.session.scalars(
        select(Donation)
        .where(Donation.fund_id == g.fund.id, Donation.donor_id == donor.id)
        .order_by(Donation.received_on.desc(), Donation.id.desc())
    ).all()
    trail = donations_queries.money_trail(g.fund.id, Donation.donor_id == donor.id)
    spent = donations_queries.spending_trail(g.fund.id, Donation.donor_id == donor.id)
    page = render_template(
        "donors/detail.html",
        donor=donor,
        title_form=title_form or TitleForm(formdata=None, title=donor.title),
        donations=donations,
        given=sum(d.amount for d in donations if not d.is_reversed),
        trail=trail,
        lent=sum(row.funded for row in trail),
        returned=sum(row.returned for row in trail),
        spent=spent,
        gifts_in_kind=donations_queries.gifts_in_kind_of(g.fund.id, donor.id),
    )
    return page, status
