"""Which model to use, and whether a learned model beats the baselines, in plain words.

- :func:`choose_model`: the best of a backtest's models at one coverage, where a learned model
  must capture more crimes than the best baseline to be chosen (a tie goes to the simpler
  method);
- :func:`hotspot_verdict`: the best learned model against the best baseline, paired over the
  backtest's periods (:class:`Verdict`), and :func:`verdict_note`, the sentence the Hotspots
  page leads with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crimekit.hotspots.evaluate import Backtest, versus_best_baseline
from crimekit.hotspots.models import LEARNED
from crimekit.hotspots.settings import HotspotSettings


def choose_model(bt: Backtest, coverage: float) -> str:
    """The model of ``bt`` with the best mean hit rate at ``coverage``: the best baseline,
    unless a learned model captured more crimes than it."""
    hits = bt.at(coverage)
    learned = hits.reindex([m for m in LEARNED if m in hits.index]).dropna()
    baselines = hits.drop(index=learned.index)
    choice = baselines.idxmax()
    if len(learned) and learned.max() > baselines.max():
        choice = learned.idxmax()
    return str(choice)


@dataclass(frozen=True)
class Verdict:
    """The best learned model against the best baseline at one coverage.

    Attributes: the columns of :func:`~crimekit.hotspots.evaluate.paired_difference`
    (``model, baseline, coverage, measure, value, baseline_value, difference, se, relative,
    periods``), ``beats`` (the learned model captured more on average) and ``clear`` (by more
    than twice the standard error).
    """

    model: str
    baseline: str
    coverage: float
    measure: str
    value: float
    baseline_value: float
    difference: float
    se: float
    relative: float
    periods: int
    beats: bool
    clear: bool

    @property
    def low(self) -> float:
        """The lower end of the difference's 95% range (normal approximation)."""
        return self.difference - 1.96 * self.se

    @property
    def high(self) -> float:
        """The upper end of the difference's 95% range."""
        return self.difference + 1.96 * self.se


def hotspot_verdict(bt: Backtest, coverage: float) -> Verdict | None:
    """The best learned model in ``bt`` against its best baseline at ``coverage`` (hit rates,
    paired over the backtest's periods); None when ``bt`` lacks a learned model or a
    baseline."""
    vs = versus_best_baseline(bt, (coverage,), measure="hit_rate").dropna(
        subset=["difference"])
    if not len(vs):
        return None
    best = vs.loc[vs["difference"].idxmax()].to_dict()
    se = best["se"] if best["se"] == best["se"] else 0.0  # NaN with a single period
    return Verdict(**best, beats=bool(best["difference"] > 0),
                   clear=bool(best["difference"] > 2 * se and se > 0))


def percent(x) -> str:
    """A share as a percentage with one decimal ("12.3%"), or "n/a"."""
    return f"{x:.1%}" if np.isfinite(x) else "n/a"


def verdict_note(v: Verdict, shown: str, wider: bool) -> tuple:
    """(kind, sentence in Markdown): whether a learned model beat the best baseline, by how
    much and how sure that is, and which model (``shown``) the numbers are from. ``kind`` is
    "success" or "warning"; ``wider`` says the backtest is of every crime head in these dates
    and districts rather than of the view."""
    def label(name):
        return HotspotSettings.model_label(name, speed=True)

    gap = (f"{percent(v.value)} of crimes in the top {v.coverage:.1%} of cells against "
           f"{percent(v.baseline_value)} ({v.difference * 100:+.1f} points, "
           f"95% range {v.low * 100:+.1f} to {v.high * 100:+.1f}, paired over {v.periods} "
           "periods)")
    where = " on every crime head in these dates and districts" if wider else ""
    if not v.beats:
        return "warning", (
            f"**No learned model beats the best baseline on this data.** In the backtest"
            f"{where}, {label(v.baseline)} did at least as well as the best learned model "
            f"({label(v.model)}: {gap}). "
            + (f"The map and numbers below are from {label(shown)}." if shown not in LEARNED
               else f"You chose {label(shown)}; {label(v.baseline)} did better."))
    sure = "" if v.clear else " The gap is within the backtest's uncertainty."
    return "success", (f"**{label(v.model)} beats the best baseline** "
                       f"({label(v.baseline)}) in the backtest{where}: {gap}.{sure}")
