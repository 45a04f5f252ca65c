"""The app on a member's phone over HTTP: the manifest, the service worker's headers, what a page
lets the phone keep (X-Offline-Keep) and whose it is, and the JSON answer to a visit that waited on
the phone (saved, saved before, refused with the reason)."""

import datetime as dt
import re
from pathlib import Path

import sqlalchemy as sa

from tests.factories import user_id
from tracker import clock
from tracker.extensions import db
from tracker.models import CommitteeMember, Person, Visit

STATIC = Path(__file__).resolve().parents[1] / "tracker" / "static"
KEY = "k" * 24
CLOSED = (
    "Đã kết thúc giúp đỡ người này nên không ghi thăm hỏi được nữa. "
    "Nếu cần, Tổ trưởng có thể chuyển lại trạng thái Đang giúp đỡ."
)


def visit_count(app, person_id) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(Visit).where(Visit.person_id == person_id)
        )


def marks(html: str) -> dict:
    return dict(re.findall(r'<meta name="offline-(user|session)" content="([^"]+)"', html))


def sync(browser, person_id, **fields):
    form = {"person_id": person_id, "kind": "home", "visited_on": clock.today().isoformat(), "form_key": KEY}
    return browser.post("/visits/sync", {**form, **fields}, headers={"Accept": "application/json"})


# ------------------------------------------------------------------------------------ manifest, worker


def test_manifest_names_the_fund_in_vietnamese_and_opens_standalone(visitor):
    response = visitor.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    body = response.get_json()
    assert body["name"] == "Quỹ giúp đỡ người hoàn lương tái hòa nhập cộng đồng"
    assert body["short_name"] == "Quỹ"
    assert (body["start_url"], body["scope"], body["display"]) == ("/", "/", "standalone")
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:
        name = icon["src"].split("?")[0].removeprefix("/static/")
        assert (STATIC / name).exists(), icon["src"]
        assert visitor.client.get(icon["src"]).status_code == 200


def test_service_worker_is_served_from_the_root_and_never_kept_by_the_browser(visitor):
    response = visitor.get("/service-worker.js")
    assert response.mimetype == "text/javascript"
    # never a stale worker from the browser's cache (no-store, as every address but static files)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert b"X-Offline-Keep" in response.data


def test_offline_page_says_the_page_needs_the_network_and_names_no_one(as_role, seed):
    member = as_role("member")
    text = member.get("/offline").get_data(as_text=True)
    assert "Trang này cần có mạng" in text
    assert "Người dùng member" not in text and "csrf" not in text.lower()


# ------------------------------------------------------------------------------------ what is kept


def test_a_member_may_keep_only_their_own_lists_and_visit_forms(as_role, money):
    member = as_role("member")
    page = member.get("/visits")
    mark = marks(page.get_data(as_text=True))
    assert set(mark) == {"user", "session"}
    keep = page.headers["X-Offline-Keep"]
    session, until = keep.split()
    assert session == mark["session"]
    # the session's maximum age (SESSION_MAX_HOURS = 12) from now, give or take the test's run
    assert abs(int(until) - (dt.datetime.now(dt.UTC).timestamp() + 12 * 3600)) < 120
    for url in ("/", "/people", f"/visits/new/{money.person_id}"):
        assert member.get(url).headers.get("X-Offline-Keep") == keep, url
    for url in (f"/people/{money.person_id}", "/loans", "/reports", "/members", "/account/password"):
        assert "X-Offline-Keep" not in member.get(url).headers, url
    # a fragment is never kept
    htmx = member.get("/people", headers={"HX-Request": "true", "HX-Target": "people-results"})
    assert "X-Offline-Keep" not in htmx.headers


def test_the_chair_keeps_nothing_on_the_phone_and_logins_are_told_apart(as_role, seed):
    chair = as_role("chair")
    page = chair.get("/visits")
    assert "X-Offline-Keep" not in page.headers
    chair_marks = marks(page.get_data(as_text=True))
    assert set(chair_marks) == {"user"}
    first = marks(as_role("member").get("/").get_data(as_text=True))
    second = marks(as_role("member").get("/").get_data(as_text=True))
    assert first["user"] == second["user"] != chair_marks["user"]
    assert first["session"] != second["session"]  # another login of the same member


def test_state_gives_a_fresh_token_and_the_marks(as_role, seed):
    member = as_role("member")
    mark = marks(member.get("/").get_data(as_text=True))
    state = member.get("/offline/state").get_json()
    assert state["user"] == mark["user"] and state["session"] == mark["session"]
    assert state["csrf_token"]


# ------------------------------------------------------------------------------------ sending


def test_a_visit_sent_twice_is_saved_once(app, as_role, money):
    member = as_role("member")
    first = sync(member, money.person_id, summary="Đã đi làm ở xưởng.")
    assert first.status_code == 201
    assert first.get_json()["status"] == "saved"
    again = sync(member, money.person_id, summary="Đã đi làm ở xưởng.")
    assert again.status_code == 200
    assert again.get_json() == {"status": "saved_before", "location": f"/people/{money.person_id}"}
    assert visit_count(app, money.person_id) == 1


def test_a_visit_for_a_person_reassigned_meanwhile_comes_back_with_the_reason(app, as_role, money):
    member = as_role("member")
    with app.app_context():
        db.session.get(Person, money.person_id).mentor_id = db.session.scalar(
            sa.select(CommitteeMember.id).where(CommitteeMember.user_id == user_id("member2"))
        )
        db.session.commit()
    response = sync(member, money.person_id)
    assert response.status_code == 404
    assert response.get_json() == {
        "status": "refused",
        "reasons": ["Người này không còn do bạn phụ trách nên lần thăm chưa được lưu. Hãy hỏi Tổ trưởng."],
    }
    assert visit_count(app, money.person_id) == 0


def test_a_closed_file_and_a_bad_date_are_refused_with_the_field_named(app, as_role, money):
    member = as_role("member")
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    response = sync(member, money.person_id, visited_on=future)
    assert response.status_code == 422
    (reason,) = response.get_json()["reasons"]
    assert reason.startswith("Ngày thăm hỏi: ")
    with app.app_context():
        db.session.get(Person, money.person_id).status = "settled"
        db.session.commit()
    response = sync(member, money.person_id)
    assert response.status_code == 422
    assert response.get_json()["reasons"] == [CLOSED]
    assert visit_count(app, money.person_id) == 0
    # the refused key was not claimed: fixed and sent again, the visit is saved
    with app.app_context():
        db.session.get(Person, money.person_id).status = "supported"
        db.session.commit()
    assert sync(member, money.person_id).status_code == 201
    assert visit_count(app, money.person_id) == 1


def test_a_visit_after_the_session_ended_goes_to_the_login_and_is_not_saved(app, visitor, money):
    response = visitor.post(
        "/visits/sync",
        {"person_id": money.person_id, "kind": "home", "form_key": KEY},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert visit_count(app, money.person_id) == 0
