"""Logging in and out, and the language switch."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker import accounts, audit
from tracker.extensions import db
from tracker.i18n import LOCALES
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Fund
from tracker.web.access import public, requires
from tracker.web.forms import Form

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
        address = accounts.client_address()
        try:
            user = accounts.authenticate(form.username.data, form.password.data, address)
        except accounts.Throttled:
            abort(429, _("Too many failed logins. Wait 15 minutes and try again."))
        if user is None:
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
        if accounts.confirm_password(form.current_password, accounts.client_address()):
            db.session.commit()  # the confirmation: the new password is hashed with no lock held
            accounts.change_own_password(current_user, accounts.hash_password(form.password.data))
            audit.record("user.password", current_user)
            db.session.commit()
            flash(_("Your password is changed; your other sessions have ended."), "success")
            return redirect(url_for("dashboard.index"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status


class ConfirmForm(Form):
    password = PasswordField(_l("Your password"))


@bp.route("/account/confirm", methods=["POST"])
@requires("own_account")
def confirm():
    """Type the password again before a page of decisions (the logins page): it then counts as
    typed now for REAUTH_MINUTES; back to the page it was asked on."""
    form = ConfirmForm()
    if form.validate() and accounts.confirm_password(form.password, accounts.client_address()):
        db.session.commit()
        flash(_("Password confirmed."), "success")
    else:
        db.session.commit()  # nothing pending; the wrong attempt is on record already
        for error in form.password.errors or [form.first_error]:
            flash(error, "error")
    return redirect(safe_next(request.form.get("next")), 303)


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
