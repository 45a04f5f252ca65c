"""Print locust's CSV stats as a table; exit 1 if any request failed."""

import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
print(f"{'page':42} {'requests':>8} {'fails':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
failures = 0
for row in rows:
    name = row["Name"] if row["Type"] else "TOTAL"
    if row["Name"] == "Aggregated":
        name = "TOTAL"
    failures += int(row["Failure Count"]) if name != "TOTAL" else 0
    print(
        f"{name:42} {row['Request Count']:>8} {row['Failure Count']:>6} {float(row['Requests/s']):>7.1f} "
        f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
    )
print(f"errors: {failures}")
sys.exit(1 if failures else 0)
