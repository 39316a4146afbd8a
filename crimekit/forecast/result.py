"""What a forecast run returns: :class:`ForecastResult`, with the tables and the plain words
the pages and the command line show (verdicts, notes, the weights of one series)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimekit.forecast.backtest import metrics
from crimekit.forecast.settings import ForecastSettings

#: The columns of the ``forecast`` command's CSV (DESIGN.md): the contract, never to change.
FORECAST_COLUMNS = ("series", "ds", "yhat", "yhat_lower", "yhat_upper")
#: The 80% band is ``low``/``high`` everywhere in crimekit and the app; the ``forecast``
#: command's files name it as its CSV contract does.
CSV_NAMES = {"low": "yhat_lower", "high": "yhat_upper"}
#: Per-series columns of the ``forecast --details`` file, after the forecast's own.
DETAIL_COLUMNS = ("method", "learned_from", "left_out_periods", "left_out_crimes",
                  "level_shifts", "span_note", "weights", "origins", "relative_error", "mase",
                  "coverage", "problem")


@dataclass(frozen=True)
class ForecastResult:
    """Everything a forecast run produced (:func:`crimekit.forecast.forecast`).

    Attributes
    ----------
    settings : the :class:`ForecastSettings` of the run.
    history : ``series, ds, y``: the complete periods the models learned from.
    forecast : ``series, ds, yhat, low, high, expected, method, reason``, one row per series
        and forecast period: ``yhat`` the point forecast (a median count), ``expected`` the
        mean, ``low``/``high`` the 80% band (``yhat_lower``/``yhat_upper`` in the CSV, see
        :meth:`csv`); ``method`` what each series is
        forecast by ("combination", "seasonal naive", or with method prophet "prophet" or its
        fallback), ``reason`` what was left out of its history and why ("" for nothing).
    components : ``series, ds, method, yhat``: every method's own forecast (the combination's
        components; empty for method prophet).
    summary : one row per series: ``method``, the span learned from (``learned_from``,
        ``left_out_periods``, ``left_out_crimes``, ``level_shifts``, ``span_note``), the
        ``weights`` (and ``weight <method>``), the backtest (``origins``, ``mae``,
        ``naive_mae``, ``mase``, ``naive_mase``, ``relative_error`` = MAE over seasonal
        naive's, ``relative_error <method>``, ``coverage`` of the band) and ``problem``, a
        warning when the backtest looks like a data problem ("" when not). With method
        prophet: ``series, method, reason`` (why a fallback was used).
    backtest : the backtest's rows (the combination: ``series, origin, step, y, <method>...,
        combination, naive``; method prophet with ``settings.backtest``: the rows of
        :func:`crimekit.forecast.backtest.backtest_series`, else empty).
    methods : the methods that ran (the combination's components; method prophet: the methods
        its series were forecast by).
    prophet_note : why Prophet is not among the methods ("" when it is, or was not asked for).
    """

    settings: ForecastSettings
    history: pd.DataFrame
    forecast: pd.DataFrame
    components: pd.DataFrame
    summary: pd.DataFrame
    backtest: pd.DataFrame
    methods: tuple
    prophet_note: str = ""

    # --- one series ---------------------------------------------------------------------------

    def row(self, series=None) -> pd.Series:
        """The summary of ``series`` (default: the first)."""
        if series is None:
            return self.summary.iloc[0]
        return self.summary[self.summary["series"] == series].iloc[0]

    def weights(self, series=None) -> pd.DataFrame:
        """``method, weight, relative_error`` of the combination's components for ``series``
        (each method's backtest MAE over seasonal naive's on that series)."""
        row = self.row(series)
        return pd.DataFrame({"method": list(self.methods),
                             "weight": [row.get(f"weight {m}", np.nan) for m in self.methods],
                             "relative_error": [row.get(f"relative_error {m}", np.nan)
                                                for m in self.methods]})

    def naive_note(self, series=None) -> str:
        """A plain warning when seasonal naive beat every method on the backtest, so the
        forecast is seasonal naive's ("" otherwise)."""
        if self.row(series)["method"] != "seasonal naive":
            return ""
        return (f"On this data no forecasting method beat seasonal naive (the same "
                f"{self.settings.unit} last year) in the backtest, so the forecast and the "
                "numbers below are seasonal naive's.")

    def backtest_note(self, series=None) -> str:
        """The backtest in one sentence: how many origins and whether the forecast beat
        seasonal naive."""
        row = self.row(series)
        if not row.get("origins", 0):
            return "Too little history to backtest (it needs a season and a half)."
        verdict = "beats" if row["relative_error"] < 1 else "does not beat"
        return (f"Backtest: {int(row['origins'])} origins; the {row['method']} {verdict} "
                f"seasonal naive (MAE {row['mae']:.1f} vs {row['naive_mae']:.1f}).")

    # --- every series -------------------------------------------------------------------------

    @property
    def problems(self) -> pd.DataFrame:
        """``series, problem`` of the series whose backtest looks like a data problem."""
        if "problem" not in self.summary:
            return pd.DataFrame({"series": [], "problem": []})
        return self.summary.loc[self.summary["problem"] != "", ["series", "problem"]]

    def per_series(self) -> pd.DataFrame:
        """One row per series, busiest first: the next period's forecast and band
        (``next_period, low, high``), the ``total`` over the horizon, the ``method``, the
        backtest's ``relative_error`` and any ``problem``."""
        out = self.forecast.groupby("series", sort=False).agg(
            next_period=("yhat", "first"), low=("low", "first"), high=("high", "first"),
            total=("yhat", "sum"),
            method=("method", "first")).reset_index()
        cols = [c for c in ("series", "relative_error", "problem") if c in self.summary]
        out = out.merge(self.summary[cols], on="series", how="left")
        return out.sort_values("total", ascending=False).reset_index(drop=True)

    def describe(self) -> str:
        """Which methods ran and what was forecast by what, in one or two sentences."""
        if self.settings.method == "prophet":
            used = self.forecast.groupby("series")["method"].first().value_counts()
            return "Methods: " + ", ".join(f"{m} {n}" for m, n in used.items()) + "."
        s = self.summary
        parts = [f"{n} series by the combination of {', '.join(self.methods)}"
                 if m == "combination" else f"{n} by seasonal naive (it beat the combination "
                 "on their backtest)" for m, n in s["method"].value_counts().items()]
        notes = []
        if s["left_out_periods"].gt(0).sum():
            notes.append(f"{s['left_out_periods'].gt(0).sum()} series left out periods before "
                         "consistent recording started")
        if s["level_shifts"].gt(0).sum():
            notes.append(f"{s['level_shifts'].gt(0).sum()} had a level shift levelled")
        return "Forecast: " + "; ".join(parts) + "." + (
            " " + "; ".join(notes).capitalize() + " (see --details)." if notes else "")

    # --- tables for files -----------------------------------------------------------------------

    def csv(self) -> pd.DataFrame:
        """The forecast in the ``forecast`` command's CSV contract: FORECAST_COLUMNS (the band
        named ``yhat_lower``/``yhat_upper``), ``ds`` as YYYY-MM-DD, counts to 3 decimals."""
        out = self.forecast.rename(columns=CSV_NAMES)[list(FORECAST_COLUMNS)].copy()
        out["ds"] = pd.to_datetime(out["ds"]).dt.strftime("%Y-%m-%d")
        out[list(FORECAST_COLUMNS[2:])] = out[list(FORECAST_COLUMNS[2:])].round(3)
        return out

    def details(self) -> pd.DataFrame:
        """Per forecast row: the forecast (its band named as in :meth:`csv`), every method's
        forecast (``yhat <method>``) and the series' span, weights and backtest
        (DETAIL_COLUMNS, ``weight <method>``, ``relative_error <method>``)."""
        rows = self.forecast.drop(columns=["method"]).rename(columns=CSV_NAMES)
        if len(self.components):
            comp = self.components.pivot_table(index=["series", "ds"], columns="method",
                                               values="yhat", sort=False)
            comp.columns = [f"yhat {c}" for c in comp.columns]
            rows = rows.merge(comp.reset_index(), on=["series", "ds"], how="left")
        s = self.summary
        keep = [c for c in DETAIL_COLUMNS if c in s] + [
            c for c in s if c.startswith(("weight ", "relative_error "))]
        return rows.merge(s[["series", *keep]], on="series", how="left")

    def backtest_table(self) -> pd.DataFrame:
        """The backtest per series: ``series, method, origins, mae, naive_mae, mase, coverage,
        relative_mae`` and each method's ``rel <method>`` (the combination), or the measures
        of :func:`crimekit.forecast.backtest.metrics` (method prophet, with
        ``settings.backtest``)."""
        s = self.summary
        if self.settings.method == "prophet":
            return metrics(self.backtest, by="series")
        out = s[["series", "method", "origins", "mae", "naive_mae", "mase", "coverage"]].copy()
        out["relative_mae"] = s["relative_error"]
        for m in self.methods:
            out[f"rel {m}"] = s[f"relative_error {m}"]
        return out
