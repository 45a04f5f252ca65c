"""The people pages' forms: a person's details, a new person (with a mentor), a status change and
a mentor assignment."""

from flask import g
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker import casework, labels
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Person
from tracker.web.forms import Form, IsoDateField, NameField, PhoneField
from tracker.web.once import OnceForm

# The audit trail is append-only, so it records which fields changed, never their values: a
# person's details must be erasable (right to erasure), the audit rows cannot be.
TRACKED_FIELDS = (
    "full_name",
    "birth_year",
    "gender",
    "phone",
    "address",
    "released_on",
    "certificate_type",
    "family_circumstances",
    "needs",
    "consent_recorded_on",
    "named_to_donors",
    "visit_interval_days",
)


def gender_choices():
    return labels.choices(labels.GENDERS, blank=True)


def certificate_choices():
    return labels.choices(labels.CERTIFICATES, blank=True)


def status_choices():
    return labels.choices(labels.PERSON_STATUSES)


class PersonForm(Form):
    full_name = NameField(
        _l("Full name"), [DataRequired(_l("Enter the person's full name.")), Length(max=200)]
    )
    consent_recorded_on = IsoDateField(
        _l("Consent to keep this information recorded on"),
        [DataRequired(_l("Record the date the person agreed to their information being kept."))],
    )
    birth_year = IntegerField(
        _l("Year of birth"),
        [Optional(), NumberRange(1920, 2015, _l("Enter a year of birth between 1920 and 2015."))],
    )
    gender = SelectField(_l("Gender"), choices=gender_choices, default="")
    phone = PhoneField(_l("Phone"))
    address = StringField(_l("Address (hamlet or quarter)"), [Length(max=200)])
    released_on = IsoDateField(_l("Released on"), [Optional()])
    certificate_type = SelectField(_l("Certificate"), choices=certificate_choices, default="")
    family_circumstances = TextAreaField(_l("Family circumstances"), [Length(max=2000)])
    needs = TextAreaField(_l("Needs"), [Length(max=2000)])
    named_to_donors = BooleanField(_l("Agrees to be named to donors (in thank-you letters)"))
    visit_interval_days = IntegerField(
        _l("Visit every (days)"),
        [Optional(), NumberRange(7, 180, _l("Enter between 7 and 180 days."))],
        default=30,
    )


class NewPersonForm(PersonForm, OnceForm):
    mentor_id = SelectField(_l("Mentor"), coerce=int, default=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mentor_id.choices = [
            (0, _("Not assigned yet")),
            *((m.id, m.full_name) for m in casework.current_mentors(g.fund.id)),
        ]


# When a person moves away, dies or has their support paused while a loan is open, the same form
# asks what happens to the loan (the committee's choice; the loan's own steps do the rest).
LIFE_EVENT_STATUSES = ("paused", "moved", "deceased")
LOAN_ACTIONS = {
    "keep": _l("Keep collecting from the borrower"),
    "family": _l("A family member will repay"),
    "reschedule": _l("Reschedule what is left"),
    "pause": _l("Pause collection"),
    "write_off": _l("Propose a write-off to the committee"),
}


class StatusForm(Form):
    """The status; when the person has a loan open and moves away, dies or has their support
    paused, also what happens to the loan (people.routes.change_status asks for it)."""

    status = SelectField(_l("New status"), choices=status_choices)
    changed_on = IsoDateField(_l("Date"), [DataRequired(_l("Enter the date of the change."))])
    reason = StringField(
        _l("Reason"),
        [DataRequired(_l("Enter the reason.")), Length(max=500)],
        description=_l(
            "Write what the committee decided and why, never an offence or a court's decision: "
            "that is criminal-record data, which the fund does not keep."
        ),
    )
    loan_action = SelectField(
        _l("What happens to the open loan"),
        choices=lambda: [("", _l("Choose …")), *LOAN_ACTIONS.items()],
        default="",
    )
    payer_name = NameField(_l("Family member who will repay"), [Length(max=200)])
    payer_relation = StringField(_l("Relation to the borrower"), [Length(max=100)])


# What committees usually write when a case changes status (offered as suggestions, not a list).
STATUS_REASONS = (
    _l("Has a steady job and a settled family life"),
    _l("Has had the criminal record cleared"),
    _l("Has paid back the loan and is settled"),
    _l("Working far away for a while"),
    _l("Long medical treatment"),
    _l("Moved with the family to another place"),
)


class MentorForm(Form):
    mentor_id = SelectField(_l("Mentor"), coerce=int)
    assigned_on = IsoDateField(_l("From"), [DataRequired(_l("Enter the date of the assignment."))])
    note = StringField(_l("Note"), [Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mentor_id.choices = [
            (0, _("Nobody for now")),
            *((m.id, m.full_name) for m in casework.current_mentors(g.fund.id)),
        ]


def apply_form(person: Person, form: PersonForm) -> list[str]:
    """Copy the form onto the person; return the names of the fields that changed."""
    before = {field: getattr(person, field) for field in TRACKED_FIELDS}
    person.set_name(form.full_name.data)
    person.consent_recorded_on = form.consent_recorded_on.data
    person.birth_year = form.birth_year.data
    person.gender = form.gender.data or None
    person.phone = form.phone.data
    person.address = form.address.data
    person.released_on = form.released_on.data
    person.certificate_type = form.certificate_type.data or None
    person.family_circumstances = form.family_circumstances.data
    person.needs = form.needs.data
    person.visit_interval_days = form.visit_interval_days.data or 30
    person.named_to_donors = form.named_to_donors.data
    person.refresh_search_text()
    return [field for field in TRACKED_FIELDS if getattr(person, field) != before[field]]
