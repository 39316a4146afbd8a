"""Rows are not crimes (issue 10): every analysis sums ``count``, and month-precision data is
never spread as if it all happened on the 1st at midnight."""

import numpy as np
import pandas as pd
import pytest

from crimekit import temporal as T
from crimekit.errors import PrecisionError
from crimekit.hotspots.features import count_cube
from crimekit.overview import compare_periods
from crimekit.schema import (Dataset, conform_incidents, crime_count, data_precision, freq_for,
                             require_precision)
from crimekit.spatial import count_by_beat, count_by_cell, make_grid


def _counted():
    """12 rows standing for 30 crimes: weekly rows with counts, two reversals."""
    rng = np.random.default_rng(0)
    n = 12
    return conform_incidents(pd.DataFrame({
        "incident_id": [f"c{i}" for i in range(n)],
        "occurred_at": pd.date_range("2024-01-01 10:00", periods=n, freq="7D"),
        "category": ["Theft", "Burglary"] * 6,
        "lat": 41.88 + rng.normal(0, .003, n), "lon": -87.63 + rng.normal(0, .003, n),
        "beat": ["A", "B", "C"] * 4, "district": "1",
        "count": [5, 1, 3, 2, 4, 1, -1, 3, 6, 2, 5, -1]}))


def test_crime_count_sums_count_not_rows():
    inc = _counted()
    assert len(inc) == 12 and crime_count(inc) == 30
    by = crime_count(inc, "category")
    assert by.to_dict() == {"Theft": 22, "Burglary": 8}


def test_counts_over_time_hour_weekday_season_and_year_over_year_sum_count():
    inc = _counted()
    weekly = T.counts_over_time(inc, "W")
    assert weekly["count"].sum() == 30
    assert weekly["count"].iloc[0] == 5 and weekly["count"].iloc[6] == -1
    assert T.hour_weekday(inc)["count"].sum() == 30
    assert T.season_profile(inc)["count"].sum() == 30
    assert T.year_over_year(inc, "M")["count"].sum() == 30
    by = T.counts_over_time(inc, "M", "category")
    assert by.groupby("series")["count"].sum().to_dict() == {"Theft": 22, "Burglary": 8}


def test_maps_overview_and_hotspot_cube_sum_count():
    inc = _counted()
    grid = make_grid(inc["lat"], inc["lon"], cell_size=250)
    assert count_by_cell(inc, grid)["count"].sum() == 30
    import geopandas as gpd
    from shapely.geometry import box
    beats = gpd.GeoDataFrame({"beat": ["A", "B", "C"], "district": "1"},
                             geometry=[box(-88, 41, -87, 42)] * 3, crs="EPSG:4326")
    assert count_by_beat(inc, beats).set_index("beat")["count"].to_dict() == \
        {"A": 5 + 2 - 1 + 2, "B": 1 + 4 + 3 + 5, "C": 3 + 1 + 6 - 1}
    table = compare_periods(inc, days=28, end=inc["occurred_at"].max())
    assert table["current"].sum() == 6 + 2 + 5 - 1  # the last four weekly rows
    assert table["previous"].sum() == 4 + 1 - 1 + 3
    cube = count_cube(inc, grid, freq="W")
    assert cube.counts.sum() == 30 + 2  # reversals alone in their week and cell count as 0


def test_patrol_risk_and_backtest_weigh_counts():
    from crimekit.patrol.risk import beat_shift_risk
    inc = _counted()
    ones = inc.assign(count=1)
    heavy = inc.assign(count=np.where(inc["beat"] == "A", 10, 1))
    r1 = beat_shift_risk(Dataset("one", ones)).groupby("beat")["risk"].sum()
    r2 = beat_shift_risk(Dataset("heavy", heavy)).groupby("beat")["risk"].sum()
    assert r2["A"] / r2.sum() > 2 * r1["A"] / r1.sum()
    assert beat_shift_risk(Dataset("heavy", heavy))["recorded"].sum() == crime_count(heavy)


def test_month_precision_refuses_hours_and_switches_to_monthly():
    inc = conform_incidents(pd.DataFrame({
        "occurred_at": pd.to_datetime(["2022-01-01", "2022-02-01", "2022-03-01"]),
        "category": "Burglary", "count": [4, 6, 5], "precision": "month"}))
    assert data_precision(inc) == "month"
    with pytest.raises(PrecisionError, match="known only to the month.*hour by weekday"):
        T.hour_weekday(inc)
    with pytest.raises(PrecisionError):
        T.year_over_year(inc, "W")
    assert freq_for(inc, "W")[0] == "M" and "known only to the month" in freq_for(inc, "W")[1]
    assert freq_for(inc, "M") == ("M", "")
    monthly = T.counts_over_time(inc, freq_for(inc, "W")[0])
    assert monthly["count"].tolist() == [4, 6, 5]
    require_precision(inc, "month", "monthly counts")  # allowed: no error
    yearly = inc.assign(precision="year")
    with pytest.raises(PrecisionError, match="known only to the year"):
        freq_for(yearly, "M")


def test_precision_is_the_finest_most_crimes_have():
    base = {"occurred_at": pd.Timestamp("2024-01-01"), "category": "x"}
    rows = [dict(base, precision="hour")] * 97 + [dict(base, precision="month")] * 3
    assert data_precision(conform_incidents(pd.DataFrame(rows))) == "hour"
    rows = [dict(base, precision="hour")] * 90 + [dict(base, precision="day")] * 10
    assert data_precision(conform_incidents(pd.DataFrame(rows))) == "day"
