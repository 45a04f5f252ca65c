"""What each donation's money did: the loans it went into, and how much of it has come back (the
donor's page, a donation's page). No borrower's name: the donor has no need for it."""

from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Donation, Funding, Loan
from tracker.money import balances


@dataclass(frozen=True)
class FundingRow:
    """One Funding: how much of one donation went into one loan, and how much of that came back."""

    loan: Loan
    donation_id: int
    receipt_no: str
    funded: int
    returned: int


def money_trail(fund_id: int, *conditions) -> list[FundingRow]:
    """Live fundings of this fund matching `conditions`, with the share each loan has repaid
    (three queries whatever the number of rows)."""
    rows = db.session.execute(
        select(Funding.id, Funding.amount, Loan, Donation.id, Donation.receipt_no)
        .join(Loan, Loan.id == Funding.loan_id)
        .join(Donation, Donation.id == Funding.donation_id)
        .where(
            Funding.fund_id == fund_id,
            Loan.fund_id == fund_id,
            Donation.fund_id == fund_id,
            Funding.void.is_(False),
            *conditions,
        )
        .order_by(Loan.id, Donation.received_on, Funding.id)
    ).all()
    returns = balances.returned_by_funding(fund_id, sorted({row.Loan.id for row in rows}))
    return [
        FundingRow(
            loan=loan,
            donation_id=donation_id,
            receipt_no=receipt_no,
            funded=int(amount),
            returned=returns[funding_id],
        )
        for funding_id, amount, loan, donation_id, receipt_no in rows
    ]
