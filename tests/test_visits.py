"""Visits over HTTP: the quick form (defaults, who may log for whom, refusals), the timeline, and the
visit queue (a member's own list; the chair's counts per mentor and the list behind each count)."""

import datetime as dt
import json
import re

import pytest
import sqlalchemy as sa

from tests.conftest import fragment, full_page
from tests.factories import add_person, user_id
from tracker import accounts, casework, clock
from tracker.extensions import db
from tracker.models import AuditEvent, CommitteeMember, Person, PersonAccess, Visit

TODAY = clock.today()  # the commune's date, as the app sees it


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


# ------------------------------------------------------------------------------------ helpers


def visits_of(app, person_id: int) -> list[Visit]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                sa.select(Visit).where(Visit.person_id == person_id).order_by(Visit.visited_on, Visit.id)
            )
        )
        db.session.expunge_all()
        return rows


def visit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Visit))


def person_of(app, person_id: int) -> Person:
    with app.app_context():
        person = db.session.get(Person, person_id)
        db.session.expunge(person)
        return person


def update_person(app, person_id: int, **values) -> None:
    with app.app_context():
        person = db.session.get(Person, person_id)
        for name, value in values.items():
            setattr(person, name, value)
        db.session.commit()


def member2_cm_id(app) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(CommitteeMember.id).where(CommitteeMember.user_id == user_id("member2"))
        )


def people(app, fund_id: int, mentor_id: int | None, *next_visits: dt.date | None, status="supported"):
    """People of one mentor with the given next visit dates; returns their ids in that order."""
    with app.app_context():
        ids = []
        for n, next_visit_on in enumerate(next_visits):
            person_id = add_person(fund_id, f"Người Thử {mentor_id} {len(ids)} {n}", mentor_id)
            person = db.session.get(Person, person_id)
            person.next_visit_on, person.status, person.phone = next_visit_on, status, "0912345678"
            ids.append(person_id)
        db.session.commit()
        return ids


QUEUE_ITEM = re.compile(r'<li class="card queue-item([^"]*)" data-person-id="(\d+)">(.*?)</li>', re.S)


def queue(response) -> list[tuple[int, bool]]:
    """(person id, marked overdue) for each row of a queue page, in order."""
    page = full_page(response)
    return [
        (int(person_id), 'class="overdue"' in body and "is-overdue" in classes)
        for classes, person_id, body in QUEUE_ITEM.findall(page)
    ]


def queue_ids(response) -> list[int]:
    return [person_id for person_id, _overdue in queue(response)]


COUNT_ROW = re.compile(
    r'<tr data-mentor-id="(\w+)">.*?data-count="due" data-value="(\d+)"'
    r'.*?data-count="overdue" data-value="(\d+)"',
    re.S,
)


def counts(response) -> dict[str, tuple[int, int]]:
    """mentor id (or 'none', 'all' for the total) -> (due within 7 days, overdue)."""
    return {key: (int(due), int(overdue)) for key, due, overdue in COUNT_ROW.findall(full_page(response))}


# ------------------------------------------------------------------------ logging a visit


@pytest.mark.parametrize("interval", [30, 14])
def test_member_logs_a_visit_with_the_defaults(app, seed, money, as_role, interval):
    update_person(app, money.person_id, visit_interval_days=interval, next_visit_on=days(-3))
    response = as_role("member").post(
        "/visits", {"person_id": money.person_id, "summary": "Đã có việc làm ở xưởng mộc."}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/people/{money.person_id}")
    [visit] = visits_of(app, money.person_id)
    assert (visit.mentor_id, visit.visited_on, visit.kind) == (seed.member_cm_id, TODAY, "home")
    assert visit.next_visit_on == days(interval)
    assert visit.created_by_id is not None
    assert person_of(app, money.person_id).next_visit_on == days(interval)


def test_audit_keeps_ids_and_dates_but_no_notes(app, seed, money, as_role):
    as_role("member").post(
        "/visits",
        {
            "person_id": money.person_id,
            "kind": "phone",
            "visited_on": days(-1).isoformat(),
            "summary": "Nói chuyện về gia đình",
            "livelihood": "Nuôi gà",
            "concerns": "Nợ tiền hàng xóm",
            "next_visit_on": days(20).isoformat(),
        },
    )
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "visit.create"))
        visit = db.session.scalar(sa.select(Visit))
        assert (event.object_type, event.object_id) == ("Visit", visit.id)
        after = json.loads(event.after)
        assert after == {
            "person_id": money.person_id,
            "mentor_id": seed.member_cm_id,
            "visited_on": days(-1).isoformat(),
            "next_visit_on": days(20).isoformat(),
        }
        assert (visit.kind, visit.livelihood, visit.concerns) == ("phone", "Nuôi gà", "Nợ tiền hàng xóm")


def test_member_cannot_log_for_someone_elses_person(app, money, as_role):
    response = as_role("member").post("/visits", {"person_id": money.other_person_id, "summary": "x"})
    assert response.status_code == 404
    foreign = as_role("member").post("/visits", {"person_id": money.foreign_person_id})
    assert foreign.status_code == 404
    assert visit_count(app) == 0


def test_member_cannot_log_in_another_mentors_name(app, seed, money, as_role):
    member = as_role("member")
    refused = member.post("/visits", {"person_id": money.person_id, "mentor_id": member2_cm_id(app)})
    assert refused.status_code == 422
    assert 'id="mentor_id-error"' in full_page(refused)
    assert visit_count(app) == 0
    # naming themselves is the same as naming nobody
    assert (
        member.post("/visits", {"person_id": money.person_id, "mentor_id": seed.member_cm_id}).status_code
        == 303
    )
    assert visits_of(app, money.person_id)[0].mentor_id == seed.member_cm_id


def test_chair_logs_for_anyone_and_picks_the_mentor(app, seed, money, as_role):
    chair = as_role("chair")
    picked = chair.post("/visits", {"person_id": money.other_person_id, "mentor_id": seed.member_cm_id})
    assert picked.status_code == 303
    assert visits_of(app, money.other_person_id)[0].mentor_id == seed.member_cm_id
    # the chair has no committee member record: by default the visit names no mentor
    assert chair.post("/visits", {"person_id": money.person_id}).status_code == 303
    assert visits_of(app, money.person_id)[0].mentor_id is None
    # the form offers the current members, preselecting the person's mentor
    page = full_page(chair.get(f"/visits/new/{money.other_person_id}"))
    assert re.search(rf'<option selected value="{member2_cm_id(app)}">', page)


@pytest.mark.parametrize("whom", ["left", "foreign", "unknown"])
def test_chair_cannot_name_a_mentor_outside_the_current_team(app, seed, money, as_role, whom):
    with app.app_context():
        left = CommitteeMember(fund_id=seed.fund_id, left_on=days(-10))
        left.set_name("Đỗ Văn Cũ")
        db.session.add(left)
        db.session.commit()
        mentor_id = {"left": left.id, "foreign": seed.other_cm_id, "unknown": 9999}[whom]
    response = as_role("chair").post("/visits", {"person_id": money.person_id, "mentor_id": mentor_id})
    assert response.status_code == 422
    assert 'id="mentor_id-error"' in full_page(response)
    assert visit_count(app) == 0


@pytest.mark.parametrize("role", ["treasurer", "viewer"])
def test_treasurer_and_viewer_cannot_log_visits(app, money, as_role, role):
    assert as_role(role).post("/visits", {"person_id": money.person_id}).status_code == 403
    assert visit_count(app) == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("visited_on", days(1).isoformat()),  # in the future
        ("visited_on", "2026-13-01"),
        ("visited_on", "hôm qua"),
        ("next_visit_on", days(-1).isoformat()),  # before the visit
        ("next_visit_on", TODAY.isoformat()),  # the same day as the visit
        ("next_visit_on", days(400).isoformat()),  # more than a year ahead
        ("kind", "boat"),
        ("summary", "x" * 10_000),
        ("livelihood", "y" * 2001),
        ("concerns", "z" * 2001),
    ],
)
def test_bad_input_is_refused_next_to_the_field(app, money, as_role, field, value):
    response = as_role("member").post("/visits", {"person_id": money.person_id, field: value})
    assert response.status_code == 422
    page = full_page(response)
    assert f'id="{field}-error"' in page
    assert visit_count(app) == 0
    assert person_of(app, money.person_id).next_visit_on is None


def test_longest_notes_are_accepted(app, money, as_role):
    form = {"person_id": money.person_id, "summary": "x" * 2000, "next_visit_on": days(366).isoformat()}
    assert as_role("member").post("/visits", form).status_code == 303


@pytest.mark.parametrize("status", ["settled", "moved", "deceased"])
def test_a_closed_case_gets_no_visits(app, money, as_role, status):
    with app.app_context():
        casework.change_status(db.session.get(Person, money.person_id), status, TODAY, "", None)
        db.session.commit()
    response = as_role("member").post("/visits", {"person_id": money.person_id, "summary": "x"})
    assert response.status_code == 422
    assert 'class="field-error"' in full_page(response)
    assert visit_count(app) == 0


def test_a_paused_person_leaves_the_queue_unless_a_loan_is_open(app, seed, money):
    """Support paused (tạm dừng giúp đỡ): no visit is planned, but while the person still owes the
    fund a member keeps visiting, so the money is not forgotten."""
    from tests.factories import disbursed_loan, donate

    donate(app, seed.fund_id, money.donor_id, 10_000_000, dt.date(2026, 1, 2))
    disbursed_loan(app, seed.fund_id, money.other_person_id, 3_000_000, dt.date(2026, 1, 5), term=3)
    with app.app_context():
        for person_id in (money.person_id, money.other_person_id):
            person = db.session.get(Person, person_id)
            person.next_visit_on = TODAY
            casework.change_status(person, "paused", TODAY, "Đi làm ăn xa", None)
        db.session.commit()
        without_loan = db.session.get(Person, money.person_id)
        with_loan = db.session.get(Person, money.other_person_id)
        assert (without_loan.status, without_loan.next_visit_on) == ("paused", None)
        assert (with_loan.status, with_loan.next_visit_on) == ("paused", TODAY)


def test_htmx_post_answers_a_fresh_form_and_tells_the_timeline(app, money, as_role):
    response = as_role("member").post(
        "/visits", {"person_id": money.person_id, "summary": "Gặp ở chợ", "kind": "meeting"}, htmx=True
    )
    assert response.status_code == 200
    text = fragment(response)
    assert 'id="visit-form"' in text and 'hx-target="#visit-form"' in text
    # confirmed under the button, with the next thing to do
    assert 'id="visit-recorded"' in text and 'href="/visits"' in text
    assert "visit-timeline" not in text  # asked from a page with no timeline: none out of band
    assert 'id="flashes"' in text and 'hx-swap-oob="innerHTML"' in text
    assert "Gặp ở chợ" not in text  # a fresh form, not the one just sent
    assert re.search(r'<input checked[^>]* name="kind" type="radio" value="home">', text)
    assert f'value="{days(30).isoformat()}"' in text  # next visit prefilled from the interval
    assert len(visits_of(app, money.person_id)) == 1


def test_htmx_post_from_the_person_page_carries_the_timeline(app, money, as_role):
    """One round trip on a slow network: the answer brings the timeline with the new visit out of
    band, rather than telling the timeline to ask again."""
    response = as_role("member").post(
        "/visits",
        {"person_id": money.person_id, "summary": "Gặp ở chợ", "kind": "meeting"},
        htmx=True,
        headers={"HX-Current-URL": f"http://localhost/people/{money.person_id}?visits=25"},
    )
    text = fragment(response)
    assert "HX-Trigger" not in response.headers
    timeline = text[text.index('<div id="visit-timeline"') :]
    assert timeline.startswith('<div id="visit-timeline" hx-swap-oob="true">')
    assert "Gặp ở chợ" in timeline and 'id="visit-form"' not in timeline
    # the summary at the top of the file, with the next visit it now plans
    summary = text[text.index('id="person-summary"') :]
    assert 'hx-swap-oob="true"' in summary[:40] and days(30).strftime("%d/%m/%Y") in summary


def test_htmx_refusal_answers_the_form_with_errors(app, money, as_role):
    response = as_role("member").post(
        "/visits", {"person_id": money.person_id, "visited_on": days(2).isoformat()}, htmx=True
    )
    assert response.status_code == 422
    assert 'id="visited_on-error"' in fragment(response)
    assert "HX-Trigger" not in response.headers
    assert visit_count(app) == 0


def test_the_form_lists_fields_in_the_quick_order(app, money, as_role):
    page = full_page(as_role("member").get(f"/visits/new/{money.person_id}"))
    order = [
        page.index('name="kind" type="radio" value="home"'),
        page.index('name="visited_on"'),
        page.index('name="summary"'),
        page.index('<details class="more-details"'),
        page.index('name="livelihood"'),
        page.index('name="concerns"'),
        page.index('name="next_visit_on"'),
    ]
    assert order == sorted(order)
    assert page.count('type="radio"') == 4
    assert 'type="date"' in page and f'value="{TODAY.isoformat()}"' in page
    assert 'name="mentor_id"' not in page  # a member logs only in their own name


def test_a_backdated_visit_does_not_move_the_next_visit(app, money, as_role):
    member = as_role("member")
    member.post("/visits", {"person_id": money.person_id, "next_visit_on": days(10).isoformat()})
    member.post(
        "/visits",
        {
            "person_id": money.person_id,
            "visited_on": days(-20).isoformat(),
            "next_visit_on": days(-5).isoformat(),
        },
    )
    assert len(visits_of(app, money.person_id)) == 2
    assert person_of(app, money.person_id).next_visit_on == days(10)


# ------------------------------------------------------------------------------ the timeline


def test_timeline_shows_the_visits_newest_first_and_logs_the_access(app, money, as_role):
    member = as_role("member")
    member.post(
        "/visits", {"person_id": money.person_id, "visited_on": days(-9).isoformat(), "summary": "Lần một"}
    )
    member.post("/visits", {"person_id": money.person_id, "summary": "Lần hai"})
    response = member.get(f"/visits/person/{money.person_id}/timeline", headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = fragment(response)
    assert text.index("Lần hai") < text.index("Lần một")
    assert 'id="visit-timeline"' in text and "hx-swap-oob" not in text
    assert days(30).strftime("%d/%m/%Y") in text  # the next visit
    with app.app_context():
        accesses = db.session.scalars(
            sa.select(PersonAccess).where(PersonAccess.person_id == money.person_id)
        )
        assert [a.user_id for a in accesses] == [user_id("member")]


@pytest.mark.parametrize("role, code", [("member", 404), ("treasurer", 403), ("viewer", 200), ("chair", 200)])
def test_who_may_read_a_timeline(app, money, as_role, role, code):
    response = as_role(role).get(
        f"/visits/person/{money.other_person_id}/timeline", headers={"HX-Request": "true"}
    )
    assert response.status_code == code


def test_another_funds_timeline_is_not_found(money, as_role):
    response = as_role("chair").get(
        f"/visits/person/{money.foreign_person_id}/timeline", headers={"HX-Request": "true"}
    )
    assert response.status_code == 404


# --------------------------------------------------------------------------------- the queue


def test_member_queue_lists_only_their_people_overdue_first(app, seed, money, as_role):
    cm = seed.member_cm_id
    late10, late2, today_, soon3, soon7 = people(
        app, seed.fund_id, cm, days(-10), days(-2), TODAY, days(3), days(7)
    )
    later = people(app, seed.fund_id, cm, days(8), None)
    closed = people(app, seed.fund_id, cm, days(-30), status="settled")
    theirs = people(app, seed.fund_id, member2_cm_id(app), days(-30))
    unassigned = people(app, seed.fund_id, None, days(-30))

    response = as_role("member").get("/visits")
    assert queue(response) == [(late10, True), (late2, True), (today_, False), (soon3, False), (soon7, False)]
    page = response.get_data(as_text=True)
    for person_id in later + closed + theirs + unassigned:
        assert f'data-person-id="{person_id}"' not in page
    assert f'href="/people/{late10}"' in page and f'href="/people/{late10}#visit"' in page
    assert 'href="tel:0912345678"' in page
    assert re.findall(r'data-days-overdue="(\d+)"', page) == ["10", "2"]

    # a member cannot look at another mentor's list
    assert queue_ids(as_role("member").get(f"/visits?mentor_id={member2_cm_id(app)}")) == [
        late10,
        late2,
        today_,
        soon3,
        soon7,
    ]


def test_logging_a_visit_takes_the_person_off_the_queue(app, seed, as_role):
    [late] = people(app, seed.fund_id, seed.member_cm_id, days(-4))
    member = as_role("member")
    assert queue_ids(member.get("/visits")) == [late]
    assert member.post("/visits", {"person_id": late, "summary": "Đã gặp"}).status_code == 303
    assert queue_ids(member.get("/visits")) == []


def test_member_without_a_committee_record_is_told_so(app, seed, as_role):
    with app.app_context():
        accounts.create_user("member3", "mat-khau-thu-123", seed.fund_id, "member", "Thành viên ba")
        db.session.commit()
    [unassigned] = people(app, seed.fund_id, None, days(-3))
    member3 = as_role("member3")
    page = full_page(member3.get("/visits"))
    assert 'id="no-committee-record"' in page and "data-person-id" not in page
    # nobody is theirs: not even the people who have no mentor
    assert member3.get(f"/people/{unassigned}").status_code == 404
    assert member3.post("/visits", {"person_id": unassigned}).status_code == 404
    assert visit_count(app) == 0


def test_chair_sees_counts_per_mentor_and_the_list_behind_each(app, seed, as_role):
    cm, cm2 = seed.member_cm_id, member2_cm_id(app)
    mine_late = people(app, seed.fund_id, cm, days(-1), days(-40))
    mine_due = people(app, seed.fund_id, cm, days(2))
    people(app, seed.fund_id, cm, days(9))
    theirs_due = people(app, seed.fund_id, cm2, TODAY, days(7))
    nobody_late = people(app, seed.fund_id, None, days(-3))
    people(app, seed.fund_id, cm2, days(-3), status="moved")
    people(app, seed.other_fund_id, seed.other_cm_id, days(-3))

    chair = as_role("chair")
    found = counts(chair.get("/visits"))
    assert found == {
        str(cm): (1, 2),
        str(cm2): (2, 0),
        "none": (0, 1),
        "all": (3, 3),
    }
    expected = {
        (str(cm), "overdue"): mine_late,
        (str(cm), "due"): mine_due,
        (str(cm2), "due"): theirs_due,
        ("none", "overdue"): nobody_late,
        ("all", "overdue"): mine_late + nobody_late,
        ("all", "due"): mine_due + theirs_due,
    }
    for (key, show), ids in expected.items():
        listed = queue_ids(chair.get(f"/visits?mentor_id={key}&show={show}"))
        assert sorted(listed) == sorted(ids), (key, show)
    # the mentor's whole list: overdue (oldest first), then due
    assert queue_ids(chair.get(f"/visits?mentor_id={cm}")) == [mine_late[1], mine_late[0], *mine_due]
    # the overview links to each list
    page = chair.get("/visits").get_data(as_text=True)
    assert f'href="/visits?mentor_id={cm}"' in page and 'href="/visits?mentor_id=none"' in page
    assert f'href="/visits?mentor_id={cm}&amp;show=overdue"' in page


@pytest.mark.parametrize("key", ["member", "none", "all"])
def test_each_list_behind_a_count_says_whose_it_is_and_filters_within_it(app, seed, as_role, key):
    people(app, seed.fund_id, seed.member_cm_id, days(-2), days(3))
    people(app, seed.fund_id, None, days(-2), days(3))
    with app.app_context():
        mentor = db.session.get(CommitteeMember, seed.member_cm_id).full_name
    mentor_id = str(seed.member_cm_id) if key == "member" else key
    heading = {
        "member": f"Lịch thăm của {mentor}",
        "none": "Lịch thăm người chưa được phân công giúp đỡ",
        "all": "Tất cả lịch thăm đến hạn",
    }[key]
    response = as_role("chair").get(f"/visits?mentor_id={mentor_id}&show=due")
    page = full_page(response)
    assert re.search(rf"<h1>\s*{re.escape(heading)}\s*</h1>", page)
    assert len(queue(response)) == (2 if key == "all" else 1)
    # the three filters stay within this list, and the one shown is marked
    assert f'href="/visits?mentor_id={mentor_id}&amp;show=overdue"' in page
    assert re.search(rf'href="/visits\?mentor_id={mentor_id}&amp;show=due" aria-current="page"', page)
    # only everyone's list names each person's mentor
    assert (f"Thành viên phụ trách: {mentor}" in page) == (key == "all")


def test_a_mentor_with_nobody_due_still_shows_with_zeros(app, seed, as_role):
    people(app, seed.fund_id, seed.member_cm_id, days(20))
    assert counts(as_role("chair").get("/visits")) == {str(seed.member_cm_id): (0, 0), "all": (0, 0)}


def test_viewer_reads_the_queue_without_the_log_links(app, seed, as_role):
    [late] = people(app, seed.fund_id, seed.member_cm_id, days(-2))
    viewer = as_role("viewer")
    assert counts(viewer.get("/visits"))[str(seed.member_cm_id)] == (0, 1)
    response = viewer.get(f"/visits?mentor_id={seed.member_cm_id}")
    assert queue(response) == [(late, True)]
    assert "#visit" not in response.get_data(as_text=True)


def test_treasurer_has_no_queue(as_role):
    assert as_role("treasurer").get("/visits").status_code == 403


@pytest.mark.parametrize("mentor_id", ["abc", "9999", "other"])
def test_unknown_or_foreign_mentor_list_is_not_found(seed, as_role, mentor_id):
    mentor_id = str(seed.other_cm_id) if mentor_id == "other" else mentor_id
    assert as_role("chair").get(f"/visits?mentor_id={mentor_id}").status_code == 404


def test_queue_pages_by_fifty(app, seed, as_role):
    ids = people(app, seed.fund_id, seed.member_cm_id, *[days(-60 + n) for n in range(55)])
    member = as_role("member")
    first = queue_ids(member.get("/visits"))
    second = queue_ids(member.get("/visits?page=2"))
    assert (len(first), len(second)) == (50, 5)
    assert first + second == ids


@pytest.mark.parametrize(
    "role, url",
    [
        ("member", "/visits"),
        ("chair", "/visits"),
        ("chair", "/visits?mentor_id=all"),
        ("viewer", "/visits?mentor_id=none"),
    ],
)
def test_queue_query_count_does_not_grow_with_the_people(app, seed, as_role, role, url, count_queries):
    cm, cm2 = seed.member_cm_id, member2_cm_id(app)

    def add(n):
        for mentor in (cm, cm2, None):
            people(app, seed.fund_id, mentor, *[days(-5 + (k % 10)) for k in range(n)])

    browser = as_role(role)
    add(1)
    few = count_queries(lambda: browser.get(url))
    add(9)
    many = count_queries(lambda: browser.get(url))
    assert few == many, f"{few} queries for 3 people, {many} for 30"
    assert few <= 12


def test_queue_is_a_full_page_even_to_htmx(as_role):
    response = as_role("member").get("/visits", headers={"HX-Request": "true", "HX-Boosted": "true"})
    full_page(response)


def test_a_long_timeline_shows_the_latest_five_and_pages_back(app, seed, money, as_role):
    with app.app_context():
        person = db.session.get(Person, money.person_id)
        for n in range(30):
            casework.log_visit(
                person,
                mentor_id=seed.member_cm_id,
                visited_on=TODAY - dt.timedelta(days=600 - 10 * n),
                kind="home",
                summary=f"Lần thăm số {n + 1:02d}",
            )
        db.session.commit()
    chair = as_role("chair")

    def shown(page: str) -> list[str]:
        return re.findall(r"Lần thăm số (\d\d)", page)

    page = full_page(chair.get(f"/people/{money.person_id}"))
    assert shown(page) == [f"{n:02d}" for n in range(30, 25, -1)]  # newest first, 5 of them
    assert f"/people/{money.person_id}?visits=25" in page and "Xem thêm" in page
    older = fragment(
        chair.get(f"/visits/person/{money.person_id}/timeline?visits=25", headers={"HX-Request": "true"})
    )
    assert shown(older) == [f"{n:02d}" for n in range(30, 5, -1)]
    assert "?visits=45" in older
    oldest = fragment(
        chair.get(f"/visits/person/{money.person_id}/timeline?visits=45", headers={"HX-Request": "true"})
    )
    assert shown(oldest) == [f"{n:02d}" for n in range(30, 0, -1)]
    assert "Xem thêm" not in oldest
    for junk in ("abc", "-5", "99999999999999999999"):
        assert len(shown(full_page(chair.get(f"/people/{money.person_id}?visits={junk}")))) == 5


def test_plain_requests_for_fragments_go_to_their_pages(app, seed, money, as_role):
    """The timeline and a member's card are htmx fragments; opened as a link, they lead to the page."""
    chair = as_role("chair")
    timeline = chair.get(f"/visits/person/{money.person_id}/timeline?visits=100")
    assert timeline.status_code == 302
    assert timeline.location.endswith(f"/people/{money.person_id}?visits=100")
    card = chair.get(f"/members/{seed.member_cm_id}/card")
    assert card.status_code == 302 and card.location.endswith(f"/members/{seed.member_cm_id}")
    fragment_response = chair.get(f"/members/{seed.member_cm_id}/card", headers={"HX-Request": "true"})
    assert fragment_response.status_code == 200 and "<html" not in fragment_response.get_data(as_text=True)


def test_the_date_is_written_under_its_input_the_communes_way(app, money, as_role):
    """A date input shows the browser's order (11/20/2026 on a PC set up in English); the line
    under it reads the day as dd/mm/yyyy with its weekday, also when the form comes back refused."""
    response = as_role("member").post(
        "/visits", {"person_id": money.person_id, "visited_on": "2026-11-20", "summary": "x" * 10_000}
    )
    assert response.status_code == 422
    page = full_page(response)
    assert re.search(r'<input aria-describedby="visited_on-day"[^>]* name="visited_on" type="date"', page)
    assert (
        '<p class="hint muted date-echo" id="visited_on-day" aria-live="polite" '
        'data-empty="Ngày/tháng/năm: dd/mm/yyyy">Thứ Sáu, 20/11/2026</p>' in page
    )
    # An unreadable date writes the order to type it in there (and the error says what to type).
    page = full_page(
        as_role("member").post("/visits", {"person_id": money.person_id, "visited_on": "hôm qua"})
    )
    assert (
        'id="visited_on-day" aria-live="polite" data-empty="Ngày/tháng/năm: dd/mm/yyyy">'
        "Ngày/tháng/năm: dd/mm/yyyy</p>" in page
    )
    assert "visited_on-error" in page


def test_visits_due_by_member_lists_each_members_people_overdue_first(app, seed):
    """The one list behind the board, the reminders and a member's week: each member's people due
    by the given day (overdue first, with the days), the unassigned last, nobody settled or later."""
    long = member2_cm_id(app)
    binh = people(app, seed.fund_id, seed.member_cm_id, days(3), days(-10), days(40))
    long_ids = people(app, seed.fund_id, long, days(-2))
    people(app, seed.fund_id, long, days(-5), status="settled")
    nobody = people(app, seed.fund_id, None, days(1))
    people(app, seed.other_fund_id, seed.other_cm_id, days(-1))
    with app.app_context():
        rows = casework.visits_due_by_member(seed.fund_id, TODAY, days(7))
    assert [row.member.full_name if row.member else None for row in rows] == [
        "Phạm Văn Bình",  # sorted by given name: Bình before Long
        "Bùi Văn Long",
        None,
    ]
    binh_row, long_row, nobody_row = rows
    assert [(v.person_id, v.due_on, v.days_overdue) for v in binh_row.visits] == [
        (binh[1], days(-10), 10),
        (binh[0], days(3), 0),
    ]
    assert binh_row.overdue == 1 and binh_row.has_login
    assert [(v.person_id, v.days_overdue) for v in long_row.visits] == [(long_ids[0], 2)]
    assert [v.person_id for v in nobody_row.visits] == nobody and not nobody_row.has_login
