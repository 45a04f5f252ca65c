"""Reading an Excel export back (web.exports, web.sheets): its title block, its headings, its rows
keyed by the CSV's column codes, and its totals row."""

import io
from dataclasses import dataclass

import openpyxl

from tracker.web.exports import HEADING_ROW, TITLE_ROWS, Sheet


@dataclass
class Table:
    sheet: object  # the openpyxl worksheet, for styles and page setup
    title: list  # the first cell of each title row, then the date printed
    printed_on: object  # the cell of the date printed
    headings: list[str]
    rows: list[dict]  # by column code (Excel columns only), values as written
    cells: list[dict]  # the same, as cells (number formats)
    totals: dict | None  # the totals row by code; its first column holds its label


def read_table(response, layout: Sheet) -> Table:
    assert response.status_code == 200, response.status_code
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    codes = [column.code for column in layout.columns if column.excel]
    title = [sheet.cell(row, 1).value for row in range(1, TITLE_ROWS + 1)]
    headings = [sheet.cell(HEADING_ROW, number).value for number in range(1, len(codes) + 1)]
    lines = [
        [sheet.cell(row, number) for number in range(1, len(codes) + 1)]
        for row in range(HEADING_ROW + 1, sheet.max_row + 1)
    ]
    totals = None
    if layout.totals is not None and lines:
        totals = dict(zip(codes, (cell.value for cell in lines.pop()), strict=True))
    cells = [dict(zip(codes, line, strict=True)) for line in lines]
    rows = [{code: cell.value for code, cell in line.items()} for line in cells]
    return Table(sheet, title, sheet.cell(TITLE_ROWS, 2), headings, rows, cells, totals)
