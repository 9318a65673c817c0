# SPDX-License-Identifier: MIT
"""Refunds: finance/admin only, CSRF, bounded by the refundable balance with a clear message and no
change, idempotent by request key, replayed at restart without a second refund, paid orders refunded
through the channel once (a channel that is down leaves the refund booked; the same key retries),
shown on the room page and in finance's order overview, audited."""
from __future__ import annotations

import json
import re
import unittest

from prepay_platform.app import create_app
from prepay_platform.services import audit, recharge

from .support import Fixture
from .test_pay import FakeChannel


class RefundChannel(FakeChannel):
    def __init__(self):
        super().__init__()
        self.refunded, self.down = [], False

    def refund(self, order_no):
        if self.down:
            raise ConnectionError("channel unreachable")
        self.refunded.append(order_no)
        return {"out_trade_no": order_no, "status": "SUCCESS"}


class RefundTest(unittest.TestCase):
    def setUp(self):
        self.f = Fixture()
        self.h1, self.h2 = self.f.open_two()
        self.channel = RefundChannel()
        self.app = create_app({"platform": self.f.p, "secret_key": "t", "pay_channel": self.channel})
        recharge.recharge(self.f.p, self.h1, "50.00", "r1", "op")

    def tearDown(self):
        self.f.close()

    def api(self, login):
        c = self.app.test_client()
        r = c.post("/api/login", json={"login": login, "password": self.f.passwords[login]})
        c.token = r.get_json()["csrf_token"]
        return c

    def refund(self, c, hid, body):
        return c.post(f"/api/households/{hid}/refund", json=body, headers={"X-CSRF-Token": c.token})

    def balance(self, hid=None):
        return str(self.f.p.money.account(hid or self.h1).balance)

    def inputs(self):
        return self.f.p.db.scalar("SELECT COUNT(*) FROM site_inputs")

    def test_counter_refund_is_idempotent_audited_and_survives_a_restart(self):
        c = self.api("fin")
        r = self.refund(c, self.h1, {"amount": "12.30", "request_key": "k1", "reason": "moved out"})
        self.assertEqual(r.status_code, 201, r.get_json())
        self.assertEqual((r.get_json()["state"], r.get_json()["sequence"]), ("paid", 1))
        self.assertEqual(self.balance(), "37.70")
        again = self.refund(c, self.h1, {"amount": "12.30", "request_key": "k1"})
        self.assertEqual(again.status_code, 200)
        self.assertTrue(again.get_json()["repeat"])
        self.assertEqual(self.balance(), "37.70")
        self.assertEqual(self.f.p.money.account(self.h1).refunds, 1)
        self.assertIn("refund", [a["action"] for a in audit.recent(self.f.p.db)])
        p = self.f.restart()
        self.assertEqual(str(p.money.account(self.h1).balance), "37.70")
        self.assertEqual(str(p.money.account(self.h1).refunded), "12.30")
        p.money.verify()
        app = create_app({"platform": p, "secret_key": "t"})
        c = app.test_client()
        c.post("/api/login", json={"login": "fin", "password": self.f.passwords["fin"]})
        self.assertIn("moved out", c.get("/finance").get_data(as_text=True))
        self.assertEqual(len(c.get("/api/refunds").get_json()), 1)

    def test_bad_input_is_refused_with_a_message_and_changes_nothing(self):
        c = self.api("admin")
        before = self.inputs()
        for body, word in (({"amount": "50.01", "request_key": "a"}, "refundable"),
                           ({"amount": "-1", "request_key": "a"}, "amount"),
                           ({"amount": "abc", "request_key": "a"}, "amount"),
                           ({"amount": "1.00"}, "request key"),
                           ({"amount": "1.00", "request_key": "a", "order_no": "nope"}, "order"),
                           ({"amount": "1.00", "request_key": "a", "reason": "x" * 201}, "reason")):
            r = self.refund(c, self.h1, body)
            self.assertEqual(r.status_code, 400, body)
            self.assertIn(word, r.get_json()["error"], body)
        self.assertEqual(self.refund(c, 999, {"amount": "1.00", "request_key": "a"}).status_code, 404)
        self.assertEqual(self.balance(), "50.00")
        self.assertEqual(self.inputs(), before)
        self.assertEqual(self.f.p.db.scalar("SELECT COUNT(*) FROM refunds"), 0)
        # A key used for one amount cannot be reused for another.
        self.assertEqual(self.refund(c, self.h1, {"amount": "1.00", "request_key": "b"}).status_code, 201)
        r = self.refund(c, self.h1, {"amount": "2.00", "request_key": "b"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.balance(), "49.00")

    def test_roles_and_csrf(self):
        for login in ("op", "ro"):
            c = self.api(login)
            self.assertEqual(self.refund(c, self.h1, {"amount": "1.00", "request_key": login}).status_code, 403)
        c = self.api("fin")
        r = c.post(f"/api/households/{self.h1}/refund", json={"amount": "1.00", "request_key": "x"})
        self.assertEqual(r.status_code, 400)
        t = self.app.test_client()
        self.assertEqual(t.post("/api/login", json={"login": "t1", "password": self.f.passwords["t1"]}).status_code, 200)
        self.assertEqual(self.balance(), "50.00")

    def paid_order(self, amount_fen=3000):
        c = self.app.test_client()
        tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
        c.post("/login", data={"login": "t1", "password": self.f.passwords["t1"], "csrf_token": tok})
        page = c.get(f"/my/rooms/{self.f.room1}").get_data(as_text=True)
        tok = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        no = c.post(f"/my/rooms/{self.f.room1}/pay", data={"amount": f"{amount_fen / 100:.2f}", "csrf_token": tok}
                    ).get_json()["order_no"]
        raw = json.dumps({"order_no": no, "status": "PAID", "amount_fen": amount_fen}).encode()
        self.assertEqual(self.app.test_client().post("/pay/notify", data=raw, headers=self.channel.sign(raw))
                         .status_code, 200)
        return no

    def test_a_paid_order_is_refunded_through_the_channel_once(self):
        no = self.paid_order()
        self.assertEqual(self.balance(), "80.00")
        c = self.api("fin")
        r = self.refund(c, self.h1, {"amount": "10.00", "request_key": "o1", "order_no": no})
        self.assertEqual(r.status_code, 400)
        self.assertIn("whole payments", r.get_json()["error"])
        self.channel.down = True
        r = self.refund(c, self.h1, {"amount": "30.00", "request_key": "o1", "order_no": no})
        self.assertEqual(r.get_json()["state"], "booked")
        self.assertEqual(self.balance(), "50.00")  # booked: owed to the payer, out of the wallet
        self.channel.down = False
        r = self.refund(c, self.h1, {"amount": "30.00", "request_key": "o1", "order_no": no})
        self.assertEqual(r.get_json()["state"], "paid")
        self.assertEqual(self.channel.refunded, [no])
        self.assertEqual(self.balance(), "50.00")
        self.assertEqual(self.f.p.db.one("SELECT state FROM pay_orders WHERE order_no = ?", (no,))["state"],
                         "refunded")
        r = self.refund(c, self.h1, {"amount": "30.00", "request_key": "o2", "order_no": no})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.channel.refunded, [no])
        p = self.f.restart()
        self.assertEqual(str(p.money.account(self.h1).balance), "50.00")
        self.assertEqual(p.money.account(self.h1).refunds, 1)
        p.money.verify()

    def test_room_page_form(self):
        c = self.app.test_client()
        tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
        c.post("/login", data={"login": "fin", "password": self.f.passwords["fin"], "csrf_token": tok})
        page = c.get(f"/rooms/{self.f.room1}").get_data(as_text=True)
        self.assertIn('id="refund-form"', page)
        key = re.search(r'name="request_key" value="([^"]+)"', page[page.index('id="refund-form"'):]).group(1)
        tok = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"amount": "5.00", "request_key": key, "csrf_token": tok}
        self.assertEqual(c.post(f"/rooms/{self.f.room1}/refund", data=form).status_code, 302)
        self.assertEqual(c.post(f"/rooms/{self.f.room1}/refund", data=form).status_code, 302)  # double submit
        self.assertEqual(self.balance(), "45.00")
        page = c.get(f"/rooms/{self.f.room1}").get_data(as_text=True)
        self.assertIn("refund of ¥ 5.00 made", page)
        r = c.post(f"/rooms/{self.f.room1}/refund", data={"amount": "999", "request_key": "z", "csrf_token": tok},
                   follow_redirects=True)
        self.assertIn("refundable balance", r.get_data(as_text=True))
        self.assertEqual(self.balance(), "45.00")
        op = self.app.test_client()
        tok = re.search(r'name="csrf_token" value="([^"]+)"', op.get("/login").get_data(as_text=True)).group(1)
        op.post("/login", data={"login": "op", "password": self.f.passwords["op"], "csrf_token": tok})
        self.assertNotIn('id="refund-form"', op.get(f"/rooms/{self.f.room1}").get_data(as_text=True))


if __name__ == "__main__":
    unittest.main()
