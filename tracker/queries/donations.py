"""What each donation's money did: the loans it went into, and how much of it has come back (the
donor's page, a donation's page). No borrower's name: the donor has no need for it."""

from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Donation, Funding, GiftInKind, Loan, Spending, SpendingFunding
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


@dataclass(frozen=True)
class SpendingRow:
    """How much of one donation paid for one grant or running cost (money that does not come back)."""

    spending_id: int
    category: str  # grant or expense
    kind: str
    paid_on: object
    voucher_no: str
    donation_id: int
    receipt_no: str
    amount: int


def spending_trail(fund_id: int, *conditions) -> list[SpendingRow]:
    """The grants and running costs paid with donations matching `conditions` (payments not
    reversed), oldest first; one query. Without the person's name, as money_trail."""
    rows = db.session.execute(
        select(
            Spending.id,
            Spending.category,
            Spending.kind,
            Spending.paid_on,
            Spending.voucher_no,
            Donation.id,
            Donation.receipt_no,
            SpendingFunding.amount,
        )
        .join(Spending, Spending.id == SpendingFunding.spending_id)
        .join(Donation, Donation.id == SpendingFunding.donation_id)
        .where(
            SpendingFunding.fund_id == fund_id,
            Spending.fund_id == fund_id,
            Donation.fund_id == fund_id,
            SpendingFunding.void.is_(False),
            *conditions,
        )
        .order_by(Spending.paid_on, Spending.id, SpendingFunding.id)
    ).all()
    return [SpendingRow(*row[:-1], int(row[-1])) for row in rows]


def gifts_in_kind_of(fund_id: int, donor_id: int) -> list[GiftInKind]:
    """A donor's gifts in kind, newest first (not money: outside the cash book)."""
    return db.session.scalars(
        select(GiftInKind)
        .where(GiftInKind.fund_id == fund_id, GiftInKind.donor_id == donor_id)
        .order_by(GiftInKind.given_on.desc(), GiftInKind.id.desc())
    ).all()
