"""A province's overview: one row of figures per fund, aggregated in SQL (no names of anyone)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, select

from tracker.extensions import db
from tracker.models import Fund, Loan, Person
from tracker.money import journal, ledger
from tracker.queries import dashboard
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
    at_risk: int = 0  # of which on loans more than ledger.PAR_DAYS days overdue
    people: int = 0  # people helped (every file that is not erased)
    supported: int = 0
    visits_overdue: int = 0

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


def funds_of(province: str) -> Select:
    """The ids of a province's funds, as a SELECT to put in other queries."""
    return select(Fund.id).where(Fund.province == province)


def fund_rows(province: str, today: dt.date) -> list[FundRow]:
    """Every fund of the province with its figures: five queries whatever the number of funds."""
    funds = db.session.execute(
        select(Fund.id, Fund.name, Fund.commune)
        .where(Fund.province == province)
        .order_by(Fund.commune, Fund.id)
    ).all()
    rows = {fund_id: FundRow(fund_id, name, commune) for fund_id, name, commune in funds}
    if not rows:
        return []
    in_province = funds_of(province)

    for fund_id, money in dashboard.money_totals(in_province, today).items():
        row = rows[fund_id]
        row.cash, row.donated = money.cash, money.donated
        row.lent, row.outstanding = money.lent, money.outstanding

    people = db.session.execute(
        select(
            Person.fund_id,
            func.count(),
            func.count().filter(Person.status == "supported"),
            func.count().filter(and_(Person.status == "supported", Person.next_visit_on < today)),
        )
        .where(Person.fund_id.in_(in_province), Person.erased_at.is_(None))
        .group_by(Person.fund_id)
    ).all()
    for fund_id, total, supported, overdue in people:
        rows[fund_id].people, rows[fund_id].supported, rows[fund_id].visits_overdue = (
            total,
            supported,
            overdue,
        )

    active = (Loan.fund_id.in_(in_province), Loan.status == "active")
    fund_of = dict(db.session.execute(select(Loan.id, Loan.fund_id).where(*active)).all())
    for loan_id, position in journal.loan_positions(select(Loan.id).where(*active), today).items():
        if loan_id not in fund_of:  # disbursed between the two statements: counted next time
            continue
        row = rows[fund_of[loan_id]]
        row.loan_book += position.outstanding
        row.overdue += position.arrears.overdue_amount
        if position.arrears.days_overdue > ledger.PAR_DAYS:
            row.at_risk += position.outstanding
    return list(rows.values())


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
