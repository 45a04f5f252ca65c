"""A member on a phone finds their overdue person in the visit queue and logs a visit in place."""

import datetime as dt

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.factories import seed_money
from tracker import clock
from tracker.extensions import db
from tracker.models import Person


def no_sideways_scrolling(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{what} is {width}px wide on a 360px screen"


def test_member_on_a_phone_logs_a_visit_for_an_overdue_person(
    app, seed, page, live_server, problems, screenshot
):
    money = seed_money(app, seed)
    today = clock.today()
    with app.app_context():
        person = db.session.get(Person, money.person_id)
        person.next_visit_on = today - dt.timedelta(days=6)
        person.phone = "0912345678"
        db.session.commit()

    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, "member", PASSWORD)
    page.goto(f"{live_server}/visits")
    row = page.locator(f"#visit-queue li[data-person-id='{money.person_id}']")
    expect(row).to_contain_text("Nguyễn Văn An")
    expect(row.locator(".overdue")).to_be_visible()
    expect(row.locator("a[href='tel:0912345678']")).to_be_visible()
    expect(page.locator("#visit-queue li[data-person-id]")).to_have_count(1)  # not member2's person
    no_sideways_scrolling(page, "/visits")
    screenshot("visits-queue-phone")

    row.locator(f"a[href$='/people/{money.person_id}#visit']").click()
    page.wait_for_url(f"{live_server}/people/{money.person_id}#visit")
    form = page.locator("#visit-form")
    expect(form.locator("input[name=visited_on]")).to_have_value(today.isoformat())
    expect(form.locator("input[name=kind][value=home]")).to_be_checked()
    no_sideways_scrolling(page, "the person page")
    page.evaluate("window.sameDocument = true")  # survives only if htmx swaps in place

    # a date in the future is refused next to the field, in place
    form.locator("input[name=visited_on]").fill((today + dt.timedelta(days=2)).isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("#visit-form #visited_on-error")).to_be_visible()

    form.locator("input[name=visited_on]").fill(today.isoformat())
    form.locator("label.kind-option", has=page.locator("input[value=phone]")).click()
    form.locator("textarea[name=summary]").fill("Đã có việc ở xưởng mộc, sức khỏe tốt.")
    form.locator("button[type=submit]").click()
    expect(page.locator("#visit-timeline")).to_contain_text("Đã có việc ở xưởng mộc")
    expect(page.locator("#visit-timeline")).to_contain_text(
        (today + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    )
    expect(page.locator("#flashes .flash-success")).to_be_visible()
    expect(page.locator("#visit-form textarea[name=summary]")).to_have_value("")  # ready for the next one
    assert page.evaluate("window.sameDocument") is True
    no_sideways_scrolling(page, "the person page after a visit")
    screenshot("visit-logged-phone")

    page.goto(f"{live_server}/visits")
    expect(page.locator(f"[data-person-id='{money.person_id}']")).to_have_count(0)
    assert problems == []


def test_the_day_picked_is_written_under_the_date_input(app, seed, page, live_server, problems):
    """Chromium here shows a date input as mm/dd/yyyy; the line under it says which day was picked
    the commune's way, as the server writes it, in Vietnamese and in English."""
    money = seed_money(app, seed)
    log_in(page, live_server, "member", PASSWORD)
    page.goto(f"{live_server}/people/{money.person_id}#visit")
    date_input = page.locator("#visit-form input[name=visited_on]")
    echo = page.locator("#visit-form #visited_on-day")
    first = echo.inner_text()
    assert first.endswith(clock.today().strftime(", %d/%m/%Y"))
    date_input.fill("2026-02-05")
    expect(echo).to_have_text("Thứ Năm, 05/02/2026")
    date_input.fill(clock.today().isoformat())
    expect(echo).to_have_text(first)  # the script writes what the server wrote
    date_input.fill("")
    expect(echo).to_have_text("Ngày/tháng/năm: dd/mm/yyyy")  # an empty date still shows the order

    # The form sent back by htmx (refused: a date in the future) keeps its line, and it still follows.
    date_input.fill("2099-01-01")
    page.locator("#visit-form button[type=submit]").click()
    expect(page.locator("#visit-form #visited_on-error")).to_be_visible()
    expect(echo).to_have_text("Thứ Năm, 01/01/2099")
    date_input.fill("2026-11-29")
    expect(echo).to_have_text("Chủ Nhật, 29/11/2026")

    page.click("button:has-text('English')")
    page.goto(f"{live_server}/people/{money.person_id}#visit")
    date_input.fill("2026-02-05")
    expect(echo).to_have_text("Thursday, 05/02/2026")
    assert problems == []
