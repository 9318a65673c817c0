# SPDX-License-Identifier: MIT
"""Batch tasks: one command (set tariff, relay control, recharge, parameters) over many meters or
accounts, now or at a scheduled time, persistent in the platform's Database and resumable.

States. A task is ``scheduled`` until its ``run_at``, ``running`` while items are open, then
``done`` (every item ok), ``failed`` (some item failed) or ``cancelled``. An item is ``pending``,
``running`` (its handler was called), ``ok``, ``failed``, ``retry`` (the meter was offline: tried
again at ``next_at``, after the backoff) or ``cancelled``.

Handlers. ``handlers[kind](item) -> (ok, message)``; ``item`` carries ``task_id``, ``item_id``,
``target``, ``kind``, ``payload``, ``attempt`` and ``idempotency_key`` =
``f"batch:{task_id}:{item_id}"``. ``(False, "offline: ...")`` is retried (``Reading.offline`` /
``CommandResult.offline`` of the station produce that text), any other ``False`` is final. A handler
that raises an ``Exception`` is retried like an offline meter (the message keeps the error).

Crash safety. An item is marked ``running`` (committed, compare-and-set on the state
read, so two runners never both take a pending item) before its handler is called and its outcome
is committed after. A process that dies in between leaves it ``running``; the next ``run_due()``
calls the handler again with the same idempotency key. Runners of one database in one process take
turns (a lock per database); across processes an item left ``running`` is taken as a crashed one,
so run batches from one process (the web process or the scheduler, not both). Handlers that move money must therefore be
idempotent by that key: :func:`recharge_handler` records the Site recharge sequence chosen for a
key before crediting, so the repeated call is the Site's harmless repeat (docs/settlement.md 7).
"""
from __future__ import annotations

import datetime as _dt
import json
import threading
import time
from decimal import Decimal
from typing import Callable, Dict, List, Optional, Sequence, Tuple

__all__ = ["BatchRunner", "KINDS", "DEFAULT_BACKOFF", "recharge_handler", "station_handlers"]

KINDS = ("tariff", "relay", "recharge", "params")
DEFAULT_BACKOFF = (60, 300, 900, 3600)     # seconds before attempt 2, 3, 4, 5 (then the last again)
DEFAULT_ATTEMPTS = 5
FINAL = ("ok", "failed", "cancelled")

Handler = Callable[[dict], Tuple[bool, str]]
_LOCKS: Dict[int, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()
_OWNERS: Dict[int, int] = {}       # database -> thread running its items now


class BatchRunner:
    """Creates, runs, reports and cancels batch tasks (tables of migration 0100_batch.sql)."""

    def __init__(self, db, handlers: Dict[str, Handler], backoff: Sequence[int] = DEFAULT_BACKOFF,
                 max_attempts: int = DEFAULT_ATTEMPTS, clock: Callable[[], float] = time.time) -> None:
        if not backoff or any(int(b) <= 0 for b in backoff):
            raise ValueError("backoff: one or more positive delays (seconds)")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.db = db
        self.handlers = dict(handlers)
        self.backoff = tuple(int(b) for b in backoff)
        self.max_attempts = int(max_attempts)
        self.clock = clock
        with _LOCKS_GUARD:      # runners of one database in one process take turns
            self._lock = _LOCKS.setdefault(id(db), threading.RLock())

    # ---- creating ----
    def create(self, kind: str, targets: List[int], payload: dict, run_at: Optional[int], created_by: str,
               max_attempts: Optional[int] = None) -> int:
        """A task over ``targets`` (meter or account ids, each once), run at ``run_at`` (None: now)."""
        if kind not in self.handlers:
            raise ValueError(f"unknown batch kind {kind!r} (known: {', '.join(sorted(self.handlers))})")
        ids = [int(t) for t in targets]
        if not ids:
            raise ValueError("a batch needs at least one target")
        if len(set(ids)) != len(ids):
            raise ValueError("a target is listed twice")
        if not created_by:
            raise ValueError("created_by is required")
        text = json.dumps(payload if payload is not None else {}, sort_keys=True)
        now = int(self.clock())
        when = now if run_at is None else int(run_at)
        attempts = self.max_attempts if max_attempts is None else int(max_attempts)
        if attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        with self.db.transaction():
            task_id = self.db.next_id("batch_tasks")
            self.db.execute("INSERT INTO batch_tasks (id, kind, payload, state, run_at, max_attempts, created_at, "
                            "created_by) VALUES (?, ?, ?, 'scheduled', ?, ?, ?, ?)",
                            (task_id, kind, text, when, attempts, now, created_by))
            for n, target in enumerate(ids, start=1):
                self.db.execute("INSERT INTO batch_items (task_id, item_id, target, state, attempts, next_at, message, "
                                "updated_at) VALUES (?, ?, ?, 'pending', 0, ?, '', ?)", (task_id, n, target, when, now))
        return task_id

    # ---- running ----
    def run_due(self, now: int, limit: Optional[int] = None) -> int:
        """Runs the items due at ``now`` (pending, left running by a crash, retry past next_at) of the
        tasks due and not cancelled; returns how many handler calls were made."""
        now = int(now)
        with self._lock:
            if _OWNERS.get(id(self.db)) == threading.get_ident():
                return 0            # called from a handler of this very run: the items are being run
            _OWNERS[id(self.db)] = threading.get_ident()
            try:
                return self._run_due(now, limit)
            finally:
                _OWNERS.pop(id(self.db), None)

    def _run_due(self, now: int, limit: Optional[int]) -> int:
        due = self.db.query(
            "SELECT i.task_id, i.item_id, i.target, i.state, i.attempts, t.kind, t.payload, t.max_attempts "
            "FROM batch_items i JOIN batch_tasks t ON t.id = i.task_id "
            "WHERE t.state IN ('scheduled', 'running') AND t.run_at <= ? "
            "AND (i.state IN ('pending', 'running') OR (i.state = 'retry' AND i.next_at <= ?)) "
            "ORDER BY t.run_at, i.task_id, i.item_id", (now, now))
        if limit is not None:
            due = due[:max(0, int(limit))]
        ran = 0
        touched = set()
        for row in due:
            task_id, item_id = int(row["task_id"]), int(row["item_id"])
            # the task may have been cancelled since the query (another thread of the app)
            task = self.db.one("SELECT state FROM batch_tasks WHERE id = ?", (task_id,))
            if task is None or task["state"] not in ("scheduled", "running"):
                continue
            attempt = int(row["attempts"]) + 1
            with self.db.transaction():
                self.db.execute("UPDATE batch_tasks SET state = 'running' WHERE id = ? AND state = 'scheduled'",
                                (task_id,))
                # compare-and-set on what was read: another runner that took the item first wins
                claimed = self.db.execute("UPDATE batch_items SET state = 'running', attempts = ?, updated_at = ? "
                                          "WHERE task_id = ? AND item_id = ? AND state = ? AND attempts = ?",
                                          (attempt, now, task_id, item_id, row["state"], int(row["attempts"])))
            if getattr(claimed, "rowcount", 1) == 0:
                continue
            item = {"task_id": task_id, "item_id": item_id, "target": int(row["target"]), "kind": row["kind"],
                    "payload": json.loads(row["payload"]), "attempt": attempt, "now": now,
                    "idempotency_key": f"batch:{task_id}:{item_id}"}
            try:
                ok, message = self.handlers[row["kind"]](item)
                retry = (not ok) and str(message).startswith("offline")
            except Exception as e:      # noqa: BLE001 - a handler's failure is the item's, not the runner's
                ok, message, retry = False, f"error: {type(e).__name__}: {e}", True
            ran += 1
            if ok:
                state, next_at = "ok", now
            elif retry and attempt < int(row["max_attempts"]):
                state = "retry"
                next_at = now + self.backoff[min(attempt - 1, len(self.backoff) - 1)]
            else:
                state, next_at = "failed", now
                if retry:
                    message = f"{message} (gave up after {attempt} attempts)"
            self.db.execute("UPDATE batch_items SET state = ?, next_at = ?, message = ?, updated_at = ? "
                            "WHERE task_id = ? AND item_id = ? AND state = 'running'",
                            (state, next_at, str(message)[:1000], now, task_id, item_id))
            touched.add(task_id)
        for task_id in touched:
            self._finish(task_id, now)
        return ran

    def _finish(self, task_id: int, now: int) -> None:
        counts = self._counts(task_id)
        if counts["total"] and counts["ok"] + counts["failed"] + counts["cancelled"] == counts["total"]:
            state = "done" if counts["failed"] == 0 else "failed"
            self.db.execute("UPDATE batch_tasks SET state = ?, finished_at = ? WHERE id = ? AND state = 'running'",
                            (state, now, task_id))

    # ---- reporting ----
    def _counts(self, task_id: int) -> Dict[str, int]:
        rows = self.db.query("SELECT state, COUNT(*) AS n FROM batch_items WHERE task_id = ? GROUP BY state",
                             (task_id,))
        counts = {s: 0 for s in ("pending", "running", "ok", "failed", "retry", "cancelled")}
        for r in rows:
            counts[r["state"]] = int(r["n"])
        counts["total"] = sum(counts.values())
        counts["done"] = counts["ok"] + counts["failed"] + counts["cancelled"]
        return counts

    def _task(self, row: dict) -> dict:
        task = dict(row)
        task["payload"] = json.loads(task["payload"])
        task["counts"] = self._counts(int(row["id"]))
        return task

    def get(self, task_id: int) -> dict:
        """The task with its counts and its items (target, state, attempts, message, next_at)."""
        row = self.db.one("SELECT * FROM batch_tasks WHERE id = ?", (int(task_id),))
        if row is None:
            raise KeyError(f"no batch task {task_id}")
        task = self._task(row)
        task["items"] = self.db.query("SELECT item_id, target, state, attempts, next_at, message, updated_at "
                                      "FROM batch_items WHERE task_id = ? ORDER BY item_id", (int(task_id),))
        return task

    def list(self) -> List[dict]:
        """Every task, newest first, with counts (no items)."""
        return [self._task(r) for r in self.db.query("SELECT * FROM batch_tasks ORDER BY id DESC")]

    def cancel(self, task_id: int, by: str) -> dict:
        """Cancels what is not done yet (pending and retry items); items already ok/failed stay.
        A task already finished is left as it is (KeyError for an unknown task)."""
        now = int(self.clock())
        with self._lock, self.db.transaction():
            row = self.db.one("SELECT state FROM batch_tasks WHERE id = ?", (int(task_id),))
            if row is None:
                raise KeyError(f"no batch task {task_id}")
            if row["state"] in ("scheduled", "running"):
                self.db.execute("UPDATE batch_items SET state = 'cancelled', message = ?, updated_at = ? "
                                "WHERE task_id = ? AND state IN ('pending', 'retry', 'running')",
                                (f"cancelled by {by}", now, int(task_id)))
                self.db.execute("UPDATE batch_tasks SET state = 'cancelled', cancelled_at = ?, cancelled_by = ?, "
                                "finished_at = ? WHERE id = ?", (now, by, now, int(task_id)))
        return self.get(task_id)


# ---- handlers over the station and the Site ----------------------------------------------------

def station_handlers(station, tariffs: Optional[Callable[[dict], object]] = None,
                     params: Optional[Callable[[object, int, dict], object]] = None) -> Dict[str, Handler]:
    """Handlers of the meter kinds over a :class:`~prepay_platform.field.station.Station`:
    ``relay`` (payload ``{"action": "trip"|"close"|...}``), ``tariff`` (payload ``{"tariff": <prepay-tariff/1
    document or path>, "at": optional switch-over}``, or ``tariffs(payload)`` returning one), ``params``
    (payload ``{"time": epoch}`` sets the clock, ``{"items": {"04001001": "20.00", ...}}`` writes DL/T 645
    parameters read back and compared; others through ``params(station, meter, payload)``)."""

    def result(r) -> Tuple[bool, str]:
        if r.ok:
            return True, ", ".join(f"{k} = {v}" for k, v in r.values.items()) or "ok"
        return False, r.error

    def relay(item: dict) -> Tuple[bool, str]:
        return result(station.relay(item["target"], item["payload"]["action"]))

    def tariff(item: dict) -> Tuple[bool, str]:
        doc = tariffs(item["payload"]) if tariffs else item["payload"]["tariff"]
        return result(station.push_tariff(item["target"], doc, at=item["payload"].get("at")))

    def parameters(item: dict) -> Tuple[bool, str]:
        p = item["payload"]
        if "time" in p:
            return result(station.set_time(item["target"], int(p["time"])))
        if "items" in p:
            return result(station.write_params(item["target"], dict(p["items"])))
        if params is None:
            return False, f"no handler for parameters {sorted(p)}"
        return result(params(station, item["target"], p))

    return {"relay": relay, "tariff": tariff, "params": parameters}


def recharge_handler(site, db, at: Optional[Callable[[dict], int]] = None) -> Handler:
    """The ``recharge`` kind over a settlement Site: payload ``{"amount": "50.00"}`` (yuan), target = account.

    The Site's recharge sequence for the item's idempotency key is chosen and committed (table
    ``batch_recharge_keys``) before the Site is called; a repeat after a crash finds it and the Site
    answers with the recorded split (``repeat``), so an account is never credited twice."""

    def handle(item: dict) -> Tuple[bool, str]:
        key = item["idempotency_key"]
        account = int(item["target"])
        amount = Decimal(str(item["payload"]["amount"]))
        fen = int((amount * 100).to_integral_value())
        if Decimal(fen) != amount * 100 or fen <= 0:
            return False, f"amount {item['payload']['amount']}: a positive amount in yuan with at most 2 decimals"
        with db.transaction():
            row = db.one("SELECT account_id, sequence, amount_fen FROM batch_recharge_keys WHERE idem_key = ?", (key,))
            if row is None:
                sequence = site.account(account).recharges + 1
                db.execute("INSERT INTO batch_recharge_keys (idem_key, account_id, sequence, amount_fen) "
                           "VALUES (?, ?, ?, ?)", (key, account, sequence, fen))
            else:
                sequence = int(row["sequence"])
        if at is not None:
            when = at(item)
        else:   # platform times are UTC epoch seconds; the Site converts to its zone's civil time
            utc = _dt.datetime.fromtimestamp(item["now"], _dt.timezone.utc)
            when = utc if getattr(site, "zone", None) is not None else utc.replace(tzinfo=None)
        result = site.recharge(account, amount, when, sequence=sequence)
        again = " (repeat: already credited)" if getattr(result, "repeat", False) else ""
        return True, f"recharge {sequence} of account {account}: {amount} yuan{again}"

    return handle
