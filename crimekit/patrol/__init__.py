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

from crimekit.lazy_names import names_on_first_use

#: Where each public name lives. Names are imported on first use (PEP 562), so a caller of one
#: layer (the solver alone, as the benchmark and tests do) does not pull in geopandas and
#: scipy.stats with the others.
_HOMES = {"KINDS": "areas", "PatrolAreas": "areas", "build_patrol_areas": "areas",
           "BacktestResult": "backtest", "backtest_patrols": "backtest",
           "backtest_plan": "backtest", "compare_deployments": "deployment",
           "current_deployment": "deployment", "headline": "deployment",
           "risk_covered": "deployment", "totals_per_shift": "deployment",
           "hot_spot_visits": "dosage", "SIDEBAR_RULE": "inputs", "HeadWeights": "inputs",
           "PlanInputs": "inputs", "PlanOptions": "inputs", "inputs_for": "inputs",
           "plan_inputs": "inputs", "plan_options": "inputs", "plan_risk": "inputs",
           "PlanResult": "plan", "plan_patrols": "plan", "plan_report_html": "report",
           "ALL_DAY": "risk", "beat_shift_risk": "risk", "PlanSettings": "settings",
           "parse_officers": "settings", "PLAN_COLUMNS": "solver", "Plan": "solver",
           "officers_per_shift": "solver", "solve_plan": "solver"}
__all__ = list(_HOMES)

__getattr__ = names_on_first_use(__name__, _HOMES, globals())
