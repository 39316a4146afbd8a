"""Did it work? The operation check against an injected effect of known size, against no effect,
at monthly resolution, on hot spot cells, and on small series whose answer is known."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.operations import (OperationSettings, check_operation, did, operation_choices,
                                 top_cells_before)
from crimekit.wording import change_words, p_phrase, p_text, range_words

START, END = pd.Timestamp("2025-06-02"), pd.Timestamp("2025-09-01")  # 13 whole weeks


def run_check(dataset, places, start, end, *, grid=None, **settings):
    """check_operation with the operation's places and dates in its OperationSettings."""
    unit = settings.pop("unit", "beat")
    return check_operation(dataset, OperationSettings(start=start, end=end, unit=unit,
                                                      places=places, **settings), grid=grid)


def _truth_change(city, beats, controls, before, during, freq="W"):
    """The generator's own difference-in-differences: what the check should find with no
    operation (real changes in the city, e.g. a hot spot that fades, are not zero)."""
    from crimekit.synth import beat_truth
    t = beat_truth(city, freq).pivot(index="period_start", columns="beat", values="expected")

    def log_change(cols):
        cols = list(cols)
        return (np.log(t.loc[during, cols].to_numpy().sum() / len(during))
                - np.log(t.loc[before, cols].to_numpy().sum() / len(before)))
    return float(np.expm1(log_change(beats) - log_change(controls)))


@pytest.fixture(scope="module")
def steady_beats(city):
    """Six busy beats whose expected crime (the generator's truth) moves with the city's over
    the operation, so a check without an operation should find nothing there."""
    from crimekit.synth import beat_truth
    t = beat_truth(city, "W")
    before = t[(t["period_start"] < START) & (t["period_start"] >= START - pd.Timedelta(weeks=52))]
    during = t[(t["period_start"] >= START) & (t["period_start"] < END)]
    b, d = before.groupby("beat")["expected"].mean(), during.groupby("beat")["expected"].mean()
    drift = np.log(d / b) - np.log(d.sum() / b.sum())
    steady = b[drift.abs() < 0.03].sort_values(ascending=False).index
    return list(steady[[0, 2, 4, 5, 6, 7]])


def _without(dataset, mask, share, seed=0):
    """The dataset with ``share`` of the incidents in ``mask`` removed at random."""
    rng = np.random.default_rng(seed)
    drop = mask.to_numpy() & (rng.random(len(mask)) < share)
    return replace(dataset, incidents=dataset.incidents[~drop].reset_index(drop=True))


def _in_operation(inc, beats, start=START, end=END):
    return inc["beat"].isin(beats) & (inc["occurred_at"] >= start) & (inc["occurred_at"] < end)


def test_a_30_percent_cut_is_found(city, steady_beats):
    ds = city.dataset
    treated = _without(ds, _in_operation(ds.incidents, steady_beats), 0.30)
    check = run_check(treated, steady_beats, START, END)
    assert check.freq == "W" and len(check.periods) == 13 and len(check.before) == 52
    e = check.vs_controls
    truth = _truth_change(city, steady_beats, check.controls, check.before, check.periods)
    assert abs(truth) < 0.10  # the comparison places are steady too
    assert e.lower < -0.30 < e.upper and e.upper < 0, e
    assert e.lower < 0.7 * (1 + truth) - 1 < e.upper
    f = check.vs_forecast
    assert f.lower < -0.30 < f.upper and f.upper < 0, f
    assert check.summary()[1].startswith("Against the forecast made from before the operation")
    assert "fewer" in check.summary()[2] and "very unlikely to be chance" in check.summary()[2]
    assert not set(check.controls) & set(check.neighbours)
    assert not set(check.controls) & set(steady_beats)


def test_no_operation_finds_no_effect(city, steady_beats):
    check = run_check(city.dataset, steady_beats, START, END)
    for e in (check.vs_controls, check.vs_forecast, check.displacement):
        assert e.lower < 0 < e.upper, e
        assert not e.clear
    assert "no sign that crime moved next door" in " ".join(check.summary())


def test_crime_pushed_next_door_is_seen(city, steady_beats):
    ds = city.dataset
    first = run_check(ds, steady_beats, START, END, forecast=False)
    nextdoor = ds.incidents[_in_operation(ds.incidents, list(first.neighbours))]
    extra = nextdoor.sample(frac=0.5, random_state=0)
    moved = replace(ds, incidents=pd.concat([ds.incidents, extra], ignore_index=True))
    check = run_check(moved, steady_beats, START, END, forecast=False,
                     controls=first.controls)
    assert check.displacement.clear and check.displacement.change > 0.3
    assert "crime may have moved next door" in " ".join(check.summary())


def test_month_precision_data_is_checked_by_month(city, steady_beats):
    ds = city.dataset
    inc = ds.incidents
    monthly = inc.assign(occurred_at=inc["occurred_at"].dt.to_period("M").dt.to_timestamp(),
                         precision="month")
    start, end = pd.Timestamp("2025-03-01"), pd.Timestamp("2025-09-01")
    treated = _without(replace(ds, incidents=monthly), _in_operation(monthly, steady_beats,
                                                                     start, end), 0.30)
    check = run_check(treated, steady_beats, start, end)
    assert check.freq == "M" and len(check.periods) == 6 and len(check.before) == 24
    assert (check.periods.day == 1).all() and (check.before.day == 1).all()
    truth = _truth_change(city, steady_beats, check.controls, check.before, check.periods, "M")
    e = check.vs_controls
    assert e.lower < 0.7 * (1 + truth) - 1 < e.upper, (e, truth)
    assert check.vs_forecast.lower < -0.30 < check.vs_forecast.upper
    assert "whole months" in check.summary()[0]


def test_hot_spot_cells_as_the_operation(city):
    from crimekit.spatial import grid_for
    ds = city.dataset
    grid = grid_for(ds.incidents, cell_size=250, beats=ds.beats)
    cells = top_cells_before(ds, grid, START, 10)
    assert len(cells) == 10 and all(isinstance(c, int) for c in cells)
    check = run_check(ds, cells, START, END, unit="cell", grid=grid, forecast=False)
    assert set(check.treated) == set(cells)
    assert check.neighbours and not set(check.neighbours) & set(cells)
    assert len(check.controls) == 30
    assert "hot spots" in check.summary()[0] and "cells around them" in check.summary()[-2] \
        + check.summary()[-1]


def test_beats_without_polygons_use_the_nearest_beats(city, steady_beats):
    ds = replace(city.dataset, beats=None)
    check = run_check(ds, steady_beats[:2], START, END, forecast=False)
    assert 4 <= len(check.neighbours) <= 8


def test_did_on_series_with_a_known_answer():
    rng = np.random.default_rng(0)
    control = rng.poisson(400, 60).astype(float)
    treated = control * 2
    treated[40:] = control[40:]  # halved relative to the comparison during the operation
    e = did(treated, control, 40)
    assert e.change == pytest.approx(-0.5, abs=0.01)
    assert e.clear and e.p_value < 0.001
    same = did(control * 2, control, 40)
    assert same.change == pytest.approx(0, abs=0.01)


def test_the_table_speaks_plainly(city, steady_beats):
    check = run_check(city.dataset, steady_beats, START, END, forecast=False)
    table = check.table()
    assert list(table.columns) == ["Comparison", "Crimes recorded", "Crimes expected", "Change",
                                   "95% range", "Chance?"]
    assert table["Chance?"].str.match(r"^(very unlikely|unlikely|could well)").all()
    assert not table["Chance?"].str.contains("0000").any()


@pytest.mark.parametrize("start, end, error, match", [
    ("2025-06-04", "2025-06-08", UnusableInputError, "no whole week"),
    ("2023-01-09", "2023-02-06", UnusableInputError, "Only 1 whole week of data before"),
    ("2025-06-02", "2025-05-01", ParameterError, "after the start"),
])
def test_unusable_operations_say_why(city, start, end, error, match):
    with pytest.raises(error, match=match):
        run_check(city.dataset, ["C-01"], start, end)


def test_unknown_places_are_refused(city):
    with pytest.raises(ParameterError, match="beats of this data"):
        run_check(city.dataset, ["nowhere"], START, END)


def test_words():
    assert p_text(1e-60) == "< 0.001" and p_text(0.0123) == "0.012" and p_text(0.5) == "0.50"
    assert p_phrase(0.0004) == "p < 0.001" and p_phrase(0.2) == "p = 0.20"
    assert change_words(-0.3) == "30% fewer" and change_words(0.004) == "no change"
    assert range_words(-0.4, np.inf) == "-40% to no upper limit"


def test_defaults_for_the_page(city):
    from crimekit.operations import busiest_beats_before, default_window, indexed
    start, end = default_window(city.dataset.incidents)
    assert (start, end) == (pd.Timestamp("2025-09-29"), pd.Timestamp("2025-12-29"))
    beats = busiest_beats_before(city.dataset, start, 3)
    assert len(beats) == 3 and beats[0] == "E-02"
    check = run_check(city.dataset, beats, start, end, forecast=False)
    chart = indexed(check)
    before = chart[(chart["phase"] == "before")].groupby("group")["index"].mean()
    assert before.round(6).eq(100).all()


def test_the_command_prints_the_findings(city, tmp_path, monkeypatch, capsys):
    from crimekit.cli import main
    from crimekit.cli import build_parser
    build_parser()  # commands that bind open_dataset on import keep the real one
    monkeypatch.setattr("crimekit.sources.open_dataset", lambda spec: city.dataset)
    out = tmp_path / "op.csv"
    code = main(["operation", "--data", "demo", "--beats", "E-02", "C-18", "--start",
                 "2025-06-02", "--end", "2025-09-01", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0 and "The operation's 2 beats recorded" in printed
    assert "Against the forecast made from before the operation" in printed
    table = pd.read_csv(out)
    assert set(table["group"]) == {"operation", "comparison", "next door", "forecast"}
    code = main(["operation", "--data", "demo", "--beats", "nowhere", "--start", "2025-06-02",
                 "--end", "2025-09-01"])
    assert code == 2 and "beats of this data" in capsys.readouterr().err


def test_operation_settings_are_checked_and_tidied():
    s = OperationSettings(start="2025-06-02", end="2025-09-01", unit="cell", places=["12", 7])
    assert s.start == pd.Timestamp("2025-06-02") and s.places == (12, 7)
    assert OperationSettings(start="2025-06-02", end="2025-09-01", places="E-02").places == \
        ("E-02",)
    with pytest.raises(ParameterError, match="after the start"):
        OperationSettings(start="2025-06-02", end="2025-05-01")
    with pytest.raises(ParameterError, match="'start' parameter of OperationSettings must be "
                                             "a date"):
        OperationSettings(end="2025-05-01")
    with pytest.raises(ParameterError, match="'unit' parameter"):
        OperationSettings(start="2025-06-02", end="2025-09-01", unit="street")
    with pytest.raises(ParameterError, match="'level' parameter"):
        OperationSettings(start="2025-06-02", end="2025-09-01", level=1.0)


def test_operation_choices_on_the_city(city):
    choices = operation_choices(city.dataset)
    assert choices.units == ("beat", "cell") and len(choices.beats) == 110
    assert choices.busiest[0] == "E-02" and len(choices.busiest) == 3
    assert (choices.start, choices.last) == (pd.Timestamp("2025-09-29"),
                                             pd.Timestamp("2025-12-28"))
    assert choices.first_day <= choices.start <= choices.last <= choices.last_day


def test_hot_spots_are_chosen_by_the_check_itself(city):
    from crimekit.spatial import grid_for
    ds = city.dataset
    grid = grid_for(ds.incidents, cell_size=250, beats=ds.beats)
    settings = OperationSettings(start=START, end=END, unit="cell", hot_spots=10,
                                 forecast=False)
    check = check_operation(ds, settings, grid=grid)
    assert check.treated == tuple(top_cells_before(ds, grid, START, 10))
    assert check.settings == settings
