"""Every read of the journal: balances are sums over journal_line, never stored (DESIGN §4).

Cash on hand, what a loan owes and how late it is, what each donation's money did, a fund's or a
province's totals, month by month; read with SQL aggregates, a few queries whatever the number of
rows. The journal's only writer is tracker.money.journal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Date, Select, and_, case, extract, func, select, type_coerce
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import (
    Donation,
    Funding,
    Installment,
    JournalLine,
    JournalTransaction,
    Loan,
    SpendingFunding,
)
from tracker.money import ledger

# The journal's accounts (debit +, credit −) and the events that post to them.
CASH, RECEIVABLE, CAPITAL, WRITTEN_OFF = "cash", "receivable", "capital", "written_off"
BANK = "bank"  # tiền gửi ngân hàng; CASH is tiền mặt, the cash box
# The fund's money is in these two: every payment in or out names one (its `account`), and neither
# may go below zero (available_cash).
MONEY_ACCOUNTS = (CASH, BANK)
DONATION, DISBURSEMENT, REPAYMENT, WRITE_OFF = "donation", "disbursement", "repayment", "write_off"
RECOVERY = "recovery"  # money back after a write-off: Dr cash, Cr written_off
TRANSFER = "transfer"  # between the cash box and the bank: Dr one money account, Cr the other
# Money that is not a loan, paid with a phiếu chi: Dr grants_paid or running_costs, Cr cash.
GRANTS_PAID, RUNNING_COSTS = "grants_paid", "running_costs"
GRANT, EXPENSE = "grant", "expense"


def money_account(account: str | None):
    """The journal lines of one money account, or of both (None: the fund's money)."""
    if account is None:
        return JournalLine.account.in_(MONEY_ACCOUNTS)
    return JournalLine.account == account


def cash_balance(fund_id: int, as_of: dt.date | None = None, account: str | None = None) -> int:
    """The fund's money (cash and bank), or one account's, at the end of `as_of` (default: all)."""
    query = select(func.coalesce(func.sum(JournalLine.amount), 0)).where(
        JournalLine.fund_id == fund_id, money_account(account)
    )
    if as_of is not None:
        query = query.where(JournalLine.posted_on <= as_of)
    return int(db.session.scalar(query))


def available_cash(fund_id: int, on_date: dt.date, account: str = CASH) -> int:
    """What can be paid out of `account` on `on_date` without its book going below zero then or
    later."""
    rows = db.session.execute(
        select(JournalLine.posted_on, func.sum(JournalLine.amount))
        .where(JournalLine.fund_id == fund_id, JournalLine.account == account)
        .group_by(JournalLine.posted_on)
        .order_by(JournalLine.posted_on)
    ).all()
    running = 0
    on_the_day = None  # the balance at the end of on_date
    later_lows: list[int] = []
    for day, amount in rows:
        running += int(amount)
        if day <= on_date:
            on_the_day = running
        else:
            later_lows.append(running)
    lowest = min([on_the_day or 0, *later_lows])
    return max(lowest, 0)


def account_of(transaction: JournalTransaction) -> str:
    """The money account a donation, repayment or disbursement posted to (its money leg)."""
    return next((line.account for line in transaction.lines if line.account in MONEY_ACCOUNTS), CASH)


@dataclass(frozen=True)
class LoanBalance:
    disbursed: int = 0
    repaid: int = 0
    written_off: int = 0
    recovered: int = 0  # came back after the write-off (Thu hồi nợ đã xóa); not repaid, not owed

    @property
    def outstanding(self) -> int:
        return self.disbursed - self.repaid - self.written_off

    @property
    def returned(self) -> int:
        """What has come back to the cash box of the loan's money, the donors' shares follow it."""
        return self.repaid + self.recovered


def loan_balances(loan_ids: list[int], as_of: dt.date | None = None) -> dict[int, LoanBalance]:
    """Disbursed, repaid and written off per loan, from the receivable lines, and what came back
    after a write-off, from the written-off lines (one query)."""
    if not loan_ids:
        return {}
    amount = JournalLine.amount

    def by_event(event: str, account: str = RECEIVABLE):
        moved = and_(JournalLine.event == event, JournalLine.account == account)
        return func.coalesce(func.sum(case((moved, amount), else_=0)), 0)

    query = (
        select(
            JournalLine.loan_id,
            by_event("disbursement"),
            by_event("repayment"),
            by_event("write_off"),
            by_event(RECOVERY, WRITTEN_OFF),
        )
        .where(JournalLine.loan_id.in_(loan_ids), JournalLine.account.in_((RECEIVABLE, WRITTEN_OFF)))
        .group_by(JournalLine.loan_id)
    )
    if as_of is not None:
        query = query.where(JournalLine.posted_on <= as_of)
    result = {loan_id: LoanBalance() for loan_id in loan_ids}
    for loan_id, disbursed, repaid, written_off, recovered in db.session.execute(query):
        result[loan_id] = LoanBalance(int(disbursed), -int(repaid), -int(written_off), -int(recovered))
    return result


def loan_balance(loan: Loan, as_of: dt.date | None = None) -> LoanBalance:
    return loan_balances([loan.id], as_of)[loan.id]


@dataclass(frozen=True)
class LoanPosition:
    """A loan as of a date: its balance, and how late it is (ledger.arrears, computed in SQL)."""

    balance: LoanBalance
    arrears: ledger.Arrears

    @property
    def outstanding(self) -> int:
        return self.balance.outstanding


def loan_positions(loan_ids: list[int] | Select, as_of: dt.date) -> dict[int, LoanPosition]:
    """Balance and arrears of each loan (a list of ids, or a SELECT of ids) in one query.

    The rule is ledger.arrears, oldest installment settled first, written in SQL so that a province's
    thousands of loans are not carried into Python installment by installment: for each installment
    due before the date, `due_so_far` is the schedule's running total; the part of it still unpaid is
    0 if the repaid total reaches due_so_far, all of it if the repaid total does not reach the
    installments before it, and due_so_far − repaid in between. A loan owing nothing has no arrears
    (decided by the balance at the date, not by today's status). Loans with no receivable line by
    then are absent from the result. tests/test_ledger_sql.py holds it to ledger.arrears.
    """
    rows = db.session.execute(
        positions_query(loan_ids if isinstance(loan_ids, Select) else list(loan_ids), as_of)
    )
    result = {}
    for loan_id, disbursed, repaid, written_off, overdue, oldest_late in rows:
        balance = LoanBalance(int(disbursed), int(repaid), int(written_off))
        arrears = ledger.Arrears(0, 0)
        if balance.outstanding > 0 and overdue is not None:
            arrears = ledger.Arrears(int(overdue), (as_of - oldest_late).days if oldest_late else 0)
        result[loan_id] = LoanPosition(balance, arrears)
    return result


def positions_query(loan_ids, as_of) -> Select:
    """The SELECT behind loan_positions, for `loan_ids` (a list or a SELECT of ids) as of a date."""
    amount = JournalLine.amount

    def by_event(event: str):
        return func.sum(case((JournalLine.event == event, amount), else_=0))

    receivable = (
        select(
            JournalLine.loan_id.label("loan_id"),
            func.sum(amount).label("outstanding"),
            by_event("disbursement").label("disbursed"),
            (-by_event("repayment")).label("repaid"),
            (-by_event("write_off")).label("written_off"),
        )
        .where(
            JournalLine.loan_id.in_(loan_ids),
            JournalLine.account == RECEIVABLE,
            JournalLine.posted_on <= as_of,
        )
        .group_by(JournalLine.loan_id)
        .subquery("receivable")
    )
    schedule = (
        select(
            Installment.loan_id,
            Installment.due_on,
            Installment.amount_due,
            func.sum(Installment.amount_due)
            .over(partition_by=Installment.loan_id, order_by=Installment.number, rows=(None, 0))
            .label("due_so_far"),
        )
        .where(Installment.loan_id.in_(loan_ids), Installment.in_force(as_of))
        .subquery("schedule")
    )
    repaid, due_so_far, due = receivable.c.repaid, schedule.c.due_so_far, schedule.c.amount_due
    unpaid = case(
        (repaid >= due_so_far, 0),
        (repaid <= due_so_far - due, due),
        else_=due_so_far - repaid,
    )
    late = (
        select(
            schedule.c.loan_id,
            func.sum(unpaid).label("overdue"),
            func.min(case((and_(repaid < due_so_far, due > 0), schedule.c.due_on))).label("oldest_late"),
        )
        .join(receivable, receivable.c.loan_id == schedule.c.loan_id)
        .where(schedule.c.due_on < as_of, receivable.c.outstanding > 0)
        .group_by(schedule.c.loan_id)
        .subquery("late")
    )
    return select(
        receivable.c.loan_id,
        receivable.c.disbursed,
        receivable.c.repaid,
        receivable.c.written_off,
        late.c.overdue,
        type_coerce(late.c.oldest_late, Date),
    ).outerjoin(late, late.c.loan_id == receivable.c.loan_id)


def loans_disbursed_by(funds: Funds, as_of: dt.date) -> Select:
    """The ids of the fund's (or funds') loans paid out on or before a date (also those reversed since), as a
    SELECT to put in other queries."""
    return select(JournalLine.loan_id).where(
        of_funds(JournalLine.fund_id, funds),
        JournalLine.account == RECEIVABLE,
        JournalLine.event == DISBURSEMENT,
        JournalLine.posted_on <= as_of,
    )


def positions_of(loans: list[Loan], as_of: dt.date) -> dict[int, LoanPosition]:
    """loan_positions for every one of `loans`, a loan with no line by then at zero."""
    found = loan_positions([loan.id for loan in loans], as_of) if loans else {}
    nothing = LoanPosition(LoanBalance(), ledger.Arrears(0, 0))
    return {loan.id: found.get(loan.id, nothing) for loan in loans}


def donation_available(fund_id: int) -> dict[int, int]:
    """Per live donation: the part of its money that is in the cash box now (not out on loan, not lost
    to a write-off). Shares come back pro rata to each loan's repayments (funding_returns); the
    donations' parts add up to the cash."""
    donations = db.session.execute(
        select(Donation.id, Donation.amount)
        .where(Donation.fund_id == fund_id, Donation.reversal_id.is_(None))
        .order_by(Donation.received_on, Donation.id)
    ).all()
    available = {donation_id: int(amount) for donation_id, amount in donations}
    fundings = db.session.execute(
        select(Funding.id, Funding.loan_id, Funding.amount, Loan.lent, Funding.donation_id)
        .join(Loan, Loan.id == Funding.loan_id)
        .where(Funding.fund_id == fund_id, Loan.fund_id == fund_id, Funding.void.is_(False))
    ).all()
    balances = loan_balances(sorted({row.loan_id for row in fundings}))
    returns = funding_returns(fundings, lambda loan_id: balances[loan_id].returned)
    for funding_id, _loan_id, funded, _principal, donation_id in fundings:
        if donation_id in available:
            available[donation_id] -= int(funded) - returns[funding_id]
    # Grants and running costs paid with a donation's money: spent, it never comes back.
    spent = db.session.execute(
        select(SpendingFunding.donation_id, func.sum(SpendingFunding.amount))
        .where(SpendingFunding.fund_id == fund_id, SpendingFunding.void.is_(False))
        .group_by(SpendingFunding.donation_id)
    )
    for donation_id, amount in spent:
        if donation_id in available:
            available[donation_id] -= int(amount)
    return available


def returned_by_funding(fund_id: int, loan_ids: list[int]) -> dict[int, int]:
    """Per funding id of these loans, how much of it has come back (funding_returns). A donation's
    share in a loan comes back in proportion to the whole loan's, so a page that shows some of a
    loan's fundings (a donor's) needs all of them: two queries, the fundings and the balances."""
    if not loan_ids:
        return {}
    fundings = db.session.execute(
        select(Funding.id, Funding.loan_id, Funding.amount, Loan.lent)
        .join(Loan, Loan.id == Funding.loan_id)
        .where(
            Funding.fund_id == fund_id,
            Loan.fund_id == fund_id,
            Funding.loan_id.in_(loan_ids),
            Funding.void.is_(False),
        )
    ).all()
    balances = loan_balances(loan_ids)
    return funding_returns(fundings, lambda loan_id: balances[loan_id].returned)


def funding_returns(fundings, repaid_of) -> dict[int, int]:
    """Per funding id, how much of it has come back (ledger.returned_shares). `fundings` are rows
    starting (funding id, loan id, amount, principal) and must hold every live funding of each
    loan; repaid_of(loan id) is what the shares follow (repaid, or repaid and written off)."""
    by_loan: dict[int, list[tuple[int, int, int]]] = {}
    for funding_id, loan_id, amount, principal, *_rest in fundings:
        by_loan.setdefault(loan_id, []).append((funding_id, int(amount), int(principal)))
    returns: dict[int, int] = {}
    for loan_id, rows in by_loan.items():
        rows.sort()  # the order the shares are rounded in: the fundings' own
        shares = ledger.returned_shares([amount for _id, amount, _p in rows], rows[0][2], repaid_of(loan_id))
        returns.update(zip((funding_id for funding_id, _a, _p in rows), shares, strict=True))
    return returns


class ReversedDisbursement(NamedTuple):
    """A phiếu chi of a loan that was reversed: it stays on the loan's page, marked void."""

    transaction_id: int
    voucher_no: str
    disbursed_on: dt.date
    amount: int
    reversed_on: dt.date
    reason: str


def reversed_disbursements(loan: Loan) -> list[ReversedDisbursement]:
    """The loan's disbursements that were reversed, oldest first (the loan forgets its voucher
    when its disbursement is reversed; the journal keeps both entries). Read from the loan's own
    journal lines (a dozen), not from the fund's transactions."""
    original, reversal = aliased(JournalTransaction), aliased(JournalTransaction)
    rows = db.session.execute(
        select(
            original.id,
            original.document_no,
            original.posted_on,
            JournalLine.amount,
            reversal.posted_on,
            reversal.reason,
        )
        .select_from(JournalLine)
        .join(original, original.id == JournalLine.transaction_id)
        .join(reversal, reversal.reverses_id == original.id)
        .where(
            JournalLine.loan_id == loan.id,
            JournalLine.account == RECEIVABLE,
            JournalLine.event == DISBURSEMENT,
            original.reverses_id.is_(None),
        )
        .order_by(original.posted_on, original.id)
    )
    return [ReversedDisbursement(*row[:3], int(row[3]), *row[4:]) for row in rows]


# ------------------------------------------------------------------ a fund's, or a province's, totals


# A fund (its id), or several (a province's: a list or a SELECT of their ids).
Funds = int | list[int] | Select


def of_funds(column, funds: Funds):
    """`column` belongs to one fund (an id) or to any of several (a list or a SELECT of ids)."""
    return column == funds if isinstance(funds, int) else column.in_(funds)


@dataclass
class MoneyTotals:
    """A fund's money from its journal: its money on hand (tồn quỹ, cash and bank), donated (net of
    reversals), lent, owed; and the money on hand by account."""

    cash: int = 0
    donated: int = 0
    lent: int = 0
    outstanding: int = 0
    in_cash: int = 0  # tiền mặt
    in_bank: int = 0  # tiền gửi ngân hàng


def money_totals(funds: int | list[int] | Select, as_of: dt.date) -> dict[int, MoneyTotals]:
    """MoneyTotals of a fund, or of several (a province's), as of a date: one query. A fund with no
    journal line yet is absent."""

    def summed(condition):
        return func.coalesce(func.sum(case((condition, JournalLine.amount), else_=0)), 0)

    rows = db.session.execute(
        select(
            JournalLine.fund_id,
            summed(JournalLine.account == CASH),
            summed(JournalLine.account == BANK),
            summed(and_(JournalLine.account == CAPITAL, JournalLine.event == DONATION)),
            summed(and_(JournalLine.account == RECEIVABLE, JournalLine.event == DISBURSEMENT)),
            summed(JournalLine.account == RECEIVABLE),
        )
        .where(of_funds(JournalLine.fund_id, funds), JournalLine.posted_on <= as_of)
        .group_by(JournalLine.fund_id)
    )
    return {
        fund_id: MoneyTotals(
            int(cash) + int(bank), -int(capital), int(lent), int(receivable), int(cash), int(bank)
        )
        for fund_id, cash, bank, capital, lent, receivable in rows
    }


def months_back(today: dt.date, count: int) -> list[tuple[int, int]]:
    """(year, month) of the last `count` months, oldest first, ending with this month."""
    result = []
    year, month = today.year, today.month
    for _ in range(count):
        result.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(result))


@dataclass(frozen=True)
class MonthlyMoney:
    """A fund's money month by month, oldest first, ending with this month."""

    cash: tuple[int, ...]  # the cash at the end of each of the last CASH_MONTHS months
    ins: tuple[int, ...]  # donations and repayments in each of the last FLOW_MONTHS months
    outs: tuple[int, ...]  # disbursements, grants and running costs, likewise


CASH_MONTHS, FLOW_MONTHS = 24, 12


def money_by_month(fund_ids: list[int], today: dt.date) -> dict[int, MonthlyMoney]:
    """MonthlyMoney of each fund, reversals netted: two queries whatever the number of funds."""
    months = months_back(today, CASH_MONTHS)
    start = dt.date(months[0][0], months[0][1], 1)
    cash = money_account(None)  # the fund's money: a transfer between its accounts nets out
    opening = dict(
        db.session.execute(
            select(JournalLine.fund_id, func.sum(JournalLine.amount))
            .where(JournalLine.fund_id.in_(fund_ids), cash, JournalLine.posted_on < start)
            .group_by(JournalLine.fund_id)
        ).all()
    )
    year, month = extract("year", JournalLine.posted_on), extract("month", JournalLine.posted_on)
    moves = db.session.execute(
        select(
            JournalLine.fund_id,
            year,
            month,
            func.sum(JournalLine.amount),
            func.sum(JournalLine.amount).filter(JournalLine.event.in_((DONATION, REPAYMENT, RECOVERY))),
            func.sum(JournalLine.amount).filter(JournalLine.event.in_(MONEY_OUT_EVENTS)),
        )
        .where(
            JournalLine.fund_id.in_(fund_ids),
            cash,
            JournalLine.posted_on >= start,
            JournalLine.posted_on <= today,
        )
        .group_by(JournalLine.fund_id, year, month)
    ).all()
    by_fund: dict[int, dict[tuple[int, int], tuple[int, int, int]]] = {fund_id: {} for fund_id in fund_ids}
    for fund_id, y, m, net, inflow, outflow in moves:
        by_fund[fund_id][(int(y), int(m))] = (int(net or 0), int(inflow or 0), -int(outflow or 0))
    result = {}
    for fund_id, moved in by_fund.items():
        balance, cash_values = int(opening.get(fund_id) or 0), []
        for key in months:
            balance += moved.get(key, (0, 0, 0))[0]
            cash_values.append(balance)
        flows = [moved.get(key, (0, 0, 0)) for key in months[-FLOW_MONTHS:]]
        result[fund_id] = MonthlyMoney(
            tuple(cash_values), tuple(f[1] for f in flows), tuple(f[2] for f in flows)
        )
    return result


# What takes money out of the cash box: a loan paid out, a grant, a running cost.
MONEY_OUT_EVENTS = (DISBURSEMENT, GRANT, EXPENSE)


def money_out(funds: int | list[int] | Select, start: dt.date, end: dt.date) -> dict[str, int]:
    """Money paid out between two dates by kind (disbursement, grant, expense), reversals netted:
    one query over the cash lines."""
    rows = db.session.execute(
        select(JournalLine.event, func.sum(JournalLine.amount))
        .where(
            of_funds(JournalLine.fund_id, funds),
            JournalLine.account == CASH,
            JournalLine.event.in_(MONEY_OUT_EVENTS),
            JournalLine.posted_on >= start,
            JournalLine.posted_on <= end,
        )
        .group_by(JournalLine.event)
    )
    result = dict.fromkeys(MONEY_OUT_EVENTS, 0)
    result.update({event: -int(amount) for event, amount in rows})
    return result


# What brings money in: a donation, a repayment, money back after a write-off.
MONEY_IN_EVENTS = (DONATION, REPAYMENT, RECOVERY)


class Moved(NamedTuple):
    """Payments of one kind over a period: how many, and how much, reversals netted."""

    count: int
    amount: int


def money_moved(funds: Funds, start: dt.date, end: dt.date) -> dict[str, Moved]:
    """Money in and out between two dates by kind (MONEY_IN_EVENTS and MONEY_OUT_EVENTS), from the
    lines on the fund's money (cash and bank, as the combined book shows it), each amount positive;
    a reversal takes its payment back out of both the count and the amount. One query."""
    transaction = JournalTransaction
    rows = db.session.execute(
        select(
            JournalLine.event,
            func.sum(case((transaction.reverses_id.is_(None), 1), else_=-1)),
            func.sum(JournalLine.amount),
        )
        .join(transaction, transaction.id == JournalLine.transaction_id)
        .where(
            of_funds(JournalLine.fund_id, funds),
            money_account(None),
            JournalLine.event.in_(MONEY_IN_EVENTS + MONEY_OUT_EVENTS),
            JournalLine.posted_on >= start,
            JournalLine.posted_on <= end,
        )
        .group_by(JournalLine.event)
    )
    result = {event: Moved(0, 0) for event in MONEY_IN_EVENTS + MONEY_OUT_EVENTS}
    for event, count, amount in rows:
        sign = 1 if event in MONEY_IN_EVENTS else -1
        result[event] = Moved(int(count), sign * int(amount))
    return result
