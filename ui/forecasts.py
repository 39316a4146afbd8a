"""Trends, forecasts and alerts: the cached calls the Trends, Overview and Methods pages share."""

from __future__ import annotations


import pandas as pd
import streamlit as st


from crimekit import forecast as F
from crimekit import temporal as T
from crimekit.forecast.alerts import alerts
from crimekit.errors import CrimekitError
from crimekit.schema import freq_for
from ui.data import all_heads_key, dataset, view_of

#: The Trends page's defaults for the forecast and alerts (freq, horizon, the dataset's own
#: holidays, no country, recent weeks, significance).
FORECAST_DEFAULTS = {"freq": "W", "horizon": 8, "city_list": True, "country": None}
ALERT_DEFAULTS = {"recent": 4, "alpha": 0.01}

def series_incidents(key, by=None, series=None):
    """The view's incidents, or one series of them (``by`` == ``series``)."""
    inc = view_of(key).incidents
    return inc if by is None or series in (None, T.ALL) else inc[inc[by] == series]


def holidays_of(key, city_list: bool, country):
    """The holidays the forecasts use: the dataset's own list and/or a country's."""
    parts = []
    ds = dataset(key[0])
    if city_list and len(ds.holidays):
        parts.append(ds.holidays)
    if country:
        first, last = ds.date_range
        parts.append(F.country_holidays(country, range(first.year, last.year + 3)))
    return pd.concat(parts, ignore_index=True) if parts else None


@st.cache_data(show_spinner=False, max_entries=16)
def trend_table(key, by):
    """Change per year of each series (Poisson regression on weekly counts, 95% interval)."""
    inc = series_incidents(key)
    freq = freq_for(inc, "W")[0]  # month-dated data: a trend over months
    counts = T.counts_over_time(inc, freq, by)
    return T.trend_summary(counts, freq)


#: Origins of the quick forecast backtest shown by default (the full one has 13 in a year).
QUICK_ORIGINS = 4


@st.cache_data(show_spinner="Backtesting the forecast...", max_entries=32)
def forecast_backtest(key, by, series, freq, horizon, city_list, country, origins=None):
    """Backtest metrics of one series (None when it is too short to backtest); ``origins``
    keeps only the latest origins (a quicker backtest), None every origin in the last year."""
    table = F.series_table(series_incidents(key, by, series), freq)
    try:
        points = F.backtest(table, F.ForecastSettings(freq=freq, horizon=horizon),
                            holidays=holidays_of(key, city_list, country), origins=origins)
    except CrimekitError:
        return None
    return F.metrics(points).iloc[0]


@st.cache_data(show_spinner=False, max_entries=16)
def _alerts_for(key, by, recent, alpha, city_list, country, _progress=None):
    inc = series_incidents(key)
    freq, _ = freq_for(inc, "W")  # month-dated data: recent months, not weeks
    table = alerts(inc, by=by, freq=freq, recent=recent, alpha=alpha,
                   holidays=holidays_of(key, city_list, country), n_jobs=None,
                   progress=_progress)
    _computed().add(("alerts", key, by, recent, alpha, city_list, country))
    return table


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


def alerts_for(key, by, recent, alpha, city_list, country, _progress=None):
    """Series of ``by`` whose last ``recent`` weeks are above their forecast (Poisson test).

    Alerts by crime head check each head on its own incidents only, so under a crime-head
    filter they are the rows of the every-head alerts (same dates, districts and settings) for
    the chosen heads, whenever those were already computed and the filtered incidents span the
    same days (same weeks). Otherwise they are computed for the view.
    """
    base = all_heads_key(key)
    if (by == "category" and base != key
            and ("alerts", base, by, recent, alpha, city_list, country) in _computed()
            and _same_days(key, base)):
        table = _alerts_for(base, by, recent, alpha, city_list, country)
        return table[table["series"].isin(key[4])].reset_index(drop=True)
    return _alerts_for(key, by, recent, alpha, city_list, country, _progress=_progress)
