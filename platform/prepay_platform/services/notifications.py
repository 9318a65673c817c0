# SPDX-License-Identifier: MIT
"""Notifications: the settlement Site's alarm, cut-off and restore events go into the library's
outbox (prepay.outbox, docs/outbox.md), bound to the Site's journal so an event and its
deliveries commit together and survive a restart; plat-field's Deliverer (channels/notify.py)
sends them on a schedule and acknowledges them: at least once, and never twice to the tenant for
one event (the sent key is recorded before the ack; a delivery handed out again after a crash
between send and ack is acknowledged without being sent again).

Routes: every account's LOW_BALANCE (an alarm threshold reached), CUTOFF and RESTORED events go to
outbox channels APP_PUSH (delivered by the webhook when one is configured) and EMAIL (SMTP when
configured); a channel without settings is delivered to the log. Settings live in the table
``notify_settings`` (migration 0021) and are validated before anything is stored."""
from __future__ import annotations

import threading
import time
import urllib.parse

from prepay import outbox as ob
from prepay import settlement as S

from ..channels.notify import ChannelError, LogChannel, Message, SmtpChannel, WebhookChannel, Deliverer
from . import audit, clock
from .errors import InputError

EVENTS = (S.EventType.LOW_BALANCE, S.EventType.CUTOFF, S.EventType.RESTORED)
WEBHOOK, EMAIL = int(ob.Channel.APP_PUSH), int(ob.Channel.EMAIL)
BACKOFF = (60, 300, 900, 3600, 6 * 3600)  # seconds between attempts (the outbox retries what is not acked)
KEYS = ("webhook_url", "webhook_secret", "smtp_host", "smtp_port", "smtp_sender")
LOG = LogChannel(keep=200)  # the process's log channel (its last messages are on the page)


def make_outbox():
    """A new outbox with the platform's routes (Money recovers it from the journal and attaches it)."""
    return ob.Outbox([ob.Policy(0, {t: {WEBHOOK, EMAIL} for t in EVENTS})], backoff=BACKOFF, capacity=65536)


def settings(db) -> dict:
    out = {k: "" for k in KEYS}
    for r in db.query("SELECT key, value FROM notify_settings"):
        if r["key"] in out:
            out[r["key"]] = r["value"]
    return out


def _validated(form) -> dict:
    new = {k: str(form.get(k) or "").strip() for k in KEYS}
    url = new["webhook_url"]
    if url:
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https") or not u.hostname or len(url) > 500:
            raise InputError("webhook URL: an http:// or https:// address (at most 500 characters)", "webhook_url")
        if not 8 <= len(new["webhook_secret"]) <= 200:
            raise InputError("webhook secret: 8 to 200 characters (it signs every message)", "webhook_secret")
    elif new["webhook_secret"]:
        raise InputError("webhook secret given without a webhook URL", "webhook_url")
    if new["smtp_host"] or new["smtp_sender"] or new["smtp_port"]:
        if not new["smtp_host"] or len(new["smtp_host"]) > 200 or any(c.isspace() for c in new["smtp_host"]):
            raise InputError("SMTP host: a host name or address", "smtp_host")
        if not new["smtp_port"].isdigit() or not 1 <= int(new["smtp_port"]) <= 65535:
            raise InputError("SMTP port: 1 to 65535", "smtp_port")
        sender = new["smtp_sender"]
        if sender.count("@") != 1 or sender.startswith("@") or sender.endswith("@") or len(sender) > 200:
            raise InputError("SMTP sender: an e-mail address", "smtp_sender")
    return new


def save_settings(db, form, who: str) -> dict:
    """Validates and stores the channel settings (all or nothing); audited without the secret. An empty
    secret with a webhook URL keeps the stored one (the page never shows it)."""
    form = {k: form.get(k) for k in KEYS}
    if form["webhook_url"] and not form["webhook_secret"]:
        form["webhook_secret"] = settings(db)["webhook_secret"]
    new = _validated(form)
    with db.transaction():
        db.execute("DELETE FROM notify_settings")
        for k, v in new.items():
            db.execute("INSERT INTO notify_settings (key, value) VALUES (?, ?)", (k, v))
        audit.record(db, who, "notify.settings", "notify",
                     {k: ("***" if k == "webhook_secret" and v else v) for k, v in new.items()})
    return new


def _recipients(db):
    def find(account_id):
        row = db.one("SELECT t.phone FROM households h LEFT JOIN tenants t ON t.id = h.tenant_id WHERE h.id = ?",
                     (account_id,))
        value = (row or {}).get("phone") or ""
        return [value] if "@" in value else []  # a tenant's contact field holding an e-mail address
    return find


def channels(db, timeout: float = 10.0) -> dict:
    """The configured channels by outbox channel number (unconfigured ones go to the log)."""
    s = settings(db)
    out = {}
    if s["webhook_url"]:
        out[WEBHOOK] = WebhookChannel(s["webhook_url"], s["webhook_secret"], timeout=timeout)
    if s["smtp_host"]:
        out[EMAIL] = SmtpChannel(s["smtp_host"], int(s["smtp_port"]), s["smtp_sender"], recipients=_recipients(db),
                                 timeout=timeout)
    return out


def deliver(platform, now=None) -> dict:
    """One delivery round over the Site's outbox (the scheduler calls it); counts as the Deliverer's."""
    money = platform.money
    with money._lock:  # the Site adds to the outbox under this lock; the outbox is not thread-safe
        if money.outbox is None:
            return {"taken": 0, "sent": 0, "resent_skipped": 0, "failed": 0}
        d = Deliverer(money.outbox, channels(platform.db), db=platform.db, default=LOG, zone=clock.LOCAL)
        out = d.run_once(clock.now() if now is None else now)
        if out["taken"]:
            # Delivered ones leave the outbox's memory (its capacity bounds what is held, not what was
            # sent); a resend of a compacted one is still caught by the sent keys in notify_deliveries.
            money.outbox.compact()
        return out


def test_send(platform, channel: str, who: str) -> str:
    """Sends a test message through one channel now (not through the outbox); returns what happened."""
    chans = channels(platform.db, timeout=5.0)
    number = {"webhook": WEBHOOK, "email": EMAIL, "log": None}.get(channel, -1)
    if number == -1:
        raise InputError("channel: log, webhook or email", "channel")
    if number is not None and number not in chans:
        raise InputError(f"{channel}: not configured; save its settings first", "channel")
    now = clock.now()
    m = Message(f"test-{now}-{channel}", 0, number or 0, 0, 0, "test", 0, 0, 0, now, 0,
                subject="[prepay] test message", text="A test message from the prepay platform.")
    target = chans.get(number, LOG) if number is not None else LOG
    if channel == "email":
        target.recipients = lambda _account, sender=target.sender: [sender]  # to the sender itself
    try:
        target.send(m)
        result = "sent"
    except ChannelError as e:
        result = f"failed: {e}"
    audit.record(platform.db, who, "notify.test", "notify", {"channel": channel, "result": result}, now)
    return result


def log(db, limit: int = 200) -> list:
    """The outbox deliveries as the platform sent them, newest first."""
    return db.query("SELECT * FROM notify_deliveries ORDER BY last_at DESC, idem_key LIMIT ?", (int(limit),))


def pending(platform) -> list:
    """Deliveries the outbox still has to make (not acknowledged)."""
    with platform.money._lock:
        box = platform.money.outbox
        if box is None:
            return []
        return [d for d in box.deliveries() if d.acked is None]


def start(platform, seconds: float = 30.0) -> threading.Thread:
    """The delivery schedule: a round every ``seconds`` in a daemon thread (errors retried next round)."""
    def loop():
        while True:
            time.sleep(seconds)
            try:
                deliver(platform)
            except Exception as e:  # noqa: BLE001 - a failed round is retried; the web stays up
                import sys
                print(f"notify: {e}", file=sys.stderr, flush=True)
    t = threading.Thread(target=loop, name="notify", daemon=True)
    t.start()
    return t
