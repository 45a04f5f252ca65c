"""What the pages of more than one area show: the quick visit form and a person's visit timeline
(a person's file and the visit pages), the new-donor form (the donors page and the donation form).
Blueprints share them through here, never by importing each other."""

import datetime as dt

from flask import g, request
from sqlalchemy import select
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker import casework, clock, labels
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Donor, Fund, Person
from tracker.web.access import can, own_committee_member_id, sees_only_own_people
from tracker.web.forms import Form, IsoDateField, NameField, PhoneField, reason_field
from tracker.web.once import OnceForm
from tracker.web.views import id_arg

NOTE_LIMIT = 2000
# The next visit is planned at most about a year ahead: a longer gap is not mentoring.
LONGEST_GAP = dt.timedelta(days=366)


def visit_kind_choices():
    return labels.choices(labels.VISIT_KINDS)


def note_field(label):
    return TextAreaField(
        label,
        [Optional(), Length(max=NOTE_LIMIT, message=_l("Write at most %(max)d characters here."))],
    )


class VisitForm(OnceForm):
    """The quick visit form, in the order a mentor fills it on a phone."""

    kind = RadioField(
        _l("Kind of visit"),
        choices=visit_kind_choices,
        default="home",
        invalid_choice_message=_l("Choose one: at home, by phone, at the workplace or at a meeting."),
    )
    visited_on = IsoDateField(_l("Date of the visit"), [Optional()])
    summary = note_field(_l("What you talked about"))
    livelihood = note_field(_l("Work and income"))
    concerns = note_field(_l("Difficulties and concerns"))
    next_visit_on = IsoDateField(_l("Next visit"), [Optional()], not_after_today=False)
    mentor_id = SelectField(
        _l("Mentor"),
        coerce=int,
        validate_choice=False,  # validate_mentor_id says what is wrong in words
        invalid_value_message=_l("Choose a member of the team."),
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.own_mentor_id = own_committee_member_id()
        # Members log in their own name only; the chair may enter a visit for any current member.
        self.can_pick_mentor = can("log_visits") and not sees_only_own_people()
        self.mentor_id.choices = []
        if self.can_pick_mentor:
            mentors = casework.current_mentors(person.fund_id)
            self.mentor_id.choices = [(0, _("Not recorded")), *((m.id, m.full_name) for m in mentors)]

    @property
    def visit_date(self) -> dt.date:
        return self.visited_on.data or clock.today()

    @property
    def has_details_error(self) -> bool:
        """Open the collapsed 'more details' part when an error sits inside it."""
        fields = [self.livelihood, self.concerns, self.next_visit_on]
        if self.can_pick_mentor:
            fields.append(self.mentor_id)
        return any(field.errors for field in fields)

    def validate_next_visit_on(self, field):
        if field.data is None or self.visited_on.errors:
            return
        if field.data <= self.visit_date:
            raise ValidationError(_l("The next visit must come after this visit."))
        if field.data > self.visit_date + LONGEST_GAP:
            raise ValidationError(_l("Plan the next visit within a year of this one."))

    def validate_mentor_id(self, field):
        if not self.can_pick_mentor:
            if field.data not in (None, self.own_mentor_id):
                raise ValidationError(_l("You can record visits only in your own name."))
            field.data = self.own_mentor_id
        elif field.data is None:
            field.data = self.own_mentor_id
        elif field.data not in {value for value, _label in self.mentor_id.choices}:
            raise ValidationError(_l("Choose a current member of the team."))

    @property
    def chosen_mentor_id(self) -> int | None:
        return self.mentor_id.data or None


def visit_form_for(person: Person) -> VisitForm:
    """A fresh quick visit form for a person: home visit, today, the next visit after their interval."""
    today = clock.today()
    form = VisitForm(
        formdata=None,
        person=person,
        kind="home",
        visited_on=today,
        next_visit_on=casework.default_next_visit(person, today),
    )
    if form.can_pick_mentor:
        form.mentor_id.data = form.own_mentor_id or person.mentor_id or 0
    return form


# A person's file opens on the latest five visits (the phone's first screens belong to the summary
# and the visit form); each "see more" adds twenty.
TIMELINE_FIRST = 5
TIMELINE_STEP = 20
TIMELINE_MAX = 2_000


def timeline_size() -> int:
    """How many visits the timeline shows: ?visits=N (rounded down to the first five plus a multiple
    of the step), the first five by default."""
    asked = min(id_arg(request.args.get("visits")) or TIMELINE_FIRST, TIMELINE_MAX)
    return TIMELINE_FIRST + max(0, asked - TIMELINE_FIRST) // TIMELINE_STEP * TIMELINE_STEP


def timeline_context(person: Person) -> dict:
    """What visits/_timeline.html shows: the person's latest visits, newest first, with their
    mentors (`timeline_visits`), and when older ones exist how many the "older visits" link asks for
    (`more_visits`). One query."""
    if not can("view_visits"):
        return {"timeline_visits": [], "more_visits": None}
    limit = timeline_size()
    visits = casework.latest_visits(person, limit + 1)
    return {
        "timeline_visits": visits[:limit],
        "more_visits": limit + TIMELINE_STEP if len(visits) > limit else None,
    }


def donor_kind_choices():
    return labels.choices(labels.DONOR_KINDS)


def donor_title_choices():
    return labels.choices(labels.DONOR_TITLES, blank=True)


class DonorForm(OnceForm):
    name = NameField(
        _l("Full name or business name"),
        [DataRequired(_l("Enter the name of the donor or business.")), Length(max=200)],
    )
    kind = SelectField(_l("Kind of donor"), choices=donor_kind_choices, default="business")
    title = SelectField(
        _l("Title (for letters: Mr or Ms)"),
        choices=donor_title_choices,
        default="",
        description=_l("For a benefactor: the letter starts “Kính gửi: Ông …” or “Bà …”."),
    )
    phone = PhoneField(_l("Phone"))
    address = StringField(_l("Address"), [Length(max=200)])
    anonymous = BooleanField(_l("Anonymous: do not print the name on receipts and lists"))

    # The audit log is append-only: it keeps no contact details of private benefactors.
    AUDITED_FIELDS = ("kind", "title", "anonymous")

    def validate_title(self, field):
        # Only a person is Ông or Bà; a business or organisation is addressed by its name.
        if field.data and self.kind.data != "individual":
            raise ValidationError(_l("Only a benefactor (a person) has a title; leave it empty."))

    def new_donor(self, fund_id: int) -> Donor:
        """The donor the form describes, added to the session (the view audits and commits)."""
        donor = Donor(
            fund_id=fund_id,
            kind=self.kind.data,
            title=self.title.data or "",
            phone=self.phone.data,
            address=self.address.data,
            anonymous=self.anonymous.data,
        )
        donor.set_name(self.name.data)  # after the kind: a business sorts by its whole name
        db.session.add(donor)
        return donor


# ------------------------------------------------------------------ a file handed to another fund


class HandoverForm(Form):
    """Shown in the person's file (people), sent to the handovers blueprint."""

    to_fund_id = SelectField(
        _l("Receiving fund"), [DataRequired(_l("Choose the receiving fund."))], coerce=int
    )
    reason = reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        funds = db.session.execute(
            select(Fund.id, Fund.name, Fund.commune, Fund.province)
            .where(Fund.id != g.fund.id)
            .order_by(Fund.province, Fund.commune, Fund.id)
        )
        self.to_fund_id.choices = [(0, _("Choose …"))] + [
            (fund_id, f"{name} ({commune}, {province})") for fund_id, name, commune, province in funds
        ]
