"""The review as the document the team files with the Front: its head, sections and signature on
the page and in the Word file, the chair's text of each part, any range of days, and the errors a
bad range gets. The history and its figures are tests/test_review.py's."""

import io
import re

import docx
import pytest
import sqlalchemy as sa

from tests import test_review
from tests.conftest import full_page
from tests.test_review import MILLION, csv_figures, screen_figures
from tracker.extensions import db
from tracker.models import Fund, ReviewNote

BORROWERS = ("Nguyễn Văn An", "Lê Thị Bích", "Trần Văn Cường", "Lê Văn Dũng", "Đỗ Văn Em", "Hoàng Văn Phúc")
HEADINGS = (
    "I. Đặc điểm tình hình",
    "II. Kết quả thực hiện",
    "III. Hạn chế và nguyên nhân",
    "IV. Bài học kinh nghiệm",
    "V. Phương hướng nhiệm vụ thời gian tới",
    "VI. Đề xuất, kiến nghị",
    "Nơi nhận:",
    "TM. TỔ GIÚP ĐỠ",
    "TỔ TRƯỞNG",
)
# the history of tests/test_review.py, with "today" on 05/02/2026
today = test_review.today
history = test_review.history

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def in_order(text: str, parts) -> bool:
    """Each part is found after the one before it."""
    place = 0
    for part in parts:
        place = text.find(part, place)
        if place < 0:
            return False
        place += len(part)
    return True


def read_docx(response):
    assert response.status_code == 200
    assert response.mimetype == DOCX
    return docx.Document(io.BytesIO(response.get_data()))


def docx_text(document) -> str:
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return plain("\n".join(lines))


def document_order(document) -> str:
    """The body's paragraphs and tables' cells in the order they are in the file."""
    texts = []
    for block in document.element.body.iterchildren():
        texts.append("".join(node.text or "" for node in block.iter() if node.tag.endswith("}t")))
    return plain("\n".join(texts))


def test_the_page_is_the_document_the_front_files(history, as_role):
    page = plain(full_page(as_role("chair").get("/reports/review?period=2025-H1")))
    head = ("ỦY BAN MTTQ VIỆT NAM XÃ HỒNG SƠN", "TỔ GIÚP ĐỠ NGƯỜI HOÀN LƯƠNG", "Số: ......./BC-TGĐ")
    assert in_order(page, head)
    assert in_order(page, ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"))
    assert in_order(page, ("Hồng Sơn, ngày 05 tháng 02 năm 2026", "BÁO CÁO SƠ KẾT 6 THÁNG ĐẦU NĂM 2025"))
    assert in_order(page, HEADINGS + ("Người dùng chair",))  # the chair's name under the signature
    # section I starts from what the app knows; III from the figures
    assert "Đến cuối kỳ, Tổ đang giúp đỡ" in page
    assert "1 khoản vay quá hạn trên 30 ngày (nợ quá hạn 3.000.000 ₫)." in page
    assert "Số lần thăm hỏi (8) chưa đạt số lần cần thăm (22)." in page
    assert "Ban Thường trực UBMTTQ Việt Nam xã (để báo cáo);" in page
    for name in BORROWERS:
        assert name not in page


def test_the_word_file_says_what_the_page_says(history, as_role):
    chair = as_role("chair")
    page = plain(full_page(chair.get("/reports/review?period=2025-H1")))
    response = chair.client.get("/reports/review?period=2025-H1&format=docx")
    assert response.headers["Content-Disposition"] == 'attachment; filename="so-ket-2025-H1.docx"'
    document = read_docx(response)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    header = document.tables[0]
    assert plain(header.cell(0, 0).text).split("\n") == [
        "ỦY BAN MTTQ VIỆT NAM XÃ HỒNG SƠN",
        "TỔ GIÚP ĐỠ NGƯỜI HOÀN LƯƠNG",
        "Số: ......./BC-TGĐ",
    ]
    assert header.cell(0, 1).text.split("\n") == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hồng Sơn, ngày 05 tháng 02 năm 2026",
    ]
    text = document_order(document)
    assert in_order(text, ("BÁO CÁO SƠ KẾT 6 THÁNG ĐẦU NĂM 2025", *HEADINGS, "Người dùng chair"))
    # Section II: every figure of the page, in the page's order, in the file's four tables.
    figures = re.findall(r'data-figure="[^"]+">([^<]*)<', page)
    in_tables = [
        cell.text
        for table in document.tables[1:5]
        for row in table.rows[1:]
        for cell in row.cells[1:]
        if cell.text
    ]
    assert in_tables == figures
    assert "50.000.000 ₫" in in_tables  # Hồng Phát's gifts of the half year
    assert "Các nhà hảo tâm giấu tên" in docx_text(document)
    # the to-do list as on the page, numbered
    steps = re.findall(
        r"<li>(.*?)</li>", re.search(r'<ol class="next-steps">(.*?)</ol>', page, re.S).group(1)
    )
    for number, step in enumerate(steps, start=1):
        assert f"{number}. {step}" in text
    for name in (*BORROWERS, "Giấu Tên"):
        assert name not in docx_text(document)


def test_the_chair_writes_each_part_per_period(app, history, as_role):
    chair = as_role("chair")
    response = chair.post(
        "/reports/review/notes",
        {"period": "2025-H1", "section": "lessons", "text": "- Bài học một\nBài học hai"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/reports/review?period=2025-H1#lessons")
    chair.post("/reports/review/notes", {"period": "2025-H1", "section": "recipients", "text": "- Huyện ủy"})
    page = full_page(chair.get("/reports/review?period=2025-H1"))
    lessons = re.search(r'<section id="lessons".*?</section>', page, re.S).group(0)
    assert re.findall(r'<p class="review-text">(.*?)</p>', lessons) == ["- Bài học một", "Bài học hai"]
    assert "Thăm hỏi, gặp gỡ thường xuyên" not in lessons  # the suggestion gave way
    assert "<li>- Huyện ủy</li>" in page and "Ban Thường trực UBMTTQ" not in page
    # the other parts keep their suggestions, the other periods all of theirs
    assert "Thuận lợi: ..." in page
    assert "Bài học một" not in full_page(chair.get("/reports/review?period=2025"))
    text = docx_text(read_docx(chair.client.get("/reports/review?period=2025-H1&format=docx")))
    assert "Bài học hai" in text and "- Huyện ủy" in text
    with app.app_context():
        rows = db.session.execute(
            sa.select(ReviewNote.period, ReviewNote.section).order_by(ReviewNote.id)
        ).all()
    assert rows == [("2025-H1", "lessons"), ("2025-H1", "recipients")]
    # Emptied, a part goes back to the suggestion.
    chair.post("/reports/review/notes", {"period": "2025-H1", "section": "lessons", "text": ""})
    assert "Thăm hỏi, gặp gỡ thường xuyên" in full_page(chair.get("/reports/review?period=2025-H1"))
    refused = chair.post("/reports/review/notes", {"period": "2025-H1", "section": "offences", "text": "x"})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewNote)) == 1


def test_a_range_of_days_is_reviewed_like_a_period(app, history, as_role):
    chair = as_role("chair")
    year = csv_figures(chair, "2025")
    response = chair.client.get("/reports/review?from=2025-01-01&to=2025-12-31&format=csv")
    assert response.status_code == 200
    assert 'filename="tong-ket-2025-01-01-2025-12-31.csv"' in response.headers["Content-Disposition"]
    page = full_page(chair.get("/reports/review?from=2025-01-01&to=2025-12-31"))
    assert "BÁO CÁO TỔNG KẾT HOẠT ĐỘNG TỪ NGÀY 01/01/2025 ĐẾN NGÀY 31/12/2025" in page
    on_screen = screen_figures(page)
    assert on_screen["money.raised"] == "57.000.000 ₫" and year[("money", "raised")] == str(57 * MILLION)
    assert on_screen["money.cash_end"].replace(".", "").rstrip(" ₫") == year[("money", "cash_end")]
    # the picker keeps the dates; the export links and the Word file ask for the same range
    assert 'name="from"\n           value="2025-01-01"' in page
    # and the list of periods says dates were chosen, rather than naming a period not shown
    assert '<option value="" selected disabled>Khoảng ngày đã chọn</option>' in page
    assert "format=docx&amp;from=2025-01-01&amp;to=2025-12-31" in page or (
        "from=2025-01-01&amp;to=2025-12-31&amp;format=docx" in page
    )
    # a part written for the range stays with the range, and saving goes back to it
    saved = chair.post(
        "/reports/review/notes",
        {"period": "2025-01-01..2025-12-31", "section": "proposals", "text": "Đề nghị cấp thêm vốn"},
    )
    assert saved.headers["Location"].endswith("/reports/review?from=2025-01-01&to=2025-12-31#proposals")
    assert "Đề nghị cấp thêm vốn" in full_page(chair.get("/reports/review?from=2025-01-01&to=2025-12-31"))
    assert "Đề nghị cấp thêm vốn" not in full_page(chair.get("/reports/review?period=2025"))


def test_since_the_fund_began(app, history, as_role):
    import datetime as dt

    with app.app_context():
        fund = db.session.get(Fund, history.fund_id)
        fund.founded_on = dt.date(2024, 6, 1)
        fund.founding_decision = "Quyết định số 12/QĐ-MTTQ"
        db.session.commit()
    chair = as_role("chair")
    page = full_page(chair.get("/reports/review?period=2025"))
    link = re.search(r'<a id="since-founded" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link == "/reports/review?from=2024-06-01&to=2026-02-05"
    since = full_page(chair.get(link))
    assert "BÁO CÁO TỔNG KẾT HOẠT ĐỘNG TỪ NGÀY 01/06/2024 ĐẾN NGÀY 05/02/2026" in since
    assert "Quỹ được thành lập ngày 01/06/2024. Căn cứ: Quyết định số 12/QĐ-MTTQ." in since
    assert screen_figures(since)["money.raised"] == "57.000.000 ₫"  # every gift since the start


@pytest.mark.parametrize(
    "query, message",
    [
        ("from=2025-01-01", "Nhập đủ hai ngày: ngày đầu và ngày cuối của khoảng thời gian."),
        ("from=&to=2025-01-01", "Nhập đủ hai ngày: ngày đầu và ngày cuối của khoảng thời gian."),
        ("from=2025-02-30&to=2025-03-01", "Nhập ngày hợp lệ theo dạng ngày/tháng/năm (dd/mm/yyyy)"),
        ("from=hôm-qua&to=2025-03-01", "Nhập ngày hợp lệ theo dạng ngày/tháng/năm (dd/mm/yyyy)"),
        ("from=2025-06-01&to=2025-01-01", "Ngày đầu phải trước hoặc trùng ngày cuối của khoảng thời gian."),
        ("from=1999-12-31&to=2025-01-01", "Nhập ngày trong khoảng từ 01/01/2000 đến 31/12/2027."),
        ("from=2025-01-01&to=2028-01-01", "Nhập ngày trong khoảng từ 01/01/2000 đến 31/12/2027."),
    ],
)
def test_a_bad_range_is_refused_with_what_to_type(history, as_role, query, message):
    chair = as_role("chair")
    response = chair.get(f"/reports/review?{query}")
    assert response.status_code == 400
    page = full_page(response)
    error = re.search(r'<p class="field-error" id="range-error">(.*?)</p>', page)
    assert error and message in error.group(1)
    assert 'aria-describedby="range-error"' in page
    assert 'id="period-error"' not in page
    for chosen in ("csv", "xlsx", "docx"):
        assert chair.client.get(f"/reports/review?{query}&format={chosen}").status_code == 400


def test_empty_dates_ask_for_no_range(history, as_role):
    # the range form sent empty: the default period, as the other reports read empty dates
    page = full_page(as_role("chair").get("/reports/review?from=&to="))
    assert "BÁO CÁO SƠ KẾT 6 THÁNG CUỐI NĂM 2025" in page


def test_day_month_year_is_accepted_too(history, as_role):
    page = full_page(as_role("viewer").get("/reports/review?from=01/01/2025&to=30/06/2025"))
    assert "BÁO CÁO TỔNG KẾT HOẠT ĐỘNG TỪ NGÀY 01/01/2025 ĐẾN NGÀY 30/06/2025" in page
    assert screen_figures(page) == screen_figures(
        full_page(as_role("viewer").get("/reports/review?period=2025-H1"))
    )


@pytest.mark.parametrize("role, expected", [("viewer", 200), ("treasurer", 200), ("member", 403)])
def test_who_may_download_the_word_file(history, as_role, role, expected):
    assert as_role(role).client.get("/reports/review?period=2025&format=docx").status_code == expected


def test_the_parts_are_edited_by_the_chair_only(history, as_role):
    page = full_page(as_role("chair").get("/reports/review?period=2025"))
    assert page.count('action="/reports/review/notes"') == 6
    assert len(set(re.findall(r'<textarea[^>]* id="([^"]+)"', page))) == 6  # one id each
    viewer = full_page(as_role("viewer").get("/reports/review?period=2025"))
    assert 'action="/reports/review/notes"' not in viewer
