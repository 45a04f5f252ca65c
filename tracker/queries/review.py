"""The figures of the six-monthly and year-end review (sơ kết, tổng kết) and of the donors'
thank-you letters, as plain values.

The review's screen, CSV and XLSX all render what review_figures() returns (figure_rows() flattens
it for the exports), so they cannot disagree. Money comes from the journal, as the cash book and
the outstanding report do (the position at the end is reports.aging's own figures). Every
function runs a fixed number of queries whatever the size of the fund: sums are taken in SQL; the
people and their status changes are read once (a commune has tens of people) because their status
on a given day and the days they were supported need the whole history of each.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from tracker import labels, papers
from tracker.extensions import db
from tracker.formatting import format_date, format_money, format_number, official_date_line
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import (
    PERSON_STATUSES,
    SPENDING_KINDS,
    Donation,
    Donor,
    Fund,
    GiftInKind,
    JournalLine,
    JournalTransaction,
    Membership,
    Person,
    PersonStatusChange,
    Referral,
    ReviewNote,
    User,
    Visit,
)
from tracker.money import balances
from tracker.money.balances import Funds, of_funds
from tracker.queries import reports

FIRST_YEAR = 2000
DEFAULT_VISIT_INTERVAL = 30
# Below this much cash, suggesting new loans makes no sense (loans are 5-30 million ₫).
SMALLEST_LOAN = 5_000_000
NOTE_LIMIT = 2000

# ------------------------------------------------------------------ periods


class PeriodError(ValueError):
    """The period asked for is not one the review knows; `message` says what to type instead."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Period:
    key: str  # "2026" (tổng kết), "2026-H1" / "2026-H2" (sơ kết), or "2025-01-01..2026-12-31"
    year: int  # the year the period ends in
    half: int | None
    start: dt.date
    end: dt.date
    custom: bool = False  # any date range (?from=&to=), such as the years since the fund began

    @property
    def is_year(self) -> bool:
        return self.half is None and not self.custom

    @property
    def query(self) -> dict[str, str]:
        """The query string that asks for this period again."""
        if self.custom:
            return {"from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"period": self.key}


PERIOD_PATTERN = re.compile(r"^([0-9]{4})(?:-[Hh]([0-9]))?$")
RANGE_SEPARATOR = ".."
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def make_period(year: int, half: int | None) -> Period:
    if half is None:
        return Period(str(year), year, None, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if half == 1:
        return Period(f"{year}-H1", year, 1, dt.date(year, 1, 1), dt.date(year, 6, 30))
    return Period(f"{year}-H2", year, 2, dt.date(year, 7, 1), dt.date(year, 12, 31))


def make_range(start: dt.date, end: dt.date) -> Period:
    return Period(f"{start.isoformat()}{RANGE_SEPARATOR}{end.isoformat()}", end.year, None, start, end, True)


def default_period(today: dt.date) -> Period:
    """The last complete half year: H1 from July on, otherwise H2 of the year before."""
    if today.month >= 7:
        return make_period(today.year, 1)
    return make_period(today.year - 1, 2)


def parse_period(text: str | None, today: dt.date) -> Period:
    """'2026' or '2026-H1' / '2026-H2' (empty: the default), or a range's key
    ('2025-01-01..2026-12-31'); PeriodError for anything else."""
    text = (text or "").strip()
    if not text:
        return default_period(today)
    if RANGE_SEPARATOR in text:
        start, _sep, end = text.partition(RANGE_SEPARATOR)
        return parse_range(start, end, today)
    match = PERIOD_PATTERN.match(text)
    if match is None or (match.group(2) is not None and match.group(2) not in "12"):
        raise PeriodError(_l("Enter a period as a year (2026) or a half year (2026-H1 or 2026-H2)."))
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= today.year + 1:
        raise PeriodError(
            _l("Enter a year between %(first)s and %(last)s.", first=FIRST_YEAR, last=today.year + 1)
        )
    return make_period(year, int(match.group(2)) if match.group(2) else None)


def parse_day(text: str) -> dt.date | None:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def parse_range(start_text: str | None, end_text: str | None, today: dt.date) -> Period:
    """Any range of days (?from=yyyy-mm-dd&to=yyyy-mm-dd, or dd/mm/yyyy), within the years a
    period may have; PeriodError saying what to type instead."""
    start_text, end_text = (start_text or "").strip(), (end_text or "").strip()
    if not start_text or not end_text:
        raise PeriodError(_l("Enter both dates of the range: the first day and the last day."))
    start, end = parse_day(start_text), parse_day(end_text)
    if start is None or end is None:
        raise PeriodError(_l("Enter a real date as dd/mm/yyyy, for example 27/11/2026."))
    if start > end:
        raise PeriodError(_l("The first day must be on or before the last day of the range."))
    first, last = dt.date(FIRST_YEAR, 1, 1), dt.date(today.year + 1, 12, 31)
    if start < first or end > last:
        raise PeriodError(
            _l(
                "Enter dates between %(first)s and %(last)s.",
                first=format_date(first),
                last=format_date(last),
            )
        )
    return make_range(start, end)


def recent_periods(today: dt.date, years: int = 4) -> list[Period]:
    """The periods offered in the picker, newest first: those that have begun."""
    periods = []
    for year in range(today.year, max(FIRST_YEAR, today.year - years) - 1, -1):
        for half in (None, 2, 1):
            period = make_period(year, half)
            if period.start <= today:
                periods.append(period)
    return periods


def official_title(period: Period) -> str:
    """The fixed heading of the document, as the Ban Chỉ đạo expects it."""
    if period.custom:
        return (
            f"BÁO CÁO TỔNG KẾT HOẠT ĐỘNG TỪ NGÀY {format_date(period.start)} "
            f"ĐẾN NGÀY {format_date(period.end)}"
        )
    if period.is_year:
        return f"BÁO CÁO TỔNG KẾT NĂM {period.year}"
    which = "ĐẦU" if period.half == 1 else "CUỐI"
    return f"BÁO CÁO SƠ KẾT 6 THÁNG {which} NĂM {period.year}"


def export_name(period: Period) -> str:
    if period.custom:
        return f"tong-ket-{period.start.isoformat()}-{period.end.isoformat()}"
    return f"tong-ket-{period.key}" if period.is_year else f"so-ket-{period.key}"


# ------------------------------------------------------------------ the figures


@dataclass(frozen=True)
class DonorTotal:
    label: str  # the donor's name, or "Anonymous benefactors" for all anonymous donors together
    amount: int
    anonymous: bool


@dataclass(frozen=True)
class MoneyFigures:
    raised: int
    donors: list[DonorTotal]
    lent_count: int
    lent_amount: int
    recovered: int  # repayments net of reversals posted in the period
    written_off: int
    back_after_write_off: int  # money back on written-off loans in the period (Thu hồi nợ đã xóa)
    outstanding: int  # at the end
    overdue: int
    loans_over_30_days: int
    overdue_over_30_days: int  # the overdue amount of those loans (what to press for)
    par30_percent: Decimal
    arrears_rate_percent: Decimal
    cash_start: int  # at the end of the day before the period
    cash_end: int  # tồn quỹ: cash and bank
    loans_outstanding: int = 0  # loans owed at the end
    cash_end_in_cash: int = 0  # of cash_end: tiền mặt
    cash_end_in_bank: int = 0  # and tiền gửi ngân hàng
    grants_count: int = 0  # grants paid in the period, net of reversals
    grants_amount: int = 0
    costs_by_kind: dict[str, int] = field(default_factory=dict)  # every kind of running cost listed

    @property
    def costs_amount(self) -> int:
        return sum(self.costs_by_kind.values())

    @property
    def money_out(self) -> int:
        return self.lent_amount + self.grants_amount + self.costs_amount


@dataclass(frozen=True)
class PeopleFigures:
    total: int  # people whose file was open by the end
    by_status: dict[str, int]  # their status at the end, every status listed
    new: int  # files opened (consent recorded) in the period
    changes: dict[str, int]  # status changes in the period, by the new status


@dataclass(frozen=True)
class VisitFigures:
    made: int
    people_visited: int
    due: int  # an estimate: see visits_due()
    people_overdue: int  # at the end


@dataclass(frozen=True)
class HelpFigures:
    """Help that is not money from the cash box: gifts in kind and referrals, in the period."""

    gifts_count: int = 0
    gifts_value: int = 0  # estimated
    referrals: int = 0
    referrals_succeeded: int = 0  # of those, how many have succeeded so far


@dataclass(frozen=True)
class Review:
    period: Period
    as_of: dt.date  # the end of the period, or today if the period is not over
    money: MoneyFigures
    people: PeopleFigures
    visits: VisitFigures
    help: HelpFigures = HelpFigures()

    @property
    def is_complete(self) -> bool:
        return self.as_of >= self.period.end


def review_figures(
    funds: Funds, period: Period, today: dt.date, histories: list[PersonRecord] | None = None
) -> Review:
    """Every figure of the review of a fund (its id), or of several summed (a province's: a list or
    a SELECT of ids). Eleven queries whatever the number of rows or funds; nine when the caller
    has read the people's histories already (people_histories(funds, review_end(period, today)))."""
    as_of = review_end(period, today)
    if histories is None:
        histories = people_histories(funds, as_of)
    return Review(
        period=period,
        as_of=as_of,
        money=money_figures(funds, period.start, as_of),
        people=people_figures(histories, period.start, as_of),
        visits=visit_figures(funds, histories, period.start, as_of, today),
        help=help_figures(funds, period.start, as_of),
    )


def review_end(period: Period, today: dt.date) -> dt.date:
    """The day a review is as of. A period that is not over is reported up to today (one that has
    not begun has no days in it: its "in the period" figures are 0 and its "at the end" figures
    are today's)."""
    return min(period.end, today)


def help_figures(funds: Funds, start: dt.date, end: dt.date) -> HelpFigures:
    """Gifts in kind given and referrals made in the period: two queries."""
    gifts_count, gifts_value = db.session.execute(
        select(func.count(GiftInKind.id), func.coalesce(func.sum(GiftInKind.estimated_value), 0)).where(
            of_funds(GiftInKind.fund_id, funds), in_period(GiftInKind.given_on, start, end)
        )
    ).one()
    referrals, succeeded = db.session.execute(
        select(
            func.count(Referral.id),
            func.coalesce(func.sum(case((Referral.outcome == "succeeded", 1), else_=0)), 0),
        ).where(of_funds(Referral.fund_id, funds), in_period(Referral.referred_on, start, end))
    ).one()
    return HelpFigures(int(gifts_count), int(gifts_value), int(referrals), int(succeeded))


def spending_figures(funds: Funds, start: dt.date, end: dt.date) -> tuple[int, int, dict[str, int]]:
    """Grants paid in the period (count, amount) and running costs by kind, from the lines on the
    accounts they are spent on, whichever money account paid: a reversal nets out in the period it
    is posted in, under the kind of the payment it reverses (journal.pay_spending keeps the kind in
    the description). One query."""
    line, transaction = JournalLine, JournalTransaction
    original = aliased(JournalTransaction)
    kind = func.coalesce(original.description, transaction.description)
    rows = db.session.execute(
        select(
            line.event,
            kind,
            func.sum(case((transaction.reverses_id.is_(None), 1), else_=-1)),
            func.sum(line.amount),
        )
        .join(transaction, transaction.id == line.transaction_id)
        .outerjoin(original, original.id == transaction.reverses_id)
        .where(
            of_funds(line.fund_id, funds),
            line.account.in_((balances.GRANTS_PAID, balances.RUNNING_COSTS)),
            in_period(line.posted_on, start, end),
        )
        .group_by(line.event, kind)
    ).all()
    grants_count = sum(int(count) for event, _kind, count, _amount in rows if event == balances.GRANT)
    grants_amount = sum(int(amount) for event, _kind, _count, amount in rows if event == balances.GRANT)
    costs = dict.fromkeys(SPENDING_KINDS["expense"], 0)
    for event, cost_kind, _count, amount in rows:
        if event == balances.EXPENSE:
            costs[cost_kind] = costs.get(cost_kind, 0) + int(amount)
    return grants_count, grants_amount, costs


def percent(part: int, whole: int) -> Decimal:
    """part ÷ whole as a percentage with one decimal (0.0 when there is nothing to divide)."""
    if whole <= 0:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def in_period(column, start: dt.date, end: dt.date):
    return column.between(start, end)


def money_figures(funds: Funds, start: dt.date, end: dt.date) -> MoneyFigures:
    """Money raised, lent, recovered and written off in the period, and the position at its end.
    Eight queries (four of them reports.aging's)."""
    line = JournalLine
    # Donations by donor: the cash lines of donations and their reversals posted in the period, so
    # the total is the cash book's. A reversal names the donor of the donation it reverses.
    transaction = JournalTransaction
    donors = db.session.execute(
        select(Donor.id, Donor.name, Donor.sort_key, Donor.anonymous, func.sum(line.amount))
        .join(transaction, transaction.id == line.transaction_id)
        .join(Donation, Donation.transaction_id == func.coalesce(transaction.reverses_id, transaction.id))
        .join(Donor, Donor.id == Donation.donor_id)
        .where(
            of_funds(line.fund_id, funds),
            line.account.in_(balances.MONEY_ACCOUNTS),
            line.event == balances.DONATION,
            in_period(line.posted_on, start, end),
            of_funds(Donation.fund_id, funds),  # so PostgreSQL does not hash every fund's donations
        )
        .group_by(Donor.id, Donor.name, Donor.sort_key, Donor.anonymous)
    ).all()
    named = [
        (int(amount), sort_key, name) for _id, name, sort_key, anonymous, amount in donors if not anonymous
    ]
    anonymous_total = sum(int(amount) for *_rest, anonymous, amount in donors if anonymous)
    totals = [
        DonorTotal(name, amount, False)
        for amount, _key, name in sorted(named, key=lambda row: (-row[0], row[1]))
        if amount != 0
    ]
    if anonymous_total:
        totals.append(DonorTotal(_("Anonymous benefactors"), anonymous_total, True))

    # Disbursements net of reversals, per loan: a loan counts as lent if money went out on balance.
    lent = db.session.execute(
        select(line.loan_id, func.sum(line.amount))
        .where(
            of_funds(line.fund_id, funds),
            line.account == balances.RECEIVABLE,
            line.event == balances.DISBURSEMENT,
            in_period(line.posted_on, start, end),
        )
        .group_by(line.loan_id)
    ).all()

    moved = dict(
        db.session.execute(
            select(line.event, func.sum(line.amount))
            .where(
                of_funds(line.fund_id, funds),
                line.account.in_((balances.RECEIVABLE, balances.WRITTEN_OFF)),
                line.event.in_((balances.REPAYMENT, balances.WRITE_OFF, balances.RECOVERY)),
                # a write-off's own line on the written-off account is the same money again
                ~((line.account == balances.WRITTEN_OFF) & (line.event == balances.WRITE_OFF)),
                in_period(line.posted_on, start, end),
            )
            .group_by(line.event)
        ).all()
    )

    day_before = start - dt.timedelta(days=1)
    in_cash = line.account == balances.CASH
    cash_start, cash_end, cash_end_in_cash = db.session.execute(
        select(
            func.coalesce(func.sum(case((line.posted_on <= day_before, line.amount), else_=0)), 0),
            func.coalesce(func.sum(case((line.posted_on <= end, line.amount), else_=0)), 0),
            func.coalesce(func.sum(case((and_(in_cash, line.posted_on <= end), line.amount), else_=0)), 0),
        ).where(of_funds(line.fund_id, funds), line.account.in_(balances.MONEY_ACCOUNTS))
    ).one()

    # The position at the end is the aging report's (itself built on the outstanding report's rows),
    # so PAR30 and the arrears rate here are those of the aging report to the đồng (DESIGN §4.8).
    aging = reports.aging(funds, end)
    late = [aged.loan for aged in aging.loans if aged.loan.days_overdue > 30]
    grants_count, grants_amount, costs_by_kind = spending_figures(funds, start, end)
    return MoneyFigures(
        raised=sum(int(amount) for *_rest, amount in donors),
        donors=totals,
        lent_count=sum(1 for _loan, amount in lent if amount > 0),
        lent_amount=sum(int(amount) for _loan, amount in lent),
        recovered=-int(moved.get("repayment") or 0),
        written_off=-int(moved.get("write_off") or 0),
        back_after_write_off=-int(moved.get(balances.RECOVERY) or 0),
        outstanding=aging.outstanding,
        overdue=aging.overdue_amount,
        loans_over_30_days=len(late),
        overdue_over_30_days=sum(row.overdue_amount for row in late),
        par30_percent=percent(aging.at_risk_30, aging.outstanding),
        arrears_rate_percent=percent(aging.overdue_amount, aging.outstanding),
        cash_start=int(cash_start),
        cash_end=int(cash_end),
        loans_outstanding=aging.loan_count,
        cash_end_in_cash=int(cash_end_in_cash),
        cash_end_in_bank=int(cash_end) - int(cash_end_in_cash),
        grants_count=grants_count,
        grants_amount=grants_amount,
        costs_by_kind=costs_by_kind,
    )


@dataclass(frozen=True)
class PersonHistory:
    """One person's file as the review needs it: when it opened and how their status moved."""

    opened_on: dt.date
    initial_status: str
    changes: list[tuple[dt.date, str]]  # (changed_on, to_status), in order
    visit_interval_days: int

    def status_on(self, day: dt.date) -> str:
        status = self.initial_status
        for changed_on, to_status in self.changes:
            if changed_on <= day:
                status = to_status
        return status

    def supported_days(self, first: dt.date, last: dt.date) -> int:
        """How many days from `first` to `last` (both included) the person's file was open with
        the status 'supported'."""
        first = max(first, self.opened_on)
        if last < first:
            return 0
        days = 0
        status = self.status_on(first)
        segment_start = first
        for changed_on, to_status in self.changes:
            if changed_on <= first:
                continue
            if changed_on > last:
                break
            if status == "supported":
                days += (changed_on - segment_start).days
            status, segment_start = to_status, changed_on
        if status == "supported":
            days += (last - segment_start).days + 1
        return days


@dataclass(frozen=True)
class PersonRecord:
    history: PersonHistory
    person: Person
    planned_visit_on: dt.date | None  # as planned at the latest visit on or before the end


def people_histories(funds: Funds, end: dt.date) -> list[PersonRecord]:
    """Every person of the fund with their status history and the next visit as planned by the end
    of the period (two queries)."""
    planned = (
        select(Visit.next_visit_on)
        .where(Visit.person_id == Person.id, Visit.visited_on <= end)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(1)
        .correlate(Person)
        .scalar_subquery()
    )
    people = db.session.execute(
        select(Person, planned).where(of_funds(Person.fund_id, funds)).order_by(Person.id)
    ).all()
    changes: dict[int, list[tuple[dt.date, str, str]]] = defaultdict(list)
    for person_id, from_status, to_status, changed_on in db.session.execute(
        select(
            PersonStatusChange.person_id,
            PersonStatusChange.from_status,
            PersonStatusChange.to_status,
            PersonStatusChange.changed_on,
        )
        .where(of_funds(PersonStatusChange.fund_id, funds))
        .order_by(PersonStatusChange.person_id, PersonStatusChange.changed_on, PersonStatusChange.id)
    ):
        changes[person_id].append((changed_on, from_status, to_status))
    result = []
    for person, planned_visit_on in people:
        own = changes.get(person.id, [])
        history = PersonHistory(
            opened_on=person.consent_recorded_on,
            # Before its first recorded change the status was that change's from_status.
            initial_status=own[0][1] if own else person.status,
            changes=[(changed_on, to_status) for changed_on, _from, to_status in own],
            visit_interval_days=person.visit_interval_days or DEFAULT_VISIT_INTERVAL,
        )
        result.append(PersonRecord(history, person, planned_visit_on))
    return result


def people_figures(records: list[PersonRecord], start: dt.date, end: dt.date) -> PeopleFigures:
    by_status = dict.fromkeys(PERSON_STATUSES, 0)
    changes = dict.fromkeys(PERSON_STATUSES, 0)
    total = new = 0
    for history in (record.history for record in records):
        if history.opened_on <= end:
            total += 1
            by_status[history.status_on(end)] += 1
        if start <= history.opened_on <= end:
            new += 1
        for changed_on, to_status in history.changes:
            if start <= changed_on <= end:
                changes[to_status] += 1
    return PeopleFigures(total=total, by_status=by_status, new=new, changes=changes)


def visits_due(histories: list[PersonHistory], start: dt.date, end: dt.date) -> int:
    """An honest estimate of the visits the period called for: for each person supported during
    it, the days they were supported in it divided by their visit interval, rounded down."""
    return sum(history.supported_days(start, end) // history.visit_interval_days for history in histories)


def visit_figures(
    funds: Funds, records: list[PersonRecord], start: dt.date, end: dt.date, today: dt.date
) -> VisitFigures:
    made, people_visited = db.session.execute(
        select(func.count(Visit.id), func.count(func.distinct(Visit.person_id))).where(
            of_funds(Visit.fund_id, funds), in_period(Visit.visited_on, start, end)
        )
    ).one()
    overdue = 0
    for record in records:
        history, person = record.history, record.person
        if person.erased_at is not None or history.opened_on > end:
            continue
        if end >= today:
            # Up to today: exactly the visit queue's rule (the person's next visit date is past).
            late = person.status == "supported" and person.visit_overdue(end)
        else:
            # A past date: the status then, and the next visit as planned at the last visit by then
            # (never visited by then: due since the file was opened).
            due_on = record.planned_visit_on or history.opened_on
            late = history.status_on(end) == "supported" and due_on < end
        overdue += late
    return VisitFigures(
        made=int(made),
        people_visited=int(people_visited),
        due=visits_due([record.history for record in records], start, end),
        people_overdue=overdue,
    )


# ------------------------------------------------------------------ the rows of the export

FigureRow = tuple[str, str, int | Decimal]


def figure_rows(review: Review) -> list[FigureRow]:
    """One (section, item, value) per figure, in the order of the page. Items are stable English
    keys, except the donors' rows, whose item is the donor's name as printed (anonymous masked)."""
    money, people, visits = review.money, review.people, review.visits
    rows: list[FigureRow] = [
        ("money", "raised", money.raised),
        *(("raised_by_donor", donor.label, donor.amount) for donor in money.donors),
        ("money", "lent_count", money.lent_count),
        ("money", "lent_amount", money.lent_amount),
        ("money", "recovered", money.recovered),
        ("money", "written_off", money.written_off),
        ("money", "back_after_write_off", money.back_after_write_off),
        ("money", "grants_count", money.grants_count),
        ("money", "grants_amount", money.grants_amount),
        ("money", "costs_amount", money.costs_amount),
        *(("costs_by_kind", kind, amount) for kind, amount in money.costs_by_kind.items()),
        ("money", "outstanding_end", money.outstanding),
        ("money", "overdue_end", money.overdue),
        ("money", "loans_over_30_days", money.loans_over_30_days),
        ("money", "overdue_over_30_days", money.overdue_over_30_days),
        ("money", "par30_percent", money.par30_percent),
        ("money", "arrears_rate_percent", money.arrears_rate_percent),
        ("money", "cash_start", money.cash_start),
        ("money", "cash_end", money.cash_end),
        ("money", "cash_end_in_cash", money.cash_end_in_cash),
        ("money", "cash_end_in_bank", money.cash_end_in_bank),
        ("people", "total_end", people.total),
        *(("people_by_status", status, count) for status, count in people.by_status.items()),
        ("people", "new", people.new),
        *(("status_changes", status, count) for status, count in people.changes.items()),
        ("visits", "made", visits.made),
        ("visits", "people_visited", visits.people_visited),
        ("visits", "due_estimate", visits.due),
        ("visits", "people_overdue_end", visits.people_overdue),
        ("help", "gifts_count", review.help.gifts_count),
        ("help", "gifts_value", review.help.gifts_value),
        ("help", "referrals", review.help.referrals),
        ("help", "referrals_succeeded", review.help.referrals_succeeded),
    ]
    return rows


# ------------------------------------------------------------------ the document's head and foot


@dataclass(frozen=True)
class DocumentHead:
    issuer: tuple[str, str]  # the Front's committee above, the team that reports below
    number: str
    place_date: str
    chair: str  # the name under the signature; "" when the fund has no chair's login with a name


REVIEW_ISSUER = "TỔ GIÚP ĐỠ NGƯỜI HOÀN LƯƠNG"
REVIEW_NUMBER = "Số: ......./BC-TGĐ"
SIGNED_FOR = "TM. TỔ GIÚP ĐỠ"
SIGNER = "TỔ TRƯỞNG"


def document_head(fund: Fund, day: dt.date) -> DocumentHead:
    """The official lines of the document (Decree 30/2020/NĐ-CP), in Vietnamese as it is filed:
    the number is left for the Front's register to fill in."""
    chair = db.session.scalar(
        select(User.full_name)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.fund_id == fund.id,
            Membership.role == "chair",
            Membership.active.is_(True),
            User.active.is_(True),
        )
        .order_by(Membership.id)
        .limit(1)
    )
    return DocumentHead(
        issuer=(papers.issuer_of(fund)[0], REVIEW_ISSUER),
        number=REVIEW_NUMBER,
        place_date=official_date_line(fund.place or "......................", day),
        chair=(chair or "").strip(),
    )


# ------------------------------------------------------------------ section II of the document


@dataclass(frozen=True)
class FigureLine:
    keys: tuple[str, ...]  # "section.item" of each value, as data-figure on the page (the CSV's)
    label: str
    values: tuple[str, ...]  # as printed: 50.000.000 ₫, 3, 6,6%
    strong: bool = False
    indent: bool = False


@dataclass(frozen=True)
class FigureTable:
    anchor: str
    heading: str
    headers: tuple[str, ...]
    lines: list[FigureLine]
    footer: list[FigureLine]
    note: str = ""


def percent_text(value: Decimal) -> str:
    return f"{value:f}".replace(".", ",") + "%"


def figure_tables(review: Review) -> list[FigureTable]:
    """Section II as the page and the Word file print it: the figures of review_figures(), labelled
    once here so that the two cannot differ."""
    money, people, visits = review.money, review.people, review.visits
    item, figure = _("Item"), _("Figure")

    def line(key, label, value, **flags):
        return FigureLine((key,), label, (value,), **flags)

    donors = [
        FigureLine(("raised_by_donor",), donor.label, (format_money(donor.amount),), indent=True)
        for donor in money.donors
    ] or [FigureLine(("",), _("No donations in this period."), ("",), indent=True)]
    money_lines = [
        line("money.raised", _("Raised in the period"), format_money(money.raised), strong=True),
        *donors,
        line("money.lent_count", _("Loans disbursed in the period"), format_number(money.lent_count)),
        line("money.lent_amount", _("Amount lent in the period"), format_money(money.lent_amount)),
        line(
            "money.recovered",
            _("Recovered in the period (repayments, net of reversals)"),
            format_money(money.recovered),
        ),
        line("money.written_off", _("Written off in the period"), format_money(money.written_off)),
        line(
            "money.back_after_write_off",
            _("Money back after a write-off"),
            format_money(money.back_after_write_off),
        ),
        line("money.grants_count", _("Grants paid in the period"), format_number(money.grants_count)),
        line(
            "money.grants_amount", _("Amount of grants (not to be repaid)"), format_money(money.grants_amount)
        ),
        line("money.costs_amount", _("Running costs in the period"), format_money(money.costs_amount)),
        *(
            FigureLine(
                (f"costs_by_kind.{kind}",),
                labels.label(labels.SPENDING_KINDS, kind),
                (format_money(amount),),
                indent=True,
            )
            for kind, amount in money.costs_by_kind.items()
        ),
        line(
            "money.outstanding_end",
            _("Outstanding at the end of the period"),
            format_money(money.outstanding),
        ),
        line("money.overdue_end", _("Overdue at the end of the period"), format_money(money.overdue)),
        line(
            "money.loans_over_30_days",
            _("Loans more than 30 days overdue"),
            format_number(money.loans_over_30_days),
        ),
        line(
            "money.overdue_over_30_days",
            _("Overdue amount of those loans"),
            format_money(money.overdue_over_30_days),
        ),
        line(
            "money.par30_percent",
            _("PAR30: outstanding of loans more than 30 days overdue ÷ all outstanding"),
            percent_text(money.par30_percent),
        ),
        line(
            "money.arrears_rate_percent",
            _("Arrears rate: overdue amount ÷ outstanding"),
            percent_text(money.arrears_rate_percent),
        ),
        line(
            "money.cash_start", _("Cash on hand at the start of the period"), format_money(money.cash_start)
        ),
        line("money.cash_end", _("Cash on hand at the end of the period"), format_money(money.cash_end)),
        line("money.cash_end_in_cash", _("of which cash"), format_money(money.cash_end_in_cash), indent=True),
        line(
            "money.cash_end_in_bank",
            _("of which bank deposit"),
            format_money(money.cash_end_in_bank),
            indent=True,
        ),
    ]
    people_lines = [
        FigureLine(
            (f"people_by_status.{status}", f"status_changes.{status}"),
            labels.label(labels.PERSON_STATUSES, status),
            (format_number(count), format_number(people.changes[status])),
        )
        for status, count in people.by_status.items()
    ]
    people_footer = [
        FigureLine(("people.total_end", ""), _("Total"), (format_number(people.total), ""), strong=True),
        FigureLine(("people.new", ""), _("New people helped in the period"), (format_number(people.new), "")),
    ]
    visit_lines = [
        line("visits.made", _("Visits made in the period"), format_number(visits.made)),
        line(
            "visits.people_visited", _("People visited in the period"), format_number(visits.people_visited)
        ),
        line("visits.due_estimate", _("Visits due in the period (estimate)"), format_number(visits.due)),
        line(
            "visits.people_overdue_end",
            _("People overdue for a visit at the end of the period"),
            format_number(visits.people_overdue),
        ),
    ]
    return [
        FigureTable("money", _("1. Money"), (item, figure), money_lines, []),
        FigureTable(
            "people",
            _("2. People helped"),
            (
                _("Status"),
                _("People at the end of the period"),
                _("Status changes in the period (to this status)"),
            ),
            people_lines,
            people_footer,
        ),
        FigureTable(
            "visits",
            _("3. Visits"),
            (item, figure),
            visit_lines,
            [],
            note=_(
                "Visits due is an estimate: for each person supported during the period, the days "
                "they were supported in it divided by their visit interval, rounded down."
            ),
        ),
        FigureTable(
            "help",
            _("4. Gifts in kind and referrals"),
            (item, figure),
            [
                line(
                    "help.gifts_count",
                    _("Gifts in kind received in the period"),
                    format_number(review.help.gifts_count),
                ),
                line(
                    "help.gifts_value",
                    _("Their estimated value (not in the cash book)"),
                    format_money(review.help.gifts_value),
                ),
                line(
                    "help.referrals", _("Referrals made in the period"), format_number(review.help.referrals)
                ),
                line(
                    "help.referrals_succeeded",
                    _("Of those, succeeded so far"),
                    format_number(review.help.referrals_succeeded),
                ),
            ],
            [],
        ),
    ]


# ------------------------------------------------------------------ what to do next


def suggestions(review: Review) -> list[str]:
    """A starting list for section V, from the figures; the chair edits it before printing."""
    money, people, visits = review.money, review.people, review.visits
    items = []
    if money.loans_over_30_days:
        items.append(
            _(
                "Press for repayment of %(count)s loan(s) more than 30 days overdue (%(amount)s).",
                count=money.loans_over_30_days,
                amount=format_money(money.overdue_over_30_days),
            )
        )
    elif money.overdue:
        items.append(
            _(
                "Remind the borrowers who are behind with repayments (%(amount)s overdue).",
                amount=format_money(money.overdue),
            )
        )
    if visits.people_overdue:
        items.append(_("Visit the %(count)s person(s) whose visit is overdue.", count=visits.people_overdue))
    if visits.made < visits.due:
        items.append(
            _(
                "Visits made (%(made)s) fell short of the visits due (%(due)s): review the mentors' "
                "caseloads.",
                made=visits.made,
                due=visits.due,
            )
        )
    if people.changes["paused"]:
        items.append(
            _(
                "Meet again about the %(count)s person(s) whose support was paused.",
                count=people.changes["paused"],
            )
        )
    if money.raised <= 0:
        items.append(_("Ask local businesses and benefactors to give: nothing was raised in this period."))
    if money.cash_end >= SMALLEST_LOAN and people.by_status["supported"]:
        items.append(
            _(
                "%(amount)s is on hand: consider new loan applications.",
                amount=format_money(money.cash_end),
            )
        )
    if not items:
        items.append(_("Keep up regular visits and repayment collection."))
    return ["- " + item for item in items]


# ------------------------------------------------------------------ the document's text

# The sections of the document the chair writes, in the order of the page; section II is the figures.
SECTIONS = ("situation", "shortcomings", "lessons", "next_steps", "proposals", "recipients")
NEXT_STEPS = "next_steps"
SECTION_HEADINGS = labels.REVIEW_PARTS
RESULTS_HEADING = _l("II. Results")


def saved_note(fund_id: int, period: Period, section: str = NEXT_STEPS) -> ReviewNote | None:
    return db.session.scalar(
        select(ReviewNote).where(
            ReviewNote.fund_id == fund_id, ReviewNote.period == period.key, ReviewNote.section == section
        )
    )


def next_steps_text(fund_id: int, review: Review) -> tuple[ReviewNote | None, str]:
    """Section V as it stands: the chair's saved list for the period, or the suggestions."""
    note = saved_note(fund_id, review.period)
    return note, note.text if note else "\n".join(suggestions(review))


@dataclass(frozen=True)
class SectionText:
    key: str
    heading: str
    note: ReviewNote | None  # the chair's saved text, None while the suggestion stands
    text: str  # as it prints: the saved text, or the suggestion from the figures

    @property
    def lines(self) -> list[str]:
        return note_lines(self.text) if self.key == NEXT_STEPS else paragraphs(self.text)


def section_texts(fund_id: int, review: Review, fund: Fund) -> dict[str, SectionText]:
    """Every section the chair writes, as it stands for the period (one query)."""
    notes = {
        note.section: note
        for note in db.session.scalars(
            select(ReviewNote).where(ReviewNote.fund_id == fund_id, ReviewNote.period == review.period.key)
        )
    }
    defaults = suggested_texts(review, fund)
    return {
        key: SectionText(
            key,
            str(SECTION_HEADINGS[key]),
            notes.get(key),
            notes[key].text if key in notes else defaults[key],
        )
        for key in SECTIONS
    }


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a section typed one per line, as typed (a leading dash stays)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def suggested_texts(review: Review, fund: Fund) -> dict[str, str]:
    """A first draft of each section from the figures, for the chair to rewrite: what the app knows
    is filled in, what only the team knows is left as a line to complete."""
    money, people, visits = review.money, review.people, review.visits
    founded = (
        _("The fund was founded on %(date)s.", date=format_date(fund.founded_on))
        + (
            " " + _("Decision: %(decision)s.", decision=fund.founding_decision)
            if fund.founding_decision
            else ""
        )
        if fund.founded_on
        else ""
    )
    situation = [
        " ".join(
            filter(
                None,
                (
                    founded,
                    _(
                        "At the end of the period the team was helping %(count)s person(s); %(new)s "
                        "file(s) were opened in the period.",
                        count=people.by_status["supported"],
                        new=people.new,
                    ),
                ),
            )
        ),
        "- " + _("Advantages: ..."),
        "- " + _("Difficulties: ..."),
    ]
    shortcomings = []
    if money.loans_over_30_days:
        shortcomings.append(
            _(
                "%(count)s loan(s) more than 30 days overdue (%(amount)s overdue).",
                count=money.loans_over_30_days,
                amount=format_money(money.overdue_over_30_days),
            )
        )
    if visits.made < visits.due:
        shortcomings.append(
            _(
                "Visits made (%(made)s) fell short of the visits due (%(due)s).",
                made=visits.made,
                due=visits.due,
            )
        )
    if money.raised <= 0:
        shortcomings.append(_("Nothing was raised in this period."))
    shortcomings = ["- " + line for line in shortcomings] or ["- ..."]
    shortcomings.append("- " + _("Causes: ..."))
    lessons = [
        "- " + _("Work with the mass organisations, the hamlets and the commune police to help each person."),
        "- " + _("Regular visits and mentoring help people settle and repay on time."),
    ]
    proposals = ["- " + _("To the commune Front committee: ...")]
    recipients = [
        "- " + _("Standing committee of the commune Front (to report);"),
        "- " + _("Commune Party committee and People's Committee (to report);"),
        "- " + _("Members of the support team;"),
        "- " + _("File copy."),
    ]
    return {
        "situation": "\n".join(situation),
        "shortcomings": "\n".join(shortcomings),
        "lessons": "\n".join(lessons),
        NEXT_STEPS: "\n".join(suggestions(review)),
        "proposals": "\n".join(proposals),
        "recipients": "\n".join(recipients),
    }


def next_step_rows(text: str) -> list[FigureRow]:
    """Section IV in the export: one row per item, the item's text and its place in the list."""
    return [("next_steps", line, number) for number, line in enumerate(note_lines(text), start=1)]


def note_lines(text: str) -> list[str]:
    """The items of a list typed one per line; a leading dash or bullet is dropped."""
    lines = (line.strip() for line in text.splitlines())
    return [line.lstrip("-•*+ ").strip() for line in lines if line.lstrip("-•*+ ").strip()]


# ------------------------------------------------------------------ the public accounts (công khai tài chính)

# Below this many loans, a count on the hamlet's notice board could point at the borrower.
SMALLEST_PUBLIC_COUNT = 3


@dataclass(frozen=True)
class PublicAccounts:
    """The notice-board sheet: the review's money figures for the period, without anything that
    could point at a borrower (no loan rows, no names, loan counts only from SMALLEST_PUBLIC_COUNT)."""

    period: Period
    as_of: dt.date
    money: MoneyFigures

    @property
    def is_complete(self) -> bool:
        return self.as_of >= self.period.end

    @property
    def money_in(self) -> int:
        return self.money.raised + self.money.recovered + self.money.back_after_write_off

    @property
    def lent_loans(self) -> int | None:
        return public_count(self.money.lent_count)

    @property
    def loans_outstanding(self) -> int | None:
        return public_count(self.money.loans_outstanding)


def public_title(period: Period) -> str:
    if period.is_year:
        return f"CÔNG KHAI TÀI CHÍNH NĂM {period.year}"
    which = "ĐẦU" if period.half == 1 else "CUỐI"
    return f"CÔNG KHAI TÀI CHÍNH 6 THÁNG {which} NĂM {period.year}"


def public_count(count: int) -> int | None:
    """A count of loans as the notice board may print it: None ("fewer than 3") for one or two
    loans, which a hamlet could put a name to; none at all names no one."""
    return count if count == 0 or count >= SMALLEST_PUBLIC_COUNT else None


def public_accounts(fund_id: int, period: Period, today: dt.date) -> PublicAccounts:
    """The money of a half year or a year for the notice board; eight queries (money_figures')."""
    as_of = min(period.end, today)
    return PublicAccounts(period, as_of, money_figures(fund_id, period.start, as_of))
