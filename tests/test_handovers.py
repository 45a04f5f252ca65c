"""A person moves to another commune: the chair hands the file to that commune's fund, whose chair
accepts it; until then nothing moves, and the loans stay in the books of the fund that lent."""

import datetime as dt

import sqlalchemy as sa

from tests.conftest import full_page
from tracker import casework, clock
from tracker.extensions import db
from tracker.models import Loan, Person, PersonHandover, PersonStatusChange, Visit

TODAY = clock.today()


def visit(app, person_id, days_ago, summary):
    with app.app_context():
        person = db.session.get(Person, person_id)
        casework.log_visit(
            person,
            mentor_id=person.mentor_id,
            visited_on=TODAY - dt.timedelta(days=days_ago),
            kind="home",
            summary=summary,
            livelihood="",
            concerns="",
            user_id=None,
        )
        db.session.commit()


def propose(chair, person_id, to_fund_id, reason="Theo gia đình chuyển đến xã Khác"):
    return chair.post(f"/people/{person_id}/handover", {"to_fund_id": str(to_fund_id), "reason": reason})


def counts(app, model, **where):
    with app.app_context():
        query = sa.select(sa.func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return db.session.scalar(query)


def test_a_file_moves_only_when_the_receiving_chair_accepts(app, seed, money, as_role, active_loan):
    visit(app, money.person_id, 40, "Gia đình ổn định")
    visit(app, money.person_id, 10, "Chuẩn bị chuyển nhà")
    chair, other_chair = as_role("chair"), as_role("other_chair")
    assert as_role("treasurer").post(f"/people/{money.person_id}/handover", {}).status_code == 403
    assert propose(chair, money.person_id, seed.other_fund_id).status_code == 303
    # proposed: nothing has moved, and it cannot be proposed twice
    assert counts(app, Person, fund_id=seed.other_fund_id) == 1  # fund B's own person only
    again = propose(chair, money.person_id, seed.other_fund_id)
    assert "đang chờ" in full_page(chair.get(again.headers["Location"]))
    assert counts(app, PersonHandover) == 1
    with app.app_context():
        handover = db.session.scalars(sa.select(PersonHandover)).one()
        assert (handover.status, handover.new_person_id) == ("pending", None)
    # the sending chair cannot accept it; the receiving chair sees it and accepts
    assert chair.post(f"/handovers/{handover.id}/accept", {}).status_code == 404
    inbox = full_page(other_chair.get("/handovers"))
    assert "Nguyễn Văn An" in inbox or handover_name(app, money.person_id) in inbox
    accepted = other_chair.post(f"/handovers/{handover.id}/accept", {})
    assert accepted.status_code == 303
    with app.app_context():
        handover = db.session.get(PersonHandover, handover.id)
        new = db.session.get(Person, handover.new_person_id)
        old = db.session.get(Person, money.person_id)
        assert (new.fund_id, new.full_name, new.status, new.mentor_id) == (
            seed.other_fund_id,
            old.full_name,
            "supported",
            None,
        )
        assert new.next_visit_on == TODAY  # in the receiving fund's visit queue
        assert (old.status, old.next_visit_on, old.mentor_id) == ("moved", None, None)
        copied = db.session.scalars(
            sa.select(Visit.summary).where(Visit.person_id == new.id).order_by(Visit.visited_on)
        ).all()
        assert copied == ["Gia đình ổn định", "Chuẩn bị chuyển nhà"]
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(Visit).where(Visit.person_id == old.id))
            == 2
        )  # the sending fund keeps the record of its own work
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(PersonStatusChange)
                .where(PersonStatusChange.person_id == old.id, PersonStatusChange.to_status == "moved")
            )
            == 1
        )
        loan = db.session.get(Loan, active_loan)
        assert (loan.fund_id, loan.person_id, loan.status) == (seed.fund_id, old.id, "active")  # stays
    # the receiving fund opens the new file; the loan page of the lending fund says where he went
    assert "Quỹ xã Hồng Sơn" in full_page(other_chair.get(accepted.headers["Location"]))
    assert "Quỹ xã Khác" in full_page(chair.get(f"/loans/{active_loan}"))
    # the sending fund cannot open the new file, nor the receiving one the old
    assert chair.get(accepted.headers["Location"]).status_code == 404
    assert other_chair.get(f"/people/{money.person_id}").status_code == 404


def handover_name(app, person_id):
    with app.app_context():
        return db.session.get(Person, person_id).full_name


def test_a_handover_can_be_withdrawn_or_declined(app, seed, money, as_role):
    chair, other_chair = as_role("chair"), as_role("other_chair")
    assert propose(chair, money.person_id, seed.other_fund_id).status_code == 303
    with app.app_context():
        first = db.session.scalars(sa.select(PersonHandover)).one().id
    assert chair.post(f"/handovers/{first}/decline", {}).status_code == 404  # only the receiving fund
    assert other_chair.post(f"/handovers/{first}/withdraw", {}).status_code == 404  # only the sender
    assert other_chair.post(f"/handovers/{first}/decline", {}).status_code == 303  # declined
    assert counts(app, PersonHandover, status="cancelled") == 1
    assert other_chair.post(f"/handovers/{first}/accept", {}).status_code == 303  # already settled
    assert counts(app, Person, fund_id=seed.other_fund_id) == 1
    assert propose(chair, money.person_id, seed.other_fund_id).status_code == 303  # proposed again
    with app.app_context():
        second = (
            db.session.scalars(sa.select(PersonHandover).where(PersonHandover.status == "pending")).one().id
        )
    assert chair.post(f"/handovers/{second}/withdraw", {}).status_code == 303  # withdrawn
    with app.app_context():
        assert db.session.get(Person, money.person_id).status == "supported"


def test_a_handover_needs_a_receiving_fund_and_a_reason(app, seed, money, as_role):
    chair = as_role("chair")
    for form in (
        {"to_fund_id": "0", "reason": "Chuyển đi"},
        {"to_fund_id": str(seed.other_fund_id), "reason": ""},
    ):
        response = chair.post(f"/people/{money.person_id}/handover", form)
        assert response.status_code == 303
        assert 'class="flash flash-error"' in full_page(chair.get(response.headers["Location"]))
    own = chair.post(f"/people/{money.person_id}/handover", {"to_fund_id": str(seed.fund_id), "reason": "x"})
    assert own.status_code == 303
    assert counts(app, PersonHandover) == 0
