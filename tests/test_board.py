"""The monthly board (/reports/board?month=yyyy-mm): the visits each member owes, the repayments due
and overdue, last month's money and the applications waiting, on one page and in Excel; its figures
are the reports' own (the agreement test)."""

import datetime as dt
import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, Browser, full_page
from tests.factories import add_person, disbursed_loan, donate, repay, requested_loan, user_id
from tests.test_grants import approved_grant
from tests.test_query_counts import grow
from tracker import clock
from tracker.extensions import db
from tracker.models import CommitteeMember, Installment, Person, PersonAccess, Repayment
from tracker.money import balances, journal, ledger
from tracker.queries import board as monthly
from tracker.queries import reports

# A fixed day: the history's installments fall on the 5th-7th, so this month still has some to
# come, and the grant paid ten days before is last month's (the board's lists start from today).
TODAY = dt.date(2026, 12, 3)
THIS = TODAY.replace(day=1)
LAST = ledger.add_months(THIS, -1)
BEFORE = ledger.add_months(THIS, -2)
NEXT = ledger.add_months(THIS, 1)
MONTH_END = NEXT - dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def board_day(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def board_of(app, fund_id, month=THIS, today=TODAY) -> monthly.Board:
    with app.app_context():
        return monthly.board(fund_id, month, today)


# ------------------------------------------------------------------ the agreement test


@pytest.fixture
def history(app, seed, money, as_role):
    """Two months and this one of a fund's money: donations (one into the bank), two loans, repayments
    (one reversed today), a grant and a running cost, a move of cash to the bank, an application
    waiting; and a foreign fund's donation and loan, which must not show."""
    fund = seed.fund_id
    donate(app, fund, money.donor_id, 50_000_000, BEFORE + dt.timedelta(days=1))
    donate(app, fund, money.donor_id, 5_000_000, LAST + dt.timedelta(days=2))
    donate(app, fund, money.donor_id, 3_000_000, LAST + dt.timedelta(days=3), method="bank", account="bank")
    first = disbursed_loan(app, fund, money.person_id, 12_000_000, BEFORE + dt.timedelta(days=5), term=12)
    second = disbursed_loan(app, fund, money.other_person_id, 6_000_000, LAST + dt.timedelta(days=4), term=6)
    repay(app, first, 400_000, LAST + dt.timedelta(days=10))
    mistaken = repay(app, first, 250_000, LAST + dt.timedelta(days=11))
    with app.app_context():
        journal.reverse_repayment(db.session.get(Repayment, mistaken), "Ghi nhầm", user_id("treasurer"))
        db.session.commit()
    treasurer = as_role("treasurer")
    paid = TODAY - dt.timedelta(days=10)
    grant = approved_grant(app, as_role, money, amount="500.000", on=paid)
    cost = approved_grant(app, as_role, money, amount="30.000", path="/expenses", on=paid, kind="bank_fee")
    day = paid.isoformat()
    for path, sid in (("/grants", grant), ("/expenses", cost)):
        assert treasurer.post(f"{path}/{sid}/pay", {"paid_on": day}).status_code == 303
    deposit = {
        "kind": "deposit",
        "amount": "1.000.000",
        "made_on": (LAST + dt.timedelta(days=12)).isoformat(),
        "reason": "Gửi tiền nhàn rỗi",
        "bank_ref": "GNT-0158",
    }
    assert treasurer.post("/transfers", deposit).status_code == 303  # nets out on the fund's money
    requested_loan(app, fund, money.other_person_id, 8_000_000, on=TODAY)
    donate(app, seed.other_fund_id, money.foreign_donor_id, 9_000_000, LAST + dt.timedelta(days=2))
    disbursed_loan(
        app, seed.other_fund_id, money.foreign_person_id, 2_000_000, LAST + dt.timedelta(days=5), term=3
    )
    return first, second


def book_by_kind(rows) -> dict[str, tuple[int, int]]:
    """(count, amount) of each kind of payment on the combined cash book, reversals netted."""
    found = {event: [0, 0] for event in (*balances.MONEY_IN_EVENTS, *balances.MONEY_OUT_EVENTS)}
    for row in rows:
        event, reversal = row.kind.removesuffix("_reversal"), row.kind.endswith("_reversal")
        if event not in found:
            continue  # the opening and closing rows, a move between cash and the bank
        sign = 1 if event in balances.MONEY_IN_EVENTS else -1
        found[event][0] += -1 if reversal else 1
        found[event][1] += sign * ((row.money_in or 0) - (row.money_out or 0))
    return {event: tuple(value) for event, value in found.items()}


@pytest.mark.parametrize("month", [THIS, NEXT], ids=["this month", "next month"])
def test_the_money_of_last_month_is_the_cash_books(app, seed, history, month):
    board = board_of(app, seed.fund_id, month)
    money = board.last_month
    with app.app_context():
        combined = reports.cashbook(seed.fund_id, money.start, money.end, "all")
        cash_book = reports.cashbook(seed.fund_id, money.start, money.end, "cash")
        bank_book = reports.cashbook(seed.fund_id, money.start, money.end, "bank")
    assert {event: tuple(moved) for event, moved in money.moved.items()} == book_by_kind(combined)
    totals = reports.cashbook_totals(combined)
    assert money.money_in - money.money_out == totals["money_in"] - totals["money_out"]
    assert (money.cash, money.in_cash, money.in_bank) == (
        combined[-1].balance,
        cash_book[-1].balance,
        bank_book[-1].balance,
    )


def test_the_two_months_hold_every_kind_of_payment(app, seed, history):
    """Whatever the day the test runs, last month and this one hold all of the history's payments."""
    boards = [board_of(app, seed.fund_id, month).last_month for month in (THIS, NEXT)]
    both = {
        event: tuple(sum(value) for value in zip(*(b.moved[event] for b in boards), strict=True))
        for event in boards[0].moved
    }
    assert both["grant"] == (1, 500_000) and both["expense"] == (1, 30_000)
    # 5.000.000 + 3.000.000 given last month (the foreign fund's 9.000.000 left out)
    assert both["donation"] == (2, 8_000_000)
    assert both["repayment"] == (1, 400_000)  # the 250.000 reversed today: out of the count too
    assert both["disbursement"] == (1, 6_000_000)


def test_due_and_overdue_are_the_outstanding_reports(app, seed, history):
    board = board_of(app, seed.fund_id)
    with app.app_context():
        today = {row.loan_id: row for row in reports.outstanding(seed.fund_id, TODAY)}
        # What falls due this month and is not paid is overdue on the 1st of the next month.
        month_over = {row.loan_id: row for row in reports.outstanding(seed.fund_id, NEXT)}
        aging = reports.aging(seed.fund_id, TODAY)
    late = {row.loan_id: (row.overdue_amount, row.outstanding, row.days_overdue) for row in board.late}
    assert late == {
        loan: (row.overdue_amount, row.outstanding, row.days_overdue)
        for loan, row in today.items()
        if row.days_overdue > 0
    }
    assert late, "the first loan's installment of last month is only part paid"
    assert board.late_totals[0] == aging.overdue_amount
    due = {row.loan_id: row.left for row in board.due}
    with app.app_context():
        # from today to the month's end (earlier ones are in the late list): none of them is paid
        falling_due = set(
            db.session.scalars(
                sa.select(Installment.loan_id).where(
                    Installment.loan_id.in_(history),
                    Installment.in_force(TODAY),
                    Installment.due_on >= TODAY,
                    Installment.due_on < NEXT,
                )
            )
        )
    assert set(due) == falling_due == set(history), "both loans have an installment to come"
    for loan, row in month_over.items():
        assert row.overdue_amount == late.get(loan, (0,))[0] + due.get(loan, 0), loan


def test_the_page_shows_the_boards_figures(app, seed, history, as_role):
    board = board_of(app, seed.fund_id)
    page = full_page(as_role("chair").get("/reports/board"))
    money = board.last_month
    for code, amount in (
        ("money_in", money.money_in),
        ("money_out", money.money_out),
        ("cash", money.cash),
        ("due", board.due_total),
        ("overdue", board.late_totals[0]),
        ("outstanding", board.late_totals[1]),
    ):
        assert re.search(rf'data-total="{code}">{re.escape(ledger_text(amount))}<', page), code
    assert f"Bảng công việc tháng {THIS:%m/%Y}" in page
    assert f"Số liệu tính đến ngày {TODAY:%d/%m/%Y}" in page
    assert "Nguyễn Văn An" in page and "Trần Văn Xa" not in page  # the foreign fund's borrower


def ledger_text(amount: int) -> str:
    from tracker.formatting import format_money

    return format_money(amount)


# ------------------------------------------------------------------ the visit list


@pytest.fixture
def visits(app, seed, money):
    """A member without a login with one person overdue and one due at the month's end, a person
    nobody mentors (overdue), one due next month, and a foreign fund's person overdue."""
    with app.app_context():
        member = CommitteeMember(fund_id=seed.fund_id, position="Chi hội trưởng Phụ nữ")
        member.set_name("Đỗ Thị Hằng")
        db.session.add(member)
        db.session.flush()
        late = add_person(seed.fund_id, "Hoàng Văn Muộn", member.id)
        soon = add_person(seed.fund_id, "Vũ Thị Sớm", member.id)
        nobody = add_person(seed.fund_id, "Đinh Văn Lẻ")
        later = add_person(seed.fund_id, "Mai Văn Sau", member.id)
        dates = {
            late: TODAY - dt.timedelta(days=20),
            soon: MONTH_END,
            nobody: TODAY - dt.timedelta(days=5),
            later: NEXT + dt.timedelta(days=3),
            money.person_id: None,
            money.other_person_id: None,
            money.foreign_person_id: TODAY - dt.timedelta(days=40),
        }
        for person_id, due_on in dates.items():
            db.session.get(Person, person_id).next_visit_on = due_on
        db.session.commit()
        return member.id, late, soon, nobody, later


def test_every_member_with_someone_due_is_listed_overdue_first(app, seed, visits, as_role):
    member_id, late, soon, nobody, later = visits
    board = board_of(app, seed.fund_id)
    groups = {group.member.id if group.member else None: group for group in board.visits}
    assert set(groups) == {member_id, None}  # nothing of the other fund, nobody with nothing due
    assert [visit.person_id for visit in groups[member_id].visits] == [late, soon]
    assert groups[member_id].visits[0].days_overdue == 20 and not groups[member_id].has_login
    assert [visit.person_id for visit in groups[None].visits] == [nobody]
    assert board.visits[-1].member is None  # the unassigned last

    page = full_page(as_role("viewer").get("/reports/board"))
    member_row = page.index(f'data-member="{member_id}"')
    assert member_row < page.index('data-member="none"')
    assert page.index(f'data-person="{late}"') < page.index(f'data-person="{soon}"')
    assert "(quá hạn 20 ngày)" in page and f"(hạn {MONTH_END:%d/%m/%Y})" in page
    assert "Chưa có thành viên phụ trách" in page
    assert "Trần Văn Xa" not in page and "Mai Văn Sau" not in page
    assert "đăng nhập" not in page.split('id="board-visits"')[1].split("</section>")[0]

    following = full_page(as_role("chair").get(f"/reports/board?month={NEXT:%Y-%m}"))
    assert f'data-person="{later}"' in following


def test_the_names_seen_are_logged(app, seed, visits, as_role):
    _member, late, soon, nobody, _later = visits
    as_role("viewer").get("/reports/board")
    with app.app_context():
        seen = set(
            db.session.scalars(
                sa.select(PersonAccess.person_id).where(PersonAccess.user_id == user_id("viewer"))
            )
        )
    assert {late, soon, nobody} <= seen


def test_a_past_month_shows_the_money_only(app, seed, history, visits, as_role):
    page = full_page(as_role("chair").get(f"/reports/board?month={BEFORE:%Y-%m}"))
    last_day = LAST - dt.timedelta(days=1)
    assert f"Số liệu tính đến ngày {last_day:%d/%m/%Y}" in page
    assert 'id="past-month"' in page and 'id="board-visits"' not in page and 'id="board-due"' not in page
    board = board_of(app, seed.fund_id, BEFORE)
    assert board.as_of == last_day and board.visits == [] and board.applications == []


# ------------------------------------------------------------------ Excel


def test_the_excel_file_has_the_sections_money_cells_and_totals(app, seed, history, visits, as_role):
    board = board_of(app, seed.fund_id)
    response = as_role("chair").client.get(f"/reports/board?month={THIS:%Y-%m}&format=xlsx")
    assert response.status_code == 200
    assert f'filename="bang-cong-viec-{THIS:%Y-%m}.xlsx"' in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("portrait", int(sheet.PAPERSIZE_A4))
    cells = [[cell for cell in row] for row in sheet.iter_rows()]
    first = [row[0].value for row in cells]
    assert first[:3] == [
        "Quỹ xã Hồng Sơn",
        f"Bảng công việc tháng {THIS:%m/%Y}",
        f"Số liệu tính đến ngày {TODAY:%d/%m/%Y}",
    ]
    for heading in (
        "Thăm hỏi cần làm trong tháng",
        "Kỳ trả nợ đến hạn trong tháng",
        "Các khoản vay quá hạn",
        "Thu, chi tháng trước",
        "Đơn đề nghị vay vốn chờ duyệt",
    ):
        assert heading in first, heading

    def row_of(label):
        return cells[first.index(label)]

    assert row_of("Đỗ Thị Hằng")[1].value == "Hoàng Văn Muộn"
    assert row_of("Đỗ Thị Hằng")[3].value == 20
    assert row_of("Chưa có thành viên phụ trách")[1].value == "Đinh Văn Lẻ"
    money = board.last_month
    total_in = row_of("Tổng thu")
    assert total_in[3].value == money.money_in and total_in[3].number_format == "#,##0"
    assert row_of("Tổng chi")[3].value == money.money_out
    balance = [row for row in cells if str(row[0].value).startswith("Tồn quỹ đến ngày")][0]
    assert balance[3].value == money.cash and balance[3].font.bold
    donations = row_of("Thu tiền đóng góp")
    assert (donations[2].value, donations[3].value) == tuple(money.moved["donation"])
    due_section = first.index("Kỳ trả nợ đến hạn trong tháng")
    due_total = next(row for row in cells[due_section:] if row[0].value == "Tổng cộng")
    assert due_total[3].value == board.due_total and due_total[3].number_format == "#,##0"
    due_date = cells[due_section + 2][2]
    assert isinstance(due_date.value, dt.datetime) and due_date.number_format == "dd/mm/yyyy"


def test_the_excel_file_is_the_chairs_and_logs_the_names(app, seed, visits, as_role):
    for role in ("treasurer", "viewer"):
        assert as_role(role).client.get("/reports/board?format=xlsx").status_code == 403
    assert as_role("chair").get("/reports/board?format=pdf").status_code == 400
    as_role("chair").client.get("/reports/board?format=xlsx")
    with app.app_context():
        actions = set(
            db.session.scalars(sa.select(PersonAccess.action).where(PersonAccess.user_id == user_id("chair")))
        )
    assert "report_export" in actions


# ------------------------------------------------------------------ a bad month, who may see it


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "Nhập tháng theo dạng năm-tháng"),
        ("abc", "Nhập tháng theo dạng năm-tháng"),
        ("2026-1", "Nhập tháng theo dạng năm-tháng"),
        ("1999-05", "Nhập năm từ 2000 đến"),
        (f"{TODAY.year + 2}-01", "Nhập năm từ 2000 đến"),
    ],
)
def test_a_bad_month_is_refused_in_vietnamese(seed, as_role, month, message):
    chair = as_role("chair")
    response = chair.get(f"/reports/board?month={month}")
    assert response.status_code == 400
    page = full_page(response)
    assert message in page and 'id="month-error"' in page and 'aria-invalid="true"' in page
    assert chair.client.get(f"/reports/board?month={month}&format=xlsx").status_code == 400


def test_members_do_not_see_the_board(seed, as_role, visitor):
    assert as_role("member").get("/reports/board").status_code == 403
    assert visitor.get("/reports/board").status_code == 302


def test_the_board_is_linked_from_the_reports_and_the_chairs_dashboard(seed, as_role):
    chair = as_role("chair")
    assert 'href="/reports/board"' in full_page(chair.get("/reports"))
    assert 'id="todo-board" href="/reports/board"' in full_page(chair.get("/"))
    assert 'href="/reports/board"' in full_page(as_role("viewer").get("/reports"))


def test_the_query_count_does_not_grow_with_rows(app, seed, money, count_queries):
    chair = Browser(app.test_client())
    chair.login("chair", PASSWORD)
    urls = ["/reports/board", f"/reports/board?month={NEXT:%Y-%m}", "/reports/board?format=xlsx"]
    grow(app, seed, money, people=3, loans=3)
    small = [count_queries(lambda url=url: chair.client.get(url)) for url in urls]
    grow(app, seed, money, people=30, loans=25)
    large = [count_queries(lambda url=url: chair.client.get(url)) for url in urls]
    assert small == large
