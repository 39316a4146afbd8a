"""Did it work? The change in crime where an operation ran, against what was expected.

An operation is a set of places (beats, or hot spot grid cells) and dates [start, end). Three
honest comparisons, each with a confidence interval:

1. **Against the forecast**: the forecast of crime in those places made from the data before
   the operation (:func:`crimekit.forecast.forecast_series`) against what was recorded during
   it. The interval combines the forecast's own uncertainty, so a forecast that was never
   precise cannot prove a change.
2. **Against comparable places** (difference-in-differences): untreated places, not next to
   the operation, matched to each operation place on its crime level before it. Per period,
   ``r = log((operation + 0.5) / (comparison + 0.5))``; the change is ``exp(mean r during -
   mean r before) - 1``, with a t interval from the periods' spread (widened for
   autocorrelation). Shared seasons and city-wide swings cancel in ``r``. Whether the two
   groups moved alike before the operation is tested too (a slope of ``r`` before it).
3. **Next door** (displacement): the same comparison for the places next to the operation
   (beats whose polygons touch it, or the nearest beats without polygons; the ring of cells
   around hot spots). A rise there suggests crime moved; a fall, that the benefit spread.

Periods are weeks, or months when the data is dated to the month only. Crimes are counted
with :func:`crimekit.schema.crime_count`, never rows. The estimators are in
:mod:`crimekit.operations.effects`, the choice of places (next door, comparable places, hot
spots) in :mod:`crimekit.operations.places`, and what is asked in
:class:`~crimekit.operations.settings.OperationSettings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crimekit.errors import CrimekitError, ParameterError, UnusableInputError
from crimekit.operations.effects import Estimate, against_forecast, did, pre_trend_p
from crimekit.operations.places import matched_controls, neighbours_of, top_cells_before
from crimekit.operations.settings import BEFORE, MIN_BEFORE, OperationSettings
from crimekit.periods import FREQS, next_period, period_range, period_start
from crimekit.schema import crime_count, freq_for
from crimekit.wording import p_phrase


@dataclass(frozen=True)
class OperationCheck:
    """Everything :func:`check_operation` found.

    Attributes
    ----------
    settings : the :class:`OperationSettings` checked.
    unit, treated, controls, neighbours : the kind of place and the places in each group.
    start, end : the operation's dates; ``periods`` the whole periods inside them that the
        data covers, ``before`` the periods compared with.
    freq : "W" or "M".
    series : crimes per period and group (``period_start, group, crimes, phase``); groups
        "operation", "comparison", "next door" and "forecast".
    vs_forecast, vs_controls, displacement : :class:`Estimate` or None when not possible.
    pre_trend_p : p-value that the operation and comparison places moved apart before it.
    notes : plain sentences on what could not be done or should be kept in mind.
    """

    settings: OperationSettings
    unit: str
    treated: tuple
    controls: tuple
    neighbours: tuple
    start: pd.Timestamp
    end: pd.Timestamp
    freq: str
    periods: pd.DatetimeIndex
    before: pd.DatetimeIndex
    series: pd.DataFrame
    vs_forecast: Estimate | None
    vs_controls: Estimate | None
    displacement: Estimate | None
    pre_trend_p: float
    notes: tuple = field(default_factory=tuple)

    def summary(self) -> list:
        """The findings as sentences a commander can read out."""
        return summarise(self)

    def indexed(self) -> pd.DataFrame:
        """The series with each group on one scale (see :func:`indexed`), for a chart."""
        return indexed(self)

    def table(self) -> pd.DataFrame:
        """One row per comparison, with human column labels."""
        rows = []
        for what, est in (("Against the forecast from before the operation", self.vs_forecast),
                          ("Against comparable places (difference-in-differences)",
                           self.vs_controls),
                          ("Next door (displacement)", self.displacement)):
            if est is None:
                continue
            rows.append({"Comparison": what, "Crimes recorded": round(est.observed),
                         "Crimes expected": round(est.expected, 1),
                         "Change": est.change_text,
                         f"{est.level:.0%} range": est.range_text,
                         "Chance?": f"{est.chance_text} ({est.p_text})"})
        return pd.DataFrame(rows)


# --- the check ------------------------------------------------------------------------------------

def check_operation(dataset, settings: OperationSettings, *, grid=None) -> OperationCheck:
    """Check the operation ``settings`` describes (its places, from ``start`` up to, not
    including, ``end``); see the module docstring for the three comparisons. ``grid``: the
    cells of a hot spot operation, when already made (the app caches it); made from
    ``settings.cell_size`` when None.

    Raises ParameterError for places this data does not have, UnusableInputError when the
    dates hold no whole period or too few before it.
    """
    s = settings
    unit, start, end, level = s.unit, s.start, s.end, s.level
    inc, universe, grid = _placed(dataset, unit, grid, s.cell_size)
    treated = s.places
    if unit == "cell" and s.hot_spots is not None:
        treated = tuple(top_cells_before(dataset, grid, start, s.hot_spots,
                                         district=s.district or None))
    unknown = [u for u in treated if u not in set(universe)]
    if not treated or unknown:
        raise ParameterError.invalid("places", "check_operation",
                                     f"{unit}s of this data", unknown or list(treated))
    freq, _ = freq_for(dataset.incidents, "W")
    periods, before, notes = _windows(inc, start, end, freq, s.before or BEFORE[freq])
    counts = _matrix(inc, universe, before.append(periods), freq)
    n_before = len(before)
    neighbours = tuple(u for u in neighbours_of(dataset, inc, treated, unit, grid)
                       if u not in treated)
    if s.controls:
        controls = [u for u in s.controls if u in set(universe) and u not in set(treated)]
    else:
        controls = matched_controls(counts, treated, [
            u for u in universe if u not in set(treated) and u not in set(neighbours)],
            n_before, s.controls_per_unit)
    T = counts[list(treated)].sum(axis=1).to_numpy(float)
    C = counts[list(controls)].sum(axis=1).to_numpy(float) if controls else None
    N = counts[list(neighbours)].sum(axis=1).to_numpy(float) if neighbours else None
    vs_controls = did(T, C, n_before, level, "comparable places") if C is not None else None
    displacement = did(N, C, n_before, level, "comparable places") \
        if C is not None and N is not None else None
    trend_p = pre_trend_p(T, C, n_before) if C is not None else float("nan")
    fc, vs_forecast = None, None
    if s.forecast:
        try:
            fc = _forecast(inc[inc["_unit"].isin(treated)], before, periods, freq)
            vs_forecast = against_forecast(T[n_before:], fc, level)
        except CrimekitError as exc:
            notes.append(f"No forecast could be made from before the operation: {exc}")
    if C is None:
        notes.append("No comparable untreated places were found, so the operation could not "
                     "be compared with places like it.")
    elif np.isfinite(trend_p) and trend_p < 0.05:
        notes.append(f"Before the operation, its places were already moving differently from "
                     f"the comparison places ({p_phrase(trend_p)}), so the comparison with "
                     "them may be off.")
    series = _series(counts.index, n_before, T, C, N, fc)
    return OperationCheck(s, unit, treated, tuple(controls), neighbours, start, end, freq,
                          periods, before, series, vs_forecast, vs_controls, displacement,
                          trend_p, tuple(notes))


def _placed(dataset, unit, grid, cell_size):
    """Dated incidents with their place in ``_unit``, every place, and the grid (cells)."""
    if unit == "beat":
        from crimekit.patrol.risk import beats_of, located_incidents
        inc = located_incidents(dataset)
        return inc.assign(_unit=inc["beat"].astype(str)), beats_of(dataset), None
    from crimekit.spatial import grid_for
    grid = grid if grid is not None else grid_for(dataset.incidents, cell_size=cell_size,
                                                  beats=dataset.beats)
    inc = dataset.incidents[dataset.incidents["occurred_at"].notna()]
    inc = inc.assign(_unit=grid.cell_of(inc["lat"], inc["lon"]))
    return inc[inc["_unit"] >= 0], [int(c) for c in grid.cells["cell_id"]], grid


def _windows(inc, start, end, freq, wanted):
    """(whole periods inside the operation that the data covers, whole periods before it,
    notes)."""
    notes = []
    first_day = inc["occurred_at"].min().normalize()
    data_end = inc["occurred_at"].max().normalize() + pd.Timedelta(days=1)
    stop = min(end, data_end)
    if stop < end:
        notes.append(f"The data ends on {data_end - pd.Timedelta(days=1):%d %b %Y}, before the "
                     f"operation did: it is checked up to then.")
    inside = [p for p in period_range(start, stop, freq) if p >= start
              and next_period(p, freq) <= stop]
    if not inside:
        raise UnusableInputError(
            f"The operation's dates hold no whole {FREQS[freq]} of data, so its effect cannot "
            f"be measured: choose dates that span at least one whole {FREQS[freq]} "
            + ("(a month, as this data is dated to the month)" if freq == "M" else
               "(Monday to Sunday)") + " inside the data.")
    before = [p for p in period_range(first_day, start, freq)
              if p >= first_day and next_period(p, freq) <= start][-wanted:]
    if len(before) < MIN_BEFORE[freq]:
        raise UnusableInputError(
            f"Only {len(before)} whole {FREQS[freq]}{'s' if len(before) != 1 else ''} of data "
            f"before the operation; at least "
            f"{MIN_BEFORE[freq]} are needed to know what to compare with.")
    return pd.DatetimeIndex(inside), pd.DatetimeIndex(before), notes


def _matrix(inc, universe, starts, freq) -> pd.DataFrame:
    """Crimes per period (rows: ``starts``) and place (columns: ``universe``)."""
    when = period_start(inc["occurred_at"], freq)
    keep = when.isin(starts)
    sub = inc[keep]
    counts = crime_count(sub, [pd.Series(when[keep], index=sub.index), sub["_unit"]])
    table = counts.unstack(fill_value=0) if len(counts) else pd.DataFrame(index=starts)
    return table.reindex(index=starts, columns=universe, fill_value=0).fillna(0).clip(lower=0)


def _forecast(inc, before, periods, freq) -> pd.DataFrame:
    """The forecast of the operation's places for its periods, from the data before it."""
    from crimekit.forecast import ForecastSettings, forecast_series, series_table
    table = series_table(inc, freq, train_end=next_period(before[-1], freq))
    horizon = 1
    p = next_period(before[-1], freq)
    while p < periods[-1]:
        p, horizon = next_period(p, freq), horizon + 1
    out = forecast_series(table, ForecastSettings(freq=freq, horizon=horizon)).forecast
    out = out.assign(ds=pd.to_datetime(out["ds"]))
    return out[out["ds"].isin(periods)].reset_index(drop=True)


def _series(index, n_before, T, C, N, fc) -> pd.DataFrame:
    phase = np.where(np.arange(len(index)) < n_before, "before", "during")
    parts = [pd.DataFrame({"period_start": index, "group": "operation", "crimes": T,
                           "phase": phase})]
    if C is not None:
        parts.append(pd.DataFrame({"period_start": index, "group": "comparison", "crimes": C,
                                   "phase": phase}))
    if N is not None:
        parts.append(pd.DataFrame({"period_start": index, "group": "next door", "crimes": N,
                                   "phase": phase}))
    if fc is not None and len(fc):
        parts.append(pd.DataFrame({"period_start": fc["ds"], "group": "forecast",
                                   "crimes": fc["expected"] if "expected" in fc else fc["yhat"],
                                   "phase": "during"}))
    return pd.concat(parts, ignore_index=True)


def summarise(check: OperationCheck) -> list:
    """Plain sentences: what was recorded, each comparison, displacement and the caveats."""
    what = {"beat": "beat", "cell": "hot spot"}[check.unit]
    around = {"beat": "neighbouring beats", "cell": "cells around them"}[check.unit]
    alike = {"beat": "comparable beats", "cell": "comparable cells"}[check.unit]
    n = len(check.treated)
    span = FREQS[check.freq]
    first, last = check.periods[0], next_period(check.periods[-1], check.freq) - pd.Timedelta(
        days=1)
    s = check.series
    during = s.loc[(s["group"] == "operation") & (s["phase"] == "during"), "crimes"].sum()
    out = [f"The operation's {n} {what}{'s' if n != 1 else ''} recorded {during:,.0f} "
           f"crimes in the {len(check.periods)} whole {span}s from {first:%d %b %Y} to "
           f"{last:%d %b %Y}, compared with the {len(check.before)} {span}s before."]
    if check.vs_forecast is not None and np.isfinite(check.vs_forecast.change):
        e = check.vs_forecast
        out.append(f"Against the forecast made from before the operation ({e.expected:,.0f} "
                   f"expected): {e.words()}.")
    if check.vs_controls is not None:
        e = check.vs_controls
        out.append(f"Against {len(check.controls)} {alike} elsewhere (matched on "
                   f"their crime before the operation): {e.words()}.")
    if check.displacement is not None:
        e = check.displacement
        verdict = ("crime may have moved next door" if e.clear and e.change > 0 else
                   "the benefit seems to have spread next door" if e.clear else
                   "no sign that crime moved next door")
        out.append(f"Next door ({len(check.neighbours)} {around}): {verdict}; "
                   f"{e.words()}.")
    return out + list(check.notes)


def indexed(check: OperationCheck) -> pd.DataFrame:
    """The check's series with each group as a share of its own average before the operation
    (before = 100; the forecast on the operation's scale), so the groups can share one chart:
    ``period_start, group, crimes, index``."""
    s = check.series
    base = s[s["phase"] == "before"].groupby("group")["crimes"].mean()
    base["forecast"] = base.get("operation", np.nan)
    scale = s["group"].map(base).replace(0, np.nan)
    return s.assign(index=100 * s["crimes"] / scale)
