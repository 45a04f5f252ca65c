"""The home page: what the fund has and what needs doing, by role."""

from flask import Blueprint, g, render_template
from sqlalchemy import func, select

from tracker.access import requires
from tracker.extensions import db
from tracker.models import CommitteeMember, Membership

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@requires("view_fund")
def index():
    """Render the dashboard of the current fund."""
    fund_id = g.fund.id
    team_size = db.session.scalar(
        select(func.count())
        .select_from(CommitteeMember)
        .where(CommitteeMember.fund_id == fund_id, CommitteeMember.left_on.is_(None))
    )
    logins = db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.fund_id == fund_id, Membership.active.is_(True))
    )
    return render_template("dashboard/index.html", team_size=team_size, logins=logins)
