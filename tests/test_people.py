"""People helped: the file, search, who sees whom, status and mentor history, access logging."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.conftest import fragment, full_page
from tests.factories import add_person, approved_loan
from tracker import clock
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CommitteeMember,
    MentorAssignment,
    Person,
    PersonAccess,
    PersonStatusChange,
)
from tracker.money import balances

NEW_PERSON = {
    "full_name": "Lê Văn Dũng",
    "consent_recorded_on": "2026-01-05",
    "birth_year": "1985",
    "gender": "male",
    "phone": "0912 345 678",
    "address": "Thôn Đông",
    "released_on": "2025-12-01",
    "certificate_type": "sentence_completed",
    "family_circumstances": "Vợ và hai con nhỏ",
    "needs": "Vốn nuôi bò",
    "mentor_id": "0",
    "visit_interval_days": "30",
}


def people(app, **filters):
    with app.app_context():
        return db.session.scalars(sa.select(Person).filter_by(**filters)).all()


def test_chair_adds_a_person_with_only_name_and_consent_required(app, seed, as_role):
    chair = as_role("chair")
    response = chair.post(
        "/people", {"full_name": "Trần Văn Tư", "consent_recorded_on": "2026-02-01", "mentor_id": "0"}
    )
    assert response.status_code == 303
    [person] = people(app, full_name="Trần Văn Tư")
    assert person.status == "supported" and person.next_visit_on == clock.today()
    assert person.birth_year is None and person.phone == ""


@pytest.mark.parametrize(
    "bad",
    [
        {"full_name": ""},
        {"consent_recorded_on": ""},
        {"consent_recorded_on": "2099-01-01"},
        {"birth_year": "1850"},
        {"phone": "123"},
        {"gender": "robot"},
        {"visit_interval_days": "1"},
        {"mentor_id": "999999"},
    ],
)
def test_bad_person_input_is_refused(app, seed, as_role, bad):
    response = as_role("chair").post("/people", {**NEW_PERSON, **bad})
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert people(app) == []


@pytest.mark.parametrize("role", ["treasurer", "member", "viewer"])
def test_only_the_chair_adds_people(app, seed, as_role, role):
    assert as_role(role).post("/people", NEW_PERSON).status_code == 403
    assert people(app) == []


def test_there_is_no_place_for_offence_details():
    columns = {column.name for column in Person.__table__.columns}
    assert not columns & {"offence", "crime", "charge", "sentence", "conviction", "toi_danh"}


def test_member_sees_only_their_own_people(app, money, seed, as_role):
    member = as_role("member")
    page = member.get("/people").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Lê Thị Bích" not in page
    assert member.get(f"/people/{money.person_id}").status_code == 200
    assert member.get(f"/people/{money.other_person_id}").status_code == 404
    assert member.get(f"/people/{money.foreign_person_id}").status_code == 404


def test_treasurer_sees_the_people_money_work_concerns(app, money, seed, as_role):
    loan_id = approved_loan(app, seed.fund_id, money.other_person_id, 5_000_000)
    treasurer = as_role("treasurer")
    page = treasurer.get("/people").get_data(as_text=True)
    assert "Lê Thị Bích" in page and "Nguyễn Văn An" not in page
    assert treasurer.get(f"/people/{money.person_id}").status_code == 404
    file = treasurer.get(f"/people/{money.other_person_id}").get_data(as_text=True)
    assert f'href="/loans/{loan_id}"' in file and "5.000.000 ₫" in file  # the loan, for money work
    assert 'id="status"' not in file and 'id="visit"' not in file  # casework is not money work


def test_viewer_and_chair_see_everyone_of_their_fund_only(app, money, seed, as_role):
    for role in ("viewer", "chair"):
        page = as_role(role).get("/people").get_data(as_text=True)
        assert "Nguyễn Văn An" in page and "Lê Thị Bích" in page and "Trần Văn Xa" not in page
    assert as_role("chair").get(f"/people/{money.foreign_person_id}").status_code == 404


@pytest.mark.parametrize(
    "query, expected",
    [
        ("dung", ["Lê Văn Dũng"]),  # accents optional
        ("DŨNG", ["Lê Văn Dũng"]),
        ("0987", ["Phạm Thị Hoa"]),
        ("thon tay", ["Phạm Thị Hoa"]),
        ("van", ["Lê Văn Dũng", "Đỗ Văn Đức"]),
        ("zzz", []),
        ("%", []),
    ],
)
def test_search_by_name_phone_or_hamlet(app, seed, as_role, query, expected):
    with app.app_context():
        for name, phone, hamlet in (
            ("Lê Văn Dũng", "0912345678", "Thôn Đông"),
            ("Phạm Thị Hoa", "0987654321", "Thôn Tây"),
            ("Đỗ Văn Đức", "", "Thôn Nam"),
        ):
            person = Person(
                fund_id=seed.fund_id, consent_recorded_on=dt.date(2026, 1, 1), phone=phone, address=hamlet
            )
            person.set_name(name)
            db.session.add(person)
        db.session.commit()
    response = as_role("chair").get(
        f"/people?q={query}", headers={"HX-Request": "true", "HX-Target": "people-results"}
    )
    html = fragment(response)
    found = [name for name in ("Lê Văn Dũng", "Phạm Thị Hoa", "Đỗ Văn Đức") if name in html]
    assert found == expected


def test_search_answers_a_fragment_to_htmx_and_a_page_otherwise(app, money, as_role):
    chair = as_role("chair")
    partial = chair.get("/people?q=an", headers={"HX-Request": "true", "HX-Target": "people-results"})
    assert fragment(partial).lstrip().startswith('<div id="people-results">')
    assert "HX-Request" in partial.headers["Vary"]
    whole = chair.get("/people?q=an")
    assert 'id="people-results"' in full_page(whole)
    assert "HX-Request" in whole.headers["Vary"]
    boosted = chair.get("/people?q=an", headers={"HX-Request": "true", "HX-Boosted": "true"})
    full_page(boosted)


def test_filters_by_status_and_mentor(app, money, seed, as_role):
    chair = as_role("chair")
    chair.post(
        f"/people/{money.other_person_id}/status",
        {"status": "settled", "changed_on": "2026-02-01", "reason": "Có việc làm ổn định"},
    )
    settled = chair.get("/people?status=settled").get_data(as_text=True)
    assert "Lê Thị Bích" in settled and "Nguyễn Văn An" not in settled
    mine = chair.get(f"/people?mentor_id={seed.member_cm_id}").get_data(as_text=True)
    assert "Nguyễn Văn An" in mine and "Lê Thị Bích" not in mine
    with app.app_context():
        add_person(seed.fund_id, "Hà Văn Mới")
        db.session.commit()
    unassigned = chair.get("/people?mentor_id=none").get_data(as_text=True)
    assert "Hà Văn Mới" in unassigned and "Nguyễn Văn An" not in unassigned


def test_list_is_in_vietnamese_order_and_paginated(app, seed, as_role):
    names = [f"Nguyễn Văn {given}" for given in ("Đạt", "Dũng", "An", "Ánh", "Bình")] * 6
    with app.app_context():
        for index, name in enumerate(names):
            add_person(seed.fund_id, f"{name}", address=f"Thôn {index}")
        db.session.commit()
    chair = as_role("chair")
    first = chair.get("/people").get_data(as_text=True)
    second = chair.get("/people?page=2").get_data(as_text=True)
    assert first.count('class="card person"') == 25 and second.count('class="card person"') == 5
    order = [
        first.index(n) for n in ("Nguyễn Văn An<", "Nguyễn Văn Ánh<", "Nguyễn Văn Bình<", "Nguyễn Văn Dũng<")
    ]
    assert order == sorted(order)
    assert "Nguyễn Văn Đạt<" in second
    # the count rides on the page's rows; a page past the end counts on its own
    for page in (first, second, chair.get("/people?page=7").get_data(as_text=True)):
        assert "30 người" in page
    assert 'class="card person"' not in chair.get("/people?page=7").get_data(as_text=True)


def test_list_query_count_does_not_grow_with_people(app, seed, as_role, count_queries):
    chair = as_role("chair")

    def queries_for_list():
        return count_queries(lambda: chair.get("/people"))

    with app.app_context():
        for i in range(3):
            add_person(seed.fund_id, f"Người Thứ {i}", seed.member_cm_id)
        db.session.commit()
    few = queries_for_list()
    with app.app_context():
        for i in range(30):
            add_person(seed.fund_id, f"Người Khác {i}", seed.member_cm_id)
        db.session.commit()
    assert queries_for_list() == few


def test_every_opening_of_a_file_is_logged_and_not_cached(app, money, seed, as_role):
    chair = as_role("chair")
    response = chair.get(f"/people/{money.person_id}")
    assert response.headers["Cache-Control"] == "no-store"
    as_role("member").get(f"/people/{money.person_id}")
    with app.app_context():
        rows = db.session.execute(
            sa.select(PersonAccess.person_id, PersonAccess.action, PersonAccess.user_id).order_by(
                PersonAccess.id
            )
        ).all()
    assert [(r.person_id, r.action) for r in rows] == [(money.person_id, "view")] * 2
    assert rows[0].user_id != rows[1].user_id
    as_role("member").get(f"/people/{money.other_person_id}")  # refused: not logged as an opening
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonAccess)) == 2


def test_status_changes_keep_their_history_and_closed_cases_leave_the_queue(app, money, seed, as_role):
    chair = as_role("chair")
    assert (
        as_role("member").post(f"/people/{money.person_id}/status", {"status": "settled"}).status_code == 403
    )
    bad = chair.post(
        f"/people/{money.person_id}/status", {"status": "settled", "changed_on": "2026-03-01", "reason": ""}
    )
    assert bad.status_code == 422
    ok = chair.post(
        f"/people/{money.person_id}/status",
        {"status": "moved", "changed_on": "2026-03-01", "reason": "Chuyển vào Bình Dương làm việc"},
    )
    assert ok.status_code == 303
    [person] = people(app, id=money.person_id)
    assert person.status == "moved" and person.next_visit_on is None
    chair.post(
        f"/people/{money.person_id}/status",
        {"status": "supported", "changed_on": "2026-06-01", "reason": "Trở về địa phương"},
    )
    [person] = people(app, id=money.person_id)
    assert person.status == "supported" and person.next_visit_on is not None
    with app.app_context():
        history = db.session.execute(
            sa.select(PersonStatusChange.from_status, PersonStatusChange.to_status).order_by(
                PersonStatusChange.id
            )
        ).all()
    assert history == [("supported", "moved"), ("moved", "supported")]
    page = chair.get(f"/people/{money.person_id}").get_data(as_text=True)
    assert "Chuyển vào Bình Dương làm việc" in page and "01/06/2026" in page
    # a change dated before the last one would put the history out of order: refused, nothing written
    early = chair.post(
        f"/people/{money.person_id}/status",
        {"status": "settled", "changed_on": "2026-05-31", "reason": "Đã ổn định"},
    )
    assert early.status_code == 422
    assert "sớm hơn lần thay đổi gần nhất (01/06/2026)" in early.get_data(as_text=True)
    [person] = people(app, id=money.person_id)
    assert person.status == "supported"
    same_day = chair.post(
        f"/people/{money.person_id}/status",
        {"status": "settled", "changed_on": "2026-06-01", "reason": "Đã ổn định"},
    )
    assert same_day.status_code == 303


def test_mentor_assignment_by_the_chair_with_history(app, money, seed, as_role):
    with app.app_context():
        newcomer = CommitteeMember(fund_id=seed.fund_id, position="Trưởng thôn")
        newcomer.set_name("Ngô Văn Sơn")
        db.session.add(newcomer)
        db.session.commit()
        newcomer_id = newcomer.id
    form = {"mentor_id": str(newcomer_id), "assigned_on": "2026-04-01", "note": "Gần nhà hơn"}
    assert as_role("member").post(f"/people/{money.person_id}/mentor", form).status_code == 403
    assert as_role("chair").post(f"/people/{money.person_id}/mentor", form).status_code == 303
    [person] = people(app, id=money.person_id)
    assert person.mentor_id == newcomer_id
    with app.app_context():
        rows = db.session.execute(
            sa.select(MentorAssignment.mentor_id, MentorAssignment.ended_on).order_by(MentorAssignment.id)
        ).all()
    assert rows == [(newcomer_id, None)]
    as_role("chair").post(
        f"/people/{money.person_id}/mentor",
        {"mentor_id": str(seed.member_cm_id), "assigned_on": "2026-05-01"},
    )
    with app.app_context():
        rows = db.session.execute(
            sa.select(MentorAssignment.mentor_id, MentorAssignment.ended_on).order_by(MentorAssignment.id)
        ).all()
    assert rows == [(newcomer_id, dt.date(2026, 5, 1)), (seed.member_cm_id, None)]
    # the member now sees the person again, the newcomer's assignment stays in the history
    page = as_role("chair").get(f"/people/{money.person_id}").get_data(as_text=True)
    assert "Ngô Văn Sơn" in page and "Gần nhà hơn" in page


def test_edits_are_audited_by_field_name_never_by_value(app, money, seed, as_role):
    chair = as_role("chair")
    response = chair.post(
        f"/people/{money.person_id}", {**NEW_PERSON, "full_name": "Nguyễn Văn An", "needs": "Học nghề hàn"}
    )
    assert response.status_code == 303
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.update"))
        assert "needs" in event.after
        assert "Học nghề hàn" not in event.after + event.before
        assert "0912345678" not in event.after


def test_a_persons_file_shows_each_loans_outstanding_and_days_overdue(app, money, seed, as_role):
    """The loans on a person's file: principal, outstanding and days overdue, from the journal."""
    from tests.factories import disbursed_loan, donate, repay

    today = clock.today()
    donate(app, seed.fund_id, money.donor_id, 20_000_000, today - dt.timedelta(days=200))
    late = disbursed_loan(
        app, seed.fund_id, money.person_id, 6_000_000, today - dt.timedelta(days=100), term=6
    )
    repay(app, late, 1_000_000, today - dt.timedelta(days=60))
    with app.app_context():
        from tracker.models import Loan

        position = balances.positions_of([db.session.get(Loan, late)], today)[late]
    assert position.arrears.days_overdue > 30  # the second installment, due some 40 days ago
    page = as_role("chair").get(f"/people/{money.person_id}").get_data(as_text=True)
    row = page[page.index(f'href="/loans/{late}">#{late}') :]
    row = row[: row.index("</tr>")]
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', row)
    assert cells[0] == "6.000.000 ₫" and cells[1] == "5.000.000 ₫"
    assert f'<span class="overdue">{position.arrears.days_overdue}</span>' in cells[2]
