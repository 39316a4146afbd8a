"""A robust forecast: a few different methods, combined by each series' own backtest.

:func:`combined_forecast` takes a series table (``series, ds, y``, see
:mod:`crimekit.forecast.series`: one or many aligned series) and, for every series,

1. finds the span to learn from (:mod:`crimekit.forecast.spans`): what is left out before
   consistent recording starts, and the level shifts the earlier periods are scaled across;
2. forecasts it with the fast statistical methods (:mod:`crimekit.forecast.methods`) and, for
   a few series, Prophet (with holidays; too slow for a panel, so it runs only when there are at
   most PROPHET_MAX_SERIES series);
3. backtests every method from rolling origins inside the history (the same horizon, origins
   every ORIGIN_STEP periods, at most MAX_ORIGINS), and weights the methods by the inverse of
   their backtest MAE to the 4th power (:mod:`crimekit.forecast.weighting`), shrunk towards
   equal weights by the number of origins (equal weights below MIN_ORIGINS); in a panel a
   series' weights are also pulled towards the panel's (a series with few crimes has a
   backtest too noisy to trust on its own);
4. keeps the combination unless seasonal naive did better on the backtest (then seasonal naive
   is the forecast, and it says so);
5. draws the 80% band from the backtest errors of what it forecasts with: conformal quantiles
   of the errors over the square root of the forecast, by horizon (neighbouring steps pooled;
   in a panel, pooled over the series);
6. issues as ``yhat`` the median count of a Poisson with the combination's mean (the point
   forecast mean absolute error rewards, as ``yhat`` is Prophet's median in
   :mod:`crimekit.forecast.prophet`); ``expected`` keeps the mean, which the weights, the
   backtest and the band are about. For a few crimes a period this matters (a mean of 0.6 is
   a median of 0; on the 2,700-series monthly panel of bench_forecast.py, MAE relative to
   seasonal naive 0.737 against 0.778 for the mean); for tens of crimes it is a rounding.

Weights are convex, so on its own backtest the combination's MAE is never above its worst
component's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import crimekit.forecast.methods as FM
from crimekit.errors import UnusableInputError
from crimekit.forecast.parallel import run_parallel
from crimekit.forecast.prophet import prophet_median
from crimekit.forecast.series import SEASON, future_starts
from crimekit.forecast.spans import learning_span
from crimekit.forecast.weighting import (MIN_ORIGINS, bands, mean_error, median_count,
                                         method_weights, stacked_weights, weighted_mean)

PROPHET = "prophet"
PROPHET_MAX_SERIES = 8
ORIGIN_STEP = {"D": 28, "W": 13, "M": 3}
MAX_ORIGINS = 10
MAX_PROPHET_ORIGINS = 6
#: Shortest history (periods) a backtest origin needs: a season and a half.
MIN_TRAIN = {"D": 56, "W": 78, "M": 18}
#: In a panel, a series' own weights count as much as the panel's at this many crimes.
OWN_WEIGHT_CRIMES = 20000.0
UNITS = {"D": "day", "W": "week", "M": "month"}
#: In a panel, a series switches to seasonal naive (when it beat the combination on its own
#: backtest) only with at least this many crimes in that backtest; fewer is a coin toss.
NAIVE_CHOICE_CRIMES = 500.0


@dataclass(frozen=True)
class CombinedForecast:
    """What :func:`combined_forecast` returns.

    Attributes
    ----------
    forecast : ``series, ds, yhat, low, high, expected, method, reason`` (``low``/``high``:
        the 80% band).
    components : ``series, ds, method, yhat``: every method's own forecast.
    summary : one row per series: the span learned from, the weights, the backtest's relative
        errors (MAE over seasonal naive's) per method and for the forecast, MASE, band
        coverage and any data problem to check.
    backtest : ``series, origin, step, y, <method>..., combination, naive`` rows.
    methods : the methods that ran.
    """

    forecast: pd.DataFrame
    components: pd.DataFrame
    summary: pd.DataFrame
    backtest: pd.DataFrame
    methods: tuple


def backtest_origins(T: int, horizon: int, freq: str, most: int = MAX_ORIGINS) -> list:
    """Origins (period indexes) of the inner backtest, latest first: every ORIGIN_STEP periods
    back from the end; the latest ones forecast only the periods the history still has."""
    step = min(ORIGIN_STEP[freq], max(1, -(-horizon // 2)))
    out = [T - j * step for j in range(1, 200) if T - j * step >= MIN_TRAIN[freq]]
    return out[:most]


def prophet_forecasts(Y, starts, ds, cuts, horizon, freq, holidays, n_jobs, progress):
    """Prophet's median forecast for every (series, cut): {(i, cut): forecast}."""
    jobs, keys = [], []
    for i in range(len(Y)):
        for cut in cuts:
            if cut - starts[i] >= SEASON[freq] // 2:
                keys.append((i, cut))
                jobs.append((ds[starts[i]:cut], Y[i, starts[i]:cut], horizon, freq, holidays))
    done = run_parallel(prophet_median, jobs, n_jobs, progress)
    return dict(zip(keys, done))


def _forecasts_at(Y, starts, ds, cut, horizon, freq, pooled, prophet):
    """Every method's forecast from the first ``cut`` periods: {method: (series, horizon)}."""
    sub_start = np.minimum(starts, cut - 1)
    out = FM.fast_forecasts(Y[:, :cut], sub_start, ds[:cut], freq, horizon, pooled=pooled)
    short = (cut - starts) < SEASON[freq]
    for name in out:
        out[name][short] = np.nan if name != "level x season" else out[name][short]
    if prophet is not None:
        out[PROPHET] = np.vstack([prophet.get((i, cut), np.full(horizon, np.nan))
                                  for i in range(len(Y))])
    return out


def combined_forecast(table: pd.DataFrame, freq: str = "W", horizon: int = 8, *,
                      interval: float = 0.8, holidays=None, prophet: bool | None = None,
                      n_jobs: int | None = 1, progress=None) -> CombinedForecast:
    """Forecast every series of ``table`` (``series, ds, y``, aligned complete periods) by the
    backtest-weighted combination; see the module docstring."""
    if not len(table):
        raise UnusableInputError("There is no series to forecast; widen the filters.")
    wide = table.pivot(index="series", columns="ds", values="y").fillna(0.0)
    wide = wide.loc[list(dict.fromkeys(table["series"]))]
    names, ds = list(wide.index), pd.DatetimeIndex(wide.columns)
    raw = wide.to_numpy(float)
    n, T = raw.shape
    spans = [learning_span(row, ds, freq) for row in raw]
    starts = np.array([min(s.start, T - 1) for s in spans])
    Y = np.vstack([row * s.scale for row, s in zip(raw, spans)])
    use_prophet = (n <= PROPHET_MAX_SERIES) if prophet is None else bool(prophet)
    origins = backtest_origins(T, horizon, freq,
                               MAX_PROPHET_ORIGINS if use_prophet else MAX_ORIGINS)
    pooled = n > 1
    prophet_fc = None
    if use_prophet:
        prophet_fc = prophet_forecasts(Y, starts, ds, origins + [T], horizon, freq, holidays,
                                   n_jobs, progress)
    # --- every method from every origin: arrays (series, origin, step) ---
    J, H = len(origins), horizon
    final = _forecasts_at(Y, starts, ds, T, H, freq, pooled, prophet_fc)
    methods = [m for m in final if m != FM.BENCHMARK and np.isfinite(final[m]).any()]
    every = methods + [FM.BENCHMARK]
    F = {m: np.full((n, J, H), np.nan) for m in every}
    A = np.full((n, J, H), np.nan)
    for j, o in enumerate(origins):
        h = min(H, T - o)
        fc = _forecasts_at(Y, starts, ds, o, H, freq, pooled, prophet_fc)
        ok = (o - starts) >= MIN_TRAIN[freq]
        A[ok, j, :h] = Y[ok, o:o + h]
        for m in every:
            F[m][ok, j, :h] = fc[m][ok, :h]
        if progress and not use_prophet:
            progress(j + 1, J + 1)
    known = np.isfinite(A)
    available = np.column_stack([np.isfinite(final[m][:, 0]) for m in methods])
    err = {m: np.abs(A - F[m]) for m in every}
    mae = np.column_stack([mean_error(err[m]) for m in methods])
    mae = np.where(available & np.column_stack(
        [~(known & ~np.isfinite(F[m])).any((1, 2)) for m in methods]), mae, np.nan)
    n_orig = known[:, :, 0].sum(1)
    crimes = np.nansum(A, axis=(1, 2))
    pooled_w = own = None
    if pooled and known.any():
        pooled_w = stacked_weights([F[m] for m in methods], A)
        own = crimes / (crimes + OWN_WEIGHT_CRIMES)
    W = method_weights(mae, available, n_orig, pooled_w, own)
    # --- the combination, its backtest, and its choice against seasonal naive ---
    C = weighted_mean([F[m] for m in methods], W[:, None, None, :])
    yhat = weighted_mean([final[m] for m in methods], W[:, None, :])
    comb_mae, naive_mae = mean_error(np.abs(A - C)), mean_error(err[FM.BENCHMARK])
    naive_wins = (n_orig >= MIN_ORIGINS) & (naive_mae < comb_mae) & (
        (crimes >= NAIVE_CHOICE_CRIMES) | (n == 1))
    chosen = np.where(naive_wins, FM.BENCHMARK, "combination")
    yhat = np.where(naive_wins[:, None], final[FM.BENCHMARK], yhat)
    B = np.where(naive_wins[:, None, None], F[FM.BENCHMARK], C)  # what each series forecasts by
    lows, highs, cover = bands(A, B, yhat, naive_wins, pooled, interval)
    expected = np.clip(yhat, 0, None)
    yhat = median_count(expected)
    lows = np.minimum(np.clip(lows, 0, None), yhat)
    highs = np.maximum(highs, yhat)
    summary = _summary(names, spans, freq, methods, W, mae, n_orig, naive_mae, comb_mae, chosen,
                       A, B, Y, starts, expected, lows, highs, cover)
    fut = future_starts(ds[-1], H, freq)
    forecast = pd.DataFrame({
        "series": np.repeat(names, H), "ds": np.tile(fut, n), "yhat": yhat.ravel(),
        "low": lows.ravel(), "high": highs.ravel(), "expected": expected.ravel(),
        "method": np.repeat(chosen, H),
        "reason": np.repeat([s.describe(UNITS[freq]) for s in spans], H)})
    components = pd.concat([pd.DataFrame({"series": np.repeat(names, H),
                                          "ds": np.tile(fut, n), "method": m,
                                          "yhat": final[m].ravel()}) for m in every],
                           ignore_index=True)
    ii, jj, kk = np.nonzero(known)
    points = pd.DataFrame({"series": np.asarray(names, dtype=object)[ii],
                           "origin": ds[np.asarray(origins, int)[jj]] if J else [],
                           "step": kk + 1, "y": A[ii, jj, kk],
                           **{m: F[m][ii, jj, kk] for m in methods},
                           "combination": C[ii, jj, kk], "naive": F[FM.BENCHMARK][ii, jj, kk]})
    if progress:
        progress(1, 1)
    return CombinedForecast(forecast, components, summary, points, tuple(methods))


def trimmed(result: CombinedForecast, horizon: int) -> CombinedForecast:
    """``result`` with only the last ``horizon`` forecast periods of each series (when the
    first periods after the history are not asked for)."""
    def tail(df):
        return df.groupby(["series", "method"] if "low" not in df else "series",
                          sort=False).tail(horizon).reset_index(drop=True)
    return CombinedForecast(tail(result.forecast), tail(result.components), result.summary,
                            result.backtest, result.methods)


def _summary(names, spans, freq, methods, W, mae, n_orig, naive_mae, comb_mae, chosen, A, B,
             Y, starts, yhat, lows, highs, cover):
    """One row per series: span, weights, backtest, problems."""
    unit, m = UNITS[freq], SEASON[freq]
    fc_mae = mean_error(np.abs(A - B))
    rows = []
    for i, name in enumerate(names):
        span = spans[i]
        y = Y[i, starts[i]:]
        scale = float(np.mean(np.abs(y[m:] - y[:-m]))) if len(y) > m else np.nan
        nv = naive_mae[i] if np.isfinite(naive_mae[i]) and naive_mae[i] > 0 else np.nan
        row = {"series": name, "method": chosen[i], "learned_from": span.start_ds,
               "left_out_periods": span.left_out_periods, "left_out_crimes": span.left_out_count,
               "level_shifts": len(span.shifts), "span_note": span.describe(unit),
               "origins": int(n_orig[i]),
               "weights": ", ".join(f"{meth} {x:.2f}" for meth, x in zip(methods, W[i]) if x > 0)}
        for meth, x in zip(methods, W[i]):
            row[f"weight {meth}"] = float(x)
        row["relative_error"] = fc_mae[i] / nv
        row["combination_relative_error"] = comb_mae[i] / nv
        for meth, e in zip(methods, mae[i]):
            row[f"relative_error {meth}"] = e / nv
        row["mae"], row["naive_mae"] = fc_mae[i], naive_mae[i]
        row["mase"] = fc_mae[i] / scale if np.isfinite(scale) and scale > 0 else np.nan
        row["naive_mase"] = naive_mae[i] / scale if np.isfinite(scale) and scale > 0 else np.nan
        row["coverage"] = cover[i]
        width = np.median(highs[i] - lows[i])
        row["band_ratio"] = float(width / max(np.median(yhat[i]), 1e-9))
        row["problem"] = data_problem(row["mase"], row["band_ratio"], unit) \
            if np.median(yhat[i]) >= 1 else ""
        rows.append(row)
    return pd.DataFrame(rows)


def data_problem(mase: float, band_ratio: float, unit: str = "week") -> str:
    """A plain warning when a backtest looks like a data problem rather than a forecast
    ("" when it does not): MASE above 2, or an 80% band more than 5 times the forecast."""
    parts = []
    if np.isfinite(mase) and mase > 2:
        parts.append(f"its backtest error is {mase:.1f} times the typical year-on-year change "
                     "(MASE > 2)")
    if np.isfinite(band_ratio) and band_ratio > 5:
        parts.append(f"its 80% band is {band_ratio:.1f} times wider than the forecast")
    if not parts:
        return ""
    return ("Check the data before using this forecast: " + " and ".join(parts) + ". This "
            f"usually means the recording changed (crimes recorded years late, a new system, a "
            f"boundary change) in a way the {unit}ly counts do not show cleanly.")


__all__ = ["CombinedForecast", "backtest_origins", "combined_forecast", "data_problem",
           "trimmed"]
