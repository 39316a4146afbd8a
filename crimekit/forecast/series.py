"""Count series from incidents: what every forecast method learns from.

A series table has the columns ``series, ds, y``: the series' name (``all`` for the whole
area), the period start ``ds`` (days; weeks starting Monday; months) and the crimes ``y``
recorded in that period. Only complete periods are kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.periods import next_period, period_start
from crimekit.schema import FREQS_FOR_PRECISION, data_precision
from crimekit.temporal import counts_over_time

#: Periods in a season: a week of days, a year of weeks or of months (seasonal naive's lag).
SEASON = {"D": 7, "W": 52, "M": 12}


def series_table(incidents: pd.DataFrame, freq: str = "W", by=None, *, train_end=None,
                 top: int | None = None) -> pd.DataFrame:
    """Regular count series ``series, ds, y`` from incidents, complete periods only.

    With ``train_end`` only incidents before it are used, and the series stop before the period
    containing ``train_end`` (that period is the first to forecast; when ``train_end`` is not a
    period start, its part before ``train_end`` is left out rather than shown as a low count).
    When ``train_end`` is after the data ends, the series stop at the data's last complete
    period (the days after the data are unknown, not zero).
    """
    inc = incidents
    end = None
    if train_end is not None:
        cut = parse_date(train_end, "train_end")
        inc = incidents[incidents["occurred_at"] < cut]
        if not len(inc):
            raise UnusableInputError(f"No incidents occurred before --train-end {cut:%Y-%m-%d};"
                                     " choose a later date.")
        end = period_start(cut, freq) - pd.Timedelta(days=1)
        last_day = incidents["occurred_at"].max().normalize()
        end = min(end, last_day) if cut > last_day else end
    counts = counts_over_time(inc, freq, by, end=end, top=top,
                              start=None if end is None else inc["occurred_at"].min())
    counts = counts[counts["complete"]]
    # a period whose reversals outnumber its crimes (their crimes lie outside the data) is 0
    counts = counts.assign(count=counts["count"].clip(lower=0))
    return (counts.rename(columns={"period_start": "ds", "count": "y"})[["series", "ds", "y"]]
            .reset_index(drop=True))


def parse_date(value, name: str) -> pd.Timestamp:
    """``value`` as a Timestamp, or a ParameterError naming ``name`` and the format."""
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ParameterError.invalid(name, "forecast", "a date like 2025-07-07", value) from None


def periods_between(after, first, freq: str) -> int:
    """How many periods start after period ``after`` and before period ``first``."""
    n, nxt = 0, next_period(after, freq)
    while nxt < first:
        n, nxt = n + 1, next_period(nxt, freq)
    return n


def future_starts(last, horizon: int, freq: str) -> pd.DatetimeIndex:
    """The ``horizon`` period starts after period ``last``."""
    out, cur = [], pd.Timestamp(last)
    for _ in range(horizon):
        cur = next_period(cur, freq)
        out.append(cur)
    return pd.DatetimeIndex(out)


def check_history(history: pd.DataFrame, where: str) -> pd.DataFrame:
    """One series' ``ds, y`` as a clean copy sorted by ``ds``, or an error saying what is
    missing."""
    for col in ("ds", "y"):
        if col not in history:
            raise UnusableInputError(f"{where} needs a column {col!r} (period starts 'ds' and "
                                     "counts 'y'); build it with series_table().")
    if not len(history):
        raise UnusableInputError(f"{where} was given an empty series; widen the date range.")
    out = history[["ds", "y"]].copy()
    out["ds"] = pd.to_datetime(out["ds"])
    out["y"] = pd.to_numeric(out["y"]).astype(float)
    return out.sort_values("ds").reset_index(drop=True)


def check_horizon(horizon, where: str) -> None:
    """Refuse a horizon that is not a whole number of periods >= 1."""
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ParameterError.invalid("horizon", where, "a whole number >= 1", horizon)


def check_precision(incidents: pd.DataFrame, freq: str) -> None:
    """Refuse a period finer than the incidents' dates allow (month-dated data: months only)."""
    precision = data_precision(incidents)
    if freq not in FREQS_FOR_PRECISION.get(precision, ()) and precision in ("month", "year"):
        raise UnusableInputError(f"These incidents are dated to the {precision} only, so they "
                                 "can be forecast by month only (--freq M)."
                                 if precision == "month" else
                                 "These incidents are dated to the year only, too coarse for "
                                 "a forecast by day, week or month.")
