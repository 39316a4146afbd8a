"""Re-offending model: history-only inputs, no leakage, and an honest backtest on the demo city."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from crimekit.errors import NotFittedError, ParameterError
from crimekit.profiles.people.reoffending import (FEATURES, ReoffendingModel,
                                                  backtest_reoffending, history_features,
                                                  reoffended)
from crimekit.schema import PERSON_COLUMNS, PROTECTED_FIELDS, Dataset, conform_incidents, \
    conform_persons

AS_OF = pd.Timestamp("2025-01-01")


@pytest.fixture(scope="module")
def backtest(city):
    return backtest_reoffending(city.dataset, months=12)


@pytest.fixture(scope="module")
def fitted(city):
    return ReoffendingModel(months=12).fit(city.dataset, AS_OF)


def test_history_features_by_hand():
    inc = conform_incidents(pd.DataFrame({
        "incident_id": ["I1", "I2", "I3", "I4"],
        "occurred_at": pd.to_datetime(["2024-01-01", "2024-11-01", "2024-12-01", "2025-02-01"]),
        "category": ["Theft", "Hurt", "Murder", "Theft"],
        "category_group": ["Property", "Body", "Body", "Property"],
        "heinous": [False, False, True, False], "beat": ["B1", "B2", "B2", "B1"]}))
    persons = conform_persons(pd.DataFrame({
        "incident_id": ["I1", "I2", "I3", "I3", "I4"], "role": "accused",
        "person_id": ["A", "A", "A", "B", "B"]}))
    ds = Dataset(name="t", incidents=inc, persons=persons)
    f = history_features(ds, "2025-01-01")
    assert list(f.index) == ["A", "B"]
    a = f.loc["A"]
    assert a["log_offences"] == pytest.approx(np.log1p(3))
    assert a["log_offences_90d"] == pytest.approx(np.log1p(2))  # Nov 1 and Dec 1
    assert a["log_days_since_last"] == pytest.approx(np.log1p(31))
    assert (a["n_heads"], a["n_beats"]) == (3, 2)
    assert a["share_heinous"] == pytest.approx(1 / 3) and a["share_co_accused"] == pytest.approx(1 / 3)
    assert a["head_Body"] == pytest.approx(np.log1p(2))
    # the lookback window: only 2024-02-01 onwards when looking back 11 months
    assert history_features(ds, "2025-01-01", lookback_months=11).loc["A", "log_offences"] \
        == pytest.approx(np.log1p(2))
    assert set(reoffended(ds, "2025-01-01", 3).index) == {"B"}


def test_inputs_are_history_only(fitted):
    assert fitted.features_[: len(FEATURES)] == FEATURES
    used = " ".join(fitted.features_)
    for field in set(PERSON_COLUMNS) - {"incident_id", "person_id"} | set(PROTECTED_FIELDS):
        assert field not in used.replace("share_", "").replace("log_", ""), field


def test_protected_fields_do_not_move_the_scores(city, fitted):
    """Scramble caste, nationality, sex and age, add a religion column: every score is equal."""
    ds = city.dataset
    rng = np.random.default_rng(0)
    p = ds.persons
    changed = p.assign(
        caste=rng.permutation(p["caste"].to_numpy()),
        nationality=np.where(p["nationality"] == "Indian", "Other", "Indian"),
        sex=np.where(p["sex"] == "M", "F", "M"),
        age=rng.permutation(p["age"].to_numpy()),
        religion=rng.choice(["A", "B", "C"], len(p)))
    other = replace(ds, persons=changed)
    before = fitted.predict(ds, AS_OF)
    after = fitted.predict(other, AS_OF)
    pd.testing.assert_frame_equal(before, after)
    refit = ReoffendingModel(months=12).fit(other, AS_OF).predict(other, AS_OF)
    pd.testing.assert_frame_equal(before, refit)


def test_fit_reads_nothing_on_or_after_as_of(city, fitted):
    ds = city.dataset
    cut = ds.with_incidents(ds.incidents[ds.incidents["occurred_at"] < AS_OF])
    other = ReoffendingModel(months=12).fit(cut, AS_OF)
    pd.testing.assert_frame_equal(fitted.coefficients(), other.coefficients())


def test_predict_before_fit_and_bad_months():
    with pytest.raises(NotFittedError, match="fit"):
        ReoffendingModel().predict(None, AS_OF)
    with pytest.raises(ParameterError, match="'months'"):
        ReoffendingModel(months=0).fit(None, AS_OF)


def test_backtest_beats_chance_and_the_base_rate(backtest):
    assert backtest.as_of == pd.Timestamp("2024-12-31")
    assert backtest.n > 1500
    assert 0.6 < backtest.auc < 0.9
    assert backtest.brier < backtest.brier_base_rate
    cal = backtest.calibration
    assert (cal["observed"] - cal["mean_predicted"]).abs().max() < 0.1
    assert cal["n"].sum() == backtest.n


def test_calibration_per_group_covers_every_offender(backtest):
    g = backtest.by_group
    assert set(g["field"]) == {"age_band", "sex"}
    assert {"F", "M"} <= set(g.loc[g["field"] == "sex", "group"])
    for _, part in g.groupby("field"):
        assert part["n"].sum() == backtest.n
    # a rate is undefined only for a group with no one of that outcome (e.g. one person)
    has_neg = g["n"] * (1 - g["base_rate"]) >= 1
    assert g.loc[has_neg, "false_positive_rate"].notna().all()
    assert g.loc[g["n"] * g["base_rate"] >= 1, "false_negative_rate"].notna().all()
    assert (g["brier"] < 0.25).all()


def test_prolific_offenders_score_higher(city, backtest):
    truth = city.truth.offenders.set_index("person_id")["prolific"]
    s = backtest.scores.assign(prolific=backtest.scores["person_id"].map(truth))
    means = s.groupby("prolific")["probability"].mean()
    assert means[True] > 0.95 > means[False]


def test_too_long_horizon_is_refused_with_the_limit(city):
    with pytest.raises(ParameterError, match="at most"):
        backtest_reoffending(city.dataset, months=24)
