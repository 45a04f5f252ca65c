"""A write-off as the committee decides it, reversible while its period is open, and the money a
family brings back afterwards (Thu hồi nợ đã xóa): its own receipt, never a donation."""

import datetime as dt

import sqlalchemy as sa

from tests.conftest import full_page
from tests.factories import disbursed_loan, donate, repay, user_id
from tracker import clock
from tracker.extensions import db
from tracker.models import Donation, JournalLine, Loan, PeriodClose, Repayment
from tracker.money import balances, journal
from tracker.queries import reports, review

TODAY = clock.today()


def write_off_form(**change):
    return {
        "minutes_ref": "BB họp Tổ 01/12/2026",
        "decided_on": (TODAY - dt.timedelta(days=5)).isoformat(),
        "reason": "Mất khả năng trả",
        **change,
    }


def written_off(app, seed, money):
    """A loan of 3.000.000 ₫ with 1.000.000 ₫ repaid, written off 2.000.000 ₫ five days ago."""
    donate(app, seed.fund_id, money.donor_id, 20_000_000, dt.date(2026, 1, 2))
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, 3_000_000, dt.date(2026, 1, 10), term=3)
    repay(app, loan_id, 1_000_000, dt.date(2026, 2, 10))
    with app.app_context():
        journal.write_off(
            db.session.get(Loan, loan_id),
            TODAY - dt.timedelta(days=5),
            "Mất khả năng trả",
            user_id("chair"),
            "BB 01",
        )
        db.session.commit()
    return loan_id


def balance_of(app, loan_id):
    with app.app_context():
        return balances.loan_balance(db.session.get(Loan, loan_id))


def test_a_write_off_needs_the_meeting_and_is_dated_on_its_day(app, seed, as_role, active_loan):
    chair = as_role("chair")
    assert chair.post(f"/loans/{active_loan}/write-off", write_off_form(minutes_ref="")).status_code == 422
    assert (
        chair.post(f"/loans/{active_loan}/write-off", write_off_form(decided_on="2025-12-31")).status_code
        == 422
    )
    assert chair.post(f"/loans/{active_loan}/write-off", write_off_form()).status_code == 303
    with app.app_context():
        loan = db.session.get(Loan, active_loan)
        assert (loan.status, loan.written_off_on, loan.write_off_minutes_ref) == (
            "written_off",
            TODAY - dt.timedelta(days=5),
            "BB họp Tổ 01/12/2026",
        )
        posted = db.session.scalars(
            sa.select(JournalLine.posted_on).where(
                JournalLine.event == "write_off", JournalLine.loan_id == active_loan
            )
        ).all()
        assert set(posted) == {TODAY - dt.timedelta(days=5)}
    assert "BB họp Tổ 01/12/2026" in full_page(chair.get(f"/loans/{active_loan}"))


def test_the_chair_reverses_a_write_off_while_its_period_is_open(app, seed, money, as_role):
    loan_id = written_off(app, seed, money)
    assert (
        as_role("treasurer").post(f"/loans/{loan_id}/reverse-write-off", {"reason": "x"}).status_code == 403
    )
    chair = as_role("chair")
    assert (
        chair.post(f"/loans/{loan_id}/reverse-write-off", {"reason": "Gia đình nhận trả thay"}).status_code
        == 303
    )
    balance = balance_of(app, loan_id)
    assert (balance.outstanding, balance.written_off) == (2_000_000, 0)
    with app.app_context():
        assert db.session.get(Loan, loan_id).status == "active"
    # written off again, then the period closed: it stays written off
    with app.app_context():
        journal.write_off(db.session.get(Loan, loan_id), TODAY, "Mất khả năng trả", user_id("chair"), "BB 02")
        db.session.add(PeriodClose(fund_id=seed.fund_id, closed_through=TODAY, closed_by_id=user_id("chair")))
        db.session.commit()
    refused = chair.post(f"/loans/{loan_id}/reverse-write-off", {"reason": "Gia đình nhận trả thay"})
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.get(Loan, loan_id).status == "written_off"


def test_money_back_after_a_write_off_is_its_own_receipt_and_goes_to_the_donors(app, seed, money, as_role):
    loan_id = written_off(app, seed, money)
    with app.app_context():
        cash_before = balances.cash_balance(seed.fund_id)
        donations_before = db.session.scalar(sa.select(sa.func.count(Donation.id)))
    treasurer = as_role("treasurer")
    form = {"amount": "500.000", "paid_on": TODAY.isoformat(), "method": "cash"}
    assert as_role("chair").post(f"/loans/{loan_id}/recoveries", form).status_code == 403
    too_much = treasurer.post(f"/loans/{loan_id}/recoveries", {**form, "amount": "2.500.000"})
    assert too_much.status_code == 422 and "2.000.000 ₫" in too_much.get_data(as_text=True)
    assert treasurer.post(f"/loans/{loan_id}/recoveries", form).status_code == 303
    with app.app_context():
        recovery = db.session.scalars(sa.select(Repayment).where(Repayment.kind == "recovery")).one()
        assert recovery.receipt_no.startswith(f"PT-{TODAY.year}-")
        assert balances.cash_balance(seed.fund_id) == cash_before + 500_000
        assert db.session.scalar(sa.select(sa.func.count(Donation.id))) == donations_before  # not a donation
        assert db.session.get(Loan, loan_id).status == "written_off"
        # the donations' parts still add up to the cash: the money went back to the one that lent it
        assert sum(balances.donation_available(seed.fund_id).values()) == balances.cash_balance(seed.fund_id)
        book = reports.cashbook(seed.fund_id, TODAY, TODAY)
        donors = reports.donors(seed.fund_id, dt.date(TODAY.year, 1, 1), TODAY)
        figures = review.money_figures(seed.fund_id, dt.date(TODAY.year, 1, 1), TODAY)
    balance = balance_of(app, loan_id)
    assert (balance.written_off, balance.recovered, balance.outstanding) == (2_000_000, 500_000, 0)
    lost = {row.donor_id: row.lost for row in donors}
    assert lost[money.donor_id] == 1_500_000  # of the 2.000.000 ₫ written off, 500.000 ₫ came back
    assert figures.back_after_write_off == 500_000
    assert [(row.kind, row.money_in) for row in book if row.receipt_no == recovery.receipt_no] == [
        ("recovery", 500_000)
    ]
    page = full_page(treasurer.get(f"/loans/{loan_id}"))
    assert recovery.receipt_no in page and "Thu hồi nợ đã xóa" in page
    receipt = full_page(treasurer.get(f"/repayments/{recovery.id}/receipt"))
    assert f"Thu hồi nợ đã xóa của khoản vay số {loan_id}" in receipt
    book_page = full_page(treasurer.get(f"/reports/cashbook?from={TODAY.isoformat()}&to={TODAY.isoformat()}"))
    assert f"Thu hồi nợ đã xóa của khoản vay #{loan_id}" in book_page
    # a receipt entered by mistake is reversed like a repayment's, and the loan stays written off
    assert treasurer.post(f"/repayments/{recovery.id}/reverse", {"reason": "Thu nhầm"}).status_code == 303
    assert balance_of(app, loan_id).recovered == 0
    with app.app_context():
        assert db.session.get(Loan, loan_id).status == "written_off"


def test_a_write_off_with_money_back_cannot_be_reversed_before_that_money(app, seed, money, as_role):
    loan_id = written_off(app, seed, money)
    with app.app_context():
        journal.record_recovery(db.session.get(Loan, loan_id), 300_000, TODAY, "cash", user_id("treasurer"))
        db.session.commit()
    refused = as_role("chair").post(f"/loans/{loan_id}/reverse-write-off", {"reason": "Gia đình nhận trả"})
    assert refused.status_code == 422
    assert "PT-" in refused.get_data(as_text=True)
