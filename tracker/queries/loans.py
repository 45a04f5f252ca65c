"""What a loan's page shows: its schedule as paid so far, the donations whose money it uses, and its
repayments with their receipts and reversals (a handful of queries)."""

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import Donation, Donor, Funding, JournalTransaction, Loan, PersonHandover, Repayment
from tracker.money import balances, ledger, schedules


class ScheduleRow(NamedTuple):
    number: int
    due_on: dt.date
    amount_due: int
    paid: int  # by the repayments so far, oldest installment first
    settled: bool
    late_days: int


class FundingRow(NamedTuple):
    """Whose money the loan uses: a donation's share in it."""

    donor_name: str
    anonymous: bool
    receipt_no: str
    amount: int


class RepaymentRow(NamedTuple):
    id: int
    receipt_no: str
    paid_on: dt.date
    amount: int
    method: str
    reversed_on: dt.date | None
    reversal_reason: str | None
    kind: str  # repayment, or recovery (money back after a write-off)
    paper_book: str  # the paper phiếu thu it was first written on, if any
    paper_no: str

    @property
    def is_reversed(self) -> bool:
        return self.reversed_on is not None


def loan_figures(loan: Loan, today: dt.date) -> dict:
    balance = balances.loan_balance(loan, today)
    installments = loan.installments
    schedule_due = [(i.due_on, i.amount_due) for i in installments]
    states = ledger.installment_states(schedule_due, balance.repaid, today)
    schedule = [
        ScheduleRow(
            installment.number,
            installment.due_on,
            installment.amount_due,
            state.paid,
            settled=state.settled(installment.amount_due),
            # a written-off loan owes nothing more: its unpaid installments are no longer late
            late_days=state.late_days if balance.outstanding > 0 else 0,
        )
        for installment, state in zip(installments, states, strict=True)
    ]
    fundings = db.session.execute(
        select(Donor.name, Donor.anonymous, Donation.receipt_no, Funding.amount)
        .join(Donation, Donation.id == Funding.donation_id)
        .join(Donor, Donor.id == Donation.donor_id)
        .where(Funding.loan_id == loan.id, Funding.fund_id == loan.fund_id, Funding.void.is_(False))
        .order_by(Funding.id)
    )
    reversal = aliased(JournalTransaction)
    repayments = db.session.execute(
        select(
            Repayment.id,
            Repayment.receipt_no,
            Repayment.paid_on,
            Repayment.amount,
            Repayment.method,
            reversal.posted_on,
            reversal.reason,
            Repayment.kind,
            Repayment.paper_book,
            Repayment.paper_no,
        )
        .outerjoin(reversal, reversal.id == Repayment.reversal_id)
        .where(Repayment.loan_id == loan.id, Repayment.fund_id == loan.fund_id)
        .order_by(Repayment.paid_on, Repayment.id)
    )
    return {
        "balance": balance,
        # one loan: ledger's own rule on its schedule (balances.loan_positions does it in SQL for many)
        "arrears": ledger.arrears(schedule_due, balance.repaid, today)
        if balance.outstanding > 0
        else ledger.Arrears(0, 0),
        "schedule": schedule,
        "fundings": [FundingRow(*row) for row in fundings],
        "repayments": [RepaymentRow(*row) for row in repayments],
        "reversed_disbursements": balances.reversed_disbursements(loan),
        # earlier versions of the schedule, shown struck through, and the decisions that changed it
        "versions": schedules.versions(loan) if loan.disbursed_on else [],
        "pause": schedules.paused_on([loan.id], today).get(loan.id),
        # the borrower moved and their file went to another fund: the loan stays here
        "handed_over": db.session.scalar(
            select(PersonHandover).where(
                PersonHandover.person_id == loan.person_id, PersonHandover.status == "accepted"
            )
        ),
    }
