"""The year's thank-you letters printed in one run, on the demo fund: Chromium's print to PDF on A4,
each letter from a new page, one page or more per donor, each opening "Kính gửi:" with the right
salutation (Ông, Bà, Quý công ty …, an organisation by its name); no person helped who did not agree
is named. And the commendations list, and the review's part that lists them."""

import io

import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import log_in
from tests.browser.test_review_paper import demo, look, printed, squeeze  # noqa: F401 (demo: a fixture)
from tracker import clock
from tracker.commands.demo import DEMO_PASSWORD
from tracker.extensions import db
from tracker.models import Donor, Person
from tracker.queries import letters as lettering


def expected_letters(app, year: int) -> list[str]:
    """The salutation of each letter of the year, in the order they print."""
    with app.app_context():
        fund_id = db.session.scalar(sa.select(Donor.fund_id).limit(1))
        ids = [row[0] for row in lettering.donor_years(fund_id, year)]
        donors = {donor.id: donor for donor in lettering.donors(fund_id, ids)}
        return [lettering.addressee(donors[donor_id]).salutation for donor_id in ids]


def unconsented(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Person.full_name).where(Person.named_to_donors.is_(False))))


def test_the_years_letters_print_one_donor_from_each_new_page(app, page, demo, problems):  # noqa: F811
    base_url, _names = demo
    year = clock.today().year - 1
    salutations = expected_letters(app, year)
    assert len(salutations) >= 5 and any(s.startswith("Bà ") for s in salutations)
    assert any(s.startswith("Quý Công ty") for s in salutations)
    log_in(page, base_url, "chair", DEMO_PASSWORD)
    page.goto(f"{base_url}/reports/donor-letters?year={year}")
    page.click("#print-all")
    assert page.url.endswith(f"/reports/donor-letters/print?year={year}")
    expect(page.locator("button[data-print]").first).to_be_visible()
    look(page, "letters")
    pages, _text = printed(page, "letters")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    page.emulate_media(media="screen")
    texts = [squeeze(p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(texts) == pages >= len(salutations)
    # Each letter starts a page: the pages that open with the heading, in order, one per donor.
    starts = [number for number, text in enumerate(texts) if squeeze("THƯ CẢM ƠN") in text]
    assert len(starts) == len(salutations)
    assert all(texts[number].count(squeeze("THƯ CẢM ƠN")) == 1 for number in starts)
    for number, salutation in zip(starts, salutations, strict=True):
        assert squeeze(f"Kính gửi: {salutation}") in texts[number], (number, salutation)
    # Each letter's own pages end before the next starts: its signature and table are on them.
    for first, last in zip(starts, [*starts[1:], len(texts)], strict=True):
        body = "".join(texts[first:last])
        assert squeeze("TM. TỔ GIÚP ĐỠ") in body and squeeze("Bảng kèm theo") in body
    everything = "".join(texts)
    for name in unconsented(app):
        assert squeeze(name) not in everything, name
    assert "triệuđồng" in everything  # the text reads amounts as a person says them
    assert problems == []


def test_the_commendations_and_the_reviews_part(page, demo, problems):  # noqa: F811
    base_url, names = demo
    log_in(page, base_url, "chair", DEMO_PASSWORD)
    page.goto(f"{base_url}/reports")
    page.click("a[href='/commendations']")
    assert page.locator("#commendations tbody tr").count() == 2
    look(page, "commendations")
    page.goto(f"{base_url}/reports/review?period={clock.today().year}")
    part = page.locator("#commendations-table")
    assert part.locator("tbody tr").count() == 2
    _pages, text = printed(page, "review-commendations")
    assert squeeze("5. Công tác thi đua, khen thưởng") in text
    assert squeeze("Quyết định số 12/QĐ-UBND") in text
    for name in names:
        assert squeeze(name) not in text, name
    # One recorded by mistake is deleted with a second click.
    page.goto(f"{base_url}/commendations")
    first = page.locator("#commendations tbody tr").first
    first.locator("summary").click()
    first.locator("button[type=submit]").click()
    page.wait_for_url(f"{base_url}/commendations")
    assert page.locator("#commendations tbody tr").count() == 1
    assert problems == []
