"""Where a dataset's consistent recording starts, so defaults skip far-past stragglers.

Exports often hold a few crimes recorded decades late (a 1966 offence reported in 2016) or
files coded by month whose occurrence dates reach back years. Counted per month, such
stragglers are a long, thin tail before the months that hold the data. The default date range
and the models start where that tail ends; the stragglers stay in the data, and the page
says what was left out of the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimekit.schema import crime_weights

#: A month with fewer crimes than this share of a typical month is "thin".
THIN_SHARE = 0.1
#: At most this share of the months after the start may be thin.
MAX_THIN_MONTHS = 0.1
#: Below this many crimes in a typical month, thin months are normal: only a gap of empty
#: months this long marks the start.
MIN_TYPICAL = 10
GAP_MONTHS = 24


@dataclass(frozen=True)
class RecordingStart:
    """Attributes: ``start`` (first day of consistent recording, or None when the data has
    none), ``before`` (crimes earlier than it) and ``share_before`` (their share)."""

    start: pd.Timestamp | None
    before: float
    share_before: float

    def describe(self) -> str:
        """One sentence for the page, or "" when nothing is left out."""
        if self.start is None or self.before <= 0:
            return ""
        return (f"Consistent recording starts in {self.start:%B %Y}: {self.before:,.0f} "
                f"earlier crimes ({self.share_before:.1%}) are far-past stragglers, left out "
                "of the default range.")


def recording_start(incidents: pd.DataFrame) -> RecordingStart:
    """Where consistent recording starts (see the module docstring)."""
    when = incidents["occurred_at"]
    ok = when.notna().to_numpy()
    if not ok.any():
        return RecordingStart(None, 0.0, 0.0)
    w = np.abs(crime_weights(incidents))[ok]
    t = when[ok]
    month = (t.dt.year.to_numpy() * 12 + t.dt.month.to_numpy() - 1).astype(np.int64)
    lo = month.min()
    counts = np.bincount(month - lo, weights=w)
    start = _start_index(counts)
    first = pd.Timestamp(year=int((lo + start) // 12), month=int((lo + start) % 12) + 1, day=1)
    before = float(counts[:start].sum())
    total = float(counts.sum())
    return RecordingStart(first, before, before / total if total else 0.0)


def _start_index(c: np.ndarray) -> int:
    if len(c) < 3:
        return 0
    typical = _weighted_median(c)
    if typical < MIN_TYPICAL:
        empty = np.flatnonzero(c == 0)
        runs = np.split(empty, np.flatnonzero(np.diff(empty) != 1) + 1) if len(empty) else []
        long_gaps = [r for r in runs if len(r) >= GAP_MONTHS and r[-1] < len(c) - 1]
        return int(long_gaps[-1][-1] + 1) if long_gaps else 0
    thin = c[:-1] < THIN_SHARE * typical  # the last month may be partial
    # thin months from m on, for every m, and how many months that is
    thin_after = np.cumsum(thin[::-1])[::-1]
    months_after = np.arange(len(thin), 0, -1)
    ok = (thin_after <= MAX_THIN_MONTHS * months_after) & ~thin
    return int(np.argmax(ok)) if ok.any() else len(c) - 1


def _weighted_median(c: np.ndarray) -> float:
    """The monthly count of the month a typical crime falls in."""
    order = np.sort(c[c > 0])
    if not len(order):
        return 0.0
    cum = np.cumsum(order)
    return float(order[np.searchsorted(cum, cum[-1] / 2)])
