"""XGBoost on counts (``xgboost``): Poisson boosting on top of the count model's mixture.

:class:`HotspotModel` starts from :class:`~crimekit.hotspots.models.count_model.PoissonMixture`'s
expected counts and learns multiplicative corrections (interactions, covariates, season),
stopped early on the last fifth of the training periods: with sparse data it stays at the
mixture, with more it learns what the mixture cannot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.errors import NotFittedError
from crimekit.hotspots.features import periods_since
from crimekit.hotspots.models.base import RiskModel
from crimekit.hotspots.models.count_model import (feature_blocks, fit_mixture, histories_of,
                                                  history_features, top_parts, train_positions,
                                                  weighted_sum)


class HotspotModel(RiskModel):
    """XGBoost with a Poisson objective on counts, starting from a :class:`PoissonMixture`.

    The mixture (fitted on the same periods) gives each cell-period's expected count; the trees
    learn multiplicative corrections from the mixture's features plus the periods since the
    cell's last crime and the time of year (and day of week / shift for daily and shift
    periods), stopped early on the last fifth of the training periods. Every cell-period with
    crime is kept for training and the others are sampled (weighted back) to at most
    ``max_rows`` rows in all.
    """

    def __init__(self, *, n_estimators: int = 400, max_depth: int = 4,
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

    def _learn(self, cube, end):
        from xgboost import XGBRegressor
        t = train_positions(cube, end, self.train_weeks, 3_000_000)
        self.mixture_weights_, self.mixture_features_, _ = fit_mixture(cube, t)
        y_all = cube.counts[t]
        n_crime = int((y_all > 0).sum())
        keep_zero = min(1.0, max(self.max_rows - n_crime, 1) / max(y_all.size - n_crime, 1))
        rng = np.random.default_rng(self.seed)
        parts, histories = [], histories_of(cube)
        for block in feature_blocks(cube, t):
            X, margin = self._design(cube, block, histories)
            y = cube.counts[block].ravel()
            pick = (y > 0) | (rng.random(len(y)) < keep_zero)
            weight = np.where(y > 0, 1.0, 1.0 / keep_zero)[pick]
            parts.append((X[pick], margin[pick], y[pick], weight,
                          np.repeat(block, len(cube.cell_ids))[pick]))
        X, margin, y, weight, when = (np.concatenate([p[i] for p in parts]) for i in range(5))
        val = when >= t[int(len(t) * 0.8)] if len(t) > 4 else np.zeros(len(y), bool)
        fit_on = ~val if val.any() else np.ones(len(y), bool)
        self.booster_ = XGBRegressor(
            objective="count:poisson", n_estimators=self.n_estimators,
            max_depth=self.max_depth, learning_rate=self.learning_rate, subsample=0.8,
            colsample_bytree=0.8, min_child_weight=5, tree_method="hist", n_jobs=self.n_jobs,
            random_state=self.seed, early_stopping_rounds=30 if val.any() else None)
        self.booster_.fit(X[fit_on], y[fit_on], sample_weight=weight[fit_on],
                          base_margin=margin[fit_on],
                          eval_set=[(X[val], y[val])] if val.any() else None,
                          sample_weight_eval_set=[weight[val]] if val.any() else None,
                          base_margin_eval_set=[margin[val]] if val.any() else None,
                          verbose=False)
        self.prior_mean_ = float(np.average(margin, weights=weight))

    def _design(self, cube, t, histories=None):
        """(features, log of the mixture's expected count) for every cell at positions t."""
        t = np.atleast_1d(np.asarray(t, dtype=np.int64))
        feats = history_features(cube, t, histories)
        mix = weighted_sum(feats, self.mixture_features_, self.mixture_weights_)
        feats.pop("base")
        feats.update(_extra_features(cube, t))
        self.features_ = list(feats)
        X = np.column_stack([v.ravel() for v in feats.values()]).astype(np.float32)
        return X, np.log(np.ravel(mix) + 1e-6)

    def _iterations(self):
        best = getattr(self.booster_, "best_iteration", None)
        return (0, best + 1) if best is not None else (0, 0)

    def _score(self, cube, t):
        X, margin = self._design(cube, t)
        return self.booster_.predict(X, base_margin=margin,
                                     iteration_range=self._iterations()).reshape(len(t), -1)

    def feature_importance(self) -> pd.DataFrame:
        """Global importance of the trees' features: ``feature, gain, share`` (share of total
        gain), largest first. (The mixture they start from is not included: see its weights.)"""
        if not hasattr(self, "booster_"):
            raise NotFittedError("Fit the HotspotModel before asking for feature importance.")
        gain = self.booster_.get_booster().get_score(importance_type="total_gain")
        vals = np.array([gain.get(f"f{i}", 0.0) for i in range(len(self.features_))])
        out = pd.DataFrame({"feature": self.features_, "gain": vals,
                            "share": vals / max(vals.sum(), 1e-12)})
        return out.sort_values("gain", ascending=False, ignore_index=True)

    def explain(self, cube, t: int, cell_ids=None, top: int = 3) -> pd.DataFrame:
        """What drove each cell's score in period position ``t``: contributions to the log of
        its expected count of its ``top`` features (XGBoost's per-feature contributions, plus
        ``history mixture``: the mixture's log expected count relative to its average). Columns
        ``cell_id, feature, value, contribution``; for each cell all contributions sum to the
        log of its expected count minus a constant."""
        self._check_fitted(cube)
        from xgboost import DMatrix
        X, margin = self._design(cube, [t])
        keep = np.ones(len(cube.cell_ids), bool) if cell_ids is None else \
            np.isin(cube.cell_ids, list(cell_ids))
        X, margin = X[keep], margin[keep]
        contrib = self.booster_.get_booster().predict(
            DMatrix(X, base_margin=margin), pred_contribs=True,
            iteration_range=self._iterations())[:, :-1]
        contrib = np.column_stack([contrib, margin - self.prior_mean_])
        values = np.column_stack([X, np.exp(margin)])
        return top_parts(cube.cell_ids[keep], np.array(self.features_ + ["history mixture"]),
                          values, contrib, top)


def _extra_features(cube, t) -> dict:
    """What the trees see besides the mixture's features: periods since the cell's last crime,
    the time of year, and the day of week and shift for daily and shift periods."""
    n = cube.counts.shape[1]
    out = {"periods_since": periods_since(cube.counts, t)}
    starts = cube.start_of(t)
    year = 2 * np.pi * (starts.day_of_year.to_numpy() - 1) / 365.25
    out["doy_sin"] = np.repeat(np.sin(year)[:, None], n, axis=1)
    out["doy_cos"] = np.repeat(np.cos(year)[:, None], n, axis=1)
    if cube.freq in ("D", "S"):
        out["weekday"] = np.repeat(starts.day_of_week.to_numpy()[:, None], n, axis=1)
    if cube.freq == "S":
        out["shift"] = np.repeat(((starts.hour.to_numpy() - 6) % 24 // 8)[:, None], n, axis=1)
    return out
