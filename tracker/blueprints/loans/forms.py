"""The loan pages' forms: the application, the decisions (asking the password again when it is
old), the disbursement, a repayment, and the reasons for a reversal or a write-off."""

from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from tracker import clock, labels
from tracker.extensions import db
from tracker.i18n import lazy_gettext as _l
from tracker.models import Person
from tracker.money import ledger
from tracker.web.access import people_for_applications
from tracker.web.forms import Form, IsoDateField, MoneyField, PasswordAgainForm, reason_field
from tracker.web.once import OnceForm


def applicants() -> list[tuple[int, str]]:
    """(id, name) of whom the current user may apply for, by name (a member: their own people)."""
    query = people_for_applications().with_only_columns(Person.id, Person.full_name)
    return [tuple(row) for row in db.session.execute(query.order_by(Person.sort_key, Person.id))]


def method_choices():
    return labels.choices(labels.PAYMENT_METHODS)


class LoanForm(OnceForm):
    person_id = SelectField(_l("Borrower"), coerce=int)
    principal = MoneyField(_l("Principal"), [InputRequired(_l("Enter the amount of the loan."))])
    purpose = TextAreaField(_l("Purpose"), [DataRequired(_l("Say what the money is for.")), Length(max=500)])
    term_months = IntegerField(
        _l("Term (months)"),
        [InputRequired(_l("Enter the term in months.")), NumberRange(1, 120, _l("Enter 1 to 120 months."))],
        default=12,
    )
    grace_months = IntegerField(
        _l("Grace period (months)"),
        [
            InputRequired(_l("Enter the grace period (0 if none).")),
            NumberRange(0, 24, _l("Enter 0 to 24 months.")),
        ],
        default=0,
    )
    applied_on = IsoDateField(_l("Applied on"), [DataRequired(_l("Enter the date of the application."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the list opens on "Choose the borrower", never on whoever sorts first: a loan recorded
        # for the wrong person because nobody changed the first name is a real risk
        self.person_id.choices = [(0, _l("Choose the borrower")), *applicants()]

    def validate_person_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the person who applies for the loan."))

    def validate_principal(self, field):
        if field.data and self.term_months.data and field.data < self.term_months.data * ledger.ROUNDING:
            raise ValidationError(_l("The principal must be at least 1.000 ₫ per month of the term."))


class ApproveForm(PasswordAgainForm):
    minutes_ref = StringField(
        _l("Minutes reference"),
        [DataRequired(_l("Enter the reference of the meeting minutes.")), Length(max=200)],
    )
    # Not sent (the contract names only minutes_ref): the decision is dated today.
    decided_on = IsoDateField(
        _l("Decided on"), [DataRequired(_l("Enter the date of the decision."))], default=clock.today
    )


class ReasonForm(Form):
    reason = reason_field()


class WriteOffForm(PasswordAgainForm):
    reason = reason_field()


class DisburseForm(PasswordAgainForm):
    disbursed_on = IsoDateField(
        _l("Disbursed on"), [DataRequired(_l("Enter the date the money was paid out."))]
    )


class RepaymentForm(OnceForm):
    amount = MoneyField(_l("Amount"), [InputRequired(_l("Enter the amount repaid."))])
    paid_on = IsoDateField(_l("Paid on"), [DataRequired(_l("Enter the date of the repayment."))])
    method = SelectField(_l("Method"), choices=method_choices, default="cash")
