"""A loan's papers, prefilled: each as an A4 page and as a Word file saying the same words, seen by
whoever may see the loan, logged as an opening of the borrower's file."""

import datetime as dt
import io

import docx
import pytest
import sqlalchemy as sa

from tests.conftest import full_page
from tests.factories import approved_loan, donate, papered_loan, requested_loan, user_id
from tracker import papers, provinces
from tracker.extensions import db
from tracker.models import CommitteeMember, Fund, Loan, PersonAccess
from tracker.money import journal

PAPERS = ("application", "agreement", "minutes", "handover")
MILLION = 1_000_000


def set_fields(app, model, row_id: int, **fields) -> None:
    with app.app_context():
        row = db.session.get(model, row_id)
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.commit()


@pytest.fixture
def loan(app, seed, money):
    return papered_loan(app, seed, money)


def key_texts(kind: str) -> list[str]:
    """What each paper must say: the borrower, the header, the guarantor, amounts in figures and words."""
    texts = [
        "Nguyễn Văn An",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Trần Thị Hoa",
    ]
    asked = ["30.000.000 ₫", "Ba mươi triệu đồng"]
    lent = ["25.000.000 ₫", "Hai mươi lăm triệu đồng"]
    issuer = ["ỦY BAN MTTQ VIỆT NAM XÃ\u00a0HỒNG\u00a0SƠN", "TỔ QUẢN LÝ QUỸ"]
    return (
        texts
        + {
            "application": asked + ["ĐƠN ĐỀ NGHỊ VAY VỐN", "XÁC NHẬN CỦA TRƯỞNG THÔN", "Bùi Văn Long"],
            "agreement": lent + issuer + ["GIẤY CAM KẾT VAY VỐN", "TM. TỔ QUẢN LÝ QUỸ", "Người dùng chair"],
            "minutes": asked
            + lent
            + issuer
            + ["BIÊN BẢN XÉT DUYỆT CHO VAY", "BB 03/2026", "ngày 05 tháng 02 năm 2026"],
            "handover": lent + issuer + ["BIÊN BẢN BÀN GIAO VỐN", "PC-2026-0001", "Người dùng treasurer"],
        }[kind]
    )


def docx_text(body: bytes) -> str:
    """Every paragraph and table cell of a Word file, as python-docx reads them back."""
    document = docx.Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]

    def cells(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    parts.append(cell.text)
                    cells(cell.tables)

    cells(document.tables)
    return "\n".join(parts)


@pytest.mark.parametrize("kind", PAPERS)
def test_each_paper_names_the_borrower_the_amounts_and_the_guarantor(app, seed, loan, as_role, kind):
    response = as_role("chair").get(f"/loans/{loan}/papers/{kind}")
    page = full_page(response)
    assert response.status_code == 200
    for text in key_texts(kind):
        assert text in page, text
    assert "data-print" in page and "no-print" in page
    assert f"/loans/{loan}/papers/{kind}?format=docx" in page


@pytest.mark.parametrize("kind", PAPERS)
def test_the_word_file_says_the_same_words(app, seed, loan, as_role, kind):
    response = as_role("viewer").client.get(f"/loans/{loan}/papers/{kind}?format=docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert response.headers["Content-Disposition"].endswith(f'-{loan}.docx"')
    text = docx_text(response.data)
    for expected in key_texts(kind):
        assert expected in text, expected
    # the same text as the page, line by line (the header's table cells included)
    with app.app_context():
        paper = papers.build(kind, db.session.get(Loan, loan), db.session.get(Fund, seed.fund_id))
        for line in papers.texts(paper):
            assert line in text, line


def test_the_word_file_is_a4_with_the_header_side_by_side(app, seed, loan, as_role):
    document = docx.Document(
        io.BytesIO(as_role("chair").client.get(f"/loans/{loan}/papers/agreement?format=docx").data)
    )
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    head = document.tables[0]
    assert len(head.columns) == 2
    assert "TỔ QUẢN LÝ QUỸ" in head.cell(0, 0).text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head.cell(0, 1).text
    assert "Hồng Sơn, ngày 10 tháng 02 năm 2026" in head.cell(0, 1).text
    borders = head._tbl.tblPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblBorders")
    assert borders is not None and all(
        edge.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") == "nil"
        for edge in borders
    )


def test_the_agreement_lists_the_installments_with_their_due_dates(app, seed, loan, as_role):
    page = as_role("chair").get(f"/loans/{loan}/papers/agreement").get_data(as_text=True)
    with app.app_context():
        installments = db.session.get(Loan, loan).installments
        assert len(installments) == 11
        for installment in installments:
            assert f"{installment.due_on:%d/%m/%Y}" in page
    assert "2.273.000 ₫" in page  # 25.000.000 over 11, rounded to 1.000
    assert "Người bảo lãnh" in page and "trả thay số nợ còn lại" in page


def test_before_the_payout_the_agreement_says_the_planned_installments(app, seed, money, as_role):
    loan = approved_loan(app, seed.fund_id, money.person_id, 12 * MILLION, term=12, grace=2)
    page = as_role("chair").get(f"/loans/{loan}/papers/agreement").get_data(as_text=True)
    assert "10 kỳ" in page and "1.200.000 ₫" in page and "tháng thứ 3" in page
    assert "Mười hai triệu đồng" in page


def test_papers_that_make_no_sense_yet_are_not_found(app, seed, money, as_role):
    waiting = requested_loan(app, seed.fund_id, money.person_id, 5 * MILLION)
    chair = as_role("chair")
    assert chair.get(f"/loans/{waiting}/papers/agreement").status_code == 404
    assert chair.get(f"/loans/{waiting}/papers/handover").status_code == 404
    assert chair.get(f"/loans/{waiting}/papers/nonsense").status_code == 404
    assert chair.get(f"/loans/{waiting}/papers/application?format=pdf").status_code == 400
    # the minutes before the meeting: the application's facts, the votes and decision left blank
    minutes = chair.get(f"/loans/{waiting}/papers/minutes").get_data(as_text=True)
    assert "5.000.000 ₫" in minutes and "Năm triệu đồng" in minutes
    assert "□ cho vay" in minutes and "ngày ...... tháng ...... năm" in minutes
    # the loan page lists every paper, the two that wait saying what for
    detail = chair.get(f"/loans/{waiting}").get_data(as_text=True)
    assert f"/loans/{waiting}/papers/application" in detail
    assert f"/loans/{waiting}/papers/agreement" not in detail
    assert "sau khi duyệt" in detail and "sau khi giải ngân" in detail


def test_blanks_where_the_app_knows_nothing(app, seed, money, as_role):
    waiting = requested_loan(app, seed.fund_id, money.person_id, 5 * MILLION)
    page = as_role("chair").get(f"/loans/{waiting}/papers/application").get_data(as_text=True)
    assert "Số CCCD" in page and 'class="blank"' in page
    assert "ông/bà" in page  # no gender recorded: both


def test_another_funds_loan_and_an_unmentored_persons_loan_are_not_found(app, seed, money, loan, as_role):
    foreign = approved_loan(app, seed.other_fund_id, money.foreign_person_id, 2 * MILLION)
    chair = as_role("chair")
    for kind in PAPERS:
        assert chair.get(f"/loans/{foreign}/papers/{kind}").status_code == 404
        assert chair.client.get(f"/loans/{foreign}/papers/{kind}?format=docx").status_code == 404
    # member2 does not mentor Nguyễn Văn An; member does
    for kind in PAPERS:
        assert as_role("member2").get(f"/loans/{loan}/papers/{kind}").status_code == 404
    assert as_role("member").get(f"/loans/{loan}/papers/application").status_code == 200


def test_opening_a_paper_is_logged(app, seed, money, loan, as_role):
    viewer = as_role("viewer")
    viewer.get(f"/loans/{loan}/papers/agreement")
    viewer.client.get(f"/loans/{loan}/papers/handover?format=docx")
    with app.app_context():
        logged = db.session.execute(
            sa.select(PersonAccess.person_id, PersonAccess.action, PersonAccess.user_id).order_by(
                PersonAccess.id
            )
        ).all()
        viewer_id = user_id("viewer")
    assert (money.person_id, "paper", viewer_id) in logged
    assert (money.person_id, "paper_file", viewer_id) in logged


def test_no_offence_details_and_no_certificate_on_any_paper(app, seed, loan, as_role):
    chair = as_role("chair")
    for kind in PAPERS:
        page = chair.get(f"/loans/{loan}/papers/{kind}").get_data(as_text=True).lower()
        for word in ("án phạt", "tội", "phạm", "chấp hành xong", "đặc xá", "tù"):
            assert word not in page, (kind, word)


def test_a_rejected_application_keeps_its_minutes_with_the_reason(app, seed, money, as_role):
    waiting = requested_loan(app, seed.fund_id, money.person_id, 5 * MILLION)
    with app.app_context():
        journal.reject(
            db.session.get(Loan, waiting),
            dt.date(2026, 3, 1),
            "Chưa có phương án sử dụng vốn",
            user_id("chair"),
        )
        db.session.commit()
    chair = as_role("chair")
    minutes = chair.get(f"/loans/{waiting}/papers/minutes").get_data(as_text=True)
    assert "không chấp thuận" in minutes and "Chưa có phương án sử dụng vốn" in minutes
    detail = chair.get(f"/loans/{waiting}").get_data(as_text=True)
    assert "sau khi duyệt" not in detail  # a rejected application waits for nothing


def test_a_long_loan_folds_its_schedule_in_two(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 40 * MILLION, dt.date(2026, 1, 2))
    loan = approved_loan(app, seed.fund_id, money.person_id, 36 * MILLION, term=36, on=dt.date(2026, 1, 5))
    with app.app_context():
        journal.disburse(db.session.get(Loan, loan), dt.date(2026, 1, 5), user_id("treasurer"))
        db.session.commit()
    text = docx_text(as_role("chair").client.get(f"/loans/{loan}/papers/agreement?format=docx").data)
    assert "36.000.000 ₫" in text and "Ba mươi sáu triệu đồng" in text
    document = docx.Document(
        io.BytesIO(as_role("chair").client.get(f"/loans/{loan}/papers/agreement?format=docx").data)
    )
    schedule = [t for t in document.tables if t.cell(0, 0).text == "Kỳ"][0]
    assert len(schedule.columns) == 6 and len(schedule.rows) == 1 + 18 + 1


def test_addresses_are_completed_with_the_commune_and_province():
    fund = type("F", (), {"commune": "xã Hồng Sơn", "province": "Lâm Đồng", "place": "Hồng Sơn"})()
    assert papers.full_address("Thôn Đông", fund) == "Thôn Đông, xã Hồng Sơn, tỉnh Lâm Đồng"
    assert papers.full_address("Thôn Đông, xã Hồng Sơn", fund) == "Thôn Đông, xã Hồng Sơn, tỉnh Lâm Đồng"
    assert papers.full_address("", fund) == ""
    assert papers.full_address("Thôn Đông, Hồng Sơn", fund) == "Thôn Đông, Hồng Sơn, tỉnh Lâm Đồng"
    # a guarantor in another commune: as typed
    assert papers.full_address("Thôn 3, xã Tân Phú", fund) == "Thôn 3, xã Tân Phú"
    assert provinces.full_name("Huế") == "thành phố Huế"
    assert papers.date_words(dt.date(2026, 12, 7)) == "ngày 07 tháng 12 năm 2026"


def test_the_minutes_count_the_team_on_the_day_of_the_meeting(app, seed, loan, as_role):
    with app.app_context():
        gone = CommitteeMember(fund_id=seed.fund_id, left_on=dt.date(2026, 1, 1))
        gone.set_name("Đã nghỉ")
        later = CommitteeMember(fund_id=seed.fund_id, joined_on=dt.date(2026, 3, 1))
        later.set_name("Vào sau")
        db.session.add_all([gone, later])
        db.session.commit()
    text = docx_text(as_role("chair").client.get(f"/loans/{loan}/papers/minutes?format=docx").data)
    assert "Số thành viên dự họp: 9 / tổng số 2 thành viên của Tổ." in text
