"""Reports as plain rows: one function per report, queried in a fixed number of statements.

The screen, the CSV and the XLSX of a report all render the rows these functions return, so they
cannot disagree. Every amount comes from the journal (sums over journal_line), as of the date asked
for, never from a stored counter or from a document's own amount.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from tracker import journal
from tracker.extensions import db
from tracker.models import Donation, Donor, JournalLine, JournalTransaction, Loan, Person

# ------------------------------------------------------------------ outstanding loans (dư nợ)


class OutstandingRow(NamedTuple):
    loan_id: int
    person_id: int
    person_name: str
    principal: int  # disbursed as of the date, net of a reversed disbursement
    repaid: int
    written_off: int
    outstanding: int
    overdue_amount: int
    days_overdue: int
    status: str  # at the date: active, repaid or written_off


OUTSTANDING_COLUMNS = OutstandingRow._fields
OUTSTANDING_AMOUNTS = ("principal", "repaid", "written_off", "outstanding", "overdue_amount")


def outstanding(fund_id: int, as_of: dt.date) -> list[OutstandingRow]:
    """Every loan disbursed on or before `as_of`, with its balances and arrears at that date.

    Loans that were repaid or written off by then are kept, marked, so that the totals reconcile
    with the cash book. Four queries whatever the number of loans.
    """
    disbursed_by_then = select(JournalLine.loan_id).where(
        JournalLine.fund_id == fund_id,
        JournalLine.account == "receivable",
        JournalLine.event == "disbursement",
        JournalLine.posted_on <= as_of,
    )
    found = db.session.execute(
        select(Loan, Person.full_name)
        .join(Person, Person.id == Loan.person_id)
        .where(Loan.fund_id == fund_id, Loan.id.in_(disbursed_by_then))
        .order_by(Loan.id)
    ).all()
    loans = [loan for loan, _name in found]
    balances = journal.loan_balances([loan.id for loan in loans], as_of)
    arrears = journal.loan_arrears(loans, as_of)
    rows = []
    for loan, person_name in found:
        balance = balances[loan.id]
        if balance.disbursed == 0:  # the disbursement was reversed by then: the loan never went out
            continue
        rows.append(
            OutstandingRow(
                loan_id=loan.id,
                person_id=loan.person_id,
                person_name=person_name,
                principal=balance.disbursed,
                repaid=balance.repaid,
                written_off=balance.written_off,
                outstanding=balance.outstanding,
                overdue_amount=arrears[loan.id].overdue_amount,
                days_overdue=arrears[loan.id].days_overdue,
                status=status_at(balance),
            )
        )
    return rows


def status_at(balance: journal.LoanBalance) -> str:
    """The loan's status as the journal shows it at the date of the balance (not its status today)."""
    if balance.outstanding > 0:
        return "active"
    if balance.written_off > 0:
        return "written_off"
    return "repaid"


def outstanding_totals(rows: list[OutstandingRow]) -> dict[str, int]:
    return {column: sum(getattr(row, column) for row in rows) for column in OUTSTANDING_AMOUNTS}


# ------------------------------------------------------------------ cash book (sổ quỹ)


class CashbookRow(NamedTuple):
    date: dt.date
    receipt_no: str
    kind: str  # opening, donation, disbursement, repayment, <event>_reversal, closing
    description: str
    money_in: int | None  # None on the opening and closing rows
    money_out: int | None
    balance: int


CASHBOOK_COLUMNS = CashbookRow._fields


def cashbook(fund_id: int, start: dt.date, end: dt.date) -> list[CashbookRow]:
    """The sổ quỹ from `start` to `end`: the opening balance, one row per cash transaction (a
    reversal is its own row, on the other side), the running balance, and the closing balance.
    Two queries whatever the number of transactions. No borrower's name appears: a cash book is
    shown and exported more widely than the loan files."""
    opening = db.session.scalar(
        select(func.coalesce(func.sum(JournalLine.amount), 0)).where(
            JournalLine.fund_id == fund_id, JournalLine.account == "cash", JournalLine.posted_on < start
        )
    )
    original = aliased(JournalTransaction)
    transaction = JournalTransaction
    query = (
        select(
            transaction.id,
            transaction.posted_on,
            transaction.document_no,
            transaction.event,
            transaction.reverses_id,
            original.document_no,
            func.max(JournalLine.loan_id),
            Donor.name,
            Donor.anonymous,
            func.sum(JournalLine.amount),
        )
        .join(JournalLine, JournalLine.transaction_id == transaction.id)
        .outerjoin(original, original.id == transaction.reverses_id)
        # A donation's reversal names the same donor as the donation.
        .outerjoin(
            Donation, Donation.transaction_id == func.coalesce(transaction.reverses_id, transaction.id)
        )
        .outerjoin(Donor, Donor.id == Donation.donor_id)
        .where(
            JournalLine.fund_id == fund_id,
            JournalLine.account == "cash",
            JournalLine.posted_on >= start,
            JournalLine.posted_on <= end,
        )
        .group_by(
            transaction.id,
            transaction.posted_on,
            transaction.document_no,
            transaction.event,
            transaction.reverses_id,
            original.document_no,
            Donor.name,
            Donor.anonymous,
        )
        .order_by(transaction.posted_on, transaction.id)
    )
    balance = int(opening)
    rows = [CashbookRow(start, "", "opening", _("Opening balance"), None, None, balance)]
    for (
        _id,
        posted_on,
        document_no,
        event,
        reverses_id,
        original_no,
        loan_id,
        donor,
        anonymous,
        cash,
    ) in db.session.execute(query):
        cash = int(cash)
        balance += cash
        description = describe(event, loan_id, donor, anonymous)
        kind = event
        if reverses_id is not None:
            kind = f"{event}_reversal"
            description = _("Reversal of %(document)s (%(entry)s)", document=original_no, entry=description)
        rows.append(
            CashbookRow(posted_on, document_no, kind, description, max(cash, 0), max(-cash, 0), balance)
        )
    rows.append(CashbookRow(end, "", "closing", _("Closing balance"), None, None, balance))
    return rows


def describe(event: str, loan_id: int | None, donor: str | None, anonymous: bool | None) -> str:
    if event == "donation":
        name = _("Anonymous benefactor") if anonymous or not donor else donor
        return _("Donation: %(donor)s", donor=name)
    if event == "disbursement":
        return _("Disbursement of loan #%(id)s", id=loan_id)
    if event == "repayment":
        return _("Repayment of loan #%(id)s", id=loan_id)
    return event


def cashbook_totals(rows: list[CashbookRow]) -> dict[str, int]:
    """Money in and out over the period (the opening and closing rows carry none)."""
    return {
        "money_in": sum(row.money_in or 0 for row in rows),
        "money_out": sum(row.money_out or 0 for row in rows),
    }
