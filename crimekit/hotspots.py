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
- :class:`CrimeTypeModel`: the probability of each crime head for an incident at a place.
- :func:`score_periods` (the command line) and :func:`predict_beat_shift_risk` (patrol planner).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, clone
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit import periods
from crimekit.features import _History, _raster_smooth, build_features, count_cube
from crimekit.periods import (PERIODS_PER_YEAR, check_freq, next_period, period_start,
                              weeks_to_periods)
from crimekit.schema import SHIFTS, shift_of
from crimekit.spatial import assign_beats, grid_for

_EPS = 1e-6


class RiskModel(BaseEstimator):
    """Shared fit/predict/calibrate logic; subclasses implement ``_learn`` and ``_score``."""

    #: Display name used in tables and the command line's ``--model``.
    label = "model"

    def fit(self, cube, end=None):
        """Learn from the periods before position ``end`` (default: all of ``cube``)."""
        end = cube.n_periods if end is None else int(end)
        calib = weeks_to_periods(getattr(self, "calib_weeks", 13), cube.freq)
        if end < calib + 2:
            raise UnusableInputError(
                f"Only {end} periods of history before the first predicted period; hotspot "
                f"models need at least {calib + 2}: start later or use a longer period.")
        self._learn(cube, end - calib)
        t_cal = np.arange(end - calib, end)
        raw = self._score(cube, t_cal).ravel()
        y = cube.counts[t_cal].ravel()
        # both maps depend on the rows only through each distinct score's row count, count
        # sum and share with crime: fit them on those (baselines' scores repeat a lot)
        values, where, n = np.unique(raw, return_inverse=True, return_counts=True)
        hits = np.bincount(where, weights=(y > 0), minlength=len(values))
        total = np.bincount(where, weights=y, minlength=len(values))
        self.calibrator_ = _Platt(self._calib_x(values), hits / n, weight=n)
        self.count_map_ = IsotonicRegression(out_of_bounds="clip").fit(values, total / n,
                                                                        sample_weight=n)
        self.freq_, self.end_ = cube.freq, end
        self.cell_ids_ = cube.cell_ids.copy()
        return self

    def predict(self, cube, t) -> pd.DataFrame:
        """Scores per (period, cell): ``period_start, cell_id, score, probability, expected``."""
        raw, prob, expected = self.predict_arrays(cube, t)
        t = np.atleast_1d(t)
        return pd.DataFrame({
            "period_start": np.repeat(cube.start_of(t), raw.shape[1]),
            "cell_id": np.tile(cube.cell_ids, len(t)),
            "score": raw.ravel(), "probability": prob.ravel(), "expected": expected.ravel()})

    def predict_arrays(self, cube, t):
        """(score, probability, expected), each an array (len(t), cells)."""
        self._check_fitted(cube)
        t = np.atleast_1d(np.asarray(t, dtype=np.int64))
        raw = self._score(cube, t)
        prob = self.calibrator_(self._calib_x(raw.ravel())).reshape(raw.shape)
        expected = self.count_map_.predict(raw.ravel()).reshape(raw.shape)
        return raw, prob, np.maximum(expected, 0.0)

    def _check_fitted(self, cube):
        if not hasattr(self, "calibrator_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet: call "
                                 "fit(cube, end) before predict.")
        if cube.freq != self.freq_ or not np.array_equal(cube.cell_ids, self.cell_ids_):
            raise ParameterError.invalid("cube", f"{type(self).__name__}.predict",
                                         "counted on the same grid and frequency as in fit",
                                         f"freq {cube.freq}, {len(cube.cell_ids)} cells")

    def _calib_x(self, raw):
        return np.log(np.asarray(raw, float) + 1e-3)

    def _learn(self, cube, end):  # baselines with nothing to learn
        return None


class _Platt:
    """A strictly increasing map from x to P(y): logistic on x, or the flat rate when y or x
    does not vary (a picklable callable).

    ``y`` is each row's outcome (0/1) or, with ``weight``, the share of ``weight`` rows at that
    x with y = 1. The logistic fit is L2-regularised logistic regression (``C``, intercept not
    penalised, as sklearn's LogisticRegression) solved by Newton's method on the (few) rows.
    """

    def __init__(self, x, y, weight=None, C: float = 1e4):
        x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
        w = np.ones_like(x) if weight is None else np.asarray(weight, float).ravel()
        rate = float(np.sum(w * y) / np.sum(w)) if np.sum(w) > 0 else 0.0
        self.rate = min(max(rate, _EPS), 1 - _EPS)
        self.a, self.b = 0.0, 0.0
        if 0 < rate < 1 and np.ptp(x) > 0:
            a, b = _logistic_newton(x, y, w, C)
            self.a, self.b = max(a, _EPS), b

    def __call__(self, x):
        if self.a == 0.0:
            return np.full(np.shape(x), self.rate)
        return 1.0 / (1.0 + np.exp(-(self.a * np.asarray(x, float) + self.b)))


def _logistic_newton(x, y, w, C, iters: int = 100, tol: float = 1e-10):
    """Minimise sum w * logloss(y, sigmoid(a x + b)) + a^2 / (2 C) over (a, b): Newton steps
    with step halving (the loss is convex, so this converges to the optimum)."""
    mu = float(np.average(x, weights=w))
    sd = float(np.sqrt(np.average((x - mu) ** 2, weights=w))) or 1.0
    z = (x - mu) / sd  # standardised, so the Newton system is well conditioned
    lam = sd ** 2 / C  # the penalty a^2/(2C) in the standardised slope a' = a sd

    def loss(p):
        m = p[0] * z + p[1]
        return float(np.sum(w * (np.logaddexp(0.0, m) - y * m)) + 0.5 * lam * p[0] ** 2)

    rate = np.sum(w * y) / np.sum(w)
    p = np.array([0.0, np.log(rate / (1 - rate))])
    current = loss(p)
    for _ in range(iters):
        q = 1.0 / (1.0 + np.exp(-(p[0] * z + p[1])))
        r, h = w * (q - y), w * q * (1 - q)
        grad = np.array([np.sum(r * z) + lam * p[0], np.sum(r)])
        hess = np.array([[np.sum(h * z * z) + lam, np.sum(h * z)],
                         [np.sum(h * z), np.sum(h) + 1e-12]])
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-8:
            trial = p - t * step
            value = loss(trial)
            if value <= current:
                break
            t /= 2
        else:
            break
        done = current - value < tol * max(1.0, abs(current))
        p, current = trial, value
        if done:
            break
    return float(p[0] / sd), float(p[1] - p[0] * mu / sd)


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


# --- crime type at a place -----------------------------------------------------------------------

class CrimeTypeModel(BaseEstimator):
    """P(crime head | an incident at this place, in this month and shift).

    ``place`` is ``"cell"`` (grid cells) or ``"beat"``. Features are the place's mix of heads
    over all history before the incident's month (shares, shrunk to the city's mix), its log
    volume, the month of year and the shift. The baseline it is tested against is that shrunk
    historical mix alone.
    """

    def __init__(self, *, place: str = "cell", n_estimators: int = 40, max_depth: int = 3,
                 learning_rate: float = 0.2, train_weeks: int = 52, n_jobs: int = 2,
                 seed: int = 0):
        self.place = place
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.train_weeks = train_weeks
        self.n_jobs = n_jobs
        self.seed = seed

    def fit(self, incidents: pd.DataFrame, grid=None, *, end=None):
        """Learn from incidents before ``end`` (default: all)."""
        from xgboost import XGBClassifier
        if self.place not in ("cell", "beat"):
            raise ParameterError.invalid("place", "CrimeTypeModel", "'cell' or 'beat'",
                                         self.place)
        end = pd.Timestamp(end) if end is not None else incidents["occurred_at"].max() \
            + pd.Timedelta(seconds=1)
        self.grid_ = grid
        past = self._located(incidents[incidents["occurred_at"] < end])
        self.heads_ = np.array(sorted(past["category"].unique()))
        if len(self.heads_) < 2:
            raise UnusableInputError("Fewer than two crime heads in the history: a crime-type "
                                     "model needs at least two to choose between.")
        self.history_ = past
        train = past[past["occurred_at"] >= end - pd.Timedelta(weeks=self.train_weeks)]
        X = self._features(past, train["_place"], train["occurred_at"])
        y = np.searchsorted(self.heads_, train["category"].to_numpy())
        self.booster_ = XGBClassifier(
            n_estimators=self.n_estimators, max_depth=self.max_depth,
            learning_rate=self.learning_rate, tree_method="hist", n_jobs=self.n_jobs,
            random_state=self.seed, objective="multi:softprob",
            num_class=len(self.heads_)).fit(X, y) if len(np.unique(y)) == len(self.heads_) \
            else None
        if self.booster_ is None:
            warnings.warn("Some crime heads have no incident in the training window; the "
                          "crime-type model falls back to the historical mix.", stacklevel=2)
        return self

    def _located(self, inc):
        inc = inc.copy()
        if self.place == "cell":
            if self.grid_ is None:
                raise ParameterError.invalid("grid", "CrimeTypeModel.fit",
                                             "a Grid when place='cell'", None)
            inc["_place"] = self.grid_.cell_of(inc["lat"], inc["lon"]).astype(str)
            return inc[inc["_place"] != "-1"]
        inc["_place"] = inc["beat"].astype(str)
        return inc[inc["_place"] != ""]

    def _mix(self, history, places, when, prior: float = 5.0) -> np.ndarray:
        """Shrunk share of each head at each place among incidents before each month start."""
        month = when.to_numpy().astype("datetime64[M]")
        hist = history[["_place", "category", "occurred_at"]]
        hmonth = hist["occurred_at"].to_numpy().astype("datetime64[M]")
        months = np.unique(np.concatenate([month, hmonth]))
        place_codes = pd.Index(pd.unique(pd.concat([hist["_place"], pd.Series(places)])))
        P, H, M = len(place_codes), len(self.heads_), len(months)
        cube = np.zeros((M + 1, P, H))
        hi = np.searchsorted(self.heads_, hist["category"].to_numpy())
        ok = (hi < H) & (self.heads_[np.minimum(hi, H - 1)] == hist["category"].to_numpy())
        np.add.at(cube, (np.searchsorted(months, hmonth[ok]) + 1,
                         place_codes.get_indexer(hist["_place"].to_numpy()[ok]), hi[ok]), 1)
        cube = np.cumsum(cube, axis=0)  # cube[m] = counts in months before months[m]
        counts = cube[np.searchsorted(months, month), place_codes.get_indexer(np.asarray(places))]
        city = cube.sum(axis=1)[np.searchsorted(months, month)] + 1.0
        city = city / city.sum(axis=1, keepdims=True)
        total = counts.sum(axis=1, keepdims=True)
        return (counts + prior * city) / (total + prior), total[:, 0]

    def _features(self, history, places, when) -> np.ndarray:
        when = pd.DatetimeIndex(when)
        mix, total = self._mix(history, np.asarray(places), when)
        month = when.month.to_numpy()
        shift = np.searchsorted(SHIFTS, shift_of(when.hour.to_numpy()))
        return np.column_stack([mix, np.log1p(total), np.sin(2 * np.pi * month / 12),
                                np.cos(2 * np.pi * month / 12), shift])

    def predict_proba_at(self, places, when) -> np.ndarray:
        """(model, baseline) probabilities per head (columns in ``heads_``) for incidents at
        ``places`` (cell ids or beats) happening at timestamps ``when``."""
        if not hasattr(self, "heads_"):
            raise NotFittedError("Fit the CrimeTypeModel before predicting.")
        places = np.asarray(places).astype(str)
        X = self._features(self.history_, places, when)
        base = X[:, :len(self.heads_)]
        model = base if self.booster_ is None else self.booster_.predict_proba(X)
        return model, base

    def predict(self, place, when, shift: str | None = None) -> pd.DataFrame:
        """Each head's probability for an incident at ``place`` in the period starting ``when``
        (and ``shift``): columns ``category, probability, historical_mix``, likeliest first."""
        hour = {"morning": 10, "evening": 18, "night": 1}.get(shift, 12)
        ts = pd.Timestamp(when).normalize() + pd.Timedelta(hours=hour)
        model, base = self.predict_proba_at([place], [ts])
        out = pd.DataFrame({"category": self.heads_, "probability": model[0],
                            "historical_mix": base[0]})
        return out.sort_values("probability", ascending=False, ignore_index=True)


def crime_type_backtest(incidents, grid=None, *, place: str = "cell", test_weeks: int = 26,
                        seed: int = 0) -> pd.DataFrame:
    """Held-out accuracy of :class:`CrimeTypeModel` against the place's historical mix, on the
    incidents of the last ``test_weeks`` (model fitted on everything before them). Columns
    ``method, top1_accuracy, top3_accuracy, log_loss, incidents``."""
    cut = incidents["occurred_at"].max() - pd.Timedelta(weeks=test_weeks)
    model = CrimeTypeModel(place=place, seed=seed).fit(incidents, grid, end=cut)
    test = model._located(incidents[incidents["occurred_at"] >= cut])
    test = test[test["category"].isin(model.heads_)]
    y = np.searchsorted(model.heads_, test["category"].to_numpy())
    probs = model.predict_proba_at(test["_place"].to_numpy(), test["occurred_at"])
    rows = []
    for name, p in zip(("model", "historical mix"), probs):
        top = np.argsort(-p, axis=1)
        rows.append((name, float(np.mean(top[:, 0] == y)),
                     float(np.mean((top[:, :3] == y[:, None]).any(axis=1))),
                     float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-9, 1)))), len(y)))
    return pd.DataFrame(rows, columns=["method", "top1_accuracy", "top3_accuracy", "log_loss",
                                       "incidents"])
