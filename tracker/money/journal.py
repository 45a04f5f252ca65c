"""The journal: the only code that writes money and a loan's status. Balances are sums over
journal_line.

Every function here runs inside the caller's transaction and never commits; the view commits
once. Each posting first takes the fund's money lock (lock_fund): on SQLite the request already
holds the write lock (BEGIN IMMEDIATE, see database.py), on PostgreSQL it is SELECT ... FOR UPDATE
on the fund row, so check-then-post (cash for a disbursement, outstanding for a repayment, the next
receipt number, a loan's status) cannot interleave with another posting of the same fund. A loan's
status changes only by a step of tracker.money.loan_status, checked against the loan as it is under the
lock (take_loan), never as the request first read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from tracker import clock, database
from tracker.extensions import db
from tracker.formatting import format_date, format_money
from tracker.i18n import lazy_gettext as _l
from tracker.models import (
    DocumentCounter,
    Donation,
    Fund,
    Funding,
    Installment,
    JournalLine,
    JournalTransaction,
    Loan,
    PeriodClose,
    Repayment,
    ScheduleChange,
    Spending,
    SpendingFunding,
    Transfer,
)
from tracker.money import balances, ledger, loan_status


class MoneyRefused(Exception):
    """A posting the money rules do not allow; `message` says why (translated when shown), `field`
    names the form field it belongs next to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# ------------------------------------------------------------------ locks, periods, numbers


def lock_fund(fund_id: int) -> None:
    db.session.execute(select(Fund.id).where(Fund.id == fund_id).with_for_update())


def take_loan(loan: Loan, action: str) -> None:
    """Before a step of the loan's life: the fund's lock, then the loan read again under it (FOR
    UPDATE), and the step refused unless loan_status allows it from the status found now. The
    request may have read the loan long before (a password check in between): another request
    may have decided, paid out or written it off meanwhile."""
    lock_fund(loan.fund_id)
    database.lock_row(loan)
    if not loan_status.allows(action, loan.status):
        raise MoneyRefused(loan_status.STEPS[action].refusal)


def move_loan(loan: Loan, action: str) -> None:
    """The status the step leads to (take_loan checked it is allowed)."""
    to_status = loan_status.STEPS[action].to_status
    if to_status is not None:
        loan.status = to_status


def closed_through(fund_id: int) -> dt.date | None:
    return db.session.scalar(
        select(func.max(PeriodClose.closed_through)).where(PeriodClose.fund_id == fund_id)
    )


def ensure_open(fund_id: int, day: dt.date, field: str | None = None) -> None:
    closed = closed_through(fund_id)
    if closed is not None and day <= closed:
        raise MoneyRefused(
            _l(
                "The books are closed through %(closed)s: nothing dated %(day)s can be posted or reversed.",
                closed=format_date(closed),
                day=format_date(day),
            ),
            field,
        )


def check_account(account: str) -> str:
    """The money account a payment names (a form's `account`): cash or bank, nothing else."""
    if account not in balances.MONEY_ACCOUNTS:
        raise MoneyRefused(_l("Choose cash or the bank account."), "account")
    return account


def ensure_covered(
    fund_id: int, account: str, on_date: dt.date, amount: int, field: str | None = None
) -> None:
    """A payment out of `account` on `on_date` must not take it below zero, then or on any later
    day already in its book (balances.available_cash): the cash box and the bank each on its own."""
    have = balances.available_cash(fund_id, on_date, account)
    if amount <= have:
        return
    if account == balances.BANK:
        message = _l(
            "The bank account holds only %(cash)s, not enough to pay out %(amount)s.",
            cash=format_money(have),
            amount=format_money(amount),
        )
    else:
        message = _l(
            "Cash on hand is only %(cash)s, not enough to pay out %(amount)s.",
            cash=format_money(have),
            amount=format_money(amount),
        )
    raise MoneyRefused(message, field)


def next_document_no(fund_id: int, series: str, year: int) -> str:
    """PT-2026-0001: per fund, series and year, without gaps (the counter row is locked)."""
    counter = db.session.scalar(
        select(DocumentCounter)
        .where(
            DocumentCounter.fund_id == fund_id, DocumentCounter.series == series, DocumentCounter.year == year
        )
        .with_for_update()
    )
    if counter is None:
        counter = DocumentCounter(fund_id=fund_id, series=series, year=year, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    return f"{series}-{year}-{counter.last:04d}"


RECEIPT_EVENTS = (balances.DONATION, balances.REPAYMENT, balances.RECOVERY)  # each numbered PT-...


def check_paper_receipt(fund_id: int, paper_book: str, paper_no: str) -> None:
    """A paper phiếu thu is entered once: refused when the same book and number is already on a
    donation or repayment that stands (one reversed may be entered again, corrected)."""
    if not paper_no:
        return
    for model in (Donation, Repayment):
        entered = db.session.scalar(
            select(model.receipt_no).where(
                model.fund_id == fund_id,
                model.paper_book == paper_book,
                model.paper_no == paper_no,
                model.reversal_id.is_(None),
            )
        )
        if entered:
            raise MoneyRefused(
                _l(
                    "This paper receipt is already entered, as receipt %(receipt)s. Check the paper "
                    "book and number.",
                    receipt=entered,
                ),
                "paper_no",
            )


def receipt_order_warning(transaction: JournalTransaction):
    """The message when a receipt just posted is dated before one entered earlier (paper receipts
    typed in later, or a mistyped date): the numbers then do not follow the dates. A warning, never
    a refusal: money taken at a meeting is often entered days after the next receipt."""
    later = db.session.execute(
        select(JournalTransaction.document_no, JournalTransaction.posted_on)
        .where(
            JournalTransaction.fund_id == transaction.fund_id,
            JournalTransaction.event.in_(RECEIPT_EVENTS),
            JournalTransaction.reverses_id.is_(None),
            JournalTransaction.id < transaction.id,
            JournalTransaction.posted_on > transaction.posted_on,
        )
        .order_by(JournalTransaction.posted_on.desc(), JournalTransaction.id.desc())
        .limit(1)
    ).first()
    if later is None:
        return None
    return _l(
        "This receipt is dated before receipt %(receipt)s, entered earlier and dated %(day)s. "
        "Check the date if it was mistyped.",
        receipt=later.document_no,
        day=format_date(later.posted_on),
    )


# ------------------------------------------------------------------ posting


@dataclass(frozen=True)
class Leg:
    account: str
    amount: int  # debit +, credit −
    loan_id: int | None = None


def post(
    fund_id: int,
    event: str,
    posted_on: dt.date,
    legs: list[Leg],
    *,
    document_no: str = "",
    description: str = "",
    user_id: int | None = None,
    reverses: JournalTransaction | None = None,
    reason: str = "",
) -> JournalTransaction:
    if sum(leg.amount for leg in legs) != 0:
        raise ValueError(f"unbalanced transaction: {legs}")
    transaction = JournalTransaction(
        fund_id=fund_id,
        event=event,
        posted_on=posted_on,
        document_no=document_no,
        description=description[:300],
        created_by_id=user_id,
        reverses=reverses,
        reason=reason,
    )
    db.session.add(transaction)
    db.session.flush()
    db.session.add_all(
        JournalLine(
            transaction_id=transaction.id,
            fund_id=fund_id,
            account=leg.account,
            event=event,
            posted_on=posted_on,
            amount=leg.amount,
            loan_id=leg.loan_id,
        )
        for leg in legs
    )
    db.session.flush()
    return transaction


def reverse(
    original: JournalTransaction, on_date: dt.date, reason: str, user_id: int | None
) -> JournalTransaction:
    """Mirror entries of `original`, linked to it. A reversal cannot itself be reversed."""
    if original.reverses_id is not None:
        raise MoneyRefused(_l("This entry is itself a reversal; a reversal cannot be reversed."))
    if original.reversed_by is not None:
        raise MoneyRefused(_l("This entry has already been reversed."))
    if not reason.strip():
        raise MoneyRefused(_l("Enter the reason for the reversal."), "reason")
    ensure_open(original.fund_id, original.posted_on)
    ensure_open(original.fund_id, on_date)
    for line in original.lines:
        if line.account in balances.MONEY_ACCOUNTS and line.amount > 0:
            # the reversal takes this money back out of the account
            ensure_covered(original.fund_id, line.account, on_date, line.amount)
    legs = [Leg(line.account, -line.amount, line.loan_id) for line in original.lines]
    return post(
        original.fund_id,
        original.event,
        on_date,
        legs,
        document_no=original.document_no,
        description=f"reversal of {original.document_no or original.event}",
        user_id=user_id,
        reverses=original,
        reason=reason.strip(),
    )


# ------------------------------------------------------------------ the money events


def record_donation(donation: Donation, user_id: int | None, account: str = balances.CASH) -> Donation:
    """Post a donation (Dr cash or bank, Cr capital) with the next phiếu thu number."""
    check_account(account)
    lock_fund(donation.fund_id)
    ensure_open(donation.fund_id, donation.received_on, "received_on")
    check_paper_receipt(donation.fund_id, donation.paper_book, donation.paper_no)
    donation.receipt_no = next_document_no(donation.fund_id, "PT", donation.received_on.year)
    transaction = post(
        donation.fund_id,
        "donation",
        donation.received_on,
        [Leg(account, donation.amount), Leg(balances.CAPITAL, -donation.amount)],
        document_no=donation.receipt_no,
        description="donation",
        user_id=user_id,
    )
    donation.transaction_id = transaction.id
    db.session.add(donation)
    db.session.flush()
    return donation


def approve(
    loan: Loan,
    decided_on: dt.date,
    minutes_ref: str,
    user_id: int | None,
    *,
    approved_amount: int | None = None,
    attendees: int | None = None,
    votes_for: int | None = None,
    votes_against: int | None = None,
) -> Loan:
    """The chair's approval of an application at a meeting of the committee, citing its minutes;
    the committee may lend less than was asked (`approved_amount`, by default the request)."""
    take_loan(loan, "approve")
    if decided_on < loan.applied_on:
        raise MoneyRefused(
            _l(
                "The decision cannot be dated before the application (%(date)s).",
                date=format_date(loan.applied_on),
            ),
            "decided_on",
        )
    amount = loan.principal if approved_amount is None else approved_amount
    if not 0 < amount <= loan.principal:
        raise MoneyRefused(
            _l(
                "The amount approved can be at most the amount asked for (%(amount)s).",
                amount=format_money(loan.principal),
            ),
            "approved_amount",
        )
    if attendees is not None and (votes_for or 0) + (votes_against or 0) > attendees:
        raise MoneyRefused(_l("More votes than members attending (%(count)s).", count=attendees), "votes_for")
    move_loan(loan, "approve")
    loan.decided_by_id, loan.decided_on, loan.minutes_ref = user_id, decided_on, minutes_ref
    loan.approved_amount = amount
    loan.attendees, loan.votes_for, loan.votes_against = attendees, votes_for, votes_against
    db.session.flush()
    return loan


def reject(loan: Loan, decided_on: dt.date, reason: str, user_id: int | None) -> Loan:
    """The chair's refusal of an application, with the reason."""
    take_loan(loan, "reject")
    move_loan(loan, "reject")
    loan.decided_by_id, loan.decided_on, loan.rejection_reason = user_id, decided_on, reason
    db.session.flush()
    return loan


def disburse(loan: Loan, disbursed_on: dt.date, user_id: int | None, account: str = balances.CASH) -> Loan:
    """Pay out an approved loan from the cash box or the bank: check the account holds it, post a
    phiếu chi, build the schedule, and record which donations' money it uses."""
    check_account(account)
    take_loan(loan, "disburse")
    if loan.decided_by_id is not None and loan.decided_by_id == user_id:
        raise MoneyRefused(_l("The person who approved this loan cannot also record its disbursement."))
    if loan.decided_on and disbursed_on < loan.decided_on:
        raise MoneyRefused(_l("The disbursement cannot be dated before the approval."), "disbursed_on")
    ensure_open(loan.fund_id, disbursed_on, "disbursed_on")
    ensure_covered(loan.fund_id, account, disbursed_on, loan.lent, "disbursed_on")
    loan.voucher_no = next_document_no(loan.fund_id, "PC", disbursed_on.year)
    transaction = post(
        loan.fund_id,
        "disbursement",
        disbursed_on,
        [
            Leg(balances.RECEIVABLE, loan.lent, loan_id=loan.id),
            Leg(account, -loan.lent, loan_id=loan.id),
        ],
        document_no=loan.voucher_no,
        description=f"loan {loan.id}",
        user_id=user_id,
    )
    move_loan(loan, "disburse")
    loan.disbursed_on = disbursed_on
    loan.disbursed_by_id = user_id
    loan.disbursement_id = transaction.id
    fund = db.session.get(Fund, loan.fund_id)
    schedule = ledger.build_schedule(
        loan.lent, loan.term_months, loan.grace_months, disbursed_on, fund.collection_day
    )
    add_installments(loan, [(item.due_on, item.amount_due) for item in schedule])
    allocate_funding(loan)
    db.session.flush()
    return loan


def add_installments(
    loan: Loan, rows: list[tuple[dt.date, int]], version: int = 1, valid_from: dt.date | None = None
) -> None:
    """One version of a loan's schedule, as (due_on, amount_due) rows in order."""
    for number, (due_on, amount_due) in enumerate(rows, start=1):
        db.session.add(
            Installment(
                fund_id=loan.fund_id,
                loan_id=loan.id,
                number=number,
                due_on=due_on,
                amount_due=amount_due,
                version=version,
                valid_from=valid_from,
            )
        )


def allocate_funding(loan: Loan) -> None:
    available = balances.donation_available(loan.fund_id)
    earmarks = db.session.execute(
        select(Donation.id, Donation.earmark_loan_id, Donation.earmark_person_id).where(
            Donation.id.in_(list(available))
        )
    ).all()
    earmarked = {
        donation_id
        for donation_id, loan_id, person_id in earmarks
        if loan_id == loan.id or (person_id is not None and person_id == loan.person_id)
    }
    sources = [
        ledger.Source(donation_id, amount, donation_id in earmarked)
        for donation_id, amount in available.items()
    ]
    for donation_id, amount in ledger.allocate(loan.lent, sources):
        db.session.add(Funding(fund_id=loan.fund_id, loan_id=loan.id, donation_id=donation_id, amount=amount))


def record_repayment(
    loan: Loan,
    amount: int,
    paid_on: dt.date,
    method: str,
    user_id: int | None,
    paper_book: str = "",
    paper_no: str = "",
    account: str = balances.CASH,
) -> Repayment:
    """Post a repayment (Dr cash, Cr receivable) up to the outstanding balance, with a phiếu thu
    (and the paper phiếu it was first written on, if any), into the cash box or the bank."""
    check_account(account)
    take_loan(loan, "repay")
    if loan.disbursed_on and paid_on < loan.disbursed_on:
        raise MoneyRefused(
            _l(
                "The repayment cannot be dated before the disbursement (%(day)s).",
                day=format_date(loan.disbursed_on),
            ),
            "paid_on",
        )
    ensure_open(loan.fund_id, paid_on, "paid_on")
    outstanding = balances.loan_balance(loan).outstanding
    if amount > outstanding:
        raise MoneyRefused(
            _l(
                "This is more than is owed: the outstanding balance is only %(outstanding)s.",
                outstanding=format_money(outstanding),
            ),
            "amount",
        )
    check_paper_receipt(loan.fund_id, paper_book, paper_no)
    receipt_no = next_document_no(loan.fund_id, "PT", paid_on.year)
    transaction = post(
        loan.fund_id,
        "repayment",
        paid_on,
        [Leg(account, amount, loan_id=loan.id), Leg(balances.RECEIVABLE, -amount, loan_id=loan.id)],
        document_no=receipt_no,
        description=f"loan {loan.id}",
        user_id=user_id,
    )
    repayment = Repayment(
        fund_id=loan.fund_id,
        loan_id=loan.id,
        amount=amount,
        paid_on=paid_on,
        method=method,
        receipt_no=receipt_no,
        paper_book=paper_book,
        paper_no=paper_no,
        transaction_id=transaction.id,
    )
    db.session.add(repayment)
    db.session.flush()
    if outstanding - amount == 0:
        move_loan(loan, "settle")
    db.session.flush()
    return repayment


def write_off(loan: Loan, on_date: dt.date, reason: str, user_id: int | None, minutes_ref: str = "") -> Loan:
    """Take what is still owed out of the receivables (Dr written_off, Cr receivable), on the day the
    committee decided it, citing its minutes; cash is untouched."""
    take_loan(loan, "write_off")
    if not reason.strip():
        raise MoneyRefused(_l("Enter the reason for the write-off."), "reason")
    if loan.disbursed_on and on_date < loan.disbursed_on:
        raise MoneyRefused(_l("The write-off cannot be dated before the disbursement."), "decided_on")
    ensure_open(loan.fund_id, on_date, "decided_on")
    outstanding = balances.loan_balance(loan).outstanding
    post(
        loan.fund_id,
        "write_off",
        on_date,
        [
            Leg(balances.WRITTEN_OFF, outstanding, loan_id=loan.id),
            Leg(balances.RECEIVABLE, -outstanding, loan_id=loan.id),
        ],
        description=f"loan {loan.id}",
        user_id=user_id,
        reason=reason.strip(),
    )
    move_loan(loan, "write_off")
    loan.written_off_on = on_date
    loan.write_off_reason = reason.strip()
    loan.write_off_minutes_ref = minutes_ref.strip()
    db.session.flush()
    return loan


def reverse_write_off(loan: Loan, reason: str, user_id: int | None) -> JournalTransaction:
    """Take the write-off back (mirror entries): the loan is owed again and collected as before.
    Refused once the period of the write-off is closed (reverse checks it)."""
    take_loan(loan, "reverse_write_off")
    original = db.session.scalars(
        select(JournalTransaction)
        .join(JournalLine, JournalLine.transaction_id == JournalTransaction.id)
        .where(
            JournalTransaction.event == "write_off",
            JournalTransaction.reverses_id.is_(None),
            JournalLine.loan_id == loan.id,
        )
        .order_by(JournalTransaction.id.desc())
    ).first()
    if original is None or original.reversed_by is not None:
        raise MoneyRefused(loan_status.STEPS["reverse_write_off"].refusal)
    recoveries = [r for r in loan.repayments if r.kind == "recovery" and r.reversal_id is None]
    if recoveries:
        raise MoneyRefused(
            _l(
                "Money came back after the write-off (%(receipts)s); reverse those receipts first.",
                receipts=", ".join(r.receipt_no for r in recoveries),
            )
        )
    reversal = reverse(original, clock.today(), reason, user_id)
    move_loan(loan, "reverse_write_off")
    loan.written_off_on = None
    db.session.flush()
    return reversal


def record_recovery(
    loan: Loan,
    amount: int,
    paid_on: dt.date,
    method: str,
    user_id: int | None,
    paper_book: str = "",
    paper_no: str = "",
    account: str = balances.CASH,
) -> Repayment:
    """Money back after a write-off (Thu hồi nợ đã xóa: Dr cash, Cr written_off), with its own
    phiếu thu, up to what was written off. The loan stays written off; the money goes back to the
    donations that funded it, as a repayment's would (balances.LoanBalance.returned)."""
    check_account(account)
    take_loan(loan, "recover")
    if loan.written_off_on and paid_on < loan.written_off_on:
        raise MoneyRefused(
            _l(
                "Money back after the write-off cannot be dated before it (%(day)s).",
                day=format_date(loan.written_off_on),
            ),
            "paid_on",
        )
    ensure_open(loan.fund_id, paid_on, "paid_on")
    balance = balances.loan_balance(loan)
    left = balance.written_off - balance.recovered
    if amount > left:
        raise MoneyRefused(
            _l(
                "This is more than was written off: only %(amount)s is still to come back.",
                amount=format_money(left),
            ),
            "amount",
        )
    check_paper_receipt(loan.fund_id, paper_book, paper_no)
    receipt_no = next_document_no(loan.fund_id, "PT", paid_on.year)
    transaction = post(
        loan.fund_id,
        balances.RECOVERY,
        paid_on,
        [Leg(account, amount, loan_id=loan.id), Leg(balances.WRITTEN_OFF, -amount, loan_id=loan.id)],
        document_no=receipt_no,
        description=f"loan {loan.id}",
        user_id=user_id,
    )
    recovery = Repayment(
        fund_id=loan.fund_id,
        loan_id=loan.id,
        amount=amount,
        paid_on=paid_on,
        method=method,
        receipt_no=receipt_no,
        paper_book=paper_book,
        paper_no=paper_no,
        kind="recovery",
        transaction_id=transaction.id,
    )
    db.session.add(recovery)
    db.session.flush()
    return recovery


def reverse_repayment(repayment: Repayment, reason: str, user_id: int | None) -> JournalTransaction:
    """Take back a receipt entered by mistake (mirror entries dated today; the receipt stays, void).

    Its money came back to the donations that funded the loan; if that money has since been lent
    again, those donations would now show less than nothing in the cash box, so their share in the
    loans lent since is handed to donations that have the money (share_relent_money). Refused only
    when the cash box itself does not hold the amount."""
    recovery = repayment.kind == "recovery"
    take_loan(repayment.loan, "reverse_recovery" if recovery else "reverse_repayment")
    db.session.refresh(repayment)
    if repayment.reversal_id is not None:
        raise MoneyRefused(_l("This entry has already been reversed."))
    refunded = db.session.scalar(
        select(func.count())
        .select_from(Funding)
        .join(Donation, Donation.id == Funding.donation_id)
        .where(
            Funding.loan_id == repayment.loan_id, Funding.void.is_(False), Donation.reversal_id.is_not(None)
        )
    )
    if refunded:
        # The loan's money came from a donation that has since been reversed (given back): the
        # repayment cannot go back out on loan on that donation's account.
        raise MoneyRefused(
            _l(
                "This loan was funded by a donation that has since been reversed; "
                "this receipt cannot be reversed."
            )
        )
    account = balances.account_of(repayment.transaction)
    cash = balances.available_cash(repayment.fund_id, clock.today(), account)
    if repayment.amount > cash:
        raise MoneyRefused(
            _l(
                "Cash on hand is only %(cash)s, less than this receipt (%(amount)s): its money has "
                "been lent out again, so it cannot be taken back out until more money comes in.",
                cash=format_money(cash),
                amount=format_money(repayment.amount),
            )
        )
    reversal = reverse(repayment.transaction, clock.today(), reason, user_id)
    repayment.reversal_id = reversal.id
    if not recovery:
        move_loan(repayment.loan, "reverse_repayment")
    db.session.flush()
    short = share_relent_money(repayment.fund_id, since=repayment.paid_on)
    if short is not None:
        raise MoneyRefused(
            _l(
                "The money this receipt brought back to donation %(receipt)s has been lent out again, "
                "and no other donation has the money to take its place.",
                receipt=short.receipt_no,
            )
        )
    return reversal


def share_relent_money(fund_id: int, since: dt.date) -> Donation | None:
    """After a reversal took back money that had come back to donations: a donation that has since
    lent that money again would show less than nothing in the cash box. Its share in the loans paid
    out since `since` that are still owed (newest first) is handed to donations that have money,
    oldest first, as if they had paid for it: the replaced funding is kept, void. Returns None when
    every donation is covered, else the first donation that could not be."""
    for _attempt in range(50):  # each round covers one donation's shortfall in one loan
        available = balances.donation_available(fund_id)
        short = next(
            ((donation_id, -amount) for donation_id, amount in available.items() if amount < 0), None
        )
        if short is None:
            return None
        donation_id, need = short
        spare = [ledger.Source(d, amount, False) for d, amount in available.items() if amount > 0]
        candidates = db.session.scalars(
            select(Funding)
            .join(Loan, Loan.id == Funding.loan_id)
            .where(
                Funding.fund_id == fund_id,
                Funding.donation_id == donation_id,
                Funding.void.is_(False),
                Loan.disbursed_on >= since,
            )
            .order_by(Loan.disbursed_on.desc(), Funding.id.desc())
        ).all()
        by_loan = balances.loan_balances(sorted({funding.loan_id for funding in candidates}))
        owing = [f for f in candidates if by_loan[f.loan_id].repaid < f.loan.lent]
        if not owing or not spare:
            return db.session.get(Donation, donation_id)
        funding = owing[0]
        principal, repaid = funding.loan.lent, by_loan[funding.loan_id].repaid
        # Moving x of the share frees x less the part of it that has come back already.
        moved = min(
            funding.amount, -(-need * principal // (principal - repaid)), sum(s.available for s in spare)
        )
        funding.void = True
        if funding.amount > moved:
            db.session.add(
                Funding(
                    fund_id=fund_id,
                    loan_id=funding.loan_id,
                    donation_id=donation_id,
                    amount=funding.amount - moved,
                )
            )
        for source_id, amount in ledger.allocate(moved, spare):
            db.session.add(
                Funding(fund_id=fund_id, loan_id=funding.loan_id, donation_id=source_id, amount=amount)
            )
        db.session.flush()
    return db.session.get(Donation, short[0])


def reverse_donation(donation: Donation, reason: str, user_id: int | None) -> JournalTransaction:
    lock_fund(donation.fund_id)
    db.session.refresh(donation)
    if donation.reversal_id is not None:
        raise MoneyRefused(_l("This donation has already been reversed."))
    in_use = donation.amount - balances.donation_available(donation.fund_id).get(donation.id, 0)
    if in_use > 0:
        raise MoneyRefused(
            _l(
                "%(amount)s of this donation is lent out; reverse those disbursements first.",
                amount=format_money(in_use),
            )
        )
    reversal = reverse(donation.transaction, clock.today(), reason, user_id)
    donation.reversal_id = reversal.id
    db.session.flush()
    return reversal


def reverse_disbursement(loan: Loan, reason: str, user_id: int | None) -> JournalTransaction:
    take_loan(loan, "reverse_disbursement")
    if loan.disbursement_id is None:
        raise MoneyRefused(loan_status.STEPS["reverse_disbursement"].refusal)
    live_repayments = [r for r in loan.repayments if r.reversal_id is None]
    if live_repayments:
        raise MoneyRefused(
            _l("The loan has %(count)s repayment(s); reverse them first.", count=len(live_repayments))
        )
    if db.session.scalar(select(ScheduleChange.id).where(ScheduleChange.loan_id == loan.id).limit(1)):
        raise MoneyRefused(_l("The committee has changed this loan's schedule; its disbursement stays."))
    original = db.session.get(JournalTransaction, loan.disbursement_id)
    reversal = reverse(original, clock.today(), reason, user_id)
    move_loan(loan, "reverse_disbursement")
    loan.disbursed_on = None
    loan.disbursed_by_id = None
    loan.disbursement_id = None
    loan.voucher_no = ""  # the voided phiếu chi stays in the journal and the cash book
    for installment in db.session.scalars(
        select(Installment).where(Installment.loan_id == loan.id, Installment.superseded.is_(False))
    ):
        installment.superseded = True
    for funding in loan.fundings:
        funding.void = True
    db.session.flush()
    return reversal


# ------------------------------------------------------------------ cash and bank


TRANSFER_SIDES = {  # kind: (the account the money leaves, the account it goes into, document series)
    # A deposit takes cash out of the box: a phiếu chi. A withdrawal brings cash in: a phiếu thu.
    # The bank's side of each is evidenced by the bank's own giấy báo Nợ/Có (Transfer.bank_ref).
    "deposit": (balances.CASH, balances.BANK, "PC"),
    "withdrawal": (balances.BANK, balances.CASH, "PT"),
}


def record_transfer(transfer: Transfer, user_id: int | None) -> Transfer:
    """Move money between the cash box and the bank (Dr the account it goes into, Cr the one it
    leaves), numbered on the cash box's document, never taking the account it leaves below zero."""
    source, target, series = TRANSFER_SIDES[transfer.kind]
    lock_fund(transfer.fund_id)
    ensure_open(transfer.fund_id, transfer.made_on, "made_on")
    if not transfer.reason.strip():
        raise MoneyRefused(_l("Enter the reason."), "reason")
    ensure_covered(transfer.fund_id, source, transfer.made_on, transfer.amount, "amount")
    transfer.document_no = next_document_no(transfer.fund_id, series, transfer.made_on.year)
    transaction = post(
        transfer.fund_id,
        balances.TRANSFER,
        transfer.made_on,
        [Leg(target, transfer.amount), Leg(source, -transfer.amount)],
        document_no=transfer.document_no,
        description=transfer.kind,
        user_id=user_id,
    )
    transfer.transaction_id = transaction.id
    db.session.add(transfer)
    db.session.flush()
    return transfer


def reverse_transfer(transfer: Transfer, reason: str, user_id: int | None) -> JournalTransaction:
    """Take a transfer back (mirror entries dated today; its document stays, void): refused when
    the account the money went into no longer holds it."""
    lock_fund(transfer.fund_id)
    db.session.refresh(transfer)
    if transfer.reversal_id is not None:
        raise MoneyRefused(_l("This entry has already been reversed."))
    reversal = reverse(transfer.transaction, clock.today(), reason, user_id)
    transfer.reversal_id = reversal.id
    db.session.flush()
    return reversal


# ------------------------------------------------------------------ money that is not a loan

# A grant (hỗ trợ không hoàn lại) or a running cost (chi hoạt động): its event and the account it
# is spent on (Dr), against the money account it is paid from (Cr: cash or bank, the pay form's).
SPENDING_EVENTS = {"grant": balances.GRANT, "expense": balances.EXPENSE}
SPENDING_ACCOUNTS = {"grant": balances.GRANTS_PAID, "expense": balances.RUNNING_COSTS}


def take_spending(spending: Spending, *statuses: str) -> None:
    """The fund's lock, then the spending read again under it: another request may have decided,
    paid or reversed it since this one first read it."""
    lock_fund(spending.fund_id)
    database.lock_row(spending)
    if spending.status not in statuses or spending.reversal_id is not None:
        raise MoneyRefused(
            _l("This has already been decided or paid; reload the page to see it as it is now.")
        )


def decide_spending(
    spending: Spending, approved: bool, decided_on: dt.date, reason: str, user_id: int | None
) -> Spending:
    """The chair's approval or refusal of a proposed grant or cost, with the reason."""
    take_spending(spending, "proposed")
    if not reason.strip():
        raise MoneyRefused(_l("Enter the reason for the decision."), "reason")
    if decided_on < spending.proposed_on:
        raise MoneyRefused(
            _l(
                "The decision cannot be dated before the proposal (%(date)s).",
                date=format_date(spending.proposed_on),
            ),
            "decided_on",
        )
    spending.status = "approved" if approved else "rejected"
    spending.decided_on, spending.decided_by_id = decided_on, user_id
    spending.decision_reason = reason.strip()
    db.session.flush()
    return spending


def pay_spending(
    spending: Spending, paid_on: dt.date, user_id: int | None, account: str = balances.CASH
) -> Spending:
    """Pay an approved grant or cost with a phiếu chi (the loans' PC numbers): Dr grants_paid or
    running_costs, Cr the money account; never more than that account holds then and later.
    The donations whose money pays it are recorded (oldest first, a donation earmarked for the
    person first), as a loan's are."""
    take_spending(spending, "approved")
    if spending.decided_on and paid_on < spending.decided_on:
        raise MoneyRefused(_l("The payment cannot be dated before the approval."), "paid_on")
    ensure_open(spending.fund_id, paid_on, "paid_on")
    ensure_covered(spending.fund_id, check_account(account), paid_on, spending.amount, "paid_on")
    spending.voucher_no = next_document_no(spending.fund_id, "PC", paid_on.year)
    transaction = post(
        spending.fund_id,
        SPENDING_EVENTS[spending.category],
        paid_on,
        [Leg(SPENDING_ACCOUNTS[spending.category], spending.amount), Leg(account, -spending.amount)],
        document_no=spending.voucher_no,
        description=spending.kind,  # the cash book says the kind, never the person
        user_id=user_id,
    )
    spending.status = "paid"
    spending.paid_on, spending.paid_by_id = paid_on, user_id
    spending.transaction_id = transaction.id
    allocate_spending_funding(spending)
    db.session.flush()
    return spending


def allocate_spending_funding(spending: Spending) -> None:
    available = balances.donation_available(spending.fund_id)
    earmarked = set()
    if spending.person_id is not None:
        earmarked = set(
            db.session.scalars(
                select(Donation.id).where(
                    Donation.id.in_(list(available)), Donation.earmark_person_id == spending.person_id
                )
            )
        )
    sources = [
        ledger.Source(donation_id, amount, donation_id in earmarked)
        for donation_id, amount in available.items()
    ]
    for donation_id, amount in ledger.allocate(spending.amount, sources):
        db.session.add(
            SpendingFunding(
                fund_id=spending.fund_id, spending_id=spending.id, donation_id=donation_id, amount=amount
            )
        )


def reverse_spending(spending: Spending, reason: str, user_id: int | None) -> JournalTransaction:
    """Take back a grant or cost paid by mistake: mirror entries dated today, the phiếu chi stays,
    void; the money is the donations' again."""
    take_spending(spending, "paid")
    reversal = reverse(spending.transaction, clock.today(), reason, user_id)
    spending.reversal_id = reversal.id
    for funding in db.session.scalars(
        select(SpendingFunding).where(SpendingFunding.spending_id == spending.id)
    ):
        funding.void = True
    db.session.flush()
    return reversal
