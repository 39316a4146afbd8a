"""Trends, forecasts and alerts: the cached calls the Trends, Overview and Methods pages share.

Each takes the small view key (never a frame) and, for forecasts and alerts, a settings object,
and calls crimekit; nothing here computes. The Methods page and the Overview call them with the
Trends page's default settings, so a result computed on one page is instant on the others.
"""

from __future__ import annotations

import streamlit as st

from crimekit import temporal as T
from crimekit.forecast import COUNTRIES  # noqa: F401 - handed on to the Trends page
from crimekit.forecast import (AlertResult, AlertSettings, ForecastResult, ForecastSettings,
                               check_alerts, forecast)
from ui.data import all_heads_key, view_of

#: Names the Trends page needs from crimekit.temporal: the series that stands for every
#: incident, the weekday and month names its charts sort by.
ALL_SERIES, WEEKDAYS, MONTHS = T.ALL, T.WEEKDAYS, T.MONTHS


def period_name(freq: str) -> str:
    """A resolution in words: "day", "week" or "month"."""
    return T.FREQS[freq][0]


def series_incidents(key, by=None, series=None):
    """The view's incidents, or one series of them (``by`` == ``series``)."""
    return T.only_series(view_of(key).incidents, by, series)


def series_choices(key, by) -> list:
    """The series the Trends page offers for ``by``: all, then each value, busiest first."""
    return T.series_choices(view_of(key).incidents, by)


def forecast_freqs(key) -> tuple:
    """The resolutions the view's incidents can be forecast at (month-dated: months only)."""
    return ForecastSettings.freqs_for(view_of(key).incidents)


@st.cache_data(show_spinner=False, max_entries=16)
def counts_for(key, freq, by, top):
    """Complete periods' counts of the ``top`` busiest series, with their 1-year trend."""
    return T.over_time(series_incidents(key), freq, by, top=top)


@st.cache_data(show_spinner=False, max_entries=16)
def patterns_for(key, by, series, precision):
    """When one series' crimes happen: a crimekit.temporal.Patterns."""
    return T.patterns(series_incidents(key, by, series), precision)


@st.cache_data(show_spinner=False, max_entries=16)
def recent_for(key, by):
    """The last 365 days against the 365 before, per series."""
    return T.recent_change(series_incidents(key), by)


@st.cache_data(show_spinner=False, max_entries=16)
def trend_table(key, by):
    """Change per year of each series (Poisson regression on weekly counts, 95% interval)."""
    return T.yearly_trend(series_incidents(key), by)


@st.cache_data(show_spinner="Fitting and backtesting the forecast...", max_entries=32)
def forecast_for(key, settings: ForecastSettings, _progress=None) -> ForecastResult:
    """The view's forecast with these settings (crimekit.forecast.forecast)."""
    return forecast(view_of(key), settings, n_jobs=None, progress=_progress)


@st.cache_data(show_spinner=False, max_entries=16)
def _alerts_for(key, settings: AlertSettings, _progress=None) -> AlertResult:
    result = check_alerts(view_of(key), settings, n_jobs=None, progress=_progress)
    _computed().add(("alerts", key, settings))
    return result


@st.cache_resource
def _computed() -> set:
    """Which shareable results this server has already computed (so a filter only reuses a
    wider result when that costs nothing)."""
    return set()


def _same_days(key, other) -> bool:
    """Whether two views' incidents start and end on the same days (so their periods, and the
    complete ones among them, are the same)."""
    a, b = view_of(key).incidents["occurred_at"], view_of(other).incidents["occurred_at"]
    return bool(len(a) and len(b) and a.min().normalize() == b.min().normalize()
                and a.max().normalize() == b.max().normalize())


def alerts_for(key, settings: AlertSettings, _progress=None) -> AlertResult:
    """Series of ``settings.by`` whose recent periods are above their forecast.

    Alerts by crime head check each head on its own incidents only, so under a crime-head
    filter they are the rows of the every-head alerts (same dates, districts and settings) for
    the chosen heads, whenever those were already computed and the filtered incidents span the
    same days (same weeks); their q-values then account for every head. Otherwise they are
    computed for the view.
    """
    base = all_heads_key(key)
    if (settings.by == "category" and base != key
            and ("alerts", base, settings) in _computed() and _same_days(key, base)):
        heads = view_of(key).incidents["category"].unique()
        return _alerts_for(base, settings).only(heads)
    return _alerts_for(key, settings, _progress=_progress)


def alert_verdict(result: AlertResult, label: str):
    """Show how many series are significantly above forecast in the alerts' window; return the
    flagged rows. ``label`` names one series ("crime head", "beat")."""
    show = st.warning if len(result.flagged) else st.success
    show(result.verdict(label))
    return result.flagged
