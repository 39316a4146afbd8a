"""The Patrol page's cached calls (shared with the Overview and the briefing)."""

from __future__ import annotations


import pandas as pd
import streamlit as st


from crimekit import patrol
from crimekit.patrol_areas import build_patrol_areas
from crimekit.planning import HeadWeights, current_of, plan_inputs, plan_risk
from crimekit.schema import SHIFTS
from ui.data import load_dataset, view_of

# A plan learns from the sidebar's dates, takes its station from the sidebar's districts and
# ignores its crime-head filter (crimekit.planning): its calls take the view key and the Patrol
# page's own choice of (areas, number of drawn areas, heads weighed, heinous weight).
PLAN_CHOICE = ("auto", None, (), 1.0)


def plan_key(key: tuple) -> tuple:
    """The view key a plan learns from: the same dates, every crime head, every district."""
    return key[:4] + ((), ())


@st.cache_resource(show_spinner="Finding the patrol areas...", max_entries=16)
def patrol_areas(name, version, stations: tuple, how, n_areas):
    """The patrol areas of a whole dataset for a station scope (drawn once, so they stay put
    while the dates change)."""
    return build_patrol_areas(load_dataset(name, version), how, station=stations, n_areas=n_areas)


@st.cache_resource(show_spinner=False, max_entries=16)
def patrol_inputs(key, choice=PLAN_CHOICE):
    """What the plan for this view and choice is made from (crimekit.planning.PlanInputs)."""
    how, n_areas, heads, heinous = choice
    areas = patrol_areas(key[0], key[1], tuple(key[5]), how, n_areas)
    return plan_inputs(view_of(plan_key(key)), areas, heads=HeadWeights(tuple(heads), heinous))


@st.cache_data(show_spinner="Estimating risk per area and shift...", max_entries=8)
def patrol_risk(key, source="history", choice=PLAN_CHOICE):
    """Risk per area and shift for the period after the view ends."""
    return plan_risk(patrol_inputs(key, choice), source)


@st.cache_data(show_spinner=False, max_entries=8)
def patrol_current(key, choice=PLAN_CHOICE):
    """Today's deployment in the plan's areas from the duty logs (empty without logs)."""
    return current_of(patrol_inputs(key, choice))


def patrol_default_officers(current, n_beats, shifts=None) -> dict:
    """Today's officers per shift from the duty logs, else two per area."""
    if shifts is None:
        shifts = tuple(pd.unique(current["shift"])) if len(current) and not set(
            current["shift"]) <= set(SHIFTS) else SHIFTS
    if len(current):
        return patrol.totals_per_shift(current, shifts)
    return {s: 2 * n_beats for s in shifts}


@st.cache_data(show_spinner="Solving the deployment plan...", max_entries=32)
def patrol_plan(key, source, officers: tuple, min_per_beat, max_per_beat, max_change, fair_cap,
                must, choice=PLAN_CHOICE):
    """The solved plan for these limits (cached, so moving a slider back is instant)."""
    current = patrol_current(key, choice)
    shifts = patrol_inputs(key, choice).shifts
    return patrol.plan_patrols(patrol_risk(key, source, choice), dict(zip(shifts, officers)),
                               min_per_beat=min_per_beat, max_per_beat=max_per_beat,
                               must_cover=must, current=current if len(current) else None,
                               max_change=max_change, fair_cap=fair_cap)


@st.cache_data(show_spinner=False, max_entries=8)
def patrol_backtest(key, min_per_beat, weeks=4, choice=PLAN_CHOICE):
    """Plans for the last weeks from the data before each, scored on what then happened."""
    return patrol.backtest_plan(patrol_inputs(key, choice).dataset, weeks=weeks,
                                min_per_beat=min_per_beat)
