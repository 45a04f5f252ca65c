"""Reports: outstanding loans (dư nợ), aging, the cash book (sổ quỹ), donors, visits by mentor and
the monthly board, on screen, in CSV and in XLSX.

The rows come from tracker.queries.reports; this module only reads the dates, checks who may export
what, and renders the same rows three ways.
"""

import datetime as dt

from flask import Blueprint, Response, abort, g, render_template, request
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from tracker import audit, clock, labels
from tracker.formatting import format_date
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.money import balances, ledger
from tracker.queries import board as monthly
from tracker.queries import figure_cache, reports
from tracker.queries.figure_cache import CASEWORK, MONEY
from tracker.web import sheets
from tracker.web.access import can, own_committee_member_id, requires, sees_only_own_people
from tracker.web.board_xlsx import board_xlsx
from tracker.web.exports import XLSX_MIMETYPE, export, export_format, refuse_export, streamed
from tracker.web.forms import Form, IsoDateField
from tracker.web.views import render_logged

bp = Blueprint("reports", __name__, url_prefix="/reports")
# The export's file name of each book (the cash book's as it always was).
BOOK_FILES = {"cash": "so-quy", "bank": "so-tien-gui", "all": "so-quy-va-tien-gui"}


class DateForm(Form):
    """The dates of a report, read from the query string (a GET form changes nothing: no CSRF)."""

    class Meta:
        csrf = False


class AsOfForm(DateForm):
    as_of = IsoDateField(_l("As of"), [Optional()], not_after_today=False)


class PeriodForm(DateForm):
    start = IsoDateField(_l("From"), [Optional()], not_after_today=False, name="from")
    end = IsoDateField(_l("To"), [Optional()], not_after_today=False, name="to")

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("Enter an end date on or after the start date."))


class CashbookForm(PeriodForm):
    # sổ quỹ tiền mặt (the default, as the book always was), sổ tiền gửi ngân hàng, or both
    account = SelectField(
        _l("Book"),
        choices=lambda: list(labels.MONEY_BOOKS.items()),
        default="cash",
        validate_choice=False,
    )

    def validate_account(self, field):
        if field.data not in reports.BOOKS:
            raise ValidationError(_l("Choose the cash book, the bank book or both."))


# What each report's rows sum (queries.figure_cache): money, people and visits, or both (names).
DEPENDS_ON = {
    reports.outstanding: (MONEY, CASEWORK),
    reports.aging: (MONEY, CASEWORK),
    reports.cashbook: (MONEY,),
    reports.donors: (MONEY,),
    reports.visits_by_mentor: (CASEWORK,),
}


def report_rows(report, *dates):
    """A report's rows for the screen, kept until the fund's next write that changes them; exports
    compute theirs (a download is asked for once, and can be long)."""
    return figure_cache.fund_figures(
        g.fund.id, DEPENDS_ON[report], (report.__name__, *dates), lambda: report(g.fund.id, *dates)
    )


def period_or_default(form: PeriodForm, default_start) -> tuple[dt.date, dt.date]:
    """The period asked for; a missing end is today (or the start), a missing start comes from
    default_start(end)."""
    today = clock.today()
    end = form.end.data or (max(today, form.start.data) if form.start.data else today)
    start = form.start.data or default_start(end)
    form.start.data, form.end.data = start, end
    return start, end


def as_of_text(day: dt.date) -> str:
    """The subtitle of a report as of a date, as the page writes it."""
    return _("As of %(date)s", date=format_date(day))


def period_text(start: dt.date, end: dt.date) -> str:
    return _("From %(start)s to %(end)s", start=format_date(start), end=format_date(end))


@bp.route("")
@requires("view_reports")
def index():
    """Render the list of reports."""
    return render_template("reports/index.html")


@bp.route("/outstanding")
@requires("view_reports")
def outstanding():
    """Render the outstanding loans as of a date; ?format=csv|xlsx exports them (names: chair only;
    an export logs an access to each borrower's data, as opening their file does)."""
    chosen = export_format("export_personal")
    form = AsOfForm(request.args)
    if not form.validate():
        if chosen:
            refuse_export(form)
        return render_template("reports/outstanding.html", form=form, rows=None), 400
    as_of = form.as_of.data or clock.today()
    form.as_of.data = as_of
    if chosen:
        name = f"du-no-{as_of.isoformat()}"
        rows = reports.outstanding(g.fund.id, as_of)
        audit.log_access((row.person_id for row in rows), "report_export")
        return export(chosen, name, sheets.OUTSTANDING, rows, subtitle=as_of_text(as_of))
    rows = report_rows(reports.outstanding, as_of)
    # the report names each borrower with their address: seen as a file opening is
    return render_logged(
        "reports/outstanding.html",
        [row.person_id for row in rows],
        "report",
        form=form,
        rows=rows,
        as_of=as_of,
        totals=reports.outstanding_totals(rows),
        printed_on=clock.today(),
    )


@bp.route("/cashbook")
@requires("view_reports")
def cashbook():
    """Render the book of a period, of cash, of the bank or of both (?account=cash|bank|all), with
    its running balance; ?format=csv|xlsx exports it."""
    chosen = export_format("export_money")
    form = CashbookForm(request.args)
    if not form.validate():
        if chosen:
            refuse_export(form)
        return render_template("reports/cashbook.html", form=form, rows=None), 400
    start, end = period_or_default(form, lambda end: dt.date(end.year, 1, 1))
    account = form.account.data or "cash"
    form.account.data = account
    book = labels.MONEY_BOOKS[account]
    if chosen:
        name = f"{BOOK_FILES[account]}-{start.isoformat()}-{end.isoformat()}"
        rows = streamed(reports.cashbook_rows(g.fund.id, start, end, account))
        return export(chosen, name, sheets.CASHBOOK, rows, subtitle=f"{period_text(start, end)} · {book}")
    rows = report_rows(reports.cashbook, start, end, account)
    return render_template(
        "reports/cashbook.html",
        form=form,
        account=account,
        book=book,
        rows=rows,
        start=start,
        end=end,
        totals=reports.cashbook_totals(rows),
        printed_on=clock.today(),
    )


@bp.route("/aging")
@requires("view_reports")
def aging():
    """Render the outstanding loans by days overdue, with PAR30 and the arrears rate; ?format=
    exports the buckets (no names, so every role that may export money figures may have them)."""
    chosen = export_format("export_money")
    form = AsOfForm(request.args)
    if not form.validate():
        if chosen:
            refuse_export(form)
        return render_template("reports/aging.html", form=form, report=None), 400
    as_of = form.as_of.data or clock.today()
    form.as_of.data = as_of
    if chosen:
        rows = reports.aging(g.fund.id, as_of).rows
        name = f"no-qua-han-{as_of.isoformat()}"
        return export(chosen, name, sheets.AGING, rows, subtitle=as_of_text(as_of))
    report = report_rows(reports.aging, as_of)
    return render_template(
        "reports/aging.html",
        form=form,
        report=report,
        as_of=as_of,
        # Borrowers' names are personal data: only the chair sees who is in which bucket.
        show_names=can("export_personal"),
        bucket_label=reports.aging_bucket_label,
        bucket_groups=reports.bucket_debt_groups,
        group_days=reports.debt_group_days,
        printed_on=clock.today(),
    )


@bp.route("/donors")
@requires("view_reports")
def donors():
    """Render each donor's donations in a period and what their money is doing now; ?format= exports
    it, anonymous donors unnamed for everyone."""
    chosen = export_format("export_money")
    form = PeriodForm(request.args)
    if not form.validate():
        if chosen:
            refuse_export(form)
        return render_template("reports/donors.html", form=form, rows=None), 400
    start, end = period_or_default(form, lambda end: dt.date(end.year, 1, 1))
    if chosen:
        name = f"nha-tai-tro-{start.isoformat()}-{end.isoformat()}"
        rows = reports.donors(g.fund.id, start, end)
        return export(chosen, name, sheets.DONORS, rows, subtitle=period_text(start, end))
    rows = report_rows(reports.donors, start, end)
    return render_template(
        "reports/donors.html",
        form=form,
        rows=rows,
        start=start,
        end=end,
        totals=reports.donor_totals(rows),
        # The same rule as the donors' pages: only the treasurer sees who an anonymous donor is.
        real_names=reports.anonymous_donor_names(g.fund.id) if can("post_money") else {},
        printed_on=clock.today(),
    )


@bp.route("/visits")
@requires("view_visits")
def visits():
    """Render the visits by mentor over a period (a member: their own row only); ?format= exports
    it for the chair and the viewers."""
    chosen = export_format("export_visits")
    form = PeriodForm(request.args)
    if not form.validate():
        if chosen:
            refuse_export(form)
        return render_template("reports/visits.html", form=form, rows=None), 400
    start, end = period_or_default(form, lambda end: ledger.add_months(end, -6) + dt.timedelta(days=1))
    today = clock.today()
    rows = report_rows(reports.visits_by_mentor, start, end, today)
    own_only = sees_only_own_people()
    if own_only:
        own = own_committee_member_id()
        rows = [row for row in rows if own is not None and row.mentor_id == own]
    if chosen:
        name = f"tham-hoi-{start.isoformat()}-{end.isoformat()}"
        subtitle = period_text(start, end)
        return export(chosen, name, sheets.MENTOR_VISITS, rows, subtitle=subtitle, totals=not own_only)
    return render_template(
        "reports/visits.html",
        form=form,
        rows=rows,
        start=start,
        end=end,
        own_only=own_only,
        totals=reports.mentor_visits_totals(rows),
        printed_on=today,
    )


@bp.route("/board")
@requires("view_reports")
def board():
    """Render the monthly board (?month=yyyy-mm, default this month): the page the chair prints for
    the committee's monthly meeting; ?format=xlsx is the same in Excel (it names people helped:
    the chair's alone, as the outstanding report's export). The names on it are logged as seen."""
    chosen = request.args.get("format", "")
    if chosen not in ("", "html", "xlsx"):
        abort(400)
    if chosen == "xlsx" and not can("export_personal"):
        abort(403)
    today = clock.today()
    try:
        month = monthly.parse_month(request.args.get("month"), today)
    except monthly.MonthError as error:
        if chosen == "xlsx":
            abort(400, description=str(error.message))
        page = render_template(
            "reports/board.html", board=None, month=None, title=None, error=error.message, asked=request.args
        )
        return page, 400
    result = monthly.board(g.fund.id, month, today)
    title = board_title(month)
    subtitle = _("Figures as of %(date)s", date=format_date(result.as_of))
    if chosen == "xlsx":
        audit.log_access(result.person_ids, "report_export")
        heading = (g.fund.name, title, subtitle, today)
        response = Response(board_xlsx(result, heading), mimetype=XLSX_MIMETYPE)
        response.headers["Content-Disposition"] = f'attachment; filename="bang-cong-viec-{month:%Y-%m}.xlsx"'
        return response
    return render_logged(
        "reports/board.html",
        result.person_ids,
        "report",
        board=result,
        month=month,
        title=title,
        subtitle=subtitle,
        previous=ledger.add_months(month, -1),
        following=monthly.next_month(month),
        last_allowed=dt.date(today.year + 1, 12, 1),
        money_kinds=list(zip(balances.MONEY_IN_EVENTS, balances.MONEY_OUT_EVENTS, strict=True)),
        kind_words=labels.CASHBOOK_KINDS,
        printed_on=today,
    )


def board_title(month: dt.date) -> str:
    return _("Monthly board for %(month)s", month=f"{month:%m/%Y}")
