"""The fund's logins, managed by the chair: add, change role, deactivate, reset password."""

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from tracker import accounts, audit, database, labels
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Membership, RegionalAccess
from tracker.money import journal
from tracker.web.access import requires
from tracker.web.forms import Form, NameField

bp = Blueprint("users", __name__, url_prefix="/users")


def role_choices():
    return [(role, words) for role, words in labels.choices(labels.ROLES) if role != "regional"]


PASSWORD_RULES = [
    DataRequired(_l("Enter a password.")),
    Length(min=accounts.MIN_PASSWORD_LENGTH, message=_l("Use at least 8 characters.")),
]


class NewUserForm(Form):
    username = StringField(
        _l("Username"),
        [
            DataRequired(_l("Enter a username.")),
            Regexp(
                accounts.USERNAME_PATTERN,
                message=_l("Use 3 to 80 letters without accents, digits, dots, dashes or underscores."),
            ),
        ],
    )
    full_name = NameField(_l("Full name"), [Length(max=200)])
    role = SelectField(_l("Role"), choices=role_choices)
    password = PasswordField(_l("Password"), PASSWORD_RULES)


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=role_choices)


class PasswordForm(Form):
    password = PasswordField(_l("New password"), PASSWORD_RULES)


def get_membership_or_404(membership_id: int) -> Membership:
    membership = db.session.scalar(
        select(Membership).where(Membership.id == membership_id, Membership.fund_id == g.fund.id)
    )
    if membership is None:
        abort(404)
    return membership


def password_typed_lately() -> bool:
    """Adding a login or giving one power asks for the chair's password again when it was typed
    more than REAUTH_MINUTES ago, in the form at the top of the page (_password_check.html): an
    unattended session must not make itself a treasurer. False, with the reason flashed, when the
    password is due."""
    if accounts.password_needed():
        flash(_("Type your password again first, in the box at the top of the page."), "error")
        return False
    return True


def lock_logins() -> None:
    """Changes to a fund's logins one at a time (the fund's lock), each by a chair who still is
    one: two chairs who demote each other at the same moment must not leave the fund without any."""
    journal.lock_fund(g.fund.id)
    own = db.session.scalar(
        select(Membership)
        .where(Membership.user_id == current_user.id, Membership.fund_id == g.fund.id)
        .execution_options(populate_existing=True)
    )
    if own is None or not own.active or own.role != "chair":
        abort(403)


def not_myself(membership: Membership) -> None:
    """The chair cannot demote or deactivate their own login (the fund would lose its chair)."""
    if membership.user_id == current_user.id:
        abort(400, _("You cannot change your own role or deactivate yourself."))


def only_this_fund(membership: Membership) -> None:
    """A password opens every fund and province the login has a role in: the chair of one fund may
    set it only for a login of this fund alone, or they could take over its roles elsewhere."""
    elsewhere = select(Membership.id).where(
        Membership.user_id == membership.user_id, Membership.fund_id != membership.fund_id
    )
    regional = select(RegionalAccess.id).where(RegionalAccess.user_id == membership.user_id)
    if db.session.scalar(select(or_(elsewhere.exists(), regional.exists()))):
        message = _(
            "This login also opens another fund or a province, so its password cannot be set here; "
            "whoever runs the installation can set it with the command flask set-password."
        )
        abort(400, message)


def render_index(form: NewUserForm | None = None, status: int = 200):
    memberships = db.session.scalars(
        select(Membership)
        .options(joinedload(Membership.user))
        .where(Membership.fund_id == g.fund.id)
        .order_by(Membership.active.desc(), Membership.role, Membership.id)
    )
    return (
        render_template(
            "users/index.html",
            memberships=list(memberships),
            form=form or NewUserForm(formdata=None),
            role_choices=role_choices(),
        ),
        status,
    )


@bp.route("")
@requires("manage_users")
def index():
    """Render the fund's logins."""
    return render_index()


@bp.route("", methods=["POST"])
@requires("manage_users")
def create():
    """Add a login to this fund."""
    form = NewUserForm()
    if not password_typed_lately() or not form.validate():
        return render_index(form, 422)
    database.end_transaction_before_slow_work()
    password_hash = accounts.hash_password(form.password.data)
    lock_logins()
    if accounts.username_taken(form.username.data):
        form.username.errors.append(_("This username is taken; choose another."))
        return render_index(form, 422)
    user = accounts.create_user(
        form.username.data,
        None,
        g.fund.id,
        form.role.data,
        form.full_name.data,
        password_hash=password_hash,
    )
    audit.record("user.create", user, after={"username": user.username, "role": form.role.data})
    db.session.commit()
    flash(_("Created the login %(username)s.", username=user.username), "success")
    return redirect(url_for("users.index"), 303)


@bp.route("/<int:membership_id>/role", methods=["POST"])
@requires("manage_users")
def change_role(membership_id: int):
    """Give a login another role in this fund."""
    membership = get_membership_or_404(membership_id)
    not_myself(membership)
    form = RoleForm()
    if not password_typed_lately():
        return render_index(status=422)
    if not form.validate():
        flash(form.first_error, "error")
        return render_index(status=422)
    lock_logins()
    database.lock_row(membership)
    before = {"role": membership.role}
    membership.role = form.role.data
    accounts.revoke_all_sessions(membership.user_id, g.fund.id)  # the new role applies at next login
    audit.record("user.role", membership, before=before, after={"role": membership.role})
    db.session.commit()
    flash(_("Role changed."), "success")
    return redirect(url_for("users.index"), 303)


@bp.route("/<int:membership_id>/deactivate", methods=["POST"])
@requires("manage_users")
def deactivate(membership_id: int):
    """Deactivate a login; it is logged out at its next request."""
    membership = get_membership_or_404(membership_id)
    not_myself(membership)
    lock_logins()
    database.lock_row(membership)
    membership.active = False
    accounts.revoke_all_sessions(membership.user_id, g.fund.id)
    audit.record("user.deactivate", membership, before={"active": True}, after={"active": False})
    db.session.commit()
    flash(_("The login %(username)s is deactivated.", username=membership.user.username), "success")
    return redirect(url_for("users.index"), 303)


@bp.route("/<int:membership_id>/activate", methods=["POST"])
@requires("manage_users")
def activate(membership_id: int):
    """Reactivate a login."""
    membership = get_membership_or_404(membership_id)
    if not password_typed_lately():
        return render_index(status=422)
    lock_logins()
    database.lock_row(membership)
    membership.active = True
    audit.record("user.activate", membership, before={"active": False}, after={"active": True})
    db.session.commit()
    flash(_("The login %(username)s is active again.", username=membership.user.username), "success")
    return redirect(url_for("users.index"), 303)


@bp.route("/<int:membership_id>/password", methods=["POST"])
@requires("manage_users")
def reset_password(membership_id: int):
    """Set a new password for a login of this fund and end its open sessions."""
    membership = get_membership_or_404(membership_id)
    only_this_fund(membership)
    form = PasswordForm()
    if not password_typed_lately():
        return render_index(status=422)
    if not form.validate():
        flash(form.first_error, "error")
        return render_index(status=422)
    database.end_transaction_before_slow_work()
    password_hash = accounts.hash_password(form.password.data)
    lock_logins()
    membership.user.password_hash = password_hash
    accounts.revoke_all_sessions(membership.user_id)
    audit.record("user.password", membership)
    db.session.commit()
    flash(_("New password set for %(username)s.", username=membership.user.username), "success")
    return redirect(url_for("users.index"), 303)
