"""Donations: receipt numbers without gaps, amounts and dates as typed, the refusals, a new donor
added inline from the form, the phiếu thu, reversals, and who may see and post them."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import counting_queries, fragment, full_page
from tracker import clock
from tracker.extensions import db
from tracker.models import AuditEvent, Donation, Donor, Funding, JournalTransaction, Loan, PeriodClose
from tracker.money import balances, journal


def donation_data(donor, **changes):
    data = {
        "donor_id": str(donor),
        "amount": "50.000.000",
        "received_on": "2026-02-05",
        "method": "cash",
        "note": "",
        "earmark_person_id": "0",
    }
    data.update(changes)
    return data


def donations_of(app, fund_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(Donation).where(Donation.fund_id == fund_id).order_by(Donation.id)
        ).all()


def donors_of(app, fund_id):
    with app.app_context():
        return db.session.scalars(sa.select(Donor).where(Donor.fund_id == fund_id).order_by(Donor.id)).all()


def journal_size(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(JournalTransaction.id)))


def cash(app, fund_id):
    with app.app_context():
        return balances.cash_balance(fund_id)


def field_error(html, field):
    """The error shown next to a field, or None."""
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    return match.group(1) if match else None


def form_errors(html):
    return re.findall(r'<p class="field-error" role="alert">([^<]*)</p>', html)


def selected_option(html, name):
    """The value of the selected <option> of the <select name=...>."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no <select name={name}>"
    chosen = re.findall(r'<option selected value="([^"]*)">', select.group(1))
    return chosen[0] if chosen else None


# ------------------------------------------------------------------ recording


def test_record_a_donation(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    response = treasurer.post(
        "/donations",
        donation_data(money.donor_id, note="Ủng hộ dịp Tết", earmark_person_id=str(money.person_id)),
    )
    assert response.status_code == 303
    (donation,) = donations_of(app, seed.fund_id)
    # the treasurer lands on the receipt, to print it while the donor waits
    assert response.location.endswith(f"/donations/{donation.id}/receipt")
    assert donation.receipt_no == "PT-2026-0001"
    assert donation.amount == 50_000_000 and donation.received_on == dt.date(2026, 2, 5)
    assert donation.method == "cash" and donation.note == "Ủng hộ dịp Tết"
    assert donation.earmark_person_id == money.person_id
    assert cash(app, seed.fund_id) == 50_000_000
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "donation.create"))
        assert event.object_id == donation.id and "PT-2026-0001" in event.after
        assert event.fund_id == seed.fund_id
    receipt = full_page(treasurer.get(response.location))
    assert "PHIẾU THU" in receipt and "PT-2026-0001" in receipt and "50.000.000 ₫" in receipt
    assert 'class="flash flash-success"' in receipt
    assert "data-print" in receipt and "In phiếu thu" in receipt
    page = full_page(treasurer.get(f"/donations/{donation.id}"))
    assert f'href="/donations/{donation.id}/receipt"' in page


def test_receipt_numbers_run_per_fund_and_year_without_gaps(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    dates = ["2026-01-05", "2025-12-30", "2026-03-01", "2025-12-31", "2026-03-01"]
    for day in dates:
        assert treasurer.post("/donations", donation_data(money.donor_id, received_on=day)).status_code == 303
    # another fund numbers its own receipts
    other = factories.donate(app, seed.other_fund_id, money.foreign_donor_id, 1_000_000, dt.date(2026, 3, 2))
    numbers = [d.receipt_no for d in donations_of(app, seed.fund_id)]
    assert numbers == ["PT-2026-0001", "PT-2025-0001", "PT-2026-0002", "PT-2025-0002", "PT-2026-0003"]
    with app.app_context():
        assert db.session.get(Donation, other).receipt_no == "PT-2026-0001"


def test_repayment_receipts_share_the_phieu_thu_series(app, seed, money, as_role):
    factories.donate(app, seed.fund_id, money.donor_id, 20_000_000, dt.date(2026, 1, 5))  # PT-2026-0001
    loan_id = factories.disbursed_loan(app, seed.fund_id, money.person_id, 10_000_000, dt.date(2026, 1, 6))
    factories.repay(app, loan_id, 1_000_000, dt.date(2026, 2, 6))  # PT-2026-0002
    as_role("treasurer").post("/donations", donation_data(money.donor_id, received_on="2026-02-07"))
    assert donations_of(app, seed.fund_id)[-1].receipt_no == "PT-2026-0003"


@pytest.mark.parametrize(
    "typed", ["50.000.000", "50000000", "50 000 000", " 50.000.000 ", "50\u00a0000\u00a0000"]
)
def test_amounts_typed_the_usual_ways_are_stored_the_same(app, seed, money, as_role, typed):
    response = as_role("treasurer").post("/donations", donation_data(money.donor_id, amount=typed))
    assert response.status_code == 303
    (donation,) = donations_of(app, seed.fund_id)
    assert donation.amount == 50_000_000


@pytest.mark.parametrize(
    "typed",
    [
        "năm mươi triệu",
        "1,5",
        "-5",
        "0",
        "1.000.000.000.001",
        "12.34",
        "5.0000",
        "1e6",
        "50.000,00",
        "",
        "   ",
    ],
)
def test_bad_amounts_are_refused_next_to_the_field(app, seed, money, as_role, typed):
    before = journal_size(app)
    response = as_role("treasurer").post("/donations", donation_data(money.donor_id, amount=typed))
    assert response.status_code == 422
    html = full_page(response)
    assert field_error(html, "amount")
    assert f'value="{typed}"' in html or typed == ""  # what was typed is kept for correcting
    assert donations_of(app, seed.fund_id) == []
    assert journal_size(app) == before


def test_the_largest_amount_is_accepted(app, seed, money, as_role):
    response = as_role("treasurer").post(
        "/donations", donation_data(money.donor_id, amount="1.000.000.000.000")
    )
    assert response.status_code == 303
    assert donations_of(app, seed.fund_id)[0].amount == 10**12


@pytest.mark.parametrize(
    "typed",
    ["2026-02-30", "2026-13-01", "31/02/2026", "hôm qua", "", "1949-12-31", "tomorrow"],
)
def test_impossible_dates_are_refused(app, seed, money, as_role, typed):
    if typed == "tomorrow":
        typed = (clock.today() + dt.timedelta(days=1)).isoformat()
    response = as_role("treasurer").post("/donations", donation_data(money.donor_id, received_on=typed))
    assert response.status_code == 422
    assert field_error(full_page(response), "received_on")
    assert donations_of(app, seed.fund_id) == []


def test_today_and_dd_mm_yyyy_are_accepted(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    today = clock.today()
    assert (
        treasurer.post("/donations", donation_data(money.donor_id, received_on=today.isoformat())).status_code
        == 303
    )
    assert (
        treasurer.post("/donations", donation_data(money.donor_id, received_on="05/02/2026")).status_code
        == 303
    )
    assert [d.received_on for d in donations_of(app, seed.fund_id)] == [today, dt.date(2026, 2, 5)]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"donor_id": "0"}, "donor_id"),
        ({"donor_id": "abc"}, "donor_id"),
        ({"donor_id": "999999"}, "donor_id"),
        ({"method": "gold"}, "method"),
        ({"note": "x" * 501}, "note"),
        ({"earmark_person_id": "999999"}, "earmark_person_id"),
    ],
)
def test_bad_choices_are_refused(app, seed, money, as_role, changes, field):
    response = as_role("treasurer").post("/donations", donation_data(money.donor_id, **changes))
    assert response.status_code == 422
    assert field_error(full_page(response), field)
    assert donations_of(app, seed.fund_id) == []


def test_another_funds_donor_or_person_is_refused(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    before = journal_size(app)
    for changes, field in (
        ({"donor_id": str(money.foreign_donor_id)}, "donor_id"),
        ({"earmark_person_id": str(money.foreign_person_id)}, "earmark_person_id"),
    ):
        response = treasurer.post("/donations", donation_data(money.donor_id, **changes))
        assert response.status_code == 422
        assert field_error(full_page(response), field)
    assert donations_of(app, seed.fund_id) == [] and donations_of(app, seed.other_fund_id) == []
    assert journal_size(app) == before


def test_a_closed_period_is_refused_without_using_up_a_receipt_number(app, seed, money, as_role):
    with app.app_context():
        db.session.add(PeriodClose(fund_id=seed.fund_id, closed_through=dt.date(2026, 6, 30)))
        db.session.commit()
    treasurer = as_role("treasurer")
    response = treasurer.post("/donations", donation_data(money.donor_id, received_on="2026-06-30"))
    assert response.status_code == 422
    error = field_error(full_page(response), "received_on")
    assert "30/06/2026" in error
    assert donations_of(app, seed.fund_id) == []
    assert (
        treasurer.post("/donations", donation_data(money.donor_id, received_on="2026-07-01")).status_code
        == 303
    )
    assert [d.receipt_no for d in donations_of(app, seed.fund_id)] == ["PT-2026-0001"]


# ------------------------------------------------------------------ the list


def test_list_is_newest_first_with_void_mark_and_anonymous_donors_unnamed(app, seed, money, as_role):
    with app.app_context():
        secret = factories.add_donor(seed.fund_id, "Phan Văn Kín", "individual")
        db.session.get(Donor, secret).anonymous = True
        db.session.commit()
    older = factories.donate(app, seed.fund_id, money.donor_id, 50_000_000, dt.date(2026, 1, 5))
    newer = factories.donate(app, seed.fund_id, secret, 2_500_000, dt.date(2026, 2, 5), method="bank")
    mistaken = factories.donate(app, seed.fund_id, money.donor_id, 700_000, dt.date(2026, 1, 20))
    treasurer = as_role("treasurer")
    treasurer.post(f"/donations/{mistaken}/reverse", {"reason": "Ghi trùng"})

    for role in ("treasurer", "chair", "viewer"):
        page = full_page(as_role(role).get("/donations"))
        table = page[page.index('id="donations"') :]
        rows = re.findall(r'<tr id="donation-(\d+)"( class="void")?>(.*?)</tr>', table, re.S)
        assert [int(donation_id) for donation_id, _, _ in rows] == [newer, mistaken, older]
        assert [bool(void) for _, void, _ in rows] == [False, True, False]
        assert "PT-2026-0002" in rows[0][2] and "05/02/2026" in rows[0][2] and "2.500.000 ₫" in rows[0][2]
        assert "Phan Văn Kín" not in table
        assert "Công ty TNHH Hồng Phát" in rows[2][2] and "50.000.000 ₫" in rows[2][2]
        assert "Doanh nghiệp Xa" not in page
    assert 'action="/donations"' in full_page(treasurer.get("/donations"))
    assert 'action="/donations"' not in full_page(as_role("chair").get("/donations"))


def test_list_paginates_by_25(app, seed, money, as_role):
    for day in range(1, 28):
        factories.donate(app, seed.fund_id, money.donor_id, 1_000_000, dt.date(2026, 1, day))
    viewer = as_role("viewer")
    first = full_page(viewer.get("/donations"))
    second = full_page(viewer.get("/donations?page=2"))
    assert len(re.findall(r'<tr id="donation-', first)) == 25
    assert len(re.findall(r'<tr id="donation-', second)) == 2
    assert "27/01/2026" in first and "01/01/2026" in second
    past_the_end = full_page(viewer.get("/donations?page=5"))
    for page in (first, second, past_the_end):
        assert "27 khoản đóng góp" in page


def test_list_query_count_does_not_grow_with_donations(app, seed, money, as_role):
    viewer = as_role("viewer")

    def queries_for_list():
        with counting_queries(app) as statements:
            assert viewer.get("/donations").status_code == 200
        return len(statements)

    factories.donate(app, seed.fund_id, money.donor_id, 1_000_000, dt.date(2026, 1, 1))
    one = queries_for_list()
    for day in range(2, 12):
        with app.app_context():
            donor_id = factories.add_donor(seed.fund_id, f"Doanh nghiệp {day}")
            db.session.commit()
        factories.donate(app, seed.fund_id, donor_id, 1_000_000, dt.date(2026, 1, day))
    assert queries_for_list() == one


def test_record_a_donation_from_a_donors_page_preselects_the_donor(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    donor_page = full_page(treasurer.get(f"/donors/{money.donor_id}"))
    assert f'href="/donations?donor_id={money.donor_id}#new-donation"' in donor_page
    page = full_page(treasurer.get(f"/donations?donor_id={money.donor_id}"))
    assert selected_option(page, "donor_id") == str(money.donor_id)
    assert selected_option(full_page(treasurer.get("/donations")), "donor_id") == "0"


def test_refused_form_is_shown_again_with_the_list(app, seed, money, as_role):
    factories.donate(app, seed.fund_id, money.donor_id, 3_000_000, dt.date(2026, 1, 5))
    response = as_role("treasurer").post("/donations", donation_data(money.donor_id, amount="abc"))
    html = full_page(response)
    assert 'id="donation-' in html  # the list is still there
    assert field_error(html, "amount") and 'id="new-donation"' in html


# ------------------------------------------------------------------ a new donor, inline in the form


def test_new_donor_fields_come_as_a_fragment_for_htmx(seed, as_role):
    treasurer = as_role("treasurer")
    html = fragment(treasurer.get("/donations/new-donor", headers={"HX-Request": "true"}))
    assert 'id="new-donor"' in html and 'name="name"' in html and 'name="kind"' in html
    assert 'hx-post="/donations/new-donor"' in html and 'hx-target="#donor-picker"' in html
    # without JavaScript the same address leads to the donors page and its add form
    plain = treasurer.get("/donations/new-donor")
    assert plain.status_code in (302, 303) and plain.location.endswith("/donors#new-donor")


def test_the_donation_form_links_to_the_donors_page_without_javascript(seed, as_role):
    page = full_page(as_role("treasurer").get("/donations"))
    picker = page[page.index('id="donor-picker"') :]
    assert 'href="/donors#new-donor"' in picker and 'hx-get="/donations/new-donor"' in picker


def test_htmx_post_from_the_inline_part_returns_the_select_with_the_new_donor(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    response = treasurer.post(
        "/donations/new-donor",
        {"name": "Hộ kinh doanh Minh Tâm", "kind": "business", "donor_id": str(money.donor_id)},
        htmx=True,
        headers={"HX-Trigger": "new-donor-submit"},
    )
    assert response.status_code == 200
    html = fragment(response)
    assert html.lstrip().startswith('<div id="donor-picker">')
    new = next(d for d in donors_of(app, seed.fund_id) if d.name == "Hộ kinh doanh Minh Tâm")
    assert selected_option(html, "donor_id") == str(new.id)
    assert f'<option value="{money.donor_id}">Công ty TNHH Hồng Phát</option>' in html
    assert 'hx-swap-oob="innerHTML"' in html  # the flash message travels with the fragment, into #flashes


def test_refused_inline_donor_returns_the_fields_with_the_error(app, seed, money, as_role):
    response = as_role("treasurer").post(
        "/donations/new-donor",
        {"name": "", "kind": "business", "donor_id": str(money.donor_id)},
        htmx=True,
        headers={"HX-Trigger": "new-donor-submit"},
    )
    assert response.status_code == 422
    html = fragment(response)
    assert 'id="new-donor"' in html and 'id="name-error"' in html
    assert selected_option(html, "donor_id") == str(money.donor_id)  # the choice made is kept
    assert [d.id for d in donors_of(app, seed.fund_id)] == [money.donor_id]


# ------------------------------------------------------------------ the receipt


def test_receipt_prints_the_amount_in_words(app, seed, money, as_role):
    donation_id = factories.donate(app, seed.fund_id, money.donor_id, 50_000_000, dt.date(2026, 2, 5))
    html = as_role("viewer").get(f"/donations/{donation_id}/receipt").get_data(as_text=True)
    assert "PHIẾU THU" in html and "PT-2026-0001" in html
    assert "50.000.000 ₫" in html and "Năm mươi triệu đồng" in html
    assert "Công ty TNHH Hồng Phát" in html
    assert "Ngày 05 tháng 02 năm 2026" in html  # the form dates itself with a capital
    assert 'class="void-stamp"' not in html
    assert f'<a href="/donations/{donation_id}">' in html  # back to the donation, whatever the referrer


def test_receipt_of_an_anonymous_donor_does_not_name_them(app, seed, as_role):
    with app.app_context():
        secret = factories.add_donor(seed.fund_id, "Phan Văn Kín", "individual")
        donor = db.session.get(Donor, secret)
        donor.anonymous, donor.address = True, "Thôn Kín"
        db.session.commit()
    donation_id = factories.donate(app, seed.fund_id, secret, 1_500_000, dt.date(2026, 2, 5))
    html = as_role("treasurer").get(f"/donations/{donation_id}/receipt").get_data(as_text=True)
    assert "Phan Văn Kín" not in html and "Thôn Kín" not in html
    assert "Một triệu năm trăm nghìn đồng" in html


def test_a_reversed_receipt_is_printed_void(app, seed, money, as_role):
    donation_id = factories.donate(app, seed.fund_id, money.donor_id, 5_000_000, dt.date(2026, 2, 5))
    treasurer = as_role("treasurer")
    treasurer.post(f"/donations/{donation_id}/reverse", {"reason": "Ghi nhầm"})
    html = treasurer.get(f"/donations/{donation_id}/receipt").get_data(as_text=True)
    # both copies (liên) of the receipt
    assert html.count('class="void-stamp"') == 2 and html.count(' void" data-copy=') == 2


# ------------------------------------------------------------------ reversal


def test_reversal_voids_the_donation_and_takes_the_cash_back(app, seed, money, as_role):
    donation_id = factories.donate(app, seed.fund_id, money.donor_id, 50_000_000, dt.date(2026, 2, 5))
    treasurer = as_role("treasurer")
    page = full_page(treasurer.get(f"/donations/{donation_id}"))
    assert f'action="/donations/{donation_id}/reverse"' in page
    response = treasurer.post(f"/donations/{donation_id}/reverse", {"reason": "Nhà tài trợ chuyển nhầm"})
    assert response.status_code == 303 and response.location.endswith(f"/donations/{donation_id}")
    with app.app_context():
        donation = db.session.get(Donation, donation_id)
        assert donation.is_reversed
        assert donation.reversal.reverses_id == donation.transaction_id
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "donation.reverse"))
        assert event.object_id == donation_id and "chuyển nhầm" in event.after
    assert cash(app, seed.fund_id) == 0
    page = full_page(treasurer.get(f"/donations/{donation_id}"))
    reversal = page[page.index('id="reversal"') :]
    assert re.search(r'<tr class="void">\s*<td>PT-2026-0001</td>', reversal)
    assert clock.today().strftime("%d/%m/%Y") in reversal
    assert "Nhà tài trợ chuyển nhầm" in reversal and "-50.000.000 ₫" in reversal
    assert f'action="/donations/{donation_id}/reverse"' not in page  # nothing left to reverse


def test_reversing_twice_is_refused(app, seed, money, as_role):
    donation_id = factories.donate(app, seed.fund_id, money.donor_id, 5_000_000, dt.date(2026, 2, 5))
    treasurer = as_role("treasurer")
    assert treasurer.post(f"/donations/{donation_id}/reverse", {"reason": "Ghi nhầm"}).status_code == 303
    before = journal_size(app)
    response = treasurer.post(f"/donations/{donation_id}/reverse", {"reason": "Lần nữa"})
    assert response.status_code == 422
    assert form_errors(full_page(response))
    assert journal_size(app) == before
    assert cash(app, seed.fund_id) == 0


def test_reversal_needs_a_reason(app, seed, money, as_role):
    donation_id = factories.donate(app, seed.fund_id, money.donor_id, 5_000_000, dt.date(2026, 2, 5))
    response = as_role("treasurer").post(f"/donations/{donation_id}/reverse", {"reason": "  "})
    assert response.status_code == 422
    assert field_error(full_page(response), "reason")
    assert cash(app, seed.fund_id) == 5_000_000


def test_a_donation_whose_money_is_lent_cannot_be_reversed(app, seed, money, as_role):
    donation_id = factories.donate(app, seed.fund_id, money.donor_id, 10_000_000, dt.date(2025, 2, 1))
    loan_id = factories.disbursed_loan(app, seed.fund_id, money.person_id, 8_000_000, dt.date(2025, 3, 1))
    treasurer = as_role("treasurer")
    response = treasurer.post(f"/donations/{donation_id}/reverse", {"reason": "Thử hủy"})
    assert response.status_code == 422
    (message,) = form_errors(full_page(response))
    assert "8.000.000 ₫" in message
    # after part of the loan comes back, less of the donation is out on loan
    factories.repay(app, loan_id, 2_000_000, dt.date(2025, 4, 1))
    response = treasurer.post(f"/donations/{donation_id}/reverse", {"reason": "Thử hủy"})
    (message,) = form_errors(full_page(response))
    assert "6.000.000 ₫" in message
    with app.app_context():
        assert not db.session.get(Donation, donation_id).is_reversed
    assert cash(app, seed.fund_id) == 10_000_000 - 8_000_000 + 2_000_000


def test_donation_page_shows_the_loans_its_money_went_into(app, seed, money, as_role):
    donation_id = factories.donate(app, seed.fund_id, money.donor_id, 10_000_000, dt.date(2025, 2, 1))
    loan_id = factories.disbursed_loan(app, seed.fund_id, money.person_id, 8_000_000, dt.date(2025, 3, 1))
    page = full_page(as_role("viewer").get(f"/donations/{donation_id}"))
    assert f'href="/loans/{loan_id}"' in page and "8.000.000 ₫" in page
    assert "Nguyễn Văn An" not in page


# ------------------------------------------------------------------ who may do what


@pytest.mark.parametrize(
    "role, get_status, post_status",
    [("treasurer", 200, 303), ("chair", 200, 403), ("viewer", 200, 403), ("member", 403, 403)],
)
def test_roles(app, seed, money, as_role, role, get_status, post_status):
    donation_id = factories.donate(app, seed.fund_id, money.donor_id, 5_000_000, dt.date(2026, 2, 5))
    user = as_role(role)
    for url in ("/donations", f"/donations/{donation_id}", f"/donations/{donation_id}/receipt"):
        assert user.get(url).status_code == get_status, url
    assert user.post("/donations", donation_data(money.donor_id)).status_code == post_status
    reversal = user.post(f"/donations/{donation_id}/reverse", {"reason": "Ghi nhầm"})
    assert reversal.status_code == post_status
    assert len(donations_of(app, seed.fund_id)) == (2 if post_status == 303 else 1)
    with app.app_context():
        assert db.session.get(Donation, donation_id).is_reversed == (post_status == 303)


def test_the_reverse_form_is_for_the_treasurer_only(app, seed, money, as_role):
    donation_id = factories.donate(app, seed.fund_id, money.donor_id, 5_000_000, dt.date(2026, 2, 5))
    for role in ("chair", "viewer"):
        page = full_page(as_role(role).get(f"/donations/{donation_id}"))
        assert "/reverse" not in page


def test_new_donor_fragment_is_for_the_treasurer(seed, as_role):
    for role in ("chair", "viewer", "member"):
        assert as_role(role).get("/donations/new-donor", headers={"HX-Request": "true"}).status_code == 403


@pytest.mark.parametrize(
    "method, url",
    [
        ("GET", "/donations/{id}"),
        ("GET", "/donations/{id}/receipt"),
        ("POST", "/donations/{id}/reverse"),
    ],
)
def test_another_funds_donation_is_not_found(app, seed, money, as_role, method, url):
    foreign = factories.donate(
        app, seed.other_fund_id, money.foreign_donor_id, 5_000_000, dt.date(2026, 2, 5)
    )
    treasurer = as_role("treasurer")
    url = url.format(id=foreign)
    response = treasurer.get(url) if method == "GET" else treasurer.post(url, {"reason": "Ghi nhầm"})
    assert response.status_code == 404
    with app.app_context():
        assert not db.session.get(Donation, foreign).is_reversed
    assert cash(app, seed.other_fund_id) == 5_000_000


def test_a_donation_cannot_be_posted_without_the_csrf_token(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    response = treasurer.client.post("/donations", data=donation_data(money.donor_id))
    assert response.status_code == 400
    assert donations_of(app, seed.fund_id) == []


def test_a_donation_earmarked_for_a_loan_pays_that_loan_out_first(app, money, seed, as_role):
    """DESIGN §3: an earmark names a person or a loan. Earmarked for a loan waiting to be paid out,
    the donation's money goes into that loan before older money does."""
    treasurer = as_role("treasurer")
    older = factories.donate(app, seed.fund_id, money.donor_id, 10_000_000, dt.date(2026, 1, 2))
    loan_id = factories.approved_loan(
        app, seed.fund_id, money.other_person_id, 4_000_000, on=dt.date(2026, 1, 20)
    )
    form_page = treasurer.get("/donations").get_data(as_text=True)
    assert f'<option value="{loan_id}">#{loan_id} · Lê Thị Bích · 4.000.000 ₫</option>' in form_page
    both = treasurer.post(
        "/donations",
        donation_data(
            money.donor_id,
            amount="4.000.000",
            earmark_person_id=str(money.person_id),
            earmark_loan_id=str(loan_id),
        ),
    )
    assert both.status_code == 422 and "không phải cả hai" in both.get_data(as_text=True)
    saved = treasurer.post(
        "/donations", donation_data(money.donor_id, amount="4.000.000", earmark_loan_id=str(loan_id))
    )
    assert saved.status_code == 303
    page = treasurer.get(saved.location.removesuffix("/receipt")).get_data(as_text=True)
    assert f'href="/loans/{loan_id}">#{loan_id}</a>' in page
    with app.app_context():
        earmarked = db.session.scalar(sa.select(Donation.id).where(Donation.earmark_loan_id == loan_id))
        journal.disburse(db.session.get(Loan, loan_id), dt.date(2026, 2, 10), None)
        db.session.commit()
        fundings = db.session.execute(
            sa.select(Funding.donation_id, Funding.amount).where(Funding.loan_id == loan_id)
        ).all()
    assert [(d, int(a)) for d, a in fundings] == [(earmarked, 4_000_000)] and earmarked != older
    # a loan already paid out cannot be earmarked any more
    late = treasurer.post("/donations", donation_data(money.donor_id, earmark_loan_id=str(loan_id)))
    assert late.status_code == 422
