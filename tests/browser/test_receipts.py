"""Phiếu thu and phiếu chi printed as a treasurer prints them: Chromium's print to PDF gives one A4
page holding both copies (liên), each filling its A5 half without spilling over; on a phone the
first copy fits the screen."""

import datetime as dt
import io
import os
import unicodedata

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import PASSWORD
from tests.factories import donate, papered_loan, repay, seed_money

A4_POINTS = (595, 842)


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def test_each_receipt_and_voucher_prints_two_copies_on_one_a4_page(app, seed, page, live_server, problems):
    money = seed_money(app, seed)
    donation_id = donate(app, seed.fund_id, money.donor_id, 123_456_000, dt.date(2026, 2, 5))
    loan_id = papered_loan(app, seed, money)
    repayment_id = repay(app, loan_id, 1_500_000, dt.date.today())
    log_in(page, live_server, "treasurer", PASSWORD)
    documents = {
        "donation": (f"/donations/{donation_id}/receipt", "C40-BB", "Một trăm hai mươi ba triệu"),
        "repayment": (f"/repayments/{repayment_id}/receipt", "C40-BB", "Một triệu năm trăm nghìn đồng"),
        "disbursement": (f"/loans/{loan_id}/voucher", "C41-BB", "Nguyễn Văn An"),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    for name, (address, form_code, words) in documents.items():
        page.goto(live_server + address)
        expect(page.locator("button[data-print]")).to_be_visible()
        assert page.locator("article.voucher:visible").count() == 1  # one copy on screen
        page.screenshot(path=str(ARTIFACTS / f"voucher-{name}.png"), full_page=True)
        page.emulate_media(media="print")
        # each copy is its A5 half (210 x 148 mm) and what it says fits inside it
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('article.voucher')].map(copy => {
                const box = copy.getBoundingClientRect();
                return [box.width, box.height, copy.scrollHeight - copy.clientHeight];
            })"""
        )
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        page.emulate_media(media="screen")
        assert len(sizes) == 2, name
        for width, height, spill in sizes:
            assert round(width / 96 * 25.4) == 210 and round(height / 96 * 25.4) == 148, (name, width, height)
            assert spill <= 0, (name, spill)
        if os.environ.get("RECEIPTS_PDF_DIR"):  # to look at them: pdftoppm -png -r 60 FILE
            with open(os.path.join(os.environ["RECEIPTS_PDF_DIR"], f"{name}.pdf"), "wb") as file:
                file.write(pdf)
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1, (name, len(reader.pages))
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
        text = squeeze(reader.pages[0].extract_text())
        assert text.count(squeeze(f"Mẫu số {form_code}")) == 2, name
        assert squeeze("Liên 1") in text and squeeze("Liên 2") in text, name
        assert text.count(squeeze(words)) >= 2, name
        assert squeeze("Quay lại") not in text  # the tools above the sheet stay off paper
    # on a phone the copy fits the screen: no sideways scrolling
    page.set_viewport_size({"width": 360, "height": 740})
    for name, (address, _code, _words) in documents.items():
        page.goto(live_server + address)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
        page.screenshot(path=str(ARTIFACTS / f"voucher-{name}-360.png"), full_page=True)
    assert problems == []
