"""Unlucky and hostile files at the ingest door (issue 11 items 5, 6, 11 and 12): each ends in
one sentence and exit code 2, or in the right stored values with a report line; never a
traceback. The command line is driven through ``crimekit.cli.main`` (its exit code), and what
was stored is read back from the store."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from conftest import run_page
from crimekit.cli import main
from crimekit.store import Store


def _ingest(tmp_path, capsys, *files, extra=()):
    code = main(["ingest", *map(str, files), "--store", str(tmp_path / "store"),
                 "--name", "t", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_sentence(err):
    text = err.strip()
    assert "Traceback" not in text and text.count("\n") == 0, text
    return text


# --- item 5: failures that used to be tracebacks --------------------------------------------------

def test_a_field_over_16_mb_skips_its_row_only(tmp_path, capsys):
    path = tmp_path / "f.csv"
    path.write_bytes(b"date,category,description\n2024-01-01,THEFT,ok\n2024-01-02,THEFT,"
                     + b"x" * 17_000_000 + b"\n2024-01-03,THEFT,ok\n")
    code, out, _ = _ingest(tmp_path, capsys, path)
    assert code == 0 and "a field of over 1,000,000 characters" in out and "Rows 3." in out
    assert len(Store(tmp_path / "store").load("t").incidents) == 2


def test_a_latitude_without_a_longitude_is_reported_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "f.csv"
    path.write_text("date,category,lat\n2024-01-01,THEFT,41.8\n2024-01-02,THEFT,41.9\n")
    code, out, _ = _ingest(tmp_path, capsys, path)
    assert code == 0 and "a lat column but no lon column" in out
    assert Store(tmp_path / "store").load("t").incidents["lat"].isna().all()


@pytest.mark.parametrize("content", [b"PK\x03\x04" + bytes(200), b"PK\x03\x04garbage" * 50])
def test_a_corrupt_workbook_is_one_sentence(tmp_path, capsys, content):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    code, _, err = _ingest(tmp_path, capsys, path)
    assert code == 2
    assert "broken.xlsx" in _one_sentence(err)


def test_a_truncated_parquet_file_is_one_sentence(tmp_path, capsys):
    buf = io.BytesIO()
    pd.DataFrame({"date": ["2024-01-01"] * 50, "category": ["THEFT"] * 50}).to_parquet(buf)
    path = tmp_path / "cut.parquet"
    path.write_bytes(buf.getvalue()[:-40])
    code, _, err = _ingest(tmp_path, capsys, path)
    assert code == 2 and "cut.parquet" in _one_sentence(err)


def test_a_parquet_list_column_is_kept_as_text(tmp_path, capsys):
    path = tmp_path / "lists.parquet"
    pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "category": ["THEFT", "ROBBERY"],
                  "tags": [["a", "b"], []]}).to_parquet(path)
    code, _, _ = _ingest(tmp_path, capsys, path)
    assert code == 0
    inc = Store(tmp_path / "store").load("t").incidents.sort_values("occurred_at")
    assert inc["tags"].tolist() == ['["a", "b"]', "[]"]


# --- item 6: polygons -----------------------------------------------------------------------------

def _square(x, y, d=0.01, close=True):
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d]]
    return ring + [[x, y]] if close else ring


def _features(*geoms):
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"beat": f"B{i}"}, "geometry": g}
        for i, g in enumerate(geoms)]})


def _incidents(tmp_path):
    path = tmp_path / "inc.csv"
    rng = np.random.default_rng(0)
    pd.DataFrame({"date": pd.date_range("2024-01-01", periods=60, freq="D").strftime("%Y-%m-%d"),
                  "category": "THEFT", "lat": 41.805 + rng.uniform(0, .02, 60),
                  "lon": -87.605 + rng.uniform(0, .02, 60)}).to_csv(path, index=False)
    return path


def test_point_geometries_are_not_beats(tmp_path, capsys):
    path = tmp_path / "points.geojson"
    path.write_text(_features({"type": "Point", "coordinates": [-87.6, 41.8]},
                              {"type": "Point", "coordinates": [-87.61, 41.81]}))
    code, out, _ = _ingest(tmp_path, capsys, _incidents(tmp_path), path)
    assert code == 0 and "points.geojson: skipped" in out  # the incidents are kept
    assert "points or lines, not area polygons" in out
    assert Store(tmp_path / "store").load("t").beats is None
    code, _, err = _ingest(tmp_path, capsys, path, extra=("--replace",))
    assert code == 2 and "points or lines, not area polygons" in _one_sentence(err)


def test_points_among_polygons_are_dropped_one_by_one_and_pages_open(tmp_path, capsys,
                                                                       monkeypatch):
    path = tmp_path / "beats.geojson"
    path.write_text(_features({"type": "Polygon", "coordinates": [_square(-87.61, 41.8)]},
                              {"type": "Point", "coordinates": [-87.6, 41.8]},
                              {"type": "Polygon", "coordinates": [_square(-87.6, 41.81)]}))
    code, out, _ = _ingest(tmp_path, capsys, _incidents(tmp_path), path)
    assert code == 0 and "a point or line, not an area" in out
    ds = Store(tmp_path / "store").load("t")
    assert sorted(ds.beats["beat"]) == ["B0", "B2"]
    monkeypatch.setenv("CRIMEKIT_STORE", str(tmp_path / "store"))
    for page in ("map", "patrol"):
        at = run_page(f"views/{page}.py", state={"dataset": "t"}, timeout=300)
        assert not at.exception, page


def test_an_unclosed_ring_costs_only_its_own_polygon_repair(tmp_path, capsys):
    path = tmp_path / "beats.geojson"
    path.write_text(_features({"type": "Polygon", "coordinates": [_square(-87.61, 41.8)]},
                              {"type": "Polygon", "coordinates": [_square(-87.6, 41.81,
                                                                          close=False)]},
                              {"type": "Polygon", "coordinates": [[[1, 2], [3]]]}))
    code, out, _ = _ingest(tmp_path, capsys, _incidents(tmp_path), path)
    assert code == 0
    assert "polygon ring not closed" in out and "ring closed" in out
    assert sorted(Store(tmp_path / "store").load("t").beats["beat"]) == ["B0", "B1"]


# --- item 11: Excel sheets ------------------------------------------------------------------------

def _workbook(path):
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"About this file": ["Exported by the records unit", "Do not share"]}) \
            .to_excel(xl, sheet_name="Notes", index=False)
        pd.DataFrame({"Date": pd.to_datetime(["2024-01-05 10:00", "2024-01-06 11:30"]),
                      "Crime Type": ["THEFT", "ROBBERY"], "Latitude": [12.97, 12.98],
                      "Longitude": [77.59, 77.6]}).to_excel(xl, sheet_name="Data", index=False)
        pd.DataFrame({"Date": ["2023-12-01"], "Crime Type": ["FRAUD"]}).to_excel(
            xl, sheet_name="Old", index=False)


def test_a_data_sheet_after_a_notes_sheet_is_found(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    _workbook(path)
    code, out, _ = _ingest(tmp_path, capsys, path)
    assert code == 0 and "read sheet 'Data' of 3" in out
    inc = Store(tmp_path / "store").load("t").incidents.sort_values("occurred_at")
    assert inc["category"].tolist() == ["THEFT", "ROBBERY"]
    assert inc["occurred_at"].iloc[1] == pd.Timestamp("2024-01-06 11:30")


def test_the_sheet_can_be_chosen_and_a_wrong_name_lists_the_sheets(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    _workbook(path)
    code, _, _ = _ingest(tmp_path, capsys, path, extra=("--sheet", "Old"))
    assert code == 0
    assert Store(tmp_path / "store").load("t").incidents["category"].tolist() == ["FRAUD"]
    code, _, err = _ingest(tmp_path, capsys, path, extra=("--sheet", "Nope", "--replace"))
    assert code == 2 and "'Notes', 'Data', 'Old'" in _one_sentence(err)


def test_excel_serial_numbers_are_dates(tmp_path, capsys):
    path = tmp_path / "serial.xlsx"
    pd.DataFrame({"Date": [45306, 45307.25], "Offence": ["THEFT", "THEFT"]}).to_excel(
        path, index=False)
    code, out, _ = _ingest(tmp_path, capsys, path)
    assert code == 0 and "Excel day numbers" in out
    inc = Store(tmp_path / "store").load("t").incidents.sort_values("occurred_at")
    assert inc["occurred_at"].tolist() == [pd.Timestamp("2024-01-15"),  # Excel's day 45306
                                           pd.Timestamp("2024-01-16 06:00")]


# --- item 12: messages that help -------------------------------------------------------------------

def test_a_second_category_column_is_named(tmp_path, capsys):
    path = tmp_path / "f.csv"
    path.write_text("date,Primary Type,Crime Type\n2024-01-01,THEFT,Bike\n")
    code, out, _ = _ingest(tmp_path, capsys, path)
    assert code == 0 and "'Crime Type' also looks like the category field" in out


def test_nul_bytes_inside_a_category_are_removed_and_reported(tmp_path, capsys):
    path = tmp_path / "f.csv"
    path.write_bytes(b"date,category\n2024-01-01,THE\x00FT\n2024-01-02,THEFT\n")
    code, out, _ = _ingest(tmp_path, capsys, path)
    assert code == 0 and "NUL characters" in out
    assert set(Store(tmp_path / "store").load("t").incidents["category"]) == {"THEFT"}


def test_coordinates_with_degree_signs_and_hemispheres(tmp_path, capsys):
    path = tmp_path / "f.csv"
    path.write_text("date,category,latitude,longitude\n2024-01-01,THEFT,12.61° N,77.59° E\n"
                    "2024-01-02,THEFT,33.45° S,70.66° W\n")
    code, _, _ = _ingest(tmp_path, capsys, path)
    inc = Store(tmp_path / "store").load("t").incidents.sort_values("occurred_at")
    assert code == 0 and inc["lat"].tolist() == [12.61, -33.45]
    assert inc["lon"].tolist() == [77.59, -70.66]


def test_max_mb_speaks_the_unit_it_was_given(tmp_path, capsys):
    path = tmp_path / "big.csv"
    path.write_bytes(b"date,category\n" + b"2024-01-01,THEFT\n" * 200_000)  # 3.4 MB
    code, _, err = _ingest(tmp_path, capsys, path, extra=("--max-mb", "2"))
    text = _one_sentence(err)
    assert code == 2 and "2 MB" in text and "max_bytes" not in text


def test_many_files_one_unusable_is_skipped_with_exit_0(tmp_path, capsys):
    good = tmp_path / "jan.csv"
    good.write_text("date,category\n2024-01-01,THEFT\n")
    bad = tmp_path / "feb.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    code, out, _ = _ingest(tmp_path, capsys, good, bad)
    assert code == 0 and "feb.csv: skipped" in out
    assert len(Store(tmp_path / "store").load("t").incidents) == 1
    code, _, err = _ingest(tmp_path, capsys, bad, extra=("--replace",))
    assert code == 2 and "PNG image" in _one_sentence(err)
