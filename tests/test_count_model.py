"""The count models: features checked by hand on a 3x3 grid, the likelihood fit against a slow
obvious one, no look-ahead, and (slow) the demo city, whose true expected counts are known."""

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from test_features import grid3, incidents_at

from crimekit.hotspots.models.count_model import (PoissonMixture, feature_words,
                                                  fit_nonneg_poisson, history_features,
                                                  neighbour_matrix)
from crimekit.hotspots.models.xgb import HotspotModel
from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit.hotspots.evaluate import period_metrics
from crimekit.hotspots.features import count_cube
from crimekit.hotspots import make_model, rolling_predict
from crimekit.spatial import grid_for


def hand_cube():
    g = grid3()
    inc = pd.concat([
        incidents_at(g, [4, 4, 0], ["2025-01-06", "2025-01-07", "2025-01-08"]),  # week 0
        incidents_at(g, [4], ["2025-01-14"]),                                     # week 1
        incidents_at(g, [8], ["2025-01-27"], category="Hurt"),                    # week 3
    ])
    return count_cube(inc, g, freq="W", categories=["Theft"])


def test_history_features_by_hand():
    f = history_features(hand_cube(), [2, 4])
    row = {name: v[0] for name, v in f.items()}   # t = 2: weeks 0 and 1 are history
    assert row["lag1"][4] == 1 and row["lag2"][4] == 2 and row["lag3"][4] == 0
    assert row["rate_13w"][4] == pytest.approx(3 / 2)   # 3 crimes over the 2 weeks there are
    assert row["rate_all"][0] == pytest.approx(1 / 2)
    # the 8 cells around the centre are all the others: cell 0's one crime
    assert row["near_rate_13w"][4] == pytest.approx(1 / 2)
    # around corner 8: cells 4, 5, 7; around corner 0: cells 1, 3, 4
    assert row["near_rate_all"][8] == pytest.approx(3 / 2)
    assert row["near_rate_all"][0] == pytest.approx(3 / 2)
    # two cells away from corner 8: cells 0, 1, 2, 3, 6 (cell 0's crime); none from the centre
    assert row["ring_rate_all"][8] == pytest.approx(1 / 2)
    assert row["ring_rate_all"][4] == 0 and row["ring_rate_all"][0] == 0
    later = {name: v[1] for name, v in f.items()}     # t = 4
    assert later["other_rate_52w"][8] == pytest.approx(1 / 4)  # the Hurt in week 3
    assert later["rate_all"][4] == pytest.approx(3 / 4)
    assert (f["base"] == 1).all()
    assert all((v >= 0).all() for v in f.values())


def test_neighbour_matrices_on_a_lattice():
    near, ring = neighbour_matrix(grid3(), 1), neighbour_matrix(grid3(), 2, 1)
    counts = np.asarray(near.sum(axis=1)).ravel()
    assert counts.tolist() == [3, 5, 3, 5, 8, 5, 3, 5, 3]
    assert np.asarray(ring.sum(axis=1)).ravel().tolist() == [5, 3, 5, 3, 0, 3, 5, 3, 5]
    assert (near != near.T).nnz == 0 and (ring != ring.T).nnz == 0
    assert near.multiply(ring).nnz == 0                 # the ring excludes the 8 around


def test_features_never_read_the_period_or_later():
    g = grid3()
    rng = np.random.default_rng(3)
    times = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 400, 300), unit="D")
    cube = count_cube(incidents_at(g, rng.integers(0, 9, 300), times), g, freq="W")
    t = np.arange(10, cube.n_periods)
    before = history_features(cube, t)
    cut = t[len(t) // 2]
    noisy = cube.counts.copy()
    noisy[cut:] = rng.integers(0, 5, noisy[cut:].shape)
    after = history_features(type(cube)(**{**cube.__dict__, "counts": noisy}), t)
    same = t <= cut
    for name in before:
        np.testing.assert_array_equal(before[name][same], after[name][same], err_msg=name)
    assert not np.array_equal(before["lag1"][~same], after["lag1"][~same])


def test_nonneg_poisson_fit_matches_a_slow_fit_on_every_row():
    rng = np.random.default_rng(0)
    X = np.column_stack([np.ones(400), rng.gamma(0.5, 1.0, (400, 3))])
    y = rng.poisson(X @ np.array([0.05, 0.5, 0.0, 0.2]))
    crime = y > 0
    fast = fit_nonneg_poisson(X[crime], y[crime], X.sum(axis=0))

    def nll(w):  # the obvious one: every row, including those without crime
        mu = X @ w + 1e-12
        return np.sum(mu - y * np.log(mu))
    slow = minimize(nll, np.full(4, 0.1), method="L-BFGS-B", bounds=[(0, None)] * 4).x
    assert nll(fast) <= nll(slow) + 1e-6
    np.testing.assert_allclose(fast, slow, atol=2e-3)
    assert (fast >= 0).all()


def test_nonneg_poisson_fit_by_hand():
    # two disjoint groups of rows (indicator columns): each weight is its group's mean count
    x = np.array([[1, 0], [1, 0], [0, 1]], float)     # the rows with crime
    y = np.array([2, 1, 4], float)
    w = fit_nonneg_poisson(x, y, totals=np.array([10, 8]))  # 10 and 8 rows in all
    np.testing.assert_allclose(w, [3 / 10, 4 / 8], rtol=1e-5)
    # a column that is zero everywhere gets weight 0; no crime at all gives zeros
    assert fit_nonneg_poisson(np.c_[x, np.zeros(3)], y, np.array([10, 8, 0]))[2] == 0
    assert (fit_nonneg_poisson(np.zeros((0, 2)), np.zeros(0), np.array([5, 5])) == 0).all()


@pytest.fixture(scope="module")
def small_cube(small_city):
    ds = small_city.dataset
    return count_cube(ds.incidents, grid_for(ds.incidents, cell_size=250.0, beats=ds.beats),
                      freq="W", pois=ds.pois)


def test_mixture_contract_weights_and_explanations(small_cube):
    model = PoissonMixture()
    with pytest.raises(NotFittedError, match="fit"):
        model.predict(small_cube, [60])
    assert model.fit(small_cube, 60) is model
    w = model.weights()
    assert (w["weight"] >= 0).all() and w["share"].sum() == pytest.approx(1.0)
    assert w["feature"].iloc[0] in {"rate_all", "rate_52w", "rate_13w", "near_rate_13w",
                                    "near_rate_52w", "near_rate_all"}
    pred = model.predict(small_cube, [60, 61])
    assert pred["probability"].between(0, 1).all() and (pred["expected"] >= 0).all()
    again = pickle.loads(pickle.dumps(model)).predict(small_cube, [60, 61])
    pd.testing.assert_frame_equal(pred, again)
    # each cell's parts add up to its score (all parts: top = every feature)
    cells = small_cube.cell_ids[:20]
    parts = model.explain(small_cube, 60, cell_ids=cells, top=len(model.features_))
    total = parts.groupby("cell_id")["contribution"].sum()
    score = pred[pred["period_start"] == pred["period_start"].min()].set_index("cell_id")
    np.testing.assert_allclose(total.loc[cells], score.loc[cells, "score"], rtol=1e-9)
    assert all(" " in feature_words(f) for f in model.features_)
    with pytest.raises(ParameterError, match="'focus' parameter of PoissonMixture"):
        PoissonMixture(focus=1.5).fit(small_cube, 60)


def test_boosted_model_explanations_add_up_to_the_log_count(small_cube):
    model = HotspotModel(n_estimators=30, max_depth=3, learning_rate=0.2).fit(small_cube, 80)
    imp = model.feature_importance()
    assert imp["share"].sum() == pytest.approx(1.0) or imp["gain"].sum() == 0
    cells = small_cube.cell_ids[:5]
    parts = model.explain(small_cube, 80, cell_ids=cells, top=len(model.features_) + 1)
    margin = parts.groupby("cell_id")["contribution"].sum()
    raw = model.predict(small_cube, [80]).set_index("cell_id").loc[cells, "score"]
    bias = np.log(raw) - margin.loc[cells]
    assert np.allclose(bias, bias.iloc[0], atol=1e-3)   # the same constant for every cell


def test_no_crime_to_learn_from_is_one_sentence(small_cube):
    empty = type(small_cube)(**{**small_cube.__dict__,
                                "counts": np.zeros_like(small_cube.counts)})
    with pytest.raises(UnusableInputError, match="No crime was recorded"):
        PoissonMixture().fit(empty, 60)


# --- the demo city, whose true expected counts are known ------------------------------------

def truth_ranked(scores, truth, coverage):
    """Mean over periods of the truth's expected crimes in the flagged cells, as a PAI."""
    return np.mean([period_metrics(s, e, coverage)["pai"] for s, e in zip(scores, truth)])


@pytest.mark.slow
def test_count_model_beats_the_52_week_count_on_the_truth(city):
    """52 weekly periods, 250 m cells, refitted every 13 weeks: ranked against the generator's
    true expected counts, the count model flags cells holding more expected crime than the
    count of the last 52 weeks (the strongest baseline on the demo city), and its expected
    counts are closer to the truth."""
    ds = city.dataset
    cube = count_cube(ds.incidents, grid_for(ds.incidents, cell_size=250.0, beats=ds.beats),
                      freq="W", pois=ds.pois)
    t = np.arange(cube.n_periods - 52, cube.n_periods)
    fine = city.truth.fine_cells
    exp = city.truth.expected_counts(cube.grid.cell_of(fine["lat"], fine["lon"]), freq="W")
    exp = exp[exp["unit"] >= 0].pivot(index="period_start", columns="unit", values="expected")
    truth = exp.reindex(index=cube.periods[t], columns=cube.cell_ids).fillna(0).to_numpy()
    model = rolling_predict(make_model("poisson"), cube, t)
    base = rolling_predict(make_model("last-52-weeks"), cube, t)
    coverages = (0.01, 0.02, 0.05, 0.10)
    ours = np.array([truth_ranked(model[0], truth, c) for c in coverages])
    theirs = np.array([truth_ranked(base[0], truth, c) for c in coverages])
    assert ours.mean() > theirs.mean(), (ours, theirs)
    assert (ours[2:] > theirs[2:]).all(), (ours, theirs)      # 5% and 10%: clearly ahead
    assert (ours[:2] > 0.99 * theirs[:2]).all(), (ours, theirs)  # 1%, 2%: at least level
    # expected counts (each calibrated on held-out weeks) closer to the true ones
    assert np.mean((model[2] - truth) ** 2) < 0.95 * np.mean((base[2] - truth) ** 2)
