"""The public accounts (công khai tài chính): one A4 sheet per half year for the hamlet's notice
board and the donors. Its money is the review's, it adds up, it names the donors who agreed to be
named and no borrower, and a count of one or two loans does not print. The history is
tests/test_review.py's (today 05/02/2026)."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests import test_review
from tests.conftest import Browser, full_page
from tests.factories import add_person, disbursed_loan
from tests.test_review import MILLION, figures_of, set_person
from tracker.extensions import db
from tracker.formatting import format_money
from tracker.models import Donor, Person

today = test_review.today
history = test_review.history

BORROWERS = ("Nguyễn Văn An", "Lê Thị Bích", "Trần Văn Cường", "Lê Văn Dũng", "Đỗ Văn Em", "Hoàng Văn Phúc")
PLACES = ("Thôn Đông", "Thôn Tây", "Thôn Bắc")


def sheet_of(page: str) -> str:
    return re.search(r'<article class="report public-accounts".*?</article>', page, re.S).group(0)


def public_figures(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-public="([^"]+)">([^<]*)<', page))


def money_value(text: str) -> int:
    return int(re.sub(r"[^\d-]", "", text))


@pytest.mark.parametrize("period", ["2025-H1", "2025-H2", "2025"])
def test_the_sheet_is_the_reviews_money_and_adds_up(app, history, as_role, period):
    page = full_page(as_role("chair").get(f"/reports/public?period={period}"))
    shown = public_figures(page)
    review = figures_of(app, history.fund_id, period)
    for key, item in [
        ("cash_start", "cash_start"),
        ("raised", "raised"),
        ("recovered", "recovered"),
        ("back_after_write_off", "back_after_write_off"),
        ("lent", "lent_amount"),
        ("cash_end", "cash_end"),
        ("outstanding", "outstanding_end"),
    ]:
        assert shown[key] == format_money(review[("money", item)]), key
    money_in = money_value(shown["money_in"])
    assert money_in == sum(money_value(shown[key]) for key in ("raised", "recovered", "back_after_write_off"))
    money_out = money_value(shown["money_out"])
    assert money_out == sum(money_value(shown[key]) for key in ("lent", "grants", "costs"))
    assert money_value(shown["cash_end"]) == money_value(shown["cash_start"]) + money_in - money_out


def test_the_first_half_of_2025(history, as_role):
    page = full_page(as_role("viewer").get("/reports/public?period=2025-H1"))
    assert "CÔNG KHAI TÀI CHÍNH 6 THÁNG ĐẦU NĂM 2025" in page
    assert "ỦY BAN MTTQ VIỆT NAM" in page and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
    assert "/BC-" not in page  # a notice, not a numbered report
    shown = public_figures(page)
    assert (shown["cash_start"], shown["raised"], shown["cash_end"]) == (
        "0 ₫",
        "53.000.000 ₫",
        "39.000.000 ₫",
    )
    sheet = sheet_of(page)
    # the donors who agreed to be named, and the others together on one line
    donors = re.findall(r"<tr><td data-(donor|anonymous)>([^<]*)</td><td class=\"num\">([^<]*)</td>", sheet)
    assert donors == [
        ("donor", "Công ty TNHH Hồng Phát", "50.000.000 ₫"),
        ("anonymous", "Các nhà hảo tâm giấu tên", "3.000.000 ₫"),
    ]
    assert "Giấu Tên" not in page  # the anonymous donors' own names
    assert "Doanh nghiệp Xa" not in page  # another fund's donor


def test_no_borrower_can_be_told_from_the_sheet(app, history, as_role):
    # Consent to be named in a donor's letter is not consent to the notice board.
    set_person(app, history.people["An"], named_to_donors=True)
    chair = as_role("chair")
    # (loans lent, loans owed at the end) as printed: two lent in the first half and both owed at
    # its end, one lent in the second half, three in the year and only An's owed at its end
    counts = {
        "2025-H1": ["dưới 3 khoản vay", "dưới 3 khoản vay"],
        "2025-H2": ["dưới 3 khoản vay", "dưới 3 khoản vay"],
        "2025": ["3 khoản vay", "dưới 3 khoản vay"],
    }
    for period, expected in counts.items():
        page = full_page(chair.get(f"/reports/public?period={period}"))
        sheet = sheet_of(page)
        for words in (*BORROWERS, *PLACES, "/loans/", "Khoản vay #"):
            assert words not in page, (period, words)
        assert re.findall(r"\(([^()]*khoản vay)\)", sheet) == expected, period
        # a fixed number of rows: money lines (the balance as cash and bank) and the donors, never a
        # row per loan
        donor_rows = len(re.findall(r"data-(?:donor|anonymous)>", sheet)) or 1
        assert len(re.findall(r"<tr", sheet)) == (1 + 11 + 2) + (1 + donor_rows + 1)  # 2: cash, bank


def test_three_loans_or_more_are_counted(app, history, seed, as_role):
    fund = history.fund_id
    for name in ("Phan Văn Một", "Phan Văn Hai", "Phan Văn Ba"):
        with app.app_context():
            person = add_person(fund, name, seed.member_cm_id)
            db.session.commit()
        disbursed_loan(app, fund, person, MILLION, dt.date(2026, 1, 10), term=6)
    page = full_page(as_role("chair").get("/reports/public?period=2026-H1"))
    sheet = sheet_of(page)
    assert re.search(r"– Cho vay\s*\(3 khoản vay\)", sheet)
    # owed at the date: An's loan and the three new ones (Bích's was written off, Cường's repaid)
    assert re.search(r"Dư nợ cho vay cuối kỳ\s*\(4 khoản vay\)", sheet)
    money_table = re.search(r'<table class="report-table public-table">.*?</table>', sheet, re.S).group(0)
    assert "dưới 3" not in money_table
    assert "Phan Văn" not in page
    assert 'id="not-over"' in page  # the half year is not over on 05/02/2026


def test_the_default_is_the_last_finished_half_year(history, as_role):
    page = full_page(as_role("chair").get("/reports/public"))
    assert "CÔNG KHAI TÀI CHÍNH 6 THÁNG CUỐI NĂM 2025" in page
    assert 'id="not-over"' not in page


@pytest.mark.parametrize("period", ["2025-H3", "nửa năm", "1999", "2025-01-01..2025-06-30"])
def test_a_bad_period_is_refused(history, as_role, period):
    response = as_role("chair").get(f"/reports/public?period={period}")
    assert response.status_code == 400
    page = full_page(response)
    assert re.search(r'<p class="field-error" id="period-error">Nhập (kỳ báo cáo|năm)', page)
    assert 'id="public-accounts"' not in page


@pytest.mark.parametrize(
    "role, expected", [("chair", 200), ("viewer", 200), ("treasurer", 200), ("member", 403)]
)
def test_who_sees_the_sheet_and_its_link(history, as_role, role, expected):
    user = as_role(role)
    assert user.get("/reports/public?period=2025").status_code == expected
    if role != "member":
        listed = 'href="/reports/public"' in full_page(user.get("/reports"))
        assert listed == (expected == 200)


def test_the_demo_fund_names_no_borrower(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    chair = Browser(app.test_client())
    assert chair.login("chair", "hongson-demo").status_code == 302
    with app.app_context():
        people = db.session.scalars(sa.select(Person.full_name)).all()
        hidden = db.session.scalars(sa.select(Donor.name).where(Donor.anonymous.is_(True))).all()
    assert people
    today = dt.date.today()
    sheets = []
    for year in range(today.year - 3, today.year + 1):
        for half in (1, 2):
            response = chair.get(f"/reports/public?period={year}-H{half}")
            assert response.status_code == 200
            sheets.append(full_page(response))
    assert any("Các nhà hảo tâm giấu tên" in sheet or "data-donor" in sheet for sheet in sheets)
    for sheet in sheets:
        for name in (*people, *hidden):
            assert name not in sheet


def test_the_sheet_needs_a_login(app, seed):
    response = app.test_client().get("/reports/public")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
