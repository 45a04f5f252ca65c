"""The home page: what the fund has and what needs doing, by role."""

from dataclasses import replace

from flask import Blueprint, g, render_template
from flask_login import current_user

from tracker import casework, clock, reminders
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.money import balances
from tracker.queries import dashboard, figure_cache, reports
from tracker.queries.figure_cache import CASEWORK, MONEY
from tracker.web import charts
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
        context.update(overview(fund_id, today))
        if current_user.role == "chair":
            context["applications"], context["applications_total"] = figure_cache.fund_figures(
                fund_id,
                (MONEY, CASEWORK),  # a loan's status, its borrower's name
                ("applications waiting",),
                lambda: dashboard.waiting_applications(fund_id),
            )
    elif current_user.role == "treasurer":
        context.update(money(fund_id, today))
    else:
        mentor_id = own_committee_member_id()
        context["mentor_id"] = mentor_id
        # the member's own week: the same list, from the same query, as their reminder
        rows = (
            casework.visits_due_by_member(fund_id, today, reminders.week_end(today), mentor_id=mentor_id)
            if mentor_id
            else []
        )
        context["queue"] = rows[0].visits if rows else []
        context["my_people"] = (
            db.session.scalar(casework.count_people_of(fund_id, mentor_id)) if mentor_id else 0
        )
    return render_template("dashboard/index.html", **context)


# The figures are kept until the fund's next write (queries.figure_cache), each against what it
# sums: the money (a visit does not drop them), the people and visits, or both (lists with names).


def money_figures(fund_id: int, today) -> dict:
    return figure_cache.fund_figures(
        fund_id, (MONEY,), ("dashboard money",), lambda: money_sums(fund_id, today)
    )


def money_sums(fund_id: int, today) -> dict:
    monthly = balances.money_by_month([fund_id], today)[fund_id]
    return {
        "fund": dashboard.fund_figures(fund_id, today),
        "flows": (
            dashboard.month_labels(today, balances.FLOW_MONTHS),
            list(monthly.ins),
            list(monthly.outs),
        ),
        "cash": (dashboard.month_labels(today, balances.CASH_MONTHS), list(monthly.cash)),
        "out_this_year": balances.money_out(fund_id, today.replace(month=1, day=1), today),
    }


def overview(fund_id, today) -> dict:
    """The chair's and viewers' figures: the fund's money and people, visits by mentor, charts."""
    sums = money_figures(fund_id, today)
    people = figure_cache.fund_figures(
        fund_id, (CASEWORK,), ("dashboard people",), lambda: casework_figures(fund_id, today)
    )
    fund = replace(sums["fund"], people_by_status=people["people_by_status"])
    return {
        "fund": fund,
        "late": dashboard.late_loans(fund_id, sums["fund"].late),
        "not_visited": people["not_visited"],  # who has not been visited (the longest overdue first)
        "not_visited_total": people["not_visited_total"],
        "mentor_counts": people["mentor_counts"],
        "charts": overview_charts(sums, fund, people["visits"]),
        "out_this_year": sums["out_this_year"],
    }


def casework_figures(fund_id: int, today) -> dict:
    not_visited, not_visited_total = dashboard.not_visited(fund_id, today)
    return {
        "people_by_status": dashboard.people_by_status(fund_id),
        "not_visited": not_visited,
        "not_visited_total": not_visited_total,
        "mentor_counts": casework.queue_counts_by_mentor(fund_id, today),
        "visits": dashboard.visits_by_month(fund_id, today),
    }


def money(fund_id, today) -> dict:
    """The treasurer's figures: the fund's money, what falls due this month, the late loans."""
    sums = money_figures(fund_id, today)
    due = figure_cache.fund_figures(
        fund_id, (MONEY, CASEWORK), ("due this month",), lambda: dashboard.due_this_month(fund_id, today)
    )
    return {
        "fund": sums["fund"],
        "due_this_week": figure_cache.fund_figures(
            fund_id, (MONEY, CASEWORK), ("due this week",), lambda: dashboard.due_this_week(fund_id, today)
        ),
        "due": due,
        "due_loans": len(due),
        "due_amount": sum(row.left for row in due),
        "late": dashboard.late_loans(fund_id, sums["fund"].late),
        "charts": [flows_chart(*sums["flows"])],
        "out_this_year": sums["out_this_year"],
    }


def flows_chart(labels, ins, outs):
    title = _("Money in and out per month")
    return title, charts.money_flows(title, labels, ins, outs)


def overview_charts(sums: dict, fund_figures, visits):
    cash_labels, cash_values = sums["cash"]
    visit_labels, visit_counts = visits
    aging_labels = list(fund_figures.aging)
    titles = (
        _("Cash on hand at the end of each month"),
        _("Outstanding by days overdue"),
        _("Visits per month"),
    )
    return [
        (titles[0], charts.line(titles[0], cash_labels, cash_values)),
        flows_chart(*sums["flows"]),
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
