"""The shared statistics, each written once: count bands, proportion intervals, q-values and
distances on the globe.

- :func:`poisson_band`: the ``low``/``high`` range a Poisson count with a given expectation
  falls in (the 80% band by default: the 10th and 90th percentiles).
- :func:`wilson_interval`: the Wilson score interval of a proportion (``lower``/``upper``).
- :func:`fdr_q_values`: Benjamini-Hochberg q-values for many tests at once.
- :func:`haversine_km`: great-circle distance in km.

Every function takes scalars or arrays (they broadcast) and never changes its inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["BAND_LEVEL", "EARTH_RADIUS_KM", "poisson_band", "wilson_interval", "fdr_q_values", "holm",
           "haversine_km"]

#: The level of the count bands shown everywhere (80%: one period in five falls outside).
BAND_LEVEL = 0.8
#: The mean radius of the Earth (IUGG), in km.
EARTH_RADIUS_KM = 6371.0088


def poisson_band(expected, level: float = BAND_LEVEL):
    """(low, high): the central ``level`` range of a Poisson count with mean ``expected``.

    The 80% band is the 10th and 90th percentiles, so a count falls below ``low`` or above
    ``high`` one period in ten each: ``poisson_band(10)`` is (6, 14). Returns floats (arrays
    for array input).
    """
    tail = round((1 - level) / 2, 12)  # 0.1 exactly for the 80% band, not 0.09999...
    return stats.poisson.ppf(tail, expected), stats.poisson.ppf(1 - tail, expected)


def wilson_interval(successes, trials, z: float = 1.96):
    """(lower, upper): the Wilson score interval of a proportion (95% with the default ``z``);
    well behaved for small counts and for shares of 0 or 1 (NaN when ``trials`` is 0)."""
    k, n = np.asarray(successes, float), np.asarray(trials, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def fdr_q_values(p_values) -> np.ndarray:
    """Benjamini-Hochberg q-values: the false discovery rate at which each test is significant,
    so scanning many groups, heads or beats does not flag chance highs. NaN p-values stay NaN
    and do not count as tests."""
    p = np.asarray(p_values, float)
    q = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        q[ok] = stats.false_discovery_control(p[ok])
    return q


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points given in degrees (arrays broadcast, by
    position: pandas indexes are not aligned). A Series ``lat1`` gives a Series on its index."""
    phi1, lam1, phi2, lam2 = (np.radians(np.asarray(a, dtype=float))
                              for a in (lat1, lon1, lat2, lon2))
    a = (np.sin((phi2 - phi1) / 2) ** 2
         + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2)
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    if isinstance(lat1, pd.Series) and km.shape == (len(lat1),):
        return pd.Series(km, index=lat1.index)
    return km


def holm(p) -> np.ndarray:
    """Holm's step-down adjustment of p-values (controls the chance of any false alarm)."""
    p = np.asarray(p, float)
    if not len(p):
        return p
    order = np.argsort(p)
    adj = np.maximum.accumulate((len(p) - np.arange(len(p))) * p[order])
    out = np.empty_like(p)
    out[order] = np.minimum(adj, 1.0)
    return out
