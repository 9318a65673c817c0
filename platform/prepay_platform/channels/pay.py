# SPDX-License-Identifier: MIT
"""The payment-channel interface of the platform, and the signing scheme of its mock WeChat Pay.

A channel creates a payment for an order (the order number is the settlement's payment order id,
``prepay_payment_order_id(account, number)``, so notifies and statements name it), answers status
queries, sends signed notifies, and gives a daily statement as the CSV that
``prepay_payment_statement_parse()`` reads (docs/payment.md "Statement CSV").

The dict that :meth:`PaymentChannel.verify_notify` and :meth:`PaymentChannel.query` return is the
input of ``prepay_payment_notify()``::

    {"order_no": "9223372041149743105", "transaction_id": "...", "status": "PAID" | "FAILED" | "WAITING",
     "amount_fen": 5000, "time": 1798765200}        # time: epoch seconds (UTC) of the payment

Signatures (HMAC-SHA256; the real WeChat Pay v3 signs the same string with RSA-SHA256 and the
platform certificate, and encrypts the resource with AES-256-GCM, which a replacement adapter
does):

* notify (channel -> platform): headers ``Wechatpay-Timestamp`` (epoch seconds),
  ``Wechatpay-Nonce``, ``Wechatpay-Serial`` (the key id), ``Wechatpay-Signature`` =
  base64(HMAC-SHA256(secret, ``timestamp + "\\n" + nonce + "\\n" + body + "\\n"``)) over the body bytes
  as sent. A missing header, a wrong signature or a timestamp more than ``max_age`` (300 s) away
  from now is refused (:class:`BadSignature`).
* requests (platform -> channel): header ``Authorization: WECHATPAY2-HMAC-SHA256 mchid="...",
  nonce_str="...",timestamp="...",serial_no="...",signature="..."`` with the signature over
  ``method + "\\n" + path?query + "\\n" + timestamp + "\\n" + nonce + "\\n" + body + "\\n"``.
"""
from __future__ import annotations

import abc
import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Mapping, Optional

__all__ = ["BadSignature", "PaymentChannel", "sign", "notify_message", "request_message", "verify_notify_headers",
           "authorization", "verify_authorization", "MAX_AGE"]

MAX_AGE = 300       # seconds a signed message stays acceptable (clock skew and delivery delay)


class BadSignature(Exception):
    """A notify or request whose signature is missing, wrong or expired."""


def sign(secret: bytes, message: bytes) -> str:
    """base64(HMAC-SHA256(secret, message))."""
    return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode("ascii")


def notify_message(timestamp: str, nonce: str, body: bytes) -> bytes:
    """The signed string of a notify: timestamp, nonce, body, each followed by a line feed."""
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"


def request_message(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The signed string of an API request."""
    return (method.upper() + "\n" + path + "\n" + timestamp + "\n" + nonce + "\n").encode() + body + b"\n"


def _header(headers: Mapping[str, str], name: str) -> Optional[str]:
    for k, v in headers.items():
        if k.lower() == name.lower():
            return v
    return None


def _check_time(timestamp: str, now: float, max_age: int) -> None:
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        raise BadSignature(f"bad timestamp {timestamp!r}") from None
    if abs(now - ts) > max_age:
        raise BadSignature(f"expired: timestamp {ts} is {int(now - ts)} s from now (limit {max_age} s)")


def verify_notify_headers(secret: bytes, headers: Mapping[str, str], body: bytes, now: Optional[float] = None,
                          max_age: int = MAX_AGE, serial: Optional[str] = None) -> None:
    """Raises :class:`BadSignature` unless the notify's headers sign ``body`` with ``secret``."""
    values = {}
    for name in ("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature"):
        v = _header(headers, name)
        if not v:
            raise BadSignature(f"missing header {name}")
        values[name] = v
    if serial is not None and _header(headers, "Wechatpay-Serial") != serial:
        raise BadSignature(f"unknown key serial {_header(headers, 'Wechatpay-Serial')!r}")
    expected = sign(secret, notify_message(values["Wechatpay-Timestamp"], values["Wechatpay-Nonce"], body))
    if not hmac.compare_digest(expected, values["Wechatpay-Signature"]):
        raise BadSignature("signature does not match")
    _check_time(values["Wechatpay-Timestamp"], time.time() if now is None else now, max_age)


def authorization(mchid: str, serial: str, secret: bytes, method: str, path: str, body: bytes,
                  now: Optional[float] = None) -> str:
    """The Authorization header of an API request."""
    ts = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(16)
    sig = sign(secret, request_message(method, path, ts, nonce, body))
    return (f'WECHATPAY2-HMAC-SHA256 mchid="{mchid}",nonce_str="{nonce}",timestamp="{ts}",'
            f'serial_no="{serial}",signature="{sig}"')


def verify_authorization(header: Optional[str], secrets_by_mchid: Mapping[str, bytes], method: str, path: str,
                         body: bytes, now: Optional[float] = None, max_age: int = MAX_AGE) -> str:
    """Checks an Authorization header; returns the merchant id (raises :class:`BadSignature`)."""
    scheme = "WECHATPAY2-HMAC-SHA256 "
    if not header or not header.startswith(scheme):
        raise BadSignature("missing or unknown Authorization scheme")
    fields = {}
    for part in header[len(scheme):].split(","):
        k, _, v = part.strip().partition("=")
        fields[k] = v.strip('"')
    for k in ("mchid", "nonce_str", "timestamp", "signature"):
        if k not in fields:
            raise BadSignature(f"Authorization without {k}")
    secret = secrets_by_mchid.get(fields["mchid"])
    if secret is None:
        raise BadSignature(f"unknown merchant {fields['mchid']!r}")
    expected = sign(secret, request_message(method, path, fields["timestamp"], fields["nonce_str"], body))
    if not hmac.compare_digest(expected, fields["signature"]):
        raise BadSignature("signature does not match")
    _check_time(fields["timestamp"], time.time() if now is None else now, max_age)
    return fields["mchid"]


class PaymentChannel(abc.ABC):
    """What the platform needs of a payment channel (replace the mock with a real adapter)."""

    @abc.abstractmethod
    def create(self, order_no: str, amount_fen: int, description: str, notify_url: str) -> dict:
        """Creates the payment; returns at least ``{"order_no", "pay_url"}`` (what the payer opens)."""

    @abc.abstractmethod
    def query(self, order_no: str) -> dict:
        """The payment's state, as the notify dict (status WAITING while unpaid)."""

    @abc.abstractmethod
    def verify_notify(self, headers: Mapping[str, str], body: bytes) -> dict:
        """Checks a notify's signature (raises :class:`BadSignature`) and returns its notify dict."""

    @abc.abstractmethod
    def statement(self, day: str) -> bytes:
        """The day's statement (``YYYY-MM-DD``) as CSV ``order_id,amount,status,time``."""


def parse_notify_body(body: bytes) -> dict:
    """The notify dict of a mock WeChat Pay notify body (JSON with a plain ``resource``)."""
    try:
        doc = json.loads(body.decode("utf-8"))
        res = doc["resource"]
        state = res["trade_state"]
        return {"order_no": str(res["out_trade_no"]), "transaction_id": str(res.get("transaction_id", "")),
                "status": {"SUCCESS": "PAID", "PAYERROR": "FAILED", "CLOSED": "FAILED"}.get(state, "WAITING"),
                "amount_fen": int(res["amount"]["total"]), "time": int(res.get("success_epoch") or doc["create_epoch"]),
                "notify_id": str(doc.get("id", ""))}
    except (ValueError, KeyError, TypeError) as e:
        raise BadSignature(f"notify body does not parse: {e}") from None
