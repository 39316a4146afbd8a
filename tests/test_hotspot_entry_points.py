"""The hotspot entry points the pages and the command line share: settings declared once, the
model chosen by backtest, the verdict against the best baseline, the truth's ceiling, and
predict_hotspots / backtest_hotspots / score_hotspots / classify_hotspots on the synthetic
city. (What used to be computed in ui/hotspots.py and views/hotspots.py is tested here.)"""

import numpy as np
import pandas as pd
import pytest
from test_evaluate import three_week_backtest

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.hotspots import (FAST_MODELS, MODELS, HotspotSettings, HotspotSteps,
                               ScoreSettings, backtest_hotspots, classify_hotspots,
                               predict_hotspots, score_hotspots)
from crimekit.hotspots.evaluate import TRUTH, Backtest, n_flagged, truth_scores
from crimekit.hotspots.settings import AUTO, MODEL_CHOICES, MODEL_LABELS
from crimekit.hotspots.verdict import choose_model, hotspot_verdict, verdict_note
from crimekit.spatial import grid_for

FAST_SETTINGS = HotspotSettings(cell_size=1000, backtest_weeks=8)


def hits_backtest(hits: dict) -> Backtest:
    """One period, one coverage (0.01), the given hit rate per model."""
    per = pd.DataFrame([{"model": m, "coverage": 0.01, "hit_rate": h,
                         "period_start": pd.Timestamp("2025-01-06")} for m, h in hits.items()])
    return Backtest(per.drop(columns="period_start"), per, pd.DataFrame(),
                    pd.DatetimeIndex(["2025-01-06"]))


# --- settings ----------------------------------------------------------------------------------

def test_settings_are_declared_once_and_checked():
    assert set(MODEL_CHOICES) == {AUTO, *MODELS} and set(MODEL_LABELS) == set(MODEL_CHOICES)
    s = HotspotSettings()
    assert (s.cell_size, s.freq, s.categories, s.model, s.backtest_weeks, s.coverage,
            s.compare) == (250, "W", (), AUTO, 13, 0.01, False)
    assert HotspotSettings.spec("cell_size")["default"] == 250
    assert 250 in HotspotSettings.CELL_SIZES
    # crime heads are kept sorted and unique, so equal choices key one cache entry
    assert HotspotSettings(categories=["Theft", "Burglary", "Theft"]).categories == \
        ("Burglary", "Theft")
    assert hash(HotspotSettings(categories=("B", "A"))) == hash(HotspotSettings(
        categories=("A", "B")))
    with pytest.raises(ParameterError, match="'cell_size' parameter of HotspotSettings"):
        HotspotSettings(cell_size=10)
    with pytest.raises(ParameterError, match="'model' parameter of HotspotSettings"):
        HotspotSettings(model="crystal-ball")
    with pytest.raises(ParameterError, match="'categories' parameter"):
        HotspotSettings(categories="Theft")
    # the command line names its model: the count model by default, never "auto"
    assert ScoreSettings().model == "poisson" and AUTO not in ScoreSettings.spec("model")[
        "choices"]
    with pytest.raises(ParameterError, match="'model' parameter of ScoreSettings"):
        ScoreSettings(model=AUTO)


def test_steps_see_only_what_they_depend_on():
    s = HotspotSettings(cell_size=500, categories=("Theft",), coverage=0.05, model="kde",
                        compare=True, backtest_weeks=26)
    assert s.counted() == HotspotSettings(cell_size=500, categories=("Theft",))
    assert s.tested() == HotspotSettings(cell_size=500, categories=("Theft",),
                                         backtest_weeks=26)
    assert s.counted() == s.replace(coverage=0.01, model="poisson").counted()


def test_labels():
    label = HotspotSettings.model_label
    assert label("poisson") == "Count model (learned)"
    assert label("poisson", speed=True) == "Count model (learned, fast)"
    assert label("xgboost", speed=True) == "XGBoost on counts (learned, slower)"
    assert label("kde", speed=True) == "Kernel density (decayed)"
    assert HotspotSettings.freq_label("2W") == "Two weeks"


# --- the choice, the verdict, joined backtests, the truth ------------------------------------

@pytest.mark.parametrize("hits, chosen", [
    ({"poisson": 0.30, "kde": 0.20, "all-history": 0.30}, "all-history"),  # a tie: baseline
    ({"poisson": 0.31, "kde": 0.20, "all-history": 0.30}, "poisson"),
    ({"kde": 0.20, "all-history": 0.25}, "all-history"),
    ({"poisson": np.nan, "kde": 0.20, "last-year": 0.10}, "kde"),
])
def test_choose_model(hits, chosen):
    assert choose_model(hits_backtest(hits), 0.01) == chosen


def test_verdict_by_hand():
    bt = three_week_backtest()  # hit rates: poisson .5 .7 .9, all-history .4 .6 .5
    v = hotspot_verdict(bt, 0.1)
    assert (v.model, v.baseline, v.periods) == ("poisson", "all-history", 3)
    assert v.difference == pytest.approx(0.2) and v.se == pytest.approx(0.1)
    assert v.beats and not v.clear  # 0.2 is not more than twice the standard error 0.1
    assert (v.low, v.high) == (pytest.approx(0.2 - 0.196), pytest.approx(0.2 + 0.196))
    kind, text = verdict_note(v, "poisson", wider=False)
    assert kind == "success"
    assert text.startswith("**Count model (learned, fast) beats the best baseline** "
                           "(All history) in the backtest: 70.0% of crimes in the top 10.0% "
                           "of cells against 50.0% (+20.0 points, 95% range +0.4 to +39.6, "
                           "paired over 3 periods).")
    assert text.endswith("The gap is within the backtest's uncertainty.")
    assert hotspot_verdict(hits_backtest({"kde": 0.2, "all-history": 0.3}), 0.01) is None


def test_verdict_when_no_learned_model_beats_the_baseline():
    weeks = pd.date_range("2025-01-06", periods=2, freq="7D")
    per = pd.DataFrame([{"model": m, "coverage": 0.01, "period_start": w, "hit_rate": h}
                        for m, hs in {"poisson": (0.2, 0.2), "kde": (0.3, 0.1),
                                      "last-year": (0.25, 0.25)}.items()
                        for w, h in zip(weeks, hs)])
    summary = per.groupby(["model", "coverage"], sort=False)[["hit_rate"]].mean().reset_index()
    v = hotspot_verdict(Backtest(summary, per, pd.DataFrame(), weeks), 0.01)
    assert v.baseline == "last-year" and v.difference == pytest.approx(-0.05) and not v.beats
    kind, text = verdict_note(v, "last-year", wider=True)
    assert kind == "warning"
    assert text.startswith("**No learned model beats the best baseline on this data.** In the "
                           "backtest on every crime head in these dates and districts, Last "
                           "year did at least as well")
    assert text.endswith("The map and numbers below are from Last year.")
    assert verdict_note(v, "poisson", wider=False)[1].endswith(
        "You chose Count model (learned, fast); Last year did better.")


def test_joined_backtests_add_only_the_other_models():
    first = hits_backtest({"poisson": 0.3, "kde": 0.2})
    second = hits_backtest({"kde": 0.9, "xgboost": 0.4})
    joined = first.joined(second)
    assert joined.at(0.01).to_dict() == {"poisson": 0.3, "kde": 0.2, "xgboost": 0.4}
    assert first.joined(hits_backtest({"kde": 0.5})) is first


def test_truth_scores_are_the_generators_expected_counts(small_city):
    ds = small_city.dataset
    grid = grid_for(ds.incidents, cell_size=1000, beats=ds.beats)
    steps = HotspotSteps(ds, grid=grid)
    cube = steps.cube(HotspotSettings(cell_size=1000))
    scores = truth_scores(small_city.truth, cube, 8)[TRUTH]
    assert scores.shape == (8, len(cube.cell_ids)) and (scores >= 0).all()
    # how many crimes those weeks had, and where (the truth is what they were drawn from)
    recorded = cube.counts[-8:]
    assert scores.sum() == pytest.approx(recorded.sum(), rel=0.1)
    assert np.corrcoef(scores.sum(axis=0), recorded.sum(axis=0))[0, 1] > 0.9
    burglary = steps.cube(HotspotSettings(cell_size=1000, categories=("Burglary",)))
    assert truth_scores(small_city.truth, burglary, 8)[TRUTH].sum() < scores.sum() / 3
    shifts = steps.cube(HotspotSettings(cell_size=1000, freq="S"))
    assert truth_scores(small_city.truth, shifts, 8) == {}  # the truth is daily


# --- the entry points on the synthetic city -------------------------------------------------------

class CountingSteps(HotspotSteps):
    """Plain steps that remember what they were asked (as the app's cache keys would)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked, self.memo = [], {}

    def _once(self, name, *key):
        self.asked.append((name, *key))
        if (name, *key) not in self.memo:
            self.memo[(name, *key)] = getattr(HotspotSteps, name)(self, *key)
        return self.memo[(name, *key)]

    def cube(self, settings):
        return self._once("cube", settings)

    def fitted(self, settings, model):
        return self._once("fitted", settings, model)

    def backtest(self, settings, models=None):
        return self._once("backtest", settings, models)


def test_predict_hotspots_chooses_by_backtest_and_reports_it(small_city):
    ds = small_city.dataset
    steps = CountingSteps(ds)
    r = predict_hotspots(ds, FAST_SETTINGS, steps=steps)
    assert r.chosen and r.model in FAST_MODELS and not r.wider
    assert r.reason.startswith("the best of the fast models") and r.reason.endswith("view.")
    assert r.period_start > ds.incidents["occurred_at"].max() and r.freq == "W"
    risk = r.risk
    assert list(risk.columns) == ["period_start", "cell_id", "beat", "score", "probability",
                                  "expected", "expected_low", "expected_high"]
    assert len(risk) == len(r.grid.cells) and risk["score"].is_monotonic_decreasing
    assert (risk["expected_low"] <= risk["expected"]).all()
    assert (risk["expected"] <= risk["expected_high"]).all()
    assert len(r.top) == n_flagged(len(risk), 0.01)
    assert r.top["rank"].tolist() == list(range(1, len(r.top) + 1))
    assert r.top["why"].str.len().gt(0).all()
    # the model's own backtest is the fast models' (of this very data), and the verdict reads it
    assert set(r.backtest.summary["model"]) == set(FAST_MODELS)
    assert r.verdict is not None and r.verdict.model == "poisson"
    assert 0 < r.hit_rate < 1 and r.hit_range[0] <= r.hit_rate <= r.hit_range[1]
    assert r.expected_in_top()[0] == pytest.approx(r.top["expected"].sum())
    # another area flagged counts and backtests nothing again (the steps are asked the same
    # things, so the app's caches serve them); it may choose and fit another model
    asked = {a for a in steps.asked if a[0] != "fitted"}
    again = predict_hotspots(ds, FAST_SETTINGS.replace(coverage=0.05), steps=steps)
    assert {a for a in steps.asked if a[0] != "fitted"} == asked
    assert len(again.top) == n_flagged(len(risk), 0.05)
    assert all(s.coverage == 0.01 and s.model == AUTO for _, s, *_ in steps.asked)


def test_predict_hotspots_with_a_named_model_on_a_crime_head(small_city):
    ds = small_city.dataset
    settings = FAST_SETTINGS.replace(model="poisson", categories=("Burglary",))
    r = predict_hotspots(ds.with_incidents(ds.incidents[ds.incidents["category"].isin(
        ["Burglary", "Theft"])]), settings, wider=ds)
    assert not r.chosen and r.reason == "as asked." and r.wider
    assert set(r.backtest.summary["model"]) == {"poisson"}  # its own backtest on this data
    assert r.verdict_wider and r.hit_gap is None
    assert set(r.compared.summary["model"]) == set(FAST_MODELS)
    assert r.importance is not None and {"feature", "share"} <= set(r.importance.columns)
    assert r.top["why"].str.contains(r"\(\+").all()  # the parts of its expected count


def test_month_dated_data_is_predicted_per_month_with_a_note(small_city):
    inc = small_city.dataset.incidents
    monthly = inc.assign(occurred_at=inc["occurred_at"].dt.to_period("M").dt.to_timestamp(),
                         precision="month")
    ds = small_city.dataset.with_incidents(monthly)
    r = predict_hotspots(ds, FAST_SETTINGS.replace(model="all-history", backtest_weeks=26))
    assert r.freq == "M" and r.settings.freq == "W" and r.period_start.day == 1
    assert r.notes[0].endswith("so hotspots are scored per month, not per week.")
    with pytest.raises(UnusableInputError, match="known only to the year"):
        predict_hotspots(ds.with_incidents(inc.assign(precision="year")), FAST_SETTINGS)


def test_backtest_and_classes_entry_points(small_city):
    ds = small_city.dataset
    bt = backtest_hotspots(ds, FAST_SETTINGS, models=("kde", "last-year"),
                           truth=small_city.truth)
    assert set(bt.summary["model"]) == {"kde", "last-year"}  # the truth only with every model
    assert len(bt.periods) == 8
    classes = classify_hotspots(ds, FAST_SETTINGS)
    assert {"hotspot_class", "gi_class", "class_level"} <= set(classes.table.columns)
    assert classes.table.groupby("hotspot_class")["class_level"].first().to_dict() == {
        "stable": 3, "relative": 2, "occasional": 1, "non-hotspot": 0}
    assert classes.by_class.to_numpy().sum() == len(classes.table)
    assert "geometry" in classes.cells()


def test_score_hotspots_names_its_columns(small_city):
    ds = small_city.dataset
    scored = score_hotspots(ds, ScoreSettings(model="kde", cell_size=1000),
                            start="2024-09-02", end="2024-09-16")
    assert list(scored.risk.columns) == ["period_start", "cell_id", "score", "probability",
                                         "expected"]
    assert scored.risk["probability"].between(0, 1).all() and scored.notes == ()
    assert (scored.freq, scored.model, scored.grid.cell_size) == ("W", "kde", 1000)


@pytest.mark.slow
def test_compare_backtests_every_model_and_the_truth(small_city):
    ds = small_city.dataset
    r = predict_hotspots(ds, FAST_SETTINGS.replace(model="xgboost", compare=True),
                         truth=small_city.truth)
    assert set(r.backtest.summary["model"]) == set(MODELS) | {TRUTH}
    assert r.compared is r.backtest and not r.verdict_wider and r.hit_gap is not None
