"""Phiếu thu and phiếu chi as forms C40-BB and C41-BB, and receipts first written on paper: their
book and number kept, refused twice, shown in the cash book; a warning when receipts are entered
out of date order; the migration that adds the columns."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.conftest import POSTGRES_URL, base_config, fragment, full_page
from tests.factories import donate
from tests.test_reports import read_csv
from tracker import create_app
from tracker.commands import demo
from tracker.extensions import db
from tracker.models import Donation, Donor, Repayment


def strip_tags(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def copies(html: str) -> list[str]:
    """The text of each printed copy (liên) of a receipt or voucher page."""
    return [strip_tags(part) for part in re.findall(r"<article class=\"voucher.*?</article>", html, re.S)]


def donation_data(donor_id: int, **changes) -> dict:
    data = {
        "donor_id": str(donor_id),
        "amount": "50.000.000",
        "received_on": "2026-02-05",
        "method": "cash",
        "note": "",
        "earmark_person_id": "0",
        "earmark_loan_id": "0",
    }
    data.update(changes)
    return data


# ------------------------------------------------------------------ the forms


def test_a_donation_receipt_is_form_c40_bb_twice_on_the_sheet(app, seed, money, as_role):
    donation_id = donate(app, seed.fund_id, money.donor_id, 50_000_000, dt.date(2026, 2, 5))
    html = full_page(as_role("viewer").get(f"/donations/{donation_id}/receipt"))
    first, second = copies(html)
    assert "Liên 1: Lưu tại nơi lập phiếu" in first and "Liên 2: Giao cho người nộp tiền" in second
    for copy in (first, second):
        assert "Mẫu số C40-BB" in copy
        assert "(Ban hành kèm theo Thông tư số 24/2024/TT-BTC ngày 17/4/2024 của Bộ Tài chính)" in copy
        assert "Đơn vị: Tổ quản lý Quỹ xã Hồng Sơn" in copy
        assert "Địa chỉ: xã Hồng Sơn, tỉnh Lâm Đồng" in copy
        assert "PHIẾU THU" in copy and "Ngày 05 tháng 02 năm 2026" in copy
        assert re.search(r"Quyển số: …+ Số: PT-2026-0001 Nợ: 111 Có: …+", copy)
        assert "Họ và tên người nộp tiền: Công ty TNHH Hồng Phát" in copy
        assert "Lý do nộp: Đóng góp Quỹ" in copy
        assert "Số tiền: 50.000.000 ₫ (Tiền mặt)" in copy
        assert "(Viết bằng chữ): Năm mươi triệu đồng" in copy
        assert re.search(r"Kèm theo: …+ chứng từ gốc\.", copy)
        for signer in ("Thủ trưởng đơn vị", "Kế toán trưởng", "Người nộp tiền", "Người lập phiếu", "Thủ quỹ"):
            assert signer in copy
        assert "(Ký, họ tên, đóng dấu)" in copy
        assert "Đã nhận đủ số tiền (viết bằng chữ):" in copy
        # who recorded it signs as the one who made it out; a business's name is not a signature
        assert "Người dùng treasurer" in copy
        assert copy.count("Công ty TNHH Hồng Phát") == 1
    # one heading for the page: the second copy is for paper only
    assert html.count("<h1>") == 1 and 'data-copy="2" aria-hidden="true"' in html


def test_a_bank_donation_is_debited_to_the_bank_account(app, seed, money, as_role):
    # the debit is the account the money went into (the form's `account`), as the journal posted it
    donation_id = donate(
        app, seed.fund_id, money.donor_id, 2_000_000, dt.date(2026, 2, 5), method="bank", account="bank"
    )
    (first, _second) = copies(
        as_role("treasurer").get(f"/donations/{donation_id}/receipt").get_data(as_text=True)
    )
    assert re.search(r"Nợ: 112 Có: …+", first) and "(Chuyển khoản)" in first


def test_an_anonymous_donor_stays_unnamed_on_both_copies(app, seed, as_role):
    with app.app_context():
        donor = Donor(fund_id=seed.fund_id, name="Phan Văn Kín", kind="individual", anonymous=True)
        donor.address = "Thôn Kín"
        db.session.add(donor)
        db.session.commit()
        donor_id = donor.id
    donation_id = donate(app, seed.fund_id, donor_id, 1_500_000, dt.date(2026, 2, 5))
    html = as_role("treasurer").get(f"/donations/{donation_id}/receipt").get_data(as_text=True)
    assert "Phan Văn Kín" not in html and "Thôn Kín" not in html
    for copy in copies(html):
        assert "Họ và tên người nộp tiền: Nhà hảo tâm giấu tên" in copy
        assert "Một triệu năm trăm nghìn đồng" in copy


def test_a_disbursement_voucher_is_form_c41_bb(app, seed, as_role, active_loan):
    html = full_page(as_role("treasurer").get(f"/loans/{active_loan}/voucher"))
    first, second = copies(html)
    assert "Liên 2: Thủ quỹ ghi sổ quỹ" in second
    for copy in (first, second):
        assert "Mẫu số C41-BB" in copy and "PHIẾU CHI" in copy and "Ngày 10 tháng 01 năm 2026" in copy
        assert re.search(r"Số: PC-2026-0001 Nợ: …+ Có: 111", copy)
        assert "Họ và tên người nhận tiền: Nguyễn Văn An" in copy
        assert f"Lý do chi: Giải ngân khoản vay số {active_loan}" in copy
        assert "Số tiền: 3.000.000 ₫" in copy and "(Viết bằng chữ): Ba triệu đồng" in copy
        assert "Người nhận tiền" in copy and "Người nộp tiền" not in copy


def test_a_repayment_receipt_names_the_borrower_who_signs_it(app, seed, as_role, active_loan):
    treasurer = as_role("treasurer")
    treasurer.post(f"/loans/{active_loan}/repayments", {"amount": "1.500.000", "paid_on": "2026-03-01"})
    with app.app_context():
        repayment_id = db.session.scalar(sa.select(Repayment.id))
    for copy in copies(treasurer.get(f"/repayments/{repayment_id}/receipt").get_data(as_text=True)):
        assert "Mẫu số C40-BB" in copy and "PT-2026-0002" in copy
        assert f"Lý do nộp: Trả nợ khoản vay số {active_loan}" in copy
        assert "Một triệu năm trăm nghìn đồng" in copy
        assert copy.count("Nguyễn Văn An") == 2  # the payer's line and their signature


# ------------------------------------------------------------------ receipts first written on paper


def test_the_paper_receipt_is_kept_and_shown_beside_the_number(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    response = treasurer.post("/donations", donation_data(money.donor_id, paper_book="02", paper_no="0037"))
    assert response.status_code == 303
    with app.app_context():
        donation = db.session.scalar(sa.select(Donation))
        assert (donation.receipt_no, donation.paper_book, donation.paper_no) == ("PT-2026-0001", "02", "0037")
    for copy in copies(treasurer.get(response.location).get_data(as_text=True)):
        assert "Quyển số: 02 Số: PT-2026-0001 Số phiếu giấy: 0037" in copy
    page = full_page(treasurer.get(f"/donations/{donation.id}"))
    assert "phiếu giấy: quyển 02, số 0037" in page
    book = full_page(treasurer.get("/reports/cashbook?from=2026-01-01&to=2026-12-31"))
    row = re.search(r"<tr class=\"kind-donation\">.*?</tr>", book, re.S).group(0)
    assert "PT-2026-0001" in row and "phiếu giấy: quyển 02, số 0037" in row
    rows = read_csv(as_role("chair").get("/reports/cashbook?format=csv&from=2026-01-01&to=2026-12-31"))
    header, donation_line = rows[0], rows[2]
    assert header[-3:] == ["paper_book", "paper_no", "account"]  # the account came after them
    assert donation_line[1] == "PT-2026-0001" and donation_line[-3:-1] == ["02", "0037"]
    assert rows[1][-3:-1] == ["", ""]  # the opening balance has none


def test_a_repayment_records_its_paper_receipt(app, seed, as_role, active_loan):
    treasurer = as_role("treasurer")
    response = treasurer.post(
        f"/loans/{active_loan}/repayments",
        {"amount": "1.000.000", "paid_on": "2026-03-01", "method": "cash", "paper_no": "15"},
        htmx=True,
    )
    assert "phiếu giấy số 15" in fragment(response)
    with app.app_context():
        assert db.session.scalar(sa.select(Repayment.paper_no)) == "15"
    book = full_page(treasurer.get("/reports/cashbook?from=2026-03-01&to=2026-03-01"))
    assert "phiếu giấy số 15" in book


def test_a_paper_receipt_is_entered_once(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    assert treasurer.post("/donations", donation_data(money.donor_id, paper_no="37")).status_code == 303
    again = treasurer.post("/donations", donation_data(money.donor_id, paper_no="37", amount="1.000.000"))
    assert again.status_code == 422
    assert "Phiếu thu giấy này đã được nhập, là phiếu PT-2026-0001" in again.get_data(as_text=True)
    # another book's number 37 is another receipt
    other_book = donation_data(money.donor_id, paper_book="2", paper_no="37", amount="1.000.000")
    assert treasurer.post("/donations", other_book).status_code == 303
    # once the first is reversed, its paper receipt may be entered again, corrected
    with app.app_context():
        first = db.session.scalar(sa.select(Donation.id).where(Donation.receipt_no == "PT-2026-0001"))
    treasurer.post(f"/donations/{first}/reverse", {"reason": "Ghi nhầm số tiền"})
    assert treasurer.post("/donations", donation_data(money.donor_id, paper_no="37")).status_code == 303


def test_a_paper_book_needs_its_number(app, seed, money, as_role):
    response = as_role("treasurer").post("/donations", donation_data(money.donor_id, paper_book="3"))
    assert response.status_code == 422
    assert "Ghi cả số của phiếu thu giấy, hoặc xóa quyển số." in response.get_data(as_text=True)
    assert '<details class="paper-receipt" open>' in response.get_data(as_text=True)


def test_the_paper_receipt_part_is_folded_until_used(app, seed, money, as_role):
    html = full_page(as_role("treasurer").get("/donations"))
    assert '<details class="paper-receipt">' in html and "<summary>Phiếu thu giấy</summary>" in html
    assert 'name="paper_book"' in html and 'name="paper_no"' in html


# ------------------------------------------------------------------ entered out of date order


WARNING = "Phiếu thu này có ngày trước phiếu {number} đã nhập ngày {day}."


def test_a_receipt_dated_before_one_entered_earlier_is_saved_with_a_warning(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    first = treasurer.post("/donations", donation_data(money.donor_id, received_on="2026-03-10"))
    assert WARNING[:30] not in full_page(treasurer.get(first.location))
    in_order = treasurer.post("/donations", donation_data(money.donor_id, received_on="2026-03-12"))
    assert WARNING[:30] not in full_page(treasurer.get(in_order.location))
    late = treasurer.post("/donations", donation_data(money.donor_id, received_on="2026-03-11"))
    assert late.status_code == 303  # saved: a warning, not a refusal
    page = full_page(treasurer.get(late.location))
    # named: the receipt with the latest date among those entered before
    assert WARNING.format(number="PT-2026-0002", day="12/03/2026") in page
    assert 'class="flash flash-warning"' in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Donation.id))) == 3


def test_a_repayment_entered_late_warns_beside_its_confirmation(app, seed, money, as_role, active_loan):
    treasurer = as_role("treasurer")
    treasurer.post("/donations", donation_data(money.donor_id, received_on="2026-03-10"))
    response = treasurer.post(
        f"/loans/{active_loan}/repayments", {"amount": "1.000.000", "paid_on": "2026-03-01"}, htmx=True
    )
    html = fragment(response)
    assert 'id="receipt-order-warning"' in html
    assert WARNING.format(number="PT-2026-0002", day="10/03/2026") in html


# ------------------------------------------------------------------ the migration


def columns(engine, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(engine).get_columns(table)}


def test_the_migration_adds_and_removes_the_paper_columns(tmp_path, monkeypatch):
    if POSTGRES_URL:
        pytest.skip("SQLite only")
    # The demo's money is loaded at the newest schema (the code reads the later tables), without
    # its grants and costs, its bank account and its cash counts: the way back refuses to drop a
    # journal that holds them (d1e2f3a4b5c6, c0d1e2f3a4b5).
    monkeypatch.setattr(demo, "tell_help_story", lambda fund, people: None)
    monkeypatch.setattr(demo, "BANK_ACCOUNT_OPENED", dt.date(9999, 1, 1))
    monkeypatch.setattr(demo, "tell_cash_and_bank", lambda fund, treasurer: None)
    app = create_app(base_config(f"sqlite:///{tmp_path}/m.sqlite3"))
    app.instance_path = str(tmp_path)
    with app.app_context():
        upgrade(revision="f6a7b8c9d0e1")
        assert "paper_no" not in columns(db.engine, "donation")
        upgrade(revision="a7b8c9d0e1f2")
        for table in ("donation", "repayment"):
            assert {"paper_book", "paper_no"} <= columns(db.engine, table)
        upgrade()
        assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
        db.session.remove()
        downgrade(revision="a7b8c9d0e1f2")
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE donation SET paper_book = '1', paper_no = '9' WHERE id = 1"))
            before = conn.execute(sa.text("SELECT count(*) FROM donation")).scalar()
            repayments = conn.execute(sa.text("SELECT count(*) FROM repayment")).scalar()
        assert before > 0 and repayments > 0
        downgrade(revision="f6a7b8c9d0e1")
        for table in ("donation", "repayment"):
            assert not {"paper_book", "paper_no"} & columns(db.engine, table)
        with db.engine.connect() as conn:
            # the rows survive the table's rebuild, and the books still balance
            assert conn.execute(sa.text("SELECT count(*) FROM donation")).scalar() == before
            assert conn.execute(sa.text("SELECT count(*) FROM repayment")).scalar() == repayments
            assert conn.execute(sa.text("SELECT sum(amount) FROM journal_line")).scalar() == 0
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT paper_no FROM donation WHERE id = 1")).scalar() == ""
        db.engine.dispose()
