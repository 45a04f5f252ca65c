"""Referrals on a person's file (giới thiệu việc làm, học nghề, vay vốn Ngân hàng Chính sách xã
hội, làm giấy tờ tùy thân): recorded by the person's mentor or the chair, shown on the file."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from tracker import audit, clock, labels
from tracker.blueprints.people.routes import bp, person_context
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Referral
from tracker.web.access import can, get_or_404, get_person_or_404, requires
from tracker.web.forms import Form, IsoDateField


class ReferralForm(Form):
    kind = SelectField(_l("Kind of referral"), choices=lambda: labels.choices(labels.REFERRAL_KINDS))
    referred_to = StringField(
        _l("Referred to"),
        [
            DataRequired(_l("Say where the person was referred, for example the commune's job centre.")),
            Length(max=200),
        ],
    )
    referred_on = IsoDateField(_l("Referred on"), [InputRequired(_l("Enter the date of the referral."))])
    outcome = SelectField(_l("Outcome"), choices=lambda: labels.choices(labels.REFERRAL_OUTCOMES))


class OutcomeForm(Form):
    outcome = SelectField(_l("Outcome"), choices=lambda: labels.choices(labels.REFERRAL_OUTCOMES))


def referrals_of(person_id: int) -> list[Referral]:
    return db.session.scalars(
        select(Referral)
        .where(Referral.person_id == person_id, Referral.fund_id == g.fund.id)
        .order_by(Referral.referred_on.desc(), Referral.id.desc())
    ).all()


def referral_context(person) -> dict:
    """The file's referrals (for those who read casework) and the form (for those who record)."""
    context = {}
    if can("view_casework"):
        context["referrals"] = referrals_of(person.id)
    if can("record_referrals") and person.erased_at is None:
        context["referral_form"] = ReferralForm(formdata=None, referred_on=clock.today())
        context["referral_outcomes"] = labels.choices(labels.REFERRAL_OUTCOMES)
    return context


@bp.route("/<int:person_id>/referrals", methods=["POST"])
@requires("record_referrals")
def add_referral(person_id: int):
    """Record a referral on the person's file (a member only for their own people)."""
    person = get_person_or_404(person_id)
    form = ReferralForm()
    if person.erased_at is not None or not form.validate():
        context = person_context(person)
        context["referral_form"] = form
        # a refused form writes nothing, not even the log (the file was logged when opened)
        return render_template("people/detail.html", **context), 422
    referral = Referral(
        fund_id=g.fund.id,
        person_id=person.id,
        kind=form.kind.data,
        referred_to=form.referred_to.data.strip(),
        referred_on=form.referred_on.data,
        outcome=form.outcome.data,
        created_by_id=current_user.id,
    )
    db.session.add(referral)
    audit.record(
        "referral.create",
        referral,
        after={
            "person_id": person.id,
            "referral_kind": referral.kind,
            "referred_to": referral.referred_to,
            "referred_on": referral.referred_on.isoformat(),
            "outcome": referral.outcome,
        },
    )
    db.session.commit()
    flash(_("Referral recorded."), "success")
    return redirect(url_for("people.detail", person_id=person.id, _anchor="referrals"), 303)


@bp.route("/<int:person_id>/referrals/<int:referral_id>", methods=["POST"])
@requires("record_referrals")
def referral_outcome(person_id: int, referral_id: int):
    """Record how a referral turned out."""
    person = get_person_or_404(person_id)
    referral = get_or_404(Referral, referral_id)
    if referral.person_id != person.id:
        abort(404)
    form = OutcomeForm()
    if not form.validate():
        flash(form.first_error or _("Choose the outcome from the list."), "error")
        return render_template("people/detail.html", **person_context(person)), 422
    before = referral.outcome
    referral.outcome = form.outcome.data
    audit.record(
        "referral.outcome", referral, before={"outcome": before}, after={"outcome": referral.outcome}
    )
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("people.detail", person_id=person.id, _anchor="referrals"), 303)
