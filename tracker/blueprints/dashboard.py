"""The home page: what the fund has and what needs doing, by role."""

from flask import Blueprint, g, render_template
from flask_login import current_user

from tracker import casework, clock
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.queries import charts, dashboard, figure_cache, reports
from tracker.web.access import own_committee_member_id, requires

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@requires("view_fund")
def index():
    """Render the dashboard: the chair's and viewers' overview, the treasurer's money, a member's caseload."""
    today = clock.today()
    fund_id = g.fund.id
    context = {"today_date": today}
    if current_user.role in ("chair", "viewer"):
        context.update(figure_cache.kept(fund_id, ("overview",), lambda: overview(fund_id, today)))
    elif current_user.role == "treasurer":
        context.update(figure_cache.kept(fund_id, ("money",), lambda: money(fund_id, today)))
    else:
        mentor_id = own_committee_member_id()
        context["mentor_id"] = mentor_id
        context["queue"] = dashboard.queue_for(fund_id, mentor_id, today) if mentor_id else []
        context["my_people"] = (
            db.session.scalar(casework.count_people_of(fund_id, mentor_id)) if mentor_id else 0
        )
    return render_template("dashboard/index.html", **context)


def overview(fund_id, today) -> dict:
    """The chair's and viewers' figures: the fund's money and people, visits by mentor, charts."""
    fund = dashboard.fund_figures(fund_id, today)
    not_visited, not_visited_total = dashboard.not_visited(fund_id, today)
    return {
        "fund": fund,
        "late": dashboard.late_loans(fund_id, today),  # who owes what, and how late
        "not_visited": not_visited,  # who has not been visited (the longest overdue first)
        "not_visited_total": not_visited_total,
        "mentor_counts": casework.queue_counts_by_mentor(fund_id, today),
        "charts": overview_charts(fund_id, today, fund),
    }


def money(fund_id, today) -> dict:
    """The treasurer's figures: the fund's money, what falls due this month, the late loans."""
    due = dashboard.due_this_month(fund_id, today)
    labels, ins, outs = dashboard.flows_by_month(fund_id, today)
    return {
        "fund": dashboard.fund_figures(fund_id, today),
        "due": due,
        "due_loans": len(due),
        "due_amount": sum(row.left for row in due),
        "late": dashboard.late_loans(fund_id, today),
        "charts": [flows_chart(labels, ins, outs)],
    }


def flows_chart(labels, ins, outs):
    title = _("Money in and out per month")
    return title, charts.money_flows(title, labels, ins, outs)


def overview_charts(fund_id, today, fund_figures):
    cash_labels, cash_values = dashboard.cash_by_month(fund_id, today)
    labels, ins, outs = dashboard.flows_by_month(fund_id, today)
    visit_labels, visit_counts = dashboard.visits_by_month(fund_id, today)
    aging_labels = list(fund_figures.aging)
    titles = (
        _("Cash on hand at the end of each month"),
        _("Outstanding by days overdue"),
        _("Visits per month"),
    )
    return [
        (titles[0], charts.line(titles[0], cash_labels, cash_values)),
        flows_chart(labels, ins, outs),
        (
            titles[1],
            charts.bars(
                titles[1],
                [reports.aging_bucket_label(label) for label in aging_labels],
                [charts.Series(_("Outstanding"), [fund_figures.aging[k] for k in aging_labels], "series-b")],
            ),
        ),
        (
            titles[2],
            charts.bars(
                titles[2], visit_labels, [charts.Series(_("Visits"), visit_counts, "series-a")], money=False
            ),
        ),
    ]
