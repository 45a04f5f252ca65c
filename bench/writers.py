"""Writers waiting for each other: N treasurers recording repayments at once on SQLite.

Starts gunicorn (2 workers) on a fresh copy of the demo fund, logs N treasurer sessions in, and
has each record 1.000 ₫ repayments on the demo's active loans, one after another, for a while;
prints how long each took (p50, p95, p99, max) for each N. Every repayment takes SQLite's write
lock (BEGIN IMMEDIATE), so this measures how fairly and promptly writers get it in turn.

    .venv/bin/python bench/writers.py                       # 2, 4 and 8 writers, 30 s each
    .venv/bin/python bench/writers.py --writers 4 --seconds 60
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def start_server(database: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "TRACKER_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "TRACKER_SECRET_KEY": "bench",
    }
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [BIN / "flask", "--app", "app", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "app:app",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/about", timeout=5)
            return server
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def log_in(base: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    token = TOKEN.search(session.get(f"{base}/login").text).group(1)
    session.post(
        f"{base}/login", data={"username": "treasurer", "password": "hongson-demo", "csrf_token": token}
    )
    return session, TOKEN.search(session.get(f"{base}/").text).group(1)


def run(base: str, loans: list[int], writers: int, seconds: float) -> list[float]:
    sessions = [log_in(base) for _ in range(writers)]
    timings: list[float] = []
    failures: list[int] = []
    start = threading.Barrier(writers)
    stop_at = time.monotonic() + seconds + 1

    def write(index: int) -> None:
        session, token = sessions[index]
        start.wait()
        n = index
        while time.monotonic() < stop_at:
            loan = loans[n % len(loans)]
            n += writers
            began = time.perf_counter()
            answer = session.post(
                f"{base}/loans/{loan}/repayments",
                data={
                    "amount": "1.000",
                    "paid_on": dt.date.today().isoformat(),
                    "method": "cash",
                    "csrf_token": token,
                },
                allow_redirects=False,
                timeout=60,
            )
            timings.append(time.perf_counter() - began)
            if answer.status_code != 303:
                failures.append(answer.status_code)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for session, _token in sessions:
        session.close()
    if failures:
        print(f"   {len(failures)} answers other than 303: {sorted(set(failures))}")
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=5098)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        server = start_server(database, args.port)
        try:
            with sqlite3.connect(database) as connection:
                loans = [row[0] for row in connection.execute("SELECT id FROM loan WHERE status = 'active'")]
            cores = os.cpu_count()
            print(f"{len(loans)} active loans; gunicorn 2 workers; {cores} cores; {args.seconds:g} s each")
            print("writers  repayments  per s    p50 ms   p95 ms   p99 ms   max ms")
            for writers in args.writers:
                timings = run(f"http://127.0.0.1:{args.port}", loans, writers, args.seconds)
                ms = [t * 1000 for t in timings]
                rate, p50 = len(ms) / args.seconds, statistics.median(ms)
                print(
                    f"{writers:>7}  {len(ms):>10}  {rate:>5.0f}  {p50:>8.1f}"
                    f" {percentile(ms, 0.95):>8.1f} {percentile(ms, 0.99):>8.1f} {max(ms):>8.1f}"
                )
        finally:
            server.terminate()
            server.wait()
    sys.exit(0)


if __name__ == "__main__":
    main()
