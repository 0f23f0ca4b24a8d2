#!/usr/bin/env bash
# Crash: the ledger load of bench/server/correctness.sh, with `kill -9` of the server after
# LEDGER_CRASH_AFTER seconds (default 5), a restart on the same store (it may come back on
# another port: the clients read the port file again), and the clients resending everything
# not yet answered with the same keys until each request gets a definite answer (200 or 409).
# Then the same checks: every acknowledged movement (fsync'ed to the client's log before it was
# counted) is in the ledger exactly once, no refused or unacknowledged key is, every balance =
# opening + acknowledged deltas, no forbidden negative (docs/design/service.md §9 item 4).
#
# Usage: bench/server/crash.sh [build dir] [postgresql://URL]
#   SQLite (default durability: WAL, synchronous=NORMAL, which keeps every commit across a
#   process crash) unless a postgresql:// URL is given. Same env as correctness.sh.
set -euo pipefail
export LEDGER_CRASH_AFTER=${LEDGER_CRASH_AFTER:-5}
exec "$(dirname "$0")/correctness.sh" "$@"
