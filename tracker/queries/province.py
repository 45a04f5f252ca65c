"""A province's overview: one row of figures per fund, aggregated in SQL (no names of anyone)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, select

from tracker import provinces
from tracker.extensions import db
from tracker.formatting import official_date_line
from tracker.i18n import ngettext
from tracker.models import Fund, JournalLine, Loan, Person, Visit
from tracker.money import balances, ledger
from tracker.queries import reports, review
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


# ------------------------------------------------------------------ the province's review


def province_funds(province: str) -> Select:
    """The ids of the province's funds, as a SELECT to put in other queries (a province's hundred
    ids written out, several times over, would make statements too long to keep parsed)."""
    return select(Fund.id).where(Fund.province == province)


@dataclass(frozen=True)
class ReviewRow:
    """One fund's line in the province's review: the fund review's figures for the same range
    (tests/test_province_review.py holds each to that fund's own review)."""

    fund_id: int
    name: str
    commune: str
    people: int  # files open at the end
    supported: int  # of which supported at the end
    raised: int
    lent: int
    recovered: int
    written_off: int
    outstanding: int  # at the end
    overdue: int
    at_risk: int  # outstanding of the loans more than ledger.PAR_DAYS days overdue
    visits: int  # made in the period

    @property
    def par30_percent(self) -> Decimal:
        return review.percent(self.at_risk, self.outstanding)

    @property
    def par30_text(self) -> str:
        return review.percent_text(self.par30_percent)


REVIEW_SUMS = (
    "people",
    "supported",
    "raised",
    "lent",
    "recovered",
    "written_off",
    "outstanding",
    "overdue",
    "at_risk",
    "visits",
)


def review_rows(
    funds: Select, start: dt.date, end: dt.date, histories: list[review.PersonRecord] | None = None
) -> list[ReviewRow]:
    """A row per fund with its figures from `start` to `end` (the day the review is as of): seven
    queries whatever the number of funds, each grouped by fund. The sums are review.money_figures'
    (the same journal lines), the position at the end is reports.aging's (balances.loan_positions of
    the loans disbursed by then), the people are review.people_figures of each fund's files."""
    line = JournalLine
    found = db.session.execute(
        select(Fund.id, Fund.name, Fund.commune).where(Fund.id.in_(funds)).order_by(Fund.id)
    ).all()

    def summed(condition):
        return func.coalesce(func.sum(case((condition, line.amount), else_=0)), 0)

    moved = {
        fund_id: (int(raised), int(lent), -int(recovered), -int(written_off))
        for fund_id, raised, lent, recovered, written_off in db.session.execute(
            select(
                line.fund_id,
                summed(and_(line.account.in_(balances.MONEY_ACCOUNTS), line.event == balances.DONATION)),
                summed(and_(line.account == balances.RECEIVABLE, line.event == balances.DISBURSEMENT)),
                summed(
                    and_(
                        line.account.in_((balances.RECEIVABLE, balances.WRITTEN_OFF)),
                        line.event == balances.REPAYMENT,
                    )
                ),
                summed(and_(line.account == balances.RECEIVABLE, line.event == balances.WRITE_OFF)),
            )
            .where(line.fund_id.in_(funds), review.in_period(line.posted_on, start, end))
            .group_by(line.fund_id)
        )
    }

    disbursed = balances.loans_disbursed_by(funds, end)
    fund_of = dict(db.session.execute(select(Loan.id, Loan.fund_id).where(Loan.id.in_(disbursed))).all())
    owed: dict[int, list[balances.LoanPosition]] = defaultdict(list)
    for loan_id, position in balances.loan_positions(disbursed, end).items():
        if position.outstanding > 0 and loan_id in fund_of:
            owed[fund_of[loan_id]].append(position)

    records: dict[int, list[review.PersonRecord]] = defaultdict(list)
    # the people's histories as of `end`, read once for the province's figures and its rows
    for record in histories if histories is not None else review.people_histories(funds, end):
        records[record.person.fund_id].append(record)

    visits = dict(
        db.session.execute(
            select(Visit.fund_id, func.count(Visit.id))
            .where(Visit.fund_id.in_(funds), review.in_period(Visit.visited_on, start, end))
            .group_by(Visit.fund_id)
        ).all()
    )

    rows = []
    for fund_id, name, commune in found:
        people = review.people_figures(records[fund_id], start, end)
        positions = owed[fund_id]
        raised, lent, recovered, written_off = moved.get(fund_id, (0, 0, 0, 0))
        rows.append(
            ReviewRow(
                fund_id=fund_id,
                name=name,
                commune=commune,
                people=people.total,
                supported=people.by_status["supported"],
                raised=raised,
                lent=lent,
                recovered=recovered,
                written_off=written_off,
                outstanding=sum(position.outstanding for position in positions),
                overdue=sum(position.arrears.overdue_amount for position in positions),
                at_risk=ledger.at_risk(
                    (position.outstanding, position.arrears.days_overdue) for position in positions
                )[0],
                visits=int(visits.get(fund_id, 0)),
            )
        )
    return sorted(rows, key=lambda row: vietnamese_sort_key(row.commune, given_name_first=False))


def review_total(rows: list[ReviewRow]) -> ReviewRow:
    return ReviewRow(0, "", "", **{field: sum(getattr(row, field) for row in rows) for field in REVIEW_SUMS})


# The CSV's columns (web.sheets.PROVINCE lays them out for Excel): other programs read these names.
EXPORT_COLUMNS = (
    "fund_id",
    "commune",
    "fund_name",
    "cash",
    "donated",
    "lent",
    "outstanding",
    "overdue",
    "par30",
    "people",
    "supported",
    "visits_overdue",
)


def export_rows(rows: list[FundRow]):
    """The table's rows for web.sheets.PROVINCE, in its order (PAR30 as the aging report's share)."""
    for row in rows:
        yield (
            row.fund_id,
            row.commune,
            row.name,
            row.cash,
            row.donated,
            row.lent,
            row.outstanding,
            row.overdue,
            reports.share(row.at_risk, row.loan_book),
            row.people,
            row.supported,
            row.visits_overdue,
        )


# The steering committee's document: issued by the province's Front committee (Decree 30/2020/NĐ-CP).
REVIEW_ISSUER = "BAN CHỈ ĐẠO TỈNH"
REVIEW_NUMBER = "Số: ......./BC-BCĐ"
SIGNED_FOR = "TM. BAN CHỈ ĐẠO"
SIGNER = "TRƯỞNG BAN"


def province_words(name: str) -> str:
    """'TỈNH LÂM ĐỒNG', or 'THÀNH PHỐ HÀ NỘI' for a city that is a province, on one line."""
    return provinces.full_name(name).upper().replace(" ", "\u00a0")


def review_head(province: str, day: dt.date) -> review.DocumentHead:
    return review.DocumentHead(
        issuer=(f"ỦY BAN MTTQ VIỆT NAM {province_words(province)}", REVIEW_ISSUER),
        number=REVIEW_NUMBER,
        place_date=official_date_line(province.strip() or "......................", day),
        chair="",
    )


def review_title(period: review.Period) -> str:
    """The fund review's title, said of the province's funds."""
    return f"{review.official_title(period)} CỦA CÁC QUỸ GIÚP ĐỠ NGƯỜI HOÀN LƯƠNG TRÊN ĐỊA BÀN"


def fund_count_text(count: int) -> str:
    return ngettext(
        "The figures below add up those of %(num)d fund that uses the application.",
        "The figures below add up those of the %(num)d funds that use the application.",
        count,
    )


def review_tables(result: review.Review) -> list[review.FigureTable]:
    """The fund review's figure tables (review.figure_tables, labelled there once) without the
    list of donors: a province's would run to pages, and each fund's review has its own."""
    return [
        replace(table, lines=[line for line in table.lines if line.keys[0] not in ("raised_by_donor", "")])
        for table in review.figure_tables(result)
    ]
