"""How good is a hotspot prediction? The measures crime analysts use, and a backtest runner.

For one period, ``scores`` ranks the cells and ``counts`` says what happened. Flagging the top
``coverage`` share of cells (all cells have the same area, so area share = cell share):

- hit rate (= case hit ratio): share of the period's crimes that fell in flagged cells;
- PAI (predictive accuracy index): hit rate / area share;
- PEI (predictive efficiency index): crimes captured / crimes the best possible cells of the
  same area would have captured;
- grid hit ratio: share of the cells that had crime which were flagged;
- precision: share of flagged cells that had crime.

Cells tied with the last flagged cell count fractionally (their average), so a model whose
scores are mostly tied (e.g. "last period" with many zeros) is credited with what a random
choice among the ties would capture, not with a lucky order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimekit.errors import ParameterError
from crimekit.hotspots.models import LEARNED, rolling_predict

#: Area coverages reported by default (shares of the study area).
COVERAGES = (0.005, 0.01, 0.02, 0.05, 0.10)
#: The name the synthetic city's truth has in a backtest (see :func:`truth_scores`).
TRUTH = "truth (demo ceiling)"


def n_flagged(n_cells: int, coverage: float) -> int:
    """How many cells make up ``coverage`` of the area (at least one)."""
    if not 0 < coverage <= 1:
        raise ParameterError.invalid("coverage", "n_flagged", "a share in (0, 1]", coverage)
    return max(1, int(round(coverage * n_cells)))


def _take_top(values, scores, k) -> float:
    """Sum of ``values`` over the ``k`` highest ``scores``, ties at the cut shared evenly."""
    s = np.asarray(scores, float)
    v = np.asarray(values, float)
    cut = np.partition(s, len(s) - k)[len(s) - k]
    above, tied = s > cut, s == cut
    return float(v[above].sum() + (k - above.sum()) * v[tied].mean())


def period_metrics(scores, counts, coverage: float) -> dict:
    """All measures for one period at one coverage (see the module docstring)."""
    s, c = np.asarray(scores, float).ravel(), np.asarray(counts, float).ravel()
    if s.shape != c.shape:
        raise ParameterError.invalid("scores", "period_metrics", "one value per cell like "
                                     "counts", f"{s.shape} vs {c.shape}")
    k = n_flagged(len(s), coverage)
    total, had = c.sum(), (c > 0)
    captured = _take_top(c, s, k)
    best = np.sort(c)[::-1][:k].sum()
    caught_cells = _take_top(had, s, k)
    hit = captured / total if total else np.nan
    return {"coverage": coverage, "hit_rate": hit, "pai": hit / (k / len(s)),
            "pei": captured / best if best else np.nan,
            "grid_hit_ratio": caught_cells / had.sum() if had.any() else np.nan,
            "precision": caught_cells / k, "crimes": total}


def hit_rate(scores, counts, coverage: float) -> float:
    """Share of crimes in the top ``coverage`` of cells by score."""
    return period_metrics(scores, counts, coverage)["hit_rate"]


def pai(scores, counts, coverage: float) -> float:
    """Predictive accuracy index: hit rate / area share."""
    return period_metrics(scores, counts, coverage)["pai"]


def pei(scores, counts, coverage: float) -> float:
    """Predictive efficiency index: captured / best possible with the same area."""
    return period_metrics(scores, counts, coverage)["pei"]


def brier(probability, occurred) -> float:
    """Mean squared gap between predicted probabilities and what occurred (0 best)."""
    p, y = np.asarray(probability, float).ravel(), np.asarray(occurred, float).ravel()
    return float(np.mean((p - y) ** 2))


def reliability_curve(probability, occurred, n_bins: int = 10) -> pd.DataFrame:
    """Predicted vs observed rates in bins of equal count of predictions (quantile bins, so
    the rare high-risk cells get bins of their own). Columns ``bin, predicted, observed, n``."""
    p, y = np.asarray(probability, float).ravel(), np.asarray(occurred, float).ravel()
    edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    b = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, max(len(edges) - 2, 0))
    df = pd.DataFrame({"bin": b, "p": p, "y": y}).groupby("bin")
    return pd.DataFrame({"predicted": df["p"].mean(), "observed": df["y"].mean(),
                         "n": df["y"].size()}).reset_index()


def evaluate_scores(scores, counts, coverages=COVERAGES) -> pd.DataFrame:
    """Measures per (period, coverage) for score and count matrices (periods x cells)."""
    rows = [{"period": i, **period_metrics(s, c, cov)}
            for i, (s, c) in enumerate(zip(np.atleast_2d(scores), np.atleast_2d(counts)))
            for cov in coverages]
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Backtest:
    """A rolling-origin backtest's results.

    Attributes
    ----------
    summary : one row per (model, coverage): mean ``hit_rate, pai, pei, grid_hit_ratio,
        precision`` over the test periods, and the model's ``brier`` score.
    per_period : the same measures per test period (``period_start``).
    reliability : ``model, bin, predicted, observed, n``.
    periods : the test periods' starts.
    """

    summary: pd.DataFrame
    per_period: pd.DataFrame
    reliability: pd.DataFrame
    periods: pd.DatetimeIndex

    def at(self, coverage: float) -> pd.Series:
        """Mean hit rate per model at one coverage."""
        s = self.summary[np.isclose(self.summary["coverage"], coverage)]
        return s.set_index("model")["hit_rate"]

    def summary_at(self, coverage: float) -> pd.DataFrame:
        """The summary's rows at one coverage, the best hit rate first."""
        s = self.summary[np.isclose(self.summary["coverage"], coverage)]
        return s.sort_values("hit_rate", ascending=False)

    def hit_rates(self, model: str, coverage: float) -> pd.Series:
        """``model``'s hit rate in each test period at ``coverage`` (periods without crime
        left out)."""
        per = self.per_period
        return per[(per["model"] == model) & np.isclose(per["coverage"], coverage)][
            "hit_rate"].dropna()

    def joined(self, other: Backtest) -> Backtest:
        """One backtest with this one's models and ``other``'s others (same data and
        periods)."""
        extra = [m for m in other.summary["model"].unique()
                 if m not in set(self.summary["model"])]
        if not extra:
            return self

        def pick(df):
            return df[df["model"].isin(extra)] if len(df) else df
        return Backtest(pd.concat([self.summary, pick(other.summary)], ignore_index=True),
                        pd.concat([self.per_period, pick(other.per_period)], ignore_index=True),
                        pd.concat([self.reliability, pick(other.reliability)],
                                  ignore_index=True), self.periods)

    def best_baseline(self, coverage: float, measure: str = "pai") -> str | None:
        """See :func:`best_baseline`."""
        return best_baseline(self, coverage, measure)

    def paired_difference(self, model: str, baseline: str, coverage: float,
                          measure: str = "pai") -> dict:
        """See :func:`paired_difference`."""
        return paired_difference(self, model, baseline, coverage, measure)


def backtest(cube, models: dict, *, n_periods: int = 26, retrain_every_weeks: float = 13,
             coverages=COVERAGES, extra_scores: dict | None = None, progress=None) -> Backtest:
    """Score the last ``n_periods`` of ``cube`` with each model, refitting every
    ``retrain_every_weeks`` on only earlier periods, and measure every model the same way.

    ``models`` maps a name to an unfitted model; ``extra_scores`` maps a name to a ready
    (n_periods x cells) score matrix (e.g. the truth, as a ceiling). ``progress(i, n, name)``
    is called before each model.
    """
    if not 0 < n_periods < cube.n_periods:
        raise ParameterError.invalid("n_periods", "backtest",
                                     f"in [1, {cube.n_periods - 1}]", n_periods)
    t = np.arange(cube.n_periods - n_periods, cube.n_periods)
    counts = cube.counts[t]
    per, rel, brier_of = [], [], {}
    for i, (name, model) in enumerate(models.items()):
        if progress:
            progress(i, len(models), name)
        raw, prob, _ = rolling_predict(model, cube, t, retrain_every_weeks=retrain_every_weeks)
        per.append(evaluate_scores(raw, counts, coverages).assign(model=name))
        brier_of[name] = brier(prob, counts > 0)
        rel.append(reliability_curve(prob, counts > 0).assign(model=name))
    for name, scores in (extra_scores or {}).items():
        per.append(evaluate_scores(scores, counts, coverages).assign(model=name))
    per_period = pd.concat(per, ignore_index=True)
    per_period["period_start"] = cube.periods[t][per_period["period"].to_numpy()]
    measures = ["hit_rate", "pai", "pei", "grid_hit_ratio", "precision"]
    summary = per_period.groupby(["model", "coverage"], sort=False)[measures].mean() \
        .reset_index()
    summary["brier"] = summary["model"].map(brier_of)
    reliability = pd.concat(rel, ignore_index=True) if rel else pd.DataFrame()
    return Backtest(summary, per_period.drop(columns="period"), reliability, cube.periods[t])


def baselines_in(bt: Backtest) -> list:
    """The backtest's baselines: every model that is not learned and not the truth."""
    return [m for m in bt.summary["model"].unique()
            if m not in LEARNED and not str(m).startswith("truth")]


def best_baseline(bt: Backtest, coverage: float, measure: str = "pai") -> str | None:
    """The baseline with the best mean ``measure`` at ``coverage`` (None when there is none)."""
    s = bt.summary[np.isclose(bt.summary["coverage"], coverage)].set_index("model")[measure]
    s = s.reindex(baselines_in(bt)).dropna()
    return s.idxmax() if len(s) else None


def paired_difference(bt: Backtest, model: str, baseline: str, coverage: float,
                      measure: str = "pai") -> dict:
    """``model`` against ``baseline`` at one coverage, paired over the backtest's periods.

    Returns ``model, baseline, coverage, measure, value, baseline_value`` (means over the
    periods), ``difference`` (mean of the per-period differences), ``se`` (its standard error:
    the differences' standard deviation / sqrt(periods)), ``relative`` (difference /
    baseline_value) and ``periods``. Pairing by period removes the weeks' shared ups and downs,
    so the standard error is that of the gap, not of either model.
    """
    per = bt.per_period[np.isclose(bt.per_period["coverage"], coverage)]
    wide = per.pivot_table(index="period_start", columns="model", values=measure)
    for name in (model, baseline):
        if name not in wide:
            raise ParameterError.invalid("model", "paired_difference",
                                         f"a model in the backtest ({', '.join(wide.columns)})",
                                         name)
    pair = wide[[model, baseline]].dropna()
    diff = pair[model] - pair[baseline]
    n = len(diff)
    se = float(diff.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    base = float(pair[baseline].mean()) if n else np.nan
    return {"model": model, "baseline": baseline, "coverage": coverage, "measure": measure,
            "value": float(pair[model].mean()) if n else np.nan, "baseline_value": base,
            "difference": float(diff.mean()) if n else np.nan, "se": se,
            "relative": float(diff.mean()) / base if n and base else np.nan, "periods": n}


def versus_best_baseline(bt: Backtest, coverages=(0.01, 0.05), measure: str = "pai",
                         models=None) -> pd.DataFrame:
    """Each learned model in the backtest (or ``models``) against the best baseline at each
    coverage: one row per (model, coverage) with the columns of :func:`paired_difference`."""
    names = bt.summary["model"].unique()
    models = [m for m in (models or LEARNED) if m in names]
    rows = []
    for cov in coverages:
        base = best_baseline(bt, cov, measure)
        if base is not None:
            rows += [paired_difference(bt, m, base, cov, measure) for m in models]
    return pd.DataFrame(rows, columns=["model", "baseline", "coverage", "measure", "value",
                                       "baseline_value", "difference", "se", "relative",
                                       "periods"])


def truth_scores(truth, cube, n: int) -> dict:
    """The synthetic city's expected counts for the last ``n`` periods of ``cube`` as a score
    matrix, to backtest beside the models as the ceiling no model can beat on average:
    ``{"truth (demo ceiling)": (n x cells)}``, or ``{}`` when the truth cannot say (shifts: it
    is daily; periods it does not cover). ``truth`` is a :class:`crimekit.synth.CityTruth` of
    the same (unfiltered by district) city; the cube's crime heads are kept."""
    if cube.freq == "S":
        return {}
    fine = truth.fine_cells
    exp = truth.expected_counts(cube.grid.cell_of(fine["lat"], fine["lon"]), freq=cube.freq,
                                categories=list(cube.categories) or None)
    exp = exp[exp["unit"] >= 0].pivot(index="period_start", columns="unit", values="expected")
    t = cube.periods[-n:]
    if not set(t) <= set(exp.index):
        return {}
    return {TRUTH: exp.reindex(index=t, columns=cube.cell_ids).fillna(0).to_numpy()}
