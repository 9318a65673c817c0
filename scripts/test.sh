#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every test of libprepay (the README's test command):
#   - the cmocka suites and every fuzz-corpus replay, built with gcc under
#     ASan + UBSan (the default test build),
#   - the same with clang,
#   - the same suite with the firmware configuration (small tables,
#     PREPAY_NO_STRERROR) on the host,
#   - an optimised build without sanitizers (gcc -O3) running the suite
#     again with the Python bindings' unittest suite, an install check, and a
#     clang -O3 build,
#   - the Python bindings built for and tested with Debian's /usr/bin/python3
#     in the release build, and again for the python3 on PATH if it differs
#     (a pyenv python3 first on PATH is another interpreter),
#   - the firmware profile: the core cross-built for Cortex-M4 and checked
#     for soft-float, heap and stdio symbols, with flash/RAM per module,
#   - Doxygen over the public headers, failing on any undocumented symbol,
#   - pg_prepay, the PostgreSQL 15 extension: pg_regress, isolation and a
#     three-instance sharded test on temporary servers (scripts/test-postgresql.sh),
#   - the reference platform (platform/): its API tests over SQLite and over a
#     temporary PostgreSQL server, and its headless-chromium browser tests
#     (scripts/test-platform.sh).
# The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
failures=()

step() { # name command...
  local name=$1; shift
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); failures+=("$name")
  fi
}

# Runs meson test in a build dir and adds its per-test counts.
suite() { # name builddir setup-args...
  local name=$1 dir=$2; shift 2
  echo "=== $name: configure and build ($dir)"
  if ! { [ -d "$dir" ] && meson setup --reconfigure "$dir" "$@" >/dev/null 2>&1 || meson setup --wipe "$dir" "$@" >/dev/null 2>&1 || meson setup "$dir" "$@"; } \
     || ! ninja -C "$dir"; then
    failed=$((failed + 1)); failures+=("$name: build")
    return
  fi
  local log; log=$(mktemp)
  meson test -C "$dir" --print-errorlogs --num-processes 2 2>&1 | tee "$log" | grep -vE '^\s*[0-9]+/[0-9]+ .* OK ' || true
  local ok fail timeout
  ok=$(awk '/^Ok:/{print $2}' "$log"); fail=$(awk '/^Fail:/{print $2}' "$log")
  timeout=$(awk '/^Timeout:/{print $2}' "$log")
  ok=${ok:-0}; fail=${fail:-0}; timeout=${timeout:-0}
  if [ "$ok" -eq 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
  passed=$((passed + ok)); failed=$((failed + fail + timeout))
  [ $((fail + timeout)) -eq 0 ] || failures+=("$name: $((fail + timeout)) test(s)")
  rm -f "$log"
}

sanitize=(-Db_sanitize=address,undefined -Db_lundef=false)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

suite "gcc + ASan/UBSan" build/test-gcc "${sanitize[@]}"
CC=clang suite "clang + ASan/UBSan" build/test-clang "${sanitize[@]}"
suite "firmware config on host" build/test-minimal -Dconfig_file=../cross/firmware_config.h \
  -Dtools=false -Dbench=false "${sanitize[@]}"
# Optimised builds without sanitizers: -O3 finds warnings the sanitized
# builds do not (maybe-uninitialized); the Python bindings are built and
# tested here (a sanitized extension cannot be loaded by a plain python); and
# the install check links a program against the installed plain library.
# The bindings here are built for Debian's /usr/bin/python3 when present (the
# install check imports the installed package with it); the clang release
# build below keeps building them for the python3 on PATH.
release_py=()
[ -x /usr/bin/python3 ] && release_py=(-Dpython_interpreter=/usr/bin/python3)
suite "gcc release (-O3, no sanitizers, Python bindings)" build/release-gcc --buildtype=release "${release_py[@]}"
step "install, pkg-config and exported symbols" scripts/check-install.sh build/release-gcc
# The bindings again for the python3 first on PATH when it is another
# interpreter than Debian's (a pyenv python here; on a plain Debian machine it
# is /usr/bin/python3 itself and this suite is not needed).
path_py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true)
if [ -n "$path_py" ] && [ -x /usr/bin/python3 ] && [ "$(readlink -f "$path_py")" != "$(readlink -f /usr/bin/python3)" ]; then
  suite "Python bindings with the python3 on PATH ($path_py)" build/python-path --buildtype=release \
    -Dtests=false -Dtools=false -Dbench=false -Dpython=enabled -Dpython_interpreter="$path_py"
fi
echo "=== clang release build (-O3, -Werror) (build/release-clang)"
if { [ -d build/release-clang ] || CC=clang meson setup build/release-clang --buildtype=release >/dev/null; } \
   && ninja -C build/release-clang >build/release-clang.log 2>&1; then
  passed=$((passed + 1))
else
  tail -30 build/release-clang.log 2>/dev/null
  failed=$((failed + 1)); failures+=("clang release build")
fi
step "firmware profile (Cortex-M4)" scripts/firmware-profile.sh build/firmware
step "doxygen (no undocumented public symbol)" doxygen docs/Doxyfile
step "SPDX licence identifier in every source file" python3 scripts/spdx.py --check
step "PostgreSQL: pg_regress suites (pg_prepay)" scripts/test-postgresql.sh regress
step "PostgreSQL: isolation (concurrent postings)" scripts/test-postgresql.sh isolation
step "PostgreSQL: three instances, postgres_fdw shards" scripts/test-postgresql.sh shard
step "platform: API tests over SQLite" scripts/test-platform.sh sqlite
step "platform: API tests over PostgreSQL" scripts/test-platform.sh postgresql
step "platform: browser tests (headless chromium)" scripts/test-platform.sh browser

if [ ${#failures[@]} -gt 0 ]; then
  echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
