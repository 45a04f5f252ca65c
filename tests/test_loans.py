"""Loans over HTTP: application, decision, disbursement, repayment, reversal, write-off, period close."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import fragment
from tests.factories import approved_loan, disbursed_loan, donate, repay
from tracker import clock
from tracker.extensions import db
from tracker.models import AuditEvent, Funding, Installment, JournalLine, JournalTransaction, Loan, Repayment
from tracker.money import balances, journal

TODAY = clock.today()
APPLICATION = {
    "principal": "12.000.000",
    "purpose": "Mua máy xay xát",
    "term_months": "12",
    "grace_months": "1",
    "applied_on": "2026-01-05",
}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# the committee's decision, as the write-off form sends it
WRITE_OFF = {
    "minutes_ref": "BB họp Tổ 01/12/2026",
    "decided_on": clock.today().isoformat(),
    "reason": "Đã mất",
}


def loan_of(app, loan_id) -> Loan:
    with app.app_context():
        loan = db.session.get(Loan, loan_id)
        db.session.expunge(loan)
        return loan


def cash(app, fund_id) -> int:
    with app.app_context():
        return balances.cash_balance(fund_id)


# ----------------------------------------------------------------- applications and decisions


@pytest.mark.parametrize("role", ["chair", "treasurer", "member"])
def test_application_by_chair_treasurer_or_the_persons_mentor(app, money, as_role, role):
    response = as_role(role).post("/loans", {**APPLICATION, "person_id": money.person_id})
    assert response.status_code == 303
    with app.app_context():
        loan = db.session.scalar(sa.select(Loan))
        assert (loan.status, loan.principal, loan.term_months) == ("requested", 12_000_000, 12)


def test_member_cannot_apply_for_someone_else_nor_see_their_loans(app, money, seed, as_role):
    member = as_role("member")
    refused = member.post("/loans", {**APPLICATION, "person_id": money.other_person_id})
    assert refused.status_code == 422
    assert count(app, Loan) == 0
    other_loan = approved_loan(app, seed.fund_id, money.other_person_id, 5_000_000)
    assert member.get(f"/loans/{other_loan}").status_code == 404
    assert f"/loans/{other_loan}" not in member.get("/loans").get_data(as_text=True)
    assert member.get(f"/people/{money.other_person_id}").status_code == 404


def test_viewer_cannot_apply(app, money, as_role):
    assert as_role("viewer").post("/loans", {**APPLICATION, "person_id": money.person_id}).status_code == 403
    assert count(app, Loan) == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("principal", "mười triệu"),
        ("principal", "0"),
        ("principal", "-1.000.000"),
        ("principal", "1,5"),
        ("principal", "2.000.000.000.000"),
        ("principal", "5.000"),  # less than 1.000 ₫ per month of the term
        ("term_months", "0"),
        ("term_months", "500"),
        ("grace_months", "-1"),
        ("applied_on", "2026-13-01"),
        ("applied_on", "2099-01-01"),
        ("purpose", ""),
    ],
)
def test_bad_applications_are_refused_next_to_the_field(app, money, as_role, field, value):
    response = as_role("chair").post("/loans", {**APPLICATION, "person_id": money.person_id, field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert count(app, Loan) == 0


def test_application_for_another_funds_person_is_refused(app, money, as_role):
    response = as_role("chair").post("/loans", {**APPLICATION, "person_id": money.foreign_person_id})
    assert response.status_code == 422 and count(app, Loan) == 0


def test_chair_approves_with_minutes_and_only_the_chair(app, money, seed, as_role):
    as_role("chair").post("/loans", {**APPLICATION, "person_id": money.person_id})
    with app.app_context():
        loan_id = db.session.scalar(sa.select(Loan.id))
    form = {"minutes_ref": "BB họp Tổ số 03/2026", "decided_on": "2026-01-10"}
    for role in ("treasurer", "member", "viewer"):
        assert as_role(role).post(f"/loans/{loan_id}/approve", form).status_code == 403
    assert as_role("chair").post(f"/loans/{loan_id}/approve", {"decided_on": "2026-01-10"}).status_code == 422
    assert as_role("chair").post(f"/loans/{loan_id}/approve", form).status_code == 303
    loan = loan_of(app, loan_id)
    assert (loan.status, loan.minutes_ref) == ("approved", "BB họp Tổ số 03/2026")
    # a decided loan cannot be decided again
    assert as_role("chair").post(f"/loans/{loan_id}/reject", {"reason": "Đổi ý"}).status_code == 422
    assert loan_of(app, loan_id).status == "approved"


def test_an_approval_sent_with_only_the_minutes_is_dated_today(app, money, as_role):
    """The contract names minutes_ref alone for POST /loans/<id>/approve; the date is today's."""
    chair = as_role("chair")
    chair.post("/loans", {**APPLICATION, "person_id": money.person_id, "applied_on": TODAY.isoformat()})
    with app.app_context():
        loan_id = db.session.scalar(sa.select(Loan.id))
    response = chair.post(f"/loans/{loan_id}/approve", {"minutes_ref": "BB họp Tổ số 04/2026"})
    assert response.status_code == 303
    loan = loan_of(app, loan_id)
    assert (loan.status, loan.decided_on) == ("approved", TODAY)
    # a date field sent empty is still a date left out by mistake
    chair.post("/loans", {**APPLICATION, "person_id": money.person_id})
    with app.app_context():
        second = db.session.scalar(sa.select(sa.func.max(Loan.id)))
    empty = chair.post(f"/loans/{second}/approve", {"minutes_ref": "BB 05", "decided_on": ""})
    assert empty.status_code == 422


def test_reject_needs_a_reason(app, money, as_role):
    chair = as_role("chair")
    chair.post("/loans", {**APPLICATION, "person_id": money.person_id})
    with app.app_context():
        loan_id = db.session.scalar(sa.select(Loan.id))
    assert chair.post(f"/loans/{loan_id}/reject", {"reason": ""}).status_code == 422
    assert chair.post(f"/loans/{loan_id}/reject", {"reason": "Chưa có phương án"}).status_code == 303
    assert loan_of(app, loan_id).status == "rejected"


# ----------------------------------------------------------------- disbursement


def test_disbursement_posts_voucher_schedule_and_funding(app, money, seed, as_role):
    first = donate(app, seed.fund_id, money.donor_id, 8_000_000, dt.date(2026, 1, 2))
    second = donate(app, seed.fund_id, money.donor_id, 10_000_000, dt.date(2026, 1, 3))
    loan_id = approved_loan(
        app, seed.fund_id, money.person_id, 12_000_000, term=12, grace=1, on=dt.date(2026, 1, 5)
    )
    response = as_role("treasurer").post(f"/loans/{loan_id}/disburse", {"disbursed_on": "2026-01-15"})
    assert response.status_code == 303
    loan = loan_of(app, loan_id)
    assert (loan.status, loan.voucher_no, loan.disbursed_on) == (
        "active",
        "PC-2026-0001",
        dt.date(2026, 1, 15),
    )
    with app.app_context():
        installments = db.session.scalars(sa.select(Installment).order_by(Installment.number)).all()
        # 12 months with 1 of grace: 11 installments, from month 2 (15/03/2026 is a Sunday)
        assert sum(i.amount_due for i in installments) == 12_000_000 and len(installments) == 11
        assert installments[0].due_on == dt.date(2026, 3, 16)
        assert installments[-1].due_on == dt.date(2027, 1, 15)
        fundings = db.session.execute(
            sa.select(Funding.donation_id, Funding.amount).order_by(Funding.id)
        ).all()
        assert fundings == [(first, 8_000_000), (second, 4_000_000)]  # oldest unallocated first
        assert balances.cash_balance(seed.fund_id) == 6_000_000
    page = as_role("viewer").get(f"/loans/{loan_id}").get_data(as_text=True)
    assert "PC-2026-0001" in page and "1.091.000 ₫" in page


def test_earmarked_donation_is_used_first(app, money, seed):
    older = donate(app, seed.fund_id, money.donor_id, 10_000_000, dt.date(2026, 1, 2))
    with app.app_context():
        from tracker.models import Donation, Donor

        donation = Donation(
            fund_id=seed.fund_id,
            donor_id=money.donor_id,
            amount=5_000_000,
            received_on=dt.date(2026, 1, 3),
            method="bank",
            earmark_person_id=money.person_id,
        )
        donation.donor = db.session.get(Donor, money.donor_id)
        journal.record_donation(donation, None)
        db.session.commit()
        earmarked = donation.id
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, 8_000_000, dt.date(2026, 1, 10))
    with app.app_context():
        rows = db.session.execute(
            sa.select(Funding.donation_id, Funding.amount).where(Funding.loan_id == loan_id)
        ).all()
    assert rows == [(earmarked, 5_000_000), (older, 3_000_000)]


def test_disbursement_larger_than_cash_is_refused_with_the_cash_available(app, money, seed, as_role):
    donate(app, seed.fund_id, money.donor_id, 2_000_000, dt.date(2026, 1, 2))
    loan_id = approved_loan(app, seed.fund_id, money.person_id, 12_000_000, on=dt.date(2026, 1, 5))
    response = as_role("treasurer").post(f"/loans/{loan_id}/disburse", {"disbursed_on": "2026-01-15"})
    assert response.status_code == 422
    assert "2.000.000 ₫" in response.get_data(as_text=True)
    assert loan_of(app, loan_id).status == "approved"
    assert count(app, JournalTransaction) == 1 and count(app, Installment) == 0


def test_backdated_disbursement_cannot_spend_money_that_arrived_later(app, money, seed, as_role):
    donate(app, seed.fund_id, money.donor_id, 20_000_000, dt.date(2026, 3, 1))
    loan_id = approved_loan(app, seed.fund_id, money.person_id, 12_000_000, on=dt.date(2026, 1, 5))
    response = as_role("treasurer").post(f"/loans/{loan_id}/disburse", {"disbursed_on": "2026-02-01"})
    assert response.status_code == 422 and "0 ₫" in response.get_data(as_text=True)


def test_only_the_treasurer_disburses_and_not_the_approver(app, money, seed, as_role):
    donate(app, seed.fund_id, money.donor_id, 20_000_000, dt.date(2026, 1, 2))
    loan_id = approved_loan(app, seed.fund_id, money.person_id, 12_000_000, on=dt.date(2026, 1, 5))
    for role in ("chair", "member", "viewer"):
        assert (
            as_role(role).post(f"/loans/{loan_id}/disburse", {"disbursed_on": "2026-01-15"}).status_code
            == 403
        )
    with app.app_context():
        from tests.factories import user_id

        db.session.get(Loan, loan_id).decided_by_id = user_id("treasurer")
        db.session.commit()
    assert (
        as_role("treasurer").post(f"/loans/{loan_id}/disburse", {"disbursed_on": "2026-01-15"}).status_code
        == 422
    )
    assert loan_of(app, loan_id).status == "approved"


# ----------------------------------------------------------------- repayments


def test_repayment_issues_receipts_and_settles_oldest_first(app, seed, as_role, active_loan):
    treasurer = as_role("treasurer")
    for amount in ("1.500.000", "500000"):
        response = treasurer.post(
            f"/loans/{active_loan}/repayments", {"amount": amount, "paid_on": "2026-03-01", "method": "cash"}
        )
        assert response.status_code == 303
    with app.app_context():
        receipts = db.session.scalars(sa.select(Repayment.receipt_no).order_by(Repayment.id)).all()
        # the donation took PT-2026-0001: receipts for money in share one series without gaps
        assert receipts == ["PT-2026-0002", "PT-2026-0003"]
    page = treasurer.get(f"/loans/{active_loan}").get_data(as_text=True)
    assert "1.000.000 ₫" in page  # outstanding
    schedule = page[page.index('id="schedule"') :]
    assert schedule.count('class="settled"') == 2
    with app.app_context():
        first = db.session.scalar(sa.select(Repayment.id).order_by(Repayment.id))
    receipt = treasurer.get(f"/repayments/{first}/receipt", headers={"Referer": "https://elsewhere.example/"})
    html = receipt.get_data(as_text=True)
    assert "PT-2026-0002" in html and "1.500.000 ₫" in html
    assert f'<a href="/loans/{active_loan}">' in html and "elsewhere.example" not in html


def test_repayment_above_outstanding_is_refused_with_the_balance(app, seed, as_role, active_loan):
    treasurer = as_role("treasurer")
    response = treasurer.post(
        f"/loans/{active_loan}/repayments", {"amount": "3.000.001", "paid_on": "2026-03-01", "method": "cash"}
    )
    assert response.status_code == 422
    assert "3.000.000 ₫" in response.get_data(as_text=True)
    assert count(app, Repayment) == 0


def test_repayment_with_htmx_swaps_the_money_panel(app, seed, as_role, active_loan):
    response = as_role("treasurer").post(
        f"/loans/{active_loan}/repayments",
        {"amount": "1.000.000", "paid_on": "2026-03-01", "method": "bank"},
        htmx=True,
    )
    assert response.status_code == 200
    html = fragment(response)
    assert html.lstrip().startswith('<div id="loan-money">')
    assert "2.000.000 ₫" in html  # the new outstanding


def test_the_htmx_repayment_that_pays_the_loan_off_reloads_the_whole_page(app, seed, as_role, active_loan):
    """Paid off, the loan's status and its corrections change outside the money panel: the page
    comes again (the panel alone left "Đang trả nợ" above 0 ₫ outstanding)."""
    treasurer = as_role("treasurer")
    response = treasurer.post(
        f"/loans/{active_loan}/repayments",
        {"amount": "3.000.000", "paid_on": "2026-03-01", "method": "cash"},
        htmx=True,
    )
    assert response.status_code == 200 and response.headers["HX-Redirect"] == f"/loans/{active_loan}"
    page = treasurer.get(f"/loans/{active_loan}").get_data(as_text=True)
    assert "Đã tất toán" in page and "Đang trả nợ" not in page


def test_refused_htmx_repayment_returns_the_panel_with_the_error(app, seed, as_role, active_loan):
    response = as_role("treasurer").post(
        f"/loans/{active_loan}/repayments",
        {"amount": "abc", "paid_on": "2026-03-01", "method": "cash"},
        htmx=True,
    )
    assert response.status_code == 422
    assert 'id="amount-error"' in fragment(response)


def test_full_repayment_closes_the_loan_and_reversal_reopens_it(app, seed, as_role, active_loan):
    treasurer = as_role("treasurer")
    treasurer.post(
        f"/loans/{active_loan}/repayments", {"amount": "3.000.000", "paid_on": "2026-03-01", "method": "cash"}
    )
    assert loan_of(app, active_loan).status == "repaid"
    with app.app_context():
        repayment_id = db.session.scalar(sa.select(Repayment.id))
    assert treasurer.post(f"/repayments/{repayment_id}/reverse", {"reason": ""}).status_code == 422
    assert (
        treasurer.post(f"/repayments/{repayment_id}/reverse", {"reason": "Ghi nhầm số tiền"}).status_code
        == 303
    )
    assert loan_of(app, active_loan).status == "active"
    with app.app_context():
        repayment = db.session.get(Repayment, repayment_id)
        assert repayment.is_reversed and repayment.reversal.reverses_id == repayment.transaction_id
        assert balances.loan_balance(db.session.get(Loan, active_loan)).outstanding == 3_000_000
    page = treasurer.get(f"/loans/{active_loan}").get_data(as_text=True)
    assert 'class="void"' in page and "Ghi nhầm số tiền" in page
    # reversing again, or reversing the reversal, is refused
    assert treasurer.post(f"/repayments/{repayment_id}/reverse", {"reason": "lần nữa"}).status_code == 422
    with app.app_context():
        reversal = db.session.get(JournalTransaction, db.session.get(Repayment, repayment_id).reversal_id)
        with pytest.raises(journal.MoneyRefused):
            journal.reverse(reversal, TODAY, "hủy cái hủy", None)


def test_reverse_disbursement_only_without_repayments(app, seed, as_role, active_loan):
    treasurer = as_role("treasurer")
    repayment_id = repay(app, active_loan, 1_000_000, dt.date(2026, 3, 1))
    assert treasurer.post(f"/loans/{active_loan}/reverse-disbursement", {"reason": "Sai"}).status_code == 422
    treasurer.post(f"/repayments/{repayment_id}/reverse", {"reason": "Sai"})
    assert treasurer.post(f"/loans/{active_loan}/reverse-disbursement", {"reason": "Sai"}).status_code == 303
    loan = loan_of(app, active_loan)
    assert loan.status == "approved" and loan.disbursed_on is None
    assert cash(app, seed.fund_id) == 20_000_000
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(Funding).where(Funding.void.is_(False)))
            == 0
        )


def test_a_reversed_disbursement_stays_on_the_loan_page_marked_void(app, seed, money, as_role, active_loan):
    """Both entries stay visible where the original was: the phiếu chi, struck through with the
    date and reason of its reversal, and printable marked void; a new disbursement gets a new one."""
    treasurer = as_role("treasurer")
    assert (
        treasurer.post(f"/loans/{active_loan}/reverse-disbursement", {"reason": "Chi nhầm người"}).status_code
        == 303
    )
    page = treasurer.get(f"/loans/{active_loan}").get_data(as_text=True)
    voided = page[page.index("void-entry") :][:600]
    assert "<s>PC-2026-0001</s>" in voided and "10/01/2026" in voided and "3.000.000 ₫" in voided
    assert "Chi nhầm người" in voided and f"đã hủy ngày {TODAY.strftime('%d/%m/%Y')}" in voided
    with app.app_context():
        transaction_id = db.session.scalar(
            sa.select(JournalTransaction.id).where(
                JournalTransaction.event == "disbursement", JournalTransaction.reverses_id.is_(None)
            )
        )
    voucher = treasurer.get(f"/loans/{active_loan}/voucher?transaction={transaction_id}").get_data(
        as_text=True
    )
    assert "PC-2026-0001" in voucher and "void-stamp" in voucher and "3.000.000" in voucher
    assert treasurer.get(f"/loans/{active_loan}/voucher").status_code == 404  # no live phiếu chi now
    other_loan = disbursed_loan(app, seed.fund_id, money.other_person_id, 1_000_000, dt.date(2026, 2, 1))
    assert treasurer.get(f"/loans/{other_loan}/voucher?transaction={transaction_id}").status_code == 404

    with app.app_context():  # the chair's approval stands; disbursed again, by another treasurer's hand
        db.session.get(Loan, active_loan).decided_by_id = None
        db.session.commit()
    assert treasurer.post(f"/loans/{active_loan}/disburse", {"disbursed_on": "2026-02-15"}).status_code == 303
    page = treasurer.get(f"/loans/{active_loan}").get_data(as_text=True)
    assert "<s>PC-2026-0001</s>" in page and ">PC-2026-0003</a>" in page
    live = treasurer.get(f"/loans/{active_loan}/voucher").get_data(as_text=True)
    assert "PC-2026-0003" in live and "void-stamp" not in live


def test_write_off_by_the_chair_leaves_cash_untouched(app, seed, as_role, active_loan):
    repay(app, active_loan, 1_000_000, dt.date(2026, 3, 1))
    before = cash(app, seed.fund_id)
    assert as_role("treasurer").post(f"/loans/{active_loan}/write-off", WRITE_OFF).status_code == 403
    assert (
        as_role("chair").post(f"/loans/{active_loan}/write-off", {**WRITE_OFF, "reason": ""}).status_code
        == 422
    )
    assert (
        as_role("chair")
        .post(f"/loans/{active_loan}/write-off", {**WRITE_OFF, "reason": "Người vay đã mất"})
        .status_code
        == 303
    )
    assert cash(app, seed.fund_id) == before
    with app.app_context():
        balance = balances.loan_balance(db.session.get(Loan, active_loan))
    assert (balance.outstanding, balance.written_off, balance.repaid) == (0, 2_000_000, 1_000_000)
    assert loan_of(app, active_loan).status == "written_off"


def test_another_funds_loan_is_not_found(app, money, seed, as_role):
    donate(app, seed.other_fund_id, money.foreign_donor_id, 10_000_000, dt.date(2026, 1, 2))
    with app.app_context():
        from tests.factories import user_id

        loan = Loan(
            fund_id=seed.other_fund_id,
            person_id=money.foreign_person_id,
            principal=5_000_000,
            purpose="x",
            applied_on=dt.date(2026, 1, 3),
            term_months=5,
            status="approved",
            decided_by_id=user_id("other_chair"),
        )
        db.session.add(loan)
        db.session.commit()
        foreign = loan.id
    treasurer = as_role("treasurer")
    assert treasurer.get(f"/loans/{foreign}").status_code == 404
    assert treasurer.post(f"/loans/{foreign}/disburse", {"disbursed_on": "2026-01-05"}).status_code == 404
    assert (
        as_role("chair").post(f"/loans/{foreign}/write-off", {**WRITE_OFF, "reason": "x"}).status_code == 404
    )
    assert loan_of(app, foreign).status == "approved"


def test_every_money_write_is_audited(app, seed, as_role, active_loan):
    as_role("treasurer").post(
        f"/loans/{active_loan}/repayments", {"amount": "1.000.000", "paid_on": "2026-03-01", "method": "cash"}
    )
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "repayment.create" in actions


def test_printable_receipt_and_voucher(app, seed, as_role, active_loan):
    repayment_id = repay(app, active_loan, 1_500_000, dt.date(2026, 3, 1))
    receipt = as_role("treasurer").get(f"/repayments/{repayment_id}/receipt").get_data(as_text=True)
    assert (
        "PHIẾU THU" in receipt and "Một triệu năm trăm nghìn đồng" in receipt and "Nguyễn Văn An" in receipt
    )
    voucher = as_role("chair").get(f"/loans/{active_loan}/voucher").get_data(as_text=True)
    assert "PHIẾU CHI" in voucher and "Ba triệu đồng" in voucher


def test_journal_rows_cannot_be_changed_or_deleted_by_the_database(app, seed, active_loan):
    with app.app_context():
        from tracker import audit

        audit.record("loan.approve", fund_id=seed.fund_id)
        db.session.commit()
        for statement in (
            "UPDATE journal_line SET amount = amount + 1",
            "DELETE FROM journal_line",
            "UPDATE journal_transaction SET posted_on = posted_on",
            "DELETE FROM journal_transaction",
            "UPDATE audit_event SET action = 'x'",
            "DELETE FROM audit_event",
        ):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                db.session.execute(sa.text(statement))
            db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.sum(JournalLine.amount))) == 0
