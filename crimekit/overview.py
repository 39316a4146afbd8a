"""This period against the previous one and the same period last year, and what is rising.

"This period" is the last ``days`` days of the data (ending with its last incident's day), so
the comparison is about the most recent complete picture a commander has. Changes are tested
for chance: given the counts of two equal-length periods, an exact binomial test asks how likely
a rise this large is if the underlying rate had not changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.errors import ParameterError
from crimekit.schema import crime_count


@dataclass(frozen=True)
class Periods:
    """The three windows compared, as [start, end) timestamps."""

    current: tuple
    previous: tuple
    last_year: tuple

    def label(self) -> str:
        """e.g. '25 Nov - 22 Dec 2025'."""
        start, end = self.current
        return f"{start:%d %b} - {end - pd.Timedelta(days=1):%d %b %Y}"


def periods_ending(end, days: int = 28) -> Periods:
    """The last ``days`` days up to and including ``end``'s day, the ``days`` before them, and
    the same dates a year earlier (52 weeks, so weekdays line up)."""
    if not (isinstance(days, (int, np.integer)) and 1 <= days <= 366):
        raise ParameterError.invalid("days", "periods_ending", "a whole number of days in "
                                     "[1, 366]", days)
    stop = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
    span = pd.Timedelta(days=int(days))
    year = pd.Timedelta(weeks=52)
    return Periods((stop - span, stop), (stop - 2 * span, stop - span),
                   (stop - span - year, stop - year))


def _count(incidents, window, by):
    when = incidents["occurred_at"]
    inside = incidents[(when >= window[0]) & (when < window[1])]
    if by is None:
        return pd.Series({"all": crime_count(inside)})
    return crime_count(inside, by)


def compare_periods(incidents: pd.DataFrame, *, days: int = 28, by: str | None = None,
                    end=None) -> pd.DataFrame:
    """Counts per group in the current, previous and last year's windows, with changes.

    Returns columns ``group, current, previous, last_year, change_vs_previous,
    change_vs_last_year`` (relative changes, NaN when the base is 0) and ``p_rise`` (one-sided
    exact test that current exceeds previous by more than chance), sorted by ``current``.
    """
    if by is not None and by not in incidents:
        raise ParameterError(f"Cannot compare by {by!r}: the incidents have no such column.")
    end = end if end is not None else incidents["occurred_at"].max()
    if pd.isna(end):
        return pd.DataFrame(columns=["group", "current", "previous", "last_year",
                                     "change_vs_previous", "change_vs_last_year", "p_rise"])
    windows = periods_ending(end, days)
    table = pd.DataFrame({"current": _count(incidents, windows.current, by),
                          "previous": _count(incidents, windows.previous, by),
                          "last_year": _count(incidents, windows.last_year, by)})
    table = table.fillna(0).astype(int)
    table = table[table.index.astype(str) != ""]
    table["change_vs_previous"] = _relative(table["current"], table["previous"])
    table["change_vs_last_year"] = _relative(table["current"], table["last_year"])
    table["p_rise"] = [rise_p_value(c, p) for c, p in zip(table["current"], table["previous"])]
    table = table.rename_axis("group").reset_index()
    return table.sort_values(["current", "group"], ascending=[False, True],
                             ignore_index=True)


def _relative(now, before):
    return (now - before) / before.where(before > 0)


def rise_p_value(current: int, previous: int) -> float:
    """P(a split at least this lopsided | equal rates): exact one-sided binomial test."""
    current, previous = max(int(current), 0), max(int(previous), 0)  # net counts can be < 0
    total = current + previous
    if total == 0:
        return 1.0
    return float(stats.binomtest(int(current), total, 0.5, alternative="greater").pvalue)


def rising(incidents: pd.DataFrame, by: str, *, days: int = 28, top: int = 5,
           min_current: int = 5, alpha: float = 0.05) -> pd.DataFrame:
    """The groups (crime heads, beats...) rising most against the previous period.

    Keeps groups with at least ``min_current`` incidents now and a rise unlikely by chance
    (``p_rise < alpha``), ordered by the size of the rise.
    """
    table = compare_periods(incidents, days=days, by=by)
    table = table[(table["current"] >= min_current) & (table["p_rise"] < alpha)
                  & (table["current"] > table["previous"])]
    table = table.assign(rise=table["current"] - table["previous"])
    return table.sort_values(["rise", "p_rise"], ascending=[False, True]).head(top)
