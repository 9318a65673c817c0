# SPDX-License-Identifier: MIT
"""Notifications: the Site's alarm / cut-off / restore events go into the library outbox with the
journal and are delivered by the Deliverer to a webhook receiver on 127.0.0.1: each event once, a
busy receiver retried after the outbox backoff, a restart between send and ack never sends twice,
a restart after delivery sends nothing. The page: roles, CSRF, settings validated (bad input
changes nothing), test send."""
from __future__ import annotations

import http.server
import re
import threading
import unittest

from prepay_platform.app import create_app
from prepay_platform.channels.notify import verify_webhook
from prepay_platform.services import audit, clock, notifications as N, readings, recharge

from .support import Fixture
from .test_money import T0, FakeStation

SECRET = "receiver-secret"


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        srv = self.server
        if srv.busy > 0:
            srv.busy -= 1
            self.send_response(503)
            self.end_headers()
            return
        key = verify_webhook(SECRET.encode(), dict(self.headers), body)
        srv.seen[key] = srv.seen.get(key, 0) + 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class NotificationsTest(unittest.TestCase):
    def setUp(self):
        self.f = Fixture(FakeStation())
        self.h1, self.h2 = self.f.open_two()
        self.server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
        self.server.seen, self.server.busy = {}, 0
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        N.save_settings(self.f.p.db, {"webhook_url": self.url, "webhook_secret": SECRET}, "test")

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        self.f.close()

    def cut_off_and_restore(self):
        p = self.f.p
        meter = p.db.one("SELECT id FROM meters WHERE address = '000000000101'")["id"]
        recharge.recharge(p, self.h1, "5.00", "k1", "op")
        readings.ingest(p, [{"meter_id": meter, "at": T0, "value": 0}])
        out = readings.ingest(p, [{"meter_id": meter, "at": T0 + 36000, "value": 20000}])
        self.assertIn("CUTOFF", out["events"])
        recharge.recharge(p, self.h1, "100.00", "k2", "op")

    def due_keys(self):
        return {d.dedupe_key for d in N.pending(self.f.p)}

    def test_events_delivered_once_with_retry_and_restarts(self):
        self.cut_off_and_restore()
        keys = {d.dedupe_key for d in self.f.p.money.outbox.deliveries() if d.channel == N.WEBHOOK}
        types = {int(d.type) for d in self.f.p.money.outbox.deliveries()}
        self.assertEqual(types, {int(t) for t in N.EVENTS})  # low balance, cut-off, restored; no recharge
        self.server.busy = 1
        now = clock.now() + 60  # after every event (the recharges are stamped now)
        first = N.deliver(self.f.p, now)
        self.assertEqual(first["failed"], 1)
        self.assertEqual(len(self.server.seen), len(keys) - 1)
        # A crash between the webhook's acceptance and the outbox ack: the process dies after sending.
        p = self.f.p
        real_ack = p.money.outbox.ack
        p.money.outbox.ack = lambda *a, **k: (_ for _ in ()).throw(SystemExit("crash before ack"))
        with self.assertRaises(SystemExit):
            N.deliver(p, now + 3600)  # the busy one is due again: sent, then the crash
        p.money.outbox.ack = real_ack
        self.assertEqual(set(self.server.seen), keys)
        p = self.f.restart()  # the outbox is recovered from the journal: that delivery is not acked
        self.assertTrue(self.due_keys() & keys)
        again = N.deliver(p, now + 7 * 3600)
        self.assertGreaterEqual(again["resent_skipped"], 1)
        self.assertEqual(again["sent"], 0)
        self.assertEqual(set(self.server.seen.values()), {1})  # never twice to the receiver
        self.assertEqual(self.due_keys() & keys, set())
        p = self.f.restart()  # delivered and acked: nothing is due after another restart
        self.assertEqual(N.deliver(p, now + 30 * 86400)["taken"], 0)
        self.assertEqual(set(self.server.seen.values()), {1})
        states = {r["state"] for r in N.log(p.db) if r["channel_name"] == "webhook"}
        self.assertEqual(states, {"acked"})
        p.money.verify()

    def test_page_settings_and_test_send(self):
        app = create_app({"platform": self.f.p, "secret_key": "t"})

        def signed_in(login):
            c = app.test_client()
            tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
            c.post("/login", data={"login": login, "password": self.f.passwords[login], "csrf_token": tok})
            page = c.get("/my" if login == "t1" else "/rooms").get_data(as_text=True)
            return c, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

        for login in ("fin", "ro", "t1"):
            c, tok = signed_in(login)
            self.assertIn(c.get("/notifications").status_code, (403, 302), login)
            self.assertIn(c.post("/notifications/settings", data={"csrf_token": tok}).status_code, (403, 302))
        c, tok = signed_in("admin")
        self.assertIn("notify-log", c.get("/notifications").get_data(as_text=True))
        self.assertEqual(c.post("/notifications/settings", data={"webhook_url": "x"}).status_code, 400)  # no CSRF
        for bad, word in (({"webhook_url": "ftp://x", "webhook_secret": "12345678"}, "webhook URL"),
                          ({"webhook_url": self.url, "webhook_secret": "short"}, "webhook secret"),
                          ({"smtp_host": "mail", "smtp_port": "99999", "smtp_sender": "a@b"}, "SMTP port"),
                          ({"smtp_host": "mail", "smtp_port": "25", "smtp_sender": "nobody"}, "SMTP sender")):
            page = c.post("/notifications/settings", data=dict(bad, csrf_token=tok), follow_redirects=True)
            self.assertIn(word, page.get_data(as_text=True))
            self.assertEqual(N.settings(self.f.p.db)["webhook_url"], self.url)  # unchanged
        self.assertNotIn(SECRET, c.get("/notifications").get_data(as_text=True))  # never shown
        c.post("/notifications/settings", data={"webhook_url": self.url, "csrf_token": tok})  # secret kept
        self.assertEqual(N.settings(self.f.p.db)["webhook_secret"], SECRET)
        page = c.post("/notifications/test", data={"channel": "webhook", "csrf_token": tok}, follow_redirects=True)
        self.assertIn("test message sent", page.get_data(as_text=True))
        self.assertEqual(len(self.server.seen), 1)
        page = c.post("/notifications/test", data={"channel": "email", "csrf_token": tok}, follow_redirects=True)
        self.assertIn("not configured", page.get_data(as_text=True))
        self.server.busy = 1
        page = c.post("/notifications/test", data={"channel": "webhook", "csrf_token": tok}, follow_redirects=True)
        self.assertIn("test message failed", page.get_data(as_text=True))
        self.assertEqual(c.post("/notifications/settings", data={"csrf_token": tok}).status_code, 302)  # all cleared
        self.assertEqual(N.channels(self.f.p.db), {})
        self.assertIn("notify.settings", [a["action"] for a in audit.recent(self.f.p.db)])
        self.cut_off_and_restore()
        page = c.post("/notifications/deliver", data={"csrf_token": tok}, follow_redirects=True).get_data(as_text=True)
        self.assertIn("delivery round", page)
        self.assertIn("cut-off", page.lower().replace("cutoff", "cut-off"))


if __name__ == "__main__":
    unittest.main()
