"""The one choice every money form makes: which of the fund's accounts the money goes into or comes
out of, tiền mặt (`cash`) or tiền gửi ngân hàng (`bank`). A form declares `account =
account_field(...)`; the view passes `form.account.data` to the tracker.money.journal function,
which checks it again (journal.check_account) and refuses a payment the account cannot cover
(journal.ensure_covered)."""

from wtforms import SelectField
from wtforms.validators import ValidationError

from tracker import labels
from tracker.i18n import lazy_gettext as _l
from tracker.money import balances

PAID_INTO = _l("Paid into")
PAID_FROM = _l("Paid from")


def account_choices():
    return labels.choices(labels.MONEY_ACCOUNTS)


def valid_account(_form, field) -> None:
    if field.data not in balances.MONEY_ACCOUNTS:
        raise ValidationError(_l("Choose cash or the bank account."))


def account_field(label=PAID_INTO) -> SelectField:
    """The `account` select: cash by default (most of a commune fund's money is cash)."""
    return SelectField(
        label, [valid_account], choices=account_choices, default=balances.CASH, validate_choice=False
    )
