#!/usr/bin/env bash
# Load benchmark: 20 simulated users for 2 minutes against gunicorn with 2 workers, on SQLite and
# (if PG_URL is given, or a throwaway server can be started) on PostgreSQL. Prints requests per
# second, p50/p95/p99 per page and the error count; exits non-zero if any request failed.
#   bench/load.sh                # both databases
#   DURATION=30s bench/load.sh   # shorter
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURATION=${DURATION:-2m}
USERS=${USERS:-20}
PORT=${PORT:-5099}
BENCH_VENV=.venv-bench
[ -x .venv/bin/flask ] || make .venv/.installed
[ -x $BENCH_VENV/bin/locust ] || { python3 -m venv $BENCH_VENV && $BENCH_VENV/bin/pip install -q -r bench/requirements.txt; }
WORK=$(mktemp -d /tmp/tracker-bench.XXXXXX)
chmod 755 "$WORK"
cleanup() { [ -n "${GUNICORN:-}" ] && kill "$GUNICORN" 2>/dev/null || true; [ -n "${PG_DIR:-}" ] && su postgres -c "$PG_BIN/pg_ctl -D $PG_DIR/data -m fast stop" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

run() {  # $1 = label, $2 = database URL
  export TRACKER_SQLALCHEMY_DATABASE_URI="$2" TRACKER_SECRET_KEY=bench
  .venv/bin/flask --app app db upgrade >/dev/null 2>&1
  .venv/bin/flask --app app demo >/dev/null
  .venv/bin/gunicorn --workers 2 --bind 127.0.0.1:$PORT --log-level warning app:app &
  GUNICORN=$!
  sleep 2
  echo "== $1: $USERS users for $DURATION, gunicorn 2 workers, $(nproc) cores"
  status=0
  $BENCH_VENV/bin/locust -f bench/locustfile.py --headless -u "$USERS" -r 5 -t "$DURATION" \
      --host "http://127.0.0.1:$PORT" --only-summary --csv "$WORK/$1" >/dev/null 2>&1 || status=$?
  kill "$GUNICORN"; wait "$GUNICORN" 2>/dev/null || true; GUNICORN=
  .venv/bin/python bench/summarize.py "$WORK/$1_stats.csv" || status=1
  return $status
}

failed=0
run sqlite "sqlite:///$WORK/bench.sqlite3" || failed=1
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "${PG_URL:-}" ]; then
  run postgresql "$PG_URL" || failed=1
elif [ -n "$PG_BIN" ]; then
  PG_DIR="$WORK/pg"; mkdir -p "$PG_DIR"; chown postgres "$PG_DIR"
  su postgres -c "$PG_BIN/initdb -D $PG_DIR/data -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
  su postgres -c "$PG_BIN/pg_ctl -D $PG_DIR/data -w -l $PG_DIR/log start -o '-c listen_addresses=127.0.0.1 -p 54331 -k $PG_DIR'" >/dev/null
  run postgresql "postgresql+psycopg://postgres@127.0.0.1:54331/postgres" || failed=1
fi
exit $failed
