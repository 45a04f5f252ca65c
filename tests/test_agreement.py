"""The screens, the printouts and the spreadsheets never disagree (issue 5, item 7).

On the demo fund and on randomly generated funds, the dashboard, each report, its CSV and its XLSX
show the same totals, and they match sums computed independently from journal_line with SQL.
"""

import csv
import datetime as dt
import io
import itertools
import re
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Browser
from tests.xlsx import read_table
from tracker import accounts, clock
from tracker.commands import demo
from tracker.extensions import db
from tracker.formatting import format_money
from tracker.models import Donation, Donor, Loan, Person
from tracker.money import balances, journal
from tracker.web import sheets

TODAY = clock.today()
YEAR_START = dt.date(TODAY.year, 1, 1)


# ------------------------------------------------------------------ independent sums (raw SQL)


def sql_sums(fund_id: int, as_of: dt.date = TODAY) -> dict[str, int]:
    rows = db.session.execute(
        sa.text(
            "SELECT account, event, coalesce(sum(amount), 0) FROM journal_line "
            "WHERE fund_id = :fund AND posted_on <= :as_of GROUP BY account, event"
        ),
        {"fund": fund_id, "as_of": as_of},
    ).all()
    by = {(account, event): int(total) for account, event, total in rows}
    return {
        # tồn quỹ: the money in the cash box and in the bank
        "cash": sum(v for (account, _), v in by.items() if account in ("cash", "bank")),
        "in_cash": sum(v for (account, _), v in by.items() if account == "cash"),
        "outstanding": sum(v for (account, _), v in by.items() if account == "receivable"),
        "donated": -by.get(("capital", "donation"), 0),
        "lent": by.get(("receivable", "disbursement"), 0),
        "repaid": -by.get(("receivable", "repayment"), 0),
        "written_off": by.get(("written_off", "write_off"), 0),
    }


# ------------------------------------------------------------------ what the app shows


def dashboard_figure(page: str, name: str) -> str:
    return re.search(rf'id="figure-{name}".*?class="figure-value[^"]*">([^<]*)<', page, re.S).group(1).strip()


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def xlsx_rows(response, layout) -> list[dict]:
    """The rows of an Excel export by column code (its totals row left out)."""
    return read_table(response, layout).rows


def review_xlsx(chair, year) -> list[dict]:
    """The review's Excel rows with the CSV's codes for section and item (the file has words)."""
    keys = [
        (row["section"], row["item"])
        for row in csv_rows(chair.client.get(f"/reports/review?period={year}&format=csv"))
    ]
    rows = xlsx_rows(chair.client.get(f"/reports/review?period={year}&format=xlsx"), sheets.REVIEW)
    return [
        {"section": section, "item": item, "value": row["value"]}
        for (section, item), row in zip(keys, rows, strict=True)
    ]


def one_place(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def shown_percent(ratio: Decimal) -> str:
    """A ratio as every page writes it: one decimal, halves up, a comma (0.0625 -> '6,3%')."""
    return f"{one_place(ratio * 100)}".replace(".", ",") + "%"


def total(rows, column) -> int:
    return sum(int(row[column] or 0) for row in rows)


def check_agreement(app, fund_id: int, chair: Browser):
    with app.app_context():
        expected = sql_sums(fund_id)
        assert expected["cash"] == balances.cash_balance(fund_id)

    page = chair.get("/").get_data(as_text=True)
    for name in ("cash", "outstanding", "donated", "lent"):
        assert dashboard_figure(page, name) == format_money(expected[name]), name

    # outstanding report: screen, CSV, XLSX, and the journal
    outstanding_csv = csv_rows(chair.client.get("/reports/outstanding?format=csv"))
    outstanding_xlsx = xlsx_rows(chair.client.get("/reports/outstanding?format=xlsx"), sheets.OUTSTANDING)
    for rows in (outstanding_csv, outstanding_xlsx):
        assert total(rows, "outstanding") == expected["outstanding"]
        assert total(rows, "repaid") == expected["repaid"]
        assert total(rows, "written_off") == expected["written_off"]
        assert total(rows, "principal") == expected["lent"]
    overdue = total(outstanding_csv, "overdue_amount")
    assert total(outstanding_xlsx, "overdue_amount") == overdue
    assert dashboard_figure(page, "overdue") == format_money(overdue)
    assert format_money(expected["outstanding"]) in chair.get("/reports/outstanding").get_data(as_text=True)

    # PAR30 and the arrears rate (DESIGN §4.8): the dashboard's and the review's, against the same
    # ratios worked out here from the outstanding export's rows
    outstanding_total = total(outstanding_csv, "outstanding")
    at_risk = sum(int(row["outstanding"]) for row in outstanding_csv if int(row["days_overdue"]) > 30)
    if outstanding_total:
        par30, arrears = Decimal(at_risk) / outstanding_total, Decimal(overdue) / outstanding_total
        assert dashboard_figure(page, "par30") == shown_percent(par30)
        assert dashboard_figure(page, "arrears") == shown_percent(arrears)
    else:
        par30 = arrears = Decimal(0)
        assert dashboard_figure(page, "par30") == dashboard_figure(page, "arrears") == "—"
    review = {
        row["item"]: Decimal(row["value"])
        for row in csv_rows(chair.client.get(f"/reports/review?period={TODAY.year}&format=csv"))
        if row["section"] == "money"
    }
    assert review["par30_percent"] == one_place(par30 * 100)
    assert review["arrears_rate_percent"] == one_place(arrears * 100)
    aging_page = chair.get("/reports/aging").get_data(as_text=True)
    if outstanding_total:
        assert shown_percent(par30) in aging_page

    # aging: the buckets add up to the same outstanding and overdue
    for rows in (
        csv_rows(chair.client.get("/reports/aging?format=csv")),
        xlsx_rows(chair.client.get("/reports/aging?format=xlsx"), sheets.AGING),
    ):
        assert total(rows, "outstanding") == expected["outstanding"]
        assert total(rows, "overdue_amount") == overdue

    # the combined book over everything: opening 0, closing = cash, in − out = cash
    start = "2000-01-01"
    for rows in (
        csv_rows(chair.client.get(f"/reports/cashbook?from={start}&format=csv&account=all")),
        xlsx_rows(
            chair.client.get(f"/reports/cashbook?from={start}&format=xlsx&account=all"), sheets.CASHBOOK
        ),
    ):
        assert int(rows[0]["balance"]) == 0 and rows[0]["kind"] in ("opening", "Tồn đầu kỳ")
        assert int(rows[-1]["balance"]) == expected["cash"] and rows[-1]["kind"] in ("closing", "Tồn cuối kỳ")
        assert total(rows, "money_in") - total(rows, "money_out") == expected["cash"]
    # this year's cash book starts where the journal stood on 31 December
    with app.app_context():
        before_year = sql_sums(fund_id, YEAR_START - dt.timedelta(days=1))["cash"]
    year_rows = csv_rows(chair.client.get("/reports/cashbook?format=csv&account=all"))
    assert int(year_rows[0]["balance"]) == before_year
    # the cash box's own book closes on what the cash lines sum to
    cash_rows = csv_rows(chair.client.get(f"/reports/cashbook?from={start}&format=csv"))
    assert int(cash_rows[-1]["balance"]) == expected["in_cash"]

    # donors: what was given in all, net of reversals
    for rows in (
        csv_rows(chair.client.get(f"/reports/donors?from={start}&format=csv")),
        xlsx_rows(chair.client.get(f"/reports/donors?from={start}&format=xlsx"), sheets.DONORS),
    ):
        assert total(rows, "total_given") == expected["donated"]

    # the year's review agrees with the journal for the year
    with app.app_context():
        year = db.session.execute(
            sa.text(
                "SELECT account, event, coalesce(sum(amount), 0) FROM journal_line WHERE fund_id = :fund "
                "AND posted_on >= :start AND posted_on <= :end GROUP BY account, event"
            ),
            {"fund": fund_id, "start": YEAR_START, "end": TODAY},
        ).all()
        by = {(account, event): int(amount) for account, event, amount in year}
    for rows in (
        csv_rows(chair.client.get(f"/reports/review?period={TODAY.year}&format=csv")),
        review_xlsx(chair, TODAY.year),
    ):
        figures = {
            (row["section"], row["item"]): int(float(row["value"]))
            for row in rows
            if row["section"] == "money"
        }
        assert figures[("money", "raised")] == -by.get(("capital", "donation"), 0)
        assert figures[("money", "lent_amount")] == by.get(("receivable", "disbursement"), 0)
        assert figures[("money", "recovered")] == -by.get(("receivable", "repayment"), 0)
        assert figures[("money", "outstanding_end")] == expected["outstanding"]
        assert figures[("money", "overdue_end")] == overdue
        assert figures[("money", "cash_end")] == expected["cash"]
        assert figures[("money", "cash_start")] == before_year


def test_the_demo_fund_agrees_everywhere(app):
    with app.app_context():
        fund_id = demo.load_demo().id
        db.session.commit()
    chair = Browser(app.test_client())
    assert chair.login("chair", demo.DEMO_PASSWORD).status_code == 302
    check_agreement(app, fund_id, chair)


# ------------------------------------------------------------------ randomly generated funds

_funds = itertools.count(1)
event = st.sampled_from(
    ["donate", "lend", "repay", "repay", "write_off", "reverse_repayment", "reverse_donation"]
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(event, st.integers(1, 40), st.integers(1, 24)), min_size=3, max_size=25))
def test_random_funds_agree_everywhere(app, steps):
    number = next(_funds)
    with app.app_context():
        fund = accounts.create_fund(f"Quỹ ngẫu nhiên {number}", "xã Thử", "Tỉnh")
        chair = accounts.create_user(f"chair{number}", "mat-khau-1", fund.id, "chair").id
        treasurer = accounts.create_user(f"treasurer{number}", "mat-khau-1", fund.id, "treasurer").id
        person = Person(fund_id=fund.id, consent_recorded_on=dt.date(2024, 1, 1))
        person.set_name("Nguyễn Văn Ngẫu")
        donor = Donor(fund_id=fund.id, kind="business")
        donor.set_name("Công ty Ngẫu Nhiên")
        db.session.add_all([person, donor])
        db.session.commit()
        # every fund starts with money and a loan, so the random steps have something to act on
        steps = [("donate", 40, 1), ("lend", 16, 12), ("repay", 8, 1), *steps]
        day = TODAY - dt.timedelta(days=3 * len(steps) + 400)
        donations, loans, repayments = [], [], []
        for kind, size, term in steps:
            day += dt.timedelta(days=3)
            amount = size * 250_000
            try:
                if kind == "donate":
                    donation = Donation(
                        fund_id=fund.id, donor=donor, amount=amount, received_on=day, method="cash"
                    )
                    journal.record_donation(donation, treasurer)
                    donations.append(donation)
                elif kind == "lend":
                    loan = Loan(
                        fund_id=fund.id,
                        person_id=person.id,
                        principal=amount,
                        purpose="thử",
                        applied_on=day,
                        term_months=term,
                        status="approved",
                        decided_by_id=chair,
                        decided_on=day,
                    )
                    db.session.add(loan)
                    db.session.flush()
                    journal.disburse(loan, day, treasurer)
                    loans.append(loan)
                elif kind == "repay" and loans:
                    loan = loans[size % len(loans)]
                    repayments.append(journal.record_repayment(loan, amount // 4, day, "cash", treasurer))
                elif kind == "write_off" and loans:
                    journal.write_off(loans[size % len(loans)], day, "mất khả năng trả", chair)
                elif kind == "reverse_repayment" and repayments:
                    journal.reverse_repayment(repayments[size % len(repayments)], "nhầm", treasurer)
                elif kind == "reverse_donation" and donations:
                    journal.reverse_donation(donations[size % len(donations)], "trả lại", treasurer)
                db.session.commit()
            except journal.MoneyRefused:
                db.session.rollback()
        fund_id = fund.id
        username = f"chair{number}"
    browser = Browser(app.test_client())
    assert browser.login(username, "mat-khau-1").status_code == 302
    check_agreement(app, fund_id, browser)
