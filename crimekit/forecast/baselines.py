"""One series at a time: the forecaster contract and the two simple forecasts every other
method is measured against or falls back to.

- :class:`Forecaster`: the shared ``fit(history)`` / ``predict(horizon)`` contract;
- :class:`SeasonalNaive`: the same period one season earlier (the benchmark);
- :class:`RecentAverage`: the recent mean with a Poisson band (for short or sparse series).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit.forecast.series import SEASON, check_history, check_horizon, future_starts
from crimekit.periods import check_freq
from crimekit.temporal import FREQS


class Forecaster:
    """Base of the per-series forecasters: shared ``fit``/``predict`` checks, estimator style
    (settings in ``__init__``, ``fit`` returns self, learned state ends in ``_``). Subclasses
    implement the hooks ``_fit`` and ``_predict``."""

    method = ""

    def fit(self, history: pd.DataFrame):
        """Learn from ``history`` (columns ``ds``, ``y``: one row per period); returns self."""
        check_freq(self.freq, type(self).__name__, allowed=FREQS)
        if hasattr(self, "history_"):
            raise ParameterError(f"This {type(self).__name__} is already fitted; make a new "
                                 "one to fit other data.")
        self.history_ = check_history(history, f"{type(self).__name__}.fit")
        self.method_ = self.method
        self._fit(self.history_)
        return self

    def predict(self, horizon: int) -> pd.DataFrame:
        """The next ``horizon`` periods: ``ds, yhat, low, high, expected, method``.

        ``yhat`` is the median forecast (what MAE rewards), ``expected`` the mean (what a
        Poisson test needs), the band holds ``interval`` of the predictive distribution.
        """
        if not hasattr(self, "history_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit() "
                                 "with the history first.")
        check_horizon(horizon, f"{type(self).__name__}.predict")
        ds = future_starts(self.history_["ds"].iloc[-1], horizon, self.freq)
        out = self._predict(ds)
        out.insert(0, "ds", ds)
        for col in ("yhat", "low", "high", "expected"):
            out[col] = np.clip(out[col].to_numpy(float), 0, None)
        out["method"] = self.method_
        return out

    def _quantiles(self):
        a = (1 - self.interval) / 2
        return a, 1 - a


class SeasonalNaive(Forecaster):
    """Each period gets the count of the same period one season earlier (a week ago for
    days, 52 weeks ago for weeks, 12 months ago for months): the benchmark every forecast must
    beat. The band adds the quantiles of its own past seasonal errors."""

    method = "seasonal naive"

    def __init__(self, *, freq: str = "W", interval: float = 0.8):
        self.freq = freq
        self.interval = interval

    def _fit(self, history):
        m = SEASON[self.freq]
        y = history["y"].to_numpy()
        if len(y) < m:
            raise UnusableInputError(f"Seasonal naive needs at least {m} periods of history; "
                                     f"got {len(y)}.")
        self.season_ = m
        errors = y[m:] - y[:-m] if len(y) > m else np.zeros(1)
        self.error_quantiles_ = np.quantile(errors, self._quantiles())

    def _predict(self, ds):
        y = self.history_["y"].to_numpy()
        steps = np.arange(1, len(ds) + 1)
        point = y[len(y) - self.season_ + (steps - 1) % self.season_]
        low, high = self.error_quantiles_
        return pd.DataFrame({"yhat": point, "low": point + low,
                             "high": point + high, "expected": point})


class RecentAverage(Forecaster):
    """The mean of the last season of periods (or all, if shorter), with a Poisson band: the
    honest forecast for a series too short or too sparse for anything seasonal."""

    method = "recent average"

    def __init__(self, *, freq: str = "W", interval: float = 0.8):
        self.freq = freq
        self.interval = interval

    def _fit(self, history):
        self.level_ = float(history["y"].tail(SEASON[self.freq]).mean())

    def _predict(self, ds):
        low, high = stats.poisson.ppf(self._quantiles(), self.level_) if self.level_ > 0 \
            else (0.0, 0.0)
        n = len(ds)
        return pd.DataFrame({"yhat": np.full(n, self.level_), "low": np.full(n, low),
                             "high": np.full(n, high), "expected": np.full(n, self.level_)})
