"""Page benchmark: for every kind of page, the rows in the database, SQL queries per request,
median and p95 server time, and the ratio to the floor page (/about: the base layout, no query) and
to the same page for a logged-in user (the base layout with the menu, after the one query that checks
the login session, which every page of the fund makes). The dashboard, the reports, the review, a
loan's page, a person's file and the lists' loan positions keep what they read until the fund's next
write (tracker/queries/figure_cache.py): the last three columns time every page with nothing kept, as the
first view after a write sees it. "Among the others" times each page in rounds that ask for every
page once (see measure_mixed), the other columns each page repeated in a loop of its own.

    .venv/bin/python bench/pages.py                         # the database of TRACKER_SQLALCHEMY_DATABASE_URI
    .venv/bin/python bench/pages.py --database postgresql+psycopg://...  --repeat 30

It picks the fund with the most loans (or --fund ID), adds three benchmark logins if missing
(bench_chair_<fund id>, bench_member_<fund id>, bench_regional_<fund id>; password bench-password),
and times requests inside the process (the server's own time: routing, queries, rendering), so the
figures are not network noise.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import accounts, create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import (  # noqa: E402
    CommitteeMember,
    Fund,
    JournalLine,
    Loan,
    Person,
    Repayment,
    User,
    Visit,
)

PASSWORD = "bench-password"


def logins_of(fund: Fund) -> tuple[str, str, str]:
    """The benchmark's chair, member and regional usernames for a fund."""
    return f"bench_chair_{fund.id}", f"bench_member_{fund.id}", f"bench_regional_{fund.id}"


def ensure_logins(fund: Fund) -> None:
    chair, member, regional = logins_of(fund)
    if not accounts.username_taken(chair):
        accounts.create_user(chair, PASSWORD, fund.id, "chair", "Benchmark chair")
    if not accounts.username_taken(member):
        accounts.create_user(member, PASSWORD, fund.id, "member", "Benchmark member")
    member_id = db.session.scalar(sa.select(User.id).where(User.username == member))
    linked = sa.select(CommitteeMember.id).where(CommitteeMember.user_id == member_id)
    if db.session.scalar(linked) is None:
        # the member login mentors the busiest caseload that no other login holds
        busiest = db.session.scalar(
            sa.select(Person.mentor_id)
            .join(CommitteeMember, CommitteeMember.id == Person.mentor_id)
            .where(Person.fund_id == fund.id, CommitteeMember.user_id.is_(None))
            .group_by(Person.mentor_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
        if busiest:
            db.session.get(CommitteeMember, busiest).user_id = member_id
    if not accounts.username_taken(regional):
        accounts.create_regional_user(regional, PASSWORD, fund.province, "Benchmark province")
    db.session.commit()


def login(app, username):
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, (username, response.status_code)
    return client


class Htmx:
    """A logged-in client whose requests come from one of the page's htmx elements (as the search
    box sends them): the view answers with the fragment it targets."""

    def __init__(self, client, target: str):
        self.client, self.target = client, target

    def get(self, url, **kwargs):
        return self.client.get(url, headers={"HX-Request": "true", "HX-Target": self.target}, **kwargs)


def measure(client, url, repeat, engine):
    statements = []

    def count(*args):
        statements.append(1)

    for _ in range(2):  # warm caches, templates, the connection pool
        client.get(url).close()
    times, queries = [], []
    for _ in range(repeat):
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        elapsed = time.perf_counter() - start
        sa.event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code, body[:300])
        times.append(elapsed * 1000)
        queries.append(len(statements))
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, max(queries)


def measure_mixed(pages, rounds: int) -> dict[str, float]:
    """Median time of each page when every round asks for every page once, in order: as a server
    sees them, each page run after the others rather than after itself. A page repeated in a loop
    finds the processor's caches warm with its own code and data; the floor, which does least,
    gains most from that (0.46 ms alone, ~0.9 ms among the others)."""
    times = {label: [] for label, _client, _url in pages}
    for _ in range(rounds):
        for label, client, url in pages:
            start = time.perf_counter()
            client.get(url).get_data()
            times[label].append((time.perf_counter() - start) * 1000)
    return {label: statistics.median(values) for label, values in times.items()}


def export_peak_memory(client, url) -> int:
    tracemalloc.start()
    response = client.get(url)
    for _chunk in response.response:
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak // 1024


@dataclass
class Bench:
    app: object
    rows: dict[str, int]  # rows in the database, by table
    fund: Fund  # the measured fund
    fund_rows: dict[str, int]
    pages: list[tuple[str, object, str]]  # (label, logged-in test client, url)


def prepare(database: str, fund_id: int | None = None) -> Bench:
    """The app on `database`, the fund to measure (the one with the most loans unless given), its
    benchmark logins, and every kind of page with the client that opens it."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database,
            "SECRET_KEY": "bench",
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "WTF_CSRF_ENABLED": False,  # only GET requests and the login here
        }
    )
    with app.app_context():
        rows = {
            "funds": db.session.scalar(sa.select(sa.func.count()).select_from(Fund)),
            "people": db.session.scalar(sa.select(sa.func.count()).select_from(Person)),
            "loans": db.session.scalar(sa.select(sa.func.count()).select_from(Loan)),
            "repayments": db.session.scalar(sa.select(sa.func.count()).select_from(Repayment)),
            "visits": db.session.scalar(sa.select(sa.func.count()).select_from(Visit)),
            "journal lines": db.session.scalar(sa.select(sa.func.count()).select_from(JournalLine)),
        }
        fund_id = fund_id or db.session.scalar(
            sa.select(Loan.fund_id).group_by(Loan.fund_id).order_by(sa.func.count().desc()).limit(1)
        )
        fund = db.session.get(Fund, fund_id)
        ensure_logins(fund)
        person_id = db.session.scalar(
            sa.select(Visit.person_id)
            .where(Visit.fund_id == fund.id)
            .group_by(Visit.person_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
        loan_id = db.session.scalar(
            sa.select(Repayment.loan_id)
            .where(Repayment.fund_id == fund.id)
            .group_by(Repayment.loan_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
        province_funds = db.session.scalar(
            sa.select(sa.func.count()).select_from(Fund).where(Fund.province == fund.province)
        )
        fund_rows = {
            "people": db.session.scalar(
                sa.select(sa.func.count()).select_from(Person).where(Person.fund_id == fund.id)
            ),
            "loans": db.session.scalar(
                sa.select(sa.func.count()).select_from(Loan).where(Loan.fund_id == fund.id)
            ),
            "journal lines": db.session.scalar(
                sa.select(sa.func.count()).select_from(JournalLine).where(JournalLine.fund_id == fund.id)
            ),
        }
        usernames = logins_of(fund)
        db.session.expunge(fund)

    anonymous = app.test_client()
    chair, member, regional = (login(app, username) for username in usernames)
    pages = [
        ("floor (/about, no query)", anonymous, "/about"),
        ("floor, logged in (/about as the chair)", chair, "/about"),
        ("dashboard", chair, "/"),
        ("people list", chair, "/people"),
        ("people search (htmx)", Htmx(chair, "people-results"), "/people?q=van"),
        ("person page", chair, f"/people/{person_id}"),
        ("loan page", chair, f"/loans/{loan_id}"),
        ("loans list", chair, "/loans"),
        ("donors list", chair, "/donors"),
        ("donations list", chair, "/donations"),
        ("audit log", chair, "/audit"),
        ("visit queue (member)", member, "/visits"),
        ("visit queue (chair)", chair, "/visits"),
        ("report: outstanding", chair, "/reports/outstanding"),
        ("report: aging", chair, "/reports/aging"),
        ("report: cash book (year)", chair, "/reports/cashbook"),
        ("report: donors", chair, "/reports/donors"),
        ("report: visits by mentor", chair, "/reports/visits"),
        ("review (year)", chair, f"/reports/review?period={time.localtime().tm_year}"),
        (f"province table ({province_funds} funds)", regional, "/province"),
        ("export: outstanding CSV", chair, "/reports/outstanding?format=csv"),
        ("export: cash book XLSX", chair, "/reports/cashbook?format=xlsx&from=2000-01-01"),
    ]
    return Bench(app, rows, fund, fund_rows, pages)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("TRACKER_SQLALCHEMY_DATABASE_URI"))
    parser.add_argument("--fund", type=int)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if not args.database:
        parser.error("give --database or set TRACKER_SQLALCHEMY_DATABASE_URI")
    bench = prepare(args.database, args.fund)
    fund = bench.fund
    with bench.app.app_context():
        engine = db.engine
    print(
        f"database: {engine.url.get_backend_name()}; "
        + ", ".join(f"{v:,} {k}" for k, v in bench.rows.items())
    )
    print(
        f"fund #{fund.id} ({fund.commune}, {fund.province}): "
        + ", ".join(f"{v:,} {k}" for k, v in bench.fund_rows.items())
    )
    print()
    mixed = measure_mixed(bench.pages, args.repeat)
    mixed_floor = mixed[bench.pages[0][0]]
    print(
        "| page | queries | median ms | p95 ms | × floor | × logged-in floor "
        "| among the others: median ms | × floor "
        "| figures computed: queries | median ms | × floor |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    floors = []
    for label, client, url in bench.pages:
        median, p95, queries = measure(client, url, args.repeat, engine)
        if len(floors) < 2:
            floors.append(median)
        ratios = [f"{median / floor:.1f}" for floor in floors] + [""] * (2 - len(floors))
        # The same page when its figures are not kept (the first view after a write to the fund)
        bench.app.config["FIGURES_CACHE"] = "off"
        computed, _p95, computed_queries = measure(client, url, args.repeat, engine)
        bench.app.config["FIGURES_CACHE"] = "on"
        print(
            f"| {label} | {queries} | {median:.1f} | {p95:.1f} | {' | '.join(ratios)} "
            f"| {mixed[label]:.1f} | {mixed[label] / mixed_floor:.1f} "
            f"| {computed_queries} | {computed:.1f} | {computed / floors[0]:.1f} |"
        )
    print()
    chair = bench.pages[1][1]
    for label, url in (
        ("outstanding CSV", "/reports/outstanding?format=csv"),
        ("cash book CSV", "/reports/cashbook?format=csv&from=2000-01-01"),
    ):
        print(f"peak memory while streaming the {label}: {export_peak_memory(chair, url):,} KiB")


if __name__ == "__main__":
    main()
