"""Import from Excel (tracker.importing): the template, the reader's errors by sheet, row and
column, the dry run and the import through the journal, idempotence, the command and the page."""

import datetime as dt
import html
import io
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from tracker.blueprints import importing
from tracker.extensions import db
from tracker.importing import apply, reader, template
from tracker.models import (
    AuditEvent,
    CommitteeMember,
    Donation,
    Donor,
    ImportedRow,
    Installment,
    JournalTransaction,
    Loan,
    PeriodClose,
    Person,
    PersonStatusChange,
    Repayment,
    Visit,
)
from tracker.money import balances

D = dt.date


def good_rows() -> dict[str, list[dict]]:
    """A small fund's old books: two members, two people, two donors, three donations, two loans
    (one paid out and partly repaid, one waiting), repayments and visits."""
    return {
        "members": [
            {
                "key": "TV01",
                "full_name": "Nguyễn Văn Hùng",
                "position": "Tổ trưởng",
                "joined_on": D(2024, 1, 2),
            },
            {"key": "TV02", "full_name": "Lê Thị Hoa", "organisation": "Hội Phụ nữ", "phone": "0912345678"},
        ],
        "people": [
            {
                "key": "NG01",
                "full_name": "Trần Văn Minh",
                "birth_year": 1990,
                "gender": "male",
                "address": "Thôn 2",
                "consent_recorded_on": D(2024, 1, 10),
                "mentor": "TV01",
            },
            {
                "key": "NG02",
                "full_name": "Đỗ Văn Tâm",
                "consent_recorded_on": D(2024, 2, 1),
                "mentor": "TV02",
            },
        ],
        "donors": [
            {"key": "NT01", "name": "Công ty TNHH Hồng Phát", "kind": "business"},
            {"key": "NT02", "name": "Phạm Văn Lộc", "kind": "individual", "title": "Ông"},
        ],
        "donations": [
            {
                "donor": "NT01",
                "amount": 20_000_000,
                "received_on": D(2024, 1, 20),
                "method": "cash",
                "paper_book": "01",
                "paper_no": "001",
            },
            {"donor": "NT02", "amount": 5_000_000, "received_on": D(2024, 2, 5), "method": "cash"},
            {
                "donor": "NT01",
                "amount": 10_000_000,
                "received_on": D(2025, 1, 6),
                "method": "bank",
                "account": "bank",
            },
        ],
        "loans": [
            {
                "key": "KV01",
                "person": "NG01",
                "principal": 12_000_000,
                "term_months": 12,
                "grace_months": 0,
                "purpose": "Nuôi bò sinh sản",
                "applied_on": D(2024, 3, 1),
                "approved_on": D(2024, 3, 8),
                "minutes_ref": "Biên bản họp ngày 08/03/2024",
                "disbursed_on": D(2024, 3, 15),
                "guarantor_name": "Trần Thị Lan",
                "guarantor_relation": "Vợ",
            },
            {
                "key": "KV02",
                "person": "NG02",
                "principal": 8_000_000,
                "term_months": 10,
                "purpose": "Mở quán nước",
                "applied_on": D(2025, 2, 1),
            },
        ],
        "repayments": [
            {"loan": "KV01", "amount": 1_000_000, "paid_on": D(2024, 4, 15), "method": "cash"},
            {
                "loan": "KV01",
                "amount": 1_000_000,
                "paid_on": D(2024, 5, 15),
                "method": "cash",
                "paper_book": "01",
                "paper_no": "002",
            },
        ],
        "visits": [
            {
                "person": "NG01",
                "mentor": "TV01",
                "visited_on": D(2024, 4, 1),
                "kind": "home",
                "summary": "Bò khỏe",
            },
        ],
    }


def workbook(rows: dict) -> bytes:
    """The template holding `rows` (parsed values), as the round-trip export writes it."""
    full = {sheet.code: [] for sheet in template.SHEETS}
    for code, sheet_rows in rows.items():
        columns = template.BY_CODE[code].columns
        full[code] = [{column.code: row.get(column.code) for column in columns} for row in sheet_rows]
    return template.workbook_bytes(full)


def edited(data: bytes, changes: dict[tuple[str, int, int], object]) -> bytes:
    """The workbook with cells typed over: (sheet title, row, column number) -> what was typed."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    for (title, row, column), value in changes.items():
        book[title].cell(row, column, value)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def counts(fund_id: int) -> dict[str, int]:
    models = (
        CommitteeMember,
        Person,
        Donor,
        Donation,
        Loan,
        Repayment,
        Visit,
        JournalTransaction,
        ImportedRow,
    )
    return {
        model.__name__: db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.fund_id == fund_id)
        )
        for model in models
    }


def as_posted(app):
    """Where the import runs as the page's POST does (a GET's transaction is READ ONLY on
    PostgreSQL, tracker.database)."""
    return app.test_request_context("/import", method="POST")


def texts(outcome) -> list[str]:
    return [problem.text() for problem in outcome.errors]


# ------------------------------------------------------------------------------ the good workbook


def test_a_good_workbook_is_imported_through_the_journal(app, seed):
    with as_posted(app):
        before = counts(seed.fund_id)
        parsed = reader.read(workbook(good_rows()))
        assert parsed.errors == []
        dry = apply.dry_run(seed.fund_id, parsed, None)
        assert texts(dry) == []
        assert dry.created == {
            "members": 2,
            "people": 2,
            "donors": 2,
            "donations": 3,
            "loans": 2,
            "repayments": 2,
            "visits": 1,
        }
        assert (dry.donated, dry.lent, dry.repaid) == (35_000_000, 12_000_000, 2_000_000)
        assert counts(seed.fund_id) == before  # the dry run wrote nothing

        outcome = apply.commit(seed.fund_id, reader.read(workbook(good_rows())), None)
        assert outcome.ok and outcome.created == dry.created
        fund = seed.fund_id
        # receipts numbered per year in the order of their dates, as if typed by hand
        receipts = db.session.execute(
            sa.select(JournalTransaction.document_no, JournalTransaction.posted_on, JournalTransaction.event)
            .where(JournalTransaction.fund_id == fund)
            .order_by(JournalTransaction.id)
        ).all()
        assert [tuple(r) for r in receipts] == [
            ("PT-2024-0001", D(2024, 1, 20), "donation"),
            ("PT-2024-0002", D(2024, 2, 5), "donation"),
            ("PC-2024-0001", D(2024, 3, 15), "disbursement"),
            ("PT-2024-0003", D(2024, 4, 15), "repayment"),
            ("PT-2024-0004", D(2024, 5, 15), "repayment"),
            ("PT-2025-0001", D(2025, 1, 6), "donation"),
        ]
        assert balances.available_cash(fund, D(2026, 1, 1), "cash") == 25_000_000 - 12_000_000 + 2_000_000
        assert balances.available_cash(fund, D(2026, 1, 1), "bank") == 10_000_000
        first, waiting = db.session.scalars(sa.select(Loan).where(Loan.fund_id == fund).order_by(Loan.id))
        assert first.status == "active" and first.voucher_no == "PC-2024-0001"
        assert waiting.status == "requested"
        dues = db.session.scalars(
            sa.select(Installment.amount_due)
            .where(Installment.loan_id == first.id)
            .order_by(Installment.number)
        ).all()
        assert len(dues) == 12 and sum(dues) == 12_000_000
        assert balances.loan_balance(first).outstanding == 10_000_000
        paper = db.session.scalar(sa.select(Donation).where(Donation.paper_no == "001"))
        assert (paper.paper_book, paper.receipt_no) == ("01", "PT-2024-0001")
        person = db.session.scalar(sa.select(Person).where(Person.full_name == "Trần Văn Minh"))
        assert person.mentor.full_name == "Nguyễn Văn Hùng" and person.search_text == "tran van minh thon 2"
        # every row created is in the audit log, marked as imported
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.fund_id == fund)).all()
        imported = [e for e in events if '"source": "excel"' in e.after]
        assert {e.action for e in imported} >= {
            "member.create",
            "person.create",
            "donor.create",
            "donation.create",
            "loan.apply",
            "loan.approve",
            "loan.disburse",
            "repayment.create",
            "visit.create",
            "import.file",
        }
        assert len([e for e in imported if e.action == "donation.create"]) == 3


# ------------------------------------------------------------------------------ a bad workbook


def test_every_error_is_reported_by_sheet_row_and_column_and_nothing_is_written(app, seed):
    rows = good_rows()
    rows["donations"].append(
        {"donor": "NT09", "amount": 1_000_000, "received_on": D(2024, 2, 6), "method": "cash"}
    )
    # more than the cash on hand that day (25.000.000 ₫ then)
    rows["loans"].append(
        {
            "key": "KV03",
            "person": "NG02",
            "principal": 30_000_000,
            "term_months": 12,
            "purpose": "Mua máy cày",
            "applied_on": D(2024, 3, 2),
            "approved_on": D(2024, 3, 9),
            "disbursed_on": D(2024, 3, 20),
        }
    )
    # paid out before it was approved
    rows["loans"].append(
        {
            "key": "KV04",
            "person": "NG02",
            "principal": 1_000_000,
            "term_months": 6,
            "purpose": "Mua giống",
            "applied_on": D(2024, 3, 2),
            "approved_on": D(2024, 3, 9),
            "disbursed_on": D(2024, 3, 5),
        }
    )
    # more than is outstanding (10.000.000 ₫ after the two repayments)
    rows["repayments"].append(
        {"loan": "KV01", "amount": 11_000_000, "paid_on": D(2024, 6, 15), "method": "cash"}
    )
    # the same paper receipt twice
    rows["repayments"].append(
        {
            "loan": "KV01",
            "amount": 500_000,
            "paid_on": D(2024, 7, 15),
            "method": "cash",
            "paper_book": "01",
            "paper_no": "002",
        }
    )
    rows["visits"].append({"person": "NG07", "visited_on": D(2024, 5, 1), "kind": "phone"})
    rows["members"].append({"key": "TV03", "full_name": "Hà Văn Sơn"})
    rows["people"].append({"key": "NG03", "full_name": "Vũ Văn Hải", "consent_recorded_on": D(2024, 1, 1)})
    rows["donors"].append({"key": "NT03", "name": "Hợp tác xã Đông Hưng", "kind": "organisation"})
    with app.app_context():
        data = workbook(rows)
    data = edited(
        data,
        {
            ("Khoản đóng góp", 3, 2): "1,5tr",  # Số tiền
            ("Khoản đóng góp", 4, 3): "31/02/2025",  # Ngày nhận
            ("Người được giúp đỡ", 4, 4): "Không rõ",  # Giới tính
            ("Thành viên tổ", 4, 1): "tv01",  # Mã used twice (codes compare without case)
            ("Nhà tài trợ", 4, 5): "12345",  # Điện thoại
            ("Khoản vay", 3, 5): "mười",  # Thời hạn vay
        },
    )
    with as_posted(app):
        before = counts(seed.fund_id)
        outcome = apply.dry_run(seed.fund_id, reader.read(data), None)
        found = texts(outcome)
        expected = [
            "Khoản đóng góp, dòng 3, cột Số tiền: '1,5tr' không phải số tiền",
            "Khoản đóng góp, dòng 4, cột Ngày nhận: '31/02/2025' không phải ngày",
            "Người được giúp đỡ, dòng 4, cột Giới tính: 'Không rõ' không có trong danh sách",
            "Thành viên tổ, dòng 4, cột Mã: Mã TV01 đã dùng ở dòng 2",
            "Nhà tài trợ, dòng 4, cột Số điện thoại: '12345' không phải số điện thoại",
            "Khoản vay, dòng 3, cột Thời hạn vay",
            "Khoản đóng góp, dòng 5, cột Mã nhà tài trợ: Không có dòng nào mang mã NT09",
            "Khoản vay, dòng 4, cột Ngày giải ngân: Tiền mặt tồn quỹ chỉ còn 8.000.000 ₫, "
            "không đủ để chi 30.000.000 ₫.",
            "Khoản vay, dòng 5, cột Ngày giải ngân: Ngày giải ngân không được trước ngày duyệt cho vay.",
            "Các lần trả nợ, dòng 4, cột Số tiền: Số tiền trả vượt dư nợ: khoản vay chỉ còn nợ 10.000.000 ₫.",
            "Các lần trả nợ, dòng 5, cột Phiếu thu giấy: số: "
            "Phiếu thu giấy này đã được nhập, là phiếu PT-2024-0003.",
            "Thăm hỏi, dòng 3, cột Mã người được giúp đỡ: Không có dòng nào mang mã NG07",
        ]
        for start in expected:
            assert any(text.startswith(start) for text in found), (start, "\n".join(found))
        # a row with an error is not named again by the rows that refer to it
        assert len(found) == len(expected)
        assert counts(seed.fund_id) == before
        # the import itself refuses the same file whole
        assert not apply.commit(seed.fund_id, reader.read(data), None).ok
        assert counts(seed.fund_id) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a workbook", "không phải tệp Excel"),
        (b"x" * (reader.MAX_BYTES + 1), "lớn hơn 5 MB"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(app, seed, data, message):
    with as_posted(app):
        outcome = apply.dry_run(seed.fund_id, reader.read(data), None)
        assert message in texts(outcome)[0]


def test_a_missing_required_column_is_named(app, seed):
    with app.app_context():
        book = openpyxl.load_workbook(io.BytesIO(workbook({})))
    book["Khoản vay"].cell(1, 3).value = "Tiền"
    output = io.BytesIO()
    book.save(output)
    with as_posted(app):
        found = texts(apply.dry_run(seed.fund_id, reader.read(output.getvalue()), None))
        assert found == ["Khoản vay, dòng 1, cột Số tiền đề nghị vay: Bảng thiếu cột này."]


# ------------------------------------------------------------------------------ once only


def test_the_same_file_twice_does_nothing_the_second_time(app, seed):
    with as_posted(app):
        data = workbook(good_rows())
        assert apply.commit(seed.fund_id, reader.read(data), None).ok
        after_first = counts(seed.fund_id)
        again = apply.commit(seed.fund_id, reader.read(data), None)
        assert again.ok and sum(again.created.values()) == 0
        assert again.skipped["donations"] == 3 and again.skipped["loans"] == 2
        assert counts(seed.fund_id) == after_first


def test_a_corrected_file_with_more_repayments_adds_only_those(app, seed):
    rows = good_rows()
    with as_posted(app):
        assert apply.commit(seed.fund_id, reader.read(workbook(rows)), None).ok
        first = counts(seed.fund_id)
        for month in (6, 7, 8):
            rows["repayments"].append(
                {"loan": "KV01", "amount": 1_000_000, "paid_on": D(2024, month, 15), "method": "cash"}
            )
        # two equal repayments on one day are two rows, not one
        rows["repayments"].append(
            {"loan": "KV01", "amount": 1_000_000, "paid_on": D(2024, 8, 15), "method": "cash"}
        )
        outcome = apply.commit(seed.fund_id, reader.read(workbook(rows)), None)
        assert outcome.ok, texts(outcome)
        assert outcome.created == {"repayments": 4}
        assert counts(seed.fund_id)["Repayment"] == first["Repayment"] + 4
        loan = db.session.scalar(
            sa.select(Loan).where(Loan.fund_id == seed.fund_id, Loan.disbursed_on.is_not(None))
        )
        assert balances.loan_balance(loan).outstanding == 6_000_000


def test_likely_duplicates_are_warnings_not_errors(app, seed):
    rows = good_rows()
    rows["members"].append({"key": "TV03", "full_name": "Pham Van Binh"})  # the seed's Phạm Văn Bình
    rows["people"].append({"key": "NG03", "full_name": "TRAN VAN MINH", "consent_recorded_on": D(2024, 1, 1)})
    rows["loans"][1]["guarantor_name"] = rows["loans"][0]["guarantor_name"]  # one guarantor, two loans
    with as_posted(app):
        outcome = apply.dry_run(seed.fund_id, reader.read(workbook(rows)), None)
        assert outcome.ok
        assert len(outcome.warnings) == 2
        warnings = [problem.text() for problem in outcome.warnings]
        assert any(
            w.startswith("Thành viên tổ, dòng 4, cột Họ và tên: Phạm Văn Bình đã có") for w in warnings
        ), warnings
        assert any(
            w.startswith("Người được giúp đỡ, dòng 4, cột Họ và tên: Trùng tên với dòng 2") for w in warnings
        ), warnings


def test_the_template_has_lists_headings_and_no_rows_to_import(app, seed):
    with as_posted(app):
        data = template.workbook_bytes()
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book.sheetnames == [
            "Hướng dẫn",
            "Thành viên tổ",
            "Người được giúp đỡ",
            "Nhà tài trợ",
            "Khoản đóng góp",
            "Khoản vay",
            "Các lần trả nợ",
            "Thăm hỏi",
        ]
        donations = book["Khoản đóng góp"]
        assert [c.value for c in donations[1]][:4] == [
            "Mã nhà tài trợ *",
            "Số tiền *",
            "Ngày nhận *",
            "Hình thức *",
        ]
        lists = {str(v.sqref).split(":")[0]: v.formula1 for v in donations.data_validations.dataValidation}
        assert lists["D2"] == '"Tiền mặt,Chuyển khoản"'
        assert lists["E2"] == '"Tiền mặt,Tiền gửi ngân hàng"'
        assert donations.max_row == 1
        # what is typed later reads as in the app's exports: money 1.000.000, dates 27/11/2026
        formats = {letter: donations.column_dimensions[letter].number_format for letter in "ABC"}
        assert formats == {"A": "@", "B": "#,##0", "C": "dd/mm/yyyy"}
        # the examples are on the instructions sheet only, and reading the template finds nothing
        instructions = [[c.value for c in row] for row in book["Hướng dẫn"].iter_rows()]
        assert ["Khoản đóng góp", "Số tiền", "Có", None, "10.000.000"] in [r[:5] for r in instructions]
        parsed = reader.read(data)
        assert parsed.errors == [] and not any(parsed.rows.values())


# ------------------------------------------------------------------------------ the command


def test_the_command_checks_first_and_imports_with_commit(app, seed, runner, tmp_path):
    path = tmp_path / "so-sach.xlsx"
    with app.app_context():
        path.write_bytes(workbook(good_rows()))
    result = runner.invoke(args=["import", str(path), "--fund", str(seed.fund_id)])
    assert result.exit_code == 0, result.output
    assert "Sẽ tạo: 2 thành viên tổ, 2 người được giúp đỡ, 2 nhà tài trợ, 3 khoản đóng góp" in result.output
    assert "Đóng góp 35.000.000 ₫, cho vay 12.000.000 ₫, thu nợ 2.000.000 ₫." in result.output
    with app.app_context():
        assert counts(seed.fund_id)["Donation"] == 0
    result = runner.invoke(args=["import", str(path), "--fund", str(seed.fund_id), "--commit"])
    assert result.exit_code == 0, result.output
    assert "Đã nhập: 2 thành viên tổ" in result.output
    with app.app_context():
        assert counts(seed.fund_id)["Donation"] == 3
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "import.file")
            )
            == 1
        )
    result = runner.invoke(args=["import", str(path), "--fund", str(seed.fund_id), "--commit"])
    assert "Không có gì mới để nhập." in result.output


def test_the_command_exits_non_zero_on_errors(app, seed, runner, tmp_path):
    path = tmp_path / "sai.xlsx"
    with app.app_context():
        path.write_bytes(edited(workbook(good_rows()), {("Khoản đóng góp", 2, 2): "1,5tr"}))
    result = runner.invoke(args=["import", str(path), "--fund", str(seed.fund_id), "--commit"])
    assert result.exit_code == 1
    assert "Lỗi: Khoản đóng góp, dòng 2, cột Số tiền: '1,5tr' không phải số tiền" in result.output
    with app.app_context():
        assert counts(seed.fund_id)["Donation"] == 0


# ------------------------------------------------------------------------------ the page


def upload(browser, data: bytes, name: str = "so-sach.xlsx"):
    return browser.post("/import", {"file": (io.BytesIO(data), name)})


def kept_files(app) -> list:
    folder = Path(app.instance_path) / "imports"
    return sorted(folder.glob("*")) if folder.exists() else []


def test_the_page_checks_then_imports_the_file_it_checked(app, seed, as_role):
    chair = as_role("chair")
    page = chair.get("/import")
    body = page.get_data(as_text=True)
    assert "Nhập dữ liệu từ Excel" in body and 'href="/import/template.xlsx"' in body
    template_file = chair.client.get("/import/template.xlsx")
    assert template_file.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert openpyxl.load_workbook(io.BytesIO(template_file.get_data())).sheetnames[0] == "Hướng dẫn"

    with app.app_context():
        data = workbook(good_rows())
        before = counts(seed.fund_id)
    checked = upload(chair, data)
    body = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "Sẽ tạo: 2 thành viên tổ, 2 người được giúp đỡ, 2 nhà tài trợ, 3 khoản đóng góp" in body
    assert "Đóng góp 35.000.000 ₫, cho vay 12.000.000 ₫, thu nợ 2.000.000 ₫." in body
    assert 'action="/import/commit"' in body
    assert len(kept_files(app)) == 1  # kept for the import, outside the static folder
    assert not str(kept_files(app)[0]).startswith(str(Path(app.static_folder)))
    with app.app_context():
        assert counts(seed.fund_id) == before

    # the import needs the session's token like every form
    refused = chair.client.post("/import/commit", data={"csrf_token": "not-a-token"})
    assert refused.status_code == 400
    imported = chair.post("/import/commit")
    assert imported.status_code == 303
    shown = chair.get(imported.headers["Location"]).get_data(as_text=True)
    assert "Đã nhập: 2 thành viên tổ" in shown
    assert kept_files(app) == []  # never kept after the import
    with app.app_context():
        assert counts(seed.fund_id)["Donation"] == 3
    # a second press imports nothing more: the file is gone, the page asks for it again
    again = chair.post("/import/commit")
    assert again.status_code == 303
    assert "Hãy tải tệp lên lại" in chair.get(again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert counts(seed.fund_id)["Donation"] == 3


def test_the_page_lists_every_error_and_offers_no_import(app, seed, as_role):
    chair = as_role("chair")
    with app.app_context():
        data = edited(workbook(good_rows()), {("Khoản đóng góp", 2, 2): "1,5tr", ("Khoản vay", 2, 8): "x"})
    checked = upload(chair, data)
    body = html.unescape(checked.get_data(as_text=True))
    assert checked.status_code == 422
    assert ">Khoản đóng góp</td>" in body and ">Số tiền</td>" in body
    assert "'1,5tr' không phải số tiền" in body
    assert ">Ngày làm đơn</td>" in body and "'x' không phải ngày" in body
    assert 'action="/import/commit"' not in body
    assert kept_files(app) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("so-sach.csv", b"a,b\n1,2\n", "Tải lên tệp Excel (.xlsx) điền theo mẫu."),
        ("so-sach.xlsx", b"not a zip", "Đây không phải tệp Excel (.xlsx)"),
        ("so-sach.xlsx", b"x" * 2_000, "Tệp lớn hơn 5 MB"),
    ],
)
def test_a_bad_upload_is_refused_next_to_the_field(app, seed, as_role, monkeypatch, name, data, message):
    monkeypatch.setattr(reader, "MAX_BYTES", 1_000)  # 5 MB in the test client is a temporary file
    chair = as_role("chair")
    response = upload(chair, data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert kept_files(app) == []


def test_a_request_too_large_is_refused_before_it_is_read(app, seed, as_role):
    chair = as_role("chair")
    app.config["MAX_CONTENT_LENGTH"] = 1_000  # 8 MB in the test client would be a temporary file
    response = upload(chair, b"x" * 2_000)
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    assert kept_files(app) == []


def test_the_page_sends_a_very_large_file_to_be_split(app, seed, as_role, monkeypatch):
    monkeypatch.setattr(importing, "PAGE_MAX_ROWS", 10)
    chair = as_role("chair")
    with app.app_context():
        data = workbook(good_rows())  # 14 rows
    response = upload(chair, data)
    assert response.status_code == 422
    assert "Tệp có hơn 10 dòng: hãy chia thành nhiều tệp" in html.unescape(response.get_data(as_text=True))
    assert kept_files(app) == []


@pytest.mark.parametrize("role", ["treasurer", "member", "viewer"])
def test_only_the_chair_imports(app, seed, as_role, role):
    browser = as_role(role)
    with app.app_context():
        data = workbook(good_rows())
    assert browser.get("/import").status_code == 403
    assert browser.get("/import/template.xlsx").status_code == 403
    assert upload(browser, data).status_code == 403
    assert browser.post("/import/commit").status_code == 403
    with app.app_context():
        assert counts(seed.fund_id)["Donation"] == 0


def test_dates_in_a_closed_period_are_errors_of_their_rows(app, seed):
    with as_posted(app):
        db.session.add(PeriodClose(fund_id=seed.fund_id, closed_through=D(2024, 12, 31)))
        db.session.commit()
        outcome = apply.dry_run(seed.fund_id, reader.read(workbook(good_rows())), None)
        found = texts(outcome)
        assert found[0].startswith(
            "Khoản đóng góp, dòng 2, cột Ngày nhận: Sổ đã khóa đến hết ngày 31/12/2024"
        )
        # every money row dated in 2024 is refused; the 2025 donation is not
        assert [text.split(":")[0] for text in found] == [
            "Khoản đóng góp, dòng 2, cột Ngày nhận",
            "Khoản đóng góp, dòng 3, cột Ngày nhận",
            "Khoản vay, dòng 2, cột Ngày giải ngân",
        ]


def test_a_loan_written_off_takes_money_back_after_it_as_a_recovery(app, seed):
    rows = good_rows()
    rows["loans"][0].update(written_off_on=D(2024, 9, 1), write_off_reason="Người vay chuyển đi nơi khác")
    rows["repayments"].append(
        {"loan": "KV01", "amount": 500_000, "paid_on": D(2024, 10, 1), "method": "cash"}
    )
    with as_posted(app):
        outcome = apply.commit(seed.fund_id, reader.read(workbook(rows)), None)
        assert outcome.ok, texts(outcome)
        loan = db.session.scalar(
            sa.select(Loan).where(Loan.fund_id == seed.fund_id, Loan.disbursed_on.is_not(None))
        )
        assert loan.status == "written_off" and loan.written_off_on == D(2024, 9, 1)
        balance = balances.loan_balance(loan)
        assert (balance.repaid, balance.written_off, balance.recovered) == (2_000_000, 10_000_000, 500_000)
        kinds = db.session.scalars(
            sa.select(Repayment.kind).where(Repayment.loan_id == loan.id).order_by(Repayment.id)
        )
        assert list(kinds) == ["repayment", "repayment", "recovery"]


def test_a_row_without_a_code_corrected_in_what_does_not_identify_it_is_not_imported_twice(app, seed):
    rows = good_rows()
    with as_posted(app):
        assert apply.commit(seed.fund_id, reader.read(workbook(rows)), None).ok
        rows["donations"][1]["note"] = "Ủng hộ dịp Tết"
        rows["visits"][0]["summary"] = "Bò khỏe, đã đẻ bê"
        again = apply.commit(seed.fund_id, reader.read(workbook(rows)), None)
        assert again.ok and sum(again.created.values()) == 0
        # a different amount is a different donation
        rows["donations"][1]["amount"] = 6_000_000
        third = apply.commit(seed.fund_id, reader.read(workbook(rows)), None)
        assert third.created == {"donations": 1}


def test_a_person_no_longer_supported_comes_with_the_date_and_reason(app, seed):
    rows = good_rows()
    rows["people"][1].update(
        status="settled", status_changed_on=D(2025, 6, 1), status_reason="Đã có việc làm ổn định"
    )
    rows["people"].append(
        {"key": "NG03", "full_name": "Vũ Văn Hải", "consent_recorded_on": D(2024, 1, 1), "status": "moved"}
    )
    with as_posted(app):
        data = workbook(rows)
        outcome = apply.dry_run(seed.fund_id, reader.read(data), None)
        assert texts(outcome) == [
            "Người được giúp đỡ, dòng 4, cột Ngày đổi trạng thái: Hãy ghi ngày đổi trạng thái."
        ]
        rows["people"].pop()
        assert apply.commit(seed.fund_id, reader.read(workbook(rows)), None).ok
        person = db.session.scalar(sa.select(Person).where(Person.full_name == "Đỗ Văn Tâm"))
        assert person.status == "settled" and person.next_visit_on is None  # out of the visit queue
        change = db.session.scalar(
            sa.select(PersonStatusChange).where(PersonStatusChange.person_id == person.id)
        )
        assert (change.changed_on, change.reason) == (D(2025, 6, 1), "Đã có việc làm ổn định")
