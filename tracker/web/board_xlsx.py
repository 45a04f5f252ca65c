"""The monthly board as an Excel file: the page's four sections one under the other, each with its
heading row and totals, under the title block and with the cells (money, dates, counts) the other
exports write (web.exports)."""

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from tracker import labels
from tracker.formatting import format_date
from tracker.i18n import gettext as _
from tracker.i18n import lazy_gettext as _l
from tracker.money import balances
from tracker.queries.board import Board
from tracker.web.exports import (
    BOLD,
    DATE_FORMAT,
    TITLE_FONT,
    TOTALS_BORDER,
    Column,
    heading_cell,
    set_up_page,
    styled,
    text_cell,
    value_cell,
)

SECTION_FONT = BOLD
# 95 characters in all: A4 portrait (exports.PORTRAIT_WIDTH), as the meeting page
WIDTHS = (28, 26, 13, 14, 14)

VISIT_COLUMNS = (
    Column("mentor", _l("Mentor")),
    Column("person", _l("Person helped")),
    Column("due_on", _l("Visit due on"), "date"),
    Column("days_overdue", _l("Days overdue"), "count"),
)
DUE_COLUMNS = (
    Column("person", _l("Borrower")),
    Column("loan", _l("Loan"), "number"),
    Column("due_on", _l("Due on"), "date"),
    Column("left", _l("Still to collect"), "money"),
)
LATE_COLUMNS = (
    Column("person", _l("Borrower")),
    Column("loan", _l("Loan"), "number"),
    Column("days_overdue", _l("Days overdue"), "count"),
    Column("overdue", _l("Overdue debt"), "money"),
    Column("outstanding", _l("Outstanding"), "money"),
)
MONEY_COLUMNS = (
    Column("kind", _l("Item")),
    Column("side", _l("In or out")),
    Column("count", _l("Number"), "count"),
    Column("amount", _l("Amount"), "money"),
)
APPLICATION_COLUMNS = (
    Column("person", _l("Applicant")),
    Column("loan", _l("Loan"), "number"),
    Column("applied_on", _l("Applied on"), "date"),
    Column("principal", _l("Amount asked for"), "money"),
)


def board_xlsx(board: Board, heading: tuple) -> bytes:
    """The workbook of the board; heading is (fund, title, subtitle, printed on)."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(f"bang-cong-viec-{board.month:%Y-%m}")
    for number, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(number)].width = width
    set_up_page(ws, sum(WIDTHS))
    # several tables one under the other: no one heading row to freeze or repeat on each page
    ws.freeze_panes = None
    ws.print_title_rows = None

    fund, title, subtitle, printed_on = heading
    ws.append([styled(ws, fund, BOLD)])
    ws.append([styled(ws, title, TITLE_FONT)])
    ws.append([text_cell(ws, subtitle)])
    ws.append([text_cell(ws, _("Printed on")), styled(ws, printed_on, number_format=DATE_FORMAT)])

    if board.looks_ahead:
        visits = [
            (
                group.member.full_name if group.member else _("No mentor assigned"),
                visit.full_name,
                visit.due_on,
                visit.days_overdue or None,
            )
            for group in board.visits
            for visit in group.visits
        ]
        total = (_("Total (%(count)s visits)", count=len(visits)), None, None, None)
        section(ws, _("Visits due this month"), VISIT_COLUMNS, visits, total)
        due = [(row.person_name, row.loan_id, row.due_on, row.left) for row in board.due]
        total = (_("Total"), None, None, board.due_total)
        section(ws, _("Repayments due this month"), DUE_COLUMNS, due, total)
    late = [
        (row.person_name, row.loan_id, row.days_overdue, row.overdue_amount, row.outstanding)
        for row in board.late
    ]
    section(ws, _("Overdue repayments"), LATE_COLUMNS, late, (_("Total"), None, None, *board.late_totals))
    money = board.last_month
    moved = [
        (labels.label(labels.CASHBOOK_KINDS, event), side, *money.moved[event])
        for events, side in ((balances.MONEY_IN_EVENTS, _("In")), (balances.MONEY_OUT_EVENTS, _("Out")))
        for event in events
    ]
    moved += [
        (_("Total money in"), _("In"), None, money.money_in),
        (_("Total money out"), _("Out"), None, money.money_out),
        (_("Cash on hand: cash"), "", None, money.in_cash),
        (_("Cash on hand: bank deposit"), "", None, money.in_bank),
    ]
    total = (_("Fund balance at %(date)s", date=format_date(money.end)), None, None, money.cash)
    section(ws, _("Collected and lent last month"), MONEY_COLUMNS, moved, total)
    if board.looks_ahead:
        applications = [
            (row.person_name, row.loan_id, row.applied_on, row.principal) for row in board.applications
        ]
        total = (_("Total (%(count)s applications)", count=board.applications_total), None, None, None)
        section(ws, _("Loan applications waiting for a decision"), APPLICATION_COLUMNS, applications, total)

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def section(ws, title: str, columns: tuple[Column, ...], rows: list[tuple], totals: tuple) -> None:
    """A blank row, the section's title, its heading row, its rows (or a line saying there are
    none) and its totals row."""
    ws.append([])
    ws.append([styled(ws, title, SECTION_FONT)])
    ws.append([heading_cell(ws, column) for column in columns])
    for row in rows:
        ws.append([value_cell(ws, value, column.kind) for column, value in zip(columns, row, strict=True)])
    if not rows:
        ws.append([text_cell(ws, _("None."))])
    line = []
    for column, value in zip(columns, totals, strict=True):
        cell = value_cell(ws, value, column.kind, font=BOLD) if value is not None else WriteOnlyCell(ws, None)
        cell.border = TOTALS_BORDER
        line.append(cell)
    ws.append(line)
