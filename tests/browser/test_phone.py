"""Phone first (issue 16, item 4) on a 360×740 screen: the confirmation where the user tapped, a
one-line header, lists as cards, tap targets, and the person's file opening on its summary."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.factories import disbursed_loan, donate, repay, requested_loan, seed_money
from tracker import clock
from tracker.extensions import db
from tracker.models import Fund

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "phone"
TODAY = clock.today()


@pytest.fixture
def fund(app, seed):
    """Two people, a loan being repaid (one installment overdue), an application waiting."""
    money = seed_money(app, seed)
    donate(app, seed.fund_id, money.donor_id, 50_000_000, TODAY - dt.timedelta(days=200))
    loan = disbursed_loan(
        app, seed.fund_id, money.person_id, 6_666_000, TODAY - dt.timedelta(days=70), term=6
    )
    repay(app, loan, 1_111_000, TODAY - dt.timedelta(days=35))
    requested_loan(app, seed.fund_id, money.other_person_id, 5_000_000, on=TODAY)
    return money, loan


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def in_viewport(page, selector):
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    size = page.viewport_size
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and (box["y"] + box["height"] <= size["height"])
    )


def no_sideways_scroll(page):
    return page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]


def small_targets(page, selector, least):
    """The visible elements matching `selector` smaller than least×least px."""
    return page.evaluate(
        """([selector, least]) => Array.from(document.querySelectorAll(selector))
             .filter(e => e.offsetParent !== null)
             .map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect()])
             .filter(([t, r]) => r.width < least || r.height < least)
             .map(([t, r]) => `${t} ${Math.round(r.width)}x${Math.round(r.height)}`)""",
        [selector, least],
    )


def test_a_repayment_is_confirmed_where_the_treasurer_tapped(fund, page, live_server, problems):
    money, loan = fund
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "treasurer", PASSWORD)
    page.goto(f"{live_server}/loans/{loan}")
    amount = page.locator("#loan-money input[name=amount]")
    amount.scroll_into_view_if_needed()
    amount.press_sequentially("1111000")
    assert amount.input_value() == "1.111.000"  # grouped with dots as it is typed
    page.click("#loan-money form button[type=submit]")
    link = page.locator("#repayment-recorded a")
    expect(link).to_contain_text("In phiếu thu PT-")
    expect(page.locator("#repayment-recorded")).to_contain_text("Đã thu 1.111.000 ₫")
    assert in_viewport(page, "#repayment-recorded a"), "the receipt's link needs a scroll"
    page.screenshot(path=str(SHOTS / "repayment-confirmed-360.png"))
    link.click()
    expect(page.locator("button[data-print]")).to_be_visible()
    expect(page.locator("button[data-print]")).to_have_text("In phiếu thu")
    assert problems == []


def test_a_donation_lands_on_its_receipt(fund, page, live_server, problems):
    money, _loan = fund
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "treasurer", PASSWORD)
    page.goto(f"{live_server}/donations")
    page.select_option("select[name=donor_id]", str(money.donor_id))
    page.fill("input[name=amount]", "2.000.000")
    page.click("form[action$='/donations'] button[type=submit]")
    page.wait_for_url("**/receipt")
    expect(page.locator("h1")).to_have_text("PHIẾU THU")
    button = page.locator("button[data-print]")
    expect(button).to_be_visible()
    assert in_viewport(page, "button[data-print]")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a large button
    shot(page, "donation-receipt-360")
    assert problems == []


def test_the_header_is_one_line_and_the_menu_folds(app, seed, fund, page, live_server, problems):
    with app.app_context():  # a long name is cut short, not wrapped onto a second line
        db.session.get(Fund, seed.fund_id).commune = "phường Nguyễn Thị Minh Khai Thượng"
        db.session.commit()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "chair", PASSWORD)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 56, f"the header is {header['height']} px tall"
    expect(page.locator(".site-nav")).to_be_hidden()
    toggle = page.locator(".menu-toggle").bounding_box()
    assert toggle["width"] >= 44 and toggle["height"] >= 44
    page.click(".menu-toggle")
    expect(page.locator(".site-nav")).to_be_visible()
    assert small_targets(page, ".site-nav a, .header-tools a, .header-tools button", 44) == []
    shot(page, "menu-open-360")
    page.click(".site-nav a[href='/people']")
    expect(page.locator(".site-nav")).to_be_hidden()  # folded again on the next page
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server}/")
    expect(page.locator(".site-nav")).to_be_visible()
    expect(page.locator(".menu-toggle")).to_be_hidden()
    # the language switch is not beside the user's name
    expect(page.locator(".site-header button[name=locale]")).to_have_count(0)
    expect(page.locator(".site-footer button[name=locale]")).to_be_visible()
    shot(page, "dashboard-chair-1280")
    assert problems == []


@pytest.mark.parametrize(
    "username, path",
    [
        ("chair", "/loans"),
        ("chair", "/loans/{loan}"),
        ("treasurer", "/donations"),
        ("chair", "/donors"),
        ("chair", "/people"),
        ("member", "/visits"),
        ("chair", "/visits"),
        ("treasurer", "/"),
        ("chair", "/"),
        ("member", "/"),
        ("member", "/people/{person}"),
    ],
)
def test_lists_are_cards_with_every_column_in_sight(fund, page, live_server, problems, username, path):
    money, loan = fund
    page.set_viewport_size(PHONE)
    log_in(page, live_server, username, PASSWORD)
    url = path.format(loan=loan, person=money.person_id)
    page.goto(f"{live_server}{url}")
    assert no_sideways_scroll(page), f"{url} scrolls sideways"
    # every cell of a list, "Trạng thái" included, lies within the screen's width
    cells = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.stack td'))
             .filter(td => td.offsetParent !== null)
             .map(td => td.getBoundingClientRect().right)"""
    )
    assert all(right <= 360 for right in cells)
    assert small_targets(page, "main td a, main td button, main td summary, .filters a, .pager a", 24) == []
    assert small_targets(page, "main button.primary, main .button.primary", 44) == []
    shot(page, f"{username}{url.replace('/', '-') or '-home'}-360")
    page.set_viewport_size(DESKTOP)
    page.reload()
    shot(page, f"{username}{url.replace('/', '-') or '-home'}-1280")
    assert problems == []


def test_the_status_of_a_loan_shows_on_its_card(fund, page, live_server):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "chair", PASSWORD)
    page.goto(f"{live_server}/loans")
    status = page.locator("table.loans td[data-label='Trạng thái']").first
    expect(status).to_be_visible()
    assert (
        in_viewport(page, "table.loans td[data-label='Trạng thái'] >> nth=0")
        or status.bounding_box()["x"] + status.bounding_box()["width"] <= 360
    )
    borrower = page.locator("table.loans td[data-label='Người vay'] a").first
    expect(borrower).to_have_attribute("href", "/people/2")


def test_a_persons_file_opens_on_its_summary(fund, page, live_server, problems):
    money, _loan = fund
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "member", PASSWORD)
    page.goto(f"{live_server}/people/{money.person_id}")
    first = page.evaluate("document.querySelector('main').querySelector('.card').id")
    assert first == "person-summary"
    summary = page.locator("#person-summary")
    assert in_viewport(page, "#person-summary")
    for shown in ("Đang giúp đỡ", "Phạm Văn Bình", "Kỳ trả tiếp theo"):
        expect(summary).to_contain_text(shown)
    # then the visit form: saved in one round trip, confirmed where the member tapped
    timeline_gets = []
    page.on("request", lambda r: "/timeline" in r.url and timeline_gets.append(r.url))
    page.fill("#visit-form textarea[name=summary]", "Đã gặp, công việc ổn định")
    page.locator("#visit-form button[type=submit]").scroll_into_view_if_needed()
    page.click("#visit-form button[type=submit]")
    expect(page.locator("#visit-recorded")).to_be_visible()
    assert in_viewport(page, "#visit-recorded")
    expect(page.locator("#visit-timeline")).to_contain_text("Đã gặp, công việc ổn định")
    assert timeline_gets == []
    shot(page, "person-member-360")
    assert problems == []
