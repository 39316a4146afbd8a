"""Fast statistical forecasts of many aligned count series at once (a panel is a matrix).

Every method takes ``Y`` (series x periods, the counts a model may learn from), ``start`` (the
first period each series learns from, see :mod:`crimekit.forecast.spans`; earlier values are
ignored), the period starts ``ds`` and returns the next ``horizon`` periods for every series.
They work on the multiplicative season of :func:`fit_season` (one per series, shrunk to the panel's
shared season when a series has few crimes), so 2,700 monthly series take well under a second.

- ``seasonal naive``: the same period one season earlier (the benchmark).
- ``seasonal naive 3y``: the mean of the same period in up to the three previous seasons.
- ``level x season``: the deseasonalised mean of the last half season, times the season.
- ``damped trend``: exponential smoothing with a damped trend on the deseasonalised counts
  (Holt-Winters-like; smoothing and damping chosen per series by one-step error on a grid).
- ``theta``: the Theta method (simple exponential smoothing plus half the history's linear
  drift) on the deseasonalised counts, reseasonalised.

Why not statsforecast (measured for issue 12; ``bench/bench_forecast.py --origins
--statsforecast`` and ``--panel --statsforecast``, results in
``bench/results/statsforecast_*.csv``):

- It cannot be pinned with our pandas: statsforecast 2.1.1 (and fugue 0.9.7) require
  pandas < 3 (Nixtla/statsforecast#1182, open); pip finds no solution with pandas==3.1.1.
  The newest release it resolves with our pins is 2.0.1, which adds numba and llvmlite:
  +285 MB installed (2.1.1 would be +79 MB, mostly statsmodels).
- Start-up is not the problem: ``import statsforecast.models`` takes 1.0-1.5 s in a fresh
  process (+0.5 s after crimekit.forecast); AutoETS, AutoTheta and MSTL run compiled code in
  both versions, so their first call costs no more than later ones. (2.0.1's numba models,
  e.g. AutoCES, take 22 s on a first call, 1.9 s with NIXTLA_NUMBA_CACHE=1 and a
  NUMBA_CACHE_DIR.)
- It is not more accurate here. 52 weeks ahead from each January (MAE over seasonal
  naive's, mean / worst origin; NYPD shootings 2009-2018, Medellin homicides 2013-2019):
  this module's damped trend 0.811 / 0.901 and 0.766 / 0.949, theta 0.804 / 0.872 and
  0.716 / 0.844; statsforecast with its own yearly season (season_length 52) AutoETS
  1.021 / 1.398 and 0.725 / 0.882 (ETS drops seasons longer than 24), AutoTheta 0.908 / 1.409
  and 0.743 / 0.950, MSTL 0.846 / 1.003 and 0.813 / 1.093; on our pooled-season-adjusted
  counts (times the season) AutoETS 0.822 / 0.902 and 0.745 / 0.976, AutoTheta 0.798 / 0.891
  and 0.750 / 0.952. In the combination (0.800 / 0.921 and 0.721 / 0.825 without them),
  beside or instead of damped trend and theta, they move the mean by -0.006 to +0.016 and
  leave the band no better (with all five, Medellin's lowest origin coverage drops to 0.67).
- It is too slow for a panel. One fit of each of the 2,700 monthly series (n_jobs=2, quiet
  machine): AutoETS(12) 37 s, AutoTheta(12) 9 s, MSTL(12) 9 s, AutoETS / AutoTheta on the
  adjusted counts 5 s / 8 s; the combination needs 11 (10 backtest origins and the last).
  Measured: 225 s with the adjusted-count pair instead of damped trend and theta, 1,367 s
  with all five beside them (loaded machine), against 3-5 s for this module; relative
  error 0.779 and 0.778 against 0.778 (alone 0.780, 0.780, AutoETS 0.796, AutoTheta 0.795,
  MSTL 0.829; damped trend 0.779, theta 0.778).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.forecast.series import SEASON, future_starts

FAST_METHODS = ("seasonal naive 3y", "level x season", "damped trend", "theta")
BENCHMARK = "seasonal naive"
#: Prior strength (in crimes) pulling a series' season to the shared one (or to none).
SEASON_PRIOR = 400.0
#: Fourier harmonics of the yearly season for weekly and daily series.
YEARLY_ORDER = {"W": 4, "D": 3}
_SES_GRID = np.array([0.02, 0.05, 0.1, 0.2, 0.3, 0.5])
_HOLT_GRID = np.array([(a, b, p) for a in (0.05, 0.1, 0.2, 0.4) for b in (0.02, 0.1)
                       for p in (0.8, 0.9, 0.98)])


def season_design(ds, freq: str) -> np.ndarray:
    """Season features of periods starting at ``ds``: month one-hot (M), yearly Fourier terms
    of the period's middle (W), weekday one-hot plus yearly Fourier terms (D)."""
    ds = pd.DatetimeIndex(ds)
    if freq == "M":
        return np.eye(12)[ds.month.to_numpy() - 1]
    middle = ds + pd.Timedelta(days=3.5 if freq == "W" else 0.5)
    year = (middle.day_of_year.to_numpy() - 1) / 365.25
    k = np.arange(1, YEARLY_ORDER[freq] + 1)
    cols = [np.cos(2 * np.pi * np.outer(year, k)), np.sin(2 * np.pi * np.outer(year, k))]
    if freq == "D":
        cols.append(np.eye(7)[ds.day_of_week.to_numpy()])
    return np.hstack(cols)


def valid_mask(shape, start) -> np.ndarray:
    return np.arange(shape[1])[None, :] >= np.asarray(start)[:, None]


def fit_season(Y, start, ds, future, freq: str, pooled: bool = True):
    """Multiplicative seasons (1 = average): (past, future) arrays of shape (series, periods).

    Counts over their centred one-season moving average are regressed on
    :func:`season_design` (weighted by the average: Poisson-like), with a ridge prior of
    SEASON_PRIOR crimes towards the panel's shared season (``pooled``) or towards none.
    """
    Y = np.asarray(Y, float)
    n, T = Y.shape
    m = SEASON[freq]
    ok = valid_mask(Y.shape, start)
    kernel = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    if T < len(kernel):  # less than a season of history: no season can be fitted
        return np.ones((n, T)), np.ones((n, len(future)))
    half = len(kernel) // 2
    num = np.apply_along_axis(lambda r: np.convolve(r, kernel, mode="same"), 1, Y * ok)
    cover = np.apply_along_axis(lambda r: np.convolve(r, kernel, mode="same"), 1, ok * 1.0)
    full = cover > 1 - 1e-9
    full[:, :half] = False
    full[:, T - half:] = False
    ma = _extend_edges(np.where(full, num, np.nan), ok, m)
    X = season_design(ds, freq)
    Xf = season_design(future, freq)
    K = X.shape[1]
    w = ma  # weights: the local level (variance of a count ~ its mean)
    resid = np.where(ma > 0, Y - ma, 0.0)  # = ma * (ratio - 1)
    A = np.einsum("ntk,tl->nkl", w[:, :, None] * X[None], X, optimize=True)
    b = np.einsum("nt,tk->nk", resid, X)  # w * (ratio - 1) = resid
    prior = np.zeros(K)
    if pooled and n > 1:
        prior = np.linalg.solve(A.sum(0) + SEASON_PRIOR * np.eye(K), b.sum(0))
    beta = np.linalg.solve(A + SEASON_PRIOR * np.eye(K)[None], (b + SEASON_PRIOR * prior)[..., None])[..., 0]
    past = np.clip(1 + beta @ X.T, 0.2, 5.0)
    fut = np.clip(1 + beta @ Xf.T, 0.2, 5.0)
    # one year of the season averages 1
    year = season_design(pd.date_range("2001-01-01", "2001-12-31",
                                       freq={"M": "MS", "W": "W-MON", "D": "D"}[freq]), freq)
    norm = np.clip(1 + beta @ year.T, 0.2, 5.0).mean(axis=1, keepdims=True)
    return past / norm, fut / norm


def _extend_edges(ma, ok, m):
    """Fill the half seasons at each end of a centred moving average by extending its line
    over the nearest quarter season (0 for a series with no full window, and outside each
    series' span)."""
    n, T = ma.shape
    have = np.isfinite(ma)
    some = have.any(1)
    first = np.argmax(have, axis=1)
    last = T - 1 - np.argmax(have[:, ::-1], axis=1)
    q = max(m // 4, 1)
    rows = np.arange(n)
    f2 = np.minimum(first + q, last)
    l2 = np.maximum(last - q, first)
    at = lambda idx: np.where(some, ma[rows, idx], 0.0)  # noqa: E731
    down = (at(f2) - at(first)) / np.maximum(f2 - first, 1)
    up = (at(last) - at(l2)) / np.maximum(last - l2, 1)
    t = np.arange(T)[None, :]
    filled = np.where(have, ma, 0.0)
    filled = np.where(t < first[:, None], (at(first) - down * 0)[:, None]
                      - down[:, None] * (first[:, None] - t), filled)
    filled = np.where(t > last[:, None], at(last)[:, None] + up[:, None] * (t - last[:, None]),
                      filled)
    mean = np.nansum(np.where(have, ma, 0), 1) / np.maximum(have.sum(1), 1)
    filled = np.clip(filled, 0.05 * np.maximum(mean, 1e-9)[:, None], None)
    return np.where(ok & some[:, None], filled, 0.0)


# --- the methods ----------------------------------------------------------------------------

def seasonal_naive(Y, start, m, horizon, years: int = 1):
    """Mean of the same period in the last ``years`` seasons (those inside each series' span;
    NaN when not one is)."""
    Y = np.asarray(Y, float)
    n, T = Y.shape
    steps = np.arange(horizon)
    total, seen = np.zeros((n, horizon)), np.zeros((n, horizon))
    for j in range(1, years + 1):
        idx = T - j * m + steps % m
        ok = (idx >= np.asarray(start)[:, None]) & (idx >= 0)
        total += np.where(ok, Y[:, np.clip(idx, 0, T - 1)], 0.0)
        seen += ok
    with np.errstate(invalid="ignore"):
        return np.where(seen > 0, total / np.maximum(seen, 1), np.nan)


def level_x_season(D, start, Pf, m):
    """The mean deseasonalised count of the last half season (within the span), times the
    future season."""
    n, T = D.shape
    last = max(m // 2, 1)
    idx = np.arange(T)[None, :]
    take = (idx >= T - last) & (idx >= np.asarray(start)[:, None])
    level = (D * take).sum(1) / np.maximum(take.sum(1), 1)
    return level[:, None] * Pf


def _smooth(D, start, params, trend: bool):
    """Exponential smoothing of every row of D for every parameter row: returns (level,
    trend, one-step squared error) arrays of shape (series, grid)."""
    n, T = D.shape
    G = len(params)
    start = np.asarray(start)
    a = params[:, 0][None, :]
    bb = params[:, 1][None, :] if trend else 0.0
    phi = params[:, 2][None, :] if trend else 1.0
    level = np.zeros((n, G))
    slope = np.zeros((n, G))
    sse = np.zeros((n, G))
    burn = 4
    first = int(start.min()) if n else 0
    for t in range(first, T):
        x = D[:, t][:, None]
        on = (t >= start)[:, None]
        init = (t == start)[:, None]
        pred = level + phi * slope
        err = x - pred
        use = on & ~init & ((t - start)[:, None] >= burn)
        sse += np.where(use, err * err, 0.0)
        new_level = pred + a * err
        new_slope = phi * slope + (a * bb * err if trend else 0.0)
        level = np.where(init, x, np.where(on, new_level, level))
        slope = np.where(init, 0.0, np.where(on, new_slope, slope)) if trend else slope
    return level, slope, sse


def damped_trend(D, start, Pf):
    """Damped-trend exponential smoothing of the deseasonalised counts, parameters chosen
    per series from _HOLT_GRID by in-sample one-step squared error."""
    level, slope, sse = _smooth(D, start, _HOLT_GRID, trend=True)
    best = np.argmin(sse, axis=1)
    rows = np.arange(len(D))
    lv, sl = level[rows, best], slope[rows, best]
    phi = _HOLT_GRID[best, 2][:, None]
    h = Pf.shape[1]
    damp = np.cumsum(phi ** np.arange(1, h + 1)[None, :], axis=1)
    return np.clip(lv[:, None] + damp * sl[:, None], 0, None) * Pf


def theta(D, start, Pf):
    """The Theta method: simple exponential smoothing (alpha by one-step error) plus half the
    slope of a line through the span, as in Hyndman & Billah (2003)."""
    n, T = D.shape
    params = np.column_stack([_SES_GRID, np.zeros_like(_SES_GRID), np.ones_like(_SES_GRID)])
    level, _, sse = _smooth(D, start, params, trend=False)
    best = np.argmin(sse, axis=1)
    rows = np.arange(n)
    lv, alpha = level[rows, best], _SES_GRID[best]
    ok = valid_mask(D.shape, start)
    t = np.arange(T)[None, :] * 1.0
    cnt = ok.sum(1)
    tm = (t * ok).sum(1) / np.maximum(cnt, 1)
    dm = (D * ok).sum(1) / np.maximum(cnt, 1)
    sxx = (((t - tm[:, None]) ** 2) * ok).sum(1)
    slope = np.where(sxx > 0, (((t - tm[:, None]) * (D - dm[:, None])) * ok).sum(1)
                     / np.where(sxx > 0, sxx, 1), 0.0)
    h = Pf.shape[1]
    k = np.arange(1, h + 1)[None, :]
    drift = (slope / 2)[:, None] * (k - 1 + 1 / alpha[:, None]
                                    - ((1 - alpha) ** cnt / alpha)[:, None])
    return np.clip(lv[:, None] + drift, 0, None) * Pf


def fast_forecasts(Y, start, ds, freq: str, horizon: int, pooled: bool = True) -> dict:
    """Every fast method's forecast of every series: {method: array (series, horizon)},
    plus the benchmark ``seasonal naive``."""
    Y = np.asarray(Y, float)
    m = SEASON[freq]
    future = future_starts(pd.DatetimeIndex(ds)[-1], horizon, freq)
    P, Pf = fit_season(Y, start, ds, future, freq, pooled=pooled)
    D = Y / P
    out = {BENCHMARK: seasonal_naive(Y, start, m, horizon, 1),
           "seasonal naive 3y": seasonal_naive(Y, start, m, horizon, 3),
           "level x season": level_x_season(D, start, Pf, m),
           "damped trend": damped_trend(D, start, Pf),
           "theta": theta(D, start, Pf)}
    # a series shorter than a season has no seasonal naive: use its level x season there
    for name in (BENCHMARK, "seasonal naive 3y"):
        gap = np.isnan(out[name])
        out[name][gap] = out["level x season"][gap]
    return out


__all__ = ["BENCHMARK", "FAST_METHODS", "damped_trend", "fast_forecasts",
           "fit_season", "level_x_season", "season_design", "seasonal_naive",
           "theta"]
