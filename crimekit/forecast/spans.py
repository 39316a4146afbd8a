"""The span of a count series a forecast should learn from: where consistent recording starts,
and where the recording level jumps (a new records system, a boundary change).

Real exports carry a few crimes recorded decades late (a city whose records start in 2014 with
a handful of incidents dated 1966-2013), and a new system or a redrawn boundary moves a series'
level overnight. A model fitted on the whole series reads the first as a thousand-fold growth
and the second as a trend, and extrapolates both. Before any model sees a series,
:func:`learning_span` finds

- **jumps**: periods where the series' level on the right differs from its level on the left by
  more than a third (and far beyond the noise): a local line is fitted on each side (half a year
  of weeks, a year of months, eight weeks of days) on the square-root scale, where Poisson
  counts have a constant spread, and the gap between the two lines at the boundary is
  compared with its standard error. Smooth seasons and trends pass without a gap (both lines
  meet), a step does not. Jumps are found one at a time (the largest first, then within each
  side), at most ``MAX_JUMPS``.
- **recording start**: a jump up to at least ``START_RATIO`` times the level before it (or
  from nothing) means recording was not consistent before: everything before it is left out.
  The first periods after it are dropped too while they are implausibly low for the level that
  follows (a part-recorded first week).
- **level shifts**: a smaller jump stays in the span, but the periods before it are scaled to
  the level after it (the factor is reported), so the seasons of earlier years still count and
  no model sees the step as a trend.

Works on one series or a matrix of aligned series (a panel), one row each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crimekit.forecast.series import SEASON

#: Half-width (periods) of the windows either side of a candidate jump.
WINDOW = {"D": 56, "W": 52, "M": 12}
#: Fewest periods on each side of a jump.
MIN_SIDE = {"D": 14, "W": 8, "M": 6}
#: A jump must stand this many standard errors above the noise, both as a gap between the
#: lines fitted either side (abrupt, not a trend) and between the two sides' means (large) ...
MIN_Z_LINES = 5.5
MIN_Z = 6.0
#: ... and move the level by at least this factor (either way).
MIN_RATIO = 1.35
#: A jump up by this factor or more (or from nothing) is where consistent recording starts.
START_RATIO = 3.0
MAX_JUMPS = 3
#: Floor of the noise on the square-root scale (a Poisson count's sd there is about 0.5).
MIN_NOISE = 0.5


@dataclass(frozen=True)
class Jump:
    """A change in a series' recording level at period ``index`` (``ds``): ``factor`` = level
    after / level before; ``kind`` "recording start" or "level shift"."""

    index: int
    ds: pd.Timestamp | None
    factor: float
    z: float
    kind: str


@dataclass(frozen=True)
class LearningSpan:
    """What a forecast learns from in one series.

    Attributes
    ----------
    start : index of the first period learned from (0 = all).
    scale : per-period factor applied to the counts before learning (1 after the last level
        shift; 0 before ``start``).
    jumps : the recording start and level shifts found, in time order.
    left_out_periods, left_out_count : periods and crimes before ``start``.
    """

    start: int
    scale: np.ndarray
    jumps: tuple = field(default_factory=tuple)
    left_out_periods: int = 0
    left_out_count: float = 0.0
    first_ds: pd.Timestamp | None = None
    start_ds: pd.Timestamp | None = None

    @property
    def shifts(self):
        return tuple(j for j in self.jumps if j.kind == "level shift")

    def adjusted(self, y) -> np.ndarray:
        """The counts the models learn from: ``y`` from ``start`` on, levelled."""
        y = np.asarray(y, float)
        return (y * self.scale)[self.start:]

    def describe(self, unit: str = "week") -> str:
        """What was left out or levelled, and why, in plain words ("" when nothing was)."""
        parts = []
        if self.start > 0:
            since = f" (from {self.first_ds:%Y-%m-%d})" if self.first_ds is not None else ""
            crimes = f"{self.left_out_count:,.0f} crimes in " if self.left_out_count else ""
            parts.append(
                f"Learned from {self.start_ds:%Y-%m-%d} on: left out {crimes}the "
                f"{self.left_out_periods} {unit}s before it{since}, because counts there are "
                "far below the level that follows (recording was not yet consistent, e.g. a "
                "few crimes recorded years late).")
        for j in self.shifts:
            parts.append(
                f"The recorded level changed abruptly in the {unit} of {j.ds:%Y-%m-%d} "
                f"(x{j.factor:.2f}; a new records system, a boundary change or a real break): "
                f"the {unit}s before it were scaled to the new level, so the step is not "
                "read as a trend.")
        return " ".join(parts)


def _noise(z):
    """Robust spread of ``z`` from its first differences (floor MIN_NOISE)."""
    d = np.diff(z)
    if len(d) < 4:
        return MIN_NOISE
    mad = np.median(np.abs(d - np.median(d))) * 1.4826 / np.sqrt(2)
    return max(float(mad), MIN_NOISE)


def _side_fits(cz, ctz, ct, ctt, a, b, x):
    """Values and variance factors at ``x`` of lines fitted to ``z[a:b]`` (arrays of window
    bounds, from cumulative sums ``c*``; a mean for windows shorter than 6): (value, v) with
    var = sigma^2 * v."""
    k = (b - a).astype(float)
    s1, st, stt, szt = cz[b] - cz[a], ct[b] - ct[a], ctt[b] - ctt[a], ctz[b] - ctz[a]
    tm, zm = st / k, s1 / k
    sxx = stt - st * tm
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(k >= 6, (szt - st * zm) / sxx, 0.0)
        v = np.where(k >= 6, 1.0 / k + (x - tm) ** 2 / sxx, 1.0 / k)
    return zm + slope * (x - tm), v


def _scan(z, lo, hi, w, wmin, sigma):
    """The largest jump in ``z[lo:hi]``: (index, score, level ratio) or None; the score is
    the smaller of the two z-scores over their thresholds (>= 1 passes both)."""
    t = np.arange(lo + wmin, hi - wmin + 1)
    if not len(t):
        return None
    idx = np.arange(len(z), dtype=float)
    cz = np.concatenate([[0.0], np.cumsum(z)])
    ctz = np.concatenate([[0.0], np.cumsum(idx * z)])
    ct = np.concatenate([[0.0], np.cumsum(idx)])
    ctt = np.concatenate([[0.0], np.cumsum(idx * idx)])
    x = t - 0.5
    left, vl = _side_fits(cz, ctz, ct, ctt, np.maximum(lo, t - w), t, x)
    right, vr = _side_fits(cz, ctz, ct, ctt, t, np.minimum(hi, t + w), x)
    lines = (right - left) / (sigma * np.sqrt(vl + vr))
    a, b = np.maximum(lo, t - w), np.minimum(hi, t + w)
    means = ((cz[b] - cz[t]) / (b - t) - (cz[t] - cz[a]) / (t - a)) / (
        sigma * np.sqrt(1.0 / (b - t) + 1.0 / (t - a)))
    score = np.where(np.sign(lines) == np.sign(means),
                     np.sign(lines) * np.minimum(np.abs(lines) / MIN_Z_LINES,
                                                 np.abs(means) / MIN_Z), 0.0)
    i = int(np.argmax(np.abs(score)))
    before, after = max(left[i], 0.0) ** 2, max(right[i], 0.0) ** 2
    ratio = np.inf if before <= 1e-9 else after / before
    return int(t[i]), float(score[i]), float(ratio)


def season_position(ds, freq: str, n: int) -> np.ndarray:
    """Each period's place in its season: week of the year (0-51), month (0-11) or weekday."""
    if ds is None:
        return np.arange(n) % SEASON[freq]
    ds = pd.DatetimeIndex(ds)
    if freq == "M":
        return ds.month.to_numpy() - 1
    if freq == "D":
        return ds.day_of_week.to_numpy()
    return np.minimum((ds.day_of_year.to_numpy() - 1) // 7, 51)


def rough_season(y, pos, freq: str) -> np.ndarray:
    """A rough multiplicative season per period (1 = average): counts over their centred
    moving average, summed per season position (robust to small counts, shrunk to 1)."""
    y = np.asarray(y, float)
    m = SEASON[freq]
    if len(y) < 2 * m:
        return np.ones(len(y))
    kernel = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    ma = np.convolve(y, kernel, mode="same")
    half = len(kernel) // 2
    ok = np.zeros(len(y), bool)
    ok[half:len(y) - half] = True
    num = np.bincount(pos[ok], y[ok], minlength=m) + 20.0
    den = np.bincount(pos[ok], ma[ok], minlength=m) + 20.0
    prof = num / den
    if freq == "W":  # neighbouring weeks share a season: smooth around the year
        prof = np.convolve(np.r_[prof[-2:], prof, prof[:2]], np.ones(5) / 5, mode="valid")
    prof = prof / prof.mean()
    return np.clip(prof[pos], 0.2, 5.0)


def find_jumps(y, freq: str = "W", ds=None) -> list:
    """Jumps in the recording level of counts ``y`` (``ds`` their period starts, for the
    season): [(index, z, factor)], in time order."""
    y = np.clip(np.asarray(y, float), 0, None)
    z = np.sqrt(y / rough_season(y, season_position(ds, freq, len(y)), freq))
    w, wmin = WINDOW[freq], MIN_SIDE[freq]
    sigma = _noise(z)
    found, segments = [], [(0, len(z))]
    while segments and len(found) < MAX_JUMPS:
        lo, hi = segments.pop(0)
        if hi - lo < 2 * wmin:
            continue
        best = _scan(z, lo, hi, w, wmin, sigma)
        if best is None:
            continue
        t, score, ratio = best
        if abs(score) >= 1 and (ratio >= MIN_RATIO or ratio <= 1 / MIN_RATIO):
            found.append((t, score, ratio))
            segments += [(lo, t), (t, hi)]
    return sorted(found)


def learning_span(y, ds=None, freq: str = "W") -> LearningSpan:
    """The span of counts ``y`` (one per period, oldest first; ``ds`` their period starts) to
    learn from, and the levelling of the periods before any level shift."""
    y = np.asarray(y, float)
    n = len(y)
    ds = None if ds is None else pd.DatetimeIndex(ds)
    # the recording start first; then the jumps (and the noise) within the span after it
    start = 0
    for _ in range(3):
        sub = None if ds is None else ds[start:]
        jumps = [(t + start, z, r) for t, z, r in find_jumps(y[start:], freq, sub)]
        new_start = max([start] + [t for t, _z, r in jumps if r >= START_RATIO])
        new_start = _skip_low_start(y, new_start, freq)
        if new_start == start:
            break
        start = new_start
    plain = y / rough_season(np.clip(y, 0, None), season_position(ds, freq, n), freq)
    scale = np.ones(n)
    scale[:start] = 0.0
    kept = []
    # level shifts after the start, latest first: each scales everything before it
    for t, score, ratio in sorted(jumps, reverse=True):
        if t <= start:
            continue
        w = WINDOW[freq]
        lo, hi = max(start, t - w), min(n, t + w)
        before = float((plain[lo:t] * scale[lo:t]).mean())
        after = float((plain[t:hi] * scale[t:hi]).mean())
        factor = after / before if before > 0 else ratio
        scale[start:t] *= factor
        kept.append(Jump(t, None if ds is None else ds[t], float(factor), score, "level shift"))
    if start > 0:
        kept.append(Jump(start, None if ds is None else ds[start],
                         float("inf"), float("nan"), "recording start"))
    return LearningSpan(start=start, scale=scale, jumps=tuple(sorted(kept, key=lambda j: j.index)),
                        left_out_periods=start, left_out_count=float(y[:start].sum()),
                        first_ds=None if ds is None or not n else ds[0],
                        start_ds=None if ds is None or start >= n else ds[start])


def _skip_low_start(y, start, freq, most: int = 4):
    """Move ``start`` past leading periods far below the level that follows (at most
    ``most``): a first week recorded in part, the first days of a new system."""
    w = WINDOW[freq]
    for _ in range(most):
        if start + w >= len(y):
            break
        level = float(np.median(y[start + 1:start + 1 + w]))
        if level >= 4 and y[start] < 0.6 * level and level - y[start] > 4 * np.sqrt(level):
            start += 1
        else:
            break
    return start


def learning_spans(matrix, ds=None, freq: str = "W") -> list:
    """:func:`learning_span` of each row of ``matrix`` (aligned series of a panel)."""
    return [learning_span(row, ds, freq) for row in np.asarray(matrix, float)]


__all__ = ["Jump", "LearningSpan", "find_jumps", "learning_span", "learning_spans"]
