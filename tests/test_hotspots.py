"""Hotspot models on the synthetic city: they learn, they beat the naive baselines, they reach
the truth's ceiling, and no period's score ever uses incidents from that period or later.
(The count models' own checks are in test_count_model.py.)"""

import pickle

import numpy as np
import pandas as pd
import pytest

from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit.hotspots.evaluate import backtest
from crimekit.hotspots.features import History, count_cube
from crimekit.hotspots import (LEARNED, MODELS, CrimeTypeModel, HotspotModel, KernelDensity,
                               PoissonMixture, crime_type_backtest, make_model,
                               score_periods, usable_freq)
from crimekit.patrol.hotspot_risk import predict_beat_shift_risk
from crimekit.spatial import grid_for

FAST = dict(n_estimators=80, max_depth=4, learning_rate=0.15, max_rows=120_000)


def cube_of(city, cell_size=250.0, freq="W"):
    ds = city.dataset
    grid = grid_for(ds.incidents, cell_size=cell_size, beats=ds.beats)
    return count_cube(ds.incidents, grid, freq=freq, pois=ds.pois)


def truth_scores(city, cube, t):
    """The generator's expected counts per (test period, cell): the best possible ranking."""
    fine = city.truth.fine_cells
    exp = city.truth.expected_counts(cube.grid.cell_of(fine["lat"], fine["lon"]), freq="W")
    exp = exp[exp["unit"] >= 0].pivot(index="period_start", columns="unit", values="expected")
    return exp.reindex(index=cube.periods[t], columns=cube.cell_ids).fillna(0).to_numpy()


@pytest.fixture(scope="module")
def small_cube(small_city):
    return cube_of(small_city)


def test_learned_models_beat_the_naive_baselines(small_cube):
    models = {"xgboost": HotspotModel(**FAST), "poisson": PoissonMixture(),
              "last-period": make_model("last-period"), "last-year": make_model("last-year")}
    bt = backtest(small_cube, models, n_periods=13, retrain_every_weeks=13,
                  coverages=(0.01, 0.05))
    for cov in (0.01, 0.05):
        hits = bt.at(cov)
        for learned in ("xgboost", "poisson"):
            assert hits[learned] > 1.2 * max(hits["last-period"], hits["last-year"]), hits
    assert bt.summary.groupby("model")["brier"].first().idxmin() in LEARNED
    for learned in ("xgboost", "poisson"):
        rel = bt.reliability[bt.reliability["model"] == learned]
        assert (rel["predicted"] - rel["observed"]).abs().max() < 0.1  # calibrated


@pytest.mark.slow
def test_learned_models_reach_the_truth_and_the_best_baseline(city):
    cube = cube_of(city)
    n = 26
    t = np.arange(cube.n_periods - n, cube.n_periods)
    models = {name: make_model(name) for name in MODELS}
    bt = backtest(cube, models, n_periods=n, coverages=(0.01, 0.05),
                  extra_scores={"truth": truth_scores(city, cube, t)})
    at1, at5 = bt.at(0.01), bt.at(0.05)
    baselines = [m for m in MODELS if m not in LEARNED]
    for learned in LEARNED:
        assert at1[learned] >= 0.9 * at1["truth"]
        # "not worse": within a hair of the best baseline (the 52-week count is close to the
        # truth's ceiling here; test_count_model compares them on the truth itself)
        assert at1[learned] >= at1[baselines].max() - 0.005, learned
        assert at5[learned] >= at5[baselines].max() - 0.005, learned


def test_the_52_week_count_baseline(small_cube):
    model = make_model("last-52-weeks").fit(small_cube, 60)
    raw = model.predict_arrays(small_cube, [60, 70])[0]
    h = History(small_cube.counts, "W")
    np.testing.assert_array_equal(raw, h.cum[[60, 70]] - h.cum[[8, 18]])


@pytest.mark.parametrize("model", [HotspotModel(**FAST), PoissonMixture()],
                         ids=["xgboost", "poisson"])
def test_scores_never_use_incidents_from_the_period_or_later(small_city, model):
    ds = small_city.dataset
    start = pd.Timestamp("2024-09-02")  # a Monday
    kw = dict(start=start, end=start + pd.Timedelta(weeks=3), model=model)
    risk, _ = score_periods(ds, **kw)
    assert sorted(risk["period_start"].unique()) == list(
        pd.date_range(start, periods=3, freq="7D"))
    week2 = start + pd.Timedelta(weeks=1)
    inc = ds.incidents
    later = inc[inc["occurred_at"] >= week2]
    moved = later.assign(occurred_at=later["occurred_at"] + pd.Timedelta(hours=30),
                         lat=later["lat"].to_numpy()[::-1], lon=later["lon"].to_numpy()[::-1])
    changed = ds.with_incidents(pd.concat([inc[inc["occurred_at"] < week2], moved,
                                           moved.head(500)], ignore_index=True))
    risk2, _ = score_periods(changed, **kw)
    early = risk["period_start"] <= week2
    pd.testing.assert_frame_equal(risk[early], risk2[early])
    assert not np.allclose(risk.loc[~early, "score"], risk2.loc[~early, "score"])


def test_model_contract(small_cube):
    model = KernelDensity()
    with pytest.raises(NotFittedError, match="fit"):
        model.predict(small_cube, [50])
    assert model.fit(small_cube, 60) is model and model.end_ == 60
    pred = model.predict(small_cube, [60, 61])
    assert list(pred.columns) == ["period_start", "cell_id", "score", "probability", "expected"]
    assert len(pred) == 2 * len(small_cube.cell_ids)
    assert pred["probability"].between(0, 1).all() and (pred["expected"] >= 0).all()
    # the probability is a strictly increasing map of the score, so ranks are kept
    order = np.argsort(pred["score"].to_numpy())
    assert (np.diff(pred["probability"].to_numpy()[order]) >= 0).all()
    again = pickle.loads(pickle.dumps(model)).predict(small_cube, [60, 61])
    pd.testing.assert_frame_equal(pred, again)
    with pytest.raises(ParameterError, match="'model' parameter of make_model"):
        make_model("crystal-ball")


def test_beat_shift_risk_for_the_planner(small_city):
    ds = small_city.dataset
    risk = predict_beat_shift_risk(ds, model="kde")
    assert list(risk.columns[:5]) == ["beat", "shift", "risk", "risk_low", "risk_high"]
    assert set(risk["shift"]) == {"morning", "evening", "night"}
    assert set(risk["beat"]) == set(ds.beats["beat"])
    assert (risk["risk_low"] <= risk["risk"]).all() and (risk["risk"] <= risk["risk_high"]).all()
    last = ds.incidents["occurred_at"].max()
    assert risk["period_start"].iloc[0] > last
    recent = ds.incidents[ds.incidents["occurred_at"] > last - pd.Timedelta(weeks=8)]
    assert risk["risk"].sum() == pytest.approx(len(recent) / 8, rel=0.25)


def test_crime_type_model_beats_the_places_historical_mix(small_city):
    ds = small_city.dataset
    table = crime_type_backtest(ds.incidents, place="beat", test_weeks=13).set_index("method")
    assert table.loc["model", "log_loss"] < table.loc["historical mix", "log_loss"]
    assert table.loc["model", "top3_accuracy"] > 0.5
    model = CrimeTypeModel(place="beat").fit(ds.incidents)
    probs = model.predict(ds.beats["beat"].iloc[0], "2025-01-06", shift="night")
    assert probs["probability"].sum() == pytest.approx(1.0, abs=1e-4)
    assert set(probs["category"]) == set(ds.incidents["category"])


def test_dates_known_only_to_the_month_are_scored_monthly(small_city):
    inc = small_city.dataset.incidents
    monthly = inc.assign(occurred_at=inc["occurred_at"].dt.to_period("M").dt.to_timestamp(),
                         precision="month")
    freq, why = usable_freq(monthly, "W")
    assert freq == "M" and why.endswith("so hotspots are scored per month, not per week.")
    assert usable_freq(inc, "W") == ("W", None)
    daily = inc.assign(precision="day")
    assert usable_freq(daily, "S")[0] == "D" and usable_freq(daily, "W") == ("W", None)
    with pytest.raises(UnusableInputError, match="known only to the month"):
        score_periods(small_city.dataset.with_incidents(monthly), start="2024-09-02",
                      end="2024-09-30", model="kde")
    with pytest.raises(UnusableInputError, match="known only to the year"):
        usable_freq(inc.assign(precision="year"), "M")
