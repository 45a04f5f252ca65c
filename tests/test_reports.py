"""Reports: outstanding loans (dư nợ), aging (with PAR30 and the arrears rate), the cash book (sổ quỹ),
donors and what their money did, and visits by mentor, on screen, in CSV and in XLSX.

Each report is checked on a small constructed fund, dated in 2025 with "today" fixed at 15/12/2025 (one
history serves the outstanding loans and the cash book), against answers worked out by hand, against
raw SQL over journal_line (or the casework tables), and across its three renderings (screen, CSV,
XLSX). Then who may see and export what, bad dates, what goes out in an export or on paper, and query
counts that do not grow with the rows.
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
from tests.factories import add_donor, add_person, approved_loan, disbursed_loan, donate, repay, user_id
from tests.xlsx import read_table
from tracker import casework, clock
from tracker.extensions import db
from tracker.models import CommitteeMember, Donation, Donor, Loan, Person, Repayment
from tracker.money import balances, journal
from tracker.web import sheets

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
AGING_HEADER = ["bucket", "loans", "outstanding", "overdue_amount", "share_of_outstanding"]
AGING_BUCKETS = ["not_overdue", "1-30", "31-60", "61-90", "91-180", "181-360", "360+", "paused"]
CASHBOOK_HEADER = [
    "date",
    "receipt_no",
    "kind",
    "description",
    "money_in",
    "money_out",
    "balance",
    "paper_book",
    "paper_no",
    "account",  # added with the bank book: new columns go at the end
]
DONORS_HEADER = [
    "donor_id",
    "donor_name",
    "kind",
    "donations",
    "amount_in_period",
    "total_given",
    "lent_out_now",
    "returned",
    "lost",
]
DONOR_AMOUNTS = DONORS_HEADER[3:]
VISITS_HEADER = [
    "mentor_id",
    "mentor_name",
    "people",
    "visits_made",
    "visits_home",
    "visits_phone",
    "visits_workplace",
    "visits_meeting",
    "visits_due",
    "overdue_now",
]
VISIT_COUNTS = VISITS_HEADER[2:]
# The words the Excel files write for the codes the CSV keeps (tracker.labels, in Vietnamese).
STATUS_WORDS = {"active": "Đang trả nợ", "repaid": "Đã tất toán", "written_off": "Đã xóa nợ"}
AGING_WORDS = [
    "Chưa quá hạn",
    "1–30 ngày",
    "31–60 ngày",
    "61–90 ngày",
    "91–180 ngày",
    "181–360 ngày",
    "Trên 360 ngày",
    "Đang khoanh nợ",
]
CASHBOOK_WORDS = {
    "opening": "Tồn đầu kỳ",
    "donation": "Thu tiền đóng góp",
    "disbursement": "Chi giải ngân",
    "repayment": "Thu hồi vốn",
    "donation_reversal": "Hủy bút toán thu đóng góp",
    "disbursement_reversal": "Hủy bút toán giải ngân",
    "repayment_reversal": "Hủy bút toán thu hồi vốn",
    "closing": "Tồn cuối kỳ",
}
DONOR_KIND_WORDS = {
    "business": "Doanh nghiệp",
    "individual": "Nhà hảo tâm",
    "organisation": "Cơ quan, đơn vị",
}


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


# ------------------------------------------------------------------ helpers


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    width = len(rows[0]) if rows else 0
    return [row + [None] * (width - len(row)) for row in rows]  # empty last cells are not stored


def as_dicts(rows: list[list]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def screen_value(page: str, attribute: str, name: str) -> str:
    match = re.search(rf'data-{attribute}="{re.escape(name)}">([^<]*)<', page)
    assert match, f"no {attribute} {name} on the page"
    return match.group(1).strip()


def screen_amount(page: str, attribute: str, name: str) -> int:
    return int(re.sub(r"[^\d-]", "", screen_value(page, attribute, name)))


def raw_sum(app, sql: str, **params) -> int:
    with app.app_context():
        return int(db.session.execute(sa.text(sql), params).scalar() or 0)


LAYOUTS = {
    "/reports/outstanding": sheets.OUTSTANDING,
    "/reports/aging": sheets.AGING,
    "/reports/cashbook": sheets.CASHBOOK,
    "/reports/donors": sheets.DONORS,
    "/reports/visits": sheets.MENTOR_VISITS,
}


def export(user, url: str, chosen: str) -> list[dict]:
    """The rows of an export, as dicts (CSV values are text, XLSX values typed)."""
    response = user.client.get(f"{url}{'&' if '?' in url else '?'}format={chosen}")
    assert response.status_code == 200, response.status_code
    if chosen == "csv":
        return as_dicts(read_csv(response))
    return read_table(response, LAYOUTS[url.split("?")[0]]).rows  # by column code, codes in words


def column_total(rows: list[dict], column: str) -> int:
    return sum(int(row[column]) for row in rows)


# ------------------------------------------------------------------ outstanding loans


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


def outstanding_csv(chair, as_of: dt.date | None = None) -> dict[int, dict]:
    url = "/reports/outstanding?format=csv" + (f"&as_of={as_of.isoformat()}" if as_of else "")
    response = chair.get(url)
    assert response.status_code == 200
    return {int(row["loan_id"]): row for row in as_dicts(read_csv(response))}


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
    # It fell due on 01/05, Labour Day, and 02/05/2025 was a day off too: due on Saturday 03/05.
    assert int(a["days_overdue"]) == (TODAY - dt.date(2025, 5, 3)).days == 226
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
    table = read_table(response, sheets.OUTSTANDING)
    assert table.title[1] == "Báo cáo dư nợ cho vay" and table.title[2] == "Tính đến ngày 15/12/2025"
    assert [int(row["loan_id"]) for row in csv_rows] == [row["loan_id"] for row in table.rows]
    for from_csv, from_xlsx in zip(csv_rows, table.rows, strict=True):
        assert from_xlsx["person_name"] == from_csv["person_name"]
        for column in ("principal", "repaid", "written_off", "outstanding", "overdue_amount", "days_overdue"):
            # a 0 of the overdue columns is left blank, as on the screen
            assert isinstance(from_xlsx[column] or 0, int) and (from_xlsx[column] or 0) == int(
                from_csv[column]
            )
    assert [row["status"] for row in table.rows] == [STATUS_WORDS[row["status"]] for row in csv_rows]
    page = full_page(chair.get("/reports/outstanding"))
    for column in ("principal", "repaid", "written_off", "outstanding", "overdue_amount"):
        from_csv = sum(int(row[column]) for row in csv_rows)
        assert screen_amount(page, "total", column) == from_csv == table.totals[column]
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
    # A: 4 due (01/03 .. 01/06), 3 repaid then (the reversal came later): 1M overdue since 01/06,
    # a Sunday, so due on Monday 02/06.
    assert (a["repaid"], a["overdue_amount"], a["days_overdue"], a["status"]) == (
        "3000000",
        "1000000",
        "8",
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
        "28",  # due 01/09/2025, National Day (01-02/09): collected on 03/09
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


# ------------------------------------------------------------------ aging


@dataclass
class AgingExample:
    fund_id: int
    current: int  # 12M over 12 months from 15/06/2025, every installment paid: 7M owed, not late
    late_14: int  # 10M from 01/11/2025, nothing paid: 1M late since 01/12 (14 days)
    late_44: int  # 6M from 01/10/2025, nothing paid: 2M late since 01/11 (44 days)
    late_532: int  # 3M from 01/06/2024, nothing paid: all 3M late since 01/07/2024 (532 days)
    repaid: int  # 2M, fully repaid: owes nothing
    written_off: int  # 4M, 1M repaid, the rest written off: owes nothing


@pytest.fixture
def loans(app, seed, money, today) -> AgingExample:
    fund = seed.fund_id
    donate(app, fund, money.donor_id, 100 * MILLION, dt.date(2024, 5, 1))
    current = disbursed_loan(app, fund, money.person_id, 12 * MILLION, dt.date(2025, 6, 15), term=12)
    for month in (7, 8, 9, 10, 11):
        repay(app, current, MILLION, dt.date(2025, month, 15))
    late_14 = disbursed_loan(app, fund, money.person_id, 10 * MILLION, dt.date(2025, 11, 1), term=10)
    late_44 = disbursed_loan(app, fund, money.other_person_id, 6 * MILLION, dt.date(2025, 10, 1), term=6)
    late_532 = disbursed_loan(app, fund, money.other_person_id, 3 * MILLION, dt.date(2024, 6, 1), term=3)
    repaid = disbursed_loan(app, fund, money.person_id, 2 * MILLION, dt.date(2025, 1, 10), term=2)
    repay(app, repaid, 2 * MILLION, dt.date(2025, 3, 10))
    written_off = disbursed_loan(app, fund, money.other_person_id, 4 * MILLION, dt.date(2025, 2, 1), term=4)
    repay(app, written_off, MILLION, dt.date(2025, 3, 1))
    with app.app_context():
        journal.write_off(
            db.session.get(Loan, written_off), dt.date(2025, 9, 1), "Đã chuyển đi", user_id("chair")
        )
        db.session.commit()
    return AgingExample(fund, current, late_14, late_44, late_532, repaid, written_off)


def test_aging_buckets_par30_and_arrears_rate_on_a_known_example(loans, as_role):
    chair = as_role("chair")
    rows = {row["bucket"]: row for row in export(chair, "/reports/aging", "csv")}
    assert list(rows) == AGING_BUCKETS
    expected = {
        "not_overdue": ("1", "7000000", "0", "0.2692"),
        "1-30": ("1", "10000000", "1000000", "0.3846"),
        "31-60": ("1", "6000000", "2000000", "0.2308"),
        "61-90": ("0", "0", "0", "0.0000"),
        "91-180": ("0", "0", "0", "0.0000"),
        "181-360": ("0", "0", "0", "0.0000"),
        "360+": ("1", "3000000", "3000000", "0.1154"),
    }
    for bucket, (count, outstanding, overdue, share) in expected.items():
        row = rows[bucket]
        assert (row["loans"], row["outstanding"], row["overdue_amount"], row["share_of_outstanding"]) == (
            count,
            outstanding,
            overdue,
            share,
        ), bucket
    page = full_page(chair.get("/reports/aging"))
    # PAR30: the loans more than 30 days late (6M + 3M) over all that is owed (26M).
    assert screen_value(page, "ratio", "par30") == "34,6%"
    # Arrears rate: what is overdue (1M + 2M + 3M) over all that is owed.
    assert screen_value(page, "ratio", "arrears_rate") == "23,1%"
    assert "PAR30" in page
    assert screen_amount(page, "total", "outstanding") == 26 * MILLION
    assert screen_amount(page, "total", "overdue_amount") == 6 * MILLION
    assert screen_amount(page, "total", "loans") == 4
    assert "38,5%" in page  # the 1–30 bucket's share, 0.3846
    # The detail: each owed loan once, in its bucket; the repaid and written-off loans not at all.
    detail = dict(re.findall(r'data-loan="(\d+)" data-bucket="([^"]+)"', page))
    assert detail == {
        str(loans.current): "not_overdue",
        str(loans.late_14): "1-30",
        str(loans.late_44): "31-60",
        str(loans.late_532): "360+",
    }


def test_aging_shows_the_state_bank_debt_groups_beside_the_buckets(loans, as_role):
    """Nhóm nợ 1-5 (under 10, 10-90, 91-180, 181-360, over 360 days overdue): the loans 0, 14, 44
    and 532 days overdue fall in groups 1, 2, 2 and 5; each bucket names the groups it spans."""
    page = full_page(as_role("chair").get("/reports/aging"))
    groups = re.findall(
        r'<tr data-group="(\d)">\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td class="num">(\d+)</td>'
        r'\s*<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>',
        page,
    )
    assert groups == [
        ("1", "Nhóm 1", "Chưa quá hạn hoặc quá hạn dưới 10 ngày", "1", "7.000.000 ₫", "26,9%"),
        ("2", "Nhóm 2", "Quá hạn từ 10 đến 90 ngày", "2", "16.000.000 ₫", "61,5%"),
        ("3", "Nhóm 3", "Quá hạn từ 91 đến 180 ngày", "0", "0 ₫", "0,0%"),
        ("4", "Nhóm 4", "Quá hạn từ 181 đến 360 ngày", "0", "0 ₫", "0,0%"),
        ("5", "Nhóm 5", "Quá hạn trên 360 ngày", "1", "3.000.000 ₫", "11,5%"),
    ]
    spans = re.findall(r'<tr data-bucket="([^"]+)">\s*<td>[^<]*</td>\s*<td data-groups="([^"]*)">', page)
    assert spans == [
        ("not_overdue", "1"),
        ("1-30", "1,2"),
        ("31-60", "2"),
        ("61-90", "2"),
        ("91-180", "3"),
        ("181-360", "4"),
        ("360+", "5"),
        ("paused", ""),  # a paused loan is classed by its days overdue, in its group below
    ]
    detail = dict(
        re.findall(r'data-loan="(\d+)" data-bucket="[^"]+">\s*<td>[^<]*</td>\s*<td data-group="(\d)"', page)
    )
    assert detail == {
        str(loans.current): "1",
        str(loans.late_14): "2",
        str(loans.late_44): "2",
        str(loans.late_532): "5",
    }
    # The acronym stays in the report's note, spelled out beside it.
    assert "Dư nợ quá hạn trên 30 ngày (PAR30)" in page


def test_aging_ratios_match_the_ledger_functions(app, loans):
    from tracker.money import ledger
    from tracker.queries import reports

    with app.test_request_context():
        report = reports.aging(loans.fund_id, TODAY)
    assert report.at_risk_30 == 9 * MILLION
    assert report.par30 == pytest.approx(9 / 26)
    assert report.arrears_rate == pytest.approx(6 / 26)
    assert ledger.arrears_rate(0, 0) is None
    assert ledger.arrears_rate(MILLION, 4 * MILLION) == 0.25


@pytest.mark.parametrize("as_of", [None, "2025-11-20", "2025-06-30", "2024-12-31", "2024-05-31"])
def test_aging_totals_equal_the_outstanding_report_and_the_journal(app, loans, as_role, as_of):
    chair = as_role("chair")
    query = f"?as_of={as_of}" if as_of else ""
    day = dt.date.fromisoformat(as_of) if as_of else TODAY
    aging = export(chair, f"/reports/aging{query}", "csv")
    outstanding = export(chair, f"/reports/outstanding{query}", "csv")
    owed = [row for row in outstanding if int(row["outstanding"]) > 0]
    receivable = raw_sum(
        app,
        "SELECT SUM(amount) FROM journal_line WHERE fund_id = :fund AND account = 'receivable' "
        "AND posted_on <= :day",
        fund=loans.fund_id,
        day=day,
    )
    assert column_total(aging, "outstanding") == column_total(outstanding, "outstanding") == receivable
    assert column_total(aging, "overdue_amount") == column_total(outstanding, "overdue_amount")
    assert column_total(aging, "loans") == len(owed)
    # The screens agree too.
    aging_page = full_page(chair.get(f"/reports/aging{query}"))
    outstanding_page = full_page(chair.get(f"/reports/outstanding{query}"))
    for column in ("outstanding", "overdue_amount"):
        assert screen_amount(aging_page, "total", column) == screen_amount(outstanding_page, "total", column)


def test_aging_screen_csv_and_xlsx_agree(loans, as_role):
    viewer = as_role("viewer")
    response = viewer.client.get("/reports/aging?format=xlsx&as_of=2025-11-20")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="no-qua-han-2025-11-20.xlsx"'
    table = read_table(response, sheets.AGING)
    xlsx_rows = table.rows
    share_cell = table.cells[0]["share_of_outstanding"]
    assert (share_cell.data_type, share_cell.number_format) == ("n", "0.0%")
    csv_response = viewer.client.get("/reports/aging?format=csv&as_of=2025-11-20", buffered=False)
    assert csv_response.is_streamed
    assert csv_response.headers["Content-Disposition"] == 'attachment; filename="no-qua-han-2025-11-20.csv"'
    csv_all = read_csv(csv_response)
    assert csv_all[0] == AGING_HEADER
    csv_rows = as_dicts(csv_all)
    assert [row["bucket"] for row in csv_rows] == AGING_BUCKETS
    assert [row["bucket"] for row in xlsx_rows] == AGING_WORDS
    for from_csv, from_xlsx in zip(csv_rows, xlsx_rows, strict=True):
        for column in ("loans", "outstanding", "overdue_amount"):
            assert re.fullmatch(r"\d+", from_csv[column]), "plain integers, no dots, no ₫"
            assert isinstance(from_xlsx[column], int)
            assert from_xlsx[column] == int(from_csv[column])
        assert re.fullmatch(r"[01]\.\d{4}", from_csv["share_of_outstanding"])
        assert from_xlsx["share_of_outstanding"] == pytest.approx(float(from_csv["share_of_outstanding"]))
    page = full_page(viewer.get("/reports/aging?as_of=2025-11-20"))
    for column in ("loans", "outstanding", "overdue_amount"):
        assert screen_amount(page, "total", column) == column_total(csv_rows, column)
    assert screen_amount(page, "total", "outstanding") == (7 + 10 + 6 + 3) * MILLION


def test_aging_names_borrowers_only_to_the_chair(loans, as_role):
    borrowers = ("Nguyễn Văn An", "Lê Thị Bích")
    page = full_page(as_role("chair").get("/reports/aging"))
    assert all(name in page for name in borrowers)
    for role in ("treasurer", "viewer"):
        page = full_page(as_role(role).get("/reports/aging"))
        assert not any(name in page for name in borrowers), role
        assert f"#{loans.late_44}" in page
    for role in ("chair", "viewer", "treasurer"):
        for chosen in ("csv", "xlsx"):
            data = as_role(role).client.get(f"/reports/aging?format={chosen}").get_data()
            assert "Nguyễn".encode() not in data


def test_aging_of_an_empty_fund(seed, as_role, today):
    chair = as_role("chair")
    page = full_page(chair.get("/reports/aging"))
    assert screen_amount(page, "total", "outstanding") == 0
    assert screen_value(page, "ratio", "par30") == "—"
    rows = export(chair, "/reports/aging", "csv")
    assert [row["share_of_outstanding"] for row in rows] == [""] * len(AGING_BUCKETS)
    xlsx_rows = export(chair, "/reports/aging", "xlsx")
    assert [row["share_of_outstanding"] for row in xlsx_rows] == [None] * len(AGING_BUCKETS)


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
    table = read_table(response, sheets.CASHBOOK)
    assert len(table.rows) == len(csv_rows)
    for from_csv, from_xlsx in zip(csv_rows, table.rows, strict=True):
        assert from_xlsx["date"].date().isoformat() == from_csv["date"]
        assert from_xlsx["kind"] == CASHBOOK_WORDS[from_csv["kind"]]
        for column in ("receipt_no", "description", "balance"):
            assert str(from_xlsx[column] if from_xlsx[column] is not None else "") == from_csv[column]
        for column in ("money_in", "money_out"):  # a 0 is left blank, as on the screen
            assert from_xlsx[column] == (int(from_csv[column]) or None if from_csv[column] else None)
    page = full_page(chair.get(f"/reports/cashbook?{query}"))
    moves = csv_rows[1:-1]
    assert screen_amount(page, "balance", "opening") == int(csv_rows[0]["balance"]) == 51 * MILLION
    assert screen_amount(page, "balance", "closing") == int(csv_rows[-1]["balance"]) == 36 * MILLION
    assert screen_amount(page, "total", "money_in") == sum(int(row["money_in"]) for row in moves)
    assert screen_amount(page, "total", "money_out") == sum(int(row["money_out"]) for row in moves)


# ------------------------------------------------------------------ donors


@dataclass
class DonorExample:
    fund_id: int
    company: int  # gave 10M in 2024 and 6M in 2025
    anonymous: int  # gave 4M in 2025, anonymously
    reversed_only: int  # gave 2M in 2025, reversed: not in the report
    loan_a: int  # 10M, all from the company's 2024 donation; 5M repaid
    loan_b: int  # 8M: 4M of the anonymous donation, 4M of the company's 2025 one; 2M repaid, 6M written off


@pytest.fixture
def donors(app, seed, money, today) -> DonorExample:
    fund = seed.fund_id
    with app.app_context():
        anonymous = add_donor(fund, "Ông Trần Giấu Tên", kind="individual")
        db.session.get(Donor, anonymous).anonymous = True
        reversed_only = add_donor(fund, "Hội Phụ nữ xã", kind="organisation")
        db.session.commit()
    donate(app, fund, money.donor_id, 10 * MILLION, dt.date(2024, 3, 1))
    donate(app, fund, anonymous, 4 * MILLION, dt.date(2025, 2, 1))
    donate(app, fund, money.donor_id, 6 * MILLION, dt.date(2025, 3, 1))
    mistake = donate(app, fund, reversed_only, 2 * MILLION, dt.date(2025, 4, 1))
    with app.app_context():
        journal.reverse_donation(db.session.get(Donation, mistake), "Ghi trùng", user_id("treasurer"))
        db.session.commit()
    loan_a = disbursed_loan(app, fund, money.person_id, 10 * MILLION, dt.date(2025, 4, 10), term=10)
    loan_b = disbursed_loan(app, fund, money.other_person_id, 8 * MILLION, dt.date(2025, 5, 1), term=8)
    for month in range(5, 10):
        repay(app, loan_a, MILLION, dt.date(2025, month, 10))
    repay(app, loan_b, 2 * MILLION, dt.date(2025, 7, 1))
    with app.app_context():
        journal.write_off(db.session.get(Loan, loan_b), dt.date(2025, 10, 1), "Đã mất", user_id("chair"))
        db.session.commit()
    # Another fund's donor must not show.
    donate(app, seed.other_fund_id, money.foreign_donor_id, 7 * MILLION, dt.date(2025, 2, 1))
    return DonorExample(fund, money.donor_id, anonymous, reversed_only, loan_a, loan_b)


def donor_rows(user, query: str = "", chosen: str = "csv") -> dict[int, dict]:
    return {int(row["donor_id"]): row for row in export(user, f"/reports/donors{query}", chosen)}


def test_donors_report_on_a_known_example(donors, as_role):
    response = as_role("viewer").client.get("/reports/donors?format=csv")
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="nha-tai-tro-2025-01-01-2025-12-15.csv"'
    )
    assert read_csv(response)[0] == DONORS_HEADER
    rows = donor_rows(as_role("viewer"))
    assert set(rows) == {donors.company, donors.anonymous}  # the reversed donation's donor gave nothing
    company, anonymous = rows[donors.company], rows[donors.anonymous]
    # The company: 6M in 2025 (1 donation), 16M ever. Its 10M went into loan A (half repaid: 5M
    # back, 5M still out); 4M of its 6M went into loan B (2/8 repaid: 1M back, 3M written off).
    assert [company[key] for key in DONOR_AMOUNTS] == [
        "1",
        "6000000",
        "16000000",
        "5000000",
        "6000000",
        "3000000",
    ]
    assert company["kind"] == "business"
    assert company["donor_name"] == "Công ty TNHH Hồng Phát"
    # The anonymous benefactor: 4M, all into loan B: 1M back, 3M lost, nothing out any more.
    assert [anonymous[key] for key in DONOR_AMOUNTS] == ["1", "4000000", "4000000", "0", "1000000", "3000000"]
    assert anonymous["donor_name"] == "Nhà hảo tâm giấu tên"


def test_donors_of_a_period(donors, as_role):
    rows = donor_rows(as_role("chair"), "?from=2024-01-01&to=2024-12-31")
    company, anonymous = rows[donors.company], rows[donors.anonymous]
    assert (company["donations"], company["amount_in_period"], company["total_given"]) == (
        "1",
        "10000000",
        "16000000",
    )
    assert (anonymous["donations"], anonymous["amount_in_period"]) == ("0", "0")
    # What the money is doing is as of today, whatever the period.
    assert company["lent_out_now"] == "5000000"


def test_donors_totals_match_raw_sums(app, donors, as_role):
    rows = list(donor_rows(as_role("treasurer")).values())
    fund = donors.fund_id
    # Donations in the period from the journal, not from the donation table: capital credits of
    # donation transactions that were not reversed.
    given_in_2025 = -raw_sum(
        app,
        "SELECT SUM(l.amount) FROM journal_line l JOIN journal_transaction t ON t.id = l.transaction_id "
        "WHERE l.fund_id = :fund AND l.account = 'capital' AND t.reverses_id IS NULL "
        "AND l.posted_on BETWEEN '2025-01-01' AND '2025-12-15' "
        "AND NOT EXISTS (SELECT 1 FROM journal_transaction r WHERE r.reverses_id = t.id)",
        fund=fund,
    )
    given_ever = raw_sum(
        app, "SELECT -SUM(amount) FROM journal_line WHERE fund_id = :fund AND account = 'capital'", fund=fund
    )
    receivable = (
        "SELECT COALESCE(SUM(amount), 0) FROM journal_line WHERE fund_id = :fund AND account = 'receivable'"
    )
    outstanding = raw_sum(app, receivable, fund=fund)
    repaid = -raw_sum(app, receivable + " AND event = 'repayment'", fund=fund)
    written_off = -raw_sum(app, receivable + " AND event = 'write_off'", fund=fund)
    assert (given_in_2025, given_ever, outstanding, repaid, written_off) == (
        10 * MILLION,
        20 * MILLION,
        5 * MILLION,
        7 * MILLION,
        6 * MILLION,
    )
    assert column_total(rows, "amount_in_period") == given_in_2025
    assert column_total(rows, "total_given") == given_ever
    assert column_total(rows, "lent_out_now") == outstanding
    assert column_total(rows, "returned") == repaid
    assert column_total(rows, "lost") == written_off
    # Per donor, what was lent from their donations is out, back or lost, to the đồng.
    for row in rows:
        lent = raw_sum(
            app,
            "SELECT COALESCE(SUM(f.amount), 0) FROM funding f JOIN donation d ON d.id = f.donation_id "
            "WHERE d.donor_id = :donor AND f.void = :no AND d.reversal_id IS NULL",
            donor=row["donor_id"],
            no=False,
        )
        assert int(row["lent_out_now"]) + int(row["returned"]) + int(row["lost"]) == lent


def test_donors_screen_csv_and_xlsx_agree(donors, as_role):
    chair = as_role("chair")
    query = "?from=2025-02-01&to=2025-12-15"
    from_csv = list(donor_rows(chair, query).values())
    response = chair.client.get(f"/reports/donors{query}&format=xlsx")
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="nha-tai-tro-2025-02-01-2025-12-15.xlsx"'
    )
    table = read_table(response, sheets.DONORS)
    from_xlsx = table.rows
    assert [row["donor_name"] for row in from_xlsx] == [row["donor_name"] for row in from_csv]
    assert [row["kind"] for row in from_xlsx] == [DONOR_KIND_WORDS[row["kind"]] for row in from_csv]
    for from_csv_row, from_xlsx_row in zip(from_csv, from_xlsx, strict=True):
        for column in DONOR_AMOUNTS:
            assert from_xlsx_row[column] == int(from_csv_row[column])
    page = full_page(chair.get(f"/reports/donors{query}"))
    for column in DONOR_AMOUNTS:
        assert screen_amount(page, "total", column) == column_total(from_csv, column) == table.totals[column]
    assert screen_amount(page, "total", "total_given") == 20 * MILLION


def test_anonymous_donors_are_named_only_to_the_treasurer_on_screen(donors, as_role):
    for role in ("chair", "viewer", "treasurer"):
        user = as_role(role)
        page = full_page(user.get("/reports/donors"))
        assert "Nhà hảo tâm giấu tên" in page
        assert ("Giấu Tên" in page) == (role == "treasurer"), role
        assert "Doanh nghiệp Xa" not in page  # another fund's donor
        for chosen in ("csv", "xlsx"):
            data = user.client.get(f"/reports/donors?format={chosen}").get_data()
            assert "Giấu Tên".encode() not in data, (role, chosen)
        assert "Nguyễn Văn An" not in page  # no borrower is named


def test_donors_report_of_an_empty_fund(seed, as_role, today):
    chair = as_role("chair")
    page = full_page(chair.get("/reports/donors"))
    assert screen_amount(page, "total", "total_given") == 0
    assert read_csv(chair.client.get("/reports/donors?format=csv")) == [DONORS_HEADER]


# ------------------------------------------------------------------ visits by mentor


PERIOD = "?from=2025-07-01&to=2025-12-15"  # 168 days


@dataclass
class VisitExample:
    fund_id: int
    binh: int  # the `member` login's committee member
    long: int  # member2's
    cuc: int  # a current member without people
    gone: int  # left in 2024: not in the report


def new_member(fund_id: int, name: str, left_on: dt.date | None = None) -> int:
    member = CommitteeMember(fund_id=fund_id, position="Thành viên", left_on=left_on)
    member.set_name(name)
    db.session.add(member)
    db.session.flush()
    return member.id


def new_person(fund_id: int, name: str, mentor_id: int | None, since: dt.date, interval: int = 30) -> Person:
    person = db.session.get(Person, add_person(fund_id, name))
    person.visit_interval_days = interval
    if mentor_id is not None:
        casework.assign_mentor(person, mentor_id, since, None)
    return person


def visit(person: Person, mentor_id: int | None, on: dt.date, kind: str, next_visit_on=None) -> None:
    casework.log_visit(person, mentor_id=mentor_id, visited_on=on, kind=kind, next_visit_on=next_visit_on)


@pytest.fixture
def visits(app, seed, today) -> VisitExample:
    fund = seed.fund_id
    with app.app_context():
        binh = seed.member_cm_id
        long = db.session.scalar(
            sa.select(CommitteeMember.id).where(CommitteeMember.user_id == user_id("member2"))
        )
        cuc = new_member(fund, "Trần Thị Cúc")
        gone = new_member(fund, "Đỗ Văn Cũ", left_on=dt.date(2024, 1, 1))
        start = dt.date(2025, 1, 1)
        # Bình: P1 all period at 30 days (168 // 30 = 5 due), P2 from 01/09 at 60 days (106 // 60 = 1).
        p1 = new_person(fund, "Hoàng Văn Một", binh, start)
        p2 = new_person(fund, "Vũ Thị Hai", binh, dt.date(2025, 9, 1), interval=60)
        # P3: Bình until 30/09 (92 days: 3 due), then Long (76 days: 2 due).
        p3 = new_person(fund, "Đặng Văn Ba", binh, start)
        casework.assign_mentor(p3, long, dt.date(2025, 10, 1), None)
        # P4: Long; settled on 01/08 (31 days of July: 1 due); no longer in anyone's caseload.
        p4 = new_person(fund, "Lý Thị Bốn", long, start)
        # P5: nobody assigned; one visit with no mentor recorded.
        p5 = new_person(fund, "Ngô Văn Năm", None, start)
        visit(p1, binh, dt.date(2025, 6, 20), "home")  # before the period
        visit(p1, binh, dt.date(2025, 7, 5), "home")
        visit(p1, binh, dt.date(2025, 8, 10), "phone")
        visit(p1, binh, dt.date(2025, 9, 12), "home")  # next 12/10: overdue now
        visit(p2, binh, dt.date(2025, 9, 20), "workplace", next_visit_on=dt.date(2025, 12, 20))
        visit(p3, binh, dt.date(2025, 8, 20), "meeting")
        visit(p3, long, dt.date(2025, 10, 15), "home")  # next 14/11: overdue now
        visit(p4, long, dt.date(2025, 7, 10), "phone")
        casework.change_status(p4, "settled", dt.date(2025, 8, 1), "Có việc làm ổn định", None)
        visit(p5, None, dt.date(2025, 8, 1), "home")  # next 31/08: overdue now
        # Another fund's visits must not show.
        other = db.session.get(Person, add_person(seed.other_fund_id, "Trần Văn Xa", seed.other_cm_id))
        visit(other, seed.other_cm_id, dt.date(2025, 8, 1), "home")
        db.session.commit()
        return VisitExample(fund, binh, long, cuc, gone)


def visit_rows(user, query: str = PERIOD, chosen: str = "csv") -> dict[str, dict]:
    return {row["mentor_id"] or "": row for row in export(user, f"/reports/visits{query}", chosen)}


def counts(row: dict) -> list[int]:
    return [int(row[column]) for column in VISIT_COUNTS]


def test_visits_by_mentor_on_a_known_example(visits, as_role):
    response = as_role("chair").client.get(f"/reports/visits{PERIOD}&format=csv")
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="tham-hoi-2025-07-01-2025-12-15.csv"'
    )
    assert read_csv(response)[0] == VISITS_HEADER
    rows = visit_rows(as_role("chair"))
    # By given name (Bình, Cúc, Long), the member who left long ago left out; no mentor last.
    assert list(rows) == [str(visits.binh), str(visits.cuc), str(visits.long), ""]
    #                                   people made home phone work meeting due overdue
    assert counts(rows[str(visits.binh)]) == [2, 5, 2, 1, 1, 1, 9, 1]
    assert counts(rows[str(visits.long)]) == [1, 2, 1, 1, 0, 0, 3, 1]
    assert counts(rows[str(visits.cuc)]) == [0] * 8
    assert counts(rows[""]) == [1, 1, 1, 0, 0, 0, 0, 1]
    assert rows[str(visits.binh)]["mentor_name"] == "Phạm Văn Bình"
    assert str(visits.gone) not in rows


def test_visits_due_follows_the_period(visits, as_role):
    # From 01/10 only: Bình has P1 (76 days: 2), P2 (76 days at 60: 1); Long has P3 (76 days: 2).
    rows = visit_rows(as_role("viewer"), "?from=2025-10-01&to=2025-12-15")
    assert rows[str(visits.binh)]["visits_due"] == "3"
    assert rows[str(visits.long)]["visits_due"] == "2"
    assert rows[str(visits.long)]["visits_made"] == "1"
    # A period running past today counts the days up to today only.
    future = visit_rows(as_role("viewer"), "?from=2025-10-01&to=2026-03-31")
    assert future[str(visits.binh)]["visits_due"] == "3"


def test_visits_totals_match_raw_counts(app, visits, as_role):
    chair = as_role("chair")
    rows = list(visit_rows(chair).values())
    fund = visits.fund_id
    made = raw_sum(
        app,
        "SELECT COUNT(*) FROM visit WHERE fund_id = :fund "
        "AND visited_on BETWEEN '2025-07-01' AND '2025-12-15'",
        fund=fund,
    )
    people = raw_sum(
        app, "SELECT COUNT(*) FROM person WHERE fund_id = :fund AND status = 'supported'", fund=fund
    )
    overdue = raw_sum(
        app,
        "SELECT COUNT(*) FROM person WHERE fund_id = :fund AND status = 'supported' "
        "AND next_visit_on < '2025-12-15'",
        fund=fund,
    )
    assert (made, people, overdue) == (8, 4, 3)
    assert column_total(rows, "visits_made") == made
    assert (
        sum(column_total(rows, f"visits_{kind}") for kind in ("home", "phone", "workplace", "meeting"))
        == made
    )
    assert column_total(rows, "people") == people
    assert column_total(rows, "overdue_now") == overdue
    assert column_total(rows, "visits_due") == 12


def test_visits_screen_csv_and_xlsx_agree(visits, as_role):
    viewer = as_role("viewer")
    from_csv = list(visit_rows(viewer).values())
    response = viewer.client.get(f"/reports/visits{PERIOD}&format=xlsx")
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="tham-hoi-2025-07-01-2025-12-15.xlsx"'
    )
    table = read_table(response, sheets.MENTOR_VISITS)
    from_xlsx = table.rows
    assert [row["mentor_name"] for row in from_xlsx] == [row["mentor_name"] for row in from_csv]
    for from_csv_row, from_xlsx_row in zip(from_csv, from_xlsx, strict=True):
        for column in VISIT_COUNTS:
            assert from_xlsx_row[column] == int(from_csv_row[column])
    page = full_page(viewer.get(f"/reports/visits{PERIOD}"))
    for column in VISIT_COUNTS:
        assert screen_amount(page, "total", column) == column_total(from_csv, column) == table.totals[column]
    assert 'class="muted report-note"' in page  # how visits due are estimated, said on the page


def test_visits_default_period_is_the_last_six_months(visits, as_role):
    response = as_role("chair").client.get("/reports/visits?format=csv")
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="tham-hoi-2025-06-16-2025-12-15.csv"'
    )
    page = full_page(as_role("chair").get("/reports/visits"))
    assert 'value="2025-06-16"' in page and 'value="2025-12-15"' in page


@pytest.mark.parametrize("login, mentor", [("member", "binh"), ("member2", "long")])
def test_a_member_sees_only_their_own_row(visits, as_role, login, mentor):
    user = as_role(login)
    page = full_page(user.get(f"/reports/visits{PERIOD}"))
    own = getattr(visits, mentor)
    assert re.findall(r'data-mentor="([^"]*)"', page) == [str(own)]
    others = {"binh": "Phạm Văn Bình", "long": "Bùi Văn Long"}
    assert all(name not in page for key, name in others.items() if key != mentor)
    assert "Trần Thị Cúc" not in page
    assert "data-total" not in page  # no team totals for a member
    assert "format=csv" not in page
    for chosen in ("csv", "xlsx"):
        assert user.client.get(f"/reports/visits{PERIOD}&format={chosen}").status_code == 403


def test_a_member_without_a_committee_record_sees_no_row(app, visits, as_role):
    with app.app_context():
        db.session.execute(
            sa.update(CommitteeMember).where(CommitteeMember.id == visits.binh).values(user_id=None)
        )
        db.session.commit()
    page = full_page(as_role("member").get(f"/reports/visits{PERIOD}"))
    assert re.findall(r'data-mentor="([^"]*)"', page) == []


# ------------------------------------------------------------------ permissions


PERMISSION_MATRIX = [
    ("/reports", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/outstanding", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/outstanding?format=csv", {"chair": 200, "treasurer": 403, "viewer": 403, "member": 403}),
    ("/reports/outstanding?format=xlsx", {"chair": 200, "treasurer": 403, "viewer": 403, "member": 403}),
    ("/reports/aging", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/aging?format=csv", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/aging?format=xlsx", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/cashbook", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/cashbook?format=csv", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/cashbook?format=xlsx", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/donors", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/donors?format=csv", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/donors?format=xlsx", {"chair": 200, "treasurer": 200, "viewer": 200, "member": 403}),
    ("/reports/visits", {"chair": 200, "treasurer": 403, "viewer": 200, "member": 200}),
    ("/reports/visits?format=csv", {"chair": 200, "treasurer": 403, "viewer": 200, "member": 403}),
    ("/reports/visits?format=xlsx", {"chair": 200, "treasurer": 403, "viewer": 200, "member": 403}),
]


@pytest.mark.parametrize("role", ["chair", "treasurer", "viewer", "member"])
@pytest.mark.parametrize("url, expected", PERMISSION_MATRIX)
def test_who_may_see_and_export_reports(history, as_role, role, url, expected):
    # The raw client: the test Browser reads every answer as text, and an XLSX is not.
    response = as_role(role).client.get(url)
    assert response.status_code == expected[role]
    if response.status_code == 403:
        assert "Nguyễn Văn An".encode() not in response.get_data()  # no names in the refusal


EXPORT_LINKS = [
    ("treasurer", "/reports/outstanding", "format=csv", False),  # names people: the chair's alone
    ("chair", "/reports/outstanding", "format=xlsx", True),
    ("treasurer", "/reports/aging", "format=csv", True),
    ("treasurer", "/reports/cashbook", "format=csv", True),
    ("treasurer", "/reports/donors", "format=csv", True),
    ("viewer", "/reports/visits", "format=xlsx", True),
]


@pytest.mark.parametrize("role, url, link, shown", EXPORT_LINKS)
def test_export_links_show_only_to_who_may_export(history, as_role, role, url, link, shown):
    assert (link in full_page(as_role(role).get(url))) == shown


@pytest.mark.parametrize(
    "url",
    [
        "/reports/aging?format=csv",
        "/reports/cashbook?format=csv",
        "/reports/donors",
        "/reports/visits?format=xlsx",
    ],
)
def test_reports_need_a_login(app, seed, url):
    response = app.test_client().get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_reports_index_links_the_reports_each_role_may_open(seed, as_role, today):
    chair_page = full_page(as_role("chair").get("/reports"))
    for url in ("/reports/aging", "/reports/donors", "/reports/visits"):
        assert f'href="{url}"' in chair_page
    treasurer_page = full_page(as_role("treasurer").get("/reports"))
    assert 'href="/reports/aging"' in treasurer_page and 'href="/reports/donors"' in treasurer_page
    assert 'href="/reports/visits"' not in treasurer_page  # they may not open it


def test_another_funds_chair_sees_none_of_it(loans, donors, visits, as_role):
    other = as_role("other_chair")
    assert screen_amount(full_page(other.get("/reports/aging")), "total", "outstanding") == 0
    donors_page = full_page(other.get("/reports/donors"))
    assert "Công ty TNHH Hồng Phát" not in donors_page
    assert "Doanh nghiệp Xa" in donors_page
    visits_page = full_page(other.get(f"/reports/visits{PERIOD}"))
    assert "Phạm Văn Bình" not in visits_page
    assert screen_amount(visits_page, "total", "visits_made") == 1


# ------------------------------------------------------------------ bad input


BAD_QUERIES = [
    "/reports/outstanding?as_of=2025-02-30",
    "/reports/outstanding?as_of=tomorrow",
    "/reports/outstanding?as_of=1800-01-01",
    "/reports/outstanding?as_of=99999-01-01",
    "/reports/aging?as_of=2025-02-30",
    "/reports/aging?as_of=tomorrow",
    "/reports/aging?as_of=1800-01-01",
    "/reports/aging?as_of=99999-01-01",
    "/reports/aging?as_of=%00",
    "/reports/cashbook?from=2025-12-01&to=2025-01-01",
    "/reports/cashbook?from=2025-13-01",
    "/reports/cashbook?to=2025-02-29",
    "/reports/cashbook?from=0001-01-01&to=0001-01-02",
    "/reports/cashbook?from=2025-01-01&to=%00",
    "/reports/donors?from=2025-12-01&to=2025-01-01",
    "/reports/donors?from=2025-13-01",
    "/reports/donors?to=2025-02-29",
    "/reports/donors?from=0001-01-01&to=0001-01-02",
    "/reports/visits?from=2025-12-01&to=2025-01-01",
    "/reports/visits?from=2025-13-01",
    "/reports/visits?to=2025-02-29",
    "/reports/visits?from=2025-01-01&to=%00",
    "/reports/visits?to=2040-01-01",
]


@pytest.mark.parametrize("url", BAD_QUERIES)
@pytest.mark.parametrize("export_format", ["", "&format=csv", "&format=xlsx"])
def test_bad_dates_are_refused_with_a_message(history, as_role, url, export_format):
    response = as_role("chair").client.get(url + export_format)
    assert response.status_code == 400
    page = full_page(response)
    if not export_format:
        assert 'class="field-error"' in page  # said next to the date field, the form kept
        assert "<table" not in page


@pytest.mark.parametrize(
    "url",
    ["/reports/outstanding", "/reports/aging", "/reports/cashbook", "/reports/donors", "/reports/visits"],
)
def test_an_unknown_export_format_is_refused(history, as_role, url):
    assert as_role("chair").client.get(f"{url}?format=pdf").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/reports/aging?as_of=",
        "/reports/aging?as_of=2028-12-01",
        "/reports/aging?as_of=15/12/2025",
        "/reports/donors?from=&to=",
        "/reports/donors?to=1950-01-01",
        "/reports/donors?from=2028-12-01",
        "/reports/visits?from=&to=",
        "/reports/visits?to=1950-01-01",
        "/reports/visits?from=2025-12-15&to=2025-12-15",
        "/reports/visits?from=2028-12-01",
    ],
)
def test_edge_dates_are_answered(loans, donors, visits, as_role, url):
    for role in ("chair", "viewer"):
        assert as_role(role).client.get(url).status_code == 200


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


# ------------------------------------------------------------------ exports and printing


def test_exported_text_cannot_become_a_formula(app, seed, money, as_role, today):
    formula = '=HYPERLINK("http://example.com","x")'
    with app.app_context():
        db.session.get(Person, money.person_id).set_name(formula)
        db.session.commit()
    donate(app, seed.fund_id, money.donor_id, 10 * MILLION, dt.date(2025, 2, 1))
    disbursed_loan(app, seed.fund_id, money.person_id, 5 * MILLION, dt.date(2025, 2, 2))
    chair = as_role("chair")
    table = read_table(chair.client.get("/reports/outstanding?format=xlsx"), sheets.OUTSTANDING)
    cell = table.cells[0]["person_name"]
    assert (cell.value, cell.data_type) == (formula, "s")
    rows = as_dicts(read_csv(chair.get("/reports/outstanding?format=csv")))
    assert rows[0]["person_name"] == "'" + formula


@pytest.mark.parametrize(
    "url",
    ["/reports/outstanding", "/reports/aging", "/reports/cashbook", "/reports/donors", "/reports/visits"],
)
def test_report_pages_are_ready_to_print(history, as_role, url):
    page = full_page(as_role("chair").get(url))
    assert "print.css" in page
    assert "Hồng Sơn, ngày 15 tháng 12 năm 2025" in page
    assert page.count('class="signatures report-signatures"') == 1
    assert 'class="card report-dates no-print"' in page


# ------------------------------------------------------------------ query counts


def test_outstanding_and_cashbook_query_counts_do_not_grow_with_the_rows(
    app, seed, money, as_role, today, count_queries
):
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


def test_aging_donors_and_visits_query_counts_do_not_grow_with_the_rows(
    app, seed, money, as_role, today, count_queries
):
    app.config["FIGURES_CACHE"] = "off"  # the queries that compute the figures, every time
    fund = seed.fund_id
    with app.app_context():
        anonymous = add_donor(fund, "Bà Ẩn Danh", kind="individual")
        db.session.get(Donor, anonymous).anonymous = True
        db.session.commit()

    def add(count: int) -> None:
        """count donations (one anonymous), loans (each partly repaid, the first written off), people
        and visits."""
        for index in range(count):
            donor = anonymous if index == 0 else money.donor_id
            donate(app, fund, donor, 20 * MILLION, dt.date(2025, 1, 2))
            loan = disbursed_loan(app, fund, money.person_id, 12 * MILLION, dt.date(2025, 2, 1), term=12)
            repay(app, loan, MILLION, dt.date(2025, 3, 1))
            if index == 0:
                with app.app_context():
                    journal.write_off(
                        db.session.get(Loan, loan), dt.date(2025, 4, 1), "Mất", user_id("chair")
                    )
                    db.session.commit()
        with app.app_context():
            mentor = new_member(fund, f"Thành Viên Số {count}")
            for index in range(count):
                person = new_person(fund, f"Người Số {count} {index}", mentor, dt.date(2025, 1, 1))
                visit(person, mentor, dt.date(2025, 8, 1 + index % 28), ("home", "phone")[index % 2])
            db.session.commit()

    def measure(user) -> dict[str, int]:
        urls = [
            "/reports/aging",
            "/reports/aging?format=csv",
            "/reports/aging?format=xlsx",
            "/reports/donors",
            "/reports/donors?format=csv",
            "/reports/visits",
            "/reports/visits?format=xlsx",
        ]
        return {url: count_queries(lambda url=url: user.client.get(url)) for url in urls}

    chair, treasurer, member = as_role("chair"), as_role("treasurer"), as_role("member")
    add(3)
    few = measure(chair)
    few_treasurer = count_queries(lambda: treasurer.get("/reports/donors"))
    few_member = count_queries(lambda: member.get("/reports/visits"))
    add(27)
    assert column_total(export(chair, "/reports/aging", "csv"), "loans") == 28  # 30, two written off
    assert len(export(chair, "/reports/donors", "csv")) == 2
    assert column_total(export(chair, "/reports/visits", "csv"), "visits_made") == 30
    assert measure(chair) == few
    assert count_queries(lambda: treasurer.get("/reports/donors")) == few_treasurer
    assert count_queries(lambda: member.get("/reports/visits")) == few_member
