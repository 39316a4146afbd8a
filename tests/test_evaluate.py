"""Hotspot measures on a hand-computed 3x3 grid, and the backtest's bookkeeping."""

import numpy as np
import pandas as pd
import pytest

from crimekit.errors import ParameterError
from crimekit.hotspots.evaluate import (Backtest, best_baseline, brier, evaluate_scores,
                                        hit_rate, n_flagged, pai, paired_difference, pei,
                                        period_metrics, reliability_curve,
                                        versus_best_baseline)

# cells 0..8 of a 3x3 grid, ranked 0 first; 10 crimes in cells 0, 2, 4 and 8
SCORES = np.array([9, 8, 7, 6, 5, 4, 3, 2, 1], float)
COUNTS = np.array([3, 0, 1, 0, 2, 0, 0, 0, 4], float)


def test_one_cell_of_nine():
    m = period_metrics(SCORES, COUNTS, 1 / 9)
    assert m["hit_rate"] == pytest.approx(0.3)         # 3 of 10 crimes
    assert m["pai"] == pytest.approx(0.3 * 9)          # over 1/9 of the area
    assert m["pei"] == pytest.approx(3 / 4)            # best single cell holds 4
    assert m["grid_hit_ratio"] == pytest.approx(1 / 4)  # 1 of the 4 cells with crime
    assert m["precision"] == pytest.approx(1.0)


def test_three_cells_of_nine():
    assert hit_rate(SCORES, COUNTS, 1 / 3) == pytest.approx(0.4)   # 3 + 0 + 1
    assert pai(SCORES, COUNTS, 1 / 3) == pytest.approx(1.2)
    assert pei(SCORES, COUNTS, 1 / 3) == pytest.approx(4 / 9)      # best: 4 + 3 + 2
    m = period_metrics(SCORES, COUNTS, 1 / 3)
    assert m["grid_hit_ratio"] == pytest.approx(2 / 4)
    assert m["precision"] == pytest.approx(2 / 3)


def test_perfect_ranking_has_pei_one():
    assert pei(COUNTS, COUNTS, 1 / 3) == pytest.approx(1.0)


def test_ties_at_the_cut_count_as_their_average():
    flat = np.zeros(9)
    assert hit_rate(flat, COUNTS, 1 / 9) == pytest.approx(1 / 9)  # a random cell: 10/9 crimes
    scores = np.array([1, 0, 0, 0, 0, 0, 0, 0, 1], float)       # cells 0 and 8 tie for 1 place
    assert hit_rate(scores, COUNTS, 1 / 9) == pytest.approx(0.35)  # (3 + 4) / 2 of 10


def test_no_crime_gives_nan_not_zero():
    m = period_metrics(SCORES, np.zeros(9), 0.2)
    assert np.isnan(m["hit_rate"]) and np.isnan(m["pei"])


def test_coverage_is_checked():
    with pytest.raises(ParameterError, match="'coverage' parameter"):
        n_flagged(9, 0)
    assert n_flagged(9, 0.001) == 1


def test_brier_and_reliability():
    assert brier([0.5, 1.0, 0.0], [1, 1, 0]) == pytest.approx(0.25 / 3)
    p = np.r_[np.full(50, 0.1), np.full(50, 0.9)]
    y = np.r_[np.zeros(45), np.ones(5), np.ones(45), np.zeros(5)]
    curve = reliability_curve(p, y, n_bins=2)
    assert curve["predicted"].tolist() == pytest.approx([0.1, 0.9])
    assert curve["observed"].tolist() == pytest.approx([0.1, 0.9])
    assert curve["n"].tolist() == [50, 50]


def test_evaluate_scores_per_period():
    table = evaluate_scores(np.vstack([SCORES, SCORES[::-1]]), np.vstack([COUNTS, COUNTS]),
                            coverages=(1 / 9,))
    assert table["hit_rate"].tolist() == pytest.approx([0.3, 0.4])


def three_week_backtest():
    """PAI per week at 10%: poisson 5, 7, 9; all-history 4, 6, 5; last-period 1, 1, 1."""
    weeks = pd.date_range("2025-01-06", periods=3, freq="7D")
    pai_of = {"poisson": [5, 7, 9], "all-history": [4, 6, 5], "last-period": [1, 1, 1],
              "truth": [20, 20, 20]}
    per = pd.DataFrame([{"model": m, "coverage": 0.1, "period_start": w, "pai": v,
                         "hit_rate": v / 10} for m, vals in pai_of.items()
                        for w, v in zip(weeks, vals)])
    summary = per.groupby(["model", "coverage"], sort=False)[["pai", "hit_rate"]].mean() \
        .reset_index()
    return Backtest(summary, per, pd.DataFrame(), weeks)


def test_paired_difference_by_hand():
    bt = three_week_backtest()
    assert best_baseline(bt, 0.1) == "all-history"     # the truth and learned models are not
    d = paired_difference(bt, "poisson", "all-history", 0.1)
    # differences 1, 1, 4: mean 2, sd sqrt(3), se sqrt(3)/sqrt(3) = 1
    assert d["difference"] == pytest.approx(2.0) and d["se"] == pytest.approx(1.0)
    assert d["value"] == pytest.approx(7.0) and d["baseline_value"] == pytest.approx(5.0)
    assert d["relative"] == pytest.approx(0.4) and d["periods"] == 3
    table = versus_best_baseline(bt, coverages=(0.1,), measure="hit_rate")
    assert table[["model", "baseline"]].values.tolist() == [["poisson", "all-history"]]
    assert table["difference"].iloc[0] == pytest.approx(0.2)
    with pytest.raises(ParameterError, match="'model' parameter of paired_difference"):
        paired_difference(bt, "xgboost", "all-history", 0.1)
