"""``python -m crimekit plan`` and the printable report, on small hand-made files and the city."""

from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from crimekit.cli import main

BEATS_FILE = ROOT / "tests" / "fixtures" / "ingest" / "beats.geojson"
# Points inside the fixture's beats: B01 around (12.967, 77.587), B02 around (12.982, 77.602).
WHERE = {"B01": (12.967, 77.587), "B02": (12.982, 77.602), "B03": (12.95, 77.62)}


def write_incidents(path: Path, rows) -> Path:
    """rows: (timestamp, category, beat); coordinates from WHERE."""
    df = pd.DataFrame(rows, columns=["occurred_at", "category", "beat"])
    df.insert(0, "incident_id", [f"I{i}" for i in range(len(df))])
    df["lat"] = [WHERE[b][0] for b in df["beat"]]
    df["lon"] = [WHERE[b][1] for b in df["beat"]]
    df.to_csv(path, index=False)
    return path


@pytest.fixture
def incidents_csv(tmp_path):
    rows = ([("2024-05-0%d 23:30" % d, "Hurt", "B01") for d in range(1, 8)]      # B01 nights
            + [("2024-05-0%d 10:00" % d, "Theft", "B02") for d in range(1, 6)]  # B02 mornings
            + [("2024-05-03 17:00", "Robbery", "B03"), ("2024-05-04 18:00", "Theft", "B02")])
    return write_incidents(tmp_path / "incidents.csv", rows)


def test_plan_from_a_file_without_polygons(incidents_csv, tmp_path, capsys):
    out = tmp_path / "plan.csv"
    code = main(["plan", "--data", str(incidents_csv), "--officers", "2,1,3", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    plan = pd.read_csv(out)
    assert {"beat", "shift", "officers", "current", "risk", "evidence"} <= set(plan.columns)
    assert len(plan) == 9 and set(plan["beat"]) == {"B01", "B02", "B03"}
    totals = plan.groupby("shift")["officers"].sum()
    assert totals.to_dict() == {"evening": 1, "morning": 2, "night": 3}
    by = plan.set_index(["beat", "shift"])["officers"]
    assert by[("B01", "night")] >= 2 and by[("B02", "morning")] >= 1
    assert by[("B01", "morning")] == 0
    text = capsys.readouterr().out
    assert "Plan for the period from 2024-05-13 (W)" in text
    assert "No duty logs in the data" in text


def test_plan_with_beat_polygons_plans_for_those_beats(incidents_csv, tmp_path, capsys):
    out = tmp_path / "plan.csv"
    code = main(["plan", "--data", str(incidents_csv), "--beats", str(BEATS_FILE),
                 "--officers", "1", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    plan = pd.read_csv(out)
    assert sorted(plan["beat"].unique()) == ["B01", "B02"]
    assert plan.groupby("shift")["officers"].sum().tolist() == [1, 1, 1]


def test_infeasible_limits_are_one_sentence_and_exit_2(incidents_csv, tmp_path, capsys):
    code = main(["plan", "--data", str(incidents_csv), "--officers", "3", "--min-per-beat", "2",
                 "--out", str(tmp_path / "plan.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == ("error: Minimum 2 per beat x 3 beats = 6 officers, but only 3 are "
                           "available in the morning shift: lower the minimum to 1 or add 3 "
                           "officers.")
    assert not (tmp_path / "plan.csv").exists()
    assert main(["plan", "--data", str(incidents_csv), "--officers", "3,x",
                 "--out", str(tmp_path / "p.csv")]) == 2
    assert "'officers' parameter of plan --officers" in capsys.readouterr().err


def test_help_says_the_shift_order(capsys):
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    assert "morning,evening,night" in capsys.readouterr().out


def test_plan_on_the_demo_city_with_report(city, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("crimekit.sources.open_dataset", lambda spec: city.dataset)
    out, report = tmp_path / "plan.csv", tmp_path / "plan.html"
    code = main(["plan", "--data", "demo", "--officers", "300,280,140", "--min-per-beat", "1",
                 "--max-change", "40", "--must-cover", "C-01", "--out", str(out),
                 "--report", str(report)])
    assert code == 0, capsys.readouterr().err
    plan = pd.read_csv(out)
    assert len(plan) == 330
    assert plan.groupby("shift")["officers"].sum().to_dict() == \
        {"evening": 280, "morning": 300, "night": 140}
    moved = plan.assign(up=plan["change"].clip(lower=0)).groupby("shift")["up"].sum()
    assert (moved <= 40).all() and moved.max() == 40
    page = report.read_text()
    assert "E-02" in page and "Hot spot visits" in page
    # a few short tables, not a page per beat: the full plan is the CSV
    assert page.count("<tr>") < 90 and "in the CSV download" in page
    assert "covers" in capsys.readouterr().out


def test_report_escapes_user_text():
    from crimekit.patrol.report import plan_report_html
    from crimekit.patrol.solver import solve_plan
    risk = pd.DataFrame({"beat": ["<script>x</script>", "B&1"], "shift": "night",
                         "risk": [2.0, 1.0], "evidence": ["<img src=x>", "ok"]})
    page = plan_report_html(solve_plan(risk, {"night": 2}), dataset_name="<b>d</b>")
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<img" not in page and "&lt;b&gt;d&lt;/b&gt;" in page and "B&amp;1" in page


def test_plan_without_beats_or_districts_draws_patrol_areas(tmp_path, capsys):
    import numpy as np
    rng = np.random.default_rng(1)
    n = 600
    df = pd.DataFrame({"incident_id": [f"I{i}" for i in range(n)],
                       "occurred_at": pd.Timestamp("2024-01-01")
                       + pd.to_timedelta(rng.uniform(0, 300, n), unit="D"),
                       "category": rng.choice(["Theft", "Hurt"], n),
                       "lat": 12.97 + rng.normal(0, 0.01, n),
                       "lon": 77.59 + rng.normal(0, 0.01, n)})
    path = tmp_path / "points.csv"
    df.to_csv(path, index=False)
    out = tmp_path / "plan.csv"
    code = main(["plan", "--data", str(path), "--officers", "5", "--n-areas", "4",
                 "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    plan = pd.read_csv(out)
    assert sorted(plan["beat"].unique()) == ["Area 01", "Area 02", "Area 03", "Area 04"]
    assert plan.groupby("shift")["officers"].sum().tolist() == [5, 5, 5]
    recorded = plan["evidence"].str.extract(r"^(\d+) recorded")[0].fillna(0).astype(int)
    assert recorded.sum() == n  # every crime in exactly one area
    text = capsys.readouterr().out
    assert "This data names no beats or areas, so the plan covers 4 patrol areas" in text


def test_plan_for_one_station_of_the_city(city, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("crimekit.sources.open_dataset", lambda spec: city.dataset)
    out = tmp_path / "east.csv"
    code = main(["plan", "--data", "demo", "--station", "East", "--officers", "30,28,14",
                 "--min-per-beat", "1", "--heinous-weight", "2", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    plan = pd.read_csv(out)
    east = city.dataset.beats.loc[city.dataset.beats["district"] == "East", "beat"]
    assert sorted(plan["beat"].unique()) == sorted(east)
    assert plan.groupby("shift")["officers"].sum().to_dict() == \
        {"evening": 28, "morning": 30, "night": 14}
    text = capsys.readouterr().out
    assert "Planned over the 10 beats of station East" in text
    assert "count 2x" in text


def test_month_dated_file_is_planned_by_month(tmp_path, capsys):
    from conftest import SHARED_DATA
    sample = SHARED_DATA / "uk_police_street_sample.csv"
    if not sample.exists():
        pytest.skip("../shared/data is absent")
    out = tmp_path / "plan.csv"
    assert main(["plan", "--data", str(sample), "--officers", "12", "--out", str(out)]) == 0
    plan = pd.read_csv(out)
    assert set(plan["shift"]) == {"all day"} and plan["officers"].sum() == 12
    text = capsys.readouterr().out
    assert "Plan for the period from 2022-04-01 (M)" in text
    assert "Dates are known only to the month" in text
    assert main(["plan", "--data", str(sample), "--officers", "4,4,4",
                 "--out", str(tmp_path / "p.csv")]) == 2
    assert "no times of day" in capsys.readouterr().err
