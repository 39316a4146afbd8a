"""Hot areas when crimes are located by area, not by point: rank the areas for next period.

Counts per community or LSOA (Calgary's statistics, police.uk's LSOAs) cannot feed the grid
hotspot models, which need coordinates. Here each area's crimes per period are forecast by a
few honest baselines (the last period, the mean of the last 3 or 12, the same period last
year, all history), each backtested over the last periods on how much of the next period's
crime the top-ranked areas held, with areas flagged until they cover a share of the land (so a
big area is not favoured for its size). The best baseline ranks the areas; its expected count
comes with an 80% Poisson range (``expected_low``, ``expected_high``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from crimekit.errors import UnusableInputError
from crimekit.stats import poisson_band
from crimekit.periods import FREQS, next_period, period_range, period_start
from crimekit.schema import crime_count, freq_for

#: Shares of the land flagged when scoring a ranking (the coverage, as for grid cells).
COVERAGES = (0.10, 0.25)
METHODS = ("last period", "mean of last 3", "mean of last 12", "same period last year",
           "all history")
_YEAR = {"W": 52, "M": 12, "D": 364}


@dataclass(frozen=True)
class AreaRanking:
    """Attributes: ``table`` (one row per area, best first: area, district, expected,
    expected_low, expected_high (its 80% range), recent, km2, per_km2), ``method`` (the
    baseline chosen by backtest), ``backtest`` (method x coverage, the share of the land
    flagged: mean hit rate and PAI over the test periods), ``freq`` and
    ``period`` (the period ranked), ``note`` (why the period length changed, or "")."""

    table: pd.DataFrame
    method: str
    backtest: pd.DataFrame
    freq: str
    period: pd.Timestamp
    note: str = ""

    @property
    def period_word(self) -> str:
        """The ranked period's length in words ("week")."""
        return FREQS.get(self.freq, "period")


def area_counts(incidents: pd.DataFrame, areas, freq: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """(period starts, crimes per period x area in ``areas`` order), zero-filled."""
    names = list(areas["beat"])
    inc = incidents[incidents["beat"].isin(set(names)) & incidents["occurred_at"].notna()]
    if not len(inc):
        raise UnusableInputError("No crime is placed in one of the areas, so no area can be "
                                 "ranked: check that the area names match the polygons.")
    starts = period_start(inc["occurred_at"], freq)
    periods = period_range(starts.min(), next_period(starts.max(), freq), freq)
    table = crime_count(inc, [starts, inc["beat"]]).unstack(fill_value=0)
    table = table.reindex(index=periods, columns=names, fill_value=0)
    return periods, np.clip(table.to_numpy(float), 0, None)


def baseline_scores(history: np.ndarray, method: str, freq: str) -> np.ndarray:
    """Expected crimes per area next period from ``history`` (periods x areas)."""
    n = len(history)
    if method == "last period":
        return history[-1]
    if method == "mean of last 3":
        return history[-3:].mean(axis=0)
    if method == "mean of last 12":
        return history[-12:].mean(axis=0)
    if method == "same period last year":
        back = _YEAR[freq]
        return history[n - back] if n >= back else history.mean(axis=0)
    return history.mean(axis=0)


def land_metrics(scores, counts, km2, coverage: float) -> tuple[float, float]:
    """(hit rate, PAI) of flagging the top-scored areas until ``coverage`` (a share) of the
    land is covered (the area that crosses the line counted in part)."""
    order = np.lexsort((-km2, -scores))  # ties: larger areas last
    land = km2[order].cumsum() / km2.sum()
    prev = np.r_[0.0, land[:-1]]
    part = np.clip((coverage - prev) / (land - prev), 0, 1)
    total = counts.sum()
    hit = float((counts[order] * part).sum() / total) if total else np.nan
    return hit, hit / coverage if total else np.nan


def rank_areas(incidents: pd.DataFrame, areas, *, freq: str = "W",
               test_periods: int = 12) -> AreaRanking:
    """Rank the areas for the period after the data (see the module docstring)."""
    if areas is None or not len(areas):
        raise UnusableInputError("The dataset has no area polygons to rank; import them on "
                                 "the Data page.")
    freq, note = freq_for(incidents, freq)
    periods, counts = area_counts(incidents, areas, freq)
    km2 = areas.to_crs(areas.estimate_utm_crs()).area.to_numpy() / 1e6
    n_test = min(test_periods, len(periods) - 3)
    rows = []
    for method in METHODS:
        for t in range(len(periods) - n_test, len(periods)) if n_test > 0 else ():
            s = baseline_scores(counts[:t], method, freq)
            for coverage in COVERAGES:
                hit, pai = land_metrics(s, counts[t], km2, coverage)
                rows.append((method, coverage, hit, pai))
    bt = pd.DataFrame(rows, columns=["method", "coverage", "hit_rate", "pai"])
    bt = bt.groupby(["method", "coverage"], sort=False).mean().reset_index()
    if len(bt):
        first = bt[bt["coverage"] == COVERAGES[0]].set_index("method")["hit_rate"]
        method = str(first.idxmax())
    else:
        method, note = "all history", (note + " Too few periods to backtest the rankings: "
                                       "ranked by the all-history mean.").strip()
    expected = baseline_scores(counts, method, freq)
    low, high = poisson_band(expected)
    table = pd.DataFrame({
        "area": list(areas["beat"]), "district": list(areas.get("district", "")),
        "expected": expected.round(2), "expected_low": low, "expected_high": high,
        "recent": counts[-1], "km2": km2.round(2),
        "per_km2": np.where(km2 > 0, expected / np.maximum(km2, 1e-9), 0).round(2)})
    table = table.sort_values(["expected", "area"], ascending=[False, True],
                              ignore_index=True)
    return AreaRanking(table, method, bt, freq, next_period(periods[-1], freq), note)
