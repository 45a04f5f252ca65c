"""The review and the public accounts printed as the chair prints them, on the demo fund: Chromium's
print to PDF on A4; the review in a few pages with its parts and the chair's name, the public sheet
on exactly one page; neither names a person helped; the page fits a phone; the chair rewrites a
part in place (htmx) and the next print carries it."""

import io
import os
import unicodedata

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import ARTIFACTS, axe_violations, log_in
from tests.conftest import serving
from tracker.commands.demo import DEMO_PASSWORD, load_demo
from tracker.extensions import db
from tracker.models import Donor, Person

A4_POINTS = (595, 842)


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture
def demo(app):
    """The app with the demo fund; yields its base URL and the names that must not print."""
    with app.app_context():
        load_demo()
        db.session.commit()
        names = db.session.scalars(sa.select(Person.full_name)).all()
        names += db.session.scalars(sa.select(Donor.name).where(Donor.anonymous.is_(True))).all()
    with serving(app) as base_url:
        yield base_url, names


def printed(page, name: str) -> tuple[int, str]:
    """(pages, text without spaces) of the page printed to A4; the PDF kept with PAPERS_PDF_DIR."""
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    page.emulate_media(media="screen")
    if os.environ.get("PAPERS_PDF_DIR"):  # to look at them: pdftoppm -png -r 60 FILE
        with open(os.path.join(os.environ["PAPERS_PDF_DIR"], f"{name}.pdf"), "wb") as file:
            file.write(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
    return len(reader.pages), squeeze("".join(p.extract_text() for p in reader.pages))


def look(page, name: str) -> None:
    """Screenshots at a desk's width and a phone's; the phone never scrolls sideways."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        assert axe_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_review_prints_as_the_document_the_chair_signs(page, demo, problems):
    base_url, names = demo
    log_in(page, base_url, "chair", DEMO_PASSWORD)
    page.goto(f"{base_url}/reports/review")
    page.click("#since-founded")  # the first years, as Hồng Sơn reviewed them
    assert "from=" in page.url
    expect(page.locator("button[data-print]").first).to_be_visible()
    look(page, "review")
    pages, text = printed(page, "review")
    assert 1 <= pages <= 5, pages
    for words in (
        "ỦY BAN MTTQ VIỆT NAM",
        "TỔ GIÚP ĐỠ NGƯỜI HOÀN LƯƠNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BÁO CÁO TỔNG KẾT HOẠT ĐỘNG TỪ NGÀY",
        "I. Đặc điểm tình hình",
        "II. Kết quả thực hiện",
        "VI. Đề xuất, kiến nghị",
        "Nơi nhận:",
        "TM. TỔ GIÚP ĐỠ",
        "Nguyễn Văn Hùng",  # the demo's chair, under the signature
    ):
        assert squeeze(words) in text, words
    for words in ("Sửa mục này", "Tải Excel", "Tệp Word", "Xem theo khoảng ngày"):
        assert squeeze(words) not in text, words  # the tools stay off paper
    for name in names:
        assert squeeze(name) not in text, name

    # The chair rewrites part IV in place; the section is swapped, the rest of the page stays.
    page.locator("#lessons summary").click()
    page.fill("#lessons-text", "Phối hợp với Công an xã ngay từ khi người được giúp đỡ trở về.")
    page.locator("#lessons button[type=submit]").click()
    expect(page.locator("#lessons")).to_contain_text("ngay từ khi người được giúp đỡ trở về")
    assert page.locator("#lessons .review-text").all_inner_texts() == [
        "Phối hợp với Công an xã ngay từ khi người được giúp đỡ trở về."
    ]
    _pages, text = printed(page, "review-edited")
    assert squeeze("Phối hợp với Công an xã ngay từ khi") in text
    assert problems == []


def test_the_public_sheet_prints_on_one_a4_page(page, demo, problems):
    base_url, names = demo
    log_in(page, base_url, "viewer", DEMO_PASSWORD)
    page.goto(f"{base_url}/reports")
    page.click("a[href='/reports/public']")
    look(page, "public")
    pages, text = printed(page, "public")
    assert pages == 1
    assert squeeze("CÔNG KHAI TÀI CHÍNH 6 THÁNG") in text
    assert squeeze("Tồn quỹ cuối kỳ") in text
    for name in names:
        assert squeeze(name) not in text, name
    assert problems == []
