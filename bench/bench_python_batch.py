#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Batch tariff evaluation through the Python bindings, side by side with C on the same tariff files.

One call per meter prices a year of 15-minute data (35040 intervals) given as three int64 buffers
(array('q')): Tariff.evaluate_arrays(starts, ends, energies). Also shown: the packed single-buffer
call (no copy) and the full Bill object (lines as dataclasses with Decimal money).
Same data as bench_tariff.c and bench_tariff_files.c (xorshift64, 0..399 Wh per quarter hour), CPU
time of the process, best of 3 runs. With the path of bench_tariff_files as second argument, the C
program prices the SAME tariff files with the same data, and every case is compared: C rate,
Python rate, the ratio, and whether the checksums (sum of the bills in fen) are equal -- a
differing checksum is an error (exit status 1). Build a release tree and run:

    meson setup build/python-rel --buildtype=release -Dtests=false -Dpython=enabled
    ninja -C build/python-rel
    PYTHONPATH=build/python-rel/bindings/python python3 bench/bench_python_batch.py 256 \
        build/python-rel/bench/bench_tariff_files

``--smoke`` instead of the meter count runs one meter, one run (CI: tests/bench-smoke).
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


def best_of_3(fn, runs=3):
    best = 1e30
    result = None
    for _ in range(runs):
        t0 = time.process_time()
        result = fn()
        best = min(best, time.process_time() - t0)
    return best, result


CASES = [("annual ladder (Beijing)", "examples/tariffs/beijing_residential_annual.json"),
         ("tou (Beijing C&I sharp)", "examples/tariffs/beijing_ci_tou_sharp.json"),
         ("tou x tier (Guangzhou)", "examples/tariffs/guangzhou_residential_tou.json")]
KINDS = ("3 arrays", "packed", "Bill objects")


def main():
    smoke = len(sys.argv) > 1 and sys.argv[1] == "--smoke"
    meters = 1 if smoke else (int(sys.argv[1]) if len(sys.argv) > 1 else 256)
    runs = 1 if smoke else 3
    starts, ends, per_meter = data(meters)
    n = meters * PER_YEAR
    figures = {}
    for label, path in CASES:
        t = tariff.Tariff.load(ROOT / path)
        buf = t.new_bill_buffer(4096)

        def arrays():
            return sum(t.evaluate_arrays(starts, ends, e, bill_buffer=buf, summary_only=True) for e, _ in per_meter)

        def packed():
            return sum(t.evaluate_packed(p, bill_buffer=buf, summary_only=True) for _, p in per_meter)

        def bills():
            return sum(t.evaluate_arrays(starts, ends, e, bill_buffer=buf).total_fen for e, _ in per_meter)

        for kind, fn in zip(KINDS, (arrays, packed, bills)):
            dt, checksum = best_of_3(fn, runs)
            figures[(label, kind)] = (n / dt / 1e6, checksum)
            print(f"python {label:32s} {kind:12s} {n / dt / 1e6:8.1f} M intervals/s  "
                  f"({meters} meters x {PER_YEAR}, {dt:.3f} s, checksum {checksum})")
    if len(sys.argv) <= 2:
        return 0
    args = [sys.argv[2]] + (["--smoke"] if smoke else [str(meters)]) + [str(ROOT / path) for _, path in CASES]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    print(out, end="")
    c_figures = {}
    for line in out.splitlines():
        m = re.match(r"c (\S+) ([0-9.]+) M intervals/s .* checksum (-?\d+)", line)
        if m:
            c_figures[pathlib.Path(m.group(1)).name] = (float(m.group(2)), int(m.group(3)))
    differ = 0
    for label, path in CASES:
        c_rate, c_sum = c_figures[pathlib.Path(path).name]
        for kind in KINDS:
            rate, checksum = figures[(label, kind)]
            same = "same checksum" if checksum == c_sum else f"CHECKSUM DIFFERS ({checksum} != {c_sum})"
            differ += checksum != c_sum
            print(f"{label:32s} {kind:12s} C {c_rate:8.1f} / Python {rate:8.1f} M intervals/s = "
                  f"{c_rate / rate:5.2f}x  ({same})")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
