"""What a patrol plan is made from, in one place for the command line and the app: the areas
(:mod:`crimekit.patrol.areas`), the station, the crime heads it weighs and by how much, the
period and shifts the data's dates allow, and today's deployment from the duty logs.

How the analyst's filters apply (the sidebar in the app): the plan learns from the chosen
**date range** and plans for the period after it; its **station** is the chosen districts (none:
the whole city); it ignores a **crime-head** filter, because a plan must cover all crime: the
heads it weighs are chosen with the plan itself (:class:`HeadWeights`), and it says which.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from crimekit.errors import ParameterError
from crimekit.patrol.areas import (PatrolAreas, available_kinds, build_patrol_areas,
                                   station_words, stations)
from crimekit.patrol.deployment import current_deployment, totals_per_shift
from crimekit.patrol.risk import (ALL_DAY, beat_shift_risk, check_plan_freq,
                                  hotspot_risk_available, plan_shifts, planning_start)
from crimekit.patrol.settings import PlanSettings, default_minimum
from crimekit.schema import SHIFTS, crime_weights, data_precision, freq_for
from crimekit.wording import plural

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
    areas : the :class:`~crimekit.patrol.areas.PatrolAreas`.
    heads : the :class:`HeadWeights`.
    freq, shifts : the planning period ("W", or "M" for month-dated data) and the shifts
        (the three duty shifts, or one all-day posting).
    precision : the data's time precision.
    notes : plain sentences for the page or the command line (areas, precision, heads, crimes
        left out).
    current : today's deployment in the plan's areas from the duty logs (``beat, shift,
        officers, officers_mean``; empty without logs).
    """

    dataset: object
    areas: PatrolAreas
    heads: HeadWeights
    freq: str
    shifts: tuple
    precision: str
    notes: tuple
    current: pd.DataFrame

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

    def scope_words(self) -> str:
        """'the 10 beats of station East' / 'the 216 LSOAs'."""
        n = len(self.areas.table)
        return (f"the {n:,} {plural(self.areas.unit, n)}"
                f"{station_words(self.areas.stations, ' of ')}")

    @property
    def station(self) -> str:
        """'station East' / 'stations East and North', "" for the whole city."""
        return station_words(self.areas.stations)

    def n_units(self, n: int) -> str:
        """'10 beats', '1 LSOA': ``n`` areas as these areas are called."""
        return f"{n:,} {plural(self.areas.unit, n)}"

    def shift_words(self) -> str:
        """'morning, evening and night' or 'all day (no times of day in the data)'."""
        return (_and(self.shifts) if tuple(self.shifts) == SHIFTS else
                f"{ALL_DAY} (no times of day in the data)")

    def in_units(self, text: str) -> str:
        """``text`` with ``{unit}``, ``{units}`` and ``{Units}`` as these areas are called
        (the labels of :class:`~crimekit.patrol.settings.PlanSettings` use them)."""
        units = plural(self.areas.unit)
        return text.format(unit=self.areas.unit, units=units, Units=units[:1].upper() + units[1:])

    def default_officers(self) -> dict:
        """Officers per shift when none are given: the strength today from the duty logs, else
        two per area."""
        if len(self.current):
            return totals_per_shift(self.current, self.shifts)
        return {s: 2 * len(self.areas.table) for s in self.shifts}

    def default_minimum(self, officers: dict) -> int:
        """The minimum per area when none is set, for ``officers`` per shift
        (:func:`~crimekit.patrol.settings.default_minimum`)."""
        return default_minimum(officers, len(self.areas.table))

    def risk_sources(self) -> tuple:
        """The risk sources this plan can use: recorded history always; the hotspot model when
        it is installed, the data has times of day and located crimes, and the plan weighs
        every head once (the model counts every crime once)."""
        simple = not self.heads.heads and self.heads.heinous == 1
        if (simple and self.shifts == SHIFTS and hotspot_risk_available()
                and self.dataset.incidents["lat"].notna().any()):
            return ("history", "hotspots")
        return ("history",)


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
    shifts = plan_shifts(inc)
    current = current_deployment(dataset.patrols, shifts=shifts)
    return PlanInputs(dataset, areas, heads, freq, shifts, precision, tuple(notes), current)


def inputs_for(view, settings: PlanSettings = PlanSettings(), *,
               areas: PatrolAreas | None = None) -> PlanInputs:
    """The plan's inputs for a filtered ``view`` and ``settings`` (their areas, station, heads,
    heinous weight and period). ``areas``: already drawn for these settings (the app draws them
    on the whole dataset, so they stay put while the dates change); drawn on ``view`` when
    None."""
    if areas is None:
        areas = build_patrol_areas(view, settings.areas, station=settings.station,
                                   n_areas=settings.n_areas)
    return plan_inputs(view, areas, heads=HeadWeights(settings.heads, settings.heinous_weight),
                       freq=settings.freq)


def plan_risk(inputs: PlanInputs, risk_source: str = "history") -> pd.DataFrame:
    """Expected crimes per area and shift in the planned period (see crimekit.patrol.risk)."""
    return beat_shift_risk(inputs.dataset, freq=inputs.freq, risk_source=risk_source)


# --- what the page offers -------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanOptions:
    """What a dataset lets a plan choose: the kinds of area (best first), what one area is
    called, the crime heads, whether any crime is flagged heinous, the stations."""

    unit: str
    kinds: tuple
    heads: tuple
    heinous: bool
    stations: tuple

    def kind_label(self, kind: str) -> str:
        """'The beat polygons', 'The LSOAs the data names'... for ``kind`` ("auto" too)."""
        return {"auto": "The best the data allows", "beats": f"The {self.unit} polygons",
                "named": f"The {plural(self.unit)} the data names",
                "districts": "The districts",
                "grid": "Areas of similar workload drawn from the map"}[kind]

    def draws_areas(self, kind: str) -> bool:
        """Whether ``kind`` (as chosen, "auto" too) draws grid areas, so a number is asked."""
        return kind == "grid" or (kind == "auto" and self.kinds[:1] == ("grid",))


def plan_options(dataset) -> PlanOptions:
    """The :class:`PlanOptions` of a whole dataset."""
    inc = dataset.incidents
    return PlanOptions(dataset.meta.get("area_unit") or "beat", tuple(available_kinds(dataset)),
                       tuple(sorted(inc["category"].unique())), bool(inc["heinous"].any()),
                       tuple(stations(dataset)))


