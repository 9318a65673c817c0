#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Decodes DL/T 645 frames from a capture: hex lines (or a vector file's `hex = ...` lines).

    PYTHONPATH=build/python/bindings/python python3 examples/python/decode_capture.py [capture.txt]

Default capture: tests/vectors/dlt645_frames.txt. Every line's hex bytes go through one stream
parser, so frames split over lines, garbage and false starts are handled like bytes off a wire.
For read replies, the value is decoded through the data-identifier catalogue.
"""
import pathlib
import sys

import prepay
from prepay import dlt645

ROOT = pathlib.Path(__file__).resolve().parents[2]


def hex_lines(path):
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" in line:
            key, _, value = line.partition("=")
            if key.strip() != "hex":
                continue
            line = value
        try:
            yield bytes.fromhex(line.replace(" ", ""))
        except ValueError:
            continue


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else ROOT / "tests/vectors/dlt645_frames.txt"
    parser = dlt645.StreamParser()
    for chunk in hex_lines(path):
        for frame in parser.feed(chunk):
            print(frame)
            if frame.is_reply and not frame.abnormal and frame.di_size == 4 and frame.value:
                try:
                    items = (dlt645.decode_block(frame.di, frame.value) if prepay.c_api.prepay_dlt645_di_is_block(frame.di)
                             else [dlt645.decode_value(frame.di, frame.value)])
                    for v in items:
                        unit = prepay.c_api.prepay_dlt645_unit_symbol(int(v.unit))
                        print(f"    {dlt645.item_name(v.di) if v.di else v.name}: {v.text} {unit}".rstrip())
                except prepay.DLT645Error as e:
                    print(f"    ({e.strerror})")
            elif frame.abnormal:
                print(f"    abnormal reply, error byte 0x{frame.error:02X}")
    st = parser.stats
    print(f"{st.frames} frames, {st.bytes_in} bytes in, {st.bytes_dropped} dropped")


if __name__ == "__main__":
    main()
