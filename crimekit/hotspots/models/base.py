"""The contract every hotspot model follows, and the calibration they share.

``Model(**settings).fit(cube, end)`` learns only from the periods before position ``end`` of a
:class:`~crimekit.hotspots.features.CountCube`, and ``predict(cube, t)`` scores every cell for the
periods at positions ``t`` using only counts before each of them. Each model ranks cells by a
raw ``score`` and turns it into a calibrated ``probability`` of at least one incident (Platt
scaling on the last ``calib_weeks`` before ``end``, held out from learning) and an ``expected``
count (isotonic regression of counts on the score over the same slice), so the evaluation can
compare every model on the same footing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.isotonic import IsotonicRegression

from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit.periods import weeks_to_periods

_EPS = 1e-6


class RiskModel(BaseEstimator):
    """Shared fit/predict/calibrate logic; subclasses implement ``_learn`` and ``_score``.
    (Models are named by their key in ``crimekit.hotspots.models.MODELS`` and labelled in
    words by ``HotspotSettings.model_label``.)"""

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
