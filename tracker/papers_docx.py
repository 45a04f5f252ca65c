"""A paper of tracker.papers as a Word file, for a commune that edits before it prints: A4, the
margins and fonts of Decree 30/2020/NĐ-CP (Times New Roman 13, left 30 mm), the official header as
a borderless two-column table, the signature blocks as another. python-docx writes it, so the file
opens in Word and LibreOffice alike."""

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tracker.papers import MOTTO, NATION, Paper, Para, Run, Signature, Table

FONT = "Times New Roman"
SIZE = Pt(13)
SMALL = Pt(12)  # the header's lines, as Decree 30 sets them
SCHEDULE_WIDTHS = (Mm(17), Mm(32), Mm(36))  # Kỳ, Hạn trả, Số tiền


def clean(text: str) -> str:
    """Text as XML can hold it: a control character typed into a name would make lxml refuse."""
    return ILLEGAL_CHARACTERS_RE.sub("", text or "")


def docx_bytes(paper: Paper) -> bytes:
    document = Document()
    page_setup(document)
    header(document, paper)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(12)
    title.paragraph_format.space_after = Pt(0)
    run = title.add_run(paper.title)
    run.bold = True
    run.font.size = Pt(14)
    if paper.subtitle:
        subtitle = document.add_paragraph()
        subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
        subtitle.add_run(clean(paper.subtitle)).italic = True
    if paper.addressee:
        addressee = paragraph(document, paper.addressee)
        addressee.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in paper.body:
        if isinstance(block, Table):
            table(document, block)
        else:
            paragraph(document, block)
    for row in paper.signatures:
        signatures(document, row)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = SIZE
    # Word takes the font for Vietnamese letters from these too; python-docx sets only ascii/hAnsi.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.1


def borderless(table) -> None:
    """A layout table: no borders whatever the document's default table style. The borders go where
    the schema puts them in tblPr (Word refuses a file with them out of order)."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.insert_element_before(
        borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"
    )


def centred_line(cell_or_doc, text: str, *, bold=False, italic=False, underline=False, first=False):
    target = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    target.alignment = WD_ALIGN_PARAGRAPH.CENTER
    target.paragraph_format.space_after = Pt(0)
    run = target.add_run(clean(text))
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = SMALL
    return target


def header(document, paper: Paper) -> None:
    """The issuer on the left, the national title and motto on the right, the place and date under
    the motto. An application has no issuer: the national title alone, centred."""
    if paper.issuer is None:
        centred_line(document, NATION, bold=True)
        centred_line(document, MOTTO, bold=True, underline=True)
        dated = document.add_paragraph()
        dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        dated.add_run(clean(paper.place_date)).italic = True
        return
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    borderless(table)
    # the national title on one line needs 90 mm of the 165 between the margins
    set_widths(table, (Mm(67), Mm(98)))
    left, right = table.rows[0].cells
    centred_line(left, paper.issuer[0], first=True)
    centred_line(left, paper.issuer[1], bold=True)
    if paper.number:
        centred_line(left, paper.number)
    centred_line(right, NATION, bold=True, first=True)
    centred_line(right, MOTTO, bold=True, underline=True)
    dated = centred_line(right, paper.place_date, italic=True)
    dated.paragraph_format.space_before = Pt(6)


def set_widths(table, widths) -> None:
    """Fixed column widths, in the grid (LibreOffice reads them there) and in every cell (Word)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def add_runs(target, runs: tuple[Run, ...]) -> None:
    for piece in runs:
        run = target.add_run(clean(piece.text))
        if piece.style in ("value", "strong"):
            run.bold = True
        elif piece.style == "words":
            run.italic = True


def paragraph(document, block: Para):
    target = document.add_paragraph()
    if block.kind == "heading":
        target.paragraph_format.space_before = Pt(6)
        for piece in block.runs:
            target.add_run(clean(piece.text)).bold = True
        return target
    add_runs(target, block.runs)
    # Word cannot break a row of dots: justified, the line before it would be stretched wide
    blanks = any(run.style == "blank" for run in block.runs)
    target.alignment = WD_ALIGN_PARAGRAPH.LEFT if blanks else WD_ALIGN_PARAGRAPH.JUSTIFY
    if block.kind == "basis":
        for run in target.runs:
            run.italic = True
    if block.kind in ("", "basis"):
        target.paragraph_format.first_line_indent = Mm(10) if block.kind == "basis" else None
    return target


def table(document, block: Table) -> None:
    rows = [block.headers, *block.rows] + ([block.footer] if block.footer else [])
    grid = document.add_table(rows=len(rows), cols=len(block.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(grid, [SCHEDULE_WIDTHS[c % len(SCHEDULE_WIDTHS)] for c in range(len(block.headers))])
    # the column heads repeat on the next page, as the printed page repeats them
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            cell = grid.cell(r, c)
            target = cell.paragraphs[0]
            target.paragraph_format.space_after = Pt(0)
            run = target.add_run(clean(text))
            run.font.size = SMALL
            if r == 0 or (block.footer and r == len(rows) - 1):
                run.bold = True
            numeric = r > 0 and c in block.numeric
            target.alignment = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.CENTER


def signatures(document, row: list[Signature]) -> None:
    spacer = document.add_paragraph()
    spacer.paragraph_format.space_after = Pt(0)
    grid = document.add_table(rows=1, cols=len(row))
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    borderless(grid)
    set_widths(grid, [Mm(165 // len(row))] * len(row))
    above = any(signature.above for signature in row)
    for cell, signature in zip(grid.rows[0].cells, row, strict=True):
        first = True
        if above:  # an empty line where the others have one, so that the titles line up
            centred_line(cell, signature.above, bold=True, first=True).runs[0].font.size = SIZE
            first = False
        title = centred_line(cell, signature.title, bold=True, first=first)
        title.runs[0].font.size = SIZE
        for line in signature.lines:
            target = cell.add_paragraph()
            target.alignment = WD_ALIGN_PARAGRAPH.CENTER if len(row) == 1 else WD_ALIGN_PARAGRAPH.JUSTIFY
            add_runs(target, line.runs)
        centred_line(cell, signature.note, italic=True)
        for _ in range(3):  # room to sign
            cell.add_paragraph()
        if signature.name:
            centred_line(cell, signature.name, bold=True).runs[0].font.size = SIZE
