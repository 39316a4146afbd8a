"""Features for hotspot models, built from the past only, for many periods at once.

Incidents are first counted into a :class:`CountCube`: a (periods x cells) matrix of counts of
the chosen crime heads (and one of all other heads), over contiguous periods of one frequency.
:func:`build_features` then computes, for any set of period positions ``t``, a feature table
that uses only ``counts[:t]`` (incidents that occurred before period ``t`` started): windowed
sums from cumulative sums, exponentially decayed counts, spatial smoothing by 2-D filters on
the grid's raster, calendar terms and static covariates. Everything is vectorised over periods
and cells, so a backtest of a year of weekly periods costs one pass, not one per week.

Frequencies: ``"D"`` day, ``"S"`` shift (8 h from 06:00, 14:00, 22:00), ``"W"`` week (from
Monday), ``"2W"`` two weeks (from a fixed Monday), ``"M"`` month; see crimekit.periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import ndimage, signal

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.periods import (PERIODS_PER_WEEK, PERIODS_PER_YEAR, check_freq, next_period,
                              period_offset, period_range, period_start, weeks_to_periods)
from crimekit.schema import crime_weights
from crimekit.spatial import Grid

_MAX_POI_KINDS = 8


@dataclass(frozen=True)
class CountCube:
    """Counts per (period, cell), for contiguous periods; row ``t`` is period ``periods[t]``.

    Attributes
    ----------
    freq : one of crimekit.periods.FREQS.
    periods : DatetimeIndex of period starts (contiguous), length P.
    grid : the Grid whose kept cells are the columns, in ``grid.cells`` order.
    counts : float32 array (P, N): incidents of the chosen crime heads.
    other : float32 array (P, N): incidents of every other head (context for the model).
    categories : tuple of the chosen heads (empty = all heads).
    pois : float32 array (N, K) of points of interest per cell by kind, and ``poi_kinds``.
    """

    freq: str
    periods: pd.DatetimeIndex
    grid: Grid
    counts: np.ndarray
    other: np.ndarray
    categories: tuple = ()
    pois: np.ndarray | None = None
    poi_kinds: tuple = ()

    @property
    def cell_ids(self) -> np.ndarray:
        return self.grid.cells["cell_id"].to_numpy()

    @property
    def n_periods(self) -> int:
        return len(self.periods)

    def start_of(self, t) -> pd.DatetimeIndex:
        """Period starts for positions ``t`` (``t == n_periods`` is the period after the data)."""
        t = np.atleast_1d(np.asarray(t))
        ext = self.periods.append(pd.DatetimeIndex([next_period(self.periods[-1], self.freq)]))
        return ext[t]

    def position_of(self, period) -> int:
        """Position of the period containing timestamp ``period`` (may be n_periods or more)."""
        return period_offset(period_start(period, self.freq), self.periods[0], self.freq)


def count_cube(incidents: pd.DataFrame, grid: Grid, *, freq: str = "W", until=None,
               categories=None, first=None, pois: pd.DataFrame | None = None) -> CountCube:
    """Count incidents per (period, cell) for every period from the first incident's (or
    ``first``'s) period up to ``until`` (exclusive; default: the end of the last incident's
    period). Incidents on or after ``until`` and outside the grid are ignored."""
    check_freq(freq, "count_cube")
    ts = pd.to_datetime(incidents["occurred_at"])
    ok = ts.notna().to_numpy() & incidents["lat"].notna().to_numpy()
    if until is not None:
        ok &= (ts < pd.Timestamp(until)).to_numpy()
    if not ok.any():
        raise UnusableInputError("No incident with a date and coordinates is left to count, so "
                                 "no hotspot model can be fitted: widen the date range.")
    inc = incidents[ok]
    start = pd.Timestamp(first) if first is not None else ts[ok].min()
    stop = pd.Timestamp(until) if until is not None else next_period(
        period_start(ts[ok].max(), freq), freq)
    periods = period_range(start, stop, freq)
    if not len(periods):
        raise UnusableInputError("The chosen dates leave no whole period to count: "
                                 "choose an end after the first incident.")
    starts = period_start(inc["occurred_at"], freq)
    pos = period_offset(starts, periods[0], freq)
    cell = grid.cell_of(inc["lat"], inc["lon"])
    col = pd.Index(grid.cells["cell_id"]).get_indexer(cell)
    keep = (col >= 0) & (pos >= 0) & (pos < len(periods))
    chosen = np.ones(len(inc), bool) if not categories else \
        inc["category"].isin(list(categories)).to_numpy()
    shape = (len(periods), len(grid.cells))
    w = crime_weights(inc)
    counts = _bincount2(pos[keep & chosen], col[keep & chosen], shape, w[keep & chosen])
    other = _bincount2(pos[keep & ~chosen], col[keep & ~chosen], shape, w[keep & ~chosen])
    poi_mat, kinds = _poi_matrix(pois, grid)
    return CountCube(freq, periods, grid, counts, other, tuple(categories or ()), poi_mat, kinds)


def _bincount2(rows, cols, shape, weights=None) -> np.ndarray:
    """Crimes per (row, col): the sum of ``weights`` (each row's ``count``) in each cell."""
    flat = np.bincount(rows * shape[1] + cols, weights=weights, minlength=shape[0] * shape[1])
    # a reversal whose crime lies outside the data would leave a negative count: models need >= 0
    return np.maximum(flat, 0).reshape(shape).astype(np.float32)


def _poi_matrix(pois, grid):
    if pois is None or not len(pois):
        return np.zeros((len(grid.cells), 0), np.float32), ()
    kinds = tuple(pois["kind"].astype(str).value_counts().index[:_MAX_POI_KINDS])
    col = pd.Index(grid.cells["cell_id"]).get_indexer(grid.cell_of(pois["lat"], pois["lon"]))
    out = np.zeros((len(grid.cells), len(kinds)), np.float32)
    for k, kind in enumerate(kinds):
        sel = (pois["kind"].astype(str).to_numpy() == kind) & (col >= 0)
        out[:, k] = np.bincount(col[sel], minlength=len(grid.cells))
    return out, kinds


# --- features ------------------------------------------------------------------------------------

class History:
    """Cumulative sums and decayed sums of one count matrix, shared by every feature."""

    def __init__(self, counts, freq):
        self.c = counts
        self.cum = np.vstack([np.zeros((1, counts.shape[1]), np.float64),
                              np.cumsum(counts, axis=0, dtype=np.float64)])
        self.freq = freq

    def window(self, t, weeks) -> np.ndarray:
        """Sum of counts over the ``weeks`` before each period t: shape (len(t), N)."""
        w = weeks_to_periods(weeks, self.freq)
        return self.cum[t] - self.cum[np.maximum(t - w, 0)]

    def lag(self, t, k) -> np.ndarray:
        """Counts ``k`` periods before each t (zero before the data starts)."""
        src = t - k
        out = self.c[np.clip(src, 0, len(self.c) - 1)].astype(np.float64)
        out[src < 0] = 0.0
        return out

    def decayed(self, t, half_life_weeks) -> np.ndarray:
        """Exponentially decayed counts before each t: sum_s<t c[s] * 0.5**((t-1-s)/h)."""
        lam = 0.5 ** (1.0 / max(half_life_weeks * PERIODS_PER_WEEK[self.freq], 1e-9))
        ewm = signal.lfilter([1.0], [1.0, -lam], self.c, axis=0)
        out = np.zeros((len(t), self.c.shape[1]))
        has = t > 0
        out[has] = ewm[t[has] - 1]
        return out


def raster_smooth(values, grid, size=None, sigma=None) -> np.ndarray:
    """Spatially smoothed values (rows = periods, columns = cells) on the grid's raster:
    a box sum over size x size cells or a Gaussian of ``sigma`` cells (outside = 0)."""
    rows, cols = grid.cells["row"].to_numpy(), grid.cells["col"].to_numpy()
    r0, c0 = rows.min(), cols.min()
    ras = np.zeros((values.shape[0], rows.max() - r0 + 1, cols.max() - c0 + 1), np.float32)
    ras[:, rows - r0, cols - c0] = values
    if size is not None:
        out = ndimage.uniform_filter(ras, size=(1, size, size), mode="constant") * size * size
    else:
        out = ndimage.gaussian_filter(ras, sigma=(0, sigma, sigma), mode="constant",
                                      truncate=3.0)
    return out[:, rows - r0, cols - c0]


def periods_since(counts, t) -> np.ndarray:
    """Periods since each cell last had an incident, before each t (t+1 when never)."""
    n = len(counts)
    idx = np.where(counts > 0, np.arange(n)[:, None], -1)
    last = np.maximum.accumulate(idx, axis=0)
    prev = np.full((len(t), counts.shape[1]), -1)
    has = t > 0
    prev[has] = last[t[has] - 1]
    return np.where(prev >= 0, t[:, None] - prev, t[:, None] + 1).astype(np.float64)


def build_features(cube: CountCube, t) -> pd.DataFrame:
    """Features for every cell at each period position in ``t``, from counts before it only.

    Returns a DataFrame with one row per (t, cell) in period-major order, and columns ``t``,
    ``cell_id`` plus the numeric features (see :func:`feature_names`). Positions may run up to
    ``cube.n_periods`` (the period right after the data).
    """
    t = np.atleast_1d(np.asarray(t, dtype=np.int64))
    if t.min() < 0 or t.max() > cube.n_periods:
        raise ParameterError.invalid("t", "build_features",
                                     f"positions in [0, {cube.n_periods}]", (t.min(), t.max()))
    feats = _feature_arrays(cube, t)
    n = cube.counts.shape[1]
    out = {"t": np.repeat(t, n), "cell_id": np.tile(cube.cell_ids, len(t))}
    out.update({name: np.asarray(v, np.float32).ravel() for name, v in feats.items()})
    return pd.DataFrame(out)


def feature_names(cube: CountCube) -> list:
    """Names of the numeric features :func:`build_features` returns for this cube."""
    return list(_feature_arrays(cube, np.array([cube.n_periods])).keys())


def _feature_arrays(cube: CountCube, t) -> dict:
    h, o = History(cube.counts, cube.freq), History(cube.other, cube.freq)
    g, f = cube.grid, cube.freq
    n = cube.counts.shape[1]
    ppy = PERIODS_PER_YEAR[f]
    feats = {"lag1": h.lag(t, 1), "lag2": h.lag(t, 2)}
    for weeks in (1, 4, 13, 52):
        if weeks_to_periods(weeks, f) > 1 or weeks == 4:
            feats[f"sum_{weeks}w"] = h.window(t, weeks)
    span = np.maximum(t, 1)[:, None]
    feats["rate_all"] = h.cum[t] / span
    feats["last_year"] = h.lag(t, ppy)
    around = weeks_to_periods(2, f)
    feats["last_year_around"] = sum(h.lag(t, ppy + k) for k in range(-around, around + 1))
    feats["periods_since"] = periods_since(cube.counts, t)
    feats["decay_2w"] = h.decayed(t, 2)
    feats["decay_13w"] = h.decayed(t, 13)
    for size in (3, 5):
        feats[f"near{size}_decay_2w"] = raster_smooth(feats["decay_2w"], g, size=size)
        feats[f"near{size}_sum_13w"] = raster_smooth(feats["sum_13w"], g, size=size)
    feats["near3_lag1"] = raster_smooth(feats["lag1"], g, size=3)
    feats["kde2_sum_52w"] = raster_smooth(feats["sum_52w"], g, sigma=2.0)
    feats["kde4_sum_52w"] = raster_smooth(feats["sum_52w"], g, sigma=4.0)
    feats["other_sum_52w"] = o.window(t, 52)
    feats["other_decay_2w"] = o.decayed(t, 2)
    feats["near3_other_sum_52w"] = raster_smooth(feats["other_sum_52w"], g, size=3)
    city_52 = feats["sum_52w"].sum(axis=1) / np.minimum(weeks_to_periods(52, f), span[:, 0])
    city_ly = feats["last_year_around"].sum(axis=1) / (2 * around + 1)
    feats["city_lag1"] = np.repeat(feats["lag1"].sum(axis=1)[:, None], n, axis=1)
    feats["city_season"] = np.repeat(
        (np.where(t >= ppy + around, city_ly / np.maximum(city_52, 1e-9), 1.0))[:, None], n, 1)
    starts = cube.start_of(t)
    year_frac = (starts.day_of_year.to_numpy() - 1) / 365.25
    for name, fn in (("doy_sin", np.sin), ("doy_cos", np.cos)):
        feats[name] = np.repeat(fn(2 * np.pi * year_frac)[:, None], n, axis=1)
    if f in ("D", "S"):
        feats["weekday"] = np.repeat(starts.day_of_week.to_numpy()[:, None], n, axis=1)
    if f == "S":
        feats["shift"] = np.repeat(((starts.hour.to_numpy() - 6) % 24 // 8)[:, None], n, axis=1)
    if cube.pois is not None:
        for k, kind in enumerate(cube.poi_kinds):
            feats[f"poi_{kind}"] = np.broadcast_to(cube.pois[:, k], (len(t), n))
            feats[f"near3_poi_{kind}"] = np.broadcast_to(
                raster_smooth(cube.pois[None, :, k], g, size=3)[0], (len(t), n))
    return feats
