"""Printed papers keep the official heading on A4: the issuing body on the left, the national title
and motto on the right, on the same line (Decree 30/2020/NĐ-CP).

Each paper is laid out under print media at the printable width of A4 (210 mm less print.css's
16 mm margins each side, 673 px), where the two blocks must sit side by side; then Chromium prints
it to a PDF, whose text must show both blocks' first lines at the same height.
"""

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import PASSWORD
from tests.factories import disbursed_loan, donate, seed_money
from tracker import clock
from tracker.extensions import db
from tracker.models import Fund

# The demo's name: a real fund's name is this long, and it is what pushed the blocks apart.
FUND_NAME = "Quỹ giúp đỡ người hoàn lương tái hòa nhập cộng đồng xã Hồng Sơn"
A4_PRINTABLE_PX = 673  # (210 mm − 2 × 16 mm) at 96 px per inch
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@pytest.fixture
def papers(app, seed):
    """The paths of a report, a donor's letter and the year's review (a receipt is form C40-BB of the
    accounting regime, whose heading is the unit and the form's code, not the national title:
    tests/browser/test_receipts.py prints it)."""
    money = seed_money(app, seed)
    year = clock.today().year
    with app.app_context():
        db.session.execute(sa.update(Fund).where(Fund.id == seed.fund_id).values(name=FUND_NAME))
        db.session.commit()
    donate(app, seed.fund_id, money.donor_id, 20_000_000, dt.date(year, 1, 5))
    disbursed_loan(app, seed.fund_id, money.person_id, 6_000_000, dt.date(year, 1, 10), term=6)
    return {
        "report": "/reports/outstanding",
        "letter": f"/reports/donor-letter?donor_id={money.donor_id}&year={year}",
        "review": f"/reports/review?period={year}",
    }


def block_boxes(page) -> tuple[dict, dict]:
    issuer = page.locator(".official-head .official-issuer").bounding_box()
    state = page.locator(".official-head .official-state").bounding_box()
    return issuer, state


def pdf_lines(pdf: bytes) -> dict[float, str]:
    """The first page's lines of text by their height above the page's foot (points), each line's
    pieces joined left to right. Chromium writes a line in pieces wherever the font changes (a
    Times-like font without every Vietnamese letter falls back to another for those letters)."""
    pieces: dict[float, list[tuple[float, str]]] = {}

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            # where the text matrix puts the piece, through the current transformation matrix
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.setdefault(round(y), []).append((x, text))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    # Without spaces: the pieces' edges add or drop them (the test compares letters, not spacing).
    return {y: re.sub(r"\s+", "", "".join(text for _x, text in sorted(row))) for y, row in pieces.items()}


def height_of(lines: dict[float, str], words: str) -> float:
    found = [y for y, line in lines.items() if re.sub(r"\s+", "", words) in line]
    assert found, f"no {words!r} among {lines}"
    return found[0]


@pytest.mark.parametrize("paper", ["report", "letter", "review"])
def test_the_official_heading_sits_side_by_side_on_a4(paper, papers, page, live_server, screenshot):
    log_in(page, live_server, "chair", PASSWORD)
    page.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 950})
    page.goto(f"{live_server}{papers[paper]}")
    page.emulate_media(media="print")
    screenshot(f"paper-{paper}")

    issuer, state = block_boxes(page)
    assert abs(issuer["y"] - state["y"]) < 2, (issuer, state)  # on one line, not stacked
    assert issuer["x"] + issuer["width"] <= state["x"] + 1  # the issuer on the left
    assert state["x"] + state["width"] <= A4_PRINTABLE_PX + 1  # nothing runs off the paper
    assert page.locator(".official-state").inner_text().split("\n")[:2] == [NATIONAL_TITLE, MOTTO]

    pdf = page.pdf(format="A4", print_background=False)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"paper-{paper}.pdf").write_bytes(pdf)
    lines = pdf_lines(pdf)
    # The first line of each block on one line of the page: the issuer left ("Quỹ giúp đỡ …" on a
    # report, "ỦY BAN MTTQ VIỆT NAM" on the review the Front files), the national title right.
    issuer_first = page.locator(".official-head .official-issuer").inner_text().split("\n")[0]
    top = lines[height_of(lines, NATIONAL_TITLE)]
    assert top.startswith(issuer_first.replace(" ", "")[:12]), (issuer_first, top)
    assert top.endswith(NATIONAL_TITLE.replace(" ", "")), top
    assert height_of(lines, MOTTO) < height_of(lines, NATIONAL_TITLE)  # the motto beneath it
    assert height_of(lines, NATIONAL_TITLE) > 700  # at the top of the page (A4 is 842 pt high)


def test_a_phone_screen_stacks_the_heading_and_its_print_does_not(papers, page, live_server):
    """At 360 px the screen has no room for two columns; printing from the phone still has them."""
    log_in(page, live_server, "chair", PASSWORD)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/reports/aging")  # its ratios and their sums fit too
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(f"{live_server}{papers['report']}")
    issuer, state = block_boxes(page)
    assert state["y"] >= issuer["y"] + issuer["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.emulate_media(media="print")
    issuer, state = block_boxes(page)
    assert abs(issuer["y"] - state["y"]) < 2
    assert re.search(NATIONAL_TITLE, page.locator(".official-state").inner_text())


def test_a_reports_two_signatures_sit_side_by_side(papers, page, live_server):
    """The treasurer who prepared it on the left, the chair on the right, as a Vietnamese report is
    signed: not one under the other."""
    log_in(page, live_server, "chair", PASSWORD)
    page.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 950})
    page.goto(f"{live_server}{papers['report']}")
    page.emulate_media(media="print")
    prepared, chair = (box.bounding_box() for box in page.locator(".report-signatures > div").all())
    assert abs(prepared["y"] - chair["y"]) < 2, (prepared, chair)
    assert prepared["x"] + prepared["width"] <= chair["x"] + 1
