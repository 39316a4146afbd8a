"""Hotspots: which grid cells will have crime in the next period, how sure we are, and how well
each model did on held-out time."""

import altair as alt
import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st

import ui
from ui import maps
from crimekit.count_model import feature_words
from crimekit.errors import CrimekitError
from crimekit.evaluate import COVERAGES, n_flagged, versus_best_baseline
from crimekit.hotspot_classes import CLASSES, getis_ord, hotspot_classes
from crimekit.hotspots import LEARNED, CrimeTypeModel, usable_freq
from crimekit.schema import SHIFTS

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

FREQS = {"Week": "W", "Two weeks": "2W", "Day": "D", "Shift (8 h)": "S", "Month": "M"}
AUTO = "Best by backtest (fast models)"
MODEL_NAMES = {AUTO: "auto", "Count model (learned, fast)": "poisson",
               "XGBoost on counts (learned, slower)": "xgboost",
               "Kernel density (decayed)": "kde", "All history": "all-history",
               "Last 52 weeks": "last-52-weeks", "Markov transition": "markov",
               "Last period": "last-period", "Last year": "last-year"}
LABEL_OF = {v: k for k, v in MODEL_NAMES.items()}
CELL_SIZES = [100, 150, 200, 250, 300, 400, 500, 750, 1000]


# --- cached work (the calls other pages share live in ui) -----------------------------------

@st.cache_data(show_spinner=False, max_entries=8)
def explanations(key, cell_size, freq, heads, model_name, cell_ids: tuple):
    """(top 3 parts of each cell's score, what the model relies on overall) for a learned
    model: XGBoost's feature gains, or the count model's shares of expected crimes."""
    cube = ui.hotspot_cube(key, cell_size, freq, heads)
    model = ui.hotspot_model(key, cell_size, freq, heads, model_name)
    overall = model.feature_importance() if model_name == "xgboost" else model.weights()
    return model.explain(cube, cube.n_periods, cell_ids=list(cell_ids), top=3), overall


@st.cache_data(show_spinner="Classing cells over history...", max_entries=8)
def classes_for(key, cell_size, freq, heads):
    cube = ui.hotspot_cube(key, cell_size, freq, heads)
    table = hotspot_classes(cube)
    gi = getis_ord(cube.grid, cube.counts.sum(axis=0))
    return table.merge(gi.drop(columns="value"), on="cell_id")


@st.cache_resource(show_spinner="Fitting the crime-type model...", max_entries=4)
def crime_type_model(key, place, cell_size):
    view = ui.view_of(key)
    return CrimeTypeModel(place=place).fit(view.incidents, ui.grid(key[:2], float(cell_size)))


# --- small helpers --------------------------------------------------------------------------------

def in_words(parts: pd.DataFrame) -> pd.Series:
    """One line per cell: its top features, their values and push (+ raises the risk)."""
    def line(g):
        return "; ".join(f"{feature_words(f)} = {v:.3g} ({'+' if c >= 0 else '-'}{abs(c):.2f})"
                         for f, v, c in zip(g["feature"], g["value"], g["contribution"]))
    return parts.groupby("cell_id")[["feature", "value", "contribution"]].apply(line)


def top_outline_layer(cells) -> pdk.Layer:
    paths = [{"path": list(map(list, g.exterior.coords))} for g in cells.geometry]
    return pdk.Layer("PathLayer", paths, id="top_cells", get_path="path",
                     get_color=[20, 20, 200, 255], width_min_pixels=3)


def percent(x) -> str:
    return f"{x:.1%}" if np.isfinite(x) else "n/a"


def label(model: str) -> str:
    return LABEL_OF.get(model, model)


def verdict_note(v: dict, shown: str, coverage: float, wider: bool) -> tuple:
    """(kind, sentence) saying whether a learned model beat the best baseline, by how much
    and how sure that is, and which model the page shows."""
    gap = (f"{percent(v['value'])} of crimes in the top {coverage:.1%} of cells against "
           f"{percent(v['baseline_value'])} ({v['difference'] * 100:+.1f} points, "
           f"95% range {(v['difference'] - 1.96 * v['se']) * 100:+.1f} to "
           f"{(v['difference'] + 1.96 * v['se']) * 100:+.1f}, paired over {v['periods']} "
           "periods)")
    where = " on every crime head in these dates and districts" if wider else ""
    if not v["beats"]:
        return "warning", (
            f"**No learned model beats the best baseline on this data.** In the backtest"
            f"{where}, {label(v['baseline'])} did at least as well as the best learned model "
            f"({label(v['model'])}: {gap}). "
            + (f"The map and numbers below are from {label(shown)}." if shown not in LEARNED
               else f"You chose {label(shown)}; {label(v['baseline'])} did better."))
    sure = "" if v["clear"] else " The gap is within the backtest's uncertainty."
    return "success", (f"**{label(v['model'])} beats the best baseline** "
                       f"({label(v['baseline'])}) in the backtest{where}: {gap}.{sure}")


def crime_type_section(view, key, cell_size, top, next_start):
    """The likely crime type at a chosen place and shift, beside its 26-week backtest."""
    p1, p2, p3 = st.columns(3)
    place_kind = p1.radio("Place", ["Cell", "Beat"], horizontal=True, key="hs_place_kind")
    place = "cell" if place_kind == "Cell" or view.incidents["beat"].eq("").all() else "beat"
    options = [str(c) for c in top["cell_id"]] if place == "cell" else \
        sorted(b for b in view.incidents["beat"].unique() if b)
    chosen_place = p2.selectbox(place_kind if place == "beat" else "Cell (from the top list)",
                                options, key="hs_place")
    shift = p3.selectbox("Shift", list(SHIFTS), key="hs_shift")
    try:
        mix = crime_type_model(key, place, cell_size).predict(chosen_place, next_start, shift)
        accuracy = ui.crime_type_accuracy(key, place, cell_size)
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
    best = bt[(bt["method"] == ranking.method) & (bt["land_share"] == 0.10)]
    st.markdown(f"This data places crimes by {ui.md(unit)} only, so its {ui.md(unit)} areas are ranked "
                f"instead of grid cells, for the {ui.FREQ_WORD.get(ranking.freq, 'period')} "
                f"from {ranking.period:%d %b %Y}, by **{ranking.method}** (the best of "
                f"{bt['method'].nunique()} simple methods in the backtest).")
    if len(best):
        st.metric("Crime held by the top 10% of the land", f"{best['hit_rate'].iloc[0]:.0%}",
                  help=f"In the backtest, the share of each period's crimes that fell in the "
                       f"top-ranked areas covering 10% of the land (PAI "
                       f"{best['pai'].iloc[0]:.1f}: that many times their share of the land).")
    shown = ranking.table.rename(columns={
        "area": unit.capitalize(), "district": "District", "expected": "Expected crimes",
        "low": "Likely at least", "high": "Likely at most", "recent": "Last period",
        "km2": "Area (km²)", "per_km2": "Expected per km²"})
    st.dataframe(shown, hide_index=True, width="stretch")
    ui.download(ranking.table, "area_ranking.csv", f"Download the {unit} ranking")
    with st.expander("How each method did in the backtest"):
        st.dataframe(bt.rename(columns={"method": "Method", "land_share": "Share of land",
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
heads = tuple(c1.multiselect("Crime heads to predict", all_heads, key="hs_heads",
                             placeholder="All crime heads"))
freq = FREQS[c2.selectbox("Period", list(FREQS), key="hs_freq")]
try:
    freq, why = usable_freq(view.incidents, freq)
except CrimekitError as exc:  # dates known only to the year
    st.warning(str(exc))
    st.stop()
cell_size = c3.select_slider("Cell size (m)", CELL_SIZES, value=250, key="hs_cell")
coverage = c4.select_slider("Area to flag", list(COVERAGES), value=0.01, key="hs_cov",
                            format_func=lambda c: f"{c:.1%}")
model = MODEL_NAMES[c5.selectbox("Model", list(MODEL_NAMES), key="hs_model",
                                  help="Best by backtest: of the fast models (the learned count "
                                       "model and the baselines), the one with the best hit rate "
                                       "on a backtest of every crime head (same dates and "
                                       "districts). XGBoost is slower to fit the first time.")]
if why:
    st.info(why)
b1, b2 = st.columns([3, 2])
weeks = b1.select_slider("Backtest: last weeks of held-out time", [8, 13, 26, 52], value=13,
                         key="hs_weeks", help="Each model is refitted every 13 weeks on only the "
                                               "data before, and scored on what then happened.")
compare = b2.toggle("Backtest every model (XGBoost included)", key="hs_compare",
                    help="Off: the chosen model's own backtest. On: every model side by side "
                         "(and the truth on the demo city); slow the first time, then cached.")

try:
    cube = ui.hotspot_cube(key, cell_size, freq, heads)
    with st.status("Scoring the next period and backtesting...", expanded=False) as status:
        auto = model == "auto"
        # the fast models' backtest (shared by every crime-head filter) chooses the default and
        # says whether the learned count model beats the baselines
        best, fast_bt, wider = ui.best_fast_model(key, cell_size, freq, heads, weeks, coverage)
        model = best if auto else model
        risk = ui.hotspot_risk(key, cell_size, freq, heads, model)
        if compare:
            bt = ui.hotspot_backtest(key, cell_size, freq, heads, weeks)
        elif not wider and model in ui.FAST_MODELS:  # that backtest is of this very view
            bt = fast_bt
        else:
            bt = ui.hotspot_backtest(key, cell_size, freq, heads, weeks, (model,))
        status.update(label="Scored and backtested.", state="complete")
except ValueError as exc:  # crimekit's errors say what to change
    st.warning(ui.message(exc))
    st.stop()

k = n_flagged(len(risk), coverage)
top = risk.head(k)
summary = bt.summary
chosen = summary[(summary["model"] == model) & np.isclose(summary["coverage"], coverage)]
per = bt.per_period[(bt.per_period["model"] == model)
                    & np.isclose(bt.per_period["coverage"], coverage)]
lo, hi = np.nanquantile(per["hit_rate"], [0.1, 0.9]) if per["hit_rate"].notna().any() \
    else (np.nan, np.nan)
next_start = cube.start_of(cube.n_periods)[0]
# the comparison the verdict reads: every model when asked for, else the fast models' (with
# the chosen model's own backtest when that is of the same view, e.g. XGBoost)
compared = bt if compare else fast_bt if wider else ui.joined_backtests(fast_bt, bt)
verdict = ui.hotspot_verdict(compared, coverage)
if verdict is not None:
    kind, text = verdict_note(verdict, model, coverage, wider and not compare)
    (st.success if kind == "success" else st.warning)(text)

m1, m2, m3, m4 = st.columns(4)
m1.metric("Next period starts", f"{next_start:%Y-%m-%d %H:%M}" if freq == "S"
          else f"{next_start:%Y-%m-%d}")
m2.metric("Cells flagged", f"{k} of {len(risk):,}")
m3.metric("Expected incidents in them", f"{top['expected'].sum():.1f}",
          help="80% range assuming Poisson counts: "
               f"{ui.poisson_band(top['expected'].sum())[0]:.0f}-"
               f"{ui.poisson_band(top['expected'].sum())[1]:.0f}")
vs_base = verdict is not None and model in LEARNED and (compare or not wider)
m4.metric("Backtested hit rate", percent(chosen["hit_rate"].iloc[0]) if len(chosen) else "n/a",
          delta=f"{(chosen['hit_rate'].iloc[0] - verdict['baseline_value']) * 100:+.1f} points "
                f"vs {label(verdict['baseline'])}" if vs_base and len(chosen) else None,
          help="Share of crimes that fell in the flagged cells, averaged over the backtest's "
               f"periods; 80% of periods were between {percent(lo)} and {percent(hi)}.")
if auto:
    st.caption(f"Model: **{LABEL_OF[model]}**, the best of the fast models (the learned count "
               "model and the baselines) on a backtest of "
               + ("every crime head in this date range and these districts (chosen once for "
                  "every crime-head filter)." if wider else "this view."))
st.caption(f"{LABEL_OF[model]} flags the top {coverage:.1%} of {len(risk):,} cells of "
           f"{cell_size} m. In the backtest it captured {percent(chosen['hit_rate'].iloc[0])} of "
           f"crimes (80% of periods: {percent(lo)} to {percent(hi)}); probabilities are "
           "calibrated on held-out weeks (Brier "
           f"{chosen['brier'].iloc[0]:.3f}).")

left, right = st.columns([3, 2])
with left:
    cells = cube.grid.cells.merge(risk[["cell_id", "probability", "expected", "beat"]],
                                  on="cell_id")
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
    chart_data = summary.assign(area=summary["coverage"] * 100)
    st.altair_chart(alt.Chart(chart_data).mark_line(point=True).encode(
        x=alt.X("area:Q", title="area flagged (%)"),
        y=alt.Y("hit_rate:Q", title="share of crimes captured", axis=alt.Axis(format="%")),
        color=alt.Color("model:N"),
        tooltip=["model", alt.Tooltip("coverage:Q", format=".1%"),
                 alt.Tooltip("hit_rate:Q", format=".1%"), alt.Tooltip("pai:Q", format=".1f"),
                 alt.Tooltip("pei:Q", format=".2f")]), width="stretch")
    at_cov = summary[np.isclose(summary["coverage"], coverage)].sort_values(
        "hit_rate", ascending=False)
    st.dataframe(at_cov.drop(columns="coverage").round(3), hide_index=True, width="stretch")
    ui.download(summary, "hotspot_backtest.csv", "Download the backtest (all coverages)")
    paired = versus_best_baseline(compared, (coverage,), measure="hit_rate")
    if len(paired):
        st.caption("Learned models against the best baseline: hit rates and their difference "
                   "paired week by week, with its standard error"
                   + (" (every crime head)." if wider and not compare else "."))
        st.dataframe(paired.drop(columns=["coverage", "measure"]).round(4), hide_index=True,
                     width="stretch")

st.subheader(f"Top {k} cells for the period from {next_start:%Y-%m-%d}")
table = top[["cell_id", "beat", "probability", "expected", "expected_low", "expected_high"]] \
    .copy()
table.insert(0, "rank", np.arange(1, len(table) + 1))
if model in LEARNED:
    parts, importance = explanations(key, cell_size, freq, heads, model, tuple(top["cell_id"]))
    table["why"] = table["cell_id"].map(in_words(parts))
else:
    importance = None
    table["why"] = f"{LABEL_OF[model]} baseline score"
st.dataframe(table.round(3), hide_index=True, width="stretch")
ui.download(risk.drop(columns=["period_start"]).assign(period_start=next_start),
            "hotspot_risk_next_period.csv", "Download risk for every cell")
if importance is not None:
    what = "share of total gain" if model == "xgboost" else "share of expected crimes"
    with st.expander(f"What the {label(model)} relies on ({what})"):
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
    classes = classes_for(key, cell_size, freq, heads)
    shown = cube.grid.cells.merge(classes, on="cell_id")
    shown["class_level"] = shown["hotspot_class"].map({c: 4 - i for i, c in enumerate(CLASSES)})
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
        counts = pd.crosstab(classes["hotspot_class"], classes["gi_class"])
        st.dataframe(counts, width="stretch")
        ui.download(classes, "hotspot_classes.csv", "Download classes and Gi* per cell")

st.subheader("Crime type at a place")
if st.toggle("Predict the likely crime type at a place", key="hs_crime_type",
             help="Fits a crime-type model and backtests it on the last 26 weeks (a few "
                  "seconds on a large dataset the first time, then cached)."):
    crime_type_section(view, key, cell_size, top, next_start)

ui.limits_note()
