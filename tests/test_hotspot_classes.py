"""Hotspot classes (k-means on frequency) and Getis-Ord Gi* on a hand-made 3x3 grid."""

import numpy as np
import pandas as pd
import pytest
from test_features import grid3

from crimekit.hotspots.features import CountCube
from crimekit.hotspots.classes import getis_ord, gi_labels, hotspot_classes


def cube_with(freqs, n_periods=20):
    """A cube whose cell i has crime in the first round(freqs[i] * n_periods) periods."""
    g = grid3()
    counts = np.zeros((n_periods, 9), np.float32)
    for i, f in enumerate(freqs):
        counts[: int(round(f * n_periods)), i] = 1
    periods = pd.date_range("2025-01-06", periods=n_periods, freq="7D")
    return CountCube("W", periods, g, counts, np.zeros_like(counts))


def test_classes_follow_the_frequency_clusters():
    cube = cube_with([1.0, 0.95, 0.6, 0.55, 0.25, 0.2, 0.05, 0.0, 0.0])
    table = hotspot_classes(cube)
    assert table["hotspot_class"].tolist() == [
        "stable", "stable", "relative", "relative", "occasional", "occasional",
        "non-hotspot", "non-hotspot", "non-hotspot"]
    assert table.loc[2, "periods_with_crime"] == 12 and table.loc[2, "frequency"] == 0.6


def test_classes_on_the_last_weeks_only():
    cube = cube_with([1.0, 0.5, 0.2, 0.1, 0, 0, 0, 0, 0])
    table = hotspot_classes(cube, last_weeks=10)  # only cell 0 had crime in the last 10
    assert table["frequency"].tolist() == [1.0] + [0.0] * 8
    assert table["total"].tolist() == [10.0] + [0.0] * 8


def gi_star_by_hand(y, neighbours):
    """Getis-Ord Gi* with binary weights including the cell itself (Getis & Ord 1995)."""
    n, xbar = len(y), y.mean()
    s = np.sqrt((y ** 2).mean() - xbar ** 2)
    out = []
    for i in range(n):
        js = [i] + neighbours[i]
        w = len(js)
        num = y[js].sum() - xbar * w
        den = s * np.sqrt((n * w - w ** 2) / (n - 1))
        out.append(num / den if den else np.nan)
    return np.array(out)


def test_gi_star_matches_the_formula_on_a_3x3_grid():
    g = grid3()
    y = np.array([0, 1, 0, 1, 9, 2, 0, 1, 0], float)
    table = getis_ord(g, y)
    expected = gi_star_by_hand(y, {k: list(v) for k, v in g.neighbours(1).items()})
    edge = [0, 1, 2, 3, 5, 6, 7, 8]
    assert table["gi_z"].to_numpy()[edge] == pytest.approx(expected[edge], rel=1e-6)
    # corner 0 by hand: window {0,1,3,4} sums 11 over 4 cells; mean 14/9; s = sqrt(596)/9
    assert table.loc[0, "gi_z"] == pytest.approx((11 - 4 * 14 / 9) / (
        np.sqrt(596) / 9 * np.sqrt((9 * 4 - 16) / 8)), rel=1e-9)
    # the centre's window is the whole grid, so Gi* is undefined there: reported as 0
    assert table.loc[4, "gi_z"] == 0 and table.loc[4, "gi_class"] == "not significant"


def test_gi_labels():
    labels = gi_labels([3.0, 2.0, -2.0, 0.5], [0.003, 0.04, 0.04, 0.6])
    assert labels.tolist() == ["hot spot 99%", "hot spot 95%", "cold spot 95%",
                               "not significant"]


def test_gi_finds_the_demo_citys_centre(small_city):
    from crimekit.hotspots.features import count_cube
    from crimekit.spatial import grid_for
    ds = small_city.dataset
    grid = grid_for(ds.incidents, cell_size=500, beats=ds.beats)
    cube = count_cube(ds.incidents, grid, freq="M")
    gi = getis_ord(grid, cube.counts.sum(axis=0))
    hot = gi[gi["gi_class"] == "hot spot 99%"]
    assert 0 < len(hot) < len(gi) / 3
    busiest = gi.loc[gi["value"].idxmax(), "cell_id"]
    assert busiest in set(hot["cell_id"])
