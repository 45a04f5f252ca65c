"""The province's view for its steering committee: every fund's figures, read-only, no names."""

import re
from dataclasses import replace

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from tracker import clock, provinces
from tracker.blueprints.review import DOCX_MIMETYPE, asked_period, picker_periods
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.i18n import gettext as _
from tracker.models import Fund
from tracker.money import balances
from tracker.province_docx import province_review_docx
from tracker.queries import dashboard, figure_cache, province
from tracker.queries import review as reviewing
from tracker.queries.figure_cache import CASEWORK, MONEY
from tracker.text import searchable
from tracker.web import charts, sheets
from tracker.web.access import requires
from tracker.web.exports import export, export_format

bp = Blueprint("province", __name__, url_prefix="/province")


@bp.route("")
@requires("view_province")
def index():
    """Render the table of the province's funds, sortable, with totals; ?format=xlsx|csv downloads it."""
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
    chosen = export_format("view_province")
    if chosen:
        return export(
            chosen,
            "tinh-" + slug(current_user.province),
            sheets.PROVINCE,
            province.export_rows(rows),
            subtitle=_("As of %(date)s", date=format_date(today)),
            issuer=provinces.heading(current_user.province),
        )
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


def slug(text: str) -> str:
    """'Lâm Đồng' -> 'lam-dong', for a file's name."""
    return re.sub(r"[^a-z0-9]+", "-", searchable(text)).strip("-") or "tinh"


@bp.route("/review")
@requires("view_province")
def review():
    """Render the province's review of a year, a half year (?period=) or any range
    (?from=yyyy-mm-dd&to=yyyy-mm-dd): its funds' figures summed, as the document its steering
    committee prints, with a row per fund in an appendix; ?format=docx is the same document in Word."""
    today = clock.today()
    name = current_user.province
    try:
        period = asked_period(today)
    except reviewing.PeriodError as error:
        if request.args.get("format"):
            abort(400, description=str(error.message))
        page = render_template(
            "province/review.html",
            review=None,
            error=error.message,
            asked=request.args,
            periods=picker_periods(None, today),
            today=today,
        )
        return page, 400
    document = review_document(name, period, today)
    if request.args.get("format") == "docx":
        response = Response(province_review_docx(**document), mimetype=DOCX_MIMETYPE)
        file_name = f"{reviewing.export_name(period)}-tinh-{slug(name)}.docx"
        response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
        return response
    return render_template(
        "province/review.html",
        period=period,
        periods=picker_periods(period, today),
        today=today,
        **document,
    )


def review_document(name: str, period: reviewing.Period, today) -> dict:
    """What the province's review prints, on the page and in Word: the figures of the province's
    funds summed (the fund review's, reviewing.review_figures), and a row per fund."""
    funds = province.province_funds(name)
    as_of = reviewing.review_end(period, today)
    # a province's thousands of files are read once, for its figures and for its funds' rows
    histories = reviewing.people_histories(funds, as_of)
    result = reviewing.review_figures(funds, period, today, histories)
    rows = province.review_rows(funds, period.start, as_of, histories)
    return dict(
        review=result,
        title=province.review_title(period),
        head=province.review_head(name, today),
        fund_count=province.fund_count_text(len(rows)),
        tables=province.review_tables(result),
        rows=rows,
        total=province.review_total(rows),
        signed_for=province.SIGNED_FOR,
        signer=province.SIGNER,
    )
