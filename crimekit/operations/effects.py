"""Estimates of a change in crime with their intervals, for :mod:`crimekit.operations.check`.

- :func:`did`: difference-in-differences of two per-period count series (the places treated
  and comparable places), on ``log((treated + 0.5) / (comparison + 0.5))`` per period, with a t
  interval from the periods' spread, widened for autocorrelation.
- :func:`against_forecast`: crimes recorded against a forecast's expected total, with an
  interval that keeps the forecast's shared (level) uncertainty.
- :func:`pre_trend_p`: whether two groups were already moving apart before.

Each returns an :class:`Estimate`: a relative change, its interval, and the p-value of "no
change", with the words for them (:mod:`crimekit.wording`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.wording import chance_words, change_words, p_phrase, range_words


@dataclass(frozen=True)
class Estimate:
    """One comparison: crimes recorded against expected, as a relative change with its
    ``level`` interval and the two-sided p-value of "no change"."""

    against: str
    observed: float
    expected: float
    change: float
    lower: float
    upper: float
    p_value: float
    level: float = 0.95

    @property
    def clear(self) -> bool:
        """Whether the interval excludes no change."""
        return not (self.lower <= 0 <= self.upper)

    @property
    def change_text(self) -> str:
        """"30% fewer", "no change", "12% more"."""
        return change_words(self.change)

    @property
    def range_text(self) -> str:
        """The interval in words: "18% to 40% fewer"."""
        return range_words(self.lower, self.upper)

    @property
    def chance_text(self) -> str:
        """How likely a change this large is by chance, in words: "very unlikely to be
        chance"."""
        return chance_words(self.p_value)

    @property
    def p_text(self) -> str:
        """"p < 0.001", "p = 0.20"."""
        return p_phrase(self.p_value)

    def words(self) -> str:
        """"30% fewer (95% range 18% to 40% fewer), very unlikely to be chance (p < 0.001)"."""
        return (f"{change_words(self.change)} ({self.level:.0%} range "
                f"{range_words(self.lower, self.upper)}), {chance_words(self.p_value)} "
                f"({p_phrase(self.p_value)})")


def did(treated, control, n_before: int, level: float = 0.95,
        against: str = "comparable places") -> Estimate:
    """Difference-in-differences of two per-period count series: the first ``n_before``
    periods are before, the rest during (see the module docstring)."""
    t, c = np.asarray(treated, float), np.asarray(control, float)
    r = np.log((t + 0.5) / (c + 0.5))
    pre, post = r[:n_before], r[n_before:]
    n1, n2 = len(pre), len(post)
    d = post.mean() - pre.mean()
    dof = n1 + n2 - 2
    pooled = (((pre - pre.mean()) ** 2).sum() + ((post - post.mean()) ** 2).sum()) / max(dof, 1)
    se = np.sqrt(pooled * (1 / n1 + 1 / n2)) * _autocorrelation_factor(pre)
    half = stats.t.ppf(0.5 + level / 2, max(dof, 1)) * se
    p = 2 * stats.t.sf(abs(d) / se, max(dof, 1)) if se > 0 else (0.0 if d else 1.0)
    expected = float(np.sum((c[n_before:] + 0.5) * np.exp(pre.mean())) - 0.5 * n2)
    return Estimate(against, float(t[n_before:].sum()), max(expected, 0.0), float(np.expm1(d)),
                    float(np.expm1(d - half)), float(np.expm1(d + half)), float(p), level)


def _autocorrelation_factor(pre) -> float:
    """How much wider an interval must be when neighbouring periods move together (lag-1
    autocorrelation of the before-series, 0 to 0.8): sqrt((1 + rho) / (1 - rho))."""
    x = pre - pre.mean()
    if len(x) < 4 or not (x ** 2).sum():
        return 1.0
    rho = float(np.clip((x[1:] * x[:-1]).sum() / (x ** 2).sum(), 0.0, 0.8))
    return float(np.sqrt((1 + rho) / (1 - rho)))


def pre_trend_p(treated, control, n_before: int) -> float:
    """p-value of a slope in log(operation / comparison) before the operation."""
    r = np.log((np.asarray(treated[:n_before], float) + 0.5)
               / (np.asarray(control[:n_before], float) + 0.5))
    if len(r) < 4 or np.ptp(r) == 0:
        return 1.0
    return float(stats.linregress(np.arange(len(r)), r).pvalue)


def against_forecast(observed, fc: pd.DataFrame, level: float = 0.95,
                     band: float = 0.8) -> Estimate:
    """Recorded crimes against the forecast's expected total.

    The spread of a total over many periods is not the spread of one period: chance (Poisson
    noise, about the expected count each period) is independent from period to period, but the
    rest of the forecast's ``band`` (its uncertainty about the level and trend) is shared by
    every period, so it is added up, not averaged out:
    ``var(total) = sum(expected) + (sum(sqrt(max(sd_i^2 - expected_i, 0))))^2``.
    """
    obs = float(np.sum(observed))
    exp_each = (fc["expected"] if "expected" in fc else fc["yhat"]).to_numpy(float)
    exp = float(exp_each.sum())
    if exp <= 0:
        return Estimate("the forecast", obs, exp, np.nan, np.nan, np.nan, np.nan, level)
    sd_each = (fc["high"] - fc["low"]).to_numpy(float) / (2 * stats.norm.ppf(
        0.5 + band / 2))
    shared = np.sqrt(np.clip(sd_each ** 2 - exp_each, 0, None)).sum()
    sd = float(np.sqrt(exp + shared ** 2))
    z = stats.norm.ppf(0.5 + level / 2)
    lo_exp, hi_exp = exp - z * sd, exp + z * sd
    lower = obs / hi_exp - 1
    upper = obs / lo_exp - 1 if lo_exp > 0 else np.inf
    p = float(2 * stats.norm.sf(abs(obs - exp) / sd))
    return Estimate("the forecast", obs, exp, obs / exp - 1, lower, upper, p, level)
