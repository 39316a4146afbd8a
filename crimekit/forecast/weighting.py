"""How the combination weighs its methods and draws its band, from backtest errors.

- :func:`method_weights`: per series, inverse backtest MAE (to a power) over the methods it
  has, shrunk to equal weights when the backtest is short, and pulled towards the panel's
  weights (:func:`stacked_weights`) when the series has few crimes;
- :func:`bands`: the 80% band from conformal quantiles of the backtest errors over the square
  root of the forecast, by horizon, and its leave-one-origin-out coverage;
- :func:`median_count`: the Poisson median of a mean, the point forecast issued as ``yhat``.

Arrays are (series, origin, step) for backtests and (series, step) for forecasts.
"""

from __future__ import annotations

import numpy as np
from scipy.special import pdtr

#: Weights are proportional to backtest MAE to this power (inverse).
WEIGHT_POWER = 4.0
#: Fewer backtest origins than this: equal weights (and no choice of seasonal naive).
MIN_ORIGINS = 2
#: The inner backtest's errors come from levelled history and weights fitted on it, so they
#: run a little small out of sample: the band's quantiles are taken this much further out
#: (a panel's band pools many series' errors, and is not widened).
BAND_WIDEN = 0.05


def method_weights(mae, available, n_origins, pooled_weights=None, own_share=None):
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


def stacked_weights(forecasts, actual, iterations: int = 300, most: int = 60000, seed: int = 0):
    """Convex weights (summing to 1) that minimise the pooled backtest MAE of the weighted
    mean of ``forecasts`` (arrays like ``actual``; points where any is missing are left out),
    by exponentiated subgradient descent on at most ``most`` sampled points. A single method
    is a corner of the simplex, so the result is never worse than the best single method on
    these points (up to the search's tolerance)."""
    X = np.stack([f.ravel() for f in forecasts], axis=1)
    y = np.asarray(actual, float).ravel()
    keep = np.isfinite(y) & np.isfinite(X).all(1)
    X, y = X[keep], y[keep]
    M = X.shape[1]
    if not len(y):
        return np.full(M, 1.0 / M)
    if len(y) > most:
        pick = np.random.default_rng(seed).choice(len(y), most, replace=False)
        X, y = X[pick], y[pick]
    scale = max(float(np.mean(np.abs(y - X.mean(1)))), 1e-9)
    w = np.full(M, 1.0 / M)
    best, best_w = np.inf, w
    for it in range(iterations):
        r = X @ w - y
        loss = float(np.mean(np.abs(r)))
        if loss < best:
            best, best_w = loss, w
        g = (np.sign(r)[:, None] * X).mean(0) / scale
        w = w * np.exp(-0.5 / np.sqrt(it + 1) * g)
        w = w / w.sum()
    for j in range(M):  # the corners: a single method
        loss = float(np.mean(np.abs(X[:, j] - y)))
        if loss < best:
            best, best_w = loss, np.eye(M)[j]
    return best_w


def median_count(mean):
    """The median of a Poisson count with this mean (elementwise): the point forecast mean
    absolute error rewards. A mean of 0.5 crimes gives 0, 30.4 gives 30, an integer itself.
    It lies in [mean - ln 2, mean + 1/3) (Choi 1994), so one of two integers."""
    mean = np.clip(np.nan_to_num(np.asarray(mean, float)), 0, None)
    low = np.maximum(np.ceil(mean - np.log(2)), 0.0)
    return np.where(pdtr(low, mean) >= 0.5, low, low + 1)


def mean_error(e):
    """Mean over the last two axes, ignoring NaN (NaN when nothing is known)."""
    known = np.isfinite(e)
    return np.where(known.any((-2, -1)), np.nansum(e, axis=(-2, -1))
                    / np.maximum(known.sum((-2, -1)), 1), np.nan)


def weighted_mean(forecasts, w):
    """Weighted mean of method forecasts (last axis of ``w``), ignoring missing ones."""
    stack = np.stack(forecasts, axis=-1)
    ok = np.isfinite(stack)
    wt = np.where(ok, w, 0.0)
    with np.errstate(invalid="ignore"):
        out = (np.where(ok, stack, 0.0) * wt).sum(-1) / wt.sum(-1)
    return out


def band_offsets(errors, yhat, steps, horizon, interval, widen=BAND_WIDEN):
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


def bands(A, B, yhat, naive_wins, pooled, interval):
    """(low, high) per series and step, and the leave-one-origin-out coverage per series."""
    n, J, H = A.shape
    lows, highs = np.zeros((n, H)), np.zeros((n, H))
    steps = np.broadcast_to(np.arange(1, H + 1), A.shape)
    groups = [naive_wins, ~naive_wins] if pooled else [np.ones(n, bool)]
    hits, seen = np.zeros(n), np.zeros(n)
    widen = 0.0 if pooled else BAND_WIDEN
    for g in groups:
        if not g.any():
            continue
        e, f, k = (A - B)[g], B[g], steps[g]
        low, high = band_offsets(e.ravel(), f.ravel(), k.ravel(), H, interval, widen)
        root = np.sqrt(np.maximum(yhat[g], 0.5))
        lows[g], highs[g] = yhat[g] + low * root, yhat[g] + high * root
        for j in range(J):
            one = np.isfinite(e[:, j, :])
            if not one.any():
                continue
            rest = np.ones(J, bool)
            rest[j] = False
            lo, hi = band_offsets(e[:, rest].ravel(), f[:, rest].ravel(), k[:, rest].ravel(), H,
                                interval, widen)
            r = np.sqrt(np.maximum(f[:, j, :], 0.5))
            inside = (e[:, j, :] >= lo * r) & (e[:, j, :] <= hi * r) & one
            idx = np.flatnonzero(g)
            hits[idx] += inside.sum(1)
            seen[idx] += one.sum(1)
    cover = np.where(seen > 0, hits / np.maximum(seen, 1), np.nan)
    cover[(np.isfinite(A[:, :, 0]).sum(1)) < 2] = np.nan
    return lows, highs, cover
