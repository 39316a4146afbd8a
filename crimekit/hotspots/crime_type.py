"""Which crime is likely at a place: P(crime head | an incident here, in this month and shift).

:class:`CrimeTypeModel` (XGBoost over the place's shrunk historical mix of heads, its volume,
the month and the shift) and :func:`crime_type_backtest`, which compares it with that shrunk
historical mix alone on the last weeks of the data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit.schema import SHIFTS, shift_of


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
