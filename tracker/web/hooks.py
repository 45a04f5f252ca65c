"""Request plumbing shared by every page: access checks, headers, template helpers, error pages."""

import hashlib
import os

from flask import Flask, current_app, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from tracker import accounts, clock, database, formatting, labels, provinces, vouchers
from tracker.extensions import db, login_manager
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.queries import commendations
from tracker.web import access
from tracker.web.views import wants_fragment

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)


def init_app(app: Flask) -> None:
    login_manager.user_loader(accounts.load_session_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    # "strong" would log a phone out whenever its mobile network changes its address; sessions are
    # server-side and revocable, so the basic check suffices.
    login_manager.session_protection = "basic"
    app.session_interface = PageSessionInterface()
    app.before_request(access.enforce_access)
    app.extensions["static_digests"] = static_digests(app.static_folder)
    app.url_defaults(versioned_static)
    app.after_request(security_headers)
    register_template_helpers(app)
    register_error_pages(app)


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint == "static":
        keep_static_file(response)
    else:
        # Pages carry names, money and the CSRF token: never keep them in a shared PC's cache.
        headers["Cache-Control"] = "no-store"
    if request.endpoint != "static" and "Vary" not in headers:
        headers["Vary"] = "HX-Request, Cookie"
    if current_app.config["HTTPS"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


# ------------------------------------------------------------------ static files
#
# On a slow phone connection each round trip before a page can show costs: the stylesheet's and the
# scripts' addresses carry a digest of their content (`/static/style.css?v=3f2a…`), so the browser
# keeps such a file for a year without asking, and a changed file gets a new address. An address
# with another digest (an old page, a hand-typed one) is revalidated every time.

STATIC_MAX_AGE = 365 * 24 * 3600


def static_digests(folder: str) -> dict[str, str]:
    """The first 12 hex digits of the SHA-256 of every file under the static folder, by its name
    there, read once when the app starts (the files change only with a new release)."""
    digests = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as file:
                digests[os.path.relpath(path, folder)] = hashlib.sha256(file.read()).hexdigest()[:12]
    return digests


def static_digest(filename: str) -> str | None:
    return current_app.extensions["static_digests"].get(filename)


def versioned_static(endpoint: str, values: dict) -> None:
    """url_defaults: url_for('static', filename=...) adds ?v=<digest of the file>."""
    if endpoint == "static" and "v" not in values and "filename" in values:
        digest = static_digest(values["filename"])
        if digest is not None:
            values["v"] = digest


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed session cookie, left alone by static files. Flask-Login looks into the session
    after every response, so Flask added `Vary: Cookie` to static files too, and a browser on a
    shared PC fetched them again after each login (the cookie had changed)."""

    def save_session(self, app, session, response):
        if request.endpoint != "static":
            super().save_session(app, session, response)


def keep_static_file(response) -> None:
    """A static file asked for by its current digest may be kept a year (its content under that
    address never changes); any other is revalidated, as Flask answers by default."""
    filename = (request.view_args or {}).get("filename")
    if response.status_code not in (200, 304) or not filename:
        return
    if request.args.get("v") and request.args.get("v") == static_digest(filename):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = STATIC_MAX_AGE
        response.cache_control.immutable = True


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=formatting.format_money,
        number=formatting.format_number,
        date=formatting.format_date,
        weekday_date=lambda value: formatting.format_weekday_date(value, str(get_locale())),
        datetime=lambda value: formatting.format_datetime(clock.to_local(value)),
        percent=formatting.format_percent,
        province=provinces.heading,
        province_place=provinces.full_name,
        readable_money=lambda amount: formatting.readable_amount(amount, str(get_locale())),
    )
    app.jinja_env.globals.update(labels.template_globals())
    app.jinja_env.globals.update(
        can=access.can,
        password_needed=accounts.password_needed,
        today=clock.today,
        get_locale=get_locale,
        nav_items=nav_items,
        nav_administration=nav_administration,
        wants_fragment=wants_fragment,
        amount_in_words=formatting.amount_in_words,
        # a member's, donor's or person's page lists their commendations (commendations/_list.html)
        commendations_of=lambda recipient, recipient_id: commendations.commendations_of(
            g.fund.id, recipient, recipient_id
        ),
        commendation_decision=commendations.decision_text,
        official_date=official_date,
        voucher_unit=vouchers.unit_of,
        voucher_date=vouchers.date_line,
    )


# (endpoint, label, permission): the menu, in order; each entry shows only to roles that may use it.
NAVIGATION = (
    ("province.index", _l("Province"), "view_province"),
    ("people.index", _l("People"), "view_people"),
    ("loans.index", _l("Loans"), "view_loans"),
    ("donations.index", _l("Donations"), "view_money"),
    ("donors.index", _l("Donors"), "view_money"),
    ("cash.transfers", _l("Cash and bank"), "view_money"),
    ("grants.index", _l("Grants"), "view_money"),
    ("expenses.index", _l("Running costs"), "view_money"),
    ("visits.index", _l("Visits"), "view_visits"),
    ("reminders.index", _l("Reminders"), "send_reminders"),
    ("reports.index", _l("Reports"), "view_reports"),
    ("members.index", _l("Team"), "view_members"),
)
# Run now and then, by the chair mostly: folded under one entry of the menu when a role has
# several of them, so the day's work stays on one line of a 1280 px screen.
ADMINISTRATION = (
    ("periods.index", _l("Closing the books"), "close_period"),
    ("handovers.index", _l("Files handed over"), "manage_people"),
    ("settings.index", _l("Fund settings"), "manage_fund"),
    ("users.index", _l("Logins"), "manage_users"),
    ("audit.index", _l("Audit log"), "view_audit"),
)
FOLDED_FROM = 3  # fewer administration entries than this stay in the menu's line


def nav_items() -> list[dict]:
    return allowed(NAVIGATION)


def nav_administration() -> tuple[list[dict], bool, bool]:
    """The administration entries the user may use, whether they are folded under one entry, and
    whether the page shown is one of them (the folded entry is marked then)."""
    items = allowed(ADMINISTRATION)
    here = any(item["endpoint"].split(".")[0] == request.blueprint for item in items)
    return items, len(items) >= FOLDED_FROM, here


def allowed(entries) -> list[dict]:
    return [
        {"endpoint": endpoint, "label": label}
        for endpoint, label, permission in entries
        if access.can(permission)
    ]


def official_date(day) -> str:
    """'Hồng Sơn, ngày 05 tháng 02 năm 2026' for the current fund."""
    place = g.fund.place if g.get("fund") else ""
    return formatting.official_date_line(place, day)


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500, error.description)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(
            400,
            _("The form has expired or was sent from elsewhere. Reload the page and try again."),
        )

    @app.errorhandler(database.DatabaseBusy)
    def busy(error: database.DatabaseBusy):
        return database_busy()

    @app.errorhandler(OperationalError)
    def operational_error(error: OperationalError):
        if database.is_lock_timeout(error):
            return database_busy()
        return server_error(error)

    @app.errorhandler(IntegrityError)
    def conflict(error: IntegrityError):
        # Two requests saved the same thing at the same moment (a username, a link, a key): the
        # database kept the first; the second is told, not shown a server error.
        app.logger.warning("Refused by a constraint: %s", error.orig)
        db.session.rollback()
        return render_error(409, None)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        app.logger.exception("Unhandled error")
        db.session.rollback()
        return render_error(500, None)


def database_busy():
    db.session.rollback()
    if "_login_user" not in g:
        # the login itself could not be read: the page is shown as to a visitor, without asking
        # the busy database again for every name in the header
        g._login_user = login_manager.anonymous_user()
    response, code = render_error(503, None)
    return response, code, {"Retry-After": "5"}


def render_error(code: int, detail: str | None):
    messages = {
        400: _("The request could not be understood."),
        403: _("Your role does not allow this. Ask the chair of the fund if you need it."),
        404: _("There is nothing at this address, or it belongs to another fund."),
        405: _("This action is not allowed here."),
        409: _(
            "Someone else saved a change to the same record at the same moment. Reload the page and check."
        ),
        429: _("Too many attempts. Wait 15 minutes and try again."),
        500: _("The server made an error. Nothing was saved; try again in a moment."),
        503: _("The database is busy with other changes. Nothing was saved; try again in a moment."),
    }
    message = detail if code in (400, 429) and detail else messages.get(code, messages[500])
    titles = {
        400: _("The request could not be understood"),
        403: _("You do not have permission"),
        404: _("Page not found"),
        405: _("Not allowed"),
        409: _("Changed at the same moment"),
        429: _("Too many attempts"),
        500: _("Server error"),
        503: _("The database is busy"),
    }
    return (
        render_template("error.html", code=code, title=titles.get(code, titles[500]), message=message),
        code,
    )
