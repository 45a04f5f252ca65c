"""Reports as plain rows: one function per report, queried in a fixed number of statements.

The screen, the CSV and the XLSX of a report all render the rows these functions return, so they
cannot disagree. Every amount comes from the journal (sums over journal_line), as of the date asked
for, never from a stored counter or from a document's own amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from tracker import database, labels
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.models import (
    CLOSED_STATUSES,
    VISIT_KINDS,
    CommitteeMember,
    Donation,
    Donor,
    Funding,
    JournalLine,
    JournalTransaction,
    Loan,
    MentorAssignment,
    Person,
    PersonStatusChange,
    Repayment,
    Transfer,
    Visit,
)
from tracker.money import balances, ledger, schedules

# ------------------------------------------------------------------ outstanding loans (dư nợ)


class OutstandingRow(NamedTuple):
    loan_id: int
    person_id: int
    person_name: str
    principal: int  # disbursed as of the date, net of a reversed disbursement
    repaid: int
    written_off: int
    outstanding: int
    overdue_amount: int
    days_overdue: int
    status: str  # at the date: active, repaid or written_off


OUTSTANDING_COLUMNS = OutstandingRow._fields
OUTSTANDING_AMOUNTS = ("principal", "repaid", "written_off", "outstanding", "overdue_amount")


def outstanding(funds: balances.Funds, as_of: dt.date) -> list[OutstandingRow]:
    """Every loan of the fund (or funds) disbursed on or before `as_of`, with its balances and
    arrears at that date.

    Loans that were repaid or written off by then are kept, marked, so that the totals reconcile
    with the cash book. Three queries whatever the number of loans.
    """
    disbursed_by_then = balances.loans_disbursed_by(funds, as_of)
    found = db.session.execute(
        select(Loan, Person.full_name)
        .join(Person, Person.id == Loan.person_id)
        .where(
            balances.of_funds(Loan.fund_id, funds),
            balances.of_funds(Person.fund_id, funds),
            Loan.id.in_(disbursed_by_then),
        )
        .order_by(Loan.id)
    ).all()
    # By the SELECT, not a list of ids: a fund's hundred ids, twice, made a statement longer than
    # psycopg keeps parsed (4 KB), so it was parsed again at every view.
    positions = balances.loan_positions(disbursed_by_then, as_of)
    rows = []
    for loan, person_name in found:
        position = positions.get(loan.id)
        if position is None or position.balance.disbursed == 0:
            continue  # the disbursement was reversed by then: the loan never went out
        balance, arrears = position.balance, position.arrears
        rows.append(
            OutstandingRow(
                loan_id=loan.id,
                person_id=loan.person_id,
                person_name=person_name,
                principal=balance.disbursed,
                repaid=balance.repaid,
                written_off=balance.written_off,
                outstanding=balance.outstanding,
                overdue_amount=arrears.overdue_amount,
                days_overdue=arrears.days_overdue,
                status=status_at(balance),
            )
        )
    return rows


def status_at(balance: balances.LoanBalance) -> str:
    """The loan's status as the journal shows it at the date of the balance (not its status today)."""
    if balance.outstanding > 0:
        return "active"
    if balance.written_off > 0:
        return "written_off"
    return "repaid"


def outstanding_totals(rows: list[OutstandingRow]) -> dict[str, int]:
    return {column: sum(getattr(row, column) for row in rows) for column in OUTSTANDING_AMOUNTS}


# ------------------------------------------------------------------ cash book (sổ quỹ)


class CashbookRow(NamedTuple):
    date: dt.date
    receipt_no: str
    kind: str  # opening, donation, disbursement, repayment, <event>_reversal, closing
    description: str
    money_in: int | None  # None on the opening and closing rows
    money_out: int | None
    balance: int
    paper_book: str  # the paper phiếu thu the money was first written on, if any
    paper_no: str
    account: str  # the money account of the row: cash or bank ("" on the combined book's opening and closing)


CASHBOOK_COLUMNS = CashbookRow._fields
# The books: sổ quỹ tiền mặt, sổ tiền gửi ngân hàng, or both together (?account=cash|bank|all).
BOOKS = (balances.CASH, balances.BANK, "all")


def cashbook(fund_id: int, start: dt.date, end: dt.date, account: str = balances.CASH) -> list[CashbookRow]:
    """The book of one money account (or of both, `all`) from `start` to `end`: the opening
    balance, one row per transaction and account (a reversal is its own row, on the other side; on
    the combined book a move between cash and the bank is two rows, out of one and into the other),
    the running balance, and the closing balance. Two queries whatever the number of transactions.
    No borrower's name appears: a cash book is shown and exported more widely than the loan files."""
    return list(cashbook_rows(fund_id, start, end, account))


CASHBOOK_BATCH = 100  # rows fetched at a time: an export holds this many, not the whole book


def cashbook_rows(
    fund_id: int, start: dt.date, end: dt.date, account: str = balances.CASH
) -> Iterator[CashbookRow]:
    """cashbook() one row at a time, read from the database in batches as they are used: the CSV
    export writes a book of years without holding it (wrap in stream_with_context; the rows are then
    read in a transaction of their own)."""
    database.begin_snapshot()
    of_book = balances.money_account(None if account == "all" else account)
    opening = db.session.scalar(
        select(func.coalesce(func.sum(JournalLine.amount), 0)).where(
            JournalLine.fund_id == fund_id,
            of_book,
            JournalLine.posted_on < start,
        )
    )
    original = aliased(JournalTransaction)
    transaction = JournalTransaction
    query = (
        select(
            transaction.id,
            transaction.posted_on,
            transaction.document_no,
            transaction.event,
            transaction.reverses_id,
            original.document_no,
            func.max(JournalLine.loan_id),
            Donor.name,
            Donor.anonymous,
            func.coalesce(Donation.paper_book, Repayment.paper_book, ""),
            func.coalesce(Donation.paper_no, Repayment.paper_no, ""),
            func.coalesce(original.description, transaction.description),
            Transfer.bank_ref,
            JournalLine.account,
            func.sum(JournalLine.amount),
        )
        .join(JournalLine, JournalLine.transaction_id == transaction.id)
        .outerjoin(original, original.id == transaction.reverses_id)
        # A donation's reversal names the same donor as the donation.
        .outerjoin(
            Donation,
            and_(
                Donation.fund_id == fund_id,  # so PostgreSQL does not hash every fund's donations
                Donation.transaction_id == func.coalesce(transaction.reverses_id, transaction.id),
            ),
        )
        .outerjoin(Donor, Donor.id == Donation.donor_id)
        # and a repayment's, the paper receipt it was written on
        .outerjoin(
            Repayment,
            and_(
                Repayment.fund_id == fund_id,
                Repayment.transaction_id == func.coalesce(transaction.reverses_id, transaction.id),
            ),
        )
        # and a transfer's, the bank's advice that evidences it
        .outerjoin(
            Transfer,
            and_(
                Transfer.fund_id == fund_id,
                Transfer.transaction_id == func.coalesce(transaction.reverses_id, transaction.id),
            ),
        )
        .where(
            JournalLine.fund_id == fund_id,
            of_book,
            JournalLine.posted_on >= start,
            JournalLine.posted_on <= end,
        )
        .group_by(
            transaction.id,
            transaction.posted_on,
            transaction.document_no,
            transaction.event,
            transaction.reverses_id,
            original.document_no,
            original.description,
            transaction.description,
            Donor.name,
            Donor.anonymous,
            Donation.paper_book,
            Donation.paper_no,
            Repayment.paper_book,
            Repayment.paper_no,
            Transfer.bank_ref,
            JournalLine.account,
        )
        # out of the cash box before into the bank, on the combined book's two rows of a move
        .order_by(transaction.posted_on, transaction.id, JournalLine.account.desc())
    )
    balance = int(opening)
    book = "" if account == "all" else account
    yield CashbookRow(start, "", "opening", _("Opening balance"), None, None, balance, "", "", book)
    for (
        _id,
        posted_on,
        document_no,
        event,
        reverses_id,
        original_no,
        loan_id,
        donor,
        anonymous,
        paper_book,
        paper_no,
        note,
        bank_ref,
        line_account,
        cash,
    ) in db.session.execute(query.execution_options(yield_per=CASHBOOK_BATCH)):
        cash = int(cash)
        balance += cash
        description = describe(event, loan_id, donor, anonymous, note)
        if bank_ref:
            description = _("%(entry)s (bank's advice %(ref)s)", entry=description, ref=bank_ref)
        kind = event
        if reverses_id is not None:
            kind = f"{event}_reversal"
            description = _("Reversal of %(document)s (%(entry)s)", document=original_no, entry=description)
        yield CashbookRow(
            posted_on,
            document_no,
            kind,
            description,
            max(cash, 0),
            max(-cash, 0),
            balance,
            paper_book,
            paper_no,
            line_account,
        )
    yield CashbookRow(end, "", "closing", _("Closing balance"), None, None, balance, "", "", book)


def describe(
    event: str, loan_id: int | None, donor: str | None, anonymous: bool | None, note: str = ""
) -> str:
    """A cash book row in words. `note` is the transaction's description: a transfer's kind, or a
    grant's or a cost's kind (journal.pay_spending keeps it there) — never a person's name."""
    if event == "donation":
        name = _("Anonymous benefactor") if anonymous or not donor else donor
        return _("Donation: %(donor)s", donor=name)
    if event == "disbursement":
        return _("Disbursement of loan #%(id)s", id=loan_id)
    if event == "repayment":
        return _("Repayment of loan #%(id)s", id=loan_id)
    if event == "recovery":
        return _("Money back after the write-off of loan #%(id)s", id=loan_id)
    if event == balances.TRANSFER:
        return str(labels.TRANSFER_KINDS.get(note, note))
    if event == balances.GRANT:
        return _("Grant paid (not to be repaid): %(kind)s", kind=labels.label(labels.SPENDING_KINDS, note))
    if event == balances.EXPENSE:
        return _("Running cost paid: %(kind)s", kind=labels.label(labels.SPENDING_KINDS, note))
    return event


def cashbook_totals(rows: list[CashbookRow]) -> dict[str, int]:
    """Money in and out over the period (the opening and closing rows carry none)."""
    return {
        "money_in": sum(row.money_in or 0 for row in rows),
        "money_out": sum(row.money_out or 0 for row in rows),
    }


# ------------------------------------------------------------------ aging (phân tích nợ quá hạn)

NOT_OVERDUE = "not_overdue"
PAUSED = "paused"  # collection paused (khoanh nợ) on the day: listed apart, whatever is overdue
AGING_BUCKETS = (NOT_OVERDUE, *(label for label, _low, _high in ledger.AGING_BUCKETS), PAUSED)
SHARE_PLACES = Decimal("0.0001")


class AgingRow(NamedTuple):
    bucket: str  # not_overdue, 1-30, 31-60, 61-90, 91-180, 181-360, 360+ or paused
    loans: int
    outstanding: int
    overdue_amount: int
    share_of_outstanding: Decimal | None  # of all outstanding, 4 places; None when nothing is owed


AGING_COLUMNS = AgingRow._fields


class AgedLoan(NamedTuple):
    bucket: str
    loan: OutstandingRow

    @property
    def debt_group(self) -> int:
        return ledger.debt_group(self.loan.days_overdue)


class DebtGroupRow(NamedTuple):
    group: int  # 1-5, the State Bank's nhóm nợ
    low: int  # days overdue, inclusive
    high: int | None  # None for the last group
    loans: int
    outstanding: int
    share_of_outstanding: Decimal | None


@dataclass(frozen=True)
class Aging:
    rows: list[AgingRow]  # every bucket, in order, also the empty ones
    groups: list[DebtGroupRow]  # the State Bank's debt groups 1-5, also the empty ones
    loans: list[AgedLoan]  # the loans owed at the date, most overdue first (the on-screen detail)
    outstanding: int
    overdue_amount: int
    at_risk_30: int  # outstanding of the loans more than 30 days overdue
    par30: float | None  # None when nothing is owed
    arrears_rate: float | None

    @property
    def loan_count(self) -> int:
        return len(self.loans)


def aging(funds: balances.Funds, as_of: dt.date) -> Aging:
    """The loans owed at `as_of` by how long they have been overdue (DESIGN §4.8), with PAR30 and
    the arrears rate. Built on the rows of outstanding(), so that its totals are the outstanding
    report's to the đồng (loans repaid or written off by then owe nothing and are left out)."""
    owed = [row for row in outstanding(funds, as_of) if row.outstanding > 0]
    owed.sort(key=lambda row: (-row.days_overdue, row.loan_id))
    paused = schedules.paused_on([row.loan_id for row in owed], as_of)

    def bucket_of(row: OutstandingRow) -> str:
        if row.loan_id in paused:
            return PAUSED
        return ledger.aging_bucket(row.days_overdue) or NOT_OVERDUE

    grouped: dict[str, list[OutstandingRow]] = {bucket: [] for bucket in AGING_BUCKETS}
    for row in owed:
        grouped[bucket_of(row)].append(row)
    total = sum(row.outstanding for row in owed)
    overdue = sum(row.overdue_amount for row in owed)
    rows = []
    for bucket, loans in grouped.items():
        part = sum(row.outstanding for row in loans)
        rows.append(
            AgingRow(
                bucket=bucket,
                loans=len(loans),
                outstanding=part,
                overdue_amount=sum(row.overdue_amount for row in loans),
                share_of_outstanding=share(part, total),
            )
        )
    by_group: dict[int, list[OutstandingRow]] = {group: [] for group, _low, _high in ledger.DEBT_GROUPS}
    for row in owed:
        by_group[ledger.debt_group(row.days_overdue)].append(row)
    groups = []
    for group, low, high in ledger.DEBT_GROUPS:
        part = sum(row.outstanding for row in by_group[group])
        groups.append(DebtGroupRow(group, low, high, len(by_group[group]), part, share(part, total)))
    return Aging(
        rows=rows,
        groups=groups,
        loans=[AgedLoan(bucket_of(row), row) for row in owed],
        outstanding=total,
        overdue_amount=overdue,
        at_risk_30=ledger.at_risk((row.outstanding, row.days_overdue) for row in owed)[0],
        par30=ledger.par30((row.outstanding, row.days_overdue) for row in owed),
        arrears_rate=ledger.arrears_rate(overdue, total),
    )


def share(part: int, total: int) -> Decimal | None:
    """part ÷ total as a decimal with 4 places (0.0660 is 6,6%), the same on screen and in exports."""
    if total <= 0:
        return None
    return (Decimal(part) / Decimal(total)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def bucket_debt_groups(bucket: str) -> tuple[int, ...]:
    """The debt groups an aging bucket falls into (not overdue: group 1)."""
    if bucket == NOT_OVERDUE:
        return (1,)
    for label, low, high in ledger.AGING_BUCKETS:
        if label == bucket:
            return ledger.debt_groups_of_bucket(low, high)
    return ()


def debt_group_days(row: DebtGroupRow) -> str:
    if row.low == 0:
        return _("Not overdue or under %(days)s days overdue", days=row.high + 1)
    if row.high is None:
        return _("Over %(days)s days overdue", days=row.low - 1)
    return _("%(low)s–%(high)s days overdue", low=row.low, high=row.high)


def aging_bucket_label(bucket: str) -> str:
    if bucket == NOT_OVERDUE:
        return _("Not overdue")
    if bucket == PAUSED:
        return _("Collection paused")
    for label, low, high in ledger.AGING_BUCKETS:
        if label == bucket:
            if high is None:
                return _("Over %(days)s days", days=low - 1)
            return _("%(low)s–%(high)s days", low=low, high=high)
    return bucket


# ------------------------------------------------------------------ donors (nhà tài trợ)


class DonorRow(NamedTuple):
    donor_id: int
    donor_name: str  # an anonymous donor is never named here (see anonymous_donor_names)
    kind: str  # business, individual or organisation
    donations: int  # in the period, reversed ones left out
    amount_in_period: int
    total_given: int  # ever, reversed donations left out
    lent_out_now: int  # their money out on loan today
    returned: int  # their share of what borrowers have repaid
    lost: int  # their share of what was written off


DONOR_COLUMNS = DonorRow._fields
DONOR_AMOUNTS = ("donations", "amount_in_period", "total_given", "lent_out_now", "returned", "lost")


def donors(fund_id: int, start: dt.date, end: dt.date) -> list[DonorRow]:
    """Every donor who has given (and not had it reversed), in Vietnamese order: what they gave in
    the period and ever, and what their money is doing today. Three queries whatever the number of
    donors, donations or loans.

    A donation's money goes into loans through Funding rows; of each share, the part repaid comes
    back pro rata (balances.funding_returns, as on the donor's page and in the cash the fund can lend),
    the part written off is lost, and the rest is still out on loan. Shares are rounded on each
    loan's running total, so lent_out_now + returned + lost is exactly what was lent from each
    donation, and the donors' lent_out_now adds up to the outstanding report to the đồng.
    """
    live = and_(Donation.donor_id == Donor.id, Donation.fund_id == fund_id, Donation.reversal_id.is_(None))
    in_period = and_(Donation.received_on >= start, Donation.received_on <= end)
    found = db.session.execute(
        select(
            Donor.id,
            Donor.name,
            Donor.kind,
            Donor.anonymous,
            func.sum(case((in_period, 1), else_=0)),
            func.sum(case((in_period, Donation.amount), else_=0)),
            func.sum(Donation.amount),
        )
        .join(Donation, live)
        .where(Donor.fund_id == fund_id)
        .group_by(Donor.id, Donor.name, Donor.kind, Donor.anonymous, Donor.sort_key)
        .order_by(Donor.sort_key, Donor.id)
    ).all()
    # Every live funding of the fund's loans (a share comes back in proportion to the whole loan's),
    # then only those of live donations are counted.
    fundings = db.session.execute(
        select(
            Funding.id,
            Funding.loan_id,
            Funding.amount,
            Loan.lent,
            Donation.donor_id,
            Donation.reversal_id.is_(None).label("live"),
        )
        .join(Donation, Donation.id == Funding.donation_id)
        .join(Loan, Loan.id == Funding.loan_id)
        # Every joined table is held to the fund too, so that PostgreSQL walks the fund's rows by
        # index instead of hashing the whole country's donations and loans (bench/NOTES.md).
        .where(
            Funding.fund_id == fund_id,
            Donation.fund_id == fund_id,
            Loan.fund_id == fund_id,
            Funding.void.is_(False),
        )
    ).all()
    by_loan = balances.loan_balances(sorted({row.loan_id for row in fundings}))
    returned_of = balances.funding_returns(fundings, lambda loan_id: by_loan[loan_id].returned)
    # A write-off takes all that is outstanding: a written-off loan's settled shares are its
    # fundings whole, so no share's loss (settled - returned) is below zero.
    settled_of = balances.funding_returns(
        fundings, lambda loan_id: by_loan[loan_id].repaid + by_loan[loan_id].written_off
    )
    trail: dict[int, list[int]] = {}  # donor -> [lent out, returned, lost]
    for funding_id, _loan_id, funded, _principal, donor_id, live in fundings:
        if not live:
            continue
        funded = int(funded)
        returned, settled = returned_of[funding_id], settled_of[funding_id]
        sums = trail.setdefault(donor_id, [0, 0, 0])
        sums[0] += funded - settled
        sums[1] += returned
        sums[2] += settled - returned
    rows = []
    for donor_id, name, kind, anonymous, count, in_period_amount, total in found:
        lent_out, returned, lost = trail.get(donor_id, (0, 0, 0))
        rows.append(
            DonorRow(
                donor_id=donor_id,
                donor_name=_("Anonymous donor") if anonymous else name,
                kind=kind,
                donations=int(count or 0),
                amount_in_period=int(in_period_amount or 0),
                total_given=int(total or 0),
                lent_out_now=lent_out,
                returned=returned,
                lost=lost,
            )
        )
    return rows


def donor_totals(rows: list[DonorRow]) -> dict[str, int]:
    return {column: sum(getattr(row, column) for row in rows) for column in DONOR_AMOUNTS}


def anonymous_donor_names(fund_id: int) -> dict[int, str]:
    """The real names of the anonymous donors, for the one role that may see them on screen (the
    treasurer, who records their money); never for an export."""
    return dict(
        db.session.execute(
            select(Donor.id, Donor.name).where(Donor.fund_id == fund_id, Donor.anonymous.is_(True))
        ).all()
    )


# ------------------------------------------------------------------ visits by mentor (thăm hỏi)


class MentorVisitsRow(NamedTuple):
    mentor_id: int | None  # None: visits and people with no mentor recorded
    mentor_name: str
    people: int  # supported people assigned to them now
    visits_made: int  # in the period, by them
    visits_home: int
    visits_phone: int
    visits_workplace: int
    visits_meeting: int
    visits_due: int  # estimated, see visits_due below
    overdue_now: int  # their supported people whose next visit date has passed


MENTOR_VISITS_COLUMNS = MentorVisitsRow._fields
MENTOR_VISITS_COUNTS = MENTOR_VISITS_COLUMNS[2:]


def visits_by_mentor(fund_id: int, start: dt.date, end: dt.date, today: dt.date) -> list[MentorVisitsRow]:
    """Per committee member: their caseload now, the visits they made in the period (by kind), the
    visits due in the period and the visits overdue today. Four queries whatever the number of
    people, visits or members. Members who had left before the period and have nothing in it are
    left out; a last row gathers what has no mentor (visits not attributed, people unassigned)."""
    members = db.session.execute(
        select(CommitteeMember.id, CommitteeMember.full_name, CommitteeMember.left_on)
        .where(CommitteeMember.fund_id == fund_id)
        .order_by(CommitteeMember.sort_key, CommitteeMember.id)
    ).all()
    caseload = {
        mentor_id: (int(people), int(overdue or 0))
        for mentor_id, people, overdue in db.session.execute(
            select(
                Person.mentor_id,
                func.count(Person.id),
                func.sum(case((Person.visit_overdue(today), 1), else_=0)),
            )
            .where(Person.fund_id == fund_id, Person.status == "supported", Person.erased_at.is_(None))
            .group_by(Person.mentor_id)
        )
    }
    made = {
        mentor_id: [int(value or 0) for value in counts]
        for mentor_id, *counts in db.session.execute(
            select(
                Visit.mentor_id,
                func.count(Visit.id),
                *(func.sum(case((Visit.kind == kind, 1), else_=0)) for kind in VISIT_KINDS),
            )
            .where(Visit.fund_id == fund_id, Visit.visited_on >= start, Visit.visited_on <= end)
            .group_by(Visit.mentor_id)
        )
    }
    due = visits_due(fund_id, start, end, today)

    def row(mentor_id: int | None, name: str) -> MentorVisitsRow:
        people, overdue = caseload.get(mentor_id, (0, 0))
        visits = made.get(mentor_id, [0] * (1 + len(VISIT_KINDS)))
        return MentorVisitsRow(mentor_id, name, people, *visits, due.get(mentor_id, 0), overdue)

    rows = []
    for mentor_id, name, left_on in members:
        found = row(mentor_id, name)
        if (left_on is None or left_on >= start) or any(found[2:]):
            rows.append(found)
    unattributed = row(None, _("No mentor recorded"))
    if any(unattributed[2:]):
        rows.append(unattributed)
    return rows


def visits_due(fund_id: int, start: dt.date, end: dt.date, today: dt.date) -> dict[int | None, int]:
    """An honest estimate of the visits due in the period, per mentor (one query).

    For each mentor assignment, the days of the period (up to today) on which the person was
    assigned to that mentor and their case was open, divided by the person's visit interval,
    rounded down. A case closed today counts up to its closing date; a case closed and reopened
    counts as open throughout. A reassignment splits the days between the two mentors.
    """
    closed_on = (
        select(func.max(PersonStatusChange.changed_on))
        .where(
            PersonStatusChange.person_id == Person.id,
            PersonStatusChange.to_status.in_(CLOSED_STATUSES),
        )
        .scalar_subquery()
    )
    assignments = db.session.execute(
        select(
            MentorAssignment.mentor_id,
            MentorAssignment.assigned_on,
            MentorAssignment.ended_on,
            Person.visit_interval_days,
            case((Person.status.in_(CLOSED_STATUSES), closed_on), else_=None),
        )
        .join(Person, Person.id == MentorAssignment.person_id)
        .where(
            MentorAssignment.fund_id == fund_id,
            Person.fund_id == fund_id,
            MentorAssignment.assigned_on <= end,
            or_(MentorAssignment.ended_on.is_(None), MentorAssignment.ended_on > start),
        )
    ).all()
    result: dict[int | None, int] = {}
    for mentor_id, assigned_on, ended_on, interval, closed in assignments:
        first = max(start, assigned_on)
        last = min(end, today)
        for stop in (ended_on, closed):  # the day of a reassignment or a closing is not counted
            if stop is not None:
                last = min(last, stop - dt.timedelta(days=1))
        days = (last - first).days + 1
        if days > 0:
            result[mentor_id] = result.get(mentor_id, 0) + days // (interval or 30)
    return result


def mentor_visits_totals(rows: list[MentorVisitsRow]) -> dict[str, int]:
    return {column: sum(getattr(row, column) for row in rows) for column in MENTOR_VISITS_COUNTS}
