"""Prophet for incident counts: :class:`CountForecaster` fits Prophet on ``log1p(count)`` (see
PROPHET_DEFAULTS for the settings and why), with a holdout-calibrated band on integer counts,
and falls back to a simpler, labelled method when a series is too short or too sparse for
Prophet (:class:`~crimekit.forecast.baselines.SeasonalNaive` or
:class:`~crimekit.forecast.baselines.RecentAverage`).

Prophet and cmdstanpy log every fit to the console; :func:`quiet` silences them, and every fit
here runs inside it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit.forecast.baselines import Forecaster, RecentAverage, SeasonalNaive
from crimekit.forecast.holidays import holidays_per_period
from crimekit.forecast.series import SEASON, future_starts
from crimekit.temporal import FREQS

#: Fewest periods of history Prophet is given; shorter series use a fallback.
MIN_PERIODS = {"D": 56, "W": 26, "M": 18}
#: Fewest periods with at least one incident Prophet is given; sparser series use a fallback.
MIN_NONZERO = 10
#: Periods held out at the end of the history to calibrate Prophet's band (see
#: CountForecaster's ``calibrate``): half a year of weeks, about 15 weeks of days, a year of
#: months.
HOLDOUT = {"D": 104, "W": 26, "M": 12}

#: Prophet's settings, chosen on backtests of the demo city and of real weekly series
#: (bench/bench_forecast.py):
#: - model log1p(count): counts are skewed and their spread grows with their level; on the log
#:   scale an additive season is a multiplicative one on counts, the noise is closer to
#:   Gaussian, and the back-transformed median never goes below zero.
#: - additive seasonality (on the log scale, see above).
#: - changepoint_prior_scale 0.01 (Prophet's default is 0.05): crime levels drift slowly, and a
#:   flexible trend chases noise at the end of sparse series and extrapolates it.
#: - yearly Fourier order 4 for weekly/monthly data (Prophet's 10 overfits 2-3 years of weekly
#:   counts); 8 for daily; weekly seasonality only for daily data.
PROPHET_DEFAULTS = {"transform": "log1p", "seasonality_mode": "additive",
                    "changepoint_prior_scale": 0.01, "yearly_order": None}
TRANSFORMS = ("log1p", "none")
SEASONALITY_MODES = ("additive", "multiplicative")
YEARLY_ORDER = {"D": 8, "W": 4, "M": 3}
#: What a CountForecaster forecasts by: Prophet, or the fallback it names.
METHODS = ("prophet", "seasonal naive", "recent average")


# --- quiet Prophet ----------------------------------------------------------------------------

@contextlib.contextmanager
def quiet():
    """Silence Prophet and cmdstanpy while fitting: their loggers, Python-level stdout/stderr
    prints and warnings (Prophet also logs "Importing plotly failed" at import, which is no
    use here). Failures still raise."""
    import_prophet()  # importing sets Prophet's logger level, so import before turning down
    loggers = [logging.getLogger(n) for n in ("cmdstanpy", "prophet", "prophet.plot")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    sink = io.StringIO()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(sink), \
                contextlib.redirect_stderr(sink):
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def import_prophet():
    """Import Prophet once, with its "Importing plotly failed" message silenced."""
    with contextlib.redirect_stderr(io.StringIO()):
        logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
        import cmdstanpy  # noqa: F401 - installs its logger
        import prophet  # noqa: F401


@contextlib.contextmanager
def seeded(seed):
    """Seed numpy's global generator (Prophet samples its bands from it), then restore it."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


# --- the forecaster ---------------------------------------------------------------------------

class CountForecaster(Forecaster):
    """Prophet for incident counts, with a labelled fallback for short or sparse series.

    Parameters
    ----------
    freq : "D", "W" or "M"; ``ds`` in the history are period starts of this resolution.
    interval : width of the band (0.8 = 80%).
    holidays : DataFrame ``date, holiday`` (the city's list and/or a country's) or None. Daily
        series get Prophet holiday effects; weekly and monthly ones a regressor counting the
        holiday days in each period.
    transform : "log1p" (default) or "none": the scale Prophet is fitted on.
    seasonality_mode, changepoint_prior_scale : passed to Prophet (see PROPHET_DEFAULTS).
    yearly_order : Fourier order of the yearly season (None = by resolution).
    samples : predictive samples drawn for the band and the mean.
    seed : seeds the band's sampling.
    calibrate : widen Prophet's band to its held-out errors (default True). Prophet's band is
        its in-sample noise on the log1p scale; it has almost no trend uncertainty at
        changepoint_prior_scale 0.01, so level shifts the trend has not caught make it too
        narrow out of sample (backtest coverage 0.60-0.75 for a nominal 0.80). With
        ``calibrate``, a second Prophet with the same settings is fitted on the history
        without its last HOLDOUT periods and forecasts them; the factor (>= 1) that puts
        ``interval`` of those held-out errors (log1p scale) inside the band widens the
        predictive draws around their median. Only the history is used, nothing after its
        end. Series too short or sparse for a holdout keep the factor 1.

    The band is read from integer counts: each draw is rounded and spread uniformly over
    [-0.5, 0.5] (a randomised PIT), so a low-count band includes 0 when 0 carries its share of
    the probability, rather than stopping at 0.3 incidents. ``yhat`` (the median) and
    ``expected`` (the mean) come from the unwidened draws, so point accuracy is unchanged.

    Attributes
    ----------
    method_ : "prophet", "seasonal naive" or "recent average".
    reason_ : why the fallback was used ("" for Prophet).
    model_ : the fitted Prophet or fallback model.
    band_factor_ : the calibration factor on the band's log-scale spread (1.0 = none).
    """

    method = "prophet"

    def __init__(self, *, freq: str = "W", interval: float = 0.8, holidays=None,
                 transform: str = "log1p", seasonality_mode: str = "additive",
                 changepoint_prior_scale: float = 0.01, yearly_order: int | None = None,
                 samples: int = 300, seed: int = 0, calibrate: bool = True):
        self.freq = freq
        self.interval = interval
        self.holidays = holidays
        self.transform = transform
        self.seasonality_mode = seasonality_mode
        self.changepoint_prior_scale = changepoint_prior_scale
        self.yearly_order = yearly_order
        self.samples = samples
        self.seed = seed
        self.calibrate = calibrate

    def _check_settings(self):
        where = "CountForecaster"
        if not 0 < self.interval < 1:
            raise ParameterError.invalid("interval", where, "a number in (0, 1)", self.interval)
        if self.transform not in TRANSFORMS:
            raise ParameterError.invalid("transform", where, "'log1p' or 'none'", self.transform)
        if self.seasonality_mode not in SEASONALITY_MODES:
            raise ParameterError.invalid("seasonality_mode", where,
                                         "'additive' or 'multiplicative'", self.seasonality_mode)
        if not self.changepoint_prior_scale > 0:
            raise ParameterError.invalid("changepoint_prior_scale", where, "a number > 0",
                                         self.changepoint_prior_scale)

    def _fit(self, history):
        self._check_settings()
        self.reason_ = fallback_reason(history["y"], self.freq)
        if self.reason_:
            self.method_ = fallback_method(history["y"], self.freq)
            cls = SeasonalNaive if self.method_ == "seasonal naive" else RecentAverage
            self.model_ = cls(freq=self.freq, interval=self.interval).fit(history)
            return
        self.model_ = self._prophet(history)
        self.holiday_regressor_ = "holiday_days" in self.model_.extra_regressors
        self.band_factor_ = self._band_factor(history) if self.calibrate else 1.0

    def _prophet(self, history, samples=None):
        """A Prophet with these settings fitted on ``history``."""
        span_days = (history["ds"].iloc[-1] - history["ds"].iloc[0]).days
        order = self.yearly_order or YEARLY_ORDER[self.freq]
        with quiet():
            from prophet import Prophet
            model = Prophet(
                growth="linear", yearly_seasonality=order if span_days >= 700 else False,
                weekly_seasonality=3 if self.freq == "D" else False, daily_seasonality=False,
                seasonality_mode=self.seasonality_mode,
                changepoint_prior_scale=self.changepoint_prior_scale,
                holidays=self._daily_holidays(), interval_width=self.interval,
                uncertainty_samples=self.samples if samples is None else samples)
            frame = self._frame(history)
            frame["y"] = self._forward(history["y"].to_numpy())
            if self._use_regressor(frame):
                model.add_regressor("holiday_days")
            return model.fit(frame)

    def _band_factor(self, history):
        """How much wider than Prophet's own band its held-out errors need the band to be
        (>= 1): refit without the last HOLDOUT periods, forecast them (point forecast) and
        take the ``interval`` quantile of |error| over the band's half-width, both on the
        fitted scale. 1.0 when the rest of the history is too short or sparse for Prophet."""
        hold = HOLDOUT[self.freq]
        train = history.iloc[:-hold]
        if len(history) <= hold or fallback_reason(train["y"], self.freq):
            return 1.0
        model = self._prophet(train, samples=0)
        with quiet():
            point = model.predict(self._frame(history.iloc[-hold:]))["yhat"].to_numpy()
        sigma = float(np.ravel(model.params["sigma_obs"])[0]) * model.y_scale
        if not sigma > 0:
            return 1.0
        half = stats.norm.ppf(0.5 + self.interval / 2) * sigma
        errors = np.abs(self._forward(history["y"].to_numpy()[-hold:]) - point)
        return max(1.0, float(np.quantile(errors, self.interval)) / half)

    def _predict(self, ds):
        if self.method_ != "prophet":
            return self.model_.predict(len(ds)).drop(columns=["ds", "method"])
        frame = self._frame(pd.DataFrame({"ds": ds}))
        with quiet(), seeded(self.seed):
            draws = self.model_.predictive_samples(frame)["yhat"]
        counts = np.clip(self._backward(draws), 0, None)
        middle = np.median(draws, axis=1, keepdims=True)
        wide = np.clip(self._backward(middle + self.band_factor_ * (draws - middle)), 0, None)
        rng = np.random.default_rng(self.seed)
        spread = np.round(wide) + rng.uniform(-0.5, 0.5, wide.shape)
        low, high = self._quantiles()
        yhat = np.median(counts, axis=1)
        return pd.DataFrame({"yhat": yhat,
                             "low": np.minimum(np.quantile(spread, low, axis=1), yhat),
                             "high": np.maximum(np.quantile(spread, high, axis=1), yhat),
                             "expected": counts.mean(axis=1)})

    def median_path(self, history: pd.DataFrame, horizon: int) -> np.ndarray:
        """Prophet's median forecast (counts, no band) of the ``horizon`` periods after
        ``history`` (``ds, y``), without fitting this forecaster: a Prophet with these settings
        and no predictive samples, for methods that only need a point forecast."""
        self._check_settings()
        model = self._prophet(history, samples=0)
        future = future_starts(history["ds"].iloc[-1], horizon, self.freq)
        with quiet():
            pred = model.predict(self._frame(pd.DataFrame({"ds": future})))
        return np.clip(self._backward(pred["yhat"].to_numpy()), 0, None)

    def yearly_effect(self, year: int = 2001) -> pd.DataFrame:
        """The yearly season as the fitted Prophet sees it, one row per day of ``year``:
        ``ds, effect``, where effect is the factor on counts (1.2 = 20 % above the year's
        level on the log1p scale; an additive term for ``transform="none"``)."""
        if not hasattr(self, "history_"):
            raise NotFittedError("This CountForecaster is not fitted yet; call fit() first.")
        if self.method_ != "prophet" or "yearly" not in self.model_.seasonalities:
            why = f"; {self.reason_}" if self.reason_ else ""
            raise UnusableInputError(f"This series has no fitted yearly season (method: "
                                     f"{self.method_}{why}).")
        days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
        frame = self._frame(pd.DataFrame({"ds": days}))
        with quiet():
            comp = self.model_.predict(frame.assign(holiday_days=0.0) if self.freq != "D"
                                       else frame)
        yearly = comp["yearly"].to_numpy()
        effect = np.exp(yearly) if self.transform == "log1p" else yearly
        return pd.DataFrame({"ds": days, "effect": effect})

    def _frame(self, df):
        out = pd.DataFrame({"ds": pd.DatetimeIndex(df["ds"])})
        if self.freq != "D":
            out["holiday_days"] = holidays_per_period(self.holidays, out["ds"], self.freq)
        return out

    def _use_regressor(self, frame):
        return self.freq != "D" and frame["holiday_days"].nunique() > 1

    def _daily_holidays(self):
        if self.freq != "D" or self.holidays is None or not len(self.holidays):
            return None
        days = pd.to_datetime(self.holidays["date"]).dt.normalize().unique()
        return pd.DataFrame({"holiday": "holiday", "ds": days})

    def _forward(self, y):
        return np.log1p(y) if self.transform == "log1p" else y

    def _backward(self, y):
        return np.expm1(y) if self.transform == "log1p" else y


def fallback_reason(y, freq: str) -> str:
    """Why a series cannot go to Prophet ("" when it can): too short or too sparse."""
    y = np.asarray(y, float)
    if len(y) < MIN_PERIODS[freq]:
        return (f"only {len(y)} {FREQS[freq][0]}s of history (Prophet needs at least "
                f"{MIN_PERIODS[freq]})")
    nonzero = int((y > 0).sum())
    if nonzero < MIN_NONZERO:
        return (f"only {nonzero} {FREQS[freq][0]}s with any incident (Prophet needs at least "
                f"{MIN_NONZERO})")
    return ""


def fallback_method(y, freq: str) -> str:
    """Seasonal naive when a full season of a not-too-sparse series exists, else the recent
    average (seasonal naive of a mostly-zero series forecasts mostly zeros)."""
    y = np.asarray(y, float)
    return "seasonal naive" if len(y) >= SEASON[freq] and y.mean() >= 1 else "recent average"


def prophet_median(ds, y, horizon: int, freq: str, holidays=None) -> np.ndarray:
    """Prophet's median forecast of the ``horizon`` periods after ``ds[-1]`` from counts ``y``
    (the settings of CountForecaster, no band, no calibration): what the combination
    (:mod:`crimekit.forecast.combination`) weighs. NaN when the series is too short or sparse
    for Prophet (see :func:`fallback_reason`)."""
    if fallback_reason(y, freq):
        return np.full(horizon, np.nan)
    return CountForecaster(freq=freq, holidays=holidays, calibrate=False).median_path(
        pd.DataFrame({"ds": ds, "y": y}), horizon)
