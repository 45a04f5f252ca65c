"""A form sent twice is saved once (tracker/web/once.py): the answer to a repayment lost on a poor
connection, and the treasurer presses the button again."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.conftest import serving
from tests.test_concurrency import all_at_once, logged_in  # noqa: F401 (a fixture)
from tracker.extensions import db
from tracker.models import (
    CommitteeMember,
    Donation,
    Donor,
    FormSubmission,
    JournalTransaction,
    Loan,
    Person,
    Repayment,
    Visit,
)
from tracker.money import balances
from tracker.web import once

FORM_KEY = re.compile(r'<input name="form_key" type="hidden" value="([^"]+)">')
ALREADY = "biểu mẫu được gửi hai lần và chỉ được ghi một lần"


def form_key(page: str) -> str:
    """The key of the one form on the page that creates something."""
    keys = FORM_KEY.findall(page)
    assert len(keys) == 1, keys
    return keys[0]


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def outstanding(app, loan_id: int) -> int:
    with app.app_context():
        return balances.loan_balances([loan_id])[loan_id].outstanding


def test_a_repayment_sent_twice_is_recorded_once(app, as_role, active_loan):
    treasurer = as_role("treasurer")
    key = form_key(treasurer.get(f"/loans/{active_loan}").get_data(as_text=True))
    repayment = {"amount": "500.000", "paid_on": "2026-03-01", "method": "cash", "form_key": key}

    first = treasurer.post(f"/loans/{active_loan}/repayments", repayment)
    assert first.status_code == 303
    again = treasurer.post(f"/loans/{active_loan}/repayments", repayment)
    assert again.status_code == 303 and again.location == first.location == f"/loans/{active_loan}"
    page = treasurer.get(again.location).get_data(as_text=True)
    assert ALREADY in page
    assert count(app, Repayment, Repayment.loan_id == active_loan) == 1
    assert outstanding(app, active_loan) == 2_500_000

    # htmx: the page is loaded again (a redirect would be swapped into the form's place)
    twice_more = treasurer.post(f"/loans/{active_loan}/repayments", repayment, htmx=True)
    assert twice_more.status_code == 200 and twice_more.headers["HX-Redirect"] == f"/loans/{active_loan}"
    assert count(app, Repayment, Repayment.loan_id == active_loan) == 1

    # the form shown after the repayment carries a new key: the next repayment is saved
    next_key = form_key(treasurer.get(f"/loans/{active_loan}").get_data(as_text=True))
    assert next_key != key
    assert (
        treasurer.post(
            f"/loans/{active_loan}/repayments", {**repayment, "form_key": next_key}, htmx=True
        ).status_code
        == 200
    )
    assert outstanding(app, active_loan) == 2_000_000


def test_a_refused_form_corrected_and_sent_again_with_its_key_is_saved(app, as_role, active_loan):
    treasurer = as_role("treasurer")
    key = form_key(treasurer.get(f"/loans/{active_loan}").get_data(as_text=True))
    too_much = {"amount": "3.000.001", "paid_on": "2026-03-01", "method": "cash", "form_key": key}
    refused = treasurer.post(f"/loans/{active_loan}/repayments", too_much)
    assert refused.status_code == 422
    assert form_key(refused.get_data(as_text=True)) == key  # the form comes back with its key
    corrected = treasurer.post(f"/loans/{active_loan}/repayments", {**too_much, "amount": "3.000.000"})
    assert corrected.status_code == 303
    assert outstanding(app, active_loan) == 0
    with app.app_context():
        assert db.session.scalar(sa.select(Loan.status).where(Loan.id == active_loan)) == "repaid"


def test_a_donation_sent_twice_keeps_its_receipt_numbers_without_a_gap(app, as_role, money, seed):
    treasurer = as_role("treasurer")
    key = form_key(treasurer.get("/donations").get_data(as_text=True))
    donation = {
        "donor_id": money.donor_id,
        "amount": "5.000.000",
        "received_on": "2026-02-05",
        "method": "cash",
        "form_key": key,
    }
    first = treasurer.post("/donations", donation)
    again = treasurer.post("/donations", donation)
    assert again.status_code == 303 and again.location == first.location  # the first donation's page
    second_form = form_key(treasurer.get("/donations").get_data(as_text=True))
    assert treasurer.post("/donations", {**donation, "form_key": second_form}).status_code == 303
    with app.app_context():
        receipts = db.session.scalars(sa.select(Donation.receipt_no).order_by(Donation.id)).all()
        cash = balances.cash_balance(seed.fund_id)
    assert receipts == ["PT-2026-0001", "PT-2026-0002"]
    assert cash == 10_000_000


@pytest.mark.parametrize(
    ("role", "page", "action", "data", "model"),
    [
        (
            "treasurer",
            "/loans",
            "/loans",
            {
                "principal": "5.000.000",
                "purpose": "Nuôi gà",
                "term_months": "12",
                "grace_months": "0",
                "applied_on": "2026-02-01",
            },
            Loan,
        ),
        ("member", "/people/{person}", "/visits", {"summary": "Đã có việc làm."}, Visit),
        (
            "chair",
            "/people",
            "/people",
            {"full_name": "Đỗ Văn Mới", "consent_recorded_on": "2026-02-01"},
            Person,
        ),
        ("treasurer", "/donors", "/donors", {"name": "Cô Lan", "kind": "individual"}, Donor),
        ("chair", "/members", "/members", {"full_name": "Hoàng Thị Mai"}, CommitteeMember),
    ],
)
def test_every_form_that_creates_something_saves_once(app, as_role, money, role, page, action, data, model):
    user = as_role(role)
    key = form_key(user.get(page.format(person=money.person_id)).get_data(as_text=True))
    data = {**data, "person_id": money.person_id, "form_key": key}
    before = count(app, model)
    first = user.post(action, data)
    assert first.status_code == 303, first.get_data(as_text=True)[:2000]
    again = user.post(action, data)
    assert again.status_code == 303 and again.location == first.location
    assert count(app, model) == before + 1


def test_forms_without_a_key_are_saved_each_time_as_before(app, as_role, active_loan):
    treasurer = as_role("treasurer")
    repayment = {"amount": "100.000", "paid_on": "2026-03-01", "method": "cash"}
    for _ in range(2):
        assert treasurer.post(f"/loans/{active_loan}/repayments", repayment).status_code == 303
    # a mangled key is no key: saved, and no error the user could not see
    for mangled in ("x", "a b c d e f g h i j k l", "é" * 20):
        response = treasurer.post(f"/loans/{active_loan}/repayments", {**repayment, "form_key": mangled})
        assert response.status_code == 303
    assert count(app, Repayment, Repayment.loan_id == active_loan) == 5
    assert count(app, FormSubmission) == 0  # nothing to remember for a form that carried no key


def test_keys_are_the_users_own(app, as_role, money, seed):
    key = form_key(as_role("chair").get("/people").get_data(as_text=True))
    person = {"full_name": "Đỗ Văn Mới", "consent_recorded_on": "2026-02-01", "form_key": key}
    assert as_role("chair").post("/people", person).status_code == 303
    # another login that sends the same key (it cannot know it; say it did) still saves its own
    assert as_role("member").post("/people", person).status_code in (303, 403)
    with app.app_context():
        rows = db.session.execute(sa.select(FormSubmission.user_id, FormSubmission.key)).all()
    assert [row.key for row in rows] == [key]


def test_keys_older_than_thirty_days_are_dropped(app, as_role, active_loan):
    treasurer = as_role("treasurer")
    old_key = form_key(treasurer.get(f"/loans/{active_loan}").get_data(as_text=True))
    repayment = {"amount": "100.000", "paid_on": "2026-03-01", "method": "cash", "form_key": old_key}
    assert treasurer.post(f"/loans/{active_loan}/repayments", repayment).status_code == 303
    with app.app_context():
        db.session.execute(
            sa.update(FormSubmission).values(
                saved_at=FormSubmission.saved_at - dt.timedelta(days=once.KEPT_DAYS, seconds=1)
            )
        )
        db.session.commit()
    new_key = form_key(treasurer.get(f"/loans/{active_loan}").get_data(as_text=True))
    assert (
        treasurer.post(f"/loans/{active_loan}/repayments", {**repayment, "form_key": new_key}).status_code
        == 303
    )
    with app.app_context():
        assert db.session.scalars(sa.select(FormSubmission.key)).all() == [new_key]


def the_same_form_eight_times_at_once(app, log_in, username: str, page: str, action: str, data: dict):
    """Send one form (its key taken from `page`) eight times at the same moment against a running
    server, as a user pressing again and again on a slow network does; the answers."""
    with serving(app) as base:
        session, token = log_in(base, username)
        key = form_key(session.get(f"{base}{page}").text)
        form = {**data, "csrf_token": token, "form_key": key}
        return all_at_once(
            8, lambda _i: session.post(f"{base}{action}", data=form, allow_redirects=False, timeout=60)
        )


def test_the_same_repayment_sent_eight_times_at_once_is_recorded_once(
    app,
    money,
    seed,
    active_loan,
    logged_in,  # noqa: F811
):
    """One repayment, one journal transaction, on SQLite and on PostgreSQL (the loan's row lock
    puts the sendings one after another, and each after the first finds the key)."""
    repayment = {"amount": "700.000", "paid_on": "2026-03-01", "method": "cash"}
    answers = the_same_form_eight_times_at_once(
        app, logged_in, "treasurer", f"/loans/{active_loan}", f"/loans/{active_loan}/repayments", repayment
    )
    assert [answer.status_code for answer in answers] == [303] * 8
    assert {answer.headers["Location"] for answer in answers} == {f"/loans/{active_loan}"}
    assert count(app, Repayment, Repayment.loan_id == active_loan) == 1
    assert count(app, JournalTransaction, JournalTransaction.event == "repayment") == 1
    assert outstanding(app, active_loan) == 2_300_000


def test_the_same_new_person_sent_eight_times_at_once_is_added_once(app, seed, logged_in):  # noqa: F811
    """Adding a person locks no row: the unique key alone decides (PostgreSQL makes the other
    INSERTs wait for the first transaction; SQLite runs writes one after another)."""
    person = {"full_name": "Đỗ Văn Mới", "consent_recorded_on": "2026-02-01"}
    answers = the_same_form_eight_times_at_once(app, logged_in, "chair", "/people", "/people", person)
    assert [answer.status_code for answer in answers] == [303] * 8
    assert len({answer.headers["Location"] for answer in answers}) == 1
    assert count(app, Person, Person.full_name == "Đỗ Văn Mới") == 1
