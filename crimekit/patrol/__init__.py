"""Patrol planning: how many officers to post to each area in each shift, and what changes.

The layers, top down (each module imports only those below it):

- :mod:`~crimekit.patrol.settings`: :class:`PlanSettings`, what a commander chooses, declared
  once (defaults, ranges, labels, help);
- :mod:`~crimekit.patrol.plan`: the entry point :func:`plan_patrols` ``(dataset, settings) ->
  PlanResult`` that the command line, the pages, the report and the briefing use;
  :mod:`~crimekit.patrol.backtest` (:func:`backtest_patrols`), :mod:`~crimekit.patrol.dosage`
  (hot spot visits) and :mod:`~crimekit.patrol.report` (the printable page) work from it;
- :mod:`~crimekit.patrol.inputs`: what a plan is made from (areas, heads weighed, period,
  shifts, today's deployment);
- :mod:`~crimekit.patrol.solver`: the integer program on tables;
- :mod:`~crimekit.patrol.risk` (expected crimes per area and shift),
  :mod:`~crimekit.patrol.deployment` (today's deployment, risk covered, comparisons),
  :mod:`~crimekit.patrol.areas` and :mod:`~crimekit.patrol.balanced_areas` (what to deploy
  across).

The operation check (did it work?) is :mod:`crimekit.operations`.
"""

from crimekit.patrol.areas import KINDS, PatrolAreas, build_patrol_areas
from crimekit.patrol.backtest import BacktestResult, backtest_patrols, backtest_plan
from crimekit.patrol.deployment import (compare_deployments, current_deployment, headline,
                                        risk_covered, totals_per_shift)
from crimekit.patrol.dosage import hot_spot_visits
from crimekit.patrol.inputs import (SIDEBAR_RULE, HeadWeights, PlanInputs, PlanOptions,
                                    inputs_for, plan_inputs, plan_options, plan_risk)
from crimekit.patrol.plan import PlanResult, plan_patrols
from crimekit.patrol.report import plan_report_html
from crimekit.patrol.risk import ALL_DAY, beat_shift_risk
from crimekit.patrol.settings import PlanSettings, parse_officers
from crimekit.patrol.solver import PLAN_COLUMNS, Plan, officers_per_shift, solve_plan

__all__ = ["PlanSettings", "PlanResult", "plan_patrols", "BacktestResult", "backtest_patrols",
           "backtest_plan", "hot_spot_visits", "plan_report_html", "PlanInputs", "PlanOptions",
           "HeadWeights", "inputs_for", "plan_inputs", "plan_options", "plan_risk",
           "SIDEBAR_RULE", "PatrolAreas", "KINDS", "build_patrol_areas", "Plan", "PLAN_COLUMNS",
           "solve_plan", "officers_per_shift", "parse_officers", "current_deployment",
           "totals_per_shift", "compare_deployments", "headline", "risk_covered",
           "beat_shift_risk", "ALL_DAY"]
