#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store tests (a ctest fixture).
#   pg_harness.sh start STATE_DIR   initdb + pg_ctl start on 127.0.0.1, a free port from the
#                                   kernel, socket dir and data in a fresh temp dir, fsync off;
#                                   writes the libpq URL to STATE_DIR/url.
#   pg_harness.sh stop STATE_DIR    pg_ctl -m immediate stop, then removes the temp dir.
# Debian's own cluster (15/main, port 5432) is never touched. When no server binaries are
# installed, `start` writes no URL and exits 0: the PostgreSQL cases then skip and say why.
set -euo pipefail

cmd=${1:-}
state=${2:-}
if [[ -z "$cmd" || -z "$state" ]]; then
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
fi
mkdir -p "$state"

as_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Tests trade durability for speed; benchmarks set PG_HARNESS_DURABLE=1 for a server that
# flushes every commit (PostgreSQL's defaults).
if [[ "${PG_HARNESS_DURABLE:-0}" == 1 ]]; then
  durability=""
else
  durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi

case "$cmd" in
  start)
    rm -f "$state/url" "$state/skip_reason"
    # A server left over from an interrupted run.
    if [[ -f "$state/data_dir" ]]; then "$0" stop "$state" || true; fi
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
      echo "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (install postgresql)" \
        >"$state/skip_reason"
      echo "pg_harness: $(cat "$state/skip_reason"); PostgreSQL tests will skip" >&2
      exit 0
    fi
    if [[ "$(id -u)" -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
      echo "running as root but there is no 'postgres' user to run initdb as" >"$state/skip_reason"
      echo "pg_harness: $(cat "$state/skip_reason")" >&2
      exit 0
    fi
    data=$(mktemp -d /tmp/stockcast-pg.XXXXXX)
    echo "$data" >"$state/data_dir"
    echo "$bin" >"$state/bin_dir"
    chmod 755 "$data"
    if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$data"; fi
    as_owner "$bin/initdb" -D "$data/db" -A trust -U stockcast -E UTF8 --no-sync \
      >"$data/initdb.log" 2>&1 || { cat "$data/initdb.log" >&2; exit 1; }
    # The kernel picks a free port; a race with another process taking it in between is
    # possible but rare, so try a few times.
    for attempt in 1 2 3 4 5; do
      port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
      if as_owner "$bin/pg_ctl" -D "$data/db" -l "$data/log" -w -t 30 \
           -o "-h 127.0.0.1 -p $port -k $data $durability -c max_connections=200" \
           start >"$data/pg_ctl.log" 2>&1; then
        echo "postgresql://stockcast@127.0.0.1:$port/postgres" >"$state/url"
        echo "pg_harness: PostgreSQL on 127.0.0.1:$port (data $data)" >&2
        exit 0
      fi
      echo "pg_harness: start attempt $attempt on port $port failed" >&2
    done
    cat "$data/pg_ctl.log" "$data/log" >&2 || true
    exit 1
    ;;
  stop)
    if [[ -f "$state/data_dir" ]]; then
      data=$(cat "$state/data_dir")
      bin=$(cat "$state/bin_dir" 2>/dev/null || true)
      if [[ -n "$bin" && -d "$data/db" ]]; then
        as_owner "$bin/pg_ctl" -D "$data/db" -m immediate -w stop >/dev/null 2>&1 || true
      fi
      case "$data" in /tmp/stockcast-pg.*) rm -rf "$data" ;; esac
    fi
    rm -f "$state/url" "$state/data_dir" "$state/bin_dir"
    exit 0
    ;;
  *)
    echo "pg_harness: unknown command '$cmd'; must be start or stop" >&2
    exit 2
    ;;
esac
