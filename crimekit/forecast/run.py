"""The entry point: :func:`forecast` turns incidents (or a dataset, with its holidays) and a
:class:`ForecastSettings` into a :class:`ForecastResult`. The command line, the Trends page, the
Overview and the Methods page all call it; :func:`forecast_series` does the same for series
already counted (``series, ds, y``)."""

from __future__ import annotations

import pandas as pd

from crimekit.errors import UnusableInputError
from crimekit.forecast.backtest import backtest_series
from crimekit.forecast.combination import PROPHET_MAX_SERIES, combined_forecast, trimmed
from crimekit.forecast.parallel import run_parallel
from crimekit.forecast.prophet import fallback_reason
from crimekit.forecast.result import ForecastResult
from crimekit.forecast.series import (check_horizon, check_precision, periods_between,
                                      series_table)
from crimekit.forecast.settings import ForecastSettings
from crimekit.periods import period_start
from crimekit.schema import Dataset
from crimekit.temporal import check_by, only_series


def forecast(data: Dataset | pd.DataFrame, settings: ForecastSettings = ForecastSettings(), *,
             n_jobs: int | None = 1, progress=None) -> ForecastResult:
    """Forecast crimes per period for the whole area (series "all"), per value of
    ``settings.by``, or for one value of it (``settings.series``).

    ``data`` is a dataset (its own holidays are used when ``settings.city_holidays``) or an
    incidents table. The models see only incidents before ``settings.train_end`` (default:
    all), and the first forecast period is the one containing it (see
    :func:`~crimekit.forecast.series.series_table`). With ``n_jobs`` > 1 (None = all cores),
    many series are fitted in parallel processes; ``progress(done, total)`` is called as they
    finish.
    """
    incidents = data.incidents if isinstance(data, Dataset) else data
    own = data.holidays if isinstance(data, Dataset) else None
    by = check_by(settings.by, "forecast", incidents)
    check_precision(incidents, settings.freq)
    if settings.series is not None:
        incidents, by = only_series(incidents, by, settings.series), None
    table = series_table(incidents, settings.freq, by, train_end=settings.train_end)
    if settings.series is not None:
        table["series"] = settings.series
    when = incidents["occurred_at"]
    last = settings.train_end if settings.train_end is not None else when.max()
    holidays = settings.holidays(own, when.min(), settings.forecast_end(last)) \
        if len(when) else None
    first = None if settings.train_end is None else period_start(settings.train_end,
                                                                 settings.freq)
    return forecast_series(table, settings, holidays=holidays, first=first, n_jobs=n_jobs,
                           progress=progress)


def forecast_series(table: pd.DataFrame, settings: ForecastSettings = ForecastSettings(), *,
                    holidays=None, first=None, n_jobs: int | None = 1,
                    progress=None) -> ForecastResult:
    """Forecast every series of a series table (``series, ds, y``; see
    :func:`~crimekit.forecast.series.series_table`) with ``holidays`` (``date, holiday``).

    ``first`` (a period start, default the period after the series end) is the first period
    reported; periods between the series' end and it are forecast but left out.
    """
    check_horizon(settings.horizon, "forecast_series")
    if not len(table):
        raise UnusableInputError("There is no series to forecast; widen the filters.")
    skip = 0 if first is None else periods_between(table["ds"].max(), pd.Timestamp(first),
                                                   settings.freq)
    if settings.method == "prophet":
        return _prophet_per_series(table, settings, holidays, skip, n_jobs, progress)
    res = combined_forecast(table, settings.freq, settings.horizon + skip,
                            interval=settings.interval, holidays=holidays,
                            prophet=settings.prophet, n_jobs=n_jobs, progress=progress)
    res = trimmed(res, settings.horizon) if skip else res
    return ForecastResult(settings, table, res.forecast, res.components, res.summary,
                          res.backtest, res.methods, prophet_note(table, settings, res.methods))


def prophet_note(table: pd.DataFrame, settings: ForecastSettings, methods) -> str:
    """Why Prophet is not among the combination's ``methods`` ("" when it is, or when it was
    left out on purpose with ``settings.prophet`` False)."""
    if "prophet" in methods or settings.prophet is False:
        return ""
    n = table["series"].nunique()
    if n > PROPHET_MAX_SERIES and settings.prophet is None:
        return (f"Prophet only runs for up to {PROPHET_MAX_SERIES} series: too slow per series "
                "for a panel")
    if n == 1:
        why = fallback_reason(table["y"], settings.freq)
        return f"Prophet is left out for this series: it has {why}" if why else ""
    return "Prophet is left out: every series is too short or too sparse for it"


def _prophet_per_series(table, settings, holidays, skip, n_jobs, progress) -> ForecastResult:
    """One CountForecaster per series (method prophet), and its backtest when asked."""
    jobs = [(name, part[["ds", "y"]], settings, holidays, settings.horizon + skip)
            for name, part in table.groupby("series", sort=False)]
    out = pd.concat(run_parallel(_forecast_one, jobs, n_jobs, progress), ignore_index=True)
    if skip:
        out = out.groupby("series", sort=False).tail(settings.horizon).reset_index(drop=True)
    summary = out.groupby("series", sort=False)[["method", "reason"]].first().reset_index()
    points = pd.DataFrame()
    if settings.backtest:
        points = backtest_series(table, settings, holidays=holidays, n_jobs=n_jobs)
    components = pd.DataFrame({"series": [], "ds": [], "method": [], "yhat": []})
    return ForecastResult(settings, table, out, components, summary, points,
                          tuple(dict.fromkeys(out["method"])))


def _forecast_one(name, history, settings, holidays, horizon):
    model = settings.model(holidays).fit(history)
    out = model.predict(horizon)
    out.insert(0, "series", name)
    out["reason"] = model.reason_
    return out
