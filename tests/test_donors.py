"""Donors: the list with totals (one query), adding a donor, and the donor's page telling what their
money did without naming the borrower. (Adding one inline from the donation form is tested with the
donations, in tests/test_donations.py.)"""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import counting_queries, full_page
from tracker.extensions import db
from tracker.models import AuditEvent, Donation, Donor
from tracker.money import journal
from tracker.text import vietnamese_sort_key

NEW_DONOR = {
    "name": "  Công ty Cổ phần Chè Lâm Đồng ",
    "kind": "business",
    "phone": "+84 912 345 678",
    "address": "Thôn Đông, xã Hồng Sơn",
}


def donors_of(app, fund_id):
    with app.app_context():
        return db.session.scalars(sa.select(Donor).where(Donor.fund_id == fund_id).order_by(Donor.id)).all()


def add_donor(app, fund_id, name, kind="individual", anonymous=False):
    with app.app_context():
        donor_id = factories.add_donor(fund_id, name, kind)
        db.session.get(Donor, donor_id).anonymous = anonymous
        db.session.commit()
        return donor_id


def reverse_donation(app, donation_id, reason="Ghi nhầm"):
    with app.app_context():
        journal.reverse_donation(
            db.session.get(Donation, donation_id), reason, factories.user_id("treasurer")
        )
        db.session.commit()


# ------------------------------------------------------------------ the list


def test_list_is_in_vietnamese_order_with_totals_of_live_donations(app, seed, money, as_role):
    an = add_donor(app, seed.fund_id, "Trần Văn An")
    dung = add_donor(app, seed.fund_id, "Đỗ Thị Dung")
    binh = add_donor(app, seed.fund_id, "Lê Văn Bình")
    factories.donate(app, seed.fund_id, an, 30_000_000, dt.date(2026, 1, 5))
    factories.donate(app, seed.fund_id, an, 20_000_000, dt.date(2026, 2, 5))
    mistaken = factories.donate(app, seed.fund_id, dung, 7_000_000, dt.date(2026, 2, 6))
    factories.donate(app, seed.fund_id, dung, 5_000_000, dt.date(2026, 2, 7))
    reverse_donation(app, mistaken)

    page = full_page(as_role("viewer").get("/donors"))
    table = page[page.index('id="donors"') :]
    rows = re.findall(r'<tr id="donor-(\d+)">(.*?)</tr>', table, re.S)
    # individuals by the given name (An, Bình, Dung), the business by its whole name (Công ty ...)
    assert [int(donor_id) for donor_id, _ in rows] == [an, binh, money.donor_id, dung]
    totals = {int(donor_id): re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row) for donor_id, row in rows}
    assert totals[an] == ["2", "50.000.000 ₫"]
    assert totals[dung] == ["1", "5.000.000 ₫"]  # the reversed 7.000.000 does not count
    assert totals[binh] == ["0", "0 ₫"]
    assert "Doanh nghiệp Xa" not in page  # another fund's donor


def test_list_totals_take_the_same_number_of_queries_for_any_number_of_donors(app, seed, as_role):
    viewer = as_role("viewer")

    def queries_for_list():
        with counting_queries(app) as statements:
            assert viewer.get("/donors").status_code == 200
        return len(statements)

    donor = add_donor(app, seed.fund_id, "Nguyễn Văn Một")
    factories.donate(app, seed.fund_id, donor, 1_000_000, dt.date(2026, 1, 5))
    few = queries_for_list()
    for n in range(8):
        donor = add_donor(app, seed.fund_id, f"Nguyễn Văn Số{n}")
        factories.donate(app, seed.fund_id, donor, 1_000_000, dt.date(2026, 1, 5))
    assert queries_for_list() == few


def test_list_paginates_by_25(app, seed, as_role):
    for n in range(27):
        add_donor(app, seed.fund_id, f"Nhà hảo tâm {n:02d}", kind="organisation")
    viewer = as_role("viewer")
    first = full_page(viewer.get("/donors"))
    second = full_page(viewer.get("/donors?page=2"))
    assert len(re.findall(r'<tr id="donor-', first)) == 25
    assert len(re.findall(r'<tr id="donor-', second)) == 2
    assert "Nhà hảo tâm 00" in first and "Nhà hảo tâm 26" in second


def test_anonymous_donor_is_named_only_to_the_treasurer(app, seed, as_role):
    secret = add_donor(app, seed.fund_id, "Phan Văn Kín", anonymous=True)
    assert "Phan Văn Kín" not in as_role("viewer").get("/donors").get_data(as_text=True)
    assert "Phan Văn Kín" not in as_role("chair").get(f"/donors/{secret}").get_data(as_text=True)
    assert "Phan Văn Kín" in as_role("treasurer").get("/donors").get_data(as_text=True)


def test_the_add_form_is_for_the_treasurer_only(seed, as_role):
    assert 'action="/donors"' in as_role("treasurer").get("/donors").get_data(as_text=True)
    for role in ("chair", "viewer"):
        assert 'action="/donors"' not in as_role(role).get("/donors").get_data(as_text=True)


# ------------------------------------------------------------------ adding a donor


def test_add_donor_redirects_to_its_page_and_is_audited(app, seed, as_role):
    treasurer = as_role("treasurer")
    response = treasurer.post("/donors", {**NEW_DONOR, "anonymous": "y"})
    assert response.status_code == 303
    (donor,) = donors_of(app, seed.fund_id)
    assert response.location.endswith(f"/donors/{donor.id}")
    assert donor.name == "Công ty Cổ phần Chè Lâm Đồng"
    assert donor.phone == "0912345678" and donor.anonymous is True
    # the kind is set before the name, so a business sorts by its name as written
    assert donor.sort_key == vietnamese_sort_key(donor.name, given_name_first=False)
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "donor.create"))
        assert event.object_id == donor.id and "Chè Lâm Đồng" not in event.after  # no names kept forever
    page = full_page(treasurer.get(response.location))
    assert "Chè Lâm Đồng" in page


def test_an_individual_sorts_by_the_given_name(app, seed, as_role):
    as_role("treasurer").post("/donors", {"name": "Hoàng Văn Yên", "kind": "individual"})
    (donor,) = donors_of(app, seed.fund_id)
    assert donor.sort_key == vietnamese_sort_key("Hoàng Văn Yên")
    assert donor.anonymous is False


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"kind": "government"}, "kind"),
        ({"phone": "12345"}, "phone"),
        ({"address": "x" * 201}, "address"),
    ],
)
def test_bad_donor_is_refused_next_to_the_field_and_nothing_is_written(app, seed, as_role, bad, field):
    response = as_role("treasurer").post("/donors", {**NEW_DONOR, **bad})
    assert response.status_code == 422
    assert f'id="{field}-error"' in full_page(response)
    assert donors_of(app, seed.fund_id) == []
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action.like("donor.%"))) is None


def test_a_boosted_or_plain_post_still_redirects(app, seed, as_role):
    treasurer = as_role("treasurer")
    plain = treasurer.post("/donors", {"name": "Trần Thị Hoa", "kind": "individual"})
    boosted = treasurer.post(
        "/donors",
        {"name": "Trần Văn Hùng", "kind": "individual"},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert plain.status_code == boosted.status_code == 303
    assert len(donors_of(app, seed.fund_id)) == 2


# ------------------------------------------------------------------ the donor's page


def test_donor_page_lists_donations_with_the_void_mark(app, seed, money, as_role):
    kept = factories.donate(app, seed.fund_id, money.donor_id, 50_000_000, dt.date(2026, 1, 10))
    voided = factories.donate(app, seed.fund_id, money.donor_id, 3_000_000, dt.date(2026, 1, 11))
    reverse_donation(app, voided)
    page = full_page(as_role("chair").get(f"/donors/{money.donor_id}"))
    found = re.findall(r'<tr( class="void")?>\s*<td><a href="/donations/(\d+)"', page)
    rows = {int(donation_id): mark for mark, donation_id in found}
    assert rows == {kept: "", voided: ' class="void"'}
    assert "PT-2026-0001" in page and "PT-2026-0002" in page
    assert re.search(r'id="donor-total">50\.000\.000 ₫<', page)


def test_donor_page_shows_the_loan_its_money_funded_and_what_came_back(app, seed, money, as_role):
    factories.donate(app, seed.fund_id, money.donor_id, 50_000_000, dt.date(2025, 2, 1))
    loan_id = factories.disbursed_loan(app, seed.fund_id, money.person_id, 10_000_000, dt.date(2025, 3, 1))
    factories.repay(app, loan_id, 4_000_000, dt.date(2025, 6, 1))

    page = full_page(as_role("viewer").get(f"/donors/{money.donor_id}"))
    trail = page[page.index('class="money-trail"') :]
    assert re.search(rf'<a href="/loans/{loan_id}">[^<]*#{loan_id}</a>', trail)
    cells = re.findall(r'<td class="num">([^<]*)</td>', trail)
    assert cells == ["10.000.000 ₫", "4.000.000 ₫"]
    assert re.search(r'id="donor-lent">10\.000\.000 ₫<', page)
    assert re.search(r'id="donor-returned">4\.000\.000 ₫<', page)
    assert 'class="badge status-active"' in trail
    # personal data: the donor's page never names the borrower
    assert "Nguyễn Văn An" not in page


def test_a_reversed_disbursement_is_not_on_the_donor_page(app, seed, money, as_role):
    factories.donate(app, seed.fund_id, money.donor_id, 20_000_000, dt.date(2025, 2, 1))
    loan_id = factories.disbursed_loan(app, seed.fund_id, money.person_id, 10_000_000, dt.date(2025, 3, 1))
    with app.app_context():
        from tracker.models import Loan

        journal.reverse_disbursement(db.session.get(Loan, loan_id), "Nhầm", factories.user_id("treasurer"))
        db.session.commit()
    page = full_page(as_role("chair").get(f"/donors/{money.donor_id}"))
    assert f'href="/loans/{loan_id}"' not in page


def test_donor_page_query_count_does_not_grow_with_loans(app, seed, money, as_role):
    factories.donate(app, seed.fund_id, money.donor_id, 90_000_000, dt.date(2025, 2, 1))
    chair = as_role("chair")

    def queries_for_page():
        with counting_queries(app) as statements:
            assert chair.get(f"/donors/{money.donor_id}").status_code == 200
        return len(statements)

    factories.disbursed_loan(app, seed.fund_id, money.person_id, 5_000_000, dt.date(2025, 3, 1))
    one = queries_for_page()
    for _ in range(3):
        factories.disbursed_loan(app, seed.fund_id, money.other_person_id, 5_000_000, dt.date(2025, 3, 2))
    assert queries_for_page() == one


# ------------------------------------------------------------------ who may do what


@pytest.mark.parametrize(
    "role, get_status, post_status",
    [("treasurer", 200, 303), ("chair", 200, 403), ("viewer", 200, 403), ("member", 403, 403)],
)
def test_roles(app, seed, money, as_role, role, get_status, post_status):
    user = as_role(role)
    assert user.get("/donors").status_code == get_status
    assert user.get(f"/donors/{money.donor_id}").status_code == get_status
    assert user.post("/donors", NEW_DONOR).status_code == post_status
    created = [d for d in donors_of(app, seed.fund_id) if "Chè" in d.name]
    assert len(created) == (1 if post_status == 303 else 0)


def test_another_funds_donor_is_not_found(app, seed, money, as_role):
    factories.donate(app, seed.other_fund_id, money.foreign_donor_id, 1_000_000, dt.date(2026, 1, 5))
    for role in ("chair", "treasurer", "viewer"):
        assert as_role(role).get(f"/donors/{money.foreign_donor_id}").status_code == 404


def test_a_donor_cannot_be_added_without_the_csrf_token(app, seed, as_role):
    treasurer = as_role("treasurer")
    response = treasurer.client.post("/donors", data=NEW_DONOR)
    assert response.status_code == 400
    assert donors_of(app, seed.fund_id) == []
