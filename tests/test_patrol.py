"""Patrol planning: hand-checked optima, brute force, each limit binding, infeasibility in words,
risk per beat-shift with known answers, and the plan on the synthetic city."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from crimekit.errors import InfeasiblePlanError, ParameterError
from crimekit.patrol.backtest import backtest_plan
from crimekit.patrol.deployment import (compare_deployments, current_deployment, headline,
                                        risk_covered, totals_per_shift)
from crimekit.patrol.dosage import hot_spot_visits, koper_schedule
from crimekit.patrol.risk import beat_shift_risk, planning_start, seasonal_index
from crimekit.patrol.solver import greedy_allocation, min_moves, officers_per_shift, solve_plan
from crimekit.schema import Dataset, conform_incidents

LN2 = math.log(2)  # with k = ln 2 each extra officer covers half of what the previous one did


def risk_table(values, shift="night", beats=None):
    beats = beats or [chr(ord("A") + i) for i in range(len(values))]
    return pd.DataFrame({"beat": beats, "shift": shift, "risk": values})


def current_table(values, shift="night"):
    return risk_table(values, shift).rename(columns={"risk": "officers"})


def officers_of(plan):
    return plan.table.set_index("beat")["officers"].to_dict()


# --- hand-checked optima --------------------------------------------------------------------

def test_two_beats_hand_checked():
    # A (risk 4): marginals 2, 1, 0.5; B (risk 1): 0.5, 0.25. Two officers: A+A = 3 > A+B = 2.5.
    plan = solve_plan(risk_table([4.0, 1.0]), {"night": 2}, effectiveness=LN2)
    assert officers_of(plan) == {"A": 2, "B": 0}
    assert plan.covered == pytest.approx(3.0)
    assert plan.total_risk == pytest.approx(5.0)
    assert plan.share_covered == pytest.approx(0.6)


def test_diminishing_returns_spread_officers():
    # Equal risks: 4 officers over 2 beats -> 2 each (1.5 + 1.5 = 3 beats 1.75 + 1 = 2.75).
    plan = solve_plan(risk_table([2.0, 2.0]), {"night": 4}, effectiveness=LN2)
    assert officers_of(plan) == {"A": 2, "B": 2}
    assert plan.covered == pytest.approx(3.0)


def test_minimum_per_beat_binds():
    plan = solve_plan(risk_table([4.0, 1.0]), {"night": 2}, min_per_beat=1, effectiveness=LN2)
    assert officers_of(plan) == {"A": 1, "B": 1}
    assert plan.covered == pytest.approx(2.5)


def test_maximum_per_beat_binds():
    plan = solve_plan(risk_table([4.0, 1.0, 0.5]), {"night": 3}, max_per_beat=1,
                      effectiveness=LN2)
    assert officers_of(plan) == {"A": 1, "B": 1, "C": 1}


def test_must_cover_binds():
    plan = solve_plan(risk_table([10.0, 0.1, 0.2]), {"night": 3}, must_cover=["B"],
                      effectiveness=LN2)
    assert officers_of(plan) == {"A": 2, "B": 1, "C": 0}


def test_change_limit_binds():
    # Unlimited, both officers go to A (2 moves from the current [0, 2]); one move allowed.
    current = current_table([0, 2])
    free = solve_plan(risk_table([4.0, 1.0]), {"night": 2}, current=current, effectiveness=LN2)
    assert officers_of(free) == {"A": 2, "B": 0}
    limited = solve_plan(risk_table([4.0, 1.0]), {"night": 2}, current=current, max_change=1,
                         effectiveness=LN2)
    assert officers_of(limited) == {"A": 1, "B": 1}
    assert limited.table["change"].clip(lower=0).sum() == 1
    assert limited.table["current"].tolist() == [0, 2]


def test_fairness_cap_binds():
    # 8 officers / 4 beats = 2 each; cap 1.5x -> at most 3 in any beat.
    plan = solve_plan(risk_table([100.0, 1.0, 1.0, 1.0]), {"night": 8}, fair_cap=1.5)
    got = officers_of(plan)
    assert got["A"] == 3 and sum(got.values()) == 8
    assert max(officers_of(solve_plan(risk_table([100.0, 1.0, 1.0, 1.0]),
                                      {"night": 8})).values()) > 3


def test_under_patrolled_flags_by_hand():
    # Shares of risk 0.6 / 0.3 / 0.1; of today's officers 0.2 / 0.4 / 0.4: only A is flagged.
    risk = risk_table([6.0, 3.0, 1.0])
    plan = solve_plan(risk, {"night": 5}, current=current_table([1, 2, 2]))
    assert plan.table["under_patrolled"].tolist() == [True, False, False]
    assert not solve_plan(risk, {"night": 5}).table["under_patrolled"].any()  # no duty logs


def test_leftover_officers_are_explained():
    plan = solve_plan(risk_table([3.0, 2.0, 1.0]), {"night": 5}, max_per_beat=1)
    assert plan.table["officers"].sum() == 3
    assert plan.notes == ("Night shift: the maximum per beat lets only 3 of the 5 officers be "
                          "posted (3 beats); 2 are left unassigned. Raise the maximum per beat "
                          "to post them all.",)


def test_inputs_not_mutated_and_all_shifts_planned():
    risk = pd.concat([risk_table([3.0, 1.0], s) for s in ("morning", "evening", "night")])
    before = risk.copy()
    plan = solve_plan(risk, "2,3,1")
    pd.testing.assert_frame_equal(risk, before)
    assert plan.table.groupby("shift")["officers"].sum().to_dict() == \
        {"morning": 2, "evening": 3, "night": 1}
    assert list(plan.table["shift"].unique()) == ["morning", "evening", "night"]


# --- brute force ----------------------------------------------------------------------------

def brute_force(risk, n, k, lo, hi, current=None, max_change=None):
    """Best benefit over every integer allocation meeting the limits (None if none does)."""
    best = None
    for x in itertools.product(*(range(a, b + 1) for a, b in zip(lo, hi))):
        if sum(x) != n:
            continue
        if max_change is not None and sum(max(0, a - c) for a, c in zip(x, current)) > max_change:
            continue
        value = risk_covered(risk, x, k).sum()
        best = value if best is None or value > best else best
    return best


@pytest.mark.parametrize("seed", range(25))
def test_lp_optimum_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_beats = int(rng.integers(2, 5))
    risk = rng.gamma(1.0, 2.0, n_beats).round(3)
    n = int(rng.integers(1, 7))
    k = float(rng.choice([0.3, 0.5, LN2, 1.2]))
    min_pb = int(rng.integers(0, 2)) if n >= n_beats else 0
    max_pb = int(rng.integers(max(min_pb, 1), n + 1))
    current = rng.integers(0, 3, n_beats)
    max_change = int(rng.integers(0, 4)) if seed % 2 else None
    hi = [min(max_pb, n)] * n_beats
    if max_pb * n_beats < n:
        return  # leftover officers: covered by test_leftover_officers_are_explained
    best = brute_force(risk, n, k, [min_pb] * n_beats, hi, current, max_change)
    kwargs = dict(min_per_beat=min_pb, max_per_beat=max_pb, effectiveness=k,
                  current=current_table(list(current)), max_change=max_change)
    if best is None:
        with pytest.raises(InfeasiblePlanError, match="change limit"):
            solve_plan(risk_table(list(risk)), {"night": n}, **kwargs)
        return
    plan = solve_plan(risk_table(list(risk)), {"night": n}, **kwargs)
    assert plan.table["officers"].sum() == n
    assert plan.covered == pytest.approx(best, rel=1e-9)


def test_greedy_matches_brute_force_without_change_limit():
    risk = np.array([5.0, 3.0, 0.5, 2.0])
    got = greedy_allocation(risk, np.zeros(4, int), np.full(4, 6), 6, 0.5)
    assert risk_covered(risk, got, 0.5).sum() == pytest.approx(
        brute_force(risk, 6, 0.5, [0] * 4, [6] * 4))


# --- infeasible settings, in words ------------------------------------------------------------

def test_too_few_officers_for_the_minimum():
    risk = risk_table([1.0] * 110, beats=[f"B{i:03d}" for i in range(110)])
    with pytest.raises(InfeasiblePlanError) as err:
        solve_plan(risk, {"night": 150}, min_per_beat=2)
    assert str(err.value) == ("Minimum 2 per beat x 110 beats = 220 officers, but only 150 are "
                              "available in the night shift: lower the minimum to 1 or add 70 "
                              "officers.")


def test_too_many_must_cover_beats():
    with pytest.raises(InfeasiblePlanError, match=r"\+ 3 for must-cover beats = 3 officers, but "
                       r"only 2 .* shorten the must-cover list or add 1 officers"):
        solve_plan(risk_table([1.0, 1.0, 1.0]), {"night": 2}, must_cover=["A", "B", "C"])


def test_minimum_above_maximum_and_fair_cap():
    with pytest.raises(InfeasiblePlanError, match="at least 3 officer.*the maximum is 2 per beat"):
        solve_plan(risk_table([1.0, 1.0]), {"night": 6}, min_per_beat=3, max_per_beat=2)
    # floor(0.8 * 7 / 3) = 1 officer per beat allowed, below the minimum of 2
    with pytest.raises(InfeasiblePlanError, match=r"fairness cap of 0.8x the equal share allows "
                       r"at most 1 per beat in the night shift \(7 officers / 3 beats\)"):
        solve_plan(risk_table([1.0, 1.0, 1.0]), {"night": 7}, min_per_beat=2, fair_cap=0.8)


def test_change_limit_too_tight():
    # Five officers where three are today: two must join a beat, and C (current 0) needs one.
    with pytest.raises(InfeasiblePlanError) as err:
        solve_plan(risk_table([1.0, 1.0, 1.0]), {"night": 5}, min_per_beat=1,
                   current=current_table([2, 1, 0]), max_change=1)
    assert "need at least 2 officers moved" in str(err.value)
    assert "raise the change limit to 2" in str(err.value)
    assert min_moves(np.array([1, 1, 1]), np.array([5, 5, 5]), np.array([2, 1, 0]), 5) == 2
    plan = solve_plan(risk_table([1.0, 1.0, 1.0]), {"night": 5}, min_per_beat=1,
                      current=current_table([2, 1, 0]), max_change=2)
    assert plan.table["change"].clip(lower=0).sum() == 2


def test_bad_parameters_name_themselves():
    with pytest.raises(ParameterError, match="'must_cover'.*Got \\['Z'\\]"):
        solve_plan(risk_table([1.0]), 1, must_cover=["Z"])
    with pytest.raises(ParameterError, match="'max_change'.*current deployment"):
        solve_plan(risk_table([1.0]), 1, max_change=3)
    with pytest.raises(ParameterError, match="'officers'"):
        officers_per_shift("ten")
    with pytest.raises(ParameterError, match="'officers'"):
        officers_per_shift([1, 2])
    assert officers_per_shift("20,25,15") == {"morning": 20, "evening": 25, "night": 15}
    assert officers_per_shift(7) == {"morning": 7, "evening": 7, "night": 7}


# --- risk per beat and shift --------------------------------------------------------------------

def tiny_dataset():
    rows = [("2024-03-04 23:00", "Hurt", "A"), ("2024-03-05 01:00", "Hurt", "A"),
            ("2024-03-06 10:00", "Theft", "A"), ("2024-03-06 15:00", "Theft", "B"),
            ("2024-03-07 16:00", "Robbery", "B"), ("2024-03-10 20:00", "Hurt", "B")]
    inc = pd.DataFrame(rows, columns=["occurred_at", "category", "beat"])
    return Dataset("tiny", conform_incidents(inc))


def test_history_risk_by_hand():
    ds = tiny_dataset()
    assert planning_start(ds) == pd.Timestamp("2024-03-11")  # next Monday after the last day
    risk = beat_shift_risk(ds, half_life_days=1e9)  # no decay: plain counts + 0.5 each
    r = risk.set_index(["beat", "shift"])
    # 6 incidents over the 6.04 days before 11 March, so a week expects 6 / span * 7.
    span = (pd.Timestamp("2024-03-11") - pd.Timestamp("2024-03-04 23:00")).total_seconds() / 86400
    total = 6 / span * 7
    assert risk["risk"].sum() == pytest.approx(total)
    assert r.loc[("A", "night"), "risk"] == pytest.approx(total * 2.5 / 9.0)
    assert r.loc[("B", "evening"), "risk"] == pytest.approx(total * 3.5 / 9.0)
    assert r.loc[("B", "night"), "risk"] == pytest.approx(total * 0.5 / 9.0)
    assert (risk["risk_low"] < risk["risk"]).all() and (risk["risk"] < risk["risk_high"]).all()
    assert r.loc[("A", "night"), "evidence"] == "2 recorded at night in the last 2 years: 2 Hurt"
    assert r.loc[("B", "evening"), "evidence"] == \
        "3 recorded in the evening in the last 2 years: 1 Hurt, 1 Robbery, 1 Theft"
    assert r.loc[("B", "night"), "recorded"] == 0


def test_risk_uses_only_the_past():
    ds = tiny_dataset()
    risk = beat_shift_risk(ds, period_start="2024-03-06")
    assert risk["recorded"].sum() == 2  # only the two Hurt cases before 6 March
    assert set(risk.loc[risk["recorded"] > 0, "beat"]) == {"A"}


def test_risk_matches_the_city_truth(city):
    from crimekit.synth import fine_cell_beats
    start = pd.Timestamp("2025-06-02")
    risk = beat_shift_risk(city.dataset, period_start=start)
    truth = city.truth.expected_counts(fine_cell_beats(city), start=start,
                                       end=start + pd.Timedelta(days=7))
    truth = truth.groupby("unit")["expected"].sum()
    mine = risk.groupby("beat")["risk"].sum().reindex(truth.index)
    assert mine.sum() == pytest.approx(truth.sum(), rel=0.15)
    assert np.corrcoef(mine, truth)[0, 1] > 0.9
    # the synthetic city has seasons: the index is a real number near 1, not always 1
    from crimekit.patrol.risk import located_incidents
    inc = located_incidents(city.dataset)
    index = seasonal_index(inc[inc["occurred_at"] < start], start, start)
    assert 0.7 < index < 1.3 and index != 1.0


def test_hotspot_risk_source(small_city):
    ds = small_city.dataset
    start = pd.Timestamp("2024-06-03")
    hot = beat_shift_risk(ds, period_start=start, risk_source="hotspots",
                          hotspot_model="all-history")
    mine = beat_shift_risk(ds, period_start=start)
    assert list(hot.columns) == list(mine.columns)
    assert hot[["beat", "shift"]].equals(mine[["beat", "shift"]])
    assert (hot["risk_low"] <= hot["risk"]).all() and (hot["risk"] <= hot["risk_high"]).all()
    assert hot["evidence"].equals(mine["evidence"])
    assert np.corrcoef(hot["risk"], mine["risk"])[0, 1] > 0.8
    plan = solve_plan(hot, 60, min_per_beat=1)
    assert plan.table.groupby("shift")["officers"].sum().tolist() == [60, 60, 60]


# --- the synthetic city ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def city_plan(city):
    ds = city.dataset
    current = current_deployment(ds.patrols)
    risk = beat_shift_risk(ds)
    return solve_plan(risk, totals_per_shift(current), min_per_beat=1, current=current)


def test_current_deployment_from_duty_logs(city):
    current = current_deployment(city.dataset.patrols)
    assert len(current) == 110 * 3
    # the outdated plan posts about 3.0 / 2.6 / 1.4 officers per beat, 92 % of them present
    per_beat = current.groupby("shift")["officers_mean"].sum() / 110
    assert per_beat["morning"] == pytest.approx(3.0 * 0.92, rel=0.1)
    assert per_beat["night"] == pytest.approx(1.4 * 0.92, rel=0.15)


def test_city_plan_uses_every_officer_and_beats_the_duty_logs(city, city_plan):
    current = current_deployment(city.dataset.patrols)
    assert city_plan.table.groupby("shift")["officers"].sum().to_dict() == \
        totals_per_shift(current)
    assert (city_plan.table["officers"] >= 1).all()
    cmp = compare_deployments(city_plan).set_index("deployment")
    plan_share = cmp.loc["recommended plan", "share_covered"]
    same = cmp.loc["current pattern, same officers as the plan", "share_covered"]
    assert plan_share > same + 0.05
    assert plan_share >= cmp["share_covered"].max() - 1e-9
    assert f"The recommended plan covers {plan_share:.0%}" in headline(
        city_plan, compare_deployments(city_plan))


def test_city_plan_moves_officers_to_under_patrolled_night_beats(city, city_plan):
    night = city_plan.table[city_plan.table["shift"] == "night"].set_index("beat")
    flagged = night.loc[city.truth.under_patrolled_night]
    assert (flagged["officers"] > flagged["current"]).sum() >= 9
    assert flagged["under_patrolled"].sum() >= 8
    assert night["under_patrolled"].sum() < 40


def test_dosage_lists_top_cells_with_koper_stops(city, city_plan):
    spots = hot_spot_visits(city.dataset, city_plan.table, top=3)
    one = spots[(spots["beat"] == "E-02") & (spots["shift"] == "night")]
    assert one["rank"].tolist() == [1, 2, 3]
    assert one["recorded"].is_monotonic_decreasing and one["recorded"].iloc[0] > 5
    assert all(len(s.split(", ")) == 4 for s in one["stops"])
    assert set(spots["shift"]) == {"morning", "evening", "night"}


def test_koper_schedule_spreads_short_stops_over_the_shift():
    times = koper_schedule(3, 22, stops_per_spot=4, stop_minutes=15,
                           rng=np.random.default_rng(1))
    flat = sorted(t for spot in times for t in spot)
    assert len(flat) == 12 and all(len(spot) == 4 for spot in times)
    assert flat[0] >= 22 * 60 and flat[-1] + 15 <= 30 * 60
    assert min(np.diff(flat)) >= 15  # one stop at a time
    for spot in times:  # each hot spot revisited about every two hours
        assert 40 <= min(np.diff(spot)) and max(np.diff(spot)) <= 200


def test_backtest_plan_beats_current(city):
    result = backtest_plan(city.dataset, weeks=3, min_per_beat=1)
    assert len(result) == 6 and set(result["deployment"]) == {"plan", "current"}
    means = result.groupby("deployment")[["covered", "per_officer"]].mean()
    assert means.loc["plan", "covered"] > means.loc["current", "covered"]
    assert means.loc["plan", "per_officer"] > means.loc["current", "per_officer"]
    same = result.pivot(index="week_start", columns="deployment", values="officers")
    assert (same["plan"] == same["current"]).all()


def test_planning_starts_on_the_next_whole_period_of_each_kind():
    from crimekit.patrol.risk import planning_start
    from crimekit.periods import period_start
    from crimekit.schema import Dataset, conform_incidents
    import pandas as pd
    ds = Dataset("t", conform_incidents(pd.DataFrame({
        "occurred_at": pd.to_datetime(["2025-12-30 10:00"]), "category": ["Theft"]})))
    assert planning_start(ds, "D") == pd.Timestamp("2025-12-31")
    assert planning_start(ds, "W") == pd.Timestamp("2026-01-05")  # a Monday
    fortnight = planning_start(ds, "2W")
    assert fortnight > pd.Timestamp("2025-12-30") and period_start(fortnight, "2W") == fortnight


def test_far_past_stragglers_do_not_empty_the_plan():
    # one month coded in October 2015, with a few crimes recorded years late (St. Louis style):
    # every November in 18 years of "history" is empty, which made the seasonal index 0
    rng = np.random.default_rng(2)
    when = pd.Timestamp("2015-10-01") + pd.to_timedelta(rng.uniform(0, 31, 300), unit="D")
    old = pd.to_datetime(["1997-01-05", "2001-03-02", "2005-06-07", "2010-04-01", "2013-08-09"])
    inc = pd.DataFrame({"occurred_at": list(when) + list(old), "category": "Theft",
                        "beat": rng.choice(["A", "B"], 305)})
    ds = Dataset("stl-like", conform_incidents(inc))
    risk = beat_shift_risk(ds)
    assert planning_start(ds) == pd.Timestamp("2015-11-02")
    # 300 crimes over the 32 days from 1 October: about 66 a week
    assert risk["risk"].sum() == pytest.approx(300 / 32 * 7, rel=0.05)
