"""The province's view for its steering committee: every fund's figures, read-only, no names."""

from dataclasses import replace

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.models import Fund
from tracker.money import balances
from tracker.queries import dashboard, figure_cache, province
from tracker.queries.figure_cache import CASEWORK, MONEY
from tracker.web import charts
from tracker.web.access import requires

bp = Blueprint("province", __name__, url_prefix="/province")


@bp.route("")
@requires("view_province")
def index():
    """Render the table of the province's funds, sortable, with totals."""
    today = clock.today()
    # A row per fund, each kept until its own fund's next write (queries.figure_cache): a write
    # to one fund recomputes one row.
    rows = list(
        figure_cache.funds_figures(
            province.fund_ids(current_user.province),
            (MONEY, CASEWORK),
            ("province row",),
            lambda missing: province.fund_rows(missing, today),
        ).values()
    )
    key = request.args.get("sort", "commune")
    descending = request.args.get("dir") == "desc"
    rows = province.sort_rows(rows, key, descending)
    return render_template(
        "province/index.html",
        rows=rows,
        total=province.totals(rows),
        key=key,
        descending=descending,
        charts=province_charts(rows, today) if rows else [],
    )


def province_charts(rows: list[province.FundRow], today) -> list[tuple[str, str]]:
    """The province's money over time (every fund summed) and the funds owing the most."""
    monthly = province.summed_months(rows)
    top = sorted(rows, key=lambda row: -row.outstanding)[:12]
    return [
        (
            _("Cash on hand in the province's funds at the end of each month"),
            charts.line(
                _("Cash on hand"), dashboard.month_labels(today, balances.CASH_MONTHS), list(monthly.cash)
            ),
        ),
        (
            _("Money in and out per month, all funds"),
            charts.money_flows(
                _("Money in and out per month"),
                dashboard.month_labels(today, balances.FLOW_MONTHS),
                list(monthly.ins),
                list(monthly.outs),
            ),
        ),
        (
            _("Outstanding and overdue by fund"),
            charts.bars(
                _("Outstanding and overdue by fund"),
                [row.commune.removeprefix("xã ").removeprefix("phường ")[:12] for row in top],
                [
                    charts.Series(_("Outstanding"), [row.outstanding for row in top], "series-a"),
                    charts.Series(_("Overdue"), [row.overdue for row in top], "series-b"),
                ],
            ),
        ),
    ]


@bp.route("/funds/<int:fund_id>")
@requires("view_province")
def fund(fund_id: int):
    """Render one fund's dashboard, read-only and without names; another province's fund is not found."""
    found = db.session.scalar(select(Fund).where(Fund.id == fund_id, Fund.province == current_user.province))
    if found is None:
        abort(404)
    today = clock.today()
    return render_template(
        "province/fund.html",
        fund=found,
        # kept until the fund's next write (queries.figure_cache)
        **figure_cache.fund_figures(
            found.id, (MONEY, CASEWORK), ("province fund",), lambda: fund_dashboard(found.id, today)
        ),
    )


def fund_dashboard(fund_id: int, today) -> dict:
    """A fund's figures and charts as the province sees them (no names)."""
    fund_figures = replace(
        dashboard.fund_figures(fund_id, today), people_by_status=dashboard.people_by_status(fund_id)
    )
    cash_labels, cash_values = dashboard.cash_by_month(fund_id, today)
    labels, ins, outs = dashboard.flows_by_month(fund_id, today)
    return dict(
        figures=fund_figures,
        charts=[
            (
                _("Cash on hand at the end of each month"),
                charts.line(_("Cash on hand"), cash_labels, cash_values),
            ),
            (
                _("Money in and out per month"),
                charts.money_flows(_("Money in and out per month"), labels, ins, outs),
            ),
        ],
    )
