"""Money that is not a loan: grants (/grants) and running costs (/expenses) proposed, decided by the
chair with a reason, paid by the treasurer with a phiếu chi, reversible; gifts in kind that never
touch the cash; referrals on a person's file."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.conftest import full_page
from tests.factories import add_person, donate, user_id
from tests.test_exports import csv_of
from tests.xlsx import read_table
from tracker import clock
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    DocumentCounter,
    Donation,
    GiftInKind,
    JournalLine,
    PeriodClose,
    Referral,
    Spending,
    SpendingFunding,
)
from tracker.money import balances, journal
from tracker.queries import letters, reports, review
from tracker.web import sheets

TODAY = clock.today()
DAY = TODAY - dt.timedelta(days=10)


def propose(browser, path="/grants", **change):
    data = {
        "kind": "tet_gift" if path == "/grants" else "meeting",
        "amount": "500.000",
        "purpose": "Quà Tết Bính Ngọ",
        "proposed_on": DAY.isoformat(),
        **change,
    }
    return browser.post(path, data)


def spending_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(Spending.id)))


def approved_grant(app, as_role, money, amount="500.000", path="/grants", on=DAY, **change):
    """A grant (or cost) proposed by the treasurer and approved by the chair on the day `on`;
    returns its id."""
    extra = {"person_id": money.person_id} if path == "/grants" else {"payee": "Quán nước chè Hương"}
    response = propose(
        as_role("treasurer"), path, amount=amount, proposed_on=on.isoformat(), **extra, **change
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    sid = spending_id(app)
    decided = as_role("chair").post(
        f"{path}/{sid}/decide",
        {
            "decision": "approve",
            "decided_on": on.isoformat(),
            "reason": "Họp Tổ ngày 05/12 thống nhất",
        },
    )
    assert decided.status_code == 303
    return sid


def cash(app, fund_id):
    with app.app_context():
        return balances.cash_balance(fund_id)


def test_a_grant_is_proposed_approved_and_paid_with_a_voucher(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 2_000_000, DAY - dt.timedelta(days=5))
    sid = approved_grant(app, as_role, money)
    treasurer = as_role("treasurer")
    paid = treasurer.post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat()})
    assert paid.status_code == 303 and paid.headers["Location"].endswith(f"/grants/{sid}/voucher")
    with app.app_context():
        spending = db.session.get(Spending, sid)
        assert (spending.status, spending.voucher_no) == ("paid", f"PC-{DAY.year}-0001")
        lines = {
            (line.account, line.amount)
            for line in db.session.scalars(sa.select(JournalLine).where(JournalLine.event == "grant"))
        }
        assert lines == {("grants_paid", 500_000), ("cash", -500_000)}
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        assert {"grant.propose", "grant.approve", "grant.pay"} <= actions
    assert cash(app, seed.fund_id) == 1_500_000
    voucher = full_page(treasurer.get(f"/grants/{sid}/voucher"))
    assert "C41-BB" in voucher and f"PC-{DAY.year}-0001" in voucher
    assert "Nguyễn Văn An" in voucher and "500.000" in voucher
    assert "Năm trăm nghìn đồng" in voucher


def test_grants_and_loans_share_one_series_of_vouchers(app, seed, money, as_role, active_loan):
    sid = approved_grant(app, as_role, money)
    as_role("treasurer").post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat()})
    with app.app_context():
        # the loan's phiếu chi was PC-2026-0001 (10/01/2026)
        assert db.session.get(Spending, sid).voucher_no == "PC-2026-0002"
        assert db.session.get(DocumentCounter, (seed.fund_id, "PC", 2026)).last == 2


def test_only_the_chair_decides_and_only_with_a_reason(app, seed, money, as_role):
    propose(as_role("treasurer"), person_id=money.person_id)
    sid = spending_id(app)
    decision = {"decision": "approve", "decided_on": DAY.isoformat(), "reason": "Đồng ý"}
    assert as_role("treasurer").post(f"/grants/{sid}/decide", decision).status_code == 403
    assert as_role("chair").post(f"/grants/{sid}/decide", {**decision, "reason": ""}).status_code == 422
    early = (DAY - dt.timedelta(days=1)).isoformat()
    refused = as_role("chair").post(f"/grants/{sid}/decide", {**decision, "decided_on": early})
    assert refused.status_code == 422 and "trước ngày đề xuất" in refused.get_data(as_text=True)
    # a proposal is never paid before it is decided
    assert as_role("treasurer").post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat()}).status_code == 422
    assert (
        as_role("chair").post(f"/grants/{sid}/decide", {**decision, "decision": "reject"}).status_code == 303
    )
    with app.app_context():
        assert db.session.get(Spending, sid).status == "rejected"
    # decided once
    assert as_role("chair").post(f"/grants/{sid}/decide", decision).status_code == 422


def test_a_grant_needs_a_person_and_a_purpose_that_names_nobody(app, seed, money, as_role):
    treasurer = as_role("treasurer")
    assert propose(treasurer).status_code == 422
    named = propose(treasurer, person_id=money.person_id, purpose="Quà cho Nguyễn Văn An")
    assert named.status_code == 422
    assert propose(treasurer, person_id=money.foreign_person_id).status_code == 422
    assert propose(treasurer, person_id=money.person_id, kind="meeting").status_code == 422
    assert as_role("member").post("/grants", {"person_id": money.person_id}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Spending.id))) == 0


def test_payment_never_takes_cash_below_zero(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 400_000, DAY - dt.timedelta(days=5))
    sid = approved_grant(app, as_role, money, amount="500.000")
    refused = as_role("treasurer").post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat()})
    assert refused.status_code == 422
    assert "400.000" in refused.get_data(as_text=True)
    assert cash(app, seed.fund_id) == 400_000


def test_payment_is_refused_in_a_closed_period(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 2_000_000, DAY - dt.timedelta(days=5))
    sid = approved_grant(app, as_role, money)
    with app.app_context():
        db.session.add(PeriodClose(fund_id=seed.fund_id, closed_through=DAY, closed_by_id=user_id("chair")))
        db.session.commit()
    refused = as_role("treasurer").post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat()})
    assert refused.status_code == 422 and "Sổ đã khóa" in refused.get_data(as_text=True)
    assert cash(app, seed.fund_id) == 2_000_000


def test_a_reversal_gives_the_money_back_to_the_donation_and_voids_the_voucher(app, seed, money, as_role):
    donation_id = donate(app, seed.fund_id, money.donor_id, 2_000_000, DAY - dt.timedelta(days=5))
    sid = approved_grant(app, as_role, money)
    treasurer = as_role("treasurer")
    treasurer.post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat()})
    with app.app_context():
        assert balances.donation_available(seed.fund_id)[donation_id] == 1_500_000
    assert treasurer.post(f"/grants/{sid}/reverse", {"reason": ""}).status_code == 422
    assert treasurer.post(f"/grants/{sid}/reverse", {"reason": "Ghi nhầm số tiền"}).status_code == 303
    assert treasurer.post(f"/grants/{sid}/reverse", {"reason": "Lần nữa"}).status_code == 422
    assert cash(app, seed.fund_id) == 2_000_000
    with app.app_context():
        assert balances.donation_available(seed.fund_id)[donation_id] == 2_000_000
        assert db.session.scalar(sa.select(SpendingFunding.void)) is True
    assert "ĐÃ HỦY" in full_page(treasurer.get(f"/grants/{sid}/voucher")).upper()


def test_a_donation_earmarked_for_the_person_pays_their_grant_first(app, seed, money, as_role):
    older = donate(app, seed.fund_id, money.donor_id, 2_000_000, DAY - dt.timedelta(days=9))
    with app.app_context():
        earmarked = journal.record_donation(
            Donation(
                fund_id=seed.fund_id,
                donor_id=money.donor_id,
                amount=300_000,
                received_on=DAY - dt.timedelta(days=8),
                method="cash",
                earmark_person_id=money.person_id,
            ),
            user_id("treasurer"),
        ).id
        db.session.commit()
    sid = approved_grant(app, as_role, money, amount="500.000")
    as_role("treasurer").post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat()})
    with app.app_context():
        funded = dict(
            db.session.execute(
                sa.select(SpendingFunding.donation_id, SpendingFunding.amount).where(
                    SpendingFunding.spending_id == sid
                )
            ).all()
        )
    assert funded == {earmarked: 300_000, older: 200_000}


def test_a_donation_that_paid_a_grant_cannot_be_reversed(app, seed, money, as_role):
    donation_id = donate(app, seed.fund_id, money.donor_id, 500_000, DAY - dt.timedelta(days=5))
    sid = approved_grant(app, as_role, money)
    as_role("treasurer").post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat()})
    refused = as_role("treasurer").post(f"/donations/{donation_id}/reverse", {"reason": "Nhầm"})
    assert refused.status_code == 422


def test_the_cash_book_says_grant_and_running_cost_without_a_name(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 2_000_000, DAY - dt.timedelta(days=5))
    grant = approved_grant(app, as_role, money)
    cost = approved_grant(app, as_role, money, amount="30.000", path="/expenses", kind="bank_fee")
    treasurer = as_role("treasurer")
    treasurer.post(f"/grants/{grant}/pay", {"paid_on": DAY.isoformat()})
    treasurer.post(f"/expenses/{cost}/pay", {"paid_on": DAY.isoformat()})
    treasurer.post(f"/expenses/{cost}/reverse", {"reason": "Ngân hàng hoàn phí"})
    page = full_page(treasurer.get(f"/reports/cashbook?from={DAY.year}-01-01&to={TODAY.isoformat()}"))
    assert "Chi hỗ trợ không hoàn lại: Quà Tết" in page
    assert "Chi hoạt động: Phí ngân hàng" in page
    assert "Nguyễn Văn An" not in page
    with app.app_context():
        rows = reports.cashbook(seed.fund_id, dt.date(DAY.year, 1, 1), TODAY)
    assert [row.kind for row in rows[1:-1]] == ["donation", "grant", "expense", "expense_reversal"]
    assert rows[-1].balance == 1_500_000


def test_an_expense_is_not_a_grant_under_the_other_address(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 2_000_000, DAY - dt.timedelta(days=5))
    cost = approved_grant(app, as_role, money, amount="30.000", path="/expenses", kind="bank_fee")
    assert as_role("chair").get(f"/grants/{cost}").status_code == 404
    page = full_page(as_role("viewer").get(f"/expenses/{cost}"))
    assert "Quán nước chè Hương" in page and "30.000" in page


def test_a_gift_in_kind_never_touches_the_cash(app, seed, money, as_role):
    chair = as_role("chair")
    gift = {
        "description": "50 kg gạo",
        "estimated_value": "750.000",
        "given_on": DAY.isoformat(),
        "donor_id": money.donor_id,
        "person_id": money.person_id,
    }
    assert chair.post("/gifts-in-kind", {**gift, "estimated_value": "0"}).status_code == 422
    assert chair.post("/gifts-in-kind", {**gift, "donor_id": 999999}).status_code == 422
    assert as_role("member").post("/gifts-in-kind", gift).status_code == 403
    assert chair.post("/gifts-in-kind", gift).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(GiftInKind.estimated_value)) == 750_000
        assert db.session.scalar(sa.select(sa.func.count(JournalLine.id))) == 0
    page = full_page(chair.get("/gifts-in-kind"))
    assert "50 kg gạo" in page and "750.000" in page and "không có trong sổ quỹ" in page


@pytest.mark.parametrize(
    ("username", "person", "status"),
    [("member", "person_id", 303), ("member", "other_person_id", 404), ("chair", "other_person_id", 303)],
)
def test_referrals_by_the_persons_member_or_the_chair(app, seed, money, as_role, username, person, status):
    pid = getattr(money, person)
    browser = as_role(username)
    data = {
        "kind": "social_policy_loan",
        "referred_to": "Ngân hàng Chính sách xã hội xã",
        "referred_on": DAY.isoformat(),
        "outcome": "pending",
    }
    assert browser.post(f"/people/{pid}/referrals", data).status_code == status
    if status == 303:
        page = full_page(browser.get(f"/people/{pid}"))
        assert "Vay vốn Ngân hàng Chính sách xã hội" in page
        with app.app_context():
            referral = db.session.scalar(sa.select(Referral))
        done = browser.post(f"/people/{pid}/referrals/{referral.id}", {"outcome": "succeeded"})
        assert done.status_code == 303
        with app.app_context():
            assert db.session.get(Referral, referral.id).outcome == "succeeded"


def test_the_treasurer_cannot_record_a_referral(app, seed, money, as_role):
    assert as_role("treasurer").post(f"/people/{money.person_id}/referrals", {}).status_code == 403


def paid_history(app, seed, money, as_role):
    """A donation of 2.000.000 ₫, a Tết gift of 500.000 ₫ and a bank fee of 30.000 ₫ paid, tea for a
    meeting of 45.000 ₫ paid and reversed, a gift in kind of 750.000 ₫ and a referral that worked."""
    donation_id = donate(app, seed.fund_id, money.donor_id, 2_000_000, DAY - dt.timedelta(days=5))
    treasurer = as_role("treasurer")
    grant = approved_grant(app, as_role, money)
    fee = approved_grant(app, as_role, money, amount="30.000", path="/expenses", kind="bank_fee")
    tea = approved_grant(app, as_role, money, amount="45.000", path="/expenses", kind="meeting")
    for path, sid in (("/grants", grant), ("/expenses", fee), ("/expenses", tea)):
        assert treasurer.post(f"{path}/{sid}/pay", {"paid_on": DAY.isoformat()}).status_code == 303
    assert treasurer.post(f"/expenses/{tea}/reverse", {"reason": "Quán trả lại tiền"}).status_code == 303
    chair = as_role("chair")
    gift = {"description": "50 kg gạo", "estimated_value": "750.000", "given_on": DAY.isoformat()}
    assert chair.post("/gifts-in-kind", {**gift, "donor_id": money.donor_id}).status_code == 303
    referral = {
        "kind": "job",
        "referred_to": "Xưởng mộc",
        "referred_on": DAY.isoformat(),
        "outcome": "succeeded",
    }
    assert chair.post(f"/people/{money.person_id}/referrals", referral).status_code == 303
    return donation_id


def test_the_review_counts_grants_costs_gifts_and_referrals(app, seed, money, as_role):
    paid_history(app, seed, money, as_role)
    with app.app_context():
        period = review.make_range(dt.date(DAY.year, 1, 1), TODAY)
        figures = review.review_figures(seed.fund_id, period, TODAY)
        rows = {(section, item): value for section, item, value in review.figure_rows(figures)}
    assert (figures.money.grants_count, figures.money.grants_amount) == (1, 500_000)
    assert figures.money.costs_by_kind == {
        "meeting": 0,
        "stationery": 0,
        "bank_fee": 30_000,
        "other_expense": 0,
    }
    assert (figures.help.gifts_count, figures.help.gifts_value) == (1, 750_000)
    assert (figures.help.referrals, figures.help.referrals_succeeded) == (1, 1)
    assert rows[("money", "cash_end")] == 2_000_000 - 500_000 - 30_000
    assert rows[("costs_by_kind", "bank_fee")] == 30_000
    page = full_page(as_role("chair").get(f"/reports/review?from={DAY.year}-01-01&to={TODAY.isoformat()}"))
    assert 'data-figure="money.grants_amount">500.000 ₫<' in page
    assert 'data-figure="costs_by_kind.bank_fee">30.000 ₫<' in page
    assert 'data-figure="help.gifts_value">750.000 ₫<' in page


def test_the_dashboard_shows_money_paid_out_this_year_by_kind(app, seed, money, as_role):
    paid_history(app, seed, money, as_role)
    page = full_page(as_role("chair").get("/"))
    out = page[page.index('id="money-out"') :]
    out = out[: out.index("</div>")]
    assert [re.sub(r"\s+", " ", m) for m in re.findall(r'<dd class="money">([^<]*)</dd>', out)] == [
        "0 ₫",
        "500.000 ₫",
        "30.000 ₫",
    ]


def test_the_donor_sees_what_their_money_paid_for_and_their_gifts_in_kind(app, seed, money, as_role):
    donation_id = paid_history(app, seed, money, as_role)
    page = full_page(as_role("chair").get(f"/donors/{money.donor_id}"))
    trail = page[page.index('class="spending-trail') :]
    assert "Quà Tết" in trail and "Phí ngân hàng" in trail
    assert "Chi phí họp" not in trail  # the tea was reversed: the money is the donation's again
    assert "Nguyễn Văn An" not in page
    assert "50 kg gạo" in page and "không có trong sổ quỹ" in page
    assert "Quà Tết" in full_page(as_role("treasurer").get(f"/donations/{donation_id}"))
    with app.app_context():
        letter = letters.donor_letter(seed.fund_id, money.donor_id, DAY.year)
    assert letter.spent == {"grant": 500_000, "expense": 30_000}


def test_the_public_sheet_has_grants_and_costs(app, seed, money, as_role):
    paid_history(app, seed, money, as_role)
    page = full_page(as_role("chair").get(f"/reports/public?period={DAY.year}"))
    shown = dict(re.findall(r'data-public="([^"]+)">([^<]*)<', page))
    assert (shown["grants"], shown["costs"], shown["money_out"]) == ("500.000 ₫", "30.000 ₫", "530.000 ₫")
    assert "Nguyễn Văn An" not in page


def test_the_cash_books_exports_carry_grants_and_costs(app, seed, money, as_role):
    paid_history(app, seed, money, as_role)
    chair = as_role("chair")
    query = f"from={DAY.year}-01-01&to={TODAY.isoformat()}"
    kinds = [row["kind"] for row in csv_of(chair.client.get(f"/reports/cashbook?{query}&format=csv"))]
    assert kinds == ["opening", "donation", "grant", "expense", "expense", "expense_reversal", "closing"]
    table = read_table(chair.client.get(f"/reports/cashbook?{query}&format=xlsx"), sheets.CASHBOOK)
    described = [row["description"] for row in table.rows]
    assert "Chi hỗ trợ không hoàn lại: Quà Tết" in described
    assert "Chi hoạt động: Phí ngân hàng" in described
    assert {"Chi hỗ trợ không hoàn lại", "Chi hoạt động"} <= {row["kind"] for row in table.rows}
    assert table.rows[-1]["balance"] == 2_000_000 - 500_000 - 30_000


def test_the_persons_export_holds_their_grants_gifts_and_referrals_and_erasure_blanks_them(
    app, seed, money, as_role
):
    paid_history(app, seed, money, as_role)
    chair = as_role("chair")
    with app.app_context():
        db.session.execute(sa.update(GiftInKind).values(person_id=money.person_id))
        db.session.commit()
    exported = chair.client.get(f"/people/{money.person_id}/export").get_json()
    assert [(g["kind"], g["amount"], g["voucher_no"]) for g in exported["grants"]] == [
        ("tet_gift", 500_000, f"PC-{DAY.year}-0001")
    ]
    assert [g["description"] for g in exported["gifts_in_kind"]] == ["50 kg gạo"]
    assert [(r["kind"], r["referred_to"]) for r in exported["referrals"]] == [("job", "Xưởng mộc")]
    page = full_page(chair.get(f"/people/{money.person_id}/export?format=html"))
    assert "Quà Tết" in page and "Xưởng mộc" in page
    erased = chair.post(
        f"/people/{money.person_id}/erase", {"confirm": "Nguyễn Văn An", "reason": "Theo đơn đề nghị"}
    )
    assert erased.status_code == 303
    with app.app_context():
        grant = db.session.scalar(sa.select(Spending).where(Spending.category == "grant"))
        # the money stays to the đồng; what it said about the family goes
        assert (grant.amount, grant.voucher_no, grant.purpose) == (500_000, f"PC-{DAY.year}-0001", "")
        assert db.session.scalar(sa.select(Referral.referred_to)) == ""
        assert db.session.scalar(sa.select(GiftInKind.description)) == ""
    assert cash(app, seed.fund_id) == 2_000_000 - 500_000 - 30_000


def test_a_payment_in_a_closed_period_cannot_be_reversed(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 2_000_000, DAY - dt.timedelta(days=5))
    sid = approved_grant(app, as_role, money)
    treasurer = as_role("treasurer")
    treasurer.post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat()})
    with app.app_context():
        db.session.add(PeriodClose(fund_id=seed.fund_id, closed_through=DAY, closed_by_id=user_id("chair")))
        db.session.commit()
    refused = treasurer.post(f"/grants/{sid}/reverse", {"reason": "Ghi nhầm"})
    assert refused.status_code == 422 and "Sổ đã khóa" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Spending, sid).reversal_id is None
    assert cash(app, seed.fund_id) == 1_500_000


def test_the_chair_may_propose_a_cost_and_decide_it(app, seed, money, as_role):
    chair = as_role("chair")
    proposed = propose(chair, "/expenses", payee="Nhà sách Hồng Sơn", kind="stationery", amount="80.000")
    assert proposed.status_code == 303
    sid = spending_id(app)
    decision = {"decision": "approve", "decided_on": DAY.isoformat(), "reason": "Cần sổ ghi chép"}
    assert chair.post(f"/expenses/{sid}/decide", decision).status_code == 303
    # the treasurer pays; the chair holds no money
    assert chair.post(f"/expenses/{sid}/pay", {"paid_on": DAY.isoformat()}).status_code == 403


def add_paid(app, seed, count: int) -> None:
    """`count` grants, each to a person of its own, as many running costs, paid, and as many gifts
    in kind."""
    with app.app_context():
        for n in range(count):
            person_id = add_person(seed.fund_id, f"Người Nhận Số {n}")
            for category in ("grant", "expense"):
                spending = Spending(
                    fund_id=seed.fund_id,
                    category=category,
                    kind="emergency" if category == "grant" else "stationery",
                    person_id=person_id if category == "grant" else None,
                    payee="" if category == "grant" else f"Cửa hàng số {n}",
                    purpose="Hỗ trợ",
                    amount=10_000,
                    proposed_on=DAY,
                )
                db.session.add(spending)
                db.session.flush()
                journal.decide_spending(spending, True, DAY, "Đồng ý", user_id("chair"))
                journal.pay_spending(spending, DAY, user_id("treasurer"))
            db.session.add(
                GiftInKind(
                    fund_id=seed.fund_id,
                    person_id=person_id,
                    description=f"Gạo {n}",
                    estimated_value=1,
                    given_on=DAY,
                )
            )
        db.session.commit()


def test_the_pages_cost_the_same_whatever_the_number_of_grants(app, seed, money, as_role, count_queries):
    donation_id = donate(app, seed.fund_id, money.donor_id, 10_000_000, DAY - dt.timedelta(days=30))
    browsers = {role: as_role(role) for role in ("chair", "treasurer")}
    pages = [
        ("treasurer", "/grants"),
        ("treasurer", "/expenses"),
        ("chair", "/gifts-in-kind"),
        ("chair", f"/donors/{money.donor_id}"),
        ("chair", f"/donations/{donation_id}"),
        ("chair", f"/people/{money.person_id}"),
        ("chair", "/"),
        ("chair", f"/reports/review?period={DAY.year}"),
    ]

    def counts():
        return {url: count_queries(lambda r=role, u=url: browsers[r].client.get(u)) for role, url in pages}

    add_paid(app, seed, 2)
    small = counts()
    add_paid(app, seed, 12)
    large = counts()
    assert {url: (small[url], large[url]) for url in small if small[url] != large[url]} == {}


def test_a_grant_is_paid_from_the_account_the_treasurer_chooses(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 2_000_000, DAY - dt.timedelta(days=5), account="bank")
    sid = approved_grant(app, as_role, money)
    treasurer = as_role("treasurer")
    refused = treasurer.post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat(), "account": "cash"})
    assert refused.status_code == 422
    assert "Tiền mặt tồn quỹ chỉ còn 0 ₫, không đủ để chi 500.000 ₫." in full_page(refused)
    paid = treasurer.post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat(), "account": "bank"})
    assert paid.status_code == 303
    with app.app_context():
        lines = {
            (line.account, line.amount)
            for line in db.session.scalars(sa.select(JournalLine).where(JournalLine.event == "grant"))
        }
        assert lines == {("grants_paid", 500_000), ("bank", -500_000)}
        assert balances.cash_balance(seed.fund_id, None, balances.BANK) == 1_500_000
    voucher = full_page(treasurer.get(f"/grants/{sid}/voucher"))
    assert re.search(r"Có:?\s*(<[^>]+>\s*)*112", voucher), "the voucher credits the bank (112)"
    review_page = full_page(
        as_role("chair").get(f"/reports/review?from={DAY.year}-01-01&to={DAY.isoformat()}")
    )
    assert "500.000 ₫" in review_page  # counted from the account it was spent on, whichever paid


def test_the_donors_letter_says_what_their_gift_paid_besides_loans(app, seed, money, as_role):
    given_on = DAY - dt.timedelta(days=5)
    donate(app, seed.fund_id, money.donor_id, 2_000_000, given_on)
    grant = approved_grant(app, as_role, money, amount="1.500.000")
    cost = approved_grant(app, as_role, money, amount="200.000", path="/expenses")
    treasurer = as_role("treasurer")
    for path, sid in (("/grants", grant), ("/expenses", cost)):
        assert treasurer.post(f"{path}/{sid}/pay", {"paid_on": DAY.isoformat()}).status_code == 303
    letter = full_page(
        as_role("chair").get(f"/reports/donor-letter?donor_id={money.donor_id}&year={given_on.year}")
    )
    assert "Trong số tiền này, 1,5 triệu đồng đã được dùng để hỗ trợ không hoàn lại" in letter
    assert "Quỹ cũng đã dùng 200 nghìn đồng trong số đó cho chi hoạt động của Tổ." in letter
    assert "Nguyễn Văn An" not in letter  # a grant's letter names nobody who did not agree to it


def test_the_persons_file_lists_the_grants_they_received(app, seed, money, as_role):
    donate(app, seed.fund_id, money.donor_id, 2_000_000, DAY - dt.timedelta(days=5))
    sid = approved_grant(app, as_role, money, amount="700.000")
    assert as_role("treasurer").post(f"/grants/{sid}/pay", {"paid_on": DAY.isoformat()}).status_code == 303
    page = full_page(as_role("chair").get(f"/people/{money.person_id}"))
    grants = page[page.index('id="grants"') :]
    grants = grants[: grants.index("</section>")]
    assert "Quà Tết" in grants and "700.000 ₫" in grants and "Đã chi" in grants
    assert f'href="/grants/{sid}"' in grants
    member_view = full_page(as_role("member").get(f"/people/{money.person_id}"))
    assert 'id="grants"' in member_view and f'href="/grants/{sid}"' not in member_view  # no money pages
    other = full_page(as_role("chair").get(f"/people/{money.other_person_id}"))
    assert 'id="grants"' not in other
