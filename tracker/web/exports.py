"""Downloads of a report's rows: CSV for other programs (stable English column codes, UTF-8 with a
byte-order mark), XLSX for people. Which one ?format= asks for, and whether the role may have it."""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

import flask_babel
from flask import Response, abort, request, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tracker.web.access import can

EXPORT_FORMATS = ("csv", "xlsx")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def refuse_export(form) -> None:
    """An export whose dates were refused: 400 with the reason (there is no page to show it on)."""
    abort(400, description=form.first_error)


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
