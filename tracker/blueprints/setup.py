"""First run: create the fund and its chair, or load the demo fund. Gone once a fund exists."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from tracker import accounts, audit, labels, provinces
from tracker.commands import demo
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Fund
from tracker.web.access import public
from tracker.web.forms import Form, NameField

bp = Blueprint("setup", __name__, url_prefix="/setup")

USERNAME_RULE = Regexp(
    accounts.USERNAME_PATTERN,
    message=_l("Use 3 to 80 letters without accents, digits, dots, dashes or underscores."),
)


class SetupForm(Form):
    fund_name = NameField(
        _l("Fund name"),
        [DataRequired(_l("Enter the name of the fund.")), Length(max=200)],
        default="Quỹ giúp đỡ người hoàn lương tái hòa nhập cộng đồng",
    )
    commune = NameField(_l("Commune or ward"), [DataRequired(_l("Enter the commune.")), Length(max=120)])
    province = StringField(_l("Province or city"), [DataRequired(_l("Enter the province.")), Length(max=120)])

    def validate_province(self, field):
        found = provinces.find(field.data)
        if found is None:
            raise ValidationError(
                _l("Not one of the 34 provinces and cities; write it as Lâm Đồng or Hà Nội are written.")
            )
        field.data = found

    full_name = NameField(
        _l("Chair's full name"), [DataRequired(_l("Enter the chair's name.")), Length(max=200)]
    )
    username = StringField(_l("Chair's username"), [DataRequired(_l("Enter a username.")), USERNAME_RULE])
    password = PasswordField(
        _l("Password"),
        [
            DataRequired(_l("Enter a password.")),
            Length(min=accounts.MIN_PASSWORD_LENGTH, message=_l("Use at least 8 characters.")),
        ],
    )
    confirm = PasswordField(_l("Password again"), [EqualTo("password", _l("The two passwords differ."))])


def demo_logins_text() -> str:
    """'chair (Tổ trưởng), treasurer (Thủ quỹ), ...': every demo login with its role."""
    return ", ".join(f"{login} ({labels.ROLES[role]})" for login, role in demo.DEMO_LOGINS)


def ensure_first_run() -> None:
    if db.session.scalar(select(Fund.id).limit(1)) is not None:
        abort(404)


@bp.route("/", methods=["GET", "POST"])
@public
def start():
    """Render the first-run form; create the fund with its chair."""
    ensure_first_run()
    form = SetupForm()
    if form.validate_on_submit():
        fund = accounts.create_fund(form.fund_name.data, form.commune.data, form.province.data)
        user = accounts.create_user(
            form.username.data, form.password.data, fund.id, "chair", form.full_name.data
        )
        audit.record("fund.create", fund, fund_id=fund.id, user_id=user.id)
        db.session.commit()
        flash(_("The fund is created. Log in with the chair's account."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template(
        "setup/start.html",
        form=form,
        demo_logins=[(login, labels.ROLES[role]) for login, role in demo.DEMO_LOGINS],
        demo_password=demo.DEMO_PASSWORD,
    ), status


@bp.route("/demo", methods=["POST"])
@public
def load_demo():
    """Load the Hồng Sơn demo fund on an empty installation."""
    ensure_first_run()
    demo.load_demo()
    db.session.commit()
    flash(
        _(
            "The Hồng Sơn demo fund is loaded. Log in with one of its five logins, %(logins)s, all with "
            "the password %(password)s.",
            logins=demo_logins_text(),
            password=demo.DEMO_PASSWORD,
        ),
        "success",
    )
    return redirect(url_for("auth.login"))
