#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tests pg_prepay, the PostgreSQL 15 extension in pg/, on temporary servers
# that it starts itself; it never touches a system cluster.
#
#   scripts/test-postgresql.sh [regress|isolation|shard|all]...   (default: all)
#
# 1. builds pg/ with PGXS and installs it into the packaged server's lib and
#    share/extension directories (as root; otherwise they must be writable);
# 2. runs every server as an unprivileged user (initdb and pg_ctl refuse
#    root): the system user prepay-pg, created if missing, when run as root;
#    the caller otherwise. Data directories and sockets live in one temporary
#    directory that is removed at the end (PREPAY_PG_KEEP=1 keeps it);
# 3. suites:
#    regress    pg_regress --temp-instance: pg/test/schedule (upgrade, tariff,
#               parallel and partitionwise bills, SQL == C on every tariff
#               example, DL/T 645, allocation, wallet, ledger, reports, errors)
#               on the C test vectors of tests/vectors;
#    isolation  pg_isolation_regress --temp-instance: pg/test/isolation (the
#               same recharge posted by two sessions at once applies once; a
#               settlement run racing a recharge keeps the books balanced);
#    shard      three instances on 127.0.0.1: a readings table hash-partitioned
#               by meter with two partitions on two shards through postgres_fdw
#               (extensions 'pg_prepay'); per-meter bills across the shards
#               equal the single-instance bills row for row, and EXPLAIN
#               VERBOSE shows the aggregate running on the shards
#               (pg/test/shard/*.sql).
# Prints "pg: N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(all)
want() { local s; for s in "${suites[@]}"; do [ "$s" = all ] || [ "$s" = "$1" ] && return 0; done; return 1; }

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "pg: ok - $*"; }
bad() { failed=$((failed + 1)); echo "pg: FAILED - $*"; }
finish() {
    echo "pg: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

bash scripts/install-deps.sh || { bad "install-deps"; finish; }

PG_CONFIG=${PG_CONFIG:-$(ls /usr/lib/postgresql/15/bin/pg_config 2>/dev/null || command -v pg_config)}
bindir=$("$PG_CONFIG" --bindir)
pgxs=$(dirname "$("$PG_CONFIG" --pgxs)")/..
pg_regress=$pgxs/test/regress/pg_regress
pg_isolation_regress=$pgxs/test/isolation/pg_isolation_regress

# ---- build and install -----------------------------------------------------------------------
echo "=== pg: build and install pg_prepay ($("$PG_CONFIG" --version))"
if ! nice -n 10 make -s -C pg -j2 PG_CONFIG="$PG_CONFIG" PG_CFLAGS_EXTRA=-Werror >/tmp/pg_prepay_build.$$ 2>&1 ||
   ! make -s -C pg install PG_CONFIG="$PG_CONFIG" >>/tmp/pg_prepay_build.$$ 2>&1; then
    tail -40 /tmp/pg_prepay_build.$$
    rm -f /tmp/pg_prepay_build.$$
    bad "build and install"
    finish
fi
if grep -E "warning:" /tmp/pg_prepay_build.$$; then
    bad "build has warnings"
fi
rm -f /tmp/pg_prepay_build.$$
ok "build and install"

# ---- who runs the servers, and where ------------------------------------------------------------
. scripts/pg-runner.sh
pg_runner_setup || { bad "cannot create the system user prepay-pg"; finish; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pg_prepay_test.XXXXXX")
chmod 755 "$work"
cleanup() {
    local d
    for d in "$work"/shard/node*; do
        [ -f "$d/data/postmaster.pid" ] && as_runner "$bindir/pg_ctl" -D "$d/data" -m immediate stop >/dev/null 2>&1
    done
    if [ "${PREPAY_PG_KEEP:-0}" = 1 ]; then echo "pg: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The suites' inputs, with the vectors and example tariffs they read, copied
# where the server user can read them (a checkout under /root is not).
mkdir -p "$work/test/data"
cp -r pg/test/. "$work/test/"
cp -r tests/vectors "$work/test/data/vectors"
cp -r examples/tariffs "$work/test/data/tariffs"
# The C side of the SQL == C cross-check, linked from the extension's own library objects.
if ! cc -std=c11 -O2 -Wall -Wextra -Werror -Iinclude pg/test/crosscheck/bill_c.c $(find pg/build/lib -name '*.o' | sort) \
        -ljansson -o "$work/test/bill_c"; then
    bad "build the C side of the cross-check"
fi
chown -R "$runner" "$work" 2>/dev/null || true

# Runs a pg_regress-style driver; shows the diffs on failure.
run_regress() { # name driver args...
    local name=$1 driver=$2 out=$work/out-$1
    shift 2
    mkdir -p "$out"
    chown "$runner" "$out" 2>/dev/null || true
    echo "=== pg: $name"
    if (cd "$work" && as_runner "$driver" --bindir="$bindir" --outputdir="$out" --temp-instance="$work/tmp-$name" \
            --no-locale --encoding=UTF8 "$@"); then
        ok "$name"
    else
        [ -f "$out/regression.diffs" ] && head -200 "$out/regression.diffs"
        bad "$name"
    fi
}

if want regress; then
    run_regress regress "$pg_regress" --inputdir="$work/test" --schedule="$work/test/schedule" \
        --temp-config="$work/test/regress.conf"
fi
if want isolation; then
    run_regress isolation "$pg_isolation_regress" --inputdir="$work/test/isolation" --load-extension=pg_prepay \
        --schedule="$work/test/isolation/schedule"
fi
if want shard; then
    echo "=== pg: shard (three instances, postgres_fdw)"
    if PG_BINDIR="$bindir" PREPAY_PG_RUNNER="$runner" bash pg/test/shard/run.sh "$work/shard" "$work/test"; then
        ok "shard"
    else
        bad "shard"
    fi
fi
finish
