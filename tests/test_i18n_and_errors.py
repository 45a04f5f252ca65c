"""Vietnamese by default, English on request (remembered per user); error pages without tracebacks."""

from tests.conftest import Browser


def test_vietnamese_by_default(seed, as_role):
    page = as_role("chair").get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng xuất" in page and "Tổ giúp đỡ" in page


def test_english_switch_is_remembered_on_the_account(app, seed, as_role):
    chair = as_role("chair")
    assert chair.post("/language", {"locale": "en", "next": "/members"}).location == "/members"
    assert "Log out" in chair.get("/").get_data(as_text=True)
    chair.logout()
    again = Browser(app.test_client())
    again.login("chair")
    assert "Log out" in again.get("/").get_data(as_text=True)
    other = as_role("treasurer")
    assert "Đăng xuất" in other.get("/").get_data(as_text=True)


def test_unknown_language_is_refused(seed, as_role):
    assert as_role("chair").post("/language", {"locale": "fr"}).status_code == 400


def test_money_and_dates_read_the_vietnamese_way(app):
    with app.test_request_context():
        render = app.jinja_env.from_string("{{ 50000000|money }} {{ d|date }}").render
        import datetime as dt

        assert render(d=dt.date(2026, 11, 27)) == "50.000.000 ₫ 27/11/2026"


def test_404_page_in_vietnamese(seed, as_role):
    response = as_role("chair").get("/no-such-page")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_403_page_in_vietnamese(seed, as_role):
    response = as_role("viewer").get("/users")
    assert response.status_code == 403
    assert "Tổ trưởng" in response.get_data(as_text=True)


def test_500_never_shows_a_traceback(app, seed, as_role):
    def explode():
        raise RuntimeError("secret internals")

    explode.access_public = True
    app.add_url_rule("/explode", "explode", explode)
    response = as_role("chair").get("/explode")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert "<html" in text


def test_security_headers(seed, as_role):
    response = as_role("chair").get("/members")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert "<script>" not in text and "style=" not in text and " onclick=" not in text
