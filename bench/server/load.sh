#!/usr/bin/env bash
# `stockcast serve` under load from a second process on loopback (bench/server/load.cpp):
# single-movement POSTs and batches of 100 at 32 connections; then every balance is checked
# against the movements the server accepted (each is a receipt of 1 unit; retries reuse keys).
# Goals (issue 6): >= 5,000 single POSTs/s with p99 <= 20 ms; >= 100,000 movements/s in
# batches; zero errors.
# Usage: bench/server/load.sh [build dir] [seconds] [sqlite|pg]
#   pg: a throwaway PostgreSQL server (tests/store/pg_harness.sh) with durable commits (fsync
#   on, synchronous_commit on), served with a pool of connections.
set -euo pipefail
BUILD=${1:-build}
SECS=${2:-10}
BACKEND=${3:-sqlite}
WORK=$(mktemp -d /tmp/stockcast-load.XXXXXX)
HERE=$(cd "$(dirname "$0")" && pwd)
cleanup() {
  kill $SERVER 2>/dev/null || true
  if [ "$BACKEND" = pg ]; then bash "$HERE/../../tests/store/pg_harness.sh" stop "$WORK/pg" || true; fi
  rm -rf "$WORK"
}
SERVER=""
trap cleanup EXIT
B="$BUILD/stockcast"
DB="$WORK/s.db"
if [ "$BACKEND" = pg ]; then
  PG_HARNESS_DURABLE=1 bash "$HERE/../../tests/store/pg_harness.sh" start "$WORK/pg"
  DB=$(cat "$WORK/pg/url")
fi
"$B" -q generate --out "$WORK/data" --skus 5 --days 60 --seed 1 > /dev/null
"$B" -q import --dir "$WORK/data" --db "$DB" > /dev/null
TOKEN=$("$B" token create --db "$DB" --role planner --name load 2>/dev/null)
VIEW=$("$B" token create --db "$DB" --role viewer --name check 2>/dev/null)
"$B" -q serve --db "$DB" --port 0 --threads 32 --db-pool 16 > "$WORK/port.json" &
SERVER=$!
for _ in $(seq 50); do [ -s "$WORK/port.json" ] && break; sleep 0.1; done
PORT=$(python3 -c "import json;print(json.load(open('$WORK/port.json'))['port'])")
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $BACKEND; server on port $PORT"
echo "-- single movements, 32 connections, ${SECS} s"
"$BUILD/bench/stockcast_server_load" --port "$PORT" --token "$TOKEN" --connections 32 \
  --seconds "$SECS" --batch 0 | tee "$WORK/single.json"
echo "-- batches of 100, 32 connections, ${SECS} s"
"$BUILD/bench/stockcast_server_load" --port "$PORT" --token "$TOKEN" --connections 32 \
  --seconds "$SECS" --batch 100 | tee "$WORK/batch.json"
python3 - "$PORT" "$VIEW" "$WORK" <<'PY'
import json, sys, urllib.request
port, token, work = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/stock?location=WH-LOAD",
                             headers={"Authorization": f"Bearer {token}"})
items = json.load(urllib.request.urlopen(req))["items"]
total = sum(i["on_hand"] for i in items)
accepted = sum(json.load(open(f"{work}/{k}.json"))["movements_accepted"] for k in ("single", "batch"))
print(f"-- correctness: sum of balances {total:.0f} vs movements accepted {accepted} -> "
      f"{'ok' if abs(total - accepted) < 0.5 else 'MISMATCH'}")
PY
