"""The baselines every learned hotspot model must beat: simple, honest rules on the counts.

:class:`LastPeriod`, :class:`LastYear`, :class:`RecentCount` (the last 52 weeks),
:class:`AllHistory`, :class:`KernelDensity` (prospective KDE with time decay) and
:class:`MarkovTransition`. Each follows :class:`~crimekit.hotspots.models.base.RiskModel`'s
contract: a raw ``score`` per cell from counts before each period, calibrated alike.
"""

from __future__ import annotations

import numpy as np

from crimekit.hotspots.features import History, raster_smooth
from crimekit.hotspots.models.base import RiskModel
from crimekit.periods import PERIODS_PER_YEAR, weeks_to_periods


class LastPeriod(RiskModel):
    """Naive: a cell's count in the previous period."""

    def __init__(self, *, calib_weeks: int = 13):
        self.calib_weeks = calib_weeks

    def _score(self, cube, t):
        return History(cube.counts, cube.freq).lag(t, 1)


class LastYear(RiskModel):
    """Naive: a cell's count in the same period a year earlier."""

    def __init__(self, *, calib_weeks: int = 13):
        self.calib_weeks = calib_weeks

    def _score(self, cube, t):
        return History(cube.counts, cube.freq).lag(t, PERIODS_PER_YEAR[cube.freq])


class RecentCount(RiskModel):
    """A cell's count over the last ``weeks`` before the period (52: the last year)."""

    def __init__(self, *, weeks: float = 52, calib_weeks: int = 13):
        self.weeks = weeks
        self.calib_weeks = calib_weeks

    def _score(self, cube, t):
        return History(cube.counts, cube.freq).window(t, self.weeks)


class AllHistory(RiskModel):
    """A cell's count over all history before the period."""

    def __init__(self, *, calib_weeks: int = 13):
        self.calib_weeks = calib_weeks

    def _score(self, cube, t):
        return History(cube.counts, cube.freq).cum[t]


class KernelDensity(RiskModel):
    """Prospective kernel density: past incidents weighted by a Gaussian kernel in space
    (``bandwidth_m``) and an exponential decay in time (``half_life_weeks``)."""

    def __init__(self, *, bandwidth_m: float = 250.0, half_life_weeks: float = 8.0,
                 calib_weeks: int = 13):
        self.bandwidth_m = bandwidth_m
        self.half_life_weeks = half_life_weeks
        self.calib_weeks = calib_weeks

    def _score(self, cube, t):
        decayed = History(cube.counts, cube.freq).decayed(t, self.half_life_weeks)
        return raster_smooth(decayed, cube.grid, sigma=self.bandwidth_m / cube.grid.cell_size)


class MarkovTransition(RiskModel):
    """Markov transition model between grid areas: last period's counts (plus a small prior
    ``alpha`` per cell) pushed through transition probabilities from each cell to the cells
    within ``radius`` cells, learned from consecutive periods of the last ``train_weeks``."""

    def __init__(self, *, radius: int = 2, alpha: float = 0.05, train_weeks: int = 104,
                 calib_weeks: int = 13):
        self.radius = radius
        self.alpha = alpha
        self.train_weeks = train_weeks
        self.calib_weeks = calib_weeks

    def _offsets(self):
        r = self.radius
        return [(dr, dc) for dr in range(-r, r + 1) for dc in range(-r, r + 1)]

    def _learn(self, cube, end):
        lo = max(1, end - weeks_to_periods(self.train_weeks, cube.freq))
        prev, now = cube.counts[lo - 1:end - 1], cube.counts[lo:end]
        flow = np.stack([(prev * _shift_cells(now, cube.grid, -dr, -dc)).sum(axis=0)
                         for dr, dc in self._offsets()], axis=1) + 0.01
        flow *= np.stack([_shift_cells(np.ones((1, len(cube.cell_ids))), cube.grid, -dr, -dc)[0]
                          for dr, dc in self._offsets()], axis=1)  # only to cells that exist
        self.transition_ = flow / flow.sum(axis=1, keepdims=True)

    def _score(self, cube, t):
        last = History(cube.counts, cube.freq).lag(t, 1) + self.alpha
        return sum(_shift_cells(last * self.transition_[:, k], cube.grid, dr, dc)
                   for k, (dr, dc) in enumerate(self._offsets()))


def _shift_cells(values, grid, dr, dc):
    """Move each cell's value ``dr`` rows and ``dc`` columns on the grid (lost off the grid)."""
    rows, cols = grid.cells["row"].to_numpy(), grid.cells["col"].to_numpy()
    r0, c0 = rows.min() - abs(dr), cols.min() - abs(dc)
    ras = np.zeros((values.shape[0], rows.max() - r0 + 1 + abs(dr),
                    cols.max() - c0 + 1 + abs(dc)))
    ras[:, rows - r0 + dr, cols - c0 + dc] = values
    return ras[:, rows - r0, cols - c0]

