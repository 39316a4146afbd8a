"""AppTest: the Trends page on the demo city (one run per test, widgets preset by key)."""

import pytest

from conftest import run_page, shown_text
from crimekit.schema import crime_count


def _downloads(at):
    return [b.label for b in at.get("download_button")]


@pytest.mark.slow
def test_trends_page_shows_patterns_forecast_backtest_and_alerts(city):
    at = run_page("views/trends.py")
    assert not at.exception
    text = shown_text(at)
    assert at.title[0].value == "Trends"
    assert f"{crime_count(city.dataset.incidents):,} crimes" in text
    for heading in ("Over time", "When it happens: all", "Forecast: all, next 8 weeks",
                    "Alerts: above what was expected"):
        assert heading in text
    # the forecast sits beside its backtest, which beats seasonal naive on this city
    assert "the combination beats seasonal naive" in text
    assert "Components and weights" in text and "no forecasting method beat" not in text
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["MASE"]) < 0.9 and float(metrics["Error vs seasonal naive"]) < 0.9
    assert 60 <= int(metrics["80% band coverage"].rstrip("%")) <= 95
    assert "Limits." in text
    # the generated city grows (Cyber fraud +35 %/yr): the citywide trend is up
    trend = at.dataframe[0].value  # shown for people: "direction" reads "Verdict"
    assert trend.loc[0, "Verdict"] == "up"
    assert len(at.get("vega_lite_chart")) >= 5
    assert {"Download counts per week", "Download the trends", "Download the forecast",
            "Download the alerts", "Download hour x weekday counts"} <= set(_downloads(at))


@pytest.mark.slow
def test_district_monthly_forecast_every_district_and_country_holidays():
    at = run_page("views/trends.py", state={
        "tr_by": "District", "tr_series": "West", "tr_freq": "Month", "tr_horizon": 3,
        "tr_country": "India", "tr_all": True, "tr_alert_by": "District"})
    assert not at.exception
    text = shown_text(at)
    assert "Forecast: West, next 3 months" in text
    assert "Every district: next month and the 3-month total" in text
    tables = [df.value for df in at.dataframe]
    every = next(t for t in tables if "next_period" in t.columns)
    assert len(every) == 6 and set(every["method"]) == {"combination"}
    assert "Methods that ran:" in text
    forecast = next(t for t in tables if "yhat" in t.columns and "series" in t.columns)
    assert len(forecast) == 3 and set(forecast["series"]) == {"West"}
    assert "Download every forecast" in _downloads(at)
    assert "districts had significantly more" in text or "No district is significantly" in text


def test_sparse_series_gets_a_labelled_fallback():
    at = run_page("views/trends.py", state={
        "categories": ["Murder"], "tr_by": "Beat", "tr_series": "E-01",
        "tr_alert_by": "Crime head"})
    assert not at.exception
    text = shown_text(at)
    assert "Forecast: E-01" in text
    assert "Prophet is left out for this series" in text
    assert "weeks with any incident" in text
