"""crimekit.forecast.spans and crimekit.forecast.combination: the span learned from, the
combination and its band, on series whose answers are known."""

import numpy as np
import pandas as pd
import pytest

from crimekit import forecast as F
from crimekit.forecast.combination import combined_forecast, data_problem
from crimekit.forecast.spans import find_jumps, learning_span
from crimekit.forecast.weighting import median_count, stacked_weights


def weekly(values, start="2016-01-04"):
    return pd.DataFrame({"series": "all", "ds": pd.date_range(start, periods=len(values),
                                                              freq="7D"), "y": values})


def seasonal_counts(level, weeks, seed=0, start="2016-01-04"):
    ds = pd.date_range(start, periods=weeks, freq="7D")
    season = 1 + 0.2 * np.sin(2 * np.pi * (ds.day_of_year.to_numpy() - 100) / 365.25)
    return np.random.default_rng(seed).poisson(np.asarray(level, float) * season)


# --- spans --------------------------------------------------------------------------------------

def test_no_jump_in_a_smooth_seasonal_trending_series():
    weeks = 400
    level = 60 * np.exp(-0.002 * np.arange(weeks))  # -10 % a year, and a season of +-20 %
    y = seasonal_counts(level, weeks)
    assert find_jumps(y, "W", pd.date_range("2016-01-04", periods=weeks, freq="7D")) == []
    span = learning_span(y, None, "W")
    assert span.start == 0 and not span.jumps and span.describe() == ""


def test_recording_start_after_decades_of_stragglers():
    real = seasonal_counts(80, 300)
    old = np.random.default_rng(1).poisson(0.05, 2000)
    span = learning_span(np.r_[old, real], None, "W")
    assert span.start == 2000
    assert span.jumps[0].kind == "recording start"
    np.testing.assert_array_equal(span.adjusted(np.r_[old, real]), real)


def test_level_shift_is_found_and_levelled():
    level = np.r_[np.full(200, 100.0), np.full(80, 60.0)]
    y = seasonal_counts(level, 280, seed=2)
    span = learning_span(y, pd.date_range("2016-01-04", periods=280, freq="7D"), "W")
    assert [j.kind for j in span.jumps] == ["level shift"]
    assert abs(span.jumps[0].index - 200) <= 2 and 0.5 < span.jumps[0].factor < 0.7
    assert "scaled to the new level" in span.describe()
    levelled = span.adjusted(y)
    # a year either side of the shift (whole seasons) now has the same level
    assert abs(levelled[148:200].mean() / levelled[200:252].mean() - 1) < 0.08


# --- the combination ----------------------------------------------------------------------------

def test_stragglers_decades_earlier_forecast_the_same(small_city):
    inc = small_city.dataset.incidents
    rng = np.random.default_rng(0)
    late = inc.sample(40, random_state=0).copy()   # ~0.1 % of rows, dated 1966-2021
    late["occurred_at"] = pd.to_datetime("1966-01-01") + pd.to_timedelta(
        rng.integers(0, 56 * 365, len(late)), unit="D")
    late["incident_id"] = late["incident_id"] + "-late"
    dirty = pd.concat([inc, late], ignore_index=True)
    settings = F.ForecastSettings(freq="W", horizon=12, prophet=False)
    clean = F.forecast_series(F.series_table(inc, "W"), settings)
    again = F.forecast_series(F.series_table(dirty, "W"), settings)
    cols = ["ds", "yhat", "low", "high"]
    pd.testing.assert_frame_equal(clean.forecast[cols], again.forecast[cols])
    row = again.summary.iloc[0]
    assert row["left_out_periods"] > 2500 and row["learned_from"] == pd.Timestamp("2023-01-02")
    # the 40 stragglers and the part-recorded week before the first Monday
    assert row["left_out_crimes"] >= 40 and "far below the level that follows" in row["span_note"]


def test_a_level_shift_is_not_extrapolated_as_a_trend():
    level = np.r_[np.full(208, 100.0), np.full(78, 60.0)]   # 4 years at 100, 1.5 at 60
    table = weekly(seasonal_counts(level, len(level), seed=3))
    out = combined_forecast(table, "W", 52, prophet=False)
    yhat = out.forecast["yhat"].to_numpy()
    assert abs(yhat.mean() / 60 - 1) < 0.1
    # no trend: the last quarter of the year ahead is at the level of the first (season aside)
    comp = out.components
    level_only = comp[comp["method"] == "level x season"]["yhat"].to_numpy()
    trend = (yhat / level_only)[-13:].mean() / (yhat / level_only)[:13].mean()
    assert abs(trend - 1) < 0.05
    assert out.summary.iloc[0]["level_shifts"] == 1


def test_combination_never_worse_than_its_worst_component_on_the_backtest(small_city):
    table = F.series_table(small_city.dataset.incidents, "W", "category")
    out = combined_forecast(table, "W", 8)
    bt = out.backtest
    for name, part in bt.groupby("series"):
        comb = np.abs(part["y"] - part["combination"]).mean()
        worst = max(np.abs(part["y"] - part[m]).mean() for m in out.methods)
        assert comb <= worst + 1e-9, name
    w = out.summary[[f"weight {m}" for m in out.methods]].to_numpy()
    np.testing.assert_allclose(w.sum(1), 1.0)
    assert (w >= 0).all()


def test_stacked_weights_find_the_better_method():
    rng = np.random.default_rng(4)
    y = rng.poisson(20, 5000).astype(float)
    good, bad = np.full(5000, 20.0), np.full(5000, 30.0)
    w = stacked_weights([bad, good], y)
    assert w[1] > 0.95 and w.sum() == pytest.approx(1)


def test_seasonal_naive_chosen_and_said_when_it_wins():
    # a series that repeats its year exactly: nothing beats the same week last year
    year = np.random.default_rng(5).poisson(30, 52)
    table = weekly(np.tile(year, 5))
    out = combined_forecast(table, "W", 8, prophet=False)
    assert out.summary.iloc[0]["method"] == "seasonal naive"
    assert set(out.forecast["method"]) == {"seasonal naive"}
    np.testing.assert_allclose(out.forecast["yhat"], year[:8])


def test_median_count_is_the_poisson_median():
    from scipy import stats
    mean = np.r_[0.0, 1e-9, 0.3, np.log(2), 0.7, 1, 2.5, 3, 30.4, np.linspace(0, 150, 15001)]
    slow = np.where(mean > 0, stats.poisson.ppf(0.5, np.maximum(mean, 1e-300)), 0.0)
    np.testing.assert_array_equal(median_count(mean), slow)
    np.testing.assert_array_equal(median_count([0.5, 0.7, 30.4, 7.0]), [0, 1, 30, 7])


def test_yhat_is_the_median_count_of_the_expected_mean():
    # a few crimes a month: the median (what MAE rewards) sits below the mean
    y = np.random.default_rng(6).poisson(1.5, 96)
    table = pd.DataFrame({"series": "all", "y": y,
                          "ds": pd.date_range("2016-01-01", periods=96, freq="MS")})
    fc = combined_forecast(table, "M", 12, prophet=False).forecast
    np.testing.assert_array_equal(fc["yhat"], median_count(fc["expected"]))
    assert (fc["yhat"] <= fc["expected"] + 1 / 3).all() and fc["expected"].between(0.8, 2.5).all()
    assert (fc["low"] <= fc["yhat"]).all() and (fc["yhat"] <= fc["high"]).all()


def test_data_problem_flags_mase_and_wide_bands():
    assert data_problem(0.8, 1.0) == ""
    assert "MASE > 2" in data_problem(3.1, 1.0)
    assert "5.5 times wider" in data_problem(1.0, 5.5)


@pytest.mark.slow
def test_band_coverage_on_the_demo_heads(city):
    inc = city.dataset.incidents
    hits = []
    for origin in ["2025-01-06", "2025-04-07", "2025-07-07", "2025-09-29"]:
        table = F.series_table(inc, "W", "category", train_end=origin)
        out = F.forecast_series(table, F.ForecastSettings(freq="W", horizon=8))
        actual = F.series_table(inc, "W", "category")
        f = out.forecast.merge(actual, on=["series", "ds"])
        hits.append(((f["y"] >= f["low"]) & (f["y"] <= f["high"])).mean())
    assert all(0.70 <= h <= 0.92 for h in hits), hits
    assert 0.72 <= np.mean(hits) <= 0.88, hits


@pytest.mark.slow
def test_a_panel_of_2700_monthly_series():
    rng = np.random.default_rng(0)
    ds = pd.date_range("2015-01-01", periods=84, freq="MS")
    season = 1 + 0.15 * np.sin(2 * np.pi * np.arange(84) / 12)
    level = rng.lognormal(0, 1, 300)[:, None, None] * rng.lognormal(0, 0.8, 9)[None, :, None]
    y = rng.poisson(level * season)
    names = [f"A{a} | C{c}" for a in range(300) for c in range(9)]
    table = pd.DataFrame({"series": np.repeat(names, 84), "ds": np.tile(ds, 2700),
                          "y": y.reshape(-1)})
    train, test = table[table["ds"] < ds[72]], table[table["ds"] >= ds[72]]
    out = combined_forecast(train, "M", 12)
    assert "prophet" not in out.methods and out.forecast["series"].nunique() == 2700
    f = out.forecast.merge(test, on=["series", "ds"])
    naive = out.components[out.components["method"] == "seasonal naive"].merge(
        test, on=["series", "ds"])
    rel = np.abs(f["y"] - f["yhat"]).sum() / np.abs(naive["y"] - naive["yhat"]).sum()
    assert rel < 0.8
    assert 0.7 <= ((f["y"] >= f["low"]) & (f["y"] <= f["high"])).mean() <= 0.9


def test_less_than_a_season_of_weekly_history_forecasts_without_a_season():
    """A real file of one month coded late (St. Louis) leaves 30 weeks: no crash, a level."""
    y = np.random.default_rng(5).poisson(20, 30)
    out = combined_forecast(weekly(y), "W", 4, prophet=False)
    fc = out.forecast
    assert len(fc) == 4 and fc["yhat"].between(10, 30).all()
    assert (fc["low"] <= fc["yhat"]).all() and (fc["yhat"] <= fc["high"]).all()
