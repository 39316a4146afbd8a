"""Dosage: hot spot visits within the beats a plan staffs, the top cells per beat and shift,
with a Koper-curve rhythm of short, repeated stops."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.patrol.risk import located_incidents
from crimekit.schema import crime_count, shift_order

#: Columns of a visit list, one row per hot spot of a staffed beat and shift.
VISIT_COLUMNS = ("beat", "shift", "officers", "rank", "cell_id", "lat", "lon", "recorded",
                 "stops")


def hot_spot_visits(dataset, plan_table: pd.DataFrame, *, cell_size: float = 150.0,
                    top: int = 3, lookback_days: int = 365, stops_per_spot: int = 4,
                    stop_minutes: int = 15, seed: int = 0) -> pd.DataFrame:
    """Hot spots to visit within each beat and shift that the plan staffs, with a Koper-curve
    rhythm: short stops (``stop_minutes``, 10-15 min deter best) repeated about every
    ``8 / stops_per_spot`` hours at each hot spot, in a random order within each round.

    Hot spots are the ``top`` grid cells (``cell_size`` m) with the most incidents recorded in
    that beat and shift in the last ``lookback_days``. ``dataset``: the plan's inputs' dataset
    (its beats are the plan's areas). Returns :data:`VISIT_COLUMNS` (``stops``: "06:25, 08:05,
    ..."); empty for data without times of day.
    """
    from crimekit.schema import SHIFT_START_HOURS
    from crimekit.spatial import grid_for

    cols = list(VISIT_COLUMNS)
    if not set(plan_table["shift"]) <= set(SHIFT_START_HOURS):
        return pd.DataFrame({c: [] for c in cols})  # no times of day: no timed visits
    inc = located_incidents(dataset)
    inc = inc[inc["occurred_at"] >= inc["occurred_at"].max() - pd.Timedelta(days=lookback_days)]
    inc = inc[inc["lat"].notna() & inc["lon"].notna()]
    staffed = plan_table[plan_table["officers"] > 0][["beat", "shift", "officers"]]
    if not len(inc) or not len(staffed):
        return pd.DataFrame({c: [] for c in cols})
    grid = grid_for(dataset.incidents, cell_size=cell_size, beats=dataset.beats)
    inc = inc.assign(cell_id=grid.cell_of(inc["lat"], inc["lon"]))
    counts = crime_count(inc[inc["cell_id"] >= 0], ["beat", "shift", "cell_id"])
    counts = counts.rename("recorded").reset_index().sort_values(
        ["beat", "shift", "recorded", "cell_id"], ascending=[True, True, False, True])
    counts["rank"] = counts.groupby(["beat", "shift"]).cumcount() + 1
    spots = staffed.merge(counts[counts["rank"] <= top], on=["beat", "shift"])
    centres = grid.cells.set_index("cell_id")[["lat", "lon"]]
    spots = spots.join(centres, on="cell_id")
    rng = np.random.default_rng(seed)
    stops = {}
    for (beat, shift), grp in spots.groupby(["beat", "shift"], sort=False):
        times = koper_schedule(len(grp), SHIFT_START_HOURS[shift], stops_per_spot=stops_per_spot,
                               stop_minutes=stop_minutes, rng=rng)
        for idx, minutes in zip(grp.index, times):
            stops[idx] = ", ".join(f"{(m // 60) % 24:02d}:{m % 60:02d}" for m in minutes)
    spots["stops"] = pd.Series(stops)
    order = spots.sort_values(["beat", "shift", "rank"], key=shift_order)
    return order[cols].reset_index(drop=True)


def koper_schedule(n_spots: int, start_hour: int, *, hours: int = 8, stops_per_spot: int = 4,
                   stop_minutes: int = 15, rng=None) -> list:
    """Stop start times (minutes after midnight) for each of ``n_spots`` hot spots over a shift:
    ``stops_per_spot`` rounds spread evenly over the shift; within each round the spots are
    visited one after another in a random order, each stop lasting ``stop_minutes``."""
    rng = rng if rng is not None else np.random.default_rng(0)
    round_len = hours * 60 // stops_per_spot
    out = [[] for _ in range(n_spots)]
    for r in range(stops_per_spot):
        gap = max(round_len // max(n_spots, 1), stop_minutes)
        for slot, spot in enumerate(rng.permutation(n_spots)):
            out[spot].append(start_hour * 60 + r * round_len + 10 + slot * gap)
    return out
