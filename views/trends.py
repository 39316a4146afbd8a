"""Trends: is crime going up, when does it happen, what to expect next, and what is unusual now."""

import altair as alt
import pandas as pd
import streamlit as st

import ui
from crimekit.errors import CrimekitError
from crimekit.forecast import AlertSettings, ForecastSettings

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

SPLITS = {"Whole area": None, "Crime head": "category", "Major head": "category_group",
          "District": "district", "Beat": "beat"}
#: Resolution labels for the forecast's choices ({"Day": "D", "Week": "W", "Month": "M"}).
RESOLUTIONS = {ui.period_name(f).capitalize(): f for f in ForecastSettings.spec("freq")["choices"]}
ALERT_SPLITS = {"Crime head": "category", "District": "district", "Beat": "beat"}
TOP = 8  # series drawn in the comparison chart
#: Widget defaults, set once through session state (so a preset value never conflicts); the
#: values are the settings classes' defaults.
DEFAULTS = {"tr_freq": ui.period_name(ForecastSettings.spec("freq")["default"]).capitalize(),
            "tr_horizon": ForecastSettings.spec("horizon")["default"],
            "tr_city_holidays": ForecastSettings.spec("city_holidays")["default"],
            "tr_alert_weeks": AlertSettings.spec("recent")["default"],
            "tr_alpha": AlertSettings.spec("alpha")["default"]}


# --- charts -------------------------------------------------------------------------------------

#: Readable numbers in tables: tiny p-values as "1.2e-15", means to one decimal.
P_FORMATS = {"p_value": st.column_config.NumberColumn("p_value", format="%.2g"),
             "mean_per_period": st.column_config.NumberColumn("mean_per_period", format="%.1f"),
             "change": st.column_config.NumberColumn("change", format="percent")}


def over_time_chart(counts, unit):
    base = alt.Chart(counts).encode(x=alt.X("period_start:T", title=unit.capitalize(),
                                            axis=alt.Axis(format="%b %Y")),
                                    color=alt.Color("series:N", title=None))
    tips = ["series:N", alt.Tooltip("period_start:T", title=f"{unit} from"), "count:Q",
            alt.Tooltip("trend:Q", format=".1f", title="trend (1-year average)")]
    lines = base.mark_line(opacity=0.45).encode(y=alt.Y("count:Q", title=f"Incidents per {unit}"),
                                                tooltip=tips)
    trend = base.mark_line(strokeWidth=3).encode(y="trend:Q", tooltip=tips)
    return (lines + trend).properties(height=320)


def hour_weekday_chart(grid):
    return alt.Chart(grid).mark_rect().encode(
        x=alt.X("hour:O", title="Hour of day"),
        y=alt.Y("day:N", sort=list(ui.WEEKDAYS), title=None),
        color=alt.Color("count:Q", scale=alt.Scale(scheme="orangered"), title="Incidents"),
        tooltip=["day:N", "hour:O", "count:Q", alt.Tooltip("share:Q", format=".1%")],
    ).properties(height=220)


def season_chart(profile):
    return alt.Chart(profile).mark_bar().encode(
        x=alt.X("month_name:N", sort=list(ui.MONTHS), title=None),
        y=alt.Y("index:Q", title="Busier than average (1 = average)"),
        tooltip=["month_name:N", "count:Q", alt.Tooltip("per_day:Q", format=".2f"),
                 alt.Tooltip("index:Q", format=".2f")],
    ).properties(height=220)


def yoy_chart(yoy):
    return alt.Chart(yoy).mark_line(point=True).encode(
        x=alt.X("period:O", title="Month"), y=alt.Y("count:Q", title="Incidents"),
        color=alt.Color("year:N", title="Year"), tooltip=["year:N", "period:O", "count:Q"],
    ).properties(height=220)


def forecast_chart(history, pred, unit):
    recent = history.tail(max(3 * len(pred), 26)).assign(kind="recorded")
    band = alt.Chart(pred).mark_area(opacity=0.25, color="#d95f02").encode(
        x="ds:T", y=alt.Y("low:Q", title=f"Incidents per {unit}"), y2="high:Q",
        tooltip=[alt.Tooltip("ds:T", title=f"{unit} from"),
                 alt.Tooltip("yhat:Q", format=".1f", title="forecast"),
                 alt.Tooltip("low:Q", format=".1f", title="80% band low"),
                 alt.Tooltip("high:Q", format=".1f", title="80% band high")])
    line = alt.Chart(pred).mark_line(color="#d95f02", strokeDash=[5, 3]).encode(
        x="ds:T", y="yhat:Q", tooltip=[alt.Tooltip("ds:T", title=f"{unit} from"),
                                       alt.Tooltip("yhat:Q", format=".1f", title="forecast")])
    past = alt.Chart(recent).mark_line(color="#1b6ca8").encode(
        x=alt.X("ds:T", title=None), y="y:Q",
        tooltip=[alt.Tooltip("ds:T", title=f"{unit} from"), alt.Tooltip("y:Q", title="recorded")])
    return (band + line + past).properties(height=320)


# --- sections -----------------------------------------------------------------------------------

def over_time_section(key, by, freq, unit):
    st.subheader("Over time")
    counts = ui.counts_for(key, freq, by, TOP)
    if not len(counts):
        st.info(f"Not one complete {unit} in this date range; widen it in the sidebar.")
        return
    st.altair_chart(over_time_chart(counts, unit), width="stretch")
    shown = f" (the {TOP} busiest)" if by and counts["series"].nunique() >= TOP else ""
    st.caption(f"Complete {unit}s only{shown}; thick lines are the 1-year centred average.")
    ui.download(counts, f"counts_per_{unit}.csv", f"Download counts per {unit}")
    st.markdown(f"**Is it going up?** Change per year from a Poisson regression on counts per "
                f"{unit}, with the months' seasons taken out (95% interval).")
    trends = ui.trend_table(key, by)
    st.dataframe(ui.plain(trends, {
        "series": "Series", "periods": f"Complete {unit}s", "mean_per_period":
        f"Crimes per {unit}", "change_per_year": "Change per year", "low": "At least",
        "high": "At most", "q_value": "q (after all tests)", "direction": "Verdict"},
        p=("q_value",), percent=("change_per_year", "low", "high"), digits=1),
        hide_index=True, width="stretch")
    st.caption("A change per year needs a year of data and enough crimes; 'up' or 'down' only "
               "when the 95% interval excludes no change after accounting for every series "
               "tested (Benjamini-Hochberg q < 0.05).")
    ui.download(trends, "trend_per_year.csv", "Download the trends")
    recent = ui.recent_for(key, by)
    st.markdown("**Last 365 days against the 365 before** (exact test of equal rates).")
    st.dataframe(ui.plain(recent, {
        "series": "Series", "recent": "Last 365 days", "previous": "365 days before",
        "change": "Change", "q_value": "q (after all tests)", "verdict": "Verdict"},
        p=("q_value",), percent=("change",)), hide_index=True, width="stretch")
    st.caption("A change is a percentage only from 20 crimes in the earlier year and tested "
               "only from 10 in both; 'not comparable' when the earlier year starts before the "
               "data or the date range.")
    ui.download(recent, "last_year_vs_previous.csv", "Download the year-on-year change")


def patterns_section(key, by, series, precision):
    st.subheader(f"When it happens: {ui.md(series)}")
    found = ui.patterns_for(key, by, series, precision)
    if found.hour_weekday is not None:
        st.altair_chart(hour_weekday_chart(found.hour_weekday), width="stretch")
        ui.download(found.hour_weekday, "hour_weekday.csv", "Download hour x weekday counts")
    else:
        st.info(f"No hour x weekday chart: this data's dates are precise to the {precision} "
                "only, so the time of day is not known.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Months** (incidents per day, against the average month)")
        st.altair_chart(season_chart(found.season), width="stretch")
        ui.download(found.season, "month_profile.csv", "Download the month profile")
        if found.busiest_month:
            st.caption(f"Busiest month: {found.busiest_month}.")
    with right:
        st.markdown("**Year over year**")
        st.altair_chart(yoy_chart(found.year_over_year), width="stretch")
        ui.download(found.year_over_year, "year_over_year.csv", "Download year over year")


def forecast_verdict(result):
    """At the top of the page: say plainly when no model beats seasonal naive, and flag a
    backtest that looks like a data problem."""
    if isinstance(result, CrimekitError):
        return
    if result.row()["problem"]:
        st.error(result.row()["problem"])
    if result.naive_note():
        st.warning(result.naive_note())


def forecast_section(series, unit, horizon, result):
    st.subheader(f"Forecast: {ui.md(series)}, next {horizon} {unit}s")
    if isinstance(result, CrimekitError):
        st.info(ui.message(f"No forecast: {result}"))
        return
    pred, row = result.forecast, result.row()
    if row["span_note"]:
        st.info(row["span_note"])
    if result.prophet_note:
        st.caption(f"{result.prophet_note}.")
    chart_col, metric_col = st.columns([3, 1])
    chart_col.altair_chart(forecast_chart(result.history, pred, unit), width="stretch")
    with metric_col:
        st.markdown("**How good is it?**")
        if not row["origins"]:
            st.info(result.backtest_note())
        else:
            st.metric("MAE (incidents)", f"{row['mae']:.1f}", help=f"Mean absolute error of "
                      f"the {row['method']} over the backtest (rolling origins, same horizon).")
            st.metric("Error vs seasonal naive", f"{row['relative_error']:.2f}",
                      help="MAE over seasonal naive's on the same periods; below 1 is better.")
            st.metric("MASE", f"{row['mase']:.2f}",
                      help="MAE scaled by the typical year-on-year change; below 1 is better.")
            if pd.notna(row["coverage"]):
                st.metric("80% band coverage", f"{row['coverage']:.0%}",
                          help="Share of backtest counts inside the band, each origin's band "
                               "drawn from the other origins' errors (nominal 80%).")
            st.caption(result.backtest_note())
    weights = result.weights().rename(
        columns={"relative_error": "backtest error vs seasonal naive"})
    st.markdown("**Components and weights** (from this series' own backtest)")
    st.dataframe(weights.round(3), hide_index=True, width="stretch")
    st.caption("The forecast is the median count of the weighted mean of these methods, weights "
               "from each method's error on rolling forecasts within the history (equal weights "
               "when that backtest is short); the band holds 80% of the combination's own "
               "backtest errors at each horizon. Method: **" + row["method"] + "**.")
    table = pred[["series", "ds", "yhat", "low", "high", "expected", "method"]]
    st.dataframe(table, hide_index=True, width="stretch")
    ui.download(table, "forecast.csv", "Download the forecast")
    ui.download(result.components, "forecast_components.csv",
                "Download every method's forecast")
    ui.limits_note()


def all_series_section(key, by, label, unit, settings):
    if by is None:
        return
    if not st.toggle(f"Forecast every {label.lower()}", key="tr_all",
                     help="Fits one model per series in parallel; cached once done."):
        return
    try:
        result = ui.with_progress(f"Forecasting every {label.lower()}...", ui.forecast_for, key,
                                  settings)
    except CrimekitError as exc:
        st.info(ui.message(exc))
        return
    st.markdown(f"**Every {label.lower()}: next {unit} and the {settings.horizon}-{unit} "
                "total**")
    st.dataframe(result.per_series().round(2), hide_index=True, width="stretch")
    flagged = len(result.problems)
    st.caption(f"Methods that ran: {', '.join(result.methods)}"
               + (f" ({result.prophet_note})" if result.prophet_note else "")
               + (f". {flagged} series flagged as a data problem to check." if flagged else "."))
    ui.download(result.forecast, f"forecast_every_{by}.csv", "Download every forecast")


def alerts_section(key, city_list, country):
    st.subheader("Alerts: above what was expected")
    c1, c2, c3 = st.columns(3)
    label = c1.selectbox("Check", list(ALERT_SPLITS), key="tr_alert_by")
    recent_spec, alpha_spec = AlertSettings.spec("recent"), AlertSettings.spec("alpha")
    recent = c2.slider(recent_spec["label"], recent_spec["low"], recent_spec["high"],
                       key="tr_alert_weeks", help=recent_spec["help"])
    alpha = c3.select_slider(alpha_spec["label"], list(alpha_spec["choices"]), key="tr_alpha",
                             help=alpha_spec["help"])
    settings = AlertSettings(by=ALERT_SPLITS[label], recent=recent, alpha=alpha,
                             city_holidays=city_list, country=country)
    try:
        result = ui.with_progress(f"Checking every {label.lower()}...", ui.alerts_for, key,
                                  settings)
    except CrimekitError as exc:
        st.info(ui.message(f"No alerts: {exc}"))
        return
    ui.alert_verdict(result, label.lower())
    st.dataframe(result.table.round({c: 3 for c in ("expected", "ratio", "excess", "p_value")}),
                 hide_index=True, width="stretch")
    st.caption(f"Expected = the forecast for these {result.unit}s from the {result.unit}s "
               "before them; p-value = chance of at least this many if the forecast were right "
               f"(Poisson). Flagged when its q-value is below the significance level and at "
               f"least {settings.min_excess:g} incidents above expected.")
    ui.download(result.table, "alerts.csv", "Download the alerts")


# --- page ---------------------------------------------------------------------------------------

st.title("Trends")
view = ui.current_view()
ui.stop_if_empty(view)
key = ui.view_key()

c1, c2, c3, c4 = st.columns([1.2, 1.2, 1, 1])
split = c1.selectbox("Split by", list(SPLITS), key="tr_by")
by = SPLITS[split]
if by is not None and by not in view.incidents:
    st.info(f"This dataset has no {split.lower()} column; showing the whole area.")
    split, by = "Whole area", None
choices = ui.series_choices(key, by)
if st.session_state.get("tr_series") not in choices:
    st.session_state["tr_series"] = choices[0] if by is None else choices[min(1, len(choices) - 1)]
series = c2.selectbox("Series", choices, key="tr_series",
                      help="The series the patterns and the forecast are for.")
for name, value in DEFAULTS.items():
    st.session_state.setdefault(name, value)
precision = view.precision
allowed = [r for r, f in RESOLUTIONS.items() if f in ui.forecast_freqs(key)]
if allowed and st.session_state.get("tr_freq") not in allowed:
    st.session_state["tr_freq"] = allowed[-1]
if len(allowed) == 1:
    resolution = allowed[0]
    c3.markdown(f"Resolution: **{resolution}**")
else:
    resolution = c3.select_slider("Resolution", allowed or list(RESOLUTIONS), key="tr_freq",
                                  help=ForecastSettings.spec("freq")["help"])
freq, unit = RESOLUTIONS[resolution], ui.period_name(RESOLUTIONS[resolution])
horizon_spec = ForecastSettings.spec("horizon")
horizon = c4.slider(f"Horizon ({unit}s)", horizon_spec["low"], horizon_spec["high"],
                    key="tr_horizon", help=horizon_spec["help"])
h1, h2 = st.columns(2)
city_list = h1.checkbox(ForecastSettings.spec("city_holidays")["label"], key="tr_city_holidays",
                        disabled=not len(view.holidays),
                        help=ForecastSettings.spec("city_holidays")["help"])
country = ui.COUNTRIES[h2.selectbox(ForecastSettings.spec("country")["label"],
                                    list(ui.COUNTRIES), key="tr_country",
                                    help=ForecastSettings.spec("country")["help"])]
st.caption(f"{view.crimes:,} crimes - {ui.md(ui.current_filters().describe())}.")
if precision == "month":
    st.info("This data is dated to the month only, so counts and forecasts are monthly.")
settings = ForecastSettings(freq=freq, horizon=horizon, city_holidays=city_list, country=country)
one = settings if series == ui.ALL_SERIES else settings.replace(by=by, series=series)
try:
    result = ui.forecast_for(key, one)
except CrimekitError as exc:
    result = exc
forecast_verdict(result)

over_time_section(key, by, freq, unit)
patterns_section(key, by, series, precision)
forecast_section(series, unit, horizon, result)
all_series_section(key, by, split, unit, settings.replace(by=by))
alerts_section(key, city_list, country)
