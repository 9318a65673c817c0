#!/usr/bin/env python3
"""Batch tariff evaluation through the Python bindings, against the C figures of bench/bench_tariff.

One call per meter prices a year of 15-minute data (35040 intervals) given as three int64 buffers
(array('q')): Tariff.evaluate_arrays(starts, ends, energies). Also shown: the packed single-buffer
call (no copy) and the full Bill object (lines as dataclasses with Decimal money).
Same data as bench_tariff.c (xorshift64, 0..399 Wh per quarter hour), CPU time of the process,
best of 3 runs. Build a release tree and run both:

    meson setup build/python-rel --buildtype=release -Dtests=false -Dtools=false -Dpython=enabled
    ninja -C build/python-rel
    build/python-rel/bench/bench_tariff 256
    PYTHONPATH=build/python-rel/bindings/python python3 bench/bench_python_batch.py 256 \
        build/python-rel/bench/bench_tariff

With the path of bench_tariff as second argument it is run too (same meters) and the Python figure of
the Beijing annual ladder JSON is compared with C's "tiered (annual ladder)": the same tariff and
the same data (the checksums match). Not registered with meson (run by hand).
"""
import datetime
import pathlib
import re
import subprocess
import sys
import time
from array import array

import prepay
from prepay import tariff

PER_YEAR = 35040
ROOT = pathlib.Path(__file__).resolve().parents[1]


def data(meters):
    rng = 88172645463325252
    mask = (1 << 64) - 1
    start = prepay.to_time(datetime.datetime(2024, 1, 1))
    starts = array("q", range(start, start + 900 * PER_YEAR, 900))
    ends = array("q", range(start + 900, start + 900 * (PER_YEAR + 1), 900))
    out = []
    for _ in range(meters):
        energies = array("q", bytes(8 * PER_YEAR))
        for i in range(PER_YEAR):
            rng ^= (rng << 13) & mask
            rng ^= rng >> 7
            rng ^= (rng << 17) & mask
            energies[i] = rng % 400
        packed = array("q", bytes(24 * PER_YEAR))
        packed[0::3] = starts
        packed[1::3] = ends
        packed[2::3] = energies
        out.append((energies, packed))
    return starts, ends, out


def best_of_3(fn):
    best = 1e30
    result = None
    for _ in range(3):
        t0 = time.process_time()
        result = fn()
        best = min(best, time.process_time() - t0)
    return best, result


def main():
    meters = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    starts, ends, per_meter = data(meters)
    n = meters * PER_YEAR
    cases = [("flat (beijing annual, 1 band)", "examples/tariffs/beijing_residential_annual.json"),
             ("tou (Beijing C&I sharp)", "examples/tariffs/beijing_ci_tou_sharp.json"),
             ("tou x tier (Guangzhou)", "examples/tariffs/guangzhou_residential_tou.json")]
    figures = {}
    for label, path in cases:
        t = tariff.Tariff.load(ROOT / path)
        buf = t.new_bill_buffer(4096)

        def arrays():
            return sum(t.evaluate_arrays(starts, ends, e, bill_buffer=buf, summary_only=True) for e, _ in per_meter)

        def packed():
            return sum(t.evaluate_packed(p, bill_buffer=buf, summary_only=True) for _, p in per_meter)

        def bills():
            return sum(t.evaluate_arrays(starts, ends, e, bill_buffer=buf).total_fen for e, _ in per_meter)

        for kind, fn in (("3 arrays", arrays), ("packed", packed), ("Bill objects", bills)):
            dt, checksum = best_of_3(fn)
            figures[(label, kind)] = (n / dt / 1e6, checksum)
            print(f"python {label:32s} {kind:12s} {n / dt / 1e6:8.1f} M intervals/s  "
                  f"({meters} meters x {PER_YEAR}, {dt:.3f} s, checksum {checksum})")
    if len(sys.argv) > 2:
        out = subprocess.run([sys.argv[2], str(meters)], check=True, capture_output=True, text=True).stdout
        print(out, end="")
        m = re.search(r"tiered \(annual ladder\)\s+([0-9.]+) M intervals/s.*checksum (\d+)", out)
        if m:
            c_rate, c_sum = float(m.group(1)), int(m.group(2))
            for kind in ("3 arrays", "packed", "Bill objects"):
                rate, checksum = figures[(cases[0][0], kind)]
                same = "same checksum" if checksum == c_sum else f"CHECKSUM DIFFERS ({checksum} != {c_sum})"
                print(f"annual ladder: C {c_rate:.1f} / Python {kind} {rate:.1f} M intervals/s = "
                      f"{c_rate / rate:.2f}x ({same})")


if __name__ == "__main__":
    main()
