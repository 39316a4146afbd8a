"""crimekit.hotspots.areas: hot areas for data placed by area only, on hand-checkable data."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from crimekit.hotspots.areas import land_metrics, rank_areas
from crimekit.errors import UnusableInputError
from crimekit.schema import conform_incidents


def _areas():
    return gpd.GeoDataFrame({"beat": ["A", "B", "C", "D"], "district": ["N", "N", "S", "S"]},
                            geometry=[box(-114.1 + .02 * i, 51.0, -114.08 + .02 * i, 51.02)
                                      for i in range(4)], crs="EPSG:4326")


def _monthly(rates, months=36, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for m in pd.date_range("2021-01-01", periods=months, freq="MS"):
        for area, rate in rates.items():
            n = rng.poisson(rate)
            if n:
                rows.append({"occurred_at": m, "category": "Theft", "beat": area, "count": n,
                             "precision": "month"})
    return conform_incidents(pd.DataFrame(rows))


def test_land_metrics_by_hand():
    # four equal areas; the top-scored holds 6 of 10 crimes: 25% of the land holds 60%
    hit, pai = land_metrics(np.array([3., 2, 1, 0]), np.array([6., 1, 2, 1]), np.ones(4), 0.25)
    assert hit == pytest.approx(0.6) and pai == pytest.approx(2.4)
    # 10% of the land is 40% of the top area: 40% of its crimes
    hit, _ = land_metrics(np.array([3., 2, 1, 0]), np.array([6., 1, 2, 1]), np.ones(4), 0.10)
    assert hit == pytest.approx(0.24)


def test_the_hot_area_ranks_first_monthly_with_a_note():
    r = rank_areas(_monthly({"A": 2, "B": 20, "C": 5, "D": 1}), _areas(), freq="W")
    assert r.freq == "M" and "known only to the month" in r.note
    assert r.table["area"].iloc[0] == "B"
    assert r.table["expected"].iloc[0] == pytest.approx(20, rel=0.35)
    assert (r.table["expected_low"] <= r.table["expected"]).all()
    assert (r.table["expected"] <= r.table["expected_high"]).all()
    assert r.period == pd.Timestamp("2024-01-01")
    assert r.method in set(r.backtest["method"])
    best = r.backtest[(r.backtest["method"] == r.method) & (r.backtest["coverage"] == .25)]
    assert best["hit_rate"].iloc[0] > 0.5  # one area of four holds most of the crime


def test_no_polygons_or_no_matching_names_is_one_sentence():
    inc = _monthly({"A": 2})
    with pytest.raises(UnusableInputError, match="no area polygons"):
        rank_areas(inc, None)
    with pytest.raises(UnusableInputError, match="names match"):
        rank_areas(inc.assign(beat="Z"), _areas())
