"""crimekit.temporal: hand-computed tiny cases, and known answers on the synthetic city."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crimekit import temporal as T
from crimekit.errors import ParameterError
from crimekit.schema import conform_incidents


def tiny(times, **cols):
    """An incidents table with these occurrence times (and optional columns)."""
    return conform_incidents(pd.DataFrame({"occurred_at": pd.to_datetime(times),
                                           "category": cols.pop("category", "Theft"), **cols}))


def test_weekly_periods_start_on_monday_and_are_zero_filled():
    # Wed 3 Jan, Sun 7 Jan (same week), Tue 16 Jan (two weeks later), 2024
    inc = tiny(["2024-01-03 10:00", "2024-01-07 23:59", "2024-01-16 01:00"])
    out = T.counts_over_time(inc, "W")
    assert list(out["period_start"].dt.strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-08",
                                                                 "2024-01-15"]
    assert list(out["count"]) == [2, 0, 1]
    assert list(out["series"]) == ["all"] * 3
    # data run Wed 3 .. Tue 16: the first and last weeks are only partly covered
    assert list(out["complete"]) == [False, True, False]


def test_monthly_and_daily_counts_by_field():
    inc = tiny(["2024-01-31 23:00", "2024-02-01 00:30", "2024-02-02 00:00"],
               category=["Theft", "Theft", "Hurt"])
    monthly = T.counts_over_time(inc, "M", by="category")
    theft = monthly[monthly["series"] == "Theft"]
    assert list(theft["count"]) == [1, 1] and list(theft["series"]) == ["Theft", "Theft"]
    daily = T.counts_over_time(inc, "D", start="2024-01-30", end="2024-02-02")
    assert list(daily["count"]) == [0, 1, 1, 1] and daily["complete"].all()


def test_trend_line_is_a_centred_moving_average():
    counts = pd.DataFrame({"series": "all", "period_start": pd.date_range("2024-01-01",
                                                                          periods=24, freq="MS"),
                           "count": np.arange(24), "complete": True})
    out = T.trend_line(counts, "M")
    # a 12-month centred window at position 12 covers positions 6..17
    assert out["trend"].iloc[12] == pytest.approx(np.mean(np.arange(6, 18)))
    assert "trend" not in counts  # input untouched


def test_hour_weekday_grid():
    inc = tiny(["2024-01-01 09:15", "2024-01-01 09:45", "2024-01-07 23:00"])  # Mon, Mon, Sun
    out = T.hour_weekday(inc)
    assert len(out) == 7 * 24
    cell = out[(out["weekday"] == 0) & (out["hour"] == 9)].iloc[0]
    assert cell["count"] == 2 and cell["day"] == "Mon" and cell["share"] == pytest.approx(2 / 3)
    assert out.loc[(out["weekday"] == 6) & (out["hour"] == 23), "count"].item() == 1


def test_season_profile_divides_by_days_covered():
    # Jan 1..Feb 29 2024 covered: 31 January days, 29 February days
    inc = tiny(["2024-01-01", "2024-01-20", "2024-02-29"])
    out = T.season_profile(inc).set_index("month")
    assert out.loc[1, "per_day"] == pytest.approx(2 / 31)
    assert out.loc[2, "per_day"] == pytest.approx(1 / 29)
    assert np.isnan(out.loc[5, "per_day"])  # May not covered at all
    assert T.peak_month(out.reset_index()).item() == 1


def test_year_over_year_and_recent_change_by_hand():
    inc = tiny(["2023-03-05"] * 5 + ["2024-03-05"] * 10)
    yoy = T.year_over_year(inc, "M")
    assert yoy[["year", "period", "count"]].values.tolist() == [[2023, 3, 5], [2024, 3, 10]]
    # the 365 days before the last 365 start before the data (2022-03-07 < 2023-03-05):
    # not comparable, so no count, change or test (issue 13: honest comparisons)
    change = T.recent_change(inc, days=365, end="2024-03-06").iloc[0]
    assert change["recent"] == 10 and np.isnan(change["previous"])
    assert np.isnan(change["p_value"]) and change["verdict"].startswith("not comparable")
    covered = tiny(["2022-03-01"] + ["2023-03-05"] * 25 + ["2024-03-05"] * 10)
    change = T.recent_change(covered, days=365, end="2024-03-06").iloc[0]
    assert (change["recent"], change["previous"]) == (10, 25)
    assert change["change"] == pytest.approx(10 / 25 - 1)
    assert change["p_value"] == pytest.approx(stats.binomtest(10, 35, 0.5).pvalue)
    few = tiny(["2022-03-01"] + ["2023-03-05"] * 3 + ["2024-03-05"] * 4)
    change = T.recent_change(few, days=365, end="2024-03-06").iloc[0]
    assert np.isnan(change["change"]) and np.isnan(change["p_value"])  # 7 crimes, base < 20
    assert change["verdict"] == "too few crimes to test"


def test_a_trend_needs_a_year_of_data_and_enough_crimes():
    weeks = pd.date_range("2024-01-01", periods=20, freq="7D")
    inc = tiny([str(d.date()) for d in weeks for _ in range(3)])
    counts = T.counts_over_time(inc, "W")
    row = T.trend_summary(counts, "W").iloc[0]
    assert np.isnan(row["change_per_year"]) and row["direction"].startswith("too little data")


def test_bad_parameters_name_the_fix():
    inc = tiny(["2024-01-01"])
    with pytest.raises(ParameterError, match="'freq' parameter of counts_over_time must be one"):
        T.counts_over_time(inc, "Q")
    with pytest.raises(ParameterError, match="'by' parameter"):
        T.hour_weekday(inc, by="colour")


def test_trend_recovers_the_synthetic_trends(city):
    counts = T.counts_over_time(city.dataset.incidents, "W", by="category")
    summary = T.trend_summary(counts, "W").set_index("series")
    cyber = summary.loc["Cyber fraud"]  # generated with +35 % a year
    assert 0.25 < cyber["change_per_year"] < 0.45 and cyber["direction"] == "up"
    assert cyber["low"] < 0.35 < cyber["high"]
    theft = summary.loc["Theft"]  # +2 % a year: the interval must contain it
    assert theft["low"] < 0.02 < theft["high"]


def test_season_profile_finds_the_generated_peaks(city):
    peaks = T.peak_month(T.season_profile(city.dataset.incidents, by="category"))
    assert peaks["Hurt"] == 5          # generated to peak in May
    assert peaks["Cyber fraud"] == 12  # +35 %/yr growth puts the busiest month last
    assert peaks["Burglary"] in (10, 11, 12)  # peak month 11


def test_weekend_heads_peak_on_weekend_nights(city):
    inc = city.dataset.incidents
    grid = T.hour_weekday(inc[inc["category"] == "Public nuisance"])
    top = grid.nlargest(1, "count").iloc[0]
    assert top["day"] in ("Fri", "Sat", "Sun") and top["hour"] in (22, 23, 0, 1)


def test_what_the_trends_page_shows_by_hand():
    inc = tiny(["2024-01-01 09:00", "2024-01-03 10:00", "2024-01-09 11:00", "2024-01-20 12:00"],
               category=["Theft", "Hurt", "Theft", "Theft"])
    assert T.series_choices(inc, None) == [T.ALL]
    assert T.series_choices(inc, "category") == [T.ALL, "Theft", "Hurt"]  # busiest first
    assert len(T.only_series(inc, "category", "Theft")) == 3
    assert len(T.only_series(inc, "category", T.ALL)) == len(T.only_series(inc, None, "x")) == 4
    # Mon 1 .. Sat 20 Jan: the weeks of 1 and 8 Jan are complete, the week of 15 Jan is not
    weekly = T.over_time(inc, "W")
    assert list(weekly["count"]) == [2, 1] and "trend" in weekly
    found = T.patterns(inc)
    assert found.precision == "hour" and found.hour_weekday["count"].sum() == 4
    assert found.busiest_month == "Jan" and list(found.year_over_year["count"]) == [4]
    assert T.patterns(inc, precision="day").hour_weekday is None
    pd.testing.assert_frame_equal(T.yearly_trend(inc),
                                  T.trend_summary(T.counts_over_time(inc, "W"), "W"))
