"""Patrol: how to deploy the officers of each shift across beats (or the areas the data allows),
for the whole city or one station, and what changes from today.

The page builds a :class:`PlanSettings` from its widgets (labels, ranges, defaults and help
from ``PlanSettings.spec``) and shows what ``ui.patrol_plan`` (crimekit.patrol.plan_patrols)
returns.
"""

import streamlit as st

import ui
from crimekit.errors import CrimekitError, InfeasiblePlanError
from crimekit.patrol import PlanSettings

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

MAP_VALUES = {"Recommended officers": "officers", "Officers today": "current",
              "Officers added": "added", "Expected crimes (risk)": "risk"}
RISK_SOURCE_LABELS = {"history": "Recorded history (decayed counts)",
                      "hotspots": "Hotspot model (slower)"}
spec = PlanSettings.spec


def scope_settings(key) -> PlanSettings:
    """The page's own choices: what to plan over, the heads weighed and the heinous weight;
    the station is the sidebar's districts."""
    options = ui.patrol_options(key)
    with st.expander("What the plan covers", expanded=False):
        c1, c2 = st.columns(2)
        how = c1.selectbox(spec("areas")["label"], ("auto",) + options.kinds, key="patrol_areas",
                           format_func=options.kind_label)
        n_areas = None
        if options.draws_areas(how):
            n = spec("n_areas")
            n_areas = int(c1.number_input(
                f"{n['label']} (0: about one per 50 crimes of the last two years)", 0,
                n["high"], 0, key="patrol_n_areas", help=n["help"])) or None
        heads = c2.multiselect(spec("heads")["label"], options.heads, key="patrol_heads",
                               placeholder="Every crime head")
        heinous = spec("heinous_weight")["default"]
        if options.heinous:
            heinous = c2.select_slider(spec("heinous_weight")["label"],
                                       PlanSettings.HEINOUS_WEIGHTS, key="patrol_heinous",
                                       format_func=lambda w: f"{w:g} crime{'s' * (w != 1)}")
    return PlanSettings(areas=how, n_areas=n_areas, station=ui.plan_station(),
                        heads=tuple(heads), heinous_weight=float(heinous))


st.title("Patrol plan")
view = ui.current_view()
ui.stop_if_empty(view)
key = ui.view_key()
st.caption(ui.SIDEBAR_RULE)
settings = scope_settings(key)
try:
    inputs = ui.patrol_inputs(key, settings)
except CrimekitError as exc:
    st.info(ui.message(f"No plan: {exc}"))
    st.stop()
areas, unit = inputs.areas, inputs.areas.unit
by_shift = len(inputs.shifts) > 1
if inputs.station:
    st.markdown(f"**{inputs.station[0].upper() + inputs.station[1:]}** (the sidebar's "
                f"districts): its {inputs.n_units(len(areas.table))} and its own officers.")
for note in inputs.notes:
    st.caption(note)
sidebar_heads = ui.current_filters().categories
if sidebar_heads:
    st.caption(f"The sidebar's crime-head filter ({', '.join(sidebar_heads)}) does not narrow "
               "the plan: a plan covers all crime. Choose the heads it weighs under \"What the "
               "plan covers\".")

sources = inputs.risk_sources()
if len(sources) > 1:
    settings = settings.replace(risk_source=st.radio(
        spec("risk_source")["label"], sources, format_func=RISK_SOURCE_LABELS.get,
        horizontal=True, key="patrol_risk_source", help=spec("risk_source")["help"]))
try:
    risk = ui.patrol_risk(key, settings)
except CrimekitError as exc:
    st.info(ui.message(f"No plan: {exc}"))
    st.stop()
current = inputs.current
beats = sorted(risk["beat"].unique())
period = "month" if inputs.freq == "M" else "week"
st.caption(f"Plan for {inputs.period_words()}, the first full {period} after the selected data "
           f"ends, over {ui.md(inputs.scope_words())}; "
           + ("shifts morning 06-14, evening 14-22, night 22-06." if by_shift
              else f"one posting {inputs.shift_words()}."))

defaults = inputs.default_officers()
suffix = "".join(f"_{s}" for s in areas.stations)  # each station keeps its own numbers
with st.container(border=True):
    cols = st.columns(len(inputs.shifts) if by_shift else 3)
    officers = tuple(int(cols[i].number_input(
        f"Officers, {shift} shift" if by_shift else "Officers on duty (all day)",
        min_value=0, max_value=20 * len(beats), value=defaults[shift], step=1,
        key=f"patrol_officers_{shift.replace(' ', '_')}{suffix}",
        help=inputs.in_units(spec("officers")["help"])))
        for i, shift in enumerate(inputs.shifts))
    c1, c2, c3, c4 = st.columns(4)
    s = spec("min_per_beat")
    min_pb = c1.number_input(inputs.in_units(s["label"]), s["low"], s["high"],
                             inputs.default_minimum(dict(zip(inputs.shifts, officers))),
                             key="patrol_min", help=inputs.in_units(s["help"]))
    s = spec("max_per_beat")
    max_pb = c2.number_input(inputs.in_units(s["label"]) + " (0 = no limit)", 0, s["high"], 0,
                             key="patrol_max", help=inputs.in_units(s["help"]))
    s = spec("max_change")
    limit_change = c3.toggle("Limit changes from today", False, key="patrol_limit_change",
                             disabled=not len(current), help=s["help"])
    max_change = c3.slider(s["label"], s["low"], max(10, sum(officers) // 2),
                           PlanSettings.WHEN_ON["max_change"], key="patrol_max_change",
                           disabled=not limit_change)
    s = spec("fair_cap")
    use_cap = c4.toggle("Fairness cap", False, key="patrol_use_fair_cap",
                        help=inputs.in_units(s["help"]))
    fair_cap = c4.slider(s["label"], s["low"], s["high"], PlanSettings.WHEN_ON["fair_cap"],
                         s["step"], key="patrol_fair_cap", disabled=not use_cap)
    s = spec("must_cover")
    must = st.multiselect(inputs.in_units(s["label"]), beats, key="patrol_must",
                          help=inputs.in_units(s["help"]))

settings = settings.replace(
    officers=officers, min_per_beat=int(min_pb), max_per_beat=int(max_pb) or None,
    max_change=int(max_change) if limit_change and len(current) else None,
    fair_cap=float(fair_cap) if use_cap else None, must_cover=tuple(must))
try:
    result = ui.patrol_plan(key, settings)
except InfeasiblePlanError as exc:
    st.error(ui.message(f"These limits cannot all be met. {exc}"))
    st.stop()

comparison = result.comparison
table = result.table
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
st.markdown(f"**{result.headline}**")
for note in result.limit_notes:
    st.warning(note)
if not result.has_current:
    st.info("This dataset has no beat duty logs, so today's deployment is unknown (shown as 0). "
            "Import a patrols file on the Data page.")

tab_map, tab_table, tab_compare, tab_dosage, tab_backtest = st.tabs(
    ["Map", "Plan table", "Compare deployments", "Hot spot visits", "Backtest"])

with tab_map:
    left, right = st.columns([1, 2])
    shift = inputs.shifts[0]
    if by_shift:
        shift = left.radio("Shift", inputs.shifts, horizontal=True, key="patrol_map_shift")
    shown = right.radio(inputs.in_units("Colour {units} by"), list(MAP_VALUES), horizontal=True,
                        key="patrol_map_value")
    drawn = ui.plan_map(inputs, table, shift, MAP_VALUES[shown])
    if drawn is None:
        st.info(inputs.in_units("These {units} have no polygons and their crimes no "
                                "coordinates, so the plan cannot be mapped; the table has "
                                "every one. Upload their polygons on the Data page."))
    else:
        deck, legend, n_under = drawn
        st.pydeck_chart(deck, height=520)
        st.html(legend.to_html())
        if inputs.dataset.beats is None:
            st.caption(f"Each circle is one {unit}, at the middle of its crimes (no outlines: "
                       "upload polygons on the Data page).")
        when = f"in the {shift} shift" if by_shift else "all day"
        if len(current):
            st.caption(f"Blue dots: {inputs.n_units(n_under)} under-patrolled today {when} "
                       "(their share of the risk is at least 1.5x their share of today's "
                       "officers, and their risk is above the median).")

with tab_table:
    st.caption(f"Risk = expected crimes in the {period}, with its 80% band; evidence = the "
               "recorded crime behind it. Rows under-patrolled today are flagged.")
    shown_table = table.sort_values(["under_patrolled", "risk"], ascending=False)
    st.dataframe(shown_table.round({"risk": 2, "risk_low": 2, "risk_high": 2, "covered": 2,
                                    "covered_current": 2}), hide_index=True, width="stretch")
    d1, d2 = st.columns(2)
    with d1:
        ui.download(table, "patrol_plan.csv", "Download the plan (CSV)", key="dl_patrol_plan")
    spots = ui.patrol_visits(key, settings)
    d2.download_button("Download the printable report (HTML)",
                       ui.patrol_report(key, settings).encode("utf-8"),
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
                + ("has no times of day." if not by_shift else
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
        with st.spinner(f"Backtesting the plan on the last {settings.backtest_weeks} weeks..."):
            bt = ui.patrol_backtest(key, settings)
        st.markdown(
            f"Planned each of the last {bt.weeks} weeks from the data before it, with today's "
            f"officers: the plan covered **{bt.covered['plan']:.0%}** of the crime that then "
            f"occurred, against **{bt.covered['current']:.0%}** for today's deployment; an "
            f"average officer posting saw {bt.per_officer['plan']:.2f} crimes under the plan vs "
            f"{bt.per_officer['current']:.2f} today.")
        st.dataframe(bt.table.round({"covered": 3, "per_officer": 3}), hide_index=True,
                     width="stretch")
        ui.download(bt.table, "patrol_backtest.csv", "Download the backtest",
                    key="dl_patrol_backtest")

ui.limits_note()
