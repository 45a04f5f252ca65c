"""Money rules as plain functions on plain values (DESIGN §4). No Flask, no database.

Amounts are whole đồng (int); VND has no minor unit and money is never a float.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
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


def arrears(schedule: list[tuple[dt.date, int]], repaid: int, as_of: dt.date) -> Arrears:
    """Arrears of one loan as of a date, given (due_on, amount_due) pairs and the total repaid by then."""
    paid = settle([amount for _, amount in schedule], repaid)
    overdue_amount = 0
    oldest_late = None
    for (due_on, amount), covered in zip(schedule, paid, strict=True):
        if due_on < as_of and covered < amount:
            overdue_amount += amount - covered
            if oldest_late is None:
                oldest_late = due_on
    days = (as_of - oldest_late).days if oldest_late else 0
    return Arrears(overdue_amount, days)


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


def par30(outstanding_by_loan: dict[int, int], days_overdue_by_loan: dict[int, int]) -> float | None:
    """PAR30: outstanding principal of loans more than 30 days overdue ÷ all outstanding."""
    total = sum(outstanding_by_loan.values())
    at_risk = sum(
        amount for loan, amount in outstanding_by_loan.items() if days_overdue_by_loan.get(loan, 0) > PAR_DAYS
    )
    return par_ratio(at_risk, total)


def par_ratio(at_risk: int, outstanding: int) -> float | None:
    """The portfolio at risk as a fraction; None when nothing is owed."""
    return at_risk / outstanding if outstanding else None


def arrears_rate(overdue_amount: int, outstanding: int) -> float | None:
    """The arrears rate: overdue amount ÷ outstanding (DESIGN §4.8); None when nothing is owed."""
    if outstanding <= 0:
        return None
    return overdue_amount / outstanding
