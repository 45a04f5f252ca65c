"""The province's review printed as its steering committee prints it: the demo fund and a second
fund of Lâm Đồng, read by the demo's province login; Chromium's print to PDF on A4 under the
province Front committee's header, the table of funds whole, no name of anyone helped; the page
fits a phone."""

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.browser.test_review_paper import look, printed, squeeze
from tests.conftest import serving
from tests.factories import add_donor, add_person, donate
from tracker import accounts
from tracker.commands.demo import DEMO_PASSWORD, load_demo
from tracker.extensions import db
from tracker.models import Fund, Person


@pytest.fixture
def province(app):
    """The demo, and xã Tân Hà's fund in the same province with a gift of this year."""
    with app.app_context():
        load_demo()
        db.session.commit()
        demo = db.session.scalar(sa.select(Fund).order_by(Fund.id).limit(1))
        fund = accounts.create_fund("Quỹ xã Tân Hà", "xã Tân Hà", demo.province)
        add_person(fund.id, "Hồ Văn Bí Mật")
        donor = add_donor(fund.id, "Nhà hảo tâm Tân Hà", "individual")
        db.session.commit()
        fund_id, founded = fund.id, demo.founded_on
        names = db.session.scalars(sa.select(Person.full_name)).all()
    donate(app, fund_id, donor, 3_456_000, dt.date.today().replace(day=1))
    with serving(app) as base_url:
        yield base_url, founded, names


def test_the_province_review_prints_under_the_province_header(page, province, problems):
    base_url, founded, names = province
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", "tinh")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(f"{base_url}/province")
    # the table's downloads, Excel first
    links = page.locator("a[download]")
    assert [links.nth(n).get_attribute("href") for n in range(2)] == [
        "/province?format=xlsx",
        "/province?format=csv",
    ]
    look(page, "province-table")
    page.click("#province-review")
    page.fill("#range-from", founded.isoformat())
    page.fill("#range-to", dt.date.today().isoformat())
    page.click("#review-range button[type=submit]")
    page.wait_for_url("**/province/review?from=*")
    assert page.locator("#funds tbody tr").count() == 2
    look(page, "province-review")
    pages, text = printed(page, "province-review")
    assert 2 <= pages <= 4, pages
    # the table of funds is an appendix on A4 turned to landscape, after the signature
    page.emulate_media(media="print")
    sheets = PdfReader(io.BytesIO(page.pdf(format="A4", prefer_css_page_size=True))).pages
    page.emulate_media(media="screen")
    last = sheets[-1]
    assert float(last.mediabox.width) > float(last.mediabox.height)
    assert squeeze("Phụ lục: Số liệu từng quỹ") in squeeze(last.extract_text())
    assert squeeze("TM. BAN CHỈ ĐẠO") in squeeze(sheets[-2].extract_text())
    for words in (
        "ỦY BAN MTTQ VIỆT NAM TỈNH LÂM ĐỒNG",
        "BAN CHỈ ĐẠO TỈNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BÁO CÁO TỔNG KẾT HOẠT ĐỘNG TỪ NGÀY",
        "CỦA CÁC QUỸ GIÚP ĐỠ NGƯỜI HOÀN LƯƠNG TRÊN ĐỊA BÀN",
        "Dư nợ quá hạn trên 30 ngày",
        "Phụ lục: Số liệu từng quỹ",
        "xã Hồng Sơn",
        "xã Tân Hà",
        "3.456.000 ₫",
        "TM. BAN CHỈ ĐẠO",
    ):
        assert squeeze(words) in text, words
    for words in ("In báo cáo", "Tệp Word", "Xem theo khoảng ngày"):
        assert squeeze(words) not in text, words  # the tools stay off paper
    for name in names:
        assert squeeze(name) not in text, name
    assert problems == []
