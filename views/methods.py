"""Methods & limits: what each model does, how good it was on the loaded data, where the data
came from, and what recorded crime cannot tell.

Accuracy comes from the same shared cached calls (ui) as the pages that show each model, with
those pages' default settings, so a backtest computed here is instant there and vice versa. The
slow backtests (hotspot models, crime type) wait for a button; the rest take about a second.
"""

import numpy as np
import pandas as pd
import streamlit as st

import ui
from crimekit.errors import CrimekitError
from crimekit.forecast import ForecastSettings
from crimekit.patrol import PlanSettings
from crimekit.hotspots import HotspotSettings

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

COVERAGE = HotspotSettings().coverage  # hotspot hit rates: the Hotspots page's default area
REOFFENDING_MONTHS = 12  # the Profiles page's default horizon
COMPUTED = "methods_computed"  # session flag: the slow backtests were asked for

MODELS = {
    "Temporal trends": (
        "Counts per week, hour x weekday and month. 'Is it going up?' is a Poisson regression of "
        "weekly counts on time with the months' seasons taken out, so a busy season does not "
        "pass for a trend; its 95% interval says whether the change is clear.",
        "views/trends.py"),
    "Forecast (Prophet and fast methods, weighted by backtest)": (
        "For each series: a multi-year seasonal naive, the recent level times the season, "
        "damped-trend smoothing, Theta and, for up to 8 series, Prophet (fitted on "
        "log(1 + count) with a slow trend, a smooth yearly season and the holidays), combined "
        "with weights from the series' own rolling-origin backtest, after leaving out the "
        "periods before consistent recording starts. When seasonal naive (the same period last "
        "season) beat the combination on that backtest it is the forecast, and labelled as "
        "such. The 80% band comes from the backtest's errors.",
        "views/trends.py"),
    "Alerts": (
        "For each crime head, district or beat, the forecast for the last 4 weeks is made from "
        "the weeks before them; a Poisson test asks how likely the recorded total is if the "
        "forecast were right. Flagged below p = 0.01 and at least 3 incidents above expected, so "
        "about 1 series in 100 is flagged by chance when nothing changed.",
        "views/trends.py"),
    "Hotspots (XGBoost and count models, baselines, classes and Gi*)": (
        f"Each {HotspotSettings().cell_size:g} m cell's expected crimes next week. The count model weighs the cell's last 8 "
        "weeks, its last 13 and 52 weeks, all its history, the same for the cells around it and "
        "places of interest, with weights that best explain past counts (Poisson likelihood) "
        "among the cells that rank highest; XGBoost on counts learns corrections on top of it. "
        "Probabilities are calibrated on held-out weeks. Both are backtested against simple "
        "baselines (last period, last year, last 52 weeks, all history, decayed kernel density, "
        "Markov) by refitting every 13 weeks on the past only, and the difference from the best "
        "baseline is paired week by week with its standard error. Hotspot classes (stable, "
        "relative, occasional) and Getis-Ord Gi* describe lasting patterns; they are "
        "descriptions, not predictions.",
        "views/hotspots.py"),
    "Crime type at a place": (
        "For a cell or beat, a shift and a week, the likely mix of crime heads: a multinomial "
        "model on the place's own history, its neighbours', the shift and the season, compared "
        "with the place's plain historical mix on the last 26 weeks.",
        "views/hotspots.py"),
    "Re-offending": (
        "The chance that a person accused before a date is accused again within 12 months: "
        "logistic regression on criminal history only (number, recency and crime heads of past "
        "accusations). Never sex, caste, religion, nationality, age or address. Backtested on "
        "the last complete 12 months; its error rates per group are on the Profiles page.",
        "views/profiles.py"),
    "Patrol plan (linear programme)": (
        "Officers per beat and shift chosen by a linear programme (CBC) that maximises the "
        "expected crime covered, each extra officer in a beat-shift covering less, within the "
        "officers available, the minimum and maximum per beat, the limit on moves and the "
        "fairness cap. Backtest: a plan for each of the last 4 weeks from the data before it.",
        "views/patrol.py"),
}

LIMITS = [
    "**Recorded crime is not all crime.** Every number here learns from what was *recorded*: "
    "it reflects where police already look and what people choose to report, which differs by "
    "crime head (domestic violence, cyber fraud and molestation are under-reported) and by "
    "neighbourhood.",
    "**Patrolling predicted places feeds back.** More officers in a predicted hotspot record "
    "more crime there, which raises its predicted risk next time, even if crime did not move. "
    "Check the plan against last year's pattern, keep a minimum cover in every beat and use the "
    "fairness cap; prefer crimes reported by the public to those found on patrol when judging "
    "whether a plan worked.",
    "**No predictions about protected traits of individuals.** Profiles describe groups, never "
    "a person; names are masked by default. The re-offending model uses criminal history only, "
    "never sex, caste, religion or nationality, and its error rates per group are shown on the "
    "Profiles page so unequal errors are visible. Scores are for prioritising follow-up, never "
    "for a decision about a person.",
    "**Backtests measure the past.** A change in recording practice, boundaries or policy can "
    "make a model that did well last year do worse next month. Bands are 80% intervals, so "
    "about 1 in 5 actual counts falls outside them.",
    "**The demo city is synthetic.** It is generated from known rules (seasons, near-repeat "
    "crime, offenders travelling short distances from home), so models look better on it than "
    "they will on real data, which has missing coordinates, duplicates and recording changes. "
    "Its truth is known, which is how crimekit's tests check the models.",
]


# --- backtests as one table ----------------------------------------------------------------------

def md_escape(text: str) -> str:
    """Escape Markdown's emphasis marks (as in 'Gi*') so they show as written."""
    return text.replace("*", "\\*").replace("_", "\\_")


def row(model, measure, value, compared_with="", baseline=np.nan, note=""):
    return {"model": model, "measure": measure, "value": value, "compared_with": compared_with,
            "baseline_value": baseline, "note": note}


def forecast_rows(key) -> list:
    try:
        result = ui.forecast_for(key, ForecastSettings())  # the Trends page's default
    except CrimekitError as exc:
        return [row("Forecast", "MAE", np.nan, note=f"no forecast: {exc}")]
    s = result.row()
    if not s["origins"]:
        return [row("Forecast", "MAE", np.nan, note="too little history to backtest (it needs "
                    "a season and a half)")]
    where = (f"whole area, {result.settings.unit}ly, {int(s['origins'])} backtest origins (the "
             f"Trends page's forecast); method {s['method']}")
    return [row("Forecast", "MAE", s["mae"], "seasonal naive", s["naive_mae"], where),
            row("Forecast", "MASE", s["mase"], "seasonal naive", s["naive_mase"],
                "below 1 beats last season's value on average"),
            row("Forecast", "80% band coverage", s["coverage"], "nominal",
                result.settings.interval, "alerts rely on these bands being right")]


def trend_rows(key) -> list:
    t = ui.trend_table(key, None)
    if not len(t) or pd.isna(t["change_per_year"].iloc[0]):
        return [row("Temporal trends", "change per year", np.nan, note="too few weeks")]
    r = t.iloc[0]
    return [row("Temporal trends", "change per year (whole area)", r["change_per_year"],
                note=f"95% interval {r['low']:+.1%} to {r['high']:+.1%}: {r['direction']} "
                     "(a description, not a prediction)")]


def reoffending_rows(key) -> list:
    bt, _, error = ui.reoffending_backtest(key, REOFFENDING_MONTHS, True)
    if bt is None:
        return [row("Re-offending", "AUC", np.nan, note=f"not backtested: {error}")]
    where = f"{bt.n:,} people accused before {bt.as_of:%d %b %Y}; {bt.base_rate:.0%} re-accused"
    return [row("Re-offending", "AUC", bt.auc, "past count alone", bt.auc_count_only, where),
            row("Re-offending", "Brier score", bt.brier, "everyone at the base rate",
                bt.brier_base_rate, "lower is better")]


def patrol_rows(key) -> list:
    try:
        settings = PlanSettings(station=ui.plan_station())
        if not len(ui.patrol_inputs(key, settings).current):
            return [row("Patrol plan", "crime covered", np.nan,
                        note="needs beat duty logs to compare with today's deployment")]
        bt = ui.patrol_backtest(key, settings)
    except CrimekitError as exc:
        return [row("Patrol plan", "crime covered", np.nan, note=str(exc))]
    return [row("Patrol plan", "share of crime covered", bt.covered["plan"],
                "today's deployment", bt.covered["current"],
                f"last {bt.weeks} weeks, same officers")]


def hotspot_rows(key) -> list:
    settings = HotspotSettings()  # the Hotspots page's defaults, so the backtest is shared
    bt = ui.hotspot_backtest(key, settings)
    at = bt.summary_at(COVERAGE).set_index("model")
    best = bt.best_baseline(COVERAGE, "hit_rate")
    where = f"top {COVERAGE:.0%} of {settings.cell_size} m cells, last {len(bt.periods)} weeks"
    rows = []
    for model, name in (("poisson", "Hotspots (count model)"), ("xgboost", "Hotspots (XGBoost)")):
        gap = bt.paired_difference(model, best, COVERAGE, "hit_rate")
        verdict = "beats" if gap["difference"] > 0 else "does not beat"
        rows += [row(name, f"hit rate, {where}", at.loc[model, "hit_rate"],
                     f"best baseline ({best})", at.loc[best, "hit_rate"],
                     f"{verdict} it: {gap['difference'] * 100:+.1f} points +/- "
                     f"{gap['se'] * 100:.1f} (1 s.e., paired over {gap['periods']} weeks)"),
                 row(name, "PAI", at.loc[model, "pai"], f"best baseline ({best})",
                     at.loc[best, "pai"], "hit rate / area share"),
                 row(name, "Brier score", at.loc[model, "brier"], f"best baseline ({best})",
                     at.loc[best, "brier"], "lower is better")]
    ceiling = [m for m in at.index if m.startswith("truth")]
    if ceiling:
        rows.append(row("Hotspots (XGBoost)", "hit rate ceiling", at.loc[ceiling[0], "hit_rate"],
                        note="the synthetic city's true rates: no model can do better on "
                             "average"))
    return rows


def crime_type_rows(key) -> list:
    acc = ui.crime_type_accuracy(key, "cell", HotspotSettings()).set_index("method")
    n = int(acc.loc["model", "incidents"])
    return [row("Crime type at a place", "top-1 accuracy", acc.loc["model", "top1_accuracy"],
                "historical mix", acc.loc["historical mix", "top1_accuracy"],
                f"{n:,} incidents in the last 26 weeks"),
            row("Crime type at a place", "log loss", acc.loc["model", "log_loss"],
                "historical mix", acc.loc["historical mix", "log_loss"], "lower is better")]


def slow_rows(key) -> list:
    """The hotspot and crime-type backtests, with progress (cached: instant next time)."""
    rows = []
    steps = [("Backtesting every hotspot model over 13 weeks...", hotspot_rows),
             ("Backtesting the crime-type model over 26 weeks...", crime_type_rows)]
    with st.status("Computing the slower backtests...", expanded=False) as status:
        bar = st.progress(0.0)
        for i, (label, rows_of) in enumerate(steps):
            bar.progress(i / len(steps), text=label)
            try:
                rows += rows_of(key)
            except ValueError as exc:  # crimekit's errors say what is missing
                rows.append(row(label.split(" over")[0].replace("Backtesting ", ""),
                                "not backtested", np.nan, note=str(exc)))
        bar.progress(1.0, text="Done.")
        status.update(label="Backtests computed (cached for later visits).", state="complete")
    return rows


# --- sections ------------------------------------------------------------------------------------

def data_section(name, ds) -> None:
    st.header("Where the data came from")
    first, last = ds.date_range
    span = "no dated incidents" if first is None else f"{first:%d %b %Y} to {last:%d %b %Y}"
    st.markdown(f"Dataset **{ui.md(name)}**: {len(ds.incidents):,} incidents ({span}), "
                f"{len(ds.persons):,} person records, "
                f"{'no beat polygons' if ds.beats is None else f'{len(ds.beats):,} beat polygons'}"
                f", {len(ds.patrols):,} duty-log rows.")
    if name == ui.DEMO:
        st.markdown(f"Synthetic: generated by `crimekit.synth` with seed {ds.meta.get('seed')} "
                    "(no files). The generator's true rates are known, so the hotspot backtest "
                    "can show them as a ceiling.")
        return
    try:
        manifest = ui.store().manifest(name)
    except CrimekitError as exc:
        st.warning(ui.message(f"The store's record of this dataset cannot be read: {exc}"))
        return
    sources = pd.DataFrame(manifest.get("sources", []), columns=["file", "sha256"])
    st.markdown(f"Imported {ui.md(manifest.get('created') or 'at an unknown time')} from "
                f"{len(sources)} file(s); SHA-256 hashes identify each file exactly.")
    st.dataframe(sources, hide_index=True, width="stretch")
    reports = manifest.get("reports", [])
    if reports:
        summary = pd.DataFrame([{"file": r.get("file"), "kind": r.get("kind"),
                                 "format": r.get("preset"), "rows_read": r.get("rows_read"),
                                 "rows_kept": r.get("rows_kept"),
                                 "problems": len(r.get("problems", []))} for r in reports])
        st.markdown("**Validation summary** (details on the Data page)")
        st.dataframe(summary, hide_index=True, width="stretch")
        sources = sources.merge(summary, on="file", how="outer")
    ui.download(sources, "data_sources.csv", "Download the sources and validation summary")


def models_section(key) -> None:
    st.header("What each model does")
    for title, (text, page) in MODELS.items():
        st.markdown(f"**{md_escape(title)}.** {md_escape(text)}")
        st.page_link(page, label=f"See it on the {page[6:-3].title()} page",
                     icon=":material/arrow_forward:")


def accuracy_section(key) -> None:
    st.header("How good each model was on this data")
    st.caption("Backtests: each model is fitted on data before a date and scored on what then "
               "happened, with the settings the pages use by default.")
    with st.spinner("Backtesting the forecast, re-offending and patrol models..."):
        rows = trend_rows(key) + forecast_rows(key) + reoffending_rows(key) + patrol_rows(key)
    st.button("Compute backtests", key="methods_compute", type="primary",
              on_click=st.session_state.__setitem__, args=(COMPUTED, True),
              disabled=bool(st.session_state.get(COMPUTED)),
              help="The hotspot and crime-type backtests refit models many times: up to a "
                   "minute on the demo city the first time, then instant.")
    if st.session_state.get(COMPUTED):
        rows += slow_rows(key)
    else:
        st.info("The hotspot models' and the crime-type model's backtests take a while: press "
                "**Compute backtests** to add them (or open the Hotspots page).")
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"value": st.column_config.NumberColumn(format="%.3f"),
                                "baseline_value": st.column_config.NumberColumn(format="%.3f")})
    ui.download(table, "backtests.csv", "Download the backtests")


def limits_section() -> None:
    st.header("Known limits")
    for text in LIMITS:
        st.markdown(f"- {text}")


# --- page ----------------------------------------------------------------------------------------

st.title("Methods & limits")
st.caption("How each number in crimekit is made, how good it was on the loaded data, where the "
           "data came from and what it cannot tell you.")
view = ui.current_view()
data_section(st.session_state.get("dataset", ui.DEMO), ui.dataset())
models_section(ui.view_key())
if len(view.incidents):
    accuracy_section(ui.view_key())
else:
    st.info("No incidents match the current filters, so nothing can be backtested. Widen the "
            "date range or clear the filters in the sidebar.")
limits_section()
ui.limits_note()
