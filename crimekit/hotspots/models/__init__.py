"""The hotspot models by name: every model, the learned ones, the fast ones, and the rolling
refits that keep a backtest honest.

Every model follows the contract of :class:`~crimekit.hotspots.models.base.RiskModel`:
``Model(**settings).fit(cube, end)`` learns only from the periods before position ``end`` of a
:class:`~crimekit.hotspots.features.CountCube`, ``predict(cube, t)`` scores every cell for
periods ``t`` from counts before each of them, with a calibrated ``probability`` of at least one
incident and an ``expected`` count beside the raw ``score``.

- Learned, from counts: :class:`PoissonMixture` (``poisson``, fast;
  :mod:`~crimekit.hotspots.models.count_model`) and :class:`HotspotModel` (``xgboost``:
  Poisson boosting on top of the mixture; :mod:`~crimekit.hotspots.models.xgb`).
- Baselines (:mod:`~crimekit.hotspots.models.baselines`): :class:`LastPeriod`,
  :class:`LastYear`, :class:`RecentCount` (the last 52 weeks), :class:`AllHistory`,
  :class:`KernelDensity` (prospective KDE with time decay) and :class:`MarkovTransition`.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from crimekit.errors import ParameterError
from crimekit.hotspots.models.base import RiskModel
from crimekit.hotspots.models.baselines import (AllHistory, KernelDensity, LastPeriod,
                                                LastYear, MarkovTransition, RecentCount)
from crimekit.hotspots.models.count_model import PoissonMixture
from crimekit.hotspots.models.xgb import HotspotModel
from crimekit.periods import weeks_to_periods

__all__ = ["MODELS", "LEARNED", "FAST_MODELS", "make_model", "rolling_predict", "RiskModel",
           "HotspotModel", "PoissonMixture", "LastPeriod", "LastYear", "RecentCount",
           "AllHistory", "KernelDensity", "MarkovTransition"]

#: Every model by the name the command line and the page use.
MODELS = {"xgboost": HotspotModel, "poisson": PoissonMixture, "last-period": LastPeriod,
          "last-year": LastYear, "last-52-weeks": RecentCount, "all-history": AllHistory,
          "kde": KernelDensity, "markov": MarkovTransition}
#: The models that learn (the rest are baselines they must beat).
LEARNED = ("xgboost", "poisson")
#: The models that fit in about a second or less: the baselines and the learned count model
#: (everything but XGBoost), so a choice among them by backtest is quick.
FAST_MODELS = tuple(m for m in MODELS if m != "xgboost")


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

