"""The review (sơ kết, tổng kết) as a Word file for the chair to edit before signing: the same head,
sections, figures, recipients and signature as the printed page, drawn with tracker.papers_docx's
page, header and layout helpers so that it looks like the fund's other papers."""

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from tracker.i18n import gettext
from tracker.papers import Paper
from tracker.papers_docx import SIZE, SMALL, borderless, centred_line, clean, header, page_setup, set_widths
from tracker.queries import commendations as commending
from tracker.queries import review as reviewing

TEXT_WIDTH = 165  # mm between the margins papers_docx sets


def titled_document(title: str, head) -> DocxDocument:
    """A Word document opened as a filed report is: the official heading of `head` (a
    queries.review.DocumentHead), then the title, centred and bold."""
    document = Document()
    page_setup(document)
    header(
        document,
        Paper(
            kind="review",
            title=title,
            subtitle="",
            issuer=head.issuer,
            number=head.number,
            place_date=head.place_date,
            addressee=None,
        ),
    )
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_before = Pt(12)
    run = heading.add_run(clean(title))
    run.bold = True
    run.font.size = Pt(14)
    return document


def review_docx(review, title: str, head, sections: dict, tables: list, commendations=None) -> bytes:
    document = titled_document(title, head)
    for key in reviewing.SECTIONS:
        if key == "recipients":
            continue
        if key == "shortcomings":  # section II, the figures, comes between I and III
            results(document, tables)
            if commendations is not None:
                commendation_part(document, commendations)
        section = sections[key]
        bold_line(document, section.heading)
        if key == reviewing.NEXT_STEPS:
            for number, line in enumerate(section.lines, start=1):
                text_line(document, f"{number}. {line}")
        else:
            for line in section.lines:
                text_line(document, line)
    foot(document, sections["recipients"], head)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def bold_line(document, text: str):
    target = document.add_paragraph()
    target.paragraph_format.space_before = Pt(6)
    target.add_run(clean(str(text))).bold = True
    return target


def text_line(document, text: str) -> None:
    target = document.add_paragraph()
    target.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    target.paragraph_format.first_line_indent = Mm(10)
    target.add_run(clean(text))


def results(document, tables) -> None:
    bold_line(document, reviewing.RESULTS_HEADING)
    for block in tables:
        target = document.add_paragraph()
        target.add_run(clean(block.heading)).italic = True
        figure_table(document, block)
        if block.note:
            note = document.add_paragraph()
            run = note.add_run(clean(block.note))
            run.italic = True
            run.font.size = SMALL


def figure_table(document, block) -> None:
    rows = [(block.headers, True, False), *((line, line.strong, line.indent) for line in block.lines)]
    rows += [(line, True, False) for line in block.footer]
    columns = len(block.headers)
    grid = document.add_table(rows=len(rows), cols=columns)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    value_width = 35 if columns == 2 else 32
    set_widths(grid, [Mm(TEXT_WIDTH - value_width * (columns - 1))] + [Mm(value_width)] * (columns - 1))
    for r, (row, strong, indent) in enumerate(rows):
        texts = row if r == 0 else (("– " if indent else "") + str(row.label), *row.values)
        for c, text in enumerate(texts):
            target = grid.cell(r, c).paragraphs[0]
            target.paragraph_format.space_after = Pt(0)
            target.alignment = WD_ALIGN_PARAGRAPH.RIGHT if c and r else WD_ALIGN_PARAGRAPH.LEFT
            if r == 0:
                target.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = target.add_run(clean(str(text)))
            run.font.size = SMALL
            run.bold = strong


def commendation_part(document, part) -> None:
    """Section II's last part: the period's commendations (queries.commendations.review_part)."""
    target = document.add_paragraph()
    target.add_run(clean(str(commending.REVIEW_HEADING))).italic = True
    text_line(document, part.summary)
    if not part.lines:
        return
    headers = (gettext("Row no."), gettext("Commended"), gettext("Form of commendation"), gettext("Decision"))
    grid = document.add_table(rows=len(part.lines) + 1, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_widths(grid, [Mm(12), Mm(55), Mm(35), Mm(TEXT_WIDTH - 102)])
    rows = [headers, *((str(n), line.who, line.form, line.decision) for n, line in enumerate(part.lines, 1))]
    for r, texts in enumerate(rows):
        for c, text in enumerate(texts):
            cell = grid.cell(r, c).paragraphs[0]
            cell.paragraph_format.space_after = Pt(0)
            if r == 0:
                cell.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = cell.add_run(clean(str(text)))
            run.font.size = SMALL
            run.bold = r == 0


def foot(document, recipients, head) -> None:
    """ "Nơi nhận" on the left, in small type as Decree 30 sets it; the chair's signature right."""
    document.add_paragraph().paragraph_format.space_after = Pt(0)
    grid = document.add_table(rows=1, cols=2)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    borderless(grid)
    set_widths(grid, (Mm(80), Mm(85)))
    left, right = grid.rows[0].cells
    first = left.paragraphs[0]
    run = first.add_run(clean(recipients.heading))
    run.bold, run.italic = True, True
    run.font.size = SMALL
    for line in recipients.lines:
        target = left.add_paragraph()
        target.paragraph_format.space_after = Pt(0)
        target.add_run(clean(line)).font.size = Pt(11)
    centred_line(right, reviewing.SIGNED_FOR, bold=True, first=True).runs[0].font.size = SIZE
    centred_line(right, reviewing.SIGNER, bold=True).runs[0].font.size = SIZE
    for _ in range(4):  # room to sign and stamp
        right.add_paragraph()
    if head.chair:
        centred_line(right, head.chair, bold=True).runs[0].font.size = SIZE
