"""Bad inputs: every problem is reported with its column, rows and advice; good rows survive."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.ingest import read_table

TODAY = "2025-01-01"
HEADER = "id,date,type,lat,lon\n"
GOOD = ["1,2024-01-01 10:00,THEFT,12.97,77.59", "2,2024-01-02 11:00,ROBBERY,12.98,77.60",
        "3,2024-01-03 12:00,THEFT,12.96,77.58", "4,2024-01-04 13:00,BURGLARY,12.99,77.61",
        "5,2024-01-05 14:00,THEFT,12.95,77.57"]


def _write(tmp_path, lines, name="f.csv", encoding="utf-8", header=HEADER):
    path = tmp_path / name
    path.write_bytes((header + "\n".join(lines) + "\n").encode(encoding))
    return path


def _problem(result, text):
    p = result.report.problems
    hits = p[p["problem"].str.contains(text, regex=False)]
    assert len(hits), f"no problem containing {text!r} in\n{result.report.to_text()}"
    return hits.iloc[0]


def test_ragged_rows_are_skipped_and_named(tmp_path):
    r = read_table(_write(tmp_path, GOOD[:2] + ["9,2024-01-09,THEFT"] + GOOD[2:]), today=TODAY)
    p = _problem(r, "wrong number of fields")
    assert p["examples"] == [4] and "delimiter" in p["advice"]
    assert len(r.incidents) == 5 and r.report.rows_read == 6


def test_unbalanced_quote_costs_only_its_row(tmp_path):
    lines = GOOD[:2] + ['9,2024-01-09,"THEFT,12.9,77.5'] + GOOD[2:]
    r = read_table(_write(tmp_path, lines), today=TODAY)
    p = _problem(r, "unbalanced quote")
    assert p["examples"] == [4]
    assert sorted(r.incidents["incident_id"]) == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8-sig", "latin-1"])
def test_encodings(tmp_path, encoding):
    text = "Daño criminal café" if encoding == "latin-1" else "Daño criminal – café"
    lines = GOOD[:4] + [f"6,2024-01-06 10:00,{text},12.97,77.59"]
    r = read_table(_write(tmp_path, lines, encoding=encoding), today=TODAY)
    assert r.incidents["category"].iloc[-1] == text
    assert r.incidents["category"].iloc[0] == "THEFT"


@pytest.mark.parametrize("delim", [";", "\t", "|"])
def test_delimiters(tmp_path, delim):
    text = [ln.replace(",", delim) for ln in [HEADER.strip()] + GOOD]
    path = tmp_path / "d.txt"
    path.write_text("\n".join(text) + "\n")
    assert len(read_table(path, today=TODAY).incidents) == 5


def test_no_date_column_is_fatal_and_says_what_to_do(tmp_path):
    path = _write(tmp_path, ["1,THEFT,1,2"], header="id,type,a,b\n")
    with pytest.raises(UnusableInputError, match=r"f\.csv: no date column.*occurred_at"):
        read_table(path)


def test_no_category_column_imports_under_a_label_with_a_note(tmp_path):
    """A single-offence file (issue 10) is imported under a label, never refused."""
    path = tmp_path / "aggravated_assaults_2019.csv"
    path.write_text("date,loc_cat,longitude,latitude,district\n"
                    "2019-01-05 10:00,street,-87.6,41.8,3\n2019-01-06 11:00,home,-87.61,41.81,3\n")
    r = read_table(path, today=TODAY)
    assert r.incidents["category"].tolist() == ["Aggravated assaults"] * 2
    assert any("no crime type column" in n and "from the file name" in n for n in r.report.notes)
    assert r.incidents["premises"].tolist() == ["street", "home"]
    assert r.incidents["lat"].round(2).tolist() == [41.8, 41.81]
    labelled = read_table(path, today=TODAY, label="Aggravated assault")
    assert set(labelled.incidents["category"]) == {"Aggravated assault"}


def test_misnamed_column_fixed_with_mapping(tmp_path):
    path = _write(tmp_path, ["1,2024-01-01,THEFT"], header="id,Zeitpunkt,Delikt\n")
    r = read_table(path, mapping={"Zeitpunkt": "occurred_at", "Delikt": "category"}, today=TODAY)
    assert r.incidents["category"].tolist() == ["THEFT"]
    with pytest.raises(ParameterError, match="Nope.*columns are"):
        read_table(path, mapping={"Nope": "category"})
    with pytest.raises(ParameterError, match="cannot be mapped to 'categroy'"):
        read_table(path, mapping={"Delikt": "categroy"})


def test_coordinates_zero_far_and_missing(tmp_path):
    lines = GOOD + ["6,2024-01-06 10:00,THEFT,0,0", "7,2024-01-07 10:00,THEFT,-33.9,18.4",
                    "8,2024-01-08 10:00,THEFT,,", "9,2024-01-09 10:00,THEFT,abc,77.5"]
    r = read_table(_write(tmp_path, lines), today=TODAY)
    assert len(r.incidents) == 9  # rows with bad coordinates are kept
    assert _problem(r, "0,0")["examples"] == [7]
    far = _problem(r, "more than 100 km")
    assert far["examples"] == [8] and "-33.9" in far["problem"]
    assert _problem(r, "no coordinates")["rows"] == 2  # empty + unreadable
    assert _problem(r, "not a number")["column"] == "lat"
    assert r.incidents["lat"].isna().sum() == 4


def test_future_old_and_unreadable_dates_dropped(tmp_path):
    lines = GOOD + ["6,2031-05-01 10:00,THEFT,12.97,77.59", "7,1900-01-01,THEFT,12.97,77.59",
                    "8,yesterday,THEFT,12.97,77.59", "9,,THEFT,12.97,77.59"]
    r = read_table(_write(tmp_path, lines), today=TODAY)
    assert len(r.incidents) == 5 and r.report.rows_kept == 5
    assert _problem(r, "in the future")["examples"] == [7]
    old = _problem(r, "before 1960")
    assert old["examples"] == [8] and "placeholder" in old["advice"]
    bad = _problem(r, "cannot be read")
    assert bad["examples"] == [9] and bad["column"] == "date" and "'yesterday'" in bad["problem"]
    assert _problem(r, "date is empty")["examples"] == [10]
    r2 = read_table(_write(tmp_path, lines), today=TODAY, min_year=1800)
    assert len(r2.incidents) == 6


def test_duplicates_dropped_keeping_first(tmp_path):
    lines = GOOD + [GOOD[0], "2,2024-02-02 11:00,ARSON,12.98,77.60"]
    r = read_table(_write(tmp_path, lines), today=TODAY)
    assert len(r.incidents) == 5
    assert _problem(r, "exact copy")["examples"] == [7]
    same = _problem(r, "id repeats")
    assert same["examples"] == [8] and same["column"] == "incident_id"
    assert "ARSON" not in set(r.incidents["category"])


def test_unknown_category_kept(tmp_path):
    r = read_table(_write(tmp_path, GOOD + ["6,2024-01-06 10:00,,12.97,77.59",
                                            "7,2024-01-07 10:00,N/A,12.97,77.59"]), today=TODAY)
    assert _problem(r, "crime type is empty")["examples"] == [7, 8]
    assert (r.incidents["category"] == "UNKNOWN").sum() == 2


def test_empty_and_header_only_files(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(UnusableInputError, match=r"empty\.csv: the file is empty"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "head.csv").write_text(HEADER)
    with pytest.raises(UnusableInputError, match=r"head\.csv: has a header but no data rows"):
        read_table(tmp_path / "head.csv")


def test_wrong_file_types(tmp_path):
    (tmp_path / "img.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(UnusableInputError, match=r"img\.csv: is a PNG image, not a data table"):
        read_table(tmp_path / "img.csv")
    (tmp_path / "doc.csv").write_bytes(b"%PDF-1.4\n%...")
    with pytest.raises(UnusableInputError, match="PDF document"):
        read_table(tmp_path / "doc.csv")
    (tmp_path / "bin.csv").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(UnusableInputError, match="binary file"):
        read_table(tmp_path / "bin.csv")


def test_too_large(tmp_path):
    path = _write(tmp_path, GOOD)
    with pytest.raises(UnusableInputError, match=r"limit of 10 bytes; split it") as info:
        read_table(path, max_bytes=10)
    assert "max_bytes" not in str(info.value)  # no internal parameter to raise


def test_all_rows_unusable_names_reason(tmp_path):
    path = _write(tmp_path, ["1,soon,THEFT,1,2", "2,later,THEFT,1,2"])
    with pytest.raises(UnusableInputError,
                       match=r"f\.csv: none of its 2 rows could be used \(date cannot be read"):
        read_table(path)


def test_persons_without_role_or_link(tmp_path):
    path = _write(tmp_path, ["I1,30,F"], name="people.csv", header="incident_id,age,sex\n")
    with pytest.raises(UnusableInputError, match="victims or accused"):
        read_table(path)
    ok = _write(tmp_path, ["I1,30,F"], name="victims.csv", header="incident_id,age,sex\n")
    assert read_table(ok).persons["role"].tolist() == ["victim"]


def test_projected_xy_with_unknown_crs_and_given_crs(tmp_path):
    header = "id,date,type,x,y\n"
    lines = ["1,2020-01-01,THEFT,300000,4000000", "2,2020-01-02,THEFT,300100,4000100"]
    r = read_table(_write(tmp_path, lines, header=header), today=TODAY)
    assert "coordinate system" in _problem(r, "unknown system")["advice"]
    r2 = read_table(_write(tmp_path, lines, header=header), crs="EPSG:32630", today=TODAY)
    assert r2.incidents["lat"].iloc[0] == pytest.approx(36.13, abs=0.01)
