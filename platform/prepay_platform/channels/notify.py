# SPDX-License-Identifier: MIT
"""Notification channels (log, webhook, SMTP e-mail) and their delivery over the library's outbox.

The outbox (include/prepay/outbox.h, docs/outbox.md) holds one delivery per (settlement event,
channel number 0..7), records an attempt when it hands a delivery out (``take_due``) and retries
what is not acknowledged (``ack``) after its backoff: at least once. The :class:`Deliverer` makes
that "once to the tenant":

* every message carries the idempotency key of its (event, channel) — the webhook's
  ``Idempotency-Key`` header, the e-mail's ``Message-ID`` — so a receiver recognises a resend;
* a key is recorded as sent in the platform database (table ``notify_deliveries``, migration
  0101_notify.sql) right after the channel accepted it and before the outbox ack; a delivery
  handed out again after a crash in between is acknowledged without sending it again. Only a
  crash between the channel's acceptance and that record can resend, and then with the same key.

Channel numbers follow the library's suggestion (``PREPAY_OUTBOX_SMS`` 0, ``APP_PUSH`` 1,
``EMAIL`` 2, ``VOICE`` 3, ``WECHAT`` 4); a number with no channel configured goes to the
:class:`LogChannel`.
"""
from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import json
import logging
import smtplib
import socket
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formatdate
from typing import Callable, Dict, Iterable, List, Optional

__all__ = ["Message", "ChannelError", "Channel", "LogChannel", "WebhookChannel", "SmtpChannel", "Deliverer",
           "dedupe_key", "webhook_signature", "verify_webhook"]

log = logging.getLogger("prepay_platform.notify")

EMAIL, LOG_CHANNEL_NAME = 2, "log"


class ChannelError(Exception):
    """The channel did not accept the message (the outbox retries it after its backoff)."""


def dedupe_key(event_id: int, channel: int) -> str:
    """The (event, channel) key as prepay_outbox_dedupe_key() writes it (docs/outbox.md): the 128-bit
    settlement event id (``hi << 64 | lo``) as 32 hex digits, ``-``, the channel digit."""
    return f"{int(event_id) & ((1 << 128) - 1):032x}-{int(channel)}"


@dataclass
class Message:
    """One delivery as the channels see it (money in fen, time epoch seconds UTC as the platform keeps it)."""
    key: str
    event_id: int
    channel: int
    account_id: int
    type: int
    type_name: str
    amount_fen: int
    balance_fen: int
    level: int
    time: int
    attempt: int
    subject: str = ""
    text: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def _event_name(event_type: int) -> str:
    try:
        from prepay import settlement
        return settlement.event_name(int(event_type))
    except Exception:       # noqa: BLE001 - a name is cosmetic: an unknown type keeps its number
        return f"event {event_type}"


class Channel:
    """A channel: ``send(message)`` returns when the channel accepted it, raises ChannelError otherwise."""
    name = "channel"

    def send(self, message: Message) -> None:
        raise NotImplementedError


class LogChannel(Channel):
    """Writes each message to the platform's log (and keeps the last ones for the notifications page)."""
    name = LOG_CHANNEL_NAME

    def __init__(self, keep: int = 1000) -> None:
        self.sent: List[Message] = []
        self.keep = keep

    def send(self, message: Message) -> None:
        log.info("notify %s account %s: %s", message.key, message.account_id, message.text)
        self.sent.append(message)
        del self.sent[:-self.keep]


def webhook_signature(secret: bytes, timestamp: str, key: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, timestamp + "\\n" + key + "\\n" + body + "\\n"))."""
    msg = timestamp.encode() + b"\n" + key.encode() + b"\n" + body + b"\n"
    return base64.b64encode(hmac.new(secret, msg, hashlib.sha256).digest()).decode()


def verify_webhook(secret: bytes, headers, body: bytes, now: Optional[float] = None, max_age: int = 300) -> str:
    """For receivers: checks the signature headers; returns the idempotency key (ValueError if bad)."""
    h = {k.lower(): v for k, v in headers.items()}
    ts, key, sig = h.get("x-prepay-timestamp"), h.get("idempotency-key"), h.get("x-prepay-signature")
    if not (ts and key and sig):
        raise ValueError("missing signature headers")
    if not hmac.compare_digest(webhook_signature(secret, ts, key, body), sig):
        raise ValueError("bad signature")
    if abs((time.time() if now is None else now) - int(ts)) > max_age:
        raise ValueError("expired")
    return key


class WebhookChannel(Channel):
    """POSTs the message as JSON to ``url`` with ``Idempotency-Key``, ``X-Prepay-Timestamp`` and
    ``X-Prepay-Signature`` (:func:`webhook_signature`); 2xx (or 409: the receiver has it) accepts."""
    name = "webhook"

    def __init__(self, url: str, secret: bytes, timeout: float = 10.0, clock: Callable[[], float] = time.time) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook url {url!r}: http:// or https://")
        self.url, self.timeout, self.clock = url, timeout, clock
        self.secret = secret.encode() if isinstance(secret, str) else secret

    def send(self, message: Message) -> None:
        body = json.dumps(message.as_dict(), sort_keys=True).encode()
        ts = str(int(self.clock()))
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.key, "X-Prepay-Timestamp": ts,
                   "X-Prepay-Signature": webhook_signature(self.secret, ts, message.key, body)}
        req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        except (urllib.error.URLError, OSError) as e:
            raise ChannelError(f"webhook {self.url}: {getattr(e, 'reason', e)}") from None
        if not (200 <= status < 300 or status == 409):
            raise ChannelError(f"webhook {self.url}: HTTP {status}")


class SmtpChannel(Channel):
    """Sends an e-mail through an SMTP server; ``recipients(account_id)`` gives the addresses (none:
    the message is accepted as nothing to send). ``Message-ID`` is ``<key@domain>``."""
    name = "email"

    def __init__(self, host: str, port: int, sender: str,
                 recipients: Callable[[int], Iterable[str]] = lambda account_id: (),
                 starttls: bool = False, login: Optional[tuple] = None, timeout: float = 30.0,
                 domain: Optional[str] = None) -> None:
        if "@" not in sender:
            raise ValueError(f"sender {sender!r} is not an e-mail address")
        self.host, self.port, self.sender = host, int(port), sender
        self.recipients, self.starttls, self.login, self.timeout = recipients, starttls, login, timeout
        self.domain = domain or sender.split("@", 1)[1]

    def send(self, message: Message) -> None:
        to = [a for a in self.recipients(message.account_id) if a]
        if not to:
            log.info("notify %s: account %s has no e-mail address", message.key, message.account_id)
            return
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = ", ".join(to)
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(message.time, usegmt=True)
        mail["Message-ID"] = f"<{message.key}@{self.domain}>"
        mail.set_content(message.text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.login:
                    smtp.login(*self.login)
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError, socket.timeout) as e:
            raise ChannelError(f"smtp {self.host}:{self.port}: {e}") from None


def _field(d, name, default=None):
    if isinstance(d, dict):
        return d.get(name, default)
    return getattr(d, name, default)


def _fen(value) -> int:
    """Money of a delivery: Decimal yuan (prepay.outbox.Delivery) or int fen."""
    if isinstance(value, Decimal):
        return int((value * 100).to_integral_value())
    return int(value or 0)


class Deliverer:
    """Takes due deliveries from the outbox, sends each through its channel, acknowledges it.

    ``outbox``: a :class:`prepay.outbox.Outbox` (or an object with its ``take_due(now)`` and
    ``ack((event_id, channel), now)``; a delivery has ``event_id``, ``channel``, ``account_id``,
    ``type``, ``amount``/``balance`` (Decimal yuan or int fen), ``level``, ``time`` (a naive local
    datetime or epoch seconds), ``attempts`` and, if it has one, ``dedupe_key``).
    ``db``: the platform Database (sent keys and the delivery log), or None (memory only).
    ``zone``: the site's local zone: the outbox works in naive local datetimes (the library's
    civil time), the platform in epoch seconds (UTC)."""

    def __init__(self, outbox, channels: Dict[int, Channel], db=None, default: Optional[Channel] = None,
                 zone: Optional[_dt.tzinfo] = None) -> None:
        self.outbox, self.channels, self.db = outbox, dict(channels), db
        self.default = default or LogChannel()
        self.zone = zone or _dt.timezone.utc
        self._sent_memory: Dict[str, int] = {}

    def local(self, epoch: int) -> _dt.datetime:
        """The outbox's time (naive local) of the platform's epoch seconds."""
        return _dt.datetime.fromtimestamp(int(epoch), self.zone).replace(tzinfo=None)

    def epoch(self, when) -> int:
        """Epoch seconds of a delivery's time (naive local datetime, or already epoch seconds)."""
        if isinstance(when, _dt.datetime):
            aware = when if when.tzinfo else when.replace(tzinfo=self.zone)
            return int(aware.timestamp())
        return int(when or 0)

    def message(self, d) -> Message:
        event_id, channel = int(_field(d, "event_id")), int(_field(d, "channel"))
        key = _field(d, "dedupe_key")
        if not isinstance(key, str):
            key = dedupe_key(event_id, channel)
        type_ = int(_field(d, "type", 0))
        name = _event_name(type_)
        amount, balance = _fen(_field(d, "amount", 0)), _fen(_field(d, "balance", 0))
        account = int(_field(d, "account_id", 0))
        level = int(_field(d, "level", 0))
        text = (f"Account {account}: {name}. Amount {_yuan(amount)} yuan, balance {_yuan(balance)} yuan, "
                f"alarm level {level}.")
        return Message(key, event_id, channel, account, type_, name, amount, balance, level,
                       self.epoch(_field(d, "time", 0)), int(_field(d, "attempts", 0)),
                       subject=f"[prepay] {name} (account {account})", text=text)

    def _was_sent(self, key: str) -> bool:
        if self.db is None:
            return key in self._sent_memory
        row = self.db.one("SELECT state FROM notify_deliveries WHERE idem_key = ?", (key,))
        return row is not None and row["state"] in ("sent", "acked")

    def _record(self, m: Message, state: str, now: int, error: str = "") -> None:
        if self.db is None:
            if state in ("sent", "acked"):
                self._sent_memory[m.key] = now
            return
        channel = self.channels.get(m.channel, self.default).name
        with self.db.transaction():
            row = self.db.one("SELECT attempts FROM notify_deliveries WHERE idem_key = ?", (m.key,))
            if row is None:
                self.db.execute("INSERT INTO notify_deliveries (idem_key, event_id, channel, channel_name, account_id, "
                                "event_type, state, attempts, last_at, last_error, text) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
                                (m.key, str(m.event_id), m.channel, channel, m.account_id, m.type, state, now,
                                 error[:1000], m.text))
            else:
                attempts = int(row["attempts"]) + (0 if state == "acked" else 1)
                self.db.execute("UPDATE notify_deliveries SET state = ?, attempts = ?, last_at = ?, last_error = ? "
                                "WHERE idem_key = ?", (state, attempts, now, error[:1000], m.key))

    def run_once(self, now: Optional[int] = None) -> dict:
        """One round: returns counts ``{"taken", "sent", "resent_skipped", "failed"}``."""
        now = int(time.time() if now is None else now)
        taken = list(self.outbox.take_due(self.local(now)))
        out = {"taken": len(taken), "sent": 0, "resent_skipped": 0, "failed": 0}
        for d in taken:
            m = self.message(d)
            if self._was_sent(m.key):
                out["resent_skipped"] += 1          # sent before a crash, not acked: ack, do not send again
            else:
                try:
                    self.channels.get(m.channel, self.default).send(m)
                except ChannelError as e:
                    out["failed"] += 1
                    self._record(m, "failed", now, str(e))
                    continue
                out["sent"] += 1
                self._record(m, "sent", now)
            self.outbox.ack((m.event_id, m.channel), self.local(now))
            self._record(m, "acked", now)
        return out

    def log(self, limit: int = 100) -> List[dict]:
        """The latest deliveries (for the notifications page)."""
        if self.db is None:
            return []
        return self.db.query("SELECT * FROM notify_deliveries ORDER BY last_at DESC, idem_key LIMIT ?", (limit,))
