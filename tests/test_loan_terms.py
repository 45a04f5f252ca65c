"""A loan as a commune makes it: the family behind it, the amount the committee approves, and its
schedule changed when life gets in the way (reschedule, pause), as new versions that keep the old."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.factories import approved_loan, disbursed_loan, donate, repay, requested_loan, user_id
from tracker import clock
from tracker.extensions import db
from tracker.models import AuditEvent, Fund, Installment, JournalLine, Loan, ScheduleChange
from tracker.money import balances, schedules
from tracker.queries import reports


def installments_of(app, loan_id, *, in_force_on=None):
    with app.app_context():
        query = sa.select(Installment.version, Installment.due_on, Installment.amount_due).where(
            Installment.loan_id == loan_id
        )
        if in_force_on is not None:
            query = query.where(Installment.in_force(in_force_on))
        return [
            tuple(row) for row in db.session.execute(query.order_by(Installment.version, Installment.number))
        ]


def position(app, loan_id, as_of):
    with app.app_context():
        return balances.loan_positions([loan_id], as_of)[loan_id]


# ------------------------------------------------------------------ the application and the decision


def test_the_application_records_who_stands_behind_the_loan(app, money, as_role):
    treasurer = as_role("treasurer")
    form = {
        "person_id": money.person_id,
        "principal": "12.000.000",
        "purpose": "Nuôi bò sinh sản",
        "term_months": "12",
        "grace_months": "1",
        "applied_on": clock.today().isoformat(),
        "guarantor_name": "Trần Thị Hoa",
        "guarantor_relation": "Vợ",
        "guarantor_phone": "0912 345 678",
        "guarantor_address": "Thôn Đông",
        "hamlet_head_name": "Lê Văn Tám",
    }
    response = treasurer.post("/loans", form)
    assert response.status_code == 303
    with app.app_context():
        loan = db.session.scalars(sa.select(Loan).order_by(Loan.id.desc())).first()
        assert (
            loan.guarantor_name,
            loan.guarantor_relation,
            loan.guarantor_phone,
            loan.hamlet_head_name,
        ) == (
            "Trần Thị Hoa",
            "Vợ",
            "0912 345 678",
            "Lê Văn Tám",
        )
    page = treasurer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Trần Thị Hoa (Vợ)" in page and "Lê Văn Tám" in page


@pytest.mark.parametrize(
    "change, field",
    [
        ({"guarantor_relation": ""}, "guarantor_relation"),  # a guarantor with no relation
        ({"grace_months": "12"}, "grace_months"),  # the grace is part of the term
        ({"principal": "5.000"}, "principal"),  # 11 installments need 11.000 ₫ at least
    ],
)
def test_an_application_that_cannot_be_lent_is_refused(app, money, as_role, change, field):
    form = {
        "person_id": money.person_id,
        "principal": "12.000.000",
        "purpose": "Nuôi bò",
        "term_months": "12",
        "grace_months": "1",
        "applied_on": clock.today().isoformat(),
        "guarantor_name": "Trần Thị Hoa",
        "guarantor_relation": "Vợ",
    }
    response = as_role("treasurer").post("/loans", {**form, **change})
    assert response.status_code == 422
    assert f'{field}-error"' in response.get_data(as_text=True)  # the error next to its field
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Loan.id))) == 0


def test_the_committee_may_lend_less_than_asked(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 20_000_000, dt.date(2026, 1, 2))
    loan_id = requested_loan(app, seed.fund_id, money.person_id, 12_000_000, term=6, on=dt.date(2026, 1, 3))
    chair = as_role("chair")
    form = {"minutes_ref": "BB 02/2026", "decided_on": "2026-01-05", "attendees": "9", "votes_for": "8"}
    refused = chair.post(f"/loans/{loan_id}/approve", {**form, "approved_amount": "15.000.000"})
    assert refused.status_code == 422
    assert "12.000.000 ₫" in refused.get_data(as_text=True)  # at most what was asked for
    too_many_votes = chair.post(
        f"/loans/{loan_id}/approve", {**form, "approved_amount": "6.000.000", "votes_against": "2"}
    )
    assert too_many_votes.status_code == 422
    assert (
        chair.post(f"/loans/{loan_id}/approve", {**form, "approved_amount": "6.000.000"}).status_code == 303
    )
    with app.app_context():
        loan = db.session.get(Loan, loan_id)
        assert (loan.principal, loan.approved_amount, loan.attendees, loan.votes_for, loan.votes_against) == (
            12_000_000,
            6_000_000,
            9,
            8,
            None,
        )
    assert (
        as_role("treasurer").post(f"/loans/{loan_id}/disburse", {"disbursed_on": "2026-01-10"}).status_code
        == 303
    )
    # the phiếu chi, the schedule and the donors' funding follow the approved amount
    assert [amount for _v, _d, amount in installments_of(app, loan_id)] == [1_000_000] * 6
    with app.app_context():
        lines = db.session.scalars(
            sa.select(JournalLine.amount).where(
                JournalLine.loan_id == loan_id, JournalLine.account == "receivable"
            )
        ).all()
        assert lines == [6_000_000]
        assert balances.cash_balance(seed.fund_id) == 14_000_000
    page = chair.get(f"/loans/{loan_id}").get_data(as_text=True)
    assert "12.000.000 ₫" in page and "6.000.000 ₫" in page


# ------------------------------------------------------------------ the fund's collection day


def test_installments_fall_on_the_funds_collection_day(app, seed, money, as_role):
    chair = as_role("chair")
    assert as_role("treasurer").get("/settings").status_code == 403
    assert chair.post("/settings", {"collection_day": "29"}).status_code == 422
    assert chair.post("/settings", {"collection_day": "6"}).status_code == 303
    with app.app_context():
        assert db.session.get(Fund, seed.fund_id).collection_day == 6
        assert (
            db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "fund.settings"
        )
    donate(app, seed.fund_id, money.donor_id, 10_000_000, dt.date(2026, 10, 1))
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, 6_000_000, dt.date(2026, 10, 20), term=6)
    assert [day for _v, day, _a in installments_of(app, loan_id)] == [
        dt.date(2026, 11, 6),
        dt.date(2026, 12, 7),  # 06/12/2026 is a Sunday
        dt.date(2027, 1, 6),
        dt.date(2027, 2, 11),  # Tết: 06/02/2027 is Mùng 1, the holiday runs to 10/02
        dt.date(2027, 3, 6),
        dt.date(2027, 4, 6),
    ]


# ------------------------------------------------------------------ reschedule (gia hạn)


def reschedule_form(**change):
    return {
        "installments": "6",
        "first_due_on": "2027-01-15",
        "minutes_ref": "BB họp Tổ 05/12/2026",
        "reason": "Mất mùa, xin giãn thời hạn trả",
        **change,
    }


def test_a_reschedule_spreads_what_is_left_and_keeps_the_old_schedule(app, seed, as_role, active_loan):
    repay(app, active_loan, 1_000_000, dt.date(2026, 2, 10))
    today = clock.today()
    assert position(app, active_loan, today).arrears.overdue_amount == 2_000_000
    assert as_role("treasurer").post(f"/loans/{active_loan}/reschedule", reschedule_form()).status_code == 403
    chair = as_role("chair")
    assert chair.post(f"/loans/{active_loan}/reschedule", reschedule_form()).status_code == 303
    rows = installments_of(app, active_loan, in_force_on=today)
    assert rows == [
        (2, dt.date(2026, 2, 10), 1_000_000),  # what is paid stays on its date
        (2, dt.date(2027, 1, 15), 333_000),
        (2, dt.date(2027, 2, 15), 333_000),
        (2, dt.date(2027, 3, 15), 333_000),
        (2, dt.date(2027, 4, 15), 333_000),
        (2, dt.date(2027, 5, 15), 333_000),
        (2, dt.date(2027, 6, 15), 335_000),
    ]
    # arrears count against the version in force: nothing is late today, and a report of an
    # earlier day still reads the schedule that was in force then
    assert position(app, active_loan, today).arrears.overdue_amount == 0
    assert position(app, active_loan, today - dt.timedelta(days=1)).arrears.overdue_amount == 2_000_000
    assert len(installments_of(app, active_loan, in_force_on=today - dt.timedelta(days=1))) == 3
    with app.app_context():
        change = db.session.scalars(sa.select(ScheduleChange)).one()
        assert (change.kind, change.version, change.outstanding, change.made_on) == (
            "reschedule",
            2,
            2_000_000,
            today,
        )
        assert change.created_by_id == user_id("chair")
        assert (
            db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc()))
            == "loan.reschedule"
        )
    page = chair.get(f"/loans/{active_loan}").get_data(as_text=True)
    assert 'id="schedule-versions"' in page
    assert "<del>10/03/2026</del>" in page  # the old schedule, struck through
    assert "BB họp Tổ 05/12/2026" in page
    assert "15/01/2027" in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"first_due_on": clock.today().isoformat()}, "after today"),
        ({"installments": "0"}, None),
        ({"minutes_ref": ""}, None),
        ({"reason": ""}, None),
    ],
)
def test_a_reschedule_that_makes_no_sense_is_refused(app, as_role, active_loan, change, message):
    response = as_role("chair").post(f"/loans/{active_loan}/reschedule", reschedule_form(**change))
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ScheduleChange.id))) == 0
    assert len(installments_of(app, active_loan)) == 3


def test_only_an_active_loan_can_be_rescheduled(app, seed, money, as_role):
    loan_id = approved_loan(app, seed.fund_id, money.person_id, 3_000_000, term=3)
    assert as_role("chair").post(f"/loans/{loan_id}/reschedule", reschedule_form()).status_code == 422


# ------------------------------------------------------------------ pause (khoanh nợ)


def test_a_pause_stops_arrears_and_the_aging_report_lists_it_apart(app, seed, money, as_role):
    today = clock.today()
    start = today - dt.timedelta(days=100)
    donate(app, seed.fund_id, money.donor_id, 20_000_000, start - dt.timedelta(days=1))
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, 12_000_000, start, term=12)
    before = position(app, loan_id, today).arrears
    assert before.overdue_amount == 3_000_000
    form = {
        "paused_from": today.isoformat(),
        "paused_until": (today + dt.timedelta(days=90)).isoformat(),
        "reason": "Người vay nằm viện điều trị dài ngày",
    }
    chair = as_role("chair")
    assert chair.post(f"/loans/{loan_id}/pause", {**form, "paused_from": "2026-01-01"}).status_code == 422
    assert chair.post(f"/loans/{loan_id}/pause", form).status_code == 303
    # what fell due before the pause stays due; nothing more falls due while it lasts
    for days in (1, 30, 90):
        assert position(app, loan_id, today + dt.timedelta(days=days)).arrears.overdue_amount == 3_000_000
    rows = installments_of(app, loan_id, in_force_on=today)
    window = [day for _v, day, _a in rows if today <= day <= today + dt.timedelta(days=90)]
    assert window == []
    assert sum(amount for _v, _d, amount in rows) == 12_000_000
    with app.app_context():
        aging = reports.aging(seed.fund_id, today)
        assert [item.bucket for item in aging.loans if item.loan.loan_id == loan_id] == [reports.PAUSED]
        assert {row.bucket: row.loans for row in aging.rows}[reports.PAUSED] == 1
        assert schedules.paused_on([loan_id], today - dt.timedelta(days=1)) == {}
    page = chair.get(f"/loans/{loan_id}").get_data(as_text=True)
    assert 'id="pause"' in page and "nằm viện" in page
    assert chair.get("/reports/aging").get_data(as_text=True).count('data-bucket="paused"') == 2


# ------------------------------------------------------------------ life events meet the loan


def status_form(**change):
    return {
        "status": "moved",
        "changed_on": clock.today().isoformat(),
        "reason": "Theo gia đình chuyển đi",
        **change,
    }


def test_a_move_with_a_loan_open_asks_what_happens_to_the_loan(app, money, as_role, active_loan):
    chair = as_role("chair")
    page = chair.get(f"/people/{money.person_id}").get_data(as_text=True)
    assert 'name="loan_action"' in page
    asked = chair.post(f"/people/{money.person_id}/status", status_form())
    assert asked.status_code == 422
    assert "loan_action-error" in asked.get_data(as_text=True)
    nameless = chair.post(f"/people/{money.person_id}/status", status_form(loan_action="family"))
    assert nameless.status_code == 422
    family = status_form(loan_action="family", payer_name="Trần Thị Hoa", payer_relation="Vợ")
    assert chair.post(f"/people/{money.person_id}/status", family).status_code == 303
    with app.app_context():
        loan = db.session.get(Loan, active_loan)
        assert (loan.payer_name, loan.payer_relation, loan.status) == ("Trần Thị Hoa", "Vợ", "active")
        assert loan.person.status == "moved"
    assert "Trần Thị Hoa (Vợ)" in chair.get(f"/loans/{active_loan}").get_data(as_text=True)


@pytest.mark.parametrize(
    "action, anchor",
    [("reschedule", "change-terms"), ("pause", "change-terms"), ("write_off", "corrections")],
)
def test_a_death_leads_to_the_loans_own_decision(app, money, as_role, active_loan, action, anchor):
    chair = as_role("chair")
    response = chair.post(
        f"/people/{money.person_id}/status",
        status_form(status="deceased", reason="Đã mất do bệnh", loan_action=action),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/loans/{active_loan}#{anchor}")
    with app.app_context():
        assert db.session.get(Loan, active_loan).status == "active"  # the committee decides it there


def test_a_person_without_an_open_loan_is_not_asked(app, money, as_role):
    chair = as_role("chair")
    assert 'name="loan_action"' not in chair.get(f"/people/{money.person_id}").get_data(as_text=True)
    assert chair.post(f"/people/{money.person_id}/status", status_form()).status_code == 303
