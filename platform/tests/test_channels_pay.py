# SPDX-License-Identifier: MIT
"""The mock WeChat Pay and its client: a signed notify accepted and credited once although
delivered three times (duplicates), bad / missing / expired signatures rejected, retries on
non-2xx after the schedule, the query API, refunds, and the daily statement read by the
library's own statement parser (prepay_payment_statement_parse); once in process, once over HTTP
on 127.0.0.1."""
import datetime
import json
import threading
import unittest
from decimal import Decimal

from werkzeug.serving import make_server
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from prepay import payment
from prepay import settlement as st
from prepay.tariff import Tariff

from prepay_platform.channels.pay import BadSignature, PaymentChannel
from prepay_platform.channels.pay_mock import MockWeChatPay, MockWeChatPayClient, QuietHandler, http_transport

MCHID, SECRET = "1900000001", b"test-secret"
NOW = 1798761600 + 2 * 3600          # 2027-01-01 02:00 UTC = 10:00 in China
FLAT = ('{"format": "prepay-tariff/1", "name": "flat 0.50", "source": {"notice": "test"}, "bands": ["flat"],'
        ' "prices": {"bands": {"flat": "0.50"}}}')
ORDER_1 = str((16 << 59) | (1 << 32) | 1)     # order_id = 16 << 59 | account << 32 | number (docs/payment.md)
ORDER_2 = str((16 << 59) | (1 << 32) | 2)


class Clock:
    def __init__(self, t):
        self.t = t

    def __call__(self):
        return self.t


class Platform:
    """What the platform does with a notify: verify the signature, then apply it to the payment
    order with the settlement's payment module (prepay.payment.notify: a repeat is a harmless
    duplicate), answer 200; a bad signature gets 401 and changes nothing."""

    def __init__(self, channel):
        self.channel = channel
        self.site = st.Site([Tariff.loads(FLAT)], period_start=datetime.date(2027, 1, 1),
                            period_end=datetime.date(2027, 2, 1), accounts=2, meters=2, postpaid=1)
        self.site.add_account(st.Account(1))
        self.site.open()
        self.received = []
        self.duplicates = 0
        self.rejected = []
        self.fail_next = 0

    def order(self, number, amount_fen, notify_url="http://127.0.0.1/notify"):
        """A payment order in the books (pending credit) and at the channel; returns the order number."""
        info = payment.create(self.site, payment.Order(1, number, Decimal(amount_fen) / 100,
                                                        datetime.datetime(2027, 1, 1, 9),
                                                        datetime.datetime(2027, 1, 2, 9)))
        self.channel.create(str(info.order_id), amount_fen, f"recharge {number}", notify_url)
        return str(info.order_id)

    def handle(self, headers, body):
        if self.fail_next:
            self.fail_next -= 1
            return 503
        try:
            n = self.channel.verify_notify(headers, body)
        except BadSignature as e:
            self.rejected.append(str(e))
            return 401
        self.received.append(n)
        status = {"PAID": payment.ChannelStatus.PAID, "FAILED": payment.ChannelStatus.FAILED}[n["status"]]
        r = payment.notify(self.site, int(n["order_no"]), Decimal(n["amount_fen"]) / 100,
                           datetime.datetime(2027, 1, 1, 10), status)
        self.duplicates += r.duplicate
        return 200


class InProcessTest(unittest.TestCase):
    def setUp(self):
        self.clock = Clock(NOW)
        self.platform = None
        self.mock = MockWeChatPay({MCHID: SECRET}, retry_schedule=(15, 15, 30), clock=self.clock,
                                  transport=lambda url, headers, body: self.platform.handle(headers, body))
        web = Client(self.mock.app)

        def http(method, path, headers, body):
            r = web.open(path, method=method, headers=headers, data=body)
            return r.status_code, r.get_data()

        self.web = web
        self.client = MockWeChatPayClient("http://mock", MCHID, SECRET, http=http, clock=self.clock)
        self.platform = Platform(self.client)

    def test_is_a_payment_channel(self):
        self.assertIsInstance(self.client, PaymentChannel)

    def test_signed_notify_with_duplicates_credits_once(self):
        self.assertEqual(self.platform.order(1, 5000), ORDER_1)
        made = self.client.create(ORDER_1, 5000, "recharge 1", "http://127.0.0.1/notify")     # again: same answer
        self.assertIn(ORDER_1, made["pay_url"])
        self.assertEqual(self.client.query(ORDER_1)["status"], "WAITING")
        self.mock.pay(ORDER_1, "SUCCESS", duplicates=2)
        for _ in range(3):
            self.mock.deliver_due()
        self.assertEqual(len(self.platform.received), 3)             # the same notify three times
        self.assertEqual({n["notify_id"] for n in self.platform.received}.__len__(), 1)
        self.assertEqual(self.platform.duplicates, 2)                # the payment module saw two repeats
        self.assertEqual(payment.lookup(self.platform.site, int(ORDER_1)).state, payment.State.PAID)
        self.assertEqual(self.platform.site.account(1).balance, Decimal("50.00"))   # one credit
        self.assertEqual(self.platform.site.account(1).recharges, 1)
        self.assertEqual(self.mock.pending(), 0)
        q = self.client.query(ORDER_1)
        self.assertEqual((q["status"], q["amount_fen"], q["time"]), ("PAID", 5000, NOW))

    def test_retries_on_non_2xx_after_the_schedule(self):
        self.platform.order(1, 100)
        self.platform.fail_next = 2
        self.mock.pay(ORDER_1)
        self.assertEqual(self.mock.deliver_due(NOW), 1)              # 503
        self.assertEqual(self.mock.deliver_due(NOW + 14), 0)         # not before 15 s
        self.assertEqual(self.mock.deliver_due(NOW + 15), 1)         # 503 again
        self.assertEqual(self.mock.deliver_due(NOW + 29), 0)
        self.assertEqual(self.mock.deliver_due(NOW + 30), 1)         # 200
        self.assertEqual([s for _, s in self.mock.notifies[0].log], [503, 503, 200])
        self.assertEqual(self.mock.pending(), 0)
        self.assertEqual(self.platform.site.account(1).balance, Decimal("1.00"))

    def test_gives_up_after_the_schedule(self):
        self.platform.order(1, 100)
        self.platform.fail_next = 100
        self.mock.pay(ORDER_1)
        t = NOW
        for _ in range(10):
            self.mock.deliver_due(t)
            t += 3600
        self.assertEqual(len(self.mock.notifies[0].log), 4)          # first + 3 retries
        self.assertEqual(self.mock.pending(), 0)

    def test_failed_payment_notify(self):
        self.platform.order(1, 100)
        self.mock.pay(ORDER_1, "PAYERROR")
        self.mock.deliver_due()
        self.assertEqual(self.platform.received[0]["status"], "FAILED")
        self.assertEqual(payment.lookup(self.platform.site, int(ORDER_1)).state, payment.State.VOIDED)
        self.assertEqual(self.platform.site.account(1).balance, Decimal("0.00"))

    def _notify(self):
        self.platform.order(1, 100)
        self.mock.pay(ORDER_1)
        body = self.mock.notifies[0].body
        return self.mock.signed_headers(body), body

    def test_bad_signatures_rejected(self):
        headers, body = self._notify()
        self.assertEqual(self.client.verify_notify(headers, body)["status"], "PAID")
        tampered = body.replace(b'"total": 100', b'"total": 100000')
        self.assertNotEqual(tampered, body)
        cases = {
            "tampered body": (headers, tampered),
            "wrong key": (dict(headers, **{"Wechatpay-Signature": MockWeChatPay({MCHID: b"other"}).signed_headers(
                body, NOW)["Wechatpay-Signature"]}), body),
            "missing signature": ({k: v for k, v in headers.items() if k != "Wechatpay-Signature"}, body),
            "missing timestamp": ({k: v for k, v in headers.items() if k != "Wechatpay-Timestamp"}, body),
            "unknown serial": (dict(headers, **{"Wechatpay-Serial": "OTHER"}), body),
        }
        for name, (h, b) in cases.items():
            with self.subTest(name), self.assertRaises(BadSignature):
                self.client.verify_notify(h, b)
        old = self.mock.signed_headers(body, NOW - 301)               # signed correctly, 301 s ago
        with self.assertRaisesRegex(BadSignature, "expired"):
            self.client.verify_notify(old, body)
        self.clock.t = NOW + 301                                      # or received too late
        with self.assertRaisesRegex(BadSignature, "expired"):
            self.client.verify_notify(headers, body)

    def test_bad_notify_rejected_by_the_platform_and_nothing_credited(self):
        headers, body = self._notify()
        status = self.platform.handle(dict(headers, **{"Wechatpay-Signature": "AAAA"}), body)
        self.assertEqual(status, 401)
        self.assertEqual(len(self.platform.rejected), 1)
        self.assertEqual(self.platform.site.account(1).balance, Decimal("0.00"))

    def test_api_requests_must_be_signed(self):
        r = self.web.get(f"/v3/pay/transactions/out-trade-no/{ORDER_1}?mchid={MCHID}")
        self.assertEqual(r.status_code, 401)
        bad = MockWeChatPayClient("http://mock", MCHID, b"wrong", http=self.client.http, clock=self.clock)
        with self.assertRaises(ValueError):
            bad.create(ORDER_1, 100, "x", "http://127.0.0.1/notify")

    def test_close_unpaid_payment(self):
        self.platform.order(1, 100)
        self.platform.order(2, 200)
        self.client.close(ORDER_1)
        self.assertEqual(self.client.query(ORDER_1)["status"], "FAILED")      # CLOSED
        with self.assertRaises(ValueError):
            self.mock.pay(ORDER_1)                                              # the payer can no longer pay
        self.mock.pay(ORDER_2)
        with self.assertRaisesRegex(ValueError, "ORDERPAID"):
            self.client.close(ORDER_2)
        self.assertEqual(self.mock.pending(), 1)                                # only ORDER_2's notify

    def test_create_conflict_and_unknown_query(self):
        self.client.create(ORDER_1, 100, "x", "http://127.0.0.1/notify")
        self.client.create(ORDER_1, 100, "x", "http://127.0.0.1/notify")      # the same again: fine
        with self.assertRaisesRegex(ValueError, "OUT_TRADE_NO_USED"):
            self.client.create(ORDER_1, 200, "x", "http://127.0.0.1/notify")
        with self.assertRaises(ValueError):
            self.client.create(ORDER_2, 0, "x", "http://127.0.0.1/notify")
        with self.assertRaises(KeyError):
            self.client.query(ORDER_2)

    def test_statement_read_by_the_library_parser(self):
        self.platform.order(1, 5000)
        self.platform.order(2, 2550)
        self.mock.pay(ORDER_1)
        self.clock.t = NOW + 60
        self.mock.pay(ORDER_2)
        self.clock.t = NOW + 120
        self.client.refund(ORDER_1)
        csv = self.client.statement("2027-01-01")
        self.assertEqual(self.client.statement("2027-01-02").count(b"\n"), 1)      # header only
        records = parse_statement(csv)
        # NOW is 2027-01-01 10:00 China Standard Time; prepay_time_t counts local seconds since 2000-01-01
        t10 = int((datetime.datetime(2027, 1, 1, 10) - datetime.datetime(2000, 1, 1)).total_seconds())
        self.assertEqual(records, [(int(ORDER_1), 5000, t10, "PAID"), (int(ORDER_2), 2550, t10 + 60, "PAID"),
                                   (int(ORDER_1), 5000, t10 + 120, "REFUNDED")])
        # reconciled with the books once both notifies are applied (the refund is counted, not compared)
        self.mock.deliver_due()
        rec = payment.reconcile(self.platform.site, payment.parse_statement(csv), datetime.datetime(2027, 1, 1),
                                datetime.datetime(2027, 1, 2))
        outcome = sorted((line.order_id, payment.match_name(line.match)) for line in rec.lines)
        self.assertEqual(outcome, [(int(ORDER_1), "matched"), (int(ORDER_2), "matched")])


def parse_statement(text: bytes):
    """The library's prepay_payment_statement_parse() on the text (prepay.payment.parse_statement)."""
    from prepay import payment
    return [(r.order_id, int(r.amount * 100), int((r.time - datetime.datetime(2000, 1, 1)).total_seconds()),
             r.status.name) for r in payment.parse_statement(text)]


class OverHttpTest(unittest.TestCase):
    """The standalone mock on 127.0.0.1 and a notify receiver on 127.0.0.1."""

    def test_pay_over_http(self):
        mock = MockWeChatPay({MCHID: SECRET}, retry_schedule=(1,))
        server = mock.serve("127.0.0.1", 0, tick=3600)        # deliveries driven by the test
        client = MockWeChatPayClient(f"http://127.0.0.1:{server.port}", MCHID, SECRET)
        platform = Platform(client)
        platform.fail_next = 1

        def receiver(environ, start_response):
            req = Request(environ)
            status = platform.handle(dict(req.headers), req.get_data())
            return Response("", status=status)(environ, start_response)

        hook = make_server("127.0.0.1", 0, receiver, threaded=True, request_handler=QuietHandler)
        threading.Thread(target=hook.serve_forever, daemon=True).start()
        try:
            platform.order(1, 1234, f"http://127.0.0.1:{hook.port}/notify")
            status = http_transport(f"http://127.0.0.1:{server.port}/mock/pay/{ORDER_1}", {},
                                    json.dumps({"result": "SUCCESS", "duplicates": 1}).encode())
            self.assertEqual(status, 200)
            import time
            mock.deliver_due(time.time())           # 503 from the receiver
            mock.deliver_due(time.time() + 1)       # 200
            mock.deliver_due(time.time() + 2)       # the duplicate
            self.assertEqual([s for _, s in mock.notifies[0].log], [503, 200, 200])
            self.assertEqual(platform.site.account(1).balance, Decimal("12.34"))
            self.assertEqual(client.query(ORDER_1)["status"], "PAID")
            self.assertIn(ORDER_1.encode(), client.statement(datetime.datetime.now(
                datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m-%d")))
        finally:
            hook.shutdown()
            server.shutdown()


if __name__ == "__main__":
    unittest.main()
