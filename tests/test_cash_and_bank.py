"""Cash and bank: every money event names its account (cash or bank), neither account goes below
zero, transfers between them (numbered, reversible, refused in a closed period), the books of one
account and of both, which reconcile, and the cash count with its required reason."""

import csv
import datetime as dt
import io
import json
import re

import pytest
import sqlalchemy as sa

from tests.factories import approved_loan, disbursed_loan, donate, user_id
from tests.xlsx import read_table
from tracker import clock
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CashCount,
    Donation,
    JournalLine,
    Loan,
    PeriodClose,
    Repayment,
    Transfer,
)
from tracker.money import balances, journal
from tracker.web import sheets

MILLION = 1_000_000
# The books are read up to this day, and a reversal is dated the day it is made: the tests run on it.
TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def books_day(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def field_error(html, field):
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    return match.group(1) if match else None


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def in_account(app, fund_id, account, as_of=None):
    with app.app_context():
        return balances.cash_balance(fund_id, as_of, account)


def transfer(app, fund_id, kind, amount, on, reason="Gửi tiền nhàn rỗi") -> int:
    with app.app_context():
        moved = Transfer(fund_id=fund_id, kind=kind, amount=amount, made_on=on, reason=reason)
        journal.record_transfer(moved, user_id("treasurer"))
        db.session.commit()
        return moved.id


def money_lines(app, transaction_id):
    with app.app_context():
        return sorted(
            (line.account, line.amount)
            for line in db.session.scalars(
                sa.select(JournalLine).where(JournalLine.transaction_id == transaction_id)
            )
        )


# ------------------------------------------------------------------ each money event names its account


def test_a_donation_paid_into_the_bank(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    response = treasurer.post(
        "/donations",
        {
            "donor_id": str(money.donor_id),
            "amount": "30.000.000",
            "received_on": "2026-03-02",
            "method": "bank",
            "account": "bank",
        },
    )
    assert response.status_code == 303, field_error(response.get_data(as_text=True), "account")
    assert in_account(app, seed.fund_id, "bank") == 30 * MILLION
    assert in_account(app, seed.fund_id, "cash") == 0
    with app.app_context():
        donation = db.session.scalar(sa.select(Donation).where(Donation.fund_id == seed.fund_id))
        assert money_lines(app, donation.transaction_id) == [
            ("bank", 30 * MILLION),
            ("capital", -30 * MILLION),
        ]
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "donation.create"))
        assert json.loads(event.after)["account"] == "bank"
    page = treasurer.get(f"/donations/{donation.id}").get_data(as_text=True)
    assert re.search(r'id="donation-account">Tiền gửi ngân hàng<', page)
    receipt = treasurer.get(f"/donations/{donation.id}/receipt").get_data(as_text=True)
    assert "<dt>Nợ:</dt><dd>112</dd>" in receipt


def test_the_account_defaults_to_cash_and_refuses_anything_else(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    form = {
        "donor_id": str(money.donor_id),
        "amount": "1.000.000",
        "received_on": "2026-03-02",
        "method": "cash",
    }
    assert treasurer.post("/donations", form).status_code == 303
    assert in_account(app, seed.fund_id, "cash") == MILLION
    refused = treasurer.post("/donations", {**form, "account": "safe"})
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "account") == "Chọn tiền mặt hoặc tiền gửi ngân hàng."
    with app.app_context(), pytest.raises(journal.MoneyRefused) as refusal:
        journal.check_account("receivable")
    assert refusal.value.field == "account"


def test_repayments_and_recoveries_go_into_the_account_named(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 20 * MILLION, dt.date(2026, 1, 2))
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, 3 * MILLION, dt.date(2026, 1, 10), term=3)
    treasurer = as_role("treasurer")
    response = treasurer.post(
        f"/loans/{loan_id}/repayments",
        {"amount": "1.000.000", "paid_on": "2026-02-10", "method": "bank", "account": "bank"},
    )
    assert response.status_code in (200, 303)
    assert in_account(app, seed.fund_id, "bank") == MILLION
    assert in_account(app, seed.fund_id, "cash") == 17 * MILLION
    with app.app_context():
        repayment = db.session.scalar(sa.select(Repayment).where(Repayment.loan_id == loan_id))
        repayment_id = repayment.id
        lines = money_lines(app, repayment.transaction_id)
        assert lines == [("bank", MILLION), ("receivable", -MILLION)]
        # money back after a write-off, into the bank
        loan = db.session.get(Loan, loan_id)
        journal.write_off(loan, dt.date(2026, 3, 1), "Mất khả năng trả", user_id("chair"))
        journal.record_recovery(
            loan, 500_000, dt.date(2026, 4, 1), "bank", user_id("treasurer"), account="bank"
        )
        db.session.commit()
    assert in_account(app, seed.fund_id, "bank") == 1_500_000
    receipt = treasurer.get(f"/repayments/{repayment_id}/receipt").get_data(as_text=True)
    assert "<dt>Nợ:</dt><dd>112</dd>" in receipt


def test_a_disbursement_from_the_bank_and_the_per_account_no_overdraft_rule(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 10 * MILLION, dt.date(2026, 1, 2))  # cash
    with app.app_context():
        donation = Donation(
            fund_id=seed.fund_id, donor_id=money.donor_id, amount=4 * MILLION, received_on=dt.date(2026, 1, 3)
        )
        donation.method = "bank"
        donation.note = ""
        journal.record_donation(donation, user_id("treasurer"), "bank")
        db.session.commit()
        donation_id = donation.id
    loan_id = approved_loan(app, seed.fund_id, money.person_id, 6 * MILLION, on=dt.date(2026, 1, 5))
    treasurer = as_role("treasurer")
    # 14 million in all, but only 4 in the bank: paying 6 out of the bank is refused
    refused = treasurer.post(f"/loans/{loan_id}/disburse", {"disbursed_on": "2026-01-15", "account": "bank"})
    assert refused.status_code == 422
    assert "Tiền gửi ngân hàng chỉ còn 4.000.000 ₫, không đủ để chi 6.000.000 ₫." in refused.get_data(
        as_text=True
    )
    assert in_account(app, seed.fund_id, None) == 14 * MILLION
    paid = treasurer.post(f"/loans/{loan_id}/disburse", {"disbursed_on": "2026-01-15", "account": "cash"})
    assert paid.status_code == 303
    assert in_account(app, seed.fund_id, "cash") == 4 * MILLION
    with app.app_context():
        loan = db.session.get(Loan, loan_id)
        assert balances.account_of(db.session.get(Donation, donation_id).transaction) == "bank"
        assert money_lines(app, loan.disbursement_id) == [("cash", -6 * MILLION), ("receivable", 6 * MILLION)]
    voucher = treasurer.get(f"/loans/{loan_id}/voucher").get_data(as_text=True)
    assert "<dt>Có:</dt><dd>111</dd>" in voucher


def test_a_payment_may_not_take_an_account_below_zero_on_a_later_day(app, seed, money):
    donate(app, seed.fund_id, money.donor_id, 10 * MILLION, dt.date(2026, 3, 1))
    transfer(app, seed.fund_id, "deposit", 8 * MILLION, dt.date(2026, 5, 1))
    with app.app_context():
        # on 1 April the cash box held 10 million, but 8 of it leaves on 1 May: only 2 can go now
        assert balances.available_cash(seed.fund_id, dt.date(2026, 4, 1), "cash") == 2 * MILLION
        assert balances.available_cash(seed.fund_id, dt.date(2026, 4, 1), "bank") == 0
        with pytest.raises(journal.MoneyRefused) as refusal:
            journal.record_transfer(
                Transfer(
                    fund_id=seed.fund_id,
                    kind="deposit",
                    amount=3 * MILLION,
                    made_on=dt.date(2026, 4, 1),
                    reason="x",
                ),
                user_id("treasurer"),
            )
        assert refusal.value.field == "amount"
        assert "2.000.000" in str(refusal.value)


# ------------------------------------------------------------------ transfers


def test_a_deposit_and_a_withdrawal(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 20 * MILLION, dt.date(2026, 1, 2))
    treasurer = as_role("treasurer")
    deposit = {
        "kind": "deposit",
        "amount": "15.000.000",
        "made_on": "2026-02-01",
        "reason": "Gửi tiền nhàn rỗi",
        "bank_ref": "GNT-0158",
    }
    response = treasurer.post("/transfers", deposit)
    assert response.status_code == 303
    with app.app_context():
        moved = db.session.scalar(sa.select(Transfer).where(Transfer.fund_id == seed.fund_id))
        assert moved.document_no == "PC-2026-0001"  # cash leaves the box: a phiếu chi
        assert money_lines(app, moved.transaction_id) == [("bank", 15 * MILLION), ("cash", -15 * MILLION)]
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "transfer.create"))
        assert json.loads(event.after)["transfer"] == "deposit"
        assert json.loads(event.after)["bank_ref"] == "GNT-0158"
    assert response.headers["Location"].endswith(f"/transfers/{moved.id}/voucher")
    voucher = treasurer.get(f"/transfers/{moved.id}/voucher").get_data(as_text=True)
    assert "PHIẾU CHI" in voucher and "PC-2026-0001" in voucher
    assert "<dt>Nợ:</dt><dd>112</dd>" in voucher and "<dt>Có:</dt><dd>111</dd>" in voucher
    assert "GNT-0158" in voucher
    assert (in_account(app, seed.fund_id, "cash"), in_account(app, seed.fund_id, "bank")) == (
        5 * MILLION,
        15 * MILLION,
    )

    withdrawal = {
        "kind": "withdrawal",
        "amount": "2.000.000",
        "made_on": "2026-02-10",
        "reason": "Rút về để giải ngân",
    }
    assert treasurer.post("/transfers", withdrawal).status_code == 303
    with app.app_context():
        numbers = db.session.scalars(sa.select(Transfer.document_no).order_by(Transfer.id)).all()
    assert numbers == [
        "PC-2026-0001",
        "PT-2026-0002",
    ]  # money into the box: a phiếu thu, after the donation's
    assert (in_account(app, seed.fund_id, "cash"), in_account(app, seed.fund_id, "bank")) == (
        7 * MILLION,
        13 * MILLION,
    )
    assert in_account(app, seed.fund_id, None) == 20 * MILLION  # a move changes no total
    page = as_role("viewer").get("/transfers").get_data(as_text=True)
    assert "PC-2026-0001" in page and "PT-2026-0002" in page
    assert re.search(r'id="in-bank">13\.000\.000 ₫<', page)


def test_a_transfer_refused_when_the_account_does_not_hold_the_money(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 5 * MILLION, dt.date(2026, 1, 2))
    treasurer = as_role("treasurer")
    refused = treasurer.post(
        "/transfers", {"kind": "withdrawal", "amount": "1.000.000", "made_on": "2026-02-01", "reason": "Rút"}
    )
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "amount") == (
        "Tiền gửi ngân hàng chỉ còn 0 ₫, không đủ để chi 1.000.000 ₫."
    )
    no_reason = treasurer.post(
        "/transfers", {"kind": "deposit", "amount": "1.000.000", "made_on": "2026-02-01"}
    )
    assert no_reason.status_code == 422 and field_error(no_reason.get_data(as_text=True), "reason")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Transfer.id))) == 0


def test_a_transfer_is_reversed_with_a_reason_and_only_once(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 10 * MILLION, dt.date(2026, 1, 2))
    transfer_id = transfer(app, seed.fund_id, "deposit", 6 * MILLION, dt.date(2026, 2, 1))
    treasurer = as_role("treasurer")
    assert treasurer.post(f"/transfers/{transfer_id}/reverse", {"reason": ""}).status_code == 422
    response = treasurer.post(f"/transfers/{transfer_id}/reverse", {"reason": "Ghi nhầm số tiền"})
    assert response.status_code == 303
    assert (in_account(app, seed.fund_id, "cash"), in_account(app, seed.fund_id, "bank")) == (10 * MILLION, 0)
    with app.app_context():
        moved = db.session.get(Transfer, transfer_id)
        assert moved.is_reversed and moved.reversal.reverses_id == moved.transaction_id
        assert money_lines(app, moved.reversal_id) == [("bank", -6 * MILLION), ("cash", 6 * MILLION)]
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "transfer.reverse"))
    assert treasurer.post(f"/transfers/{transfer_id}/reverse", {"reason": "Lần nữa"}).status_code == 422
    assert 'class="void-stamp"' in treasurer.get(f"/transfers/{transfer_id}/voucher").get_data(as_text=True)
    page = treasurer.get("/transfers").get_data(as_text=True)
    assert re.search(rf'id="transfer-{transfer_id}" class="void"', page)


def test_reversing_a_deposit_whose_money_has_left_the_bank_is_refused(app, seed, money):
    donate(app, seed.fund_id, money.donor_id, 10 * MILLION, dt.date(2026, 1, 2))
    transfer_id = transfer(app, seed.fund_id, "deposit", 6 * MILLION, dt.date(2026, 2, 1))
    loan_id = approved_loan(app, seed.fund_id, money.person_id, 5 * MILLION, on=dt.date(2026, 2, 5))
    with app.app_context():
        journal.disburse(db.session.get(Loan, loan_id), dt.date(2026, 2, 10), user_id("treasurer"), "bank")
        db.session.commit()
        with pytest.raises(journal.MoneyRefused, match="1.000.000"):
            journal.reverse_transfer(db.session.get(Transfer, transfer_id), "Ghi nhầm", user_id("treasurer"))


def test_transfers_are_refused_in_a_closed_period(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 10 * MILLION, dt.date(2026, 1, 2))
    transfer_id = transfer(app, seed.fund_id, "deposit", 6 * MILLION, dt.date(2026, 2, 1))
    with app.app_context():
        db.session.add(
            PeriodClose(
                fund_id=seed.fund_id, closed_through=dt.date(2026, 6, 30), closed_by_id=user_id("chair")
            )
        )
        db.session.commit()
    treasurer = as_role("treasurer")
    refused = treasurer.post(
        "/transfers", {"kind": "deposit", "amount": "1.000.000", "made_on": "2026-06-30", "reason": "Gửi"}
    )
    assert refused.status_code == 422
    assert "30/06/2026" in field_error(refused.get_data(as_text=True), "made_on")
    reversal = treasurer.post(f"/transfers/{transfer_id}/reverse", {"reason": "Ghi nhầm"})
    assert reversal.status_code == 422
    with app.app_context():
        assert not db.session.get(Transfer, transfer_id).is_reversed
    assert in_account(app, seed.fund_id, "bank") == 6 * MILLION
    allowed = treasurer.post(
        "/transfers", {"kind": "deposit", "amount": "1.000.000", "made_on": "2026-07-01", "reason": "Gửi"}
    )
    assert allowed.status_code == 303


# ------------------------------------------------------------------ the books


@pytest.fixture
def two_books(app, seed, money):
    """A year of cash and bank: donations into each, a loan from cash, a deposit, a withdrawal,
    a repayment into the bank and a reversed deposit."""
    donate(app, seed.fund_id, money.donor_id, 20 * MILLION, dt.date(2026, 1, 5))
    with app.app_context():
        gift = Donation(
            fund_id=seed.fund_id, donor_id=money.donor_id, amount=7 * MILLION, received_on=dt.date(2026, 2, 3)
        )
        gift.method, gift.note = "bank", ""
        journal.record_donation(gift, user_id("treasurer"), "bank")
        db.session.commit()
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, 6 * MILLION, dt.date(2026, 2, 10), term=6)
    transfer(app, seed.fund_id, "deposit", 10 * MILLION, dt.date(2026, 3, 1))
    transfer(app, seed.fund_id, "withdrawal", 3 * MILLION, dt.date(2026, 4, 1))
    mistake = transfer(app, seed.fund_id, "deposit", MILLION, dt.date(2026, 4, 15))
    with app.app_context():
        journal.record_repayment(
            db.session.get(Loan, loan_id),
            MILLION,
            dt.date(2026, 5, 2),
            "bank",
            user_id("treasurer"),
            account="bank",
        )
        journal.reverse_transfer(db.session.get(Transfer, mistake), "Ghi nhầm", user_id("treasurer"))
        db.session.commit()


@pytest.mark.usefixtures("two_books")
def test_each_book_and_the_combined_one_reconcile(app, seed, as_role):
    viewer = as_role("viewer")
    closings = {}
    for account in ("cash", "bank", "all"):
        rows = csv_rows(
            viewer.get(f"/reports/cashbook?format=csv&account={account}&from=2026-02-15&to=2026-12-07")
        )
        opening, body, closing = rows[0], rows[1:-1], rows[-1]
        assert opening["kind"] == "opening" and closing["kind"] == "closing"
        money_in = sum(int(row["money_in"] or 0) for row in body)
        money_out = sum(int(row["money_out"] or 0) for row in body)
        assert int(opening["balance"]) + money_in - money_out == int(closing["balance"]), account
        running = int(opening["balance"])
        for row in body:  # each row's balance follows from the one before
            running += int(row["money_in"] or 0) - int(row["money_out"] or 0)
            assert int(row["balance"]) == running
            assert row["account"] == account if account != "all" else row["account"] in ("cash", "bank")
        closings[account] = int(closing["balance"])
        with app.app_context():
            assert closings[account] == balances.cash_balance(
                seed.fund_id, dt.date(2026, 12, 7), None if account == "all" else account
            )
    assert closings["cash"] + closings["bank"] == closings["all"]
    # cash: 20 − 6 − 10 + 3 − 1 + 1 = 7; bank: 7 + 10 − 3 + 1 − 1 + 1 = 15
    assert (closings["cash"], closings["bank"]) == (7 * MILLION, 15 * MILLION)


@pytest.mark.usefixtures("two_books")
def test_a_move_is_two_rows_of_the_combined_book_and_one_of_each_account(app, seed, as_role):
    chair = as_role("chair")
    period = "from=2026-03-01&to=2026-03-01"
    combined = csv_rows(chair.get(f"/reports/cashbook?format=csv&account=all&{period}"))[1:-1]
    assert [(row["kind"], row["account"], row["money_in"], row["money_out"]) for row in combined] == [
        ("transfer", "cash", "0", str(10 * MILLION)),
        ("transfer", "bank", str(10 * MILLION), "0"),
    ]
    assert (
        combined[0]["receipt_no"] == combined[1]["receipt_no"] == "PC-2026-0002"
    )  # after the loan's phiếu chi
    assert combined[0]["description"] == "Nộp tiền mặt vào ngân hàng"
    with app.app_context():  # the bank's advice, when there is one, is named beside the entry
        db.session.execute(
            sa.update(Transfer).where(Transfer.document_no == "PC-2026-0002").values(bank_ref="GNT-7")
        )
        db.session.commit()
    advised = csv_rows(chair.get(f"/reports/cashbook?format=csv&account=bank&{period}"))[1]
    assert advised["description"] == "Nộp tiền mặt vào ngân hàng (giấy báo ngân hàng số GNT-7)"
    bank = csv_rows(chair.get(f"/reports/cashbook?format=csv&account=bank&{period}"))[1:-1]
    assert [(row["kind"], row["money_in"]) for row in bank] == [("transfer", str(10 * MILLION))]
    reversed_rows = csv_rows(
        chair.get("/reports/cashbook?format=csv&account=bank&from=2026-04-15&to=2026-12-07")
    )
    assert "transfer_reversal" in {row["kind"] for row in reversed_rows}


@pytest.mark.usefixtures("two_books")
def test_the_book_pages_and_the_excel_file(app, seed, as_role):
    chair = as_role("chair")
    cash_page = chair.get("/reports/cashbook?from=2026-01-01&to=2026-12-07").get_data(as_text=True)
    assert "Sổ quỹ tiền mặt" in cash_page
    assert re.search(r'data-balance="closing">7\.000\.000 ₫<', cash_page)
    bank_page = chair.get("/reports/cashbook?account=bank&from=2026-01-01&to=2026-12-07").get_data(
        as_text=True
    )
    assert "Sổ tiền gửi ngân hàng" in bank_page
    assert re.search(r'data-balance="closing">15\.000\.000 ₫<', bank_page)
    both = chair.get("/reports/cashbook?account=all&from=2026-01-01&to=2026-12-07").get_data(as_text=True)
    assert re.search(r'data-balance="closing">22\.000\.000 ₫<', both)
    assert 'data-account="bank">Tiền gửi ngân hàng<' in both
    assert chair.get("/reports/cashbook?account=safe").status_code == 400
    response = chair.client.get("/reports/cashbook?format=xlsx&account=bank&from=2026-01-01&to=2026-12-07")
    assert 'filename="so-tien-gui-2026-01-01-2026-12-07.xlsx"' in response.headers["Content-Disposition"]
    table = read_table(response, sheets.CASHBOOK)
    assert table.title[2].endswith("Sổ tiền gửi ngân hàng")
    assert table.headings[-1] == "Tiền mặt hay ngân hàng"
    assert table.rows[-1]["balance"] == 15 * MILLION
    assert {row["account"] for row in table.rows[1:-1]} == {"Tiền gửi ngân hàng"}


@pytest.mark.usefixtures("two_books")
def test_the_dashboard_shows_cash_and_bank_and_their_total(app, seed, as_role):
    page = as_role("chair").get("/").get_data(as_text=True)
    assert re.search(r'id="figure-cash".*?class="figure-value">22\.000\.000 ₫<', page, re.S)
    assert "Tiền mặt: 7.000.000 ₫" in page and "Tiền gửi ngân hàng: 15.000.000 ₫" in page
    assert 'href="/reports/cashbook?account=all"' in page


# ------------------------------------------------------------------ the cash count


def count_form(day="2026-06-30", reason="", **notes):
    form = {"counted_on": day, "reason": reason}
    form.update({f"notes_{value}": str(number) for value, number in notes.items()})
    return form


def test_a_count_that_matches_the_book_is_saved_and_printed(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 1_753_000, dt.date(2026, 6, 1))
    treasurer = as_role("treasurer")
    # 3 × 500.000 + 1 × 200.000 + 1 × 50.000 + 1 × 2.000 + 1 × 1.000 = 1.753.000
    notes = {"500000": 3, "200000": 1, "50000": 1, "2000": 1, "1000": 1}
    response = treasurer.post("/cash-counts", count_form(**{k: v for k, v in notes.items()}))
    assert response.status_code == 303
    with app.app_context():
        count = db.session.scalar(sa.select(CashCount))
        assert (count.counted, count.book_balance, count.difference) == (1_753_000, 1_753_000, 0)
        assert count.notes == notes
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cash_count.create"))
        # a count posts no money
        assert db.session.scalar(sa.select(sa.func.count(JournalLine.id))) == 2
    paper = treasurer.get(f"/cash-counts/{count.id}").get_data(as_text=True)
    assert "Biên bản kiểm kê quỹ tiền mặt" in paper
    assert 'data-figure="counted">1.753.000 ₫<' in paper and 'data-figure="book">1.753.000 ₫<' in paper
    for signer in ("Thủ quỹ", "Kế toán", "Tổ trưởng"):
        assert f"<strong>{signer}</strong>" in paper
    assert "Người dùng treasurer" in paper
    assert "1.753.000" in as_role("viewer").get("/cash-counts").get_data(as_text=True)
    form = treasurer.get("/cash-counts").get_data(as_text=True)
    assert 'id="cash-today">Số dư sổ quỹ tiền mặt hôm nay: 1.753.000 ₫<' in form


def test_a_difference_must_be_explained_before_the_count_is_saved(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 2 * MILLION, dt.date(2026, 6, 1))
    treasurer = as_role("treasurer")
    form = count_form(**{"500000": 3, "200000": 2})  # 1.900.000: 100.000 short
    refused = treasurer.post("/cash-counts", form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert field_error(page, "reason") == (
        "Số tiền kiểm kê chênh lệch 100.000 ₫ so với sổ quỹ: ghi rõ lý do trước khi lưu."
    )
    assert 'data-figure="book">2.000.000 ₫<' in page
    assert "Thiếu so với sổ: 100.000 ₫" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CashCount.id))) == 0
    saved = treasurer.post(
        "/cash-counts", {**form, "reason": "Đã tạm ứng mua văn phòng phẩm, chưa có chứng từ"}
    )
    assert saved.status_code == 303
    with app.app_context():
        count = db.session.scalar(sa.select(CashCount))
        assert count.difference == -100_000 and count.reason.startswith("Đã tạm ứng")
    paper = treasurer.get(f"/cash-counts/{count.id}").get_data(as_text=True)
    assert "Thiếu so với sổ: 100.000 ₫" in paper and "Đã tạm ứng mua văn phòng phẩm" in paper


def test_the_count_is_against_the_cash_book_of_its_day_not_the_bank(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 2 * MILLION, dt.date(2026, 6, 1))
    transfer(app, seed.fund_id, "deposit", 1_500_000, dt.date(2026, 6, 20))
    donate(app, seed.fund_id, money.donor_id, MILLION, dt.date(2026, 7, 5))  # after the count
    treasurer = as_role("treasurer")
    assert treasurer.post("/cash-counts", count_form(**{"500000": 1})).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(CashCount.book_balance)) == 500_000


@pytest.mark.parametrize(
    "form, field",
    [
        (count_form(**{"500000": -1}), "notes_500000"),
        (count_form(**{"1000": "mười"}), "notes_1000"),
        (count_form(day=""), "counted_on"),
        (count_form(day="2099-01-01"), "counted_on"),
    ],
)
def test_a_count_refuses_bad_input(app, seed, money, as_role, form, field):
    response = as_role("treasurer").post("/cash-counts", form)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field)


@pytest.mark.usefixtures("two_books")
def test_the_review_and_the_public_sheet_show_the_balance_as_cash_and_bank(app, seed, as_role):
    chair = as_role("chair")
    sheet = chair.get("/reports/public?period=2026-H2").get_data(as_text=True)
    assert 'data-public="cash_end">22.000.000 ₫<' in sheet
    assert 'data-public="cash_end_in_cash">7.000.000 ₫<' in sheet
    assert 'data-public="cash_end_in_bank">15.000.000 ₫<' in sheet
    figures = {
        (row["section"], row["item"]): row["value"]
        for row in csv_rows(chair.get("/reports/review?from=2026-01-01&to=2026-12-07&format=csv"))
    }
    assert figures[("money", "cash_end")] == str(22 * MILLION)
    assert figures[("money", "cash_end_in_cash")] == str(7 * MILLION)
    assert figures[("money", "cash_end_in_bank")] == str(15 * MILLION)
    # the donation into the bank counts as money raised, as the one into cash does
    assert figures[("money", "raised")] == str(27 * MILLION)
    review = chair.get("/reports/review?from=2026-01-01&to=2026-12-07").get_data(as_text=True)
    assert re.search(r'data-figure="money\.cash_end_in_bank"[^>]*>15\.000\.000 ₫<', review)
    assert "trong đó tiền gửi ngân hàng" in review


def test_the_audit_log_names_transfers_and_counts(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 2 * MILLION, dt.date(2026, 6, 1))
    transfer(app, seed.fund_id, "deposit", MILLION, dt.date(2026, 6, 2))
    treasurer = as_role("treasurer")
    assert (
        treasurer.post(
            "/transfers",
            {"kind": "withdrawal", "amount": "500.000", "made_on": "2026-06-03", "reason": "Rút về chi"},
        ).status_code
        == 303
    )
    assert treasurer.post("/cash-counts", count_form(**{"500000": 3})).status_code == 303
    log = as_role("chair").get("/audit").get_data(as_text=True)
    assert "Ghi nhận nộp hoặc rút tiền ngân hàng" in log and "PT-2026-0002" in log
    assert "Ghi biên bản kiểm kê quỹ" in log and "30/06/2026" in log
    assert "/cash-counts/" in log
