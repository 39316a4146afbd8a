"""What a commander chooses for a patrol plan, declared once: :class:`PlanSettings`.

The command line builds it from its flags, the Patrol page from its widgets (their labels,
ranges, defaults and help come from :meth:`PlanSettings.spec`), the Overview and the briefing
from their defaults; all of them hand it to :func:`crimekit.patrol.plan.plan_patrols`.

``None`` in an optional field means "no limit", or for ``officers``, ``min_per_beat`` and
``n_areas`` "chosen from the data" (today's strength from the duty logs; the minimum
:func:`default_minimum`; about one drawn area per 50 crimes). Labels and help say ``{unit}``,
``{units}`` and ``{Units}`` where the areas' own name goes ("beat", "LSOA", "community"):
:meth:`crimekit.patrol.inputs.PlanInputs.in_units` fills them in.
"""

from __future__ import annotations

from dataclasses import fields
from types import MappingProxyType

import numpy as np

from crimekit.errors import ParameterError
from crimekit.patrol.areas import KINDS, MAX_AREAS
from crimekit.patrol.deployment import DEFAULT_EFFECTIVENESS
from crimekit.patrol.risk import PERIOD_DAYS, RISK_SOURCES
from crimekit.settings import Settings, check_value, dataclass, setting

__all__ = ["PlanSettings", "DEFAULT_EFFECTIVENESS", "default_minimum", "parse_officers"]

_SCOPE = ("areas", "n_areas", "station")  # what the areas are drawn from
_INPUTS = _SCOPE + ("heads", "heinous_weight", "freq")  # what the plan's inputs are made from


@dataclass(frozen=True)
class PlanSettings(Settings):
    """A patrol plan's settings (see the module docstring for ``None``).

    Class attributes for widgets: ``HEINOUS_WEIGHTS``, the heinous weights a page offers (any
    weight in the declared range is allowed); ``WHEN_ON``, the value an optional limit starts
    from when a page's toggle turns it on.
    """

    HEINOUS_WEIGHTS = (1.0, 2.0, 3.0, 5.0)
    WHEN_ON = MappingProxyType({"max_change": 10, "fair_cap": 3.0})

    officers: object = setting(
        None, label="Officers per shift",
        help="Officers available in each shift: one number for every shift (or the one "
             "all-day posting of data without times of day), or one per shift in the order "
             "morning,evening,night. By default today's strength from the duty logs, else two "
             "per {unit}.")
    min_per_beat: int | None = setting(
        None, low=0, high=20, step=1, label="Minimum per {unit}",
        help="Officers every {unit} gets in every shift. By default 1 when every shift has at "
             "least one officer per {unit}, else 0.")
    max_per_beat: int | None = setting(
        None, low=1, high=50, step=1, label="Maximum per {unit}",
        help="Most officers one {unit} gets in one shift (no limit by default).")
    max_change: int | None = setting(
        None, low=0, high=10_000, step=1, label="Officers moved per shift, at most",
        help="Most officers moved per shift from today's deployment (the duty logs); no "
             "limit by default.")
    fair_cap: float | None = setting(
        None, low=1.0, high=6.0, step=0.5, label="Multiple of the equal share",
        help="No {unit} gets more than this multiple of the equal share (officers in the "
             "shift / number of {units}): an over-policing guard (no cap by default).")
    must_cover: tuple = setting(
        (), label="{Units} that must be covered in every shift",
        help="{Units} that get at least one officer in every shift.")
    areas: str = setting(
        "auto", choices=("auto",) + KINDS, label="Plan over",
        help="What to deploy across: auto (the beat polygons, else the areas or districts the "
             "incidents name, else areas drawn from the map), beats, named, districts or grid.")
    n_areas: int | None = setting(
        None, low=1, high=60, step=1, label="Areas to draw",
        help=f"How many areas of similar workload to draw from the map (grid areas); by "
             f"default about one per 50 crimes of the last two years, at most {MAX_AREAS}.")
    station: tuple = setting(
        (), label="Station",
        help="Plan only these districts' (stations') {units}, with their own officers (the "
             "whole city by default).")
    heads: tuple = setting(
        (), label="Crime heads the plan weighs",
        help="The crime heads the plan weighs (every head by default).")
    heinous_weight: float = setting(
        1.0, low=1.0, high=10.0, label="A heinous crime counts as",
        help="How many times a crime flagged heinous counts (1: once, like any other).")
    risk_source: str = setting(
        "history", choices=RISK_SOURCES, label="Risk from",
        help="Recorded history: decayed counts per area and shift, seasonally scaled. Hotspot "
             "model: the Hotspots page's model summed over each area's cells (every crime "
             "head, each crime once).")
    freq: str = setting(
        "W", choices=tuple(PERIOD_DAYS), label="Planning period",
        help="A day, a week (starting Monday), two weeks or a month; month-dated data is "
             "always planned by month.")
    effectiveness: float = setting(
        DEFAULT_EFFECTIVENESS, low=0.05, high=5.0, label="Effectiveness",
        help="k in the benefit risk x (1 - exp(-k x officers)): how much of a beat-shift's "
             "risk each extra officer covers.")
    backtest_weeks: int = setting(
        4, low=1, high=52, step=1, label="Weeks backtested",
        help="Past weeks the backtest plans, each from the data before it.")

    def __post_init__(self):
        for f in fields(self):  # lists as tuples, one station as a tuple of one
            value = getattr(self, f.name)
            if f.default == () and isinstance(value, (str, list, set)):
                value = (value,) if isinstance(value, str) else tuple(value)
                object.__setattr__(self, f.name, tuple(str(v) for v in value))
        if isinstance(self.officers, list):
            object.__setattr__(self, "officers", tuple(self.officers))
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None and f.default is None:
                continue  # None: no limit, or chosen from the data
            if f.name == "officers":
                _check_officers(value, "PlanSettings")
            else:
                check_value("PlanSettings", f.name, value, f.metadata)
        object.__setattr__(self, "station", tuple(sorted(set(self.station))))

    def for_areas(self) -> "PlanSettings":
        """Only what the areas are drawn from (areas, n_areas, station): a cache key."""
        return PlanSettings(**{k: getattr(self, k) for k in _SCOPE})

    def for_inputs(self) -> "PlanSettings":
        """Only what the plan's inputs are made from (the areas, the heads weighed and how,
        the period)."""
        return PlanSettings(**{k: getattr(self, k) for k in _INPUTS})

    def for_risk(self) -> "PlanSettings":
        """Only what the risk per area and shift depends on (the inputs and the source)."""
        return self.for_inputs().replace(risk_source=self.risk_source)

    def for_backtest(self) -> "PlanSettings":
        """Only what the backtest uses: the inputs, the minimum per beat, the effectiveness and
        the weeks. Each past week is planned with that week's officers from the duty logs and
        risk from recorded history; the other limits are set for the coming period, not the
        past ones."""
        return self.for_inputs().replace(min_per_beat=self.min_per_beat,
                                         effectiveness=self.effectiveness,
                                         backtest_weeks=self.backtest_weeks)


def _check_officers(value, where: str) -> None:
    """Officers: a whole number, or a tuple of them (one per shift), each 0 or more."""
    values = value if isinstance(value, tuple) else (value,)
    ok = len(values) > 0 and all(
        not isinstance(n, bool) and isinstance(n, (int, float, np.integer, np.floating))
        and float(n).is_integer() and n >= 0 for n in values)
    if not ok:
        raise ParameterError.invalid("officers", where, "a whole number of officers (0 or "
                                     "more), or one per shift in the order "
                                     "morning,evening,night", value)


def parse_officers(text: str, where: str):
    """Officers from text ("40" or "20,25,15"): an int, or a tuple of ints in shift order."""
    try:
        values = tuple(int(p) for p in str(text).replace(" ", "").split(","))
    except ValueError:
        raise ParameterError.invalid("officers", where, "a whole number, or three separated "
                                     "by commas (morning,evening,night)", text) from None
    _check_officers(values, where)
    return values[0] if len(values) == 1 else values


def default_minimum(officers: dict, n_areas: int) -> int:
    """The minimum per area when none is set: 1 when every shift has at least one officer per
    area (every area gets one), else 0."""
    return 1 if officers and min(officers.values()) >= n_areas else 0
