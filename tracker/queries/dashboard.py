"""The dashboard's figures and chart series, from the same queries as the reports and exports
(reports.outstanding for balances and arrears, sums over journal_line for money), so the
dashboard, the printouts and the spreadsheets never disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import extract, func, select

from tracker import casework
from tracker.extensions import db
from tracker.models import PERSON_STATUSES, CommitteeMember, Installment, Loan, Person, Visit
from tracker.money import balances, ledger


class LateLoan(NamedTuple):
    loan_id: int
    outstanding: int
    overdue_amount: int
    days_overdue: int


@dataclass
class FundFigures:
    cash: int
    donated: int
    lent: int
    outstanding: int
    overdue: int
    par30: float | None
    arrears_rate: float | None
    loans_by_status: dict[str, int]
    aging: dict[str, int] = field(default_factory=dict)  # bucket -> outstanding
    late: tuple[LateLoan, ...] = ()  # most days overdue first; no names (late_loans adds them)
    in_cash: int = 0  # of `cash` (tồn quỹ): tiền mặt
    in_bank: int = 0  # and tiền gửi ngân hàng
    # not money: filled by the page from people_by_status(), kept against the fund's other writes
    people_by_status: dict[str, int] = field(default_factory=dict)


def fund_figures(fund_id: int, today: dt.date) -> FundFigures:
    """The fund's money as the dashboard sums it: from the journal alone (no names), the same
    positions as the outstanding and aging reports'."""
    positions = balances.loan_positions(balances.loans_disbursed_by(fund_id, today), today)
    owed = [
        LateLoan(loan_id, p.outstanding, p.arrears.overdue_amount, p.arrears.days_overdue)
        for loan_id, p in positions.items()
        if p.outstanding > 0
    ]
    outstanding = sum(row.outstanding for row in owed)
    overdue = sum(row.overdue_amount for row in owed)
    aging = {label: 0 for label, _low, _high in ledger.AGING_BUCKETS}
    for row in owed:
        bucket = ledger.aging_bucket(row.days_overdue)
        if bucket:
            aging[bucket] += row.outstanding
    loans_by_status = dict(
        db.session.execute(
            select(Loan.status, func.count()).where(Loan.fund_id == fund_id).group_by(Loan.status)
        ).all()
    )
    money = balances.money_totals(fund_id, today).get(fund_id, balances.MoneyTotals())
    late = sorted(
        (row for row in owed if row.days_overdue > 0), key=lambda row: (-row.days_overdue, row.loan_id)
    )
    return FundFigures(
        cash=money.cash,
        donated=money.donated,
        lent=money.lent,
        outstanding=outstanding,
        overdue=overdue,
        par30=ledger.par30((row.outstanding, row.days_overdue) for row in owed),
        arrears_rate=ledger.arrears_rate(overdue, outstanding),
        loans_by_status=loans_by_status,
        aging=aging,
        late=tuple(late),
        in_cash=money.in_cash,
        in_bank=money.in_bank,
    )


def people_by_status(fund_id: int) -> dict[str, int]:
    """How many people the fund helps in each status (erased files left out)."""
    counts = dict.fromkeys(PERSON_STATUSES, 0)
    counts.update(
        db.session.execute(
            select(Person.status, func.count())
            .where(Person.fund_id == fund_id, Person.erased_at.is_(None))
            .group_by(Person.status)
        ).all()
    )
    return counts


def month_label(year: int, month: int) -> str:
    return f"{month:02d}/{year % 100:02d}"


def _by_month(query, columns_date) -> dict[tuple[int, int], tuple]:
    year, month = extract("year", columns_date), extract("month", columns_date)
    rows = db.session.execute(query.add_columns(year, month).group_by(year, month)).all()
    return {(int(r[-2]), int(r[-1])): r[:-2] for r in rows}


def month_labels(today: dt.date, count: int) -> list[str]:
    return [month_label(*m) for m in balances.months_back(today, count)]


def cash_by_month(fund_id: int, today: dt.date) -> tuple[list[str], list[int]]:
    """The cash balance at the end of each of the last balances.CASH_MONTHS months."""
    return month_labels(today, balances.CASH_MONTHS), list(
        balances.money_by_month([fund_id], today)[fund_id].cash
    )


def flows_by_month(fund_id: int, today: dt.date) -> tuple[list[str], list[int], list[int]]:
    """Money in (donations and repayments) and out (disbursements) per month, reversals netted."""
    monthly = balances.money_by_month([fund_id], today)[fund_id]
    return month_labels(today, balances.FLOW_MONTHS), list(monthly.ins), list(monthly.outs)


def visits_by_month(fund_id: int, today: dt.date, count: int = 12, mentor_id: int | None = None):
    months = balances.months_back(today, count)
    start = dt.date(months[0][0], months[0][1], 1)
    query = select(func.count(Visit.id)).where(
        Visit.fund_id == fund_id, Visit.visited_on >= start, Visit.visited_on <= today
    )
    if mentor_id is not None:
        query = query.where(Visit.mentor_id == mentor_id)
    counts = _by_month(query, Visit.visited_on)
    return [month_label(*m) for m in months], [int((counts.get(m) or (0,))[0]) for m in months]


class DueRow(NamedTuple):
    loan_id: int
    person_name: str
    due_on: dt.date  # the month's first installment with something left to pay
    left: int  # still to collect from the month's installments
    person_id: int


def due_this_month(fund_id: int, today: dt.date) -> list[DueRow]:
    """The loans with something still to collect from installments falling due this month, by due
    date: the treasurer's list for the month (three queries)."""
    first = today.replace(day=1)
    return due_between(fund_id, today, first, (first + dt.timedelta(days=32)).replace(day=1))


def due_this_week(fund_id: int, today: dt.date) -> list[DueRow]:
    """What falls due from today to a week ahead and is not paid yet: the treasurer's to-do list
    (the overdue ones are the late loans)."""
    return due_between(fund_id, today, today, today + dt.timedelta(days=7))


def due_between(fund_id: int, today: dt.date, first: dt.date, following: dt.date) -> list[DueRow]:
    """The loans with something still to collect from installments due on `first` up to the day
    before `following`, by due date (three queries)."""
    active = db.session.execute(
        select(Loan.id, Person.full_name, Person.id)
        .join(Person, Person.id == Loan.person_id)
        .where(Loan.fund_id == fund_id, Person.fund_id == fund_id, Loan.status == "active")
    ).all()
    if not active:
        return []

    by_loan = balances.loan_balances([loan_id for loan_id, _name, _person in active])
    schedules: dict[int, list[Installment]] = {}
    for installment in db.session.scalars(
        select(Installment)
        .where(
            Installment.loan_id.in_([loan_id for loan_id, _name, _person in active]),
            Installment.in_force(today),
        )
        .order_by(Installment.loan_id, Installment.number)
    ):
        schedules.setdefault(installment.loan_id, []).append(installment)
    rows = []
    for loan_id, person_name, person_id in active:
        items = schedules.get(loan_id, [])
        states = ledger.installment_states(
            [(i.due_on, i.amount_due) for i in items], by_loan[loan_id].repaid, today
        )
        this_month = [
            (i.due_on, i.amount_due - state.paid)
            for i, state in zip(items, states, strict=True)
            if first <= i.due_on < following and not state.settled(i.amount_due)
        ]
        if this_month:
            left = sum(amount for _d, amount in this_month)
            rows.append(DueRow(loan_id, person_name, this_month[0][0], left, person_id))
    return sorted(rows, key=lambda row: (row.due_on, row.loan_id))


class Application(NamedTuple):
    loan_id: int
    person_id: int
    person_name: str
    principal: int
    applied_on: dt.date


def waiting_applications(fund_id: int, limit: int = 10) -> tuple[list[Application], int]:
    """The loan applications waiting for the chair's decision, the oldest first, and how many
    wait in all (two queries)."""
    waiting = select(Loan).where(Loan.fund_id == fund_id, Loan.status == "requested")
    rows = db.session.execute(
        waiting.join(Person, Person.id == Loan.person_id)
        .with_only_columns(Loan.id, Person.id, Person.full_name, Loan.principal, Loan.applied_on)
        .order_by(Loan.applied_on, Loan.id)
        .limit(limit)
    ).all()
    total = db.session.scalar(waiting.with_only_columns(func.count()))
    return [Application(*row) for row in rows], total


class NotVisited(NamedTuple):
    person_id: int
    full_name: str
    mentor: str | None  # the mentor's name, None when nobody is assigned
    days_overdue: int


def not_visited(fund_id: int, today: dt.date, limit: int = 10) -> tuple[list[NotVisited], int]:
    """The people longest overdue for a visit (names, for the chair's one look) and how many are
    overdue in all (two queries)."""
    overdue = (
        casework.queue_query(fund_id, today)
        .where(Person.visit_overdue(today))
        .outerjoin(CommitteeMember, CommitteeMember.id == Person.mentor_id)
    )
    rows = db.session.execute(
        overdue.with_only_columns(
            Person.id, Person.full_name, CommitteeMember.full_name, Person.next_visit_on
        ).limit(limit)
    ).all()
    total = db.session.scalar(overdue.with_only_columns(func.count()).order_by(None))
    found = [NotVisited(pid, name, mentor, (today - due).days) for pid, name, mentor, due in rows]
    return found, total


class LateRow(NamedTuple):
    loan_id: int
    person_name: str
    outstanding: int
    overdue_amount: int
    days_overdue: int
    person_id: int


def late_loans(fund_id: int, late: tuple[LateLoan, ...]) -> list[LateRow]:
    """The late loans (FundFigures.late) with their borrowers' names: the collection list. One
    query, for the names only: the money was summed with the fund's figures."""
    if not late:
        return []
    names = {
        loan_id: (name, person_id)
        for loan_id, name, person_id in db.session.execute(
            select(Loan.id, Person.full_name, Person.id)
            .join(Person, Person.id == Loan.person_id)
            .where(Loan.fund_id == fund_id, Loan.id.in_([row.loan_id for row in late]))
        ).all()
    }
    return [LateRow(row.loan_id, names[row.loan_id][0], *row[1:], names[row.loan_id][1]) for row in late]
