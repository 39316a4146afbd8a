"""The contract of the patrol floor: PlanSettings declared once and checked on construction,
plan_patrols(dataset, settings) -> PlanResult and backtest_patrols; the command line reads its
defaults from the settings class."""

from dataclasses import FrozenInstanceError

import pandas as pd
import pytest

from crimekit.errors import ParameterError
from crimekit.patrol import (PlanSettings, backtest_patrols, backtest_plan, beat_shift_risk,
                             current_deployment, headline, inputs_for, parse_officers,
                             plan_options, plan_patrols, solve_plan, totals_per_shift)
from crimekit.patrol.settings import default_minimum
from crimekit.schema import SHIFTS, Dataset, conform_incidents


def tiny_dataset(precision="hour"):
    rows = [("2024-03-04 23:00", "Hurt", "A"), ("2024-03-05 01:00", "Hurt", "A"),
            ("2024-03-06 10:00", "Theft", "A"), ("2024-03-06 15:00", "Theft", "B"),
            ("2024-03-07 16:00", "Robbery", "B"), ("2024-03-10 20:00", "Hurt", "B")]
    inc = pd.DataFrame(rows, columns=["occurred_at", "category", "beat"])
    if precision == "day":
        inc["occurred_at"] = pd.to_datetime(inc["occurred_at"]).dt.normalize()
        inc["precision"] = "day"
    return Dataset("tiny", conform_incidents(inc))


# --- PlanSettings ---------------------------------------------------------------------------------

def test_defaults_ranges_and_help_are_declared_once():
    s = PlanSettings()
    assert (s.officers, s.min_per_beat, s.max_change, s.fair_cap, s.areas, s.risk_source,
            s.heinous_weight, s.freq) == (None, None, None, None, "auto", "history", 1.0, "W")
    fair = PlanSettings.spec("fair_cap")
    assert (fair["low"], fair["high"], fair["step"]) == (1.0, 6.0, 0.5)
    assert PlanSettings.spec("areas")["choices"] == ("auto", "beats", "named", "districts",
                                                     "grid")
    assert "{unit}" in PlanSettings.spec("min_per_beat")["label"]
    assert PlanSettings.WHEN_ON["fair_cap"] == 3.0


def test_bad_values_are_refused_with_the_one_template():
    with pytest.raises(ParameterError, match=r"The 'fair_cap' parameter of PlanSettings must be "
                                             r"a number in \[1.0, 6.0\]\. Got 0.5\."):
        PlanSettings(fair_cap=0.5)
    with pytest.raises(ParameterError, match="'areas' parameter"):
        PlanSettings(areas="hexagons")
    with pytest.raises(ParameterError, match="'officers' parameter"):
        PlanSettings(officers="ten")
    with pytest.raises(ParameterError, match="'officers' parameter"):
        PlanSettings(officers=(3, -1, 2))
    with pytest.raises(ParameterError, match="'min_per_beat' parameter"):
        PlanSettings().replace(min_per_beat=-1)


def test_frozen_hashable_and_tidied():
    s = PlanSettings(officers=[3, 2, 1], station="East", must_cover=["B", "A"])
    assert s.officers == (3, 2, 1) and s.station == ("East",) and s.must_cover == ("B", "A")
    assert hash(s) == hash(PlanSettings(officers=(3, 2, 1), station=("East",),
                                        must_cover=("B", "A")))
    with pytest.raises(FrozenInstanceError):
        s.officers = 4
    part = s.replace(max_change=5, risk_source="hotspots")
    assert part.for_inputs() == PlanSettings(station=("East",))
    assert part.for_risk() == PlanSettings(station=("East",), risk_source="hotspots")
    assert part.for_backtest().max_change is None


def test_officers_from_text_and_the_default_minimum():
    assert parse_officers("20, 25,15", "plan --officers") == (20, 25, 15)
    assert parse_officers("7", "plan --officers") == 7
    with pytest.raises(ParameterError, match="'officers' parameter of plan --officers"):
        parse_officers("3,x", "plan --officers")
    assert default_minimum({"morning": 10, "evening": 10, "night": 9}, 10) == 0
    assert default_minimum({"morning": 10, "evening": 10, "night": 10}, 10) == 1


def test_the_command_line_reads_its_defaults_from_the_settings():
    from crimekit.cli import build_parser
    from crimekit.commands.plan import settings_from
    args = build_parser().parse_args(["plan", "--data", "demo", "--out", "x.csv"])
    assert settings_from(args) == PlanSettings()
    args = build_parser().parse_args(["plan", "--data", "demo", "--out", "x.csv", "--officers",
                                      "3,2,1", "--station", "East", "--fair-cap", "2"])
    assert settings_from(args) == PlanSettings(officers=(3, 2, 1), station=("East",),
                                               fair_cap=2.0)


# --- plan_patrols -------------------------------------------------------------------------------

def test_plan_result_by_hand():
    ds = tiny_dataset()
    result = plan_patrols(ds, PlanSettings())
    assert result.shifts == SHIFTS and result.period_start == pd.Timestamp("2024-03-11")
    assert result.period == "the week from Monday 11 March 2024"
    # no duty logs: two officers per beat in every shift, so one per beat at least
    assert result.officers == {"morning": 4, "evening": 4, "night": 4}
    assert result.officers_source == "two per beat (no duty logs)" and not result.has_current
    assert result.minimum == 1 and (result.table["officers"] >= 1).all()
    assert result.headline == headline(result.plan, result.comparison)
    assert result.scope == "the 2 beats" and result.station == ""
    assert result.total_risk_low <= result.total_risk <= result.total_risk_high
    assert any(n.startswith("Times are known to the hour") for n in result.notes)
    assert result.officers_sentence() == ("Officers per shift (morning 4, evening 4, night 4): "
                                          "two per beat (no duty logs).")


def test_officers_must_match_the_shifts_the_data_allows():
    ds = tiny_dataset("day")
    result = plan_patrols(ds, PlanSettings(officers=3))
    assert result.shifts == ("all day",) and result.table["officers"].sum() == 3
    with pytest.raises(ParameterError, match="no times of day"):
        plan_patrols(ds, PlanSettings(officers=(3, 2, 1)))


def test_the_entry_point_plans_as_the_solver_on_the_city(city):
    ds = city.dataset
    current = current_deployment(ds.patrols)
    direct = solve_plan(beat_shift_risk(ds), totals_per_shift(current), min_per_beat=1,
                        current=current)
    result = plan_patrols(ds, PlanSettings())  # today's officers, one per beat at least
    assert result.minimum == 1 and result.officers_source.startswith("today's strength")
    pd.testing.assert_frame_equal(result.table, direct.table)


def test_risk_sources_and_options(city):
    ds = city.dataset
    options = plan_options(ds)
    assert options.unit == "beat" and options.kinds[0] == "beats" and options.heinous
    assert options.kind_label("named") == "The beats the data names"
    heads = inputs_for(ds, PlanSettings(station="East", heads=("Burglary",)))
    assert heads.risk_sources() == ("history",)  # the hotspot model counts every head once
    assert heads.in_units("{Units} that must be covered") == "Beats that must be covered"


def test_backtest_result_is_the_weekly_backtest(city):
    settings = PlanSettings(station="East", min_per_beat=1, backtest_weeks=2)
    inputs = inputs_for(city.dataset, settings)
    bt = backtest_patrols(city.dataset, settings, inputs=inputs)
    table = backtest_plan(inputs.dataset, weeks=2, min_per_beat=1)
    pd.testing.assert_frame_equal(bt.table, table)
    assert bt.weeks == 2 and bt.minimum == 1
    assert bt.covered["plan"] == pytest.approx(table.loc[table["deployment"] == "plan",
                                                         "covered"].mean())


def test_backtest_needs_duty_logs():
    from crimekit.errors import UnusableInputError
    with pytest.raises(UnusableInputError, match="needs beat duty logs"):
        backtest_patrols(tiny_dataset())
