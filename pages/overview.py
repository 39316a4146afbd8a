"""Overview: the landing page. This period against the last, what is rising, current alerts,
the top predicted hotspots and the patrol plan's headline, each linking to its page.

Every analysis is a shared cached call in ui, so a block computed here is instant on the page
it links to (and the other way round). The page's own controls are mirrored into the URL
(``p_`` parameters), so a shared link reproduces the view.
"""

from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st
from scipy import stats

import ui
from crimekit import overview, patrol
from crimekit.errors import CrimekitError
from crimekit.evaluate import n_flagged
from crimekit.schema import SHIFTS

PERIOD_DAYS = [7, 14, 28, 56, 91]
#: The Overview's widgets, their defaults and how to read them back from the URL.
CONTROLS = {"p_days": (28, int), "p_beat_alerts": (False, lambda v: v == "1"),
            "p_learned": (False, lambda v: v == "1")}
MODEL_LABELS = {"xgboost": "XGBoost on counts (learned)", "poisson": "Count model (learned)",
                "kde": "Kernel density (decayed)", "all-history": "All history",
                "last-52-weeks": "Last 52 weeks", "markov": "Markov transition",
                "last-period": "Last period", "last-year": "Last year"}
COVERAGE = 0.01  # the Hotspots page's default share of the area flagged
TOP_CELLS = 10


# --- cached work only this page needs -------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=16)
def comparison(key, days, by=None):
    """This period, the previous one and last year's, per ``by`` group (or all)."""
    return overview.compare_periods(ui.view_of(key).incidents, days=days, by=by)


@st.cache_data(show_spinner=False, max_entries=16)
def rising(key, by, days):
    """The groups rising most against the previous period, beyond chance."""
    return overview.rising(ui.view_of(key).incidents, by, days=days)


# --- small helpers --------------------------------------------------------------------------------

def controls_from_url() -> None:
    """Seed the page's widgets from the URL once per session (shared links)."""
    for name, (default, read) in CONTROLS.items():
        if name in st.session_state:
            continue
        try:
            value = read(st.query_params[name])
        except (KeyError, ValueError):
            value = default
        st.session_state[name] = value if name != "p_days" or value in PERIOD_DAYS else default


def controls_to_url() -> None:
    """Mirror the page's widgets into the URL next to the sidebar's filters."""
    for name, (default, _) in CONTROLS.items():
        value = st.session_state.get(name, default)
        st.query_params[name] = ("1" if value else "0") if isinstance(value, bool) else str(value)


def share_link() -> str:
    """The relative link that reproduces this view (dataset, filters and this page's controls)."""
    pairs = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    return "?" + urlencode(pairs)


def chance_words(now: int, before: int) -> str:
    """The exact test of a change between two equal-length periods, in plain words."""
    if now == before:
        return "no change"
    direction, p = ("rise", overview.rise_p_value(now, before)) if now > before else \
        ("fall", overview.rise_p_value(before, now))
    if p < 0.01:
        verdict = "very unlikely to be chance"
    elif p < 0.05:
        verdict = "unlikely to be chance"
    else:
        verdict = "that could well be chance"
    return f"a {direction} {verdict} (exact test p = {p:.3f})"


#: Relative changes as percentages and p-values readable at any size, in every table here.
CHANGE_FORMATS = {c: st.column_config.NumberColumn(c, format="percent")
                  for c in ("change_vs_previous", "change_vs_last_year")}
CHANGE_FORMATS["p_rise"] = st.column_config.NumberColumn("p_rise", format="%.2g")


def percent(x) -> str:
    return f"{x:+.1%}" if pd.notna(x) and np.isfinite(x) else "n/a (nothing to compare with)"


def section_link(page: str, label: str, icon: str) -> None:
    st.page_link(page, label=label, icon=icon)


# --- blocks ---------------------------------------------------------------------------------------

def period_block(key, days) -> None:
    st.subheader(f"This period against the last ({days} days)")
    whole = comparison(key, days)
    if not len(whole):
        st.info("No dated incidents to compare.")
        return
    row = whole.iloc[0]
    windows = overview.periods_ending(ui.view_of(key).incidents["occurred_at"].max(), days)
    cur, prev, last = int(row["current"]), int(row["previous"]), int(row["last_year"])
    m1, m2, m3 = st.columns(3)
    m1.metric(f"This period ({windows.label()})", f"{cur:,}",
              help="Incidents in the last days of the selected data.")
    m2.metric(f"Against the previous {days} days", percent(row["change_vs_previous"]),
              delta=f"{cur - prev:+,} incidents (then {prev:,})", delta_color="inverse")
    m3.metric(f"Against the same {days} days last year", percent(row["change_vs_last_year"]),
              delta=f"{cur - last:+,} incidents (then {last:,})", delta_color="inverse")
    st.caption(f"Against the previous {days} days: {chance_words(cur, prev)}. Against the same "
               f"{days} days last year (52 weeks earlier, so weekdays line up): "
               f"{chance_words(cur, last)}. The exact binomial test asks how often a split this "
               "lopsided happens when the underlying rate has not changed.")
    by_head = comparison(key, days, "category")
    with st.expander("Every crime head"):
        st.dataframe(by_head.round(3), hide_index=True, width="stretch",
                     column_config=CHANGE_FORMATS)
        ui.download(by_head, "periods_by_crime_head.csv", "Download the comparison by crime head")


def rising_table(key, by, days, label) -> None:
    table = rising(key, by, days)
    if not len(table):
        st.success(f"No {label} rose beyond chance against the previous {days} days.")
        return
    shown = table[["group", "current", "previous", "rise", "change_vs_previous", "p_rise"]]
    shown = shown.assign(in_words=[chance_words(c, p) for c, p in
                                   zip(shown["current"], shown["previous"])])
    st.dataframe(shown.rename(columns={"group": label}).round(3), hide_index=True,
                 column_config=CHANGE_FORMATS,
                 width="stretch")
    ui.download(shown, f"rising_{by}.csv", f"Download the rising {label}s")


def rising_block(key, days) -> None:
    st.subheader("Rising most")
    st.caption(f"Groups with at least 5 incidents now and a rise against the previous {days} "
               "days that chance alone would give less than 5% of the time (exact test).")
    left, right = st.columns(2)
    with left:
        st.markdown("**Crime heads**")
        rising_table(key, "category", days, "crime head")
    with right:
        st.markdown("**Beats**")
        if ui.view_of(key).incidents["beat"].astype(str).eq("").all():
            st.info("This dataset names no beats, so beats cannot be compared.")
        else:
            rising_table(key, "beat", days, "beat")
    section_link("pages/trends.py", "Trends: patterns, trends per year and forecasts",
                 ":material/trending_up:")


def alerts_table(key, by, label) -> None:
    d, a = ui.FORECAST_DEFAULTS, ui.ALERT_DEFAULTS
    try:
        table = ui.with_progress(f"Checking every {label}...", ui.alerts_for, key, by,
                                 a["recent"], a["alpha"], d["city_list"], d["country"])
    except CrimekitError as exc:
        st.info(f"No {label} alerts: {exc}")
        return
    flagged = ui.alert_verdict(table, label)
    if not len(flagged):
        st.caption("Closest to an alert (most incidents above forecast):")
    shown = (flagged if len(flagged) else table.nlargest(3, "excess"))[
        ["series", "observed", "expected", "excess", "p_value", "flagged", "method"]]
    st.dataframe(shown.round(3), hide_index=True, width="stretch")
    ui.download(table, f"alerts_by_{by}.csv", f"Download every {label} checked")


def alerts_block(key) -> None:
    st.subheader("Alerts: above what was expected")
    a = ui.ALERT_DEFAULTS
    st.caption(f"Each series' last {a['recent']} weeks against its forecast from the weeks "
               f"before (Prophet, or a labelled simpler method for sparse series); flagged when "
               f"a Poisson test gives p < {a['alpha']} and at least 3 incidents above expected.")
    alerts_table(key, "category", "crime head")
    beats_on = st.toggle("Also check every beat", key="p_beat_alerts",
                         help="One forecast per beat: several seconds the first time, then "
                              "cached (and shared with the Trends page).")
    if beats_on:
        alerts_table(key, "beat", "beat")
    section_link("pages/trends.py", "Trends: every alert, with its settings",
                 ":material/notifications:")


def hotspot_block(key) -> None:
    st.subheader("Top predicted hotspots, next period")
    d = ui.HOTSPOT_DEFAULTS
    if not ui.view_of(key).incidents["lat"].notna().any():
        st.info("None of these incidents has coordinates, so no place can be scored.")
        return
    learned = st.toggle("Use XGBoost on counts", key="p_learned",
                        help="Off: the best of the fast models (the learned count model and the "
                             "baselines) on a quick backtest of this data. On: XGBoost with the "
                             "Hotspots page's full backtest (slower the first time).")
    args = (key, d["cell_size"], d["freq"], d["heads"])
    chosen_wider = False
    try:
        with st.spinner("Scoring the next week and backtesting..."):
            if learned:
                bt, model = ui.hotspot_backtest(*args, d["weeks"]), "xgboost"
                verdict = ui.hotspot_verdict(bt, COVERAGE)
            else:
                model, bt, chosen_wider = ui.best_fast_model(*args, d["weeks"])
                verdict = ui.hotspot_verdict(bt, COVERAGE)
                if chosen_wider:  # only the chosen model is backtested on this view
                    bt = ui.hotspot_backtest(*args, d["weeks"], (model,))
            risk = ui.hotspot_risk(*args, model)
    except ValueError as exc:  # crimekit's errors say what to change
        st.info(f"No hotspot prediction: {exc}")
        return
    cube = ui.hotspot_cube(*args)
    per = bt.per_period[(bt.per_period["model"] == model)
                        & np.isclose(bt.per_period["coverage"], COVERAGE)]["hit_rate"].dropna()
    hit = per.mean() if len(per) else np.nan
    lo, hi = np.quantile(per, [0.1, 0.9]) if len(per) else (np.nan, np.nan)
    k = n_flagged(len(risk), COVERAGE)
    top = risk.head(min(k, TOP_CELLS)).merge(cube.grid.cells[["cell_id", "lat", "lon"]],
                                             on="cell_id")
    expected = top["expected"].sum()
    start = cube.start_of(cube.n_periods)[0]
    m1, m2, m3 = st.columns(3)
    m1.metric("Week from", f"{start:%Y-%m-%d}")
    m2.metric(f"Expected incidents in the top {len(top)} cells", f"{expected:.1f}",
              help=f"80% range assuming Poisson counts: {stats.poisson.ppf(0.1, expected):.0f}"
                   f"-{stats.poisson.ppf(0.9, expected):.0f}.")
    m3.metric(f"Backtested hit rate, top {COVERAGE:.0%} of cells",
              f"{hit:.1%}" if np.isfinite(hit) else "n/a",
              help=f"Share of crimes that fell in the flagged {k} cells, averaged over the last "
                   f"{len(per)} weeks of held-out data.")
    how = "XGBoost on counts, as asked" if learned else \
        f"the best of the fast models ({', '.join(ui.FAST_MODELS)}) on a backtest of " + \
        ("every crime head in this date range and these districts (shared by every crime-head "
         "filter); its own backtest on this view gives the hit rate" if chosen_wider else
         "this data")
    st.caption(f"Model: **{MODEL_LABELS.get(model, model)}**, {how}. {d['cell_size']} m cells. "
               f"Flagging the top {COVERAGE:.0%} ({k} of {len(risk):,} cells) captured "
               f"{hit:.1%} of crimes in the backtest (80% of weeks between {lo:.1%} and "
               f"{hi:.1%}). Expected counts have 80% ranges (Poisson).")
    if verdict is not None:
        v = verdict
        gap = (f"{v['difference'] * 100:+.1f} points of crimes captured, +/- "
               f"{1.96 * v['se'] * 100:.1f} (95%, paired over {v['periods']} weeks)")
        st.caption(f"{MODEL_LABELS.get(v['model'], v['model'])} against the best baseline "
                   f"({MODEL_LABELS.get(v['baseline'], v['baseline'])}): {gap}."
                   if v["beats"] else
                   f"No learned model beat the best baseline "
                   f"({MODEL_LABELS.get(v['baseline'], v['baseline'])}) on this data: the best "
                   f"({MODEL_LABELS.get(v['model'], v['model'])}) was {gap}.")
    table = top[["cell_id", "beat", "lat", "lon", "probability", "expected", "expected_low",
                 "expected_high"]]
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    st.dataframe(table.round(4), hide_index=True, width="stretch")
    ui.download(table, "top_hotspots.csv", "Download the top hotspots")
    section_link("pages/hotspots.py", "Hotspots: the map, the learned model, every backtest",
                 ":material/local_fire_department:")


def patrol_block(key) -> None:
    st.subheader("This week's patrol plan")
    try:
        current = ui.patrol_current(key)
        risk = ui.patrol_risk(key, "history")
        defaults = ui.patrol_default_officers(current, risk["beat"].nunique())
        officers = tuple(int(defaults[s]) for s in SHIFTS)
        min_per_beat = 1 if sum(officers) else 0
        plan = ui.patrol_plan(key, "history", officers, min_per_beat, None, None, None, ())
    except CrimekitError as exc:
        st.info(f"No plan: {exc}")
        return
    st.markdown(f"**{patrol.headline(plan)}**")
    total = plan.total_risk
    st.caption(f"Expected incidents this week across all beats: {total:.0f} (80% range "
               f"{stats.poisson.ppf(0.1, total):.0f}-{stats.poisson.ppf(0.9, total):.0f}, "
               "assuming Poisson counts), from decayed recorded history per beat and shift. "
               f"Officers per shift ({', '.join(f'{s} {n}' for s, n in zip(SHIFTS, officers))}) "
               + ("are today's strength from the duty logs." if len(current) else
                  "assume two per beat."))
    if not len(current):
        st.info("This dataset has no beat duty logs, so today's deployment is unknown and the "
                "plan cannot be compared with it. Import a patrols file on the Data page.")
    else:
        bt = ui.patrol_backtest(key, min_per_beat)
        means = bt.groupby("deployment")["covered"].mean()
        st.caption(f"Backtest: planned each of the last {bt['week_start'].nunique()} weeks from "
                   f"the data before it, the plan covered {means['plan']:.0%} of the crime that "
                   f"then occurred, against {means['current']:.0%} for today's deployment.")
    ui.download(plan.table, "patrol_plan.csv", "Download the plan", key="dl_overview_plan")
    section_link("pages/patrol.py", "Patrol: set officers and limits, map and print the plan",
                 ":material/local_police:")


# --- page -----------------------------------------------------------------------------------------

st.title("Overview")
view = ui.current_view()
ui.stop_if_empty(view)
key = ui.view_key()
controls_from_url()
days = st.select_slider("Period length (days)", PERIOD_DAYS, key="p_days",
                        help="This period is the last days of the selected data.")
st.caption(f"{len(view.incidents):,} incidents - {ui.current_filters().describe()}.")

period_block(key, days)
rising_block(key, days)
alerts_block(key)
hotspot_block(key)
patrol_block(key)
controls_to_url()

st.divider()
st.caption(f"Share this view: add `{share_link()}` to this app's address; it keeps the dataset, "
           "the sidebar's filters and this page's settings.")
section_link("pages/methods.py", "Methods & limits: how each number is made and how good it is",
             ":material/menu_book:")
ui.limits_note()
