"""Forecasts of crimes per period, their backtests, and alerts when recent counts run above
them.

Layers, bottom up (each module imports only those above it in this list):

- :mod:`~crimekit.forecast.parallel`: run a function over many series;
- :mod:`~crimekit.forecast.series`: count series (``series, ds, y``) from incidents;
- :mod:`~crimekit.forecast.holidays`: a country's holidays, holiday days per period;
- :mod:`~crimekit.forecast.baselines`: the forecaster contract, seasonal naive, recent average;
- :mod:`~crimekit.forecast.prophet`: Prophet for counts, with a calibrated band and fallbacks;
- :mod:`~crimekit.forecast.methods`: fast methods for a panel of series at once;
- :mod:`~crimekit.forecast.spans`: the span of a series to learn from (late records, shifts);
- :mod:`~crimekit.forecast.weighting`: weights and bands from backtest errors;
- :mod:`~crimekit.forecast.combination`: the backtest-weighted combination of the methods;
- :mod:`~crimekit.forecast.settings`: the settings of a run;
- :mod:`~crimekit.forecast.backtest`: rolling-origin backtests and their measures;
- :mod:`~crimekit.forecast.run`: forecast incidents or counted series;
- :mod:`~crimekit.forecast.alerts`: series whose recent counts run above their forecast.
"""

from crimekit.forecast.backtest import (backtest, backtest_series, coverage, mae, mase, metrics,
                                        naive_scale)
from crimekit.forecast.baselines import Forecaster, RecentAverage, SeasonalNaive
from crimekit.forecast.holidays import country_holidays, holidays_per_period
from crimekit.forecast.parallel import run_parallel
from crimekit.forecast.prophet import (METHODS, PROPHET_DEFAULTS, CountForecaster,
                                       fallback_method, fallback_reason, quiet)
from crimekit.forecast.run import forecast, forecast_details, forecast_series
from crimekit.forecast.series import (SEASON, check_precision, parse_date, periods_between,
                                      series_table)
from crimekit.forecast.settings import ForecastSettings
from crimekit.temporal import ALL

#: The columns of the ``forecast`` command's CSV (DESIGN.md).
FORECAST_COLUMNS = ("series", "ds", "yhat", "yhat_lower", "yhat_upper")

__all__ = ["ALL", "FORECAST_COLUMNS", "METHODS", "PROPHET_DEFAULTS", "SEASON", "CountForecaster",
           "ForecastSettings", "Forecaster", "RecentAverage", "SeasonalNaive", "backtest",
           "backtest_series", "check_precision", "country_holidays", "coverage",
           "fallback_method", "fallback_reason", "forecast", "forecast_details",
           "forecast_series", "holidays_per_period", "mae", "mase", "metrics", "naive_scale",
           "parse_date", "periods_between", "quiet", "run_parallel", "series_table"]
