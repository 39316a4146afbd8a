"""Places, not cells: hand-made incidents whose names and reasons are known, then the demo city."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crimekit import place_names
from crimekit.schema import conform_incidents
from crimekit.spatial import make_grid

END = pd.Timestamp("2025-03-03")  # a Monday: the last 4 weeks are 3 Feb - 2 Mar
LAT, LON = 41.8800, -87.6300     # the hot cell
STEP = 0.0040                     # ~330 m north: the next-but-one row of 250 m cells is not a neighbour


def _rows(n, when, category, lat, lon, address="", premises="", beat="111", district="1",
          count=1, heinous=False):
    return [{"occurred_at": pd.Timestamp(w), "category": category, "lat": lat, "lon": lon,
             "address": address, "premises": premises, "beat": beat, "district": district,
             "count": count, "heinous": heinous} for w in when[:n]]


def _fri_sat_nights(n):
    """Fri 21:00-01:00 and Sat 21:00-01:00 (the early hours belong to the night before)."""
    nights = []
    for week in range(4):
        fri = pd.Timestamp("2025-02-07") + pd.Timedelta(weeks=week)
        for day in (fri, fri + pd.Timedelta(days=1)):
            nights += [day + pd.Timedelta(hours=21, minutes=30),
                       day + pd.Timedelta(hours=24, minutes=30)]
    return nights[:n]


@pytest.fixture(scope="module")
def town():
    rows = []
    rows += _rows(8, _fri_sat_nights(8), "Theft", LAT, LON, "001XX W MADISON ST", "Street")
    rows += _rows(2, [pd.Timestamp("2025-02-11 10:00"), pd.Timestamp("2025-02-12 11:00")],
                  "Robbery", LAT + 0.0002, LON, "0000X N STATE ST", "Street", heinous=True)
    # three burglaries one cell east: the hot cell's neighbour
    rows += _rows(3, [pd.Timestamp("2025-02-20 03:00")] * 3, "Burglary", LAT, LON + 0.0031,
                  "", "Residence")
    # a quiet cell far north with no address: named by the point of interest near it
    rows += _rows(3, [pd.Timestamp("2024-06-01 12:00")] * 3, "Theft", LAT + 5 * STEP, LON,
                  "", "Shop", beat="222", district="2")
    # a cell with neither address nor point of interest: counts with reversals
    rows += _rows(1, [pd.Timestamp("2025-02-15 12:00")], "Theft", LAT - 5 * STEP, LON,
                  "", "", beat="333", district="3", count=4)
    rows += _rows(1, [pd.Timestamp("2025-02-16 12:00")], "Theft", LAT - 5 * STEP, LON,
                  "", "", beat="333", district="3", count=-1)
    inc = conform_incidents(pd.DataFrame(rows))
    grid = make_grid(inc["lat"], inc["lon"], cell_size=250)
    pois = pd.DataFrame({"kind": ["transit"], "name": ["Central Station"],
                         "lat": [LAT + 5 * STEP + 0.001], "lon": [LON]})
    return inc, grid, pois


def _cell(grid, lat, lon):
    return int(grid.cell_of([lat], [lon])[0])


def test_a_hot_cell_is_named_by_its_block_beat_and_district_with_a_plain_reason(town):
    inc, grid, pois = town
    cells = pd.DataFrame({"cell_id": [_cell(grid, LAT, LON)], "score": [0.9]})
    out = place_names.name_cells(inc, grid, cells, end=END, pois=pois)
    row = out.iloc[0]
    assert row["place"] == "100 block of W MADISON ST"
    assert row["name"] == "100 block of W MADISON ST, beat 111, 1"
    assert (row["beat"], row["district"]) == ("111", "1")
    assert row["reason"] == ("10 crimes in the last 4 weeks, 8 of them thefts, including "
                             "2 robberies, mostly Fri-Sat 21:00-01:00; 3 burglaries nearby")
    assert out["score"].tolist() == [0.9]  # the caller's columns are kept
    assert "name" not in cells  # the input is not changed


def test_without_times_the_reason_names_no_times(town):
    inc, grid, pois = town
    monthly = inc.assign(occurred_at=inc["occurred_at"].dt.to_period("M").dt.to_timestamp(),
                         precision="month")
    cells = pd.DataFrame({"cell_id": [_cell(grid, LAT, LON)]})
    reason = place_names.name_cells(monthly, grid, cells, end="2025-03-01",
                               recent_weeks=4).iloc[0]["reason"]
    assert ":" not in reason and not any(d in reason for d in ("Fri", "Sat", "Mon"))
    assert reason.startswith("10 crimes in February 2025, 8 of them thefts")


def test_without_an_address_a_point_of_interest_or_the_part_of_the_beat_names_it(town):
    inc, grid, pois = town
    north, south = _cell(grid, LAT + 5 * STEP, LON), _cell(grid, LAT - 5 * STEP, LON)
    out = place_names.name_cells(inc, grid, pd.DataFrame({"cell_id": [north, south]}), end=END,
                            pois=pois).set_index("cell_id")
    assert out.loc[north, "name"] == "near Central Station (shop), beat 222, 2"
    assert out.loc[north, "reason"] == "no crime in the last 4 weeks; 3 in the last year, " \
                                       "mostly thefts"
    assert out.loc[south, "place"] == "centre of beat 333"
    assert out.loc[south, "name"] == "centre of beat 333, 3"  # the beat is not named twice
    # 4 crimes less one reversal: counts, not rows
    assert out.loc[south, "reason"] == "3 thefts in the last 4 weeks"


def test_the_area_unit_of_the_data_is_used(town):
    inc, grid, pois = town
    out = place_names.name_cells(inc, grid, pd.DataFrame({"cell_id": [_cell(grid, LAT, LON)]}),
                            end=END, area_unit="LSOA")
    assert out.iloc[0]["name"] == "100 block of W MADISON ST, LSOA 111, 1"


def test_beats_are_named_by_their_busiest_spot(town):
    inc, grid, pois = town
    out = place_names.name_beats(inc, pd.DataFrame({"beat": ["111", "222", "444"]}), end=END,
                            pois=pois).set_index("beat")
    assert out.loc["111", "name"] == "beat 111, 1: around 100 block of W MADISON ST"
    assert out.loc["111", "reason"].startswith("13 crimes in the last 4 weeks, 8 of them "
                                               "thefts, including 2 robberies")
    assert out.loc["222", "name"] == "beat 222, 2: near Central Station"
    assert out.loc["444", "name"] == "beat 444"  # no crime, nothing known: its id alone
    assert out.loc["444", "reason"] == "no crime in the last 4 weeks"


@pytest.mark.parametrize("n, head, text", [
    (23, "Theft", "23 thefts"), (1, "Burglary", "1 burglary"), (3, "Burglary", "3 burglaries"),
    (2, "Vehicle theft", "2 vehicle thefts"), (5, "Hurt", "5 hurt cases"),
    (1, "Cheating", "1 cheating case"), (2, "Drugs (NDPS)", "2 Drugs (NDPS) cases"),
    (4, "ASSAULT", "4 ASSAULTs"), (3, "Anti-social behaviour", "3 anti-social behaviour cases"),
    (2, "Attempt to murder", "2 attempt to murder cases"),
])
def test_crimes_of(n, head, text):
    assert place_names.crimes_of(n, head) == text


@pytest.mark.parametrize("raw, text", [
    ("001XX W MADISON ST", "100 block of W MADISON ST"),
    ("0000X N STATE ST", "0 block of N STATE ST"),
    ("  On or near   Parking Area ", "On or near Parking Area"),
    ("12 MG Road", "12 MG Road"),
])
def test_readable_address(raw, text):
    assert place_names.readable_address(raw) == text


def test_peak_times_names_only_real_peaks():
    rng = np.random.default_rng(0)
    spread = pd.Timestamp("2025-01-06") + pd.to_timedelta(rng.uniform(0, 28 * 24, 500), "h")
    assert place_names.peak_times(spread) == ""
    evenings = pd.Series(pd.date_range("2025-01-06 18:00", periods=28, freq="D"))
    assert place_names.peak_times(evenings) == "18:00-19:00"
    assert place_names.peak_times(evenings, precision="day") == ""  # every day alike, no hours
    assert place_names.peak_times(evenings[:5]) == ""  # too few to say
    saturdays = pd.Series(pd.date_range("2025-01-04 12:00", periods=10, freq="7D"))
    assert place_names.peak_times(saturdays, precision="day") == "Sat"
    assert place_names.peak_times(saturdays, precision="month") == ""


def test_demo_city_hot_spots_have_names_and_reasons(city):
    from crimekit.spatial import count_by_cell, grid_for
    ds = city.dataset
    grid = grid_for(ds.incidents, cell_size=250, beats=ds.beats)
    recent = ds.incidents[ds.incidents["occurred_at"] >= "2025-10-01"]
    top = count_by_cell(recent, grid).nlargest(10, "count")[["cell_id", "count"]]
    out = place_names.name_cells(ds.incidents, grid, top, pois=ds.pois, beats=ds.beats)
    beats = set(ds.beats["beat"])
    assert out["beat"].isin(beats).all()
    assert out["district"].isin(set(ds.beats["district"])).all()
    assert out.apply(lambda r: f"beat {r['beat']}, {r['district']}" in r["name"]
                     or r["name"].endswith(f"beat {r['beat']}, {r['district']}".split(", ", 1)[1]),
                     axis=1).all()
    assert (out["place"].str.startswith("near ")).sum() >= 5  # the city's bars and stations
    assert out["reason"].str.match(r"^\d+ (crimes?|\w)").all()
    assert out["reason"].str.contains("in the last 4 weeks").all()
    named = place_names.name_beats(ds.incidents, ds.beats[["beat", "district"]].head(5), pois=ds.pois)
    assert named["name"].str.startswith("beat ").all()
    assert named["reason"].str.contains("in the last 4 weeks").all()
