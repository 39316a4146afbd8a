"""Forecasts of crimes per period, their backtests, and alerts when recent counts run above
them.

Two entry points, which the command line and every page call:

- :func:`forecast` ``(incidents or dataset, ForecastSettings) -> ForecastResult``: the forecast
  table (``yhat`` and its 80% band ``low``/``high``; ``yhat_lower``/``yhat_upper`` in the
  ``forecast`` command's CSV, as DESIGN.md fixes), every method's forecast and weight, the
  backtest per series, what was left out of the history and why, the method used;
- :func:`check_alerts` ``(incidents or dataset, AlertSettings) -> AlertResult``: the series
  whose recent counts are significantly above their forecast.

Layers, bottom up (each module imports only modules above it in this list):

- :mod:`~crimekit.forecast.parallel`: run a function over many series;
- :mod:`~crimekit.forecast.series`: count series (``series, ds, y``) from incidents;
- :mod:`~crimekit.forecast.holidays`: a country's holidays, holiday days per period;
- :mod:`~crimekit.forecast.baselines`: the forecaster contract, seasonal naive, recent average;
- :mod:`~crimekit.forecast.prophet`: Prophet for counts, with a calibrated band and fallbacks;
- :mod:`~crimekit.forecast.methods`: fast methods for a panel of series at once;
- :mod:`~crimekit.forecast.spans`: the span of a series to learn from (late records, shifts);
- :mod:`~crimekit.forecast.weighting`: weights and bands from backtest errors;
- :mod:`~crimekit.forecast.combination`: the backtest-weighted combination of the methods;
- :mod:`~crimekit.forecast.settings`: :class:`ForecastSettings`, :class:`AlertSettings`;
- :mod:`~crimekit.forecast.backtest`: the rolling-origin backtest of Prophet, the measures;
- :mod:`~crimekit.forecast.result`: :class:`ForecastResult`;
- :mod:`~crimekit.forecast.run`: :func:`forecast`, :func:`forecast_series`;
- :mod:`~crimekit.forecast.alerts`: :func:`check_alerts`, :class:`AlertResult`.

:mod:`crimekit.temporal` (counts over time, trends, patterns) sits beside this package: it
describes the past, and the series here are counted with it.
"""

from crimekit.forecast.alerts import ALERT_COLUMNS, AlertResult, check_alerts
from crimekit.forecast.backtest import (backtest, backtest_series, coverage, mae, mase, metrics,
                                        naive_scale)
from crimekit.forecast.baselines import Forecaster, RecentAverage, SeasonalNaive
from crimekit.forecast.holidays import COUNTRIES, country_holidays, holidays_per_period
from crimekit.forecast.prophet import (METHODS, PROPHET_DEFAULTS, CountForecaster,
                                       fallback_method, fallback_reason, quiet)
from crimekit.forecast.result import FORECAST_COLUMNS, ForecastResult
from crimekit.forecast.run import forecast, forecast_series
from crimekit.forecast.series import (SEASON, check_precision, parse_date, periods_between,
                                      series_table)
from crimekit.forecast.settings import AlertSettings, ForecastSettings, HolidaySettings

__all__ = ["ALERT_COLUMNS", "COUNTRIES", "FORECAST_COLUMNS", "METHODS", "PROPHET_DEFAULTS",
           "SEASON", "AlertResult", "AlertSettings", "CountForecaster", "ForecastResult",
           "ForecastSettings", "Forecaster", "HolidaySettings", "RecentAverage",
           "SeasonalNaive", "backtest", "backtest_series", "check_alerts", "check_precision",
           "country_holidays", "coverage", "fallback_method", "fallback_reason", "forecast",
           "forecast_series", "holidays_per_period", "mae", "mase", "metrics", "naive_scale",
           "parse_date", "periods_between", "quiet", "series_table"]
