"""Reports: outstanding loans (dư nợ) and the cash book (sổ quỹ), on screen, in CSV and in XLSX.

One small history, dated in 2025 with "today" fixed at 15/12/2025, is checked three ways: against
numbers worked out by hand, against raw SQL sums over journal_line, and across the three renderings.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import full_page
from tests.factories import add_donor, approved_loan, disbursed_loan, donate, repay, user_id
from tracker import clock
from tracker.extensions import db
from tracker.models import Donation, Donor, Loan, Person, Repayment
from tracker.money import balances, journal

TODAY = dt.date(2025, 12, 15)
MILLION = 1_000_000

OUTSTANDING_HEADER = [
    "loan_id",
    "person_id",
    "person_name",
    "principal",
    "repaid",
    "written_off",
    "outstanding",
    "overdue_amount",
    "days_overdue",
    "status",
]
CASHBOOK_HEADER = ["date", "receipt_no", "kind", "description", "money_in", "money_out", "balance"]


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@dataclass
class History:
    fund_id: int
    loan_a: int  # 12 × 1M from 01/03/2025; repaid 3M, the third repayment reversed today
    loan_b: int  # 6 × 1M from 15/03/2025; repaid 1M, the rest written off on 01/10/2025
    loan_c: int  # 2 × 1M from 01/08/2025; repaid late, fully, on 20/11/2025
    borrowers: tuple[str, str]


@pytest.fixture
def history(app, seed, money, today) -> History:
    fund = seed.fund_id
    with app.app_context():
        anonymous = db.session.get(Donor, add_donor(fund, "Ông Nguyễn Văn Giấu Tên", kind="individual"))
        anonymous.anonymous = True
        anonymous_id = anonymous.id
        db.session.commit()
    donate(app, fund, money.donor_id, 30 * MILLION, dt.date(2025, 1, 10))
    donate(app, fund, anonymous_id, 1 * MILLION, dt.date(2025, 1, 15))
    donate(app, fund, money.donor_id, 20 * MILLION, dt.date(2025, 1, 20))
    loan_a = disbursed_loan(app, fund, money.person_id, 12 * MILLION, dt.date(2025, 2, 1), term=12)
    loan_b = disbursed_loan(app, fund, money.other_person_id, 6 * MILLION, dt.date(2025, 2, 15), term=6)
    repay(app, loan_a, MILLION, dt.date(2025, 3, 1))
    repay(app, loan_b, MILLION, dt.date(2025, 3, 15))
    repay(app, loan_a, MILLION, dt.date(2025, 4, 1))
    third = repay(app, loan_a, MILLION, dt.date(2025, 5, 1))
    late_donation = donate(app, fund, money.donor_id, 5 * MILLION, dt.date(2025, 6, 1))
    loan_c = disbursed_loan(app, fund, money.person_id, 2 * MILLION, dt.date(2025, 7, 1), term=2)
    repay(app, loan_c, MILLION, dt.date(2025, 8, 1))
    repay(app, loan_c, MILLION, dt.date(2025, 11, 20))
    # Another fund's money must not show anywhere.
    donate(app, seed.other_fund_id, money.foreign_donor_id, 7 * MILLION, dt.date(2025, 2, 1))
    with app.app_context():
        treasurer, chair = user_id("treasurer"), user_id("chair")
        journal.write_off(db.session.get(Loan, loan_b), dt.date(2025, 10, 1), "Đã chuyển đi", chair)
        journal.reverse_repayment(db.session.get(Repayment, third), "Ghi nhầm số tiền", treasurer)
        journal.reverse_donation(db.session.get(Donation, late_donation), "Ghi trùng", treasurer)
        db.session.commit()
    return History(fund, loan_a, loan_b, loan_c, ("Nguyễn Văn An", "Lê Thị Bích"))


# ------------------------------------------------------------------ helpers


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


def as_dicts(rows: list[list]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def screen_amount(page: str, attribute: str, name: str) -> int:
    match = re.search(rf'data-{attribute}="{name}">([^<]*)<', page)
    assert match, f"no {attribute} {name} on the page"
    return int(re.sub(r"[^\d-]", "", match.group(1)))


def raw_sum(app, sql: str, **params) -> int:
    with app.app_context():
        return int(db.session.execute(sa.text(sql), params).scalar())


def outstanding_csv(chair, as_of: dt.date | None = None) -> dict[int, dict]:
    url = "/reports/outstanding?format=csv" + (f"&as_of={as_of.isoformat()}" if as_of else "")
    response = chair.get(url)
    assert response.status_code == 200
    return {int(row["loan_id"]): row for row in as_dicts(read_csv(response))}


# ------------------------------------------------------------------ outstanding loans


def test_outstanding_csv_header_format_and_filename(history, as_role):
    response = as_role("chair").client.get("/reports/outstanding?format=csv", buffered=False)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="du-no-2025-12-15.csv"'
    rows = read_csv(response)
    assert rows[0] == OUTSTANDING_HEADER
    assert len(rows) == 4
    for row in rows[1:]:
        for column in ("principal", "repaid", "written_off", "outstanding", "overdue_amount"):
            assert re.fullmatch(r"\d+", row[OUTSTANDING_HEADER.index(column)]), (
                "plain integers, no dots, no ₫"
            )


def test_outstanding_rows_as_of_today(history, as_role):
    rows = outstanding_csv(as_role("chair"))
    a, b, c = rows[history.loan_a], rows[history.loan_b], rows[history.loan_c]
    assert a["person_name"] == "Nguyễn Văn An"
    assert [a[k] for k in ("principal", "repaid", "written_off", "outstanding", "overdue_amount")] == [
        "12000000",
        "2000000",
        "0",
        "10000000",
        "8000000",
    ]
    # The reversed repayment of 01/05 no longer counts: the third installment is the oldest unpaid.
    assert int(a["days_overdue"]) == (TODAY - dt.date(2025, 5, 1)).days == 228
    assert a["status"] == "active"
    assert (b["repaid"], b["written_off"], b["outstanding"], b["overdue_amount"], b["days_overdue"]) == (
        "1000000",
        "5000000",
        "0",
        "0",
        "0",
    )
    assert b["status"] == "written_off"
    assert (c["repaid"], c["outstanding"], c["status"]) == ("2000000", "0", "repaid")


def test_outstanding_total_matches_raw_journal_sums(app, history, as_role):
    rows = outstanding_csv(as_role("chair"))
    lines = "FROM journal_line WHERE fund_id = :fund AND account = 'receivable' AND event = :event"
    disbursed, repaid, written_off = (
        raw_sum(app, f"SELECT COALESCE(SUM(amount), 0) {lines}", fund=history.fund_id, event=event)
        for event in ("disbursement", "repayment", "write_off")
    )
    expected = disbursed + repaid + written_off  # credits are negative
    assert expected == 10 * MILLION
    assert sum(int(row["outstanding"]) for row in rows.values()) == expected
    assert sum(int(row["principal"]) for row in rows.values()) == disbursed
    assert sum(int(row["repaid"]) for row in rows.values()) == -repaid
    assert sum(int(row["written_off"]) for row in rows.values()) == -written_off
    for row in rows.values():
        assert int(row["principal"]) - int(row["repaid"]) - int(row["written_off"]) == int(row["outstanding"])


def test_outstanding_screen_csv_and_xlsx_show_the_same_rows_and_totals(history, as_role):
    chair = as_role("chair")
    csv_rows = as_dicts(read_csv(chair.get("/reports/outstanding?format=csv")))
    response = chair.client.get("/reports/outstanding?format=xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="du-no-2025-12-15.xlsx"'
    xlsx = read_xlsx(response)
    assert xlsx[0] == OUTSTANDING_HEADER
    xlsx_rows = as_dicts(xlsx)
    assert [[str(value) for value in row.values()] for row in xlsx_rows] == [
        list(row.values()) for row in csv_rows
    ]
    assert all(isinstance(row["outstanding"], int) for row in xlsx_rows)
    page = full_page(chair.get("/reports/outstanding"))
    for column in ("principal", "repaid", "written_off", "outstanding", "overdue_amount"):
        from_csv = sum(int(row[column]) for row in csv_rows)
        assert screen_amount(page, "total", column) == from_csv == sum(row[column] for row in xlsx_rows)
    assert screen_amount(page, "total", "outstanding") == 10 * MILLION
    for name in history.borrowers:
        assert name in page


def test_outstanding_as_of_a_past_date(history, as_role):
    chair = as_role("chair")
    # Before the repayment of 01/05: two repaid, ten owed; loan C not yet disbursed.
    rows = outstanding_csv(chair, dt.date(2025, 4, 10))
    assert set(rows) == {history.loan_a, history.loan_b}
    a = rows[history.loan_a]
    assert (a["repaid"], a["outstanding"], a["overdue_amount"], a["days_overdue"]) == (
        "2000000",
        "10000000",
        "0",
        "0",
    )
    # Nothing disbursed yet.
    assert outstanding_csv(chair, dt.date(2025, 1, 31)) == {}


def test_days_overdue_as_of_a_past_date(history, as_role):
    rows = outstanding_csv(as_role("chair"), dt.date(2025, 6, 10))
    a, b = rows[history.loan_a], rows[history.loan_b]
    # A: 4 due (01/03 .. 01/06), 3 repaid then (the reversal came later): 1M overdue since 01/06.
    assert (a["repaid"], a["overdue_amount"], a["days_overdue"], a["status"]) == (
        "3000000",
        "1000000",
        "9",
        "active",
    )
    # B is written off today, but on 10/06/2025 it was being repaid and two installments were late.
    assert (b["written_off"], b["outstanding"], b["status"]) == ("0", "5000000", "active")
    assert (b["overdue_amount"], b["days_overdue"]) == (
        "2000000",
        str((dt.date(2025, 6, 10) - dt.date(2025, 4, 15)).days),
    )


def test_a_loan_repaid_today_was_overdue_then(history, as_role):
    rows = outstanding_csv(as_role("chair"), dt.date(2025, 10, 1))
    c, b = rows[history.loan_c], rows[history.loan_b]
    assert (c["outstanding"], c["overdue_amount"], c["days_overdue"], c["status"]) == (
        "1000000",
        "1000000",
        "30",
        "active",
    )
    # The write-off is dated 01/10: as of that day B is written off and no longer in arrears.
    assert (b["outstanding"], b["overdue_amount"], b["status"]) == ("0", "0", "written_off")


def test_outstanding_screen_as_of_a_past_date(history, as_role):
    page = full_page(as_role("viewer").get("/reports/outstanding?as_of=2025-04-10"))
    assert screen_amount(page, "total", "outstanding") == 15 * MILLION  # A 10M + B 5M
    assert 'value="2025-04-10"' in page


def test_another_funds_loans_are_not_in_the_report(app, history, seed, money, as_role):
    donate(app, seed.other_fund_id, money.foreign_donor_id, 9 * MILLION, dt.date(2025, 3, 1))
    with app.app_context():
        loan = db.session.get(
            Loan, approved_loan(app, seed.other_fund_id, money.foreign_person_id, 3 * MILLION)
        )
        journal.disburse(loan, dt.date(2025, 3, 2), None)
        db.session.commit()
    rows = outstanding_csv(as_role("chair"))
    assert set(rows) == {history.loan_a, history.loan_b, history.loan_c}
    other = as_role("other_chair")
    page = full_page(other.get("/reports/outstanding"))
    assert screen_amount(page, "total", "outstanding") == 3 * MILLION
    assert "Nguyễn Văn An" not in page


# ------------------------------------------------------------------ cash book


def cashbook_csv(user, query: str = "") -> list[dict]:
    response = user.get("/reports/cashbook?format=csv" + query)
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[0] == CASHBOOK_HEADER
    return as_dicts(rows)


def test_cashbook_csv_header_format_and_filename(history, as_role):
    response = as_role("treasurer").client.get("/reports/cashbook?format=csv", buffered=False)
    assert response.status_code == 200
    assert response.is_streamed
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="so-quy-2025-01-01-2025-12-15.csv"'
    )
    assert read_csv(response)[0] == CASHBOOK_HEADER


def test_the_cash_book_export_holds_a_batch_of_rows_not_the_book(app, seed, money, as_role, monkeypatch):
    """Memory stays flat while the cash book goes out: 600 lines cost what 60 do (the rows are read
    from the database a batch at a time as the CSV is written). Held whole, as they were, the 540
    more lines added 377 KiB (236 -> 613 KiB)."""
    import tracemalloc

    from tracker.queries import reports

    monkeypatch.setattr(reports, "CASHBOOK_BATCH", 50, raising=False)
    treasurer = as_role("treasurer")

    def peak_while_streaming() -> tuple[int, int]:
        tracemalloc.start()
        response = treasurer.client.get("/reports/cashbook?format=csv&from=2000-01-01", buffered=False)
        lines = sum(chunk.count(b"\n") for chunk in response.response)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return lines, peak

    def donations(count: int) -> None:
        with app.app_context():
            for day in range(count):
                donation = Donation(
                    fund_id=seed.fund_id,
                    donor_id=money.donor_id,
                    amount=100_000,
                    received_on=dt.date(2024, 1, 1) + dt.timedelta(days=day),
                    method="cash",
                    note="Ủng hộ quỹ " * 5,
                )
                journal.record_donation(donation, user_id("treasurer"))
            db.session.commit()

    donations(60)
    peak_while_streaming()  # statements compiled, caches warm
    small_lines, small = peak_while_streaming()
    donations(540)
    large_lines, large = peak_while_streaming()
    assert (small_lines, large_lines) == (63, 603)  # header, opening, the donations, closing
    assert large - small < 60 * 1024, (small, large)


def test_cashbook_balances_reconcile_with_the_journal(app, history, as_role):
    rows = cashbook_csv(as_role("treasurer"))
    opening, *moves, closing = rows
    assert (opening["kind"], opening["date"], opening["balance"]) == ("opening", "2025-01-01", "0")
    assert (closing["kind"], closing["date"]) == ("closing", "2025-12-15")
    money_in = sum(int(row["money_in"]) for row in moves)
    money_out = sum(int(row["money_out"]) for row in moves)
    with app.app_context():
        cash = balances.cash_balance(history.fund_id, TODAY)
    assert int(closing["balance"]) == cash == int(opening["balance"]) + money_in - money_out == 36 * MILLION
    raw = raw_sum(
        app,
        "SELECT SUM(amount) FROM journal_line WHERE fund_id = :fund AND account = 'cash'",
        fund=history.fund_id,
    )
    assert raw == cash
    # The running balance is right on every row.
    balance = 0
    for row in moves:
        balance += int(row["money_in"]) - int(row["money_out"])
        assert int(row["balance"]) == balance
    dates = [row["date"] for row in moves]
    assert dates == sorted(dates)
    # 4 donations, 3 disbursements, 6 repayments, 2 reversals; the write-off moves no cash.
    assert len(moves) == 15


def test_cashbook_and_outstanding_agree_to_the_dong(app, history, as_role):
    chair = as_role("chair")
    cash = int(cashbook_csv(chair)[-1]["balance"])
    loans = outstanding_csv(chair).values()
    outstanding = sum(int(row["outstanding"]) for row in loans)
    written_off = sum(int(row["written_off"]) for row in loans)
    donations = raw_sum(app, "SELECT SUM(amount) FROM donation WHERE fund_id = :fund", fund=history.fund_id)
    reversed_donations = raw_sum(
        app,
        "SELECT COALESCE(SUM(amount), 0) FROM donation WHERE fund_id = :fund AND reversal_id IS NOT NULL",
        fund=history.fund_id,
    )
    assert (donations, reversed_donations) == (56 * MILLION, 5 * MILLION)
    assert cash + outstanding + written_off == donations - reversed_donations


def test_cashbook_reversals_are_their_own_rows_on_the_other_side(history, as_role):
    rows = cashbook_csv(as_role("viewer"))
    by_receipt: dict[str, list[dict]] = {}
    for row in rows[1:-1]:
        by_receipt.setdefault(row["receipt_no"], []).append(row)
    reversals = [row for row in rows if row["kind"].endswith("_reversal")]
    assert sorted(row["kind"] for row in reversals) == ["donation_reversal", "repayment_reversal"]
    for reversal in reversals:
        assert reversal["date"] == "2025-12-15"
        original, again = by_receipt[reversal["receipt_no"]]
        assert again is reversal
        assert original["kind"] == reversal["kind"].removesuffix("_reversal")
        assert (original["money_in"], original["money_out"]) == (reversal["money_out"], reversal["money_in"])
        assert int(original["money_in"]) > 0
        assert reversal["receipt_no"] in reversal["description"]


def test_cashbook_names_donors_but_never_borrowers(history, as_role):
    chair = as_role("chair")
    text = chair.get("/reports/cashbook?format=csv").get_data(as_text=True)
    xlsx = str(read_xlsx(chair.client.get("/reports/cashbook?format=xlsx")))
    page = full_page(chair.get("/reports/cashbook"))
    for rendering in (text, xlsx, page):
        for name in history.borrowers:
            assert name not in rendering
        assert "Công ty TNHH Hồng Phát" in rendering
        assert "Giấu Tên" not in rendering  # the anonymous benefactor
        assert "Doanh nghiệp Xa" not in rendering  # another fund's donor
        assert f"#{history.loan_a}" in rendering


def test_cashbook_of_a_period(app, history, as_role):
    rows = cashbook_csv(as_role("chair"), "&from=2025-03-01&to=2025-06-30")
    opening, *moves, closing = rows
    assert int(opening["balance"]) == (30 + 1 + 20 - 12 - 6) * MILLION
    assert [row["kind"] for row in moves] == ["repayment"] * 4 + ["donation"]
    assert sum(int(row["money_in"]) for row in moves) == 9 * MILLION
    with app.app_context():
        assert int(closing["balance"]) == balances.cash_balance(history.fund_id, dt.date(2025, 6, 30))
        assert int(opening["balance"]) == balances.cash_balance(history.fund_id, dt.date(2025, 2, 28))


def test_cashbook_screen_csv_and_xlsx_agree(history, as_role):
    chair = as_role("chair")
    query = "from=2025-02-01&to=2025-12-15"
    csv_rows = cashbook_csv(chair, "&" + query)
    response = chair.client.get(f"/reports/cashbook?format=xlsx&{query}")
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="so-quy-2025-02-01-2025-12-15.xlsx"'
    )
    xlsx_rows = as_dicts(read_xlsx(response))
    assert len(xlsx_rows) == len(csv_rows)
    for from_csv, from_xlsx in zip(csv_rows, xlsx_rows, strict=True):
        assert from_xlsx["date"].date().isoformat() == from_csv["date"]
        for column in ("receipt_no", "kind", "description", "money_in", "money_out", "balance"):
            assert str(from_xlsx[column] if from_xlsx[column] is not None else "") == from_csv[column]
    page = full_page(chair.get(f"/reports/cashbook?{query}"))
    moves = csv_rows[1:-1]
    assert screen_amount(page, "balance", "opening") == int(csv_rows[0]["balance"]) == 51 * MILLION
    assert screen_amount(page, "balance", "closing") == int(csv_rows[-1]["balance"]) == 36 * MILLION
    assert screen_amount(page, "total", "money_in") == sum(int(row["money_in"]) for row in moves)
    assert screen_amount(page, "total", "money_out") == sum(int(row["money_out"]) for row in moves)


def test_report_pages_are_ready_to_print(history, as_role):
    chair = as_role("chair")
    for url in ("/reports/outstanding", "/reports/cashbook"):
        page = full_page(chair.get(url))
        assert "print.css" in page
        assert "Hồng Sơn, ngày 15 tháng 12 năm 2025" in page
        assert page.count('class="signatures report-signatures"') == 1


# ------------------------------------------------------------------ permissions


PERMISSION_MATRIX = [
    ("/reports", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/outstanding", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/outstanding?format=csv", {"chair": 200, "treasurer": 403, "viewer": 403, "member": 403}),
    ("/reports/outstanding?format=xlsx", {"chair": 200, "treasurer": 403, "viewer": 403, "member": 403}),
    ("/reports/cashbook", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/cashbook?format=csv", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/cashbook?format=xlsx", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
]


@pytest.mark.parametrize("role", ["chair", "treasurer", "viewer", "member"])
@pytest.mark.parametrize("url, expected", PERMISSION_MATRIX)
def test_who_may_see_and_export_reports(history, as_role, role, url, expected):
    # The raw client: the test Browser reads every answer as text, and an XLSX is not.
    response = as_role(role).client.get(url)
    assert response.status_code == expected[role]
    if response.status_code == 403:
        assert b"Nguy\xe1\xbb\x85n V\xc4\x83n An" not in response.get_data()  # no names in the refusal


def test_export_links_show_only_to_who_may_export(history, as_role):
    treasurer = as_role("treasurer")
    assert "format=csv" not in full_page(treasurer.get("/reports/outstanding"))
    assert "format=csv" in full_page(treasurer.get("/reports/cashbook"))
    assert "format=xlsx" in full_page(as_role("chair").get("/reports/outstanding"))


def test_reports_need_a_login(app, seed):
    response = app.test_client().get("/reports/cashbook?format=csv")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# ------------------------------------------------------------------ bad input


BAD_QUERIES = [
    "/reports/outstanding?as_of=2025-02-30",
    "/reports/outstanding?as_of=tomorrow",
    "/reports/outstanding?as_of=1800-01-01",
    "/reports/outstanding?as_of=99999-01-01",
    "/reports/cashbook?from=2025-12-01&to=2025-01-01",
    "/reports/cashbook?from=2025-13-01",
    "/reports/cashbook?to=2025-02-29",
    "/reports/cashbook?from=0001-01-01&to=0001-01-02",
    "/reports/cashbook?from=2025-01-01&to=%00",
]


@pytest.mark.parametrize("url", BAD_QUERIES)
@pytest.mark.parametrize("export", ["", "&format=csv", "&format=xlsx"])
def test_bad_dates_are_refused_with_a_message(history, as_role, url, export):
    response = as_role("chair").client.get(url + export)
    assert response.status_code == 400
    page = full_page(response)
    if not export:
        assert 'class="field-error"' in page  # said next to the date field, the form kept
        assert "<table" not in page


def test_an_unknown_export_format_is_refused(history, as_role):
    assert as_role("chair").get("/reports/cashbook?format=pdf").status_code == 400


def test_empty_dates_mean_the_defaults(history, as_role):
    rows = cashbook_csv(as_role("chair"), "&from=&to=")
    assert (rows[0]["date"], rows[-1]["date"]) == ("2025-01-01", "2025-12-15")
    # Only an end given: the period starts on 1 January of that year.
    rows = cashbook_csv(as_role("chair"), "&to=2024-06-30")
    assert (rows[0]["date"], rows[-1]["date"], len(rows)) == ("2024-01-01", "2024-06-30", 2)


def test_an_empty_fund_has_empty_reports(seed, as_role, today):
    chair = as_role("chair")
    page = full_page(chair.get("/reports/outstanding"))
    assert screen_amount(page, "total", "outstanding") == 0
    rows = cashbook_csv(chair)
    assert [row["kind"] for row in rows] == ["opening", "closing"]
    assert full_page(chair.get("/reports")).count("/reports/") >= 2


def test_exported_text_cannot_become_a_formula(app, seed, money, as_role, today):
    formula = '=HYPERLINK("http://example.com","x")'
    with app.app_context():
        db.session.get(Person, money.person_id).set_name(formula)
        db.session.commit()
    donate(app, seed.fund_id, money.donor_id, 10 * MILLION, dt.date(2025, 2, 1))
    disbursed_loan(app, seed.fund_id, money.person_id, 5 * MILLION, dt.date(2025, 2, 2))
    chair = as_role("chair")
    workbook = openpyxl.load_workbook(
        io.BytesIO(chair.client.get("/reports/outstanding?format=xlsx").get_data())
    )
    cell = workbook.active["C2"]
    assert (cell.value, cell.data_type) == (formula, "s")
    rows = as_dicts(read_csv(chair.get("/reports/outstanding?format=csv")))
    assert rows[0]["person_name"] == "'" + formula


# ------------------------------------------------------------------ query counts


def test_report_query_counts_do_not_grow_with_the_rows(app, seed, money, as_role, today, count_queries):
    donate(app, seed.fund_id, money.donor_id, 500 * MILLION, dt.date(2025, 1, 2))

    def add_loans(count: int) -> None:
        for _ in range(count):
            loan = disbursed_loan(
                app, seed.fund_id, money.person_id, 12 * MILLION, dt.date(2025, 2, 1), term=12
            )
            repay(app, loan, MILLION, dt.date(2025, 3, 1))

    chair = as_role("chair")
    add_loans(2)
    outstanding_2 = count_queries(lambda: chair.get("/reports/outstanding"))
    outstanding_csv_2 = count_queries(lambda: chair.get("/reports/outstanding?format=csv"))
    cashbook_2 = count_queries(lambda: chair.get("/reports/cashbook"))
    add_loans(18)
    assert len(outstanding_csv(chair)) == 20
    assert count_queries(lambda: chair.get("/reports/outstanding")) == outstanding_2
    assert count_queries(lambda: chair.get("/reports/outstanding?format=csv")) == outstanding_csv_2
    assert count_queries(lambda: chair.get("/reports/cashbook")) == cashbook_2
