"""Forecasts of incident counts per period, with 80% bands, and the backtests that say how good
they are.

- :class:`CountForecaster` fits Prophet on ``log1p(count)`` (see PROPHET_DEFAULTS for the
  settings and why), and falls back to a simpler, labelled method when a series is too short
  or too sparse for Prophet (:class:`SeasonalNaive` or :class:`RecentAverage`).
- :func:`series_table` turns incidents into regular series (``series, ds, y``), where ``ds`` is
  the period start (days; weeks starting Monday; months).
- :func:`forecast` forecasts one or many series (in parallel processes when there are many).
- :func:`backtest` runs a rolling-origin evaluation over the last year; :func:`metrics`
  summarises it as MAE, MASE and interval coverage, beside the seasonal-naive benchmark.

Prophet and cmdstanpy log every fit to the console; :func:`quiet` silences them, and every fit
here runs inside it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit.periods import check_freq, next_period, period_start
from crimekit.schema import FREQS_FOR_PRECISION, data_precision
from crimekit.temporal import ALL, FREQS, check_by, counts_over_time

#: Seasonal period of the seasonal-naive benchmark: a week of days, a year of weeks or months.
SEASON = {"D": 7, "W": 52, "M": 12}
#: Fewest periods of history Prophet is given; shorter series use a fallback.
MIN_PERIODS = {"D": 56, "W": 26, "M": 18}
#: Fewest periods with at least one incident Prophet is given; sparser series use a fallback.
MIN_NONZERO = 10
#: Rolling-origin backtest over the last year: (test periods, periods between origins).
BACKTEST_WINDOW = {"D": (364, 28), "W": (52, 4), "M": (12, 1)}
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
_YEARLY_ORDER = {"D": 8, "W": 4, "M": 3}
METHODS = ("prophet", "seasonal naive", "recent average")
FORECAST_COLUMNS = ("series", "ds", "yhat", "yhat_lower", "yhat_upper")


# --- quiet Prophet ----------------------------------------------------------------------------

@contextlib.contextmanager
def quiet():
    """Silence Prophet and cmdstanpy while fitting: their loggers, Python-level stdout/stderr
    prints and warnings (Prophet also logs "Importing plotly failed" at import, which is no
    use here). Failures still raise."""
    _import_prophet()  # importing sets Prophet's logger level, so import before turning down
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


def _import_prophet():
    """Import Prophet once, with its "Importing plotly failed" message silenced."""
    with contextlib.redirect_stderr(io.StringIO()):
        logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
        import cmdstanpy  # noqa: F401 - installs its logger
        import prophet  # noqa: F401


@contextlib.contextmanager
def _seeded(seed):
    """Seed numpy's global generator (Prophet samples its bands from it), then restore it."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


# --- holidays ---------------------------------------------------------------------------------

def country_holidays(country: str, years) -> pd.DataFrame:
    """A country's public holidays (``date, holiday``) from the offline ``holidays`` package.

    ``country`` is an ISO code such as "IN", "US" or "GB".
    """
    import holidays as hol
    try:
        days = hol.country_holidays(country, years=list(years))
    except NotImplementedError:
        raise ParameterError.invalid("country", "country_holidays",
                                     "an ISO country code the holidays package knows (e.g. IN)",
                                     country) from None
    out = pd.DataFrame({"date": pd.to_datetime(list(days.keys())),
                        "holiday": [str(v) for v in days.values()]})
    return out.sort_values("date").reset_index(drop=True)


def holidays_per_period(holidays: pd.DataFrame | None, starts, freq: str) -> np.ndarray:
    """How many distinct holiday days fall in each period starting at ``starts``."""
    starts = pd.DatetimeIndex(starts)
    if holidays is None or not len(holidays):
        return np.zeros(len(starts))
    days = pd.DatetimeIndex(pd.to_datetime(holidays["date"]).dt.normalize().unique())
    counts = pd.Series(1, index=period_start(days, freq)).groupby(level=0).sum()
    return counts.reindex(starts, fill_value=0).to_numpy(float)


# --- series -----------------------------------------------------------------------------------

def series_table(incidents: pd.DataFrame, freq: str = "W", by=None, *, train_end=None,
                 top: int | None = None) -> pd.DataFrame:
    """Regular count series ``series, ds, y`` from incidents, complete periods only.

    With ``train_end`` only incidents before it are used, and the series stop before the period
    containing ``train_end`` (that period is the first to forecast; when ``train_end`` is not a
    period start, its part before ``train_end`` is left out rather than shown as a low count).
    When ``train_end`` is after the data ends, the series stop at the data's last complete
    period (the days after the data are unknown, not zero).
    """
    inc = incidents
    end = None
    if train_end is not None:
        cut = parse_date(train_end, "train_end")
        inc = incidents[incidents["occurred_at"] < cut]
        if not len(inc):
            raise UnusableInputError(f"No incidents occurred before --train-end {cut:%Y-%m-%d};"
                                     " choose a later date.")
        end = period_start(cut, freq) - pd.Timedelta(days=1)
        last_day = incidents["occurred_at"].max().normalize()
        end = min(end, last_day) if cut > last_day else end
    counts = counts_over_time(inc, freq, by, end=end, top=top,
                              start=None if end is None else inc["occurred_at"].min())
    counts = counts[counts["complete"]]
    # a period whose reversals outnumber its crimes (their crimes lie outside the data) is 0
    counts = counts.assign(count=counts["count"].clip(lower=0))
    return (counts.rename(columns={"period_start": "ds", "count": "y"})[["series", "ds", "y"]]
            .reset_index(drop=True))


def parse_date(value, name: str) -> pd.Timestamp:
    """``value`` as a Timestamp, or a ParameterError naming ``name`` and the format."""
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ParameterError.invalid(name, "forecast", "a date like 2025-07-07", value) from None


def periods_between(after, first, freq: str) -> int:
    """How many periods start after period ``after`` and before period ``first``."""
    n, nxt = 0, next_period(after, freq)
    while nxt < first:
        n, nxt = n + 1, next_period(nxt, freq)
    return n


def _check_history(history: pd.DataFrame, where: str) -> pd.DataFrame:
    for col in ("ds", "y"):
        if col not in history:
            raise UnusableInputError(f"{where} needs a column {col!r} (period starts 'ds' and "
                                     "counts 'y'); build it with series_table().")
    if not len(history):
        raise UnusableInputError(f"{where} was given an empty series; widen the date range.")
    out = history[["ds", "y"]].copy()
    out["ds"] = pd.to_datetime(out["ds"])
    out["y"] = pd.to_numeric(out["y"]).astype(float)
    return out.sort_values("ds").reset_index(drop=True)


def _future(last_ds, horizon, freq):
    starts = [pd.Timestamp(last_ds)]
    for _ in range(horizon):
        starts.append(next_period(starts[-1], freq))
    return pd.DatetimeIndex(starts[1:])


def _check_horizon(horizon, where):
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ParameterError.invalid("horizon", where, "a whole number >= 1", horizon)


# --- models -----------------------------------------------------------------------------------

class _Base:
    """Shared ``fit``/``predict`` checks. Subclasses implement ``_fit`` and ``_predict``."""

    method = ""

    def fit(self, history: pd.DataFrame):
        """Learn from ``history`` (columns ``ds``, ``y``: one row per period); returns self."""
        check_freq(self.freq, type(self).__name__, allowed=FREQS)
        if hasattr(self, "history_"):
            raise ParameterError(f"This {type(self).__name__} is already fitted; make a new "
                                 "one to fit other data.")
        self.history_ = _check_history(history, f"{type(self).__name__}.fit")
        self.method_ = self.method
        self._fit(self.history_)
        return self

    def predict(self, horizon: int) -> pd.DataFrame:
        """The next ``horizon`` periods: ``ds, yhat, yhat_lower, yhat_upper, expected, method``.

        ``yhat`` is the median forecast (what MAE rewards), ``expected`` the mean (what a
        Poisson test needs), the band holds ``interval`` of the predictive distribution.
        """
        if not hasattr(self, "history_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit() "
                                 "with the history first.")
        _check_horizon(horizon, f"{type(self).__name__}.predict")
        ds = _future(self.history_["ds"].iloc[-1], horizon, self.freq)
        out = self._predict(ds)
        out.insert(0, "ds", ds)
        for col in ("yhat", "yhat_lower", "yhat_upper", "expected"):
            out[col] = np.clip(out[col].to_numpy(float), 0, None)
        out["method"] = self.method_
        return out

    def _quantiles(self):
        a = (1 - self.interval) / 2
        return a, 1 - a


class SeasonalNaive(_Base):
    """Each period gets the count of the same period one season earlier (a week ago for
    days, 52 weeks ago for weeks, 12 months ago for months): the benchmark every forecast must
    beat. The band adds the quantiles of its own past seasonal errors."""

    method = "seasonal naive"

    def __init__(self, *, freq: str = "W", interval: float = 0.8):
        self.freq = freq
        self.interval = interval

    def _fit(self, history):
        m = SEASON[self.freq]
        y = history["y"].to_numpy()
        if len(y) < m:
            raise UnusableInputError(f"Seasonal naive needs at least {m} periods of history; "
                                     f"got {len(y)}.")
        self.season_ = m
        errors = y[m:] - y[:-m] if len(y) > m else np.zeros(1)
        self.error_quantiles_ = np.quantile(errors, self._quantiles())

    def _predict(self, ds):
        y = self.history_["y"].to_numpy()
        steps = np.arange(1, len(ds) + 1)
        point = y[len(y) - self.season_ + (steps - 1) % self.season_]
        low, high = self.error_quantiles_
        return pd.DataFrame({"yhat": point, "yhat_lower": point + low,
                             "yhat_upper": point + high, "expected": point})


class RecentAverage(_Base):
    """The mean of the last season of periods (or all, if shorter), with a Poisson band: the
    honest forecast for a series too short or too sparse for anything seasonal."""

    method = "recent average"

    def __init__(self, *, freq: str = "W", interval: float = 0.8):
        self.freq = freq
        self.interval = interval

    def _fit(self, history):
        self.level_ = float(history["y"].tail(SEASON[self.freq]).mean())

    def _predict(self, ds):
        low, high = stats.poisson.ppf(self._quantiles(), self.level_) if self.level_ > 0 \
            else (0.0, 0.0)
        n = len(ds)
        return pd.DataFrame({"yhat": np.full(n, self.level_), "yhat_lower": np.full(n, low),
                             "yhat_upper": np.full(n, high), "expected": np.full(n, self.level_)})


class CountForecaster(_Base):
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
        if self.transform not in ("log1p", "none"):
            raise ParameterError.invalid("transform", where, "'log1p' or 'none'", self.transform)
        if self.seasonality_mode not in ("additive", "multiplicative"):
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
        order = self.yearly_order or _YEARLY_ORDER[self.freq]
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
        with quiet(), _seeded(self.seed):
            draws = self.model_.predictive_samples(frame)["yhat"]
        counts = np.clip(self._backward(draws), 0, None)
        middle = np.median(draws, axis=1, keepdims=True)
        wide = np.clip(self._backward(middle + self.band_factor_ * (draws - middle)), 0, None)
        rng = np.random.default_rng(self.seed)
        spread = np.round(wide) + rng.uniform(-0.5, 0.5, wide.shape)
        low, high = self._quantiles()
        yhat = np.median(counts, axis=1)
        return pd.DataFrame({"yhat": yhat,
                             "yhat_lower": np.minimum(np.quantile(spread, low, axis=1), yhat),
                             "yhat_upper": np.maximum(np.quantile(spread, high, axis=1), yhat),
                             "expected": counts.mean(axis=1)})

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


# --- many series --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ForecastSettings:
    """What a forecast run needs besides the data; defaults are what a commander would pick."""

    freq: str = "W"
    horizon: int = 8
    interval: float = 0.8
    transform: str = "log1p"
    seasonality_mode: str = "additive"
    changepoint_prior_scale: float = 0.01
    yearly_order: int | None = None
    seed: int = 0
    calibrate: bool = True
    #: "combination" (the backtest-weighted combination of crimekit.combination, default) or
    #: "prophet" (one CountForecaster per series).
    method: str = "combination"

    def model(self, holidays=None) -> CountForecaster:
        """A fresh, unfitted forecaster with these settings."""
        return CountForecaster(freq=self.freq, interval=self.interval, holidays=holidays,
                               transform=self.transform, seasonality_mode=self.seasonality_mode,
                               changepoint_prior_scale=self.changepoint_prior_scale,
                               yearly_order=self.yearly_order, seed=self.seed,
                               calibrate=self.calibrate)


def _forecast_one(name, history, settings, holidays):
    model = settings.model(holidays).fit(history)
    out = model.predict(settings.horizon)
    out.insert(0, "series", name)
    out["reason"] = model.reason_
    return out


def run_parallel(func, jobs, n_jobs, progress):
    """Run ``func(*job)`` for every job, in ``n_jobs`` processes when it helps; call
    ``progress(done, total)`` as results arrive."""
    total = len(jobs)
    n_jobs = _n_jobs(n_jobs, total)
    results = []
    if n_jobs == 1:
        for i, job in enumerate(jobs):
            results.append(func(*job))
            if progress:
                progress(i + 1, total)
        return results
    from joblib import Parallel, delayed
    runner = Parallel(n_jobs=n_jobs, return_as="generator", batch_size=4)
    for i, res in enumerate(runner(delayed(func)(*job) for job in jobs)):
        results.append(res)
        if progress:
            progress(i + 1, total)
    return results


def _n_jobs(n_jobs, total):
    if n_jobs is None:
        n_jobs = os.cpu_count() or 1
    return max(1, min(int(n_jobs), total if total >= 8 else 1))


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
    _check_horizon(settings.horizon, "forecast_series")
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
    :class:`crimekit.combination.CombinedForecast`. ``first`` as in :func:`forecast_series`;
    ``prophet`` None = Prophet joins the combination for a few series only."""
    from crimekit.combination import trimmed, combined_forecast
    _check_horizon(settings.horizon, "forecast_details")
    if not len(table):
        raise UnusableInputError("There is no series to forecast; widen the filters.")
    skip = 0 if first is None else periods_between(table["ds"].max(), pd.Timestamp(first),
                                                   settings.freq)
    result = combined_forecast(table, settings.freq, settings.horizon + skip,
                               interval=settings.interval, holidays=holidays, prophet=prophet,
                               n_jobs=n_jobs, progress=progress)
    return trimmed(result, settings.horizon) if skip else result


def check_precision(incidents: pd.DataFrame, freq: str) -> None:
    """Refuse a period finer than the incidents' dates allow (month-dated data: months only)."""
    precision = data_precision(incidents)
    if freq not in FREQS_FOR_PRECISION.get(precision, ()) and precision in ("month", "year"):
        raise UnusableInputError(f"These incidents are dated to the {precision} only, so they "
                                 "can be forecast by month only (--freq M)."
                                 if precision == "month" else
                                 "These incidents are dated to the year only, too coarse for "
                                 "a forecast by day, week or month.")


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


# --- backtests and metrics ----------------------------------------------------------------------

def mae(y, yhat) -> float:
    """Mean absolute error."""
    y, yhat = np.asarray(y, float), np.asarray(yhat, float)
    return float(np.mean(np.abs(y - yhat)))


def naive_scale(history_y, season: int) -> float:
    """MASE's denominator: the in-sample MAE of the seasonal-naive forecast, ``mean(|y_t -
    y_{t-season}|)`` over the history (NaN when the history is shorter than a season + 1)."""
    y = np.asarray(history_y, float)
    if len(y) <= season:
        return float("nan")
    return float(np.mean(np.abs(y[season:] - y[:-season])))


def mase(y, yhat, scale) -> float:
    """Mean absolute scaled error: each absolute error divided by its origin's
    :func:`naive_scale`, averaged. Below 1 = better than the in-sample seasonal naive."""
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero scale: an all-zero history
        err = np.abs(np.asarray(y, float) - np.asarray(yhat, float)) / np.asarray(scale, float)
    err = err[np.isfinite(err)]
    return float(err.mean()) if len(err) else float("nan")


def coverage(y, lower, upper) -> float:
    """Share of actuals inside their band (ends included)."""
    y = np.asarray(y, float)
    return float(np.mean((y >= np.asarray(lower, float)) & (y <= np.asarray(upper, float))))


def backtest(history: pd.DataFrame, settings: ForecastSettings = ForecastSettings(), *,
             holidays=None, origins: int | None = None) -> pd.DataFrame:
    """Rolling-origin backtest of one series over its last year.

    For each origin in the last year (every 4 weeks, 28 days or month; ``origins`` caps how
    many, latest first), fit on the periods before it and forecast ``settings.horizon``
    periods. Returns one row per (origin, period): ``origin, ds, step, y, yhat, yhat_lower,
    yhat_upper, naive, scale, method``: ``naive`` is the seasonal-naive forecast from the same
    origin, ``scale`` the origin's :func:`naive_scale` (for MASE).
    """
    hist = _check_history(history, "backtest")
    freq, m = settings.freq, SEASON[settings.freq]
    test, every = BACKTEST_WINDOW[freq]
    starts = [i for i in range(len(hist) - test, len(hist), every) if i >= m + 1]
    if origins is not None:
        starts = starts[::-1][:origins][::-1]
    if not starts:
        raise UnusableInputError(f"A backtest needs more than {test + m} {FREQS[freq][0]}s of "
                                 f"history; this series has {len(hist)}.")
    rows = []
    y = hist["y"].to_numpy()
    for i in starts:
        train = hist.iloc[:i]
        h = min(settings.horizon, len(hist) - i)
        pred = settings.model(holidays).fit(train).predict(h)
        naive = SeasonalNaive(freq=freq).fit(train).predict(h)
        rows.append(pd.DataFrame({
            "origin": hist["ds"].iloc[i], "ds": pred["ds"], "step": np.arange(1, h + 1),
            "y": y[i:i + h], "yhat": pred["yhat"], "yhat_lower": pred["yhat_lower"],
            "yhat_upper": pred["yhat_upper"], "naive": naive["yhat"],
            "scale": naive_scale(y[:i], m), "method": pred["method"]}))
    return pd.concat(rows, ignore_index=True)


def metrics(points: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Summarise :func:`backtest` rows: ``n, mae, mase, coverage, naive_mae, naive_mase,
    relative_mae, method`` (per ``by`` column when given).

    ``relative_mae`` is the forecast's MAE over the seasonal naive's on the same periods:
    below 1 means the forecast beats seasonal naive.
    """
    def one(p):
        return pd.Series({
            "n": len(p), "mae": mae(p["y"], p["yhat"]), "mase": mase(p["y"], p["yhat"], p["scale"]),
            "coverage": coverage(p["y"], p["yhat_lower"], p["yhat_upper"]),
            "naive_mae": mae(p["y"], p["naive"]),
            "naive_mase": mase(p["y"], p["naive"], p["scale"]),
            "relative_mae": mae(p["y"], p["yhat"]) / max(mae(p["y"], p["naive"]), 1e-12),
            "method": ", ".join(sorted(set(p["method"])))})
    if by is None:
        return one(points).to_frame().T.reset_index(drop=True).infer_objects()
    return points.groupby(by, sort=False).apply(one, include_groups=False).reset_index()


def backtest_series(table: pd.DataFrame, settings: ForecastSettings = ForecastSettings(), *,
                    holidays=None, origins: int | None = None, n_jobs: int | None = 1,
                    progress=None) -> pd.DataFrame:
    """:func:`backtest` every series of a :func:`series_table`; rows gain a ``series`` column.
    Series too short to backtest are left out."""
    jobs = [(name, part[["ds", "y"]], settings, holidays, origins)
            for name, part in table.groupby("series", sort=False)]
    done = [r for r in run_parallel(_backtest_one, jobs, n_jobs, progress) if r is not None]
    if not done:
        raise UnusableInputError("No series is long enough to backtest (it needs more than a "
                                 "year and a season of history).")
    return pd.concat(done, ignore_index=True)


def _backtest_one(name, history, settings, holidays, origins):
    try:
        out = backtest(history, settings, holidays=holidays, origins=origins)
    except UnusableInputError:
        return None
    out.insert(0, "series", name)
    return out


__all__ = ["ALL", "CountForecaster", "ForecastSettings", "RecentAverage", "SeasonalNaive",
           "backtest", "backtest_series", "country_holidays", "coverage", "forecast",
           "forecast_series", "holidays_per_period", "mae", "mase", "metrics", "naive_scale",
           "quiet", "series_table", "forecast_details", "check_precision"]
