"""Which places an operation check compares: next door, comparable places, the hot spots an
operation would have targeted, and what the "Did it work?" page offers to choose from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimekit.schema import crime_count, freq_for
from crimekit.periods import period_start
from crimekit.operations.settings import UNITS


def neighbours_of(dataset, inc, treated, unit, grid) -> list:
    """Places next to the operation: touching beat polygons, else the 4 beats nearest each
    treated beat (by its crimes' median position); the ring of cells around treated cells.
    ``inc``: the incidents with their place in ``_unit``."""
    if unit == "cell":
        kept = set(grid.cells["cell_id"].tolist())
        out = set()
        for cid in treated:
            row, col = divmod(int(cid), grid.n_cols)
            out |= {r * grid.n_cols + c for r in (row - 1, row, row + 1)
                    for c in (col - 1, col, col + 1) if 0 <= c < grid.n_cols
                    and r * grid.n_cols + c in kept}
        return sorted(out)
    beats = dataset.beats
    if beats is not None and len(beats):
        poly = beats.assign(beat=beats["beat"].astype(str))
        poly = poly.to_crs(poly.estimate_utm_crs())
        zone = poly[poly["beat"].isin(treated)].buffer(5).union_all()
        return sorted(poly.loc[poly.intersects(zone), "beat"])
    located = inc[inc["lat"].notna()]
    mid = located.groupby("_unit")[["lat", "lon"]].median()
    out = set()
    for beat in treated:
        if beat not in mid.index:
            continue
        d = np.hypot(mid["lat"] - mid.loc[beat, "lat"],
                     (mid["lon"] - mid.loc[beat, "lon"]) * np.cos(np.radians(mid.loc[beat,
                                                                                     "lat"])))
        out |= set(d.drop(beat).nsmallest(4).index)
    return sorted(out)


def matched_controls(counts, treated, candidates, n_before, per_unit) -> list:
    """For each treated place (busiest first), the ``per_unit`` unused candidates nearest to
    it in crimes per period before the operation (on a log scale); quiet candidates (no crime
    before) are left out."""
    level = np.log1p(counts.iloc[:n_before].mean())
    pool = level[[c for c in candidates if counts.iloc[:n_before][c].sum() > 0]]
    chosen = []
    for place in level[list(treated)].sort_values(ascending=False).index:
        if not len(pool):
            break
        nearest = (pool - level[place]).abs().sort_values(kind="stable").index[:per_unit]
        chosen += list(nearest)
        pool = pool.drop(nearest)
    return chosen




def top_cells_before(dataset, grid, start, n: int = 10, weeks: int = 13, district=None) -> list:
    """The ``n`` cells of ``grid`` with the most crime in the ``weeks`` before ``start`` (the
    hot spots an operation starting then would have targeted), optionally in one district."""
    start = pd.Timestamp(start)
    inc = dataset.incidents
    inc = inc[(inc["occurred_at"] < start) & (inc["occurred_at"] >= start - pd.Timedelta(
        weeks=weeks))]
    if district:
        inc = inc[inc["district"].astype(str) == str(district)]
    cells = pd.Series(grid.cell_of(inc["lat"], inc["lon"]), index=inc.index)
    counts = crime_count(inc[cells >= 0], cells[cells >= 0])
    return [int(c) for c in counts.index[:n]]


def busiest_beats_before(dataset, start, n: int = 3, weeks: int = 13) -> list:
    """The ``n`` beats with the most crime in the ``weeks`` before ``start``."""
    from crimekit.patrol.risk import located_incidents
    start = pd.Timestamp(start)
    inc = located_incidents(dataset)
    inc = inc[(inc["occurred_at"] < start) & (inc["occurred_at"] >= start - pd.Timedelta(
        weeks=weeks))]
    return [str(b) for b in crime_count(inc, "beat").index[:n]]


def default_window(incidents: pd.DataFrame) -> tuple:
    """(start, end) of an example operation: the last 13 whole weeks of the data (6 whole
    months for month-dated data)."""
    freq, _ = freq_for(incidents, "W")
    stop = incidents["occurred_at"].max().normalize() + pd.Timedelta(days=1)
    end = period_start(stop, freq)
    start = end - pd.DateOffset(months=6) if freq == "M" else end - pd.Timedelta(weeks=13)
    return pd.Timestamp(start), pd.Timestamp(end)


@dataclass(frozen=True)
class OperationChoices:
    """What a dataset lets an operation check choose from.

    units : the kinds of place it can check (beats when crimes name them or polygons exist,
        cells when crimes have coordinates).
    beats : every beat named by a crime or a polygon.
    first_day, last_day : the data's first and last days.
    start, last : an example operation, the last 13 whole weeks (6 whole months for
        month-dated data), as its first and last days within the data.
    busiest : the three busiest beats before the example (preselected).
    """

    units: tuple
    beats: tuple
    first_day: pd.Timestamp
    last_day: pd.Timestamp
    start: pd.Timestamp
    last: pd.Timestamp
    busiest: tuple


def operation_choices(dataset) -> OperationChoices:
    """The :class:`OperationChoices` of ``dataset``."""
    inc = dataset.incidents
    has_beats = inc["beat"].astype(str).ne("").any() or dataset.beats is not None
    has_points = inc["lat"].notna().any()
    units = tuple(u for u in UNITS if (u == "beat" and has_beats) or (u == "cell" and has_points))
    beats = set(inc["beat"].astype(str)) - {""}
    if dataset.beats is not None:
        beats |= set(dataset.beats["beat"].astype(str))
    first, last = inc["occurred_at"].min().normalize(), inc["occurred_at"].max().normalize()
    start, end = default_window(inc)
    start = min(max(start, first), last)
    last_op = min(max(end - pd.Timedelta(days=1), start), last)
    busiest = tuple(busiest_beats_before(dataset, default_window(inc)[0], 3)) if has_beats \
        else ()
    return OperationChoices(units, tuple(sorted(beats)), first, last, start, last_op, busiest)
