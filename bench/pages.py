"""Page benchmark: for every kind of page, SQL queries per request and the server's median time,
with nothing kept (as the first view after a write finds it) and as a repeated view finds it (the
dashboard, the reports, the review and the province table keep their figures until the fund's next
write: tracker/queries/figure_cache.py), each against the floor page (/about: the base layout, no
query). "Among the others" times each page in rounds that ask for every page once, in a new random
order each round (see measure_mixed). Checks the targets (README, Performance): every page of a fund
within 20 × the floor with nothing kept, and the province table under 300 ms with nothing kept.

    .venv/bin/python bench/pages.py                         # the database of TRACKER_SQLALCHEMY_DATABASE_URI
    .venv/bin/python bench/pages.py --database postgresql+psycopg://...  --repeat 30 --json country.json
    .venv/bin/python bench/pages.py --compare commune.json country.json   # country ÷ commune, target 1.5

It picks the fund with the most loans (or --fund ID), adds three benchmark logins if missing
(bench_chair_<fund id>, bench_member_<fund id>, bench_regional_<fund id>; password bench-password),
and times requests inside the process (the server's own time: routing, queries, rendering), so the
figures are not network noise.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
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
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)[1]
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
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
    """Median time of each page when every round asks for every page once: as a server sees them,
    each page run after others rather than after itself (a page repeated in a loop finds the
    processor's caches warm with its own code and data). The order is shuffled each round: in a
    fixed order the floor always ran right after the XLSX export, which slowed it 1.3–1.9 × and
    flattered every ratio."""
    order = random.Random(1)
    times = {label: [] for label, _client, _url in pages}
    for _ in range(rounds):
        shuffled = list(pages)
        order.shuffle(shuffled)
        for label, client, url in shuffled:
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
            # CSRF stays on: the review's section forms carry a token field that exists only then
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
        (f"province table XLSX ({province_funds} funds)", regional, "/province?format=xlsx"),
        (
            f"province review (year, {province_funds} funds)",
            regional,
            f"/province/review?period={time.localtime().tm_year}",
        ),
        ("export: outstanding CSV", chair, "/reports/outstanding?format=csv"),
        ("export: cash book XLSX", chair, "/reports/cashbook?format=xlsx&from=2000-01-01"),
    ]
    return Bench(app, rows, fund, fund_rows, pages)


FLOOR_TARGET = 20  # × the floor, with nothing kept
PROVINCE_TARGET_MS = 300  # the province table, with nothing kept
COUNTRY_TARGET = 1.5  # the same fund's page at country scale ÷ at commune scale


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("TRACKER_SQLALCHEMY_DATABASE_URI"))
    parser.add_argument("--fund", type=int)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", help="also write the results to this file (for --compare)")
    parser.add_argument("--compare", nargs=2, metavar=("COMMUNE_JSON", "COUNTRY_JSON"))
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return
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
    bench.app.config["FIGURES_CACHE"] = "off"
    mixed = measure_mixed(bench.pages, args.repeat)
    bench.app.config["FIGURES_CACHE"] = "on"
    print(
        "| page | nothing kept: queries | median ms | p95 ms | × floor "
        "| repeated view: queries | median ms | × floor "
        "| among the others (nothing kept): median ms | × floor |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results, floor = {}, None
    for label, client, url in bench.pages:
        bench.app.config["FIGURES_CACHE"] = "off"
        computed, p95, computed_queries = measure(client, url, args.repeat, engine)
        bench.app.config["FIGURES_CACHE"] = "on"
        kept, _kept_p95, kept_queries = measure(client, url, args.repeat, engine)
        floor = floor or computed
        results[label] = {"url": url, "queries": computed_queries, "median": computed, "kept": kept}
        print(
            f"| {label} | {computed_queries} | {computed:.1f} | {p95:.1f} | {computed / floor:.1f} "
            f"| {kept_queries} | {kept:.1f} | {kept / floor:.1f} "
            f"| {mixed[label]:.1f} | {mixed[label] / mixed[bench.pages[0][0]]:.1f} |"
        )
    print()
    fund_pages = {
        label: r for label, r in results.items() if not label.startswith(("province", "export", "floor"))
    }
    worst = max(fund_pages, key=lambda label: fund_pages[label]["median"])
    ratio = fund_pages[worst]["median"] / floor
    print(
        f"every page of a fund, nothing kept, within {FLOOR_TARGET} × the floor: "
        f"{'yes' if ratio <= FLOOR_TARGET else 'NO'} (the slowest: {worst}, {ratio:.1f} ×)"
    )
    province = next(r for label, r in results.items() if label.startswith("province"))
    print(
        f"province table, nothing kept: {province['median']:.0f} ms "
        f"({'under' if province['median'] < PROVINCE_TARGET_MS else 'NOT under'} {PROVINCE_TARGET_MS} ms)"
    )
    chair = bench.pages[1][1]
    for label, url in (
        ("outstanding CSV", "/reports/outstanding?format=csv"),
        ("cash book CSV", "/reports/cashbook?format=csv&from=2000-01-01"),
    ):
        print(f"peak memory while streaming the {label}: {export_peak_memory(chair, url):,} KiB")
    if args.json:
        Path(args.json).write_text(json.dumps({"fund": fund.id, "floor": floor, "pages": results}, indent=1))


def compare(commune_file: str, country_file: str) -> None:
    """The same fund's pages at country scale ÷ at commune scale (nothing kept), target 1.5."""
    commune, country = (json.loads(Path(name).read_text()) for name in (commune_file, country_file))
    print("| page | commune ms | country ms | country ÷ commune |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for label, there in country["pages"].items():
        here = commune["pages"].get(label)
        if here is None or label.startswith(("province", "floor")):
            continue
        ratio = there["median"] / here["median"]
        worst = max(worst, ratio)
        print(f"| {label} | {here['median']:.1f} | {there['median']:.1f} | {ratio:.2f} |")
    verdict = "within" if worst <= COUNTRY_TARGET else "NOT within"
    print(f"\nthe worst: {worst:.2f} × ({verdict} {COUNTRY_TARGET})")


if __name__ == "__main__":
    main()
