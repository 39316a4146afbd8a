"""Hotspots: which grid cells will have crime in the next period, how sure we are, and how well
each model did on held-out time.

Entry points (:mod:`~crimekit.hotspots.predict`, :mod:`~crimekit.hotspots.scoring`), each
``(dataset, settings) -> result``: :func:`predict_hotspots` (:class:`HotspotResult`),
:func:`backtest_hotspots` (:class:`Backtest`), :func:`classify_hotspots`
(:class:`~crimekit.hotspots.classes.HotspotClasses`) and, for the command line,
:func:`score_hotspots` (:class:`ScoredPeriods`). :class:`HotspotSettings` and
:class:`ScoreSettings` (:mod:`~crimekit.hotspots.settings`) declare what may be asked.

The floors, from the data up:

- :mod:`~crimekit.hotspots.features`: incidents counted per (period, cell) into a
  :class:`CountCube`, and features from the past only;
- :mod:`~crimekit.hotspots.models`: the models by name (``MODELS``): the learned count model
  and XGBoost on counts, the baselines, their shared fit/predict/calibrate contract;
- :mod:`~crimekit.hotspots.evaluate`: hit rate, PAI, PEI, the rolling backtest and the paired
  comparison with the best baseline; :mod:`~crimekit.hotspots.verdict`: the model chosen by
  backtest and whether a learned model beats the baselines;
- :mod:`~crimekit.hotspots.scoring`: risk per (period, cell) over a date range (the command
  line's) and the period length the data's dates allow;
- beside them: :mod:`~crimekit.hotspots.classes` (stable/relative/occasional, Gi*),
  :mod:`~crimekit.hotspots.crime_type` (the likely crime at a place),
  :mod:`~crimekit.hotspots.areas` (areas ranked when crimes are placed by area only).
  The patrol planner's risk per beat and shift from these models is
  :mod:`crimekit.patrol.hotspot_risk`.
"""

from crimekit.hotspots.areas import AreaRanking, rank_areas
from crimekit.hotspots.crime_type import CrimeTypeModel, crime_type_backtest
from crimekit.hotspots.evaluate import COVERAGES, Backtest, backtest
from crimekit.hotspots.features import CountCube, count_cube
from crimekit.hotspots.models import (FAST_MODELS, LEARNED, MODELS, AllHistory, HotspotModel,
                                      KernelDensity, LastPeriod, LastYear, MarkovTransition,
                                      PoissonMixture, RecentCount, RiskModel, make_model,
                                      rolling_predict)
from crimekit.hotspots.predict import (HotspotSteps, backtest_hotspots, classify_hotspots,
                                       predict_hotspots)
from crimekit.hotspots.result import HotspotResult
from crimekit.hotspots.scoring import (ScoredPeriods, cell_beats, score_hotspots, score_periods,
                                       usable_freq)
from crimekit.hotspots.settings import HotspotSettings, ScoreSettings
from crimekit.hotspots.verdict import Verdict

__all__ = ["HotspotSettings", "ScoreSettings", "HotspotResult", "ScoredPeriods", "Verdict",
           "HotspotSteps", "predict_hotspots", "backtest_hotspots", "classify_hotspots",
           "score_hotspots", "AreaRanking", "rank_areas",
           "CrimeTypeModel", "crime_type_backtest", "COVERAGES", "Backtest", "backtest",
           "CountCube", "count_cube", "FAST_MODELS", "LEARNED", "MODELS", "AllHistory",
           "HotspotModel", "KernelDensity", "LastPeriod", "LastYear", "MarkovTransition",
           "PoissonMixture", "RecentCount", "RiskModel", "make_model", "rolling_predict",
           "cell_beats", "score_periods", "usable_freq"]
