"""AppTest: the Hotspots page on the demo city (one run per test, widgets preset by key)."""

import re

import numpy as np
import pandas as pd
import pytest
from conftest import run_page, shown_text

from crimekit.schema import Dataset, conform_incidents

pytestmark = pytest.mark.slow


def test_hotspots_page_shows_map_ranked_cells_backtest_and_crime_type():
    at = run_page("views/hotspots.py", state={"hs_cell": 500, "hs_cov": 0.02,
                                              "hs_weeks": 13,
                                              "hs_model": "XGBoost on counts (learned, slower)",
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
    assert {"xgboost", "poisson", "last-period", "last-52-weeks", "kde", "markov",
            "truth (demo ceiling)"} <= set(models["model"])
    # the learned models against the best baseline, paired week by week, said at the top
    paired = next(f for f in frames if "se" in f.columns)
    assert set(paired["model"]) == {"xgboost", "poisson"} and (paired["se"] > 0).all()
    assert "beats the best baseline" in text or "No learned model beats" in text
    mix = next(f for f in frames if "historical_mix" in f.columns)
    assert 0.5 < mix["probability"].sum() <= 1.0001 and len(mix) == 8
    labels = {b.label for b in at.get("download_button")}
    assert {"Download risk for every cell", "Download the backtest (all coverages)",
            "Download classes and Gi* per cell"} <= labels
    assert len(at.get("deck_gl_json_chart")) == 2


def test_hotspots_page_baseline_model_by_beat():
    at = run_page("views/hotspots.py", state={
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


def test_hotspots_page_defaults_to_the_best_fast_model_with_its_own_backtest():
    """The first render fits no XGBoost: the best fast model (the count model or a baseline,
    chosen on a backtest of every crime head) is scored and backtested alone, and the page says
    whether the count model beat the best baseline; the crime-type model waits for its
    toggle."""
    at = run_page("views/hotspots.py", state={"hs_cell": 1000, "categories": ["Burglary"]},
                  timeout=300)
    assert not at.exception, at.exception
    text = shown_text(at)
    assert "the best of the fast models (the learned count model and the baselines) on a " \
           "backtest of every crime head" in text
    label = re.search(r"Model: \*\*([^*]+)\*\*", text).group(1)
    assert label in {"Count model (learned, fast)", "Kernel density (decayed)", "All history",
                     "Last 52 weeks", "Markov transition", "Last period", "Last year"}
    assert f"{label} flags the top 1.0%" in text
    assert ("Count model (learned, fast) beats the best baseline" in text) == (
        label == "Count model (learned, fast)")
    assert ("No learned model beats the best baseline" in text) == (
        label != "Count model (learned, fast)")
    models = next(f.value for f in at.dataframe if "brier" in f.value.columns)
    assert len(models) == 1 and 0 < models["hit_rate"].iloc[0] < 1
    ranked = next(f.value for f in at.dataframe if "why" in f.value.columns)
    if label == "Count model (learned, fast)":
        assert ranked["why"].str.contains(r"\(\+").all()  # the parts of its expected count
    else:
        assert (ranked["why"] == f"{label} baseline score").all()
    assert not any("historical_mix" in f.value.columns for f in at.dataframe)
    # the classes and Gi* wait for their toggle too: one map, no classes table
    assert len(at.get("deck_gl_json_chart")) == 1
    assert "Download classes and Gi* per cell" not in {b.label for b in
                                                       at.get("download_button")}


def steady_city(n_weeks=104, seed=0):
    """Twelve places 1 km apart, each with the same number of crimes every week (1 to 12):
    the past is exactly the future, so no model can beat all history."""
    rng = np.random.default_rng(seed)
    lat0, lon0 = 12.97, 77.59
    rows = []
    for i in range(12):
        lat, lon = lat0 + 0.009 * (i // 4), lon0 + 0.0092 * (i % 4)
        for w in range(n_weeks):
            monday = pd.Timestamp("2023-01-02") + pd.Timedelta(weeks=w)
            for _ in range(i + 1):
                rows.append((monday + pd.Timedelta(hours=rng.uniform(0, 167)), lat, lon))
    inc = pd.DataFrame(rows, columns=["occurred_at", "lat", "lon"])
    inc["category"] = "Theft"
    inc["incident_id"] = [f"s{i}" for i in range(len(inc))]
    return Dataset(name="steady", incidents=conform_incidents(inc))


def test_hotspots_page_says_when_no_model_beats_the_best_baseline(isolated_store):
    from crimekit.store import Store
    Store().save(steady_city())
    at = run_page("views/hotspots.py", state={"dataset": "steady"}, timeout=300)
    assert not at.exception, at.exception
    text = shown_text(at)
    warning = at.warning[0].value
    assert warning.startswith("**No learned model beats the best baseline on this data.**")
    assert "+0.0 points" in warning  # every model ranks the twelve places the same way
    label = re.search(r"Model: \*\*([^*]+)\*\*", text).group(1)
    assert label != "Count model (learned, fast)"  # a tie goes to the baseline
    assert f"The map and numbers below are from {label}." in warning


def test_hotspots_page_scores_month_only_dates_per_month(isolated_store, small_city):
    from dataclasses import replace

    from crimekit.store import Store
    inc = small_city.dataset.incidents
    monthly = inc.assign(occurred_at=inc["occurred_at"].dt.to_period("M").dt.to_timestamp(),
                         precision="month")
    Store().save(replace(small_city.dataset, incidents=monthly, name="monthly"))
    at = run_page("views/hotspots.py", state={"dataset": "monthly", "hs_cell": 1000,
                                              "hs_weeks": 26}, timeout=300)
    assert not at.exception, at.exception
    assert any("so hotspots are scored per month, not per week." in i.value for i in at.info)
    assert re.search(r"for the period from \d{4}-\d{2}-01", shown_text(at))
