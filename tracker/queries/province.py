"""A province's overview: one row of figures per fund, aggregated in SQL (no names of anyone)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from tracker.extensions import db
from tracker.models import Fund, Loan, Person
from tracker.money import balances, ledger
from tracker.text import vietnamese_sort_key


@dataclass
class FundRow:
    fund_id: int
    name: str
    commune: str
    cash: int = 0
    donated: int = 0
    lent: int = 0
    outstanding: int = 0
    overdue: int = 0
    loan_book: int = 0  # outstanding of the active loans
    at_risk: int = 0  # of which on loans more than ledger.PAR_DAYS days overdue (ledger.at_risk)
    people: int = 0  # people helped (every file that is not erased)
    supported: int = 0
    visits_overdue: int = 0
    monthly: balances.MonthlyMoney | None = None  # for the province's charts, summed over its funds

    @property
    def par30(self) -> float | None:
        return ledger.par_ratio(self.at_risk, self.loan_book)


SORT_KEYS = (
    "commune",
    "cash",
    "donated",
    "lent",
    "outstanding",
    "overdue",
    "par30",
    "people",
    "visits_overdue",
)


def fund_ids(province: str) -> list[int]:
    return list(db.session.scalars(select(Fund.id).where(Fund.province == province).order_by(Fund.id)))


def fund_rows(fund_ids: list[int], today: dt.date) -> dict[int, FundRow]:
    """These funds (a province's, or those of them written since their rows were kept) with their
    figures: six queries whatever the number of funds."""
    funds = db.session.execute(select(Fund.id, Fund.name, Fund.commune).where(Fund.id.in_(fund_ids))).all()
    rows = {fund_id: FundRow(fund_id, name, commune) for fund_id, name, commune in funds}
    if not rows:
        return {}
    ids = list(rows)

    for fund_id, money in balances.money_totals(ids, today).items():
        row = rows[fund_id]
        row.cash, row.donated = money.cash, money.donated
        row.lent, row.outstanding = money.lent, money.outstanding

    people = db.session.execute(
        select(
            Person.fund_id,
            func.count(),
            func.count().filter(Person.status == "supported"),
            func.count().filter(and_(Person.status == "supported", Person.visit_overdue(today))),
        )
        .where(Person.fund_id.in_(ids), Person.erased_at.is_(None))
        .group_by(Person.fund_id)
    ).all()
    for fund_id, total, supported, overdue in people:
        rows[fund_id].people, rows[fund_id].supported, rows[fund_id].visits_overdue = (
            total,
            supported,
            overdue,
        )

    active = (Loan.fund_id.in_(ids), Loan.status == "active")
    fund_of = dict(db.session.execute(select(Loan.id, Loan.fund_id).where(*active)).all())
    loans_of: dict[int, list[tuple[int, int]]] = {fund_id: [] for fund_id in ids}
    for loan_id, position in balances.loan_positions(select(Loan.id).where(*active), today).items():
        if loan_id not in fund_of:  # disbursed between the two statements: counted next time
            continue
        rows[fund_of[loan_id]].overdue += position.arrears.overdue_amount
        loans_of[fund_of[loan_id]].append((position.outstanding, position.arrears.days_overdue))
    for fund_id, loans in loans_of.items():
        rows[fund_id].at_risk, rows[fund_id].loan_book = ledger.at_risk(loans)
    for fund_id, monthly in balances.money_by_month(ids, today).items():
        rows[fund_id].monthly = monthly
    return rows


def summed_months(rows: list[FundRow]) -> balances.MonthlyMoney:
    """The province's money month by month: its funds' added up."""

    def total(series: str, length: int) -> tuple[int, ...]:
        return (
            tuple(sum(values) for values in zip(*(getattr(row.monthly, series) for row in rows), strict=True))
            or (0,) * length
        )

    return balances.MonthlyMoney(
        total("cash", balances.CASH_MONTHS),
        total("ins", balances.FLOW_MONTHS),
        total("outs", balances.FLOW_MONTHS),
    )


def sort_rows(rows: list[FundRow], key: str, descending: bool) -> list[FundRow]:
    """The table in the order asked for: communes in Vietnamese alphabetical order (Â after A,
    Đ after D), figures by value; a fund without the figure (PAR30 with no loan out) goes last
    either way, so that "riskiest first" starts with a real risk."""
    if key not in SORT_KEYS:
        key = "commune"
    if key == "commune":
        return sorted(
            rows, key=lambda row: vietnamese_sort_key(row.commune, given_name_first=False), reverse=descending
        )
    known = [row for row in rows if getattr(row, key) is not None]
    unknown = [row for row in rows if getattr(row, key) is None]
    return sorted(known, key=lambda row: getattr(row, key), reverse=descending) + unknown


def totals(rows: list[FundRow]) -> FundRow:
    total = FundRow(0, "", "")
    for field in (
        "cash",
        "donated",
        "lent",
        "outstanding",
        "overdue",
        "loan_book",
        "at_risk",
        "people",
        "supported",
        "visits_overdue",
    ):
        setattr(total, field, sum(getattr(row, field) for row in rows))
    return total
