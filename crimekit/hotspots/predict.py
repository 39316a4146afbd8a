"""The entry points the pages, the Overview, the Methods page and the command line share.

- :func:`predict_hotspots` ``(dataset, settings) -> HotspotResult``: risk per cell for the
  period after the data, from the model asked for or the best fast model by backtest, with
  its backtest against the best baseline and the verdict;
- :func:`backtest_hotspots` ``(dataset, settings) -> Backtest``: every model's (or some
  models') rolling backtest;
- :func:`classify_hotspots` ``(dataset, settings) -> HotspotClasses``: lasting hotspots and
  Gi* per cell.

Their costly steps (count, fit, predict, backtest) are the methods of :class:`HotspotSteps`;
a caller that keeps results between calls (the app) passes ``steps`` whose methods are cached,
and gets the same answers.
"""

from __future__ import annotations

import pandas as pd

from crimekit.errors import ParameterError
from crimekit.stats import poisson_band
from crimekit.hotspots.classes import HotspotClasses, classify_cells
from crimekit.hotspots.evaluate import Backtest, backtest, n_flagged, truth_scores, \
    versus_best_baseline
from crimekit.hotspots.features import CountCube, count_cube
from crimekit.hotspots.models import FAST_MODELS, LEARNED, MODELS, RiskModel, make_model
from crimekit.hotspots.models.count_model import drivers_in_words
from crimekit.hotspots.result import HotspotResult
from crimekit.hotspots.scoring import cell_beats, usable_freq
from crimekit.hotspots.settings import AUTO, HotspotSettings
from crimekit.hotspots.verdict import choose_model, hotspot_verdict
from crimekit.periods import weeks_to_periods
from crimekit.spatial import Grid, grid_for

#: How the model was chosen, in words (HotspotResult.reason).
CHOSEN_ON = "the best of the fast models (the learned count model and the baselines) on a " \
            "backtest of "
WIDER_WORDS = "every crime head in this date range and these districts (chosen once for " \
              "every crime-head filter)."


def count_cells(dataset, grid: Grid, settings: HotspotSettings) -> CountCube:
    """Crimes per (period, cell) of ``settings.categories`` (every head when empty)."""
    return count_cube(dataset.incidents, grid, freq=settings.freq,
                      categories=settings.categories, pois=dataset.pois)


def next_period_risk(dataset, cube: CountCube, fitted: RiskModel) -> pd.DataFrame:
    """Every cell's risk in the period after the cube, riskiest first: ``period_start, cell_id,
    beat, score, probability, expected, expected_low, expected_high``."""
    pred = fitted.predict(cube, [cube.n_periods])
    beats = cell_beats(cube.grid, dataset)
    pred.insert(2, "beat", pred["cell_id"].map(beats).astype(object).fillna(""))
    pred["expected_low"], pred["expected_high"] = poisson_band(pred["expected"])
    return pred.sort_values("score", ascending=False, ignore_index=True)


def backtest_cells(cube: CountCube, settings: HotspotSettings, models: tuple | None = None,
                   truth=None) -> Backtest:
    """The rolling backtest of ``models`` (default: every model, and the ``truth`` when
    given) over the cube's last ``settings.backtest_weeks`` (at most a third of it)."""
    n = min(weeks_to_periods(settings.backtest_weeks, settings.freq), cube.n_periods // 3)
    extra = truth_scores(truth, cube, n) if models is None and truth is not None else {}
    return backtest(cube, {name: make_model(name) for name in (models or MODELS)},
                    n_periods=n, retrain_every_weeks=settings.retrain_every_weeks,
                    extra_scores=extra)


class HotspotSteps:
    """The costly steps of the entry points, one method each, on one dataset; each is done
    once per instance.

    ``wider`` is the same data with every crime head (same dates and districts): the fast
    models are compared on it, so one choice serves every choice of crime heads (default: on
    ``dataset`` itself). ``grid`` is the cells (default: drawn over ``dataset``). ``truth`` is
    the synthetic city's :class:`~crimekit.synth.CityTruth` when ``dataset`` is that city
    unfiltered by district: its expected counts join the full backtest as the ceiling.

    Each method takes settings already reduced to what the step depends on (see
    :meth:`HotspotSettings.counted` and :meth:`~HotspotSettings.tested`), so a subclass that
    keeps results between calls (the app's) may cache each step on (its data, the settings)
    with :func:`count_cells`, :func:`next_period_risk` and :func:`backtest_cells`.
    """

    def __init__(self, dataset, *, grid: Grid | None = None, wider=None, truth=None):
        self.dataset = dataset
        self._grid = grid
        self.wider = None if wider is None else HotspotSteps(wider, grid=grid)
        self.truth = truth
        self._done = {}

    def _remembered(self, key, compute):
        if key not in self._done:
            self._done[key] = compute()
        return self._done[key]

    def grid(self, settings: HotspotSettings) -> Grid:
        """The cells of ``settings.cell_size``."""
        if self._grid is None:
            return self._remembered(("grid", settings.cell_size), lambda: grid_for(
                self.dataset.incidents, cell_size=settings.cell_size, beats=self.dataset.beats))
        if self._grid.cell_size != settings.cell_size:
            raise ParameterError.invalid("grid", "HotspotSteps", "a grid of cells of the "
                                         "settings' cell size", f"{self._grid.cell_size:g} m")
        return self._grid

    def cube(self, settings: HotspotSettings) -> CountCube:
        """Crimes per (period, cell): :func:`count_cells`."""
        return self._remembered(("cube", settings), lambda: count_cells(
            self.dataset, self.grid(settings), settings))

    def fitted(self, settings: HotspotSettings, model: str) -> RiskModel:
        """``model`` fitted on every period of the cube."""
        return self._remembered(("fitted", settings, model),
                          lambda: make_model(model).fit(self.cube(settings)))

    def risk(self, settings: HotspotSettings, model: str) -> pd.DataFrame:
        """Every cell's risk in the period after the data: :func:`next_period_risk`."""
        return self._remembered(("risk", settings, model), lambda: next_period_risk(
            self.dataset, self.cube(settings), self.fitted(settings, model)))

    def backtest(self, settings: HotspotSettings, models: tuple | None = None) -> Backtest:
        """The rolling backtest of ``models``: :func:`backtest_cells`."""
        return self._remembered(("backtest", settings, models), lambda: backtest_cells(
            self.cube(settings), settings, models, self.truth))

    def fast_backtest(self, settings: HotspotSettings) -> tuple:
        """(the fast models' backtest, whether it is of the wider data)."""
        if self.wider is not None:
            return self.wider.backtest(settings, FAST_MODELS), True
        return self.backtest(settings, FAST_MODELS), False


def _resolved(dataset, settings: HotspotSettings) -> tuple:
    """(settings with the period length the data's dates allow, notes saying why)."""
    freq, why = usable_freq(dataset.incidents, settings.freq)
    return settings.replace(freq=freq), (why,) if why else ()


def predict_hotspots(dataset, settings: HotspotSettings = HotspotSettings(), *,
                     steps: HotspotSteps | None = None, wider=None, truth=None,
                     grid: Grid | None = None) -> HotspotResult:
    """Risk per cell for the period after ``dataset`` (see :class:`HotspotResult`).

    With ``settings.model`` "auto" the model is the best of the fast models by hit rate at
    ``settings.coverage`` on a backtest of ``wider`` (every crime head, same dates and
    districts; default ``dataset``), where a learned model must capture more than the best
    baseline. The model's own backtest is then reused when it is of this data, else run for it
    alone (every model with ``settings.compare``). ``steps`` (default: a plain
    :class:`HotspotSteps` over ``dataset``, ``wider``, ``truth`` and ``grid``) does the costly
    work.
    """
    steps = steps or HotspotSteps(dataset, grid=grid, wider=wider, truth=truth)
    asked = settings
    settings, notes = _resolved(dataset, settings)
    counted, tested = settings.counted(), settings.tested()
    fast_bt, on_wider = None, False
    if settings.model == AUTO or not settings.compare:
        fast_bt, on_wider = steps.fast_backtest(tested)
    chosen = settings.model == AUTO
    model = choose_model(fast_bt, settings.coverage) if chosen else settings.model
    risk = steps.risk(counted, model)
    if settings.compare:
        bt = steps.backtest(tested)
    elif not on_wider and model in FAST_MODELS:  # the fast backtest is of this very data
        bt = fast_bt
    else:
        bt = steps.backtest(tested, (model,))
    compared = bt if settings.compare else fast_bt if on_wider else fast_bt.joined(bt)
    cube = steps.cube(counted)
    top, importance = _top_cells(steps, counted, cube, model, risk, settings.coverage)
    reason = (CHOSEN_ON + (WIDER_WORDS if on_wider else "this view.")) if chosen \
        else "as asked."
    return HotspotResult(
        settings=asked, freq=settings.freq,
        period_start=pd.Timestamp(risk["period_start"].iloc[0]), model=model, chosen=chosen,
        wider=on_wider, reason=reason, grid=cube.grid, risk=risk, top=top,
        importance=importance, backtest=bt, compared=compared,
        versus=versus_best_baseline(compared, (settings.coverage,), measure="hit_rate"),
        verdict=hotspot_verdict(compared, settings.coverage), notes=notes)


def _top_cells(steps, counted, cube, model, risk, coverage) -> tuple:
    """(the flagged cells with what drove each one's score, the learned model's overall
    reliance on its features or None)."""
    top = risk.head(n_flagged(len(risk), coverage))
    cells = cube.grid.cells.set_index("cell_id")
    table = top[["cell_id", "beat", "probability", "expected", "expected_low",
                 "expected_high"]].copy()
    table.insert(2, "lat", table["cell_id"].map(cells["lat"]).to_numpy())
    table.insert(3, "lon", table["cell_id"].map(cells["lon"]).to_numpy())
    table.insert(0, "rank", range(1, len(table) + 1))
    if model not in LEARNED:
        table["why"] = f"{HotspotSettings.model_label(model, speed=True)} baseline score"
        return table, None
    fitted = steps.fitted(counted, model)
    parts = fitted.explain(cube, cube.n_periods, cell_ids=list(top["cell_id"]), top=3)
    table["why"] = table["cell_id"].map(drivers_in_words(parts))
    overall = fitted.feature_importance() if model == "xgboost" else fitted.weights()
    return table, overall


def backtest_hotspots(dataset, settings: HotspotSettings = HotspotSettings(), *,
                      models: tuple | None = None, steps: HotspotSteps | None = None,
                      truth=None, grid: Grid | None = None) -> Backtest:
    """The rolling backtest of ``models`` (default: every model, with the synthetic city's
    ``truth`` as the ceiling when given) on ``dataset`` over the last
    ``settings.backtest_weeks``, each model refitted every ``settings.retrain_every_weeks`` on
    only the periods before."""
    steps = steps or HotspotSteps(dataset, grid=grid, truth=truth)
    settings, _ = _resolved(dataset, settings)
    return steps.backtest(settings.tested(), None if models is None else tuple(models))


def classify_hotspots(dataset, settings: HotspotSettings = HotspotSettings(), *,
                      steps: HotspotSteps | None = None,
                      grid: Grid | None = None) -> HotspotClasses:
    """Each cell's class over history (stable, relative, occasional, non-hotspot) and its
    Getis-Ord Gi* result, counted as ``settings`` say."""
    steps = steps or HotspotSteps(dataset, grid=grid)
    settings, _ = _resolved(dataset, settings)
    return classify_cells(steps.cube(settings.counted()))
