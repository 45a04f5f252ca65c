"""Phone first (issue 16, item 4): compression, what each dashboard puts first, the person's file,
the loan form, and where the user lands after saving money."""

import re

import pytest

ALL_ENCODINGS = {"Accept-Encoding": "gzip, deflate, br, zstd"}


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_a_large_page_goes_out_compressed(as_role, encoding):
    """On a poor connection the bytes are the wait: a page of the menu and forms shrinks."""
    chair = as_role("chair")
    plain = chair.get("/people")
    packed = chair.client.get("/people", headers={"Accept-Encoding": encoding})
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.get_data()) * 2 < len(plain.get_data())


def test_htmx_goes_out_compressed(visitor):
    response = visitor.client.get("/static/htmx.min.js", headers=ALL_ENCODINGS)
    assert response.headers["Content-Encoding"] in ("zstd", "br")
    assert len(response.get_data()) < 20_000  # 52 KB as it is


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ------------------------------------------------------------------ "Việc cần làm" by role

import datetime as dt  # noqa: E402

import sqlalchemy as sa  # noqa: E402

from tests.conftest import fragment, full_page  # noqa: E402
from tests.factories import disbursed_loan, donate, requested_loan  # noqa: E402
from tracker import clock  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Installment, Person  # noqa: E402

TODAY = clock.today()


def todo_of(page: str) -> str:
    """The "Việc cần làm" section, which must come before anything else the dashboard shows."""
    start = page.index('id="todo"')
    assert "Việc cần làm" in page[start : start + 300]
    for later in ('id="figure-cash"', 'id="due-this-month"', "Dư nợ", 'class="charts"'):
        assert later not in page[:start]
    return page[start : page.index("</section>", start)]


def test_the_treasurer_starts_with_overdue_and_this_weeks_repayments(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=400))
    # all four installments fell due weeks ago
    late = disbursed_loan(
        app, seed.fund_id, money.person_id, 4_000_000, TODAY - dt.timedelta(days=170), term=4
    )
    soon = disbursed_loan(
        app, seed.fund_id, money.other_person_id, 3_000_000, TODAY - dt.timedelta(days=5), term=3
    )
    with app.app_context():  # the new loan's first installment falls due in three days
        first = db.session.scalar(
            sa.select(Installment).where(Installment.loan_id == soon, Installment.number == 1)
        )
        first.due_on = TODAY + dt.timedelta(days=3)
        db.session.commit()
    todo = todo_of(full_page(as_role("treasurer").get("/")))
    overdue = todo[todo.index('id="todo-overdue"') : todo.index('id="todo-due"')]
    due = todo[todo.index('id="todo-due"') :]
    assert f'href="/loans/{late}"' in overdue and "Nguyễn Văn An" in overdue and "Quá hạn" in overdue
    assert f'href="/loans/{soon}"' not in overdue
    assert f'href="/loans/{soon}"' in due and "Lê Thị Bích" in due and "1.000.000 ₫" in due
    assert f'href="/loans/{late}"' not in due


def test_the_chair_starts_with_the_applications_waiting(app, seed, money, as_role):
    waiting = requested_loan(app, seed.fund_id, money.person_id, 5_000_000)
    todo = todo_of(full_page(as_role("chair").get("/")))
    assert f'href="/loans/{waiting}"' in todo and "Nguyễn Văn An" in todo and "5.000.000 ₫" in todo
    assert "todo-overdue" not in todo  # the treasurer's list


def test_a_member_starts_with_the_visits_due_and_overdue(app, seed, money, as_role):
    with app.app_context():
        db.session.get(Person, money.person_id).next_visit_on = TODAY - dt.timedelta(days=4)
        db.session.get(Person, money.other_person_id).next_visit_on = TODAY - dt.timedelta(days=4)
        db.session.commit()
    todo = todo_of(full_page(as_role("member").get("/")))
    assert "Nguyễn Văn An" in todo and "overdue" in todo
    assert "Lê Thị Bích" not in todo  # member2's person


def test_a_viewer_has_nothing_to_do(as_role, seed):
    assert 'id="todo"' not in full_page(as_role("viewer").get("/"))


# ------------------------------------------------------------------ forms and the person's file


def test_the_loan_form_opens_on_choose_the_borrower(app, seed, money, as_role):
    chair = as_role("chair")
    page = full_page(chair.get("/loans"))
    select = re.search(r'<select[^>]*name="person_id"[^>]*>(.*?)</select>', page, re.S).group(1)
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    assert options[0] == (' value="0"', "Chọn người vay")  # nothing selected: the browser shows it
    assert all("selected" not in attrs for attrs, _name in options)
    named = full_page(chair.get(f"/loans?person_id={money.person_id}"))
    assert f'<option selected value="{money.person_id}">' in named
    refused = chair.post(
        "/loans",
        {
            "person_id": "0",
            "principal": "5.000.000",
            "purpose": "Bò",
            "term_months": "10",
            "grace_months": "0",
            "applied_on": TODAY.isoformat(),
        },
    )
    assert refused.status_code == 422 and "Chọn người đề nghị vay vốn." in refused.get_data(as_text=True)


def test_money_inputs_are_marked_for_grouping_and_still_take_every_form(app, seed, money, as_role):
    page = full_page(as_role("chair").get("/loans"))
    assert re.search(r'<input[^>]*data-money[^>]*name="principal"', page)
    assert 'inputmode="numeric"' in page


def test_a_persons_file_opens_on_its_summary(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=400))
    loan = disbursed_loan(
        app, seed.fund_id, money.person_id, 6_000_000, TODAY - dt.timedelta(days=10), term=6
    )
    page = full_page(as_role("member").get(f"/people/{money.person_id}"))
    summary = page[
        page.index('id="person-summary"') : page.index("</header>", page.index('id="person-summary"'))
    ]
    for shown in ("Đang giúp đỡ", "Phạm Văn Bình", "6.000.000 ₫", "1.000.000 ₫", f'href="/loans/{loan}"'):
        assert shown in summary
    order = [
        page.index('id="person-summary"'),
        page.index('id="visit-form"'),
        page.index('id="visit-timeline"'),
        page.index('class="loans stack"'),
    ]
    assert order == sorted(order)


def test_the_date_hint_shows_while_a_date_is_empty(app, seed, money, as_role):
    page = full_page(as_role("chair").get(f"/people/{money.person_id}"))
    assert 'data-empty="Ngày/tháng/năm: dd/mm/yyyy"' in page


# ------------------------------------------------------------------ confirmations with the next step


def test_a_repayment_is_confirmed_with_a_link_to_its_receipt(app, seed, active_loan, as_role):
    treasurer = as_role("treasurer")
    data = {"amount": "1.000.000", "paid_on": TODAY.isoformat(), "method": "cash"}
    page = fragment(treasurer.post(f"/loans/{active_loan}/repayments", data, htmx=True))
    confirmation = re.search(r'<p class="confirmation" id="repayment-recorded">(.*?)</p>', page).group(1)
    assert confirmation.startswith('Đã thu 1.000.000 ₫ · <a href="/repayments/')
    assert re.search(r'/receipt">In phiếu thu PT-\d{4}-\d{4}</a>$', confirmation)
    # without script: the page's message carries the same link (a flash keeps its markup)
    saved = treasurer.post(f"/loans/{active_loan}/repayments", data)
    assert saved.status_code == 303
    flash = re.search(
        r'<p class="flash flash-success"[^>]*>(.*?)</p>', full_page(treasurer.get(saved.location))
    )
    assert "Đã thu 1.000.000 ₫ · <a href=" in flash.group(1) and "In phiếu thu PT-" in flash.group(1)


# ------------------------------------------------------------------ print buttons


@pytest.fixture
def papers(app, seed, money, active_loan):
    """Addresses of every printable page (reports, receipt, voucher, review, letter, export)."""
    from tests.factories import repay

    year = TODAY.year
    span = f"from={year}-01-01&to={year}-12-31"
    donation = donate(app, seed.fund_id, money.donor_id, 1_000_000, TODAY)
    repayment = repay(app, active_loan, 1_000_000, TODAY)
    return {
        "/reports/outstanding": "In báo cáo",
        "/reports/aging": "In báo cáo",
        f"/reports/cashbook?{span}": "In báo cáo",
        f"/reports/donors?{span}": "In báo cáo",
        f"/reports/visits?{span}": "In báo cáo",
        f"/reports/review?period={year}": "In báo cáo",
        f"/reports/donor-letter?donor_id={money.donor_id}&year={year}": "In thư",
        f"/reports/donor-letters/print?year={year}": "In tất cả các thư",
        f"/people/{money.person_id}/export?format=html": "In",
        f"/donations/{donation}/receipt": "In phiếu thu",
        f"/repayments/{repayment}/receipt": "In phiếu thu",
        f"/loans/{active_loan}/voucher": "In phiếu chi",
    }


def test_every_printable_page_has_a_print_button(as_role, papers):
    chair = as_role("chair")
    for address, label in papers.items():
        response = chair.get(address)
        assert response.status_code == 200, address
        button = re.search(r"<button[^>]*data-print[^>]*>([^<]*)</button>", response.get_data(as_text=True))
        assert button and button.group(1) == label, address
        # shown by app.js, which prints; hidden on paper
        assert "hidden" in button.group(0) and 'class="print-action no-print"' in response.get_data(
            as_text=True
        )
