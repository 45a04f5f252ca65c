"""Security headers (issue 6, item 1). Behind HTTPS the session cookie is Secure and HSTS is sent;
error pages carry the same strict headers as the pages the browser test visits."""

import hashlib
import re
from pathlib import Path

import pytest
from flask import url_for

from tests.conftest import PASSWORD, Browser, base_config
from tracker import accounts, create_app
from tracker.extensions import db
from tracker.web import hooks

HTTPS = {"base_url": "https://localhost"}
HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture
def https_app(database_uri, tmp_path):
    app = create_app({**base_config(database_uri), "HTTPS": True})
    app.instance_path = str(tmp_path)
    with app.app_context():
        fund = accounts.create_fund("Quỹ xã Hồng Sơn", "xã Hồng Sơn", "Lâm Đồng")
        accounts.create_user("chair", PASSWORD, fund.id, "chair")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def session_cookie(response) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    assert cookies, "no session cookie was set"
    return cookies[-1]


def test_over_https_the_session_cookie_is_secure_and_hsts_is_sent(https_app):
    browser = Browser(https_app.test_client())
    page = browser.get("/login", **HTTPS)
    assert page.headers["Strict-Transport-Security"] == HSTS
    cookie = session_cookie(page)
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "; SameSite=Lax" in cookie

    # Over HTTPS Flask-WTF also wants the Referer of a same-site form, which browsers send
    # (Referrer-Policy: same-origin keeps it within the site).
    login = browser.post(
        "/login",
        {"username": "chair", "password": PASSWORD},
        headers={"Referer": "https://localhost/login"},
        **HTTPS,
    )
    assert login.status_code == 302
    assert "; Secure" in session_cookie(login)
    assert login.headers["Strict-Transport-Security"] == HSTS

    dashboard = browser.get("/", **HTTPS)  # the Secure cookie comes back over HTTPS
    assert dashboard.status_code == 200
    assert dashboard.headers["Strict-Transport-Security"] == HSTS
    assert browser.get("/nowhere", **HTTPS).headers["Strict-Transport-Security"] == HSTS


def test_without_https_there_is_no_hsts_and_the_cookie_is_not_secure(app, seed, visitor):
    page = visitor.get("/login")
    assert "Strict-Transport-Security" not in page.headers
    assert "; Secure" not in session_cookie(page)


def assert_strict(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_error_pages_carry_the_strict_headers(app, seed, as_role, visitor, monkeypatch):
    viewer = as_role("viewer")
    answers = {
        404: viewer.get("/nowhere"),
        403: viewer.get("/users"),
        405: viewer.client.get("/logout"),
        400: viewer.client.post("/people", data={"full_name": "An"}),  # no CSRF token
        401: visitor.post("/login", {"username": "chair", "password": "wrong password"}),
    }

    def broken():
        raise RuntimeError("a bug")

    broken.access_public = True
    monkeypatch.setitem(app.view_functions, "auth.login", broken)
    answers[500] = visitor.client.get("/login")
    for status, response in answers.items():
        assert response.status_code == status
        assert_strict(response)
    assert "a bug" not in answers[500].get_data(as_text=True)  # no traceback on the error page


def test_static_files_are_not_sniffed(app):
    response = app.test_client().get("/static/app.js")
    response.close()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.headers.get("Cache-Control", "")  # they may be cached


def static_links(html: str) -> dict[str, str]:
    """{file name: address} of the stylesheets, scripts and icon a page links to."""
    return {
        match.group(1): match.group(0) for match in re.finditer(r"/static/([\w.-]+)\?v=[0-9a-f]{12}", html)
    }


def test_pages_link_static_files_by_digest_and_the_browser_keeps_them(app, seed, as_role, count_queries):
    chair = as_role("chair")
    page = chair.get("/").get_data(as_text=True)
    links = static_links(page)
    assert set(links) >= {"style.css", "htmx.min.js", "app.js", "favicon.svg"}
    client = app.test_client()
    for name, address in links.items():
        content = (Path(app.static_folder) / name).read_bytes()
        assert address.endswith("?v=" + hashlib.sha256(content).hexdigest()[:12])
        response = client.get(address)
        assert response.data == content
        response.close()
        cache = response.cache_control
        assert cache.max_age == 365 * 24 * 3600 and cache.immutable and cache.public and not cache.no_cache
    # A logged-in browser's request for a file does not look its login up.
    assert count_queries(lambda: chair.client.get(links["style.css"])) == 0
    # Nor does the answer depend on the cookie: the browser keeps the file across logins.
    response = chair.client.get(links["style.css"])
    response.close()
    # (it varies with the encoding asked for: Flask-Compress sends it zstd, br or plain)
    assert response.headers.get("Vary") == "Accept-Encoding" and "Set-Cookie" not in response.headers
    assert "Cookie" in chair.get("/").headers["Vary"]  # a page does depend on it


def test_a_static_file_under_another_digest_is_revalidated(app):
    client = app.test_client()
    for address in ("/static/style.css", "/static/style.css?v=000000000000"):
        response = client.get(address)
        response.close()
        assert response.status_code == 200
        assert response.cache_control.no_cache and not response.cache_control.max_age


def test_an_edited_static_file_gets_a_new_address_at_the_next_start(database_uri, tmp_path):
    """The digests are read once, when the app starts: a release that changes a file restarts it."""
    (tmp_path / "site.css").write_text("body { color: black; }")

    def started():
        app = create_app(base_config(database_uri))
        app.static_folder = str(tmp_path)
        app.extensions["static_digests"] = hooks.static_digests(app.static_folder)  # as create_app does
        return app

    with started().test_request_context():
        first = url_for("static", filename="site.css")
    (tmp_path / "site.css").write_text("body { color: navy; }  /* edited */")
    with started().test_request_context():
        second = url_for("static", filename="site.css")
        missing = url_for("static", filename="missing.css")
        outside = url_for("static", filename="../secret_key")
    assert first != second and first.startswith("/static/site.css?v=")
    assert second.endswith(hashlib.sha256(b"body { color: navy; }  /* edited */").hexdigest()[:12])
    assert missing == "/static/missing.css" and "v=" not in outside
