"""The province's review as a Word file for its steering committee to edit before signing: the same
head, figures and table of funds as the printed page, drawn with the fund review's helpers
(tracker.review_docx, tracker.papers_docx) so that it looks like the other papers."""

import io

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from tracker.formatting import format_date, format_money, format_number
from tracker.i18n import gettext as _
from tracker.papers_docx import SIZE, borderless, centred_line, clean, set_widths
from tracker.queries import province
from tracker.review_docx import bold_line, figure_table, text_line, titled_document

FUND_TYPE = Pt(10)
APPENDIX_WIDTH = 257  # mm between the margins of the appendix's landscape page
COMMUNE_WIDTH = 32  # mm; the nine figures share the rest


def province_review_docx(
    review, title: str, head, fund_count: str, tables: list, rows: list, total, **_page
) -> bytes:
    document = titled_document(title, head)
    text_line(document, fund_count)
    for block in tables:
        bold_line(document, block.heading)
        figure_table(document, block)
        if block.note:
            note = document.add_paragraph()
            note.add_run(clean(block.note)).italic = True
    signature(document)
    appendix(document, review.period)
    funds_table(document, rows, total)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def appendix(document, period) -> None:
    """A new page of A4 turned to landscape, and the appendix's heading."""
    portrait = document.sections[-1]
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = portrait.page_height, portrait.page_width
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    heading = bold_line(document, _("Appendix: the figures of each fund"))
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    dates = document.add_paragraph()
    dates.alignment = WD_ALIGN_PARAGRAPH.CENTER
    dates.add_run(
        clean(_("From %(start)s to %(end)s", start=format_date(period.start), end=format_date(period.end)))
    ).italic = True


def fund_cells(row: province.ReviewRow, label: str) -> tuple[str, ...]:
    return (
        label,
        format_number(row.people),
        format_money(row.raised),
        format_money(row.lent),
        format_money(row.recovered),
        format_money(row.written_off),
        format_money(row.outstanding),
        format_money(row.overdue),
        row.par30_text,
        format_number(row.visits),
    )


def funds_table(document, rows: list, total) -> None:
    headings = (
        _("Commune / ward"),
        _("People helped"),
        _("Raised in the period"),
        _("Amount lent in the period"),
        _("Recovered"),
        _("Written off"),
        _("Outstanding at the end of the period"),
        _("Overdue"),
        _("Outstanding more than 30 days overdue"),
        _("Visits made in the period"),
    )
    lines = [(headings, True), *((fund_cells(row, row.commune or row.name), False) for row in rows)]
    lines.append((fund_cells(total, _("Total")), True))
    grid = document.add_table(rows=len(lines), cols=len(headings))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    figure = (APPENDIX_WIDTH - COMMUNE_WIDTH) / (len(headings) - 1)
    set_widths(grid, [Mm(COMMUNE_WIDTH)] + [Mm(figure)] * (len(headings) - 1))
    # row by row: grid.cell(r, c) walks the whole table at each call, minutes for a province's
    for r, (row, (cells, strong)) in enumerate(zip(grid.rows, lines, strict=True)):
        for c, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            target = cell.paragraphs[0]
            target.paragraph_format.space_after = Pt(0)
            if r == 0:
                target.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif c:
                target.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = target.add_run(clean(str(text)))
            run.font.size = FUND_TYPE
            run.bold = strong


def signature(document) -> None:
    document.add_paragraph().paragraph_format.space_after = Pt(0)
    grid = document.add_table(rows=1, cols=2)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    borderless(grid)
    set_widths(grid, (Mm(80), Mm(85)))
    right = grid.rows[0].cells[1]
    centred_line(right, province.SIGNED_FOR, bold=True, first=True).runs[0].font.size = SIZE
    centred_line(right, province.SIGNER, bold=True).runs[0].font.size = SIZE
