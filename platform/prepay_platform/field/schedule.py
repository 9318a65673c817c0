# SPDX-License-Identifier: MIT
"""Scheduled field work: hourly reads and daily freezes (and any periodic job), driven by
``run_due(now)`` so that tests and the load benchmark run in accelerated time.

A job runs once per slot (an hour, a day: ``slot = start of the period containing now``), recorded
in ``schedule_runs`` (migration 0100_batch.sql): calling ``run_due`` again in the same slot does
nothing, a slot left ``running`` by a crash is run again (reads and freezes are harmless to
repeat). Missed slots are not replayed: a meter cannot be read in the past, so after a pause the
current slot is run (its readings carry their own time).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Tuple

__all__ = ["Job", "Scheduler", "HOUR", "DAY"]

HOUR = 3600
DAY = 86400

JobFn = Callable[[int], Tuple[int, int, str]]      # slot -> (ok count, failed count, message)


@dataclass
class Job:
    """A periodic job: ``period`` seconds, slots aligned to ``offset`` seconds after the epoch
    (a day in UTC+8 starts at 16:00 UTC: offset -8 * 3600)."""
    name: str
    period: int
    fn: JobFn
    offset: int = 0

    def slot(self, now: int) -> int:
        return ((now - self.offset) // self.period) * self.period + self.offset


class Scheduler:
    """Runs due jobs; the standard ones are built by :meth:`hourly_reads` and :meth:`daily_freezes`."""

    def __init__(self, db, jobs: Iterable[Job] = (), clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.jobs: List[Job] = list(jobs)
        self.clock = clock
        self._lock = threading.Lock()

    def add(self, job: Job) -> Job:
        if any(j.name == job.name for j in self.jobs):
            raise ValueError(f"job {job.name!r} exists")
        if job.period <= 0:
            raise ValueError("period must be positive")
        self.jobs.append(job)
        return job

    def hourly_reads(self, station, meter_ids: Callable[[], Iterable[int]],
                     on_reading: Callable[[object, int], None], name: str = "hourly-read") -> Job:
        """Reads every meter once an hour; ``on_reading(reading, slot)`` stores each (offline ones too)."""
        return self.add(Job(name, HOUR, _over_meters(station.read, meter_ids, on_reading)))

    def daily_freezes(self, station, meter_ids: Callable[[], Iterable[int]],
                      on_reading: Callable[[object, int], None], utc_offset: int = 0,
                      name: str = "daily-freeze") -> Job:
        """Freezes and reads every meter once a day, days starting at local midnight (``utc_offset``
        seconds east of UTC, e.g. 8 * 3600 for China Standard Time)."""
        return self.add(Job(name, DAY, _over_meters(station.freeze, meter_ids, on_reading), offset=-int(utc_offset)))

    def run_due(self, now: Optional[int] = None) -> List[dict]:
        """Runs every job whose current slot has not run; returns one summary per job run."""
        now = int(self.clock() if now is None else now)
        ran = []
        with self._lock:
            for job in self.jobs:
                slot = job.slot(now)
                row = self.db.one("SELECT state FROM schedule_runs WHERE job = ? AND slot = ?", (job.name, slot))
                if row is not None and row["state"] == "done":
                    continue
                with self.db.transaction():
                    if row is None:
                        self.db.execute("INSERT INTO schedule_runs (job, slot, state, started_at, ok_count, "
                                        "failed_count, message) VALUES (?, ?, 'running', ?, 0, 0, '')",
                                        (job.name, slot, now))
                    else:   # left running by a crash: run again
                        self.db.execute("UPDATE schedule_runs SET started_at = ? WHERE job = ? AND slot = ?",
                                        (now, job.name, slot))
                try:
                    ok, failed, message = job.fn(slot)
                except Exception as e:      # noqa: BLE001 - recorded; the next slot runs again
                    ok, failed, message = 0, 0, f"error: {type(e).__name__}: {e}"
                self.db.execute("UPDATE schedule_runs SET state = 'done', finished_at = ?, ok_count = ?, "
                                "failed_count = ?, message = ? WHERE job = ? AND slot = ?",
                                (now, ok, failed, message[:1000], job.name, slot))
                ran.append({"job": job.name, "slot": slot, "ok": ok, "failed": failed, "message": message})
        return ran

    def runs(self, job: Optional[str] = None, limit: int = 100) -> List[dict]:
        """The latest runs (newest first)."""
        if job:
            return self.db.query("SELECT * FROM schedule_runs WHERE job = ? ORDER BY slot DESC LIMIT ?", (job, limit))
        return self.db.query("SELECT * FROM schedule_runs ORDER BY slot DESC, job LIMIT ?", (limit,))


def _over_meters(op, meter_ids, on_reading) -> JobFn:
    def run(slot: int) -> Tuple[int, int, str]:
        ok = failed = 0
        offline = []
        for meter_id in meter_ids():
            reading = op(meter_id)
            on_reading(reading, slot)
            if reading.ok:
                ok += 1
            else:
                failed += 1
                if len(offline) < 10:
                    offline.append(f"{meter_id}: {reading.error}")
        return ok, failed, "; ".join(offline)
    return run
