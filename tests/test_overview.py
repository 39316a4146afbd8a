"""Period comparisons and rising groups, on hand-made incidents."""

import numpy as np
import pandas as pd
import pytest

from crimekit.errors import ParameterError
from crimekit.overview import compare_periods, periods_ending, rise_p_value, rising


def _incidents(spec):
    """spec: list of (date, category, n) -> n incidents at noon that day."""
    rows = [(pd.Timestamp(d) + pd.Timedelta(hours=12), c) for d, c, n in spec for _ in range(n)]
    return pd.DataFrame(rows, columns=["occurred_at", "category"])


def test_windows_line_up():
    p = periods_ending("2025-12-31", days=28)
    assert p.current == (pd.Timestamp("2025-12-04"), pd.Timestamp("2026-01-01"))
    assert p.previous == (pd.Timestamp("2025-11-06"), pd.Timestamp("2025-12-04"))
    assert p.last_year[0].day_of_week == p.current[0].day_of_week
    assert p.label() == "04 Dec - 31 Dec 2025"
    with pytest.raises(ParameterError, match="'days' parameter"):
        periods_ending("2025-12-31", days=0)


def test_counts_and_changes_by_hand():
    inc = _incidents([("2025-12-20", "Theft", 12), ("2025-11-20", "Theft", 4),
                      ("2024-12-21", "Theft", 6), ("2025-12-31", "Hurt", 2),
                      ("2025-11-10", "Hurt", 2)])
    # the arithmetic by hand: windows declared covered, percentages on any base
    table = compare_periods(inc, by="category", covered=("2024-01-01", "2026-01-01"),
                            min_percent_base=0).set_index("group")
    assert table.loc["Theft", ["current", "previous", "last_year"]].tolist() == [12, 4, 6]
    assert table.loc["Theft", "change_vs_previous"] == pytest.approx(2.0)
    assert table.loc["Theft", "change_vs_last_year"] == pytest.approx(1.0)
    assert table.loc["Hurt", "change_vs_previous"] == pytest.approx(0.0)
    assert np.isnan(table.loc["Hurt", "change_vs_last_year"])
    whole = compare_periods(inc)
    assert whole.loc[0, "current"] == 14
    # the data itself starts 21 Dec 2024, after last year's window begins: not comparable
    assert not whole.loc[0, "last_year_comparable"] and whole.loc[0, "previous_comparable"]
    assert pd.isna(whole.loc[0, "last_year"]) and np.isnan(whole.loc[0, "change_vs_last_year"])


def test_rise_p_value_matches_the_binomial_tail():
    # 12 vs 4: P(X >= 12 | n=16, p=0.5) = (C(16,12)+...+C(16,16)) / 2^16 = 2517/65536
    assert rise_p_value(12, 4) == pytest.approx(2517 / 65536)
    assert rise_p_value(0, 0) == 1.0
    assert rise_p_value(3, 10) > 0.9


def test_rising_keeps_real_rises_only():
    inc = _incidents([("2025-12-20", "Theft", 30), ("2025-11-20", "Theft", 10),
                      ("2025-12-20", "Hurt", 7), ("2025-11-20", "Hurt", 5),
                      ("2025-12-31", "Fraud", 3)])
    table = rising(inc, "category", covered=("2025-01-01", "2026-01-01"))
    assert list(table["group"]) == ["Theft"]
    assert rising(inc, "category").empty  # the data starts 20 Nov: no previous 28 days


def test_injected_rise_in_the_city_is_found(city):
    inc = city.dataset.incidents
    last = inc["occurred_at"].max().normalize()
    beat = "N-03"
    extra = inc[inc["beat"] == beat].head(40).copy()
    extra["occurred_at"] = last - pd.to_timedelta(np.arange(40) % 20, unit="D")
    extra["incident_id"] = "X" + extra["incident_id"]
    spiked = pd.concat([inc, extra], ignore_index=True)
    top = rising(spiked, "beat", top=3)
    assert top.iloc[0]["group"] == beat
    assert len(rising(inc, "beat", alpha=0.001)) <= 2  # few false alarms without the spike


# --- honest comparisons ---------------------------------------------------------------------

def test_a_window_outside_the_data_or_the_filter_is_not_comparable():
    # last year removed by a filter: 10 crimes now, "then 0" is not a count but a gap
    inc = _incidents([("2025-12-20", "Theft", 10), ("2025-11-20", "Theft", 6)])
    row = compare_periods(inc, covered=("2025-10-01", "2026-01-01")).iloc[0]
    assert row["previous_comparable"] and not row["last_year_comparable"]
    assert pd.isna(row["last_year"]) and np.isnan(row["change_vs_last_year"])
    from crimekit.overview import change_label, comparison_words
    assert comparison_words(row["current"], row["last_year"]).startswith("not comparable")
    assert change_label(row["current"], row["last_year"]) == "not comparable"
    assert "p =" not in comparison_words(row["current"], row["last_year"])


def test_too_few_crimes_are_not_tested_and_small_bases_not_percentages():
    from crimekit.overview import change_label, comparison_words
    inc = _incidents([("2025-12-20", "Theft", 8), ("2025-11-20", "Theft", 1),
                      ("2025-06-01", "Theft", 1)])
    row = compare_periods(inc).iloc[0]
    assert row["current"] == 8 and row["previous"] == 1
    assert np.isnan(row["p_rise"])  # 9 crimes in both: fewer than 10
    assert comparison_words(8, 1) == "too few crimes to test (9 in both periods; at least 10 needed)"
    assert np.isnan(row["change_vs_previous"])  # not +700%
    assert change_label(8, 1) == "+7 crimes"
    assert change_label(30, 20) == "+50.0%"
    assert comparison_words(30, 10).startswith("a rise very unlikely to be chance (exact test p")


def test_a_one_month_file_compares_nothing():
    # police.uk style: every crime dated the 1st of one month
    inc = pd.DataFrame({"occurred_at": pd.Timestamp("2022-03-01"), "category": ["Theft"] * 300
                        + ["Hurt"] * 100, "precision": "month"})
    daily = compare_periods(inc, days=28).iloc[0]
    assert not daily["previous_comparable"] and np.isnan(daily["p_rise"])
    monthly = compare_periods(inc, months=1, by="category")
    assert monthly["current"].tolist() == [300, 100]
    assert not monthly["previous_comparable"].any() and monthly["p_rise"].isna().all()
    assert rising(inc, "category", months=1).empty


def test_months_windows_line_up():
    from crimekit.overview import months_ending
    p = months_ending("2022-03-01", 1)
    assert p.current == (pd.Timestamp("2022-03-01"), pd.Timestamp("2022-04-01"))
    assert p.previous == (pd.Timestamp("2022-02-01"), pd.Timestamp("2022-03-01"))
    assert p.last_year == (pd.Timestamp("2021-03-01"), pd.Timestamp("2021-04-01"))
    assert p.label() == "Mar 2022"
    assert months_ending("2022-03-01", 3).label() == "Jan - Mar 2022"
    inc = pd.DataFrame({"occurred_at": pd.to_datetime(["2021-03-01"] * 40 + ["2022-02-01"] * 20
                                                      + ["2022-03-01"] * 50),
                        "category": "Theft", "precision": "month"})
    row = compare_periods(inc, months=1).iloc[0]
    assert row[["current", "previous", "last_year"]].tolist() == [50, 20, 40]
    assert row["change_vs_previous"] == pytest.approx(1.5)
    assert row["change_vs_last_year"] == pytest.approx(0.25)


def test_q_values_account_for_every_head_tested():
    # 20 heads with no real change and one real rise: BH keeps the rise, not the chance highs
    rng = np.random.default_rng(4)
    spec = [("2025-06-01", "Old", 1)]
    for i in range(20):
        spec += [("2025-12-20", f"H{i:02d}", int(rng.poisson(20))),
                 ("2025-11-20", f"H{i:02d}", int(rng.poisson(20)))]
    spec += [("2025-12-20", "Real", 45), ("2025-11-20", "Real", 15)]
    table = compare_periods(_incidents(spec), by="category").set_index("group")
    tested = table["p_rise"].dropna()
    from scipy import stats
    assert np.allclose(table.loc[tested.index, "q_rise"],
                       stats.false_discovery_control(tested.to_numpy()))
    # by hand: q of the smallest p = p * m / 1
    m = len(tested)
    assert table.loc["Real", "q_rise"] == pytest.approx(min(1.0, tested.min() * m))
    from crimekit.overview import n_tested
    assert n_tested(table) == m == 21
    assert list(rising(_incidents(spec), "category")["group"]) == ["Real"]
