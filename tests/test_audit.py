"""The audit log at /audit: chair only, one fund, writes and file openings merged newest first,
filters that narrow it, a fixed number of queries per page, and no way to change it."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask import g

from tests.conftest import counting_queries, fragment, full_page
from tests.factories import add_person, user_id
from tracker import audit
from tracker.extensions import db
from tracker.models import AuditEvent, Fund, Person, PersonAccess, User

ROW = re.compile(r'<tr id="audit-(event|access)-(\d+)"')


def rows_of(response, among=None) -> list[tuple[str, int]]:
    """The (source, id) of the log rows on the page, in order; with `among`, only those rows (the
    logins of the test's own browsers are in the log too, dated today)."""
    shown = [(source, int(row_id)) for source, row_id in ROW.findall(response.get_data(as_text=True))]
    return shown if among is None else [row for row in shown if row in set(among)]


def add_event(app, fund_id, action, username, at, obj_model=None, obj_id=None, before=None, after=None):
    """An AuditEvent as the views write it, dated `at` (naive UTC, as stored)."""
    with app.app_context():
        obj = db.session.get(obj_model, obj_id) if obj_model else None
        event = audit.record(
            action, obj, fund_id=fund_id, user_id=user_id(username), before=before, after=after
        )
        event.at = at
        db.session.commit()
        return ("event", event.id)


def add_access(app, fund_id, username, person_id, at, action="view"):
    """A PersonAccess row, dated `at` (naive UTC)."""
    with app.app_context():
        row = PersonAccess(
            fund_id=fund_id, user_id=user_id(username), person_id=person_id, action=action, at=at
        )
        db.session.add(row)
        db.session.commit()
        return ("access", row.id)


@pytest.fixture
def log(app, seed, money):
    """A small log in fund A (and some rows of fund B that must never show)."""
    a, b = seed.fund_id, seed.other_fund_id
    rows = {
        "approve": add_event(app, a, "loan.approve", "chair", dt.datetime(2026, 1, 10, 3, 0)),
        # 18:00 UTC on the 14th is 01:00 on the 15th in Vietnam
        "access_chair": add_access(app, a, "chair", money.person_id, dt.datetime(2026, 1, 14, 18, 0)),
        "person": add_event(
            app,
            a,
            "person.create",
            "chair",
            dt.datetime(2026, 1, 20, 2, 0),
            Person,
            money.person_id,
            after={"full_name": "Nguyễn Văn An", "address": "Thôn Đông"},
        ),
        # 17:30 UTC on 31 January is 00:30 on 1 February in Vietnam
        "donation": add_event(
            app,
            a,
            "donation.create",
            "treasurer",
            dt.datetime(2026, 1, 31, 17, 30),
            after={"amount": 5_000_000, "receipt_no": "PT-2026-001"},
        ),
        "member_edit": add_event(
            app,
            a,
            "member.update",
            "chair",
            dt.datetime(2026, 2, 5, 4, 0),
            before={"phone": "", "position": "Thành viên"},
            after={"phone": "0912345678", "position": "Thành viên"},
        ),
        "access_member": add_access(app, a, "member", money.person_id, dt.datetime(2026, 2, 10, 1, 0)),
        "export": add_access(
            app, a, "chair", money.other_person_id, dt.datetime(2026, 2, 11, 1, 0), action="export"
        ),
    }
    foreign = [
        add_event(app, b, "loan.approve", "other_chair", dt.datetime(2026, 1, 11, 3, 0)),
        add_access(app, b, "other_chair", money.foreign_person_id, dt.datetime(2026, 1, 12, 3, 0)),
    ]
    return rows, foreign


# ------------------------------------------------------------------------------ who may read it


@pytest.mark.parametrize(
    "role, expected", [("chair", 200), ("treasurer", 403), ("member", 403), ("viewer", 403)]
)
def test_only_the_chair_reads_the_audit_log(seed, as_role, role, expected):
    assert as_role(role).get("/audit").status_code == expected


def test_anonymous_is_sent_to_login(app, seed):
    response = app.test_client().get("/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_log_merges_writes_and_openings_newest_first_in_one_fund(log, as_role):
    rows, foreign = log
    response = as_role("chair").get("/audit")
    page = full_page(response)
    shown = rows_of(response)
    expected = [
        rows[key]
        for key in ("export", "access_member", "member_edit", "donation", "person", "access_chair", "approve")
    ]
    assert rows_of(response, among=expected) == expected
    assert not set(foreign) & set(shown)
    assert "Trần Văn Xa" not in page and "other_chair" not in page
    # who opened whose file: the person's name, linked to their page
    assert "Nguyễn Văn An" in page and "Lê Thị Bích" in page
    assert re.search(r'<a href="/people/\d+">Lê Thị Bích</a>', page)
    # times in Vietnam: 18:00 UTC on the 14th shows as 01:00 on the 15th
    assert "15/01/2026 01:00" in page
    # before → after shown field by field, by their form labels, the changed value marked
    member_row = page.split(f'id="audit-event-{rows["member_edit"][1]}"')[1].split("</tr>\n    <tr id=")[0]
    assert '<th scope="row">Số điện thoại</th>' in member_row and "<strong>0912345678</strong>" in member_row
    assert "5.000.000 ₫" in page


def test_another_funds_chair_sees_only_their_own_fund(log, as_role):
    rows, foreign = log
    response = as_role("other_chair").get("/audit")
    shown = rows_of(response)
    assert rows_of(response, among=foreign) == [foreign[1], foreign[0]]
    assert not set(rows.values()) & set(shown)
    page = response.get_data(as_text=True)
    assert "Nguyễn Văn An" not in page and "Trần Văn Xa" in page


@pytest.mark.parametrize(
    "query, keys",
    [
        ("kind=access", ["export", "access_member", "access_chair"]),
        ("kind=loan", ["approve"]),
        ("kind=donation", ["donation"]),
        ("kind=member", ["member_edit"]),
        ("kind=person", ["person"]),
        ("from=2026-01-15&to=2026-01-31", ["person", "access_chair"]),
        ("from=2026-02-01", ["export", "access_member", "member_edit", "donation"]),
        ("to=2026-01-14", ["approve"]),
        ("from=2026-01-15&to=2026-01-31&kind=access", ["access_chair"]),
    ],
)
def test_filters_by_kind_and_vietnam_dates(log, as_role, query, keys):
    rows, _foreign = log
    response = as_role("chair").get(f"/audit?{query}")
    assert rows_of(response, among=rows.values()) == [rows[key] for key in keys]
    if "from=" not in query:  # nothing else of the fund either (today's logins are after any `to`)
        assert rows_of(response) == [rows[key] for key in keys]


def test_filter_by_user(app, log, as_role):
    rows, _foreign = log
    chair = as_role("chair")
    with app.app_context():
        treasurer, member = user_id("treasurer"), user_id("member")
    assert rows_of(chair.get(f"/audit?user={treasurer}")) == [rows["donation"]]
    assert rows_of(chair.get(f"/audit?user={member}&kind=access")) == [rows["access_member"]]
    page = chair.get("/audit").get_data(as_text=True)
    # the select offers the fund's logins and only those
    assert f'<option value="{treasurer}">treasurer (Người dùng treasurer)</option>' in page
    assert "other_chair" not in page


@pytest.mark.parametrize(
    "query, field",
    [
        ("user=abc", "user"),
        ("user=99999", "user"),
        ("user=other_fund", "user"),
        ("kind=nonsense", "kind"),
        ("kind=%25", "kind"),
        ("from=2026-13-45", "from"),
        ("to=yesterday", "to"),
        ("from=2026-02-01&to=2026-01-01", "to"),
        ("from=1900-01-01", "from"),
        ("to=9999-12-31", "to"),
        ("page=-3", None),
        ("page=abc", None),
        ("page=99999999999999999999", None),
    ],
)
def test_bad_filters_give_a_message_and_are_ignored(app, log, as_role, query, field):
    rows, _foreign = log
    if "other_fund" in query:
        with app.app_context():
            query = f"user={user_id('other_chair')}"
    response = as_role("chair").get(f"/audit?{query}")
    assert response.status_code == 200
    if field:
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    shown = rows_of(response)
    if field == "to" and "from=" in query:
        # the end date is refused; the start date still applies
        assert rows["export"] in shown and rows["approve"] not in shown
    else:
        assert set(rows.values()) <= set(shown)


def test_htmx_gets_the_panel_and_a_normal_request_the_page(log, as_role):
    chair = as_role("chair")
    response = chair.get("/audit?kind=access", headers={"HX-Request": "true", "HX-Target": "audit-panel"})
    panel = fragment(response)
    assert 'id="audit-panel"' in panel and len(rows_of(response)) == 3
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"
    full_page(chair.get("/audit?kind=access"))


# ------------------------------------------------------------------------------ paging and cost


def fill_log(app, fund_id, person_id, count, start=dt.datetime(2025, 6, 1)):
    with app.app_context():
        chair = user_id("chair")
        for n in range(count):
            at = start + dt.timedelta(hours=n)
            if n % 3 == 0:
                db.session.add(PersonAccess(fund_id=fund_id, user_id=chair, person_id=person_id, at=at))
            else:
                event = audit.record(
                    "loan.approve", fund_id=fund_id, user_id=chair, after={"status": "approved", "n": n}
                )
                event.at = at
        db.session.commit()


def test_pages_of_twenty_five_and_a_fixed_number_of_queries(app, seed, money, as_role):
    chair = as_role("chair")
    fill_log(app, seed.fund_id, money.person_id, 5)

    def queries(url):
        with counting_queries(app) as statements:
            response = chair.get(url)
        assert response.status_code == 200
        return len(statements), rows_of(response)

    few, few_rows = queries("/audit")
    fill_log(app, seed.fund_id, money.person_id, 140, start=dt.datetime(2025, 7, 1))
    with app.app_context():
        total = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.fund_id == seed.fund_id)
        ) + db.session.scalar(sa.select(sa.func.count()).select_from(PersonAccess))
    pages = -(-total // 25)
    many, first_page = queries("/audit")
    again, second_page = queries("/audit?page=2")
    _count, last_page = queries(f"/audit?page={pages}")
    assert few == many == again
    assert len(first_page) == len(second_page) == 25
    assert len(last_page) == total - 25 * (pages - 1)
    assert not set(first_page) & set(second_page)
    assert 'href="/audit?page=2"' in chair.get("/audit").get_data(as_text=True)
    # the pager keeps the filters
    assert "kind=loan" in chair.get("/audit?kind=loan").get_data(as_text=True).split('class="pager"')[1]


@pytest.mark.parametrize("query", ["", "kind=loan", "kind=access", "kind=loan.approve&from=2025-07-02"])
def test_walking_the_pages_gives_the_whole_log_in_order(app, seed, money, as_role, query):
    """Each page is read from each side's newest rows only (log_query's `newest`): walking every
    page must still give each entry once, newest first, as one sort of the whole log would."""
    fill_log(app, seed.fund_id, money.person_id, 130, start=dt.datetime(2025, 7, 1))
    chair = as_role("chair")
    first = chair.get(f"/audit?{query}").get_data(as_text=True)
    total = int(re.search(r'id="audit-count">[^0-9]*([0-9.]+)', first).group(1).replace(".", ""))
    walked = []
    for page in range(1, -(-total // 25) + 1):
        html = chair.get(f"/audit?{query}&page={page}").get_data(as_text=True)
        walked += re.findall(
            r'<tr id="audit-(\w+)-(\d+)"[^>]*>\s*<td class="audit-when"><time datetime="([^"]+)"', html
        )
    assert len(walked) == total == len(set(walked)) > 25
    expected = sorted(walked, key=lambda row: -int(row[1]))  # then by kind, then newest first:
    expected = sorted(sorted(expected, key=lambda row: row[0]), key=lambda row: row[2], reverse=True)
    assert walked == expected


def test_a_long_log_is_counted_up_to_a_limit_and_older_entries_by_date(
    app, seed, money, as_role, monkeypatch
):

    monkeypatch.setattr(audit, "COUNT_LIMIT", 50)
    fill_log(app, seed.fund_id, money.person_id, 90, start=dt.datetime(2025, 7, 1))
    chair = as_role("chair")
    html = chair.get("/audit").get_data(as_text=True)
    assert "Số mục tìm thấy: hơn 50." in html and "Trang 1/2" in html
    last = chair.get("/audit?page=9").get_data(as_text=True)  # past the limit: its last page
    assert "Trang 2/2" in last and len(ROW.findall(last)) == 25
    # the oldest entries, out of reach of the pages, by their dates: 2025-07-01 00:00 to 23:00 (UTC)
    older = chair.get("/audit?from=2025-07-01&to=2025-07-01").get_data(as_text=True)
    assert "Số mục tìm thấy: 17" in older and "hơn" not in older.split('id="audit-count"')[1][:80]


# ------------------------------------------------------------------------------ it cannot be changed


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "path", ["/audit", "/audit/1", "/audit/1/delete", "/audit/anything", "/audit/1/edit"]
)
def test_no_route_changes_the_log(app, log, as_role, method, path):
    chair = as_role("chair")
    with app.app_context():
        before = db.session.execute(sa.select(AuditEvent.id, AuditEvent.action)).all()
        accesses = db.session.scalar(sa.select(sa.func.count()).select_from(PersonAccess))
    response = chair.client.open(
        path, method=method, data={"csrf_token": chair.token}, headers={"X-CSRFToken": chair.token}
    )
    assert response.status_code in (404, 405)
    with app.app_context():
        assert db.session.execute(sa.select(AuditEvent.id, AuditEvent.action)).all() == before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonAccess)) == accesses


def test_every_audit_route_only_reads(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit.")]
    assert rules
    assert all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in rules)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'x'",
        "UPDATE audit_event SET after = ''",
        "DELETE FROM audit_event",
        "UPDATE person_access SET person_id = person_id",
        "UPDATE person_access SET at = NULL",
        "DELETE FROM person_access",
    ],
)
def test_the_database_refuses_changes_to_the_log(app, log, statement):
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()


def test_the_orm_cannot_change_or_delete_log_rows(app, log):
    rows, _foreign = log
    with app.app_context():
        event = db.session.get(AuditEvent, rows["member_edit"][1])
        event.after = "{}"
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(PersonAccess, rows["access_chair"][1]))
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        assert '"0912345678"' in db.session.get(AuditEvent, rows["member_edit"][1]).after
        assert db.session.get(PersonAccess, rows["access_chair"][1]) is not None


def test_log_access_writes_the_current_user_in_a_short_transaction_of_its_own(app, seed, money):
    """The page's reading transaction ends first (it must hold no change), and the log is committed
    before the page is sent."""
    with app.app_context():
        with app.test_request_context():
            g._login_user = db.session.get(User, user_id("chair"))
            g.fund = db.session.get(Fund, seed.fund_id)
            audit.log_access([money.person_id, money.person_id], "export")
            assert not db.session().in_transaction()
            db.session.add(db.session.get(Person, money.person_id))
            db.session.get(Person, money.person_id).needs = "changed, not committed"
            with pytest.raises(RuntimeError), db.session.no_autoflush:
                audit.log_access([money.person_id])  # would commit the change half done
            db.session.rollback()
        rows = db.session.execute(
            sa.select(PersonAccess.user_id, PersonAccess.person_id, PersonAccess.action)
        )
        assert rows.all() == [(user_id("chair"), money.person_id, "export")]


# ------------------------------------------------------------------------------ escaping


def test_names_are_escaped_on_the_audit_page(app, seed, as_role):
    payload = "<script>alert(1)</script>"
    with app.app_context():
        person_id = add_person(seed.fund_id, payload)
        db.session.commit()
    add_event(
        app,
        seed.fund_id,
        "person.create",
        "chair",
        dt.datetime(2026, 1, 1),
        Person,
        person_id,
        after={"full_name": payload, "note": '"><img src=x onerror=alert(1)>'},
    )
    add_access(app, seed.fund_id, "chair", person_id, dt.datetime(2026, 1, 2))
    with app.app_context():
        event = audit.record("member.update", fund_id=seed.fund_id)
        event.before = event.after = payload  # not JSON: the page shows the text as it is
        db.session.commit()
    page = as_role("chair").get("/audit").get_data(as_text=True)
    assert payload not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
