"""Logging in and out, and the language switch."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from tracker import accounts, audit
from tracker.access import public
from tracker.extensions import db
from tracker.forms import Form
from tracker.i18n import LOCALES
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Fund

bp = Blueprint("auth", __name__)


class LoginForm(Form):
    username = StringField(_l("Username"), [DataRequired(_l("Enter your username.")), Length(max=80)])
    password = PasswordField(_l("Password"), [DataRequired(_l("Enter your password."))])


def client_address() -> str:
    # Behind a reverse proxy, configure ProxyFix so that remote_addr is the client's.
    return (request.remote_addr or "unknown")[:64]


def safe_next(target: str | None) -> str:
    """A path on this site to go on to; anything else goes to the dashboard. Control characters
    are refused too: Werkzeug drops a tab from the Location header (next=/%09/evil.com would leave
    as //evil.com, another site) and a line break there is a server error."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not any(char < " " or char in "\\\x7f" for char in target)
    ):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Render the login form; on success start a new server-side session."""
    if db.session.scalar(select(Fund.id).limit(1)) is None:
        return redirect(url_for("setup.start"))
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        address = client_address()
        if accounts.is_throttled(form.username.data, address):
            abort(429, _("Too many failed logins. Wait 15 minutes and try again."))
        user = accounts.authenticate(form.username.data, form.password.data)
        if user is None:
            accounts.record_failure(form.username.data, address)
            db.session.commit()
            form.password.errors.append(_("Wrong username or password."))
            return render_template("auth/login.html", form=form), 401
        session.clear()  # a new session at login: nothing of the anonymous one carries over
        memberships = accounts.active_memberships(user)
        if memberships:
            accounts.start_session(user, memberships[0], address)
            audit.record("login", user, fund_id=memberships[0].fund_id, user_id=user.id)
        else:
            accounts.start_session(user, None, address, accounts.active_regional_access(user)[0])
            audit.record("login", user, user_id=user.id)
        db.session.commit()
        login_user(user)
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """End the session on the server, so a copy of the cookie opens nothing."""
    if current_user.is_authenticated and current_user.login_session:
        accounts.revoke_session(current_user.login_session)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Switch between Vietnamese and English; remembered on the account."""
    locale = request.form.get("locale")
    if locale not in LOCALES:
        abort(400)
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    session["locale"] = locale
    return redirect(safe_next(request.form.get("next")))


@bp.route("/about")
@public
def about():
    """Render what the application is and how it treats personal data (no database query: it is
    also the floor page of the benchmark)."""
    return render_template("auth/about.html")
