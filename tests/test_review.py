"""The six-monthly and year-end review (sơ kết, tổng kết): figures, screen, CSV and XLSX, the
chair's "what to do next" list, periods and permissions.

One history is built in 2025 (money, people, status changes, visits) with "today" fixed at
05/02/2026, and the review of 2025-H1, 2025-H2 and the year 2025 is checked against answers
worked out by hand.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import full_page
from tests.factories import add_donor, add_person, disbursed_loan, donate, repay, user_id
from tests.xlsx import read_table
from tracker import casework, clock, labels
from tracker.extensions import db
from tracker.models import Donation, Donor, Loan, Person, Repayment, ReviewNote
from tracker.money import journal
from tracker.queries import reports
from tracker.queries import review as reviewing
from tracker.web import sheets

TODAY = dt.date(2026, 2, 5)
MILLION = 1_000_000


class Clock:
    """clock.today, movable: reversals are dated 'today', so the history sets the day it happens."""

    def __init__(self, day: dt.date):
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


@pytest.fixture
def today(monkeypatch):
    fake = Clock(TODAY)
    monkeypatch.setattr(clock, "today", fake)
    return fake


@dataclass
class History:
    fund_id: int
    loan_a: int
    loan_b: int
    loan_c: int
    people: dict[str, int]


def set_person(app, person_id: int, **fields) -> None:
    with app.app_context():
        person = db.session.get(Person, person_id)
        for name, value in fields.items():
            setattr(person, name, value)
        db.session.commit()


def visit(app, person_id: int, *days: dt.date) -> None:
    with app.app_context():
        person = db.session.get(Person, person_id)
        for day in days:
            casework.log_visit(person, mentor_id=person.mentor_id, visited_on=day, kind="home")
        db.session.commit()


def change_status(app, person_id: int, status: str, on: dt.date) -> None:
    with app.app_context():
        casework.change_status(db.session.get(Person, person_id), status, on, "lý do", user_id("chair"))
        db.session.commit()


def anonymous_donor(app, fund_id: int, name: str) -> int:
    with app.app_context():
        donor = db.session.get(Donor, add_donor(fund_id, name, kind="individual"))
        donor.anonymous = True
        db.session.commit()
        return donor.id


@pytest.fixture
def history(app, seed, money, today) -> History:
    fund = seed.fund_id
    with app.app_context():
        people = {
            "An": money.person_id,  # Thôn Đông, no consent to be named
            "Bích": money.other_person_id,  # Thôn Tây
            "Cường": add_person(fund, "Trần Văn Cường", seed.member_cm_id, "Thôn Bắc"),
            "Dũng": add_person(fund, "Lê Văn Dũng", seed.member_cm_id),
            "Em": add_person(fund, "Đỗ Văn Em", seed.member_cm_id),
            "Phúc": add_person(fund, "Hoàng Văn Phúc", seed.member_cm_id),
        }
        hoa = add_donor(fund, "Bà Trần Thị Hoa", kind="individual")
        women = add_donor(fund, "Hội Phụ nữ xã", kind="organisation")
        db.session.commit()
    set_person(app, people["Cường"], consent_recorded_on=dt.date(2025, 3, 1), visit_interval_days=60)
    set_person(app, people["Dũng"], consent_recorded_on=dt.date(2025, 8, 1))
    set_person(app, people["Em"], consent_recorded_on=dt.date(2024, 6, 1))
    set_person(app, people["Phúc"], consent_recorded_on=dt.date(2025, 2, 1))
    first_anonymous = anonymous_donor(app, fund, "Ông Giấu Tên Một")
    second_anonymous = anonymous_donor(app, fund, "Bà Giấu Tên Hai")

    # ---- money, first half of 2025
    donate(app, fund, money.donor_id, 30 * MILLION, dt.date(2025, 1, 10))
    donate(app, fund, first_anonymous, 1 * MILLION, dt.date(2025, 1, 15))
    loan_a = disbursed_loan(app, fund, people["An"], 12 * MILLION, dt.date(2025, 2, 1), term=12)
    loan_b = disbursed_loan(app, fund, people["Bích"], 6 * MILLION, dt.date(2025, 2, 15), term=6)
    repay(app, loan_a, MILLION, dt.date(2025, 3, 1))
    donate(app, fund, second_anonymous, 2 * MILLION, dt.date(2025, 3, 3))
    repay(app, loan_b, MILLION, dt.date(2025, 3, 15))
    repay(app, loan_a, MILLION, dt.date(2025, 4, 1))
    wrong = repay(app, loan_a, MILLION, dt.date(2025, 5, 1))
    donate(app, fund, money.donor_id, 20 * MILLION, dt.date(2025, 5, 20))
    twice = donate(app, fund, hoa, 5 * MILLION, dt.date(2025, 6, 1))
    repay(app, loan_a, MILLION, dt.date(2025, 6, 5))
    with app.app_context():
        today.day = dt.date(2025, 5, 10)
        journal.reverse_repayment(db.session.get(Repayment, wrong), "Ghi nhầm", user_id("treasurer"))
        today.day = dt.date(2025, 6, 10)
        journal.reverse_donation(db.session.get(Donation, twice), "Ghi trùng", user_id("treasurer"))
        db.session.commit()
    # ---- money, second half of 2025
    loan_c = disbursed_loan(app, fund, people["Cường"], 2 * MILLION, dt.date(2025, 7, 1), term=2)
    repay(app, loan_c, MILLION, dt.date(2025, 8, 1))
    repay(app, loan_a, MILLION, dt.date(2025, 9, 1))
    donate(app, fund, women, 4 * MILLION, dt.date(2025, 9, 20))
    with app.app_context():
        today.day = dt.date(2025, 10, 1)
        journal.write_off(db.session.get(Loan, loan_b), dt.date(2025, 10, 1), "Chuyển đi", user_id("chair"))
        db.session.commit()
    repay(app, loan_c, MILLION, dt.date(2025, 11, 20))
    # ---- another fund's money and people must show nowhere
    donate(app, seed.other_fund_id, money.foreign_donor_id, 7 * MILLION, dt.date(2025, 2, 1))
    visit(app, money.foreign_person_id, dt.date(2025, 3, 1))

    # ---- people and visits
    visit(app, people["An"], *(dt.date(2025, m, d) for m, d in ((1, 20), (2, 20), (3, 25), (5, 2), (8, 10))))
    visit(app, people["Bích"], dt.date(2025, 2, 10), dt.date(2025, 7, 15))
    visit(app, people["Cường"], dt.date(2025, 3, 10), dt.date(2025, 6, 20), dt.date(2025, 12, 20))
    visit(app, people["Dũng"], dt.date(2025, 12, 1))
    visit(app, people["Em"], dt.date(2025, 2, 1))
    change_status(app, people["Em"], "settled", dt.date(2025, 4, 10))
    change_status(app, people["Bích"], "moved", dt.date(2025, 9, 15))
    change_status(app, people["Phúc"], "paused", dt.date(2025, 11, 5))
    today.day = TODAY
    return History(fund, loan_a, loan_b, loan_c, people)


# ------------------------------------------------------------------ helpers


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


def csv_figures(user, period: str) -> dict[tuple[str, str], str]:
    response = user.client.get(f"/reports/review?period={period}&format=csv")
    assert response.status_code == 200
    header, *rows = read_csv(response)
    assert header == ["section", "item", "value"]
    # the figures; section IV's list (next_steps) follows them, see the notes' test
    return {(section, item): value for section, item, value in rows if section != "next_steps"}


def csv_rows_of(user, period: str) -> list[tuple[str, str]]:
    """(section, item) of every row of the CSV, section IV's list included."""
    _header, *rows = read_csv(user.client.get(f"/reports/review?period={period}&format=csv"))
    return [(section, item) for section, item, _value in rows]


def figures_of(app, fund_id: int, period: str) -> dict[tuple[str, str], object]:
    with app.test_request_context("/"):  # in the default locale, like the CSV the chair downloads
        result = reviewing.review_figures(fund_id, reviewing.parse_period(period, TODAY), TODAY)
        return {(section, item): value for section, item, value in reviewing.figure_rows(result)}


def screen_figures(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([^"]+)">([^<]*)<', page))


def screen_number(text: str) -> Decimal:
    """'39.000.000 ₫' -> 39000000; '35,7%' -> 35.7; '8' -> 8."""
    return Decimal(re.sub(r"[^\d,-]", "", text).replace(",", "."))


def screen_donors(page: str) -> list[tuple[str, int]]:
    return [
        (name, int(screen_number(amount)))
        for name, amount in re.findall(
            r'<span data-donor>([^<]*)</span></td>\s*<td class="num" data-figure="raised_by_donor">([^<]*)<',
            page,
        )
    ]


# ------------------------------------------------------------------ figures with known answers


H1_2025 = {
    ("money", "raised"): 53 * MILLION,  # 30 + 1 + 2 + 20, and Hoa's 5 given back in the period
    ("money", "lent_count"): 2,
    ("money", "lent_amount"): 18 * MILLION,
    ("money", "recovered"): 4 * MILLION,  # A 1+1+1−1+1, B 1
    ("money", "written_off"): 0,
    ("money", "outstanding_end"): 14 * MILLION,  # A 12−3, B 6−1
    ("money", "overdue_end"): 4 * MILLION,  # A 1 (due 01/06, 29 days), B 3 (since 15/04, 76 days)
    ("money", "loans_over_30_days"): 1,
    ("money", "overdue_over_30_days"): 3 * MILLION,
    ("money", "par30_percent"): Decimal("35.7"),  # 5 / 14
    ("money", "arrears_rate_percent"): Decimal("28.6"),  # 4 / 14
    ("money", "cash_start"): 0,
    ("money", "cash_end"): 39 * MILLION,  # 53 − 18 + 4
    ("people", "total_end"): 5,  # Dũng's file opens in August
    ("people_by_status", "supported"): 4,
    ("people_by_status", "settled"): 1,
    ("people_by_status", "paused"): 0,
    ("people_by_status", "moved"): 0,
    ("people_by_status", "deceased"): 0,
    ("people", "new"): 4,  # Em's file opened in 2024
    ("status_changes", "supported"): 0,
    ("status_changes", "settled"): 1,
    ("status_changes", "paused"): 0,
    ("status_changes", "moved"): 0,
    ("status_changes", "deceased"): 0,
    ("visits", "made"): 8,
    ("visits", "people_visited"): 4,
    # An 180 days // 30 = 6, Bích 6, Cường 122 // 60 = 2, Phúc 150 // 30 = 5, Em 99 // 30 = 3
    ("visits", "due_estimate"): 22,
    # An (due 01/06), Bích (due 12/03), Phúc (never visited); Cường is due 19/08, Em settled
    ("visits", "people_overdue_end"): 3,
}

YEAR_2025 = {
    ("money", "raised"): 57 * MILLION,
    ("money", "lent_count"): 3,
    ("money", "lent_amount"): 20 * MILLION,
    ("money", "recovered"): 7 * MILLION,
    ("money", "written_off"): 5 * MILLION,
    ("money", "outstanding_end"): 8 * MILLION,  # A 12 − 4; B written off, C repaid
    ("money", "overdue_end"): 6 * MILLION,  # A: 10 due by 01/12, 4 repaid; oldest unpaid 01/07
    ("money", "loans_over_30_days"): 1,
    ("money", "overdue_over_30_days"): 6 * MILLION,
    ("money", "par30_percent"): Decimal("100.0"),
    ("money", "arrears_rate_percent"): Decimal("75.0"),
    ("money", "cash_start"): 0,
    ("money", "cash_end"): 44 * MILLION,  # 57 − 20 + 7
    ("people", "total_end"): 6,
    ("people_by_status", "supported"): 3,
    ("people_by_status", "settled"): 1,
    ("people_by_status", "paused"): 1,
    ("people_by_status", "moved"): 1,
    ("people_by_status", "deceased"): 0,
    ("people", "new"): 5,
    ("status_changes", "supported"): 0,
    ("status_changes", "settled"): 1,
    ("status_changes", "paused"): 1,
    ("status_changes", "moved"): 1,
    ("status_changes", "deceased"): 0,
    ("visits", "made"): 12,
    ("visits", "people_visited"): 5,
    # An 364 // 30 = 12, Bích 256 // 30 = 8, Cường 306 // 60 = 5, Dũng 153 // 30 = 5, Em 3,
    # Phúc 277 // 30 = 9
    ("visits", "due_estimate"): 42,
    # An (due 09/09); Dũng is due on 31/12 itself, so not yet late
    ("visits", "people_overdue_end"): 1,
}


@pytest.mark.parametrize(
    "period, expected, donors",
    [
        (
            "2025-H1",
            H1_2025,
            [("Công ty TNHH Hồng Phát", 50 * MILLION), ("Các nhà hảo tâm giấu tên", 3 * MILLION)],
        ),
        (
            "2025",
            YEAR_2025,
            [
                ("Công ty TNHH Hồng Phát", 50 * MILLION),
                ("Hội Phụ nữ xã", 4 * MILLION),
                ("Các nhà hảo tâm giấu tên", 3 * MILLION),
            ],
        ),
    ],
)
def test_figures_of_a_half_year_and_a_year(app, history, period, expected, donors):
    figures = figures_of(app, history.fund_id, period)
    assert {key: figures[key] for key in expected} == expected
    assert [
        (item, value) for (section, item), value in figures.items() if section == "raised_by_donor"
    ] == donors
    # Hoa's donation was given back within the period: no line for her.
    assert all("Hoa" not in item for _section, item in figures)
    assert sum(amount for _name, amount in donors) == expected[("money", "raised")]


def test_second_half_and_the_year_add_up(app, history):
    first, second, year = (figures_of(app, history.fund_id, p) for p in ("2025-H1", "2025-H2", "2025"))
    assert second[("money", "raised")] == 4 * MILLION
    assert (second[("money", "lent_count")], second[("money", "lent_amount")]) == (1, 2 * MILLION)
    assert (second[("money", "recovered")], second[("money", "written_off")]) == (3 * MILLION, 5 * MILLION)
    assert second[("money", "cash_start")] == first[("money", "cash_end")] == 39 * MILLION
    assert second[("money", "cash_end")] == year[("money", "cash_end")]
    assert (second[("visits", "made")], second[("visits", "due_estimate")]) == (4, 20)
    assert (second[("people", "new")], second[("status_changes", "moved")]) == (1, 1)
    for item in ("raised", "lent_count", "lent_amount", "recovered", "written_off"):
        assert first[("money", item)] + second[("money", item)] == year[("money", item)]
    for key in (("visits", "made"), ("visits", "due_estimate"), ("people", "new")):
        assert first[key] + second[key] == year[key]


def test_money_figures_match_the_journal_and_the_other_reports(app, history, as_role):
    chair = as_role("chair")
    figures = csv_figures(chair, "2025")
    cashbook = list(
        csv.DictReader(
            io.StringIO(
                chair.client.get("/reports/cashbook?format=csv&from=2025-01-01&to=2025-12-31")
                .get_data()
                .decode("utf-8-sig")
            )
        )
    )
    assert int(figures[("money", "cash_start")]) == int(cashbook[0]["balance"])
    assert int(figures[("money", "cash_end")]) == int(cashbook[-1]["balance"])
    donations_in_cashbook = sum(
        int(row["money_in"] or 0) - int(row["money_out"] or 0)
        for row in cashbook
        if row["kind"].startswith("donation")
    )
    assert int(figures[("money", "raised")]) == donations_in_cashbook
    outstanding = list(
        csv.DictReader(
            io.StringIO(
                chair.client.get("/reports/outstanding?format=csv&as_of=2025-12-31")
                .get_data()
                .decode("utf-8-sig")
            )
        )
    )
    assert int(figures[("money", "outstanding_end")]) == sum(int(row["outstanding"]) for row in outstanding)
    assert int(figures[("money", "overdue_end")]) == sum(int(row["overdue_amount"]) for row in outstanding)
    with app.app_context():
        recovered = -db.session.execute(
            sa.text(
                "SELECT SUM(amount) FROM journal_line WHERE fund_id = :fund AND account = 'receivable' "
                "AND event = 'repayment' AND posted_on BETWEEN '2025-01-01' AND '2025-12-31'"
            ),
            {"fund": history.fund_id},
        ).scalar()
    assert int(figures[("money", "recovered")]) == recovered == 7 * MILLION
    with app.test_request_context():
        aging = reports.aging(history.fund_id, dt.date(2025, 12, 31))
    assert int(figures[("money", "outstanding_end")]) == aging.outstanding
    assert Decimal(figures[("money", "par30_percent")]) == round(Decimal(aging.par30 * 100), 1)
    assert Decimal(figures[("money", "arrears_rate_percent")]) == round(Decimal(aging.arrears_rate * 100), 1)


def test_a_period_not_over_is_reported_up_to_today(app, history, as_role):
    figures = figures_of(app, history.fund_id, "2026")
    # Nothing happened in 2026 yet; the position is the one at the end of 2025.
    assert figures[("money", "raised")] == figures[("money", "recovered")] == 0
    assert figures[("money", "cash_start")] == figures[("money", "cash_end")] == 44 * MILLION
    # Up to today the visit queue's rule: An (due 09/09/2025) and Dũng (due 31/12/2025).
    assert figures[("visits", "people_overdue_end")] == 2
    # 1-5 February 2026 is 36 days: An 36 // 30, Cường 36 // 60, Dũng 36 // 30.
    assert figures[("visits", "due_estimate")] == 2
    page = full_page(as_role("chair").get("/reports/review?period=2026"))
    assert 'id="not-over"' in page
    assert "05/02/2026" in page


def test_a_period_not_begun_has_nothing_in_it(app, history):
    figures = figures_of(app, history.fund_id, "2027-H1")
    assert figures[("money", "raised")] == figures[("visits", "due_estimate")] == 0
    assert figures[("money", "cash_start")] == figures[("money", "cash_end")] == 44 * MILLION
    # Today's position, not a guess about 2027: all twelve of A's installments are due by 01/02/2026.
    assert figures[("money", "overdue_end")] == 8 * MILLION
    assert figures[("visits", "people_overdue_end")] == 2


def test_status_and_supported_days_of_one_person():
    history = reviewing.PersonHistory(
        opened_on=dt.date(2025, 1, 10),
        initial_status="supported",
        changes=[(dt.date(2025, 3, 1), "settled"), (dt.date(2025, 5, 1), "supported")],
        visit_interval_days=30,
    )
    assert history.status_on(dt.date(2025, 2, 28)) == "supported"
    assert history.status_on(dt.date(2025, 3, 1)) == "settled"
    assert history.status_on(dt.date(2025, 6, 1)) == "supported"
    # 10/01-28/02 is 50 days, 01/05-30/06 is 61 days.
    assert history.supported_days(dt.date(2025, 1, 1), dt.date(2025, 6, 30)) == 111
    assert history.supported_days(dt.date(2025, 3, 1), dt.date(2025, 4, 30)) == 0
    assert history.supported_days(dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == 0
    assert reviewing.visits_due([history], dt.date(2025, 1, 1), dt.date(2025, 6, 30)) == 3


# ------------------------------------------------------------------ the three renderings agree


@pytest.mark.parametrize("period", ["2025-H1", "2025"])
def test_screen_csv_and_xlsx_show_the_same_figures(app, history, as_role, period):
    chair = as_role("chair")
    from_csv = csv_figures(chair, period)
    response = chair.client.get(f"/reports/review?period={period}&format=xlsx")
    assert response.status_code == 200
    name = "so-ket-2025-H1" if period == "2025-H1" else "tong-ket-2025"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}.xlsx"'
    table = read_table(response, sheets.REVIEW)
    assert table.title[1] == (
        "BÁO CÁO SƠ KẾT 6 THÁNG ĐẦU NĂM 2025" if period == "2025-H1" else "BÁO CÁO TỔNG KẾT NĂM 2025"
    )
    rows = [(row["section"], row["item"], row["value"]) for row in table.rows]
    # The CSV's rows in the same order, each item in words (its figure's name on the page)
    csv_keys = list(csv_rows_of(chair, period))
    assert len(rows) == len(csv_keys)
    from_xlsx = {key: value for key, (_section, _item, value) in zip(csv_keys, rows, strict=True)}
    with app.test_request_context():
        assert [item for _section, item, _value in rows] == [labels.review_item(*key) for key in csv_keys]
    steps = [(item, value) for (section, item), value in from_xlsx.items() if section == "next_steps"]
    assert steps and [value for _item, value in steps] == list(range(1, len(steps) + 1))
    from_xlsx = {key: value for key, value in from_xlsx.items() if key[0] != "next_steps"}
    assert list(from_xlsx) == list(from_csv)
    percents = {("money", "par30_percent"), ("money", "arrears_rate_percent")}
    for key, value in from_xlsx.items():
        assert isinstance(value, int | float), f"{key} is a number in the spreadsheet"
        expected_value = Decimal(from_csv[key]) / 100 if key in percents else Decimal(from_csv[key])
        assert Decimal(str(value)) == expected_value, key
    # Plain integers or decimals in the CSV: no dots between thousands, no ₫, no %.
    assert all(re.fullmatch(r"-?\d+(\.\d)?", value) for value in from_csv.values())
    expected = figures_of(app, history.fund_id, period)
    assert {key: Decimal(value) for key, value in from_csv.items()} == {
        key: Decimal(value) for key, value in expected.items()
    }

    page = full_page(chair.get(f"/reports/review?period={period}"))
    on_screen = screen_figures(page)
    for (section, item), value in from_csv.items():
        if section == "raised_by_donor":
            continue
        assert screen_number(on_screen[f"{section}.{item}"]) == Decimal(value), (section, item)
    donors = [
        (item, int(value)) for (section, item), value in from_csv.items() if section == "raised_by_donor"
    ]
    assert screen_donors(page) == donors


def test_the_page_is_the_official_document(history, as_role):
    chair = as_role("chair")
    page = full_page(chair.get("/reports/review?period=2025-H1"))
    assert "BÁO CÁO SƠ KẾT 6 THÁNG ĐẦU NĂM 2025" in page
    assert "Quỹ xã Hồng Sơn" in page
    assert "Hồng Sơn, ngày 05 tháng 02 năm 2026" in page
    assert "print.css" in page
    assert page.count('class="review-signature"') == 1
    assert 'id="visits-due-note"' in page
    assert 'class="site-header no-print"' in page  # the navigation is not printed
    assert "BÁO CÁO SƠ KẾT 6 THÁNG CUỐI NĂM 2025" in full_page(chair.get("/reports/review?period=2025-H2"))
    assert "BÁO CÁO TỔNG KẾT NĂM 2025" in full_page(chair.get("/reports/review?period=2025"))


def test_no_person_is_named_anywhere_in_the_review(history, as_role):
    chair = as_role("chair")
    renderings = [
        full_page(chair.get("/reports/review?period=2025")),
        chair.client.get("/reports/review?period=2025&format=csv").get_data().decode("utf-8-sig"),
        str(read_xlsx(chair.client.get("/reports/review?period=2025&format=xlsx"))),
    ]
    for rendering in renderings:
        for name in ("Nguyễn Văn An", "Lê Thị Bích", "Trần Văn Cường", "Hoàng Văn Phúc", "Đỗ Văn Em"):
            assert name not in rendering
        assert "Giấu Tên" not in rendering  # anonymous donors are masked
        assert "Doanh nghiệp Xa" not in rendering  # another fund's donor
        assert "Công ty TNHH Hồng Phát" in rendering


def test_the_default_period_is_the_last_complete_half_year(history, as_role):
    chair = as_role("chair")
    response = chair.client.get("/reports/review?format=csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="so-ket-2025-H2.csv"'
    page = full_page(chair.get("/reports/review"))
    assert "BÁO CÁO SƠ KẾT 6 THÁNG CUỐI NĂM 2025" in page
    assert '<option value="2025-H2" selected>' in page


@pytest.mark.parametrize(
    "today_is, expected",
    [
        (dt.date(2026, 2, 5), "2025-H2"),
        (dt.date(2026, 6, 30), "2025-H2"),
        (dt.date(2026, 7, 1), "2026-H1"),
        (dt.date(2026, 12, 31), "2026-H1"),
        (dt.date(2027, 1, 1), "2026-H2"),
    ],
)
def test_default_period(today_is, expected):
    assert reviewing.default_period(today_is).key == expected


@pytest.mark.parametrize(
    "text, key, start, end",
    [
        ("2026", "2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-H1", "2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
        ("2026-H2", "2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        (" 2026-h2 ", "2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        ("2000", "2000", dt.date(2000, 1, 1), dt.date(2000, 12, 31)),
        ("2027-H2", "2027-H2", dt.date(2027, 7, 1), dt.date(2027, 12, 31)),  # next year: planning ahead
    ],
)
def test_period_parsing(app, text, key, start, end):
    with app.test_request_context():
        period = reviewing.parse_period(text, TODAY)
    assert (period.key, period.start, period.end) == (key, start, end)


BAD_PERIODS = [
    "2026-H3",
    "2026-H0",
    "abc",
    "1999",
    "2028",
    "2026-H",
    "26",
    "2026-1",
    "٢٠٢٦",
    "2026-H1x",
    "%00",
]


@pytest.mark.parametrize("period", BAD_PERIODS)
@pytest.mark.parametrize("export", ["", "&format=csv", "&format=xlsx"])
def test_bad_periods_are_refused_with_a_message(seed, as_role, today, period, export):
    response = as_role("viewer").client.get(f"/reports/review?period={period}{export}")
    assert response.status_code == 400
    page = full_page(response)
    assert "2026-H1" in page or "2000" in page  # the message says what to type instead
    if not export:
        assert 'class="field-error"' in page
        assert "<table" not in page


def test_an_empty_fund_has_an_empty_review(seed, as_role, today):
    chair = as_role("chair")
    figures = csv_figures(chair, "2025")
    assert all(value in ("0", "0.0") for value in figures.values())
    page = full_page(chair.get("/reports/review?period=2025"))
    assert "BÁO CÁO TỔNG KẾT NĂM 2025" in page


# ------------------------------------------------------------------ what to do next


def test_the_list_is_suggested_from_the_figures(history, as_role):
    chair = as_role("chair")
    chair.post("/language", {"locale": "en"})
    page = full_page(chair.get("/reports/review?period=2025-H1"))
    steps = re.search(r'<ol class="next-steps">(.*?)</ol>', page, re.S).group(1)
    assert "Press for repayment of 1 loan(s) more than 30 days overdue (3.000.000 ₫)." in steps
    assert "Visit the 3 person(s) whose visit is overdue." in steps
    assert "Visits made (8) fell short of the visits due (22)" in steps
    assert "39.000.000 ₫ is on hand" in steps
    year = full_page(chair.get("/reports/review?period=2025"))
    assert "1 person(s) whose support was paused" in year
    # A paused case is counted among the status changes, never as a task for the police: the fund
    # keeps no record of offences (DESIGN §3).
    year_steps = re.search(r'<ol class="next-steps">(.*?)</ol>', year, re.S).group(1)
    assert "police" not in year_steps and "reoffend" not in year_steps.lower()


def test_the_chair_edits_the_list_per_period(app, history, as_role):
    chair = as_role("chair")
    response = chair.post(
        "/reports/review/notes", {"period": "2025-H1", "text": "Họp tổ giúp đỡ\n- Thăm anh A"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/reports/review?period=2025-H1#next-steps")
    page = full_page(chair.get("/reports/review?period=2025-H1"))
    steps = re.search(r'<ol class="next-steps">(.*?)</ol>', page, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", steps) == ["Họp tổ giúp đỡ", "Thăm anh A"]
    # Another period keeps its own list (the suggestions).
    other = full_page(chair.get("/reports/review?period=2025"))
    assert "Họp tổ giúp đỡ" not in other
    # Saving again updates the same row; the viewer sees the list as saved.
    chair.post("/reports/review/notes", {"period": "2025-H1", "text": "Một việc"})
    with app.app_context():
        notes = db.session.scalars(sa.select(ReviewNote)).all()
        assert [(n.period, n.text, n.updated_by_id) for n in notes] == [
            ("2025-H1", "Một việc", user_id("chair"))
        ]
        actions = db.session.execute(
            sa.text("SELECT action FROM audit_event WHERE action = 'review.notes'")
        ).all()
        assert len(actions) == 2
    assert "<li>Một việc</li>" in full_page(as_role("viewer").get("/reports/review?period=2025-H1"))
    # The export carries the list as saved: one row per item, its text and its place.
    chair.post("/reports/review/notes", {"period": "2025-H1", "text": "Một việc\n- Việc thứ hai"})
    exported = chair.client.get("/reports/review?period=2025-H1&format=csv").get_data().decode("utf-8-sig")
    assert exported.splitlines()[-2:] == ["next_steps,Một việc,1", "next_steps,Việc thứ hai,2"]
    workbook = str(read_xlsx(chair.client.get("/reports/review?period=2025-H1&format=xlsx")))
    assert "Việc thứ hai" in workbook
    # An empty list brings the suggestions back, on the page and in the export.
    chair.post("/reports/review/notes", {"period": "2025-H1", "text": "  "})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewNote)) == 0
    exported = chair.client.get("/reports/review?period=2025-H1&format=csv").get_data().decode("utf-8-sig")
    assert "Một việc" not in exported and "next_steps," in exported


def test_notes_are_kept_per_fund(app, history, as_role):
    as_role("chair").post("/reports/review/notes", {"period": "2025", "text": "Việc của xã Hồng Sơn"})
    other = as_role("other_chair")
    assert "Việc của xã Hồng Sơn" not in full_page(other.get("/reports/review?period=2025"))
    other.post("/reports/review/notes", {"period": "2025", "text": "Việc của xã Khác"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewNote)) == 2
    assert "Việc của xã Khác" not in full_page(as_role("chair").get("/reports/review?period=2025"))


def test_the_edit_form_is_for_the_chair_only(history, as_role):
    assert 'action="/reports/review/notes"' in full_page(as_role("chair").get("/reports/review?period=2025"))
    for role in ("treasurer", "viewer"):
        assert 'action="/reports/review/notes"' not in full_page(
            as_role(role).get("/reports/review?period=2025")
        )


@pytest.mark.parametrize("role", ["treasurer", "viewer", "member"])
def test_only_the_chair_saves_the_list(app, history, as_role, role):
    response = as_role(role).post("/reports/review/notes", {"period": "2025", "text": "Không được"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewNote)) == 0


@pytest.mark.parametrize(
    "data, status",
    [
        ({"period": "2026-H3", "text": "x"}, 400),
        ({"period": "", "text": "x"}, 400),
        ({"text": "x"}, 400),
        ({"period": "2025", "text": "x" * 2001}, 422),
    ],
)
def test_bad_notes_are_refused(app, history, as_role, data, status):
    response = as_role("chair").post("/reports/review/notes", data)
    assert response.status_code == status
    if status == 422:
        assert 'class="field-error"' in full_page(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewNote)) == 0


def test_notes_need_the_csrf_token(app, history, as_role):
    chair = as_role("chair")
    response = chair.client.post("/reports/review/notes", data={"period": "2025", "text": "x"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewNote)) == 0


def test_saving_with_htmx_swaps_the_section(history, as_role):
    chair = as_role("chair")
    response = chair.post(
        "/reports/review/notes", {"period": "2025", "text": "Việc mới"}, htmx=True, follow_redirects=True
    )
    assert response.status_code == 200
    page = full_page(response)  # htmx picks the section out of the page (hx-select)
    assert 'hx-select="#next-steps"' in page
    assert "<li>Việc mới</li>" in page


# ------------------------------------------------------------------ permissions


PERMISSIONS = [
    ("/reports/review?period=2025", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    (
        "/reports/review?period=2025&format=csv",
        {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403},
    ),
    (
        "/reports/review?period=2025&format=xlsx",
        {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403},
    ),
]


@pytest.mark.parametrize("role", ["chair", "treasurer", "viewer", "member"])
@pytest.mark.parametrize("url, expected", PERMISSIONS)
def test_who_may_see_and_export_the_review(history, as_role, role, url, expected):
    response = as_role(role).client.get(url)
    assert response.status_code == expected[role]


def test_the_review_needs_a_login(app, seed):
    response = app.test_client().get("/reports/review?format=csv")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_export_links_show_to_who_may_export(history, as_role):
    page = full_page(as_role("viewer").get("/reports/review?period=2025"))
    assert "format=xlsx" in page and "format=csv" in page


# ------------------------------------------------------------------ query counts


def test_query_counts_do_not_grow_with_the_data(app, history, seed, money, as_role, today, count_queries):
    chair = as_role("chair")
    urls = ["/reports/review?period=2025", "/reports/review?period=2025-H1&format=csv"]
    small = [count_queries(lambda url=url: chair.client.get(url)) for url in urls]

    donors = [add_donor_now(app, seed.fund_id, f"Doanh nghiệp số {n}") for n in range(6)]
    for n, donor in enumerate(donors):
        donate(app, seed.fund_id, donor, (10 + n) * MILLION, dt.date(2025, 1 + n, 3))
    with app.app_context():
        people = [add_person(seed.fund_id, f"Người số {n}", seed.member_cm_id) for n in range(8)]
        db.session.commit()
    for n, person in enumerate(people):
        loan = disbursed_loan(app, seed.fund_id, person, 3 * MILLION, dt.date(2025, 7, 1 + n), term=3)
        repay(app, loan, MILLION, dt.date(2025, 8, 1 + n))
        visit(app, person, dt.date(2025, 3, 1 + n), dt.date(2025, 9, 1 + n))
        if n % 2:
            change_status(app, person, "settled", dt.date(2025, 10, 1 + n))
    assert int(csv_figures(chair, "2025")[("money", "lent_count")]) == 11

    assert [count_queries(lambda url=url: chair.client.get(url)) for url in urls] == small


def add_donor_now(app, fund_id: int, name: str) -> int:
    with app.app_context():
        donor_id = add_donor(fund_id, name)
        db.session.commit()
        return donor_id
