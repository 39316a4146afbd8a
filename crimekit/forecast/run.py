"""Forecast incidents per period: the series of an incidents table, or series already
counted, by the backtest-weighted combination (default) or one Prophet per series."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.forecast.combination import combined_forecast, trimmed
from crimekit.forecast.parallel import run_parallel
from crimekit.forecast.series import (check_horizon, check_precision, parse_date,
                                      periods_between, series_table)
from crimekit.forecast.settings import ForecastSettings
from crimekit.periods import check_freq, period_start
from crimekit.temporal import FREQS, check_by


def _forecast_one(name, history, settings, holidays):
    model = settings.model(holidays).fit(history)
    out = model.predict(settings.horizon)
    out.insert(0, "series", name)
    out["reason"] = model.reason_
    return out


def forecast_series(table: pd.DataFrame, settings: ForecastSettings = ForecastSettings(), *,
                    holidays=None, n_jobs: int | None = 1, progress=None,
                    first=None) -> pd.DataFrame:
    """Forecast every series of a :func:`series_table`: ``series, ds, yhat, yhat_lower,
    yhat_upper, expected, method, reason``, one row per (series, future period).

    ``first`` (a period start, default the period after the series end) is the first period
    reported; periods between the series' end and it are forecast but left out.
    With ``n_jobs`` > 1 (None = all cores) and 8 or more series, series are fitted in parallel
    processes; ``progress(done, total)`` is called as each finishes.
    """
    check_horizon(settings.horizon, "forecast_series")
    if not len(table):
        raise UnusableInputError("There is no series to forecast; widen the filters.")
    if settings.method == "combination":
        return forecast_details(table, settings, holidays=holidays, n_jobs=n_jobs,
                                progress=progress, first=first).forecast
    if settings.method != "prophet":
        raise ParameterError.invalid("method", "forecast_series", "'combination' or 'prophet'",
                                     settings.method)
    skip = 0 if first is None else periods_between(table["ds"].max(), pd.Timestamp(first),
                                                   settings.freq)
    run = replace(settings, horizon=settings.horizon + skip)
    jobs = [(name, part[["ds", "y"]], run, holidays)
            for name, part in table.groupby("series", sort=False)]
    out = pd.concat(run_parallel(_forecast_one, jobs, n_jobs, progress), ignore_index=True)
    if skip:
        out = out.groupby("series", sort=False).tail(settings.horizon).reset_index(drop=True)
    return out


def forecast_details(table: pd.DataFrame, settings: ForecastSettings = ForecastSettings(), *,
                     holidays=None, n_jobs: int | None = 1, progress=None, first=None,
                     prophet: bool | None = None):
    """The combination's forecast of every series of a :func:`series_table` with everything
    behind it (components, weights, spans, backtest): a
    :class:`crimekit.forecast.combination.CombinedForecast`. ``first`` as in :func:`forecast_series`;
    ``prophet`` None = Prophet joins the combination for a few series only."""
    check_horizon(settings.horizon, "forecast_details")
    if not len(table):
        raise UnusableInputError("There is no series to forecast; widen the filters.")
    skip = 0 if first is None else periods_between(table["ds"].max(), pd.Timestamp(first),
                                                   settings.freq)
    result = combined_forecast(table, settings.freq, settings.horizon + skip,
                               interval=settings.interval, holidays=holidays, prophet=prophet,
                               n_jobs=n_jobs, progress=progress)
    return trimmed(result, settings.horizon) if skip else result


def forecast(incidents: pd.DataFrame, settings: ForecastSettings = ForecastSettings(), *,
             by=None, train_end=None, holidays=None, n_jobs: int | None = 1,
             progress=None) -> pd.DataFrame:
    """Forecast incidents per period for the whole area (series "all") or per ``by`` value.

    The models see only incidents before ``train_end`` (default: all), and the first forecast
    period is the one containing ``train_end`` (see :func:`series_table`).
    """
    check_freq(settings.freq, "forecast", allowed=FREQS)
    by = check_by(by, "forecast", incidents)
    check_precision(incidents, settings.freq)
    table = series_table(incidents, settings.freq, by, train_end=train_end)
    first = None if train_end is None else period_start(parse_date(train_end, "train_end"),
                                                        settings.freq)
    return forecast_series(table, settings, holidays=holidays, n_jobs=n_jobs, progress=progress,
                           first=first)

