# SPDX-License-Identifier: MIT
"""prepay.dtu: DTU registration and heartbeat patterns over prepay_dtu_format_parse() / prepay_dtu_match()."""
import unittest

import prepay
from prepay.dtu import HEARTBEAT, REGISTRATION, DtuFormat, DtuPacket, DtuPattern


class Patterns(unittest.TestCase):
    def test_prefix_id_at_the_end_needs_complete(self):
        p = DtuPattern("prefix:REG:")
        self.assertTrue(p.has_id)
        self.assertIsNone(p.match(b"REG:DTU0042"))             # more id bytes may follow
        self.assertEqual(p.match(b"REG:DTU0042", complete=True), DtuPacket(REGISTRATION, "DTU0042", 11))
        self.assertIsNone(p.match(b"RE"))                       # a beginning
        # the id ends at the first non-printable byte: the rest is the bus
        self.assertEqual(p.match(b"REG:A1\xfe\xfe\x68").length, 6)

    def test_binary_pattern(self):
        p = DtuPattern("pattern:7B 01 00 16 {id:11} 7B")
        packet = p.match(bytes.fromhex("7B010016") + b"13800000000" + b"\x7b" + b"\x68rest")
        self.assertEqual((packet.id, packet.length), ("13800000000", 16))
        hexid = DtuPattern("pattern:'ID' {idhex:4}").match(b"ID\x01\x02\xab\xcd")
        self.assertEqual((hexid.id, hexid.id_hex), ("0102ABCD", True))

    def test_bad_patterns_raise_transport_error(self):
        for text in ("", "regex:.*", "pattern:", "pattern:ZZ", "pattern:{id:4} {id:4}", "pattern:{id:0}",
                     "pattern:{id:33}", "pattern:{id:1-4} ??"):
            with self.subTest(text=text):
                with self.assertRaises(prepay.TransportError) as cm:
                    DtuPattern(text)
                self.assertEqual(cm.exception.code, prepay.Status.E_TRANSPORT_BAD_FORMAT)
                self.assertIsInstance(cm.exception, ValueError)
        with self.assertRaises(TypeError):
            DtuPattern(b"prefix:REG:")

    def test_non_matching_bytes(self):
        p = DtuPattern("prefix:REG:")
        for data in (b"XYZ", b"REG:", b"REG:\x00abc", b"\x68\x01\x02"):
            with self.subTest(data=data):
                with self.assertRaises(prepay.TransportError) as cm:
                    p.match(data, complete=True)
                self.assertEqual(cm.exception.code, prepay.Status.E_TRANSPORT_NO_MATCH)
        with self.assertRaises(prepay.TransportError):
            p.match(b"XYZ")                                     # wrong from the first byte: no waiting


class Formats(unittest.TestCase):
    def setUp(self):
        self.fmt = DtuFormat("prefix:REG:", "pattern:'HB' {id:1-32}")

    def test_registration_and_heartbeat(self):
        self.assertEqual(self.fmt.match(b"REG:DTU7", complete=True), DtuPacket(REGISTRATION, "DTU7", 8))
        hb = self.fmt.match(b"HBDTU7", complete=True)
        self.assertEqual((hb.kind, hb.id), (HEARTBEAT, "DTU7"))
        self.assertEqual(DtuFormat("prefix:REG:", "pattern:'HB'").match(b"HB").kind, HEARTBEAT)

    def test_more_needed_and_no_match(self):
        self.assertIsNone(self.fmt.match(b"H"))
        self.assertIsNone(self.fmt.match(b"REG:D"))
        with self.assertRaises(prepay.TransportError) as cm:
            self.fmt.match(b"\xfe\xfe\x68", complete=True)
        self.assertEqual(cm.exception.code, prepay.Status.E_TRANSPORT_NO_MATCH)
        with self.assertRaises(ValueError):
            self.fmt.match(b"nothing")

    def test_without_heartbeat(self):
        fmt = DtuFormat("prefix:REG:")
        self.assertIsNone(fmt.heartbeat)
        with self.assertRaises(prepay.TransportError):
            fmt.match(b"HB", complete=True)

    def test_registration_needs_an_id(self):
        with self.assertRaises(prepay.TransportError) as cm:
            DtuFormat("pattern:'REG'")
        self.assertEqual(cm.exception.code, prepay.Status.E_TRANSPORT_BAD_FORMAT)
        with self.assertRaises(prepay.TransportError):
            DtuFormat("prefix:REG:", "pattern:??? ")            # a bad heartbeat pattern too


if __name__ == "__main__":
    unittest.main()
