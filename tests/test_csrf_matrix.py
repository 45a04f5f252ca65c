"""The CSRF matrix (issue 6, item 3), with CSRF protection on as in the whole suite.

Every POST route of app.url_map is sent, by someone allowed to make it and with a form that would
change the database, without the session's token: no token, a wrong one (garbage, or the
session's own token with its signature broken), and valid tokens of other sessions (another
user's, the same user's other login, and this browser's own from before it logged in: a login
starts a new session), each as a plain form post and as an htmx request
carrying the token in the X-CSRFToken or X-CSRF-Token header. Every one answers 400 with the
"form has expired" page and leaves every table exactly as it was (all rows of every table in
db.metadata, so an UPDATE is caught too, not only a new row). Then the same request with the
session's own token goes through and does change the database: the form really was one that
writes, so the refusals were the token's doing.

The sessions the test uses are all opened before the first snapshot, so not even login_session or
login_attempt may change on a refusal (a refused login is stopped before the view could count a
failed attempt).

And no GET changes anything, except the access log that DESIGN §5 asks for (ACCESS_LOGGED).
"""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import pytest
import sqlalchemy as sa
from flask import Flask, url_for

from tests.conftest import PASSWORD, Browser
from tests.test_authorization_matrix import (
    MATRIX,
    USERNAMES,
    FundIds,
    build_world,
    differences,
    log_in,
    plan,
    rule_methods,
    send,
    table_rows,
)
from tracker import clock
from tracker.extensions import db
from tracker.models import Loan, LoginSession, PersonAccess, User
from tracker.money import journal

HTMX = {"HX-Request": "true", "HX-Target": "main"}
CSRF_REFUSAL = "Biểu mẫu đã hết hạn hoặc được gửi từ nơi khác"
TOKEN_HEADERS = ("X-CSRFToken", "X-CSRF-Token")  # the two Flask-WTF reads; app.js sends the first


@dataclass(frozen=True)
class Write:
    """Who may make the POST and a form that, with the right token, changes the database."""

    username: str | None  # None: an anonymous visitor
    form: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)  # URL placeholder -> FundIds field, if not the same name
    empty_install: bool = False  # the first-run routes exist only before the first fund
    prepare: Callable[[Flask, FundIds], None] | None = None  # puts the world in the state it needs
    # a file uploaded with the form, made afresh for each request: field name -> (bytes, file name)
    upload: Callable[[Flask], dict[str, tuple[bytes, str]]] | None = None
    # what the logged-in browser does first, with its own token (a dry run before an import)
    warm_up: Callable[[Flask, Browser], None] | None = None
    writes: bool = True  # False: a check that writes nothing even when let through (the dry run)


def import_workbook(app) -> dict[str, tuple[bytes, str]]:
    """A workbook holding one donor, made from the import template."""
    from tracker.importing import template

    with app.app_context():
        data = template.workbook_bytes(
            {"donors": [{"key": "NT99", "name": "Hợp tác xã Bắc Sơn", "kind": "organisation"}]}
        )
    return {"file": (data, "so-sach.xlsx")}


def check_import_first(app, browser: Browser) -> None:
    """The import takes the file its dry run kept: the browser uploads it first."""
    with_file = {
        name: (io.BytesIO(data), filename) for name, (data, filename) in import_workbook(app).items()
    }
    response = browser.client.post(
        "/import", data={"csrf_token": browser.token, **with_file}, content_type="multipart/form-data"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]


def write_off_fresh_loan(app, ids: FundIds) -> None:
    """The steps that follow a write-off need one: the fund's fresh loan, written off."""
    with app.app_context():
        chair = db.session.scalar(sa.select(User.id).where(User.username == "chair"))
        journal.write_off(db.session.get(Loan, ids.fresh_loan_id), clock.today(), "Mất khả năng trả", chair)
        db.session.commit()


WRITES: dict[str, Write] = {
    "auth.login": Write(None, {"username": "chair", "password": PASSWORD}),
    "auth.logout": Write("chair"),
    "auth.set_language": Write("chair", {"locale": "en", "next": "/"}),
    "auth.confirm": Write("chair", {"password": PASSWORD, "next": "/users"}),
    "auth.password": Write(
        "chair", {"current_password": PASSWORD, "password": "mat-khau-moi-456", "confirm": "mat-khau-moi-456"}
    ),
    "setup.start": Write(
        None,
        {
            "fund_name": "Quỹ xã Tân Lập",
            "commune": "xã Tân Lập",
            "province": "Lâm Đồng",
            "full_name": "Nguyễn Văn Chủ",
            "username": "chu_tich",
            "password": "mat-khau-123",
            "confirm": "mat-khau-123",
        },
        empty_install=True,
    ),
    "setup.load_demo": Write(None, empty_install=True),
    "members.create": Write("chair", {"full_name": "Đỗ Thị Hoa", "position": "Hội Phụ nữ"}),
    "members.update": Write(
        "chair",
        {"full_name": "Hoàng Văn Cường", "position": "Bí thư chi đoàn"},
        {"member_id": "free_member_id"},
    ),
    "members.leave": Write("chair", {"left_on": "{today}"}, {"member_id": "free_member_id"}),
    "users.create": Write("chair", {"username": "moi", "role": "viewer", "password": "mat-khau-moi-123"}),
    "users.change_role": Write("chair", {"role": "member"}),
    "users.reset_password": Write("chair", {"password": "mat-khau-moi-123"}),
    "users.deactivate": Write("chair"),
    "users.activate": Write("chair"),
    "people.create": Write("chair", {"full_name": "Vũ Văn Đức", "consent_recorded_on": "{today}"}),
    "people.update": Write(
        "chair", {"full_name": "{person_name}", "consent_recorded_on": "{today}", "needs": "Vốn mua máy cày"}
    ),
    "people.change_status": Write(
        "chair",
        {
            "status": "moved",
            "changed_on": "{today}",
            "reason": "Vào Bình Dương làm ăn",
            "loan_action": "keep",
        },
    ),
    "people.assign_mentor": Write("chair", {"mentor_id": "{free_member_id}", "assigned_on": "{today}"}),
    "privacy.erase": Write("chair", {"confirm": "{person_name}", "reason": "Theo đơn đề nghị của người đó"}),
    "visits.create": Write("member", {"person_id": "{person_id}", "kind": "home", "visited_on": "{today}"}),
    "visits.sync": Write("member", {"person_id": "{person_id}", "kind": "home", "visited_on": "{today}"}),
    "donors.create": Write("treasurer", {"name": "Hợp tác xã Đông Tiến", "kind": "organisation"}),
    "donations.add_donor": Write("treasurer", {"name": "Hợp tác xã Tây Tiến", "kind": "organisation"}),
    "donors.set_title": Write("treasurer", {"title": "Bà"}, {"donor_id": "benefactor_id"}),
    "commendations.create": Write(
        "chair",
        {
            "recipient": "member",
            "member_id": "{free_member_id}",
            "form": "Giấy khen",
            "decided_by": "UBND xã",
            "decided_on": "{today}",
        },
    ),
    "commendations.delete": Write("chair"),
    "donations.create": Write(
        "treasurer",
        {"donor_id": "{donor_id}", "amount": "5.000.000", "received_on": "{today}", "method": "cash"},
    ),
    "donations.reverse": Write(
        "treasurer", {"reason": "Ghi nhầm số tiền"}, {"donation_id": "spare_donation_id"}
    ),
    "cash.create_transfer": Write(
        "treasurer", {"kind": "deposit", "amount": "1.000.000", "made_on": "{today}", "reason": "Gửi tiền"}
    ),
    "cash.reverse_transfer": Write("treasurer", {"reason": "Ghi nhầm số tiền"}),
    "cash.create_count": Write("treasurer", {"counted_on": "{today}", "reason": "Tiền còn ở ngân hàng"}),
    "loans.create": Write(
        "member",
        {
            "person_id": "{person_id}",
            "principal": "2.000.000",
            "purpose": "Mua giống lúa",
            "term_months": "10",
            "grace_months": "0",
            "applied_on": "{today}",
        },
    ),
    "loans.approve": Write(
        "chair", {"minutes_ref": "BB 07", "decided_on": "{today}"}, {"loan_id": "requested_loan_id"}
    ),
    "loans.reject": Write("chair", {"reason": "Chưa có phương án làm ăn"}, {"loan_id": "requested_loan_id"}),
    "loans.disburse": Write("treasurer", {"disbursed_on": "{today}"}, {"loan_id": "approved_loan_id"}),
    "loans.repay": Write("treasurer", {"amount": "500.000", "paid_on": "{today}", "method": "cash"}),
    "loans.reverse_repayment": Write("treasurer", {"reason": "Thu nhầm"}),
    "loans.reverse_disbursement": Write(
        "treasurer", {"reason": "Chi nhầm người"}, {"loan_id": "fresh_loan_id"}
    ),
    "loans.write_off": Write(
        "chair", {"reason": "Người vay đã mất khả năng trả", "minutes_ref": "BB 05", "decided_on": "{today}"}
    ),
    "loans.reverse_write_off": Write(
        "chair",
        {"reason": "Gia đình nhận trả thay"},
        {"loan_id": "fresh_loan_id"},
        prepare=write_off_fresh_loan,
    ),
    "loans.recover": Write(
        "treasurer",
        {"amount": "100.000", "paid_on": "{today}", "method": "cash"},
        {"loan_id": "fresh_loan_id"},
        prepare=write_off_fresh_loan,
    ),
    "loans.reschedule": Write(
        "chair",
        {"installments": "3", "first_due_on": "{next_month}", "minutes_ref": "BB 06", "reason": "Mất mùa"},
    ),
    "loans.pause": Write(
        "chair", {"paused_from": "{today}", "paused_until": "{next_month}", "reason": "Nằm viện"}
    ),
    "settings.save": Write("chair", {"collection_day": "15"}),
    "handovers.propose": Write(
        "chair", {"to_fund_id": "{other_fund_id}", "reason": "Chuyển đến xã khác"}, {"person_id": "person_id"}
    ),
    "handovers.accept": Write("chair"),
    "handovers.decline": Write("chair"),
    "handovers.withdraw": Write("chair", ids={"handover_id": "outgoing_handover_id"}),
    "periods.close": Write("chair", {"closed_through": "{yesterday}"}),
    "importing.check": Write("chair", upload=import_workbook, writes=False),
    "importing.commit": Write("chair", warm_up=check_import_first),
    "grants.create": Write(
        "treasurer",
        {
            "person_id": "{person_id}",
            "kind": "emergency",
            "amount": "300.000",
            "purpose": "Nhà bị dột",
            "proposed_on": "{today}",
        },
    ),
    "expenses.create": Write(
        "chair",
        {
            "payee": "Nhà sách Hồng Sơn",
            "kind": "stationery",
            "amount": "80.000",
            "purpose": "Sổ sách",
            "proposed_on": "{today}",
        },
    ),
    **{
        f"{kind}.decide": Write(
            "chair",
            {"decision": "approve", "decided_on": "{today}", "reason": "Họp Tổ thống nhất"},
            {"spending_id": f"proposed_{name}_id"},
        )
        for kind, name in (("grants", "grant"), ("expenses", "expense"))
    },
    **{
        f"{kind}.pay": Write("treasurer", {"paid_on": "{today}"}, {"spending_id": f"approved_{name}_id"})
        for kind, name in (("grants", "grant"), ("expenses", "expense"))
    },
    "grants.reverse": Write("treasurer", {"reason": "Chi nhầm"}),
    "expenses.reverse": Write("treasurer", {"reason": "Chi nhầm"}, {"spending_id": "expense_id"}),
    "gifts.create": Write(
        "treasurer", {"description": "Một xe đạp", "estimated_value": "1.200.000", "given_on": "{today}"}
    ),
    "people.add_referral": Write(
        "member",
        {
            "kind": "vocational_training",
            "referred_to": "Trường nghề",
            "referred_on": "{today}",
            "outcome": "pending",
        },
    ),
    "people.referral_outcome": Write("chair", {"outcome": "succeeded"}),
    "review.save_notes": Write("chair", {"period": "{year}", "text": "Tổ chức gặp mặt cuối năm"}),
}

# GETs that open a person's file and log it in person_access (DESIGN §5: every view of a person's
# file is logged: who, whose, when). On these, and only on these, person_access may gain rows;
# nothing else may change on any GET.
ACCESS_LOGGED = {
    "people.detail",  # the person's file
    "visits.timeline",  # the casework notes of the file, reloaded on its own
    "privacy.export",  # everything held about the person, JSON or printable
    "letters.letter",  # a donor letter naming the people who consented to be named
    "letters.print_all",  # the year's letters, each naming the people who consented
    "people.edit",  # the form to correct a person's details shows them all
    "reports.outstanding",  # it names every borrower with the address, on screen and exported
    "reports.board",  # the monthly board names the people to visit and the borrowers due or late
    "loans.detail",  # the borrower's name and address
    "loans.repayment_receipt",  # a phiếu thu names the borrower with the address
    "loans.disbursement_voucher",  # and a phiếu chi
    "visits.new",  # the visit form shows the person's file
    "loans.paper",  # a loan's papers name the borrower, the guarantor and their addresses
    "grants.index",  # a grant names its person
    "grants.detail",
    "grants.voucher",
    "gifts.index",  # a gift in kind may name who received it
}
# Of those, the ones that log only in some variants of the URL (the others log in every variant).
LOGGED_ONLY_IN: dict[str, str] = {}


def logs_access(endpoint: str, variant: str) -> bool:
    return endpoint in ACCESS_LOGGED and LOGGED_ONLY_IN.get(endpoint, "") in variant


@pytest.fixture
def fund_world(app, seed):
    return build_world(app, seed)


def access(row: tuple, column: str):
    """A column of a person_access row as table_rows() returns it."""
    return row[PersonAccess.__table__.columns.keys().index(column)]


def token_of(browser: Browser, page: str) -> str:
    browser.get(page)
    assert browser.token, f"no CSRF token on {page}"
    return browser.token


def broken(token: str) -> str:
    """The same token with its signature changed."""
    return token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")


def format_values(ids: FundIds | None) -> dict:
    today = clock.today()
    values = {
        "today": today.isoformat(),
        "yesterday": (today - dt.timedelta(days=1)).isoformat(),
        "next_month": (today + dt.timedelta(days=30)).isoformat(),
    }
    return {**values, **(asdict(ids) if ids else {})}


def write_request(app, endpoint: str, write: Write, ids: FundIds | None) -> tuple[str, dict]:
    values = format_values(ids)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        url = url_for(endpoint, **{name: values[write.ids.get(name, name)] for name in rule.arguments})
    return url, {name: value.format(**values) for name, value in write.form.items()}


def bad_token_requests(form: dict, own: str, foreign: dict[str, str]) -> list[tuple[str, dict, dict]]:
    """(label, form data, headers) for every way of sending a request without the session's token."""
    wrong = {"garbage": "not-a-token", "own token, signature broken": broken(own)}
    cases = [("form post, no token", form, {})]
    cases += [(f"form post, {name}", {**form, "csrf_token": token}, {}) for name, token in wrong.items()]
    cases += [
        (f"form post, {name}'s token", {**form, "csrf_token": token}, {}) for name, token in foreign.items()
    ]
    cases.append(("htmx, no token", form, HTMX))
    for header in TOKEN_HEADERS:
        cases += [(f"htmx, {header}: {name}", form, {**HTMX, header: token}) for name, token in wrong.items()]
        cases += [
            (f"htmx, {header}: {name}'s token", form, {**HTMX, header: token})
            for name, token in foreign.items()
        ]
    return cases


# ---------------------------------------------------------------------------------------- tests


def test_every_post_route_is_in_the_matrix(app):
    posts = {endpoint for endpoint, method in rule_methods(app) if method == "POST"}
    assert sorted(posts - set(WRITES)) == [], "a new POST route: add it to WRITES"
    assert sorted(set(WRITES) - posts) == []
    gets = {endpoint for endpoint, method in rule_methods(app) if method == "GET"}
    assert ACCESS_LOGGED <= gets


@pytest.mark.parametrize("endpoint", sorted(WRITES))
def test_a_post_without_the_sessions_token_is_refused_and_writes_nothing(app, request, endpoint):
    write = WRITES[endpoint]
    ids = None if write.empty_install else request.getfixturevalue("fund_world").a
    if write.prepare is not None:
        write.prepare(app, ids)
    url, form = write_request(app, endpoint, write, ids)
    page = "/setup/" if write.empty_install else "/login"

    writer = Browser(app.test_client())
    foreign = {}
    if write.username is None:
        own = token_of(writer, page)
        foreign["another visitor"] = token_of(Browser(app.test_client()), page)
    else:
        # The token this browser had before logging in: the login starts a new session.
        foreign["this browser before its login"] = token_of(writer, "/login")
        assert writer.login(write.username).status_code == 302
        own = writer.token
        other_user = "viewer" if write.username != "viewer" else "member"
        for name, username in (("another user", other_user), ("the same user's other login", write.username)):
            other = Browser(app.test_client())
            assert other.login(username).status_code == 302
            foreign[name] = other.token
    assert own not in foreign.values()
    if write.warm_up is not None:
        write.warm_up(app, writer)

    def with_upload(data: dict) -> dict:
        if write.upload is None:
            return data
        files = {name: (io.BytesIO(body), filename) for name, (body, filename) in write.upload(app).items()}
        return {**data, **files}

    before = table_rows(app)
    problems = []
    for label, data, headers in bad_token_requests(form, own, foreign):
        response = writer.client.post(url, data=with_upload(data), headers=headers)
        if response.status_code != 400 or CSRF_REFUSAL not in response.get_data(as_text=True):
            problems.append(f"{label}: answered {response.status_code}, not the 400 of a refused form")
        changed = differences(before, table_rows(app))
        if changed:
            problems.append(f"{label}: wrote {changed}")
            before = table_rows(app)
    assert not problems, f"POST {url}:\n" + "\n".join(problems)

    # The control: with the session's own token the same request goes through and writes.
    response = writer.client.post(url, data=with_upload({**form, "csrf_token": own}))
    assert response.status_code in (200, 201, 302, 303), response.get_data(as_text=True)[:2000]
    if not write.writes:
        assert not differences(before, table_rows(app)), f"POST {url} is a check, and wrote"
        return
    assert differences(before, table_rows(app)), f"POST {url} with the right token wrote nothing"


@pytest.mark.parametrize("subject", ["chair", "treasurer", "member", "viewer", "regional", "anonymous"])
def test_no_get_changes_anything(app, seed, fund_world, subject):
    """Every GET of the matrix (exports and htmx variants included) as this subject, with fund A's
    ids: all tables unchanged, except new rows in person_access on the pages that log an opening."""
    browser = log_in(app, subject)
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.username == USERNAMES[subject]))
    problems, logged = [], set()
    for endpoint, row in MATRIX.items():
        for variant in row:
            if not variant.startswith("GET"):
                continue
            planned = plan(app, endpoint, variant, fund_world.a)
            before = table_rows(app)
            response = send(browser, planned, planned.htmx)
            after = table_rows(app)
            changed = differences(before, after)
            if logs_access(endpoint, variant) and response.status_code == 200:
                old, new = before["person_access"], after["person_access"]
                added = new[len(old) :]
                if new[: len(old)] != old:
                    problems.append(f"{planned.label}: changed existing person_access rows")
                if not added:
                    problems.append(f"{planned.label}: opened a person's file without logging it")
                if any(
                    access(entry, "user_id") != user_id or access(entry, "fund_id") != seed.fund_id
                    for entry in added
                ):
                    problems.append(f"{planned.label}: logged {added}, not this user in the person's fund")
                changed.pop("person_access", None)
                logged.add(endpoint)
            if changed:
                problems.append(f"{planned.label} answered {response.status_code} and changed {changed}")
    assert not problems, f"{subject}:\n" + "\n".join(problems)
    if subject == "chair":
        assert logged == ACCESS_LOGGED  # every listed page really logs (and so is listed for a reason)


def test_the_login_form_needs_the_token(app, seed):
    visitor = Browser(app.test_client())
    own = token_of(visitor, "/login")
    other = token_of(Browser(app.test_client()), "/login")
    before = table_rows(app)
    credentials = {"username": "chair", "password": PASSWORD}
    for data, headers in (
        (credentials, {}),
        ({**credentials, "csrf_token": other}, {}),
        (credentials, {**HTMX, "X-CSRFToken": other}),
    ):
        response = visitor.client.post("/login", data=data, headers=headers)
        assert response.status_code == 400
    assert differences(before, table_rows(app)) == {}
    # Still not logged in: no session was started for the forged login.
    assert visitor.client.get("/").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 0
    response = visitor.client.post("/login", data={**credentials, "csrf_token": own})
    assert response.status_code == 302 and visitor.client.get("/").status_code == 200


def test_the_language_switch_needs_the_token(app, seed, as_role):
    chair = as_role("chair")
    visitor = Browser(app.test_client())
    own_visitor = token_of(visitor, "/login")
    for browser, page in ((chair, "/"), (visitor, "/login")):
        for headers in ({}, {**HTMX, "X-CSRFToken": "not-a-token"}):
            response = browser.client.post("/language", data={"locale": "en", "next": "/"}, headers=headers)
            assert response.status_code == 400
        assert '<html lang="vi">' in browser.client.get(page).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(User.locale).where(User.username == "chair")) is None
    # With the token it switches (the refusals above were the token's doing).
    assert (
        visitor.client.post("/language", data={"locale": "en", "csrf_token": own_visitor}).status_code == 302
    )
    assert '<html lang="en">' in visitor.client.get("/login").get_data(as_text=True)
