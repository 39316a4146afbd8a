"""How good a forecast is: the rolling-origin backtest of one Prophet forecaster per series,
and the measures every backtest here reports.

- :func:`mae`, :func:`mase` (scaled by the in-sample seasonal-naive error,
  :func:`naive_scale`) and :func:`coverage` (the share of actual counts inside the 80% band);
- :func:`backtest` / :func:`backtest_series`: forecasts from origins over the last year, beside
  seasonal naive's from the same origins; :func:`metrics` summarises them.

The combination (:mod:`crimekit.forecast.combination`) backtests itself inside its history;
these functions backtest the ``prophet`` method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.errors import UnusableInputError
from crimekit.forecast.baselines import SeasonalNaive
from crimekit.forecast.parallel import run_parallel
from crimekit.forecast.series import SEASON, check_history
from crimekit.forecast.settings import ForecastSettings
from crimekit.temporal import FREQS

#: Rolling-origin backtest over the last year: (test periods, periods between origins).
BACKTEST_WINDOW = {"D": (364, 28), "W": (52, 4), "M": (12, 1)}


def mae(y, yhat) -> float:
    """Mean absolute error."""
    y, yhat = np.asarray(y, float), np.asarray(yhat, float)
    return float(np.mean(np.abs(y - yhat)))


def naive_scale(history_y, season: int) -> float:
    """MASE's denominator: the in-sample MAE of the seasonal-naive forecast, ``mean(|y_t -
    y_{t-season}|)`` over the history (NaN when the history is shorter than a season + 1)."""
    y = np.asarray(history_y, float)
    if len(y) <= season:
        return float("nan")
    return float(np.mean(np.abs(y[season:] - y[:-season])))


def mase(y, yhat, scale) -> float:
    """Mean absolute scaled error: each absolute error divided by its origin's
    :func:`naive_scale`, averaged. Below 1 = better than the in-sample seasonal naive."""
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero scale: an all-zero history
        err = np.abs(np.asarray(y, float) - np.asarray(yhat, float)) / np.asarray(scale, float)
    err = err[np.isfinite(err)]
    return float(err.mean()) if len(err) else float("nan")


def coverage(y, lower, upper) -> float:
    """Share of actuals inside their band (ends included)."""
    y = np.asarray(y, float)
    return float(np.mean((y >= np.asarray(lower, float)) & (y <= np.asarray(upper, float))))


def backtest(history: pd.DataFrame, settings: ForecastSettings = ForecastSettings(), *,
             holidays=None, origins: int | None = None) -> pd.DataFrame:
    """Rolling-origin backtest of one series over its last year.

    For each origin in the last year (every 4 weeks, 28 days or month; ``origins`` caps how
    many, latest first), fit on the periods before it and forecast ``settings.horizon``
    periods. Returns one row per (origin, period): ``origin, ds, step, y, yhat, low, high,
    naive, scale, method``: ``naive`` is the seasonal-naive forecast from the same
    origin, ``scale`` the origin's :func:`naive_scale` (for MASE).
    """
    hist = check_history(history, "backtest")
    freq, m = settings.freq, SEASON[settings.freq]
    test, every = BACKTEST_WINDOW[freq]
    starts = [i for i in range(len(hist) - test, len(hist), every) if i >= m + 1]
    if origins is not None:
        starts = starts[::-1][:origins][::-1]
    if not starts:
        raise UnusableInputError(f"A backtest needs more than {test + m} {FREQS[freq][0]}s of "
                                 f"history; this series has {len(hist)}.")
    rows = []
    y = hist["y"].to_numpy()
    for i in starts:
        train = hist.iloc[:i]
        h = min(settings.horizon, len(hist) - i)
        pred = settings.model(holidays).fit(train).predict(h)
        naive = SeasonalNaive(freq=freq).fit(train).predict(h)
        rows.append(pd.DataFrame({
            "origin": hist["ds"].iloc[i], "ds": pred["ds"], "step": np.arange(1, h + 1),
            "y": y[i:i + h], "yhat": pred["yhat"], "low": pred["low"],
            "high": pred["high"], "naive": naive["yhat"],
            "scale": naive_scale(y[:i], m), "method": pred["method"]}))
    return pd.concat(rows, ignore_index=True)


def metrics(points: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Summarise :func:`backtest` rows: ``n, mae, mase, coverage, naive_mae, naive_mase,
    relative_mae, method`` (per ``by`` column when given).

    ``relative_mae`` is the forecast's MAE over the seasonal naive's on the same periods:
    below 1 means the forecast beats seasonal naive.
    """
    def one(p):
        return pd.Series({
            "n": len(p), "mae": mae(p["y"], p["yhat"]), "mase": mase(p["y"], p["yhat"], p["scale"]),
            "coverage": coverage(p["y"], p["low"], p["high"]),
            "naive_mae": mae(p["y"], p["naive"]),
            "naive_mase": mase(p["y"], p["naive"], p["scale"]),
            "relative_mae": mae(p["y"], p["yhat"]) / max(mae(p["y"], p["naive"]), 1e-12),
            "method": ", ".join(sorted(set(p["method"])))})
    if by is None:
        return one(points).to_frame().T.reset_index(drop=True).infer_objects()
    return points.groupby(by, sort=False).apply(one, include_groups=False).reset_index()


def backtest_series(table: pd.DataFrame, settings: ForecastSettings = ForecastSettings(), *,
                    holidays=None, origins: int | None = None, n_jobs: int | None = 1,
                    progress=None) -> pd.DataFrame:
    """:func:`backtest` every series of a :func:`series_table`; rows gain a ``series`` column.
    Series too short to backtest are left out."""
    jobs = [(name, part[["ds", "y"]], settings, holidays, origins)
            for name, part in table.groupby("series", sort=False)]
    done = [r for r in run_parallel(_backtest_one, jobs, n_jobs, progress) if r is not None]
    if not done:
        raise UnusableInputError("No series is long enough to backtest (it needs more than a "
                                 "year and a season of history).")
    return pd.concat(done, ignore_index=True)


def _backtest_one(name, history, settings, holidays, origins):
    try:
        out = backtest(history, settings, holidays=holidays, origins=origins)
    except UnusableInputError:
        return None
    out.insert(0, "series", name)
    return out
