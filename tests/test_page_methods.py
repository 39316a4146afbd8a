"""AppTest: the Methods & limits page (one run per test, widgets preset by key)."""

import pytest
from conftest import run_page, shown_text

from crimekit.schema import Dataset

SECTIONS = ["Where the data came from", "What each model does",
            "How good each model was on this data", "Known limits"]


def backtests(at):
    table = next(f.value for f in at.dataframe if "measure" in f.value.columns)
    return table.set_index(["model", "measure"])


def test_methods_page_explains_models_data_and_limits_on_the_demo_city():
    at = run_page("views/methods.py", timeout=300)
    assert not at.exception, at.exception
    text = shown_text(at)
    assert [h.value for h in at.header] == SECTIONS
    assert "Dataset **Demo City (synthetic)**" in text and "seed 7" in text
    for model in ("Temporal trends", "Forecast (Prophet", "Alerts", "Hotspots (XGBoost",
                  "Crime type at a place", "Re-offending", "Patrol plan"):
        assert f"**{model}" in text
    for limit in ("where police already look", "feeds back", "protected traits",
                  "never sex, caste, religion or nationality", "synthetic"):
        assert limit in text
    # the quick backtests are there at once; the slow ones wait for the button
    table = backtests(at)
    assert table.loc[("Forecast", "MASE"), "value"] < 1  # Prophet beats seasonal naive
    assert table.loc[("Forecast", "MAE"), "value"] < table.loc[("Forecast", "MAE"),
                                                               "baseline_value"]
    assert 0.6 < table.loc[("Re-offending", "AUC"), "value"] < 1
    plan = table.loc[("Patrol plan", "share of crime covered")]
    assert plan["value"] > plan["baseline_value"]  # the plan beats today's outdated pattern
    assert not any(m.startswith("Hotspots") for m, _ in table.index)
    assert at.button(key="methods_compute").label == "Compute backtests"
    assert "Download the backtests" in {b.label for b in at.get("download_button")}


@pytest.mark.slow
def test_compute_button_adds_hotspot_and_crime_type_backtests():
    at = run_page("views/methods.py", timeout=300)
    at.button(key="methods_compute").click().run()  # the main area survives the rerun
    assert not at.exception, at.exception
    table = backtests(at)
    measures = {m for _, m in table.index}
    assert {"MAE", "MASE"} <= measures
    hit = table.loc[("Hotspots (XGBoost)",
                     "hit rate, top 1% of 250 m cells, last 13 weeks")]
    assert 0.05 < hit["value"] < 0.4 and 0.05 < hit["baseline_value"] < 0.4
    ceiling = table.loc[("Hotspots (XGBoost)", "hit rate ceiling"), "value"]
    assert ceiling > 0.9 * hit["value"]  # the generator's truth is (about) the best possible
    top1 = table.loc[("Crime type at a place", "top-1 accuracy")]
    assert top1["value"] > top1["baseline_value"]  # the model beats the place's plain mix
    assert "press **Compute backtests**" not in shown_text(at)
    assert at.button(key="methods_compute").disabled  # done: cached for later visits


def test_methods_page_on_an_upload_without_persons_or_duty_logs(city, isolated_store):
    from crimekit.store import Store
    incidents = city.dataset.incidents.sample(300, random_state=5).sort_values("occurred_at")
    Store().save(Dataset(name="small_upload", incidents=incidents.reset_index(drop=True)),
                 sources=[("incidents_2025.csv", "cd" * 32)])
    at = run_page("views/methods.py", state={"dataset": "small_upload"}, timeout=300)
    assert not at.exception, at.exception
    text = shown_text(at)
    assert "Dataset **small_upload**: 300 incidents" in text and "no beat polygons" in text
    sources = next(f.value for f in at.dataframe if "sha256" in f.value.columns)
    assert sources.iloc[0].tolist()[:2] == ["incidents_2025.csv", "cd" * 32]
    table = backtests(at)
    assert "not backtested" in table.loc[("Re-offending", "AUC"), "note"]
    assert "duty logs" in table.loc[("Patrol plan", "crime covered"), "note"]
    assert table.loc[("Forecast", "MAE"), "value"] >= 0
