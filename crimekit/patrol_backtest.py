"""Backtest of the patrol plan: plan each past week from the data before it, then score it on
the crime that then occurred, against the current deployment."""

from __future__ import annotations

import pandas as pd

from crimekit.patrol import (DEFAULT_EFFECTIVENESS, coverage, current_deployment, plan_patrols,
                             totals_per_shift)
from crimekit.schema import crime_count


def backtest_plan(dataset, officers=None, *, weeks: int = 8, current: pd.DataFrame | None = None,
                  risk_source: str = "history", **limits) -> pd.DataFrame:
    """Plan each of the last ``weeks`` complete weeks from the data before it, then score the
    plan on the crime that then occurred, against the current deployment.

    Per week and deployment (``plan`` or ``current``): ``incidents`` that occurred, ``covered``
    (share of them covered, benefit-weighted: sum of incidents x (1 - exp(-k officers)) / all),
    and ``per_officer`` (incidents in the beat-shift of the average officer posting, i.e.
    officer-weighted). ``officers=None`` plans with the current deployment's officers per
    shift, so both deployments have the same strength. Returns ``week_start, deployment,
    officers, incidents, covered, per_officer``.
    """
    from crimekit.patrol_risk import (beat_shift_risk, located_incidents, plan_shifts,
                                      planning_start)

    k = limits.get("effectiveness", DEFAULT_EFFECTIVENESS)
    inc = located_incidents(dataset)
    shifts = plan_shifts(dataset.incidents)
    last_week = planning_start(dataset, "W") - pd.Timedelta(days=7)
    if inc["occurred_at"].max() < last_week + pd.Timedelta(days=6):
        last_week -= pd.Timedelta(days=7)
    rows = []
    for w in range(weeks, 0, -1):
        start = last_week - pd.Timedelta(days=7 * (w - 1))
        risk = beat_shift_risk(dataset, period_start=start, risk_source=risk_source)
        cur = current if current is not None else current_deployment(dataset.patrols, end=start,
                                                                     shifts=shifts)
        available = officers if officers is not None else totals_per_shift(cur, shifts)
        plan = plan_patrols(risk, available, current=cur if len(cur) else None, **limits)
        week = inc[(inc["occurred_at"] >= start) & (inc["occurred_at"] < start
                                                    + pd.Timedelta(days=7))]
        actual = crime_count(week, ["beat", "shift"]).rename("actual")
        t = plan.table.join(actual, on=["beat", "shift"])
        t["actual"] = t["actual"].fillna(0)
        for name, col in (("plan", "officers"), ("current", "current")):
            posted = t[col].to_numpy(float)
            rows.append({"week_start": start, "deployment": name, "officers": int(posted.sum()),
                         "incidents": int(t["actual"].sum()),
                         "covered": float(coverage(t["actual"], posted, k).sum()
                                          / max(t["actual"].sum(), 1)),
                         "per_officer": float((t["actual"] * posted).sum() / max(posted.sum(),
                                                                                1))})
    return pd.DataFrame(rows)
