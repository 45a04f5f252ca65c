"""Reports: outstanding loans (dư nợ), aging, the cash book (sổ quỹ), donors and visits by mentor,
on screen, in CSV and in XLSX.

The rows come from tracker.queries.reports; this module only reads the dates, checks who may export
what, and renders the same rows three ways.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

import flask_babel
from flask import Blueprint, Response, abort, g, render_template, request, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from wtforms.validators import Optional, ValidationError

from tracker import audit, clock
from tracker.i18n import lazy_gettext as _l
from tracker.money import ledger
from tracker.queries import figure_cache, reports
from tracker.queries.figure_cache import CASEWORK, MONEY
from tracker.web.access import can, own_committee_member_id, requires, sees_only_own_people
from tracker.web.forms import Form, IsoDateField
from tracker.web.views import render_logged

bp = Blueprint("reports", __name__, url_prefix="/reports")

EXPORT_FORMATS = ("csv", "xlsx")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


# What each report's rows sum (queries.figure_cache): money, people and visits, or both (names).
DEPENDS_ON = {
    reports.outstanding: (MONEY, CASEWORK),
    reports.aging: (MONEY, CASEWORK),
    reports.cashbook: (MONEY,),
    reports.donors: (MONEY,),
    reports.visits_by_mentor: (CASEWORK,),
}


def kept(report, *dates):
    """A report's rows for the screen, kept until the fund's next write that changes them; exports
    compute theirs (a download is asked for once, and can be long)."""
    return figure_cache.fund_figures(
        g.fund.id, DEPENDS_ON[report], (report.__name__, *dates), lambda: report(g.fund.id, *dates)
    )


def export_format(permission: str) -> str | None:
    """The export asked for by ?format=, or None for the screen; 403 if the role may not export it."""
    chosen = request.args.get("format", "")
    if chosen in ("", "html"):
        return None
    if chosen not in EXPORT_FORMATS:
        abort(400)
    if not can(permission):
        abort(403)
    return chosen


def refuse_export(form: Form):
    abort(400, description=form.first_error)


def period_or_default(form: PeriodForm, default_start) -> tuple[dt.date, dt.date]:
    """The period asked for; a missing end is today (or the start), a missing start comes from
    default_start(end)."""
    today = clock.today()
    end = form.end.data or (max(today, form.start.data) if form.start.data else today)
    start = form.start.data or default_start(end)
    form.start.data, form.end.data = start, end
    return start, end


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
        return export(chosen, name, reports.OUTSTANDING_COLUMNS, rows)
    rows = kept(reports.outstanding, as_of)
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
    """Render the cash book of a period with its running balance; ?format=csv|xlsx exports it."""
    chosen = export_format("export_money")
    form = PeriodForm(request.args)
    if not form.validate():
        if chosen:
            refuse_export(form)
        return render_template("reports/cashbook.html", form=form, rows=None), 400
    start, end = period_or_default(form, lambda end: dt.date(end.year, 1, 1))
    if chosen:
        name = f"so-quy-{start.isoformat()}-{end.isoformat()}"
        rows = streamed(reports.cashbook_rows(g.fund.id, start, end))
        return export(chosen, name, reports.CASHBOOK_COLUMNS, rows)
    rows = kept(reports.cashbook, start, end)
    return render_template(
        "reports/cashbook.html",
        form=form,
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
        return export(chosen, f"no-qua-han-{as_of.isoformat()}", reports.AGING_COLUMNS, rows)
    report = kept(reports.aging, as_of)
    return render_template(
        "reports/aging.html",
        form=form,
        report=report,
        as_of=as_of,
        # Borrowers' names are personal data: only the chair sees who is in which bucket.
        show_names=can("export_personal"),
        bucket_label=reports.aging_bucket_label,
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
        return export(chosen, name, reports.DONOR_COLUMNS, reports.donors(g.fund.id, start, end))
    rows = kept(reports.donors, start, end)
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
    rows = kept(reports.visits_by_mentor, start, end, today)
    own_only = sees_only_own_people()
    if own_only:
        own = own_committee_member_id()
        rows = [row for row in rows if own is not None and row.mentor_id == own]
    if chosen:
        name = f"tham-hoi-{start.isoformat()}-{end.isoformat()}"
        return export(chosen, name, reports.MENTOR_VISITS_COLUMNS, rows)
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


# ------------------------------------------------------------------ exports


def streamed(rows: Iterator[tuple]) -> Iterator[tuple]:
    """Rows read from the database while the export goes out, a batch at a time. Flask ends the
    request (and its database session) before the body is sent: the rows are read in a session
    of their own, and the request's language is found now, while its login is still loaded."""
    flask_babel.get_translations()  # kept on the request's context for the rows sent later
    return stream_with_context(rows)


def export(chosen: str, name: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> Response:
    if chosen == "csv":
        response = Response(csv_lines(columns, rows), mimetype="text/csv")
        response.charset = "utf-8"
    else:
        response = Response(xlsx_bytes(name, columns, rows), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{chosen}"'
    return response


def csv_lines(columns, rows):
    """UTF-8 with a byte-order mark, so that Excel reads the Vietnamese letters; streamed line by line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue().encode("utf-8")

    yield "\ufeff".encode()
    yield line(columns)
    for row in rows:
        yield line([csv_value(value) for value in row])


# Excel runs a cell typed as "=..." (also "+", "-", "@") as a formula: names typed by users must
# not be able to do that, so such text gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value):
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_bytes(name: str, columns, rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(name[:31])
    sheet.append(list(columns))
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def xlsx_cell(sheet, value):
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY"
        return cell
    if isinstance(value, str):
        # Forms refuse control characters, which the format cannot hold; text stored before they
        # did must not make the whole export fail.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # text stays text, even if it starts with "=" (no formula)
        return cell
    if isinstance(value, Decimal):  # a share such as 0.0660: a number, shown with its 4 places
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.0000"
        return cell
    return value
