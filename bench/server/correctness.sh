#!/usr/bin/env bash
# Ledger correctness under load (issue 6; docs/design/service.md §9 item 3, and item 4 through
# bench/server/crash.sh, which runs this script with LEDGER_CRASH_AFTER set).
#
# 16 client threads x 10,000 random movements (receipts, sales, returns, signed adjustments,
# transfers between two locations) on 100 SKUs, half of them without backorders, as singles and
# batches of 2..8; every 10th request is resent with its keys, every 37th first sent with a zero
# read timeout (the client gives up on the answer) and then retried with the same keys, and any
# request without a definite answer is retried with the same keys until it gets one
# (bench/server/ledger_client.cpp). Then checks,
# through the API and the store itself:
#   1. every acknowledged key (fsync'ed to the client's log before it was counted) is in the
#      ledger exactly once, with its SKU, location, type and quantity (a transfer K as K:out and
#      K:in);
#   2. no refused key is in the ledger, and no ledger row of the run is unacknowledged;
#   3. every balance (API /stock, the stock_levels table, the ledger's sum) = opening + the sum
#      of the deltas of the acknowledged movements;
#   4. no SKU without backorders is negative: neither its final balance nor at any point of its
#      ledger replayed in commit (id) order.
# Prints a summary and exits non-zero on any mismatch (or when the client reports a reply that
# contradicts the ledger rules, or a request that never got a definite answer).
#
# Usage: bench/server/correctness.sh [build dir] [postgresql://URL]
#   without a URL: a fresh SQLite store (default durability) in a temporary directory.
#   env: LEDGER_CLIENTS (16), LEDGER_MOVEMENTS (10000 per client), LEDGER_SKUS (100),
#        LEDGER_CRASH_AFTER (unset: no crash; N: kill -9 the server after N s and restart it),
#        LEDGER_KEEP=1 keeps the work directory, LEDGER_SEED (1), LEDGER_TIMEOUT_EVERY (37; 0 =
#        no forced client timeouts), LEDGER_SERVE_ARGS (extra `serve` flags, e.g. "--durability full").
# Server pinned to CPU 1, clients to CPU 0 (taskset) when the machine has 2+ cores.
set -euo pipefail
BUILD=${1:-build}
STORE_URL=${2:-}
CLIENTS=${LEDGER_CLIENTS:-16}
MOVEMENTS=${LEDGER_MOVEMENTS:-10000}
SKUS=${LEDGER_SKUS:-100}
SEED=${LEDGER_SEED:-1}
TIMEOUT_EVERY=${LEDGER_TIMEOUT_EVERY:-37}
CRASH_AFTER=${LEDGER_CRASH_AFTER:-}
B="$BUILD/stockcast"
CLIENT="$BUILD/bench/stockcast_ledger_client"
for exe in "$B" "$CLIENT"; do
  if [ ! -x "$exe" ]; then
    echo "correctness.sh: $exe not found; build it: ninja -C $BUILD stockcast_cli stockcast_ledger_client" >&2
    exit 2
  fi
done
if [ -n "$STORE_URL" ] && [[ "$STORE_URL" != postgresql://* ]]; then
  echo "correctness.sh: second argument = \"$STORE_URL\"; must be a postgresql:// URL (or nothing for SQLite)" >&2
  exit 2
fi
WORK=$(mktemp -d /tmp/stockcast-ledger.XXXXXX)
SERVER=""
CPID=""
cleanup() {
  [ -n "$CPID" ] && kill "$CPID" 2>/dev/null || true
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  if [ "${LEDGER_KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
RUN="r$(date +%s)$$"
PREFIX="LC${RUN}-"
if [ -n "$STORE_URL" ]; then DB="$STORE_URL"; BACKEND=postgresql; else DB="$WORK/s.db"; BACKEND=sqlite; fi
PIN_SERVER=()
PIN_CLIENT=()
if [ "$(nproc)" -ge 2 ] && command -v taskset > /dev/null; then
  PIN_SERVER=(taskset -c 1)
  PIN_CLIENT=(taskset -c 0)
fi

"$B" -q generate --out "$WORK/data" --skus 5 --locations 2 --days 30 --seed 1 > /dev/null
"$B" -q import --dir "$WORK/data" --db "$DB" > /dev/null
TOKEN=$("$B" token create --db "$DB" --role planner --name ledger 2>/dev/null)
VIEW=$("$B" token create --db "$DB" --role viewer --name ledger-check 2>/dev/null)

start_server() {
  : > "$WORK/port.json"
  "${PIN_SERVER[@]}" "$B" -q serve --db "$DB" --port 0 --threads 32 ${LEDGER_SERVE_ARGS:-} > "$WORK/port.json" \
    2>> "$WORK/server.log" &
  SERVER=$!
  for _ in $(seq 100); do
    [ -s "$WORK/port.json" ] && return 0
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.1
  done
  echo "correctness.sh: the server did not start; its log:" >&2
  cat "$WORK/server.log" >&2
  exit 1
}
start_server
PORT=$(python3 -c "import json;print(json.load(open('$WORK/port.json'))['port'])")

# Setup through the API: products (even-numbered without backorders), opening receipts of 20
# on every series, then the opening balances.
python3 - "$PORT" "$TOKEN" "$VIEW" "$WORK" "$PREFIX" "$SKUS" "$RUN" <<'PY'
import json, sys, urllib.request
port, token, view, work, prefix, skus, run = sys.argv[1:8]
skus = int(skus)
def call(method, path, tok, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {tok}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
locations = [l["id"] for l in call("GET", "/api/v1/locations", view)["items"]][:2]
if len(locations) < 2:
    sys.exit(f"setup: the store has {len(locations)} locations; the load needs 2")
names = [f"{prefix}{i:03d}" for i in range(skus)]
backorder = {s: i % 2 == 1 for i, s in enumerate(names)}
call("POST", "/api/v1/products", token,
     {"products": [{"sku": s, "name": f"ledger bench {s}", "allow_backorder": backorder[s]}
                   for s in names]})
moves = [{"sku": s, "location": l, "type": "receipt", "quantity": 20,
          "idempotency_key": f"open-{run}-{s}-{l}"} for s in names for l in locations]
reply = call("POST", "/api/v1/movements", token, {"moves": moves})
if reply.get("inserted") != len(moves):
    sys.exit(f"setup: opening receipts inserted {reply} ; expected {len(moves)}")
stock = call("GET", "/api/v1/stock", view)["items"]
opening = {f"{i['sku']}|{i['location']}": i["on_hand"] for i in stock if i["sku"].startswith(prefix)}
json.dump({"locations": locations, "skus": names, "backorder": backorder, "run": run,
           "prefix": prefix, "opening": opening}, open(f"{work}/setup.json", "w"))
PY
LOCS=$(python3 -c "import json;print(','.join(json.load(open('$WORK/setup.json'))['locations']))")

echo "== ledger correctness ($BACKEND${CRASH_AFTER:+, kill -9 after ${CRASH_AFTER} s}): $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg); server on port $PORT${PIN_SERVER[*]:+ (server CPU 1, clients CPU 0)}"
FORCED="every ${TIMEOUT_EVERY}th request"
[ "$TIMEOUT_EVERY" = 0 ] && FORCED=none
echo "-- $CLIENTS clients x $MOVEMENTS movements on $SKUS SKUs x 2 locations ($LOCS);" \
  "forced client timeouts: $FORCED"
mkdir -p "$WORK/client"
set +e
"${PIN_CLIENT[@]}" "$CLIENT" --port-file "$WORK/port.json" --token "$TOKEN" --out "$WORK/client" \
  --clients "$CLIENTS" --movements "$MOVEMENTS" --skus "$SKUS" --sku-prefix "$PREFIX" \
  --locations "$LOCS" --run "$RUN" --seed "$SEED" --timeout-every "$TIMEOUT_EVERY" > "$WORK/client.json" 2> "$WORK/client.err" &
CPID=$!
set -e
if [ -n "$CRASH_AFTER" ]; then
  sleep "$CRASH_AFTER"
  if ! kill -0 "$CPID" 2>/dev/null; then
    echo "FAIL: the load finished before the kill at ${CRASH_AFTER} s; raise LEDGER_MOVEMENTS" >&2
    exit 1
  fi
  ACKED_AT_KILL=$(cat "$WORK"/client/acked-*.log | wc -l)
  kill -9 "$SERVER"
  wait "$SERVER" 2>/dev/null || true
  T0=$(date +%s.%N)
  echo "-- kill -9 the server at ${CRASH_AFTER} s: $ACKED_AT_KILL movements acknowledged so far"
  sleep 1
  start_server
  T1=$(date +%s.%N)
  echo "-- restarted on the same store (port $(python3 -c "import json;print(json.load(open('$WORK/port.json'))['port'])")) after $(python3 -c "print(f'{$T1-$T0:.2f}')") s down"
  echo "{\"acked_at_kill\": $ACKED_AT_KILL, \"down_seconds\": $(python3 -c "print(f'{$T1-$T0:.3f}')")}" > "$WORK/crash.json"
fi
set +e
wait "$CPID"
CLIENT_RC=$?
set -e
CPID=""
cat "$WORK/client.err" >&2
PORT=$(python3 -c "import json;print(json.load(open('$WORK/port.json'))['port'])")
# Balances through the API while the server runs, then stop it and read the store itself.
python3 - "$PORT" "$VIEW" "$WORK" <<'PY'
import json, sys, urllib.request
port, view, work = sys.argv[1:4]
req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/stock",
                             headers={"Authorization": f"Bearer {view}"})
json.dump(json.load(urllib.request.urlopen(req))["items"], open(f"{work}/api_stock.json", "w"))
PY
kill -TERM "$SERVER"
wait "$SERVER" 2>/dev/null || true
SERVER=""

python3 - "$WORK" "$BACKEND" "$DB" "$CLIENT_RC" <<'PY'
import collections, csv, glob, io, json, os, sqlite3, subprocess, sys
work, backend, db, client_rc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
setup = json.load(open(f"{work}/setup.json"))
prefix, run, backorder = setup["prefix"], setup["run"], setup["backorder"]
summary = json.load(open(f"{work}/client.json")) if os.path.getsize(f"{work}/client.json") else {}
crash = json.load(open(f"{work}/crash.json")) if os.path.exists(f"{work}/crash.json") else None
failures = collections.defaultdict(list)
def fail(check, detail):
    failures[check].append(detail)

# The store's rows for this run's SKUs, in commit order.
def query(sql):
    if backend == "sqlite":
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        rows = con.execute(sql).fetchall()
        con.close()
        return rows
    out = subprocess.run(["psql", db, "-X", "-q", "-c", f"COPY ({sql}) TO STDOUT WITH CSV"],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(r) for r in csv.reader(io.StringIO(out))]
like = prefix + "%"  # letters, digits and '-' only: no LIKE wildcards in it
ledger = query("SELECT id, idempotency_key, sku, location, type, quantity FROM stock_ledger "
               f"WHERE sku LIKE '{like}' ORDER BY id")
ledger = [(int(i), k, s, l, t, float(q)) for i, k, s, l, t, q in ledger]
levels = {f"{s}|{l}": float(q) for s, l, q in
          query(f"SELECT sku, location, on_hand FROM stock_levels WHERE sku LIKE '{like}'")}
products = {s: str(b) in ("1", "t", "true", "True") for s, b in
            query(f"SELECT sku, allow_backorder FROM products WHERE sku LIKE '{like}'")}

# What the clients were told: acknowledged (fsync'ed log), refused, unknown.
acked = {}
dup_logged = 0
for path in sorted(glob.glob(f"{work}/client/acked-*.log")):
    for line in open(path):
        key, sku, loc, typ, qty, to = line.rstrip("\n").split("\t")
        if key in acked:
            dup_logged += 1
            fail("acknowledged twice in the client log", key)
        acked[key] = (sku, loc, typ, float(qty), to)
def read_keys(pattern):  # key -> cause (refused: why the 409 may not be final)
    keys = {}
    for path in glob.glob(f"{work}/client/{pattern}"):
        for line in open(path):
            if line.strip():
                key, _, cause = line.rstrip("\n").partition("\t")
                keys[key] = cause
    return keys
refused, unknown = read_keys("refused-*.log"), read_keys("unknown-*.log")
for k in sorted(set(refused) & set(acked))[:10]:
    fail("key both acknowledged and refused", k)

# Expected ledger rows and balances.
expected_rows = {}
balance = collections.defaultdict(float)
for series, q in setup["opening"].items():
    balance[series] += q
for key, (sku, loc, typ, qty, to) in acked.items():
    if typ == "transfer":
        expected_rows[key + ":out"] = (sku, loc, "transfer_out", qty)
        expected_rows[key + ":in"] = (sku, to, "transfer_in", qty)
        balance[f"{sku}|{loc}"] -= qty
        balance[f"{sku}|{to}"] += qty
    else:
        expected_rows[key] = (sku, loc, typ, qty)
        balance[f"{sku}|{loc}"] += {"sale": -qty}.get(typ, qty)

# 1, 2: every acknowledged key exactly once with its content; nothing else of the run.
run_rows = collections.defaultdict(list)
for i, k, s, l, t, q in ledger:
    if k.startswith(f"lc-{run}-"):
        run_rows[k].append((s, l, t, q))
for key, want in expected_rows.items():
    got = run_rows.get(key, [])
    if len(got) != 1:
        fail("acknowledged key not in the ledger exactly once", f"{key}: {len(got)} rows; expected 1 {want}")
    elif got[0] != want:
        fail("acknowledged key with other content", f"{key}: ledger {got[0]}; acknowledged {want}")
def api_key(k):
    return k[:-4] if k.endswith(":out") else k[:-3] if k.endswith(":in") else k
refused_in_ledger = collections.Counter()
for key in run_rows:
    if key not in expected_rows:
        base = api_key(key)
        if base in refused:
            refused_in_ledger[refused[base] or "plain 409"] += 1
        if base in refused:
            why = "refused" + (", the 409 answered a retry " + refused[base].replace("_", " ")
                               if refused[base] else "")
        else:
            why = "outcome unknown (given up)" if base in unknown else "never acknowledged"
        fail("ledger row not acknowledged", f"{key} ({why}): {run_rows[key]}")

# 3: balances, three ways.
ledger_sum = collections.defaultdict(float)
for i, k, s, l, t, q in ledger:
    ledger_sum[f"{s}|{l}"] += {"sale": -q, "transfer_out": -q}.get(t, q)
api = {f"{i['sku']}|{i['location']}": i["on_hand"] for i in json.load(open(f"{work}/api_stock.json"))
       if i["sku"].startswith(prefix)}
series = sorted(set(balance) | set(api) | set(levels) | set(ledger_sum))
for s in series:
    want = balance.get(s, 0.0)
    for name, got in (("API /stock", api.get(s)), ("stock_levels", levels.get(s)),
                      ("ledger sum", ledger_sum.get(s, 0.0))):
        if got is None or abs(got - want) > 1e-6:
            fail(f"balance mismatch ({name})", f"{s}: {name} {got}; opening + acknowledged deltas {want:g}")

# 4: no forbidden negatives, at the end and at any point in commit order.
for sku, allow in backorder.items():
    if products.get(sku) != allow:
        fail("products.allow_backorder", f"{sku}: store {products.get(sku)}; set up {allow}")
running = collections.defaultdict(float)
negatives_seen = 0
for i, k, s, l, t, q in ledger:
    running[(s, l)] += {"sale": -q, "transfer_out": -q}.get(t, q)
    if not backorder.get(s, True) and running[(s, l)] < -1e-9:
        negatives_seen += 1
        fail("negative on hand without backorders (ledger replay)",
             f"{s}@{l} at ledger id {i} (key {k}): {running[(s, l)]:g}")
for s, q in api.items():
    if not backorder.get(s.split("|")[0], True) and q < -1e-9:
        fail("negative on hand without backorders (API)", f"{s}: {q:g}")
if client_rc != 0:
    fail("client", f"exit {client_rc}; problems: {summary.get('problems')}")
backorder_negative = sum(1 for s, q in api.items() if backorder.get(s.split('|')[0]) and q < 0)

report = {
    "backend": backend,
    "crash": crash,
    "client": {k: v for k, v in summary.items() if k != "problems"},
    "ledger_rows_of_run": sum(len(v) for v in run_rows.values()),
    "acknowledged_movements_logged": len(acked),
    "refused_movements_final": len(refused),
    "unknown_movements": len(unknown),
    "refused_rows_in_ledger_by_cause": dict(refused_in_ledger),
    "series_checked": len(series),
    "series_with_backorders_below_zero": backorder_negative,
    "checks_failed": {k: len(v) for k, v in failures.items()},
}
print(json.dumps(report, indent=1))
labels = [
    ("1 every acknowledged key in the ledger exactly once, same content",
     ["acknowledged key not in the ledger exactly once", "acknowledged key with other content",
      "acknowledged twice in the client log"]),
    ("2 no refused or unacknowledged key in the ledger",
     ["ledger row not acknowledged", "key both acknowledged and refused"]),
    ("3 balances (API, stock_levels, ledger sum) = opening + acknowledged deltas",
     [k for k in failures if k.startswith("balance mismatch")] or ["balance mismatch"]),
    ("4 no negative on hand for SKUs without backorders (final and replayed)",
     ["negative on hand without backorders (ledger replay)",
      "negative on hand without backorders (API)", "products.allow_backorder"]),
    ("5 client: every request answered, replies consistent with the ledger rules", ["client"]),
]
for label, keys in labels:
    n = sum(len(failures.get(k, [])) for k in keys)
    print(f"check {label}: {'ok' if n == 0 else f'FAIL ({n})'}")
    for k in keys:
        for d in failures.get(k, [])[:10]:
            print(f"   {k}: {d}")
sys.exit(1 if failures else 0)
PY
