#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""DL/T 645 decoding through the Python bindings, per frame, against pure-Python decoders.

Figures (best of 3 runs, CPU time of the process; ns per frame):
  everyday      dlt645.decode(raw), then decode_value(frame.di, frame.value), then .decimal
  frame only    dlt645.decode(raw) (a Frame; nothing else built)
  reading       dlt645.decode_reading(raw): a Reading record (tuple with names), one C call
  tuple         dlt645.decode_reading_tuple(raw): a plain tuple, one C call
  batch         dlt645.decode_readings(buffer of 4096 frames): one C call (GIL released), arrays
Peers, each decoding the same 20-byte energy reply to its value:
  pure-Python (bench/)  a straightforward pure-Python decoder written here for the comparison
                        (FE skip, both 68, L, sum checksum, 16, minus 0x33, BCD digits, Decimal);
                        it is NOT a third-party library, and says so in every line it prints.
  --peer DIR            a third-party pure-Python DL/T 645 package importable from DIR as
                        `dlt645` exposing read_frame(byte_iterator) -> Frame with .data (hex text,
                        DI last), e.g. gams/python-dlt645 (its get_active_energy() path:
                        read_frame + int(data[:-8]) / 100). Kept outside this repository.

    meson setup build/python-rel --buildtype=release -Dtests=false -Dpython=enabled
    ninja -C build/python-rel
    PYTHONPATH=build/python-rel/bindings/python python3 bench/bench_python_decode.py [--peer DIR]
    ... bench_python_decode.py --smoke      # tiny counts, no figures worth reading (CI)
"""
import sys
import time
from decimal import Decimal

from prepay import dlt645

# Vector legend_read_fwd_active_total_reply (tests/vectors/dlt645_frames.txt): 00010000 = 0.26 kWh.
ENERGY = bytes.fromhex("68 61 01 00 00 00 00 68 91 08 33 33 34 33 59 33 33 33 8A 16")
EXPECT = Decimal("0.26")


class PurePythonDecoder:
    """A straightforward pure-Python DL/T 645-2007 read-reply decoder (the in-repository peer)."""

    @staticmethod
    def decode_energy(raw: bytes) -> Decimal:
        i = 0
        while i < len(raw) and raw[i] == 0xFE:
            i += 1
        f = raw[i:]
        if len(f) < 12 or f[0] != 0x68 or f[7] != 0x68:
            raise ValueError("no frame")
        length = f[9]
        if len(f) < 12 + length or sum(f[:10 + length]) & 0xFF != f[10 + length] or f[11 + length] != 0x16:
            raise ValueError("bad frame")
        data = bytes((b - 0x33) & 0xFF for b in f[10:10 + length])
        di = int.from_bytes(data[:4], "little")
        if di >> 24 != 0 or length != 8:
            raise ValueError("not an energy register")
        number = 0
        for b in reversed(data[4:8]):
            hi, lo = b >> 4, b & 0x0F
            if hi > 9 or lo > 9:
                raise ValueError("bad BCD")
            number = number * 100 + hi * 10 + lo
        return Decimal(number).scaleb(-2)  # XXXXXX.XX kWh


def best(fn, count, runs=3):
    t = 1e30
    for _ in range(runs):
        t0 = time.process_time()
        fn(count)
        t = min(t, time.process_time() - t0)
    return t / count * 1e9


def main():
    smoke = "--smoke" in sys.argv
    peer_dir = sys.argv[sys.argv.index("--peer") + 1] if "--peer" in sys.argv else None
    n = 200 if smoke else 200000
    raw = ENERGY
    f = dlt645.decode(raw)
    assert dlt645.decode_value(f.di, f.value).decimal == EXPECT
    assert dlt645.to_decimal(*dlt645.decode_reading_tuple(raw)[2:4]) == EXPECT
    assert PurePythonDecoder.decode_energy(raw) == EXPECT

    def everyday(k):
        decode, decode_value = dlt645.decode, dlt645.decode_value
        for _ in range(k):
            fr = decode(raw)
            decode_value(fr.di, fr.value).decimal

    def frame_only(k):
        decode = dlt645.decode
        for _ in range(k):
            decode(raw)

    def reading(k):
        decode_reading = dlt645.decode_reading
        for _ in range(k):
            decode_reading(raw)

    def reading_decimal(k):
        decode_reading, to_decimal = dlt645.decode_reading, dlt645.to_decimal
        for _ in range(k):
            r = decode_reading(raw)
            to_decimal(r.number, r.decimals)

    def as_tuple(k):
        decode_reading_tuple = dlt645.decode_reading_tuple
        for _ in range(k):
            decode_reading_tuple(raw)

    batch_frames = 64 if smoke else 4096
    buffer = raw * batch_frames

    def batch(k):
        for _ in range(max(1, k // batch_frames)):
            r = dlt645.decode_readings(buffer)
        assert r.count == batch_frames and r.quantity[batch_frames - 1] == 260

    def pure(k):
        decode = PurePythonDecoder.decode_energy
        for _ in range(k):
            decode(raw)

    rows = [("everyday: decode + decode_value + .decimal", best(everyday, n)),
            ("frame only: decode", best(frame_only, n)),
            ("reading: decode_reading (record)", best(reading, n)),
            ("reading + to_decimal", best(reading_decimal, n)),
            ("tuple: decode_reading_tuple", best(as_tuple, n)),
            (f"batch: decode_readings, {batch_frames} frames per call (per frame)",
             best(batch, max(n, batch_frames)) if True else 0)]
    peers = [("pure-Python decoder written in bench/ (not a third-party library)", best(pure, n))]
    if peer_dir:
        sys.path.insert(0, peer_dir)
        import importlib
        mod = importlib.import_module("dlt645")
        if not hasattr(mod, "read_frame"):
            raise SystemExit(f"--peer {peer_dir}: no dlt645.read_frame")
        frame = mod.read_frame(iter([raw[i:i + 1] for i in range(len(raw))]))
        assert int(frame.data[:-8]) / 100 == 0.26, frame.data

        def third_party(k):
            read_frame = mod.read_frame
            for _ in range(k):
                fr = read_frame(iter([raw[i:i + 1] for i in range(len(raw))]))
                int(fr.data[:-8]) / 100

        peers.append((f"third-party pure-Python package from {peer_dir} (read_frame + int / 100)",
                      best(third_party, max(n // 10, 20))))
    print("libprepay Python DL/T 645 decoding, 20-byte energy reply 00010000 = 0.26 kWh "
          f"(CPU time, best of 3){' -- SMOKE RUN, figures meaningless' if smoke else ''}")
    for label, ns in rows:
        print(f"{label:72s} {ns:9.0f} ns/frame")
    for label, ns in peers:
        print(f"peer {label:67s} {ns:9.0f} ns/frame")
    for label, ns in rows:
        ratios = "  ".join(f"{pns / ns:6.1f}x vs {'bench/ peer' if i == 0 else 'third-party'}"
                           for i, (_, pns) in enumerate(peers))
        print(f"speed-up {label:63s} {ratios}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
