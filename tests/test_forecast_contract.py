"""crimekit.forecast's contract with the pages and the command line: the settings (declared
once, checked on construction), the holiday choice, and what the entry points' results say."""

import numpy as np
import pandas as pd
import pytest

from crimekit import forecast as F
from crimekit.errors import ParameterError
from crimekit.forecast import (ALERT_COLUMNS, AlertResult, AlertSettings, ForecastSettings,
                               check_alerts, forecast, forecast_series)


def weekly(values, start="2016-01-04", name="all"):
    return pd.DataFrame({"series": name, "ds": pd.date_range(start, periods=len(values),
                                                             freq="7D"), "y": values})


# --- settings -------------------------------------------------------------------------------

def test_defaults_are_declared_once_and_the_command_line_reads_them():
    from crimekit.cli import build_parser
    s, a = ForecastSettings(), AlertSettings()
    assert (s.freq, s.horizon, s.interval, s.method, s.city_holidays, s.country) == \
        ("W", 8, 0.8, "combination", True, None)
    assert (a.by, a.recent, a.alpha, a.min_excess) == ("beat", 4, 0.01, 3.0)
    assert ForecastSettings.spec("freq")["choices"] == ("D", "W", "M")
    assert AlertSettings.spec("alpha")["choices"] == (0.001, 0.01, 0.05)
    args = build_parser().parse_args(["forecast", "--data", "x", "--out", "f.csv"])
    assert (args.freq, args.horizon, args.method) == (s.freq, s.horizon, s.method)
    args = build_parser().parse_args(["alerts", "--data", "x"])
    assert (args.by, args.freq, args.recent, args.alpha, args.min_excess) == \
        (a.by, a.freq, a.recent, a.alpha, a.min_excess)


@pytest.mark.parametrize("changes, match", [
    ({"horizon": 0}, "'horizon' parameter of ForecastSettings must be a number in"),
    ({"horizon": 2.5}, "'horizon' parameter of ForecastSettings must be a whole number"),
    ({"freq": "Q"}, "'freq' parameter"),
    ({"by": "street"}, "'by' parameter"),
    ({"series": "West"}, "'series' parameter"),                   # needs a one-field by
    ({"by": "district,category", "series": "West"}, "'series' parameter"),
    ({"country": "XX"}, "'country' parameter"),
    ({"train_end": "next tuesday"}, "'train_end' parameter"),
    ({"method": "arima"}, "'method' parameter"),
])
def test_bad_forecast_settings_are_refused_with_the_one_template(changes, match):
    with pytest.raises(ParameterError, match=match):
        ForecastSettings(**changes)


def test_settings_are_normalised_and_hashable_for_caches():
    a = ForecastSettings(train_end="2024-06-05", by=["district", "category"], country="IN")
    b = ForecastSettings(train_end=pd.Timestamp("2024-06-05"), by=("district", "category"),
                         country="IN")
    assert a.train_end == pd.Timestamp("2024-06-05") and a.by == ("district", "category")
    assert a == b and hash(a) == hash(b)
    assert a.replace(horizon=3).horizon == 3 and a.unit == "week"


def test_month_dated_incidents_are_forecast_by_month_only(small_city):
    inc = small_city.dataset.incidents
    assert ForecastSettings.freqs_for(inc) == ("D", "W", "M")
    monthly = inc.assign(occurred_at=inc["occurred_at"].dt.to_period("M").dt.to_timestamp(),
                         precision="month")
    assert ForecastSettings.freqs_for(monthly) == ("M",)


# --- the holiday choice ---------------------------------------------------------------------

def test_holidays_are_the_datasets_own_and_or_a_countrys():
    own = pd.DataFrame({"date": pd.to_datetime(["2024-03-01"]), "holiday": ["City day"]})
    first, last = "2023-01-02", ForecastSettings(freq="M", horizon=3).forecast_end("2024-11-15")
    assert last == pd.Timestamp("2025-03-01")  # after Dec, Jan and Feb are forecast
    pd.testing.assert_frame_equal(ForecastSettings().holidays(own, first, last), own)
    assert ForecastSettings(city_holidays=False).holidays(own, first, last) is None
    assert ForecastSettings().holidays(None, first, last) is None
    both = ForecastSettings(country="IN").holidays(own, first, last)
    assert "City day" in set(both["holiday"]) and pd.Timestamp("2024-08-15") in set(both["date"])
    assert set(both["date"].dt.year) == {2023, 2024, 2025, 2026}  # the forecast's years, +1


# --- results --------------------------------------------------------------------------------

def test_one_series_is_forecast_alone_under_its_own_name(small_city):
    ds = small_city.dataset
    district = ds.incidents["district"].iloc[0]
    one = forecast(ds, ForecastSettings(freq="M", horizon=2, by="district", series=district,
                                        prophet=False))
    inc = ds.incidents
    alone = forecast(inc[inc["district"] == district],
                     ForecastSettings(freq="M", horizon=2, prophet=False))
    pd.testing.assert_frame_equal(one.forecast, alone.forecast.assign(series=district))
    assert set(one.history["series"]) == {district} and len(one.summary) == 1


def test_the_result_says_what_the_pages_and_command_line_show(small_city):
    res = forecast(small_city.dataset, ForecastSettings(horizon=4, prophet=False))
    row = res.row()
    assert res.backtest_note() == (
        f"Backtest: {int(row['origins'])} origins; the combination beats seasonal naive (MAE "
        f"{row['mae']:.1f} vs {row['naive_mae']:.1f}).")
    assert res.naive_note() == "" and res.prophet_note == ""  # Prophet left out on purpose
    w = res.weights()
    assert list(w["method"]) == list(res.methods) and w["weight"].sum() == pytest.approx(1)
    assert row["naive_mase"] == pytest.approx(row["mase"] * row["naive_mae"] / row["mae"])
    csv = res.csv()
    assert tuple(csv.columns) == F.FORECAST_COLUMNS == ("series", "ds", "yhat", "yhat_lower",
                                                        "yhat_upper")
    assert csv["ds"].iloc[0] == "2024-12-30" and len(csv) == 4
    assert res.describe().startswith("Forecast: 1 series by the combination of ")


def test_seasonal_naive_wins_are_said_plainly():
    year = np.random.default_rng(5).poisson(30, 52)
    res = forecast_series(weekly(np.tile(year, 5)), ForecastSettings(horizon=8, prophet=False))
    assert res.naive_note().startswith("On this data no forecasting method beat seasonal naive "
                                       "(the same week last year)")


def test_why_prophet_is_left_out():
    sparse = weekly([0] * 100 + [1] * 6)
    res = forecast_series(sparse, ForecastSettings(horizon=2))
    assert "prophet" not in res.methods
    assert res.prophet_note == ("Prophet is left out for this series: it has only 6 weeks with "
                                "any incident (Prophet needs at least 10)")
    rng = np.random.default_rng(0)
    panel = pd.concat([weekly(rng.poisson(5, 120), name=f"s{i}") for i in range(9)])
    res = forecast_series(panel, ForecastSettings(horizon=2))
    assert res.prophet_note.startswith("Prophet only runs for up to 8 series")
    every = res.per_series()
    assert list(every.columns) == ["series", "next_period", "low", "high", "total", "method",
                                   "relative_error", "problem"]
    assert len(every) == 9 and every["total"].is_monotonic_decreasing


def test_alert_result_verdicts_and_rows_of_some_series():
    table = pd.DataFrame({
        "series": ["A", "B", "C"], "window_start": pd.Timestamp("2024-12-02"),
        "window_end": pd.Timestamp("2024-12-29"), "observed": [30.0, 12.0, 5.0],
        "expected": [10.0, 10.0, 6.0], "ratio": [3.0, 1.2, 5 / 6], "excess": [20.0, 2.0, -1.0],
        "periods_above_band": [4, 0, 0], "p_value": [1e-6, 0.3, 0.7],
        "q_value": [3e-6, 0.45, 0.7], "flagged": [True, False, False],
        "method": "prophet"})[list(ALERT_COLUMNS)]
    r = AlertResult(AlertSettings(by="category"), table, "W", "", 3)
    assert r.verdict("crime head") == (
        "1 of 3 crime heads had significantly more crimes than forecast in 02 Dec to 29 Dec "
        "2024, after accounting for the 3 crime heads tested.")
    assert list(r.headline()["series"]) == ["A"]
    quiet = r.only(["B", "C"])
    assert quiet.verdict("crime head") == (
        "No crime head is significantly above forecast in 02 Dec to 29 Dec 2024, after "
        "accounting for the 3 crime heads tested.")  # their q-values count all three
    assert list(quiet.headline(1)["series"]) == ["B"]  # the closest to an alert


def test_month_dated_alerts_are_checked_by_month(small_city):
    inc = small_city.dataset.incidents
    monthly = inc.assign(occurred_at=inc["occurred_at"].dt.to_period("M").dt.to_timestamp(),
                         precision="month")
    res = check_alerts(monthly, AlertSettings(by="district", recent=2))
    assert res.freq == "M" and res.unit == "month" and "by month" in res.note
    assert res.tested == len(res.table) == inc["district"].nunique()
