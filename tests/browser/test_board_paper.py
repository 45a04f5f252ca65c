"""The monthly board printed as the chair prints it for the meeting, on the demo fund: Chromium's print
to PDF on A4, one page, with the official heading, its sections and the signatures; a member without
a login is on it; the page fits a phone and passes axe."""

import os

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_review_paper import demo, look, printed, squeeze  # noqa: F401  (demo: a fixture)
from tracker.commands.demo import DEMO_PASSWORD
from tracker.extensions import db
from tracker.models import CommitteeMember


def test_the_board_prints_on_one_page(app, page, demo, problems):  # noqa: F811
    base_url, _names = demo
    log_in(page, base_url, "chair", DEMO_PASSWORD)
    page.goto(f"{base_url}/")
    page.click("#todo-board")
    assert page.url.endswith("/reports/board")
    expect(page.locator("button[data-print]").first).to_be_visible()
    look(page, "board")
    pages, text = printed(page, "board")
    assert pages == 1, pages
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BẢNG CÔNG VIỆC THÁNG",
        "Thăm hỏi cần làm trong tháng",
        "Thu hồi vốn: đến hạn và quá hạn",
        "Thu, chi tháng trước",
        "Tồn quỹ đến ngày",
        "Tổ trưởng",
    ):
        assert squeeze(words) in text, words
    # a member with people due and no login is listed like everyone else
    listed = page.locator("#board-visits th.board-member").all_inner_texts()
    with app.app_context():
        without_login = set(
            db.session.scalars(sa.select(CommitteeMember.full_name).where(CommitteeMember.user_id.is_(None)))
        )
    assert without_login & set(listed), listed
    if os.environ.get("PAPERS_PDF_DIR"):
        page.screenshot(path=os.path.join(os.environ["PAPERS_PDF_DIR"], "board-screen.png"), full_page=True)
