"""Hotspot prediction: which grid cells will have crime in the next period?

Every model follows one contract (sklearn-style): ``Model(**settings).fit(cube, end)`` learns
only from the periods before position ``end`` of a :class:`~crimekit.features.CountCube`, and
``predict(cube, t)`` scores every cell for the periods at positions ``t`` using only counts
before each of them. Each model ranks cells by a raw ``score`` and turns it into a calibrated
``probability`` of at least one incident (Platt scaling on the last ``calib_weeks`` before
``end``, held out from training) and an ``expected`` count (isotonic regression of counts on the
score over the same slice), so the evaluation can compare them on the same footing.

- :class:`HotspotModel`: XGBoost classifier over :func:`crimekit.features.build_features`.
- Baselines: :class:`LastPeriod`, :class:`LastYear`, :class:`AllHistory`,
  :class:`KernelDensity` (prospective KDE with time decay) and :class:`MarkovTransition`.
- :class:`CrimeTypeModel` (in :mod:`crimekit.crime_type`): the likely crime head at a place.
- :func:`score_periods` (the command line) and :func:`predict_beat_shift_risk` (patrol planner).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from crimekit.crime_type import CrimeTypeModel, crime_type_backtest  # noqa: F401 (re-exported)
from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit import periods
from crimekit.features import _History, _raster_smooth, build_features, count_cube
from crimekit.periods import (PERIODS_PER_YEAR, check_freq, next_period, period_start,
                              weeks_to_periods)
from crimekit.risk_model import _EPS, RiskModel, _Platt  # noqa: F401 (re-exported)
from crimekit.schema import SHIFTS, shift_of
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


# --- the XGBoost model ---------------------------------------------------------------------------

class HotspotModel(RiskModel):
    """XGBoost classifier of P(at least one incident in the cell in the period).

    Boosting starts from a history prior (a logistic regression on the logs of the cell's
    all-history rate, its smoothed 52-week count and its 13-week decayed count: the strongest
    baselines' signals) and the trees learn corrections to it,
    stopped early on the last fifth of the training periods. So with little data the model
    stays close to the history baselines, and with more it learns near-repeat, seasonal and
    neighbourhood effects. Trains on up to ``train_weeks`` of periods before the calibration
    slice, evenly thinned to at most ``max_rows`` cell-periods.
    """

    label = "xgboost"
    #: Features the history prior is fitted on (logs of them).
    PRIOR_FEATURES = ("rate_all", "kde2_sum_52w", "decay_13w")

    def __init__(self, *, n_estimators: int = 300, max_depth: int = 4,
                 learning_rate: float = 0.08, train_weeks: int = 156, calib_weeks: int = 13,
                 max_rows: int = 250_000, n_jobs: int = 2, seed: int = 0):
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.train_weeks = train_weeks
        self.calib_weeks = calib_weeks
        self.max_rows = max_rows
        self.n_jobs = n_jobs
        self.seed = seed

    def _train_positions(self, cube, end):
        first = max(1, min(weeks_to_periods(26, cube.freq), end // 2))
        lo = max(first, end - weeks_to_periods(self.train_weeks, cube.freq))
        t = np.arange(lo, end)
        most = max(1, self.max_rows // cube.counts.shape[1])
        if len(t) > most:
            t = t[np.unique(np.linspace(0, len(t) - 1, most).round().astype(int))]
        return t

    def _prior_margin(self, X) -> np.ndarray:
        z = np.log(X[list(self.PRIOR_FEATURES)].to_numpy(float) + 0.01)
        return self.prior_.decision_function(z)

    def _learn(self, cube, end):
        from xgboost import XGBClassifier
        t = self._train_positions(cube, end)
        X = build_features(cube, t)
        self.features_ = [c for c in X.columns if c not in ("t", "cell_id")]
        y = (cube.counts[t].ravel() > 0).astype(int)
        if y.min() == y.max():
            raise UnusableInputError("Every cell-period in the training window is the same "
                                     "(all with or all without crime): use larger cells, a "
                                     "longer period or more history.")
        self.prior_ = LogisticRegression(C=1.0).fit(
            np.log(X[list(self.PRIOR_FEATURES)].to_numpy(float) + 0.01), y)
        margin = self._prior_margin(X)
        self.prior_mean_ = float(margin.mean())
        F = X[self.features_].to_numpy()
        val = X["t"].to_numpy() >= t[int(len(t) * 0.8)] if len(t) > 4 else np.zeros(len(y), bool)
        fit_on = ~val if val.any() else np.ones(len(y), bool)
        self.booster_ = XGBClassifier(
            n_estimators=self.n_estimators, max_depth=self.max_depth,
            learning_rate=self.learning_rate, subsample=0.8, colsample_bytree=0.8,
            min_child_weight=5, tree_method="hist", n_jobs=self.n_jobs,
            random_state=self.seed, eval_metric="logloss",
            early_stopping_rounds=30 if val.any() else None)
        self.booster_.fit(F[fit_on], y[fit_on], base_margin=margin[fit_on],
                          eval_set=[(F[val], y[val])] if val.any() else None,
                          base_margin_eval_set=[margin[val]] if val.any() else None,
                          verbose=False)

    def _score(self, cube, t):
        X = build_features(cube, t)
        return self.booster_.predict_proba(X[self.features_].to_numpy(),
                                           base_margin=self._prior_margin(X))[:, 1] \
            .reshape(len(t), -1)

    def _calib_x(self, raw):
        p = np.clip(np.asarray(raw, float), _EPS, 1 - _EPS)
        return np.log(p / (1 - p))

    def feature_importance(self) -> pd.DataFrame:
        """Global importance of the trees' features: ``feature, gain, share`` (share of total
        gain), largest first. (The history prior they start from is not included.)"""
        if not hasattr(self, "booster_"):
            raise NotFittedError("Fit the HotspotModel before asking for feature importance.")
        gain = self.booster_.get_booster().get_score(importance_type="total_gain")
        vals = np.array([gain.get(f"f{i}", 0.0) for i in range(len(self.features_))])
        out = pd.DataFrame({"feature": self.features_, "gain": vals,
                            "share": vals / max(vals.sum(), 1e-12)})
        return out.sort_values("gain", ascending=False, ignore_index=True)

    def explain(self, cube, t: int, cell_ids=None, top: int = 3) -> pd.DataFrame:
        """What drove each cell's score in period position ``t``: contributions in log-odds of
        its ``top`` features (XGBoost's per-feature contributions, plus ``history prior``: the
        prior's log-odds relative to its average). Columns ``cell_id, feature, value,
        contribution``; for each cell all contributions sum to its log-odds minus a constant."""
        self._check_fitted(cube)
        from xgboost import DMatrix
        X = build_features(cube, [t])
        if cell_ids is not None:
            X = X[X["cell_id"].isin(list(cell_ids))]
        margin = self._prior_margin(X)
        best = getattr(self.booster_, "best_iteration", None)
        contrib = self.booster_.get_booster().predict(
            DMatrix(X[self.features_].to_numpy(), base_margin=margin), pred_contribs=True,
            iteration_range=(0, best + 1) if best is not None else (0, 0))[:, :-1]
        contrib = np.column_stack([contrib, margin - self.prior_mean_])
        values = np.column_stack([X[self.features_].to_numpy(), 1 / (1 + np.exp(-margin))])
        names = np.array(self.features_ + ["history prior"])
        order = np.argsort(-np.abs(contrib), axis=1)[:, :top]
        rows = np.repeat(np.arange(len(X)), order.shape[1])
        cols = order.ravel()
        return pd.DataFrame({"cell_id": X["cell_id"].to_numpy()[rows], "feature": names[cols],
                             "value": values[rows, cols], "contribution": contrib[rows, cols]})


#: Every model by the name the command line and the page use.
MODELS = {"xgboost": HotspotModel, "last-period": LastPeriod, "last-year": LastYear,
          "all-history": AllHistory, "kde": KernelDensity, "markov": MarkovTransition}


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

def score_periods(dataset, *, start, end, freq: str = "W", cell_size: float = 250.0,
                  model="xgboost", categories=None, retrain_every_weeks: float = 13):
    """Risk per (period, cell) for every period starting in [start, end).

    ``model`` is a name in MODELS or an unfitted model. The grid is drawn from the beats (or
    the incidents before ``start``), and each period's
    scores use only incidents that occurred before it started. Returns (risk, grid) where
    risk has columns ``period_start, cell_id, score, probability, expected``.
    """
    check_freq(freq, "score_periods")
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
                            model: str = "xgboost", cell_size: float = 250.0,
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
