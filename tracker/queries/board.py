"""The monthly board (bảng công việc tháng): one page for the committee's monthly meeting, made of
the lists and sums the rest of the app already keeps, so that the board and the reports cannot
disagree: the visits each member owes (casework.visits_due_by_member), the repayments due and
overdue (queries.dashboard), what came in and went out last month (balances.money_moved) and the
applications waiting for a decision.

What "as of" means: the meeting looks ahead, so the board of the current month or of a month to
come is as of today (what is due up to that month's end, what is overdue today). The books keep
no past appointments, only the journal's history: the board of a past month is as of its last day,
with the money figures only (last month's money, the cash, the loans overdue that day).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tracker import casework
from tracker.i18n import lazy_gettext as _l
from tracker.money import balances, ledger
from tracker.queries import dashboard

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR = 2000  # as the review's periods
APPLICATIONS_SHOWN = 20


class MonthError(ValueError):
    """A ?month= that names no month; its message says what to type instead."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def parse_month(text: str | None, today: dt.date) -> dt.date:
    """The first day of the month asked for ('2026-12'); empty: this month; MonthError otherwise."""
    text = (text or "").strip()
    if not text:
        return today.replace(day=1)
    match = MONTH_PATTERN.match(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise MonthError(_l("Enter a month as year-month, for example %(example)s.", example="2026-12"))
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= today.year + 1:
        raise MonthError(
            _l("Enter a year between %(first)s and %(last)s.", first=FIRST_YEAR, last=today.year + 1)
        )
    return dt.date(year, int(match.group(2)), 1)


def next_month(first: dt.date) -> dt.date:
    return ledger.add_months(first.replace(day=1), 1)


@dataclass(frozen=True)
class MonthMoney:
    """What came in and went out in a month, by kind (balances.money_moved), and the money on hand
    at its end."""

    start: dt.date
    end: dt.date  # the month's last day, or the board's date if that is earlier
    moved: dict[str, balances.Moved]
    in_cash: int  # tiền mặt at `end`
    in_bank: int  # tiền gửi ngân hàng at `end`

    @property
    def money_in(self) -> int:
        return sum(self.moved[event].amount for event in balances.MONEY_IN_EVENTS)

    @property
    def money_out(self) -> int:
        return sum(self.moved[event].amount for event in balances.MONEY_OUT_EVENTS)

    @property
    def cash(self) -> int:
        return self.in_cash + self.in_bank


@dataclass(frozen=True)
class Board:
    month: dt.date  # its first day
    as_of: dt.date
    looks_ahead: bool  # the current month or one to come: the lists of what is due are shown
    visits: list[casework.MemberVisits]  # empty for a past month
    due: list[dashboard.DueRow]  # installments due from today (or the month's 1st) to its end
    late: list[dashboard.LateRow]
    applications: list[dashboard.Application]
    applications_total: int
    last_month: MonthMoney

    @property
    def due_total(self) -> int:
        return sum(row.left for row in self.due)

    @property
    def late_totals(self) -> tuple[int, int]:
        """(overdue amount, outstanding) of the late loans."""
        return sum(row.overdue_amount for row in self.late), sum(row.outstanding for row in self.late)

    @property
    def visits_count(self) -> int:
        return sum(len(group.visits) for group in self.visits)

    @property
    def person_ids(self) -> set[int]:
        """Everyone the board names, for the log of who saw whose data."""
        ids = {visit.person_id for group in self.visits for visit in group.visits}
        ids.update(row.person_id for row in self.due)
        ids.update(row.person_id for row in self.late)
        ids.update(row.person_id for row in self.applications)
        return ids


def board(fund_id: int, month: dt.date, today: dt.date) -> Board:
    """The board of `month` (its first day) seen on `today`. A fixed number of queries whatever the
    number of people, loans and payments."""
    following = next_month(month)
    looks_ahead = month >= today.replace(day=1)
    as_of = today if looks_ahead else following - dt.timedelta(days=1)
    figures = dashboard.fund_figures(fund_id, as_of)
    late = dashboard.late_loans(fund_id, figures.late)
    if looks_ahead:
        visits = casework.visits_due_by_member(fund_id, today, following - dt.timedelta(days=1))
        # from today on: what fell due earlier in the month and is unpaid is in the overdue list
        due = dashboard.due_between(fund_id, today, max(month, today), following)
        applications, applications_total = dashboard.waiting_applications(fund_id, APPLICATIONS_SHOWN)
    else:
        visits, due, applications, applications_total = [], [], [], 0
    return Board(
        month=month,
        as_of=as_of,
        looks_ahead=looks_ahead,
        visits=visits,
        due=due,
        late=late,
        applications=applications,
        applications_total=applications_total,
        last_month=month_money(fund_id, ledger.add_months(month, -1), as_of),
    )


def month_money(fund_id: int, first: dt.date, as_of: dt.date) -> MonthMoney:
    """The money of the month beginning on `first`, up to its end or `as_of` if earlier (two queries)."""
    end = min(next_month(first) - dt.timedelta(days=1), as_of)
    totals = balances.money_totals(fund_id, end).get(fund_id, balances.MoneyTotals())
    return MonthMoney(first, end, balances.money_moved(fund_id, first, end), totals.in_cash, totals.in_bank)
