"""Donors' thank-you letters: what a donor gave in a year and what it did, written as a Vietnamese
letter ("Kính gửi: Ông …"), naming a person helped only with their recorded consent (and never once
their data is erased), the others counted together with nothing that points at them; a year's
letters in one print run."""

import datetime as dt
import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.conftest import full_page
from tests.factories import add_donor, add_person, disbursed_loan, donate, repay, user_id
from tracker import clock, personal_data
from tracker.extensions import db
from tracker.models import Donation, Donor, Loan, Person, PersonAccess
from tracker.money import journal

TODAY = dt.date(2026, 2, 5)
MILLION = 1_000_000


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@dataclass
class Story:
    donor_id: int  # Công ty TNHH Hồng Phát: 30M and 10M in 2025 (and 1M given back)
    women_id: int  # Hội Phụ nữ xã: 2M in 2024
    people: dict[str, int]
    loans: dict[str, int]
    receipts: list[str]  # Hồng Phát's live receipts of 2025


def set_fields(app, model, row_id: int, **fields) -> None:
    with app.app_context():
        row = db.session.get(model, row_id)
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.commit()


@pytest.fixture
def story(app, seed, money, today) -> Story:
    fund = seed.fund_id
    with app.app_context():
        people = {
            "An": money.person_id,  # Thôn Đông; no consent
            "Bích": money.other_person_id,  # consented, then erased
            "Cường": add_person(fund, "Trần Văn Cường", seed.member_cm_id, "Thôn Bắc"),  # consented
            "Dũng": add_person(fund, "Lê Văn Dũng", seed.member_cm_id, ""),  # no consent, no hamlet
        }
        women = add_donor(fund, "Hội Phụ nữ xã", kind="organisation")
        db.session.commit()
    set_fields(app, Person, people["Cường"], named_to_donors=True)
    set_fields(app, Person, people["Bích"], named_to_donors=True)
    donate(app, fund, women, 2 * MILLION, dt.date(2024, 12, 1))
    donate(app, fund, money.donor_id, 30 * MILLION, dt.date(2025, 1, 10))
    given_back = donate(app, fund, money.donor_id, 1 * MILLION, dt.date(2025, 1, 20))
    with app.app_context():
        journal.reverse_donation(db.session.get(Donation, given_back), "Ghi trùng", user_id("treasurer"))
        db.session.commit()
    loans = {
        # 2M from Hội Phụ nữ's 2024 money, then 10M from Hồng Phát's
        "An": disbursed_loan(app, fund, people["An"], 12 * MILLION, dt.date(2025, 2, 1), term=12),
        "Cường": disbursed_loan(app, fund, people["Cường"], 6 * MILLION, dt.date(2025, 3, 1), term=6),
        "Bích": disbursed_loan(app, fund, people["Bích"], 3 * MILLION, dt.date(2025, 4, 1), term=3),
    }
    repay(app, loans["An"], 3 * MILLION, dt.date(2025, 5, 1))
    donate(app, fund, money.donor_id, 10 * MILLION, dt.date(2025, 6, 1))
    loans["Dũng"] = disbursed_loan(app, fund, people["Dũng"], 2 * MILLION, dt.date(2025, 7, 1), term=2)
    repay(app, loans["Cường"], 6 * MILLION, dt.date(2025, 9, 1))
    set_fields(app, Loan, loans["An"], purpose="Nguyễn Văn An nuôi bò ở Thôn Đông")
    with app.app_context():
        personal_data.erase_person(db.session.get(Person, people["Bích"]), dt.date(2026, 6, 1))
        db.session.commit()
    # Erasure withdraws the consent too; the letter must not name an erased person even where the
    # flag survived (a file erased before erasure did that).
    set_fields(app, Person, people["Bích"], named_to_donors=True)
    with app.app_context():
        receipts = list(
            db.session.scalars(
                sa.select(Donation.receipt_no)
                .where(Donation.donor_id == money.donor_id, Donation.reversal_id.is_(None))
                .order_by(Donation.received_on)
            )
        )
    return Story(money.donor_id, women, people, loans, receipts)


def letter_url(donor_id: int, year: int = 2025) -> str:
    return f"/reports/donor-letter?donor_id={donor_id}&year={year}"


def total(page: str, name: str) -> int:
    match = re.search(rf'data-total="{name}">([^<]*)<', page)
    assert match, name
    return int(re.sub(r"[^\d]", "", match.group(1)))


def borrowers(page: str) -> list[str]:
    table = re.search(r'<table class="report-table loans-funded">(.*?)</table>', page, re.S).group(1)
    return re.findall(r'<tr(?: class="others")?>\s*<td>([^<]*)</td>', table)


def salutation(page: str) -> str:
    return re.search(r'<span class="salutation">([^<]*)</span>', page).group(1)


def text_of(page: str) -> str:
    """The letter's paragraphs, joined, with the spacing of the HTML folded."""
    return " ".join(" ".join(re.findall(r'<p class="letter-text">(.*?)</p>', page, re.S)).split())


# ------------------------------------------------------------------ the consent rule


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_only_people_who_consented_are_named(app, story, as_role, locale):
    chair = as_role("chair")
    chair.post("/language", {"locale": locale})
    page = full_page(chair.get(letter_url(story.donor_id)))
    assert "Trần Văn Cường" in page  # consented
    assert "Chăn nuôi bò" in page  # and so their loan's purpose is told
    for unconsented in ("Nguyễn Văn An", "Lê Văn Dũng", "Lê Thị Bích", "nuôi bò ở Thôn Đông"):
        assert unconsented not in page
    assert "Người đã xóa dữ liệu" not in page  # an erased person is not even named as erased
    with app.app_context():
        erased = db.session.get(Person, story.people["Bích"])
        assert erased.named_to_donors and erased.erased_at is not None
        assert erased.full_name not in page


def test_people_not_named_are_one_line_without_hamlet_purpose_or_single_loans(story, as_role):
    chair = as_role("chair")
    chair.post("/language", {"locale": "en"})
    page = full_page(chair.get(letter_url(story.donor_id)))
    # Cường (consented) by name; An, Bích (erased) and Dũng together, counted as three loans.
    assert borrowers(page) == ["Trần Văn Cường", "Other people helped (3 loans)"]
    others = re.search(r'<tr class="others">(.*?)</tr>', page, re.S).group(1)
    # An 10M (2.5M back), Bích 3M, Dũng 1.5M: one sum, no single loan's share.
    assert re.findall(r'<td class="num">([^<]*)</td>', others) == ["14.500.000 ₫", "2.500.000 ₫"]
    for hamlet_or_purpose in ("Thôn Đông", "Thôn Tây", "nuôi bò ở"):
        assert hamlet_or_purpose not in page
    loans = re.search(r'<table class="report-table loans-funded">(.*?)</table>', page, re.S).group(1)
    for single_loan in ("10.000.000 ₫", "3.000.000 ₫", "1.500.000 ₫"):
        assert single_loan not in loans


def test_one_or_two_unnamed_loans_are_not_counted(app, story, as_role):
    set_fields(app, Person, story.people["An"], named_to_donors=True)
    set_fields(app, Person, story.people["Dũng"], named_to_donors=True)
    chair = as_role("chair")
    chair.post("/language", {"locale": "en"})
    page = full_page(chair.get(letter_url(story.donor_id)))
    # Only Bích (erased) is left unnamed: "other people", with no count that says "one".
    assert borrowers(page)[-1] == "Other people helped"
    assert "(1 loans)" not in page


def test_consent_given_or_withdrawn_changes_the_letter(app, story, as_role):
    chair = as_role("chair")
    set_fields(app, Person, story.people["An"], named_to_donors=True)
    set_fields(app, Person, story.people["Cường"], named_to_donors=False)
    page = full_page(chair.get(letter_url(story.donor_id)))
    assert "Nguyễn Văn An" in page
    assert "Trần Văn Cường" not in page


def test_naming_a_person_in_a_letter_is_logged(app, story, as_role):
    as_role("chair").get(letter_url(story.donor_id))
    with app.app_context():
        logged = db.session.execute(
            sa.select(PersonAccess.person_id, PersonAccess.action, PersonAccess.user_id)
        ).all()
        assert logged == [(story.people["Cường"], "donor_letter", user_id("chair"))]


# ------------------------------------------------------------------ what was given and what it did


def test_the_letter_lists_the_gifts_of_the_year_and_what_they_did(story, as_role):
    chair = as_role("chair")
    page = full_page(chair.get(letter_url(story.donor_id)))
    gifts = re.search(r'<table class="report-table gifts">(.*?)</table>', page, re.S).group(1)
    assert re.findall(r"<td>(PT-[^<]*)</td>", gifts) == story.receipts
    assert len(story.receipts) == 2  # the donation given back is not thanked for
    assert total(page, "given") == 40 * MILLION
    assert '<em class="in-words">Bốn mươi triệu đồng</em>' in page
    # From Hồng Phát's 2025 money: An 10M (of 12M; 3M repaid -> 2.5M back), Cường 6M (all back),
    # Bích 3M, Dũng 1.5M (the oldest money first: 0.5M of Hội Phụ nữ's share had come back).
    assert total(page, "funded") == 20_500_000
    assert total(page, "returned") == 8_500_000
    # The text reads the figures as a person says them; the table has them exactly.
    text = text_of(page)
    assert "đã đóng góp cho Quỹ 40 triệu đồng trong năm 2025" in text
    assert "4 lượt" in text and "20,5 triệu đồng" in text
    assert "Đến nay đã thu hồi về Quỹ 8,5 triệu đồng" in text
    assert "THƯ CẢM ƠN" in page
    assert "Công ty TNHH Hồng Phát" in page
    assert "Hồng Sơn, ngày 05 tháng 02 năm 2026" in page
    assert page.count('class="letter-signature"') == 1
    assert "TM. TỔ GIÚP ĐỠ" in page and "TỔ TRƯỞNG" in page
    assert "print.css" in page


def test_a_letter_for_another_year_tells_that_years_money(story, as_role):
    page = full_page(as_role("chair").get(letter_url(story.women_id, 2024)))
    assert total(page, "given") == 2 * MILLION
    assert total(page, "funded") == 2_500_000  # 2M into An's loan, then 0.5M back out into Dũng's
    assert total(page, "returned") == 500_000  # 2M of An's 12M, 3M repaid; Dũng has repaid nothing
    assert "Hai triệu đồng" in page


def test_a_donor_who_gave_nothing_that_year(story, as_role):
    page = full_page(as_role("chair").get(letter_url(story.women_id, 2025)))
    assert 'id="no-gifts"' in page
    assert "THƯ CẢM ƠN" not in page


def test_the_list_of_letters_of_a_year(app, story, seed, as_role):
    with app.app_context():
        hidden = add_donor(seed.fund_id, "Ông Giấu Tên", kind="individual")
        db.session.commit()
    set_fields(app, Donor, hidden, anonymous=True)
    donate(app, seed.fund_id, hidden, 3 * MILLION, dt.date(2025, 8, 1))
    chair = as_role("chair")
    page = full_page(chair.get("/reports/donor-letters?year=2025"))
    links = re.findall(r'href="/reports/donor-letter\?donor_id=(\d+)&amp;year=2025"', page)
    assert sorted(int(link) for link in links) == sorted([story.donor_id, hidden])
    assert "Hội Phụ nữ xã" not in page  # gave in 2024
    assert "40.000.000 ₫" in page
    assert "Ông Giấu Tên" in page  # the chair writes to anonymous donors too, by name
    # Each with the salutation its letter opens with, to check before printing.
    assert re.findall(r'<td class="salutation">([^<]*)</td>', page) == [
        "Quý Công ty TNHH Hồng Phát",
        "Ông Giấu Tên",  # the title typed with the name is not said twice
    ]
    page_2024 = full_page(chair.get("/reports/donor-letters?year=2024"))
    assert "Hội Phụ nữ xã" in page_2024 and "Công ty TNHH Hồng Phát" not in page_2024
    # Without a year: last year.
    assert "Công ty TNHH Hồng Phát" in full_page(chair.get("/reports/donor-letters"))


# ------------------------------------------------------------------ permissions and bad input


@pytest.mark.parametrize(
    "role, status", [("chair", 200), ("treasurer", 403), ("viewer", 403), ("member", 403)]
)
def test_letters_are_for_the_chair_only(story, as_role, role, status):
    user = as_role(role)
    for url in (letter_url(story.donor_id), "/reports/donor-letters?year=2025"):
        response = user.client.get(url)
        assert response.status_code == status
        if status == 403:
            assert "Trần Văn Cường".encode() not in response.get_data()


def test_another_funds_donor_is_not_found(story, money, as_role):
    assert as_role("chair").get(letter_url(money.foreign_donor_id)).status_code == 404
    assert as_role("chair").get(letter_url(999_999)).status_code == 404
    # ... and the other fund's chair cannot read this fund's donor either.
    assert as_role("other_chair").get(letter_url(story.donor_id)).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "donor_id=abc&year=2025",
        "year=2025",
        "donor_id=-1&year=2025",
        "donor_id={donor}&year=20x5",
        "donor_id={donor}&year=1999",
        "donor_id={donor}&year=2027",
        "donor_id={donor}&year=99999",
        "donor_id=99999999999999999999999&year=2025",
    ],
)
def test_bad_letter_requests_are_refused_with_a_message(story, as_role, query):
    response = as_role("chair").get("/reports/donor-letter?" + query.format(donor=story.donor_id))
    assert response.status_code == 400
    assert "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize("year", ["abc", "1999", "2027"])
def test_a_bad_year_for_the_list_is_refused(story, as_role, year):
    assert as_role("chair").get(f"/reports/donor-letters?year={year}").status_code == 400


# ------------------------------------------------------------------ query counts


def test_the_letter_runs_a_fixed_number_of_queries(app, story, seed, as_role, today, count_queries):
    chair = as_role("chair")

    def count() -> int:
        return count_queries(lambda: chair.client.get(letter_url(story.donor_id)))

    small = count()
    donate(app, seed.fund_id, story.donor_id, 100 * MILLION, dt.date(2025, 8, 1))
    with app.app_context():
        more = [add_person(seed.fund_id, f"Người số {n}", seed.member_cm_id, "Thôn Nam") for n in range(6)]
        db.session.commit()
    for n, person in enumerate(more):
        loan = disbursed_loan(app, seed.fund_id, person, 5 * MILLION, dt.date(2025, 9, 1 + n), term=5)
        repay(app, loan, MILLION, dt.date(2025, 10, 1 + n))
    page = full_page(chair.get(letter_url(story.donor_id)))
    assert borrowers(page) == ["Trần Văn Cường", "Những người được giúp đỡ khác (9 khoản vay)"]
    # Naming consented people adds one row each to the access log (one statement each), so compare
    # with nobody newly named: the six new people did not consent.
    assert count() == small


# ------------------------------------------------------------------ how the letter addresses the donor


@pytest.mark.parametrize(
    "name, kind, title, to, you",
    [
        ("Nguyễn Văn Hùng", "individual", "Ông", "Ông Nguyễn Văn Hùng", "Ông"),
        ("Trần Thị Mai", "individual", "Bà", "Bà Trần Thị Mai", "Bà"),
        ("Phạm Văn Tư", "individual", "", "Ông/Bà Phạm Văn Tư", "Ông/Bà"),
        ("bà Đỗ Thị Thu", "individual", "", "Bà Đỗ Thị Thu", "Bà"),
        ("Ông Lý Văn Hảo", "individual", "Bà", "Bà Lý Văn Hảo", "Bà"),  # the recorded title wins
        ("Công ty TNHH Minh Phát", "business", "", "Quý Công ty TNHH Minh Phát", "Quý công ty"),
        ("Minh Phát", "business", "", "Quý công ty Minh Phát", "Quý công ty"),
        ("Hợp tác xã Tân Tiến", "business", "", "Quý Hợp tác xã Tân Tiến", "Quý hợp tác xã"),
        (
            "Doanh nghiệp tư nhân Minh Long",
            "business",
            "",
            "Quý Doanh nghiệp tư nhân Minh Long",
            "Quý doanh nghiệp",
        ),
        ("Cửa hàng Phúc Thịnh", "business", "", "Quý Cửa hàng Phúc Thịnh", "Quý cửa hàng"),
        ("Hội Phụ nữ xã Hồng Sơn", "organisation", "", "Hội Phụ nữ xã Hồng Sơn", "Quý đơn vị"),
    ],
)
def test_the_salutation_follows_the_kind_of_donor_and_title(
    app, seed, as_role, today, name, kind, title, to, you
):
    with app.app_context():
        donor = add_donor(seed.fund_id, name, kind=kind)
        db.session.commit()
    set_fields(app, Donor, donor, title=title)
    donate(app, seed.fund_id, donor, 30_740_000, dt.date(2025, 3, 1))
    page = full_page(as_role("chair").get(letter_url(donor)))
    assert salutation(page) == to
    assert "<strong>Kính gửi:</strong>" in page
    text = text_of(page)
    assert f"trân trọng cảm ơn {you} đã đóng góp cho Quỹ khoảng 30,7 triệu đồng" in text
    assert f"Kính chúc {you} sức khỏe" in text
    assert "30.740.000 ₫" in page  # exact in the attached table


def test_the_salutation_in_english(app, seed, as_role, today):
    with app.app_context():
        donor = add_donor(seed.fund_id, "Trần Thị Mai", kind="individual")
        db.session.commit()
    set_fields(app, Donor, donor, title="Bà")
    donate(app, seed.fund_id, donor, 650_400, dt.date(2025, 3, 1))
    chair = as_role("chair")
    chair.post("/language", {"locale": "en"})
    page = full_page(chair.get(letter_url(donor)))
    assert salutation(page) == "Ms Trần Thị Mai"
    assert "thanks you for giving about 650 thousand dong" in text_of(page)


# ------------------------------------------------------------------ a year's letters in one run


def articles(page: str) -> list[str]:
    return re.findall(r'<article class="report letter" data-donor="(\d+)">(.*?)</article>', page, re.S)


def test_the_years_letters_print_in_one_run(app, story, seed, as_role):
    with app.app_context():
        mai = add_donor(seed.fund_id, "Trần Thị Mai", kind="individual")
        db.session.commit()
    set_fields(app, Donor, mai, title="Bà", anonymous=True)
    donate(app, seed.fund_id, mai, 3 * MILLION, dt.date(2025, 8, 1))
    chair = as_role("chair")
    page = full_page(chair.get("/reports/donor-letters/print?year=2025"))
    letters = articles(page)
    # In the list's order (Vietnamese, by the given name for a person): Hồng Phát, Mai.
    assert [int(donor) for donor, _body in letters] == [story.donor_id, mai]
    assert [salutation(body) for _donor, body in letters] == [
        "Quý Công ty TNHH Hồng Phát",
        "Bà Trần Thị Mai",  # the chair writes to anonymous donors too, by name
    ]
    assert "Hội Phụ nữ xã" not in page  # gave in 2024
    assert "letters.css" in page
    # Each letter has its own attached table and signature; the break between them is in the CSS.
    assert page.count('class="letter-signature"') == 2
    assert total(letters[1][1], "given") == 3 * MILLION
    # The run is linked from the list of the year's letters.
    assert 'href="/reports/donor-letters/print?year=2025"' in full_page(
        chair.get("/reports/donor-letters?year=2025")
    )


def test_the_print_run_logs_the_people_it_names(app, story, as_role):
    as_role("chair").get("/reports/donor-letters/print?year=2025")
    with app.app_context():
        logged = db.session.execute(sa.select(PersonAccess.person_id, PersonAccess.action)).all()
        assert logged == [(story.people["Cường"], "donor_letter")]


def test_a_year_without_donations_prints_no_letters(story, as_role):
    page = full_page(as_role("chair").get("/reports/donor-letters/print?year=2023"))
    assert 'id="no-letters"' in page and not articles(page)


@pytest.mark.parametrize("role", ["treasurer", "viewer", "member"])
def test_only_the_chair_prints_the_run(story, as_role, role):
    response = as_role(role).client.get("/reports/donor-letters/print?year=2025")
    assert response.status_code == 403
    assert "Trần Văn Cường".encode() not in response.get_data()


@pytest.mark.parametrize("year", ["abc", "1999", "2027", "2" * 5000])
def test_a_bad_year_for_the_run_is_refused(story, as_role, year):
    assert as_role("chair").get(f"/reports/donor-letters/print?year={year}").status_code == 400


def test_the_run_takes_the_same_queries_for_more_donors(app, story, seed, as_role, count_queries):
    chair = as_role("chair")

    def count() -> int:
        return count_queries(lambda: chair.client.get("/reports/donor-letters/print?year=2025"))

    small = count()
    with app.app_context():
        more = [add_donor(seed.fund_id, f"Công ty số {n}") for n in range(5)]
        db.session.commit()
    for n, donor in enumerate(more):
        donate(app, seed.fund_id, donor, MILLION, dt.date(2025, 11, 1 + n))
    assert len(articles(full_page(chair.get("/reports/donor-letters/print?year=2025")))) == 6
    assert count() == small
