"""With the keyboard only, and what a screen reader is told: the member's visit from the login to the
confirmation, the people search's count, the team's inline editor, a wide table on a phone.

Focus is followed through document.activeElement; what a screen reader says is read from the live
regions (#flashes for messages, #announcer for counts) and from the focused field's accessible
description (its error, tied to it by aria-describedby).
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations
from tests.conftest import PASSWORD
from tests.factories import seed_money
from tracker import clock
from tracker.extensions import db
from tracker.models import Person

MAX_TABS = 60  # a page's Tab stops before the one looked for; more means it is not reachable


@pytest.fixture
def keyboard_page(browser):
    """A Vietnamese PC with a desktop screen."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def focused(page, selector: str) -> bool:
    return page.evaluate("selector => !!document.activeElement?.matches(selector)", selector)


def tab_to(page, selector: str, backwards: bool = False) -> None:
    """Press Tab until the element matching selector has focus; fail if it never comes."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if focused(page, selector):
            return
    pytest.fail(f"{MAX_TABS} presses of Tab on {page.url} never reached {selector}")


def press_and_wait(page, key: str, url_part: str) -> None:
    with page.expect_navigation(url=re.compile(re.escape(url_part))):
        page.keyboard.press(key)


def typed_date(day: dt.date) -> str:
    """A date as typed into Chromium's date input. Its order of day and month follows the system's
    language, not the page's, so the dates typed here have the same day and month."""
    assert day.day == day.month
    return day.strftime("%d%m%Y")


def test_member_logs_a_visit_with_the_keyboard_only(app, seed, keyboard_page, live_server):
    page = keyboard_page
    money = seed_money(app, seed)
    today = clock.today()
    with app.app_context():
        db.session.get(Person, money.person_id).next_visit_on = today - dt.timedelta(days=6)
        db.session.commit()

    # the login form takes focus as the page opens
    page.goto(f"{live_server}/login")
    assert focused(page, "input[name=username]")
    page.keyboard.type("member")
    page.keyboard.press("Tab")
    assert focused(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    press_and_wait(page, "Enter", f"{live_server}/")

    # the first Tab stop of a page is the skip link, shown while it has focus; then the menu
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Chuyển đến nội dung chính")
    expect(skip).to_be_in_viewport()
    tab_to(page, "nav a[href='/visits']")
    press_and_wait(page, "Enter", "/visits")

    # on the visit queue, past the menu to the person, and on to the quick visit form
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page, "main#main")
    tab_to(page, f"#visit-queue a[href='/people/{money.person_id}#visit']")
    press_and_wait(page, "Enter", f"/people/{money.person_id}")
    tab_to(page, "#visit-form input[name=kind]")
    page.keyboard.press("ArrowRight")  # the next kind of visit: by phone
    expect(page.locator("#visit-form input[name=kind][value=phone]")).to_be_checked()
    tab_to(page, "#visit-form input[name=visited_on]")
    page.keyboard.type(typed_date(dt.date(today.year + 1, 1, 1)))
    tab_to(page, "#visit-form textarea[name=summary]")
    page.keyboard.type("Đã có việc ở xưởng mộc.")
    page.evaluate("window.liveRegion = document.getElementById('flashes')")

    # refused: focus goes to the first field in error, which a screen reader reads with its error
    tab_to(page, "#visit-form button[type=submit]")
    with page.expect_response(lambda response: response.status == 422):
        page.keyboard.press("Enter")
    date_input = page.locator("#visit-form input[name=visited_on]")
    expect(date_input).to_be_focused()
    expect(date_input).to_have_attribute("aria-invalid", "true")
    expect(date_input).to_have_accessible_description(re.compile("Không được nhập ngày sau ngày hôm nay"))
    expect(page.locator("#visit-form textarea[name=summary]")).to_have_value("Đã có việc ở xưởng mộc.")
    assert axe_violations(page) == []  # the form as refused, errors and all

    # corrected and sent again: focus goes to the confirmation under the button, where the user is;
    # the page's live region says the message too
    earlier = max(day for month in range(1, 13) if (day := dt.date(today.year, month, month)) <= today)
    page.keyboard.type(typed_date(earlier))
    tab_to(page, "#visit-form button[type=submit]")
    page.keyboard.press("Enter")
    confirmation = page.locator("#visit-recorded")
    expect(confirmation).to_be_focused()
    expect(confirmation).to_contain_text("Đã ghi thăm hỏi")
    expect(confirmation).to_be_in_viewport()
    expect(page.locator("#flashes .flash-success")).to_contain_text("Đã ghi thăm hỏi")
    # the live region is the element that was there before the answer, with the message now in it
    assert page.evaluate("window.liveRegion === document.getElementById('flashes')")
    expect(page.locator("#flashes")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#visit-timeline")).to_contain_text("Đã có việc ở xưởng mộc.")
    assert axe_violations(page) == []
    # and the next Tab goes on from the message, not from the top of the page
    page.keyboard.press("Tab")
    assert not focused(page, ".skip-link, .site-header *")


def test_the_people_search_says_how_many_it_found(app, seed, keyboard_page, live_server):
    page = keyboard_page
    seed_money(app, seed)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "chair")
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.goto(f"{live_server}/people")
    tab_to(page, "#q")
    page.keyboard.type("an")
    announcer = page.locator("#announcer")
    expect(announcer).to_have_text("Tìm thấy 1 người")
    expect(announcer).to_have_attribute("aria-live", "polite")
    assert focused(page, "#q")  # typing goes on where it was
    tab_to(page, "#filter-status")  # named by its own label, not by another form's
    expect(page.locator(":focus")).to_have_accessible_name(
        page.locator("label[for=filter-status]").inner_text()
    )


def test_the_inline_editor_takes_focus_and_gives_it_back(app, seed, keyboard_page, live_server):
    page = keyboard_page
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "chair")
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.goto(f"{live_server}/members")
    tab_to(page, "#member-list a[hx-get$='/edit']")
    page.keyboard.press("Enter")
    expect(page.locator("article.member.editing input[name=full_name]")).to_be_focused()
    tab_to(page, "article.member.editing a[hx-get]")  # Cancel
    page.keyboard.press("Enter")
    expect(page.locator("article.member.editing")).to_have_count(0)
    assert focused(page, "#member-list article.member *"), "focus is back on the card, not lost"


def test_a_form_refused_without_htmx_opens_on_its_first_field_in_error(app, seed, keyboard_page, live_server):
    page = keyboard_page
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "chair")
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.goto(f"{live_server}/people")
    page.click("#new-person summary")
    page.fill("#new-person input[name=full_name]", "Trần Văn Mới")
    with page.expect_navigation():
        page.click("#new-person button[type=submit]")  # no date of consent: refused, a whole page
    first_error = page.locator("#new-person .has-error").first.locator("input, select, textarea").first
    expect(first_error).to_be_focused()
    expect(first_error).to_have_attribute("aria-invalid", "true")


def test_a_wide_table_scrolls_with_the_keyboard_on_a_phone(app, seed, keyboard_page, live_server):
    page = keyboard_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "chair")
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.goto(f"{live_server}/reports/visits")
    box = page.locator(".table-scroll").first
    assert box.evaluate("box => box.scrollWidth > box.clientWidth"), "the table fits: nothing to test"
    tab_to(page, ".table-scroll")
    expect(box).to_have_attribute("role", "region")
    expect(box).to_have_accessible_name(re.compile(r"\w"))
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")
