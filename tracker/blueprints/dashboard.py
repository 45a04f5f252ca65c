"""The home page: what the fund has and what needs doing, by role."""

from flask import Blueprint, g, render_template
from sqlalchemy import func, select

from tracker import clock, journal
from tracker.access import can, requires
from tracker.extensions import db
from tracker.models import CommitteeMember, Loan, Membership

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
    figures = None
    if can("view_money"):
        outstanding_loans = list(
            db.session.scalars(select(Loan).where(Loan.fund_id == fund_id, Loan.status == "active"))
        )
        balances = journal.loan_balances([loan.id for loan in outstanding_loans])
        arrears = journal.loan_arrears(outstanding_loans, clock.today())
        figures = {
            "cash": journal.cash_balance(fund_id),
            "outstanding": sum(b.outstanding for b in balances.values()),
            "overdue": sum(a.overdue_amount for a in arrears.values()),
            "late_loans": sum(1 for a in arrears.values() if a.days_overdue),
        }
    return render_template("dashboard/index.html", team_size=team_size, logins=logins, figures=figures)
