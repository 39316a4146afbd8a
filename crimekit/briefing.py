"""The weekly briefing: what a station commander takes into Monday's meeting, on two pages.

:func:`build_briefing` gathers the content from the existing analyses, for one district
(station) or the whole area:

- next week's hot spots (the best fast hotspot model on a backtest of this data, as the
  Overview picks it) named as places (:mod:`crimekit.place_names`) with their reasons;
- the forecast of next week's crime (:mod:`crimekit.forecast`);
- what is rising: each crime head's last 28 days against the 28 before, by the exact test of
  :func:`crimekit.overview.rise_p_value`, Holm-corrected for testing many heads at once; "not
  comparable" when the data does not cover both windows (monthly data: last month against
  the one before);
- the patrol plan per shift (:func:`crimekit.patrol.plan_patrols`), with the changes from today's
  deployment when duty logs exist;
- how accurate each of these has been, one line each, from their backtests;
- the plain limits note.

:func:`crimekit.briefing_pdf.write_pdf` prints it on at most two A4 pages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from crimekit.errors import CrimekitError, ParameterError, UnusableInputError
from crimekit.overview import rising_heads
from crimekit.periods import FREQS, next_period, weeks_to_periods
from crimekit.schema import SHIFTS, crime_count, data_precision, freq_for
from crimekit.stats import poisson_band

#: Hotspot models fast enough for a briefing (all but the learned XGBoost model).
FAST_MODELS = ("last-period", "last-year", "all-history", "kde", "markov")
LIMITS = ("These figures learn from recorded crime, which reflects where police already look "
          "and what people report, not all crime. Patrolling predicted places records more "
          "crime there, which can feed back into the next prediction. Use them to plan places "
          "and times, never to judge individuals.")


@dataclass(frozen=True)
class BriefingSettings:
    """What a briefing covers. ``officers``: per shift (see
    :func:`crimekit.patrol.solver.officers_per_shift`); None = today's strength from the duty
    logs, else two per beat."""

    district: str | None = None
    officers: object = None
    cell_size: float = 250.0
    top: int = 8
    days: int = 28
    backtest_weeks: int = 13


@dataclass(frozen=True)
class Briefing:
    """A briefing's content, ready to print (see the module docstring).

    ``places``: rank, name, reason, expected, expected_low, expected_high, cell_id;
    ``rising``: head, now, before, change, chance; ``plan``: shift, officers, covered, changes;
    ``cells``/``beats``: GeoDataFrames for the map (top cells with their rank; the scope's
    beats with the officers planned per day).
    """

    dataset: str
    scope: str
    period: str
    period_start: pd.Timestamp
    data_end: pd.Timestamp
    headline: list
    places: pd.DataFrame
    rising: pd.DataFrame
    rising_note: str
    plan: pd.DataFrame
    plan_note: str
    accuracy: list
    notes: list
    busiest: pd.DataFrame | None = None
    points: pd.DataFrame | None = None
    cells: object = None
    beats: object = None
    area: object = None
    limits: str = LIMITS
    freq: str = "W"
    area_unit: str = "beat"

    @property
    def title(self) -> str:
        cadence = "Monthly" if self.freq == "M" else "Weekly"
        return f"{cadence} briefing: {self.scope}, {self.period}"


def dataset_title(dataset) -> str:
    """The name a printout uses: the demo city's full name, else the stored dataset's name."""
    source = dataset.meta.get("source") if isinstance(dataset.meta, dict) else None
    return source if isinstance(source, str) and source else str(dataset.name)


def scoped(dataset, district: str | None):
    """The dataset restricted to one district (station): its incidents, beat polygons and
    duty logs; the whole dataset when ``district`` is None."""
    if not district:
        return dataset
    inc = dataset.incidents
    known = sorted(d for d in inc["district"].astype(str).unique() if d)
    if str(district) not in known:
        raise ParameterError.invalid("district", "the briefing", "a district of this data ("
                                     + ", ".join(known[:12]) + ("..." if len(known) > 12 else "")
                                     + ")" if known else "used with data that names districts",
                                     district)
    inc = inc[inc["district"].astype(str) == str(district)].reset_index(drop=True)
    beats = dataset.beats
    if beats is not None:  # the district's polygons, else those its crimes name
        keep = (beats["district"].astype(str) == str(district)) if "district" in beats else \
            beats["beat"].astype(str).isin(set(inc["beat"].astype(str)))
        beats = beats[keep].reset_index(drop=True)
    names = set(inc["beat"].astype(str)) | (set(beats["beat"].astype(str)) if beats is not None
                                            else set())
    patrols = dataset.patrols[dataset.patrols["beat"].astype(str).isin(names)]
    return replace(dataset, incidents=inc, beats=beats if beats is not None and len(beats)
                   else None, patrols=patrols.reset_index(drop=True))


def build_briefing(dataset, settings: BriefingSettings = BriefingSettings()) -> Briefing:
    """Everything the two pages say (see the module docstring)."""
    view = scoped(dataset, settings.district)
    inc = view.incidents[view.incidents["occurred_at"].notna()]
    if not len(inc):
        raise UnusableInputError("There are no dated incidents to brief on: check the filters "
                                 "or the date column.")
    freq, _ = freq_for(inc, "W")
    unit = FREQS[freq]
    notes, accuracy = [], []
    hot = _hot_spots(view, freq, settings, notes, accuracy)
    start = hot["start"] if hot else next_period(
        pd.Timestamp(inc["occurred_at"].max()).normalize(), freq)
    headline = _forecast_line(inc, freq, unit, start, notes, accuracy)
    rising, rising_note, overall = rising_heads(inc, settings.days)
    headline.append(overall)
    plan, plan_note, beats_map, risk = _plan(view, settings, notes, accuracy)
    if beats_map is None and view.beats is not None:
        beats_map = view.beats
    busiest = _busiest(view, risk)
    n_beats = len(view.beats) if view.beats is not None else inc["beat"].astype(str).replace(
        "", np.nan).nunique()
    area_unit = view.meta.get("area_unit", "beat") or "beat"
    scope = (f"{settings.district} district" if settings.district else "the whole area") + (
        f" ({n_beats} {area_unit}{'s' if n_beats != 1 else ''})" if n_beats else "")
    return Briefing(
        dataset=dataset_title(dataset), scope=scope,
        period=(f"{unit} from {start:%a} {start.day} {start:%b %Y}" if freq != "M"
                else f"{start:%B %Y}"),
        period_start=start, data_end=pd.Timestamp(inc["occurred_at"].max()),
        headline=[h for h in headline if h], places=hot["places"] if hot else _no_places(),
        rising=rising, rising_note=rising_note, plan=plan, plan_note=plan_note, busiest=busiest,
        accuracy=accuracy, notes=notes, cells=hot["cells"] if hot else None, beats=beats_map,
        area=hot["area"] if hot else None, freq=freq, points=None if hot else _points(inc),
        area_unit=area_unit)


def _points(inc, most: int = 5000):
    """Where the crimes of the last 4 weeks (or the last month) were: a map without hot spots
    still shows something."""
    located = inc[inc["lat"].notna() & inc["lon"].notna()]
    if not len(located):
        return None
    last = located["occurred_at"].max()
    recent = located[located["occurred_at"] >= min(last - pd.Timedelta(weeks=4),
                                                   last.normalize().replace(day=1))]
    return recent[["lat", "lon"]].sample(min(most, len(recent)), random_state=0)


def _no_places() -> pd.DataFrame:
    return pd.DataFrame(columns=["rank", "name", "reason", "expected", "expected_low",
                                 "expected_high", "cell_id"])


def _hot_spots(view, freq, settings, notes, accuracy):
    """The best fast model's top cells for the next period, named, with its backtested hit
    rate (None, with a note, when there are no coordinates or too little history)."""
    import geopandas as gpd

    from crimekit.hotspots.evaluate import backtest, n_flagged
    from crimekit.hotspots.features import count_cube
    from crimekit.hotspots import make_model
    from crimekit.place_names import name_cells
    from crimekit.spatial import grid_for, study_area

    inc = view.incidents
    if not inc["lat"].notna().any():
        notes.append("No incident has coordinates, so there is no map and no hot spot.")
        return None
    try:
        grid = grid_for(inc, cell_size=settings.cell_size, beats=view.beats)
        cube = count_cube(inc, grid, freq=freq, pois=view.pois)
        need = weeks_to_periods(13, freq) + 3  # calibration, two to fit, one to backtest
        if cube.n_periods < need:
            notes.append(f"No hot spots: only {cube.n_periods} {FREQS[freq]}"
                         f"{'s' if cube.n_periods != 1 else ''} of data, and the hot spot "
                         f"models need at least {need}.")
            return None
        n = min(weeks_to_periods(settings.backtest_weeks, freq), cube.n_periods // 3)
        k = min(settings.top, len(grid.cells))
        coverage = k / len(grid.cells)  # the hit rate of exactly the cells the briefing lists
        bt = backtest(cube, {m: make_model(m) for m in FAST_MODELS}, n_periods=max(n, 1),
                      retrain_every_weeks=13, coverages=(coverage,))
        model = bt.at(coverage).idxmax()
        fitted = make_model(model).fit(cube)
        pred = fitted.predict(cube, [cube.n_periods])
    except CrimekitError as exc:
        notes.append(f"No hot spots: {exc}")
        return None
    top = pred.sort_values(["score", "cell_id"], ascending=[False, True]).head(
        n_flagged(len(pred), coverage)).reset_index(drop=True)
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    top["expected_low"], top["expected_high"] = poisson_band(top["expected"])
    named = name_cells(inc, grid, top, pois=view.pois, beats=view.beats,
                       area_unit=view.meta.get("area_unit", "beat"))
    per = bt.per_period[(bt.per_period["model"] == model)]["hit_rate"].dropna()
    if len(per):
        accuracy.append(
            f"Hot spots: the top {len(top)} cells of {settings.cell_size:g} m ({coverage:.1%} "
            f"of the area) caught {per.mean():.0%} of the crime in each of the last {len(per)} "
            f"{FREQS[freq]}s on average (by chance: {coverage:.1%}).")
    cells = grid.cells.merge(named[["cell_id", "rank"]], on="cell_id")
    return {"start": cube.start_of(cube.n_periods)[0], "places": named, "cells": cells,
            "area": gpd.GeoSeries([study_area(inc["lat"], inc["lon"], view.beats, grid.crs)],
                                  crs=grid.crs), "model": model}


def _forecast_line(inc, freq, unit, start, notes, accuracy) -> list:
    """"Expected next week: 410 crimes (80% range 370-450)", and the accuracy of the same
    forecast (the combination) on its own rolling backtest against seasonal naive."""
    from crimekit import forecast as F
    table = F.series_table(inc, freq)
    if len(table) < 2 * F.SEASON.get(freq, 12) // 4:
        notes.append(f"No forecast: only {len(table)} whole {unit}"
                     f"{'s' if len(table) != 1 else ''} of data.")
        return []
    try:
        result = F.forecast_series(table, F.ForecastSettings(freq=freq, horizon=1),
                                   first=start)
    except CrimekitError as exc:
        notes.append(f"No forecast: {exc}")
        return []
    fc = result.forecast.iloc[0]
    line = (f"Expected in the coming {unit}: {fc['yhat']:,.0f} crimes (80% range "
            f"{fc['low']:,.0f}-{fc['high']:,.0f}).")
    bt = result.backtest
    if len(bt) and {"combination", "naive", "y"} <= set(bt.columns):
        ok = bt[["y", "combination", "naive"]].dropna()
        accuracy.append(
            f"Crime forecast: off by {(ok['y'] - ok['combination']).abs().mean():,.1f} crimes a "
            f"{unit} on average over {len(ok)} backtest forecasts (guessing the same {unit} "
            f"last year: off by {(ok['y'] - ok['naive']).abs().mean():,.1f}).")
    else:
        accuracy.append("Crime forecast: not yet backtested (it needs more history).")
    return [line]


def _plan(view, settings, notes, accuracy):
    """(plan per shift, a note, beats with planned officers per day for the map, the plan's
    risk per beat and shift), from :func:`crimekit.patrol.plan_patrols` as the app plans."""
    from crimekit.patrol import (PlanSettings, backtest_patrols, inputs_for, officers_per_shift,
                                 plan_patrols)
    empty = pd.DataFrame(columns=["shift", "officers", "covered", "changes"])
    if data_precision(view.incidents) != "hour":
        return empty, ("No plan per shift: this data has no times of day, so crime cannot be "
                       "split into shifts."), None, None
    try:
        officers = (None if settings.officers is None else
                    tuple(officers_per_shift(settings.officers, "the briefing").values()))
        plan_settings = PlanSettings(officers=officers)
        inputs = inputs_for(view, plan_settings)
        result = plan_patrols(view, plan_settings, inputs=inputs)
    except CrimekitError as exc:
        return empty, f"No plan: {exc}", None, None
    t = result.table
    rows = []
    for shift in SHIFTS:
        part = t[t["shift"] == shift]
        if not len(part):
            continue
        rows.append({"shift": shift, "officers": int(part["officers"].sum()),
                     "covered": float(part["covered"].sum() / max(part["risk"].sum(), 1e-9)),
                     "changes": _changes(part, result.has_current)})
    minimum = result.minimum
    note = (f"{result.headline} Officers per shift: {result.officers_source}; at least "
            f"{minimum} per {result.area_unit}.")
    if result.has_current:
        try:
            bt = backtest_patrols(view, plan_settings.replace(min_per_beat=minimum),
                                  inputs=inputs)
            accuracy.append(
                f"Patrol plan: planned each of the last {bt.weeks} weeks from "
                f"the data before it, the plan covered {bt.covered['plan']:.0%} of the crime "
                f"that followed, today's deployment {bt.covered['current']:.0%}.")
        except CrimekitError:
            pass
    else:
        accuracy.append("Patrol plan: not backtested, as there are no duty logs to compare "
                        "with.")
    risk = t[["beat", "shift", "risk"]]
    beats = None
    if view.beats is not None:
        per_day = t.groupby("beat")["officers"].sum()
        beats = view.beats.assign(beat=view.beats["beat"].astype(str))
        beats = beats.assign(officers=beats["beat"].map(per_day).fillna(0).astype(int))
    return pd.DataFrame(rows), note, beats, risk


def _busiest(view, risk, most: int = 5):
    """The beats (areas) with the most expected crime in the coming period (``value``,
    ``what`` "expected"), else with the most crime in the last month (``what`` "recent"),
    named, with reasons."""
    from crimekit.place_names import name_beats
    inc = view.incidents
    if risk is not None and len(risk):
        per_beat, what = risk.groupby("beat")["risk"].sum(), "expected"
    else:
        named = inc[inc["beat"].astype(str) != ""]
        if not len(named):
            return None
        last = named["occurred_at"].max()
        recent = named[named["occurred_at"] >= min(last - pd.Timedelta(weeks=4),
                                                   last.normalize().replace(day=1))]
        per_beat, what = crime_count(recent, "beat").astype(float), "recent"
    per_beat = per_beat.sort_values(ascending=False, kind="stable").head(most)
    table = per_beat.rename("value").rename_axis("beat").reset_index().assign(what=what)
    if view.beats is not None and "district" in view.beats:
        table = table.merge(view.beats[["beat", "district"]].astype({"beat": str}), on="beat",
                            how="left")
    return name_beats(inc, table, pois=view.pois, area_unit=view.meta.get("area_unit", "beat"))


def _changes(part, has_current: bool, most: int = 8) -> str:
    """"+2 E-02, +1 E-05, -1 E-11 and 4 more" (changes from today), or, without duty logs,
    the beats with the most officers."""
    if has_current:
        moved = part[part["change"] != 0].sort_values(["change", "beat"],
                                                      ascending=[False, True])
        if not len(moved):
            return "no change from today"
        shown = [f"{c:+d} {b}" for b, c in zip(moved["beat"], moved["change"])]
    else:
        busiest = part.sort_values(["officers", "beat"], ascending=[False, True])
        shown = [f"{b} {o}" for b, o in zip(busiest["beat"], busiest["officers"]) if o > 0]
    extra = len(shown) - most
    return ", ".join(shown[:most]) + (f" and {extra} more" if extra > 0 else "")
