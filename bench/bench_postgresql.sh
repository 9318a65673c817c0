#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Speed of pg_prepay (not part of the test suite's timing):
#   - rows priced per second by prepay_bill (batch aggregate), prepay_bill_stream
#     (streaming aggregate) and prepay_tariff_interval_amount (price per row, sum),
#     on one instance and across two postgres_fdw shards plus a local partition
#     (pg/test/shard: three instances on 127.0.0.1);
#   - COPY ingest rows per second into a plain table and into the partitioned
#     table (two thirds through postgres_fdw), and INSERT ... SELECT through it;
#   - beside them, the C batch figure: prepay_tariff_eval_batch on one meter's
#     year of quarter hours, from the same library objects (pg/test/crosscheck/bill_c.c);
#   - the machine's memcpy bandwidth, for scale.
#
#   bench/bench_postgresql.sh [METERS]     (default 1000 meters x 31 days x 96 = 2 976 000 rows)
# Figures are wall-clock rows / seconds of one statement each, with the three
# servers and the client on one machine: on a shared or small machine they are
# noisy (the shards compete with the coordinator for the same cores).
set -euo pipefail
cd "$(dirname "$0")/.."
meters=${1:-1000}
PG_CONFIG=${PG_CONFIG:-$(ls /usr/lib/postgresql/15/bin/pg_config 2>/dev/null || command -v pg_config)}
bindir=$("$PG_CONFIG" --bindir)
nice -n 10 make -s -C pg -j2 PG_CONFIG="$PG_CONFIG" >/dev/null
make -s -C pg install PG_CONFIG="$PG_CONFIG" >/dev/null

. scripts/pg-runner.sh
pg_runner_setup || { echo "bench_postgresql: cannot create the system user prepay-pg" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pg_prepay_bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/test/data"
cp -r tests/vectors "$work/test/data/vectors"
cp -r examples/tariffs "$work/test/data/tariffs"
chown -R "$runner" "$work" 2>/dev/null || true

# memcpy bandwidth (64 MiB blocks, best of 5)
cat >"$work/memcpy.c" <<'C'
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
int main(void)
{
    size_t n = 64u << 20;
    char *a = malloc(n), *b = malloc(n);
    if (!a || !b) return 1;
    memset(a, 1, n);
    memset(b, 2, n);
    double best = 0;
    for (int r = 0; r < 5; r++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        memcpy(b, a, n);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (n / s > best) best = n / s;
        a[r] = b[r + 1];
    }
    printf("%.1f\n", best / 1e9);
    return b[7] == 9;
}
C
cc -O2 -o "$work/memcpy" "$work/memcpy.c"
memcpy_gbs=$("$work/memcpy")

# the C batch figure: one meter's year of quarter hours (the cross-check's profile), Guangzhou TOU + ladder
cc -std=c11 -O2 -Iinclude pg/test/crosscheck/bill_c.c $(find pg/build/lib -name '*.o' | sort) -ljansson -o "$work/bill_c"
awk 'BEGIN { base = 788918400; for (i = 0; i < 35040; i++) { h = int((i % 96) / 4);
      printf "%d,%d,%d\n", base + 900 * i, base + 900 * (i + 1), (i * 7919) % 300 + (h >= 8 && h <= 21 ? 200 : 0) } }' \
    >"$work/year.csv"
c_batch=$(BILL_C_REPEAT=50 "$work/bill_c" prepay examples/tariffs/guangzhou_residential_tou.json "$work/year.csv" \
          2>&1 >/dev/null | awk '/c_batch_intervals_per_s/ { print $2 }')

out=$(PG_BINDIR="$bindir" PREPAY_PG_RUNNER="$runner" PREPAY_SHARD_METERS="$meters" PREPAY_SHARD_BENCH=1 \
      bash pg/test/shard/run.sh "$work/shard" "$work/test")
echo "$out" | grep -v '^RESULT' | grep -E 'readings:|partitions:|bills:|pushed|runs on' || true
val() { echo "$out" | awk -v k="$1" '$1 == "RESULT" && $2 == k { v = $3 } END { print v }'; }
printf '\npg_prepay speed (%s rows, %s meters x 31 days x 96 quarter hours; Guangzhou TOU + monthly ladder unless said)\n' \
    "$(val rows)" "$(val meters)"
printf '%-62s %14s\n' "what (rows / wall second of one statement)" "rows/s"
printf '%-62s %14s\n' "prepay_bill per meter, one instance" "$(val bill_single_rows_s)"
printf '%-62s %14s\n' "prepay_bill per meter, local + 2 postgres_fdw shards" "$(val bill_sharded_rows_s)"
printf '%-62s %14s\n' "prepay_bill_stream (ORDER BY), one instance" "$(val stream_single_rows_s)"
printf '%-62s %14s\n' "prepay_bill_stream (ORDER BY), local + 2 shards" "$(val stream_sharded_rows_s)"
printf '%-62s %14s\n' "prepay_bill, one-tier plan (Beijing C&I), one instance" "$(val bill_flat_single_rows_s)"
printf '%-62s %14s\n' "sum(prepay_tariff_interval_amount), same plan, one instance" "$(val per_row_single_rows_s)"
printf '%-62s %14s\n' "sum(prepay_tariff_interval_amount), same plan, sharded" "$(val per_row_sharded_rows_s)"
printf '%-62s %14s\n' "count(*) per meter (the scan and grouping alone), one instance" "$(val count_single_rows_s)"
printf '%-62s %14s\n' "C prepay_tariff_eval_batch, one meter-year (35 040 intervals)" "$c_batch"
printf '%-62s %14s\n' "COPY ingest, plain table" "$(val copy_single_rows_s)"
printf '%-62s %14s\n' "COPY ingest, partitioned (2/3 to postgres_fdw shards, row by row)" "$(val copy_sharded_rows_s)"
printf '%-62s %14s\n' "INSERT ... SELECT into the partitioned table (batch_size 1000)" "$(val insert_fdw_rows_s)"
printf 'memcpy bandwidth: %s GB/s (64 MiB, best of 5); cores: %s; %s\n' "$memcpy_gbs" "$(nproc)" "$("$PG_CONFIG" --version)"
