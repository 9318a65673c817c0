# SPDX-License-Identifier: MIT
"""Notification outbox: settlement events to the caller's channels (SMS, app push, e-mail, voice,
WeChat), durable with the ledger (include/prepay/outbox.h, docs/outbox.md).

Every event that an account's channel :class:`Policy` routes somewhere becomes one :class:`Delivery`
per channel, keyed by (event id, channel): the :attr:`Delivery.dedupe_key` a consumer uses, since
delivery is at least once. Attached to a :class:`prepay.settlement.Site` the outbox records the
events of each call before the call commits, in the same journal batch as the call's transfers.
:meth:`Outbox.take_due` hands out the deliveries whose time has come and records an attempt for
each (durable before it returns) BEFORE you send; :meth:`Outbox.ack` records the channel's
acknowledgement; an attempt left unacknowledged is retried after the next step of the ``backoff``
schedule until it is exhausted (reported, never dropped)::

    box = Outbox([Policy(0, {EventType.CUTOFF: {Channel.SMS, Channel.APP_PUSH}})], backoff=[60, 600, 3600])
    journal = Journal.open("site.journal", ledger, outbox=box)   # recovers the outbox with the ledger
    site.open(ledger, journal)
    site.attach_outbox(box)
    ...
    for d in box.take_due(now):
        send(d.channel, d.dedupe_key, d)          # your channel
        box.ack(d, now)

Times are naive local datetimes or int seconds since 2000-01-01 (aware datetimes are converted to
``zone``); money Decimal yuan.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple, Union

from . import c_api as _c
from ._enums import OutboxChannel, OutboxState, SettlementEvent
from ._errors import check, error_for
from ._units import TimeLike, fen_to_yuan, from_time, to_time, yuan_to_fen
from .journal import Journal
from .settlement import Event

__all__ = ["Policy", "Delivery", "Counts", "Outbox", "dedupe_key", "Channel", "State",
           "CHANNELS", "EVENT_TYPES", "MAX_STEPS"]

Channel = OutboxChannel
State = OutboxState

#: Channels are numbered 0..7.
CHANNELS = _c.PREPAY_OUTBOX_CHANNELS
#: Event types 1..63 can be routed.
EVENT_TYPES = _c.PREPAY_OUTBOX_EVENT_TYPES
#: Longest retry schedule (attempts = steps + 1).
MAX_STEPS = _c.PREPAY_OUTBOX_MAX_STEPS
_NEVER = 2 ** 63 - 1
_MASK64 = (1 << 64) - 1

ChannelSet = Union[int, Iterable[int]]


def _mask(channels: ChannelSet) -> int:
    if isinstance(channels, int) and not isinstance(channels, bool):
        if isinstance(channels, OutboxChannel):
            return 1 << int(channels)
        if not 0 <= channels <= 0xFF:
            raise error_for(_c.PREPAY_E_OUTBOX_FIELD, f"channel mask {channels} is not 8-bit")
        return channels
    mask = 0
    for c in channels:
        if not 0 <= int(c) < CHANNELS:
            raise error_for(_c.PREPAY_E_OUTBOX_FIELD, f"channel {c} (channels are 0..{CHANNELS - 1})")
        mask |= 1 << int(c)
    return mask


def _channels(mask: int) -> Set[int]:
    return {Channel(c) if c in Channel._value2member_map_ else c for c in range(CHANNELS) if mask >> c & 1}


@dataclass(frozen=True)
class Policy:
    """Which channels each event type goes to for one account (``account_id`` 0: the default for
    accounts without a policy). ``routes`` maps an event type (:class:`prepay.SettlementEvent`, 1..63)
    to a set of channels (or a :class:`Channel`, or a raw bit mask int); types not named go nowhere."""
    account_id: int = 0
    routes: Mapping[int, ChannelSet] = field(default_factory=dict)

    def _c(self) -> Tuple[int, bytes]:
        masks = bytearray(EVENT_TYPES)
        for event_type, channels in self.routes.items():
            if not 1 <= int(event_type) < EVENT_TYPES:
                raise error_for(_c.PREPAY_E_OUTBOX_FIELD, f"event type {event_type} (types are 1..{EVENT_TYPES - 1})")
            masks[int(event_type)] = _mask(channels)
        return int(self.account_id), bytes(masks)

    @classmethod
    def every(cls, channels: ChannelSet, account_id: int = 0,
              types: Optional[Iterable[int]] = None) -> "Policy":
        """A policy sending ``types`` (default: every settlement and payment event type) to ``channels``."""
        chosen = list(SettlementEvent) if types is None else list(types)
        return cls(account_id, {t: channels for t in chosen})


@dataclass(frozen=True)
class Delivery:
    """One event to one channel. ``due``: the next attempt from then on (None: none will be made);
    ``last_attempt``/``acked``: None until they happened; ``amount``/``balance`` Decimal yuan; ``level``
    the alarm level after the event."""
    event_id: int
    channel: int
    type: Union[SettlementEvent, int]
    account_id: int
    time: _dt.datetime
    due: Optional[_dt.datetime]
    last_attempt: Optional[_dt.datetime]
    acked: Optional[_dt.datetime]
    amount: Decimal
    balance: Decimal
    state: State
    attempts: int
    level: int

    @classmethod
    def _from(cls, t) -> "Delivery":
        hi, lo, time, due, last, acked, amount, balance, account, typ, channel, state, attempts, level = t
        return cls(hi << 64 | lo, Channel(channel) if channel in Channel._value2member_map_ else channel,
                   SettlementEvent(typ) if typ in SettlementEvent._value2member_map_ else typ, account,
                   from_time(time), None if due == _NEVER else from_time(due), from_time(last) if last else None,
                   from_time(acked) if acked else None, fen_to_yuan(amount), fen_to_yuan(balance), State(state),
                   attempts, level)

    @property
    def dedupe_key(self) -> str:
        """The consumer's dedupe key: 32 hex digits of the event id, '-', the channel digit."""
        return dedupe_key(self.event_id, self.channel)

    def __str__(self) -> str:
        """One readable line: time, type, account, channel, state and attempts."""
        name = self.type.name if isinstance(self.type, SettlementEvent) else str(self.type)
        channel = self.channel.name if isinstance(self.channel, Channel) else str(self.channel)
        return (f"{self.time:%Y-%m-%d %H:%M} {name:<16} account {self.account_id} to {channel} "
                f"{self.state.name.lower()} after {self.attempts} attempt(s)")


@dataclass(frozen=True)
class Counts:
    """Deliveries by state."""
    pending: int
    delivered: int
    exhausted: int


def dedupe_key(event_id: int, channel: int) -> str:
    """The dedupe key of (event id, channel) as :attr:`Delivery.dedupe_key` writes it."""
    if not 0 <= int(event_id) < 1 << 128:
        raise error_for(_c.PREPAY_E_OUTBOX_FIELD, f"event id {event_id} is not 128-bit")
    status, key = _c.pyprepay_outbox_dedupe_key(int(event_id) >> 64, int(event_id) & _MASK64, int(channel))
    check(status, f"channel {channel}")
    return key


def _seconds(step: Union[int, _dt.timedelta]) -> int:
    if isinstance(step, _dt.timedelta):
        seconds = step.total_seconds()
        if seconds != int(seconds):
            raise error_for(_c.PREPAY_E_OUTBOX_CONFIG, f"backoff step {step} is not whole seconds")
        return int(seconds)
    return int(step)


class Outbox:
    """An outbox of at most ``capacity`` deliveries on its own memory.

    ``policies``: :class:`Policy` objects, at most one per account (sorted here); ``backoff``: the
    retry schedule, seconds (or timedeltas) from attempt k to attempt k + 1 (1..32 steps, each > 0);
    ``journal``: an open :class:`prepay.journal.Journal` its records go to (None: memory only; to
    recover an outbox after a restart give it to :meth:`prepay.journal.Journal.open` instead, which
    replays its records and binds it); ``zone``: the local zone for aware datetimes. OutboxError
    CONFIG (a ``ValueError``) for a bad configuration."""

    def __init__(self, policies: Sequence[Policy] = (), backoff: Sequence[Union[int, _dt.timedelta]] = (60,), *,
                 capacity: int = 4096, journal: Optional[Journal] = None,
                 zone: Optional[_dt.tzinfo] = None) -> None:
        """Sizes and initialises the outbox (see the class)."""
        pols = sorted(policies, key=lambda p: int(p.account_id))
        ids = [int(p.account_id) for p in pols]
        if len(set(ids)) != len(ids):
            raise error_for(_c.PREPAY_E_OUTBOX_CONFIG, "two policies for the same account")
        if capacity < 1:
            raise error_for(_c.PREPAY_E_INVALID_ARGUMENT, "capacity must be at least 1")
        self.policies: Tuple[Policy, ...] = tuple(pols)
        self.backoff: Tuple[int, ...] = tuple(_seconds(s) for s in backoff)
        self.capacity = int(capacity)
        self.zone = zone
        self.journal: Optional[Journal] = journal
        self._o = _c.pyprepay_outbox_t()
        self._sink_seen = 0
        status = _c.pyprepay_outbox_setup(self._o, self.capacity, [p._c() for p in self.policies], list(self.backoff),
                                          journal._j if journal is not None else None)
        check(status, "outbox configuration")

    def _time(self, value: TimeLike) -> int:
        return to_time(value, self.zone)

    def _check_sink(self, reset: bool = False) -> None:
        count, last = _c.pyprepay_outbox_sink_errors(self._o)
        new, self._sink_seen = count - self._sink_seen, count
        if new and not reset:
            raise error_for(last, f"{new} event(s) of the call could not be recorded in the outbox "
                                  "(the call's books were posted)")

    def route(self, account_id: int, event_type: int) -> Set[int]:
        """The channels the policy sends an event type of an account to (empty: not routed)."""
        return _channels(_c.pyprepay_outbox_route(self._o, int(account_id), int(event_type)))

    def add(self, event: Event) -> int:
        """Records an event (as a settlement call returned it) by hand, committing it when the outbox
        has a journal: the number of deliveries added (0: routed nowhere, or already held). A site
        with :meth:`prepay.settlement.Site.attach_outbox` does this itself, in the call's batch."""
        e = event
        row = (e.id >> 64, e.id & _MASK64, self._time(e.time), yuan_to_fen(e.balance), yuan_to_fen(e.amount),
               yuan_to_fen(e.detail), int(e.energy), int(e.transfer_id), int(e.account_id), int(e.meter_id),
               int(e.type), int(e.level), int(e.from_level), int(e.command) if e.command is not None else 0,
               int(e.reason), int(e.relay))
        return check(_c.pyprepay_outbox_add(self._o, row), f"event {e.type!s} of account {e.account_id}")

    def take_due(self, now: TimeLike, limit: int = 1024) -> List[Delivery]:
        """Takes at most ``limit`` deliveries due at ``now`` and records an attempt for each (one
        durable commit) before returning them: send each, then :meth:`ack` it. A crash after sending
        means a retry at the next step; the consumer dedupes by :attr:`Delivery.dedupe_key`."""
        if limit < 1:
            return []
        status, rows = _c.pyprepay_outbox_take_due(self._o, self._time(now), int(limit))
        check(status, "take due")
        return [Delivery._from(t) for t in rows]

    def ack(self, delivery: Union[Delivery, Tuple[int, int]], now: TimeLike) -> bool:
        """Records the channel's acknowledgement of a delivery (or of ``(event_id, channel)``); False if
        it was already acknowledged. OutboxError UNKNOWN (a ``KeyError``) if the outbox has no such
        delivery."""
        event_id, channel = (delivery.event_id, delivery.channel) if isinstance(delivery, Delivery) else delivery
        status = _c.pyprepay_outbox_ack(self._o, int(event_id) >> 64, int(event_id) & _MASK64, int(channel),
                                        self._time(now))
        return check(status, f"delivery {dedupe_key(event_id, channel)}") == 0

    def find(self, event_id: int, channel: int) -> Optional[Delivery]:
        """The delivery of (event id, channel), or None."""
        t = _c.pyprepay_outbox_find(self._o, int(event_id) >> 64, int(event_id) & _MASK64, int(channel))
        return Delivery._from(t) if t is not None else None

    def checkpoint(self) -> None:
        """Re-stages every delivery held (one commit): call it right after a snapshot that compacted the
        journal (snapshots hold only the ledger). Needs a journal."""
        check(_c.pyprepay_outbox_checkpoint(self._o), "outbox checkpoint")

    def compact(self) -> int:
        """Drops delivered and exhausted deliveries from memory (their dedupe memory goes with them):
        the number dropped."""
        return _c.pyprepay_outbox_compact(self._o)

    def counts(self) -> Counts:
        """Deliveries by state."""
        return Counts(*_c.pyprepay_outbox_counts(self._o))

    def deliveries(self, state: Optional[State] = None) -> List[Delivery]:
        """Every delivery held (of one state), in outbox order."""
        out = [Delivery._from(t) for t in _c.pyprepay_outbox_list(self._o)]
        return out if state is None else [d for d in out if d.state == state]

    def __iter__(self) -> Iterator[Delivery]:
        """Iterates the deliveries held, in outbox order."""
        return iter(self.deliveries())

    def __len__(self) -> int:
        """Number of deliveries held."""
        c = self.counts()
        return c.pending + c.delivered + c.exhausted
