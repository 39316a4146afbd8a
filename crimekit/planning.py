"""What a patrol plan is made from, in one place for the command line and the app: the areas
(:mod:`crimekit.patrol_areas`), the station, the crime heads it weighs and by how much, and the
period and shifts the data's dates allow.

How the analyst's filters apply (the sidebar in the app): the plan learns from the chosen
**date range** and plans for the period after it; its **station** is the chosen districts (none:
the whole city); it ignores a **crime-head** filter, because a plan must cover all crime: the
heads it weighs are chosen with the plan itself (:class:`HeadWeights`), and it says which.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from crimekit import patrol
from crimekit.patrol_areas import PatrolAreas, plural, station_words
from crimekit.patrol_risk import (ALL_DAY, beat_shift_risk, check_plan_freq, plan_shifts,
                                  planning_start)
from crimekit.schema import SHIFTS, crime_weights, data_precision, freq_for

#: What each precision allows a plan to do, in one sentence (the Patrol page shows it).
PRECISION_SENTENCES = {
    "hour": "Times are known to the hour, so the plan is per shift (morning 06-14, evening "
            "14-22, night 22-06) for the week after the data ends.",
    "day": "Dates are known to the day but not the time, so the plan posts officers the same "
           "way all day (no shifts) for the week after the data ends.",
    "month": "Dates are known only to the month, so the plan is for the month after the data "
             "ends and posts officers the same way all day: no shifts, no weeks, no hours.",
    "year": "Dates are known only to the year, so no period can be planned.",
}
SIDEBAR_RULE = ("The plan learns from the sidebar's date range and plans for the period after "
                "it; its station is the sidebar's district choice (none: the whole city); the "
                "sidebar's crime-head filter does not narrow it, since a plan covers all crime: "
                "choose the heads it weighs here.")


@dataclass(frozen=True)
class HeadWeights:
    """The crime heads a plan weighs, and how much a heinous crime counts.

    heads : crime heads to plan for; () for every head.
    heinous : weight of a crime flagged heinous (1: counted once like any other).
    """

    heads: tuple = ()
    heinous: float = 1.0

    def __post_init__(self):
        if not (np.isfinite(self.heinous) and self.heinous > 0):
            from crimekit.errors import ParameterError
            raise ParameterError.invalid("heinous", "HeadWeights", "a weight above 0 (e.g. 2)",
                                         self.heinous)

    def keep(self, incidents: pd.DataFrame) -> np.ndarray:
        """Rows of the heads weighed."""
        if not self.heads:
            return np.ones(len(incidents), dtype=bool)
        return incidents["category"].isin(list(self.heads)).to_numpy()

    def weights(self, incidents: pd.DataFrame) -> np.ndarray:
        """The plan weight of each row's crimes (multiplies ``count``)."""
        return np.where(incidents["heinous"].to_numpy(bool), float(self.heinous), 1.0)

    def describe(self, incidents: pd.DataFrame) -> str:
        """One sentence: which heads the plan weighs, and by how much."""
        what = ("every crime head" if not self.heads else
                "only " + _and(sorted(self.heads)) + " (chosen on this page)")
        heinous = sorted(incidents.loc[incidents["heinous"].astype(bool)
                                       & self.keep(incidents), "category"].unique())
        if self.heinous == 1 or not heinous:
            return f"The plan weighs {what}, each crime counted once."
        shown = _and(heinous[:4] + (["others"] if len(heinous) > 4 else []))
        return (f"The plan weighs {what}; heinous crimes ({shown}) count {self.heinous:g}x, so "
                "its expected crimes count them that many times.")


def _and(items) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class PlanInputs:
    """Everything a plan is computed from.

    Attributes
    ----------
    dataset : the view with each crime's ``beat`` set to its patrol area (crimes in no area or
        outside the station left out, heads not weighed left out), ``plan_weight`` set, the
        areas' polygons as ``beats`` and the duty logs of those areas only.
    areas : the :class:`~crimekit.patrol_areas.PatrolAreas`.
    heads : the :class:`HeadWeights`.
    freq, shifts : the planning period ("W", or "M" for month-dated data) and the shifts
        (the three duty shifts, or one all-day posting).
    precision : the data's time precision.
    notes : plain sentences for the page or the command line (areas, precision, heads, crimes
        left out).
    """

    dataset: object
    areas: PatrolAreas
    heads: HeadWeights
    freq: str
    shifts: tuple
    precision: str
    notes: tuple

    @property
    def start(self) -> pd.Timestamp:
        """The start of the planned period."""
        return planning_start(self.dataset, self.freq)

    def period_words(self) -> str:
        """'the week from Monday 05 January 2026' or 'the month of April 2022'."""
        start = self.start
        if self.freq == "M":
            return f"the month of {start:%B %Y}"
        if self.freq == "D":
            return f"{start:%A %d %B %Y}"
        return f"the {'fortnight' if self.freq == '2W' else 'week'} from {start:%A %d %B %Y}"


def plan_inputs(view, areas: PatrolAreas, *, heads: HeadWeights | None = None,
                freq: str = "W") -> PlanInputs:
    """The plan's inputs for a filtered ``view`` (dates; every crime head) over ``areas``.

    ``freq`` is the planning period wanted; month-dated data is planned by month instead (one
    sentence in ``notes`` says so). Raises PrecisionError for data dated only to the year.
    """
    heads = heads or HeadWeights()
    inc = view.incidents
    precision = data_precision(inc)
    freq, _why = freq_for(inc, freq)  # the precision sentence below says why
    check_plan_freq(inc, freq)
    area = areas.assign(inc)
    in_scope = (area != "") | (inc["district"].astype(str).isin(areas.stations).to_numpy()
                               if areas.stations else True)
    unplaced = np.abs(crime_weights(inc))[in_scope & (area == "")].sum()
    total = np.abs(crime_weights(inc))[in_scope].sum()
    keep = (area != "") & heads.keep(inc)
    districts = areas.table.set_index("area")["district"]
    kept = inc[keep].assign(beat=area[keep])
    kept["district"] = kept["beat"].map(districts).astype(object).to_numpy()
    kept["district"] = kept["district"].where(kept["district"].notna(), "")
    kept["plan_weight"] = heads.weights(kept)
    patrols = view.patrols
    if areas.kind in ("beats", "named") and len(patrols):
        patrols = patrols[patrols["beat"].astype(str).isin(areas.names)]
    else:
        patrols = patrols.iloc[:0]
    dataset = replace(view, incidents=kept.reset_index(drop=True), beats=areas.polygons,
                      patrols=patrols.reset_index(drop=True))
    notes = [areas.describe(), PRECISION_SENTENCES[precision]]
    notes.append(heads.describe(inc[(area != "")]))
    if unplaced > 0:
        notes.append(f"{unplaced:,.0f} of {total:,.0f} crimes "
                     f"{station_words(areas.stations, 'in ') or 'in this range'} "
                     f"({unplaced / total:.0%}) are in no {areas.unit} of the plan (no "
                     f"{areas.unit} named or no location) and are left out.")
    return PlanInputs(dataset, areas, heads, freq, plan_shifts(inc), precision, tuple(notes))


def current_of(inputs: PlanInputs) -> pd.DataFrame:
    """Today's deployment in the plan's areas from the duty logs (empty without logs)."""
    return patrol.current_deployment(inputs.dataset.patrols, shifts=inputs.shifts)


def default_officers(inputs: PlanInputs, current: pd.DataFrame | None = None) -> dict:
    """Officers per shift: the station's strength today from the duty logs, else two per area."""
    current = current_of(inputs) if current is None else current
    if len(current):
        return patrol.totals_per_shift(current, inputs.shifts)
    return {s: 2 * len(inputs.areas.table) for s in inputs.shifts}


def plan_risk(inputs: PlanInputs, risk_source: str = "history") -> pd.DataFrame:
    """Expected crimes per area and shift in the planned period (see crimekit.patrol_risk)."""
    return beat_shift_risk(inputs.dataset, freq=inputs.freq, risk_source=risk_source)


def make_plan(inputs: PlanInputs, officers, *, risk: pd.DataFrame | None = None,
              risk_source: str = "history", **limits) -> patrol.Plan:
    """The plan for ``officers`` (per shift, see :func:`crimekit.patrol.officers_per_shift`)
    within ``limits`` (min_per_beat, max_per_beat, must_cover, max_change, fair_cap)."""
    risk = plan_risk(inputs, risk_source) if risk is None else risk
    current = current_of(inputs)
    return patrol.plan_patrols(risk, patrol.officers_per_shift(officers, shifts=inputs.shifts),
                               current=current if len(current) else None, **limits)


def shift_words(shifts) -> str:
    """'morning, evening and night' or 'all day (no times of day in the data)'."""
    return _and(shifts) if tuple(shifts) == SHIFTS else f"{ALL_DAY} (no times of day in the data)"


def scope_words(inputs: PlanInputs) -> str:
    """'the 10 beats of station East' / 'the 216 LSOAs'."""
    n = len(inputs.areas.table)
    return f"the {n:,} {plural(inputs.areas.unit, n)}{station_words(inputs.areas.stations, ' of ')}"
