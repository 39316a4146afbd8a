"""Grid cells and beat joins, on cases small enough to check by hand."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.spatial import (assign_beats, count_by_beat, count_by_cell, local_crs, make_grid)


def _square_beats():
    # two beats side by side, about 1.1 km x 1.1 km each, near the equator
    return gpd.GeoDataFrame({"beat": ["A", "B"], "district": ["D1", "D1"]},
                            geometry=[shapely.box(0, 0, 0.01, 0.01),
                                      shapely.box(0.01, 0, 0.02, 0.01)], crs="EPSG:4326")


def test_local_crs_picks_the_utm_zone():
    assert local_crs([41.8], [-87.6]) == "EPSG:32616"
    assert local_crs([-33.9], [151.2]) == "EPSG:32756"
    with pytest.raises(UnusableInputError):
        local_crs([np.nan], [np.nan])


def test_grid_covers_the_beats_and_assigns_points():
    beats = _square_beats()
    grid = make_grid([0.005], [0.005], cell_size=500, beats=beats)
    # 2.2 km x 1.1 km of beats -> about 5 x 3 cells of 500 m touch it
    assert 10 <= len(grid.cells) <= 24
    ids = grid.cell_of([0.001, 0.009, np.nan, 5.0], [0.001, 0.019, 0.0, 5.0])
    assert ids[0] >= 0 and ids[1] >= 0 and ids[0] != ids[1]
    assert ids[2] == -1 and ids[3] == -1
    assert grid.area_km2 == pytest.approx(len(grid.cells) * 0.25)


def test_grid_cell_ids_are_stable_under_row_order():
    beats = _square_beats()
    grid = make_grid([0.005], [0.005], cell_size=250, beats=beats)
    lat = np.random.default_rng(0).uniform(0, 0.01, 50)
    lon = np.random.default_rng(1).uniform(0, 0.02, 50)
    order = np.random.default_rng(2).permutation(50)
    assert (grid.cell_of(lat, lon)[order] == grid.cell_of(lat[order], lon[order])).all()


def test_count_by_cell_counts_every_point_once():
    beats = _square_beats()
    grid = make_grid([0.005], [0.005], cell_size=250, beats=beats)
    inc = pd.DataFrame({"lat": [0.001, 0.0011, 0.009, np.nan], "lon": [0.001, 0.0012, 0.019, 0.0]})
    cells = count_by_cell(inc, grid)
    assert cells["count"].sum() == 3
    assert cells["count"].max() == 2


def test_bad_cell_size_is_explained():
    with pytest.raises(ParameterError, match="'cell_size' parameter of make_grid"):
        make_grid([0.005], [0.005], cell_size=-5, beats=_square_beats())


def test_assign_beats_and_count():
    beats = _square_beats()
    where = assign_beats([0.005, 0.005, 1.0], [0.005, 0.015, 1.0], beats)
    assert list(where["beat"]) == ["A", "B", ""]
    counted = count_by_beat(pd.DataFrame({"beat": ["A", "A", "B"]}), beats)
    assert list(counted["count"]) == [2, 1]


def test_grid_without_beats_follows_the_incidents():
    rng = np.random.default_rng(0)
    lat = np.r_[rng.uniform(0, 0.01, 200), rng.uniform(0.05, 0.06, 200)]
    lon = np.r_[rng.uniform(0, 0.01, 200), rng.uniform(0.05, 0.06, 200)]
    grid = make_grid(lat, lon, cell_size=250)
    full_box_cells = (0.06 * 111_000 / 250) ** 2
    assert len(grid.cells) < full_box_cells / 2
    assert (grid.cell_of(lat, lon) >= 0).mean() > 0.99
