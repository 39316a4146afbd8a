"""Time periods (crimekit.periods): hand-checked starts, ranges and steps, and two properties
over random timestamps."""

import numpy as np
import pandas as pd
import pytest

from crimekit.errors import ParameterError
from crimekit.periods import (FREQS, PERIODS_PER_WEEK, PERIODS_PER_YEAR, check_freq,
                              next_period, period_offset, period_range, period_start,
                              weeks_to_periods)

T = pd.Timestamp


@pytest.mark.parametrize("freq, ts, start", [
    # weeks start on Monday: Sunday 2025-03-09 23:59 is in the week of Monday 2025-03-03
    ("W", "2025-03-09 23:59", "2025-03-03"),
    ("W", "2025-03-10 00:00", "2025-03-10"),
    # shifts start at 06:00, 14:00 and 22:00: 05:59 is still the previous day's night shift
    ("S", "2025-03-05 05:59", "2025-03-04 22:00"),
    ("S", "2025-03-05 06:00", "2025-03-05 06:00"),
    ("S", "2025-03-05 13:59", "2025-03-05 06:00"),
    ("S", "2025-03-05 14:00", "2025-03-05 14:00"),
    ("S", "2025-03-05 23:30", "2025-03-05 22:00"),
    # fortnights from Monday 2000-01-03: 2025-02-24 is 1312 weeks later (even), 03-03 odd
    ("2W", "2025-02-24 00:00", "2025-02-24"),
    ("2W", "2025-03-09 23:59", "2025-02-24"),
    ("2W", "2025-03-10 00:00", "2025-03-10"),
    ("2W", "2000-01-02 12:00", "1999-12-20"),
    ("D", "2024-02-29 23:59", "2024-02-29"),
    ("M", "2024-02-29 23:59", "2024-02-01"),
    ("M", "2025-12-31 23:59:59", "2025-12-01"),
    ("M", "2025-01-01 00:00", "2025-01-01"),
])
def test_period_start_by_hand(freq, ts, start):
    assert period_start([ts], freq)[0] == T(start)
    assert period_start(T(ts), freq) == T(start)  # a scalar gives a Timestamp


def test_period_start_keeps_order_and_nat_and_gives_ns():
    out = period_start(pd.Series(pd.to_datetime(["2025-03-09", None, "2025-03-03"])), "W")
    assert isinstance(out, pd.DatetimeIndex) and out.dtype == "datetime64[ns]"
    assert out[0] == out[2] == T("2025-03-03") and pd.isna(out[1])
    micro = pd.DatetimeIndex(["2025-03-09 23:59"]).as_unit("us")
    assert period_start(micro, "M").dtype == "datetime64[ns]"


@pytest.mark.parametrize("freq, start, after", [
    ("M", "2025-01-31", "2025-02-01"),       # the last day of a month: the next month's 1st
    ("M", "2024-02-01", "2024-03-01"),
    ("M", "2025-12-01", "2026-01-01"),
    ("D", "2025-01-31", "2025-02-01"),
    ("D", "2024-02-28", "2024-02-29"),
    ("S", "2025-03-04 22:00", "2025-03-05 06:00"),
    ("W", "2025-12-29", "2026-01-05"),
    ("2W", "2025-02-24", "2025-03-10"),
])
def test_next_period_by_hand(freq, start, after):
    assert next_period(T(start), freq) == T(after)


def test_next_period_scalar_gives_timestamp_and_index_gives_index():
    one = next_period("2025-01-27", "W")
    assert isinstance(one, pd.Timestamp) and one == T("2025-02-03")
    many = next_period(pd.DatetimeIndex(["2025-01-01", "2025-02-01"]), "M")
    assert isinstance(many, pd.DatetimeIndex)
    assert list(many) == [T("2025-02-01"), T("2025-03-01")]
    assert list(next_period(["2025-01-01"], "D")) == [T("2025-01-02")]
    assert isinstance(next_period(pd.Series(many), "M"), pd.DatetimeIndex)


def test_period_range_stops_before_stop():
    weeks = period_range("2025-01-01", "2025-01-20", "W")  # 01-20 is a Monday: excluded
    assert list(weeks.strftime("%m-%d")) == ["12-30", "01-06", "01-13"]
    assert list(period_range("2025-01-01", "2025-01-20 00:01", "W").strftime("%m-%d")) == [
        "12-30", "01-06", "01-13", "01-20"]  # a period starting before stop is in
    months = period_range("2024-11-15", "2025-02-01", "M")
    assert list(months.strftime("%Y-%m-%d")) == ["2024-11-01", "2024-12-01", "2025-01-01"]
    shifts = period_range("2025-03-05 05:00", "2025-03-05 14:00", "S")
    assert list(shifts.strftime("%d %H")) == ["04 22", "05 06"]
    assert len(period_range("2025-03-05", "2025-03-05", "D")) == 0
    assert period_range("2025-03-05", "2025-03-01", "D").dtype == "datetime64[ns]"
    # the periods of an inclusive date range first..last: stop = last + 1 day
    days = period_range("2025-03-01", T("2025-03-03") + pd.Timedelta(days=1), "D")
    assert list(days.day) == [1, 2, 3]


def test_period_offset_counts_periods():
    assert period_offset(T("2025-03-01"), T("2024-11-01"), "M") == 4
    assert period_offset(T("2024-10-01"), T("2024-11-01"), "M") == -1
    weeks = period_range("2025-01-06", "2025-03-01", "W")
    assert list(period_offset(weeks, weeks[0], "W")) == list(range(len(weeks)))


def test_tables_and_weeks_to_periods():
    for table in (PERIODS_PER_WEEK, PERIODS_PER_YEAR):
        assert set(table) == set(FREQS) == {"D", "S", "W", "2W", "M"}
    assert weeks_to_periods(13, "W") == 13
    assert weeks_to_periods(2, "S") == 42
    assert weeks_to_periods(1, "2W") == 1  # half a fortnight rounds, but never below one
    assert weeks_to_periods(52, "M") == 12


def test_check_freq():
    assert check_freq("2W", "here") == "2W"
    with pytest.raises(ParameterError, match="'freq' parameter of here must be one of D, S, W"):
        check_freq("Q", "here")
    with pytest.raises(ParameterError, match="one of D, W, M. Got 'S'"):
        check_freq("S", "here", allowed=("D", "W", "M"))
    with pytest.raises(ParameterError, match="'freq' parameter of period_start"):
        period_start(["2025-01-01"], "Q")


@pytest.mark.parametrize("freq", list(FREQS))
def test_period_start_is_idempotent_and_next_period_is_after(freq):
    rng = np.random.default_rng(20250301)
    lo, hi = T("2019-01-01").value, T("2026-12-31").value
    ts = pd.DatetimeIndex(rng.integers(lo, hi, 20_000).astype("datetime64[ns]"))
    ts = ts.append(pd.date_range("2023-12-25", "2024-03-05", freq="1h"))  # exact boundaries
    start = period_start(ts, freq)
    nxt = next_period(start, freq)
    assert period_start(start, freq).equals(start)
    assert (start <= ts).all() and (nxt > ts).all()
    assert period_start(nxt, freq).equals(nxt)  # the next period starts at a period start
    assert (period_start(nxt - pd.Timedelta(nanoseconds=1), freq) == start).all()
