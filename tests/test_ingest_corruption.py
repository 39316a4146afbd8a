"""No silent corruption (issue 10): each case stores the right values or says why it did not.

Every test imports into a store and reads the stored dataset back, so what is checked is what
every page and command will see.
"""

import json

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from crimekit.ingest import import_into_store, read_table
from crimekit.store import Store

TODAY = "2025-06-01"


def _stored(tmp_path, paths, **kw):
    store = Store(tmp_path / "store")
    name, _, reports = import_into_store([tmp_path / p for p in paths], store, name="t",
                                         today=TODAY, **kw)
    return store.load(name), reports


def _problems(reports, text):
    p = pd.concat([r.problems for r in reports])
    return p[p["problem"].str.contains(text, regex=False)]


def test_one_stray_byte_does_not_turn_the_file_into_mojibake(tmp_path):
    rows = ["id,date,category,description", "1,2024-01-05,Robo,Peña Ñuñoa",
            "2,2024-01-06,Robo,José María", "3,2024-01-07,Robo,São Paulo"]
    data = "\n".join(rows).encode("utf-8") + b"\n4,2024-01-08,Robo,Caf\xe9 Central\n"
    (tmp_path / "f.csv").write_bytes(data)
    ds, reports = _stored(tmp_path, ["f.csv"])
    desc = ds.incidents.sort_values("incident_id")["description"].tolist()
    assert desc == ["Peña Ñuñoa", "José María", "São Paulo", "Café Central"]
    bad = _problems(reports, "not UTF-8")
    assert bad["rows"].iloc[0] == 1 and bad["examples"].iloc[0] == [5]


def test_day_month_order_ambiguous_is_reported_and_choosable(tmp_path):
    (tmp_path / "f.csv").write_text("date,category\n01/02/2024,THEFT\n03/04/2024,THEFT\n"
                                    "05/02/2024,THEFT\n")
    r = read_table(tmp_path / "f.csv", today=TODAY)
    ambiguous = r.report.problems[r.report.problems["problem"].str.contains("ambiguous")]
    assert len(ambiguous) == 1 and "other day/month order" in ambiguous["advice"].iloc[0]
    first = read_table(tmp_path / "f.csv", today=TODAY, date_order="dayfirst")
    assert first.incidents["occurred_at"].iloc[0] == pd.Timestamp("2024-02-01")
    assert not first.report.problems["problem"].str.contains("ambiguous").any()
    month = read_table(tmp_path / "f.csv", today=TODAY, date_order="monthfirst")
    assert month.incidents["occurred_at"].iloc[0] == pd.Timestamp("2024-01-02")


def test_day_month_order_decided_by_any_value_above_12_anywhere_in_the_column(tmp_path):
    lines = [f"{d:02d}/{m:02d}/2024,THEFT" for m in (1, 2) for d in range(1, 13)]
    lines.append("25/02/2024,THEFT")  # the only value that decides, at the end
    (tmp_path / "f.csv").write_text("date,category\n" + "\n".join(lines) + "\n")
    ds, _ = _stored(tmp_path, ["f.csv"])
    when = ds.incidents["occurred_at"]
    assert when.min() == pd.Timestamp("2024-01-01") and when.max() == pd.Timestamp("2024-02-25")
    assert (when.dt.month <= 2).all()


def test_day_month_order_decided_by_the_order_of_sorted_rows(tmp_path):
    days = pd.date_range("2024-01-01", "2024-03-12")
    lines = [f"{d:%d/%m/%Y},THEFT" for d in days if d.day <= 12]
    (tmp_path / "f.csv").write_text("date,category\n" + "\n".join(lines) + "\n")
    ds, reports = _stored(tmp_path, ["f.csv"])
    assert ds.incidents["occurred_at"].max() == pd.Timestamp("2024-03-12")
    assert any("the order of the rows" in n for n in reports[0].notes)


def test_swapped_latitude_longitude_columns_are_put_back(tmp_path):
    rng = np.random.default_rng(0)
    lat, lon = 12.97 + rng.normal(0, .01, 8), 77.59 + rng.normal(0, .01, 8)
    df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=8).strftime("%Y-%m-%d"),
                       "category": "THEFT", "latitude": lon, "longitude": lat})
    df.to_csv(tmp_path / "f.csv", index=False)
    ds, reports = _stored(tmp_path, ["f.csv"])
    assert ds.incidents["lat"].between(12.9, 13.1).all()
    assert ds.incidents["lon"].between(77.5, 77.7).all()
    assert any("the other way round" in n for n in reports[0].notes)


def test_single_rows_with_swapped_coordinates_are_put_back(tmp_path):
    rng = np.random.default_rng(1)
    lat, lon = 41.88 + rng.normal(0, .02, 20), -87.63 + rng.normal(0, .02, 20)
    lat[3], lon[3] = lon[3], lat[3]
    df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=20).strftime("%Y-%m-%d"),
                       "category": "THEFT", "lat": lat, "lon": lon})
    df.to_csv(tmp_path / "f.csv", index=False)
    ds, reports = _stored(tmp_path, ["f.csv"])
    assert ds.incidents["lat"].between(41.8, 42).all()  # row 5 put back, not dropped
    assert _problems(reports, "swapped")["examples"].iloc[0] == [5]


def test_latitude_longitude_found_beside_canonical_columns(tmp_path):
    pd.DataFrame({"incident_id": ["a", "b"], "occurred_at": ["2024-01-01 10:00"] * 2,
                  "category": ["THEFT"] * 2, "Latitude": [41.88, 41.89],
                  "Longitude": [-87.63, -87.64]}).to_csv(tmp_path / "f.csv", index=False)
    ds, _ = _stored(tmp_path, ["f.csv"])
    assert ds.incidents["lat"].tolist() == [41.88, 41.89]


def test_projected_xy_with_given_crs_beside_canonical_columns(tmp_path):
    pd.DataFrame({"incident_id": ["a", "b"], "occurred_at": ["2024-01-01 10:00"] * 2,
                  "category": ["THEFT"] * 2, "X": [491000.0, 492000.0],
                  "Y": [5458000.0, 5459000.0]}).to_csv(tmp_path / "f.csv", index=False)
    ds, _ = _stored(tmp_path, ["f.csv"], crs="EPSG:32610")
    assert ds.incidents["lat"].round(2).tolist() == [49.27, 49.28]
    assert ds.incidents["lon"].round(2).tolist() == [-123.12, -123.11]


def test_projected_xy_without_crs_found_from_area_polygons(tmp_path):
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32618", always_xy=True)
    rng = np.random.default_rng(2)
    lon, lat = -75.57 + rng.normal(0, .005, 30), 6.25 + rng.normal(0, .005, 30)
    x, y = to_utm.transform(lon, lat)
    pd.DataFrame({"date": pd.date_range("2024-01-01", periods=30).strftime("%Y-%m-%d"),
                  "category": "THEFT", "x": x, "y": y}).to_csv(tmp_path / "f.csv", index=False)
    square = [[[-75.62, 6.20], [-75.52, 6.20], [-75.52, 6.30], [-75.62, 6.30],
               [-75.62, 6.20]]]
    (tmp_path / "areas.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "La Candelaria"},
         "geometry": {"type": "Polygon", "coordinates": square}}]}))
    unplaced = read_table(tmp_path / "f.csv", today=TODAY)
    assert unplaced.incidents["lat"].isna().all()
    assert "unknown system" in unplaced.report.problems["problem"].iloc[0]
    ds, reports = _stored(tmp_path, ["f.csv", "areas.geojson"])
    assert np.allclose(ds.incidents["lat"], lat, atol=1e-4)
    assert any("UTM zone 18N" in n for n in reports[0].notes)


def test_projected_geojson_without_crs_member_is_not_read_as_degrees(tmp_path):
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32610", always_xy=True)
    feats = []
    for i, (lon, lat) in enumerate([(-123.12, 49.28), (-123.10, 49.26)]):
        x, y = to_utm.transform(lon, lat)
        ring = [[x - 900, y - 1200], [x + 900, y - 1200], [x + 900, y + 1200],
                [x - 900, y + 1200], [x - 900, y - 1200]]
        feats.append({"type": "Feature", "properties": {"name": f"N{i}"},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    (tmp_path / "areas.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                        "features": feats}))
    rng = np.random.default_rng(3)
    pd.DataFrame({"date": pd.date_range("2024-01-01", periods=30).strftime("%Y-%m-%d"),
                  "category": "THEFT", "lat": 49.27 + rng.normal(0, .006, 30),
                  "lon": -123.11 + rng.normal(0, .006, 30)}).to_csv(tmp_path / "f.csv",
                                                                   index=False)
    ds, _ = _stored(tmp_path, ["f.csv", "areas.geojson"])
    minx, miny, maxx, maxy = ds.beats.total_bounds
    assert -123.2 < minx < maxx < -123.0 and 49.2 < miny < maxy < 49.35
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "areas.geojson").write_text((tmp_path / "areas.geojson").read_text())
    from crimekit.errors import UnusableInputError
    with pytest.raises(UnusableInputError, match="not degrees.*coordinate system"):
        _stored(alone, ["areas.geojson"])


def test_placeholder_dates_and_far_past_stragglers_are_reported(tmp_path):
    days = pd.date_range("2020-01-01", "2021-12-31", freq="6h")
    lines = [f"{d:%Y-%m-%d %H:%M},THEFT" for d in days]
    lines += ["1900-01-01 00:00,THEFT"] * 3 + ["1970-01-01 00:00,THEFT"] * 40
    lines += ["1966-05-02 10:00,THEFT", "1985-07-01 10:00,THEFT"]
    (tmp_path / "f.csv").write_text("date,category\n" + "\n".join(lines) + "\n")
    ds, reports = _stored(tmp_path, ["f.csv"])
    when = ds.incidents["occurred_at"]
    assert (when.dt.year == 1970).sum() == 0 and (when.dt.year == 1900).sum() == 0
    assert _problems(reports, "placeholder")["rows"].iloc[0] == 40
    assert _problems(reports, "before 1960")["rows"].iloc[0] == 3
    assert when.min() == pd.Timestamp("1966-05-02 10:00")  # kept, but reported
    assert any("long before the rest" in n and "January 2020" in n for n in reports[0].notes)
    from crimekit.recording import recording_start
    assert recording_start(ds.incidents).start == pd.Timestamp("2020-01-01")


def test_nul_bytes_and_non_breaking_spaces_are_cleaned_with_a_note(tmp_path):
    data = "date,category\n2024-01-01,Theft\u00a0of bike\n2024-01-02,Theft of bike\n"
    (tmp_path / "f.csv").write_bytes(data.encode() + b"2024-01-03,Thef\x00t of bike\n")
    ds, reports = _stored(tmp_path, ["f.csv"])
    assert set(ds.incidents["category"]) == {"Theft of bike"}
    assert _problems(reports, "NUL")["examples"].iloc[0] == [4]
    assert _problems(reports, "non-breaking")["rows"].iloc[0] == 1


def test_excel_serial_dates_and_degree_strings(tmp_path):
    (tmp_path / "f.csv").write_text('date,category,lat,lon\n45123,THEFT,12.61° N,77.59° E\n'
                                    '45124.5,THEFT,12.62° N,77.6° E\n')
    ds, reports = _stored(tmp_path, ["f.csv"])
    inc = ds.incidents.sort_values("occurred_at")
    assert inc["occurred_at"].tolist() == [pd.Timestamp("2023-07-16"),
                                           pd.Timestamp("2023-07-17 12:00")]
    assert inc["lat"].tolist() == [12.61, 12.62] and inc["lon"].tolist() == [77.59, 77.6]
    assert any("Excel day numbers" in n for n in reports[0].notes)


def test_second_category_column_is_named_in_a_note(tmp_path):
    (tmp_path / "f.csv").write_text("date,Primary Type,Crime Type\n2024-01-01,THEFT,Bike\n")
    r = read_table(tmp_path / "f.csv", today=TODAY)
    assert any("'Crime Type' also looks like the category" in n for n in r.report.notes)


def test_midnight_only_times_are_dates_without_a_time(tmp_path):
    lines = [f"2024-01-{d:02d} 00:00:00,THEFT" for d in range(1, 21)]
    (tmp_path / "f.csv").write_text("date,category\n" + "\n".join(lines) + "\n")
    ds, _ = _stored(tmp_path, ["f.csv"])
    assert ds.precision == "day"
