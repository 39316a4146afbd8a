"""Hotspot prediction: which grid cells will have crime in the next period?

Every model follows the contract of :class:`crimekit.risk_model.RiskModel`:
``Model(**settings).fit(cube, end)`` learns only from the periods before position ``end`` of a
:class:`~crimekit.features.CountCube`, ``predict(cube, t)`` scores every cell for periods ``t``
from counts before each of them, with a calibrated ``probability`` of at least one incident and
an ``expected`` count beside the raw ``score``.

- Learned, from counts (:mod:`crimekit.count_model`): :class:`PoissonMixture` (``poisson``,
  fast) and :class:`HotspotModel` (``xgboost``: Poisson boosting on top of the mixture).
- Baselines: :class:`LastPeriod`, :class:`LastYear`, :class:`RecentCount` (the last 52 weeks),
  :class:`AllHistory`, :class:`KernelDensity` (prospective KDE with time decay) and
  :class:`MarkovTransition`.
- :func:`score_periods` (the command line) and :func:`predict_beat_shift_risk` (patrol planner).
- :class:`CrimeTypeModel` (in :mod:`crimekit.crime_type`): the likely crime head at a place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone

from crimekit import periods
from crimekit.count_model import HotspotModel, PoissonMixture
from crimekit.crime_type import CrimeTypeModel, crime_type_backtest  # noqa: F401 (re-exported)
from crimekit.errors import ParameterError, UnusableInputError
from crimekit.features import _History, _raster_smooth, count_cube
from crimekit.periods import (FREQS, PERIODS_PER_YEAR, check_freq, next_period, period_start,
                              weeks_to_periods)
from crimekit.risk_model import RiskModel, _Platt  # noqa: F401 (re-exported)
from crimekit.schema import FREQS_FOR_PRECISION, SHIFTS, data_precision, shift_of
from crimekit.spatial import assign_beats, grid_for




# --- baselines -----------------------------------------------------------------------------------

class LastPeriod(RiskModel):
    """Naive: a cell's count in the previous period."""

    label = "last period"

    def __init__(self, *, calib_weeks: int = 13):
        self.calib_weeks = calib_weeks

    def _score(self, cube, t):
        return _History(cube.counts, cube.freq).lag(t, 1)


class LastYear(RiskModel):
    """Naive: a cell's count in the same period a year earlier."""

    label = "last year"

    def __init__(self, *, calib_weeks: int = 13):
        self.calib_weeks = calib_weeks

    def _score(self, cube, t):
        return _History(cube.counts, cube.freq).lag(t, PERIODS_PER_YEAR[cube.freq])


class RecentCount(RiskModel):
    """A cell's count over the last ``weeks`` before the period (52: the last year)."""

    label = "last 52 weeks"

    def __init__(self, *, weeks: float = 52, calib_weeks: int = 13):
        self.weeks = weeks
        self.calib_weeks = calib_weeks

    def _score(self, cube, t):
        return _History(cube.counts, cube.freq).window(t, self.weeks)


class AllHistory(RiskModel):
    """A cell's count over all history before the period."""

    label = "all history"

    def __init__(self, *, calib_weeks: int = 13):
        self.calib_weeks = calib_weeks

    def _score(self, cube, t):
        return _History(cube.counts, cube.freq).cum[t]


class KernelDensity(RiskModel):
    """Prospective kernel density: past incidents weighted by a Gaussian kernel in space
    (``bandwidth_m``) and an exponential decay in time (``half_life_weeks``)."""

    label = "kernel density"

    def __init__(self, *, bandwidth_m: float = 250.0, half_life_weeks: float = 8.0,
                 calib_weeks: int = 13):
        self.bandwidth_m = bandwidth_m
        self.half_life_weeks = half_life_weeks
        self.calib_weeks = calib_weeks

    def _score(self, cube, t):
        decayed = _History(cube.counts, cube.freq).decayed(t, self.half_life_weeks)
        return _raster_smooth(decayed, cube.grid, sigma=self.bandwidth_m / cube.grid.cell_size)


class MarkovTransition(RiskModel):
    """Markov transition model between grid areas: last period's counts (plus a small prior
    ``alpha`` per cell) pushed through transition probabilities from each cell to the cells
    within ``radius`` cells, learned from consecutive periods of the last ``train_weeks``."""

    label = "Markov transition"

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
        last = _History(cube.counts, cube.freq).lag(t, 1) + self.alpha
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


#: Every model by the name the command line and the page use.
MODELS = {"xgboost": HotspotModel, "poisson": PoissonMixture, "last-period": LastPeriod,
          "last-year": LastYear, "last-52-weeks": RecentCount, "all-history": AllHistory,
          "kde": KernelDensity, "markov": MarkovTransition}
#: The models that learn (the rest are baselines they must beat).
LEARNED = ("xgboost", "poisson")


def make_model(name: str, **settings) -> RiskModel:
    """A new, unfitted model by its name in MODELS."""
    if name not in MODELS:
        raise ParameterError.invalid("model", "make_model", f"one of {', '.join(MODELS)}", name)
    return MODELS[name](**settings)


def rolling_predict(model: RiskModel, cube, t, *, retrain_every_weeks: float = 13):
    """Score periods ``t`` (ascending positions) with ``model`` refitted every
    ``retrain_every_weeks`` on only the periods before each refit, so no period's score uses
    data from it or later. Returns (score, probability, expected), each (len(t), cells)."""
    t = np.sort(np.atleast_1d(np.asarray(t, dtype=np.int64)))
    step = weeks_to_periods(retrain_every_weeks, cube.freq)
    parts = []
    for origin in range(int(t[0]), int(t[-1]) + 1, step):
        block = t[(t >= origin) & (t < origin + step)]
        if len(block):
            parts.append(clone(model).fit(cube, origin).predict_arrays(cube, block))
    return tuple(np.vstack([p[i] for p in parts]) for i in range(3))


# --- the command line and the patrol planner ------------------------------------------------------

#: Period lengths from the shortest to the longest.
_FREQ_ORDER = ("S", "D", "W", "2W", "M")


def usable_freq(incidents, freq: str):
    """(period length, why) for scoring ``incidents`` per ``freq``: ``freq`` itself and None
    when the data's dates are precise enough, else the shortest longer period they allow and
    one sentence saying why (a month's crimes counted per week would all fall in its first
    week). Raises UnusableInputError when no period allows them (dates known to the year)."""
    check_freq(freq, "usable_freq")
    precision = data_precision(incidents)
    allowed = FREQS_FOR_PRECISION[precision]
    if freq in allowed:
        return freq, None
    longer = [f for f in _FREQ_ORDER[_FREQ_ORDER.index(freq):] if f in allowed]
    if not longer:
        raise UnusableInputError(f"The crimes' dates are known only to the {precision}, so "
                                 "they cannot be counted per period for hotspots: hotspot "
                                 "scores need at least the month of each crime.")
    what = "times of day" if precision == "day" else "days"
    return longer[0], (f"The crimes' {what} are not recorded (dates are known only to the "
                       f"{precision}), so hotspots are scored per {FREQS[longer[0]]}, not per "
                       f"{FREQS[freq]}.")


def score_periods(dataset, *, start, end, freq: str = "W", cell_size: float = 250.0,
                  model="poisson", categories=None, retrain_every_weeks: float = 13):
    """Risk per (period, cell) for every period starting in [start, end).

    ``model`` is a name in MODELS or an unfitted model. The grid is drawn from the beats (or
    the incidents before ``start``), and each period's
    scores use only incidents that occurred before it started. Returns (risk, grid) where
    risk has columns ``period_start, cell_id, score, probability, expected``.
    """
    check_freq(freq, "score_periods")
    usable, _ = usable_freq(dataset.incidents, freq)
    if usable != freq:
        raise UnusableInputError(
            f"The crimes' dates are known only to the {data_precision(dataset.incidents)}, so "
            f"they cannot be counted per {FREQS[freq]}: score them per {FREQS[usable]} "
            f"(freq {usable!r}).")
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if not end > start:
        raise ParameterError.invalid("end", "score_periods", "after start", str(end.date()))
    inc = dataset.incidents
    past = inc[inc["occurred_at"] < start]
    if not len(past):
        raise UnusableInputError(f"No incident occurred before {start.date()}, so there is no "
                                 "history to score from: choose a later --start.")
    grid = grid_for(past, cell_size=cell_size, beats=dataset.beats)
    first = period_start(start, freq)
    wanted = [first] if first >= start else []
    p = next_period(first, freq)
    while p < end:
        wanted.append(p)
        p = next_period(p, freq)
    if not wanted:
        raise ParameterError.invalid("end", "score_periods",
                                     f"late enough for a {freq} period to start before it",
                                     str(end.date()))
    # counts run to the end of the last scored period; a period's features read only the
    # counts before it, and each model is fitted only on periods before its origin
    full = count_cube(inc, grid, freq=freq, until=next_period(wanted[-1], freq),
                      categories=categories, first=past["occurred_at"].min(),
                      pois=dataset.pois)
    t = np.array([full.position_of(w) for w in wanted])
    model = make_model(model) if isinstance(model, str) else model
    raw, prob, expected = rolling_predict(model, full, t,
                                          retrain_every_weeks=retrain_every_weeks)
    risk = pd.DataFrame({"period_start": np.repeat(full.start_of(t), raw.shape[1]),
                         "cell_id": np.tile(full.cell_ids, len(t)),
                         "score": prob.ravel(), "raw_score": raw.ravel(),
                         "expected": expected.ravel()})
    return risk, grid


def predict_beat_shift_risk(dataset, *, period_start=None, freq: str = "W",
                            model: str = "poisson", cell_size: float = 250.0,
                            categories=None, interval: float = 0.8) -> pd.DataFrame:
    """Expected incidents per (beat, shift) in the period after the data ends (or the period
    starting at ``period_start``), for the patrol planner.

    Cells' expected counts (the model's, from incidents before the period only) are summed per
    beat and split across shifts by the beat's share of incidents per shift over the last 52
    weeks (shrunk towards the city's shares). ``risk_lower``/``risk_upper`` bound a Poisson
    ``interval`` (default 80%) around ``risk``. Columns: ``beat, shift, risk, risk_lower,
    risk_upper, period_start``.
    """
    # the argument period_start hides the function, hence periods.period_start
    inc = dataset.incidents
    if period_start is None:
        period_start = next_period(periods.period_start(inc["occurred_at"].max(), freq), freq)
    period_start = periods.period_start(period_start, freq)
    risk, grid = score_periods(dataset, start=period_start, end=next_period(period_start, freq),
                               freq=freq, cell_size=cell_size, model=model,
                               categories=categories)
    cell_beat = cell_beats(grid, dataset, inc[inc["occurred_at"] < period_start])
    per_beat = risk.assign(beat=risk["cell_id"].map(cell_beat)).dropna(subset=["beat"]) \
        .groupby("beat")["expected"].sum()
    shares = _shift_shares(inc[inc["occurred_at"] < period_start], period_start, categories)
    rows = []
    for beat, total in per_beat.items():
        share = shares.get(beat, shares["__city__"])
        for s in SHIFTS:
            rows.append((beat, s, total * share[s]))
    out = pd.DataFrame(rows, columns=["beat", "shift", "risk"])
    lo, hi = (1 - interval) / 2, (1 + interval) / 2
    out["risk_lower"] = stats.poisson.ppf(lo, out["risk"]).astype(float)
    out["risk_upper"] = stats.poisson.ppf(hi, out["risk"]).astype(float)
    out["period_start"] = period_start
    return out


def cell_beats(grid, dataset, past=None) -> pd.Series:
    """The beat of each cell (indexed by cell_id): by its centre in the beat polygons, else the
    most common beat of the incidents (``past``, default all) in it."""
    if dataset.beats is not None and len(dataset.beats):
        beats = assign_beats(grid.cells["lat"], grid.cells["lon"], dataset.beats)["beat"]
        return pd.Series(beats.replace("", None).to_numpy(), index=grid.cells["cell_id"])
    past = dataset.incidents if past is None else past
    cell = grid.cell_of(past["lat"], past["lon"])
    df = pd.DataFrame({"cell": cell, "beat": past["beat"].to_numpy()})
    df = df[(df["cell"] >= 0) & (df["beat"] != "")]
    return df.groupby("cell")["beat"].agg(lambda s: s.value_counts().index[0])


def _shift_shares(past, period_start, categories, prior: float = 10.0) -> dict:
    """Share of each beat's incidents per shift over the last 52 weeks, shrunk to the city's."""
    recent = past[past["occurred_at"] >= period_start - pd.Timedelta(weeks=52)]
    if categories:
        recent = recent[recent["category"].isin(list(categories))]
    shift = shift_of(recent["occurred_at"].dt.hour.to_numpy())
    table = pd.crosstab(recent["beat"].to_numpy(), shift).reindex(columns=list(SHIFTS),
                                                                   fill_value=0)
    city = table.sum() + 1.0
    city = city / city.sum()
    out = {"__city__": city}
    for beat, row in table.iterrows():
        out[beat] = (row + prior * city) / (row.sum() + prior)
    return out
