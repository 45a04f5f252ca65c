"""Logins: hashing, sessions that end on the server, throttling, no username oracle."""

import sqlalchemy as sa

from tests.conftest import PASSWORD, Browser, base_config
from tracker import create_app
from tracker.extensions import db
from tracker.models import LoginAttempt, LoginSession, Membership, User


def test_default_password_hash_is_scrypt_with_n_at_least_2_16(tmp_path):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"})
    with app.app_context():
        from tracker.accounts import hash_password

        method, n, r, p = hash_password("secret-123").split("$")[0].split(":")
    assert method == "scrypt" and int(n) >= 2**16


def test_login_and_logout(as_role):
    chair = as_role("chair")
    page = chair.get("/").get_data(as_text=True)
    assert "Quỹ xã Hồng Sơn" in page
    chair.logout()
    response = chair.get("/")
    assert response.status_code == 302 and "/login" in response.location


def test_login_starts_a_new_session(app, seed, visitor):
    visitor.get("/login")
    with visitor.client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    visitor.login("chair")
    with visitor.client.session_transaction() as sess:
        assert "planted" not in sess
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 1


def test_a_cookie_copied_before_logout_opens_nothing_after(app, seed, visitor):
    visitor.login("chair")
    stolen = app.test_client()
    cookie = visitor.client.get_cookie("session")
    stolen.set_cookie("session", cookie.value)
    assert stolen.get("/").status_code == 200  # the copy works while the session lives
    visitor.logout()
    response = stolen.get("/")
    assert response.status_code == 302 and "/login" in response.location
    with app.app_context():
        assert db.session.scalar(sa.select(LoginSession.revoked_at)) is not None


def test_wrong_password_and_unknown_user_look_the_same(seed, visitor):
    wrong = visitor.post("/login", {"username": "chair", "password": "wrong-password"})
    unknown = visitor.post("/login", {"username": "nobody-here", "password": "wrong-password"})
    assert wrong.status_code == unknown.status_code == 401

    def error_of(response):
        text = response.get_data(as_text=True)
        return text[text.index('class="field-error"') :].split("</p>")[0]

    assert error_of(wrong) == error_of(unknown)


def test_deactivated_membership_cannot_log_in_and_says_nothing_more(app, seed, visitor):
    with app.app_context():
        db.session.execute(sa.update(Membership).values(active=False))
        db.session.commit()
    response = visitor.post("/login", {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.get_data(as_text=True)


def login_from(app, address: str, username: str, password: str):
    b = Browser(app.test_client())
    b.client.environ_base["REMOTE_ADDR"] = address
    return b.post("/login", {"username": username, "password": password})


def test_ten_wrong_passwords_for_a_login_slow_down_that_address_only(app, seed):
    """A stranger guessing the chair's password is held up after 10 failures in 15 minutes, even
    when he finds it; the chair, elsewhere, still logs in (ASVS V2.2: slow down, do not lock out)."""
    for _ in range(10):
        assert login_from(app, "10.9.9.9", "chair", "nope-nope").status_code == 401
    refused = login_from(app, "10.9.9.9", "chair", PASSWORD)
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "chờ 15 phút" in text and "<html" in text  # in Vietnamese
    assert login_from(app, "10.0.0.5", "chair", PASSWORD).status_code == 302
    # the same address may still try another login: the count is per login and address
    assert login_from(app, "10.9.9.9", "treasurer", PASSWORD).status_code == 302


def test_one_address_trying_many_logins_is_slowed_down_too(app, seed):
    """Password spraying: one address, a different username each time."""
    for i in range(30):
        assert login_from(app, "10.9.9.9", f"guess{i}", "nope-nope").status_code == 401
    assert login_from(app, "10.9.9.9", "chair", PASSWORD).status_code == 429
    assert login_from(app, "10.0.0.5", "chair", PASSWORD).status_code == 302


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(database_uri, seed, tmp_path):
    """With TRACKER_TRUSTED_PROXIES=1 the address is the client's from X-Forwarded-For (every request
    reaches the app from nginx's 127.0.0.1)."""
    app = create_app({**base_config(database_uri), "TRUSTED_PROXIES": 1})
    app.instance_path = str(tmp_path)

    def login(client_address: str, password: str):
        b = Browser(app.test_client())
        return b.post(
            "/login",
            {"username": "chair", "password": password},
            headers={"X-Forwarded-For": client_address},
        )

    for _ in range(10):
        assert login("203.0.113.7", "nope-nope").status_code == 401
    assert login("203.0.113.7", PASSWORD).status_code == 429
    assert login("198.51.100.2", PASSWORD).status_code == 302
    with app.app_context():
        addresses = set(db.session.scalars(sa.select(LoginAttempt.address)))
        db.session.remove()  # its connection back to the pool first: dispose() closes only those
        db.engine.dispose()
    assert addresses == {"203.0.113.7"}


def test_throttle_holds_across_worker_processes(app, seed, database_uri):
    """Two app instances (as two gunicorn workers) share one count, kept in the database."""
    worker_two = create_app(base_config(database_uri))
    for i in range(10):
        worker = app if i % 2 else worker_two
        b = Browser(worker.test_client())
        b.post("/login", {"username": "treasurer", "password": "nope-nope"})
    b = Browser(worker_two.test_client())
    assert b.post("/login", {"username": "treasurer", "password": PASSWORD}).status_code == 429
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 10
    with worker_two.app_context():
        db.engine.dispose()


def test_deactivated_user_is_logged_out_at_the_next_request(app, seed, as_role):
    viewer = as_role("viewer")
    assert viewer.get("/").status_code == 200
    chair = as_role("chair")
    with app.app_context():
        membership_id = db.session.scalar(
            sa.select(Membership.id).join(User).where(User.username == "viewer")
        )
    assert chair.post(f"/users/{membership_id}/deactivate").status_code == 303
    response = viewer.get("/")
    assert response.status_code == 302 and "/login" in response.location


def test_unauthenticated_htmx_request_is_told_to_redirect(seed, visitor):
    response = visitor.client.get("/members", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_next_parameter_only_goes_to_this_site(seed, visitor):
    visitor.get("/login")
    response = visitor.post("/login?next=//evil.example/", {"username": "chair", "password": PASSWORD})
    assert response.location == "/"
    b2 = Browser(visitor.client.application.test_client())
    response = b2.post("/login?next=/members", {"username": "member", "password": PASSWORD})
    assert response.location == "/members"
