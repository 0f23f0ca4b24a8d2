#!/usr/bin/env bash
# Install test: `cmake --install` of a build tree into a temporary prefix must give a working
# binary, the public headers and a CMake package that another project can find_package() and
# link against (tests/install/consumer). When the installed libraries were built with the
# sanitizers (STOCKCAST_SANITIZE), the consumer must get their link flags from the exported
# targets alone.
#
# Usage: run_install_test.sh BUILD_DIR CONSUMER_SOURCE_DIR [CXX_COMPILER] [BUILD_TYPE]
set -euo pipefail

BUILD_DIR=$1
CONSUMER_SRC=$2
CXX=${3:-c++}
BUILD_TYPE=${4:-Debug}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/stockcast-install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PREFIX=$TMP/prefix

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Runs a step quietly; on failure shows its output.
step() {
  local name=$1
  shift
  if ! "$@" >"$TMP/$name.log" 2>&1; then
    cat "$TMP/$name.log" >&2
    fail "$name: $*"
  fi
}

echo "== install $BUILD_DIR into $PREFIX"
step install cmake --install "$BUILD_DIR" --prefix "$PREFIX"

# What a user of the package needs.
test -x "$PREFIX/bin/stockcast" || fail "no bin/stockcast"
for h in version.h core/date.h core/error.h io/csv_reader.h store/store.h forecast/model.h \
         pipeline/import.h pipeline/plan_run.h; do
  test -f "$PREFIX/include/stockcast/$h" || fail "header include/stockcast/$h not installed"
done
CONFIG=$(find "$PREFIX" -name stockcastConfig.cmake -print -quit)
test -n "$CONFIG" || fail "no stockcastConfig.cmake installed"
PKGDIR=$(dirname "$CONFIG")
for f in stockcastConfigVersion.cmake stockcastTargets.cmake; do
  test -f "$PKGDIR/$f" || fail "$f not installed next to stockcastConfig.cmake"
done
# Private headers and build-tree paths must not leak into the package.
if grep -rq "$BUILD_DIR\|/src/" "$PKGDIR"; then
  grep -rn "$BUILD_DIR\|/src/" "$PKGDIR" >&2
  fail "the installed package refers to the build or source tree"
fi
if grep -rlq "sqlite3.h" "$PREFIX/include"; then
  fail "a public header includes sqlite3.h"
fi

echo "== bin/stockcast --version"
VERSION=$(sed -n 's/^#define STOCKCAST_VERSION "\(.*\)"$/\1/p' "$PREFIX/include/stockcast/version.h")
test -n "$VERSION" || fail "no STOCKCAST_VERSION in the installed version.h"
GOT=$("$PREFIX/bin/stockcast" --version) || fail "bin/stockcast --version exited $?"
[ "$GOT" = "$VERSION" ] || fail "bin/stockcast --version printed '$GOT', expected '$VERSION'"
"$PREFIX/bin/stockcast" models >/dev/null || fail "installed bin/stockcast models failed"

# Built with LibTorch: the module is installed, and the installed binary loads that copy (found
# from its own path, <prefix>/bin/../<libdir>/stockcast/), not the build tree's.
if [ -f "$BUILD_DIR/lib/libstockcast_torch.so" ]; then
  echo "== the installed binary loads the installed LibTorch module"
  MODULE=$(find "$PREFIX" -name libstockcast_torch.so -print -quit)
  test -n "$MODULE" || fail "libstockcast_torch.so is not installed"
  MODULE=$(realpath "$MODULE")
  printf 'series_id,period,value\n' >"$TMP/series.csv"
  for t in $(seq 1 40); do echo "A,$t,$((t % 7))" >>"$TMP/series.csv"; done
  LD_DEBUG=files "$PREFIX/bin/stockcast" train --model lstm:hidden=2,epochs=1,context=7 \
    --season-length 7 --series "$TMP/series.csv" --out "$TMP/lstm.model" >"$TMP/train.out" 2>"$TMP/ld.log" || {
    grep -v "^ *[0-9]*:" "$TMP/ld.log" >&2
    fail "installed bin/stockcast train --model lstm failed"
  }
  grep -q "file=$MODULE \[0\]; *dynamically loaded" "$TMP/ld.log" ||
    fail "bin/stockcast did not load $MODULE: $(grep libstockcast_torch "$TMP/ld.log" | head -3)"
  echo "   loaded $MODULE"
fi

echo "== configure and build the consumer against $PREFIX"
step configure cmake -S "$CONSUMER_SRC" -B "$TMP/consumer-build" -G Ninja \
  -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_PREFIX_PATH="$PREFIX" \
  -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON
step build cmake --build "$TMP/consumer-build"

# Sanitized libraries: the consumer's link line must carry the sanitizer runtime flags, and
# they must come from the exported targets (the consumer project sets no flags itself).
if grep -q -- "-fsanitize=address" "$PKGDIR/stockcastTargets.cmake"; then
  LINK=$(ninja -C "$TMP/consumer-build" -t commands consumer | tail -1)
  case "$LINK" in
    *-fsanitize=address,undefined*) echo "   consumer links with -fsanitize=address,undefined" ;;
    *) fail "the installed libraries are sanitized but the consumer links without the flags: $LINK" ;;
  esac
  # The project's warning flags (-Werror ...) are for stockcast itself, not its users.
  COMPILE=$(ninja -C "$TMP/consumer-build" -t commands consumer | grep -- ' -c ' | head -1)
  case "$COMPILE" in
    *-Werror*) fail "stockcast's -Werror leaked into the consumer's compile: $COMPILE" ;;
  esac
fi

echo "== run the consumer"
mkdir -p "$TMP/work"
"$TMP/consumer-build/consumer" "$TMP/work" >"$TMP/consumer.out" 2>&1 || {
  cat "$TMP/consumer.out" >&2
  fail "consumer exited $?"
}
cat >"$TMP/expected.out" <<EXPECTED
version $VERSION
date 2024-03-01 weekday 4
csv columns 3 records 2 first sku A,1
store products 1 schema ok
model ok
EXPECTED
if ! diff -u "$TMP/expected.out" "$TMP/consumer.out" >&2; then
  fail "unexpected consumer output"
fi
echo "install test passed"
