"""Money rules as plain functions on plain values (DESIGN §4). No Flask, no database.

Amounts are whole đồng (int); VND has no minor unit and money is never a float.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import holidays

MAX_AMOUNT = 10**12
ROUNDING = 1_000

# "50.000.000", "50000000" or "50 000 000" (a no-break space too); nothing else.
_GROUPED_DOTS = re.compile(r"^[0-9]{1,3}(\.[0-9]{3})+$")
_GROUPED_SPACES = re.compile(r"^[0-9]{1,3}( [0-9]{3})+$")
_PLAIN = re.compile(r"^[0-9]{1,13}$")


class AmountError(ValueError):
    """The text is not an amount the fund accepts; the message says what to type instead."""


def parse_amount(text: str | None) -> int:
    raw = (text or "").strip().replace("\u00a0", " ").replace("\u202f", " ")
    if raw.endswith("₫"):
        raw = raw[:-1].strip()
    if raw.lower().endswith("đ"):
        raw = raw[:-1].strip()
    if not raw:
        raise AmountError("empty")
    if not (_PLAIN.match(raw) or _GROUPED_DOTS.match(raw) or _GROUPED_SPACES.match(raw)):
        raise AmountError("format")
    amount = int(raw.replace(".", "").replace(" ", ""))
    if amount <= 0:
        raise AmountError("not_positive")
    if amount > MAX_AMOUNT:
        raise AmountError("too_large")
    return amount


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month, `months` later (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ScheduledInstallment:
    number: int
    due_on: dt.date
    amount_due: int


def split_evenly(amount: int, parts: int) -> list[int]:
    """`parts` installments rounded to 1,000 ₫, the last absorbing the remainder, summing to `amount`."""
    if amount <= 0 or parts <= 0:
        raise ValueError("amount and parts must be positive")
    regular = round(amount / parts / ROUNDING) * ROUNDING
    if regular * (parts - 1) >= amount:  # rounding up would leave nothing for the last
        regular = amount // parts // ROUNDING * ROUNDING
    return [regular] * (parts - 1) + [amount - regular * (parts - 1)]


@functools.cache
def public_holidays(year: int) -> frozenset[dt.date]:
    """Vietnam's public holidays of a year, the lunar ones (Tết, Giỗ Tổ Hùng Vương) included."""
    return frozenset(holidays.country_holidays("VN", years=year))


def working_day(day: dt.date) -> dt.date:
    """The day itself, or the next day that is neither a Sunday nor a public holiday: nobody
    collects repayments on Mùng 1 Tết."""
    while day.weekday() == 6 or day in public_holidays(day.year):
        day += dt.timedelta(days=1)
    return day


def due_date(start: dt.date, months: int, collection_day: int | None = None) -> dt.date:
    """The due date `months` after `start`: the same day of the month, or the fund's collection day
    of that month, moved off Sundays and public holidays."""
    day = add_months(start, months)
    if collection_day:
        day = day.replace(day=collection_day)
    return working_day(day)


def build_schedule(
    principal: int,
    term_months: int,
    grace_months: int,
    disbursed_on: dt.date,
    collection_day: int | None = None,
) -> list[ScheduledInstallment]:
    """Interest-free, the term counting the grace as Vietnamese lending does: 12 months with 1 of
    grace is 11 monthly installments, the first in month 2 and the last in month 12."""
    if principal <= 0 or grace_months < 0 or term_months <= grace_months:
        raise ValueError("principal positive, grace not negative, term longer than the grace")
    amounts = split_evenly(principal, term_months - grace_months)
    return [
        ScheduledInstallment(n, due_date(disbursed_on, grace_months + n, collection_day), amount)
        for n, amount in enumerate(amounts, start=1)
    ]


def settle(amounts_due: list[int], repaid: int) -> list[int]:
    """How much of each installment the repaid total covers, oldest first."""
    paid = []
    left = repaid
    for due in amounts_due:
        covered = min(due, max(left, 0))
        paid.append(covered)
        left -= covered
    return paid


def _paid_parts(
    schedule: list[tuple[dt.date, int]], repaid: int
) -> tuple[list[tuple[dt.date, int]], list[tuple[dt.date, int]]]:
    """The schedule split by the repaid total: what is paid of each installment (kept on its date,
    so the repaid total still settles a new version oldest first) and what is left of each."""
    paid = settle([amount for _, amount in schedule], repaid)
    kept = [(due_on, covered) for (due_on, _), covered in zip(schedule, paid, strict=True) if covered]
    left = [
        (due_on, amount - covered)
        for (due_on, amount), covered in zip(schedule, paid, strict=True)
        if amount > covered
    ]
    return kept, left


def rescheduled(
    schedule: list[tuple[dt.date, int]], repaid: int, installments: int, first_due_on: dt.date
) -> list[tuple[dt.date, int]]:
    """A new version of a schedule (gia hạn, điều chỉnh kỳ hạn): what is paid stays on its dates,
    what is left is spread over `installments` monthly installments from `first_due_on`."""
    kept, left = _paid_parts(schedule, repaid)
    outstanding = sum(amount for _, amount in left)
    if outstanding <= 0:
        raise ValueError("nothing is left to reschedule")
    amounts = split_evenly(outstanding, installments)
    return kept + [(due_date(first_due_on, k), amount) for k, amount in enumerate(amounts)]


def paused(
    schedule: list[tuple[dt.date, int]],
    repaid: int,
    paused_from: dt.date,
    paused_until: dt.date,
    collection_day: int | None = None,
) -> list[tuple[dt.date, int]]:
    """A new version of a schedule with collection paused (khoanh nợ) from `paused_from` through
    `paused_until`: what fell due before the pause stays due; what was to fall due from its first
    day on is laid monthly again from the first collection day after it, in the same amounts."""
    if paused_until < paused_from:
        raise ValueError("the pause ends before it begins")
    kept, left = _paid_parts(schedule, repaid)
    before = [(due_on, amount) for due_on, amount in left if due_on < paused_from]
    moved = [amount for due_on, amount in left if due_on >= paused_from]
    if not moved:
        return kept + before
    day = collection_day or next(due_on for due_on, _ in left if due_on >= paused_from).day
    resume = paused_until + dt.timedelta(days=1)
    first = add_months(resume.replace(day=1), 0 if resume.day <= day else 1)
    first = first.replace(day=min(day, calendar.monthrange(first.year, first.month)[1]))
    return kept + before + [(due_date(first, k), amount) for k, amount in enumerate(moved)]


@dataclass(frozen=True)
class Arrears:
    overdue_amount: int  # due before the date and not yet paid
    days_overdue: int  # since the due date of the oldest unpaid installment (0 if none is late)


@dataclass(frozen=True)
class InstallmentState:
    paid: int  # of its amount, by the repaid total (oldest installment first)
    late_days: int  # since its due date, while it is not fully paid (0 before it falls due)

    def settled(self, amount_due: int) -> bool:
        return self.paid == amount_due


def installment_states(
    schedule: list[tuple[dt.date, int]], repaid: int, as_of: dt.date
) -> list[InstallmentState]:
    """What is paid of each (due_on, amount_due) installment, and how late it is, as of a date."""
    paid = settle([amount for _, amount in schedule], repaid)
    return [
        InstallmentState(covered, (as_of - due_on).days if due_on < as_of and covered < amount else 0)
        for (due_on, amount), covered in zip(schedule, paid, strict=True)
    ]


def arrears(schedule: list[tuple[dt.date, int]], repaid: int, as_of: dt.date) -> Arrears:
    """Arrears of one loan as of a date, given (due_on, amount_due) pairs and the total repaid by then
    (balances.loan_positions computes the same in SQL for many loans)."""
    states = installment_states(schedule, repaid, as_of)
    late = [
        (amount - state.paid, state.late_days)
        for (_d, amount), state in zip(schedule, states, strict=True)
        if state.late_days
    ]
    return Arrears(sum(left for left, _days in late), max((days for _left, days in late), default=0))


AGING_BUCKETS = (
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-180", 91, 180),
    ("181-360", 181, 360),
    ("360+", 361, None),
)


def aging_bucket(days_overdue: int) -> str | None:
    """The aging bucket of a loan, or None if it is not overdue."""
    for label, low, high in AGING_BUCKETS:
        if days_overdue >= low and (high is None or days_overdue <= high):
            return label
    return None


# The State Bank's debt groups (nhóm nợ), by days overdue: group 1 also
# holds the loans not overdue. They cut at other days than the aging buckets (10 and 90), so the
# aging report shows them as their own table beside the buckets rather than as a relabelling.
DEBT_GROUPS = (
    (1, 0, 9),
    (2, 10, 90),
    (3, 91, 180),
    (4, 181, 360),
    (5, 361, None),
)


def debt_group(days_overdue: int) -> int:
    """The debt group (1-5) of a loan overdue by `days_overdue` days (0 when it is not)."""
    for group, low, high in DEBT_GROUPS:
        if days_overdue >= low and (high is None or days_overdue <= high):
            return group
    raise ValueError(f"days overdue cannot be negative: {days_overdue}")


def debt_groups_of_bucket(low: int, high: int | None) -> tuple[int, ...]:
    """The debt groups that days low..high (an aging bucket) fall into: (1, 2) for 1-30 days."""
    return tuple(
        group
        for group, group_low, group_high in DEBT_GROUPS
        if (high is None or group_low <= high) and (group_high is None or group_high >= low)
    )


def returned_shares(fundings: list[int], principal: int, repaid: int) -> list[int]:
    """How much of each donation's share in a loan has come back, pro rata to the loan's repayments,
    for the loan's live fundings in their order (funding id).

    Rounded on the running total, so the shares add up to what has come back to the đồng: each is
    its exact share rounded down or up. (Each share rounded down by itself left a few đồng of the
    cash belonging to no donation; the next loan had to take them from one, which then showed −2 ₫
    in the cash box.)"""
    if principal <= 0:
        return [0] * len(fundings)
    back = min(repaid, principal)
    shares, running, before = [], 0, 0
    for amount in fundings:
        running += amount
        upto = running * back // principal
        shares.append(upto - before)
        before = upto
    return shares


@dataclass(frozen=True)
class Source:
    donation_id: int
    available: int
    earmarked: bool


def allocate(needed: int, sources: list[Source]) -> list[tuple[int, int]]:
    """Which donations' money a disbursement uses: earmarked ones first, then in the given order
    (oldest first). Returns (donation_id, amount) pairs summing to `needed`.

    The sources' parts add up to the cash (returned_shares), so they cover any disbursement the cash
    does; should they ever fall short, the remainder is put on the last source used, so the pairs
    always add up to the disbursement.
    """
    ordered = [s for s in sources if s.earmarked] + [s for s in sources if not s.earmarked]
    result: list[tuple[int, int]] = []
    left = needed
    for source in ordered:
        if left == 0:
            break
        take = min(source.available, left)
        if take > 0:
            result.append((source.donation_id, take))
            left -= take
    if left > 0:
        if not result and not ordered:
            return []
        if result:
            donation_id, amount = result[-1]
            result[-1] = (donation_id, amount + left)
        else:
            result.append((ordered[-1].donation_id, left))
    return result


PAR_DAYS = 30  # a loan is "at risk" once it is more than this many days overdue


def at_risk(loans: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """(outstanding of the loans more than PAR_DAYS overdue, all outstanding), of (outstanding,
    days overdue) pairs: what PAR30 divides (DESIGN §4.8)."""
    risky = total = 0
    for outstanding, days_overdue in loans:
        total += outstanding
        if days_overdue > PAR_DAYS:
            risky += outstanding
    return risky, total


def par30(loans: Iterable[tuple[int, int]]) -> float | None:
    """PAR30: outstanding of the loans more than 30 days overdue ÷ all outstanding; None when
    nothing is owed."""
    return par_ratio(*at_risk(loans))


def par_ratio(risky: int, outstanding: int) -> float | None:
    return risky / outstanding if outstanding else None


def arrears_rate(overdue_amount: int, outstanding: int) -> float | None:
    """The arrears rate: overdue amount ÷ outstanding (DESIGN §4.8); None when nothing is owed."""
    if outstanding <= 0:
        return None
    return overdue_amount / outstanding
