"""Real public samples in ../shared/data (skipped when absent, e.g. in a fresh clone)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crimekit.ingest import read_table

DATA = Path(__file__).parents[1].parent / "shared" / "data"
TODAY = "2025-06-01"


def _read(name, **kw):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return read_table(path, today=TODAY, **kw)


def _problem(report, text):
    p = report.problems
    return p[p["problem"].str.contains(text, regex=False)]


def test_chicago_homicides():
    r = _read("chicago_homicides_sample.csv")
    inc = r.incidents
    assert r.preset == "chicago" and len(inc) == 2000
    assert set(inc["category"]) == {"HOMICIDE"}
    assert inc["occurred_at"].min() == pd.Timestamp("2001-01-06 23:38")
    assert inc["occurred_at"].max().year == 2024
    located = inc.dropna(subset=["lat"])
    assert located["lat"].between(41.6, 42.1).all() and located["lon"].between(-88, -87.5).all()
    far = _problem(r.report, "more than 100 km")
    assert far["rows"].iloc[0] == 8  # the real file has a few rows placed in Missouri


def test_chicago_beats():
    r = _read("chicago_police_beats.geojson")
    assert r.kind == "beats" and len(r.beats) == 277
    assert "111" in set(r.beats["beat"])  # BEAT_NUM "0111" -> "111", as the crimes' Beat


def test_ksp_fir():
    r = _read("ksp_fir_one_station.csv")
    inc = r.incidents
    assert r.preset == "ksp" and len(inc) == 519
    zero = _problem(r.report, "0,0")
    assert zero["rows"].iloc[0] == 452 and zero["examples"].iloc[0][0] == 2
    assert inc["lat"].notna().sum() == 519 - 452
    assert inc["occurred_at"].max() <= pd.Timestamp("2024-12-31")
    assert inc["category_group"].ne("").all() and inc["heinous"].any()
    assert {"victim_count", "accused_count"} <= set(inc.columns)


def test_lapd():
    r = _read("lapd_sample.csv")
    inc, per = r.incidents, r.persons
    assert len(inc) == 1000 and inc["occurred_at"].dt.year.between(2020, 2024).all()
    assert _problem(r.report, "0,0")["rows"].iloc[0] == 1
    assert inc["lat"].dropna().between(33.3, 34.9).all()
    assert 700 < len(per) < 1000 and set(per["role"]) == {"victim"}


def test_nypd():
    r = _read("nypd_shootings_sample.csv")
    inc, per = r.incidents, r.persons
    assert len(inc) == 2000 - 73 and r.report.rows_kept == 2000
    assert inc["occurred_at"].min().year == 2006 and inc["occurred_at"].max().year == 2018
    assert inc["lat"].notna().all() and inc["lat"].between(40.4, 41).all()
    assert (per["role"] == "victim").sum() == 2000
    assert 0 < (per["role"] == "accused").sum() < 2000
    assert inc["heinous"].sum() > 0


def test_medellin():
    r = _read("medellin_homicides_sample.csv")
    inc = r.incidents
    assert len(inc) == 500 and set(inc["category"]) == {"HOMICIDIO"}
    assert inc["lat"].median() == pytest.approx(6.25, abs=0.05)
    assert inc["lon"].median() == pytest.approx(-75.57, abs=0.05)
    assert len(r.persons) == 500


def test_vancouver():
    r = _read("vancouver_thefts_sample.csv")
    inc = r.incidents
    assert len(inc) == 1000 and (inc["occurred_at"].dt.year == 2020).all()
    assert inc["lat"].median() == pytest.approx(49.27, abs=0.05)
    assert inc["lon"].median() == pytest.approx(-123.1, abs=0.05)
    assert np.nanmax(np.abs(inc["lat"] - 49.25)) < 0.2


def test_police_uk_street_month_precision_and_asb_rows():
    r = _read("uk_police_street_sample.csv")
    inc = r.incidents
    assert r.preset == "police_uk" and len(inc) == 400 and r.report.crimes == 400
    assert (inc["occurred_at"] == pd.Timestamp("2022-03-01")).all()
    assert set(inc["precision"].astype(str)) == {"month"}
    assert (r.report.first, r.report.last, r.report.precision) == ("2022-03", "2022-03", "month")
    asb = inc["category"] == "Anti-social behaviour"
    assert inc.loc[asb, "incident_id"].str.startswith("uk_police_street_sample:").all()
    assert inc["lat"].between(54, 55.2).all() and inc["beat"].str.startswith("E0").all()
    assert inc["address"].str.startswith("On or near").all()
    # identical ASB rows (same place, month, type, no id) are kept, with a note, not dropped
    assert _problem(r.report, "identical to an earlier row")["rows"].iloc[0] == 4


def test_st_louis_counts_reversals_and_state_plane():
    r = _read("stlouis_slmpd_sample.csv")
    inc = r.incidents
    assert r.preset == "stlouis" and len(inc) == 396
    assert inc["count"].sum() == 354 == r.report.crimes  # 375 crimes, 21 reversals
    assert (inc["count"] == -1).sum() == 21
    assert inc["occurred_at"].min() == pd.Timestamp("1997-01-01 00:01")
    assert inc["occurred_at"].max() == pd.Timestamp("2015-10-31 23:50") or \
        inc["occurred_at"].max().strftime("%Y-%m") == "2015-10"
    located = inc.dropna(subset=["lat"])
    assert len(located) == 369 and located["lat"].between(38.5, 38.8).all()
    assert located["lon"].between(-90.35, -90.15).all()
    assert any("stragglers" not in n and "long before the rest" in n for n in r.report.notes)
    assert "COTE BRILLIANTE AVE / N EUCLID" in set(inc["address"])


def test_calgary_counts_joined_to_community_polygons():
    from crimekit.ingest import ingest_files
    counts, polys = DATA / "calgary_community_counts_sample.csv", \
        DATA / "calgary_communities_sample.geojson"
    if not counts.exists():
        pytest.skip("samples not available")
    ds, reports = ingest_files([counts, polys], today=TODAY)
    inc = ds.incidents
    raw = pd.read_csv(counts)
    assert len(inc) == 400 and inc["count"].sum() == raw["Crime Count"].sum()
    assert ds.precision == "month" and ds.meta["area_unit"] == "community"
    assert set(inc["beat"]) <= set(ds.beats["beat"])  # every community matched, '01B' included
    assert "01B" in set(inc["beat"])
    assert ds.meta["located"] == 1.0
    # the non-breaking space in one category is read as a space: one category, not two
    assert not inc["category"].str.contains("\u00a0").any()
    assert inc.groupby("category")["count"].sum().sum() == raw["Crime Count"].sum()
    assert (inc["occurred_at"].dt.day == 1).all()
