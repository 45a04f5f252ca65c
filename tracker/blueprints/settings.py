"""The fund's settings (chair): the day of the month its installments fall on, and after how many
days overdue the chair's weekly reminder names someone."""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from tracker import audit
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import Fund
from tracker.web.access import requires
from tracker.web.forms import Form

bp = Blueprint("settings", __name__, url_prefix="/settings")

DEFAULT_REMIND_OVERDUE_DAYS = 30  # as the column's default (models.Fund)


class SettingsForm(Form):
    collection_day = IntegerField(
        _l("Collection day of the month"),
        [Optional(), NumberRange(1, 28, _l("Enter a day from 1 to 28, or leave it empty."))],
        description=_l(
            "Installments of loans disbursed from now on fall on this day (for example the day of the "
            "monthly meeting), moved to the next working day when it is a Sunday or a public holiday. "
            "Empty: the day of the month the loan was disbursed."
        ),
    )
    remind_overdue_days = IntegerField(
        _l("Remind the chair of anyone overdue by more than (days)"),
        [Optional(), NumberRange(1, 365, _l("Enter a number of days from 1 to 365, or leave it empty."))],
        description=_l(
            "Once a week the chair's reminder names the people not visited for longer than this "
            "after their visit was due, and the loans overdue for longer. Empty: 30 days."
        ),
    )


def render_index(form: SettingsForm | None = None, status: int = 200):
    fund = db.session.get(Fund, g.fund.id)
    if form is None:
        form = SettingsForm(
            formdata=None,
            collection_day=fund.collection_day,
            remind_overdue_days=fund.remind_overdue_days,
        )
    return render_template("settings/index.html", form=form, fund=fund), status


@bp.route("")
@requires("manage_fund")
def index():
    """Render the fund's settings."""
    return render_index()


@bp.route("", methods=["POST"])
@requires("manage_fund")
def save():
    """Save the fund's collection day and the chair's reminder's number of days."""
    form = SettingsForm()
    if not form.validate():
        return render_index(form, 422)
    fund = db.session.get(Fund, g.fund.id)
    fields = ("collection_day", "remind_overdue_days")
    before = audit.snapshot(fund, fields)
    fund.collection_day = form.collection_day.data
    fund.remind_overdue_days = form.remind_overdue_days.data or DEFAULT_REMIND_OVERDUE_DAYS
    audit.record("fund.settings", fund, before=before, after=audit.snapshot(fund, fields))
    db.session.commit()
    flash(_("The settings are saved."), "success")
    return redirect(url_for("settings.index"), 303)
