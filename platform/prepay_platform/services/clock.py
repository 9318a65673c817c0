# SPDX-License-Identifier: MIT
"""Time: the database keeps UTC epoch seconds; the library takes the site's local civil time
(docs/units.md), here a fixed offset from UTC (China Standard Time by default)."""
from __future__ import annotations

import datetime as _dt
import time as _time

LOCAL = _dt.timezone(_dt.timedelta(hours=8))


def now() -> int:
    """Seconds since the epoch (UTC)."""
    return int(_time.time())


def local(ts: int) -> _dt.datetime:
    """The naive local datetime of epoch seconds (what the settlement site is given)."""
    return _dt.datetime.fromtimestamp(int(ts), LOCAL).replace(tzinfo=None)


def epoch(local_dt: _dt.datetime) -> int:
    """Epoch seconds of a naive local datetime."""
    return int(local_dt.replace(tzinfo=LOCAL).timestamp())


def day(ts: int) -> str:
    """The local date of epoch seconds as YYYY-MM-DD."""
    return local(ts).strftime("%Y-%m-%d")


def fmt(ts) -> str:
    """Epoch seconds as local 'YYYY-MM-DD HH:MM' ('' for None)."""
    return "" if ts is None else local(ts).strftime("%Y-%m-%d %H:%M")
