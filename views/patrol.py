"""Patrol: how to deploy the officers of each shift across beats (or the areas the data allows),
for the whole city or one station, and what changes from today."""

import pandas as pd
import streamlit as st

import ui
from ui import maps
from crimekit import patrol
from crimekit.briefing import dataset_title
from crimekit.errors import CrimekitError, InfeasiblePlanError
from crimekit.patrol_areas import available_kinds, plural, station_words
from crimekit.planning import SIDEBAR_RULE, scope_words, shift_words
from crimekit.report import plan_report_html
from crimekit.schema import SHIFTS

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

MAP_VALUES = {"Recommended officers": "officers", "Officers today": "current",
              "Officers added": "added", "Expected crimes (risk)": "risk"}


RISK_SOURCES = {"Recorded history (decayed counts)": "history",
                "Hotspot model (slower)": "hotspots"}
HEINOUS_WEIGHTS = [1.0, 2.0, 3.0, 5.0]


def hotspots_available() -> bool:
    try:
        from crimekit.hotspots import predict_beat_shift_risk  # noqa: F401
    except ImportError:
        return False
    return True


@st.cache_data(show_spinner=False, max_entries=8)
def dosage_for(key, choice, plan_table):
    return patrol.dosage(ui.patrol_inputs(key, choice).dataset, plan_table)


def area_label(kind, unit) -> str:
    return {"auto": "The best the data allows", "beats": f"The {unit} polygons",
            "named": f"The {plural(unit)} the data names", "districts": "The districts",
            "grid": "Areas of similar workload drawn from the map"}[kind]


def plan_choice(ds, key) -> tuple:
    """The page's own choices: what to plan over, the heads weighed and the heinous weight."""
    unit = ds.meta.get("area_unit") or "beat"
    kinds = available_kinds(ds)
    with st.expander("What the plan covers", expanded=False):
        c1, c2 = st.columns(2)
        how = c1.selectbox("Plan over", ["auto"] + kinds, key="patrol_areas",
                           format_func=lambda k: area_label(k, unit))
        n_areas = None
        if how == "grid" or (how == "auto" and kinds[:1] == ["grid"]):
            n_areas = int(c1.number_input(
                "Areas to draw (0: about one per 50 crimes of the last two years)", 0, 60, 0,
                key="patrol_n_areas", help="Compact areas of similar workload, drawn from grid "
                                           "cells.")) or None
        heads = c2.multiselect("Crime heads the plan weighs",
                               sorted(ds.incidents["category"].unique()), key="patrol_heads",
                               placeholder="Every crime head")
        heinous = 1.0
        if ds.incidents["heinous"].any():
            heinous = c2.select_slider("A heinous crime counts as", HEINOUS_WEIGHTS,
                                       key="patrol_heinous",
                                       format_func=lambda w: f"{w:g} crime{'s' * (w != 1)}")
    return how, n_areas, tuple(heads), float(heinous)


def zoom_to(gdf, table):
    """The map's view: the station's polygons, else its areas' middles."""
    if gdf is not None and len(gdf):
        minx, miny, maxx, maxy = gdf.total_bounds
        return maps.view_for([miny, maxy], [minx, maxx])
    return maps.view_for(table["lat"], table["lon"])


st.title("Patrol plan")
view = ui.current_view()
ui.stop_if_empty(view)
key = ui.view_key()
st.caption(SIDEBAR_RULE)
choice = plan_choice(ui.dataset(), key)
try:
    inputs = ui.patrol_inputs(key, choice)
except CrimekitError as exc:
    st.info(ui.message(f"No plan: {exc}"))
    st.stop()
areas, unit = inputs.areas, inputs.areas.unit
station = station_words(areas.stations)
if station:
    st.markdown(f"**{station[0].upper() + station[1:]}** (the sidebar's districts): its "
                f"{len(areas.table)} {plural(unit, len(areas.table))} and its own officers.")
for note in inputs.notes:
    st.caption(note)
if key[4]:
    st.caption(f"The sidebar's crime-head filter ({', '.join(key[4])}) does not narrow the "
               "plan: a plan covers all crime. Choose the heads it weighs under \"What the plan "
               "covers\".")

source = "history"
simple = choice[2:] == ((), 1.0) and inputs.shifts == SHIFTS
if hotspots_available() and simple and inputs.dataset.incidents["lat"].notna().any():
    source = RISK_SOURCES[st.radio("Risk from", list(RISK_SOURCES), horizontal=True,
                                   key="patrol_risk_source",
                                   help="Recorded history: decayed counts per area and shift, "
                                        "seasonally scaled. Hotspot model: the Hotspots page's "
                                        "model summed over each area's cells (every crime head, "
                                        "each crime once).")]
try:
    risk = ui.patrol_risk(key, source, choice)
    current = ui.patrol_current(key, choice)
except CrimekitError as exc:
    st.info(ui.message(f"No plan: {exc}"))
    st.stop()
beats = sorted(risk["beat"].unique())
period = "month" if inputs.freq == "M" else "week"
st.caption(f"Plan for {inputs.period_words()}, the first full {period} after the selected data "
           f"ends, over {ui.md(scope_words(inputs))}; "
           + ("shifts morning 06-14, evening 14-22, night 22-06." if inputs.shifts == SHIFTS
              else f"one posting {shift_words(inputs.shifts)}."))

defaults = ui.patrol_default_officers(current, len(beats), inputs.shifts)
suffix = "".join(f"_{s}" for s in areas.stations)  # each station keeps its own numbers
with st.container(border=True):
    cols = st.columns(len(inputs.shifts) if len(inputs.shifts) > 1 else 3)
    officers = tuple(int(cols[i].number_input(
        f"Officers, {shift} shift" if shift in SHIFTS else "Officers on duty (all day)",
        min_value=0, max_value=20 * len(beats), value=defaults[shift], step=1,
        key=f"patrol_officers_{shift.replace(' ', '_')}{suffix}"))
        for i, shift in enumerate(inputs.shifts))
    c1, c2, c3, c4 = st.columns(4)
    min_pb = c1.number_input(f"Minimum per {unit}", 0, 20, 1 if sum(officers) else 0,
                             key="patrol_min", help=f"Officers every {unit} gets in every shift.")
    max_pb = c2.number_input(f"Maximum per {unit} (0 = no limit)", 0, 50, 0, key="patrol_max")
    limit_change = c3.toggle("Limit changes from today", False, key="patrol_limit_change",
                             disabled=not len(current))
    max_change = c3.slider("Officers moved per shift, at most", 0, max(10, sum(officers) // 2),
                           10, key="patrol_max_change", disabled=not limit_change)
    use_cap = c4.toggle("Fairness cap", False, key="patrol_use_fair_cap",
                        help=f"No {unit} gets more than this multiple of the equal share "
                             f"(officers in the shift / number of {plural(unit)}): an "
                             "over-policing guard.")
    fair_cap = c4.slider("Multiple of the equal share", 1.0, 6.0, 3.0, 0.5,
                         key="patrol_fair_cap", disabled=not use_cap)
    must = st.multiselect(f"{plural(unit)[:1].upper() + plural(unit)[1:]} that must be covered "
                          "in every shift", beats, key="patrol_must")

try:
    plan = ui.patrol_plan(key, source, officers, int(min_pb), int(max_pb) or None,
                          int(max_change) if limit_change and len(current) else None,
                          float(fair_cap) if use_cap else None, tuple(must), choice)
except InfeasiblePlanError as exc:
    st.error(ui.message(f"These limits cannot all be met. {exc}"))
    st.stop()

comparison = patrol.compare_deployments(plan)
table = plan.table
rec = comparison.iloc[0]
same = comparison[comparison["deployment"].str.startswith("current pattern")]
m1, m2, m3, m4 = st.columns(4)
m1.metric("Expected crime covered by the plan", f"{rec['share_covered']:.0%}",
          help="Benefit-weighted: each extra officer in an area and shift covers less of its "
               "risk.")
if len(same):
    m2.metric("Today's pattern, same officers", f"{same.iloc[0]['share_covered']:.0%}")
    gain = rec["risk_covered"] - same.iloc[0]["risk_covered"]
    m3.metric(f"Extra crimes covered this {period}", f"{gain:+.1f}")
    m4.metric("Officer postings moved", f"{int(table['change'].clip(lower=0).sum())}")
else:
    equal = comparison.set_index("deployment").loc["equal split", "share_covered"]
    m2.metric("Equal split", f"{equal:.0%}")
st.markdown(f"**{patrol.headline(plan, comparison)}**")
for note in plan.notes:
    st.warning(note)
if not len(current):
    st.info("This dataset has no beat duty logs, so today's deployment is unknown (shown as 0). "
            "Import a patrols file on the Data page to compare.")

tab_map, tab_table, tab_compare, tab_dosage, tab_backtest = st.tabs(
    ["Map", "Plan table", "Compare deployments", "Hot spot visits", "Backtest"])

with tab_map:
    left, right = st.columns([1, 2])
    shift = inputs.shifts[0]
    if len(inputs.shifts) > 1:
        shift = left.radio("Shift", inputs.shifts, horizontal=True, key="patrol_map_shift")
    shown = right.radio(f"Colour {plural(unit)} by", list(MAP_VALUES), horizontal=True,
                        key="patrol_map_value")
    rows = table[table["shift"] == shift].assign(added=lambda t: t["change"].clip(lower=0))
    value = MAP_VALUES[shown]
    polygons = inputs.dataset.beats
    middles = areas.table.rename(columns={"area": "beat"})
    if polygons is None and not middles["lat"].notna().any():
        st.info(f"These {plural(unit)} have no polygons and their crimes no coordinates, so the "
                "plan cannot be mapped; the table has every one. Upload their polygons on the "
                "Data page.")
    else:
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
        st.pydeck_chart(maps.deck(layers, zoom_to(polygons, middles), "light"), height=520)
        st.html(legend.to_html())
        if polygons is None:
            st.caption(f"Each circle is one {unit}, at the middle of its crimes (no outlines: "
                       "upload polygons on the Data page).")
        when = f"in the {shift} shift" if shift in SHIFTS else "all day"
        if len(current):
            st.caption(f"Blue dots: {len(under)} {plural(unit, len(under))} under-patrolled today "
                       f"{when} (their share of the risk is at least 1.5x their share of "
                       "today's officers, and their risk is above the median).")

with tab_table:
    st.caption(f"Risk = expected crimes in the {period}, with its 80% band; evidence = the "
               "recorded crime behind it. Rows under-patrolled today are flagged.")
    shown_table = table.sort_values(["under_patrolled", "risk"], ascending=False)
    st.dataframe(shown_table.round({"risk": 2, "risk_lower": 2, "risk_upper": 2, "covered": 2,
                                    "covered_current": 2}), hide_index=True, width="stretch")
    d1, d2 = st.columns(2)
    with d1:
        ui.download(table, "patrol_plan.csv", "Download the plan (CSV)", key="dl_patrol_plan")
    spots = dosage_for(key, choice, table)
    report = plan_report_html(plan, dosage=spots, dataset_name=dataset_title(view),
                              period_start=inputs.start)
    d2.download_button("Download the printable report (HTML)", report.encode("utf-8"),
                       file_name="patrol_plan.html", mime="text/html", key="dl_patrol_report")

with tab_compare:
    st.caption(f"The same officers per shift, deployed {len(comparison)} ways; 'risk covered' "
               "counts each extra officer in an area as covering less of its expected crime.")
    st.dataframe(comparison.assign(risk_covered=comparison["risk_covered"].round(1),
                                   share_covered=(comparison["share_covered"] * 100).round(1)),
                 hide_index=True, width="stretch",
                 column_config={"share_covered": st.column_config.NumberColumn(
                     "share covered (%)")})
    ui.download(comparison, "patrol_comparison.csv", "Download the comparison",
                key="dl_patrol_cmp")

with tab_dosage:
    if not len(spots):
        st.info("Hot spot visits need crimes with coordinates and times of day: this data "
                + ("has no times of day." if inputs.shifts != SHIFTS else
                   "has no located crimes in the staffed areas."))
    else:
        st.caption(f"Within each {unit} and shift the plan staffs, the grid cells (150 m) with "
                   "the most crimes in that shift over the last year. Koper curve: stops of "
                   "10-15 minutes, each hot spot revisited about every two hours, in a varying "
                   "order.")
        beat = st.selectbox(unit.capitalize(), beats, key="patrol_dosage_beat")
        st.dataframe(spots[spots["beat"] == beat], hide_index=True, width="stretch")
        ui.download(spots, "hot_spot_visits.csv", f"Download visits for every {unit}",
                    key="dl_patrol_dosage")

with tab_backtest:
    if not len(current):
        st.info("The backtest compares the plan with today's deployment, so it needs beat duty "
                "logs; import a patrols file on the Data page.")
    elif inputs.freq == "M":
        st.info("The backtest plans past weeks, which needs dates known to the day.")
    else:
        with st.spinner("Backtesting the plan on the last 4 weeks..."):
            bt = ui.patrol_backtest(key, int(min_pb), choice=choice)
        means = bt.groupby("deployment")[["covered", "per_officer"]].mean()
        st.markdown(
            f"Planned each of the last {bt['week_start'].nunique()} weeks from the data before "
            f"it, with today's officers: the plan covered **{means.loc['plan', 'covered']:.0%}** "
            f"of the crime that then occurred, against **{means.loc['current', 'covered']:.0%}** "
            f"for today's deployment; an average officer posting saw "
            f"{means.loc['plan', 'per_officer']:.2f} crimes under the plan vs "
            f"{means.loc['current', 'per_officer']:.2f} today.")
        st.dataframe(bt.round({"covered": 3, "per_officer": 3}), hide_index=True, width="stretch")
        ui.download(bt, "patrol_backtest.csv", "Download the backtest",
                    key="dl_patrol_backtest")

ui.limits_note()
