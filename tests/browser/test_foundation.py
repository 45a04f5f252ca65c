"""A chair logs in, sees the dashboard, adds a team member with the htmx form, switches to English."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, serving


def test_chair_adds_a_member_inline_and_switches_to_english(page, live_server, problems, screenshot):
    log_in(page, live_server, "chair", PASSWORD)
    expect(page.locator("h1")).to_have_text("Quỹ xã Hồng Sơn")
    expect(page.locator(".site-nav")).to_contain_text("Tổ giúp đỡ")
    screenshot("dashboard-chair")

    page.click("text=Tổ giúp đỡ")
    page.wait_for_url(f"{live_server}/members")
    page.evaluate("window.sameDocument = true")  # survives only if htmx swaps in place
    page.click("summary:has-text('Thêm thành viên')")
    page.fill("input[name=full_name]", "Hoàng Thị Mai")
    page.fill("input[name=position]", "Chủ tịch Hội Phụ nữ xã")
    page.fill("input[name=phone]", "0912 000 111")
    page.click("#members-panel button[type=submit]")
    expect(page.locator("#member-list")).to_contain_text("Hoàng Thị Mai")
    expect(page.locator("#flashes")).to_contain_text("Hoàng Thị Mai")
    assert page.evaluate("window.sameDocument") is True
    screenshot("members-after-add")

    # a wrong phone number is refused next to the field, in place
    page.click("summary:has-text('Thêm thành viên')")
    page.fill("input[name=full_name]", "Người Thứ Hai")
    page.fill("input[name=phone]", "123")
    page.click("#members-panel button[type=submit]")
    expect(page.locator(".field-error")).to_contain_text("số điện thoại")
    expect(page.locator("#member-list")).not_to_contain_text("Người Thứ Hai")

    page.click("button:has-text('English')")
    expect(page.locator(".site-nav")).to_contain_text("Team")
    expect(page.locator("h1")).to_contain_text("Support team")
    screenshot("members-english")
    assert problems == []


def test_inline_edit_of_a_member(page, live_server, problems):
    log_in(page, live_server, "chair", PASSWORD)
    page.goto(f"{live_server}/members")
    card = page.locator("article.member", has_text="Phạm Văn Bình")
    card.locator("text=Sửa").click()
    editor = page.locator("article.member.editing")
    editor.locator("input[name=phone]").fill("0988777666")
    editor.locator("button[type=submit]").click()
    expect(page.locator("article.member", has_text="Phạm Văn Bình")).to_contain_text("0988777666")
    expect(page.locator("article.member.editing")).to_have_count(0)
    assert problems == []


def test_phone_screen_has_no_sideways_scrolling(page, live_server, problems, screenshot):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, "member", PASSWORD)
    for path in ("/", "/members"):
        page.goto(f"{live_server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide on a 360px screen"
    screenshot("members-phone")
    assert problems == []


def test_the_browser_fetches_stylesheet_and_scripts_once(app, seed, page, problems):
    """On a slow connection every page used to ask again for its four files (304 each); they are
    now kept by address and digest, so the next pages ask the server for none, nor do the pages of
    the next login at a shared PC."""
    static_requests = []
    serve = app.wsgi_app

    def counting(environ, start_response):
        if environ["PATH_INFO"].startswith("/static/"):
            static_requests.append(environ["PATH_INFO"])
        return serve(environ, start_response)

    app.wsgi_app = counting
    with serving(app) as base_url:
        log_in(page, base_url, "chair", PASSWORD)
        page.wait_for_load_state("networkidle")  # the icon is asked for after the page
        first = len(static_requests)
        assert first >= 3  # the login page and the dashboard fetched them once
        for path in ("/people", "/loans", "/", "/members"):
            page.goto(f"{base_url}{path}")
            expect(page.locator(".site-nav")).to_be_visible()
        assert static_requests[first:] == []
        # The next person at a shared PC logs in (a new cookie): the files are still kept.
        page.click("form[action='/logout'] button")
        page.wait_for_url(f"{base_url}/login**")
        log_in(page, base_url, "treasurer", PASSWORD)
        page.goto(f"{base_url}/donations")
        expect(page.locator(".site-nav")).to_be_visible()
        assert static_requests[first:] == []
        # the stylesheet still applies: the menu is laid out by it
        assert page.evaluate("getComputedStyle(document.querySelector('.site-nav')).display") == "flex"
    assert problems == []


def test_the_chairs_administration_entries_fold_under_one(page, live_server, problems):
    """The chair's menu keeps the day's work on view and folds the rarely used entries under
    "Quản trị": it opens on a click, closes on Escape or a click elsewhere, and marks the page."""
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "chair", PASSWORD)
    more = page.locator("details.nav-more")
    periods = more.locator("a[href='/periods']")
    expect(periods).to_be_hidden()
    nav = page.locator(".site-nav").bounding_box()
    entry = page.locator(".site-nav > a").first.bounding_box()
    assert nav["height"] <= 2.5 * entry["height"], "two lines at most at 1280 px"

    more.locator("summary").click()
    expect(periods).to_be_visible()
    page.keyboard.press("Escape")
    expect(periods).to_be_hidden()
    expect(more.locator("summary")).to_be_focused()
    more.locator("summary").click()
    page.locator("main h1").click()
    expect(periods).to_be_hidden()

    more.locator("summary").click()
    periods.click()
    page.wait_for_url(f"{live_server}/periods")
    expect(page.locator(".nav-more > summary.current")).to_have_text("Quản trị")
    assert problems == []
