"""A Tết gift as the committee records it in the browser: the treasurer proposes it, the chair
approves it with a reason, the treasurer pays it and prints its phiếu chi (C41-BB) to PDF; the
pages read cleanly to axe at a desk's and a phone's width. Screenshots go to SHOTS_DIR if set."""

import datetime as dt
import io
import os
import unicodedata
from pathlib import Path

from pypdf import PdfReader

from tests.browser.conftest import ARTIFACTS, axe_violations, log_in
from tests.conftest import PASSWORD
from tests.factories import donate, seed_money

SHOTS = Path(os.environ.get("SHOTS_DIR", ARTIFACTS))


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def log_out(page):
    page.context.clear_cookies()


def test_a_tet_gift_is_proposed_approved_paid_and_its_voucher_printed(app, seed, page, live_server, problems):
    money = seed_money(app, seed)
    donate(app, seed.fund_id, money.donor_id, 5_000_000, dt.date.today() - dt.timedelta(days=20))
    today = dt.date.today().isoformat()

    log_in(page, live_server, "treasurer", PASSWORD)
    page.goto(f"{live_server}/grants")
    form = page.locator("#new-spending form")
    form.locator("select[name=person_id]").select_option(label="Nguyễn Văn An")
    form.locator("select[name=kind]").select_option("tet_gift")
    form.locator("input[name=amount]").fill("750000")
    form.locator("input[name=proposed_on]").fill(today)
    form.locator("textarea[name=purpose]").fill("Quà Tết cho gia đình có hoàn cảnh khó khăn")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server}/grants/*")
    grant_url = page.url
    assert "Chờ duyệt" in page.locator("#spending-facts").inner_text()
    log_out(page)

    log_in(page, live_server, "chair", PASSWORD)
    page.goto(grant_url)
    decide = page.locator("#decide form")
    decide.locator("select[name=decision]").select_option("approve")
    decide.locator("textarea[name=reason]").fill("Họp Tổ ngày 05/12 thống nhất hỗ trợ")
    decide.locator("button[type=submit]").click()
    page.wait_for_url(grant_url)
    assert "Đã duyệt, chưa chi" in page.locator("#spending-facts").inner_text()
    log_out(page)

    log_in(page, live_server, "treasurer", PASSWORD)
    page.goto(grant_url)
    assert axe_violations(page) == []
    shoot(page, "grant-approved")
    page.locator("#pay form button[type=submit]").click()
    page.wait_for_url(f"{grant_url}/voucher")
    shoot(page, "grant-voucher")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    page.emulate_media(media="screen")
    if os.environ.get("SHOTS_DIR"):
        (SHOTS / "grant-voucher.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = squeeze(reader.pages[0].extract_text())
    assert text.count(squeeze("Mẫu số C41-BB")) == 2  # two copies (liên) on the sheet
    assert text.count(squeeze(f"PC-{dt.date.today().year}-0001")) >= 2
    assert text.count(squeeze("Chi hỗ trợ không hoàn lại: Quà Tết")) >= 2
    assert text.count(squeeze("Bảy trăm năm mươi nghìn đồng")) >= 2
    assert squeeze("Nguyễn Văn An") in text

    page.goto(f"{live_server}/grants")
    assert axe_violations(page) == []
    shoot(page, "grants")
    page.goto(f"{live_server}/gifts-in-kind")
    assert axe_violations(page) == []
    shoot(page, "gifts")
    page.goto(f"{live_server}/reports/cashbook")
    assert "Chi hỗ trợ không hoàn lại: Quà Tết" in page.locator("main").inner_text()
    shoot(page, "cashbook")
    log_out(page)

    # a referral, recorded on the person's file by the chair
    log_in(page, live_server, "chair", PASSWORD)
    page.goto(f"{live_server}/people/{money.person_id}")
    page.locator("#referrals summary").click()
    referral = page.locator("#referrals form[action$='/referrals']")
    referral.locator("select[name=kind]").select_option("social_policy_loan")
    referral.locator("input[name=referred_to]").fill("Ngân hàng Chính sách xã hội, điểm giao dịch xã")
    referral.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server}/people/{money.person_id}*")
    rows = page.locator("#referral-list tbody tr").all_inner_texts()
    assert len(rows) == 1 and "Vay vốn Ngân hàng Chính sách xã hội" in rows[0]
    assert axe_violations(page) == []
    page.locator("#referrals").scroll_into_view_if_needed()
    shoot(page, "person-referrals")
    assert problems == []
