"""Patrol areas without beat polygons: districts or named areas, else compact areas of similar
workload drawn from the grid; the station scope; crimes counted once."""

import numpy as np
import pandas as pd
import pytest
import shapely

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.patrol import PlanSettings, plan_patrols
from crimekit.patrol.areas import available_kinds, build_patrol_areas, default_n_areas
from crimekit.wording import plural
from crimekit.patrol.balanced_areas import balanced_areas
from crimekit.patrol.inputs import HeadWeights, plan_inputs
from crimekit.schema import Dataset, conform_incidents, crime_count
from conftest import SHARED_DATA


@pytest.fixture
def shared_data():
    if not (SHARED_DATA / "calgary_community_counts_sample.csv").exists():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


def points_city(n=3000, seed=0, districts=True, beats=False):
    """Crimes around four hot places in a 6 x 6 km town, over two years, with a count column
    (some rows stand for 3 crimes, a few are reversals); districts by quadrant."""
    rng = np.random.default_rng(seed)
    centres = np.array([[12.95, 77.57], [12.96, 77.60], [12.99, 77.58], [12.98, 77.61]])
    which = rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1])
    lat = centres[which, 0] + rng.normal(0, 0.006, n)
    lon = centres[which, 1] + rng.normal(0, 0.006, n)
    when = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.uniform(0, 730, n), unit="D")
    inc = pd.DataFrame({"occurred_at": when, "category": rng.choice(["Theft", "Hurt",
                                                                     "Murder"], n,
                                                                    p=[0.6, 0.38, 0.02]),
                        "lat": lat, "lon": lon,
                        "count": rng.choice([1, 3, -1], n, p=[0.9, 0.08, 0.02])})
    inc["heinous"] = inc["category"] == "Murder"
    if districts:
        inc["district"] = np.where(lat > 12.97, "North", "South")
        inc["district"] = inc["district"] + np.where(lon > 77.59, "-E", "-W")
    if beats:
        inc["beat"] = "B" + (np.floor((lat - 12.9) * 50)).astype(int).astype(str) + \
            (np.floor((lon - 77.5) * 50)).astype(int).astype(str)
    return Dataset("town", conform_incidents(inc))


def plan_for(inputs, officers, **limits):
    """The solved plan for ``inputs`` through the entry point (minimum 0 unless given)."""
    settings = PlanSettings(officers=officers, **{"min_per_beat": 0, **limits})
    return plan_patrols(inputs.dataset, settings, inputs=inputs).plan


def test_plural():
    assert [plural(u) for u in ("beat", "community", "LSOA", "district", "patrol area")] == \
        ["beats", "communities", "LSOAs", "districts", "patrol areas"]
    assert plural("community", 1) == "community"


def test_balanced_areas_on_a_lattice_by_hand():
    col, row = np.meshgrid(np.arange(4), np.arange(4))
    col, row = col.ravel(), row.ravel()
    labels = balanced_areas(col, row, np.ones(16), 4)
    assert sorted(np.bincount(labels)) == [4, 4, 4, 4]  # four 2 x 2 squares
    for lab in range(4):
        c, r = col[labels == lab], row[labels == lab]
        assert np.ptp(c) == 1 and np.ptp(r) == 1
    # a hot corner: its area gets fewer cells, the weights stay balanced
    w = np.ones(16)
    w[0] = 7.0
    labels = balanced_areas(col, row, w, 2)
    sums = np.bincount(labels, weights=w)
    assert sums.tolist() == [11.0, 11.0]
    assert labels.tolist() == balanced_areas(col, row, w, 2).tolist()  # deterministic


def test_balanced_areas_joins_detached_pieces():
    # a U-shaped town: a horizontal cut would leave one area in two arms
    cells = [(c, r) for r in range(6) for c in range(5) if not (r >= 2 and c in (1, 2, 3))]
    col, row = np.array(cells).T
    labels = balanced_areas(col, row, np.ones(len(cells)), 3)
    from scipy import ndimage
    for lab in np.unique(labels):
        raster = np.zeros((6, 5), bool)
        raster[row[labels == lab], col[labels == lab]] = True
        assert ndimage.label(raster)[1] == 1


def test_districts_only_plans_over_districts_and_counts_every_crime_once():
    ds = points_city()
    assert available_kinds(ds) == ["districts", "grid"]
    areas = build_patrol_areas(ds)
    assert areas.kind == "districts" and areas.unit == "district"
    assert areas.names == ["North-E", "North-W", "South-E", "South-W"]
    assert "covers the 4 districts its incidents name" in areas.describe()
    inputs = plan_inputs(ds, areas)
    assert crime_count(inputs.dataset.incidents) == crime_count(ds.incidents)
    by_area = crime_count(inputs.dataset.incidents, "beat")
    assert by_area.to_dict() == crime_count(ds.incidents, "district").to_dict()
    plan = plan_for(inputs, 8)
    assert set(plan.table["beat"]) == set(areas.names)
    assert plan.table.groupby("shift")["officers"].sum().tolist() == [8, 8, 8]


def test_no_beats_no_districts_draws_compact_balanced_areas():
    ds = points_city(districts=False)
    assert available_kinds(ds) == ["grid"]
    areas = build_patrol_areas(ds, n_areas=6)
    assert areas.kind == "grid" and len(areas.table) == 6
    assert areas.describe().startswith("This data names no beats or areas, so the plan covers "
                                       "6 patrol areas of similar workload")
    crimes = areas.table["crimes"]
    assert crimes.max() / crimes.mean() < 1.15 and crimes.min() / crimes.mean() > 0.85
    # one piece each, no overlaps, every located crime in exactly one area
    polys = areas.polygons.to_crs(areas.grid.crs)
    assert all(g.geom_type == "Polygon" for g in polys.geometry)
    assert polys.area.sum() == pytest.approx(shapely.union_all(polys.geometry).area, rel=1e-6)
    area = areas.assign(ds.incidents)
    assert (area != "").all()
    inputs = plan_inputs(ds, areas)
    assert crime_count(inputs.dataset.incidents) == crime_count(ds.incidents)
    # the workload is the last two years' crimes (all of them here), clipped at 0 per row
    assert crimes.sum() == pytest.approx(np.clip(ds.incidents["count"], 0, None).sum())
    default = build_patrol_areas(ds)
    assert len(default.table) == default_n_areas(np.clip(ds.incidents["count"], 0, None).sum())


def test_named_areas_without_polygons_and_unplaced_crimes_are_said():
    ds = points_city(districts=True, beats=True)
    inc = ds.incidents.copy()
    inc.loc[:99, "beat"] = ""           # 100 rows name no beat: still under the 20% limit
    inc.loc[:49, ["lat", "lon"]] = np.nan
    ds = Dataset("town", inc)
    areas = build_patrol_areas(ds)
    assert areas.kind == "named" and areas.polygons is None
    assert areas.table[["lat", "lon"]].notna().all().all()  # mapped at their crimes' middle
    inputs = plan_inputs(ds, areas)
    lost = np.abs(inc.loc[:99, "count"]).sum()
    assert any(f"{lost:,} of " in n and "are left out" in n for n in inputs.notes)
    assert crime_count(inputs.dataset.incidents) == crime_count(inc.iloc[100:])


def test_station_scope_over_districts_draws_areas_inside_the_station():
    ds = points_city()
    areas = build_patrol_areas(ds, station="South-W", n_areas=3)
    assert areas.kind == "grid" and areas.stations == ("South-W",)
    assert areas.describe().startswith("Station South-W has no beats in this data, so the plan "
                                       "covers 3 patrol areas of station South-W")
    inputs = plan_inputs(ds, areas)
    south_w = ds.incidents[ds.incidents["district"] == "South-W"]
    assert crime_count(inputs.dataset.incidents) == crime_count(south_w)
    assert set(inputs.dataset.incidents["district"]) == {"South-W"}
    with pytest.raises(ParameterError, match="'station' parameter"):
        build_patrol_areas(ds, station="Nowhere")


def test_station_scope_on_the_city_uses_its_beats_and_its_officers(city):
    ds = city.dataset
    areas = build_patrol_areas(ds, station="East")
    east = sorted(ds.beats.loc[ds.beats["district"] == "East", "beat"])
    assert areas.kind == "beats" and areas.names == east and len(east) == 10
    inputs = plan_inputs(ds, areas)
    assert set(inputs.dataset.incidents["beat"]) <= set(east)
    assert crime_count(inputs.dataset.incidents) == crime_count(
        ds.incidents[ds.incidents["beat"].isin(east)])
    officers = inputs.default_officers()
    logs = ds.patrols[ds.patrols["beat"].isin(east)]
    from crimekit.patrol.deployment import current_deployment, totals_per_shift
    assert officers == totals_per_shift(current_deployment(logs))
    assert 10 <= officers["night"] < officers["morning"] < 60  # East's strength, not the city's
    plan = plan_for(inputs, tuple(officers.values()), min_per_beat=1)
    assert sorted(plan.table["beat"].unique()) == east
    assert plan.table.groupby("shift")["officers"].sum().to_dict() == officers
    assert plan.total_risk == pytest.approx(plan.table["risk"].sum())
    whole = plan_for(plan_inputs(ds, build_patrol_areas(ds)), 300)
    east_risk = whole.table[whole.table["beat"].isin(east)]["risk"].sum()
    assert plan.total_risk == pytest.approx(east_risk, rel=0.1)  # the station's own share


def test_head_weights_count_heinous_crimes_more_and_say_so(city):
    ds = city.dataset
    areas = build_patrol_areas(ds, station="Central")
    plain = plan_inputs(ds, areas)
    heavy = plan_inputs(ds, areas, heads=HeadWeights(heinous=3.0))
    assert "The plan weighs every crime head, each crime counted once." in plain.notes
    assert any("heinous crimes (" in n and "count 3x" in n for n in heavy.notes)
    inc = plain.dataset.incidents
    base, weighted = plan_for(plain, 20).total_risk, plan_for(heavy, 20).total_risk
    share = inc.loc[inc["heinous"], "count"].sum() / inc["count"].sum()
    assert weighted / base == pytest.approx(1 + 2 * share, rel=0.1)
    only = plan_inputs(ds, areas, heads=HeadWeights(("Burglary",)))
    assert set(only.dataset.incidents["category"]) == {"Burglary"}
    assert "only Burglary (chosen on this page)" in only.notes[-1]
    with pytest.raises(ParameterError, match="'heinous' parameter"):
        HeadWeights(heinous=0)


def test_month_dated_data_is_planned_by_month_without_shifts():
    ds = points_city()
    inc = ds.incidents.assign(occurred_at=ds.incidents["occurred_at"].dt.to_period("M")
                              .dt.to_timestamp(), precision="month")
    ds = Dataset("monthly", conform_incidents(inc))
    inputs = plan_inputs(ds, build_patrol_areas(ds))
    assert inputs.freq == "M" and inputs.shifts == ("all day",)
    assert inputs.start == pd.Timestamp("2025-01-01")
    assert inputs.period_words() == "the month of January 2025"
    assert any(n.startswith("Dates are known only to the month") for n in inputs.notes)
    plan = plan_for(inputs, 6)
    assert list(plan.table["shift"].unique()) == ["all day"]
    assert plan.table["officers"].sum() == 6
    with pytest.raises(ParameterError, match="no times of day"):
        plan_for(inputs, (3, 2, 1))
    from crimekit.errors import PrecisionError
    from crimekit.patrol.risk import beat_shift_risk
    with pytest.raises(PrecisionError, match="known only to the month"):
        beat_shift_risk(inputs.dataset, freq="W")


def test_nothing_to_deploy_across_is_one_sentence():
    inc = conform_incidents(pd.DataFrame({"occurred_at": pd.date_range("2024-01-01", periods=9),
                                          "category": "Theft"}))
    with pytest.raises(UnusableInputError, match="nothing to deploy across"):
        build_patrol_areas(Dataset("bare", inc))


def test_area_only_calgary_counts_plan_over_the_communities(shared_data):
    from crimekit.ingest import ingest_files
    ds, _ = ingest_files([shared_data / "calgary_community_counts_sample.csv",
                          shared_data / "calgary_communities_sample.geojson"], name="cal")
    areas = build_patrol_areas(ds)
    assert areas.kind == "beats" and areas.unit == "community" and len(areas.table) == 5
    inputs = plan_inputs(ds, areas)
    assert inputs.freq == "M" and inputs.shifts == ("all day",)
    assert crime_count(inputs.dataset.incidents) == crime_count(ds.incidents) == 3936
    plan = plan_for(inputs, 5)
    assert sorted(plan.table["beat"]) == sorted(ds.beats["beat"].astype(str))
    assert plan.total_risk > 0
