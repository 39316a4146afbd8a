"""Time periods: the one definition of "a day", "a shift", "a week", "two weeks" and "a month"
that every module counting incidents per period uses.

A period is named by its start:

- ``"D"`` day, from midnight;
- ``"S"`` shift, 8 hours from 06:00, 14:00 or 22:00 (the duty shifts in crimekit.schema), so
  05:59 belongs to the previous day's 22:00 shift;
- ``"W"`` week, from Monday, so a Sunday 23:59 belongs to the week that began six days before;
- ``"2W"`` two weeks, from every other Monday counted from Monday 2000-01-03: a fixed anchor,
  so a fortnight does not move with the first date of whatever data is being counted;
- ``"M"`` calendar month, from the 1st.

Timestamps are local and timezone-naive. Period starts are ``datetime64[ns]``, the resolution
of incidents' ``occurred_at``, whatever the resolution of the input, so they compare, group and
join with the data without casting (a time outside ns's years 1677-2262, which can only be a
far-off bound such as ``--train-end 2400-01-01``, keeps its own resolution). Ranges are half-open like Python's ``range``:
:func:`period_range` stops before ``stop``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.errors import OutOfBoundsDatetime

from crimekit.errors import ParameterError

#: Period lengths: code -> plain name (for messages like "only 3 weeks of data").
FREQS = {"D": "day", "S": "shift", "W": "week", "2W": "two weeks", "M": "month"}
#: Periods per week for each frequency (months as 12 per 52.18 weeks), to express windows given
#: in weeks (13 weeks of history, a 2-week half-life) in periods.
PERIODS_PER_WEEK = {"D": 7.0, "S": 21.0, "W": 1.0, "2W": 0.5, "M": 12 / 52.18}
#: Periods back to "the same period last year" (whole weeks for D/S/W/2W, so the weekday and
#: shift match).
PERIODS_PER_YEAR = {"D": 364, "S": 1092, "W": 52, "2W": 26, "M": 12}

# Fixed-length periods; months are calendar months (pd.offsets.MonthBegin).
_STEP = {"D": pd.Timedelta(days=1), "S": pd.Timedelta(hours=8), "W": pd.Timedelta(days=7),
         "2W": pd.Timedelta(days=14)}
_FIRST_SHIFT = pd.Timedelta(hours=6)
_FORTNIGHT_ANCHOR = pd.Timestamp("2000-01-03")  # a Monday
_ONE_NS = pd.Timedelta(nanoseconds=1)


def check_freq(freq: str, where: str, allowed=None) -> str:
    """``freq`` if it is one of ``allowed`` (default: every code in FREQS), else a
    ParameterError naming the choices.

    Callers that support fewer period lengths pass their own ``allowed`` (Prophet forecasts
    and trend charts: D, W, M).
    """
    choices = tuple(FREQS) if allowed is None else tuple(allowed)
    if freq not in choices:
        raise ParameterError.invalid("freq", where, f"one of {', '.join(choices)}", freq)
    return freq


def _as_ns(timestamps):
    """(values as a Timestamp or DatetimeIndex, in ns when they fit, and whether the input
    was a scalar)."""
    scalar = pd.api.types.is_scalar(timestamps)
    ts = pd.Timestamp(timestamps) if scalar else pd.DatetimeIndex(pd.to_datetime(timestamps))
    try:
        return ts.as_unit("ns"), scalar
    except OutOfBoundsDatetime:
        return ts, scalar


def period_start(timestamps, freq: str = "W"):
    """Start of the period each timestamp falls in (see the module docstring for the periods).

    A scalar gives a Timestamp, anything else (list, array, Series, index) a DatetimeIndex in
    the same order; NaT stays NaT.
    """
    check_freq(freq, "period_start")
    ts, scalar = _as_ns(timestamps)
    if scalar:
        return period_start(pd.DatetimeIndex([ts]), freq)[0]
    if freq == "D":
        return ts.normalize()
    if freq == "S":
        return (ts - _FIRST_SHIFT).floor("8h") + _FIRST_SHIFT
    if freq == "M":
        return ts.normalize() - pd.to_timedelta(ts.day - 1, unit="D").as_unit(ts.unit)
    monday = ts.normalize() - pd.to_timedelta(ts.day_of_week, unit="D").as_unit(ts.unit)
    if freq == "2W":
        anchor = _FORTNIGHT_ANCHOR.as_unit(ts.unit)
        return anchor + ((monday - anchor) // _STEP["2W"]) * _STEP["2W"]
    return monday


def period_range(first, stop, freq: str) -> pd.DatetimeIndex:
    """Contiguous period starts from the period containing ``first`` up to, not including,
    ``stop``: every period that starts before ``stop`` (so a period only partly before ``stop``
    is included). For the periods of an inclusive date range ``first..last`` pass
    ``stop = last + 1 day``."""
    begin = period_start(first, freq)
    end = pd.Timestamp(stop).as_unit("ns") - _ONE_NS
    return pd.date_range(begin, end, freq="MS" if freq == "M" else _STEP[freq])


def next_period(starts, freq: str):
    """The start of the period after the one starting at ``starts``: a Timestamp for a scalar,
    a DatetimeIndex for anything else.

    ``starts`` should be period starts (from :func:`period_start` or :func:`period_range`):
    other times are moved on by one period length (days, shifts, weeks) or to the next 1st of
    a month, not snapped to a period start.
    """
    check_freq(freq, "next_period")
    ts, _ = _as_ns(starts)
    return ts + pd.offsets.MonthBegin(1) if freq == "M" else ts + _STEP[freq]


def period_offset(starts, origin, freq: str):
    """How many periods each period start in ``starts`` lies after the period start ``origin``
    (negative before it): its position in a range of periods beginning at ``origin``. An int
    for a scalar, else an int64 array."""
    origin = pd.Timestamp(origin)
    ts, scalar = _as_ns(starts)
    ts = pd.DatetimeIndex([ts]) if scalar else ts
    if freq == "M":
        out = ((ts.year - origin.year) * 12 + ts.month - origin.month).to_numpy()
    else:
        out = ((ts - origin) // _STEP[check_freq(freq, "period_offset")]).to_numpy()
    out = out.astype(np.int64)
    return int(out[0]) if scalar else out


def weeks_to_periods(weeks: float, freq: str) -> int:
    """A window of ``weeks`` expressed in whole periods of ``freq`` (at least one)."""
    return max(1, int(round(weeks * PERIODS_PER_WEEK[check_freq(freq, "weeks_to_periods")])))
