"""The app on a member's phone: the manifest, the service worker, its offline page, and what the
phone's store needs to know about the login (tracker/static/offline.js, service-worker.js).

What the phone keeps is decided here, on the server: a page a member may keep answers with
`X-Offline-Keep: <login mark> <until>` (offline_keep_header), and the worker keeps only pages that
say so, in a store named after that login and deleted when its session's maximum age has passed.
Only a member's own people are ever kept (the dashboard's week, the visit queue, the list of their
people, each person's visit form); money pages, reports and everyone else's files never carry the
header, and offline the worker answers them with the page saying they need the network.
"""

import datetime as dt
import hashlib
import hmac
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from tracker.i18n import gettext as _
from tracker.web.access import public, requires, sees_only_own_people
from tracker.web.views import wants_fragment

bp = Blueprint("offline", __name__)

# Pages a member may keep on the phone: each shows only their own people (visible_people).
KEPT_ENDPOINTS = frozenset({"dashboard.index", "visits.index", "people.index", "visits.new"})


def mark(kind: str, value) -> str:
    """A mark that tells one login (or one session) from another without naming it: the phone's
    store is labelled with it, and a page with another mark deletes the store."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"offline {kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def keeps_offline() -> bool:
    """Whether this login keeps pages on the phone: members, who see only their own people."""
    return current_user.is_authenticated and current_user.role == "member" and sees_only_own_people()


def offline_marks() -> dict | None:
    """What the page tells offline.js about the login (meta tags in base.html): `user` for every
    login (another login on the same phone deletes the store), and for a member `session` and
    `until` (epoch seconds), after which the kept pages are deleted."""
    if not current_user.is_authenticated:
        return None
    marks = {"user": mark("user", current_user.id)}
    login_session = current_user.login_session
    if keeps_offline() and login_session is not None:
        marks["session"] = mark("session", login_session.id)
        created = login_session.created_at.replace(tzinfo=dt.UTC)
        until = created + dt.timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
        marks["until"] = int(until.timestamp())
    return marks


def offline_keep_header(response):
    """after_request: let the worker keep a member's own pages (see the module's docstring)."""
    if (
        request.method == "GET"
        and response.status_code == 200
        and request.endpoint in KEPT_ENDPOINTS
        and not wants_fragment()
        and response.mimetype == "text/html"
    ):
        marks = offline_marks()
        if marks and "session" in marks:
            response.headers["X-Offline-Keep"] = f"{marks['session']} {marks['until']}"
    return response


def init_app(app) -> None:
    app.after_request(offline_keep_header)
    app.jinja_env.globals["offline_marks"] = offline_marks


@bp.route("/service-worker.js")
@public
def service_worker():
    """Serve the service worker from the root, so that its scope is the whole app."""
    path = Path(current_app.static_folder) / "service-worker.js"
    response = current_app.response_class(path.read_bytes(), mimetype="text/javascript")
    # Like every address but static files it is sent with Cache-Control: no-store (web/hooks.py),
    # so the browser's check for a new worker always gets the current one; it is 5 KB.
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
@public
def manifest():
    """Serve the web app manifest (name, icons, start page) so the app can go on the home screen."""
    body = {
        "name": _("Reintegration support fund"),
        "short_name": _("Fund"),
        "description": _("Visits, people and loans of the commune's reintegration support fund."),
        "lang": "vi",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#a3262a",
        "icons": [
            {"src": url_for("static", filename="icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {
                "src": url_for("static", filename="icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any maskable",
            },
            {"src": url_for("static", filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/offline")
@public
def page():
    """Render the page the worker shows offline for a page it does not keep (money, reports, ...)."""
    return render_template("offline/page.html")


@bp.route("/offline/state")
@requires("log_visits")
def state():
    """Tell offline.js the session's CSRF token and marks, before it sends visits waiting on the
    phone: a page opened from the phone's store may carry a token of an earlier session."""
    marks = offline_marks() or {}
    return jsonify(csrf_token=generate_csrf(), **marks)
