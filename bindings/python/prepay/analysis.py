# SPDX-License-Identifier: MIT
"""Station-side theft analysis and voltage-qualification helpers (include/prepay/analysis.h).

:func:`run` applies the deterministic, explainable rules of the C engine (no learning, no floating point)
to register readings and collected events and returns every :class:`Suspicion` with its evidence. Rules
and weights are data: :class:`Rules` starts from the documented defaults (docs/events.md).
"""
from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from . import c_api as _c
from ._errors import check
from ._units import from_time, to_time

__all__ = ["Rule", "Rules", "Meter", "Reading", "Event", "Suspicion", "run", "score", "vq_rates"]

TimeLike = Union[int, datetime.datetime]


class Rule(enum.IntEnum):
    """The rules (prepay_analysis_rule_t)."""
    ZERO_ADVANCE = _c.PREPAY_ANALYSIS_ZERO_ADVANCE
    STEP_DROP = _c.PREPAY_ANALYSIS_STEP_DROP
    REVERSE_ENERGY = _c.PREPAY_ANALYSIS_REVERSE_ENERGY
    AFTER_TAMPER = _c.PREPAY_ANALYSIS_AFTER_TAMPER
    AREA_LOSS = _c.PREPAY_ANALYSIS_AREA_LOSS
    SHARE_DROP = _c.PREPAY_ANALYSIS_SHARE_DROP


class Rules:
    """Rules and weights; attribute names as in prepay_analysis_rules_t, weights by :class:`Rule`."""

    _FIELDS = ("zero_current", "zero_min_seconds", "drop_ratio", "drop_min_median", "drop_history", "reverse_min",
               "tamper_window", "loss_jump", "share_ratio", "coincidence_bonus")

    def __init__(self, **overrides) -> None:
        self._c = _c.prepay_analysis_rules_t()
        check(_c.prepay_analysis_rules_default(self._c))
        for name, value in overrides.items():
            setattr(self, name, value)

    def weight(self, rule: Rule) -> int:
        """The weight of a rule in the score."""
        return self._c.get_weight(int(rule))

    def set_weight(self, rule: Rule, weight: int) -> None:
        """Sets the weight of a rule (AnalysisError for an unknown rule)."""
        check(self._c.set_weight(int(rule), int(weight)))

    def __getattr__(self, name: str):
        if name in Rules._FIELDS:
            return getattr(self._c, name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value) -> None:
        if name in Rules._FIELDS:
            setattr(self._c, name, int(value))
        else:
            super().__setattr__(name, value)

    def check(self) -> None:
        """Raises AnalysisError if the rules are inconsistent."""
        check(_c.prepay_analysis_rules_check(self._c))


@dataclass(frozen=True)
class Meter:
    """A meter: id, allocation group (0 none), role (1 master, 2 sub-meter, 0 none), consumption-only customer."""
    meter: int
    group: int = 0
    role: int = 0
    consumption_only: bool = False


@dataclass(frozen=True)
class Reading:
    """Registers at a time (Wh); current in mA (-1 unknown)."""
    meter: int
    time: TimeLike
    forward: int
    reverse: int = 0
    current: int = -1


@dataclass(frozen=True)
class Event:
    """A collected event: kind is a prepay_events_kind_t value (e.g. 7 cover open, 14 loss of current)."""
    meter: int
    kind: int
    start: TimeLike
    end: Optional[TimeLike] = None
    phase: int = 0


@dataclass(frozen=True)
class Suspicion:
    """A rule that fired: the interval, the score and the two numbers the rule compared."""
    meter: int
    rule: Rule
    score: int
    start: datetime.datetime
    end: datetime.datetime
    observed: int
    expected: int


def _seconds(t: TimeLike) -> int:
    return int(t) if isinstance(t, int) else to_time(t)


def run(meters: Iterable[Meter], readings: Iterable[Reading], events: Iterable[Event] = (),
        rules: Optional[Rules] = None) -> List[Suspicion]:
    """Runs every rule. Meters are sorted by id here and readings by (meter, time); bad input raises
    :class:`prepay.AnalysisError` (a register going backwards, duplicate times, unknown meters...)."""
    rules = rules or Rules()
    m = sorted(((x.meter, x.group, x.role, int(bool(x.consumption_only))) for x in meters))
    r = sorted(((x.meter, _seconds(x.time), int(x.forward), int(x.reverse), int(x.current)) for x in readings))
    e = [(x.meter, int(x.kind), int(x.phase), _seconds(x.start), 0 if x.end is None else _seconds(x.end))
         for x in events]
    status, found = _c.pyprepay_analysis_run(rules._c, m, r, e)
    check(status)
    return [Suspicion(meter, Rule(rule), sc, from_time(a), from_time(b), observed, expected)
            for (meter, rule, sc, a, b, observed, expected) in found]


def score(suspicions: Sequence[Suspicion], meter: int) -> int:
    """The total score of a meter's suspicions."""
    return sum(s.score for s in suspicions if s.meter == meter)


def vq_rates(monitored: int, over_upper: int, under_lower: int) -> Tuple[int, int]:
    """(qualified rate, over-limit rate) in 0.01 % by the library's rounding rule (prepay_vq_rates())."""
    st = _c.prepay_vq_stats_t()
    st.monitored, st.over_upper, st.under_lower = int(monitored), int(over_upper), int(under_lower)
    result = _c.prepay_vq_rates(st)
    check(result[0])
    return int(result[1]), int(result[2])
