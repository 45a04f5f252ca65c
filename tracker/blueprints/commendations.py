"""Commendations (biểu dương, khen thưởng) of team members, donors and people helped who settled:
the list, the chair's form and the deletion of one recorded by mistake.

A person helped appears on the list and in the review only by the words the committee chooses
(`shown_as`), which may name them only with their consent (queries.commendations.may_show).
"""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker import audit, labels
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Commendation, CommitteeMember, Donor, Person
from tracker.queries import commendations as commending
from tracker.web import once
from tracker.web.access import can, get_or_404, requires
from tracker.web.forms import Form, IsoDateField
from tracker.web.once import OnceForm

bp = Blueprint("commendations", __name__, url_prefix="/commendations")

# The forms a commune's commendations usually take, offered as the field's suggestions.
FORMS = ("Giấy khen", "Bằng khen", "Biểu dương", "Thư khen", "Tặng quà")
AUDITED_FIELDS = ("recipient", "form", "decided_by", "decision_no", "decided_on")


class CommendationForm(OnceForm):
    recipient = RadioField(
        _l("Who is commended"),
        choices=lambda: labels.choices(labels.COMMENDATION_RECIPIENTS),
        default="member",
        invalid_choice_message=_l("Choose a team member, a donor or a person helped."),
    )
    member_id = SelectField(_l("Team member"), coerce=int, validate_choice=False)
    donor_id = SelectField(_l("Donor"), coerce=int, validate_choice=False)
    person_id = SelectField(
        _l("Person helped (settled)"),
        coerce=int,
        validate_choice=False,
        description=_l("Only people whose status is settled can be chosen."),
    )
    shown_as = StringField(
        _l("How the review names the person helped"),
        [Length(max=200)],
        description=_l(
            "The review and this list print only these words, never the person's file. Write their "
            "name only if they agreed to be named, e.g. “Một người được giúp đỡ ở xã đã ổn định cuộc sống”."
        ),
    )
    form = StringField(
        _l("Form of commendation"),
        [DataRequired(_l("Enter the form, e.g. Giấy khen or Biểu dương.")), Length(max=100)],
    )
    decided_by = StringField(
        _l("Decided by"),
        [DataRequired(_l("Enter who decided it, e.g. UBND xã or Ủy ban MTTQ xã.")), Length(max=200)],
    )
    decision_no = StringField(_l("Decision no."), [Optional(), Length(max=50)])
    decided_on = IsoDateField(_l("Decided on"), [DataRequired(_l("Enter the date of the decision."))])
    reason = TextAreaField(_l("Reason"), [Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fund_id = g.fund.id
        members = db.session.execute(
            select(CommitteeMember.id, CommitteeMember.full_name)
            .where(CommitteeMember.fund_id == fund_id)
            .order_by(CommitteeMember.sort_key, CommitteeMember.id)
        ).all()
        donors = db.session.scalars(
            select(Donor).where(Donor.fund_id == fund_id).order_by(Donor.sort_key, Donor.id)
        ).all()
        people = db.session.execute(
            select(Person.id, Person.full_name)
            .where(Person.fund_id == fund_id, Person.status == "settled", Person.erased_at.is_(None))
            .order_by(Person.sort_key, Person.id)
        ).all()
        choose = (0, _("Choose …"))
        self.member_id.choices = [choose, *(tuple(row) for row in members)]
        # The chair sees an anonymous donor's name here: only the list and the review hide it.
        self.donor_id.choices = [choose, *((donor.id, donor.name) for donor in donors)]
        self.person_id.choices = [choose, *(tuple(row) for row in people)]

    def chosen(self, field) -> bool:
        return self.recipient.data == field.name.removesuffix("_id")

    def check_choice(self, field, message):
        if self.chosen(field) and field.data not in {value for value, _label in field.choices[1:]}:
            raise ValidationError(message)

    def validate_member_id(self, field):
        self.check_choice(field, _l("Choose a member of the team."))

    def validate_donor_id(self, field):
        self.check_choice(field, _l("Choose a donor from the list of donors."))

    def validate_person_id(self, field):
        self.check_choice(field, _l("Choose a person helped whose status is settled."))

    def validate_shown_as(self, field):
        if self.recipient.data != "person" or self.person_id.errors:
            return
        if not field.data:
            raise ValidationError(_l("Write how the review names the person, e.g. “Một người được giúp đỡ”."))
        person = db.session.get(Person, self.person_id.data)
        if person is not None and not commending.may_show(person, field.data):
            raise ValidationError(
                _l("This person has not agreed to be named: describe them without their name or phone.")
            )

    def new_commendation(self, fund_id: int, user_id: int) -> Commendation:
        recipient = self.recipient.data
        commendation = Commendation(
            fund_id=fund_id,
            recipient=recipient,
            member_id=self.member_id.data if recipient == "member" else None,
            donor_id=self.donor_id.data if recipient == "donor" else None,
            person_id=self.person_id.data if recipient == "person" else None,
            shown_as=self.shown_as.data if recipient == "person" else "",
            form=self.form.data,
            decided_by=self.decided_by.data,
            decision_no=self.decision_no.data or "",
            decided_on=self.decided_on.data,
            reason=self.reason.data or "",
            created_by_id=user_id,
        )
        db.session.add(commendation)
        return commendation


class DeleteForm(Form):
    """Only the token: deleting a commendation recorded by mistake."""


def render_index(form: CommendationForm | None = None, status: int = 200):
    return (
        render_template(
            "commendations/index.html",
            lines=commending.lines(g.fund.id),
            form=form,
            forms=FORMS,
            delete_form=DeleteForm(formdata=None),
        ),
        status,
    )


@bp.route("")
@requires("view_commendations")
def index():
    """Render every commendation of the fund, newest last; the chair's form to record one."""
    form = None
    if can("record_commendations"):
        form = CommendationForm(formdata=None, decided_by=default_body())
    return render_index(form)


def default_body() -> str:
    """The commune's People's Committee, which decides most commendations (UBND xã Hồng Sơn)."""
    return f"UBND {g.fund.commune}".strip() if g.fund.commune else ""


@bp.route("", methods=["POST"])
@requires("record_commendations")
def create():
    """Record a commendation, then the list."""
    form = CommendationForm()
    if not form.validate():
        return render_index(form, 422)
    if (earlier := once.sent_before(form)) is not None:
        return once.answer_again(earlier)
    commendation = form.new_commendation(g.fund.id, current_user.id)
    db.session.flush()
    audit.record("commendation.create", commendation, after=audit.snapshot(commendation, AUDITED_FIELDS))
    target = url_for("commendations.index") + f"#commendation-{commendation.id}"
    once.remember_where(target)
    db.session.commit()
    flash(_("Recorded the commendation."), "success")
    return redirect(target, 303)


@bp.route("/<int:commendation_id>/delete", methods=["POST"])
@requires("record_commendations")
def delete(commendation_id: int):
    """Delete a commendation recorded by mistake (the audit log keeps what it was), then the list."""
    commendation = get_or_404(Commendation, commendation_id)
    if not DeleteForm().validate():
        return render_index(None, 400)
    audit.record("commendation.delete", commendation, before=audit.snapshot(commendation, AUDITED_FIELDS))
    db.session.delete(commendation)
    db.session.commit()
    flash(_("Deleted the commendation."), "success")
    return redirect(url_for("commendations.index"), 303)
