"""The patrol plan's entry point: :func:`plan_patrols` ``(dataset, settings) -> PlanResult``.

The command line, the Patrol page, the Overview, the printable report and the weekly briefing
all come through here: the areas and inputs (:mod:`crimekit.patrol.inputs`), the risk per area
and shift (:mod:`crimekit.patrol.risk`), the officers and limits resolved from
:class:`~crimekit.patrol.settings.PlanSettings`, the solver (:mod:`crimekit.patrol.solver`) and
the comparisons with today's deployment (:mod:`crimekit.patrol.deployment`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimekit.patrol.areas import station_words
from crimekit.patrol.deployment import compare_deployments, headline
from crimekit.patrol.inputs import PlanInputs, inputs_for, plan_risk
from crimekit.patrol.settings import PlanSettings
from crimekit.patrol.solver import Plan, officers_per_shift, solve_plan
from crimekit.schema import SHIFTS
from crimekit.stats import BAND_LEVEL, poisson_band


@dataclass(frozen=True)
class PlanResult:
    """Everything :func:`plan_patrols` found, ready to show, print or write.

    Attributes
    ----------
    settings : the :class:`PlanSettings` asked for.
    plan : the solved :class:`~crimekit.patrol.solver.Plan` (its ``table``, one row per area
        and shift; ``limits`` as resolved; ``covered``, ``total_risk``; ``notes`` on officers
        the limits left unassigned).
    comparison : the plan against today's deployment and other splits of the same officers
        (``deployment, officers, risk_covered, share_covered``).
    headline : one or two sentences a commander can quote.
    period_start, freq, period : the first day of the planned period, its length ("W", "M"...)
        and both in words ("the week from Monday 05 January 2026").
    shifts : the shifts planned (morning, evening, night; or one all-day posting).
    area_unit, scope, station : what one area is called, "the 10 beats of station East", and
        "station East" ("" for the whole city).
    officers_source : where the officers per shift came from, in words.
    has_current : whether the duty logs gave today's deployment (else ``current`` is 0).
    method : how the risk was estimated, in words.
    total_risk_low, total_risk_high : the :data:`BAND_LEVEL` range of the crimes expected
        in the whole period (Poisson counts around ``total_risk``).
    notes : plain sentences on what the plan covers and leaves out (areas, the data's
        precision, the heads weighed, crimes in no area).
    """

    settings: PlanSettings
    plan: Plan
    comparison: pd.DataFrame
    headline: str
    period_start: pd.Timestamp
    freq: str
    period: str
    shifts: tuple
    area_unit: str
    scope: str
    station: str
    officers_source: str
    has_current: bool
    method: str
    total_risk_low: float
    total_risk_high: float
    notes: tuple

    @property
    def table(self) -> pd.DataFrame:
        """The plan, one row per area and shift (:data:`crimekit.patrol.solver.PLAN_COLUMNS`)."""
        return self.plan.table

    @property
    def total_risk(self) -> float:
        """Crimes expected in all areas and shifts in the period."""
        return self.plan.total_risk

    @property
    def share_covered(self) -> float:
        """Share of the expected crime the plan covers (benefit-weighted)."""
        return self.plan.share_covered

    @property
    def limit_notes(self) -> tuple:
        """Sentences on what the limits did (e.g. officers left unassigned)."""
        return self.plan.notes

    @property
    def officers(self) -> dict:
        """Officers per shift the plan posts from."""
        return self.plan.limits.officers

    @property
    def minimum(self) -> int:
        """The minimum per area the plan kept."""
        return self.plan.limits.min_per_beat

    def officers_sentence(self) -> str:
        """'Officers per shift (morning 30, evening 28, night 14): today's strength from the
        duty logs.'"""
        officers = list(self.officers.values())
        if len(self.shifts) == 1:
            return (f"{officers[0]:,} officers on duty at any time, posted the same way all "
                    f"day (no times of day in the data): {self.officers_source}.")
        each = ", ".join(f"{s} {n:,}" for s, n in self.officers.items())
        return f"Officers per shift ({each}): {self.officers_source}."


def plan_patrols(dataset, settings: PlanSettings = PlanSettings(), *,
                 inputs: PlanInputs | None = None, risk: pd.DataFrame | None = None
                 ) -> PlanResult:
    """The patrol plan for the period after ``dataset`` ends, within ``settings``.

    ``inputs`` and ``risk``: already made for this dataset and these settings (the app caches
    them so that moving a slider only re-solves); made here when None. Raises
    :class:`~crimekit.errors.InfeasiblePlanError` with the conflicting limits in words,
    ParameterError for a bad setting (e.g. three officer numbers for data without times of
    day), UnusableInputError or PrecisionError when the data cannot be planned.
    """
    inputs = inputs_for(dataset, settings) if inputs is None else inputs
    risk = plan_risk(inputs, settings.risk_source) if risk is None else risk
    if settings.officers is None:
        officers = inputs.default_officers()
        source = ("today's strength from the duty logs" if len(inputs.current) else
                  f"two per {inputs.areas.unit} (no duty logs)")
    else:
        officers = officers_per_shift(settings.officers, "plan_patrols", inputs.shifts)
        source = "as given"
    minimum = (inputs.default_minimum(officers) if settings.min_per_beat is None
               else settings.min_per_beat)
    current = inputs.current
    plan = solve_plan(risk, officers, min_per_beat=minimum,
                      max_per_beat=settings.max_per_beat, must_cover=settings.must_cover,
                      current=current if len(current) else None,
                      max_change=settings.max_change, fair_cap=settings.fair_cap,
                      effectiveness=settings.effectiveness)
    comparison = compare_deployments(plan)
    total = plan.total_risk
    band = poisson_band(total, BAND_LEVEL)
    per = "shift" if inputs.shifts == SHIFTS else "day"
    method = ({"history": "decayed recorded history", "hotspots": "the hotspot model"}
              [settings.risk_source] + f" per {inputs.areas.unit} and {per}")
    return PlanResult(
        settings=settings, plan=plan, comparison=comparison,
        headline=headline(plan, comparison), period_start=inputs.start, freq=inputs.freq,
        period=inputs.period_words(), shifts=tuple(inputs.shifts), area_unit=inputs.areas.unit,
        scope=inputs.scope_words(), station=station_words(inputs.areas.stations),
        officers_source=source, has_current=bool(len(current)), method=method,
        total_risk_low=float(band[0]), total_risk_high=float(band[1]), notes=inputs.notes)
