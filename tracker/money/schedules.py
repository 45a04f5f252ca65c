"""Changing a loan's schedule as the committee decides (DESIGN §4): a reschedule of what is left
(gia hạn, điều chỉnh kỳ hạn) or a pause of collection (khoanh nợ).

Nothing is edited: each change ends the version of the schedule in force and adds the next, with a
ScheduleChange saying who decided it, when and why. Arrears and aging read the version in force on
the day they are computed for (Installment.in_force), so a report of an earlier month is unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.formatting import format_date, format_money
from tracker.i18n import lazy_gettext as _l
from tracker.models import Fund, Installment, Loan, ScheduleChange
from tracker.money import balances, journal, ledger
from tracker.money.journal import MoneyRefused

MAX_PAUSE_DAYS = 731  # two years: a longer pause is a write-off the committee should discuss


class Version(NamedTuple):
    number: int
    installments: list[Installment]
    change: ScheduleChange | None  # the decision that started it; None for the first
    ended_on: dt.date | None  # the day the next version began; None while in force


def versions(loan: Loan) -> list[Version]:
    """Every version of the loan's schedule since its disbursement, the one in force last."""
    rows = db.session.scalars(
        select(Installment)
        .where(Installment.loan_id == loan.id, Installment.superseded.is_(False))
        .order_by(Installment.version, Installment.number)
    ).all()
    changes = {
        change.version: change
        for change in db.session.scalars(select(ScheduleChange).where(ScheduleChange.loan_id == loan.id))
    }
    by_version: dict[int, list[Installment]] = {}
    for row in rows:
        by_version.setdefault(row.version, []).append(row)
    return [
        Version(number, items, changes.get(number), items[0].valid_until)
        for number, items in sorted(by_version.items())
    ]


def _current(loan: Loan) -> tuple[int, list[Installment]]:
    rows = db.session.scalars(
        select(Installment)
        .where(
            Installment.loan_id == loan.id,
            Installment.superseded.is_(False),
            Installment.valid_until.is_(None),
        )
        .order_by(Installment.number)
    ).all()
    return (rows[0].version if rows else 1), list(rows)


def _change(
    loan: Loan, kind: str, rows: list[tuple[dt.date, int]], made_on: dt.date, **decision
) -> ScheduleChange:
    """End the version in force on `made_on` and start the next with `rows`."""
    version, current = _current(loan)
    for installment in current:
        installment.valid_until = made_on
    journal.add_installments(loan, rows, version=version + 1, valid_from=made_on)
    change = ScheduleChange(
        fund_id=loan.fund_id, loan_id=loan.id, kind=kind, version=version + 1, made_on=made_on, **decision
    )
    db.session.add(change)
    db.session.flush()
    return change


def _position(loan: Loan, today: dt.date) -> tuple[list[tuple[dt.date, int]], int, int]:
    """The schedule in force, the total repaid and what is left, read under the fund's lock."""
    _version, current = _current(loan)
    balance = balances.loan_balances([loan.id], today).get(loan.id, balances.LoanBalance())
    schedule = [(row.due_on, row.amount_due) for row in current]
    return schedule, balance.repaid, balance.outstanding


def reschedule(
    loan: Loan,
    installments: int,
    first_due_on: dt.date,
    reason: str,
    minutes_ref: str,
    user_id: int | None,
    today: dt.date | None = None,
) -> ScheduleChange:
    """Spread what is left of the loan over `installments` months from `first_due_on`, as decided
    on `today` (the demo's story tells earlier decisions)."""
    journal.take_loan(loan, "reschedule")
    today = today or clock.today()
    if first_due_on <= today:
        raise MoneyRefused(_l("The first new installment must fall due after today."), "first_due_on")
    if first_due_on > ledger.add_months(today, 24):
        raise MoneyRefused(_l("The first new installment must fall due within two years."), "first_due_on")
    schedule, repaid, outstanding = _position(loan, today)
    if outstanding < installments * ledger.ROUNDING:
        raise MoneyRefused(
            _l(
                "%(amount)s is left: at most %(count)s installments of at least 1.000 ₫.",
                amount=format_money(outstanding),
                count=outstanding // ledger.ROUNDING,
            ),
            "installments",
        )
    rows = ledger.rescheduled(schedule, repaid, installments, first_due_on)
    return _change(
        loan,
        "reschedule",
        rows,
        today,
        outstanding=outstanding,
        installments=installments,
        first_due_on=first_due_on,
        reason=reason,
        minutes_ref=minutes_ref,
        created_by_id=user_id,
    )


def pause(
    loan: Loan,
    paused_from: dt.date,
    paused_until: dt.date,
    reason: str,
    minutes_ref: str,
    user_id: int | None,
    today: dt.date | None = None,
) -> ScheduleChange:
    """No installment falls due from `paused_from` through `paused_until`; those that would have
    fall due monthly again after it."""
    journal.take_loan(loan, "pause")
    today = today or clock.today()
    if paused_from < today:
        raise MoneyRefused(
            _l(
                "A pause cannot begin before today (%(date)s): what fell due stays due.",
                date=format_date(today),
            ),
            "paused_from",
        )
    if paused_until < paused_from:
        raise MoneyRefused(_l("The pause must end on or after the day it begins."), "paused_until")
    if (paused_until - paused_from).days > MAX_PAUSE_DAYS:
        raise MoneyRefused(_l("A pause can last at most two years."), "paused_until")
    schedule, repaid, outstanding = _position(loan, today)
    fund = db.session.get(Fund, loan.fund_id)
    rows = ledger.paused(schedule, repaid, paused_from, paused_until, fund.collection_day)
    return _change(
        loan,
        "pause",
        rows,
        today,
        outstanding=outstanding,
        paused_from=paused_from,
        paused_until=paused_until,
        reason=reason,
        minutes_ref=minutes_ref,
        created_by_id=user_id,
    )


def paused_on(loan_ids, as_of: dt.date) -> dict[int, ScheduleChange]:
    """The loans among `loan_ids` whose collection is paused on a day, with the pause (the latest
    decision in force then)."""
    latest = (
        select(ScheduleChange.loan_id, func.max(ScheduleChange.version).label("version"))
        .where(ScheduleChange.loan_id.in_(loan_ids), ScheduleChange.made_on <= as_of)
        .group_by(ScheduleChange.loan_id)
        .subquery()
    )
    rows = db.session.scalars(
        select(ScheduleChange).join(
            latest,
            (latest.c.loan_id == ScheduleChange.loan_id) & (latest.c.version == ScheduleChange.version),
        )
    )
    return {
        change.loan_id: change
        for change in rows
        if change.kind == "pause" and change.paused_from <= as_of <= change.paused_until
    }
