"""Stateful property test of the journal (DESIGN §4): after any sequence of donations,
disbursements, repayments, write-offs, grants, running costs, moves between cash and the bank, and
reversals the books stay true; each money account (cash, bank) on its own never goes below zero on
any day.

Each Hypothesis example gets a fund of its own in the test database (every query is fund-scoped),
so the same test runs on SQLite and on PostgreSQL.
"""

import datetime as dt
import itertools
import os

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tracker import accounts, clock
from tracker.extensions import db
from tracker.models import (
    SPENDING_KINDS,
    Donation,
    Donor,
    Installment,
    JournalLine,
    Loan,
    Person,
    Repayment,
    Spending,
    Transfer,
)
from tracker.money import balances, journal

START = dt.date(2024, 1, 1)
amounts = st.integers(min_value=1, max_value=40).map(lambda n: n * 500_000)
money_accounts = st.sampled_from(balances.MONEY_ACCOUNTS)
_funds = itertools.count(1)


def make_machine(app):
    class Books(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.ctx = app.app_context()
            self.ctx.push()
            fund = accounts.create_fund(f"Quỹ thử {next(_funds)}", "xã Thử", "Tỉnh")
            self.fund_id = fund.id
            self.chair = accounts.create_user(f"c{fund.id}", "mat-khau-1", fund.id, "chair").id
            self.treasurer = accounts.create_user(f"t{fund.id}", "mat-khau-1", fund.id, "treasurer").id
            person = Person(fund_id=fund.id, consent_recorded_on=START)
            person.set_name("Nguyễn Văn Thử")
            donor = Donor(fund_id=fund.id, kind="individual")
            donor.set_name("Trần Văn Tặng")
            db.session.add_all([person, donor])
            db.session.commit()
            self.person_id, self.donor_id = person.id, donor.id
            self.day = START
            self.donations: list[int] = []
            self.loans: list[int] = []
            self.repayments: list[int] = []
            self.transfers: list[int] = []
            self.spendings: list[int] = []  # grants and running costs paid

        def teardown(self):
            db.session.rollback()
            self.ctx.pop()

        def next_day(self) -> dt.date:
            self.day += dt.timedelta(days=3)
            return self.day

        @rule(amount=amounts, account=money_accounts)
        def donate(self, amount, account):
            donation = Donation(
                fund_id=self.fund_id,
                donor_id=self.donor_id,
                amount=amount,
                received_on=self.next_day(),
                method="cash",
            )
            donation.donor = db.session.get(Donor, self.donor_id)
            journal.record_donation(donation, self.treasurer, account)
            db.session.commit()
            self.donations.append(donation.id)

        @rule(principal=amounts, term=st.integers(1, 24), grace=st.integers(0, 3), account=money_accounts)
        def lend(self, principal, term, grace, account):
            day = self.next_day()
            loan = Loan(
                fund_id=self.fund_id,
                person_id=self.person_id,
                principal=principal,
                purpose="thử",
                applied_on=day,
                term_months=term + grace,  # the term counts the grace
                grace_months=grace,
                status="approved",
                decided_by_id=self.chair,
                decided_on=day,
            )
            db.session.add(loan)
            db.session.flush()
            cash = balances.available_cash(self.fund_id, day, account)
            try:
                journal.disburse(loan, day, self.treasurer, account)
            except journal.MoneyRefused:
                assert principal > cash
                db.session.rollback()
                return
            assert principal <= cash
            db.session.commit()
            self.loans.append(loan.id)

        @precondition(lambda self: self.loans)
        @rule(data=st.data(), amount=amounts, account=money_accounts)
        def repay(self, data, amount, account):
            loan = db.session.get(Loan, data.draw(st.sampled_from(self.loans)))
            outstanding = balances.loan_balance(loan).outstanding
            try:
                repayment = journal.record_repayment(
                    loan, amount, self.next_day(), "cash", self.treasurer, account=account
                )
            except journal.MoneyRefused:
                assert loan.status != "active" or amount > outstanding
                db.session.rollback()
                return
            assert amount <= outstanding
            db.session.commit()
            self.repayments.append(repayment.id)

        @precondition(lambda self: self.loans)
        @rule(data=st.data())
        def write_off(self, data):
            loan = db.session.get(Loan, data.draw(st.sampled_from(self.loans)))
            try:
                journal.write_off(loan, self.next_day(), "không còn khả năng trả", self.chair)
            except journal.MoneyRefused:
                assert loan.status != "active"
                db.session.rollback()
                return
            db.session.commit()

        @precondition(lambda self: self.repayments)
        @rule(data=st.data())
        def reverse_repayment(self, data):
            repayment = db.session.get(Repayment, data.draw(st.sampled_from(self.repayments)))
            self.day = max(self.day, clock.today())
            account = balances.account_of(repayment.transaction)
            cash = balances.available_cash(self.fund_id, clock.today(), account)
            try:
                journal.reverse_repayment(repayment, "ghi nhầm", self.treasurer)
            except journal.MoneyRefused as refusal:
                db.session.rollback()
                assert (
                    repayment.is_reversed
                    or repayment.loan.status == "written_off"
                    or repayment.amount > cash
                    or any(f.donation.is_reversed for f in repayment.loan.fundings if not f.void)
                    # its money was lent again and no other donation can stand in for it
                    or "no other donation" in str(refusal.message)
                )
                db.session.rollback()
                return
            db.session.commit()

        @precondition(lambda self: self.donations)
        @rule(data=st.data())
        def reverse_donation(self, data):
            donation = db.session.get(Donation, data.draw(st.sampled_from(self.donations)))
            try:
                journal.reverse_donation(donation, "trả lại", self.treasurer)
            except journal.MoneyRefused:
                db.session.rollback()
                return
            db.session.commit()

        @precondition(lambda self: self.loans)
        @rule(data=st.data())
        def reverse_disbursement(self, data):
            loan = db.session.get(Loan, data.draw(st.sampled_from(self.loans)))
            try:
                journal.reverse_disbursement(loan, "giải ngân nhầm", self.treasurer)
            except journal.MoneyRefused:
                db.session.rollback()
                return
            db.session.commit()
            self.loans.remove(loan.id)

        @rule(kind=st.sampled_from(("deposit", "withdrawal")), amount=amounts)
        def move(self, kind, amount):
            day = self.next_day()
            source = journal.TRANSFER_SIDES[kind][0]
            held = balances.available_cash(self.fund_id, day, source)
            moved = Transfer(fund_id=self.fund_id, kind=kind, amount=amount, made_on=day, reason="chuyển")
            try:
                journal.record_transfer(moved, self.treasurer)
            except journal.MoneyRefused:
                assert amount > held
                db.session.rollback()
                return
            assert amount <= held
            db.session.commit()
            self.transfers.append(moved.id)

        @precondition(lambda self: self.transfers)
        @rule(data=st.data())
        def reverse_transfer(self, data):
            moved = db.session.get(Transfer, data.draw(st.sampled_from(self.transfers)))
            self.day = max(self.day, clock.today())
            target = journal.TRANSFER_SIDES[moved.kind][1]
            held = balances.available_cash(self.fund_id, clock.today(), target)
            try:
                journal.reverse_transfer(moved, "ghi nhầm", self.treasurer)
            except journal.MoneyRefused:
                assert moved.is_reversed or moved.amount > held
                db.session.rollback()
                return
            db.session.commit()

        @rule(
            category=st.sampled_from(("grant", "expense")),
            account=st.sampled_from(balances.MONEY_ACCOUNTS),
            amount=amounts,
        )
        def spend(self, category, account, amount):
            day = self.next_day()
            spending = Spending(
                fund_id=self.fund_id,
                category=category,
                kind=SPENDING_KINDS[category][0],
                person_id=self.person_id if category == "grant" else None,
                purpose="thử",
                amount=amount,
                proposed_on=day,
                proposed_by_id=self.treasurer,
            )
            db.session.add(spending)
            db.session.flush()
            journal.decide_spending(spending, True, day, "đồng ý", self.chair)
            held = balances.available_cash(self.fund_id, day, account)
            try:
                journal.pay_spending(spending, day, self.treasurer, account)
            except journal.MoneyRefused:
                assert amount > held
                db.session.rollback()
                return
            assert amount <= held
            db.session.commit()
            self.spendings.append(spending.id)

        @precondition(lambda self: self.spendings)
        @rule(data=st.data())
        def reverse_spending(self, data):
            spending = db.session.get(Spending, data.draw(st.sampled_from(self.spendings)))
            self.day = max(self.day, clock.today())
            try:
                journal.reverse_spending(spending, "chi nhầm", self.treasurer)
            except journal.MoneyRefused:
                assert spending.is_reversed
                db.session.rollback()
                return
            db.session.commit()

        @invariant()
        def no_money_account_goes_below_zero_on_any_day(self):
            for account in balances.MONEY_ACCOUNTS:
                by_day = db.session.execute(
                    sa.select(JournalLine.posted_on, sa.func.sum(JournalLine.amount))
                    .where(JournalLine.fund_id == self.fund_id, JournalLine.account == account)
                    .group_by(JournalLine.posted_on)
                    .order_by(JournalLine.posted_on)
                ).all()
                running = 0
                for day, amount in by_day:
                    running += int(amount)
                    assert running >= 0, (account, day, running)

        @invariant()
        def every_transaction_balances(self):
            unbalanced = db.session.execute(
                sa.select(JournalLine.transaction_id)
                .where(JournalLine.fund_id == self.fund_id)
                .group_by(JournalLine.transaction_id)
                .having(sa.func.sum(JournalLine.amount) != 0)
            ).all()
            assert unbalanced == []

        @invariant()
        def cash_is_donations_minus_disbursements_plus_repayments_minus_spending(self):
            donated = db.session.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(Donation.amount), 0)).where(
                    Donation.fund_id == self.fund_id, Donation.reversal_id.is_(None)
                )
            )
            disbursed = db.session.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(Loan.principal), 0)).where(
                    Loan.fund_id == self.fund_id, Loan.disbursement_id.is_not(None)
                )
            )
            repaid = db.session.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(Repayment.amount), 0)).where(
                    Repayment.fund_id == self.fund_id, Repayment.reversal_id.is_(None)
                )
            )
            spent = db.session.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(Spending.amount), 0)).where(
                    Spending.fund_id == self.fund_id,
                    Spending.status == "paid",
                    Spending.reversal_id.is_(None),
                )
            )
            cash = balances.cash_balance(self.fund_id)
            assert cash == donated - disbursed + repaid - spent
            assert cash >= 0
            # what was spent is on the accounts grants_paid and running_costs, nowhere else
            on_accounts = db.session.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(JournalLine.amount), 0)).where(
                    JournalLine.fund_id == self.fund_id,
                    JournalLine.account.in_((balances.GRANTS_PAID, balances.RUNNING_COSTS)),
                )
            )
            assert on_accounts == spent

        @invariant()
        def loans_stay_within_their_principal(self):
            loans = db.session.scalars(sa.select(Loan).where(Loan.fund_id == self.fund_id)).all()
            by_loan = balances.loan_balances([loan.id for loan in loans])
            for loan in loans:
                balance = by_loan[loan.id]
                if loan.disbursement_id is None:
                    assert balance.outstanding == 0
                    continue
                assert 0 <= balance.repaid <= loan.principal
                assert balance.outstanding >= 0
                assert balance.disbursed == loan.principal
                assert (loan.status == "repaid") == (balance.outstanding == 0 and balance.written_off == 0)
                schedule = db.session.scalar(
                    sa.select(sa.func.sum(Installment.amount_due)).where(
                        Installment.loan_id == loan.id, Installment.superseded.is_(False)
                    )
                )
                assert schedule == loan.principal

        @invariant()
        def donors_money_is_accounted_for(self):
            available = balances.donation_available(self.fund_id)
            assert all(amount >= 0 for amount in available.values())
            assert sum(available.values()) <= balances.cash_balance(self.fund_id)

    return Books


def test_the_books_stay_true_under_any_sequence(app):
    run_state_machine_as_test(
        make_machine(app),
        settings=settings(
            max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "25")),
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
