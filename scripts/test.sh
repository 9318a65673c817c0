#!/usr/bin/env bash
# Runs every test of libprepay (the README's test command):
#   - the cmocka suites and every fuzz-corpus replay, built with gcc under
#     ASan + UBSan (the default test build),
#   - the same with clang,
#   - the same suite with the firmware configuration (small tables,
#     PREPAY_NO_STRERROR) on the host,
#   - the firmware profile: the core cross-built for Cortex-M4 and checked
#     for soft-float, heap and stdio symbols, with flash/RAM per module,
#   - Doxygen over the public headers, failing on any undocumented symbol.
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
echo "=== plain build for the install check (build/install-check)"
if { [ -d build/install-check ] || meson setup build/install-check -Dtests=false -Dbench=false >/dev/null; } \
   && ninja -C build/install-check >/dev/null; then
  step "install, pkg-config and exported symbols" scripts/check-install.sh build/install-check
else
  failed=$((failed + 1)); failures+=("install-check build")
fi
step "firmware profile (Cortex-M4)" scripts/firmware-profile.sh build/firmware
step "doxygen (no undocumented public symbol)" doxygen docs/Doxyfile

if [ ${#failures[@]} -gt 0 ]; then
  echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
