"""AppTest: the Profiles page on the demo city (one run per test, widgets preset by key)."""

from datetime import date

from conftest import run_page, shown_text

PAGE = "views/profiles.py"


def frames(at) -> list:
    """The DataFrames the run showed."""
    return [d.value for d in at.dataframe]


def frame_with(at, column):
    found = [df for df in frames(at) if column in df.columns]
    assert found, f"no table with a {column!r} column"
    return found[0]


def test_victims_show_overrepresented_groups_with_names_masked(city):
    at = run_page(PAGE, state={"profiles_section": "Victims", "profiles_victim_field": "sex"})
    assert not at.exception
    text = shown_text(at)
    victims = (city.dataset.persons["role"] == "victim").sum()
    assert f"{victims:,} victims" in text and "Over-represented groups" in text
    flagged = frame_with(at, "baseline_share").set_index(["head", "value"])
    assert ("Chain snatching", "F") in flagged.index and ("Hurt", "M") in flagged.index
    repeat = frame_with(at, "median_days_between")
    assert repeat["victim"].str.startswith("Victim #").all()
    assert repeat["name"].str.contains(r"\*").all()
    assert not at.toggle(key="profiles_unmask").value
    assert "Off by default" in text
    labels = [b.label for b in at.get("download_button")]
    assert "Download repeat victims" in labels and "Download vulnerable areas" in labels
    assert at.get("deck_gl_json_chart")  # the vulnerable-areas map


def test_accused_ranks_the_generators_prolific_offenders_masked(city):
    at = run_page(PAGE, state={"profiles_section": "Accused"})
    assert not at.exception
    off = frame_with(at, "n_incidents")
    assert off["offender"].iloc[0] == "Offender #1"
    assert off["name"].str.contains(r"\*").all()
    names = set(city.truth.offenders["name"]) | set(city.truth.offenders["person_id"])
    assert not names & set(off["name"]) and not names & set(off["offender"])
    text = shown_text(at)
    assert "Journey to crime" in text and "Co-offending groups" in text


def test_analyst_can_unmask_names():
    at = run_page(PAGE, state={"profiles_section": "Accused", "profiles_unmask": True})
    assert not at.exception
    off = frame_with(at, "n_incidents")
    assert off["offender"].str.startswith("A").all()  # the generator's person ids
    assert not off["name"].str.contains(r"\*").any()


def test_reoffending_shows_backtest_accuracy_and_group_error_rates():
    at = run_page(PAGE, state={"profiles_section": "Re-offending", "profiles_months": 12})
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert 0.6 < float(metrics["Backtest AUC"]) < 0.9
    assert "Brier score" in metrics
    groups = frame_with(at, "false_positive_rate")
    assert {"F", "M"} <= set(groups.loc[groups["field"] == "sex", "group"])
    text = shown_text(at)
    assert "never inputs" in text and "Limits." in text
    scores = frame_with(at, "band_lower")
    assert scores["offender"].str.startswith("Offender #").all()
    assert (scores["band_lower"] <= scores["band_upper"]).all()


def test_crime_links_and_place_clusters():
    at = run_page(PAGE, state={"profiles_section": "Crime links"})
    assert not at.exception
    assert "Do crime heads go together?" in shown_text(at)
    assert "head_a" in frame_with(at, "lift").columns
    at = run_page(PAGE, state={"profiles_section": "Place clusters"})
    assert not at.exception
    text = shown_text(at)
    assert "groups** of 110 places" in text and "silhouette" in text
    assert "Public nuisance" in text


def test_sections_without_data_say_so():
    at = run_page(PAGE, state={"profiles_section": "Victims",
                               "categories": ["Public nuisance"]})
    assert not at.exception
    assert "no victim records" in shown_text(at)
    at = run_page(PAGE, state={"profiles_section": "Re-offending",
                               "dates": (date(2025, 10, 1), date(2025, 12, 31)),
                               "profiles_months": 12})
    assert not at.exception
    assert "cannot be backtested" in shown_text(at)


def test_counts_only_data_shows_counts(isolated_store):
    from pathlib import Path

    from crimekit.ingest import import_into_store
    from crimekit.store import Store
    fixture = Path(__file__).parent / "fixtures" / "ingest" / "ksp_fir.csv"
    import_into_store([fixture], Store(), name="ksp")
    at = run_page(PAGE, state={"dataset": "ksp", "profiles_section": "Victims"})
    assert not at.exception
    assert "victim *counts*" in shown_text(at)
    assert "victims" in frame_with(at, "victims_per_incident").columns
