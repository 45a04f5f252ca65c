"""Every Excel export reads as the committee's paper (a title block, Vietnamese headings, codes in
words, money and dates Excel counts with, the screen's totals, set up to print on A4), and every
CSV export keeps its column codes for other programs. Checked on the demo fund of xã Hồng Sơn."""

import csv
import datetime as dt
import io
import re

import pytest
from flask_babel import force_locale

from tests.conftest import Browser
from tests.xlsx import read_table
from tracker import clock
from tracker.commands import demo
from tracker.extensions import db
from tracker.models import User
from tracker.queries import province, reports
from tracker.web import sheets
from tracker.web.exports import HEADING_ROW

TODAY = clock.today()
START = f"from={TODAY.year - 3}-01-01"
# Every export: its URL, its layout, its title on screen and the CSV's columns as they have always
# been (other programs read them by these names).
EXPORTS = {
    "reports.outstanding": (
        "/reports/outstanding?",
        sheets.OUTSTANDING,
        "Báo cáo dư nợ cho vay",
        reports.OUTSTANDING_COLUMNS,
    ),
    "reports.cashbook": (f"/reports/cashbook?{START}&", sheets.CASHBOOK, "Sổ quỹ", reports.CASHBOOK_COLUMNS),
    "reports.aging": (
        "/reports/aging?",
        sheets.AGING,
        "Phân tích nợ theo thời gian quá hạn",
        reports.AGING_COLUMNS,
    ),
    "reports.donors": (
        f"/reports/donors?{START}&",
        sheets.DONORS,
        "Nhà tài trợ và việc sử dụng tiền đóng góp",
        reports.DONOR_COLUMNS,
    ),
    "reports.visits": (
        f"/reports/visits?{START}&",
        sheets.MENTOR_VISITS,
        None,  # its title names the mentor, a word another change is settling
        reports.MENTOR_VISITS_COLUMNS,
    ),
    "review.show": (
        f"/reports/review?period={TODAY.year - 1}&",
        sheets.REVIEW,
        f"BÁO CÁO TỔNG KẾT NĂM {TODAY.year - 1}",
        ("section", "item", "value"),
    ),
    # the province's table, downloaded by the demo's province login
    "province.index": ("/province?", sheets.PROVINCE, "Các quỹ trong tỉnh", province.EXPORT_COLUMNS),
}
# Who downloads an export, when not the chair; the first line of its title block.
REGIONAL = "tinh"
ISSUERS = {"province.index": "Tỉnh Lâm Đồng"}


@pytest.fixture
def chair(app):
    with app.app_context():
        demo.load_demo()
        db.session.commit()
    browser = Browser(app.test_client())
    assert browser.login("chair", demo.DEMO_PASSWORD).status_code == 302
    return browser


def download(chair, endpoint: str, chosen: str):
    url = EXPORTS[endpoint][0]
    client = chair.client
    if endpoint.startswith("province."):
        regional = Browser(chair.client.application.test_client())
        assert regional.login(REGIONAL, demo.DEMO_PASSWORD).status_code == 302
        client = regional.client
    response = client.get(f"{url}format={chosen}")
    assert response.status_code == 200, (endpoint, response.status_code)
    return response


def csv_of(response) -> list[dict]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def words_in(app, words, code) -> str:
    """A code's words in Vietnamese, as tracker.labels gives them."""
    with app.test_request_context(), force_locale("vi"):
        return str(words(code)) if callable(words) else str(words[code])


def test_every_export_button_is_covered_here(chair):
    """A new export must be added to EXPORTS, so that the checks below cover it."""
    index = chair.get("/reports").get_data(as_text=True)
    pages = set(re.findall(r'href="(/reports/[^"?#]+)', index)) | {"/reports/review"}
    # not a table: a page of several lists, in print and in Excel only (tests/test_board.py)
    pages -= {"/reports/board"}
    offered = set()
    for page in sorted(pages):
        html = chair.get(page).get_data(as_text=True)
        if "format=xlsx" not in html:
            continue
        offered |= {path for path in re.findall(r'href="([^"?]+)\?[^"]*format=xlsx', html)}
        assert html.index("format=xlsx") < html.index("format=csv"), "Excel comes first"
        assert "Tải Excel" in html and "CSV (cho phần mềm khác)" in html
    # the province's page, as its login sees it
    regional = Browser(chair.client.application.test_client())
    assert regional.login(REGIONAL, demo.DEMO_PASSWORD).status_code == 302
    html = regional.get("/province").get_data(as_text=True)
    offered |= {path for path in re.findall(r'href="([^"?]+)\?[^"]*format=xlsx', html)}
    assert html.index("format=xlsx") < html.index("format=csv"), "Excel comes first"
    assert len(offered) == len(EXPORTS)
    assert offered == {re.sub(r"\?.*", "", url) for url, *_rest in EXPORTS.values()}


@pytest.mark.parametrize("endpoint", list(EXPORTS))
def test_the_excel_file_reads_like_the_report(app, chair, endpoint):
    _url, layout, title, _codes = EXPORTS[endpoint]
    table = read_table(download(chair, endpoint, "xlsx"), layout)
    from_csv = csv_of(download(chair, endpoint, "csv"))
    sheet = table.sheet

    # the title block: fund, report, period, and the date printed as a real date
    assert table.title[0] == ISSUERS.get(endpoint, demo.DEMO_FUND_NAME)
    if title:
        assert table.title[1] == title
    assert re.fullmatch(r"(Tính đến ngày|Từ ngày) \d\d/\d\d/\d{4}.*", table.title[2])
    assert table.title[3] == "Ngày in"
    assert isinstance(table.printed_on.value, dt.datetime)
    assert table.printed_on.value.date() == TODAY and table.printed_on.number_format == "dd/mm/yyyy"

    # headings: the screen's, in Vietnamese (never the CSV's codes, never the English words)
    shown = [column for column in layout.columns if column.excel]
    assert len(table.headings) == len(shown)
    for heading, column in zip(table.headings, shown, strict=True):
        assert heading != column.code and "_" not in heading
        with app.test_request_context(), force_locale("vi"):
            assert heading == str(column.heading)
        with app.test_request_context(), force_locale("en"):
            assert heading != str(column.heading), f"{column.code}: not translated"

    # the same rows as the CSV; codes in words; money and counts as numbers with #,##0
    assert len(table.rows) == len(from_csv) > 0
    for line, row, raw in zip(table.cells, table.rows, from_csv, strict=True):
        for column in shown:
            value, cell = row[column.code], line[column.code]
            if column.words is not None:
                assert value == words_in(app, column.words, raw[column.code]) != raw[column.code]
            if value is None and column.blank_zero:  # a 0 left blank, as on the screen
                assert raw[column.code] in ("0", "")
            if column.kind in ("money", "count") and value is not None:
                assert isinstance(value, int) and cell.number_format == "#,##0", column.code
                assert value == int(raw[column.code])
            if column.kind == "date":
                assert isinstance(value, dt.datetime) and cell.number_format == "dd/mm/yyyy"
                assert value.date().isoformat() == raw[column.code]
            if column.kind == "share" and value is not None:
                assert cell.number_format == "0.0%"

    # the screen's totals row: the sum of the rows above it
    if layout.totals is not None:
        assert table.totals is not None
        summed = [column for column in shown if column.total]
        assert summed
        for column in summed:
            assert table.totals[column.code] == sum(row[column.code] or 0 for row in table.rows)
        assert str(table.totals[shown[0].code]).startswith(("Tổng cộng", "Cộng"))
    else:
        assert table.totals is None

    # frozen under the heading row, which is repeated on every printed page of A4, fitted to width
    assert sheet.freeze_panes == f"A{HEADING_ROW + 1}"
    assert sheet.print_title_rows == f"${HEADING_ROW}:${HEADING_ROW}"
    setup = sheet.page_setup
    assert int(setup.paperSize) == 9  # A4 in the file format's numbering
    assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    widths = [sheet.column_dimensions[chr(ord("A") + n)].width for n in range(len(shown))]
    assert all(8 <= width <= 60 for width in widths), widths
    assert setup.orientation == ("landscape" if sum(widths) > 95 else "portrait")


@pytest.mark.parametrize("endpoint", list(EXPORTS))
def test_the_csv_keeps_its_codes_for_other_programs(app, chair, endpoint):
    _url, layout, _title, codes = EXPORTS[endpoint]
    response = download(chair, endpoint, "csv")
    assert response.mimetype == "text/csv"
    rows = csv_of(response)
    assert tuple(rows[0]) == tuple(codes) == layout.codes
    words = {column.code: column.words for column in layout.columns if column.words}
    numbers = {column.code for column in layout.columns if column.kind != "text"}
    for row in rows:
        for code, value in row.items():
            if code in numbers:  # plain: 1000000, 0.0660, 2026-01-31
                assert re.fullmatch(r"-?\d+(\.\d+)?|\d{4}-\d\d-\d\d|", value), (code, value)
            if code in words and not callable(words[code]):
                assert value in words[code], f"{code}: {value} is a code"


def test_cash_book_and_outstanding_name_their_codes_in_words(chair):
    """The words the issue asks for, as a reader sees them."""
    cashbook = read_table(download(chair, "reports.cashbook", "xlsx"), sheets.CASHBOOK)
    assert cashbook.rows[0]["kind"] == "Tồn đầu kỳ" and cashbook.rows[-1]["kind"] == "Tồn cuối kỳ"
    assert "Thu tiền đóng góp" in {row["kind"] for row in cashbook.rows}
    outstanding = read_table(download(chair, "reports.outstanding", "xlsx"), sheets.OUTSTANDING)
    assert "Đã tất toán" in {row["status"] for row in outstanding.rows}
    assert outstanding.totals["loan_id"] == f"Cộng ({len(outstanding.rows)} khoản vay)"
    assert outstanding.headings[:4] == ["Số", "Người vay", "Tiền gốc", "Đã trả"]


def test_an_english_user_gets_english_headings(app, chair):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "chair"))
        user.locale = "en"
        db.session.commit()
    table = read_table(download(chair, "reports.outstanding", "xlsx"), sheets.OUTSTANDING)
    assert table.headings[1] == "Borrower" and table.title[3] == "Printed on"
    assert "Fully repaid" in {row["status"] for row in table.rows}
