"""Alerts: beats, crime heads or districts whose recent counts are well above what the forecast
expected.

For each series, the forecaster is fitted on the periods before the recent window and predicts
the window; the window's observed total is tested against the expected total with a one-sided
Poisson test, ``P(X >= observed | mean = expected)``. Many series are tested at once, so each
p-value gets its Benjamini-Hochberg q-value across the series checked; a series is flagged when
its q-value is below ``alpha`` *and* the excess is at least ``min_excess`` incidents (a jump
from 0.2 to 2 is unlikely under Poisson but is not worth a commander's attention).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.forecast import ForecastSettings, parse_date, run_parallel, series_table
from crimekit.periods import check_freq, next_period
from crimekit.stats import fdr_q_values
from crimekit.temporal import FREQS, check_by

ALERT_COLUMNS = ("series", "window_start", "window_end", "observed", "expected", "ratio",
                 "excess", "periods_above_band", "p_value", "q_value", "flagged", "method")


def poisson_exceedance(observed, expected) -> np.ndarray:
    """One-sided p-value ``P(X >= observed)`` for X ~ Poisson(expected), elementwise."""
    observed = np.asarray(observed, float)
    expected = np.clip(np.asarray(expected, float), 1e-9, None)
    return stats.poisson.sf(observed - 1, expected)


def alerts(incidents: pd.DataFrame, *, by: str | None = "beat", freq: str = "W",
           recent: int = 4, end=None, alpha: float = 0.01, min_excess: float = 3.0,
           holidays=None, settings: ForecastSettings | None = None, n_jobs: int | None = 1,
           progress=None) -> pd.DataFrame:
    """Series whose last ``recent`` complete periods exceed the forecast: one row per series
    with ALERT_COLUMNS, most unusual first.

    ``end`` (exclusive) ends the look: only incidents before it count, default all.
    ``expected`` is the forecast's mean for the window (fitted on the periods before it),
    ``ratio`` observed/expected, ``periods_above_band`` how many of the window's periods were
    above the 80% band, ``p_value`` the Poisson test above, ``q_value`` its Benjamini-Hochberg
    q-value across every series checked, ``flagged`` the verdict (q < alpha).
    """
    check_freq(freq, "alerts", allowed=FREQS)
    check_by(by, "alerts", incidents)
    if not (isinstance(recent, (int, np.integer)) and recent >= 1):
        raise ParameterError.invalid("recent", "alerts", "a whole number >= 1", recent)
    if not 0 < alpha < 1:
        raise ParameterError.invalid("alpha", "alerts", "a number in (0, 1)", alpha)
    end = None if end is None else parse_date(end, "end")
    inc = incidents if end is None else incidents[incidents["occurred_at"] < end]
    table = series_table(inc, freq, by, train_end=end)
    if table["ds"].nunique() <= recent:
        raise UnusableInputError(f"Alerts need more than {recent} complete "
                                 f"{FREQS[freq][0]}s of data; widen the date range.")
    settings = settings or ForecastSettings(freq=freq)
    settings = replace(settings, freq=freq, horizon=recent)
    jobs = [(name, part[["ds", "y"]], settings, holidays)
            for name, part in table.groupby("series", sort=False)]
    rows = run_parallel(_check_one, jobs, n_jobs, progress)
    out = pd.DataFrame(rows, columns=[c for c in ALERT_COLUMNS if c not in ("p_value",
                                                                            "q_value",
                                                                            "flagged")])
    out["p_value"] = poisson_exceedance(out["observed"], out["expected"])
    out["q_value"] = fdr_q_values(out["p_value"])
    out["flagged"] = (out["q_value"] < alpha) & (out["excess"] >= min_excess)
    return (out[list(ALERT_COLUMNS)].sort_values(["flagged", "p_value"], ascending=[False, True])
            .reset_index(drop=True))


def _check_one(name, history, settings, holidays):
    """(series, window start, window end, observed, expected, ratio, excess, above band,
    method) for one series."""
    history = history.sort_values("ds")
    past, window = history.iloc[:-settings.horizon], history.iloc[-settings.horizon:]
    pred = settings.model(holidays).fit(past).predict(settings.horizon)
    observed = float(window["y"].sum())
    expected = float(pred["expected"].sum())
    above = int((window["y"].to_numpy() > pred["yhat_upper"].to_numpy()).sum())
    last_end = next_period(window["ds"].iloc[-1], settings.freq) - pd.Timedelta(days=1)
    return (name, window["ds"].iloc[0], last_end, observed, expected,
            observed / expected if expected > 0 else np.inf, observed - expected, above,
            pred["method"].iloc[0])
