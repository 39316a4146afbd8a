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
    table = compare_periods(inc, by="category").set_index("group")
    assert table.loc["Theft", ["current", "previous", "last_year"]].tolist() == [12, 4, 6]
    assert table.loc["Theft", "change_vs_previous"] == pytest.approx(2.0)
    assert table.loc["Theft", "change_vs_last_year"] == pytest.approx(1.0)
    assert table.loc["Hurt", "change_vs_previous"] == pytest.approx(0.0)
    assert np.isnan(table.loc["Hurt", "change_vs_last_year"])
    whole = compare_periods(inc)
    assert whole.loc[0, "current"] == 14


def test_rise_p_value_matches_the_binomial_tail():
    # 12 vs 4: P(X >= 12 | n=16, p=0.5) = (C(16,12)+...+C(16,16)) / 2^16 = 2517/65536
    assert rise_p_value(12, 4) == pytest.approx(2517 / 65536)
    assert rise_p_value(0, 0) == 1.0
    assert rise_p_value(3, 10) > 0.9


def test_rising_keeps_real_rises_only():
    inc = _incidents([("2025-12-20", "Theft", 30), ("2025-11-20", "Theft", 10),
                      ("2025-12-20", "Hurt", 7), ("2025-11-20", "Hurt", 5),
                      ("2025-12-31", "Fraud", 3)])
    table = rising(inc, "category")
    assert list(table["group"]) == ["Theft"]


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
