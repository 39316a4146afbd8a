"""Scoring periods: risk per (period, cell) for every period in [start, end), each from
incidents before it only (the command line's), the period length the data's dates allow, and
the beat of each cell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.hotspots.features import count_cube
from crimekit.hotspots.models import make_model, rolling_predict
from crimekit.hotspots.settings import ScoreSettings
from crimekit.periods import FREQS, check_freq, next_period, period_start
from crimekit.schema import FREQS_FOR_PRECISION, data_precision
from crimekit.spatial import Grid, assign_beats, grid_for

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
    risk has columns ``period_start, cell_id, score, probability, expected`` (as a model's
    ``predict``: ``score`` the raw ranking score, ``probability`` calibrated).
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
                         "score": raw.ravel(), "probability": prob.ravel(),
                         "expected": expected.ravel()})
    return risk, grid


@dataclass(frozen=True)
class ScoredPeriods:
    """Risk per (period, cell) over a date range (:func:`score_hotspots`).

    Attributes: ``risk`` (``period_start, cell_id, score, probability, expected``: the raw
    ranking score, the calibrated probability of at least one crime, the expected crimes),
    ``grid``, ``freq`` (the period length used), ``model`` and ``notes`` (why the period
    length differs from the one asked for).
    """

    risk: pd.DataFrame
    grid: Grid
    freq: str
    model: str
    notes: tuple = ()


def score_hotspots(dataset, settings: ScoreSettings = ScoreSettings(), *, start,
                   end) -> ScoredPeriods:
    """Risk per cell for every period starting in [start, end), each period from incidents
    before it only, with the model and cells ``settings`` name; per the longer period the
    dates allow when they are too coarse for ``settings.freq`` (see :func:`usable_freq`)."""
    freq, why = usable_freq(dataset.incidents, settings.freq)
    risk, grid = score_periods(dataset, start=start, end=end, freq=freq,
                               cell_size=settings.cell_size, model=settings.model,
                               categories=settings.categories or None,
                               retrain_every_weeks=settings.retrain_every_weeks)
    return ScoredPeriods(risk, grid, freq, settings.model, (why,) if why else ())


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
