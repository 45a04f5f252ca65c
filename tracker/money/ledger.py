"""Money rules as plain functions on plain values (DESIGN §4). No Flask, no database.

Amounts are whole đồng (int); VND has no minor unit and money is never a float.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

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


def build_schedule(
    principal: int, term_months: int, grace_months: int, disbursed_on: dt.date
) -> list[ScheduledInstallment]:
    """Interest-free: after the grace months, `term_months` monthly installments, each rounded to
    1,000 ₫, the last absorbing the remainder, so that they sum to the principal exactly."""
    if principal <= 0 or term_months <= 0 or grace_months < 0:
        raise ValueError("principal and term must be positive, grace not negative")
    regular = round(principal / term_months / ROUNDING) * ROUNDING
    if regular * (term_months - 1) >= principal:  # rounding up would leave nothing for the last
        regular = principal // term_months // ROUNDING * ROUNDING
    amounts = [regular] * (term_months - 1) + [principal - regular * (term_months - 1)]
    return [
        ScheduledInstallment(n, add_months(disbursed_on, grace_months + n), amount)
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
