"""The settings of a forecast and of an alerts check: the contract between the pages, the
command line and :mod:`crimekit.forecast`.

Defaults, allowed values and ranges are declared here once (:func:`crimekit.settings.setting`):
the Trends page reads its widgets' ranges and defaults with ``ForecastSettings.spec(...)`` and
``AlertSettings.spec(...)``, the ``forecast`` and ``alerts`` commands their argparse defaults
and choices, and caches key on the (frozen, hashable) objects. Construction refuses a bad value
with the one ``ParameterError`` template.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import pandas as pd

from crimekit.errors import ParameterError
from crimekit.forecast.holidays import check_country, holidays_for
from crimekit.forecast.prophet import (PROPHET_DEFAULTS, SEASONALITY_MODES, TRANSFORMS,
                                       CountForecaster)
from crimekit.forecast.series import parse_date
from crimekit.periods import next_period
from crimekit.schema import FREQS_FOR_PRECISION, data_precision
from crimekit.settings import Settings, setting
from crimekit.temporal import BY_FIELDS, FREQS, check_by

BOOL = (True, False)


@dataclass(frozen=True)
class HolidaySettings(Settings):
    """Which holidays the forecasts use (shared by :class:`ForecastSettings` and
    :class:`AlertSettings`)."""

    city_holidays: bool = setting(
        True, choices=BOOL, label="The dataset's own holidays",
        help="Use the holiday list that came with the dataset: holiday effects for daily "
             "series, holiday days per period for weeks and months (Prophet only).")
    country: str | None = setting(
        None, label="A country's public holidays",
        help="An ISO code such as IN, US or GB: its public holidays (offline, from the holidays "
             "package) are added to the dataset's own.")

    def __post_init__(self):
        super().__post_init__()
        if self.country is not None:
            check_country(self.country, type(self).__name__)

    def holidays(self, own: pd.DataFrame | None, first, last) -> pd.DataFrame | None:
        """The holidays these settings choose: the dataset's ``own`` list and/or the country's
        public holidays from ``first`` to ``last`` (None when there are none)."""
        return holidays_for(own, self.city_holidays, self.country, first, last)


@dataclass(frozen=True)
class ForecastSettings(HolidaySettings):
    """What a forecast run needs besides the data; defaults are what a commander would pick.

    ``by`` splits the incidents into one series per value (None: one series ``all``); with
    ``series`` only that value of a one-field ``by`` is forecast, on its own (as the Trends
    page shows one series). The models see only incidents before ``train_end``, and the first
    forecast period is the one containing it. ``method`` "combination" is the backtest-weighted
    combination of :mod:`crimekit.forecast.combination`; "prophet" fits one
    :class:`~crimekit.forecast.prophet.CountForecaster` per series, with the Prophet settings
    below (see PROPHET_DEFAULTS for why they are what they are).
    """

    freq: str = setting("W", choices=tuple(FREQS), label="Resolution",
                        help="Days, weeks (from Monday) or calendar months.")
    horizon: int = setting(8, low=1, high=104, step=1, label="Horizon",
                           help="How many periods to forecast (up to two years of weeks).")
    interval: float = setting(0.8, low=0.5, high=0.95, label="Band",
                              help="The share of outcomes the band should hold (0.8: the 80% "
                                   "band).")
    by: str | tuple | None = setting(
        None, label="Split by",
        help=f"One series per value of these fields (comma-separated): "
             f"{', '.join(BY_FIELDS)} or area (the finest area the data has); None: one series "
             "for the whole area.")
    series: str | None = setting(None, label="Series",
                                 help="Only this value of 'by' (one field), forecast on its own.")
    train_end: pd.Timestamp | None = setting(
        None, label="Train end", help="Use only incidents before this date; the first forecast "
                                      "period is the one containing it.")
    method: str = setting("combination", choices=("combination", "prophet"), label="Method",
                          help="combination (a backtest-weighted combination of methods) or one "
                               "Prophet per series.")
    prophet: bool | None = setting(
        None, choices=(None, True, False), label="Prophet in the combination",
        help="None: only when there are at most 8 series (it is too slow for a panel).")
    backtest: bool = setting(
        False, choices=BOOL, label="Backtest Prophet",
        help="Method prophet only: also backtest every series from 13 origins over the last "
             "year (the combination always backtests itself).")
    transform: str = setting(PROPHET_DEFAULTS["transform"], choices=TRANSFORMS,
                             label="Prophet's scale")
    seasonality_mode: str = setting(PROPHET_DEFAULTS["seasonality_mode"],
                                    choices=SEASONALITY_MODES, label="Prophet's seasonality")
    changepoint_prior_scale: float = setting(PROPHET_DEFAULTS["changepoint_prior_scale"],
                                             low=1e-4, high=10.0,
                                             label="Prophet's trend flexibility")
    yearly_order: int | None = setting(PROPHET_DEFAULTS["yearly_order"],
                                       label="Prophet's yearly Fourier order",
                                       help="None: by resolution (8 for days, 4 for weeks, 3 for "
                                            "months).")
    seed: int = setting(0, label="Seed", help="Seeds the band's sampling.")
    calibrate: bool = setting(True, choices=BOOL, label="Calibrate Prophet's band",
                              help="Widen Prophet's band to its errors on held-out periods.")

    def __post_init__(self):
        super().__post_init__()
        where = type(self).__name__
        whole_number(self.horizon, "horizon", where, self.spec("horizon"))
        if isinstance(self.by, list):
            object.__setattr__(self, "by", tuple(self.by))
        by = check_by(self.by, where)
        if self.series is not None and not isinstance(by, str):
            raise ParameterError.invalid("series", where, "None unless 'by' names one field",
                                         self.series)
        if self.train_end is not None:
            object.__setattr__(self, "train_end", parse_date(self.train_end, "train_end"))
        if self.yearly_order is not None and not (
                isinstance(self.yearly_order, int) and self.yearly_order >= 1):
            raise ParameterError.invalid("yearly_order", where, "None or a whole number >= 1",
                                         self.yearly_order)

    @property
    def unit(self) -> str:
        """The period in words: "day", "week" or "month"."""
        return FREQS[self.freq][0]

    def model(self, holidays=None) -> CountForecaster:
        """A fresh, unfitted Prophet forecaster with these settings."""
        return CountForecaster(freq=self.freq, interval=self.interval, holidays=holidays,
                               transform=self.transform, seasonality_mode=self.seasonality_mode,
                               changepoint_prior_scale=self.changepoint_prior_scale,
                               yearly_order=self.yearly_order, seed=self.seed,
                               calibrate=self.calibrate)

    def forecast_end(self, last) -> pd.Timestamp:
        """When the forecast ends (the start of the period after it) if the history ends at
        ``last``: how far ahead holidays are needed."""
        end = pd.Timestamp(last)
        for _ in range(self.horizon + 1):
            end = next_period(end, self.freq)
        return end

    @classmethod
    def freqs_for(cls, incidents: pd.DataFrame) -> tuple:
        """The resolutions these incidents can be forecast at: all three for timed or dated
        incidents, months only for month-dated ones, none for year-dated ones."""
        allowed = FREQS_FOR_PRECISION.get(data_precision(incidents), ())
        return tuple(f for f in cls.spec("freq")["choices"] if f in allowed)


@dataclass(frozen=True)
class AlertSettings(HolidaySettings):
    """What an alerts check needs besides the data.

    Each series of ``by`` is forecast (Prophet, :class:`ForecastSettings`' defaults) from the
    periods before its last ``recent`` complete periods; the window's count is tested against
    that forecast (one-sided Poisson), and the series is flagged when its Benjamini-Hochberg
    q-value across the series checked is below ``alpha`` and it is at least ``min_excess``
    crimes above expected. Only incidents before ``end`` count (default: all).
    """

    by: str = setting("beat", choices=BY_FIELDS, label="Check",
                      help="One series per value of this field.")
    freq: str = setting("W", choices=tuple(FREQS), label="Resolution",
                        help="Days, weeks or months (month-dated data is checked by month).")
    recent: int = setting(4, low=1, high=8, step=1, label="Recent weeks",
                          help="The complete periods checked against their forecast.")
    alpha: float = setting(0.01, choices=(0.001, 0.01, 0.05), label="Significance",
                           help="Flag when the q-value (after accounting for every series "
                                "checked) is below this.")
    min_excess: float = setting(3.0, low=0.0, high=1000.0, label="Fewest crimes above expected",
                                help="A flag needs at least this many crimes above expected.")
    end: pd.Timestamp | None = setting(None, label="End",
                                       help="Look only at incidents before this date.")

    def __post_init__(self):
        super().__post_init__()
        whole_number(self.recent, "recent", type(self).__name__, self.spec("recent"))
        if self.end is not None:
            object.__setattr__(self, "end", parse_date(self.end, "end"))

    def forecast_settings(self, freq: str | None = None) -> ForecastSettings:
        """The settings of the forecasts the window is tested against."""
        return ForecastSettings(freq=freq or self.freq, horizon=self.recent,
                                city_holidays=self.city_holidays, country=self.country)


def whole_number(value, name: str, where: str, spec: dict) -> None:
    """Refuse a value that is not a whole number (the range is checked by the field)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError.invalid(name, where,
                                     f"a whole number in [{spec['low']}, {spec['high']}]", value)
