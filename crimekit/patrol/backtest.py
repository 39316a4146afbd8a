"""Backtest of the patrol plan: plan each past week from the data before it, then score it on
the crime that then occurred, against the current deployment.

:func:`backtest_patrols` is the entry point (a dataset and :class:`PlanSettings`, as the plan
itself); :func:`backtest_plan` does the weeks on a dataset whose beats are the plan's areas.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimekit.errors import UnusableInputError
from crimekit.patrol.deployment import current_deployment, risk_covered, totals_per_shift
from crimekit.patrol.inputs import PlanInputs, inputs_for
from crimekit.patrol.risk import beat_shift_risk, located_incidents, plan_shifts, planning_start
from crimekit.patrol.settings import DEFAULT_EFFECTIVENESS, PlanSettings
from crimekit.patrol.solver import solve_plan
from crimekit.schema import crime_count

#: Columns of a backtest's table, one row per week and deployment ("plan" or "current").
BACKTEST_COLUMNS = ("week_start", "deployment", "officers", "incidents", "covered",
                    "per_officer")


@dataclass(frozen=True)
class BacktestResult:
    """What :func:`backtest_patrols` found.

    Attributes
    ----------
    table : :data:`BACKTEST_COLUMNS`, one row per week and deployment.
    settings : the :class:`PlanSettings` used (only :meth:`PlanSettings.for_backtest` counts).
    weeks : the number of weeks planned.
    minimum : the minimum per area each week's plan kept.
    covered, per_officer : the mean over the weeks, as dicts ``{"plan": .., "current": ..}``:
        the share of the crime that then occurred covered (benefit-weighted), and the crimes in
        the beat-shift of the average officer posting.
    """

    table: pd.DataFrame
    settings: PlanSettings
    weeks: int
    minimum: int
    covered: dict
    per_officer: dict


def backtest_patrols(dataset, settings: PlanSettings = PlanSettings(), *,
                     inputs: PlanInputs | None = None) -> BacktestResult:
    """Plan each of the last ``settings.backtest_weeks`` complete weeks from the data before
    it, with that week's officers from the duty logs, the minimum per area of ``settings``
    (None: :meth:`PlanInputs.default_minimum` of today's strength) and risk from recorded
    history, then score it on the crime that then occurred against the duty logs' deployment.

    ``inputs``: already made for ``dataset`` and ``settings`` (the app caches them). Raises
    UnusableInputError without duty logs (nothing to compare with) or for month-dated data.
    """
    inputs = inputs_for(dataset, settings) if inputs is None else inputs
    if not len(inputs.current):
        raise UnusableInputError("The backtest compares the plan with today's deployment, so it "
                                 "needs beat duty logs; import a patrols file.")
    if inputs.freq == "M":
        raise UnusableInputError("The backtest plans past weeks, which needs dates known to "
                                 "the day.")
    minimum = (settings.min_per_beat if settings.min_per_beat is not None else
               inputs.default_minimum(inputs.default_officers()))
    table = backtest_plan(inputs.dataset, weeks=settings.backtest_weeks, min_per_beat=minimum,
                          effectiveness=settings.effectiveness)
    means = table.groupby("deployment")[["covered", "per_officer"]].mean()
    return BacktestResult(table, settings, int(table["week_start"].nunique()), minimum,
                          means["covered"].to_dict(), means["per_officer"].to_dict())


def backtest_plan(dataset, officers=None, *, weeks: int = 8, current: pd.DataFrame | None = None,
                  risk_source: str = "history", **limits) -> pd.DataFrame:
    """Plan each of the last ``weeks`` complete weeks from the data before it, then score the
    plan on the crime that then occurred, against the current deployment.

    Per week and deployment (``plan`` or ``current``): ``incidents`` that occurred, ``covered``
    (share of them covered, benefit-weighted: sum of incidents x (1 - exp(-k officers)) / all),
    and ``per_officer`` (incidents in the beat-shift of the average officer posting, i.e.
    officer-weighted). ``officers=None`` plans with the current deployment's officers per
    shift, so both deployments have the same strength. ``limits`` as for
    :func:`~crimekit.patrol.solver.solve_plan`. Returns :data:`BACKTEST_COLUMNS`.
    """
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
        plan = solve_plan(risk, available, current=cur if len(cur) else None, **limits)
        week = inc[(inc["occurred_at"] >= start) & (inc["occurred_at"] < start
                                                    + pd.Timedelta(days=7))]
        actual = crime_count(week, ["beat", "shift"]).rename("actual")
        t = plan.table.join(actual, on=["beat", "shift"])
        t["actual"] = t["actual"].fillna(0)
        for name, col in (("plan", "officers"), ("current", "current")):
            posted = t[col].to_numpy(float)
            rows.append({"week_start": start, "deployment": name, "officers": int(posted.sum()),
                         "incidents": int(t["actual"].sum()),
                         "covered": float(risk_covered(t["actual"], posted, k).sum()
                                          / max(t["actual"].sum(), 1)),
                         "per_officer": float((t["actual"] * posted).sum() / max(posted.sum(),
                                                                                1))})
    return pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))
