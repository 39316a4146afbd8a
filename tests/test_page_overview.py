"""AppTest: the Overview (landing) page on the demo city and on a small uploaded-like dataset
with no beat polygons, no persons and no duty logs (one run per test, widgets preset by key)."""

import re

import pytest
from conftest import ROOT, run_page, shown_text

from crimekit import overview
from crimekit.schema import Dataset


def metric(at, start):
    return next(m for m in at.metric if m.label.startswith(start))


def frame_with(at, column):
    return next(f.value for f in at.dataframe if column in f.value.columns)


@pytest.fixture
def tiny_dataset(city, isolated_store):
    """400 demo incidents saved as if uploaded: no beat polygons, persons or duty logs."""
    from crimekit.store import Store
    incidents = city.dataset.incidents.sample(400, random_state=3).sort_values("occurred_at")
    ds = Dataset(name="tiny_upload", incidents=incidents.reset_index(drop=True))
    Store().save(ds, sources=[("tiny.csv", "ab" * 32)])
    return ds


def test_landing_page_is_the_overview_with_every_block(city):
    at = run_page(timeout=300)  # no page: the landing page
    assert not at.exception, at.exception
    assert at.title[0].value == "Overview"
    text = shown_text(at)
    # this period vs the previous one and last year: the counts crimekit.overview gives
    expected = overview.compare_periods(city.dataset.incidents, days=28).iloc[0]
    assert metric(at, "This period").value == f"{expected['current']:,}"
    assert f"(then {expected['previous']:,})" in metric(at, "Against the previous 28 days").delta
    assert f"(then {expected['last_year']:,})" in metric(at, "Against the same 28 days").delta
    assert text.count("exact test p") >= 2
    # rising crime heads: the same groups as crimekit.overview.rising (after Benjamini-Hochberg
    # over the 15 heads tested, the demo's two p < 0.05 heads are chance: none rises)
    rising = overview.rising(city.dataset.incidents, "category", days=28)
    assert rising.empty
    assert ("No crime head rose beyond chance against the previous 28 days, after accounting "
            "for the 15 crime heads tested.") in text
    assert "q_rise accounts for the 15 crime heads tested at once" in text
    # alerts by crime head (fast), with the Poisson p-value
    assert re.search(r"crime heads? (is|had) significantly|No crime head is significantly",
                     text)
    assert {"series", "expected", "p_value"} <= set(frame_with(at, "p_value").columns)
    # hotspots: the best fast model (the count model or a baseline), named, with its
    # backtested hit rate and a range, and how the count model did against the best baseline
    assert re.search(r"Model: \*\*(Count model|Kernel density|All history|Last 52 weeks|"
                     r"Markov|Last period|Last year)", text)
    assert re.search(r"Count model \(learned\) against the best baseline|No learned model "
                     r"beat the best baseline", text)
    hit = float(metric(at, "Backtested hit rate").value.rstrip("%"))
    assert 5 < hit < 40  # 1% of the cells hold far more than 1% of the crimes
    top = frame_with(at, "expected_high")
    assert len(top) == 10 and top["probability"].is_monotonic_decreasing
    assert (top["expected_low"] <= top["expected"]).all()
    # the plan's headline against today's duty logs, with its backtest
    assert "The recommended plan covers" in text and "today's deployment" in text
    assert "Backtest: planned each of the last 4 weeks" in text
    # links, downloads, shareable link, limits
    linked = {p.proto.page for p in at.get("page_link")}
    assert {"trends", "hotspots", "patrol", "methods"} <= linked
    labels = {b.label for b in at.get("download_button")}
    assert {"Download the top hotspots", "Download the plan",
            "Download the comparison by crime head"} <= labels
    share = re.search(r"Share this view: add `(\?[^`]+)`", text).group(1)
    assert "dataset=Demo+City" in share and "p_days=28" in share and "start=" in share
    assert "Limits." in text


def test_period_length_comes_from_a_shared_link():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["p_days"] = "14"
    at.run()
    assert not at.exception, at.exception
    assert at.select_slider(key="p_days").value == 14
    assert metric(at, "Against the previous 14 days")
    assert "This period against the last (14 days)" in shown_text(at)


def test_uploaded_data_without_beats_persons_or_duty_logs(tiny_dataset):
    at = run_page("views/overview.py", state={"dataset": "tiny_upload", "p_days": 91,
                                              "p_beat_alerts": True}, timeout=300)
    assert not at.exception, at.exception
    text = shown_text(at)
    assert "400 crimes" in text
    inc = tiny_dataset.incidents
    expected = overview.compare_periods(inc, days=91).iloc[0]
    assert metric(at, "This period").value == f"{expected['current']:,}"
    # no duty logs: said plainly; the plan still uses the beats named in the incidents
    assert "no beat duty logs" in text
    assert "two per beat" in text and "The recommended plan covers" in text
    # hotspots still scored on a grid (no polygons needed) or explained
    assert "Model: **" in text or "No hotspot prediction" in text
    # beat alerts were asked for: either a verdict or a plain reason
    assert re.search(r"beats? (is|had) significantly|No beat is significantly|No beat alerts",
                     text)
    assert "Limits." in text


def test_a_date_range_without_last_year_is_not_comparable():
    import datetime as dt
    at = run_page("views/overview.py", state={"dates": (dt.date(2025, 6, 1),
                                                        dt.date(2025, 12, 31))}, timeout=300)
    assert not at.exception, at.exception
    last_year = metric(at, "Against the same 28 days last year")
    assert last_year.value == "not comparable" and not last_year.delta
    text = shown_text(at)
    assert ("Against the same 28 days last year (52 weeks earlier, so weekdays line up): not "
            "comparable") in text
    assert metric(at, "Against the previous 28 days").value.endswith("%")


def test_a_one_month_file_compares_months_and_claims_nothing(real_samples):
    at = run_page("views/overview.py", state={"dataset": "uk"}, timeout=300)
    assert not at.exception, at.exception
    text = shown_text(at)
    assert overview.PRECISION_SENTENCES["month"] in text
    assert "400 crimes" in text
    assert metric(at, "This period (Mar 2022)").value == "400"
    assert metric(at, "Against the previous month").value == "not comparable"
    assert "%" not in metric(at, "Against the previous month").value
    assert "No crime head could be tested" in text
    assert "significantly more" not in text
    assert "This month's patrol plan" in text and "month of April 2022" in text


def test_area_only_counts_on_the_overview(real_samples):
    at = run_page("views/overview.py", state={"dataset": "cal"}, timeout=300)
    assert not at.exception, at.exception
    text = shown_text(at)
    assert overview.PRECISION_SENTENCES["month"] in text
    assert "3,936 crimes" in text
    assert metric(at, "This period (Nov 2024)")
    assert "Planned over the 5 communities" in text
    assert "after accounting for the" in text
