"""Gifts in kind (hiện vật: rice, a bicycle, tools), recorded at an estimated value. Not money: they
never touch the journal, the cash or the cash book; the review and the donor's page count them."""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from tracker import audit, clock
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Donor, GiftInKind, Person
from tracker.web import once
from tracker.web.access import can, requires, scoped
from tracker.web.forms import IsoDateField, MoneyField, NamesNobody
from tracker.web.once import OnceForm
from tracker.web.views import page_of, render_logged

bp = Blueprint("gifts", __name__, url_prefix="/gifts-in-kind")
PAGE_SIZE = 25


class GiftForm(OnceForm):
    description = StringField(
        _l("What was given"),
        [DataRequired(_l("Say what was given, for example 50 kg of rice.")), Length(max=300), NamesNobody()],
    )
    estimated_value = MoneyField(_l("Estimated value"), [InputRequired(_l("Enter the estimated value."))])
    given_on = IsoDateField(_l("Given on"), [InputRequired(_l("Enter the date of the gift."))])
    donor_id = SelectField(_l("Donor (optional)"), coerce=int, default=0, validate_choice=False)
    person_id = SelectField(_l("Given to (optional)"), coerce=int, default=0, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        donors = db.session.execute(
            select(Donor.id, Donor.name).where(Donor.fund_id == g.fund.id).order_by(Donor.sort_key, Donor.id)
        )
        self.donor_id.choices = [(0, _("No donor recorded")), *((id_, name) for id_, name in donors)]
        people = db.session.execute(
            scoped(Person)
            .with_only_columns(Person.id, Person.full_name)
            .where(Person.erased_at.is_(None), Person.status.in_(("supported", "paused")))
            .order_by(Person.sort_key, Person.id)
        )
        self.person_id.choices = [(0, _("Nobody in particular")), *((id_, name) for id_, name in people)]

    def validate_donor_id(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a donor from the list, or none."))

    def validate_person_id(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a person from the list, or nobody."))


def render_index(form: GiftForm | None = None, status: int = 200):
    gifts = page_of(
        select(GiftInKind)
        .where(GiftInKind.fund_id == g.fund.id)
        .options(joinedload(GiftInKind.donor), joinedload(GiftInKind.person))
        .order_by(GiftInKind.given_on.desc(), GiftInKind.id.desc()),
        PAGE_SIZE,
    )
    if form is None and can("record_gifts"):
        form = GiftForm(formdata=None, given_on=clock.today())
    context = {
        "gifts": gifts.rows,
        "total": gifts.total,
        "page": gifts.page,
        "pages": gifts.pages,
        "form": form,
    }
    if status != 200:  # a refused form writes nothing, not even the log (it was opened before)
        return render_template("gifts/index.html", **context), status
    return render_logged(
        "gifts/index.html", [gift.person_id for gift in gifts.rows if gift.person_id], **context
    )


@bp.route("")
@requires("view_money")
def index():
    """Render the gifts in kind, newest first, with the form."""
    return render_index()


@bp.route("", methods=["POST"])
@requires("record_gifts")
def create():
    """Record a gift in kind at its estimated value; nothing is posted to the cash book."""
    form = GiftForm()
    if not form.validate():
        return render_index(form, 422)
    if (earlier := once.sent_before(form)) is not None:
        return once.answer_again(earlier)
    gift = GiftInKind(
        fund_id=g.fund.id,
        donor_id=form.donor_id.data or None,
        person_id=form.person_id.data or None,
        description=form.description.data.strip(),
        estimated_value=form.estimated_value.data,
        given_on=form.given_on.data,
        created_by_id=current_user.id,
    )
    db.session.add(gift)
    audit.record(
        "gift.create",
        gift,
        after={
            "donor_id": gift.donor_id,
            "person_id": gift.person_id,
            "estimated_value": gift.estimated_value,
            "given_on": gift.given_on.isoformat(),
        },
    )
    once.remember_where(url_for("gifts.index"))
    db.session.commit()
    flash(_("Gift in kind recorded."), "success")
    return redirect(url_for("gifts.index"), 303)
