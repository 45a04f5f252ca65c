"""A member in a hamlet without signal logs visits on the phone; when the signal comes back every
visit reaches the fund once, none is lost, and nothing of the login is left on the phone after it."""

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.factories import add_person, user_id
from tracker import clock
from tracker.extensions import db
from tracker.models import CommitteeMember, Person, Visit

SHOTS = Path("/work/briefs/shots-offline")
PHONE = {"width": 360, "height": 740}
STORE = """async () => ({
  caches: await caches.keys(),
  databases: (await indexedDB.databases()).map(d => d.name),
  kept: await (async () => {
    const urls = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
  })(),
})"""


def shot(page, name):
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def member_people(app, seed):
    """Two people of the member's due for a visit, and one of member2's."""
    today = clock.today()
    with app.app_context():
        member2_cm = db.session.scalar(
            sa.select(CommitteeMember.id).where(CommitteeMember.user_id == user_id("member2"))
        )
        ids = [
            add_person(seed.fund_id, "Nguyễn Văn An", seed.member_cm_id),
            add_person(seed.fund_id, "Trần Thị Cúc", seed.member_cm_id),
            add_person(seed.fund_id, "Lê Thị Bích", member2_cm, "Thôn Tây"),
        ]
        for person_id in ids:
            db.session.get(Person, person_id).next_visit_on = today - dt.timedelta(days=3)
        db.session.commit()
    return ids


def visits_of(app, person_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(Visit.summary).where(Visit.person_id == person_id).order_by(Visit.id)
        ).all()


def ready(page):
    page.wait_for_selector("html[data-offline-ready]", state="attached")


def open_queue_online(page, live_server):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "member", PASSWORD)
    ready(page)
    page.evaluate("navigator.serviceWorker.ready")
    page.goto(f"{live_server}/visits")
    ready(page)


def log_visit_offline(page, summary):
    form = page.locator("#visit-form form")
    form.locator("textarea[name=summary]").fill(summary)
    form.locator("button[type=submit]").click()
    expect(page.locator("#visit-kept")).to_contain_text("Đã lưu trên máy, sẽ gửi khi có mạng")


def test_visits_typed_offline_reach_the_fund_once(app, seed, page, context, live_server, problems):
    an, cuc, _bich = member_people(app, seed)
    open_queue_online(page, live_server)
    expect(page.locator("#visit-queue li[data-person-id]")).to_have_count(2)
    shot(page, "01-queue-online-360")

    context.set_offline(True)
    page.locator(f"#visit-queue li[data-person-id='{an}'] h3 a").click()
    page.wait_for_url(f"{live_server}/people/{an}")
    expect(page.locator("#offline-banner")).to_contain_text("Không có mạng")
    log_visit_offline(page, "Lần một: đã có việc ở xưởng mộc.")
    log_visit_offline(page, "Lần hai: gia đình khỏe.")
    expect(page.locator("#offline-waiting")).to_contain_text("2 lần thăm đang chờ gửi")
    shot(page, "02-two-visits-waiting-offline-360")

    page.reload()
    ready(page)
    expect(page.locator("#offline-waiting")).to_contain_text("2 lần thăm đang chờ gửi")
    assert visits_of(app, an) == []

    # a money page offline is not shown from a stale copy
    page.goto(f"{live_server}/donations")
    expect(page.locator("h1")).to_have_text("Trang này cần có mạng")
    shot(page, "03-money-page-offline-360")
    page.goto(f"{live_server}/people/{cuc}")
    expect(page.locator("#visit-form form")).to_be_visible()

    context.set_offline(False)
    # a phone says when its network is back; Chromium's offline emulation does not (navigator.onLine
    # stays true throughout), so the test says it
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#offline-sent")).to_contain_text("Đã gửi 2 lần thăm")
    assert visits_of(app, an) == ["Lần một: đã có việc ở xưởng mộc.", "Lần hai: gia đình khỏe."]

    # a second tab and a reload send nothing twice
    page.reload()
    ready(page)
    assert len(visits_of(app, an)) == 2
    assert page.evaluate(STORE)["databases"] == ["tracker-offline"]

    # the chair sees both
    chair = context.browser.new_context()
    chair_page = chair.new_page()
    log_in(chair_page, live_server, "chair", PASSWORD)
    chair_page.goto(f"{live_server}/people/{an}")
    expect(chair_page.locator("#visit-timeline")).to_contain_text("Lần một: đã có việc ở xưởng mộc.")
    expect(chair_page.locator("#visit-timeline")).to_contain_text("Lần hai: gia đình khỏe.")
    chair.close()
    # the only errors: the two posts that found no network (htmx logs its own events for each)
    offline = ("ERR_INTERNET_DISCONNECTED", "htmx:sendError", "htmx:afterRequest")
    assert [problem for problem in problems if not any(word in problem for word in offline)] == []


def test_a_visit_refused_on_arrival_comes_back_with_the_reason(app, seed, page, context, live_server):
    an, _cuc, _bich = member_people(app, seed)
    open_queue_online(page, live_server)
    context.set_offline(True)
    page.goto(f"{live_server}/people/{an}")
    log_visit_offline(page, "Thăm khi chưa biết đã chuyển người phụ trách.")

    # meanwhile the chair gives the person to member2
    with app.app_context():
        person = db.session.get(Person, an)
        person.mentor_id = db.session.scalar(
            sa.select(CommitteeMember.id).where(CommitteeMember.user_id == user_id("member2"))
        )
        db.session.commit()

    context.set_offline(False)
    page.goto(f"{live_server}/visits")
    refused = page.locator("#not-sent")
    expect(refused).to_contain_text("Chưa gửi được")
    expect(refused).to_contain_text("không còn do bạn phụ trách")
    expect(refused).to_contain_text("Thăm khi chưa biết")
    shot(page, "04-not-sent-360")
    page.set_viewport_size({"width": 1280, "height": 800})
    shot(page, "04-not-sent-1280")
    page.set_viewport_size(PHONE)
    assert visits_of(app, an) == []

    # it stays until the member discards it
    page.reload()
    expect(page.locator("#not-sent li")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#not-sent button.danger").click()
    expect(page.locator("#not-sent")).to_have_count(0)


def test_logout_and_another_login_leave_nothing_of_the_member(app, seed, page, context, live_server):
    an, cuc, bich = member_people(app, seed)
    open_queue_online(page, live_server)
    page.wait_for_function(
        """async ids => {
          const names = (await caches.keys()).filter(n => n.startsWith('pages-'));
          if (names.length !== 1) return false;
          const cache = await caches.open(names[0]);
          const kept = (await cache.keys()).map(r => new URL(r.url).pathname);
          return ids.every(id => kept.includes('/visits/new/' + id));
        }""",
        arg=[an, cuc],
    )
    store = page.evaluate(STORE)
    assert f"/visits/new/{bich}" not in store["kept"]  # member2's person is never on this phone
    assert not [url for url in store["kept"] if url.startswith(("/donations", "/loans", "/reports"))]

    page.locator("details.menu summary").click()
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url(f"{live_server}/login")
    ready(page)
    store = page.evaluate(STORE)
    assert not [name for name in store["caches"] if name.startswith("pages-")]
    assert store["databases"] == []
    assert all(url.startswith("/static/") or url == "/offline" for url in store["kept"])

    # another login on the same phone: the session ended without logging out (cookie gone)
    open_queue_online(page, live_server)
    page.wait_for_function("async () => (await caches.keys()).some(n => n.startsWith('pages-'))")
    context.clear_cookies()
    log_in(page, live_server, "member2", PASSWORD)
    ready(page)
    page.goto(f"{live_server}/visits")
    ready(page)
    kept = page.evaluate(STORE)["kept"]
    assert f"/visits/new/{an}" not in kept and f"/visits/new/{cuc}" not in kept
    assert f"/visits/new/{bich}" in kept


def test_a_visit_waiting_when_the_session_ends_is_sent_after_logging_in_again(
    app, seed, page, context, live_server
):
    an, _cuc, _bich = member_people(app, seed)
    open_queue_online(page, live_server)
    context.set_offline(True)
    page.goto(f"{live_server}/people/{an}")
    log_visit_offline(page, "Thăm khi phiên đăng nhập đã hết hạn.")

    # the session ends while the phone is offline (its cookie is gone: the server would refuse it)
    context.clear_cookies()
    context.set_offline(False)
    page.goto(f"{live_server}/visits")
    page.wait_for_url(f"{live_server}/login?**")
    ready(page)
    waiting = page.locator("#offline-waiting")
    expect(waiting).to_contain_text("1 lần thăm đang chờ gửi")
    expect(waiting).to_contain_text("Hãy đăng nhập lại để gửi")
    expect(page.locator("main")).not_to_contain_text("Nguyễn Văn An")  # no names before a login
    store = page.evaluate(STORE)
    assert not [name for name in store["caches"] if name.startswith("pages-")]
    shot(page, "05-login-again-360")
    assert visits_of(app, an) == []

    page.fill("input[name=username]", "member")
    page.fill("input[name=password]", PASSWORD)
    page.click("form:has(input[name=password]) button[type=submit]")
    expect(page.locator("#offline-sent")).to_contain_text("Đã gửi 1 lần thăm")
    assert visits_of(app, an) == ["Thăm khi phiên đăng nhập đã hết hạn."]


def test_a_visit_refused_for_a_bad_date_is_fixed_and_sent(app, seed, page, context, live_server):
    an, _cuc, _bich = member_people(app, seed)
    open_queue_online(page, live_server)
    context.set_offline(True)
    page.goto(f"{live_server}/people/{an}")
    later = (clock.today() + dt.timedelta(days=2)).isoformat()
    page.locator("#visit-form input[name=visited_on]").fill(later)
    log_visit_offline(page, "Ghi nhầm ngày.")

    context.set_offline(False)
    page.goto(f"{live_server}/visits")
    refused = page.locator("#not-sent li")
    expect(refused).to_contain_text("Ngày thăm hỏi: ")
    refused.locator("a", has_text="Sửa").click()
    page.wait_for_url(f"{live_server}/visits/new/{an}?draft=*")
    ready(page)
    form = page.locator("#visit-form form")
    expect(form.locator("textarea[name=summary]")).to_have_value("Ghi nhầm ngày.")
    expect(form.locator("input[name=visited_on]")).to_have_value(later)
    form.locator("input[name=visited_on]").fill(clock.today().isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("#visit-recorded")).to_be_visible()
    expect(page.locator("#not-sent")).to_have_count(0)
    assert visits_of(app, an) == ["Ghi nhầm ngày."]
    page.reload()
    ready(page)
    expect(page.locator("#not-sent")).to_have_count(0)
    expect(page.locator("#offline-waiting")).to_have_count(0)


def test_two_tabs_sending_at_once_save_a_visit_once(app, seed, page, context, live_server):
    an, _cuc, _bich = member_people(app, seed)
    open_queue_online(page, live_server)
    context.set_offline(True)
    page.goto(f"{live_server}/people/{an}")
    log_visit_offline(page, "Gửi từ hai thẻ cùng lúc.")
    other = context.new_page()
    other.goto(f"{live_server}/visits")
    ready(other)
    expect(other.locator("#offline-waiting")).to_contain_text("1 lần thăm đang chờ gửi")

    context.set_offline(False)
    for tab in (page, other):
        tab.evaluate("window.dispatchEvent(new Event('online'))")
    # one tab sends it (they take turns); the other then finds nothing waiting
    for tab in (page, other):
        expect(tab.locator("#offline-waiting")).to_have_count(0)
    for tab in (page, other):
        tab.reload()
        ready(tab)
        expect(tab.locator("#offline-waiting")).to_have_count(0)
    assert visits_of(app, an) == ["Gửi từ hai thẻ cùng lúc."]
