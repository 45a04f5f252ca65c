"""Closing the books: the chair closes a period; nothing dated on or before it can change after."""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tracker import accounts, audit
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.models import PeriodClose
from tracker.money import journal
from tracker.web.access import requires
from tracker.web.forms import IsoDateField, PasswordAgainForm

bp = Blueprint("periods", __name__, url_prefix="/periods")


class CloseForm(PasswordAgainForm):
    closed_through = IsoDateField(
        _l("Close the books through"), [DataRequired(_l("Enter the last day to close."))]
    )
    note = StringField(_l("Note"), [Length(max=500)])


def render_index(form: CloseForm | None = None, status: int = 200):
    closes = db.session.scalars(
        select(PeriodClose)
        .where(PeriodClose.fund_id == g.fund.id)
        .order_by(PeriodClose.closed_through.desc())
    ).all()
    return render_template("periods/index.html", closes=closes, form=form or CloseForm(formdata=None)), status


@bp.route("")
@requires("close_period")
def index():
    """Render the closed periods and the form to close another."""
    return render_index()


@bp.route("", methods=["POST"])
@requires("close_period")
def close():
    """Close the books through a date."""
    form = CloseForm()
    if not accounts.password_confirmed(form):
        return render_index(form, 422)
    if form.validate():
        journal.lock_fund(g.fund.id)
        current = journal.closed_through(g.fund.id)
        if current is not None and form.closed_through.data <= current:
            form.closed_through.errors.append(_("The books are already closed through this date."))
    if form.errors:
        return render_index(form, 422)
    period = PeriodClose(
        fund_id=g.fund.id,
        closed_through=form.closed_through.data,
        closed_by_id=current_user.id,
        note=form.note.data,
    )
    db.session.add(period)
    audit.record("period.close", period, after={"closed_through": period.closed_through.isoformat()})
    db.session.commit()
    flash(
        _("The books are closed through %(date)s.", date=period.closed_through.strftime("%d/%m/%Y")),
        "success",
    )
    return redirect(url_for("periods.index"), 303)
