"""AppTest: the Patrol page on the demo city (one run per test, widgets preset by key)."""

from conftest import run_page, shown_text, unescaped


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_patrol_page_shows_plan_headline_and_downloads():
    at = run_page("views/patrol.py")
    assert not at.exception
    assert at.title[0].value == "Patrol plan"
    text = shown_text(at)
    assert "Plan for the week from Monday 05 January 2026" in text
    plan_share = int(metric(at, "Expected crime covered by the plan").rstrip("%"))
    assert f"The recommended plan covers {plan_share}% of the expected crime" in text
    today_share = int(metric(at, "Today's pattern, same officers").rstrip("%"))
    assert plan_share >= today_share + 5
    assert float(metric(at, "Extra crimes covered this week")) > 10
    assert "the plan covered" in text and "for today's deployment" in text  # backtest
    labels = [b.label for b in at.get("download_button")]
    assert {"Download the plan (CSV)", "Download the printable report (HTML)",
            "Download visits for every beat", "Download the backtest"} <= set(labels)
    assert at.get("deck_gl_json_chart")
    assert "Limits." in text
    # officers default to today's strength from the duty logs
    assert at.number_input(key="patrol_officers_night").value == 147


def test_patrol_page_explains_infeasible_limits():
    at = run_page("views/patrol.py", state={"patrol_officers_night": 50, "patrol_min": 1})
    assert not at.exception
    assert [unescaped(e.value) for e in at.error] == [
        "These limits cannot all be met. Minimum 1 per beat x 110 beats = 110 officers, but "
        "only 50 are available in the night shift: lower the minimum to 0 or add 60 officers."]
    assert not at.metric


def test_patrol_page_change_limit_and_fair_cap():
    at = run_page("views/patrol.py", state={
        "patrol_limit_change": True, "patrol_max_change": 5, "patrol_use_fair_cap": True,
        "patrol_fair_cap": 2.0, "patrol_map_shift": "night", "patrol_must": ["W-05"]})
    assert not at.exception
    assert int(metric(at, "Officer postings moved")) == 15  # 5 per shift, all used
    text = shown_text(at)
    assert "beats under-patrolled today in the night shift" in text
    plan_share = int(metric(at, "Expected crime covered by the plan").rstrip("%"))
    assert 63 < plan_share < 71  # between today's pattern and the unlimited plan


# --- my station, and data without beats, times or points ---------------------------------------

def test_station_scope_plans_its_beats_with_its_officers_for_all_crime(city):
    at = run_page("views/patrol.py", state={"districts": ["East"], "categories": ["Burglary"]})
    assert not at.exception, at.exception
    text = shown_text(at)
    assert "**Station East** (the sidebar's districts): its 10 beats" in text
    assert "The sidebar's crime-head filter (Burglary) does not narrow the plan" in text
    assert "The plan weighs every crime head, each crime counted once." in text
    from crimekit.patrol.deployment import current_deployment, totals_per_shift
    east = set(city.dataset.beats.loc[city.dataset.beats["district"] == "East", "beat"])
    logs = city.dataset.patrols[city.dataset.patrols["beat"].isin(east)]
    officers = totals_per_shift(current_deployment(logs))
    for shift, n in officers.items():
        assert at.number_input(key=f"patrol_officers_{shift}_East").value == n
    table = next(f.value for f in at.dataframe if "under_patrolled" in f.value.columns)
    assert set(table["beat"]) == east
    assert table.groupby("shift")["officers"].sum().to_dict() == officers
    # every head, not only burglaries: the week's risk is East's whole expected crime
    assert float(table["risk"].sum()) > 40


def test_month_dated_points_plan_by_month_over_the_areas_they_name(real_samples):
    at = run_page("views/patrol.py", state={"dataset": "uk"})
    assert not at.exception, at.exception
    text = shown_text(at)
    assert ("Dates are known only to the month, so the plan is for the month after the data "
            "ends and posts officers the same way all day") in text
    assert "the plan covers the 216 LSOAs its incidents name" in text
    assert "Plan for the month of April 2022" in text
    assert at.number_input(key="patrol_officers_all_day").label == "Officers on duty (all day)"
    table = next(f.value for f in at.dataframe if "under_patrolled" in f.value.columns)
    assert set(table["shift"]) == {"all day"} and len(table) == 216
    assert at.get("deck_gl_json_chart")  # LSOAs as circles at the middle of their crimes
    assert "Hot spot visits need crimes with coordinates and times of day" in text


def test_area_only_counts_plan_over_the_communities_on_the_map(real_samples):
    at = run_page("views/patrol.py", state={"dataset": "cal"})
    assert not at.exception, at.exception
    text = shown_text(at)
    assert "Planned over the 5 communities in the dataset's polygons." in text
    assert "Dates are known only to the month" in text
    table = next(f.value for f in at.dataframe if "under_patrolled" in f.value.columns)
    assert len(table) == 5 and table["officers"].sum() == 10  # two per community by default
    assert at.get("deck_gl_json_chart")
