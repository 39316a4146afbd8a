"""Benchmark: solve time of the patrol plan (targets: 300 beats x 3 shifts x 600 officers < 2 s;
1,000 beats x 3 shifts < 10 s), with and without the change limit and fairness cap.

Run: python bench/bench_patrol.py [--city]   (--city adds the synthetic city's plan vs duty logs,
and the time of the whole plan from the dataset through crimekit.patrol.plan_patrols)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from crimekit.patrol.solver import solve_plan
from crimekit.schema import SHIFTS


def case(n_beats: int, per_shift: int, seed: int = 0):
    """Skewed random risk (a few hot beats) and a random current deployment of ``per_shift``
    officers in each shift."""
    rng = np.random.default_rng(seed)
    beats = [f"B{i:04d}" for i in range(n_beats)]
    risk = pd.DataFrame({"beat": np.repeat(beats, 3), "shift": np.tile(SHIFTS, n_beats),
                         "risk": rng.gamma(0.6, 1.5, 3 * n_beats)})
    today = np.column_stack([rng.multinomial(per_shift, np.full(n_beats, 1 / n_beats))
                             for _ in SHIFTS]).ravel()
    current = risk[["beat", "shift"]].assign(officers=today)
    return risk, current


def timed(label, risk, officers, target, **limits):
    t0 = time.perf_counter()
    plan = solve_plan(risk, officers, **limits)
    wall = time.perf_counter() - t0
    posted = plan.table.groupby("shift")["officers"].sum().to_dict()
    ok = "OK " if wall < target else "SLOW"
    print(f"{ok} {label:<62} {wall:6.2f} s (target < {target:g} s); covered "
          f"{plan.share_covered:.1%}; posted {posted}")
    return wall


def main():
    risk, current = case(300, 600)
    timed("300 beats x 3 shifts x 600 officers per shift", risk, 600, 2)
    timed("300 beats x 3 shifts x 600 officers in all (200/shift)", risk, 200, 2,
          min_per_beat=0)
    timed("300 x 3 x 600, min 1, max 6, fair cap 3, change <= 150", risk, 600, 2,
          min_per_beat=1, max_per_beat=6, fair_cap=3.0, current=current, max_change=150)
    risk, current = case(1000, 2000, seed=1)
    timed("1,000 beats x 3 shifts x 2,000 officers per shift", risk, 2000, 10)
    timed("1,000 x 3 x 2,000, min 1, fair cap 3, change <= 500", risk, 2000, 10,
          min_per_beat=1, fair_cap=3.0, current=current, max_change=500)


def city_report(weeks: int = 8):
    """On the synthetic city: the plan vs the duty logs' deployment with the same officers,
    the under-patrolled night beats, and a backtest over the last ``weeks`` weeks."""
    from crimekit.patrol import (backtest_plan, compare_deployments, current_deployment,
                                 totals_per_shift)
    from crimekit.patrol.risk import beat_shift_risk
    from crimekit.synth import generate_city

    city = generate_city(7)
    ds = city.dataset
    current = current_deployment(ds.patrols)
    plan = solve_plan(beat_shift_risk(ds), totals_per_shift(current), min_per_beat=1,
                      current=current)
    print(f"\nSynthetic city (seed 7), officers per shift from the duty logs: "
          f"{totals_per_shift(current)}, minimum 1 per beat")
    print(compare_deployments(plan).round(3).to_string(index=False))
    night = plan.table[plan.table["shift"] == "night"].set_index("beat")
    flagged = night.loc[city.truth.under_patrolled_night, ["current", "officers", "risk"]]
    print(f"Night shift, the city's {len(flagged)} under-patrolled beats: "
          f"{int(flagged['current'].sum())} officers today -> {int(flagged['officers'].sum())} "
          f"planned ({(flagged['officers'] > flagged['current']).sum()} beats gain)")
    from crimekit.patrol import PlanSettings, plan_patrols
    walls = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = plan_patrols(ds, PlanSettings(min_per_beat=1))
        walls.append(time.perf_counter() - t0)
    print(f"The whole plan from the dataset (areas, risk, solve; plan_patrols): best of 3 "
          f"{min(walls):.2f} s; covered {result.share_covered:.1%}")
    bt = backtest_plan(ds, weeks=weeks, min_per_beat=1)
    print(f"Backtest, last {weeks} weeks (mean per week):")
    print(bt.groupby("deployment")[["officers", "incidents", "covered", "per_officer"]]
          .mean().round(3).to_string())


if __name__ == "__main__":
    main()
    if "--city" in sys.argv:
        city_report()
