"""Each preset on a small hand-written file in its format (tests/fixtures/ingest/)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crimekit.ingest import ingest_files, propose_mapping, read_raw, read_table

FIX = Path(__file__).parent / "fixtures" / "ingest"
TODAY = "2025-01-01"


def test_chicago_projected_xy_fills_missing_latlon():
    r = read_table(FIX / "chicago.csv", today=TODAY)
    assert (r.kind, r.preset) == ("incidents", "chicago")
    inc = r.incidents
    assert len(inc) == 3 and set(inc["category"]) == {"HOMICIDE"}
    assert inc["occurred_at"].iloc[0] == pd.Timestamp("2006-01-01 13:20")
    # row 3 had no lat/lon: converted from X/Y (EPSG:3435 feet) to within ~50 m of the truth
    assert inc["lat"].iloc[1] == pytest.approx(41.8381, abs=5e-4)
    assert inc["lon"].iloc[1] == pytest.approx(-87.7122, abs=5e-4)
    assert inc["beat"].tolist() == ["725", "1032", "735"]  # leading zero normalised
    assert inc["arrest"].tolist() == [True, False, True] and inc["heinous"].all()
    assert "Case Number" in inc.columns  # extra source columns kept


def test_lapd_time_hhmm_victims_and_zero_coords():
    r = read_table(FIX / "lapd.csv", today=TODAY)
    inc, per = r.incidents, r.persons
    assert r.preset == "lapd"
    assert inc["occurred_at"].tolist() == [pd.Timestamp("2023-05-27 12:00"),
                                           pd.Timestamp("2020-02-21 00:05"),
                                           pd.Timestamp("2020-12-23 19:30")]
    assert inc["district"].iloc[2] == "77th Street" and inc["arrest"].tolist() == [False, False, True]
    assert np.isnan(inc["lat"].iloc[2])  # 0,0 means missing
    probs = r.report.problems
    assert probs["problem"].str.contains("0,0").any()
    assert probs.loc[probs["problem"].str.contains("0,0"), "examples"].iloc[0] == [4]
    # the age-0/sex-X victim is a business: no person row
    assert len(per) == 2 and set(per["role"]) == {"victim"}
    assert sorted(per["age"]) == [65, 72] and set(per["sex"]) == {"M", "F"}
    assert set(per["descent"]) == {"B"}


def test_nypd_victims_perpetrators_age_groups():
    r = read_table(FIX / "nypd.csv", today=TODAY)
    inc, per = r.incidents, r.persons
    assert len(inc) == 2 and set(inc["category"]) == {"SHOOTING"}
    assert inc.set_index("incident_id").loc["80541204", "heinous"]
    assert inc["occurred_at"].iloc[0] == pd.Timestamp("2011-08-31 19:18")
    # second incident has no lat/lon: from X/Y in EPSG:2263, with a thousands comma
    assert inc["lat"].iloc[1] == pytest.approx(40.8231, abs=1e-3)
    victims = per[per["role"] == "victim"]
    accused = per[per["role"] == "accused"]
    assert len(victims) == 3 and len(accused) == 1  # perp repeated on 2 rows counted once
    assert sorted(victims["age_group"]) == ["25-44", "65+", "<18"]
    assert accused["age"].iloc[0] == 21 and accused["age_group"].iloc[0] == "18-24"
    assert r.report.rows_kept == 3


def test_ksp_fir_tab_header_fallback_date_zero_coords():
    r = read_table(FIX / "ksp_fir.csv", today=TODAY)
    inc = r.incidents
    assert r.preset == "ksp"
    assert inc["incident_id"].iloc[0] == "Yadgir/Narayanapura PS/0001/2016"
    assert inc["heinous"].tolist() == [False, True, False]
    assert inc["category_group"].iloc[1] == "MURDER"
    # row 3 has no offence date: the FIR registration time is used and reported
    assert inc["occurred_at"].iloc[1] == pd.Timestamp("2016-01-14 05:00")
    assert r.report.problems["problem"].str.contains("offence date missing").any()
    assert np.isnan(inc["lat"].iloc[0])  # 0,0 is missing
    assert inc["victim_count"].tolist() == [0, 1, 1] and inc["arrest"].tolist() == [True, False, False]
    assert "FIR_ID" in inc.columns


def test_ksp_accused_links_to_fir_and_drops_names():
    ds, reports = ingest_files([FIX / "ksp_fir.csv", FIX / "ksp_accused.csv"], today=TODAY)
    per = ds.persons
    assert reports[1].kind == "persons" and reports[1].preset == "ksp_persons"
    assert set(per["role"]) == {"accused"} and len(per) == 3
    assert set(per["incident_id"]) <= set(ds.incidents["incident_id"])
    assert per["name"].eq("").all() and "AccusedName" not in per.columns  # names not kept
    assert per["occupation"].iloc[0] == "Driver" and per["sex"].tolist() == ["M", "M", "F"]
    assert np.isnan(per["age"].iloc[1])  # 0 = unknown


def test_medellin_semicolon_decimal_comma_victims():
    r = read_table(FIX / "medellin.csv", today=TODAY)
    inc = r.incidents
    assert r.preset == "medellin" and set(inc["category"]) == {"HOMICIDIO"}
    assert inc["lat"].iloc[0] == pytest.approx(6.2572, abs=1e-4)
    assert inc["lon"].iloc[0] == pytest.approx(-75.5699, abs=1e-4)
    assert inc["description"].iloc[1] == "Arma de fuego"
    assert inc["occurred_at"].iloc[0] == pd.Timestamp("2019-04-23 12:30")
    assert r.persons["sex"].tolist() == ["F", "M", "M"]


def test_vancouver_date_parts_and_utm():
    r = read_table(FIX / "vancouver.csv", today=TODAY)
    inc = r.incidents
    assert inc["occurred_at"].iloc[0] == pd.Timestamp("2020-08-12 15:30")
    assert inc["lat"].between(49.2, 49.3).all() and inc["lon"].between(-123.2, -123.0).all()


def test_generic_synonyms_date_plus_time():
    raw = read_raw(FIX / "generic.csv")
    preset, mapping = propose_mapping(raw.df)
    assert preset == "generic"
    assert mapping["When"] == "date" and mapping["Time"] == "time"
    assert mapping["Offense"] == "category" and mapping["Lng"] == "lon"
    assert mapping["Sector"] == "beat" and mapping["Precinct"] == "district"
    r = read_table(FIX / "generic.csv", today=TODAY)
    assert r.incidents["occurred_at"].iloc[1] == pd.Timestamp("2023-03-02 23:40")
    assert r.incidents["property_value"].iloc[0] == 1200


def test_mapping_override_and_format_choice():
    r = read_table(FIX / "generic.csv", mapping={"Sector": "district", "Precinct": "ignore"},
                   today=TODAY)
    assert r.incidents["district"].tolist() == ["S1", "S2", "S1"]
    assert r.incidents["beat"].eq("").all()
    r2 = read_table(FIX / "chicago.csv", format="generic", today=TODAY)
    assert r2.preset == "generic" and len(r2.incidents) == 3


def test_crimekit_canonical_files_make_one_dataset():
    files = [FIX / n for n in ("incidents.csv", "persons.csv", "patrols.csv", "pois.csv",
                               "beats.geojson")]
    ds, reports = ingest_files(files, name="city", today=TODAY)
    assert [r.kind for r in reports] == ["incidents", "persons", "patrols", "pois", "beats"]
    assert ds.name == "city" and len(ds.incidents) == 2 and len(ds.persons) == 2
    assert ds.incidents["heinous"].tolist() == [False, True]
    assert ds.patrols["officers"].tolist() == [2, 1] and len(ds.pois) == 2
    assert ds.beats.crs.to_epsg() == 4326 and ds.beats["beat"].tolist() == ["B01", "B02"]
    assert [s[0] for s in ds.meta["sources"]] == [f.name for f in files]
    assert all(len(s[1]) == 64 for s in ds.meta["sources"])


def test_excel_and_parquet(tmp_path):
    df = pd.read_csv(FIX / "generic.csv", dtype=str)
    df.to_excel(tmp_path / "g.xlsx", index=False)
    df.to_parquet(tmp_path / "g.parquet")
    for name in ("g.xlsx", "g.parquet"):
        r = read_table(tmp_path / name, today=TODAY)
        assert len(r.incidents) == 3 and r.incidents["category"].iloc[2] == "Vehicle Theft"


def test_zipped_shapefile_beats(tmp_path):
    import geopandas as gpd
    gdf = gpd.read_file(FIX / "beats.geojson").to_crs("EPSG:32643")
    gdf.to_file(tmp_path / "beats.shp")
    import zipfile
    with zipfile.ZipFile(tmp_path / "beats.zip", "w") as zf:
        for p in tmp_path.glob("beats.*"):
            if p.suffix != ".zip":
                zf.write(p, p.name)
    r = read_table(tmp_path / "beats.zip")
    assert r.kind == "beats" and r.beats.crs.to_epsg() == 4326
    assert r.beats.total_bounds[0] == pytest.approx(77.58, abs=1e-3)
