"""Real concurrency against a running server: the money lock holds (DESIGN §4.4).

Runs on SQLite (BEGIN IMMEDIATE) and, with TEST_DATABASE_URL, on PostgreSQL (SELECT ... FOR UPDATE).
"""

import datetime as dt
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import flask
import pytest
import requests
import sqlalchemy as sa

from tests.conftest import PASSWORD, serving
from tests.factories import approved_loan, disbursed_loan, donate, requested_loan
from tracker import accounts, clock
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Installment,
    JournalTransaction,
    Loan,
    LoginAttempt,
    Repayment,
    ScheduleChange,
)
from tracker.money import balances


@pytest.fixture
def server(app, seed):
    with serving(app) as base_url:
        yield base_url


@pytest.fixture
def logged_in():
    """Log a user in over HTTP: `logged_in(base, username)` -> (session, CSRF token); closed after."""
    sessions = []

    def log_in(base: str, username: str) -> tuple[requests.Session, str]:
        session = requests.Session()
        sessions.append(session)
        page = session.get(f"{base}/login").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        response = session.post(
            f"{base}/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
        )
        assert response.status_code == 302
        page = session.get(f"{base}/").text
        return session, re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    yield log_in
    for session in sessions:
        session.close()


def post_repayment(session: requests.Session, base: str, loan_id: int, token: str, amount: str):
    """Record a repayment of today in cash over HTTP, as the treasurer's form does."""
    return session.post(
        f"{base}/loans/{loan_id}/repayments",
        data={
            "amount": amount,
            "paid_on": clock.today().isoformat(),
            "method": "cash",
            "csrf_token": token,
        },
        allow_redirects=False,
        timeout=60,
    )


def all_at_once(count: int, call):
    """Run `call(i)` in `count` threads released together; return the responses."""
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_fifty_simultaneous_repayments_accept_exactly_the_outstanding(app, money, seed, server, logged_in):
    donate(app, seed.fund_id, money.donor_id, 10_000_000, dt.date(2026, 1, 2))
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, 3_000_000, dt.date(2026, 1, 10), term=3)
    session, token = logged_in(server, "treasurer")

    def pay(_):
        return post_repayment(session, server, loan_id, token, "1.000.000")

    responses = all_at_once(50, pay)
    statuses = [r.status_code for r in responses]
    assert statuses.count(303) == 3, statuses
    assert statuses.count(422) == 47, statuses
    assert not any("locked" in r.text for r in responses)
    with app.app_context():
        loan = db.session.get(Loan, loan_id)
        balance = balances.loan_balance(loan)
        assert (balance.repaid, balance.outstanding, loan.status) == (3_000_000, 0, "repaid")
        receipts = db.session.scalars(sa.select(Repayment.receipt_no).order_by(Repayment.receipt_no)).all()
        assert receipts == ["PT-2026-0002", "PT-2026-0003", "PT-2026-0004"] or len(set(receipts)) == 3


def test_five_simultaneous_disbursements_let_exactly_one_through(app, money, seed, server, logged_in):
    donate(app, seed.fund_id, money.donor_id, 40_000_000, dt.date(2026, 1, 2))
    loans = [
        approved_loan(app, seed.fund_id, money.person_id, 30_000_000, on=dt.date(2026, 1, 3))
        for _ in range(5)
    ]
    session, token = logged_in(server, "treasurer")

    def disburse(i):
        return session.post(
            f"{server}/loans/{loans[i]}/disburse",
            data={"disbursed_on": "2026-01-05", "csrf_token": token},
            allow_redirects=False,
            timeout=60,
        )

    statuses = [r.status_code for r in all_at_once(5, disburse)]
    assert sorted(statuses) == [303, 422, 422, 422, 422], statuses
    with app.app_context():
        assert balances.cash_balance(seed.fund_id) == 10_000_000
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(Loan).where(Loan.status == "active"))
            == 1
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Installment)) == 10  # term 10
        vouchers = db.session.scalars(
            sa.select(JournalTransaction.document_no).where(JournalTransaction.event == "disbursement")
        ).all()
        assert vouchers == ["PC-2026-0001"]


def test_simultaneous_donations_get_distinct_gapless_receipts(app, money, seed, server, logged_in):
    session, token = logged_in(server, "treasurer")

    def give(i):
        return session.post(
            f"{server}/donations",
            data={
                "donor_id": money.donor_id,
                "amount": "100.000",
                "received_on": "2026-02-01",
                "method": "cash",
                "note": f"lần {i}",
                "earmark_person_id": "0",
                "csrf_token": token,
            },
            allow_redirects=False,
            timeout=60,
        )

    statuses = [r.status_code for r in all_at_once(20, give)]
    assert statuses.count(303) == 20, statuses
    with app.app_context():
        numbers = sorted(
            db.session.scalars(
                sa.select(JournalTransaction.document_no).where(JournalTransaction.event == "donation")
            ).all()
        )
    assert numbers == [f"PT-2026-{n:04d}" for n in range(1, 21)]


def test_opening_files_while_others_write_never_locks(app, money, seed, server, logged_in):
    """Opening a person's file writes the access log on a GET: under concurrent writes it must take
    the lock first (on SQLite, a deferred transaction that later writes fails with 'database is locked')."""
    donate(app, seed.fund_id, money.donor_id, 10_000_000, dt.date(2026, 1, 2))
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, 9_000_000, dt.date(2026, 1, 10), term=9)
    chair, _ = logged_in(server, "chair")
    treasurer, token = logged_in(server, "treasurer")

    def work(i):
        if i % 3:
            return chair.get(f"{server}/people/{money.person_id}", timeout=60)
        return post_repayment(treasurer, server, loan_id, token, "1.000")

    for _ in range(3):
        statuses = [r.status_code for r in all_at_once(30, work)]
        assert all(status < 500 for status in statuses), statuses


def test_money_and_casework_in_one_fund_at_once_never_deadlock_nor_go_stale(
    app, money, seed, server, logged_in
):
    """Repayments (which lock the fund first), visits (which write the person) and dashboards (which
    keep their figures per fund revision) at the same time: every commit then writes the fund's
    revision last, so none waits for another in a cycle (PostgreSQL would abort one as a deadlock),
    and in the suite's "verify" mode a dashboard that served stale figures would fail with a 500."""
    donate(app, seed.fund_id, money.donor_id, 10_000_000, dt.date(2026, 1, 2))
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, 9_000_000, dt.date(2026, 1, 10), term=9)
    chair, chair_token = logged_in(server, "chair")
    treasurer, token = logged_in(server, "treasurer")

    def work(i):
        if i % 3 == 0:
            return post_repayment(treasurer, server, loan_id, token, "1.000")
        if i % 3 == 1:
            return chair.post(
                f"{server}/visits",
                data={"person_id": money.person_id, "summary": f"Lần {i}", "csrf_token": chair_token},
                allow_redirects=False,
                timeout=60,
            )
        return chair.get(f"{server}/", timeout=60)

    for _ in range(3):
        statuses = [r.status_code for r in all_at_once(24, work)]
        assert all(status < 500 for status in statuses), statuses
        assert statuses.count(303) == 16, statuses  # every repayment and every visit recorded
    with app.app_context():
        repaid = db.session.scalar(
            sa.select(sa.func.count()).select_from(Repayment).where(Repayment.loan_id == loan_id)
        )
    assert repaid == 24
    page = chair.get(f"{server}/", timeout=60).text
    cash = re.search(r'id="figure-cash".*?class="figure-value[^"]*">([^<]*)<', page, re.S).group(1)
    assert cash.strip() == "1.024.000 ₫"  # 10.000.000 − 9.000.000 + 24 × 1.000


def test_thirty_simultaneous_wrong_passwords_get_no_more_tries_than_the_limit(app, seed, server):
    """A burst of guesses at once (several workers answering) must not slip past the throttle: each
    attempt is counted after those before it. 30 guesses, limit 10: 10 wrong-password answers, 20
    refusals, 10 failures on record; then even the right password waits."""
    sessions = [requests.Session() for _ in range(30)]
    try:
        tokens = [
            re.search(r'name="csrf-token" content="([^"]+)"', s.get(f"{server}/login").text).group(1)
            for s in sessions
        ]
        answers = all_at_once(
            30,
            lambda i: sessions[i].post(
                f"{server}/login",
                data={"username": "chair", "password": f"guess-{i}", "csrf_token": tokens[i]},
                allow_redirects=False,
                timeout=60,
            ),
        )
        codes = sorted(answer.status_code for answer in answers)
        assert codes == [401] * 10 + [429] * 20
        right = sessions[0].post(
            f"{server}/login",
            data={"username": "chair", "password": PASSWORD, "csrf_token": tokens[0]},
            allow_redirects=False,
            timeout=60,
        )
        assert right.status_code == 429
    finally:
        for s in sessions:
            s.close()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 10


# ------------------------------------------------------------------ a loan's decisions (DESIGN §4.11)

APPROVAL = {"minutes_ref": "BB họp Tổ số 03/2026", "decided_on": "2026-01-10"}


def decisions_of(app, loan_id: int) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_type == "Loan", AuditEvent.object_id == loan_id)
            .where(AuditEvent.action.in_(("loan.approve", "loan.reject", "loan.disburse")))
            .order_by(AuditEvent.id)
        ).all()


def vouchers(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            sa.select(JournalTransaction.document_no).where(JournalTransaction.event == "disbursement")
        ).all()


def test_simultaneous_approvals_and_rejections_of_one_application_take_one_decision(
    app, money, seed, server, logged_in
):
    """Before a decision read the loan again under the fund's lock, decisions that read "requested"
    together all wrote (on PostgreSQL, 11 of 12 in the attack)."""
    loan_id = requested_loan(app, seed.fund_id, money.person_id, 5_000_000, on=dt.date(2026, 1, 5))
    chair, token = logged_in(server, "chair")
    # Every approval checks the password, a hash between reading the loan and deciding, as an
    # approval does in production when the password was typed over 15 minutes ago.
    app.config["REAUTH_MINUTES"] = 0

    def decide(i):
        if i % 2:
            return chair.post(
                f"{server}/loans/{loan_id}/approve",
                data={**APPROVAL, "password": PASSWORD, "csrf_token": token},
                allow_redirects=False,
                timeout=60,
            )
        return chair.post(
            f"{server}/loans/{loan_id}/reject",
            data={"reason": f"Lần {i}", "csrf_token": token},
            allow_redirects=False,
            timeout=60,
        )

    statuses = sorted(r.status_code for r in all_at_once(12, decide))
    assert statuses == [303] + [422] * 11, statuses
    decided = decisions_of(app, loan_id)
    assert len(decided) == 1, decided
    with app.app_context():
        status = db.session.get(Loan, loan_id).status
    assert status == {"loan.approve": "approved", "loan.reject": "rejected"}[decided[0]]


def test_an_approval_held_up_by_its_password_check_cannot_undo_a_disbursement(
    app, money, seed, server, logged_in, monkeypatch
):
    """The attack that paid a loan out twice: an approval reads the application, then checks the
    password (a slow hash); meanwhile another approval lands and the treasurer pays the loan out.
    The held-up approval must be refused, not put the loan back to "approved" for a second phiếu
    chi."""
    donate(app, seed.fund_id, money.donor_id, 20_000_000, dt.date(2026, 1, 2))
    loan_id = requested_loan(app, seed.fund_id, money.person_id, 5_000_000, on=dt.date(2026, 1, 5))
    app.config["REAUTH_MINUTES"] = 0  # every decision asks for the password
    hashing, go_on = threading.Event(), threading.Event()
    password_matches = accounts.password_matches

    def slow_check(stored_hash, password):
        # the first approval's check waits until the loan is paid out
        if flask.request.path.endswith("/approve") and not hashing.is_set():
            hashing.set()
            assert go_on.wait(30)
        return password_matches(stored_hash, password)

    monkeypatch.setattr(accounts, "password_matches", slow_check)
    chair, chair_token = logged_in(server, "chair")
    treasurer, treasurer_token = logged_in(server, "treasurer")

    def approve():
        return chair.post(
            f"{server}/loans/{loan_id}/approve",
            data={**APPROVAL, "password": PASSWORD, "csrf_token": chair_token},
            allow_redirects=False,
            timeout=60,
        )

    with ThreadPoolExecutor(max_workers=1) as pool:
        held_up = pool.submit(approve)
        assert hashing.wait(30)
        assert approve().status_code == 303
        paid = treasurer.post(
            f"{server}/loans/{loan_id}/disburse",
            data={"disbursed_on": "2026-01-15", "password": PASSWORD, "csrf_token": treasurer_token},
            allow_redirects=False,
            timeout=60,
        )
        assert paid.status_code == 303
        go_on.set()
        late = held_up.result()
    assert late.status_code == 422
    assert "Chỉ duyệt được đơn đang chờ duyệt" in late.text, late.text
    again = treasurer.post(
        f"{server}/loans/{loan_id}/disburse",
        data={"disbursed_on": "2026-01-16", "password": PASSWORD, "csrf_token": treasurer_token},
        allow_redirects=False,
        timeout=60,
    )
    assert again.status_code == 422
    assert vouchers(app) == ["PC-2026-0001"]
    assert decisions_of(app, loan_id) == ["loan.approve", "loan.disburse"]
    with app.app_context():
        loan = db.session.get(Loan, loan_id)
        assert (loan.status, balances.loan_balance(loan).outstanding) == ("active", 5_000_000)


def test_simultaneous_disbursements_of_one_loan_pay_it_out_once(app, money, seed, server, logged_in):
    donate(app, seed.fund_id, money.donor_id, 100_000_000, dt.date(2026, 1, 2))
    loan_id = approved_loan(app, seed.fund_id, money.person_id, 5_000_000, on=dt.date(2026, 1, 3))
    treasurer, token = logged_in(server, "treasurer")

    def disburse(_):
        return treasurer.post(
            f"{server}/loans/{loan_id}/disburse",
            data={"disbursed_on": "2026-01-05", "csrf_token": token},
            allow_redirects=False,
            timeout=60,
        )

    statuses = sorted(r.status_code for r in all_at_once(10, disburse))
    assert statuses == [303] + [422] * 9, statuses
    assert vouchers(app) == ["PC-2026-0001"]
    with app.app_context():
        assert balances.cash_balance(seed.fund_id) == 95_000_000


# ------------------------------------------------------------------ waiting for the database


def test_a_login_being_checked_holds_nobody_up(app, money, seed, server, logged_in, monkeypatch):
    """A login's password hash (50–100 ms in production) ran while the request held SQLite's write
    lock: 12 failed logins held a donation up for 2.2 s. The hash now runs with no transaction
    open: a donation goes through while a login is still being checked."""
    treasurer, token = logged_in(server, "treasurer")
    hashing, go_on = threading.Event(), threading.Event()
    password_matches = accounts.password_matches

    def held_up(stored_hash, password):
        if flask.request.path == "/login" and not hashing.is_set():
            hashing.set()
            assert go_on.wait(30)
        return password_matches(stored_hash, password)

    monkeypatch.setattr(accounts, "password_matches", held_up)
    stranger = requests.Session()
    login_token = re.search(r'name="csrf-token" content="([^"]+)"', stranger.get(f"{server}/login").text)

    def log_in():
        return stranger.post(
            f"{server}/login",
            data={"username": "chair", "password": "guess-1", "csrf_token": login_token.group(1)},
            allow_redirects=False,
            timeout=60,
        )

    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            login = pool.submit(log_in)
            assert hashing.wait(30)
            given = treasurer.post(
                f"{server}/donations",
                data={
                    "donor_id": money.donor_id,
                    "amount": "100.000",
                    "received_on": "2026-02-01",
                    "method": "cash",
                    "earmark_person_id": "0",
                    "csrf_token": token,
                },
                allow_redirects=False,
                timeout=5,
            )
            go_on.set()
            assert login.result().status_code == 401
    finally:
        go_on.set()
        stranger.close()
    assert given.status_code == 303


def test_a_request_that_waits_too_long_for_the_database_says_so(database_uri, seed, money, tmp_path):
    """A write that cannot get the database within DATABASE_WAIT_SECONDS (another writer holds it)
    answers 503 "busy, try again", well before gunicorn's 30-second worker timeout would kill the
    worker (the wait was 30 s, the same as that timeout: a WORKER TIMEOUT and a bare 500)."""
    from tests.conftest import Browser, base_config
    from tracker import create_app, database
    from tracker.models import Donation, Fund

    app = create_app({**base_config(database_uri), "DATABASE_WAIT_SECONDS": 0.5})
    app.instance_path = str(tmp_path)
    treasurer = Browser(app.test_client())
    treasurer.login("treasurer")
    holding, done = threading.Event(), threading.Event()

    def hold_the_fund():
        with app.app_context():
            db.session.connection(execution_options={"write_lock": True})
            db.session.execute(sa.select(Fund.id).where(Fund.id == seed.fund_id).with_for_update())
            holding.set()
            done.wait(30)
            db.session.rollback()

    holder = threading.Thread(target=hold_the_fund)
    holder.start()
    try:
        assert holding.wait(30)
        answer = treasurer.post(
            "/donations",
            {
                "donor_id": money.donor_id,
                "amount": "100.000",
                "received_on": "2026-02-01",
                "method": "cash",
                "earmark_person_id": "0",
            },
        )
    finally:
        done.set()
        holder.join(30)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "đang bận" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Donation)) == 0
        db.session.remove()  # its connection back to the pool first: dispose() closes only those
        db.engine.dispose()
    assert database.WAIT_SECONDS < 30  # gunicorn's default worker timeout


def test_writers_get_the_database_in_the_order_they_came(tmp_path):
    """SQLite's own busy handler lets waiting writers sleep and retry (1, 2, 5 ... 100 ms), so a
    newcomer could take the lock ahead of one that had waited long. The queue hands it over in
    order, the moment it is free."""
    from tracker.database import WriterQueue

    queue = WriterQueue(str(tmp_path / "tracker.sqlite3"))
    queue.acquire(1)
    order, threads = [], []

    def write(i):
        queue.acquire(10)
        order.append(i)
        queue.release()

    for i in range(6):
        thread = threading.Thread(target=write, args=(i,))
        thread.start()
        threads.append(thread)
        while len(queue._waiting) < i + 1:  # each has joined the line before the next comes
            time.sleep(0.001)
    queue.release()
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3, 4, 5]


def test_a_reschedule_racing_repayments_lays_out_exactly_what_is_left(
    app, money, seed, server, logged_in, active_loan
):
    """The reschedule reads what is repaid under the fund's lock: repayments posted at the same
    moment are counted in it or come after it, and the new schedule still sums to the loan."""
    chair, chair_token = logged_in(server, "chair")
    treasurer, token = logged_in(server, "treasurer")

    def act(i):
        if i == 0:
            return chair.post(
                f"{server}/loans/{active_loan}/reschedule",
                data={
                    "installments": "4",
                    "first_due_on": (clock.today() + dt.timedelta(days=40)).isoformat(),
                    "minutes_ref": "BB 01",
                    "reason": "Giãn nợ",
                    "csrf_token": chair_token,
                },
                allow_redirects=False,
                timeout=60,
            )
        return post_repayment(treasurer, server, active_loan, token, "100.000")

    statuses = [r.status_code for r in all_at_once(6, act)]
    assert statuses == [303] * 6, statuses
    with app.app_context():
        change = db.session.scalars(sa.select(ScheduleChange)).one()
        rows = db.session.scalars(
            sa.select(Installment.amount_due).where(
                Installment.loan_id == active_loan, Installment.in_force(clock.today())
            )
        ).all()
        balance = balances.loan_balance(db.session.get(Loan, active_loan))
    assert balance.repaid == 500_000
    assert sum(rows) == 3_000_000
    # what it laid out again is what was left when it ran: 3.000.000 less the repayments before it
    assert change.outstanding in {3_000_000 - 100_000 * k for k in range(6)}


def test_simultaneous_grant_payments_never_take_the_cash_below_zero(app, money, seed, server, logged_in):
    from tracker.models import Spending
    from tracker.money import journal

    day = clock.today() - dt.timedelta(days=3)
    donate(app, seed.fund_id, money.donor_id, 10_000_000, day - dt.timedelta(days=10))
    with app.app_context():
        chair = db.session.scalar(sa.select(accounts.User.id).where(accounts.User.username == "chair"))
        grants = []
        for _ in range(5):
            grant = Spending(
                fund_id=seed.fund_id,
                category="grant",
                kind="emergency",
                person_id=money.person_id,
                purpose="Hỗ trợ đột xuất",
                amount=3_000_000,
                proposed_on=day,
            )
            db.session.add(grant)
            db.session.flush()
            journal.decide_spending(grant, True, day, "Đồng ý", chair)
            grants.append(grant.id)
        db.session.commit()
    session, token = logged_in(server, "treasurer")

    def pay(i):
        # the first grant five times over, then each of the five once
        grant_id = grants[0] if i < 5 else grants[i - 5]
        return session.post(
            f"{server}/grants/{grant_id}/pay",
            data={"paid_on": day.isoformat(), "csrf_token": token},
            allow_redirects=False,
            timeout=60,
        )

    statuses = [r.status_code for r in all_at_once(10, pay)]
    assert statuses.count(303) == 3, statuses  # 3 × 3.000.000 ₫ of the 10.000.000 ₫
    with app.app_context():
        assert balances.cash_balance(seed.fund_id) == 1_000_000
        vouchers = db.session.scalars(
            sa.select(JournalTransaction.document_no).where(JournalTransaction.event == "grant")
        ).all()
        assert sorted(vouchers) == [f"PC-{day.year}-000{n}" for n in (1, 2, 3)]
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Spending).where(Spending.status == "paid")
            )
            == 3
        )
