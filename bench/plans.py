"""Query plans behind the page benchmark: for every page of bench/pages.py, each SQL statement the
page makes, run again under EXPLAIN ANALYZE on PostgreSQL, with the scans the planner chose.

    .venv/bin/python bench/plans.py --database postgresql+psycopg://... [--fund ID] [--page dashboard]
        [--url /donors/123 ...]   (more pages, opened as the fund's chair)

A sequential scan of a large table (over 10,000 rows) is marked "<-- SEQ SCAN": on a fund's page it
means a query reads other funds' rows. bench/NOTES.md keeps the plans that justify each index.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pages import prepare  # noqa: E402

from tracker.extensions import db  # noqa: E402

LARGE = 10_000
SCAN = re.compile(
    r"(Seq Scan|Parallel Seq Scan|Index Scan(?: Backward)?|Index Only Scan(?: Backward)?|Bitmap Heap Scan)"
    r"(?: using (\w+))? on (\w+)"
)


def statements_of(client, url, engine) -> list[tuple[str, object]]:
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    client.get(url).close()  # warm
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        response = client.get(url)
        response.get_data()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    return captured


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("TRACKER_SQLALCHEMY_DATABASE_URI"))
    parser.add_argument("--fund", type=int)
    parser.add_argument("--page", help="only the pages whose label contains this")
    parser.add_argument("--url", action="append", default=[], help="also this page, as the chair")
    args = parser.parse_args()
    if not args.database or not args.database.startswith("postgresql"):
        parser.error("give --database postgresql+psycopg://... (the plans are PostgreSQL's)")
    bench = prepare(args.database, args.fund)
    with bench.app.app_context():
        engine = db.engine
        sizes = {
            name: count
            for name, count in db.session.execute(
                sa.text("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
            ).all()
        }
    print(f"fund #{bench.fund.id}; " + ", ".join(f"{v:,} {k}" for k, v in bench.rows.items()))
    chair = bench.pages[1][1]
    pages = [*bench.pages, *((url, chair, url) for url in args.url)]
    for label, client, url in pages:
        if args.page and args.page not in label:
            continue
        print(f"\n## {label}  ({url})")
        with engine.connect() as connection:
            for statement, parameters in statements_of(client, url, engine):
                plan = [
                    row[0]
                    for row in connection.exec_driver_sql(
                        "EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters
                    )
                ]
                took = next((line for line in plan if line.startswith("Execution Time")), "")
                print(f"\n- {' '.join(statement.split())[:150]}…  [{took.removeprefix('Execution Time: ')}]")
                for line in plan:
                    for kind, index, table in SCAN.findall(line):
                        mark = "  <-- SEQ SCAN" if "Seq" in kind and sizes.get(table, 0) > LARGE else ""
                        using = f" using {index}" if index else ""
                        print(f"    {kind}{using} on {table} ({sizes.get(table, 0):,} rows){mark}")
                connection.rollback()


if __name__ == "__main__":
    main()
