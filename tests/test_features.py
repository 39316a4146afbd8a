"""Features from the past only: periods, windows, smoothing, and no look-ahead."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from crimekit.errors import ParameterError
from crimekit.hotspots.features import build_features, count_cube, feature_names
from crimekit.periods import period_range, period_start
from crimekit.spatial import Grid

CRS, X0, Y0, SIZE = "EPSG:32643", 780_000.0, 1_390_000.0, 100.0


def grid3() -> Grid:
    """A hand-made 3x3 grid of 100 m cells (ids 0..8, row-major)."""
    rows, cols = np.divmod(np.arange(9), 3)
    boxes = shapely.box(X0 + cols * SIZE, Y0 + rows * SIZE, X0 + (cols + 1) * SIZE,
                        Y0 + (rows + 1) * SIZE)
    cells = gpd.GeoDataFrame({"cell_id": np.arange(9), "col": cols, "row": rows,
                              "x": X0 + (cols + 0.5) * SIZE, "y": Y0 + (rows + 0.5) * SIZE},
                             geometry=boxes, crs=CRS).to_crs("EPSG:4326")
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(
        cells["x"].to_numpy(), cells["y"].to_numpy())
    cells["lat"], cells["lon"] = lat, lon
    return Grid(cells, CRS, SIZE, X0, Y0, 3, 3)


def incidents_at(grid, cells, times, category="Theft"):
    c = grid.cells.set_index("cell_id").loc[list(cells)]
    return pd.DataFrame({"occurred_at": pd.to_datetime(times), "lat": c["lat"].to_numpy(),
                         "lon": c["lon"].to_numpy(), "category": category})


@pytest.mark.parametrize("freq, ts, start", [
    ("D", "2025-03-05 23:10", "2025-03-05"),
    ("S", "2025-03-05 05:59", "2025-03-04 22:00"),
    ("S", "2025-03-05 06:00", "2025-03-05 06:00"),
    ("S", "2025-03-05 21:59", "2025-03-05 14:00"),
    ("W", "2025-03-09 23:59", "2025-03-03"),      # a Sunday belongs to the week from Monday
    ("2W", "2025-03-05", "2025-02-24"),
    ("M", "2025-03-31 12:00", "2025-03-01"),
])
def test_period_start(freq, ts, start):
    assert period_start([ts], freq)[0] == pd.Timestamp(start)


def test_period_range_and_bad_freq():
    weeks = period_range("2025-01-01", "2025-01-20", "W")
    assert list(weeks.strftime("%m-%d")) == ["12-30", "01-06", "01-13"]
    with pytest.raises(ParameterError, match="'freq' parameter"):
        period_start(["2025-01-01"], "Q")


def test_counts_and_windows_by_hand():
    g = grid3()
    inc = pd.concat([
        incidents_at(g, [4, 4, 0], ["2025-01-06", "2025-01-07", "2025-01-08"]),  # week 0
        incidents_at(g, [4], ["2025-01-14"]),                                     # week 1
        incidents_at(g, [8], ["2025-01-27"], category="Hurt"),                    # week 3
    ])
    cube = count_cube(inc, g, freq="W", categories=["Theft"])
    assert cube.counts.shape == (4, 9)
    assert cube.counts[:, 4].tolist() == [2, 1, 0, 0]
    assert cube.other[3, 8] == 1 and cube.counts[3, 8] == 0
    f = build_features(cube, [2, 4]).set_index(["t", "cell_id"])
    assert f.loc[(2, 4), "lag1"] == 1 and f.loc[(2, 4), "lag2"] == 2
    assert f.loc[(2, 4), "sum_4w"] == 3 and f.loc[(2, 0), "sum_4w"] == 1
    assert f.loc[(2, 4), "rate_all"] == pytest.approx(3 / 2)
    assert f.loc[(2, 4), "periods_since"] == 1 and f.loc[(2, 0), "periods_since"] == 2
    assert f.loc[(2, 1), "periods_since"] == 3          # never: t + 1
    # a 3x3 box around the centre cell covers the whole grid: 4 Theft incidents before week 2
    assert f.loc[(2, 4), "near3_sum_13w"] == pytest.approx(4)
    assert f.loc[(2, 8), "near3_sum_13w"] == pytest.approx(3)   # cells 4, 5, 7, 8
    assert f.loc[(4, 8), "other_sum_52w"] == 1
    assert f.loc[(2, 4), "decay_2w"] == pytest.approx(1 + 2 * 0.5 ** 0.5)


def test_features_never_read_the_period_or_later():
    g = grid3()
    rng = np.random.default_rng(3)
    times = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 400, 300), unit="D")
    inc = incidents_at(g, rng.integers(0, 9, 300), times)
    cube = count_cube(inc, g, freq="W")
    t = np.arange(10, cube.n_periods)
    before = build_features(cube, t)
    for cut in (t[0], t[len(t) // 2]):
        noisy = cube.counts.copy()
        noisy[cut:] = rng.integers(0, 5, noisy[cut:].shape)
        changed = build_features(type(cube)(**{**cube.__dict__, "counts": noisy}), t)
        same = before["t"] <= cut
        pd.testing.assert_frame_equal(before[same], changed[same])
        assert not before[~same].equals(changed[~same])


def test_feature_names_match_build_and_positions_are_checked():
    g = grid3()
    cube = count_cube(incidents_at(g, [1], ["2025-01-01"]), g, freq="D")
    f = build_features(cube, [0, 1])
    assert list(f.columns[2:]) == feature_names(cube)
    assert {"weekday", "doy_sin"} <= set(f.columns)
    with pytest.raises(ParameterError, match="'t' parameter"):
        build_features(cube, [5])
