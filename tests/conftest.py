"""Fixtures in the flaskr manner: app, client, runner, plus a seeded pair of funds.

The schema always comes from the migrations. By default each test gets a copy of a SQLite file
migrated once per session; with TEST_DATABASE_URL=postgresql+psycopg://... the suite runs on
PostgreSQL instead (migrated once, tables emptied between tests). CSRF protection stays on.
"""

import datetime as dt
import os
import re
import shutil
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from hypothesis import settings
from werkzeug.serving import make_server

from tracker import accounts, clock, create_app
from tracker.extensions import db
from tracker.models import CommitteeMember

# In CI the property tests explore the same examples every run, so a red build is reproducible.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

PASSWORD = "mat-khau-thu-123"
# Cheap hashing in tests; test_auth checks that the configured default is scrypt at N >= 2^16.
TEST_HASH = "scrypt:1024:8:1"

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")

# The commune's date, pinned for the whole run. Test modules take "today" when they are imported;
# in a run that crosses midnight in Vietnam (17:00 UTC) the app would otherwise take the next day
# and a visit "made today" would land on the day after (CI failed so on 27/11/2026). A test that
# needs another day still monkeypatches clock.today. TEST_TODAY=2026-12-31 runs the suite as of that
# day (month and year ends are where date arithmetic goes wrong).
RUN_DAY = dt.date.fromisoformat(os.environ["TEST_TODAY"]) if os.environ.get("TEST_TODAY") else clock.today()
_pin = pytest.MonkeyPatch()


def pytest_configure(config):
    _pin.setattr(clock, "today", lambda: RUN_DAY)


def pytest_unconfigure(config):
    _pin.undo()


def base_config(database_uri: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "PASSWORD_HASH_METHOD": TEST_HASH,
        "SERVER_NAME": None,
        "FIGURES_CACHE": "verify",  # every kept figure is computed again and compared
    }


def _migrate(database_uri: str) -> None:
    app = create_app(base_config(database_uri))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database to start every test from."""
    if POSTGRES_URL:
        name = f"tracker_test_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        yield url
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "tracker.sqlite3"
        _migrate(f"sqlite:///{path}")
        yield path


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(
            sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{t}"' for t in tables)
        if names:
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_uri(database_template, tmp_path):
    if POSTGRES_URL:
        _empty_postgres(database_template)
        return database_template
    path = tmp_path / "tracker.sqlite3"
    shutil.copy(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_uri, tmp_path):
    app = create_app(base_config(database_uri))
    app.instance_path = str(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def serving(app):
    """The app on a free port in a thread; yields its base URL and closes the listening socket after."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class Seed:
    fund_id: int
    other_fund_id: int
    member_cm_id: int  # the committee member linked to the `member` login
    other_cm_id: int  # a committee member of the other fund


@pytest.fixture
def seed(app) -> Seed:
    """Fund A with logins chair, treasurer, member, viewer; fund B with its own chair."""
    with app.app_context():
        fund = accounts.create_fund("Quỹ xã Hồng Sơn", "xã Hồng Sơn", "Lâm Đồng")
        for role in ("chair", "treasurer", "member", "viewer"):
            accounts.create_user(role, PASSWORD, fund.id, role, f"Người dùng {role}")
        member_login = accounts.create_user("member2", PASSWORD, fund.id, "member", "Thành viên hai")
        cm = CommitteeMember(fund_id=fund.id, position="Chủ tịch Hội Cựu chiến binh")
        cm.set_name("Phạm Văn Bình")
        cm.user_id = db.session.scalar(sa.select(accounts.User.id).where(accounts.User.username == "member"))
        cm2 = CommitteeMember(fund_id=fund.id, position="Trưởng thôn", user_id=member_login.id)
        cm2.set_name("Bùi Văn Long")
        other = accounts.create_fund("Quỹ xã Khác", "xã Khác", "Nghệ An")
        accounts.create_user("other_chair", PASSWORD, other.id, "chair", "Tổ trưởng xã khác")
        other_cm = CommitteeMember(fund_id=other.id, position="Thành viên")
        other_cm.set_name("Trần Văn Khác")
        db.session.add_all([cm, cm2, other_cm])
        db.session.commit()
        return Seed(fund.id, other.id, cm.id, other_cm.id)


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Browser:
    """A test client that logs in and sends the page's CSRF token with each form, like a visitor."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def remember_token(self, response):
        match = CSRF_META.search(response.get_data(as_text=True))
        if match:
            self.token = match.group(1)
        return response

    def get(self, url, **kwargs):
        return self.remember_token(self.client.get(url, **kwargs))

    def post(self, url, data=None, htmx=False, **kwargs):
        if self.token is None:
            self.get("/login", follow_redirects=True)
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        headers = dict(kwargs.pop("headers", {}))
        if htmx:
            headers.update({"HX-Request": "true", "HX-Target": "main"})
        return self.client.post(url, data=data, headers=headers, **kwargs)

    def login(self, username, password=PASSWORD):
        response = self.post("/login", {"username": username, "password": password})
        self.get("/")
        return response

    def logout(self):
        return self.post("/logout")


@pytest.fixture
def visitor(app):
    return Browser(app.test_client())


@pytest.fixture
def as_role(app, seed):
    """as_role('chair') -> a Browser logged in with that role in fund A."""

    def make(username):
        b = Browser(app.test_client())
        response = b.login(username)
        assert response.status_code == 302, f"login as {username} failed"
        return b

    return make


def fragment(response) -> str:
    text = response.get_data(as_text=True)
    assert "<html" not in text, "expected an htmx fragment, got a full page"
    return text


def full_page(response) -> str:
    text = response.get_data(as_text=True)
    assert "<html" in text, "expected a full page"
    return text


@pytest.fixture
def money(app, seed):
    """People and donors in both funds (see tests/factories.py for donations and loans)."""
    from tests.factories import seed_money

    return seed_money(app, seed)


@pytest.fixture
def active_loan(app, money, seed):
    """A loan of 3.000.000 ₫ over 3 months paid out on 10/01/2026 from a donation of 20.000.000 ₫."""
    from tests.factories import disbursed_loan, donate

    donate(app, seed.fund_id, money.donor_id, 20_000_000, dt.date(2026, 1, 2))
    return disbursed_loan(app, seed.fund_id, money.person_id, 3_000_000, dt.date(2026, 1, 10), term=3)


@contextmanager
def counting_queries(app):
    """The SQL statements run while the block runs (a list, filled as they run)."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def count_queries(app):
    """count_queries(callable) -> how many SQL statements the call ran; the call must answer 200."""

    def count(call) -> int:
        with counting_queries(app) as statements:
            response = call()
        assert response.status_code == 200, response.status_code
        return len(statements)

    return count
