"""A loan's papers printed as a person prints them: Chromium's print to PDF on A4, one or two pages
each, the borrower named on it; the print button shows and the tools above the sheet do not print."""

import io
import os
import unicodedata

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import PASSWORD
from tests.factories import papered_loan, seed_money

A4_POINTS = (595, 842)


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def test_each_paper_prints_on_one_or_two_a4_pages(app, seed, page, live_server, problems):
    loan_id = papered_loan(app, seed, seed_money(app, seed))
    log_in(page, live_server, "chair", PASSWORD)
    page.goto(f"{live_server}/loans/{loan_id}")
    links = page.locator("#papers a:not([href*='format=docx'])")
    assert links.count() == 4
    ARTIFACTS.mkdir(exist_ok=True)
    for kind in ("application", "agreement", "minutes", "handover"):
        page.goto(f"{live_server}/loans/{loan_id}/papers/{kind}")
        expect(page.locator("button[data-print]")).to_be_visible()  # shown by app.js
        page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
        page.click("button[data-print]")
        assert page.evaluate("window.printed") == 1
        page.screenshot(path=str(ARTIFACTS / f"paper-{kind}.png"), full_page=True)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        page.emulate_media(media="screen")
        if os.environ.get("PAPERS_PDF_DIR"):  # to look at them: pdftoppm -png -r 60 FILE
            with open(os.path.join(os.environ["PAPERS_PDF_DIR"], f"{kind}.pdf"), "wb") as file:
                file.write(pdf)
        reader = PdfReader(io.BytesIO(pdf))
        assert 1 <= len(reader.pages) <= 2, (kind, len(reader.pages))
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
        # compared without spaces: with some fonts the extracted text splits a word at its marks
        # ("Nguy ễ n")
        text = squeeze("".join(p.extract_text() for p in reader.pages))
        assert squeeze("Nguyễn Văn An") in text, kind
        assert squeeze("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") in text, kind
        assert squeeze("Khoản vay #") not in text and squeeze("Tệp Word") not in text  # tools stay off paper
    # on a phone the sheet fits the screen: no sideways scrolling
    page.set_viewport_size({"width": 360, "height": 740})
    for kind in ("application", "agreement", "minutes", "handover"):
        page.goto(f"{live_server}/loans/{loan_id}/papers/{kind}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, kind
    assert problems == []
