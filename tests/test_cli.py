"""flask --app app demo | create-fund | create-user."""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import Browser
from tracker import accounts, clock
from tracker.extensions import db
from tracker.models import AuditEvent, Donation, Fund, Membership, User
from tracker.money import balances


def test_demo_loads_once(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0 and "Hồng Sơn" in again.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Fund)) == 1
        roles = dict(db.session.execute(sa.select(User.username, Membership.role).join(Membership)).all())
    assert roles == {
        "chair": "chair",
        "treasurer": "treasurer",
        "member": "member",
        "viewer": "viewer",
    }
    for username in roles:
        assert Browser(app.test_client()).login(username, "hongson-demo").status_code == 302


def test_create_fund_prints_its_id_last(app, runner):
    result = runner.invoke(args=["create-fund", "Quỹ xã Mới", "--commune", "xã Mới", "--province", "Huế"])
    assert result.exit_code == 0
    fund_id = int(result.output.strip().splitlines()[-1])
    with app.app_context():
        fund = db.session.get(Fund, fund_id)
        assert (fund.name, fund.commune, fund.province) == ("Quỹ xã Mới", "xã Mới", "Huế")
    duplicate = runner.invoke(args=["create-fund", "Quỹ xã Mới", "--commune", "xã Mới", "--province", "Huế"])
    assert duplicate.exit_code != 0


def test_create_user_with_and_without_password_option(app, runner):
    fund_id = int(runner.invoke(args=["create-fund", "Quỹ A"]).output.strip().splitlines()[-1])
    given = runner.invoke(
        args=[
            "create-user",
            "lan",
            "--fund",
            fund_id,
            "--role",
            "treasurer",
            "--password",
            "mat-khau-1",
        ]
    )
    assert given.exit_code == 0, given.output
    prompted = runner.invoke(
        args=["create-user", "hoa", "--fund", fund_id, "--role", "member"],
        input="mat-khau-2\nmat-khau-2\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert Browser(app.test_client()).login("lan", "mat-khau-1").status_code == 302
    assert Browser(app.test_client()).login("hoa", "mat-khau-2").status_code == 302


def test_create_user_refusals(runner):
    fund_id = int(runner.invoke(args=["create-fund", "Quỹ B"]).output.strip().splitlines()[-1])
    cases = [
        ["create-user", "x1", "--fund", "999", "--role", "member", "--password", "mat-khau-1"],
        ["create-user", "x1", "--fund", fund_id, "--role", "boss", "--password", "mat-khau-1"],
        ["create-user", "x1", "--fund", fund_id, "--role", "member", "--password", "short"],
        [
            "create-user",
            "có dấu",
            "--fund",
            fund_id,
            "--role",
            "member",
            "--password",
            "mat-khau-1",
        ],
    ]
    for args in cases:
        assert runner.invoke(args=[str(a) for a in args]).exit_code != 0, args


def test_demo_tells_the_hong_son_money_story(app, runner):

    from tracker.models import Donation, Loan, ScheduleChange
    from tracker.money import schedules

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        donated = db.session.scalar(sa.select(sa.func.sum(Donation.amount)))
        assert 50_000_000 < donated < 60_000_000
        loans = db.session.scalars(sa.select(Loan).order_by(Loan.id)).all()
        statuses = sorted(loan.status for loan in loans)
        assert statuses == ["active"] * 4 + ["repaid"] * 2 + ["written_off"]
        arrears = {i: p.arrears for i, p in balances.positions_of(loans, clock.today()).items()}
        days = sorted(arrears[loan.id].days_overdue for loan in loans if loan.status == "active")
        assert days[-2] <= 30 < days[-1]  # one in arrears; the others on time, one rescheduled, one paused
        assert all(loan.guarantor_name and loan.hamlet_head_name for loan in loans)
        changes = db.session.scalars(sa.select(ScheduleChange.kind).order_by(ScheduleChange.id)).all()
        assert changes == ["reschedule", "pause"]
        assert schedules.paused_on([loan.id for loan in loans], clock.today())
        by_loan = balances.loan_balances([loan.id for loan in loans])
        outstanding = sum(b.outstanding for b in by_loan.values())
        lost = sum(b.written_off - b.recovered for b in by_loan.values())
        assert sum(b.recovered for b in by_loan.values()) > 0  # the family repaid after the write-off
        # grants and running costs paid (a Tết gift, a meeting's tea, a bank fee)
        spent = balances.money_out(loans[0].fund_id, dt.date(2000, 1, 1), clock.today())
        assert (spent["grant"], spent["expense"]) == (500_000, 161_000)
        assert balances.cash_balance(loans[0].fund_id) + outstanding + lost + 661_000 == donated


def test_demo_has_money_that_is_not_a_loan_and_help_that_is_not_money(app, runner):
    from tracker.models import GiftInKind, JournalLine, Referral, Spending

    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        paid = db.session.execute(
            sa.select(Spending.category, Spending.kind, Spending.voucher_no).order_by(Spending.paid_on)
        ).all()
        assert [(category, kind) for category, kind, _no in paid] == [
            ("grant", "tet_gift"),
            ("expense", "bank_fee"),
            ("expense", "meeting"),
        ]
        assert all(no.startswith("PC-") for *_rest, no in paid)
        assert db.session.scalar(sa.select(GiftInKind.estimated_value)) == 900_000
        assert sorted(db.session.scalars(sa.select(Referral.kind))) == [
            "identity_papers",
            "vocational_training",
        ]
        assert (
            db.session.scalar(sa.select(sa.func.count(JournalLine.id)).where(JournalLine.event == "grant"))
            == 2
        )


def test_demo_people_and_visits(app, runner):
    import datetime as dt

    from tracker import casework
    from tracker.models import CommitteeMember, Person, Visit

    assert runner.invoke(args=["demo"]).exit_code == 0
    today = clock.today()
    with app.app_context():
        people = db.session.scalars(sa.select(Person)).all()
        member_cm = db.session.scalar(
            sa.select(CommitteeMember.id)
            .join(User, User.id == CommitteeMember.user_id)
            .where(User.username == "member")
        )
        mine = [p for p in people if p.mentor_id == member_cm]
        assert 0 < len(mine) < len(people)
        assert len({p.mentor_id for p in people}) >= 5
        queue = db.session.scalars(casework.queue_query(people[0].fund_id, today)).all()
        assert any(p.next_visit_on < today for p in queue)  # overdue
        assert any(today <= p.next_visit_on <= today + dt.timedelta(days=7) for p in queue)  # due this week
        mine_in_queue = [p for p in queue if p.mentor_id == member_cm]
        assert any(p.next_visit_on < today for p in mine_in_queue)
        oldest = db.session.scalar(sa.select(sa.func.min(Visit.visited_on)))
        assert oldest <= today - dt.timedelta(days=300)  # about a year of visits
        assert {p.status for p in people} >= {"supported", "settled", "moved"}


def test_set_password_for_a_login_of_two_funds(app, runner, seed):
    """A login with a role in two funds: no chair may reset it from the web, the command line can;
    its open sessions end, and both funds' logs record it."""
    with app.app_context():
        user = accounts.create_user("chung", "mat-khau-cu", seed.fund_id, "viewer")
        db.session.add(Membership(user_id=user.id, fund_id=seed.other_fund_id, role="viewer"))
        db.session.commit()
    before = Browser(app.test_client())
    assert before.login("chung", "mat-khau-cu").status_code == 302
    assert before.get("/").status_code == 200

    result = runner.invoke(args=["set-password", "chung"], input="mat-khau-moi\nmat-khau-moi\n")
    assert result.exit_code == 0, result.output
    assert before.get("/").status_code == 302  # the open session is over
    assert Browser(app.test_client()).login("chung", "mat-khau-cu").status_code != 302
    assert Browser(app.test_client()).login("chung", "mat-khau-moi").status_code == 302
    with app.app_context():
        logged = db.session.scalars(
            sa.select(AuditEvent.fund_id).where(AuditEvent.action == "user.password")
        ).all()
    assert sorted(logged) == sorted([seed.fund_id, seed.other_fund_id])


def test_set_password_refusals(runner, seed):
    unknown = runner.invoke(args=["set-password", "khong-co", "--password", "mat-khau-moi"])
    assert unknown.exit_code != 0 and "no login 'khong-co'" in unknown.output
    short = runner.invoke(args=["set-password", "chair", "--password", "ngan"])
    assert short.exit_code != 0 and "at least 8 characters" in short.output


@pytest.mark.parametrize("today", [clock.today(), dt.date(2027, 1, 10), dt.date(2028, 7, 1)])
def test_the_demo_fills_every_chart_and_last_years_review_whatever_the_day(app, runner, monkeypatch, today):
    """Loaded on any day, the demo has two years behind it: money in and out within the last twelve
    months (the charts), and last year's review with money raised and lent, a change of status and
    about as many visits made as were due (not a team that looks as if it stopped visiting)."""
    from tracker import clock
    from tracker.models import Fund
    from tracker.queries import dashboard, review

    monkeypatch.setattr(clock, "today", lambda: today)
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        fund_id = db.session.scalar(sa.select(Fund.id))
        _labels, money_in, money_out = dashboard.flows_by_month(fund_id, today)
        assert sum(1 for amount in money_in if amount) >= 6 and sum(money_out) > 0
        assert sum(dashboard.visits_by_month(fund_id, today)[1]) >= 30
        last_year = review.review_figures(fund_id, review.make_period(today.year - 1, None), today)
        assert last_year.money.raised > 0 and last_year.money.lent_count > 0
        assert last_year.money.recovered > 0
        assert sum(last_year.people.changes.values()) > 0 or last_year.people.new > 0
        assert last_year.visits.made >= 0.75 * last_year.visits.due > 0
        assert max(d for d in db.session.scalars(sa.select(Donation.received_on))) <= today


def test_a_fund_and_a_regional_login_name_one_of_the_34_provinces(app, runner):
    """Typed without accents or with 'tỉnh' in front, a province is found; a typo is refused, not
    made a 35th province that no regional login would see."""
    created = runner.invoke(
        args=["create-fund", "Quỹ xã Đạ Lây", "--commune", "xã Đạ Lây", "--province", "lam dong"]
    )
    assert created.exit_code == 0, created.output
    with app.app_context():
        assert db.session.scalar(sa.select(Fund.province)) == "Lâm Đồng"
    typo = runner.invoke(args=["create-fund", "Quỹ xã B", "--commune", "xã B", "--province", "Lâm Đông Nam"])
    assert typo.exit_code != 0 and "not one of the 34 provinces" in typo.output
    regional = runner.invoke(
        args=[
            "create-user",
            "tinh_ld",
            "--role",
            "regional",
            "--province",
            "Tỉnh Lâm Đồng",
            "--password",
            "mat-khau-tinh-1",
        ]
    )
    assert regional.exit_code == 0, regional.output
    refused = runner.invoke(
        args=[
            "create-user",
            "tinh_x",
            "--role",
            "regional",
            "--province",
            "Lâm Đồngg",
            "--password",
            "mat-khau-tinh-1",
        ]
    )
    assert refused.exit_code != 0 and "not one of the 34 provinces" in refused.output
    with app.app_context():
        from tracker.models import RegionalAccess

        assert db.session.scalars(sa.select(RegionalAccess.province)).all() == ["Lâm Đồng"]
