"""Crime links: correlation of heads across places, co-occurrence, heinous share, breakdowns."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crimekit.profiles.places import links as L
from crimekit.errors import ParameterError
from crimekit.schema import conform_incidents
from crimekit.spatial import make_grid
from crimekit.synth import fine_cell_beats


def toy() -> pd.DataFrame:
    """Three beats over two weeks; A and B always together, C alone."""
    rows = []
    for beat, n in (("B1", 1), ("B2", 2), ("B3", 3)):
        for _ in range(n):
            rows += [(beat, "2024-01-01 10:00", "A", False), (beat, "2024-01-02 10:00", "B", True)]
        rows.append((beat, "2024-01-10 10:00", "C", False))
    rows.append(("B1", "2024-01-11 10:00", "C", False))
    beat, when, cat, heinous = zip(*rows)
    return conform_incidents(pd.DataFrame({
        "beat": beat, "occurred_at": pd.to_datetime(when), "category": cat,
        "category_group": ["G1" if c != "C" else "" for c in cat], "heinous": heinous,
        "district": ["D1" if b != "B3" else "D2" for b in beat],
        "property_value": [100.0 if c == "A" else np.nan for c in cat],
        "lat": 12.0, "lon": 77.0}))


def test_correlation_by_hand_and_clustered_order():
    c = L.head_correlation(toy(), min_count=1, method="pearson")
    m = c.pivot(index="head_a", columns="head_b", values="correlation")
    assert m.loc["A", "B"] == pytest.approx(1.0)
    assert m.loc["A", "C"] == pytest.approx(stats.pearsonr([1, 2, 3], [2, 1, 1])[0])
    order = c.drop_duplicates("head_a").set_index("head_a")["order_a"]
    assert abs(order["A"] - order["B"]) == 1  # the linked pair sits side by side
    assert (c["n_units"] == 3).all()


def test_co_occurrence_lift_by_hand():
    co = L.co_occurrence(toy(), min_both=1).set_index(["head_a", "head_b"])
    # trials: 3 beats x week of Jan 1 (A, B) + 3 beats x week of Jan 8 (C) = 6
    assert co.loc[("A", "B"), "n_both"] == 3 and co.loc[("A", "B"), "trials"] == 6
    assert co.loc[("A", "B"), "lift"] == pytest.approx(3 / (3 * 3 / 6))
    assert ("A", "C") not in co.index  # never together


def test_heinous_share_with_wilson_interval():
    h = L.heinous_share(toy()).set_index("beat")
    assert h.loc["B3", "share"] == pytest.approx(3 / 7)
    lo, hi = L.wilson_interval(3, 7)
    assert h.loc["B3", "lower"] == pytest.approx(lo) and lo < 3 / 7 < hi
    assert L.wilson_interval(0, 5)[0] == pytest.approx(0.0, abs=1e-12)


def test_major_head_breakdown_falls_back_to_the_head():
    b = L.major_head_breakdown(toy(), by="district").set_index(["district", "category_group"])
    assert b.loc[("D1", "G1"), "count"] == 6 and b.loc[("D1", "C"), "count"] == 3
    assert b.loc[("D2", "G1"), "share"] == pytest.approx(6 / 7)
    assert L.major_head_breakdown(toy(), by=None)["count"].sum() == len(toy())


def test_property_values_with_and_without_recovered():
    p = L.property_values(toy()).set_index("category")
    assert p.loc["A", "stolen_total"] == 600 and np.isnan(p.loc["A", "recovery_rate"])
    assert np.isnan(p.loc["C", "stolen_total"])
    rec = L.property_values(toy().assign(property_recovered=25.0)).set_index("category")
    assert rec.loc["A", "recovery_rate"] == pytest.approx(0.25)


def test_cells_need_a_grid():
    with pytest.raises(ParameterError, match="'grid'"):
        L.head_correlation(toy(), unit="cell")
    with pytest.raises(ParameterError, match="'unit'"):
        L.unit_of(toy(), unit="district")


def test_correlations_match_the_generators_spatial_mix(city):
    """Heads drawn from the same land-use layers correlate across beats, as in the truth."""
    inc = city.dataset.incidents
    obs = L.head_correlation(inc).pivot(index="head_a", columns="head_b", values="correlation")
    beats = fine_cell_beats(city)
    expected = pd.DataFrame({
        h: city.truth.expected_counts(beats, freq="M", categories=[h])
        .groupby("unit")["expected"].sum() for h in obs.index})
    truth = expected.corr("spearman").loc[obs.index, obs.columns]
    upper = np.triu_indices(len(obs), 1)
    assert np.corrcoef(obs.to_numpy()[upper], truth.to_numpy()[upper])[0, 1] > 0.9
    assert obs.loc["Hurt", "Drugs (NDPS)"] > 0.6 > obs.loc["Hurt", "Cyber fraud"]


def test_correlation_on_grid_cells(city):
    inc = city.dataset.incidents
    grid = make_grid(inc["lat"], inc["lon"], cell_size=1000)
    c = L.head_correlation(inc, unit="cell", grid=grid)
    m = c.pivot(index="head_a", columns="head_b", values="correlation")
    assert c["n_units"].iloc[0] == len(grid.cells)
    assert m.loc["Burglary", "Cyber fraud"] > m.loc["Burglary", "Public nuisance"]


def test_violent_heads_co_occur_above_chance_in_the_city(city):
    co = L.co_occurrence(city.dataset.incidents)
    top = co.head(10)
    assert top["significant"].all()
    night = {"Attempt to murder", "Murder", "Drugs (NDPS)", "Robbery", "Public nuisance", "Hurt",
             "Rioting"}
    assert top.apply(lambda r: {r["head_a"], r["head_b"]} <= night, axis=1).mean() >= 0.8


def test_heinous_share_tracks_the_generators_heinous_mix(city):
    inc = city.dataset.incidents
    h = L.heinous_share(inc).set_index("beat")
    beats = fine_cell_beats(city)
    heinous = [head.name for head in city.truth.heads if head.heinous]
    expected = (city.truth.expected_counts(beats, freq="M", categories=heinous)
                .groupby("unit")["expected"].sum()
                / city.truth.expected_counts(beats, freq="M").groupby("unit")["expected"].sum())
    assert stats.spearmanr(h["share"], expected.reindex(h.index)).statistic > 0.75
