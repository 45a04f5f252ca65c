"""The province's view for its steering committee: every fund's figures, read-only, no names."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from tracker import charts, clock, figures, province
from tracker.access import requires
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.models import Fund

bp = Blueprint("province", __name__, url_prefix="/province")


@bp.route("")
@requires("view_province")
def index():
    """Render the table of the province's funds, sortable, with totals."""
    today = clock.today()
    rows = province.fund_rows(current_user.province, today)
    key = request.args.get("sort", "commune")
    descending = request.args.get("dir") == "desc"
    rows = province.sort_rows(rows, key, descending)
    total = province.totals(rows)
    return render_template(
        "province/index.html",
        rows=rows,
        total=total,
        key=key,
        descending=descending,
        charts=province_charts(rows, today) if rows else [],
    )


def province_charts(rows: list[province.FundRow], today) -> list[tuple[str, str]]:
    """The province's money over time (every fund summed) and the funds owing the most."""
    funds = province.funds_of(current_user.province)
    cash_labels, cash_values = figures.cash_by_month(funds, today)
    labels, ins, outs = figures.flows_by_month(funds, today)
    top = sorted(rows, key=lambda row: -row.outstanding)[:12]
    return [
        (
            _("Cash on hand in the province's funds at the end of each month"),
            charts.line(_("Cash on hand"), cash_labels, cash_values),
        ),
        (
            _("Money in and out per month, all funds"),
            charts.money_flows(_("Money in and out per month"), labels, ins, outs),
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
    fund_figures = figures.fund_figures(found.id, today)
    cash_labels, cash_values = figures.cash_by_month(found.id, today)
    labels, ins, outs = figures.flows_by_month(found.id, today)
    return render_template(
        "province/fund.html",
        fund=found,
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
