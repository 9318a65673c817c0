# SPDX-License-Identifier: MIT
"""Notification channels and the Deliverer: a log channel by default, a webhook receiver and an
SMTP sink on 127.0.0.1 (started here), retries of what a channel did not accept, the same key on
every attempt, and a crash between sending and the outbox ack that does not reach the tenant twice.

The outbox here is a stand-in with the library outbox's contract (take_due records an attempt and
moves the due time by the backoff; ack marks delivered): the Python wrappers of the outbox are not
in the package on this branch (docs in the notes)."""
import datetime
import os
import shutil
import socketserver
import tempfile
import threading
import unittest
from decimal import Decimal

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from prepay_platform.channels.notify import (ChannelError, Deliverer, LogChannel, SmtpChannel, WebhookChannel,
                                             dedupe_key, verify_webhook)
from prepay_platform.channels.pay_mock import QuietHandler
from tests.field_support import free_port, open_db

import prepay

HAS_OUTBOX = hasattr(prepay, "outbox")
T0 = 1798761600
SECRET = b"hook-secret"
EVENT_A = (1 << 64) | 7                     # a 128-bit settlement event id (hi, lo)
EVENT_B = (2 << 64) | 9


class FakeOutbox:
    """prepay.outbox.Outbox's delivery contract (include/prepay/outbox.h), in memory: naive local
    datetimes, Decimal yuan, ack((event_id, channel), now)."""

    def __init__(self, backoff=(60, 300)):
        self.backoff = backoff
        self.deliveries = []
        self.acks = []

    def add(self, event_id, channel, account_id, type_=7, amount="50.00", balance="123.45", level=0, time=T0):
        when = datetime.datetime.fromtimestamp(time, datetime.timezone.utc).replace(tzinfo=None)
        self.deliveries.append({"event_id": event_id, "channel": channel, "account_id": account_id, "type": type_,
                                "amount": Decimal(amount), "balance": Decimal(balance), "level": level,
                                "time": when, "due": when, "attempts": 0, "state": "pending"})

    def take_due(self, now):
        assert isinstance(now, datetime.datetime) and now.tzinfo is None
        out = []
        for d in self.deliveries:
            if d["state"] == "pending" and d["due"] <= now:
                d["attempts"] += 1
                if d["attempts"] > len(self.backoff):
                    d["due"], d["state"] = datetime.datetime.max, "exhausted"
                else:
                    d["due"] = now + datetime.timedelta(seconds=self.backoff[d["attempts"] - 1])
                out.append(dict(d))
        return out

    def ack(self, delivery, now):
        event_id, channel = delivery
        for d in self.deliveries:
            if d["event_id"] == event_id and d["channel"] == channel:
                self.acks.append((event_id, channel))
                d["state"] = "delivered"
                return True
        raise KeyError("unknown delivery")


class WebhookReceiver:
    """A tenant-side webhook on 127.0.0.1: checks the signature, dedupes by Idempotency-Key."""

    def __init__(self):
        self.fail_next = 0
        self.seen = {}
        self.posts = 0

        def app(environ, start_response):
            req = Request(environ)
            self.posts += 1
            if self.fail_next:
                self.fail_next -= 1
                return Response("busy", status=503)(environ, start_response)
            try:
                key = verify_webhook(SECRET, req.headers, req.get_data())
            except ValueError as e:
                return Response(str(e), status=401)(environ, start_response)
            self.seen.setdefault(key, 0)
            self.seen[key] += 1
            return Response("ok")(environ, start_response)

        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.port}/hook"

    def stop(self):
        self.server.shutdown()


class SmtpSink:
    """A minimal SMTP server on 127.0.0.1 (RFC 5321 commands HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
    that keeps what it receives."""

    def __init__(self):
        self.mails = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 sink ESMTP\r\n")
                mail_from, rcpt = None, []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode("ascii", "replace").strip()
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb in ("HELO", "EHLO"):
                        self.wfile.write(b"250 sink\r\n")
                    elif verb == "MAIL":
                        mail_from, rcpt = cmd[10:], []
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == "RCPT":
                        rcpt.append(cmd[8:].strip("<>"))
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == "DATA":
                        self.wfile.write(b"354 end with .\r\n")
                        data = []
                        while True:
                            part = self.rfile.readline()
                            if part in (b".\r\n", b".\n", b""):
                                break
                            data.append(part[1:] if part.startswith(b"..") else part)
                        sink.mails.append((mail_from, rcpt, b"".join(data).decode("utf-8", "replace")))
                        self.wfile.write(b"250 queued\r\n")
                    elif verb in ("RSET", "NOOP"):
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"502 not implemented\r\n")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Crash(BaseException):
    pass


class NotifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hook = WebhookReceiver()
        cls.smtp = SmtpSink()

    @classmethod
    def tearDownClass(cls):
        cls.hook.stop()
        cls.smtp.stop()

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="prepay-platform-notify-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.db = open_db(os.path.join(self.dir, "platform.db"))
        self.addCleanup(self.db.close)
        self.hook.fail_next, self.hook.seen, self.hook.posts = 0, {}, 0
        self.smtp.mails.clear()
        self.outbox = FakeOutbox()
        self.log = LogChannel()
        self.channels = {1: WebhookChannel(self.hook.url, SECRET, clock=_now_offset),
                         2: SmtpChannel("127.0.0.1", self.smtp.port, "noreply@platform.example",
                                        recipients=lambda account: [f"tenant{account}@example.com"])}


    def deliverer(self):
        return Deliverer(self.outbox, self.channels, db=self.db, default=self.log)

    def test_key_format(self):
        self.assertEqual(dedupe_key(EVENT_A, 2), "00000000000000010000000000000007-2")
        self.assertEqual(len(dedupe_key(EVENT_A, 2)) + 1, 35)     # PREPAY_OUTBOX_KEY_SIZE with the NUL

    def test_log_channel_by_default(self):
        self.outbox.add(EVENT_A, 0, 101)               # channel 0 (SMS) has no channel configured
        out = self.deliverer().run_once(T0)
        self.assertEqual(out, {"taken": 1, "sent": 1, "resent_skipped": 0, "failed": 0})
        self.assertEqual(len(self.log.sent), 1)
        self.assertIn("Account 101", self.log.sent[0].text)
        self.assertIn("balance 123.45 yuan", self.log.sent[0].text)
        self.assertEqual(self.outbox.acks, [(EVENT_A, 0)])

    def test_webhook_signed_with_key_and_retried(self):
        self.hook.fail_next = 1
        self.outbox.add(EVENT_A, 1, 101)
        d = self.deliverer()
        self.assertEqual(d.run_once(T0)["failed"], 1)
        self.assertEqual(self.outbox.acks, [])
        self.assertEqual(d.run_once(T0 + 59)["taken"], 0)       # the outbox's backoff
        self.assertEqual(d.run_once(T0 + 60)["sent"], 1)
        self.assertEqual(self.hook.seen, {dedupe_key(EVENT_A, 1): 1})
        self.assertEqual(self.outbox.acks, [(EVENT_A, 1)])
        row = self.db.one("SELECT * FROM notify_deliveries WHERE idem_key = ?", (dedupe_key(EVENT_A, 1),))
        self.assertEqual((row["state"], row["attempts"], row["channel_name"]), ("acked", 2, "webhook"))

    def test_webhook_bad_signature_refused_by_receiver(self):
        self.channels[1] = WebhookChannel(self.hook.url, b"wrong", clock=_now_offset)
        self.outbox.add(EVENT_A, 1, 101)
        self.assertEqual(self.deliverer().run_once(T0)["failed"], 1)
        self.assertEqual(self.hook.seen, {})

    def test_smtp_mail_with_message_id(self):
        self.outbox.add(EVENT_A, 2, 101)
        self.outbox.add(EVENT_B, 2, 102, type_=3)
        out = self.deliverer().run_once(T0)
        self.assertEqual(out["sent"], 2)
        self.assertEqual(len(self.smtp.mails), 2)
        sender, rcpt, text = self.smtp.mails[0]
        self.assertIn("noreply@platform.example", sender)
        self.assertEqual(rcpt, ["tenant101@example.com"])
        self.assertIn(f"Message-ID: <{dedupe_key(EVENT_A, 2)}@platform.example>", text)
        self.assertIn("Account 101", text)

    def test_smtp_down_is_retried_not_acked(self):
        self.channels[2] = SmtpChannel("127.0.0.1", free_port(), "noreply@platform.example",
                                       recipients=lambda a: ["t@example.com"], timeout=5)
        self.outbox.add(EVENT_A, 2, 101)
        out = self.deliverer().run_once(T0)
        self.assertEqual(out["failed"], 1)
        self.assertEqual(self.outbox.acks, [])
        row = self.db.one("SELECT state, last_error FROM notify_deliveries")
        self.assertEqual(row["state"], "failed")
        self.assertIn("smtp", row["last_error"])

    def test_crash_between_send_and_ack_is_not_sent_twice(self):
        self.outbox.add(EVENT_A, 1, 101)
        self.outbox.add(EVENT_B, 2, 102)
        real_ack = self.outbox.ack

        def dying_ack(delivery, now):
            raise Crash()
        self.outbox.ack = dying_ack
        with self.assertRaises(Crash):
            self.deliverer().run_once(T0)
        self.outbox.ack = real_ack
        # restart: the outbox hands the unacknowledged deliveries out again after its backoff
        out = self.deliverer().run_once(T0 + 60)
        self.assertEqual(out["taken"], 2)
        self.assertEqual(out["resent_skipped"], 1)           # the webhook's: sent before the crash
        self.assertEqual(out["sent"], 1)                     # the mail: never reached before the crash
        self.assertEqual(self.hook.seen, {dedupe_key(EVENT_A, 1): 1})
        self.assertEqual(self.hook.posts, 1)
        self.assertEqual(len(self.smtp.mails), 1)
        self.assertEqual(sorted(self.outbox.acks), [(EVENT_A, 1), (EVENT_B, 2)])
        self.assertEqual(self.deliverer().run_once(T0 + 10 ** 6)["taken"], 0)

    @unittest.skipUnless(HAS_OUTBOX, "prepay.outbox is not in this build's Python package (it comes with i13-rest)")
    def test_library_outbox_recharge_event_once_per_channel(self):
        from prepay import outbox as ob
        from prepay import settlement as st
        from prepay.tariff import Tariff
        flat = ('{"format": "prepay-tariff/1", "name": "flat 0.50", "source": {"notice": "test"}, "bands": ["flat"],'
                ' "prices": {"bands": {"flat": "0.50"}}}')
        site = st.Site([Tariff.loads(flat)], period_start=datetime.date(2027, 1, 1),
                       period_end=datetime.date(2027, 2, 1), accounts=2, meters=2, postpaid=1)
        site.add_account(st.Account(101))
        site.open()
        box = ob.Outbox([ob.Policy(0, {st.EventType.RECHARGE: {ob.Channel.APP_PUSH, ob.Channel.EMAIL}})],
                        backoff=[60, 600])
        site.attach_outbox(box)
        at = datetime.datetime(2027, 1, 1, 10, 0)                  # the site's local time (UTC here)
        site.recharge(101, Decimal("50.00"), at)
        now = int(at.replace(tzinfo=datetime.timezone.utc).timestamp())
        self.hook.fail_next = 1                                     # the webhook is busy once
        d = Deliverer(box, self.channels, db=self.db, default=self.log)
        self.assertEqual(d.run_once(now + 1), {"taken": 2, "sent": 1, "resent_skipped": 0, "failed": 1})
        self.assertEqual(d.run_once(now + 61), {"taken": 1, "sent": 1, "resent_skipped": 0, "failed": 0})
        self.assertEqual(d.run_once(now + 3600)["taken"], 0)
        self.assertEqual(box.counts().delivered, 2)
        keys = {x.dedupe_key for x in box.deliveries()}
        self.assertEqual(set(self.hook.seen), keys & set(self.hook.seen))
        self.assertEqual(list(self.hook.seen.values()), [1])
        self.assertEqual(len(self.smtp.mails), 1)
        self.assertIn("50.00 yuan", self.smtp.mails[0][2])
        self.assertIn("Account 101", self.smtp.mails[0][2])

    def test_bad_channel_settings(self):
        with self.assertRaises(ValueError):
            WebhookChannel("ftp://x", SECRET)
        with self.assertRaises(ValueError):
            SmtpChannel("127.0.0.1", 25, "not-an-address")
        self.assertTrue(issubclass(ChannelError, Exception))


def _now_offset():
    import time
    return time.time()


if __name__ == "__main__":
    unittest.main()
