"""The patrol plan's cached calls (the Patrol page, the Overview and the Methods page).

Every call takes the view key and a :class:`~crimekit.patrol.PlanSettings` and calls
crimekit's :func:`~crimekit.patrol.plan_patrols` (or the stage it caches). A plan learns from
the sidebar's dates, takes its station from the sidebar's districts (the pages put them in the
settings: :func:`plan_station`) and ignores the sidebar's crime-head filter (crimekit.patrol.
inputs): each stage is cached on the settings fields it reads, so moving a limit's slider only
re-solves.
"""

from __future__ import annotations


import pandas as pd
import streamlit as st

from crimekit.briefing import dataset_title
from crimekit.patrol import (SIDEBAR_RULE, PlanSettings, backtest_patrols,  # noqa: F401
                             build_patrol_areas, hot_spot_visits, inputs_for, plan_options,
                             plan_patrols, plan_report_html, plan_risk)
from ui import maps
from ui.data import current_filters, load_dataset, view_of


def plan_key(key):
    """The view key a plan learns from: the same dataset and dates, every crime head and
    district (its station is in its settings)."""
    return key.whole_area()


def dataset_key(key) -> tuple:
    """(name, version) of the dataset a view key is of."""
    return key.source


def _whole_dataset(key):
    """The whole dataset of a view key: areas are drawn on it, so they stay put while the
    dates change."""
    return load_dataset(*dataset_key(key))


def plan_station() -> tuple:
    """The plan's station: the sidebar's districts (none: the whole city)."""
    return tuple(current_filters().districts)


@st.cache_data(show_spinner=False, max_entries=16)
def patrol_options(key):
    """What the whole dataset lets a plan choose (crimekit.patrol.PlanOptions)."""
    return plan_options(_whole_dataset(key))


@st.cache_resource(show_spinner="Finding the patrol areas...", max_entries=16)
def _areas(key, settings: PlanSettings):
    return build_patrol_areas(_whole_dataset(key), settings.areas, station=settings.station,
                              n_areas=settings.n_areas)


@st.cache_resource(show_spinner=False, max_entries=16)
def _inputs(key, settings: PlanSettings):
    return inputs_for(view_of(plan_key(key)), settings, areas=_areas(key, settings.for_areas()))


def patrol_inputs(key, settings: PlanSettings = PlanSettings()):
    """What the plan for this view and settings is made from (crimekit.patrol.PlanInputs)."""
    return _inputs(key, settings.for_inputs())


@st.cache_data(show_spinner="Estimating risk per area and shift...", max_entries=8)
def _risk(key, settings: PlanSettings):
    return plan_risk(patrol_inputs(key, settings), settings.risk_source)


def patrol_risk(key, settings: PlanSettings = PlanSettings()) -> pd.DataFrame:
    """Risk per area and shift for the period after the view ends."""
    return _risk(key, settings.for_risk())


@st.cache_data(show_spinner="Solving the deployment plan...", max_entries=32)
def patrol_plan(key, settings: PlanSettings = PlanSettings()):
    """The plan for these settings (crimekit.patrol.PlanResult; cached, so moving a slider back
    is instant)."""
    return plan_patrols(view_of(plan_key(key)), settings, inputs=patrol_inputs(key, settings),
                        risk=patrol_risk(key, settings))


@st.cache_data(show_spinner=False, max_entries=8)
def _backtest(key, settings: PlanSettings):
    return backtest_patrols(view_of(plan_key(key)), settings,
                            inputs=patrol_inputs(key, settings))


def patrol_backtest(key, settings: PlanSettings = PlanSettings()):
    """Plans for the last weeks from the data before each, scored on what then happened
    (crimekit.patrol.BacktestResult); only the settings the backtest uses key the cache."""
    if settings.min_per_beat is None:  # the same minimum as the plan with today's officers
        inputs = patrol_inputs(key, settings)
        settings = settings.replace(min_per_beat=inputs.default_minimum(
            inputs.default_officers()))
    return _backtest(key, settings.for_backtest())


@st.cache_data(show_spinner=False, max_entries=8)
def patrol_visits(key, settings: PlanSettings) -> pd.DataFrame:
    """Hot spot visits within the areas the plan staffs."""
    return hot_spot_visits(patrol_inputs(key, settings).dataset,
                           patrol_plan(key, settings).table)


@st.cache_data(show_spinner=False, max_entries=8)
def patrol_report(key, settings: PlanSettings) -> str:
    """The printable report of the plan (one HTML page)."""
    return plan_report_html(patrol_plan(key, settings), visits=patrol_visits(key, settings),
                            dataset_name=dataset_title(view_of(key)))


# --- the plan's map -------------------------------------------------------------------------------

def plan_map(inputs, table: pd.DataFrame, shift: str, value: str):
    """The map of one shift of a plan: each area coloured by ``value`` (a column of the plan's
    table, or "added": officers added to it), blue dots on the areas under-patrolled today.

    Returns (deck, legend, number of areas flagged), or None when the areas have no polygons
    and their crimes no coordinates (nothing to draw).
    """
    rows = table[table["shift"] == shift].assign(added=lambda t: t["change"].clip(lower=0))
    polygons = inputs.dataset.beats
    middles = inputs.areas.table.rename(columns={"area": "beat"})
    if polygons is None and not middles["lat"].notna().any():
        return None
    if polygons is not None:
        gdf = polygons[["beat", "district", "geometry"]].merge(
            rows[["beat", value, "under_patrolled"]], on="beat", how="left")
        gdf[value] = gdf[value].fillna(0).astype(float)
        layer, legend = maps.beat_layer(gdf, value)
    else:
        gdf = middles.merge(rows[["beat", value, "under_patrolled"]], on="beat", how="left")
        gdf[value] = gdf[value].fillna(0).astype(float)
        layer, legend = maps.area_points_layer(gdf, value)
    layers = [layer]
    under = gdf[gdf["under_patrolled"].fillna(False).astype(bool)]
    if len(under):
        if polygons is not None:
            centres = under.to_crs(under.estimate_utm_crs()).centroid.to_crs("EPSG:4326")
            lat, lon = centres.y, centres.x
        else:
            lat, lon = under["lat"], under["lon"]
        layers.append(maps.points_layer(pd.DataFrame(
            {"lat": lat, "lon": lon, "name": "under-patrolled today: " + under["beat"]}),
            colour=(40, 40, 200), layer_id="under"))
    if polygons is not None and len(polygons):
        minx, miny, maxx, maxy = polygons.total_bounds
        view = maps.view_for([miny, maxy], [minx, maxx])
    else:
        view = maps.view_for(middles["lat"], middles["lon"])
    return maps.deck(layers, view, "light"), legend, len(under)
