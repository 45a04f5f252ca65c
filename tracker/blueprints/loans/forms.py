"""The loan pages' forms: the application, the decisions (asking the password again when it is
old), the disbursement, a repayment, and the reasons for a reversal or a write-off."""

from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from tracker import clock, labels
from tracker.extensions import db
from tracker.i18n import lazy_gettext as _l
from tracker.models import Person
from tracker.money import ledger
from tracker.web.access import people_for_applications
from tracker.web.forms import (
    Form,
    IsoDateField,
    MoneyField,
    PaperReceiptFields,
    PasswordAgainForm,
    reason_field,
)
from tracker.web.money_account import PAID_FROM, account_field
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
        description=_l(
            "The grace period included: 12 months with 1 month of grace is 11 monthly installments."
        ),
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
    # The family member who stands behind the loan (người bảo lãnh, đại diện hộ gia đình).
    guarantor_name = StringField(_l("Guarantor"), [Length(max=200)])
    guarantor_relation = StringField(_l("Relation to the borrower"), [Length(max=100)])
    guarantor_phone = StringField(_l("Guarantor's phone"), [Length(max=30)])
    guarantor_address = StringField(_l("Guarantor's address"), [Length(max=300)])
    hamlet_head_name = StringField(_l("Hamlet head who confirmed the application"), [Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the list opens on "Choose the borrower", never on whoever sorts first: a loan recorded
        # for the wrong person because nobody changed the first name is a real risk
        self.person_id.choices = [(0, _l("Choose the borrower")), *applicants()]

    def validate_person_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the person who applies for the loan."))

    def validate_principal(self, field):
        installments = (self.term_months.data or 0) - (self.grace_months.data or 0)
        if field.data and installments > 0 and field.data < installments * ledger.ROUNDING:
            raise ValidationError(_l("The principal must be at least 1.000 ₫ per installment."))

    def validate_grace_months(self, field):
        if field.data is not None and self.term_months.data and field.data >= self.term_months.data:
            raise ValidationError(
                _l("The grace period is part of the term: it must be shorter than the term.")
            )

    def validate_guarantor_relation(self, field):
        if self.guarantor_name.data and not field.data:
            raise ValidationError(_l("Say how the guarantor is related to the borrower."))


class ApproveForm(PasswordAgainForm):
    minutes_ref = StringField(
        _l("Minutes reference"),
        [DataRequired(_l("Enter the reference of the meeting minutes.")), Length(max=200)],
    )
    # Not sent (the contract names only minutes_ref): the decision is dated today.
    decided_on = IsoDateField(
        _l("Decided on"), [DataRequired(_l("Enter the date of the decision."))], default=clock.today
    )
    approved_amount = MoneyField(_l("Amount approved"), [Optional()])
    attendees = IntegerField(
        _l("Members attending"), [Optional(), NumberRange(1, 200, _l("Enter 1 to 200."))]
    )
    votes_for = IntegerField(_l("Votes for"), [Optional(), NumberRange(0, 200, _l("Enter 0 to 200."))])
    votes_against = IntegerField(
        _l("Votes against"), [Optional(), NumberRange(0, 200, _l("Enter 0 to 200."))]
    )


class ReasonForm(Form):
    reason = reason_field()


class WriteOffForm(PasswordAgainForm):
    """The committee's decision to write a loan off: its meeting, the day, the reason."""

    minutes_ref = StringField(
        _l("Minutes reference"),
        [DataRequired(_l("Enter the reference of the meeting minutes.")), Length(max=200)],
    )
    decided_on = IsoDateField(
        _l("Decided on"), [DataRequired(_l("Enter the date of the decision."))], default=clock.today
    )
    reason = reason_field()


class ReverseWriteOffForm(PasswordAgainForm):
    reason = reason_field()


class DisburseForm(PasswordAgainForm):
    disbursed_on = IsoDateField(
        _l("Disbursed on"), [DataRequired(_l("Enter the date the money was paid out."))]
    )
    account = account_field(PAID_FROM)


class RescheduleForm(PasswordAgainForm):
    """Gia hạn, điều chỉnh kỳ hạn: what is left, over new installments, as the committee decided."""

    installments = IntegerField(
        _l("Number of installments"),
        [
            InputRequired(_l("Enter the number of installments.")),
            NumberRange(1, 120, _l("Enter 1 to 120 installments.")),
        ],
    )
    first_due_on = IsoDateField(
        _l("First installment due on"),
        [DataRequired(_l("Enter the date of the first new installment."))],
        not_after_today=False,
    )
    minutes_ref = StringField(
        _l("Minutes reference"),
        [DataRequired(_l("Enter the reference of the meeting minutes.")), Length(max=200)],
    )
    reason = reason_field()


class PauseForm(PasswordAgainForm):
    """Khoanh nợ: no installment falls due while the borrower is ill, in hospital, after a disaster."""

    paused_from = IsoDateField(
        _l("Paused from"), [DataRequired(_l("Enter the first day of the pause."))], not_after_today=False
    )
    paused_until = IsoDateField(
        _l("Paused until"), [DataRequired(_l("Enter the last day of the pause."))], not_after_today=False
    )
    minutes_ref = StringField(_l("Minutes reference"), [Length(max=200)])
    reason = reason_field()


class RepaymentForm(PaperReceiptFields, OnceForm):
    amount = MoneyField(_l("Amount"), [InputRequired(_l("Enter the amount repaid."))])
    paid_on = IsoDateField(_l("Paid on"), [DataRequired(_l("Enter the date of the repayment."))])
    method = SelectField(_l("Method"), choices=method_choices, default="cash")
    account = account_field()
