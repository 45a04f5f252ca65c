"""The cash count as a treasurer makes it: the notes typed by denomination, the difference shown and
its reason asked for, the biên bản kiểm kê quỹ printed to PDF on one A4 page with its three signers;
and a deposit into the bank, its phiếu chi printed."""

import datetime as dt
import io
import os
import unicodedata
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import PASSWORD
from tests.factories import donate, seed_money

A4_POINTS = (595, 842)
SHOTS = Path(os.environ.get("BANK_SHOTS_DIR", ARTIFACTS))


def squeeze(text: str) -> str:
    """Compared without spaces or case: extracted text may split a word at its marks, and the
    title prints in capitals."""
    return "".join(unicodedata.normalize("NFC", text).split()).casefold()


def printed(page, name: str) -> str:
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    page.emulate_media(media="screen")
    (SHOTS / f"{name}.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1, (name, len(reader.pages))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
    return squeeze(reader.pages[0].extract_text())


def test_a_cash_count_is_explained_saved_and_printed(app, seed, page, live_server, problems):
    money = seed_money(app, seed)
    donate(app, seed.fund_id, money.donor_id, 2_000_000, dt.date(2026, 6, 1))
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server, "treasurer", PASSWORD)
    page.goto(f"{live_server}/cash-counts")
    page.fill("input[name=counted_on]", "2026-06-30")
    page.fill("input[name=notes_500000]", "3")
    page.fill("input[name=notes_200000]", "2")
    page.click("#new-count button[type=submit]")
    # 1.900.000 counted against 2.000.000 in the book: the figures, and the reason asked for
    assert page.locator("[data-figure=difference]").inner_text() == "Thiếu so với sổ: 100.000 ₫"
    assert "ghi rõ lý do" in page.locator("#reason-error").inner_text()
    page.screenshot(path=str(SHOTS / "cash-count-difference-1280.png"), full_page=True)
    page.fill("textarea[name=reason]", "Đã tạm ứng mua văn phòng phẩm, chưa có chứng từ")
    page.click("#new-count button[type=submit]")
    page.wait_for_url(f"{live_server}/cash-counts/*")
    expect(page.locator("button[data-print]")).to_be_visible()
    page.screenshot(path=str(SHOTS / "cash-count-paper-1280.png"), full_page=True)
    text = printed(page, "cash-count")
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Biên bản kiểm kê quỹ tiền mặt",
        "2.000.000 ₫",  # the book
        "1.900.000 ₫",  # counted
        "Thiếu so với sổ: 100.000 ₫",
        "Đã tạm ứng mua văn phòng phẩm",
        "Một triệu chín trăm nghìn đồng",
        "Thủ quỹ",
        "Kế toán",
        "Tổ trưởng",
        "Người dùng treasurer",
    ):
        assert squeeze(words) in text, words
    assert squeeze("In biên bản") not in text  # the tools stay off paper
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    page.screenshot(path=str(SHOTS / "cash-count-paper-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server}/cash-counts")
    page.screenshot(path=str(SHOTS / "cash-counts-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert problems == []


def test_a_deposit_is_recorded_and_its_voucher_printed(app, seed, page, live_server, problems):
    money = seed_money(app, seed)
    donate(app, seed.fund_id, money.donor_id, 20_000_000, dt.date(2026, 6, 1))
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server, "treasurer", PASSWORD)
    page.goto(f"{live_server}/transfers")
    page.select_option("select[name=kind]", "deposit")
    page.fill("input[name=amount]", "15000000")
    page.fill("input[name=made_on]", "2026-06-02")
    page.fill("input[name=bank_ref]", "GNT-0158")
    page.fill("textarea[name=reason]", "Gửi tiền nhàn rỗi vào tài khoản của Quỹ")
    page.click("#new-transfer button[type=submit]")
    page.wait_for_url(f"{live_server}/transfers/*/voucher")
    text = printed(page, "deposit-voucher")
    for words in (
        "PHIẾU CHI",
        "PC-2026-0001",
        "Nộp tiền mặt vào ngân hàng",
        "GNT-0158",
        "Mười lăm triệu đồng",
    ):
        assert squeeze(words) in text, words
    page.goto(f"{live_server}/transfers")
    assert page.locator("#in-cash").inner_text() == "5.000.000 ₫"
    assert page.locator("#in-bank").inner_text() == "15.000.000 ₫"
    page.screenshot(path=str(SHOTS / "transfers-1280.png"), full_page=True)
    page.goto(f"{live_server}/reports/cashbook?account=all&from=2026-01-01&to=2026-12-07")
    page.screenshot(path=str(SHOTS / "cashbook-all-1280.png"), full_page=True)
    text = printed(page, "cashbook-all")
    assert squeeze("Sổ quỹ tiền mặt và tiền gửi ngân hàng") in text
    page.set_viewport_size({"width": 360, "height": 740})
    for name, address in (("transfers", "/transfers"), ("cashbook-all", "/reports/cashbook?account=all")):
        page.goto(live_server + address)
        page.screenshot(path=str(SHOTS / f"{name}-360.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    assert problems == []
