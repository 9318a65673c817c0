# SPDX-License-Identifier: MIT
"""A mock WeChat Pay: a WSGI application that behaves like the channel for the payment-order flow
(create, the payer pays or fails, signed notifies with retries and optional duplicates, query,
refund, daily statement), and the client the platform uses (:class:`MockWeChatPayClient`).

Run standalone on the loopback interface::

    python3 -m prepay_platform.channels.pay_mock --port 8090 --mchid 1900000001 --secret s3cret

or in process (tests): ``MockWeChatPay(...).app`` is the WSGI app, ``deliver_due(now)`` sends the
notifies that are due (a standalone server runs it from a thread every ``tick`` seconds).

API (JSON; every request signed, see :mod:`prepay_platform.channels.pay`):

* ``POST /v3/pay/transactions/native`` ``{"mchid","out_trade_no","description","notify_url",
  "amount": {"total": fen, "currency": "CNY"}}`` -> ``{"code_url"}``; the same out_trade_no again with
  the same amount -> the same answer, another amount -> 400 ``OUT_TRADE_NO_USED``.
* ``GET /v3/pay/transactions/out-trade-no/{no}?mchid=...`` -> ``{"out_trade_no","transaction_id",
  "trade_state": NOTPAY|SUCCESS|PAYERROR|CLOSED|REFUND, "amount": {"total"}, "success_time"}``.
* ``POST /v3/pay/transactions/out-trade-no/{no}/close`` -> 204: an unpaid payment closed (no notify;
  a paid one: 400 ``ORDERPAID``).
* ``POST /v3/refund/domestic/refunds`` ``{"out_trade_no"}`` -> the payment is refunded (statement: REFUNDED).
* ``GET /v3/bill/tradebill?bill_date=YYYY-MM-DD`` -> the day's statement CSV ``order_id,amount,status,time``
  (WeChat answers with a download URL of its own bill format; the mock answers with the CSV the
  library reads, docs/payment.md).
* Test hooks (unsigned, as the payer's phone would be): ``POST /mock/pay/{no}`` ``{"result":
  "SUCCESS"|"PAYERROR", "duplicates": n}`` and ``POST /mock/close/{no}``.

Notifies: ``POST notify_url`` with the signed headers; a non-2xx answer (or no answer) is retried
after ``retry_schedule`` (WeChat's own: 15 s, 15 s, 30 s, 3 min, 10 min, 20 min, 30 min, 30 min,
30 min, 60 min, 3 h, 3 h, 3 h, 6 h, 6 h); ``duplicates`` sends the same notify that many more times
after the first success (channels do: the platform must credit once).
"""
from __future__ import annotations

import argparse
import json
import secrets
import signal
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Dict, List, Mapping, Optional, Tuple

from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from .pay import (BadSignature, PaymentChannel, authorization, notify_message, parse_notify_body, sign,
                  verify_authorization, verify_notify_headers)

__all__ = ["MockWeChatPay", "MockWeChatPayClient", "WECHAT_RETRY_SCHEDULE", "http_transport"]

WECHAT_RETRY_SCHEDULE = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600)
CST = timezone(timedelta(hours=8))      # WeChat Pay's times are China Standard Time (RFC 3339 with +08:00)

Transport = Callable[[str, Dict[str, str], bytes], int]     # (url, headers, body) -> HTTP status (0: no answer)


def http_transport(url: str, headers: Dict[str, str], body: bytes, timeout: float = 10.0) -> int:
    """POSTs with urllib; returns the HTTP status, 0 when there was no answer."""
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return 0


def _rfc3339(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, CST).isoformat(timespec="seconds")


@dataclass
class _Payment:
    out_trade_no: str
    mchid: str
    amount: int
    description: str
    notify_url: str
    created: int
    transaction_id: str = ""
    state: str = "NOTPAY"
    success_time: int = 0
    refunded: int = 0


@dataclass
class _Notify:
    id: str
    url: str
    body: bytes
    due: float
    attempts: int = 0
    duplicates: int = 0         # further sends after the first success
    delivered: bool = False
    log: List[Tuple[float, int]] = field(default_factory=list)      # (time, HTTP status)


class MockWeChatPay:
    """The mock channel. ``merchants``: {mchid: secret}; ``clock``: epoch seconds (tests pass theirs)."""

    def __init__(self, merchants: Mapping[str, bytes], serial: str = "MOCK-KEY-1",
                 retry_schedule=WECHAT_RETRY_SCHEDULE, transport: Transport = http_transport,
                 clock: Callable[[], float] = time.time) -> None:
        self.merchants = {k: (v.encode() if isinstance(v, str) else v) for k, v in merchants.items()}
        self.serial = serial
        self.retry_schedule = tuple(retry_schedule)
        self.transport = transport
        self.clock = clock
        self.payments: Dict[str, _Payment] = {}
        self.notifies: List[_Notify] = []
        self._lock = threading.RLock()
        self._seq = 0

    # ---- WSGI ----
    def app(self, environ, start_response):
        request = Request(environ)
        try:
            response = self._dispatch(request)
        except BadSignature as e:
            response = _json({"code": "SIGN_ERROR", "message": str(e)}, 401)
        except HTTPException as e:
            response = e.get_response()
        return response(environ, start_response)

    __call__ = app

    def _dispatch(self, request: Request) -> Response:
        path, method = request.path, request.method
        body = request.get_data()
        if path.startswith("/mock/"):
            return self._mock_hook(path, method, body)
        full = request.full_path.rstrip("?") if request.query_string else path
        mchid = verify_authorization(request.headers.get("Authorization"), self.merchants, method, full, body,
                                     now=self.clock())
        if method == "POST" and path == "/v3/pay/transactions/native":
            return self._create(mchid, body)
        prefix = "/v3/pay/transactions/out-trade-no/"
        if method == "POST" and path.startswith(prefix) and path.endswith("/close"):
            return self._close(mchid, path[len(prefix):-len("/close")])
        if method == "GET" and path.startswith(prefix):
            return self._query(mchid, path[len(prefix):])
        if method == "POST" and path == "/v3/refund/domestic/refunds":
            return self._refund(mchid, body)
        if method == "GET" and path == "/v3/bill/tradebill":
            return self._bill(mchid, request.args.get("bill_date", ""))
        return _json({"code": "NOT_FOUND", "message": f"{method} {path}"}, 404)

    def _create(self, mchid: str, body: bytes) -> Response:
        try:
            doc = json.loads(body)
            no, total = str(doc["out_trade_no"]), int(doc["amount"]["total"])
            url, desc = str(doc["notify_url"]), str(doc.get("description", ""))
        except (ValueError, KeyError, TypeError) as e:
            return _json({"code": "PARAM_ERROR", "message": f"bad request: {e}"}, 400)
        if not (1 <= len(no) <= 32) or not no.isalnum() or total <= 0 or not url.startswith(("http://", "https://")):
            return _json({"code": "PARAM_ERROR", "message": "out_trade_no 1..32 alphanumerics, amount > 0, notify_url"}, 400)
        with self._lock:
            p = self.payments.get(no)
            if p is not None and (p.amount != total or p.mchid != mchid):
                return _json({"code": "OUT_TRADE_NO_USED", "message": "out_trade_no used with another amount"}, 400)
            if p is None:
                self.payments[no] = _Payment(no, mchid, total, desc, url, int(self.clock()))
        return _json({"code_url": f"weixin://wxpay/mock?out_trade_no={no}"})

    def _payment_doc(self, p: _Payment) -> dict:
        doc = {"mchid": p.mchid, "out_trade_no": p.out_trade_no, "transaction_id": p.transaction_id,
               "trade_state": p.state, "amount": {"total": p.amount, "currency": "CNY"}}
        if p.success_time:
            doc["success_time"] = _rfc3339(p.success_time)
            doc["success_epoch"] = p.success_time
        return doc

    def _query(self, mchid: str, no: str) -> Response:
        with self._lock:
            p = self.payments.get(no)
            if p is None or p.mchid != mchid:
                return _json({"code": "ORDER_NOT_EXIST", "message": no}, 404)
            return _json(self._payment_doc(p))

    def _close(self, mchid: str, no: str) -> Response:
        """The merchant closes an unpaid payment (an order that expired in the books): no notify."""
        with self._lock:
            p = self.payments.get(no)
            if p is None or p.mchid != mchid:
                return _json({"code": "ORDER_NOT_EXIST", "message": no}, 404)
            if p.state == "SUCCESS":
                return _json({"code": "ORDERPAID", "message": "the payment is paid"}, 400)
            p.state = "CLOSED"
            return Response(status=204)

    def _refund(self, mchid: str, body: bytes) -> Response:
        try:
            no = str(json.loads(body)["out_trade_no"])
        except (ValueError, KeyError, TypeError):
            return _json({"code": "PARAM_ERROR", "message": "out_trade_no"}, 400)
        with self._lock:
            p = self.payments.get(no)
            if p is None or p.mchid != mchid or p.state != "SUCCESS":
                return _json({"code": "INVALID_REQUEST", "message": "not a paid order"}, 400)
            p.state, p.refunded = "REFUND", int(self.clock())
            return _json({"out_trade_no": no, "status": "SUCCESS", "amount": {"refund": p.amount}})

    def _bill(self, mchid: str, day: str) -> Response:
        return Response(self.statement_csv(mchid, day), mimetype="text/csv")

    def statement_csv(self, mchid: str, day: str) -> bytes:
        """The day's statement (China Standard Time day, as WeChat's bills): a PAID record per payment
        paid that day, a REFUNDED record per refund made that day. Amounts in yuan (2 decimals)."""
        try:
            start = int(datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=CST).timestamp())
        except ValueError:
            return b""
        end = start + 86400
        rows = []
        with self._lock:
            for p in self.payments.values():
                if p.mchid != mchid:
                    continue
                for when, status in ((p.success_time, "PAID"), (p.refunded, "REFUNDED")):
                    if when and start <= when < end:
                        rows.append((when, p.out_trade_no, status, p.amount))
        lines = ["order_id,amount,status,time"]
        for when, no, status, amount in sorted(rows):
            at = datetime.fromtimestamp(when, CST).strftime("%Y-%m-%d %H:%M:%S")
            lines.append(f"{no},{amount // 100}.{amount % 100:02d},{status},{at}")
        return ("\r\n".join(lines) + "\r\n").encode()

    # ---- the payer (test hooks) ----
    def _mock_hook(self, path: str, method: str, body: bytes) -> Response:
        if method != "POST":
            return _json({"code": "NOT_FOUND"}, 404)
        try:
            doc = json.loads(body) if body else {}
        except ValueError:
            return _json({"code": "PARAM_ERROR"}, 400)
        no = path.rsplit("/", 1)[-1]
        try:
            if path.startswith("/mock/pay/"):
                self.pay(no, doc.get("result", "SUCCESS"), int(doc.get("duplicates", 0)))
            elif path.startswith("/mock/close/"):
                self.pay(no, "CLOSED")
            else:
                return _json({"code": "NOT_FOUND"}, 404)
        except KeyError:
            return _json({"code": "ORDER_NOT_EXIST"}, 404)
        except ValueError as e:
            return _json({"code": "INVALID_REQUEST", "message": str(e)}, 400)
        return _json({"out_trade_no": no, "queued": True})

    def pay(self, no: str, result: str = "SUCCESS", duplicates: int = 0) -> None:
        """The payer pays (SUCCESS) or the payment fails (PAYERROR) or is closed (CLOSED); queues the notify."""
        if result not in ("SUCCESS", "PAYERROR", "CLOSED"):
            raise ValueError(f"result {result!r}")
        now = int(self.clock())
        with self._lock:
            p = self.payments[no]
            if p.state != "NOTPAY":
                raise ValueError(f"payment {no} is {p.state}")
            self._seq += 1
            p.state = result
            if result == "SUCCESS":
                p.transaction_id = f"4200{now:010d}{self._seq:06d}"
                p.success_time = now
            event = "TRANSACTION.SUCCESS" if result == "SUCCESS" else "TRANSACTION.FAIL"
            res = self._payment_doc(p)
            doc = {"id": secrets.token_hex(8), "create_time": _rfc3339(now), "create_epoch": now,
                   "event_type": event, "resource_type": "plain", "resource": res}
            self.notifies.append(_Notify(doc["id"], p.notify_url, json.dumps(doc, sort_keys=True).encode(), now,
                                         duplicates=max(0, duplicates)))

    # ---- notify delivery ----
    def signed_headers(self, body: bytes, now: Optional[float] = None) -> Dict[str, str]:
        """The headers of a notify signed with the merchant's key (one merchant: the first)."""
        ts = str(int(self.clock() if now is None else now))
        nonce = secrets.token_hex(16)
        secret = next(iter(self.merchants.values()))
        return {"Content-Type": "application/json", "Wechatpay-Timestamp": ts, "Wechatpay-Nonce": nonce,
                "Wechatpay-Serial": self.serial, "Wechatpay-Signature": sign(secret, notify_message(ts, nonce, body))}

    def deliver_due(self, now: Optional[float] = None) -> int:
        """Sends every notify due at ``now``; returns how many were sent."""
        now = self.clock() if now is None else now
        with self._lock:
            due = [n for n in self.notifies if n.due <= now and (not n.delivered or n.duplicates > 0)]
        sent = 0
        for n in due:
            status = self.transport(n.url, self.signed_headers(n.body, now), n.body)
            sent += 1
            with self._lock:
                n.attempts += 1
                n.log.append((now, status))
                if n.delivered:                 # a duplicate of a delivered notify
                    n.duplicates -= 1
                elif 200 <= status < 300:
                    n.delivered = True
                elif n.attempts > len(self.retry_schedule):
                    n.due = float("inf")        # WeChat gives up after its schedule (about a day)
                else:
                    n.due = now + self.retry_schedule[n.attempts - 1]
        return sent

    def pending(self) -> int:
        """Notifies still to send (undelivered or with duplicates left)."""
        with self._lock:
            return sum(1 for n in self.notifies if (not n.delivered and n.due != float("inf")) or n.duplicates > 0)

    def serve(self, host: str = "127.0.0.1", port: int = 0, tick: float = 1.0):
        """Serves on ``host:port`` from a thread (and delivers notifies every ``tick`` s); returns the
        werkzeug server (``server.port``; ``server.shutdown()`` stops it)."""
        server = make_server(host, port, self.app, threaded=True, request_handler=QuietHandler)
        stop = threading.Event()
        threading.Thread(target=server.serve_forever, daemon=True).start()

        def pump():
            while not stop.wait(tick):
                self.deliver_due()

        threading.Thread(target=pump, daemon=True).start()
        shutdown = server.shutdown

        def stop_all():
            stop.set()
            shutdown()
        server.shutdown = stop_all
        return server


class QuietHandler(WSGIRequestHandler):
    """No access log line per request (the tests and the demo stay readable)."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def _json(doc, status: int = 200) -> Response:
    return Response(json.dumps(doc), status=status, mimetype="application/json")


class MockWeChatPayClient(PaymentChannel):
    """The platform's side of the mock channel. ``base_url``: where the mock serves (``http://127.0.0.1:8090``);
    ``http``: (method, path, headers, body) -> (status, body) to call it in process instead of over HTTP."""

    def __init__(self, base_url: str, mchid: str, secret: bytes, serial: str = "MOCK-KEY-1",
                 http: Optional[Callable[[str, str, Dict[str, str], bytes], Tuple[int, bytes]]] = None,
                 clock: Callable[[], float] = time.time, max_age: int = 300) -> None:
        self.base_url = base_url.rstrip("/")
        self.mchid, self.serial = mchid, serial
        self.secret = secret.encode() if isinstance(secret, str) else secret
        self.http = http or self._urllib
        self.clock, self.max_age = clock, max_age

    def _urllib(self, method: str, path: str, headers: Dict[str, str], body: bytes) -> Tuple[int, bytes]:
        req = urllib.request.Request(self.base_url + path, data=body if method == "POST" else None, headers=headers,
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def _call(self, method: str, path: str, doc: Optional[dict] = None) -> Tuple[int, bytes]:
        body = json.dumps(doc).encode() if doc is not None else b""
        headers = {"Authorization": authorization(self.mchid, self.serial, self.secret, method, path, body,
                                                  now=self.clock()), "Accept": "application/json"}
        if doc is not None:
            headers["Content-Type"] = "application/json"
        return self.http(method, path, headers, body)

    def create(self, order_no: str, amount_fen: int, description: str, notify_url: str) -> dict:
        status, body = self._call("POST", "/v3/pay/transactions/native",
                                  {"mchid": self.mchid, "out_trade_no": str(order_no), "description": description,
                                   "notify_url": notify_url, "amount": {"total": int(amount_fen), "currency": "CNY"}})
        doc = json.loads(body or b"{}")
        if status != 200:
            raise ValueError(f"create {order_no}: {doc.get('code')}: {doc.get('message')}")
        return {"order_no": str(order_no), "pay_url": doc["code_url"]}

    def query(self, order_no: str) -> dict:
        status, body = self._call("GET", f"/v3/pay/transactions/out-trade-no/{order_no}?mchid={self.mchid}")
        doc = json.loads(body or b"{}")
        if status == 404:
            raise KeyError(f"no payment {order_no} at the channel")
        if status != 200:
            raise ValueError(f"query {order_no}: {doc.get('code')}: {doc.get('message')}")
        return parse_notify_body(json.dumps({"resource": doc, "create_epoch": doc.get("success_epoch", 0)}).encode())

    def close(self, order_no: str) -> None:
        """Closes an unpaid payment (the order expired or was cancelled in the books)."""
        status, body = self._call("POST", f"/v3/pay/transactions/out-trade-no/{order_no}/close", {"mchid": self.mchid})
        if status != 204:
            doc = json.loads(body or b"{}")
            raise ValueError(f"close {order_no}: {doc.get('code')}: {doc.get('message')}")

    def refund(self, order_no: str) -> dict:
        status, body = self._call("POST", "/v3/refund/domestic/refunds", {"out_trade_no": str(order_no)})
        doc = json.loads(body or b"{}")
        if status != 200:
            raise ValueError(f"refund {order_no}: {doc.get('code')}: {doc.get('message')}")
        return doc

    def verify_notify(self, headers: Mapping[str, str], body: bytes) -> dict:
        verify_notify_headers(self.secret, headers, body, now=self.clock(), max_age=self.max_age, serial=self.serial)
        return parse_notify_body(body)

    def statement(self, day: str) -> bytes:
        status, body = self._call("GET", f"/v3/bill/tradebill?bill_date={day}")
        if status != 200:
            raise ValueError(f"statement {day}: HTTP {status}")
        return body


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m prepay_platform.channels.pay_mock",
                                 description="A mock WeChat Pay on the loopback interface (for the platform's demo and tests).")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8090)
    ap.add_argument("--mchid", default="1900000001")
    ap.add_argument("--secret", default="mock-wechat-pay-secret")
    ap.add_argument("--tick", type=float, default=1.0, help="seconds between notify delivery rounds")
    args = ap.parse_args(argv)
    mock = MockWeChatPay({args.mchid: args.secret.encode()})
    server = mock.serve(args.host, args.port, tick=args.tick)
    print(f"mock WeChat Pay on http://{args.host}:{server.port} (merchant {args.mchid})", flush=True)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
