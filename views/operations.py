"""Did it work? Pick an operation (beats or hot spots, a start and an end) and see the change in
crime there against the forecast from before it, against comparable places, and next door.

All the work is crimekit.operations.check_operation (the command line's `operation` too); this
page only chooses, caches and shows.
"""

import altair as alt
import pandas as pd
import streamlit as st

import ui
from crimekit.errors import CrimekitError
from crimekit.operations import (busiest_beats_before, check_operation, default_window, indexed,
                                 top_cells_before)
from crimekit.place_names import name_beats, name_cells
from crimekit.wording import change_words, chance_words, p_phrase, range_words

KINDS = {"Beats": "beat", "Hot spots (the busiest 250 m cells before it)": "cell"}
CELL_SIZE = 250.0
MEANING = {
    "forecast": "Crime in the operation's places against what the forecast, made from the data "
                "before the operation, expected for the same weeks. A range entirely below zero "
                "means fewer crimes than expected, beyond chance.",
    "controls": "How much more crime fell (or less it rose) in the operation's places than in "
                "comparable places without an operation over the same weeks. Whatever hit the "
                "whole city (season, holidays, a city-wide change) cancels out, so this is the "
                "best single measure of the operation's effect.",
    "nextdoor": "Crime in the places next door against the comparable places. A clear rise "
                "suggests crime moved rather than stopped; a clear fall, that the benefit "
                "spread.",
}


def check_key() -> tuple:
    """The sidebar's dataset and crime heads, with every date and district: the check needs the
    history before the operation and places elsewhere to compare with."""
    name, version, _start, _end, heads, _districts = ui.view_key()
    return (name, version, None, None, heads, ())


@st.cache_data(show_spinner="Checking the operation (a forecast and two comparisons)...",
               max_entries=16)
def run_check(key, unit, places, start, end):
    grid = ui.grid(key[:2], CELL_SIZE) if unit == "cell" else None
    return check_operation(ui.view_of(key), list(places), start, end, unit=unit, grid=grid)


@st.cache_data(show_spinner=False, max_entries=16)
def place_names(key, unit, places) -> pd.DataFrame:
    view = ui.view_of(key)
    if unit == "beat":
        named = name_beats(view.incidents, pd.DataFrame({"beat": list(places)}), pois=view.pois,
                           area_unit=view.meta.get("area_unit", "beat"))
        return named[["name", "reason"]].rename(columns={"name": "Beat", "reason": "Lately"})
    named = name_cells(view.incidents, ui.grid(key[:2], CELL_SIZE),
                       pd.DataFrame({"cell_id": list(places)}), pois=view.pois, beats=view.beats,
                       area_unit=view.meta.get("area_unit", "beat"))
    return named[["name", "reason"]].rename(columns={"name": "Place", "reason": "Lately"})


def metric(column, title, estimate, meaning) -> None:
    with column:
        if estimate is None:
            st.metric(title, "n/a")
            st.caption("Not possible on this data (see the notes below).")
            return
        st.metric(title, change_words(estimate.change),
                  help=f"{estimate.level:.0%} range {range_words(estimate.lower, estimate.upper)}; "
                       f"{chance_words(estimate.p_value)} ({p_phrase(estimate.p_value)}).")
        st.caption(f"{estimate.observed:,.0f} crimes against {estimate.expected:,.0f} expected; "
                   f"{estimate.level:.0%} range {range_words(estimate.lower, estimate.upper)}, "
                   f"{chance_words(estimate.p_value)}.")
        st.caption(f"**What this means:** {meaning}")


def chart(check) -> alt.LayerChart:
    data = indexed(check).dropna(subset=["index"])
    label = {"operation": "operation's places", "comparison": "comparable places",
             "next door": "next door", "forecast": "forecast from before"}
    data = data.assign(group=data["group"].map(label), period_start=data["period_start"])
    window = pd.DataFrame({"start": [check.periods[0]], "end": [check.periods[-1]]})
    shade = alt.Chart(window).mark_rect(opacity=0.12, color="#c0392b").encode(
        x="start:T", x2="end:T")
    lines = alt.Chart(data).mark_line(point=False).encode(
        x=alt.X("period_start:T", title=None),
        y=alt.Y("index:Q", title="crimes (average before the operation = 100)"),
        color=alt.Color("group:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=list(label.values()),
                                        range=["#c0392b", "#5b7a99", "#e6a23c", "#222222"])),
        size=alt.condition(alt.datum.group == "operation's places", alt.value(2.5),
                           alt.value(1.2)),
        strokeDash=alt.condition(alt.datum.group == "forecast from before", alt.value([4, 3]),
                                 alt.value([1, 0])),
        tooltip=[alt.Tooltip("period_start:T", title="period from"),
                 alt.Tooltip("group:N", title="group"),
                 alt.Tooltip("crimes:Q", title="crimes", format=",.0f")])
    return (shade + lines).properties(height=320)


st.title("Did it work?")
view = ui.current_view()
ui.stop_if_empty(view)
key = check_key()
whole = ui.view_of(key)
st.caption("Pick an operation: where it ran and when. Crime there is compared with the forecast "
           "made before it, with comparable places that had no operation, and with the places "
           "next door. Crime heads: those chosen in the sidebar (all by default); every date and "
           "district is used, so the comparison has history and places to draw on.")

inc = whole.incidents
has_beats = inc["beat"].astype(str).ne("").any() or whole.beats is not None
has_points = inc["lat"].notna().any()
kinds = [k for k, v in KINDS.items() if (v == "beat" and has_beats) or (v == "cell"
                                                                        and has_points)]
if not kinds:
    st.info("This data names no beats and has no coordinates, so no place can be checked.")
    st.stop()
first_day, last_day = inc["occurred_at"].min().date(), inc["occurred_at"].max().date()
start0, end0 = default_window(inc)
start_value = min(max(start0.date(), first_day), last_day)
end_value = min(max((end0 - pd.Timedelta(days=1)).date(), start_value), last_day)
with st.container(border=True):
    c1, c2, c3 = st.columns([2, 1, 1])
    kind = KINDS[c1.radio("The operation's places", kinds, horizontal=True, key="op_kind")]
    start = c2.date_input("First day", value=start_value, min_value=first_day,
                          max_value=last_day, key="op_start")
    end = c3.date_input("Last day", value=end_value, min_value=first_day, max_value=last_day,
                        key="op_end")
    start, stop = pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)
    if kind == "beat":
        options = sorted(set(inc["beat"].astype(str)) - {""} | (
            set(whole.beats["beat"].astype(str)) if whole.beats is not None else set()))
        if "op_beats" not in st.session_state:
            st.session_state["op_beats"] = busiest_beats_before(whole, start0, 3)
        chosen = st.multiselect("Beats where the operation ran", options, key="op_beats",
                                help="Preselected: the three busiest beats before the example "
                                     "dates. Change them to your operation's.")
    else:
        n = st.number_input("How many hot spots", 1, 50, 10, key="op_cells",
                            help="The grid cells (250 m) with the most crime in the 13 weeks "
                                 "before the first day.")
        chosen = top_cells_before(whole, ui.grid(key[:2], CELL_SIZE), start, int(n))
if not chosen:
    st.info("Choose the beats where the operation ran.")
    st.stop()

try:
    check = run_check(key, kind, tuple(chosen), start, stop)
except CrimekitError as exc:
    st.info(f"This operation cannot be checked: {exc}")
    st.stop()

st.subheader("What happened")
for sentence in check.summary()[:-len(check.notes) or None]:
    st.markdown(sentence)
m1, m2, m3 = st.columns(3)
metric(m1, "Against the forecast", check.vs_forecast, MEANING["forecast"])
metric(m2, "Against comparable places", check.vs_controls, MEANING["controls"])
metric(m3, "Next door", check.displacement, MEANING["nextdoor"])
for note in check.notes:
    st.warning(note)

st.subheader(f"Crime per {'month' if check.freq == 'M' else 'week'}")
st.altair_chart(chart(check), width="stretch")
st.caption("Each group as a share of its own average before the operation (= 100), so places of "
           "different sizes share one scale; the shaded band is the operation. Before it, the "
           "operation's places and the comparable places should move together.")

st.subheader("The three comparisons")
st.dataframe(check.table(), hide_index=True, width="stretch")
st.caption("Change: crimes recorded against expected. Range: where the true change lies with "
           "95% confidence. Chance?: how likely a change this large is if the operation did "
           "nothing (the p-value, in words).")
with st.expander("The places compared"):
    left, right = st.columns(2)
    with left:
        st.markdown("**The operation's places**")
        st.dataframe(place_names(key, kind, check.treated), hide_index=True, width="stretch")
    with right:
        st.markdown("**Comparable places** (matched on their crime before the operation)")
        st.dataframe(place_names(key, kind, check.controls), hide_index=True, width="stretch")
ui.download(check.series, "operation_check.csv", "Download the crimes per period and group",
            key="dl_operation")
ui.limits_note()
