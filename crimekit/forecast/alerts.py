"""Alerts: beats, crime heads or districts whose recent counts are well above what the forecast
expected.

For each series, the forecaster is fitted on the periods before the recent window and predicts
the window; the window's observed total is tested against the expected total with a one-sided
Poisson test, ``P(X >= observed | mean = expected)``. Many series are tested at once, so each
p-value gets its Benjamini-Hochberg q-value across the series checked; a series is flagged when
its q-value is below ``alpha`` *and* the excess is at least ``min_excess`` incidents (a jump
from 0.2 to 2 is unlikely under Poisson but is not worth a commander's attention).

:func:`check_alerts` takes incidents (or a dataset, with its holidays) and an
:class:`AlertSettings`, and returns an :class:`AlertResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.errors import UnusableInputError
from crimekit.forecast.parallel import run_parallel
from crimekit.forecast.series import series_table
from crimekit.forecast.settings import AlertSettings
from crimekit.periods import next_period
from crimekit.stats import fdr_q_values
from crimekit.schema import Dataset, freq_for
from crimekit.temporal import FREQS, check_by

ALERT_COLUMNS = ("series", "window_start", "window_end", "observed", "expected", "ratio",
                 "excess", "periods_above_band", "p_value", "q_value", "flagged", "method")


@dataclass(frozen=True)
class AlertResult:
    """What an alerts check found (:func:`check_alerts`).

    Attributes
    ----------
    settings : the :class:`AlertSettings` of the check.
    table : one row per series with ALERT_COLUMNS, most unusual first: ``expected`` is the
        forecast's mean for the window (fitted on the periods before it), ``ratio``
        observed/expected, ``excess`` observed - expected, ``periods_above_band`` how many of
        the window's periods were above the 80% band, ``p_value`` the one-sided Poisson test,
        ``q_value`` its Benjamini-Hochberg q-value across the ``tested`` series, ``flagged``
        the verdict.
    freq : the period length checked (month-dated data: "M", whatever ``settings.freq``).
    note : why ``freq`` differs from ``settings.freq`` ("" when it does not).
    tested : how many series the q-values account for.
    """

    settings: AlertSettings
    table: pd.DataFrame
    freq: str
    note: str
    tested: int

    @property
    def unit(self) -> str:
        """The period checked in words ("week")."""
        return FREQS[self.freq][0]

    @property
    def flagged(self) -> pd.DataFrame:
        """The flagged series' rows."""
        return self.table[self.table["flagged"]]

    @property
    def window(self) -> tuple:
        """(first day, last day) of the recent window."""
        return self.table["window_start"].min(), self.table["window_end"].max()

    def verdict(self, label: str) -> str:
        """How many series are significantly above forecast in the window, in one sentence;
        ``label`` names one series ("crime head", "beat")."""
        if not len(self.table):
            return f"No {label} was checked."
        first, last = self.window
        flagged = len(self.flagged)
        tested = f"after accounting for the {self.tested} {label}s tested"
        window = f"{first:%d %b} to {last:%d %b %Y}"
        if flagged:
            return (f"{flagged} of {len(self.table)} {label}s had significantly more crimes "
                    f"than forecast in {window}, {tested}.")
        return f"No {label} is significantly above forecast in {window}, {tested}."

    def headline(self, n: int = 3) -> pd.DataFrame:
        """The flagged rows, or the ``n`` closest to an alert (most crimes above expected)
        when none is flagged."""
        flagged = self.flagged
        return flagged if len(flagged) else self.table.nlargest(n, "excess")

    def only(self, series) -> "AlertResult":
        """The rows of these ``series`` only (their q-values still account for every series
        tested)."""
        table = self.table[self.table["series"].isin(list(series))].reset_index(drop=True)
        return replace(self, table=table)


def poisson_exceedance(observed, expected) -> np.ndarray:
    """One-sided p-value ``P(X >= observed)`` for X ~ Poisson(expected), elementwise."""
    observed = np.asarray(observed, float)
    expected = np.clip(np.asarray(expected, float), 1e-9, None)
    return stats.poisson.sf(observed - 1, expected)


def check_alerts(data: Dataset | pd.DataFrame, settings: AlertSettings = AlertSettings(), *,
                 n_jobs: int | None = 1, progress=None) -> AlertResult:
    """Series of ``settings.by`` whose last ``settings.recent`` complete periods exceed the
    forecast (see the module docstring).

    ``data`` is a dataset (its own holidays are used when ``settings.city_holidays``) or an
    incidents table. Month-dated data is checked by month whatever ``settings.freq`` (the
    result's ``freq`` and ``note`` say so). With ``n_jobs`` > 1 (None = all cores) the series
    are fitted in parallel processes; ``progress(done, total)`` is called as they finish.
    """
    incidents = data.incidents if isinstance(data, Dataset) else data
    own = data.holidays if isinstance(data, Dataset) else None
    check_by(settings.by, "alerts", incidents)
    freq, note = freq_for(incidents, settings.freq)
    end = settings.end
    inc = incidents if end is None else incidents[incidents["occurred_at"] < end]
    table = series_table(inc, freq, settings.by, train_end=end)
    if table["ds"].nunique() <= settings.recent:
        raise UnusableInputError(f"Alerts need more than {settings.recent} complete "
                                 f"{FREQS[freq][0]}s of data; widen the date range.")
    forecast = settings.forecast_settings(freq)
    when = inc["occurred_at"]
    holidays = forecast.holidays(own, when.min(), forecast.forecast_end(when.max()))
    jobs = [(name, part[["ds", "y"]], forecast, holidays)
            for name, part in table.groupby("series", sort=False)]
    rows = run_parallel(_check_one, jobs, n_jobs, progress)
    out = pd.DataFrame(rows, columns=[c for c in ALERT_COLUMNS if c not in ("p_value",
                                                                            "q_value",
                                                                            "flagged")])
    out["p_value"] = poisson_exceedance(out["observed"], out["expected"])
    out["q_value"] = fdr_q_values(out["p_value"])
    out["flagged"] = (out["q_value"] < settings.alpha) & (out["excess"] >= settings.min_excess)
    out = (out[list(ALERT_COLUMNS)].sort_values(["flagged", "p_value"], ascending=[False, True])
           .reset_index(drop=True))
    return AlertResult(settings, out, freq, note, len(out))


def _check_one(name, history, settings, holidays):
    """(series, window start, window end, observed, expected, ratio, excess, above band,
    method) for one series."""
    history = history.sort_values("ds")
    past, window = history.iloc[:-settings.horizon], history.iloc[-settings.horizon:]
    pred = settings.model(holidays).fit(past).predict(settings.horizon)
    observed = float(window["y"].sum())
    expected = float(pred["expected"].sum())
    above = int((window["y"].to_numpy() > pred["high"].to_numpy()).sum())
    last_end = next_period(window["ds"].iloc[-1], settings.freq) - pd.Timedelta(days=1)
    return (name, window["ds"].iloc[0], last_end, observed, expected,
            observed / expected if expected > 0 else np.inf, observed - expected, above,
            pred["method"].iloc[0])
