"""What :func:`~crimekit.hotspots.predict.predict_hotspots` returns: risk per cell for the next
period, the model used and why, how well it did on held-out time, and what was left out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimekit.stats import poisson_band
from crimekit.hotspots.evaluate import Backtest
from crimekit.hotspots.models import LEARNED
from crimekit.hotspots.settings import HotspotSettings
from crimekit.hotspots.verdict import Verdict, verdict_note
from crimekit.spatial import Grid


@dataclass(frozen=True)
class HotspotResult:
    """Risk per grid cell for the period after the data.

    Attributes
    ----------
    settings : the settings asked for.
    freq : the period length used: ``settings.freq``, or a longer one when the dates are not
        precise enough (``notes`` says why).
    period_start : the start of the predicted period.
    model : the model used (a name in ``MODELS``); ``chosen`` is True when it was chosen by
        backtest (``settings.model`` "auto") and ``reason`` says how, in words.
    wider : the choice's backtest is of every crime head in the same dates and districts
        (shared by every choice of crime heads), not of this data.
    grid : the cells.
    risk : every cell, riskiest first: ``period_start, cell_id, beat, score, probability,
        expected, expected_low, expected_high`` (``score`` the model's raw ranking score,
        ``probability`` calibrated P(at least one crime), ``expected`` crimes with their 80%
        range).
    top : the flagged cells (the top ``settings.coverage`` of them): ``rank, cell_id, beat,
        lat, lon, probability, expected, expected_low, expected_high, why`` (what drove the
        score, in words).
    importance : what a learned model relies on overall (``feature, ..., share``; XGBoost's
        gains or the count model's shares of expected crimes); None for a baseline.
    backtest : the model's rolling backtest on this data (with ``settings.compare``, every
        model's, and the synthetic city's truth as the ceiling when known).
    compared : the backtest the verdict and ``versus`` read (learned models and baselines).
    versus : each learned model against the best baseline at the coverage, paired over the
        periods (the columns of ``paired_difference``).
    verdict : the best learned model against the best baseline, or None.
    notes : sentences on what was changed or left out, and why.
    """

    settings: HotspotSettings
    freq: str
    period_start: pd.Timestamp
    model: str
    chosen: bool
    wider: bool
    reason: str
    grid: Grid
    risk: pd.DataFrame
    top: pd.DataFrame
    importance: pd.DataFrame | None
    backtest: Backtest
    compared: Backtest
    versus: pd.DataFrame
    verdict: Verdict | None
    notes: tuple = ()

    @property
    def verdict_wider(self) -> bool:
        """The verdict is from the backtest of every crime head, not of this data."""
        return self.wider and not self.settings.compare

    def hit_rates(self) -> pd.Series:
        """The model's hit rate at the coverage in each backtest period."""
        return self.backtest.hit_rates(self.model, self.settings.coverage)

    @property
    def hit_rate(self) -> float:
        """The model's mean backtested hit rate at the coverage (NaN without one)."""
        per = self.hit_rates()
        return float(per.mean()) if len(per) else np.nan

    @property
    def hit_range(self) -> tuple:
        """(low, high): the hit rate 80% of the backtest's periods were between."""
        per = self.hit_rates()
        return tuple(np.quantile(per, [0.1, 0.9])) if len(per) else (np.nan, np.nan)

    @property
    def brier(self) -> float:
        """The model's Brier score in the backtest (NaN when absent)."""
        s = self.backtest.summary_at(self.settings.coverage)
        s = s[s["model"] == self.model]["brier"]
        return float(s.iloc[0]) if len(s) else np.nan

    @property
    def hit_gap(self) -> float | None:
        """The learned model's hit rate minus the best baseline's, when both come from the
        same backtest of this data; else None."""
        v = self.verdict
        if v is None or self.model not in LEARNED or self.verdict_wider \
                or not np.isfinite(self.hit_rate):
            return None
        return self.hit_rate - v.baseline_value

    def expected_in_top(self, n: int | None = None) -> tuple:
        """(expected, low, high): crimes expected in the ``n`` riskiest cells (default: the
        flagged ones), with their 80% range."""
        total = float(self.risk["expected"].head(len(self.top) if n is None else n).sum())
        low, high = poisson_band(total)
        return total, float(low), float(high)

    def cells(self):
        """The grid's cells (GeoDataFrame) with each one's ``probability, expected, beat``."""
        return self.grid.cells.merge(
            self.risk[["cell_id", "probability", "expected", "beat"]], on="cell_id")

    def verdict_note(self) -> tuple | None:
        """(kind, sentence) the Hotspots page leads with (see
        :func:`~crimekit.hotspots.verdict.verdict_note`), or None without a verdict."""
        if self.verdict is None:
            return None
        return verdict_note(self.verdict, self.model, self.verdict_wider)
