"""Patrol: how to deploy the officers of each shift across beats, and what changes from today."""

import pandas as pd
import streamlit as st

import ui
from crimekit import maps, patrol
from crimekit.briefing import dataset_title
from crimekit.errors import InfeasiblePlanError
from crimekit.patrol_risk import planning_start
from crimekit.report import plan_report_html
from crimekit.schema import SHIFTS

MAP_VALUES = {"Recommended officers": "officers", "Officers today": "current",
              "Officers added": "added", "Expected incidents (risk)": "risk"}


RISK_SOURCES = {"Recorded history (decayed counts)": "history",
                "Hotspot model (slower)": "hotspots"}


def hotspots_available() -> bool:
    try:
        from crimekit.hotspots import predict_beat_shift_risk  # noqa: F401
    except ImportError:
        return False
    return True


@st.cache_data(show_spinner=False, max_entries=8)
def dosage_for(key, plan_table):
    return patrol.dosage(ui.view_of(key), plan_table)


st.title("Patrol plan")
view = ui.current_view()
ui.stop_if_empty(view)
key = ui.view_key()
source = "history"
if hotspots_available():
    source = RISK_SOURCES[st.radio("Risk from", list(RISK_SOURCES), horizontal=True,
                                   key="patrol_risk_source",
                                   help="Recorded history: decayed counts per beat and shift, "
                                        "seasonally scaled. Hotspot model: the Hotspots page's "
                                        "model summed over each beat's cells.")]
risk = ui.patrol_risk(key, source)
current = ui.patrol_current(key)
beats = sorted(risk["beat"].unique())
start = planning_start(view)
st.caption(f"Plan for the week from {start:%A %d %B %Y}, the first full week after the selected "
           f"data ends, from {ui.current_filters().describe()}. {len(beats)} beats; shifts "
           "morning 06-14, evening 14-22, night 22-06.")

defaults = ui.patrol_default_officers(current, len(beats))
with st.container(border=True):
    cols = st.columns(3)
    officers = tuple(int(cols[i].number_input(
        f"Officers, {shift} shift", min_value=0, max_value=20 * len(beats),
        value=defaults[shift], step=1, key=f"patrol_officers_{shift}"))
        for i, shift in enumerate(SHIFTS))
    c1, c2, c3, c4 = st.columns(4)
    min_pb = c1.number_input("Minimum per beat", 0, 20, 1 if sum(officers) else 0,
                             key="patrol_min", help="Officers every beat gets in every shift.")
    max_pb = c2.number_input("Maximum per beat (0 = no limit)", 0, 50, 0, key="patrol_max")
    limit_change = c3.toggle("Limit changes from today", False, key="patrol_limit_change",
                             disabled=not len(current))
    max_change = c3.slider("Officers moved per shift, at most", 0, max(10, sum(officers) // 2),
                           10, key="patrol_max_change", disabled=not limit_change)
    use_cap = c4.toggle("Fairness cap", False, key="patrol_use_fair_cap",
                        help="No beat gets more than this multiple of the equal share "
                             "(officers in the shift / number of beats): an over-policing guard.")
    fair_cap = c4.slider("Multiple of the equal share", 1.0, 6.0, 3.0, 0.5,
                         key="patrol_fair_cap", disabled=not use_cap)
    must = st.multiselect("Beats that must be covered in every shift", beats, key="patrol_must")

try:
    plan = ui.patrol_plan(key, source, officers, int(min_pb), int(max_pb) or None,
                          int(max_change) if limit_change and len(current) else None,
                          float(fair_cap) if use_cap else None, tuple(must))
except InfeasiblePlanError as exc:
    st.error(f"These limits cannot all be met. {exc}")
    st.stop()

comparison = patrol.compare_deployments(plan)
table = plan.table
rec = comparison.iloc[0]
same = comparison[comparison["deployment"].str.startswith("current pattern")]
m1, m2, m3, m4 = st.columns(4)
m1.metric("Expected crime covered by the plan", f"{rec['share_covered']:.0%}",
          help="Benefit-weighted: each extra officer in a beat-shift covers less of its risk.")
if len(same):
    m2.metric("Today's pattern, same officers", f"{same.iloc[0]['share_covered']:.0%}")
    gain = rec["risk_covered"] - same.iloc[0]["risk_covered"]
    m3.metric("Extra incidents covered this week", f"{gain:+.1f}")
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
    shift = left.radio("Shift", SHIFTS, horizontal=True, key="patrol_map_shift")
    shown = right.radio("Colour beats by", list(MAP_VALUES), horizontal=True,
                        key="patrol_map_value")
    rows = table[table["shift"] == shift].assign(added=lambda t: t["change"].clip(lower=0))
    if view.beats is None:
        st.info("This dataset has no beat polygons, so the plan cannot be mapped; the table has "
                "every beat. Upload beat polygons on the Data page.")
    else:
        value = MAP_VALUES[shown]
        gdf = view.beats[["beat", "district", "geometry"]].assign(beat=lambda g: g["beat"]
                                                                  .astype(str))
        gdf = gdf.merge(rows[["beat", value, "under_patrolled"]], on="beat", how="left")
        gdf[value] = gdf[value].fillna(0).astype(float)
        layer, legend = maps.beat_layer(gdf, value)
        layers = [layer]
        under = gdf[gdf["under_patrolled"].fillna(False).astype(bool)]
        if len(under):
            centres = under.to_crs(under.estimate_utm_crs()).centroid.to_crs("EPSG:4326")
            layers.append(maps.points_layer(pd.DataFrame(
                {"lat": centres.y, "lon": centres.x,
                 "name": "under-patrolled today: " + under["beat"]}), colour=(40, 40, 200),
                layer_id="under"))
        st.pydeck_chart(maps.deck(layers, maps.view_for(view.incidents["lat"],
                                                        view.incidents["lon"]), "light"),
                        height=520)
        st.html(legend.to_html())
        st.caption(f"Blue dots: {len(under)} beats under-patrolled today in the {shift} shift "
                   "(their share of the shift's risk is at least 1.5x their share of today's "
                   "officers, and their risk is above the median).")

with tab_table:
    st.caption("Risk = expected incidents in the week, with its 80% band; evidence = the "
               "recorded crime behind it. Rows under-patrolled today are flagged.")
    shown_table = table.sort_values(["under_patrolled", "risk"], ascending=False)
    st.dataframe(shown_table.round({"risk": 2, "risk_lower": 2, "risk_upper": 2, "covered": 2,
                                    "covered_current": 2}), hide_index=True, width="stretch")
    d1, d2 = st.columns(2)
    with d1:
        ui.download(table, "patrol_plan.csv", "Download the plan (CSV)", key="dl_patrol_plan")
    spots = dosage_for(key, table)
    report = plan_report_html(plan, dosage=spots, dataset_name=dataset_title(view),
                              period_start=start)
    d2.download_button("Download the printable report (HTML)", report.encode("utf-8"),
                       file_name="patrol_plan.html", mime="text/html", key="dl_patrol_report")

with tab_compare:
    st.caption("The same officers per shift, deployed four ways; 'risk covered' counts each "
               "extra officer in a beat-shift as covering less of its expected crime.")
    st.dataframe(comparison.assign(risk_covered=comparison["risk_covered"].round(1),
                                   share_covered=(comparison["share_covered"] * 100).round(1)),
                 hide_index=True, width="stretch",
                 column_config={"share_covered": st.column_config.NumberColumn(
                     "share covered (%)")})
    ui.download(comparison, "patrol_comparison.csv", "Download the comparison",
                key="dl_patrol_cmp")

with tab_dosage:
    st.caption("Within each beat and shift the plan staffs, the grid cells (150 m) with the most "
               "incidents in that shift over the last year. Koper curve: stops of 10-15 minutes, "
               "each hot spot revisited about every two hours, in a varying order.")
    beat = st.selectbox("Beat", beats, key="patrol_dosage_beat")
    st.dataframe(spots[spots["beat"] == beat], hide_index=True, width="stretch")
    ui.download(spots, "hot_spot_visits.csv", "Download visits for every beat",
                key="dl_patrol_dosage")

with tab_backtest:
    if not len(current):
        st.info("The backtest compares the plan with today's deployment, so it needs beat duty "
                "logs; import a patrols file on the Data page.")
    else:
        with st.spinner("Backtesting the plan on the last 4 weeks..."):
            bt = ui.patrol_backtest(key, int(min_pb))
        means = bt.groupby("deployment")[["covered", "per_officer"]].mean()
        st.markdown(
            f"Planned each of the last {bt['week_start'].nunique()} weeks from the data before "
            f"it, with today's officers: the plan covered **{means.loc['plan', 'covered']:.0%}** "
            f"of the crime that then occurred, against **{means.loc['current', 'covered']:.0%}** "
            f"for today's deployment; an average officer posting saw "
            f"{means.loc['plan', 'per_officer']:.2f} incidents under the plan vs "
            f"{means.loc['current', 'per_officer']:.2f} today.")
        st.dataframe(bt.round({"covered": 3, "per_officer": 3}), hide_index=True, width="stretch")
        ui.download(bt, "patrol_backtest.csv", "Download the backtest",
                    key="dl_patrol_backtest")

ui.limits_note()
