"""The shared statistics: answers checkable by hand."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from crimekit.stats import fdr_q_values, haversine_km, poisson_band, wilson_interval


def test_poisson_band_is_the_10th_and_90th_percentile():
    assert poisson_band(10) == (6.0, 14.0)
    low, high = poisson_band(np.array([0.0, 2.5, 40.0]))
    assert low.tolist() == sps.poisson.ppf(0.1, [0.0, 2.5, 40.0]).tolist()
    assert high.tolist() == sps.poisson.ppf(0.9, [0.0, 2.5, 40.0]).tolist()
    assert poisson_band(10, level=0.5) == (sps.poisson.ppf(0.25, 10), sps.poisson.ppf(0.75, 10))


def test_wilson_interval_by_hand():
    lo, hi = wilson_interval(3, 7)
    # p = 3/7, z = 1.96: centre (p + z^2/14) / (1 + z^2/7), half-width as in Wilson (1927)
    z, n, p = 1.96, 7, 3 / 7
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert (lo, hi) == pytest.approx((centre - half, centre + half))
    assert wilson_interval(0, 5)[0] == pytest.approx(0.0, abs=1e-12)
    assert wilson_interval(5, 5)[1] == pytest.approx(1.0)
    assert np.isnan(wilson_interval(0, 0)[0])


def test_fdr_q_values_by_hand():
    # Benjamini-Hochberg: sorted p * m / rank, then the running minimum from the top
    q = fdr_q_values([0.01, 0.04, 0.03, np.nan])
    assert q[:3] == pytest.approx([0.03, 0.04, 0.04])
    assert np.isnan(q[3])
    assert fdr_q_values([]).shape == (0,)


def test_haversine_one_degree_and_series():
    assert haversine_km(12.0, 77.0, 13.0, 77.0) == pytest.approx(111.195, rel=1e-4)
    assert haversine_km(0, 0, 0, 0) == 0
    lat = pd.Series([12.0, 13.0], index=[5, 9])
    d = haversine_km(lat, [77.0, 77.0], [12.0, 12.0], [77.0, 77.0])
    assert isinstance(d, pd.Series) and list(d.index) == [5, 9]
    assert d.iloc[1] == pytest.approx(111.195, rel=1e-4)
    grid = haversine_km(np.zeros((2, 1)), np.zeros((2, 1)), np.zeros((1, 3)), np.ones((1, 3)))
    assert grid.shape == (2, 3)
