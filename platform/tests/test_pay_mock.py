# SPDX-License-Identifier: MIT
"""End to end with plat-field's mock WeChat Pay (skipped when prepay_platform.channels is absent):
a tenant pays through the mock channel, which sends a signed notify and a duplicate of it to
/pay/notify; the room is credited once; a forged notify is refused."""
from __future__ import annotations

import re
import unittest
from urllib.parse import urlsplit

from werkzeug.test import Client

from prepay_platform.app import create_app

from .support import Fixture

SECRET = b"mock-merchant-secret"


class MockPayTest(unittest.TestCase):
    def setUp(self):
        try:
            from prepay_platform.channels.pay_mock import MockWeChatPay, MockWeChatPayClient
        except ImportError:
            self.skipTest("plat-field's mock WeChat Pay is not in this tree")
        self.f = Fixture()
        self.h1, self.h2 = self.f.open_two()
        self.delivered = []

        def transport(url, headers, body):  # the mock's notify, into the platform in process
            r = self.app.test_client().post(urlsplit(url).path, data=body, headers=headers)
            self.delivered.append(r.status_code)
            return r.status_code

        self.mock = MockWeChatPay({"m1": SECRET}, transport=transport)
        mock_http = Client(self.mock.app)

        def http(method, path, headers, body):
            r = mock_http.open(path, method=method, headers=headers, data=body)
            return r.status_code, r.get_data()

        channel = MockWeChatPayClient("http://mock.invalid", "m1", SECRET, http=http)
        self.app = create_app({"platform": self.f.p, "secret_key": "t", "pay_channel": channel})

    def tearDown(self):
        if hasattr(self, "f"):
            self.f.close()

    def test_a_tenant_pays_and_a_duplicate_notify_credits_once(self):
        c = self.app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
        c.post("/login", data={"login": "t1", "password": self.f.passwords["t1"], "csrf_token": token})
        page = c.get(f"/my/rooms/{self.f.room1}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = c.post(f"/my/rooms/{self.f.room1}/pay", data={"amount": "40.00", "csrf_token": token})
        self.assertEqual(r.status_code, 200, r.get_data(as_text=True))
        order_no = r.get_json()["order_no"]
        self.mock.pay(order_no, "SUCCESS", duplicates=1)
        self.mock.deliver_due()
        self.mock.deliver_due()
        self.assertEqual(self.delivered, [200, 200])
        self.assertEqual(str(self.f.p.money.account(self.h1).balance), "40.00")
        self.assertEqual(self.f.p.db.one("SELECT * FROM pay_orders")["notifies"], 2)
        forged = self.app.test_client().post("/pay/notify", data=b'{"x": 1}',
                                             headers={"Wechatpay-Signature": "AAAA", "Wechatpay-Timestamp": "1",
                                                      "Wechatpay-Nonce": "n", "Wechatpay-Serial": "MOCK-KEY-1"})
        self.assertEqual(forged.status_code, 401)
        self.assertEqual(str(self.f.p.money.account(self.h1).balance), "40.00")


if __name__ == "__main__":
    unittest.main()
