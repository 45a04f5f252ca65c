"""Crash safety: SIGKILL the server at random moments while it records repayments, 20 times.

Afterwards the database passes its integrity check, every repayment the server acknowledged is
there, and the ledger balances.
"""

import datetime as dt
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import PASSWORD, TEST_HASH
from tests.factories import disbursed_loan, donate
from tracker import clock

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_uri: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "TRACKER_SQLALCHEMY_DATABASE_URI": database_uri,
        "TRACKER_SECRET_KEY": "crash-test-secret",
        "TRACKER_PASSWORD_HASH_METHOD": TEST_HASH,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "1",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "app:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: SIGKILL takes master and worker together
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
            return process
        except requests.RequestException:
            time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("the server did not start")


def token_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def check_database(app, database_uri, loan_id, principal, acknowledged):
    if database_uri.startswith("sqlite"):
        connection = sqlite3.connect(database_uri.removeprefix("sqlite:///"))
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            connection.close()
    engine = sa.create_engine(database_uri)
    try:
        with engine.connect() as conn:
            unbalanced = conn.execute(
                sa.text(
                    "SELECT count(*) FROM (SELECT transaction_id FROM journal_line "
                    "GROUP BY transaction_id HAVING sum(amount) <> 0) AS t"
                )
            ).scalar()
            assert unbalanced == 0
            stored = set(
                conn.execute(
                    sa.text("SELECT amount FROM repayment WHERE loan_id = :id"), {"id": loan_id}
                ).scalars()
            )
            missing = acknowledged - stored
            assert not missing, f"acknowledged but lost: {sorted(missing)}"
            receivable = conn.execute(
                sa.text(
                    "SELECT sum(amount) FROM journal_line WHERE account = 'receivable' AND loan_id = :id"
                ),
                {"id": loan_id},
            ).scalar()
            assert receivable == principal - sum(stored)
            receipts = conn.execute(
                sa.text("SELECT count(DISTINCT receipt_no), count(*) FROM repayment")
            ).one()
            assert receipts[0] == receipts[1]
    finally:
        engine.dispose()
    return stored


@pytest.mark.skipif(sys.platform != "linux", reason="process groups and SIGKILL")
@pytest.mark.skipif(bool(os.environ.get("TEST_TODAY")), reason="its server process runs on the real date")
def test_sigkill_while_recording_repayments_loses_nothing_acknowledged(app, money, seed, database_uri):
    principal = 900_000_000
    donate(app, seed.fund_id, money.donor_id, principal, dt.date(2026, 1, 2))
    loan_id = disbursed_loan(app, seed.fund_id, money.person_id, principal, dt.date(2026, 1, 3), term=12)
    with app.app_context():
        from tracker.extensions import db

        db.engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(20261127)
    acknowledged: set[int] = set()
    amount = 1_000
    with requests.Session() as session:
        for round_number in range(ROUNDS):
            server = start_server(database_uri, port)
            try:
                if round_number == 0:
                    token = token_of(session.get(f"{base}/login").text)
                    response = session.post(
                        f"{base}/login",
                        data={"username": "treasurer", "password": PASSWORD, "csrf_token": token},
                        allow_redirects=False,
                    )
                    assert response.status_code == 302
                token = token_of(session.get(f"{base}/loans/{loan_id}").text)
                stop = threading.Event()

                def pay(start_amount, step, token=token, stop=stop):
                    value = start_amount
                    while not stop.is_set():
                        try:
                            response = session.post(
                                f"{base}/loans/{loan_id}/repayments",
                                data={
                                    "amount": str(value),
                                    "paid_on": clock.today().isoformat(),
                                    "method": "cash",
                                    "csrf_token": token,
                                },
                                allow_redirects=False,
                                timeout=5,
                            )
                        except requests.RequestException:
                            return
                        if response.status_code == 303:
                            acknowledged.add(value)
                        elif response.status_code >= 500:
                            raise AssertionError(f"server error {response.status_code}")
                        value += step

                workers = [threading.Thread(target=pay, args=(amount + k, 2)) for k in range(2)]
                for worker in workers:
                    worker.start()
                time.sleep(rng.uniform(0.1, 0.8))
            finally:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            stop.set()
            for worker in workers:
                worker.join(timeout=10)
            stored = check_database(app, database_uri, loan_id, principal, acknowledged)
            amount = max(stored | acknowledged | {amount}) + 10
    assert len(acknowledged) > ROUNDS  # the server really was recording when it was killed
