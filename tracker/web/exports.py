"""Downloads of a report's rows: CSV for other programs (stable English column codes, UTF-8 with a
byte-order mark), XLSX for people (a title block, the headings and words of the screen, numbers
and dates Excel can count with, totals, and a page set up for printing). Which one ?format= asks
for, and whether the role may have it."""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

import flask_babel
from flask import Response, abort, g, request, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker import clock
from tracker.i18n import gettext as _
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


# ------------------------------------------------------------------------------ the sheets

# How a column's values are written in Excel: "text", "money" and "count" (whole numbers shown
# 1.000.000 in a Vietnamese Excel), "date" (a real date shown 27/11/2026), "share" (a ratio such
# as 0.0660 shown 6,6%), "percent" (a percentage such as 6.6, the same), "number" (a loan's
# number, shown #12).
MONEY_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.0%"
FORMATS = {
    "money": MONEY_FORMAT,
    "count": MONEY_FORMAT,
    "date": DATE_FORMAT,
    "share": PERCENT_FORMAT,
    "percent": PERCENT_FORMAT,
    "number": '"#"0',
}
# Widths in characters, by kind, unless a column says otherwise: wide enough for 999.999.999.999
# and 27/11/2026 without "####".
WIDTHS = {"money": 16, "count": 11, "date": 12, "share": 11, "percent": 11, "number": 8, "text": 24}
# Wider than this (in characters, at Excel's default font) the page turns to landscape.
PORTRAIT_WIDTH = 95


@dataclass(frozen=True)
class Column:
    code: str  # the CSV's column name: stable, for other programs
    heading: object  # the Excel's heading, a lazy string (the screen's own words)
    kind: str | Callable[[tuple], str] = "text"  # see FORMATS; a function of the row for mixed rows
    words: Mapping | Callable[[object], str] | None = None  # a code's words (tracker.labels)
    total: bool = False  # summed in the totals row, as on the screen
    width: int | None = None
    excel: bool = True  # False: an internal id, for other programs only (CSV)
    shown: Callable[[tuple], object] | None = None  # the Excel's value, from the whole row
    blank_zero: bool = False  # a 0 left blank, as the screen does (the cash book's other side)


@dataclass(frozen=True)
class Sheet:
    title: object  # the report's name, a lazy string
    columns: tuple[Column, ...]
    totals: Callable[[int], str] | None = None  # the totals row's label, given the number of rows

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(column.code for column in self.columns)


def export(
    chosen: str,
    name: str,
    sheet: Sheet,
    rows: Iterable[tuple],
    *,
    subtitle: str,
    title: str | None = None,
    totals: bool = True,
    issuer: str | None = None,
) -> Response:
    """The rows as CSV (column codes, values as stored) or XLSX (as `sheet` lays them out, under a
    title block: the fund (or `issuer`, for a page of no one fund), `title` or the sheet's,
    `subtitle` (the period), the date printed)."""
    if chosen == "csv":
        response = Response(csv_lines(sheet.codes, rows), mimetype="text/csv")
        response.charset = "utf-8"
    else:
        heading = (issuer or g.fund.name, str(title or sheet.title), subtitle, clock.today())
        response = Response(xlsx_bytes(name, sheet, rows, heading, totals), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{chosen}"'
    return response


# ------------------------------------------------------------------------------ CSV


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


# ------------------------------------------------------------------------------ XLSX

TITLE_ROWS = 4  # fund, report, period, date printed
HEADING_ROW = TITLE_ROWS + 1
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
HEADING_FILL = PatternFill("solid", fgColor="DDE4EE")
THIN = Side(style="thin", color="808080")
HEADING_BORDER = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
TOTALS_BORDER = Border(top=THIN, bottom=Side(style="double", color="808080"))
WRAP = Alignment(wrap_text=True, vertical="center")
WRAP_RIGHT = Alignment(wrap_text=True, vertical="center", horizontal="right")


def xlsx_bytes(name: str, sheet: Sheet, rows, heading: tuple, totals: bool = True) -> bytes:
    """The workbook, written row by row (write-only mode): a cash book of years is not held whole."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(name[:31])
    shown = [(index, column) for index, column in enumerate(sheet.columns) if column.excel]
    widths = [column_width(column) for _index, column in shown]
    for number, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(number)].width = width
    set_up_page(ws, sum(widths))

    fund, title, subtitle, printed_on = heading
    ws.append([styled(ws, fund, BOLD)])
    ws.append([styled(ws, title, TITLE_FONT)])
    ws.append([text_cell(ws, subtitle)])
    ws.append([text_cell(ws, _("Printed on")), styled(ws, printed_on, number_format=DATE_FORMAT)])
    ws.append([heading_cell(ws, column) for _index, column in shown])

    sums = {index: 0 for index, column in shown if column.total}
    count = 0
    for row in rows:
        count += 1
        cells = []
        for index, column in shown:
            value = column.shown(row) if column.shown else row[index]
            if index in sums:
                sums[index] += value or 0
            if column.blank_zero and value == 0:
                value = None
            cells.append(value_cell(ws, value, kind_of(column, row), column.words))
        ws.append(cells)

    if totals and sheet.totals is not None:
        line = []
        for position, (index, column) in enumerate(shown):
            if index in sums:
                cell = value_cell(ws, sums[index], column.kind, font=BOLD)
            elif position == 0:
                cell = text_cell(ws, sheet.totals(count), font=BOLD)
            else:
                cell = WriteOnlyCell(ws, value=None)
            cell.border = TOTALS_BORDER
            line.append(cell)
        ws.append(line)

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def set_up_page(ws, width: int) -> None:
    """A4, turned when the table is wide, fitted to the paper's width (as many pages down as it
    takes), the heading row on every page, and the rows under it scrolling below the title."""
    ws.freeze_panes = f"A{HEADING_ROW + 1}"
    ws.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW}"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if width > PORTRAIT_WIDTH else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True


def column_width(column: Column) -> int:
    if column.width:
        return column.width
    base = WIDTHS.get(column.kind if isinstance(column.kind, str) else "money", WIDTHS["text"])
    # a heading up to 24 letters stays on one line; longer ones wrap
    return max(base, min(len(str(column.heading)) + 2, 24))


def kind_of(column: Column, row) -> str:
    return column.kind(row) if callable(column.kind) else column.kind


def heading_cell(ws, column: Column):
    align = WRAP if column.kind == "text" else WRAP_RIGHT  # over the numbers, as on the screen
    return styled(ws, str(column.heading), BOLD, fill=HEADING_FILL, border=HEADING_BORDER, align=align)


def value_cell(ws, value, kind: str, words=None, font=None):
    if words is not None and value is not None:
        value = words_for(words, value)
    if value is None or value == "":
        return WriteOnlyCell(ws, value=None)
    if isinstance(value, str):
        return text_cell(ws, value, font=font)
    if kind == "percent":
        value = Decimal(value) / 100  # 6.6 (%) is the ratio 0.066, shown 6,6%
    return styled(ws, value, font, number_format=FORMATS.get(kind))


def words_for(words, value) -> str:
    if callable(words):
        return str(words(value))
    return str(words.get(value, value))


def text_cell(ws, value: str, font=None):
    # Forms refuse control characters, which the format cannot hold; text stored before they
    # did must not make the whole export fail.
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"  # text stays text, even if it starts with "=" (no formula)
    if font is not None:
        cell.font = font
    return cell


def styled(ws, value, font=None, *, number_format=None, fill=None, border=None, align=None):
    if isinstance(value, str):
        cell = text_cell(ws, value, font)
    else:
        cell = WriteOnlyCell(ws, value=value)
        if font is not None:
            cell.font = font
    if number_format:
        cell.number_format = number_format
    if fill is not None:
        cell.fill = fill
    if border is not None:
        cell.border = border
    if align is not None:
        cell.alignment = align
    return cell
