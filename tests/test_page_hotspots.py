"""AppTest: the Hotspots page on the demo city (one run per test, widgets preset by key)."""

import re

import pytest
from conftest import run_page, shown_text

pytestmark = pytest.mark.slow


def test_hotspots_page_shows_map_ranked_cells_backtest_and_crime_type():
    at = run_page("pages/hotspots.py", state={"hs_cell": 500, "hs_cov": 0.02,
                                              "hs_weeks": 13, "hs_model": "XGBoost (learned)",
                                              "hs_compare": True, "hs_crime_type": True,
                                              "hs_classes": True},
                  timeout=300)
    assert not at.exception, at.exception
    text = shown_text(at)
    assert at.title[0].value == "Hotspots"
    # 500 m cells over the demo city: 2% of the cells are flagged and listed
    flagged = re.search(r"Cells flagged (\d+) of ([\d,]+)", text)
    n, total = int(flagged.group(1)), int(flagged.group(2).replace(",", ""))
    assert n == round(0.02 * total) and 300 < total < 800
    assert f"Top {n} cells" in text
    hit = float(re.search(r"Backtested hit rate ([\d.]+)%", text).group(1))
    assert 8 < hit < 40  # 2% of the area holds far more than 2% of crimes
    assert "Brier" in text and "Limits." in text
    frames = [f.value for f in at.dataframe]
    ranked = next(f for f in frames if "why" in f.columns)
    assert len(ranked) == n and ranked["probability"].is_monotonic_decreasing
    assert ranked["why"].str.contains(r"\(\+|\(-").all()  # XGBoost contributions in words
    models = next(f for f in frames if "brier" in f.columns)
    assert {"xgboost", "last-period", "kde", "markov", "truth (demo ceiling)"} <= set(
        models["model"])
    mix = next(f for f in frames if "historical_mix" in f.columns)
    assert 0.5 < mix["probability"].sum() <= 1.0001 and len(mix) == 8
    labels = {b.label for b in at.get("download_button")}
    assert {"Download risk for every cell", "Download the backtest (all coverages)",
            "Download classes and Gi* per cell"} <= labels
    assert len(at.get("deck_gl_json_chart")) == 2


def test_hotspots_page_baseline_model_by_beat():
    at = run_page("pages/hotspots.py", state={
        "hs_cell": 1000, "hs_model": "Kernel density (decayed)", "hs_freq": "Two weeks",
        "hs_heads": ["Burglary"], "hs_place_kind": "Beat", "hs_weeks": 8,
        "hs_crime_type": True}, timeout=300)
    assert not at.exception, at.exception
    text = shown_text(at)
    assert "Kernel density (decayed) flags the top" in text
    ranked = next(f.value for f in at.dataframe if "why" in f.value.columns)
    assert (ranked["why"] == "Kernel density (decayed) baseline score").all()
    mix = next(f.value for f in at.dataframe if "historical_mix" in f.value.columns)
    assert len(mix) == 8 and mix["probability"].is_monotonic_decreasing
    accuracy = next(f.value for f in at.dataframe if "top1_accuracy" in f.value.columns)
    assert accuracy["method"].tolist() == ["model", "historical mix"]
    assert (accuracy["incidents"] > 1000).all()  # beats' incidents in the last 26 weeks


def test_hotspots_page_defaults_to_the_best_fast_baseline_with_its_own_backtest():
    """The first render fits no XGBoost: the best fast baseline (chosen on a backtest of every
    crime head) is scored and backtested alone; the crime-type model waits for its toggle."""
    at = run_page("pages/hotspots.py", state={"hs_cell": 1000, "categories": ["Burglary"]},
                  timeout=300)
    assert not at.exception, at.exception
    text = shown_text(at)
    assert "the best of the fast baselines on a backtest of every crime head" in text
    label = re.search(r"Model: \*\*([^*]+)\*\*", text).group(1)
    assert label in {"Kernel density (decayed)", "All history", "Markov transition",
                     "Last period", "Last year"}
    assert f"{label} flags the top 1.0%" in text
    models = next(f.value for f in at.dataframe if "brier" in f.value.columns)
    assert len(models) == 1 and 0 < models["hit_rate"].iloc[0] < 1
    ranked = next(f.value for f in at.dataframe if "why" in f.value.columns)
    assert (ranked["why"] == f"{label} baseline score").all()
    assert not any("historical_mix" in f.value.columns for f in at.dataframe)
    # the classes and Gi* wait for their toggle too: one map, no classes table
    assert len(at.get("deck_gl_json_chart")) == 1
    assert "Download classes and Gi* per cell" not in {b.label for b in
                                                       at.get("download_button")}
