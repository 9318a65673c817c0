# SPDX-License-Identifier: MIT
"""The web layer: sign-in, CSRF on every POST, roles checked server-side, tenants confined to their
own rooms, bad input refused with a message and no change, the JSON API and the pages render."""
from __future__ import annotations

import re
import unittest

from prepay_platform.app import create_app
from prepay_platform.services import audit

from .support import ApiClient, Fixture


class WebTest(ApiClient, unittest.TestCase):
    def setUp(self):
        self.f = Fixture()
        self.h1, self.h2 = self.f.open_two()
        self.app = create_app({"platform": self.f.p, "secret_key": "test"})
        self.app.testing = True

    def tearDown(self):
        self.f.close()

    def page_login(self, login):
        c = self.app.test_client()
        page = c.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = c.post("/login", data={"login": login, "password": self.f.passwords[login], "csrf_token": token})
        self.assertEqual(r.status_code, 302)
        return c

    def test_login_refuses_a_wrong_password(self):
        c = self.app.test_client()
        r = c.post("/api/login", json={"login": "op", "password": "wrong-password"})
        self.assertEqual(r.status_code, 401)
        self.assertEqual(c.get("/api/rooms").status_code, 401)

    def test_post_without_csrf_token_is_refused_and_changes_nothing(self):
        c = self.api("op")
        r = c.post(f"/api/households/{self.h1}/recharge", json={"amount": "10.00", "request_key": "a"})
        self.assertEqual(r.status_code, 400)
        r = c.post(f"/api/households/{self.h1}/recharge", json={"amount": "10.00", "request_key": "a"},
                   headers={"X-CSRF-Token": "forged"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.f.p.db.scalar("SELECT COUNT(*) FROM recharge_orders"), 0)
        page = self.page_login("op")
        r = page.post(f"/rooms/{self.f.room1}/recharge", data={"amount": "10.00", "request_key": "b"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.f.p.db.scalar("SELECT COUNT(*) FROM recharge_orders"), 0)

    def test_recharge_through_the_api_is_idempotent_and_audited(self):
        c = self.api("fin")
        r = self.post(c, f"/api/households/{self.h1}/recharge", {"amount": "50.00", "request_key": "x1"})
        self.assertEqual(r.status_code, 200, r.get_json())
        self.assertEqual(r.get_json()["balance"], "50.00")
        r = self.post(c, f"/api/households/{self.h1}/recharge", {"amount": "50.00", "request_key": "x1"})
        self.assertTrue(r.get_json()["repeat"])
        self.assertEqual(r.get_json()["balance"], "50.00")
        rows = [a for a in audit.recent(self.f.p.db) if a["action"] == "recharge"]
        self.assertEqual([a["who"] for a in rows], ["fin"])  # the repeat moved no money

    def test_bad_input_gets_a_clear_message_and_no_change(self):
        c = self.api("op")
        for body, word in (({"amount": "-1", "request_key": "k"}, "amount"),
                           ({"amount": "1.005", "request_key": "k"}, "amount"),
                           ({"amount": "5"}, "request key")):
            r = self.post(c, f"/api/households/{self.h1}/recharge", body)
            self.assertEqual(r.status_code, 400)
            self.assertIn(word, r.get_json()["error"])
        r = self.post(c, "/api/rooms/999/open", {"tariff": self.f.tariff, "meters": [{"address": "000000000555"}]})
        self.assertEqual(r.status_code, 400)
        r = self.post(c, "/api/tariffs", {"name": "broken", "document": "{not json"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("tariff document", r.get_json()["error"])
        r = self.post(c, "/api/readings", {"readings": [{"meter_id": 1, "at": "noon", "value": 5}]})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.f.p.db.scalar("SELECT COUNT(*) FROM recharge_orders"), 0)
        self.assertEqual(self.f.p.db.scalar("SELECT COUNT(*) FROM tariffs"), 2)

    def test_roles_are_checked_server_side(self):
        ro = self.api("ro")
        self.assertEqual(ro.get("/api/rooms").status_code, 200)
        self.assertEqual(self.post(ro, f"/api/households/{self.h1}/recharge",
                                   {"amount": "5.00", "request_key": "r"}).status_code, 403)
        self.assertEqual(self.post(ro, f"/api/households/{self.h1}/relay", {"action": "trip"}).status_code, 403)
        fin = self.api("fin")
        self.assertEqual(self.post(fin, f"/api/households/{self.h1}/relay", {"action": "trip"}).status_code, 403)
        self.assertEqual(fin.get("/api/finance/income").status_code, 200)
        op = self.api("op")
        self.assertEqual(op.get("/api/finance/income").status_code, 403)
        self.assertEqual(self.post(op, f"/api/households/{self.h1}/relay", {"action": "trip"}).status_code, 200)
        t1 = self.api("t1")
        self.assertEqual(t1.get("/api/rooms").status_code, 403)
        self.assertEqual(self.post(t1, f"/api/households/{self.h1}/recharge",
                                   {"amount": "5.00", "request_key": "t"}).status_code, 403)
        self.assertEqual(self.f.p.db.scalar("SELECT COUNT(*) FROM recharge_orders"), 0)

    def test_a_tenant_sees_only_own_rooms(self):
        t1 = self.api("t1")
        mine = t1.get("/api/my/rooms").get_json()
        self.assertEqual([r["id"] for r in mine], [self.f.room1])
        self.assertEqual(t1.get(f"/api/my/rooms/{self.f.room1}").status_code, 200)
        self.assertEqual(t1.get(f"/api/my/rooms/{self.f.room2}").status_code, 404)
        self.assertEqual(t1.get(f"/api/rooms/{self.f.room2}").status_code, 403)
        page = self.page_login("t2")
        self.assertEqual(page.get(f"/my/rooms/{self.f.room2}").status_code, 200)
        self.assertEqual(page.get(f"/my/rooms/{self.f.room1}").status_code, 404)
        self.assertEqual(page.get(f"/rooms/{self.f.room1}").status_code, 403)
        body = page.get("/my").get_data(as_text=True)
        self.assertIn("102", body)
        self.assertNotIn("Tenant One", body)

    def test_pages_render_for_an_operator(self):
        c = self.page_login("admin")
        for url in ("/rooms", f"/rooms/{self.f.room1}", "/tariffs", "/finance", "/finance?period=month",
                    "/reports?period=year", "/reports/shops", "/reports/shops?format=csv", "/events", "/suspicions", "/audit", "/setup"):
            r = c.get(url)
            self.assertEqual(r.status_code, 200, url)
        csv = c.get("/finance?period=day&format=csv")
        self.assertEqual(csv.mimetype, "text/csv")
        self.assertTrue(csv.get_data(as_text=True).startswith("period,recharge,energy"))

    def test_page_forms_change_state_with_a_token(self):
        c = self.page_login("op")
        page = c.get(f"/rooms/{self.f.room2}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)
        for _ in range(2):  # a double submit credits once
            r = c.post(f"/rooms/{self.f.room2}/recharge", data={"amount": "12.50", "request_key": key,
                                                                 "csrf_token": token}, follow_redirects=True)
            self.assertEqual(r.status_code, 200)
        self.assertEqual(str(self.f.p.money.account(self.h2).balance), "12.50")
        r = c.post(f"/rooms/{self.f.room2}/recharge", data={"amount": "abc", "request_key": "z",
                                                            "csrf_token": token}, follow_redirects=True)
        self.assertIn("amount", r.get_data(as_text=True))
        self.assertEqual(str(self.f.p.money.account(self.h2).balance), "12.50")


if __name__ == "__main__":
    unittest.main()
