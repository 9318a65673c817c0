# SPDX-License-Identifier: MIT
"""Tenant payments: an order through a channel, a signed notify credits once (duplicates and
retries change nothing), a bad signature is refused with 401 and logged, a failed payment or a
wrong amount credits nothing, a tenant cannot pay into another tenant's room."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import unittest

from prepay_platform.app import create_app
from prepay_platform.services import audit

from .support import Fixture

SECRET = b"test-secret"


class BadSignature(Exception):
    pass


class FakeChannel:
    """The PaymentChannel interface with an HMAC-signed notify, as the mock WeChat Pay signs it."""

    def __init__(self):
        self.created = []

    def create(self, order_no, amount_fen, description, notify_url):
        self.created.append((order_no, amount_fen, notify_url))
        return {"order_no": order_no, "code_url": f"weixin://pay/{order_no}"}

    @staticmethod
    def sign(body: bytes) -> dict:
        return {"Wechatpay-Signature": hmac.new(SECRET, body, hashlib.sha256).hexdigest()}

    def verify_notify(self, headers, body):
        got = {k.lower(): v for k, v in headers.items()}.get("wechatpay-signature", "")
        if not hmac.compare_digest(got, hmac.new(SECRET, body, hashlib.sha256).hexdigest()):
            raise BadSignature("wrong signature")
        return json.loads(body)


class PayTest(unittest.TestCase):
    def setUp(self):
        self.f = Fixture()
        self.h1, self.h2 = self.f.open_two()
        self.channel = FakeChannel()
        self.app = create_app({"platform": self.f.p, "secret_key": "t", "pay_channel": self.channel})

    def tearDown(self):
        self.f.close()

    def tenant(self, login):
        c = self.app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
        c.post("/login", data={"login": login, "password": self.f.passwords[login], "csrf_token": token})
        page = c.get(f"/my/rooms/{self.f.room1 if login == 't1' else self.f.room2}").get_data(as_text=True)
        c.token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return c

    def notify(self, body: dict, good=True):
        raw = json.dumps(body).encode()
        headers = self.channel.sign(raw) if good else {"Wechatpay-Signature": "00"}
        return self.app.test_client().post("/pay/notify", data=raw, headers=headers)

    def test_a_paid_order_credits_once_despite_duplicate_notifies(self):
        c = self.tenant("t1")
        r = c.post(f"/my/rooms/{self.f.room1}/pay", data={"amount": "30.00", "csrf_token": c.token})
        self.assertEqual(r.status_code, 200, r.get_data(as_text=True))
        order_no = r.get_json()["order_no"]
        self.assertTrue(self.channel.created[0][2].endswith("/pay/notify"))
        body = {"order_no": order_no, "status": "PAID", "amount_fen": 3000, "transaction_id": "w1"}
        for _ in range(3):
            self.assertEqual(self.notify(body).status_code, 200)
        self.assertEqual(str(self.f.p.money.account(self.h1).balance), "30.00")
        self.assertEqual(self.f.p.db.one("SELECT * FROM pay_orders")["state"], "paid")
        self.assertEqual(self.f.p.money.account(self.h1).recharges, 1)
        # The order is the library's: a counter recharge afterwards takes the next sequence.
        from prepay_platform.services import recharge
        self.assertEqual(recharge.recharge(self.f.p, self.h1, "5.00", "after", "op")["sequence"], 2)
        p = self.f.restart()  # the restart re-runs the order and its notifies: one credit still
        self.assertEqual(str(p.money.account(self.h1).balance), "35.00")
        p.money.verify()

    def test_bad_signature_failed_payment_and_wrong_amount_credit_nothing(self):
        c = self.tenant("t1")
        order_no = c.post(f"/my/rooms/{self.f.room1}/pay",
                          data={"amount": "30.00", "csrf_token": c.token}).get_json()["order_no"]
        self.assertEqual(self.notify({"order_no": order_no, "status": "PAID", "amount_fen": 3000}, good=False)
                         .status_code, 401)
        self.assertIn("pay.notify.rejected", [a["action"] for a in audit.recent(self.f.p.db)])
        self.assertEqual(self.notify({"order_no": order_no, "status": "FAILED", "amount_fen": 3000}).status_code, 200)
        self.assertEqual(self.notify({"order_no": order_no, "status": "PAID", "amount_fen": 1}).status_code, 400)
        self.assertEqual(self.notify({"order_no": "nope", "status": "PAID", "amount_fen": 1}).status_code, 404)
        self.assertEqual(str(self.f.p.money.account(self.h1).balance), "0.00")

    def test_a_tenant_cannot_pay_into_another_room_or_without_a_token(self):
        c = self.tenant("t1")
        self.assertEqual(c.post(f"/my/rooms/{self.f.room2}/pay", data={"amount": "5.00", "csrf_token": c.token})
                         .status_code, 404)
        self.assertEqual(c.post(f"/my/rooms/{self.f.room1}/pay", data={"amount": "5.00"}).status_code, 400)
        self.assertEqual(c.post(f"/my/rooms/{self.f.room1}/pay", data={"amount": "0", "csrf_token": c.token})
                         .status_code, 400)
        self.assertEqual(self.channel.created, [])


if __name__ == "__main__":
    unittest.main()
