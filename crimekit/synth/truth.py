"""What the synthetic city was drawn from (:class:`CityTruth`), the city itself
(:class:`SyntheticCity`), and the truth per beat and period that models are checked against."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crimekit.periods import check_freq, period_start
from crimekit.schema import Dataset
from crimekit.spatial import assign_beats
from crimekit.synth.people import OVERREPRESENTED

@dataclass(frozen=True)
class CityTruth:
    """What the synthetic city was drawn from.

    Attributes
    ----------
    fine_cells : DataFrame, one row per 50 m cell inside the city: ``x``, ``y`` (metres, CITY_CRS),
        ``lat``, ``lon`` of its centre.
    cell_probs : ndarray (n_heads, n_fine_cells): where each head's incidents fall.
    daily : DataFrame indexed by date, one column per head: expected incidents that day
        (background x 1/(1 - branching ratio) for self-exciting heads).
    heads : tuple of CrimeHead used.
    offenders : DataFrame of the offender population (``person_id``, ``propensity``, ``group_id``,
        ``home_lat``, ``home_lon``, ``prolific``).
    repeat_victims : DataFrame of the repeat-victim pool (``person_id``, ``lat``, ``lon``).
    under_patrolled_night : list of beats whose night risk most exceeds their night patrols.
    holidays : DataFrame ``date``, ``holiday``.
    """

    fine_cells: pd.DataFrame
    cell_probs: np.ndarray
    daily: pd.DataFrame
    heads: tuple
    offenders: pd.DataFrame
    repeat_victims: pd.DataFrame
    under_patrolled_night: list
    holidays: pd.DataFrame
    spots: pd.DataFrame = field(default_factory=pd.DataFrame)
    spot_probs: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    params: dict = field(default_factory=dict)

    def spot_daily(self, categories=None) -> pd.DataFrame:
        """Expected incidents per day from each shifting spot (one column per spots row)."""
        rows = self.spots if categories is None else self.spots[
            self.spots["head"].isin(list(categories))]
        days = self.daily.index
        return pd.DataFrame({i: np.where((days >= r.start) & (days < r.end), r.daily_rate, 0.0)
                             for i, r in rows.iterrows()}, index=days)

    def total_daily(self) -> pd.Series:
        """Expected incidents per day, all heads and spots together."""
        return self.daily.sum(axis=1) + self.spot_daily().sum(axis=1)

    def head_index(self, categories=None) -> list:
        """Positions in ``heads`` of the named categories (all when None)."""
        names = [h.name for h in self.heads]
        if categories is None:
            return list(range(len(names)))
        return [names.index(c) for c in categories if c in names]

    def expected_counts(self, unit_of_fine_cell, *, freq="W", start=None, end=None,
                        categories=None) -> pd.DataFrame:
        """Expected incidents per (period, unit) for any spatial units.

        ``unit_of_fine_cell`` gives, for each row of ``fine_cells``, the unit it belongs to (a
        grid cell id, a beat, ...; NaN/None for none). Periods are those of crimekit.periods
        (weeks start on Monday), but not shifts: the truth is daily, so it cannot be split into
        8-hour shifts. Returns columns ``period_start, unit, expected``.
        """
        check_freq(freq, "expected_counts", allowed=("D", "W", "2W", "M"))
        idx = self.head_index(categories)
        spot_daily = self.spot_daily(categories)
        daily = pd.concat([self.daily.iloc[:, idx], spot_daily], axis=1)
        if start is not None:
            daily = daily[daily.index >= pd.Timestamp(start)]
        if end is not None:
            daily = daily[daily.index < pd.Timestamp(end)]
        per_period = daily.groupby(period_start(daily.index, freq)).sum()
        units = pd.Series(unit_of_fine_cell).reset_index(drop=True)
        keep = units.notna().to_numpy()
        codes, labels = pd.factorize(units[keep])
        maps_ = [self.cell_probs[h] for h in idx] + [
            self.spot_probs[self.spots.loc[i, "spot"]] for i in spot_daily.columns]
        unit_probs = np.zeros((len(maps_), len(labels)))
        for row, probs in enumerate(maps_):
            unit_probs[row] = np.bincount(codes, weights=probs[keep], minlength=len(labels))
        expected = per_period.to_numpy() @ unit_probs
        out = pd.DataFrame(expected, index=per_period.index, columns=labels)
        out = out.rename_axis(index="period_start", columns="unit").stack()
        return out.rename("expected").reset_index()


@dataclass(frozen=True)
class SyntheticCity:
    """A generated city: its canonical dataset and the truth it was drawn from."""

    dataset: Dataset
    truth: CityTruth


def fine_cell_beats(city: SyntheticCity) -> pd.Series:
    """The beat each of the truth's fine cells lies in (None outside every beat)."""
    cells = city.truth.fine_cells
    beats = assign_beats(cells["lat"], cells["lon"], city.dataset.beats)["beat"]
    return beats.replace("", None)


def beat_truth(city: SyntheticCity, freq="W", categories=None) -> pd.DataFrame:
    """Expected incidents per (period, beat): columns ``period_start, beat, expected``."""
    out = city.truth.expected_counts(fine_cell_beats(city), freq=freq, categories=categories)
    return out.rename(columns={"unit": "beat"})


def truth_summary(city: SyntheticCity) -> dict:
    """The generator's known answers, as plain JSON-able facts."""
    t = city.truth
    persons = city.dataset.persons
    counts = persons[persons["role"] == "accused"]["person_id"].value_counts()
    prolific = set(t.offenders.loc[t.offenders["prolific"], "person_id"])
    return {
        "params": t.params,
        "heads": {h.name: {"group": h.group, "heinous": h.heinous,
                           "season_peak_month": h.season_peak_month,
                           "trend_per_year": h.trend_per_year,
                           "near_repeat_branching": h.near_repeat,
                           "journey_km": h.journey_km,
                           "overrepresented_victims": OVERREPRESENTED.get(h.victim_profile)}
                  for h in t.heads},
        "overall_season_peak_month": overall_peak_month(t),
        "prolific_offenders_recorded": sorted(p for p in counts.index if p in prolific),
        "under_patrolled_night_beats": t.under_patrolled_night,
        "holidays": [str(d.date()) for d in t.holidays["date"]],
    }


def overall_peak_month(truth: CityTruth) -> int:
    """The calendar month with the most expected incidents per day, all heads together."""
    total = truth.daily.sum(axis=1)
    detrended = total / total.rolling(365, center=True, min_periods=180).mean()
    return int(detrended.groupby(detrended.index.month).mean().idxmax())
