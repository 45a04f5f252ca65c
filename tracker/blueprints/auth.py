"""Logging in and out, and the language switch."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker import accounts, audit
from tracker.access import public, requires
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


class OwnPasswordForm(Form):
    current_password = PasswordField(_l("Current password"), [DataRequired(_l("Enter your password."))])
    password = PasswordField(
        _l("New password"),
        [
            DataRequired(_l("Enter a password.")),
            Length(min=accounts.MIN_PASSWORD_LENGTH, message=_l("Use at least 8 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        [DataRequired(_l("Type the new password again.")), EqualTo("password", _l("The two do not match."))],
    )


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
    if (ended := accounts.ended_message()) is not None:
        flash(ended, "info")
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
        accounts.note_login()
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


@bp.route("/account/password", methods=["GET", "POST"])
@requires("own_account")
def password():
    """Change one's own password; every other session of the login ends (this one goes on)."""
    form = OwnPasswordForm()
    if form.validate_on_submit():
        if accounts.is_throttled(current_user.username, client_address()):
            abort(429, _("Too many failed logins. Wait 15 minutes and try again."))
        if not accounts.check_password(current_user, form.current_password.data):
            accounts.record_failure(current_user.username, client_address())
            db.session.commit()
            form.current_password.errors.append(_("Wrong password."))
        else:
            accounts.change_own_password(current_user, form.password.data)
            audit.record("user.password", current_user)
            db.session.commit()
            flash(_("Your password is changed; your other sessions have ended."), "success")
            return redirect(url_for("dashboard.index"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status


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
