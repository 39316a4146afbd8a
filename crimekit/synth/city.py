"""Generating the whole city (:func:`generate_city`) and writing its files (:func:`write_city`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from crimekit.errors import ParameterError
from crimekit.export import write_csv
from crimekit.schema import Dataset, conform_incidents, conform_patrols, conform_persons
from crimekit.synth.crimes import (city_holidays, daily_expected, draw_incidents,
                                   draw_spot_incidents, shifting_spots)
from crimekit.synth.heads import CRIME_HEADS
from crimekit.synth.layout import (CITY_CRS, beat_polygons, city_boundary, fine_cells,
                                   head_cell_probs, land_use_layers, locate_incidents,
                                   points_of_interest)
from crimekit.synth.patrols import duty_logs
from crimekit.synth.people import draw_persons, offender_population, repeat_victim_pool
from crimekit.synth.truth import CityTruth, SyntheticCity, beat_truth, truth_summary

CITY_NAME = "Demo City (synthetic)"


def generate_city(seed: int = 7, *, start="2023-01-01", years: float = 3.0,
                  scale: float = 1.0, n_beats: int = 110, n_offenders: int | None = None,
                  patrol_days: int = 365) -> SyntheticCity:
    """Generate the synthetic city.

    Parameters
    ----------
    seed : the random seed; the same seed (and settings) gives the same city.
    start, years : the period covered by incidents.
    scale : multiplies every crime rate (``scale=20`` gives about a million incidents).
    n_beats : number of beat polygons (60-150 is realistic).
    n_offenders : size of the offender population (default grows with ``scale``).
    patrol_days : how many days of beat duty logs to write, ending with the data.
    """
    _check_params(years, scale, n_beats)
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(start).normalize()
    end = start + pd.DateOffset(days=int(round(365.25 * years)))
    boundary = city_boundary(rng)
    cells = fine_cells(boundary)
    pois = points_of_interest(rng, boundary)
    layers = land_use_layers(cells, pois)
    probs = head_cell_probs(layers)
    beats = beat_polygons(rng, boundary, layers, n_beats)
    holidays = city_holidays(start.year, end.year)
    daily = daily_expected(start, end, holidays) * scale
    spots, spot_probs = shifting_spots(cells, start, end, scale)
    incidents = pd.concat([draw_incidents(rng, cells, probs, daily),
                           draw_spot_incidents(rng, cells, spots, spot_probs, daily.index)],
                          ignore_index=True).sort_values("occurred_at", kind="stable",
                                                         ignore_index=True)
    to_wgs = Transformer.from_crs(CITY_CRS, "EPSG:4326", always_xy=True)
    incidents["lon"], incidents["lat"] = to_wgs.transform(incidents.pop("x"), incidents.pop("y"))
    cells["lon"], cells["lat"] = to_wgs.transform(cells["x"].to_numpy(), cells["y"].to_numpy())
    beats_wgs = beats.to_crs("EPSG:4326")
    incidents = locate_incidents(incidents, beats_wgs)
    incidents = incidents[incidents["beat"] != ""].reset_index(drop=True)  # follow-ups off the map
    n_off = n_offenders or int(3000 * max(scale, 0.2) ** 0.7)
    offenders = offender_population(rng, cells, layers, n_off)
    repeat_pool = repeat_victim_pool(rng, cells, layers)
    persons, incidents = draw_persons(rng, incidents, offenders, repeat_pool)
    patrols, under_night = duty_logs(rng, beats_wgs, incidents, layers, cells, end, patrol_days)
    pois_wgs = pois.copy()
    pois_wgs["lon"], pois_wgs["lat"] = to_wgs.transform(pois["x"].to_numpy(), pois["y"].to_numpy())
    truth = CityTruth(
        fine_cells=cells[["x", "y", "lat", "lon"]], cell_probs=probs,
        daily=daily * np.array([1 / (1 - h.near_repeat) for h in CRIME_HEADS]),
        heads=CRIME_HEADS, offenders=offenders, repeat_victims=repeat_pool,
        under_patrolled_night=under_night, holidays=holidays, spots=spots,
        spot_probs=spot_probs, params={"seed": seed, "start": str(start.date()), "end": str(end.date()),
                "scale": scale})
    dataset = Dataset(
        name="demo", incidents=conform_incidents(incidents), persons=conform_persons(persons),
        beats=beats_wgs, patrols=conform_patrols(patrols),
        pois=pois_wgs[["kind", "name", "lat", "lon"]], holidays=holidays,
        meta={"source": CITY_NAME, "seed": seed, "crs": CITY_CRS})
    return SyntheticCity(dataset, truth)


def _check_params(years, scale, n_beats):
    if not 0 < years <= 30:
        raise ParameterError.invalid("years", "generate_city", "a number in (0, 30]", years)
    if not 0 < scale <= 100:
        raise ParameterError.invalid("scale", "generate_city", "a number in (0, 100]", scale)
    if not 10 <= n_beats <= 1000:
        raise ParameterError.invalid("n_beats", "generate_city", "an integer in [10, 1000]",
                                     n_beats)


def write_city(city: SyntheticCity, out_dir) -> list:
    """Write the city's files (the canonical formats ``crimekit ingest`` reads) and its truth.

    Returns the paths written: incidents.csv, persons.csv, beats.geojson, patrols.csv,
    pois.csv, holidays.csv, truth_beat_week.csv, truth.json.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ds = city.dataset
    paths = []
    def save(df, name):
        path = out / name
        write_csv(df, path)
        paths.append(path)
    save(ds.incidents.drop(columns=["near_repeat"], errors="ignore"), "incidents.csv")
    save(ds.persons, "persons.csv")
    ds.beats.to_file(out / "beats.geojson", driver="GeoJSON")
    paths.append(out / "beats.geojson")
    save(ds.patrols.assign(date=ds.patrols["date"].dt.date), "patrols.csv")
    save(ds.pois, "pois.csv")
    save(ds.holidays.assign(date=ds.holidays["date"].dt.date), "holidays.csv")
    save(beat_truth(city, freq="W"), "truth_beat_week.csv")
    (out / "truth.json").write_text(json.dumps(truth_summary(city), indent=2))
    paths.append(out / "truth.json")
    return paths
