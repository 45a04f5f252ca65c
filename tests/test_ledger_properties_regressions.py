"""Sequences Hypothesis once found; kept so they run on every database every time."""

import datetime as dt

import pytest

from tests.factories import disbursed_loan, donate, repay
from tracker import journal
from tracker.extensions import db
from tracker.models import Repayment


def test_a_repayment_whose_money_was_lent_again_cannot_be_reversed(app, money, seed):
    donate(app, seed.fund_id, money.donor_id, 500_000, dt.date(2026, 1, 1))
    first = disbursed_loan(app, seed.fund_id, money.person_id, 500_000, dt.date(2026, 1, 2), term=1)
    repayment_id = repay(app, first, 500_000, dt.date(2026, 1, 3))
    disbursed_loan(app, seed.fund_id, money.person_id, 500_000, dt.date(2026, 1, 4), term=1)
    with app.app_context():
        with pytest.raises(journal.MoneyRefused, match="0 ₫"):
            journal.reverse_repayment(db.session.get(Repayment, repayment_id), "ghi nhầm", None)
        db.session.rollback()
        assert journal.cash_balance(seed.fund_id) == 0


def test_a_repayment_of_a_loan_funded_by_a_reversed_donation_cannot_be_reversed(app, money, seed):
    from tests.factories import user_id
    from tracker.models import Donation

    first = donate(app, seed.fund_id, money.donor_id, 500_000, dt.date(2026, 1, 1))
    donate(app, seed.fund_id, money.donor_id, 5_000_000, dt.date(2026, 1, 1))
    loan = disbursed_loan(app, seed.fund_id, money.person_id, 500_000, dt.date(2026, 1, 2), term=1)
    repayment_id = repay(app, loan, 500_000, dt.date(2026, 1, 3))
    with app.app_context():
        journal.reverse_donation(db.session.get(Donation, first), "trả lại nhà tài trợ", user_id("treasurer"))
        db.session.commit()
        with pytest.raises(journal.MoneyRefused):
            journal.reverse_repayment(db.session.get(Repayment, repayment_id), "ghi nhầm", None)
        db.session.rollback()
        available = journal.donation_available(seed.fund_id)
        assert all(amount >= 0 for amount in available.values())
        assert sum(available.values()) <= journal.cash_balance(seed.fund_id)
