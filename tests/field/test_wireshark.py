# SPDX-License-Identifier: MIT
"""The Wireshark dissector (tools/wireshark/dlt645.lua) under tshark against
`prepay dlt645 decode --json`, field for field, on captures made here from
real exchanges with prepay-emu: every prepay meter command's traffic,
recorded by a TCP proxy and written as a pcap of TCP segments (some frames
split across segments, some segments holding several frames), and the same
frames as a serial capture (link type USER0).

usage: test_wireshark.py PREPAY PREPAY_EMU TSHARK
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import fieldlib
from fieldlib import DATA, Emulator, RecordingProxy, meter, run

TOOL = EMU = TSHARK = None
LUA = os.path.join(fieldlib.ROOT, "tools", "wireshark", "dlt645.lua")
GENERATOR = os.path.join(fieldlib.ROOT, "tools", "wireshark", "gen_catalogue.py")


def as_list(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def tshark_frames(path, *options):
    """The dissected DL/T 645 frames of a capture, in order."""
    out = subprocess.run([TSHARK, "-r", path, "-X", "lua_script:" + LUA, "-T", "json", "--no-duplicate-keys"] +
                         list(options),
                         capture_output=True, text=True, timeout=fieldlib.COMMAND_BUDGET)
    if out.returncode != 0:
        raise AssertionError("tshark failed: " + out.stderr)
    frames = []
    for packet in json.loads(out.stdout):
        for layer in as_list(packet["_source"]["layers"].get("dlt645")):
            frames.append(layer)
    return frames


_decoded = {}


def prepay_decode(frames):
    """prepay dlt645 decode --json of many frames at once (one per stdin line)."""
    todo = [f for f in frames if f not in _decoded]
    if todo:
        r = run(TOOL, "dlt645", "decode", "--json", "-", stdin="\n".join(todo) + "\n")
        if r.code != 0:
            raise AssertionError(repr(r))
        lines = r.out.splitlines()
        if len(lines) != len(todo):
            raise AssertionError("prepay decoded %d of %d frames" % (len(lines), len(todo)))
        for hexframe, line in zip(todo, lines):
            _decoded[hexframe] = json.loads(line)
    return _decoded


def compare(test, layer):
    hexframe = layer["dlt645.frame"]
    want = prepay_decode([hexframe])[hexframe]
    got = {
        "address": layer["dlt645.address"],
        "edition": int(layer["dlt645.edition"]),
        "preamble": int(layer["dlt645.preamble"]),
        "control": int(layer["dlt645.control"], 16),
        "function": int(layer["dlt645.function"], 16),
        "function_name": layer["dlt645.function_name"],
        "direction": layer["dlt645.direction"],
        "abnormal": layer["dlt645.abnormal"] == "1",
        "follow_up": layer["dlt645.follow_up"] == "1",
        "length": int(layer["dlt645.length"]),
        "data": layer["dlt645.data"],
    }
    for key, value in got.items():
        test.assertEqual(value, want[key], "%s of %s" % (key, hexframe))
    test.assertEqual(layer.get("dlt645.di"), want.get("di"), "di of " + hexframe)
    if "error" in want:
        test.assertEqual(int(layer["dlt645.error"], 16), want["error"], hexframe)
        test.assertEqual(layer["dlt645.error_text"], want["error_text"], hexframe)
    else:
        test.assertNotIn("dlt645.error", layer, hexframe)
    values = [{"di": v.get("dlt645.value.di"), "name": v["dlt645.value.name"], "value": v["dlt645.value.text"],
               "unit": v["dlt645.value.unit"]} for v in as_list(layer.get("dlt645.value_tree"))]
    expected = [{"di": v.get("di"), "name": v["name"], "value": v["value"], "unit": v["unit"]} for v in want["values"]]
    test.assertEqual(values, expected, hexframe)
    test.assertEqual("dlt645.value_error" in layer, "value_error" in want, hexframe)
    return len(values)


class Dissector(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="prepay-wireshark-")
        emu = Emulator(EMU, os.path.join(DATA, "month.json"), "--bus-port", "0")
        proxy = RecordingProxy(emu.port)
        link = ["--tcp", "127.0.0.1:%d" % proxy.port]
        a = ["--address", "000000000101"]
        commands = [
            a + ["read", "energy", "energy-tariffs", "reverse", "balance", "overdraft", "voltage", "current", "power",
                 "reactive-power", "pf", "frequency", "date", "time", "address", "status3", "purchase-count",
                 "alarm1", "alarm2", "switch-prices", "counts", "nameplate", "9010", "901F", "B611", "B63F", "C010",
                 "C011", "C032", "04010000", "04010001", "04050101", "04060001", "04060101", "0201FF00"],
            a + ["relay", "trip"],
            a + ["relay", "close", "--valid-until", "2027-01-01 00:30"],
            a + ["write", "04001001", "30.00"],
            a + ["freeze"],
            a + ["read", "05010001", "05010101"],
            a + ["events"],
            a + ["recharge", "10.00", "--count", "2"],
            ["time-sync", "--time", "2027-01-01 00:05:00"],
            a + ["push-tariff", os.path.join(DATA, "push_tariff.json")],
            a + ["verify-tariff", os.path.join(DATA, "push_tariff.json")],
            ["--address", "000000000104", "--password", "654321", "write", "04001002", "5.00"],  # refused
        ]
        try:
            for args in commands:
                r = meter(TOOL, link, *args)
                if r.code != 0 and "654321" not in args:
                    raise AssertionError(repr(r))
        finally:
            proxy.stop()
            emu.stop()
        cls.chunks = proxy.chunks
        cls.frames = fieldlib.split_frames(b"".join(c for d, c in cls.chunks if d == 0)) + \
            fieldlib.split_frames(b"".join(c for d, c in cls.chunks if d == 1))

    def test_catalogue_is_current(self):
        r = run(sys.executable, GENERATOR, TOOL, LUA, "--check")
        self.assertEqual(r.code, 0, r)

    def tcp_capture(self, name, split_first):
        # Re-cut the recorded bytes: every other chunk split in two segments
        # (a frame across segments), and runs of replies joined in one.
        segments = []
        for i, (direction, data) in enumerate(self.chunks):
            if i % 2 == 0 and len(data) > 6 and (i > 0 or split_first):
                cut = len(data) // 2
                segments += [(direction, data[:cut]), (direction, data[cut:])]
            elif segments and segments[-1][0] == direction:
                segments[-1] = (direction, segments[-1][1] + data)
            else:
                segments.append((direction, data))
        path = os.path.join(self.work, name)
        fieldlib.write_pcap(path, 1, fieldlib.tcp_packets(segments, meter_port=47012))
        return path

    def check_tcp(self, layers):
        self.assertEqual(len(layers), len(self.frames))
        prepay_decode([layer["dlt645.frame"] for layer in layers])
        with_values = sum(compare(self, layer) for layer in layers)
        self.assertGreater(with_values, 80)
        kinds = {layer["dlt645.function_name"] for layer in layers}
        for name in ["read data", "write data", "relay control", "freeze", "broadcast time"]:
            self.assertIn(name, kinds)
        self.assertTrue(any(layer["dlt645.abnormal"] == "1" for layer in layers))
        self.assertTrue(any(layer["dlt645.edition"] == "1997" for layer in layers))

    def test_tcp_port_capture_agrees_with_prepay_decode(self):
        # "Decode As" the DTU's port: reassembly from the first segment on.
        path = self.tcp_capture("tcp-port.pcap", True)
        self.check_tcp(tshark_frames(path, "-o", "dlt645.tcp_port:47012"))

    def test_tcp_heuristic_capture_agrees_with_prepay_decode(self):
        # Any port: the heuristic finds the protocol at the first frame of the
        # connection (which must start a segment), then reassembles the rest.
        path = self.tcp_capture("tcp-heuristic.pcap", False)
        self.check_tcp(tshark_frames(path))

    def test_serial_capture_agrees_with_prepay_decode(self):
        # One record per frame, and one record holding two frames.
        records = list(self.frames)
        records[0:2] = [records[0] + records[1]]
        path = os.path.join(self.work, "serial.pcap")
        fieldlib.write_pcap(path, 147, records)
        layers = tshark_frames(path)
        self.assertEqual(len(layers), len(self.frames))
        prepay_decode([layer["dlt645.frame"] for layer in layers])
        for layer in layers:
            compare(self, layer)


def main():
    global TOOL, EMU, TSHARK
    TOOL, EMU, TSHARK = sys.argv[1], sys.argv[2], sys.argv[3]
    unittest.main(argv=[sys.argv[0]] + sys.argv[4:], verbosity=2)


if __name__ == "__main__":
    main()
