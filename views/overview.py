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

import ui
from crimekit.errors import CrimekitError
from crimekit.forecast import AlertSettings
from crimekit.patrol import PlanSettings
from crimekit.hotspots import HotspotSettings

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

label = HotspotSettings.model_label

PERIOD_DAYS = [7, 14, 28, 56, 91]
PERIOD_MONTHS = [1, 3, 6, 12]
#: The Overview's widgets, their defaults and how to read them back from the URL.
CONTROLS = {"p_days": (28, int), "p_months": (1, int),
            "p_beat_alerts": (False, lambda v: v == "1"),
            "p_learned": (False, lambda v: v == "1")}
ALLOWED = {"p_days": PERIOD_DAYS, "p_months": PERIOD_MONTHS}
TOP_CELLS = 10


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
        st.session_state[name] = value if value in ALLOWED.get(name, [value]) else default


def controls_to_url() -> None:
    """Mirror the page's widgets into the URL next to the sidebar's filters."""
    for name, (default, _) in CONTROLS.items():
        value = st.session_state.get(name, default)
        st.query_params[name] = ("1" if value else "0") if isinstance(value, bool) else str(value)


def share_link() -> str:
    """The relative link that reproduces this view (dataset, filters and this page's controls)."""
    pairs = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    return "?" + urlencode(pairs)


#: Relative changes as percentages and p-values readable at any size, in every table here.
CHANGE_FORMATS = {c: st.column_config.NumberColumn(c, format="percent")
                  for c in ("change_vs_previous", "change_vs_last_year")}
CHANGE_FORMATS.update({c: st.column_config.NumberColumn(c, format="%.2g")
                       for c in ("p_rise", "q_rise")})


def section_link(page: str, label: str, icon: str) -> None:
    st.page_link(page, label=label, icon=icon)


# --- blocks ---------------------------------------------------------------------------------------

def unit_of(days, months) -> str:
    """'28 days' or '3 months' / 'month'."""
    if months:
        return "month" if months == 1 else f"{months} months"
    return f"{days} days"


def delta(now, before):
    return None if pd.isna(before) else f"{int(now) - int(before):+,} crimes (then {before:,})"


def period_block(key, days, months) -> None:
    unit = unit_of(days, months)
    st.subheader(f"This period against the last ({unit})")
    whole = ui.comparison(key, days, None, months)
    if not len(whole):
        st.info("No dated crimes to compare.")
        return
    row = whole.iloc[0]
    windows = ui.comparison_windows(key, days, months)
    cur, prev, last = int(row["current"]), row["previous"], row["last_year"]
    m1, m2, m3 = st.columns(3)
    m1.metric(f"This period ({windows.label()})", f"{cur:,}",
              help="Crimes (rows that stand for several are counted as several) in the last "
                   f"{unit} of the selected data.")
    m2.metric(f"Against the previous {unit}", ui.change_label(cur, prev),
              delta=delta(cur, prev), delta_color="inverse")
    m3.metric(f"Against the same {unit} last year", ui.change_label(cur, last),
              delta=delta(cur, last), delta_color="inverse")
    lined_up = "" if months else " (52 weeks earlier, so weekdays line up)"
    st.caption(f"Against the previous {unit}: {ui.comparison_words(cur, prev)}. Against the "
               f"same {unit} last year{lined_up}: {ui.comparison_words(cur, last)}. A change "
               "is tested (exact binomial test: how often a split this lopsided happens when "
               "the underlying rate has not changed) only when both periods lie inside the "
               f"data and the date range and hold at least {ui.MIN_TEST_TOTAL} crimes "
               f"between them; it is a percentage only from {ui.MIN_PERCENT_BASE} crimes "
               "before.")
    by_head = ui.comparison(key, days, "category", months)
    tested = ui.n_tested(by_head)
    with st.expander("Every crime head"):
        heads = ui.plural("crime head", tested)
        st.caption((f"q_rise accounts for the {tested} {heads} tested at once "
                    "(Benjamini-Hochberg): below 0.05, a rise unlikely to be chance even among "
                    "that many. " if tested else "No crime head could be tested. ")
                   + "Empty cells: not comparable, too few crimes to test, or too few for a "
                   "percentage.")
        st.dataframe(by_head.round(3), hide_index=True, width="stretch",
                     column_config=CHANGE_FORMATS)
        ui.download(by_head, "periods_by_crime_head.csv", "Download the comparison by crime head")


def rising_table(key, by, days, months, label) -> None:
    unit = unit_of(days, months)
    tested = ui.n_tested(ui.comparison(key, days, by, months))
    table = ui.rising(key, by, days, months)
    if not tested:
        st.info(f"No {label} could be tested: the previous {unit} lies outside the data or "
                f"the date range, or too few crimes were recorded.")
        return
    if not len(table):
        st.success(f"No {label} rose beyond chance against the previous {unit}, after "
                   f"accounting for the {tested} {ui.plural(label, tested)} tested.")
        return
    shown = table[["group", "current", "previous", "rise", "change_vs_previous", "p_rise",
                   "q_rise"]]
    shown = shown.assign(in_words=[
        f"{ui.comparison_words(c, p)}; q = {q:.3g} after accounting for the {tested} "
        f"{ui.plural(label, tested)} tested" for c, p, q in
        zip(shown["current"], shown["previous"], shown["q_rise"])])
    st.dataframe(shown.rename(columns={"group": label}).round(3), hide_index=True,
                 column_config=CHANGE_FORMATS,
                 width="stretch")
    ui.download(shown, f"rising_{by}.csv", f"Download the rising {label}s")


def rising_block(key, days, months) -> None:
    st.subheader("Rising most")
    st.caption(f"Groups with at least 5 crimes now and a rise against the previous "
               f"{unit_of(days, months)} that chance alone would give less than 5% of the "
               "time, after accounting for every group tested at once (exact test, "
               "Benjamini-Hochberg q-values).")
    left, right = st.columns(2)
    with left:
        st.markdown("**Crime heads**")
        rising_table(key, "category", days, months, "crime head")
    with right:
        area = ui.dataset(key.dataset).meta.get("area_unit") or "beat"
        st.markdown(f"**{ui.plural(area)[:1].upper() + ui.plural(area)[1:]}**")
        if ui.view_of(key).incidents["beat"].astype(str).eq("").all():
            st.info(f"This dataset names no {ui.plural(area)}, so they cannot be compared.")
        else:
            rising_table(key, "beat", days, months, area)
    section_link("views/trends.py", "Trends: patterns, trends per year and forecasts",
                 ":material/trending_up:")


def alerts_table(key, by, label) -> None:
    try:  # the Trends page's default settings, so the result is shared with it
        result = ui.with_progress(f"Checking every {label}...", ui.alerts_for, key,
                                  AlertSettings(by=by))
    except CrimekitError as exc:
        st.info(ui.message(f"No {label} alerts: {exc}"))
        return
    flagged = ui.alert_verdict(result, label)
    if not len(flagged):
        st.caption("Closest to an alert (most incidents above forecast):")
    shown = result.headline()[["series", "observed", "expected", "excess", "p_value", "flagged",
                               "method"]]
    st.dataframe(shown.round(3), hide_index=True, width="stretch")
    ui.download(result.table, f"alerts_by_{by}.csv", f"Download every {label} checked")


def alerts_block(key, months) -> None:
    st.subheader("Alerts: above what was expected")
    a = AlertSettings()
    unit = "months" if months else "weeks"
    st.caption(f"Each series' last {a.recent} {unit} against its forecast from the {unit} "
               f"before (Prophet, or a labelled simpler method for sparse series); flagged when "
               f"a Poisson test gives q < {a.alpha} after accounting for every series tested "
               f"(Benjamini-Hochberg) and at least {a.min_excess:g} crimes above expected.")
    alerts_table(key, "category", "crime head")
    beats_on = st.toggle("Also check every beat", key="p_beat_alerts",
                         help="One forecast per beat: several seconds the first time, then "
                              "cached (and shared with the Trends page).")
    if beats_on:
        alerts_table(key, "beat", "beat")
    section_link("views/trends.py", "Trends: every alert, with its settings",
                 ":material/notifications:")


def hotspot_block(key, months) -> None:
    st.subheader("Top predicted hotspots, next period")
    if not ui.view_of(key).incidents["lat"].notna().any():
        st.info("None of these incidents has coordinates, so no place can be scored.")
        return
    if months:
        st.info("No hot spots for next week: this data's dates are known only to the month, "
                "so weekly risk would pile each month's crimes on its first week.")
        return
    learned = st.toggle("Use XGBoost on counts", key="p_learned",
                        help="Off: the best of the fast models (the learned count model and the "
                             "baselines) on a quick backtest of this data. On: XGBoost with the "
                             "Hotspots page's full backtest (slower the first time).")
    # the Hotspots page's defaults, so the results are shared with it
    settings = HotspotSettings(model="xgboost", compare=True) if learned else HotspotSettings()
    try:
        with st.spinner("Scoring the next week and backtesting..."):
            result = ui.hotspot_result(key, settings)
    except ValueError as exc:  # crimekit's errors say what to change
        st.info(ui.message(f"No hotspot prediction: {exc}"))
        return
    model, coverage, chosen_wider = result.model, settings.coverage, result.wider
    per = result.hit_rates()
    hit = result.hit_rate
    lo, hi = result.hit_range
    k = len(result.top)
    top = result.top.head(TOP_CELLS)
    expected, low, high = result.expected_in_top(len(top))
    start = result.period_start
    m1, m2, m3 = st.columns(3)
    m1.metric("Week from", f"{start:%Y-%m-%d}")
    m2.metric(f"Expected incidents in the top {len(top)} cells", f"{expected:.1f}",
              help=f"80% range assuming Poisson counts: {low:.0f}-{high:.0f}.")
    m3.metric(f"Backtested hit rate, top {coverage:.0%} of cells",
              f"{hit:.1%}" if np.isfinite(hit) else "n/a",
              help=f"Share of crimes that fell in the flagged {k} cells, averaged over the last "
                   f"{len(per)} weeks of held-out data.")
    how = "XGBoost on counts, as asked" if learned else \
        f"the best of the fast models ({', '.join(ui.FAST_MODELS)}) on a backtest of " + \
        ("every crime head in this date range and these districts (shared by every crime-head "
         "filter); its own backtest on this view gives the hit rate" if chosen_wider else
         "this data")
    st.caption(f"Model: **{label(model)}**, {how}. {settings.cell_size} m cells. "
               f"Flagging the top {coverage:.0%} ({k} of {len(result.risk):,} cells) captured "
               f"{hit:.1%} of crimes in the backtest (80% of weeks between {lo:.1%} and "
               f"{hi:.1%}). Expected counts have 80% ranges (Poisson).")
    v = result.verdict
    if v is not None:
        gap = (f"{v.difference * 100:+.1f} points of crimes captured, +/- "
               f"{1.96 * v.se * 100:.1f} (95%, paired over {v.periods} weeks)")
        st.caption(f"{label(v.model)} against the best baseline ({label(v.baseline)}): {gap}."
                   if v.beats else
                   f"No learned model beat the best baseline ({label(v.baseline)}) on this "
                   f"data: the best ({label(v.model)}) was {gap}.")
    table = top[["rank", "cell_id", "beat", "lat", "lon", "probability", "expected",
                 "expected_low", "expected_high"]]
    st.dataframe(table.round(4), hide_index=True, width="stretch")
    ui.download(table, "top_hotspots.csv", "Download the top hotspots")
    section_link("views/hotspots.py", "Hotspots: the map, the learned model, every backtest",
                 ":material/local_fire_department:")


def patrol_block(key) -> None:
    try:
        settings = PlanSettings(station=ui.plan_station())  # today's officers, the usual limits
        plan = ui.patrol_plan(key, settings)
    except CrimekitError as exc:
        st.subheader("The patrol plan")
        st.info(ui.message(f"No plan: {exc}"))
        return
    when = "This month's" if plan.freq == "M" else "This week's"
    st.subheader(f"{when} patrol plan{', ' + plan.station if plan.station else ''}")
    st.markdown(f"**{plan.headline}**")
    st.caption(f"{plan.notes[0]} Expected crimes in {plan.period} across "
               f"{ui.md(plan.scope)}: {plan.total_risk:.0f} (80% range "
               f"{plan.total_risk_low:.0f}-{plan.total_risk_high:.0f}, "
               f"assuming Poisson counts), from {plan.method}, every crime head counted "
               "(the sidebar's crime-head filter narrows the comparisons above, not the plan). "
               + plan.officers_sentence())
    if not plan.has_current:
        st.info("This dataset has no beat duty logs, so today's deployment is unknown and the "
                "plan cannot be compared with it. Import a patrols file on the Data page.")
    elif plan.freq == "M":
        st.caption("No backtest: weekly backtests need dates known to the day.")
    else:
        bt = ui.patrol_backtest(key, settings)
        st.caption(f"Backtest: planned each of the last {bt.weeks} weeks from "
                   f"the data before it, the plan covered {bt.covered['plan']:.0%} of the crime "
                   f"that then occurred, against {bt.covered['current']:.0%} for today's "
                   "deployment.")
    ui.download(plan.table, "patrol_plan.csv", "Download the plan", key="dl_overview_plan")
    section_link("views/patrol.py", "Patrol: set officers and limits, map and print the plan",
                 ":material/local_police:")


# --- page -----------------------------------------------------------------------------------------

st.title("Overview")
view = ui.current_view()
ui.stop_if_empty(view)
key = ui.view_key()
controls_from_url()
precision = ui.data_precision(view.incidents)
months = None
if precision in ("month", "year"):
    months = st.select_slider("Period length (months)", PERIOD_MONTHS, key="p_months",
                              help="This period is the last months of the selected data.")
days = st.select_slider("Period length (days)", PERIOD_DAYS, key="p_days",
                        help="This period is the last days of the selected data.",
                        disabled=months is not None)
station = ui.station_words(key.districts)
st.caption(f"{ui.crime_count(view.incidents):,} crimes - {ui.md(ui.current_filters().describe())}"
           + (f" ({station}: the sidebar's districts)." if station else "."))
st.caption(ui.PRECISION_SENTENCES[precision])
ui.briefing_download()

period_block(key, days, months)
rising_block(key, days, months)
alerts_block(key, months)
hotspot_block(key, months)
patrol_block(key)
controls_to_url()

st.divider()
st.caption(f"Share this view: add `{share_link()}` to this app's address; it keeps the dataset, "
           "the sidebar's filters and this page's settings.")
section_link("views/methods.py", "Methods & limits: how each number is made and how good it is",
             ":material/menu_book:")
ui.limits_note()
