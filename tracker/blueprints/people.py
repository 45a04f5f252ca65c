"""People helped (Người được giúp đỡ): the list, the form, and a person's page.

Members see only the people assigned to them; every lookup goes through access.get_person_or_404.
"""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker import audit, clock, journal
from tracker.access import get_person_or_404, requires, visible_people
from tracker.extensions import db
from tracker.forms import Form, IsoDateField, PhoneField
from tracker.models import CommitteeMember, Loan, Person
from tracker.views import page_number

bp = Blueprint("people", __name__, url_prefix="/people")

AUDITED_FIELDS = (
    "full_name",
    "birth_year",
    "gender",
    "phone",
    "address",
    "released_on",
    "certificate_type",
    "consent_recorded_on",
    "mentor_id",
    "visit_interval_days",
)


def gender_choices():
    return [("", _l("Not recorded")), ("male", _l("Male")), ("female", _l("Female")), ("other", _l("Other"))]


def certificate_choices():
    return [
        ("", _l("Not recorded")),
        ("sentence_completed", _l("Certificate of sentence completion")),
        ("amnesty", _l("Certificate of amnesty")),
    ]


class PersonForm(Form):
    full_name = StringField(
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
    mentor_id = SelectField(_l("Mentor"), coerce=int, default=0)
    visit_interval_days = IntegerField(
        _l("Visit every (days)"),
        [Optional(), NumberRange(7, 180, _l("Enter between 7 and 180 days."))],
        default=30,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mentors = db.session.scalars(
            select(CommitteeMember)
            .where(CommitteeMember.fund_id == g.fund.id, CommitteeMember.left_on.is_(None))
            .order_by(CommitteeMember.sort_key)
        )
        self.mentor_id.choices = [(0, _("Not assigned yet")), *((m.id, m.full_name) for m in mentors)]


def apply_form(person: Person, form: PersonForm) -> None:
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
    person.mentor_id = form.mentor_id.data or None
    person.visit_interval_days = form.visit_interval_days.data or 30


def render_index(form: PersonForm | None = None, status: int = 200):
    page = page_number()
    size = 25
    query = visible_people()
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    people = db.session.scalars(
        query.order_by(Person.sort_key, Person.id).offset((page - 1) * size).limit(size)
    )
    return (
        render_template(
            "people/index.html",
            people=list(people),
            form=form or PersonForm(formdata=None),
            page=page,
            pages=max(1, -(-total // size)),
            total=total,
        ),
        status,
    )


@bp.route("")
@requires("view_people")
def index():
    """Render the people the current user may see."""
    return render_index()


@bp.route("", methods=["POST"])
@requires("manage_people")
def create():
    """Add a person helped."""
    form = PersonForm()
    if not form.validate():
        return render_index(form, 422)
    person = Person(fund_id=g.fund.id)
    apply_form(person, form)
    db.session.add(person)
    audit.record("person.create", person, after=audit.snapshot(person, AUDITED_FIELDS))
    db.session.commit()
    flash(_("Added %(name)s.", name=person.full_name), "success")
    return redirect(url_for("people.detail", person_id=person.id), 303)


@bp.route("/<int:person_id>")
@requires("view_people")
def detail(person_id: int):
    """Render a person's page with their loans."""
    person = get_person_or_404(person_id)
    loans = list(
        db.session.scalars(select(Loan).where(Loan.person_id == person.id).order_by(Loan.applied_on))
    )
    balances = journal.loan_balances([loan.id for loan in loans])
    arrears = journal.loan_arrears(loans, clock.today())
    return render_template(
        "people/detail.html", person=person, loans=loans, balances=balances, arrears=arrears
    )
