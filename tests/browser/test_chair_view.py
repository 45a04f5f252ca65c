"""The chair's view: the dashboard, a figure's list, the printed review, the XLSX download."""

import datetime as dt
import io

import openpyxl
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import PASSWORD
from tests.factories import disbursed_loan, donate, repay, seed_money
from tracker import clock
from tracker.web.exports import HEADING_ROW

TODAY = clock.today()


def test_chair_reads_the_dashboard_prints_the_review_and_downloads_it(
    app, seed, page, live_server, problems, screenshot
):
    money = seed_money(app, seed)
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=300))
    loan = disbursed_loan(
        app, seed.fund_id, money.person_id, 12_000_000, TODAY - dt.timedelta(days=200), term=12
    )
    repay(app, loan, 1_000_000, TODAY - dt.timedelta(days=150))

    log_in(page, live_server, "chair", PASSWORD)
    expect(page.locator("#figure-outstanding .figure-value")).to_have_text("11.000.000 ₫")
    expect(page.locator("#figure-cash .figure-value")).to_have_text("19.000.000 ₫")
    expect(page.locator("svg.chart")).to_have_count(4)
    screenshot("chair-dashboard")

    page.click("#figure-outstanding")  # the figure opens the list behind it
    page.wait_for_url(f"{live_server}/reports/outstanding")
    expect(page.locator("body")).to_contain_text("Nguyễn Văn An")
    expect(page.locator("body")).to_contain_text("11.000.000 ₫")

    page.goto(f"{live_server}/reports/review?period={TODAY.year}")
    expect(page.locator("h1")).to_contain_text(f"NĂM {TODAY.year}")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()  # the print stylesheet hides navigation
    expect(page.locator("form").first).to_be_hidden()
    pdf = page.pdf(path=str(ARTIFACTS / "review.pdf"), format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 5_000
    page.emulate_media(media="screen")
    expect(page.locator(".site-header")).to_be_visible()

    with page.expect_download() as download_info:
        page.click("a[href*='format=xlsx']")
    download = download_info.value
    assert download.suggested_filename == f"tong-ket-{TODAY.year}.xlsx"
    with open(download.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True).active
    lines = sheet.iter_rows(min_row=HEADING_ROW + 1, values_only=True)
    rows = {item: value for _section, item, value in lines}  # in words, as the page writes them
    assert rows["Dư nợ cuối kỳ"] == 11_000_000
    assert rows["Tồn quỹ cuối kỳ"] == 19_000_000
    assert problems == []
