"""The province's review and the province table's downloads, for its steering committee.

Two funds of Lâm Đồng with different histories in 2025 (and a fund of Nghệ An that must count
nowhere); "today" is 05/02/2026. The province's review over a range must be the sum of its funds'
own reviews over the same range, figure by figure, and each fund's row must be its own review's.
"""

import csv
import datetime as dt
import io
import re

import docx
import pytest

from tests.conftest import PASSWORD, Browser
from tests.factories import add_donor, add_person, disbursed_loan, donate, repay, user_id
from tests.xlsx import read_table
from tracker import accounts, casework, clock
from tracker.extensions import db
from tracker.formatting import format_money, format_number
from tracker.models import Loan, Person
from tracker.money import journal
from tracker.queries import province, reports
from tracker.queries import review as reviewing
from tracker.web import sheets

TODAY = dt.date(2026, 2, 5)
MILLION = 1_000_000
PROVINCE = "Lâm Đồng"
RANGES = [
    (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    (dt.date(2025, 7, 1), TODAY),
    (dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
    (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),  # before anything happened
]


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


def visit(app, person_id: int, *days: dt.date) -> None:
    with app.app_context():
        person = db.session.get(Person, person_id)
        for day in days:
            casework.log_visit(person, mentor_id=person.mentor_id, visited_on=day, kind="home")
        db.session.commit()


def regional(app, province_name: str = PROVINCE, username: str = "bcd_tinh") -> Browser:
    with app.app_context():
        accounts.create_regional_user(username, PASSWORD, province_name, "Ban Chỉ đạo tỉnh")
        db.session.commit()
    browser = Browser(app.test_client())
    assert browser.login(username).status_code == 302
    return browser


def new_fund(app, commune: str, province_name: str = PROVINCE) -> tuple[int, int, int]:
    """A fund with a treasurer and a chair, one person and one donor: (fund, person, donor)."""
    with app.app_context():
        fund = accounts.create_fund(f"Quỹ {commune}", commune, province_name)
        accounts.create_user(f"t_{fund.id}", PASSWORD, fund.id, "treasurer")
        accounts.create_user(f"c_{fund.id}", PASSWORD, fund.id, "chair")
        person = add_person(fund.id, f"Người ở {commune}")
        donor = add_donor(fund.id, f"Nhà hảo tâm {commune}", "individual")
        db.session.commit()
        fund_id = fund.id
    with app.app_context():
        db.session.get(Person, person).consent_recorded_on = dt.date(2025, 1, 5)
        db.session.commit()
    return fund_id, person, donor


@pytest.fixture
def funds(app, seed, money, today) -> tuple[int, int]:
    """Hồng Sơn: a loan far behind and one written off; Tân Hà: a loan repaid on time, one a month
    behind, a person settled; xã Khác (Nghệ An) has money and visits too."""
    hong_son = seed.fund_id
    with app.app_context():
        for person_id in (money.person_id, money.other_person_id):
            db.session.get(Person, person_id).consent_recorded_on = dt.date(2024, 12, 1)
        db.session.commit()
    donate(app, hong_son, money.donor_id, 30 * MILLION, dt.date(2025, 1, 10))
    loan_a = disbursed_loan(app, hong_son, money.person_id, 12 * MILLION, dt.date(2025, 2, 1), term=12)
    loan_b = disbursed_loan(app, hong_son, money.other_person_id, 6 * MILLION, dt.date(2025, 2, 15), term=6)
    repay(app, loan_a, MILLION, dt.date(2025, 3, 1))
    repay(app, loan_a, MILLION, dt.date(2025, 4, 1))
    repay(app, loan_b, MILLION, dt.date(2025, 3, 15))
    with app.app_context():
        journal.write_off(db.session.get(Loan, loan_b), dt.date(2025, 10, 1), "Chuyển đi", user_id("chair"))
        casework.change_status(
            db.session.get(Person, money.other_person_id),
            "moved",
            dt.date(2025, 9, 15),
            "lý do",
            user_id("chair"),
        )
        db.session.commit()
    visit(app, money.person_id, dt.date(2025, 2, 20), dt.date(2025, 5, 2))

    tan_ha, person, donor = new_fund(app, "xã Tân Hà")
    donate(app, tan_ha, donor, 10 * MILLION, dt.date(2025, 3, 1))
    donate(app, tan_ha, donor, 5 * MILLION, dt.date(2025, 8, 1))
    first = disbursed_loan(app, tan_ha, person, 3 * MILLION, dt.date(2025, 6, 1), term=3)
    for month in (7, 8, 9):
        repay(app, first, MILLION, dt.date(2025, month, 1))
    second = disbursed_loan(app, tan_ha, person, 4 * MILLION, dt.date(2025, 11, 1), term=4)
    repay(app, second, MILLION, dt.date(2025, 12, 1))
    visit(app, person, dt.date(2025, 3, 20), dt.date(2025, 7, 1), dt.date(2025, 10, 1))
    with app.app_context():
        casework.change_status(
            db.session.get(Person, person), "settled", dt.date(2025, 12, 10), "lý do", user_id(f"c_{tan_ha}")
        )
        db.session.commit()

    # another province's fund: nothing of it may show
    donate(app, seed.other_fund_id, money.foreign_donor_id, 7_700_000, dt.date(2025, 2, 1))
    visit(app, money.foreign_person_id, dt.date(2025, 3, 1))
    return hong_son, tan_ha


def reviews(app, fund_ids, start: dt.date, end: dt.date):
    """The province's review and each fund's own, in the default locale."""
    with app.test_request_context("/"):
        period = reviewing.make_range(start, end)
        whole = reviewing.review_figures(province.province_funds(PROVINCE), period, TODAY)
        own = {fund_id: reviewing.review_figures(fund_id, period, TODAY) for fund_id in fund_ids}
        agings = {fund_id: reports.aging(fund_id, whole.as_of) for fund_id in fund_ids}
        rows = province.review_rows(province.province_funds(PROVINCE), start, whole.as_of)
        return whole, own, agings, rows


@pytest.mark.parametrize(("start", "end"), RANGES)
def test_the_province_review_is_the_sum_of_its_funds_reviews(app, funds, start, end):
    whole, own, agings, _rows = reviews(app, funds, start, end)
    summed: dict[tuple[str, str], int] = {}
    for result in own.values():
        for section, item, value in reviewing.figure_rows(result):
            if section == "raised_by_donor" or item.endswith("_percent"):
                continue
            summed[(section, item)] = summed.get((section, item), 0) + value
    found = {
        (section, item): value
        for section, item, value in reviewing.figure_rows(whole)
        if section != "raised_by_donor" and not item.endswith("_percent")
    }
    assert found == summed
    # the ratios are of the sums, not sums of ratios
    outstanding = sum(aging.outstanding for aging in agings.values())
    assert whole.money.par30_percent == reviewing.percent(
        sum(aging.at_risk_30 for aging in agings.values()), outstanding
    )
    assert whole.money.arrears_rate_percent == reviewing.percent(
        sum(aging.overdue_amount for aging in agings.values()), outstanding
    )
    assert sum(donor.amount for donor in whole.money.donors) == whole.money.raised


def test_the_two_funds_differ_and_the_year_reads_as_worked_out_by_hand(app, funds):
    """Hồng Sơn gave 30 M, lent 18 M, got 3 M back, wrote off 5 M; Tân Hà gave 15 M, lent 7 M, got
    4 M back. Nghệ An's 7,7 M is nowhere."""
    whole, own, _agings, rows = reviews(app, funds, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    hong_son, tan_ha = (own[fund_id].money for fund_id in funds)
    assert (hong_son.raised, hong_son.lent_amount, hong_son.recovered, hong_son.written_off) == (
        30 * MILLION,
        18 * MILLION,
        3 * MILLION,
        5 * MILLION,
    )
    assert (tan_ha.raised, tan_ha.lent_amount, tan_ha.recovered, tan_ha.written_off) == (
        15 * MILLION,
        7 * MILLION,
        4 * MILLION,
        0,
    )
    assert whole.money.raised == 45 * MILLION and whole.money.lent_count == 4
    assert whole.people.by_status["settled"] == 1 and whole.people.by_status["moved"] == 1
    assert whole.visits.made == 5
    assert [row.commune for row in rows] == ["xã Hồng Sơn", "xã Tân Hà"]


@pytest.mark.parametrize(("start", "end"), RANGES)
def test_each_funds_row_is_its_own_review(app, funds, start, end):
    whole, own, agings, rows = reviews(app, funds, start, end)
    assert {row.fund_id for row in rows} == set(funds)
    for row in rows:
        result, aging = own[row.fund_id], agings[row.fund_id]
        assert (
            row.people,
            row.supported,
            row.raised,
            row.lent,
            row.recovered,
            row.written_off,
            row.outstanding,
            row.overdue,
            row.at_risk,
            row.par30_percent,
            row.visits,
        ) == (
            result.people.total,
            result.people.by_status["supported"],
            result.money.raised,
            result.money.lent_amount,
            result.money.recovered,
            result.money.written_off,
            result.money.outstanding,
            result.money.overdue,
            aging.at_risk_30,
            result.money.par30_percent,
            result.visits.made,
        )
    total = province.review_total(rows)
    assert (total.raised, total.outstanding, total.par30_percent, total.visits) == (
        whole.money.raised,
        whole.money.outstanding,
        whole.money.par30_percent,
        whole.visits.made,
    )


def screen_figures(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([^"]+)">([^<]*)<', page))


def fund_cells(page: str, fund: str) -> dict[str, str]:
    row = re.search(rf'<tr[^>]*data-fund="{fund}">(.*?)</tr>', page, re.S)
    assert row, fund
    return dict(re.findall(r'data-column="([^"]+)">([^<]*)<', row[1]))


def test_the_page_prints_the_sums_under_the_provinces_header(app, funds):
    hong_son, tan_ha = funds
    whole, own, _agings, _rows = reviews(app, funds, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    response = regional(app).get("/province/review?from=2025-01-01&to=2025-12-31")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "ỦY BAN MTTQ VIỆT NAM TỈNH\u00a0LÂM\u00a0ĐỒNG" in page and "BAN CHỈ ĐẠO TỈNH" in page
    assert "Lâm Đồng, ngày 05 tháng 02 năm 2026" in page
    assert "TỪ NGÀY 01/01/2025 ĐẾN NGÀY 31/12/2025" in page and "TM. BAN CHỈ ĐẠO" in page
    figures = screen_figures(page)
    assert figures["money.raised"] == "45.000.000 ₫"
    assert figures["money.outstanding_end"] == format_money(whole.money.outstanding)
    assert figures["people.total_end"] == format_number(whole.people.total)
    assert figures["visits.made"] == "5"
    assert "data-donor" not in page and "Nhà hảo tâm xã Tân Hà" not in page  # no list of donors
    # the balance's two parts sit under it, indented, as on the fund's own review
    assert "<td>&nbsp;&nbsp;– trong đó tiền mặt</td>" in page
    assert fund_cells(page, str(hong_son))["raised"] == "30.000.000 ₫"
    assert fund_cells(page, str(tan_ha))["written_off"] == "0 ₫"
    assert fund_cells(page, str(tan_ha))["visits"] == "3"
    assert fund_cells(page, "total")["lent"] == "25.000.000 ₫"
    # PAR30 in words, the same ratio as the fund's own review prints it
    assert "Dư nợ quá hạn trên 30 ngày" in page
    assert fund_cells(page, str(hong_son))["par30"] == reviewing.percent_text(
        own[hong_son].money.par30_percent
    )
    # no name of a person helped, nothing of Nghệ An
    for name in ("Nguyễn Văn An", "Lê Thị Bích", "Người ở xã Tân Hà", "xã Khác", "7.700.000 ₫"):
        assert name not in page


def test_a_wrong_range_says_what_to_type(app, funds):
    browser = regional(app)
    response = browser.get("/province/review?from=2025-12-31&to=2025-01-01")
    assert response.status_code == 400
    assert "Ngày đầu phải trước hoặc trùng ngày cuối" in response.get_data(as_text=True)
    assert browser.client.get("/province/review?from=2025-13-01&to=2025-12-31&format=docx").status_code == 400
    # without dates: the last complete half year, as the fund review
    page = browser.get("/province/review").get_data(as_text=True)
    assert "BÁO CÁO SƠ KẾT 6 THÁNG CUỐI NĂM 2025" in page


def test_the_word_file_is_the_same_document(app, funds):
    hong_son, _tan_ha = funds
    response = regional(app).client.get("/province/review?from=2025-01-01&to=2025-12-31&format=docx")
    assert response.status_code == 200
    assert (
        'filename="tong-ket-2025-01-01-2025-12-31-tinh-lam-dong.docx"'
        in response.headers["Content-Disposition"]
    )
    document = docx.Document(io.BytesIO(response.get_data()))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "TỪ NGÀY 01/01/2025 ĐẾN NGÀY 31/12/2025" in text
    assert "BAN CHỈ ĐẠO TỈNH" in cells[0] and "Phụ lục: Số liệu từng quỹ" in text
    assert "45.000.000 ₫" in cells
    funds_table = document.tables[-1]  # the appendix, after the signature
    assert "TM. BAN CHỈ ĐẠO" in document.tables[-2].rows[0].cells[1].text
    assert document.sections[-1].page_width > document.sections[-1].page_height  # landscape
    assert [cell.text for cell in funds_table.rows[1].cells][:3] == ["xã Hồng Sơn", "2", "30.000.000 ₫"]
    assert [cell.text for cell in funds_table.rows[-1].cells][:4] == [
        "Tổng cộng",
        "3",
        "45.000.000 ₫",
        "25.000.000 ₫",
    ]


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_province_table_in_excel_is_its_csv(app, funds):
    hong_son, tan_ha = funds
    browser = regional(app)
    page = browser.get("/province").get_data(as_text=True)
    assert 'href="/province?format=xlsx' in page and 'href="/province?format=csv' in page
    header, *lines = read_csv(browser.get("/province?format=csv"))
    assert header == list(sheets.PROVINCE.codes)
    assert header[:3] == ["fund_id", "commune", "fund_name"]
    by_fund = {int(line[0]): dict(zip(header, line, strict=True)) for line in lines}
    assert set(by_fund) == {hong_son, tan_ha}  # not Nghệ An's
    response = browser.client.get("/province?format=xlsx")
    assert 'filename="tinh-lam-dong.xlsx"' in response.headers["Content-Disposition"]
    table = read_table(response, sheets.PROVINCE)
    assert table.title[:2] == ["Tỉnh Lâm Đồng", "Các quỹ trong tỉnh"]
    assert table.headings[:3] == ["Xã, phường", "Quỹ", "Tồn quỹ"]
    assert len(table.rows) == 2
    for row, cells in zip(table.rows, table.cells, strict=True):
        line = next(line for line in by_fund.values() if line["commune"] == row["commune"])
        for code, value in row.items():
            if code in ("commune", "fund_name"):
                assert value == line[code]
            elif code == "par30":
                assert value == pytest.approx(float(line[code])) if line[code] else value is None
            else:
                assert value == int(line[code]), code
        assert cells["cash"].number_format == "#,##0" and cells["par30"].number_format == "0.0%"
    # Tân Hà: 15 M given, 7 M lent, 4 M back: 12 M cash, 3 M owed
    tan_ha_row = next(row for row in table.rows if row["commune"] == "xã Tân Hà")
    assert (tan_ha_row["cash"], tan_ha_row["outstanding"], tan_ha_row["donated"]) == (
        12 * MILLION,
        3 * MILLION,
        15 * MILLION,
    )
    assert table.totals["commune"] == "Tổng cộng (2 quỹ)"
    assert table.totals["donated"] == sum(int(line["donated"]) for line in by_fund.values()) == 45 * MILLION
    assert table.totals["par30"] is None  # a ratio is not summed


def test_nobody_from_a_fund_sees_the_province(app, funds, as_role):
    for role in ("chair", "treasurer", "member", "viewer"):
        user = as_role(role)
        for url in ("/province/review", "/province?format=xlsx", "/province?format=csv"):
            assert user.get(url).status_code == 403, (role, url)
    anonymous = Browser(app.test_client())
    assert anonymous.get("/province/review").status_code == 302


def test_another_provinces_login_sees_only_its_own(app, funds, seed):
    nghe_an = regional(app, "Nghệ An", "bcd_nghe_an")
    page = nghe_an.get("/province/review?from=2025-01-01&to=2025-12-31").get_data(as_text=True)
    assert screen_figures(page)["money.raised"] == "7.700.000 ₫"
    assert "xã Hồng Sơn" not in page and "xã Tân Hà" not in page
    assert nghe_an.get(f"/province/funds/{seed.fund_id}").status_code == 404
    _header, *lines = read_csv(nghe_an.get("/province?format=csv"))
    assert [int(line[0]) for line in lines] == [seed.other_fund_id]


def test_the_query_count_does_not_grow_with_the_number_of_funds(app, funds, count_queries):
    # every figure computed each time, as the first view after a write finds it
    app.config["FIGURES_CACHE"] = "off"
    browser = regional(app)
    urls = ("/province/review?from=2025-01-01&to=2025-12-31", "/province?format=xlsx")
    before = {url: count_queries(lambda url=url: browser.client.get(url)) for url in urls}
    for commune in ("xã Một", "xã Hai", "xã Ba"):
        fund_id, person, donor = new_fund(app, commune)
        donate(app, fund_id, donor, 2 * MILLION, dt.date(2025, 4, 1))
        loan = disbursed_loan(app, fund_id, person, MILLION, dt.date(2025, 5, 1), term=2)
        repay(app, loan, 500_000, dt.date(2025, 6, 1))
        visit(app, person, dt.date(2025, 6, 2))
    after = {url: count_queries(lambda url=url: browser.client.get(url)) for url in urls}
    assert after == before


def test_a_city_is_a_city_in_the_header():
    assert province.province_words("Lâm Đồng") == "TỈNH\u00a0LÂM\u00a0ĐỒNG"
    assert province.province_words("Hà Nội") == "THÀNH\u00a0PHỐ\u00a0HÀ\u00a0NỘI"
    assert province.province_words("Thành phố Hồ Chí Minh") == "THÀNH\u00a0PHỐ\u00a0HỒ\u00a0CHÍ\u00a0MINH"
