"""AppTest: the Patrol page on the demo city (one run per test, widgets preset by key)."""

from conftest import run_page, shown_text


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_patrol_page_shows_plan_headline_and_downloads():
    at = run_page("pages/patrol.py")
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
    at = run_page("pages/patrol.py", state={"patrol_officers_night": 50, "patrol_min": 1})
    assert not at.exception
    assert [e.value for e in at.error] == [
        "These limits cannot all be met. Minimum 1 per beat x 110 beats = 110 officers, but "
        "only 50 are available in the night shift: lower the minimum to 0 or add 60 officers."]
    assert not at.metric


def test_patrol_page_change_limit_and_fair_cap():
    at = run_page("pages/patrol.py", state={
        "patrol_limit_change": True, "patrol_max_change": 5, "patrol_use_fair_cap": True,
        "patrol_fair_cap": 2.0, "patrol_map_shift": "night", "patrol_must": ["W-05"]})
    assert not at.exception
    assert int(metric(at, "Officer postings moved")) == 15  # 5 per shift, all used
    text = shown_text(at)
    assert "beats under-patrolled today in the night shift" in text
    plan_share = int(metric(at, "Expected crime covered by the plan").rstrip("%"))
    assert 63 < plan_share < 71  # between today's pattern and the unlimited plan
