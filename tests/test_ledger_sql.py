"""balances.loan_positions computes arrears in SQL; ledger.arrears is the rule in plain Python.

Random loans (schedules with zero installments, superseded rows, repayments, reversals, write-offs)
are written straight into the tables, and at several dates every loan's SQL position must equal
what ledger.arrears says from the same rows. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

import datetime as dt
import random

import sqlalchemy as sa

from tests.factories import add_person
from tracker.extensions import db
from tracker.models import Installment, JournalLine, JournalTransaction, Loan
from tracker.money import balances, ledger

START = dt.date(2024, 1, 15)


def post(fund_id, loan_id, event, on, amount):
    transaction = JournalTransaction(fund_id=fund_id, event=event, posted_on=on)
    db.session.add(transaction)
    db.session.flush()
    db.session.add(
        JournalLine(
            transaction_id=transaction.id,
            fund_id=fund_id,
            account="receivable",
            event=event,
            posted_on=on,
            amount=amount,
            loan_id=loan_id,
        )
    )


def random_loans(fund_id, person_id, rng, count):
    """Write `count` random loans; return {loan_id: (schedule, [(posted_on, event, amount)])}."""
    loans = {}
    for _ in range(count):
        term = rng.randint(1, 12)
        schedule = []
        for month in range(term):
            amount = 0 if rng.random() < 0.1 else rng.randint(1, 50) * 100_000
            schedule.append((ledger.add_months(START, month + 1), amount))
        principal = sum(amount for _, amount in schedule) or 100_000
        loan = Loan(
            fund_id=fund_id,
            person_id=person_id,
            principal=principal,
            purpose="thử",
            applied_on=START,
            term_months=term,
            status="active",
        )
        db.session.add(loan)
        db.session.flush()
        if rng.random() < 0.3:  # an old schedule a reschedule replaced: must be ignored
            for number in range(1, 4):
                db.session.add(
                    Installment(
                        fund_id=fund_id,
                        loan_id=loan.id,
                        number=number,
                        due_on=ledger.add_months(START, number),
                        amount_due=principal,
                        superseded=True,
                    )
                )
        for number, (due_on, amount) in enumerate(schedule, start=1):
            db.session.add(
                Installment(fund_id=fund_id, loan_id=loan.id, number=number, due_on=due_on, amount_due=amount)
            )
        postings = [(START, "disbursement", principal)]
        paid = 0
        for _ in range(rng.randint(0, term + 2)):
            on = START + dt.timedelta(days=rng.randint(1, 420))
            amount = min(rng.randint(1, 40) * 100_000, principal - paid)
            if amount <= 0:
                break
            paid += amount
            postings.append((on, "repayment", -amount))
            if rng.random() < 0.15:  # reversed later: the repayment event nets out
                postings.append((on + dt.timedelta(days=rng.randint(0, 30)), "repayment", amount))
                paid -= amount
        if rng.random() < 0.1 and principal > paid:
            postings.append((START + dt.timedelta(days=rng.randint(200, 400)), "write_off", paid - principal))
        for on, event, amount in postings:
            post(fund_id, loan.id, event, on, amount)
        loans[loan.id] = (schedule, postings)
    db.session.commit()
    return loans


def expected(schedule, postings, as_of):
    lines = [(event, amount) for on, event, amount in postings if on <= as_of]
    if not lines:
        return None
    balance = balances.LoanBalance(
        sum(amount for event, amount in lines if event == "disbursement"),
        -sum(amount for event, amount in lines if event == "repayment"),
        -sum(amount for event, amount in lines if event == "write_off"),
    )
    if balance.outstanding <= 0:
        return balances.LoanPosition(balance, ledger.Arrears(0, 0))
    return balances.LoanPosition(balance, ledger.arrears(schedule, balance.repaid, as_of))


def test_arrears_in_sql_equal_the_ledger_rule(app, seed):
    rng = random.Random(20261127)
    with app.app_context():
        person_id = add_person(seed.fund_id, "Nguyễn Văn Thử")
        loans = random_loans(seed.fund_id, person_id, rng, 150)
        late_somewhere = 0
        for as_of in (
            START,
            START + dt.timedelta(days=45),
            dt.date(2024, 7, 15),
            dt.date(2024, 7, 16),
            dt.date(2025, 3, 1),
            dt.date(2026, 11, 27),
        ):
            positions = balances.loan_positions(list(loans), as_of)
            for loan_id, (schedule, postings) in loans.items():
                want = expected(schedule, postings, as_of)
                assert positions.get(loan_id) == want, (loan_id, as_of, schedule, postings)
                late_somewhere += bool(want and want.arrears.days_overdue)
        assert late_somewhere > 100  # the data does exercise lateness


def test_a_select_of_ids_gives_the_same_as_a_list(app, seed):
    with app.app_context():
        person_id = add_person(seed.fund_id, "Nguyễn Văn Thử")
        loans = random_loans(seed.fund_id, person_id, random.Random(7), 20)
        as_of = dt.date(2025, 1, 1)
        from_select = balances.loan_positions(sa.select(Loan.id).where(Loan.fund_id == seed.fund_id), as_of)
        assert from_select == balances.loan_positions(list(loans), as_of)
        assert len(from_select) == 20
