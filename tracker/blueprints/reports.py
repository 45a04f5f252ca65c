"""Reports: outstanding loans (dư nợ) and the cash book (sổ quỹ), on screen, in CSV and in XLSX.

The rows come from tracker.reporting; this module only reads the dates, checks who may export
what, and renders the same rows three ways.
"""

import csv
import datetime as dt
import io

from flask import Blueprint, Response, abort, g, render_template, request
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from wtforms.validators import Optional, ValidationError

from tracker import clock, reporting
from tracker.access import can, requires
from tracker.forms import Form, IsoDateField

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


@bp.route("")
@requires("view_reports")
def index():
    """Render the list of reports."""
    return render_template("reports/index.html")


@bp.route("/outstanding")
@requires("view_reports")
def outstanding():
    """Render the outstanding loans as of a date; ?format=csv|xlsx exports them (names: chair only)."""
    chosen = export_format("export_personal")
    form = AsOfForm(request.args)
    if not form.validate():
        if chosen:
            refuse_export(form)
        return render_template("reports/outstanding.html", form=form, rows=None), 400
    as_of = form.as_of.data or clock.today()
    form.as_of.data = as_of
    rows = reporting.outstanding(g.fund.id, as_of)
    if chosen:
        name = f"du-no-{as_of.isoformat()}"
        return export(chosen, name, reporting.OUTSTANDING_COLUMNS, rows)
    return render_template(
        "reports/outstanding.html",
        form=form,
        rows=rows,
        as_of=as_of,
        totals=reporting.outstanding_totals(rows),
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
    today = clock.today()
    start = form.start.data or dt.date((form.end.data or today).year, 1, 1)
    end = form.end.data or max(today, start)
    form.start.data, form.end.data = start, end
    rows = reporting.cashbook(g.fund.id, start, end)
    if chosen:
        name = f"so-quy-{start.isoformat()}-{end.isoformat()}"
        return export(chosen, name, reporting.CASHBOOK_COLUMNS, rows)
    return render_template(
        "reports/cashbook.html",
        form=form,
        rows=rows,
        start=start,
        end=end,
        totals=reporting.cashbook_totals(rows),
        printed_on=today,
    )


# ------------------------------------------------------------------ exports


def export(chosen: str, name: str, columns: tuple[str, ...], rows: list[tuple]) -> Response:
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
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text stays text, even if it starts with "=" (no formula)
        return cell
    return value
