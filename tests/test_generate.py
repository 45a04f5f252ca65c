"""flask --app app generate: the generated books pass the same invariants as the property tests
(tests/test_ledger_properties.py), the casework is consistent, the proportions of DESIGN §7 hold,
the same seed gives the same funds, and the app works on what was generated (SQLite and, with
TEST_DATABASE_URL, PostgreSQL)."""

import datetime as dt
import re
from collections import Counter, defaultdict

import sqlalchemy as sa

from tests.conftest import Browser
from tracker import clock
from tracker.commands import generate
from tracker.extensions import db
from tracker.models import (
    CLOSED_STATUSES,
    PAUSED_STATUS,
    CommitteeMember,
    DocumentCounter,
    Donation,
    Fund,
    Funding,
    Installment,
    JournalLine,
    JournalTransaction,
    Loan,
    MentorAssignment,
    Person,
    PersonStatusChange,
    Repayment,
    Visit,
)
from tracker.money import balances, journal, ledger
from tracker.queries import reports
from tracker.text import searchable, vietnamese_sort_key

RECEIPT = re.compile(r"^(PT|PC)-(\d{4})-(\d{4})$")


def scalar(query):
    return db.session.scalar(query)


def fund_ids() -> list[int]:
    return list(db.session.scalars(sa.select(Fund.id).order_by(Fund.id)))


def check_journal() -> None:
    """Every transaction: two lines that balance, carrying its fund, event and date; reversals mirror
    their original and are never reversed themselves."""
    bad = db.session.execute(
        sa.select(JournalLine.transaction_id)
        .group_by(JournalLine.transaction_id)
        .having(sa.or_(sa.func.sum(JournalLine.amount) != 0, sa.func.count() != 2))
    ).all()
    assert bad == []
    assert scalar(sa.select(sa.func.count()).select_from(JournalTransaction)) * 2 == scalar(
        sa.select(sa.func.count()).select_from(JournalLine)
    )
    mismatched = scalar(
        sa.select(sa.func.count())
        .select_from(JournalLine)
        .join(JournalTransaction, JournalTransaction.id == JournalLine.transaction_id)
        .where(
            sa.or_(
                JournalLine.event != JournalTransaction.event,
                JournalLine.posted_on != JournalTransaction.posted_on,
                JournalLine.fund_id != JournalTransaction.fund_id,
            )
        )
    )
    assert mismatched == 0
    lines = defaultdict(Counter)
    for transaction_id, account, amount, loan_id in db.session.execute(
        sa.select(JournalLine.transaction_id, JournalLine.account, JournalLine.amount, JournalLine.loan_id)
    ):
        lines[transaction_id][(account, loan_id)] += amount
    transactions = {t.id: t for t in db.session.scalars(sa.select(JournalTransaction))}
    for t in transactions.values():
        if t.reverses_id is None:
            continue
        original = transactions[t.reverses_id]
        assert original.reverses_id is None and original.id < t.id
        assert (original.event, original.document_no, original.fund_id) == (t.event, t.document_no, t.fund_id)
        assert t.posted_on >= original.posted_on and t.reason
        assert {key: -amount for key, amount in lines[original.id].items()} == dict(lines[t.id])


def check_cash(fund_id: int) -> None:
    donated = scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Donation.amount), 0)).where(
            Donation.fund_id == fund_id, Donation.reversal_id.is_(None)
        )
    )
    disbursed = scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Loan.principal), 0)).where(
            Loan.fund_id == fund_id, Loan.disbursement_id.is_not(None)
        )
    )
    repaid = scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Repayment.amount), 0)).where(
            Repayment.fund_id == fund_id, Repayment.reversal_id.is_(None)
        )
    )
    cash = balances.cash_balance(fund_id)
    assert cash == donated - disbursed + repaid
    running = 0
    for _day, amount in db.session.execute(
        sa.select(JournalLine.posted_on, sa.func.sum(JournalLine.amount))
        .where(JournalLine.fund_id == fund_id, JournalLine.account == "cash")
        .group_by(JournalLine.posted_on)
        .order_by(JournalLine.posted_on)
    ):
        running += int(amount)
        assert running >= 0
    assert running == cash >= 0
    available = balances.donation_available(fund_id)
    assert all(amount >= 0 for amount in available.values())
    assert sum(available.values()) <= cash


def check_loans(fund_id: int, today: dt.date) -> None:
    loans = db.session.scalars(sa.select(Loan).where(Loan.fund_id == fund_id)).all()
    by_loan = balances.loan_balances([loan.id for loan in loans])
    schedules = defaultdict(list)
    for loan_id, due_on, amount in db.session.execute(
        sa.select(Installment.loan_id, Installment.due_on, Installment.amount_due)
        .where(Installment.fund_id == fund_id, Installment.superseded.is_(False))
        .order_by(Installment.loan_id, Installment.number)
    ):
        schedules[loan_id].append((due_on, amount))
    repayments = defaultdict(int)
    for loan_id, amount in db.session.execute(
        sa.select(Repayment.loan_id, Repayment.amount).where(
            Repayment.fund_id == fund_id, Repayment.reversal_id.is_(None)
        )
    ):
        repayments[loan_id] += amount
    funded = defaultdict(int)
    for loan_id, amount in db.session.execute(
        sa.select(Funding.loan_id, Funding.amount).where(Funding.fund_id == fund_id, Funding.void.is_(False))
    ):
        funded[loan_id] += amount
    for loan in loans:
        balance = by_loan[loan.id]
        if loan.disbursement_id is None:
            assert loan.status in ("requested", "approved", "rejected")
            assert balance.outstanding == 0 and loan.id not in schedules and loan.id not in funded
            continue
        assert loan.decided_on <= loan.disbursed_on and loan.applied_on <= loan.decided_on
        assert balance.disbursed == loan.principal == funded[loan.id]
        assert 0 <= balance.repaid <= loan.principal and balance.outstanding >= 0
        assert balance.repaid == repayments[loan.id]
        assert (loan.status == "repaid") == (balance.outstanding == 0 and balance.written_off == 0)
        assert (loan.status == "written_off") == (balance.written_off > 0)
        assert (loan.written_off_on is not None) == (loan.status == "written_off")
        schedule = schedules[loan.id]
        assert len(schedule) == loan.term_months - loan.grace_months  # the term counts the grace
        assert sum(amount for _, amount in schedule) == loan.principal
        assert schedule == [
            (item.due_on, item.amount_due)
            for item in ledger.build_schedule(
                loan.principal, loan.term_months, loan.grace_months, loan.disbursed_on
            )
        ]
        paid = db.session.scalars(
            sa.select(Repayment.paid_on).where(Repayment.loan_id == loan.id).order_by(Repayment.id)
        ).all()
        assert paid == sorted(paid) and all(loan.disbursed_on < day <= today for day in paid)


def check_receipts(fund_id: int) -> None:
    """Phiếu thu / phiếu chi numbers per series and year: 1..n in date order, n = the counter."""
    numbers = defaultdict(list)
    for document_no, posted_on, event in db.session.execute(
        sa.select(JournalTransaction.document_no, JournalTransaction.posted_on, JournalTransaction.event)
        .where(
            JournalTransaction.fund_id == fund_id,
            JournalTransaction.reverses_id.is_(None),
            JournalTransaction.event != "write_off",
        )
        .order_by(JournalTransaction.id)
    ):
        series, year, number = RECEIPT.match(document_no).groups()
        assert int(year) == posted_on.year
        assert series == ("PC" if event == "disbursement" else "PT")
        numbers[(series, int(year))].append((int(number), posted_on))
    counters = {
        (c.series, c.year): c.last
        for c in db.session.scalars(sa.select(DocumentCounter).where(DocumentCounter.fund_id == fund_id))
    }
    assert counters == {key: len(issued) for key, issued in numbers.items()}
    for issued in numbers.values():
        assert [n for n, _ in issued] == list(range(1, len(issued) + 1))
        assert [day for _, day in issued] == sorted(day for _, day in issued)
    issued_nos = {f"{s}-{y}-{n:04d}" for (s, y), issued in numbers.items() for n, _ in issued}
    documents = (
        db.session.scalars(sa.select(Donation.receipt_no).where(Donation.fund_id == fund_id)).all()
        + db.session.scalars(sa.select(Repayment.receipt_no).where(Repayment.fund_id == fund_id)).all()
        + db.session.scalars(
            sa.select(Loan.voucher_no).where(Loan.fund_id == fund_id, Loan.voucher_no != "")
        ).all()
    )
    assert len(documents) == len(set(documents)) and set(documents) <= issued_nos


def check_outstanding_report(fund_id: int, today: dt.date) -> None:
    def receivable(event: str) -> int:
        return int(
            scalar(
                sa.select(sa.func.coalesce(sa.func.sum(JournalLine.amount), 0)).where(
                    JournalLine.fund_id == fund_id,
                    JournalLine.account == "receivable",
                    JournalLine.event == event,
                )
            )
        )

    totals = reports.outstanding_totals(reports.outstanding(fund_id, today))
    assert totals["principal"] == receivable("disbursement")
    assert totals["repaid"] == -receivable("repayment")
    assert totals["written_off"] == -receivable("write_off")
    assert totals["outstanding"] == receivable("disbursement") + receivable("repayment") + receivable(
        "write_off"
    )


def check_casework(fund_id: int, today: dt.date) -> None:
    people = db.session.scalars(sa.select(Person).where(Person.fund_id == fund_id)).all()
    open_assignments = dict(
        db.session.execute(
            sa.select(MentorAssignment.person_id, MentorAssignment.mentor_id).where(
                MentorAssignment.fund_id == fund_id, MentorAssignment.ended_on.is_(None)
            )
        ).all()
    )
    assert len(open_assignments) == len(people)
    changes = Counter(
        db.session.scalars(
            sa.select(PersonStatusChange.person_id).where(PersonStatusChange.fund_id == fund_id)
        )
    )
    latest = {}
    for person_id, visited_on, next_visit_on in db.session.execute(
        sa.select(Visit.person_id, Visit.visited_on, Visit.next_visit_on)
        .where(Visit.fund_id == fund_id)
        .order_by(Visit.visited_on, Visit.id)
    ):
        assert visited_on <= today
        latest[person_id] = next_visit_on
    for person in people:
        assert person.sort_key == vietnamese_sort_key(person.full_name)
        expected = searchable(" ".join(filter(None, (person.full_name, person.phone, person.address))))[:500]
        assert person.search_text == expected
        assert person.mentor_id == open_assignments[person.id]
        assert person.mentor_id is not None or person.status in CLOSED_STATUSES
        assert person.consent_recorded_on <= today
        if person.status in CLOSED_STATUSES or person.status == PAUSED_STATUS:
            # the generator pauses only people with no loan open: their visits stop (casework)
            assert person.next_visit_on is None and changes[person.id] == 1
        else:
            assert person.next_visit_on is not None and changes[person.id] == 0
            if person.id in latest:
                assert person.next_visit_on == latest[person.id]
    for member in db.session.scalars(
        sa.select(CommitteeMember).where(
            CommitteeMember.fund_id == fund_id, CommitteeMember.left_on.is_not(None)
        )
    ):
        assert not db.session.scalar(sa.select(sa.func.count()).where(Person.mentor_id == member.id))


def fund_summary(fund_id: int) -> tuple:
    """What must be equal for the same seed and index: counts and money, not ids or names."""

    def total(column, *where):
        return int(scalar(sa.select(sa.func.coalesce(sa.func.sum(column), 0)).where(*where)) or 0)

    def count(model):
        return scalar(sa.select(sa.func.count()).select_from(model).where(model.fund_id == fund_id))

    fund = db.session.get(Fund, fund_id)
    return (
        fund.province,
        fund.founded_on,
        tuple(count(m) for m in (Person, Loan, Repayment, Visit, Donation, Installment, MentorAssignment)),
        total(Donation.amount, Donation.fund_id == fund_id),
        total(Repayment.amount, Repayment.fund_id == fund_id),
        total(JournalLine.amount, JournalLine.fund_id == fund_id, JournalLine.account == "cash"),
        tuple(
            db.session.scalars(
                sa.select(Person.birth_year).where(Person.fund_id == fund_id).order_by(Person.id)
            )
        ),
    )


def test_generated_books_are_true_and_the_app_works_on_them(app, runner):
    today = clock.today()
    result = runner.invoke(args=["generate", "--funds", "3", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "3/3 funds" in result.output and "per fund" in result.output
    with app.app_context():
        first = fund_ids()
        assert len(first) == 3
        assert len({db.session.get(Fund, f).province for f in first}) == 3
        check_journal()
        for fund_id in first:
            check_cash(fund_id)
            check_loans(fund_id, today)
            check_receipts(fund_id)
            check_outstanding_report(fund_id, today)
            check_casework(fund_id, today)
        statuses = Counter(db.session.scalars(sa.select(Loan.status)))
        assert statuses["active"] and statuses["repaid"]
        summaries = [fund_summary(f) for f in first]
        fund_id = first[0]
        loan_id = db.session.scalar(
            sa.select(Loan.id).where(Loan.fund_id == fund_id, Loan.status == "active")
        )
        person_id = db.session.scalar(sa.select(Person.id).where(Person.fund_id == fund_id))

    # The same seed again (appended: other ids and commune names) gives the same funds.
    again = runner.invoke(args=["generate", "--funds", "3", "--seed", "1"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        second = fund_ids()[3:]
        assert [fund_summary(f) for f in second] == summaries
        names = db.session.execute(sa.select(Fund.commune, Fund.province)).all()
        assert len(set(names)) == 6

    # The app works on generated data: a generated login, pages, and the next posting continues the
    # receipt numbers (and, on PostgreSQL, the id sequences were moved past the generated ids).
    browser = Browser(app.test_client())
    assert browser.login(f"q{fund_id}.chair", generate.DEFAULT_PASSWORD).status_code == 302
    for url in (
        "/",
        "/people",
        f"/people/{person_id}",
        "/loans",
        f"/loans/{loan_id}",
        "/donations",
        "/visits",
    ):
        assert browser.get(url).status_code == 200, url
    for url in ("/reports/outstanding", "/reports/aging", "/reports/cashbook"):
        assert browser.get(url).status_code == 200, url
    with app.app_context():
        donor_id = db.session.scalar(sa.select(Donation.donor_id).where(Donation.fund_id == fund_id))
        last = db.session.scalar(
            sa.select(DocumentCounter.last).where(
                DocumentCounter.fund_id == fund_id,
                DocumentCounter.series == "PT",
                DocumentCounter.year == today.year,
            )
        )
        donation = Donation(
            fund_id=fund_id, donor_id=donor_id, amount=1_000_000, received_on=today, method="cash"
        )
        journal.record_donation(donation, None)
        db.session.commit()
        assert donation.receipt_no == f"PT-{today.year}-{(last or 0) + 1:04d}"
        check_journal()
        check_cash(fund_id)


def test_proportions_of_design_7_hold_over_many_funds(app):
    """Planned in memory (no database): per fund ~60 people, ~30 loans, ~450 repayments, ~300 visits,
    most loans on time, some late or in deep arrears, a few written off."""
    with app.app_context():
        totals = generate.Totals()
        out = defaultdict(list)
        ids = generate.Ids(start={})
        as_of = dt.date(2026, 6, 30)
        for index, (province, kind) in enumerate(generate.province_order(60)):
            generate.FundBuilder(
                seed=7,
                index=index,
                ids=ids,
                out=out,
                totals=totals,
                as_of=as_of,
                province=province,
                kind=kind,
                commune=f"Thử {index}",
                ward=False,
                password_hash=None,
            ).build()
    per_fund = {
        table: totals.rows[table] / totals.funds for table in ("person", "loan", "repayment", "visit")
    }
    targets = {"person": 60.2, "loan": 30.1, "repayment": 451.7, "visit": 301.1}
    for table, target in targets.items():
        assert 0.8 * target <= per_fund[table] <= 1.2 * target, (table, per_fund)
    statuses = totals.loans_by_status
    disbursed = statuses["active"] + statuses["repaid"] + statuses["written_off"]
    assert 0.01 <= statuses["written_off"] / disbursed <= 0.08
    outstanding = sum(totals.aging.values())
    on_time = (totals.aging["current"] + totals.aging["1-30"]) / outstanding
    deep = sum(totals.aging[b] for b in ("91-180", "181-360", "360+")) / outstanding
    assert on_time > 0.6 and 0.03 < deep < 0.3
    assert all(day <= as_of for row in out["journal_transaction"] for day in [row["posted_on"]])
    assert (
        totals.money["cash"] == totals.money["donated"] - totals.money["disbursed"] + totals.money["repaid"]
    )
    assert len({row["province"] for row in out["fund"]}) == 34


def test_thirty_four_provinces_share_out_the_communes():
    assert len(generate.PROVINCES) == 34
    assert sum(n for _, n, _ in generate.PROVINCES) == 3_321
    assert sorted(generate.apportion(3_321, [n for _, n, _ in generate.PROVINCES])) == sorted(
        n for _, n, _ in generate.PROVINCES
    )
    order = generate.province_order(100)
    assert len(order) == 100 and len({p for p, _ in order[:34]}) == 34


def test_a_different_seed_gives_different_funds(app):
    with app.app_context():

        def plan(s):
            totals = generate.Totals()
            generate.FundBuilder(
                seed=s,
                index=0,
                ids=generate.Ids(start={}),
                out=defaultdict(list),
                totals=totals,
                as_of=dt.date(2026, 6, 30),
                province="Huế",
                kind="city",
                commune="Thử",
                ward=False,
                password_hash=None,
            ).build()
            return dict(totals.rows), dict(totals.money)

        assert plan(3) == plan(3)
        assert plan(3) != plan(4)
