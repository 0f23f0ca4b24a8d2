#!/usr/bin/env bash
# Installs the dashboard's npm packages (web/package-lock.json: ECharts, playwright-core) into
# web/node_modules with `npm ci`, only when they are missing or older than the lock file.
# Works offline once npm's cache holds the packages (--prefer-offline).
#
# Without them the build still succeeds: "/" then serves a page that says to run this script,
# and the browser test (ctest web.dashboard) skips. With STOCKCAST_REQUIRE_ALL_TESTS=1 (CI) a
# failure here is an error instead, since the browser test could not run.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
web="$root/web"
stamp="$web/node_modules/.stockcast-lock.sha256"

fail() {
  echo "web-deps: $*" >&2
  echo "web-deps: the dashboard will be built without ECharts (\"/\" says to run scripts/web-deps.sh)" \
       "and the browser test (ctest web.dashboard) will skip." >&2
  if [ "${STOCKCAST_REQUIRE_ALL_TESTS:-0}" = "1" ]; then
    echo "web-deps: STOCKCAST_REQUIRE_ALL_TESTS=1, so this is an error." >&2
    exit 1
  fi
  exit 0
}

[ -f "$web/package-lock.json" ] || fail "$web/package-lock.json is missing; it is part of the repository"
command -v node >/dev/null 2>&1 || fail "node is not installed (run scripts/install-deps.sh)"
command -v npm >/dev/null 2>&1 || fail "npm is not installed (run scripts/install-deps.sh)"

want="$(cat "$web/package.json" "$web/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && [ -f "$web/node_modules/echarts/dist/echarts.min.js" ] \
   && [ -f "$web/node_modules/playwright-core/package.json" ]; then
  exit 0  # up to date
fi

echo "web-deps: installing web/node_modules from web/package-lock.json (npm ci)" >&2
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# --ignore-scripts: none of the locked packages needs an install script (and playwright-core
# must never download a browser; the test uses Debian's chromium).
if ! (cd "$web" && npm ci --prefer-offline --no-audit --no-fund --ignore-scripts) >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "\`npm ci\` failed in $web (node $(node --version), npm $(npm --version)); it needs the npm" \
       "registry or an npm cache that already holds the locked packages"
fi
if [ ! -f "$web/node_modules/echarts/dist/echarts.min.js" ]; then
  fail "npm ci succeeded but web/node_modules/echarts/dist/echarts.min.js is missing"
fi
echo "$want" > "$stamp"
echo "web-deps: web/node_modules is ready (echarts $(node -p "require('$web/node_modules/echarts/package.json').version"), playwright-core $(node -p "require('$web/node_modules/playwright-core/package.json').version"))" >&2
