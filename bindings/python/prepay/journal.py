# SPDX-License-Identifier: MIT
"""Crash-safe journal in a POSIX file: recover a ledger, then make every change durable."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable, List, Optional, Union

from . import c_api as _c
from ._errors import check, error_for
from ._units import TimeLike, to_time
from .ledger import Account, Ledger, Transfer, TransferResult, _transfers

__all__ = ["Journal", "Recovery", "crc32c"]


@dataclass(frozen=True)
class Recovery:
    """What recovery found when the journal was opened."""
    snapshot_sequence: int
    last_sequence: int
    committed_end: int
    storage_size: int
    truncated_bytes: int
    batches: int
    records: int
    snapshot_records: int
    skipped_records: int
    version: int = 0          #: format version of the journal (0: it was empty)
    tail_records: int = 0     #: complete records of the unfinished batch in the torn tail
    tail_batches: int = 0     #: 1 if the torn tail held the start of a batch
    damaged_commits: int = 0  #: commit copies found damaged whose twin was intact (batch kept)
    earlier_cuts: int = 0     #: torn tails cut by earlier recoveries (recorded in the journal)
    earlier_cut_bytes: int = 0
    earlier_cut_records: int = 0


def crc32c(data: bytes, crc: int = 0) -> int:
    """CRC-32C as the journal uses it."""
    return _c.prepay_journal_crc32c(crc, data)


class Journal:
    """A file journal bound to a ledger. Use as a context manager::

        with Journal.open("ledger.journal", ledger) as j:
            j.create_account(Account(...))
            j.submit([Transfer(...)])
    """

    def __init__(self, path: Union[str, os.PathLike], ledger: Ledger,
                 snapshot_path: Optional[Union[str, os.PathLike]] = None, outbox=None) -> None:
        """Opens the journal (see :meth:`open`)."""
        self.path = os.fspath(path)
        self.ledger = ledger
        self._j = _c.pyprepay_journal_t()
        snap = os.fspath(snapshot_path) if snapshot_path else None
        if outbox is None:
            check(_c.pyprepay_journal_open(self._j, self.path, snap, ledger._l), self.path, self.path)
        else:
            if outbox.journal is not None or len(outbox) != 0:
                raise error_for(_c.PREPAY_E_INVALID_ARGUMENT, "the outbox to recover must be new: empty, without a journal")
            check(_c.pyprepay_journal_open_outbox(self._j, self.path, snap, ledger._l, outbox._o), self.path, self.path)
            outbox.journal = self
        self._h = _c.pyprepay_journal_handle(self._j)
        i = self._j.info
        cuts = i.earlier_cuts
        self.recovery = Recovery(i.snapshot_sequence, i.last_sequence, i.committed_end, i.storage_size,
                                 i.truncated_bytes, i.batches, i.records, i.snapshot_records, i.skipped_records,
                                 i.version, i.tail_records, i.tail_batches, i.damaged_commits, cuts.count,
                                 cuts.bytes, cuts.records)

    @classmethod
    def open(cls, path, ledger: Ledger, snapshot_path=None, outbox=None) -> "Journal":
        """Opens (creating if needed) and recovers ``ledger`` (which must be empty). ``outbox``: a new
        :class:`prepay.outbox.Outbox` (empty, made without a journal) that recovery fills with the
        journal's outbox records and then binds to this journal."""
        return cls(path, ledger, snapshot_path, outbox)

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Closes the files (idempotent)."""
        if self._j is not None:
            check(_c.pyprepay_journal_close(self._j))

    @property
    def closed(self) -> bool:
        """Whether the journal files are closed."""
        return not self._j.is_open

    def create_account(self, account: Account) -> bool:
        """Creates an account and makes it durable; False if it already existed."""
        return check(_c.prepay_journal_create_account(self._h, self.ledger._h, account._c())) == 0

    def close_account(self, account_id: int) -> bool:
        """Closes a ledger account and makes it durable; False if it was already closed."""
        return check(_c.prepay_journal_close_account(self._h, self.ledger._h, account_id)) == 0

    def submit(self, transfers: Iterable[Transfer]) -> List[TransferResult]:
        """Applies transfers to the ledger and makes them durable (one batch, one sync)."""
        batch = list(transfers)
        status, results = _c.pyprepay_journal_submit(self._j, self.ledger._l, _transfers(batch), 0)
        check(status)
        return [TransferResult(t, r) for t, r in zip(batch, results)]

    def stage(self, transfers: Iterable[Transfer]) -> List[TransferResult]:
        """Applies and stages transfers in the open batch; :meth:`commit` makes them durable."""
        batch = list(transfers)
        status, results = _c.pyprepay_journal_submit(self._j, self.ledger._l, _transfers(batch), 1)
        check(status)
        return [TransferResult(t, r) for t, r in zip(batch, results)]

    def expire(self, now: TimeLike, limit: int = 1024) -> List[int]:
        """Expires the ledger's pending transfers due at ``now`` (see :meth:`prepay.ledger.Ledger.expire`)
        and makes the expiries durable (one batch, one sync); returns the expired ids."""
        status, ids = _c.pyprepay_journal_expire(self._j, self.ledger._l, to_time(now), int(limit))
        check(status)
        return ids

    def commit(self) -> None:
        """Seals and syncs the open batch."""
        check(_c.prepay_journal_commit(self._h))

    def snapshot(self, compact: bool = False) -> None:
        """Writes a snapshot (needs ``snapshot_path``); ``compact`` also truncates the journal."""
        check(_c.pyprepay_journal_snapshot(self._j, self.ledger._l, int(compact)))
