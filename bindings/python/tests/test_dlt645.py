# SPDX-License-Identifier: MIT
import unittest
from decimal import Decimal

import prepay
from prepay import dlt645
from _vectors import hexbytes, records

ERRORS = {"checksum": prepay.Status.E_DLT645_BAD_CHECKSUM, "length": prepay.Status.E_DLT645_BAD_LENGTH,
          "end": prepay.Status.E_DLT645_BAD_END, "truncated": prepay.Status.E_DLT645_TRUNCATED}


def frames():
    return [r for r in records("dlt645_frames.txt") if r["_section"] == "frame"]


class FrameVectors(unittest.TestCase):
    """Every frame of tests/vectors/dlt645_frames.txt (published third-party frames)."""

    def test_decode_valid_frames(self):
        n = 0
        for r in frames():
            if r.get("valid") != "yes":
                continue
            raw = hexbytes(r["hex"])
            edition = int(r.get("edition", "0") or 0)
            f = dlt645.decode(raw, edition)
            with self.subTest(name=r["name"]):
                self.assertEqual(f.size, len(raw))
                self.assertEqual(str(f.address), r["address"].upper())
                self.assertEqual(f.control, int(r["control"], 16))
                self.assertEqual(f.function, int(r["function"], 16))
                self.assertEqual(f.length, int(r["length"]))
                self.assertEqual(f.data, hexbytes(r.get("data", "")))
                self.assertEqual(f.is_reply, r["direction"] == "reply")
                self.assertEqual(f.abnormal, r.get("abnormal") == "yes")
                self.assertEqual(f.follow_up, r.get("follow_up") == "yes")
                if "preamble" in r:
                    self.assertEqual(f.preamble, int(r["preamble"]))
                if r.get("di"):
                    self.assertEqual(f.di, int(r["di"], 16))
                if r.get("error"):
                    self.assertEqual(f.error, int(r["error"], 16))
                # re-encoding gives the published bytes
                self.assertEqual(f.encode(), raw)
                # any bytes-like input
                self.assertEqual(dlt645.decode(bytearray(raw), edition).data, f.data)
                self.assertEqual(dlt645.decode(memoryview(raw), edition).data, f.data)
            n += 1
        self.assertGreater(n, 60)

    def test_invalid_frames_raise(self):
        n = 0
        for r in frames():
            if r.get("valid") != "no":
                continue
            with self.subTest(name=r["name"]):
                with self.assertRaises(prepay.DLT645Error) as cm:
                    dlt645.decode(hexbytes(r["hex"]))
                self.assertEqual(cm.exception.code, ERRORS[r["expect_error"]])
            n += 1
        self.assertGreater(n, 0)

    def test_truncated(self):
        with self.assertRaises(prepay.DLT645Error) as cm:
            dlt645.decode(b"\x68\x00\x00")
        self.assertEqual(cm.exception.code, prepay.Status.E_DLT645_TRUNCATED)
        with self.assertRaises(prepay.DLT645Error) as cm:
            dlt645.decode(b"\x00\x68")
        self.assertEqual(cm.exception.code, prepay.Status.E_DLT645_NO_START)


class Stream(unittest.TestCase):
    def test_stream_byte_by_byte_with_garbage(self):
        good = [hexbytes(r["hex"]) for r in frames() if r.get("valid") == "yes" and not r.get("edition") == "1997"]
        blob = b"".join(b"\x00\x68\x12" + f for f in good)
        parser = dlt645.StreamParser()
        out = []
        for i in range(len(blob)):
            out.extend(parser.feed(blob[i:i + 1]))
        self.assertEqual(len(out), len(good))
        for f, raw in zip(out, good):
            self.assertEqual(f.encode(), raw.lstrip(b"\xfe") if f.preamble == 0 else f.encode())
        st = parser.stats
        self.assertEqual(st.frames, len(good))
        self.assertEqual(st.bytes_in, len(blob))
        self.assertEqual(st.bytes_in, st.bytes_dropped + st.bytes_framed + st.bytes_pending)

    def test_big_chunk(self):
        raw = hexbytes("FE FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16")
        frames_ = dlt645.decode_all(bytearray(raw * 100))
        self.assertEqual(len(frames_), 100)
        self.assertEqual(frames_[0].function, 0x13)


class Requests(unittest.TestCase):
    def test_read_request_bytes(self):
        # published: FE 68 00 36 19 00 00 00 68 11 04 33 32 34 33 00 16 (plc_log read energy block)
        req = dlt645.read("000000193600", dlt645.DI.FORWARD_ACTIVE_BLOCK).with_preamble(1)
        self.assertEqual(req.encode(), hexbytes("FE 68 00 36 19 00 00 00 68 11 04 33 32 34 33 00 16"))

    def test_read_address_request(self):
        self.assertEqual(dlt645.read_address().with_preamble(1).encode(), hexbytes("FE 68 AA AA AA AA AA AA 68 13 00 DF 16"))

    def test_reply_read(self):
        req = dlt645.read("000000193600", dlt645.DI.FORWARD_ACTIVE_BLOCK)
        reply = dlt645.decode(hexbytes("68 00 36 19 00 00 00 68 91 18 33 32 34 33 63 69 33 33 89 35 33 33 4C 33 33 33 "
                                       "6B 33 33 33 4A 66 33 33 E9 16"))
        rr = dlt645.reply_read(req, reply)
        self.assertEqual(rr.di, dlt645.DI.FORWARD_ACTIVE_BLOCK)
        items = dlt645.decode_block(rr.di, rr.value)
        # 36.30 total = 2.56 + 0.19 + 0.38 + 33.17 (hand-checked in dlt645_values.txt)
        self.assertEqual([str(v.decimal) for v in items], ["36.30", "2.56", "0.19", "0.38", "33.17"])
        self.assertEqual(items[0].quantity, 36300)
        other = dlt645.read("000000193601", dlt645.DI.FORWARD_ACTIVE_BLOCK)
        with self.assertRaises(prepay.DLT645Error) as cm:
            dlt645.reply_read(other, reply)
        self.assertEqual(cm.exception.code, prepay.Status.E_DLT645_ADDRESS_MISMATCH)

    def test_address(self):
        a = dlt645.Address.parse("000000193600")
        self.assertEqual(a.wire, bytes([0x00, 0x36, 0x19, 0, 0, 0]))
        self.assertTrue(dlt645.Address.broadcast().is_broadcast)
        self.assertTrue(dlt645.Address.wildcard().matches(a))
        with self.assertRaises(prepay.DLT645Error) as cm:
            dlt645.Address.parse("12345")
        self.assertEqual(cm.exception.code, prepay.Status.E_DLT645_BAD_ADDRESS)

    def test_relay_control_round_trip(self):
        import datetime
        cred = dlt645.Credentials(2, b"\x00\x00\x00", b"\x01\x02\x03\x04")
        until = datetime.datetime(2025, 1, 1, 12, 0, 0)
        req = dlt645.relay_control("000000193600", cred, prepay.RelayCommand.TRIP, until)
        cmd, when = dlt645.parse_relay_request(dlt645.decode(req.encode()))
        self.assertEqual((cmd, when), (prepay.RelayCommand.TRIP, until))
        with self.assertRaises(prepay.DLT645Error) as cm:
            dlt645.relay_control("000000193600", cred, 0x55, until)
        self.assertEqual(cm.exception.code, prepay.Status.E_DLT645_BAD_RELAY_COMMAND)


STATUS = {"absent": prepay.Status.E_DLT645_ABSENT, "bad_bcd": prepay.Status.E_BAD_BCD,
          "bad_date": prepay.Status.E_BAD_DATE, "bad_time": prepay.Status.E_BAD_TIME,
          "bad_value": prepay.Status.E_DLT645_BAD_VALUE, "bad_weekday": prepay.Status.E_BAD_WEEKDAY,
          "block_di": prepay.Status.E_DLT645_BLOCK_DI, "length": prepay.Status.E_DLT645_VALUE_LENGTH,
          "unknown_di": prepay.Status.E_DLT645_UNKNOWN_DI}


class Values(unittest.TestCase):
    """tests/vectors/dlt645_values.txt: typed values, blocks and names."""

    def test_values(self):
        n = 0
        for r in records("dlt645_values.txt"):
            if r["_section"] != "value" or "data" not in r:
                continue
            di = int(r["di"], 16)
            data = hexbytes(r["data"])
            with self.subTest(di=r["di"], data=r["data"]):
                if r["status"] != "ok":
                    if r["status"] not in STATUS:
                        continue
                    with self.assertRaises(prepay.Error) as cm:
                        dlt645.decode_value(di, data)
                    self.assertEqual(cm.exception.code, STATUS[r["status"]])
                    self.assertIsInstance(cm.exception, prepay.Error)
                else:
                    v = dlt645.decode_value(di, data)
                    if "kind" in r:
                        self.assertEqual(v.kind.name.lower(), r["kind"])
                    if "text" in r:
                        self.assertEqual(v.text, r["text"])
                    if "quantity" in r:
                        self.assertEqual(v.quantity, int(r["quantity"]))
                    self.assertEqual(v.encode(), data)
                n += 1
        self.assertGreater(n, 40)

    def test_blocks(self):
        n = 0
        for r in records("dlt645_values.txt"):
            if r["_section"] != "block" or "items" not in r:
                continue
            items = dlt645.decode_block(int(r["di"], 16), hexbytes(r["data"]))
            with self.subTest(di=r["di"]):
                self.assertEqual([v.text for v in items], r["items"].split(";"))
                if "dis" in r:
                    self.assertEqual([v.di for v in items], [int(x, 16) for x in r["dis"].split(";")])
            n += 1
        self.assertGreater(n, 3)

    def test_names(self):
        n = 0
        for r in records("dlt645_values.txt"):
            if r["_section"] == "name" and "name" in r:
                self.assertEqual(dlt645.item_name(int(r["di"], 16)), r["name"])
                n += 1
        self.assertGreater(n, 5)

    def test_lookup(self):
        item = dlt645.lookup(dlt645.DI.FORWARD_ACTIVE_TOTAL)
        self.assertEqual((item.unit, item.decimals, item.length), (prepay.Unit.KWH, 2, 4))
        with self.assertRaises(prepay.DLT645Error) as cm:
            dlt645.lookup(0xEEEEEEEE)
        self.assertEqual(cm.exception.code, prepay.Status.E_DLT645_UNKNOWN_DI)


if __name__ == "__main__":
    unittest.main()


class FastPaths(unittest.TestCase):
    """Issue 12: lazy frames and values, readings (tuples / records) and batches agree with the rich path."""

    def replies(self):
        return [hexbytes(r["hex"]) for r in frames()
                if r.get("valid") == "yes" and r.get("direction") == "reply" and r.get("abnormal") != "yes"]

    def test_frame_is_lazy_and_immutable(self):
        raw = hexbytes("68 61 01 00 00 00 00 68 91 08 33 33 34 33 59 33 33 33 8A 16")
        f = dlt645.decode(raw)
        self.assertEqual(f.value, bytes([0x26, 0, 0, 0]))
        self.assertEqual(f.edition, prepay.Edition.E2007)
        self.assertIsInstance(f.address, dlt645.Address)
        self.assertEqual(f, dlt645.decode(bytearray(raw)))
        self.assertEqual(f.with_preamble(2).encode(), b"\xfe\xfe" + raw)
        with self.assertRaises(AttributeError):
            f.control = 0x11
        rebuilt = dlt645.Frame.build(f.address, f.control, f.data)
        self.assertEqual(rebuilt.encode(), raw)
        self.assertEqual(rebuilt.value, f.value)

    def test_value_fields_match_c_value(self):
        n = 0
        for raw in self.replies():
            f = dlt645.decode(raw)
            if not f.di_size or f.function not in (0x11, 0x01):
                continue
            try:
                v = dlt645.decode_value(f.di, f.value)
            except prepay.DLT645Error:
                continue
            with self.subTest(di=hex(f.di)):
                c = v._c()  # the C value, decoded again on demand
                self.assertEqual((v.di, int(v.kind), int(v.unit), v.decimals, v.number, v.quantity),
                                 (c.di, c.kind, c.unit, c.decimals, c.number, c.quantity))
                self.assertEqual(v.decimal, Decimal(c.number).scaleb(-c.decimals))
                self.assertEqual(v.name, c.name)
                self.assertTrue(v.text)
                with self.assertRaises(AttributeError):
                    v.number = 1
            n += 1
        self.assertGreater(n, 10)

    def test_reading_equals_frame_then_value(self):
        n = 0
        for raw in self.replies():
            f = dlt645.decode(raw)
            if f.edition != 2007 or f.function != 0x11 or not f.di_size:
                continue
            r = dlt645.decode_reading(raw)
            t = dlt645.decode_reading_tuple(raw)
            self.assertEqual(tuple(r)[:8], t)
            self.assertEqual((r.di, r.size, r.control, r.address), (f.di, f.size, f.control, f.address.wire))
            try:
                v = dlt645.decode_value(f.di, f.value)
            except prepay.DLT645Error as e:
                self.assertEqual(r.status, e.code)
                continue
            with self.subTest(di=hex(f.di)):
                self.assertEqual(r.status, 0)
                self.assertEqual((r.number, r.decimals, r.quantity, r.unit, r.kind),
                                 (v.number, v.decimals, v.quantity, int(v.unit), int(v.kind)))
                self.assertEqual(dlt645.to_decimal(r.number, r.decimals), v.decimal)
            n += 1
        self.assertGreater(n, 8)

    def test_reading_known_answer_and_errors(self):
        # vector sansheng_read_remaining_amount_reply: 198.56 yuan (hand-decoded in dlt645_frames.txt)
        raw = [hexbytes(r["hex"]) for r in frames() if r["name"] == "sansheng_read_remaining_amount_reply"][0]
        r = dlt645.decode_reading(raw)
        self.assertEqual((r.di, r.status, r.quantity, r.unit), (dlt645.DI.REMAINING_AMOUNT, 0, 19856, prepay.Unit.YUAN))
        self.assertEqual(str(dlt645.to_decimal(r.number, r.decimals)), "198.56")
        abnormal = [hexbytes(r["hex"]) for r in frames() if r["name"] == "sansheng_abnormal_reply_no_data"][0]
        a = dlt645.decode_reading(abnormal)
        self.assertEqual((a.status, a.error), (prepay.Status.E_DLT645_ABNORMAL, 0x02))
        with self.assertRaises(prepay.DLT645Error) as cm:
            dlt645.decode_reading(raw[:-1])
        self.assertEqual(cm.exception.code, prepay.Status.E_DLT645_TRUNCATED)
        self.assertEqual(dlt645.check_frame(raw), len(raw))

    def test_batch_equals_single(self):
        replies = self.replies()
        blob = b"".join(replies)
        batch = dlt645.decode_readings(bytearray(blob))
        self.assertEqual((len(batch), batch.used, batch.stop), (len(replies), len(blob), 0))
        for i, raw in enumerate(replies):
            self.assertEqual(batch[i], dlt645.decode_reading(raw))
            self.assertEqual(batch.quantity[i], dlt645.decode_reading(raw).quantity)
        self.assertEqual(list(batch)[-1], batch[-1])
        self.assertEqual(batch.decimal(0), dlt645.to_decimal(batch.number[0], batch.decimals[0]))
        # a truncated tail stops the batch where the tail starts
        cut = dlt645.decode_readings(blob[:-3])
        self.assertEqual((len(cut), cut.used, cut.stop),
                         (len(replies) - 1, len(blob) - len(replies[-1]), prepay.Status.E_DLT645_TRUNCATED))
        self.assertEqual(len(dlt645.decode_readings(blob, max_frames=2)), 2)
        self.assertEqual(len(dlt645.decode_readings(b"")), 0)
        with self.assertRaises(IndexError):
            batch[len(batch)]

    def test_named_dis(self):
        self.assertEqual(dlt645.DI.FORWARD_ACTIVE_TOTAL, 0x00010000)
        self.assertEqual(dlt645.DI.FORWARD_ACTIVE_BLOCK, 0x0001FF00)
        self.assertEqual(dlt645.DI.REMAINING_AMOUNT, 0x00900200)
        self.assertEqual(dlt645.DI.voltage(dlt645.DI.PHASE_A), 0x02010100)
        self.assertEqual(dlt645.DI.TRIP_COUNT, 0x1D000001)
        self.assertEqual(dlt645.DI.energy(dlt645.DI.KIND_FORWARD_ACTIVE, 2, 1), 0x00010201)
