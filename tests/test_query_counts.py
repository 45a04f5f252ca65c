"""A fund's pages issue the same number of SQL queries whatever the number of rows (issue 7).

Deterministic: the same pages are counted on a small fund and again after adding many people,
loans, repayments and visits; every count must stay the same.
"""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, Browser
from tests.factories import add_donor, add_person, disbursed_loan, donate, repay
from tracker import accounts, casework, clock
from tracker.extensions import db
from tracker.models import Donation, Funding, Person

TODAY = clock.today()


def grow(app, seed, money, people: int, loans: int):
    """Add people (mentored by the `member` login), loans with repayments, visits, and donors
    who each give twice."""
    donate(app, seed.fund_id, money.donor_id, 10**10, TODAY - dt.timedelta(days=700))
    with app.app_context():
        donors = [add_donor(seed.fund_id, f"Nhà hảo tâm số {n}") for n in range(people // 3 + 1)]
        db.session.commit()
    for donor_id in donors:
        for days in (600, 30):
            donate(app, seed.fund_id, donor_id, 500_000, TODAY - dt.timedelta(days=days))
    with app.app_context():
        ids = [add_person(seed.fund_id, f"Người Số {n}", seed.member_cm_id) for n in range(people)]
        for person_id in ids:
            person = db.session.get(Person, person_id)
            person.next_visit_on = TODAY - dt.timedelta(days=person_id % 20)
            for month in range(3):
                casework.log_visit(
                    person,
                    mentor_id=seed.member_cm_id,
                    visited_on=TODAY - dt.timedelta(days=30 * month + 5),
                    kind="home",
                )
            casework.assign_mentor(person, seed.member_cm_id, TODAY - dt.timedelta(days=200), None)
        db.session.commit()
    for n in range(loans):
        loan = disbursed_loan(
            app,
            seed.fund_id,
            ids[n % len(ids)] if ids else money.person_id,
            1_200_000,
            TODAY - dt.timedelta(days=400),
            term=12,
        )
        for month in range(n % 5):
            repay(app, loan, 100_000, TODAY - dt.timedelta(days=360 - 30 * month))


PAGES = [
    ("chair", "/"),
    ("treasurer", "/"),
    ("member", "/"),
    ("chair", "/people"),
    ("chair", "/people?q=so"),
    ("chair", "/people/{person_id}"),
    ("chair", "/loans"),
    ("chair", "/loans/{loan_id}"),
    ("member", "/visits"),
    ("chair", "/visits"),
    ("chair", "/reports/outstanding"),
    ("chair", "/reports/outstanding?format=csv"),
    ("chair", "/reports/aging"),
    ("chair", "/reports/cashbook"),
    ("chair", "/reports/donors"),
    ("chair", "/reports/visits"),
    ("chair", f"/reports/review?period={TODAY.year}"),
    ("chair", "/donations"),
    ("chair", "/donors"),
    ("chair", "/audit"),
    ("regional", "/province"),
    ("regional", "/province/funds/{fund_id}"),
    ("regional", f"/province/review?from={TODAY.year - 1}-01-01&to={TODAY.year}-12-31"),
    ("regional", "/province?format=xlsx"),
    ("chair", "/people/{person_id}?visits=40"),
    ("chair", "/donors/{donor_id}"),
    ("chair", "/donations/{donation_id}"),
    ("chair", f"/reports/donor-letters?year={TODAY.year}"),
    ("chair", f"/reports/donor-letter?donor_id={{donor_id}}&year={TODAY.year}"),
    ("chair", f"/reports/donor-letters/print?year={TODAY.year}"),
    ("chair", "/commendations"),
    ("chair", "/members/{member_id}"),
    ("chair", "/members"),
    ("chair", "/users"),
    ("chair", "/periods"),
    ("chair", "/reminders"),
    ("chair", "/reports/aging?format=csv"),
    ("chair", "/reports/cashbook?format=xlsx&from=2000-01-01"),
    ("chair", "/reports/donors?format=csv&from=2000-01-01"),
    ("chair", "/reports/visits?format=csv"),
    ("chair", f"/reports/review?period={TODAY.year}&format=csv"),
]


@pytest.fixture
def counter(count_queries):
    """counter(browser, url) -> the statements of one GET of url."""
    return lambda browser, url: count_queries(lambda: browser.client.get(url))


def test_page_query_counts_do_not_grow_with_rows(app, money, seed, as_role, counter):
    with app.app_context():
        accounts.create_regional_user("tinh", PASSWORD, "Lâm Đồng")
        db.session.commit()
    browsers = {role: as_role(role) for role in ("chair", "treasurer", "member")}
    browsers["regional"] = Browser(app.test_client())
    browsers["regional"].login("tinh")

    grow(app, seed, money, people=3, loans=3)
    with app.app_context():
        from tracker.models import Loan

        person_id = db.session.scalar(sa.select(Person.id).where(Person.full_name == "Người Số 0"))
        loan_id = db.session.scalar(sa.select(Loan.id).order_by(Loan.id).limit(1))
        donation_id = db.session.scalar(
            sa.select(Donation.id).where(Donation.donor_id == money.donor_id).order_by(Donation.id).limit(1)
        )
    ids = {
        "person_id": person_id,
        "loan_id": loan_id,
        "donor_id": money.donor_id,  # whose money funds every loan: its page lists them all
        "donation_id": donation_id,
        "fund_id": seed.fund_id,
        "member_id": seed.member_cm_id,
    }
    urls = [(role, url.format(**ids)) for role, url in PAGES]
    small = {url: counter(browsers[role], url) for role, url in urls}
    grow(app, seed, money, people=30, loans=25)
    large = {url: counter(browsers[role], url) for role, url in urls}
    grown = {url: (small[url], large[url]) for url in small if small[url] != large[url]}
    assert grown == {}, f"pages whose query count grew with the data (small, large): {grown}"


def test_a_loan_page_costs_the_same_whatever_the_number_of_its_donations(app, money, seed, as_role, counter):
    """The loan page names the donors whose money it uses: one loan funded by one donation, another
    by five (each from its own donor), same query count."""
    chair = as_role("chair")
    donate(app, seed.fund_id, money.donor_id, 1_000_000, TODAY - dt.timedelta(days=60))
    one = disbursed_loan(app, seed.fund_id, money.person_id, 1_000_000, TODAY - dt.timedelta(days=50), term=5)
    with app.app_context():
        donors = [add_donor(seed.fund_id, f"Nhà tài trợ {n}") for n in range(5)]
        db.session.commit()
    for donor_id in donors:
        donate(app, seed.fund_id, donor_id, 200_000, TODAY - dt.timedelta(days=40))
    five = disbursed_loan(
        app, seed.fund_id, money.other_person_id, 1_000_000, TODAY - dt.timedelta(days=30), term=5
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Funding.loan_id == one)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).where(Funding.loan_id == five)) == 5
    assert counter(chair, f"/loans/{one}") == counter(chair, f"/loans/{five}")
