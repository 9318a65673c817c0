#!/usr/bin/env bash
# The sharded test of pg_prepay: three local instances on 127.0.0.1 (a
# coordinator and two shards), a readings table partitioned by hash of the
# meter id with one local partition and one foreign partition on each shard
# (postgres_fdw, extensions 'pg_prepay' so the functions ship, async_capable so
# the shards work at once). Checks (coordinator.sql): per-meter bills across the
# shards equal the single-instance bills row for row, and EXPLAIN VERBOSE shows
# the bill aggregate running on the shards (partitionwise aggregation pushed
# down through postgres_fdw). Prints the rows priced per second both ways.
#
#   pg/test/shard/run.sh WORKDIR TESTDIR     (TESTDIR: the staged pg/test with data/)
# Environment: PG_BINDIR (server binaries), PREPAY_PG_RUNNER (the user who runs
# the servers; used through runuser when this script runs as root),
# PREPAY_SHARD_METERS (meters of readings, default 90), PREPAY_SHARD_BENCH=1
# (also run bench.sql: more timings for bench/bench_postgresql.sh).
set -euo pipefail
work=$1
tests=$2
here=$(cd "$(dirname "$0")" && pwd)
bindir=${PG_BINDIR:?}
runner=${PREPAY_PG_RUNNER:-$(id -un)}
as_runner() { if [ "$(id -un)" = "$runner" ]; then "$@"; else runuser -u "$runner" -- "$@"; fi; }

mkdir -p "$work"
chown "$runner" "$work" 2>/dev/null || true
# three free TCP ports on the loopback interface
read -r -a ports <<<"$(python3 -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))
for x in s: x.close()')"

for i in 0 1 2; do
    d=$work/node$i
    as_runner mkdir -p "$d"
    as_runner "$bindir/initdb" -D "$d/data" -A trust -U "$runner" --no-locale -E UTF8 >"$work/initdb$i.log" 2>&1 ||
        { cat "$work/initdb$i.log"; exit 1; }
    cat >>"$d/data/postgresql.conf" <<CONF
port = ${ports[$i]}
listen_addresses = '127.0.0.1'
unix_socket_directories = '$d'
max_connections = 20
shared_buffers = 64MB
work_mem = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_parallel_workers_per_gather = 0
CONF
    as_runner "$bindir/pg_ctl" -D "$d/data" -l "$d/log" -w start >/dev/null
done

psql_node() { # node file-or-command args...
    local node=$1
    shift
    as_runner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${ports[$node]}" -U "$runner" -d postgres "$@"
}

for i in 1 2; do
    psql_node "$i" -v part="readings_p$i" -f "$here/shard.sql"
done
psql_node 0 -v shard1_port="${ports[1]}" -v shard2_port="${ports[2]}" -v user="$runner" \
    -v meters="${PREPAY_SHARD_METERS:-90}" \
    -v load_csv="$tests/data/vectors/nrel/pvsamv1_residential_load.csv" \
    -v tariff="$tests/data/tariffs/guangzhou_residential_tou.json" -f "$here/coordinator.sql"
if [ "${PREPAY_SHARD_BENCH:-0}" = 1 ]; then
    psql_node 0 -v dump="$work/node0/readings.csv" -v flat_tariff="$tests/data/tariffs/beijing_ci_tou_sharp.json" \
        -f "$here/bench.sql"
fi
for i in 0 1 2; do
    as_runner "$bindir/pg_ctl" -D "$work/node$i/data" -m fast -w stop >/dev/null
done
