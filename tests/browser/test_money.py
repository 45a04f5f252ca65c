"""The treasurer's path through the money: donation → disbursement → repayment → reversal."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.factories import approved_loan, disbursed_loan, donate, seed_money
from tracker import clock

YEAR = clock.today().year  # the documents of today's money are numbered in today's year


def test_treasurer_walks_donation_disbursement_repayment_reversal(
    app, seed, page, live_server, problems, screenshot
):
    money = seed_money(app, seed)
    loan_id = approved_loan(app, seed.fund_id, money.person_id, 6_000_000, term=6, on=clock.today())
    log_in(page, live_server, "treasurer", PASSWORD)

    page.goto(f"{live_server}/donations")
    page.select_option("select[name=donor_id]", str(money.donor_id))
    page.fill("input[name=amount]", "20.000.000")
    page.fill("input[name=received_on]", clock.today().isoformat())
    page.click("form[action$='/donations'] button[type=submit]")
    expect(page.locator("body")).to_contain_text(f"PT-{YEAR}-0001")
    expect(page.locator("body")).to_contain_text("20.000.000 ₫")
    screenshot("donation-recorded")

    page.goto(f"{live_server}/loans/{loan_id}")
    page.fill("input[name=disbursed_on]", clock.today().isoformat())
    page.click("form[action$='/disburse'] button[type=submit]")
    expect(page.locator("body")).to_contain_text(f"PC-{YEAR}-0001")
    expect(page.locator("#outstanding")).to_have_text("6.000.000 ₫")
    expect(page.locator("#schedule tbody tr")).to_have_count(6)

    page.evaluate("window.sameDocument = true")
    page.fill("#loan-money input[name=amount]", "1.000.000")
    page.click("#loan-money form button[type=submit]")
    expect(page.locator("#outstanding")).to_have_text("5.000.000 ₫")
    expect(page.locator("#repayments")).to_contain_text(f"PT-{YEAR}-0002")
    assert page.evaluate("window.sameDocument") is True  # updated in place by htmx
    screenshot("repayment-recorded")

    # a repayment above the outstanding balance is refused with the balance in the message
    page.fill("#loan-money input[name=amount]", "9.000.000")
    page.click("#loan-money form button[type=submit]")
    expect(page.locator("#loan-money .field-error")).to_contain_text("5.000.000 ₫")

    page.click("#repayments summary")
    page.fill("#repayments input[name=reason]", "Ghi nhầm khoản vay")
    page.click("#repayments button[type=submit]")
    expect(page.locator("#outstanding")).to_have_text("6.000.000 ₫")
    expect(page.locator("#repayments tr.void")).to_contain_text(f"PT-{YEAR}-0002")
    expect(page.locator("#repayments")).to_contain_text("Ghi nhầm khoản vay")
    screenshot("repayment-reversed")
    page.set_viewport_size({"width": 360, "height": 740})
    for path in (f"/loans/{loan_id}", "/donations", "/donors", "/reports/cashbook"):
        page.goto(f"{live_server}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    assert problems == []


def test_a_repayment_whose_answer_is_lost_is_not_recorded_twice(app, seed, page, live_server, problems):
    """The server saves the repayment but its answer never reaches the phone; the treasurer sees
    the warning, presses the button again, and the fund records the money once."""
    money = seed_money(app, seed)
    donate(app, seed.fund_id, money.donor_id, 20_000_000, clock.today())
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, 6_000_000, clock.today(), term=6)
    log_in(page, live_server, "treasurer", PASSWORD)
    page.goto(f"{live_server}/loans/{loan_id}")

    def lose_the_answer(route):
        route.fetch()  # the request reaches the server, which saves it
        route.abort("connectionreset")  # and the answer is lost on the way back

    page.route("**/repayments", lose_the_answer)
    page.fill("#loan-money input[name=amount]", "1.000.000")
    page.click("#loan-money form button[type=submit]")
    # the warning stands in the form the treasurer is looking at, not at the top of the page
    expect(page.locator("#loan-money form .connection-problem")).to_contain_text(
        "Không nhận được trả lời từ máy chủ"
    )
    expect(page.locator("#loan-money form .connection-problem")).to_be_in_viewport()
    expect(page.locator("#outstanding")).to_have_text("6.000.000 ₫")  # the page cannot know yet

    page.unroute("**/repayments")
    page.click("#loan-money form button[type=submit]")  # the same form, sent again
    expect(page.locator("#flashes")).to_contain_text("chỉ được ghi một lần")
    expect(page.locator("#outstanding")).to_have_text("5.000.000 ₫")
    expect(page.locator("#repayments tbody tr")).to_have_count(1)
    # the page shown now carries a fresh form: the next repayment is a new one
    page.fill("#loan-money input[name=amount]", "1.000.000")
    page.click("#loan-money form button[type=submit]")
    expect(page.locator("#outstanding")).to_have_text("4.000.000 ₫")
    expect(page.locator("#repayments tbody tr")).to_have_count(2)
    # what the browser and htmx log about the lost answer itself
    lost = ("ERR_CONNECTION_RESET", "htmx:sendError", "htmx:afterRequest")
    assert [problem for problem in problems if not any(text in problem for text in lost)] == []
