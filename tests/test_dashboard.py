"""The dashboard by role: the chair's overview, the treasurer's money, a member's caseload."""

import datetime as dt
import re

import sqlalchemy as sa

from tests.factories import approved_loan, disbursed_loan, donate, repay
from tracker import clock
from tracker.extensions import db
from tracker.models import Installment, JournalLine
from tracker.money import balances

TODAY = clock.today()


def figure(page: str, name: str) -> str:
    match = re.search(rf'id="figure-{name}".*?class="figure-value[^"]*">([^<]*)<', page, re.S)
    assert match, f"no figure {name}"
    return match.group(1).strip()


def build_history(app, seed, money):
    donate(app, seed.fund_id, money.donor_id, 30_000_000, TODAY - dt.timedelta(days=400))
    late = disbursed_loan(
        app, seed.fund_id, money.person_id, 10_000_000, TODAY - dt.timedelta(days=200), term=10
    )
    on_time = disbursed_loan(
        app, seed.fund_id, money.other_person_id, 6_000_000, TODAY - dt.timedelta(days=65), term=6
    )
    repay(app, late, 1_000_000, TODAY - dt.timedelta(days=150))
    repay(app, on_time, 2_000_000, TODAY - dt.timedelta(days=5))
    return late, on_time


def test_chair_sees_the_whole_fund_in_one_look(app, money, seed, as_role):
    build_history(app, seed, money)
    page = as_role("chair").get("/").get_data(as_text=True)
    assert figure(page, "cash") == "17.000.000 ₫"  # 30 − 10 − 6 + 1 + 2
    assert figure(page, "donated") == "30.000.000 ₫"
    assert figure(page, "lent") == "16.000.000 ₫"
    assert figure(page, "outstanding") == "13.000.000 ₫"
    # the late loan: 10 installments of 1.000.000 from day −170; 6 due by today, 1 paid → 5.000.000 overdue
    assert figure(page, "overdue") == "5.000.000 ₫"
    assert figure(page, "par30") == "69,2%"  # 9.000.000 of 13.000.000
    assert figure(page, "arrears") == "38,5%"  # 5.000.000 ÷ 13.000.000
    # named in plain words: the acronym is for the aging report's note only (GLOSSARY)
    assert "Dư nợ quá hạn trên 30 ngày" in page and "PAR30" not in page
    assert page.count("<svg") == 4 and "<script" not in page.split("</head>")[1]
    assert (
        'href="/reports/outstanding"' in page and 'href="/reports/cashbook?account=all"' in page
    )  # tồn quỹ: both books
    # the aging chart's buckets read in Vietnamese, as the aging report writes them
    assert "1–30 ngày" in page and "Trên 360 ngày" in page and " days<" not in page


def test_dashboard_figures_are_sums_over_the_journal(app, money, seed, as_role):
    build_history(app, seed, money)
    page = as_role("viewer").get("/").get_data(as_text=True)
    with app.app_context():

        def total(account, event=None):
            query = sa.select(sa.func.sum(JournalLine.amount)).where(
                JournalLine.fund_id == seed.fund_id, JournalLine.account == account
            )
            if event:
                query = query.where(JournalLine.event == event)
            return int(db.session.scalar(query) or 0)

        from tracker.formatting import format_money

        assert (
            figure(page, "cash")
            == format_money(total("cash"))
            == format_money(balances.cash_balance(seed.fund_id))
        )
        assert figure(page, "outstanding") == format_money(total("receivable"))
        assert figure(page, "donated") == format_money(-total("capital"))


def test_treasurer_sees_cash_dues_and_late_loans(app, money, seed, as_role):
    late, _ = build_history(app, seed, money)
    page = as_role("treasurer").get("/").get_data(as_text=True)
    assert figure(page, "cash") == "17.000.000 ₫"
    assert 'id="figure-due"' in page and 'id="figure-par30"' not in page
    assert f'href="/loans/{late}"' in page  # in the overdue list


def test_member_sees_their_caseload_not_the_money(app, money, seed, as_role):
    build_history(app, seed, money)
    with app.app_context():
        from tracker.models import Person

        db.session.get(Person, money.person_id).next_visit_on = TODAY - dt.timedelta(days=3)
        db.session.get(Person, money.other_person_id).next_visit_on = TODAY - dt.timedelta(days=3)
        db.session.commit()
    page = as_role("member").get("/").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Lê Thị Bích" not in page
    assert 'id="figure-cash"' not in page and "17.000.000" not in page
    assert "is-overdue" in page


def test_dashboard_query_count_does_not_grow_with_loans(app, money, seed, as_role, count_queries):
    donate(app, seed.fund_id, money.donor_id, 500_000_000, TODAY - dt.timedelta(days=400))
    chair = as_role("chair")

    def dashboard_queries():
        return count_queries(lambda: chair.get("/"))

    for _ in range(2):
        disbursed_loan(app, seed.fund_id, money.person_id, 1_000_000, TODAY - dt.timedelta(days=100), term=5)
    few = dashboard_queries()
    for _ in range(15):
        disbursed_loan(
            app, seed.fund_id, money.other_person_id, 1_000_000, TODAY - dt.timedelta(days=90), term=5
        )
    assert dashboard_queries() == few


def test_the_figures_link_to_the_lists_behind_them(app, money, seed, as_role):
    """'Total lent' opens the loans whose money went out (not applications); the treasurer's 'due
    this month' opens the month's list, which adds up to the figure."""
    late, on_time = build_history(app, seed, money)
    waiting = approved_loan(app, seed.fund_id, money.person_id, 4_000_000, on=TODAY - dt.timedelta(days=3))
    chair = as_role("chair")
    page = chair.get("/").get_data(as_text=True)
    assert 'id="figure-lent" href="/loans?status=disbursed"' in page
    disbursed = chair.get("/loans?status=disbursed").get_data(as_text=True)
    assert f'href="/loans/{late}"' in disbursed and f'href="/loans/{on_time}"' in disbursed
    assert f'href="/loans/{waiting}"' not in disbursed
    assert f'href="/loans/{waiting}"' in chair.get("/loans").get_data(as_text=True)

    page = as_role("treasurer").get("/").get_data(as_text=True)
    assert 'id="figure-due" href="#due-this-month"' in page
    table = page[page.index('id="due-this-month"') :]
    table = table[: table.index("</section>")]
    cells = re.findall(r'<td class="num"[^>]*>([^<]+)<', table)
    amounts = [int(value.replace(".", "").removesuffix(" ₫")) for value in cells]
    assert f"{sum(amounts):,}".replace(",", ".") + " ₫" == figure(page, "due")
    listed = {int(loan_id) for loan_id in re.findall(r'href="/loans/(\d+)"', table)}
    assert late in listed  # behind on every installment, this month's too
    first = TODAY.replace(day=1)
    with app.app_context():
        due_this_month = set(
            db.session.scalars(
                sa.select(Installment.loan_id).where(
                    Installment.due_on >= first,
                    Installment.due_on < (first + dt.timedelta(days=32)).replace(day=1),
                    Installment.superseded.is_(False),
                )
            )
        )
    assert listed <= due_this_month


def test_the_chair_sees_who_is_late_and_who_has_not_been_visited_in_one_look(app, money, seed, as_role):
    """Issue 5's 'done when': who owes what, who is late, who has not been visited, on the
    dashboard itself (names: the chair and viewers may see them; a member gets their own queue)."""
    late, on_time = build_history(app, seed, money)
    with app.app_context():
        from tracker.models import Person

        lagging = db.session.get(Person, money.person_id)
        lagging.next_visit_on = TODAY - dt.timedelta(days=12)
        db.session.get(Person, money.other_person_id).next_visit_on = TODAY + dt.timedelta(days=20)
        db.session.commit()
    for role in ("chair", "viewer"):
        page = as_role(role).get("/").get_data(as_text=True)
        overdue_loans = page[page.index("Khoản vay quá hạn") :]
        overdue_loans = overdue_loans[: overdue_loans.index("</section>")]
        assert f'href="/loans/{late}"' in overdue_loans and f'href="/loans/{on_time}"' not in overdue_loans
        assert "Nguyễn Văn An" in overdue_loans and "9.000.000 ₫" in overdue_loans  # owes, of which 5M late
        not_visited = page[page.index('id="not-visited"') :]
        not_visited = not_visited[: not_visited.index("</section>")]
        assert f'href="/people/{money.person_id}">Nguyễn Văn An</a>' in not_visited
        assert '<td class="num overdue" data-label="Số ngày quá hạn">12</td>' in not_visited
        assert "Lê Thị Bích" not in not_visited
    member_page = as_role("member").get("/").get_data(as_text=True)
    assert 'id="not-visited"' not in member_page and "Khoản vay quá hạn" not in member_page
