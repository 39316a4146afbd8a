"""Hotspots: which grid cells will have crime in the next period, how sure we are, and how well
each model did on held-out time."""

import altair as alt
import pydeck as pdk
import streamlit as st

import ui
from ui import maps
from crimekit.errors import CrimekitError
from crimekit.hotspots import HotspotSettings

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

spec = HotspotSettings.spec
label = HotspotSettings.model_label


# --- small helpers --------------------------------------------------------------------------------

def top_outline_layer(cells) -> pdk.Layer:
    paths = [{"path": list(map(list, g.exterior.coords))} for g in cells.geometry]
    return pdk.Layer("PathLayer", paths, id="top_cells", get_path="path",
                     get_color=[20, 20, 200, 255], width_min_pixels=3)


def crime_type_section(view, key, settings, top, next_start):
    """The likely crime type at a chosen place and shift, beside its 26-week backtest."""
    p1, p2, p3 = st.columns(3)
    place_kind = p1.radio("Place", ["Cell", "Beat"], horizontal=True, key="hs_place_kind")
    place = "cell" if place_kind == "Cell" or view.incidents["beat"].eq("").all() else "beat"
    options = [str(c) for c in top["cell_id"]] if place == "cell" else \
        sorted(b for b in view.incidents["beat"].unique() if b)
    chosen_place = p2.selectbox(place_kind if place == "beat" else "Cell (from the top list)",
                                options, key="hs_place")
    shift = p3.selectbox("Shift", list(ui.SHIFTS), key="hs_shift")
    try:
        mix = ui.crime_type_mix(key, place, settings, chosen_place, next_start, shift)
        accuracy = ui.crime_type_accuracy(key, place, settings)
    except ValueError as exc:
        st.info(ui.message(exc))
    else:
        t1, t2 = st.columns([3, 2])
        t1.dataframe(mix.head(8).round(3), hide_index=True, width="stretch")
        t2.dataframe(accuracy.round(3), hide_index=True, width="stretch")
        t2.caption("Backtest on the last 26 weeks: the model against the place's own "
                   "historical mix (higher accuracy, lower log loss is better).")
        ui.download(mix, "crime_type_at_place.csv", "Download crime-type probabilities")


def area_section(key, unit: str) -> None:
    """Hot areas for data placed by area only (no coordinates): areas ranked by backtest."""
    try:
        ranking = ui.area_ranking(key)
    except CrimekitError as exc:
        st.info(ui.message(exc))
        return
    if ranking.note:
        st.info(ranking.note)
    bt = ranking.backtest
    best = bt[(bt["method"] == ranking.method) & (bt["coverage"] == 0.10)]
    st.markdown(f"This data places crimes by {ui.md(unit)} only, so its {ui.md(unit)} areas are ranked "
                f"instead of grid cells, for the {ranking.period_word} "
                f"from {ranking.period:%d %b %Y}, by **{ranking.method}** (the best of "
                f"{bt['method'].nunique()} simple methods in the backtest).")
    if len(best):
        st.metric("Crime held by the top 10% of the land", f"{best['hit_rate'].iloc[0]:.0%}",
                  help=f"In the backtest, the share of each period's crimes that fell in the "
                       f"top-ranked areas covering 10% of the land (PAI "
                       f"{best['pai'].iloc[0]:.1f}: that many times their share of the land).")
    shown = ranking.table.rename(columns={
        "area": unit.capitalize(), "district": "District", "expected": "Expected crimes",
        "expected_low": "Likely at least", "expected_high": "Likely at most",
        "recent": "Last period",
        "km2": "Area (km²)", "per_km2": "Expected per km²"})
    st.dataframe(shown, hide_index=True, width="stretch")
    ui.download(ranking.table, "area_ranking.csv", f"Download the {unit} ranking")
    with st.expander("How each method did in the backtest"):
        st.dataframe(bt.rename(columns={"method": "Method", "coverage": "Share of land",
                                        "hit_rate": "Crime held", "pai": "PAI"}).round(3),
                     hide_index=True, width="stretch")
    ui.limits_note()


# --- layout ---------------------------------------------------------------------------------

st.title("Hotspots")
view = ui.current_view()
ui.stop_if_empty(view)
key = ui.view_key()
if not view.incidents["lat"].notna().any():
    if view.beats is not None and view.incidents["beat"].isin(set(view.beats["beat"])).any():
        area_section(key, view.meta.get("area_unit", "beat"))
    else:
        st.warning("None of these incidents has coordinates or a named area with a polygon, "
                   "so no place can be scored. On the Data page, map the latitude/longitude "
                   "columns, or import the area polygons with the file.")
    st.stop()

c1, c2, c3, c4, c5 = st.columns([3, 1.2, 1.5, 1.5, 1.6])
all_heads = sorted(view.incidents["category"].unique())
s = spec("categories")
categories = tuple(c1.multiselect(s["label"], all_heads, key="hs_heads", help=s["help"],
                                  placeholder="All crime heads"))
s = spec("freq")
freqs = {HotspotSettings.freq_label(f): f for f in s["choices"]}
freq = freqs[c2.selectbox(s["label"], list(freqs), key="hs_freq", help=s["help"])]
s = spec("cell_size")
cell_size = c3.select_slider(s["label"], HotspotSettings.CELL_SIZES, value=s["default"],
                             key="hs_cell", help=s["help"])
s = spec("coverage")
coverage = c4.select_slider(s["label"], s["choices"], value=s["default"], key="hs_cov",
                            format_func=lambda c: f"{c:.1%}", help=s["help"])
s = spec("model")
models = {label(m, speed=True): m for m in s["choices"]}
model = models[c5.selectbox(s["label"], list(models), key="hs_model", help=s["help"])]
b1, b2 = st.columns([3, 2])
s = spec("backtest_weeks")
weeks = b1.select_slider(s["label"], s["choices"], value=s["default"], key="hs_weeks",
                         help=s["help"])
s = spec("compare")
compare = b2.toggle(s["label"], key="hs_compare", help=s["help"])
settings = HotspotSettings(cell_size=cell_size, freq=freq, categories=categories, model=model,
                           backtest_weeks=weeks, coverage=coverage, compare=compare)

try:
    with st.status("Scoring the next period and backtesting...", expanded=False) as status:
        result = ui.hotspot_result(key, settings)
        status.update(label="Scored and backtested.", state="complete")
except ValueError as exc:  # crimekit's errors say what to change
    st.warning(ui.message(exc))
    st.stop()
for note in result.notes:
    st.info(note)

model, risk, top, bt = result.model, result.risk, result.top, result.backtest
k = len(top)
next_start = result.period_start
lo, hi = result.hit_range
note = result.verdict_note()
if note is not None:
    kind, text = note
    (st.success if kind == "success" else st.warning)(text)

m1, m2, m3, m4 = st.columns(4)
m1.metric("Next period starts", f"{next_start:%Y-%m-%d %H:%M}" if result.freq == "S"
          else f"{next_start:%Y-%m-%d}")
m2.metric("Cells flagged", f"{k} of {len(risk):,}")
expected, low, high = result.expected_in_top()
m3.metric("Expected incidents in them", f"{expected:.1f}",
          help=f"80% range assuming Poisson counts: {low:.0f}-{high:.0f}")
gap = result.hit_gap
m4.metric("Backtested hit rate", ui.percent(result.hit_rate),
          delta=f"{gap * 100:+.1f} points vs {label(result.verdict.baseline, speed=True)}"
          if gap is not None else None,
          help="Share of crimes that fell in the flagged cells, averaged over the backtest's "
               f"periods; 80% of periods were between {ui.percent(lo)} and {ui.percent(hi)}.")
if result.chosen:
    st.caption(f"Model: **{label(model, speed=True)}**, {result.reason}")
st.caption(f"{label(model, speed=True)} flags the top {coverage:.1%} of {len(risk):,} cells "
           f"of {cell_size} m. In the backtest it captured {ui.percent(result.hit_rate)} of "
           f"crimes (80% of periods: {ui.percent(lo)} to {ui.percent(hi)}); probabilities are "
           f"calibrated on held-out weeks (Brier {result.brier:.3f}).")

left, right = st.columns([3, 2])
with left:
    cells = result.cells()
    layer, legend = maps.cell_layer(cells, "probability")
    layers = [layer, top_outline_layer(cells[cells["cell_id"].isin(top["cell_id"])])]
    if view.beats is not None:
        layers.append(maps.beat_layer(view.beats.assign(count=0.0), filled=False)[0])
    st.pydeck_chart(maps.deck(layers, maps.view_for(view.incidents["lat"],
                                                    view.incidents["lon"]), "light"),
                    height=520)
    st.html(legend.to_html())
    st.caption("Colour: calibrated probability of at least one incident in the next period. "
               "Blue outlines: the flagged cells.")
with right:
    st.subheader("Backtest: hit rate by area flagged")
    summary = bt.summary
    chart_data = summary.assign(area=summary["coverage"] * 100)
    st.altair_chart(alt.Chart(chart_data).mark_line(point=True).encode(
        x=alt.X("area:Q", title="area flagged (%)"),
        y=alt.Y("hit_rate:Q", title="share of crimes captured", axis=alt.Axis(format="%")),
        color=alt.Color("model:N"),
        tooltip=["model", alt.Tooltip("coverage:Q", format=".1%"),
                 alt.Tooltip("hit_rate:Q", format=".1%"), alt.Tooltip("pai:Q", format=".1f"),
                 alt.Tooltip("pei:Q", format=".2f")]), width="stretch")
    st.dataframe(bt.summary_at(coverage).drop(columns="coverage").round(3), hide_index=True,
                 width="stretch")
    ui.download(summary, "hotspot_backtest.csv", "Download the backtest (all coverages)")
    if len(result.versus):
        st.caption("Learned models against the best baseline: hit rates and their difference "
                   "paired week by week, with its standard error"
                   + (" (every crime head)." if result.verdict_wider else "."))
        st.dataframe(result.versus.drop(columns=["coverage", "measure"]).round(4),
                     hide_index=True, width="stretch")

st.subheader(f"Top {k} cells for the period from {next_start:%Y-%m-%d}")
st.dataframe(top.drop(columns=["lat", "lon"]).round(3), hide_index=True, width="stretch")
ui.download(risk, "hotspot_risk_next_period.csv", "Download risk for every cell")
importance = result.importance
if importance is not None:
    what = "share of total gain" if model == "xgboost" else "share of expected crimes"
    with st.expander(f"What the {label(model, speed=True)} relies on ({what})"):
        st.caption("Why-column numbers: each feature's push on the log of the expected count "
                   "(XGBoost) or the expected crimes it adds (count model).")
        st.altair_chart(alt.Chart(importance.head(15)).mark_bar().encode(
            x=alt.X("share:Q", title=what, axis=alt.Axis(format="%")),
            y=alt.Y("feature:N", sort="-x"), tooltip=["feature", alt.Tooltip("share:Q",
                                                                              format=".1%")]),
            width="stretch")

with st.expander("Reliability: do predicted probabilities match what happened?"):
    st.altair_chart(alt.Chart(bt.reliability).mark_line(point=True).encode(
        x=alt.X("predicted:Q", title="predicted probability"),
        y=alt.Y("observed:Q", title="observed share with crime"), color="model:N",
        tooltip=["model", alt.Tooltip("predicted:Q", format=".2f"),
                 alt.Tooltip("observed:Q", format=".2f"), "n"]), width="stretch")

st.subheader("Lasting hotspots over history")
if st.toggle("Class cells over history (stable, relative, occasional) with Getis-Ord Gi*",
             key="hs_classes",
             help="k-means on each cell's share of periods with crime, and Gi* on its total "
                  "count; computed on demand (under a second), then cached."):
    classes = ui.hotspot_classes(key, settings)
    shown = classes.cells()
    shown["label"] = shown["hotspot_class"] + ", Gi* " + shown["gi_class"]
    cl_layer, cl_legend = maps.cell_layer(shown[shown["hotspot_class"] != "non-hotspot"],
                                          "class_level", layer_id="classes")
    hc1, hc2 = st.columns([3, 2])
    with hc1:
        st.pydeck_chart(maps.deck([cl_layer], maps.view_for(view.incidents["lat"],
                                                            view.incidents["lon"]), "light"),
                        height=380)
        st.caption("Class level: 3 stable, 2 relative, 1 occasional (k-means on the share of "
                   "periods with crime). Tooltips add the Getis-Ord Gi* result.")
    with hc2:
        st.dataframe(classes.by_class, width="stretch")
        ui.download(classes.table, "hotspot_classes.csv", "Download classes and Gi* per cell")

st.subheader("Crime type at a place")
if st.toggle("Predict the likely crime type at a place", key="hs_crime_type",
             help="Fits a crime-type model and backtests it on the last 26 weeks (a few "
                  "seconds on a large dataset the first time, then cached)."):
    crime_type_section(view, key, settings, top, next_start)

ui.limits_note()
