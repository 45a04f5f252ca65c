"""The reminders' texts (Nhắc việc), one box each with a copy button, for the committee's Zalo group
or an SMS; which of them `flask remind` emailed, and when."""

from flask import Blueprint, g, render_template

from tracker import clock, reminders
from tracker.extensions import db
from tracker.models import Fund
from tracker.web.access import requires

bp = Blueprint("reminders", __name__, url_prefix="/reminders")


@bp.route("")
@requires("send_reminders")
def index():
    """Render every reminder of the day: each member's visits, the treasurer's, the chair's week."""
    # A list of names and dates, like the visit queue and the dashboard, which are not logged as
    # openings of a file: nothing here is more than a name and what is due.
    today = clock.today()
    fund = db.session.get(Fund, g.fund.id)
    return render_template(
        "reminders/index.html",
        found=reminders.build(fund, today),
        sent=reminders.last_sent(fund.id),
        today_date=today,
        week_end=reminders.week_end(today),
        fund=fund,
        mail_configured=reminders.mail_configured(),
    )
