"""The 80% range of an expected count: the band every hotspot table and sentence gives beside
an expected number of crimes (``expected_low``, ``expected_high``)."""

from __future__ import annotations

from scipy import stats


def poisson_band(expected, level: float = 0.8):
    """(low, high): the central ``level`` range of a Poisson count with mean ``expected`` (a
    number or an array), as floats."""
    lo, hi = round((1 - level) / 2, 12), round((1 + level) / 2, 12)  # 0.1, not 0.0999...
    return stats.poisson.ppf(lo, expected), stats.poisson.ppf(hi, expected)
