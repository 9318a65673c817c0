#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tests the reference platform (platform/, docs/platform.md) with Debian's /usr/bin/python3:
#
#   scripts/test-platform.sh [sqlite|postgresql|browser]...   (default: all three)
#
#   sqlite      the unittest suite platform/tests/test_*.py over temporary SQLite databases;
#   postgresql  the same suite over a temporary PostgreSQL 15 instance started here on
#               127.0.0.1 and run as an unprivileged user (prepay-pg, created if missing, when
#               run as root; as scripts/test-postgresql.sh does), removed at the end;
#   browser     platform/tests/browser with headless chromium + chromedriver (selenium);
#               screenshots are kept in build/platform-test/ as artefacts.
# Needs the Python bindings built for /usr/bin/python3: PREPAY_BUILD (default
# build/release-gcc, which scripts/test.sh builds that way; configured here if missing).
# Prints "platform: N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(sqlite postgresql browser)
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "platform: ok - $*"; }
bad() { failed=$((failed + 1)); echo "platform: FAILED - $*"; }
finish() { echo "platform: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

build=${PREPAY_BUILD:-build/release-gcc}
case $build in /*) ;; *) build="$root/$build" ;; esac
export PREPAY_BUILD="$build"  # absolute: the suites run from platform/ and find the tools through it
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release -Dpython_interpreter=/usr/bin/python3 >/dev/null || { bad "configure $build"; finish; }
fi
nice -n 10 ninja -C "$build" >"$build/platform-build.log" 2>&1 || { tail -30 "$build/platform-build.log"; bad "build"; finish; }
export PYTHONPATH="$root/platform:$build/bindings/python"
export PREPAY_PLATFORM_ARTEFACTS="$root/build/platform-test"
export PREPAY_EMU="$build/tools/prepay-emu/prepay-emu"  # the browser test's meters, with plat-field's station


run_unittest() { # name discover-args... ; env from the caller
  local name=$1; shift
  echo "=== platform: $name"
  local log; log=$(mktemp)
  (cd platform && /usr/bin/python3 -m unittest "$@") >"$log" 2>&1
  local rc=$?
  grep -E "^(Ran|OK|FAILED)|^(ERROR|FAIL):" "$log"
  if [ $rc -eq 0 ]; then ok "$name"; else tail -60 "$log"; bad "$name"; fi
  rm -f "$log"
}

for part in "${parts[@]}"; do
  case $part in
    sqlite)
      run_unittest "API tests over SQLite" discover -s tests -p 'test_*.py' -t . ;;
    browser)
      PREPAY_PLATFORM_BROWSER=1 run_unittest "browser tests (headless chromium)" tests.browser.test_browser ;;
    postgresql)
      pg_config=$(ls /usr/lib/postgresql/15/bin/pg_config 2>/dev/null || command -v pg_config)
      bindir=$("$pg_config" --bindir)
      . scripts/pg-runner.sh
      pg_runner_setup || { bad "cannot create the system user prepay-pg"; continue; }
      work=$(mktemp -d "${TMPDIR:-/tmp}/prepay_platform_pg.XXXXXX")
      chmod 755 "$work"
      chown "$runner" "$work" 2>/dev/null || true
      pgport=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      if as_runner "$bindir/initdb" -D "$work/data" -A trust -U "$runner" --no-locale -E UTF8 >"$work/initdb.log" 2>&1 &&
         as_runner "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
           -o "-c listen_addresses=127.0.0.1 -p $pgport -k $work -c fsync=off" start >/dev/null &&
         as_runner "$bindir/createdb" -h 127.0.0.1 -p "$pgport" -U "$runner" platform; then
        PREPAY_PLATFORM_PG="postgresql://$runner@127.0.0.1:$pgport/platform" \
          run_unittest "API tests over PostgreSQL" discover -s tests -p 'test_*.py' -t .
      else
        cat "$work"/*.log 2>/dev/null | tail -20
        bad "start a temporary PostgreSQL instance"
      fi
      [ -f "$work/data/postmaster.pid" ] && as_runner "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1
      rm -rf "$work" ;;
    *) echo "platform: unknown part $part (sqlite, postgresql, browser)"; exit 2 ;;
  esac
done
finish
