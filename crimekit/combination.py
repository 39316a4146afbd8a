"""A robust forecast: a few different methods, combined by each series' own backtest.

:func:`combined_forecast` takes a :func:`crimekit.forecast.series_table` (one or many aligned
series) and, for every series,

1. finds the span to learn from (:mod:`crimekit.spans`): what is left out before consistent
   recording starts, and the level shifts the earlier periods are scaled across;
2. forecasts it with the fast statistical methods (:mod:`crimekit.forecast_methods`) and, for a
   few series, Prophet (with holidays; too slow for a panel, so it runs only when there are at
   most PROPHET_MAX_SERIES series);
3. backtests every method from rolling origins inside the history (the same horizon, origins
   every ORIGIN_STEP periods, at most MAX_ORIGINS), and weights the methods by the inverse of
   their squared backtest MAE, shrunk towards equal weights by the number of origins (equal
   weights below MIN_ORIGINS); in a panel a series' weights are also pulled towards the
   panel's (a series with few crimes has a backtest too noisy to trust on its own);
4. keeps the combination unless seasonal naive did better on the backtest (then seasonal naive
   is the forecast, and it says so);
5. draws the 80% band from the backtest errors of what it forecasts with: conformal quantiles
   of the errors over the square root of the forecast, by horizon (neighbouring steps pooled;
   in a panel, pooled over the series).

Weights are convex, so on its own backtest the combination's MAE is never above its worst
component's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimekit import forecast_methods as FM
from crimekit.errors import UnusableInputError
from crimekit.spans import learning_span

PROPHET = "prophet"
PROPHET_MAX_SERIES = 8
ORIGIN_STEP = {"D": 28, "W": 13, "M": 3}
MAX_ORIGINS = 10
MAX_PROPHET_ORIGINS = 6
MIN_ORIGINS = 2
#: Shortest history (periods) a backtest origin needs: a season and a half.
MIN_TRAIN = {"D": 56, "W": 78, "M": 18}
#: In a panel, a series' own weights count as much as the panel's at this many crimes.
OWN_WEIGHT_CRIMES = 2000.0
UNITS = {"D": "day", "W": "week", "M": "month"}
#: Weights are proportional to backtest MAE to this power (inverse).
WEIGHT_POWER = 4.0
#: The inner backtest's errors come from levelled history and weights fitted on it, so they
#: run a little small out of sample: the band's quantiles are taken this much further out
#: (a panel's band pools many series' errors, and is not widened).
BAND_WIDEN = 0.05


@dataclass(frozen=True)
class CombinedForecast:
    """What :func:`combined_forecast` returns.

    Attributes
    ----------
    forecast : ``series, ds, yhat, yhat_lower, yhat_upper, expected, method, reason``.
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


def _prophet_one(ds, y, horizon, freq, holidays):
    """Prophet's median forecast (log1p scale, the settings of CountForecaster)."""
    from crimekit.forecast import CountForecaster, fallback_reason, quiet
    if fallback_reason(y, freq):
        return np.full(horizon, np.nan)
    cf = CountForecaster(freq=freq, holidays=holidays, calibrate=False)
    cf._check_settings()
    model = cf._prophet(pd.DataFrame({"ds": ds, "y": y}), samples=0)
    future = FM.future_starts(ds[-1], horizon, freq)
    with quiet():
        pred = model.predict(cf._frame(pd.DataFrame({"ds": future})))
    return np.clip(cf._backward(pred["yhat"].to_numpy()), 0, None)


def _prophet_jobs(Y, starts, ds, cuts, horizon, freq, holidays, n_jobs, progress):
    """Prophet for every (series, cut): {(i, cut): forecast}."""
    from crimekit.forecast import run_parallel
    jobs, keys = [], []
    for i in range(len(Y)):
        for cut in cuts:
            if cut - starts[i] >= FM.SEASON[freq] // 2:
                keys.append((i, cut))
                jobs.append((ds[starts[i]:cut], Y[i, starts[i]:cut], horizon, freq, holidays))
    done = run_parallel(_prophet_one, jobs, n_jobs, progress)
    return dict(zip(keys, done))


def _forecasts_at(Y, starts, ds, cut, horizon, freq, pooled, prophet):
    """Every method's forecast from the first ``cut`` periods: {method: (series, horizon)}."""
    sub_start = np.minimum(starts, cut - 1)
    out = FM.fast_forecasts(Y[:, :cut], sub_start, ds[:cut], freq, horizon, pooled=pooled)
    short = (cut - starts) < FM.SEASON[freq]
    for name in out:
        out[name][short] = np.nan if name != "level x season" else out[name][short]
    if prophet is not None:
        out[PROPHET] = np.vstack([prophet.get((i, cut), np.full(horizon, np.nan))
                                  for i in range(len(Y))])
    return out


def _weights(mae, available, n_origins, pooled_weights=None, own_share=None):
    """Inverse squared MAE weights per series (rows) over the methods ``available`` to it,
    shrunk to equal weights by the number of origins (equal below MIN_ORIGINS)."""
    ok = np.isfinite(mae) & available
    inv = np.where(ok, 1.0 / np.maximum(np.where(ok, mae, 1.0), 1e-9) ** WEIGHT_POWER, 0.0)
    raw = inv / np.maximum(inv.sum(1, keepdims=True), 1e-12)
    equal = available / np.maximum(available.sum(1, keepdims=True), 1)
    n_origins = np.where(ok.any(1), n_origins, 0)
    lam = (n_origins / (n_origins + 2.0))[:, None]
    lam = np.where(n_origins[:, None] < MIN_ORIGINS, 0.0, lam)
    w = lam * raw + (1 - lam) * equal
    if pooled_weights is not None:
        share = own_share[:, None]
        w = share * w + (1 - share) * np.where(available, pooled_weights[None, :], 0.0)
        w = w / np.maximum(w.sum(1, keepdims=True), 1e-12)
    return w


def _conformal(errors, yhat, steps, horizon, interval, widen=BAND_WIDEN):
    """Band offsets (low, high) per step from backtest errors normalised by sqrt(forecast)."""
    a = (1 - min(interval + widen, 0.99)) / 2
    norm = errors / np.sqrt(np.maximum(yhat, 0.5))
    low, high = np.zeros(horizon), np.zeros(horizon)
    reach = max(1, horizon // 6)
    for k in range(1, horizon + 1):
        near = norm[(np.abs(steps - k) <= reach) & np.isfinite(norm)]
        if len(near) < 10:
            near = norm[np.isfinite(norm)]
        if not len(near):
            low[k - 1], high[k - 1] = -1.28, 1.28  # Poisson-like, nothing to learn from
            continue
        n = len(near)
        qa, qb = max(a - a / (n + 1), 0.0), min(1 - a + a / (n + 1), 1.0)
        low[k - 1], high[k - 1] = np.quantile(near, qa), np.quantile(near, qb)
    return np.minimum(low, 0), np.maximum(high, 0)


def combined_forecast(table: pd.DataFrame, freq: str = "W", horizon: int = 8, *,
                      interval: float = 0.8, holidays=None, prophet: bool | None = None,
                      n_jobs: int | None = 1, progress=None) -> CombinedForecast:
    """Forecast every series of ``table`` (``series, ds, y``, aligned complete periods) by the
    backtest-weighted combination; see the module docstring."""
    if not len(table):
        raise UnusableInputError("There is no series to forecast; widen the filters.")
    wide = table.pivot(index="series", columns="ds", values="y").fillna(0.0)
    order = list(dict.fromkeys(table["series"]))
    wide = wide.loc[order]
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
        prophet_fc = _prophet_jobs(Y, starts, ds, origins + [T], horizon, freq, holidays,
                                   n_jobs, progress)
    elif progress:
        progress(0, 1)
    # --- backtest: every method from every origin ---
    methods = None
    rows = []
    for o in origins:
        h = min(horizon, T - o)
        fc = _forecasts_at(Y, starts, ds, o, horizon, freq, pooled, prophet_fc)
        methods = methods or [m for m in fc if m != FM.BENCHMARK]
        actual = Y[:, o:o + h]
        valid = (o - starts) >= MIN_TRAIN[freq]
        for i in np.flatnonzero(valid):
            rows.append(pd.DataFrame({"series": names[i], "i": i, "origin": ds[o],
                                      "step": np.arange(1, h + 1), "y": actual[i],
                                      "naive": fc[FM.BENCHMARK][i, :h],
                                      **{m: fc[m][i, :h] for m in methods}}))
    final = _forecasts_at(Y, starts, ds, T, horizon, freq, pooled, prophet_fc)
    methods = methods or [m for m in final if m != FM.BENCHMARK]
    methods = [m for m in methods if np.isfinite(final[m]).any()]
    points = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["series", "i", "origin", "step", "y", "naive", *methods])
    # --- weights ---
    mae = np.full((n, len(methods)), np.nan)
    n_orig = np.zeros(n)
    crimes = np.zeros(n)
    if len(points):
        for (i,), part in points.groupby(["i"]):
            n_orig[i] = part["origin"].nunique()
            crimes[i] = part["y"].sum()
            for j, m in enumerate(methods):
                e = np.abs(part["y"] - part[m]).to_numpy()
                mae[i, j] = e.mean() if np.isfinite(e).all() else np.nan
    available = np.column_stack([np.isfinite(final[m][:, 0]) for m in methods])
    mae = np.where(available, mae, np.nan)
    pooled_w = own = None
    if pooled and len(points):
        tot = np.array([np.abs(points["y"] - points[m]).sum() for m in methods])
        inv = 1.0 / np.maximum(tot / len(points), 1e-9) ** WEIGHT_POWER
        lam = min(len(origins), 8) / (min(len(origins), 8) + 2.0)
        pooled_w = lam * inv / inv.sum() + (1 - lam) / len(methods)
        own = crimes / (crimes + OWN_WEIGHT_CRIMES)
    W = _weights(mae, available, n_orig, pooled_w, own)
    # --- the combination, its backtest and its choice against seasonal naive ---
    if len(points):
        comp = np.column_stack([points[m].to_numpy() for m in methods])
        wrow = W[points["i"].to_numpy()]
        points["combination"] = np.nansum(comp * wrow, axis=1) / np.maximum(
            (np.isfinite(comp) * wrow).sum(1), 1e-12)
    stack = np.stack([final[m] for m in methods], axis=2)  # series, horizon, method
    wf = W[:, None, :] * np.isfinite(stack)
    yhat = np.nansum(stack * W[:, None, :], axis=2) / np.maximum(wf.sum(2), 1e-12)
    chosen = np.array(["combination"] * n, dtype=object)
    summary = []
    lows, highs = np.zeros((n, horizon)), np.zeros((n, horizon))
    if pooled and len(points):
        band_all = _conformal((points["y"] - points["combination"]).to_numpy(),
                              points["combination"].to_numpy(), points["step"].to_numpy(),
                              horizon, interval, widen=0.0)
    for i in range(n):
        part = points[points["i"] == i] if len(points) else points
        naive_mae = float(np.abs(part["y"] - part["naive"]).mean()) if len(part) else np.nan
        comb_mae = float(np.abs(part["y"] - part["combination"]).mean()) if len(part) else np.nan
        if len(part) and n_orig[i] >= MIN_ORIGINS and naive_mae < comb_mae:
            chosen[i] = FM.BENCHMARK
            yhat[i] = final[FM.BENCHMARK][i]
        col = "naive" if chosen[i] == FM.BENCHMARK else "combination"
        if pooled and chosen[i] == "combination" and len(points):
            low, high = band_all
        elif len(part):
            low, high = _conformal((part["y"] - part[col]).to_numpy(), part[col].to_numpy(),
                                   part["step"].to_numpy(), horizon, interval)
        else:
            low, high = _conformal(np.array([]), np.array([]), np.array([]), horizon, interval)
        root = np.sqrt(np.maximum(yhat[i], 0.5))
        lows[i], highs[i] = yhat[i] + low * root, yhat[i] + high * root
        summary.append(_summary_row(names[i], spans[i], freq, methods, W[i], mae[i], part,
                                    naive_mae, comb_mae, chosen[i], col, Y[i, starts[i]:],
                                    yhat[i], lows[i], highs[i], interval))
    fut = FM.future_starts(ds[-1], horizon, freq)
    yhat = np.clip(yhat, 0, None)
    lows = np.minimum(np.clip(lows, 0, None), yhat)
    highs = np.maximum(highs, yhat)
    method_label = np.where(chosen == "combination", "combination", FM.BENCHMARK)
    forecast = pd.DataFrame({
        "series": np.repeat(names, horizon), "ds": np.tile(fut, n), "yhat": yhat.ravel(),
        "yhat_lower": lows.ravel(), "yhat_upper": highs.ravel(), "expected": yhat.ravel(),
        "method": np.repeat(method_label, horizon),
        "reason": np.repeat([s.describe(UNITS[freq]) for s in spans], horizon)})
    components = pd.concat([pd.DataFrame({"series": np.repeat(names, horizon),
                                          "ds": np.tile(fut, n), "method": m,
                                          "yhat": final[m].ravel()})
                            for m in methods + [FM.BENCHMARK]], ignore_index=True)
    return CombinedForecast(forecast, components, pd.DataFrame(summary),
                            points.drop(columns="i"), tuple(methods))


def trimmed(result: CombinedForecast, horizon: int) -> CombinedForecast:
    """``result`` with only the last ``horizon`` forecast periods of each series (when the
    first periods after the history are not asked for)."""
    def tail(df):
        return df.groupby(["series", "method"] if "yhat_lower" not in df else "series",
                          sort=False).tail(horizon).reset_index(drop=True)
    return CombinedForecast(tail(result.forecast), tail(result.components), result.summary,
                            result.backtest, result.methods)


def _summary_row(name, span, freq, methods, w, mae, part, naive_mae, comb_mae, chosen, col, y,
                 yhat, low, high, interval):
    unit = UNITS[freq]
    row = {"series": name, "method": chosen,
           "learned_from": span.start_ds, "left_out_periods": span.left_out_periods,
           "left_out_crimes": span.left_out_count, "level_shifts": len(span.shifts),
           "span_note": span.describe(unit), "origins": part["origin"].nunique() if len(part)
           else 0,
           "weights": ", ".join(f"{m} {x:.2f}" for m, x in zip(methods, w) if x > 0)}
    for m, x in zip(methods, w):
        row[f"weight {m}"] = float(x)
    row["relative_error"] = (min(comb_mae, naive_mae) if chosen != "combination" else comb_mae) \
        / naive_mae if naive_mae and np.isfinite(naive_mae) and naive_mae > 0 else np.nan
    row["combination_relative_error"] = comb_mae / naive_mae if naive_mae else np.nan
    for m, e in zip(methods, mae):
        row[f"relative_error {m}"] = e / naive_mae if naive_mae else np.nan
    row["mae"] = float(np.abs(part["y"] - part[col]).mean()) if len(part) else np.nan
    row["naive_mae"] = naive_mae
    m = FM.SEASON[freq]
    scale = float(np.mean(np.abs(y[m:] - y[:-m]))) if len(y) > m else np.nan
    row["mase"] = row["mae"] / scale if scale and np.isfinite(scale) and scale > 0 else np.nan
    row["coverage"] = _loo_coverage(part, col, interval)
    width = np.median(high - low)
    row["band_ratio"] = float(width / max(np.median(yhat), 1e-9)) if len(yhat) else np.nan
    row["problem"] = data_problem(row["mase"], row["band_ratio"], unit)
    return row


def _loo_coverage(part, col, interval):
    """Coverage of the band over the backtest, each origin's band drawn from the other
    origins' errors (so it is not graded on its own errors)."""
    if not len(part) or part["origin"].nunique() < 2:
        return np.nan
    hits = []
    h = int(part["step"].max())
    for origin, one in part.groupby("origin"):
        rest = part[part["origin"] != origin]
        low, high = _conformal((rest["y"] - rest[col]).to_numpy(), rest[col].to_numpy(),
                               rest["step"].to_numpy(), h, interval)
        k = one["step"].to_numpy() - 1
        root = np.sqrt(np.maximum(one[col].to_numpy(), 0.5))
        y, f = one["y"].to_numpy(), one[col].to_numpy()
        hits += list((y >= f + low[k] * root) & (y <= f + high[k] * root))
    return float(np.mean(hits))


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
