"""Re-offending likelihood from criminal history only, with a backtest that shows who it fails.

For each known offender (an accused person id with at least one recorded incident before a
date ``as_of``) the model estimates the probability of another recorded accusation within
``months`` after ``as_of``. Its inputs are counts, recency, crime heads and spread over beats,
all computed from incidents; it never reads caste, religion, nationality, sex, age or any other
person field (:data:`FEATURES` lists every input). Person fields are used only *after*
prediction, to report error rates per group so unfair ones are visible.

"Recorded" matters: the label is a new accusation in police records, which reflects policing as
much as behaviour. Scores describe groups of records, never a person's guilt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit.profiles.base import age_band, is_known, person_incidents
from crimekit.profiles.people.offenders import offender_pseudonyms
from crimekit.profiles.settings import ProfileSettings
from crimekit.stats import wilson_interval

_DEFAULT = ProfileSettings()

#: Every history feature the model sees (plus one count per major head, ``head_<name>``).
FEATURES = ("log_offences", "log_offences_90d", "log_days_since_last", "log_career_days",
            "n_heads", "n_beats", "share_heinous", "share_co_accused")
#: History is read over a fixed look-back window, so training and scoring see the same span.
LOOKBACK_MONTHS = 12


# --- features and labels --------------------------------------------------------------------------

def _history(dataset) -> pd.DataFrame:
    """One row per (accused person id, incident), with what the features need and nothing else."""
    acc = person_incidents(dataset, "accused")
    acc = acc[is_known(acc["person_id"])].drop_duplicates(["person_id", "incident_id"])
    acc = acc.assign(n_accused=acc.groupby("incident_id")["person_id"].transform("size"))
    return acc[["person_id", "incident_id", "occurred_at", "category_group", "category",
                "heinous", "beat", "n_accused"]]


def history_features(dataset, as_of, *, heads=None,
                     lookback_months: int = LOOKBACK_MONTHS) -> pd.DataFrame:
    """Criminal-history features of everyone accused in the ``lookback_months`` before
    ``as_of``, indexed by person_id.

    Columns are :data:`FEATURES` followed by ``head_<major head>`` counts for ``heads`` (default:
    every major head seen). Only incidents in ``[as_of - lookback, as_of)`` are read, so a model
    trained a year earlier sees histories of the same length as the ones it scores.
    """
    as_of = pd.Timestamp(as_of)
    h = _history(dataset)
    h = h[(h["occurred_at"] < as_of)
          & (h["occurred_at"] >= as_of - pd.DateOffset(months=lookback_months))]
    g = h.groupby("person_id")
    days_ago = (as_of - h["occurred_at"]).dt.total_seconds() / 86400
    out = pd.DataFrame({
        "log_offences": np.log1p(g.size()),
        "log_offences_90d": np.log1p((days_ago <= 90).groupby(h["person_id"]).sum()),
        "log_days_since_last": np.log1p(days_ago.groupby(h["person_id"]).min()),
        "log_career_days": np.log1p(days_ago.groupby(h["person_id"]).max()
                                    - days_ago.groupby(h["person_id"]).min()),
        "n_heads": g["category"].nunique(),
        "n_beats": h[is_known(h["beat"])].groupby("person_id")["beat"].nunique(),
        "share_heinous": g["heinous"].mean(),
        "share_co_accused": (h["n_accused"] > 1).groupby(h["person_id"]).mean(),
    })
    groups = h["category_group"].where(is_known(h["category_group"]), h["category"])
    counts = pd.crosstab(h["person_id"], groups)
    heads = sorted(counts.columns) if heads is None else list(heads)
    for head in heads:
        col = counts[head] if head in counts else pd.Series(0, index=counts.index)
        out[f"head_{head}"] = np.log1p(col.reindex(out.index).fillna(0))
    return out.fillna({"n_beats": 0}).astype(float)


def reoffended(dataset, as_of, months: int) -> pd.Series:
    """Whether each person id was accused again in ``[as_of, as_of + months)`` (True/False)."""
    as_of = pd.Timestamp(as_of)
    h = _history(dataset)
    later = h[(h["occurred_at"] >= as_of)
              & (h["occurred_at"] < as_of + pd.DateOffset(months=months))]
    return pd.Series(True, index=pd.Index(later["person_id"].unique(), name="person_id"))


def _check_months(months, where):
    if not (isinstance(months, (int, np.integer)) and 1 <= months <= 60):
        raise ParameterError.invalid("months", where, "a whole number of months in [1, 60]",
                                     months)


# --- the model ------------------------------------------------------------------------------------

class ReoffendingModel:
    """Logistic regression on criminal-history features (standardised).

    Parameters
    ----------
    months : the horizon: probability of another recorded accusation within this many months.
    lookback_months : history window the features are computed over.
    C : inverse regularisation strength of the logistic regression.
    max_heads : at most this many major heads get their own count feature (most common first).

    Attributes (after fit)
    ----------
    features_ : tuple of input column names (never a person field).
    heads_ : major heads with a count feature.
    base_rate_ : share of training offenders who re-offended.
    n_train_ : number of training offenders.
    """

    def __init__(self, *, months: int = _DEFAULT.months, lookback_months: int = LOOKBACK_MONTHS,
                 C: float = 1.0, max_heads: int = 8):
        self.months = months
        self.lookback_months = lookback_months
        self.C = C
        self.max_heads = max_heads

    def fit(self, dataset, as_of) -> "ReoffendingModel":
        """Learn from offenders known before ``as_of - months`` and whether they were accused
        again in the ``months`` up to ``as_of``. Reads nothing on or after ``as_of``."""
        _check_months(self.months, "ReoffendingModel")
        _check_months(self.lookback_months, "ReoffendingModel")
        as_of = pd.Timestamp(as_of)
        train_at = as_of - pd.DateOffset(months=self.months)
        h = _history(dataset)
        h = h[h["occurred_at"] < train_at]
        groups = h["category_group"].where(is_known(h["category_group"]), h["category"])
        self.heads_ = tuple(groups.value_counts().index[: self.max_heads])
        X = history_features(dataset, train_at, heads=self.heads_,
                             lookback_months=self.lookback_months)
        y = X.index.isin(reoffended(dataset, train_at, self.months).index)
        if len(X) < 20 or y.all() or not y.any():
            raise UnusableInputError(
                f"Too few known offenders before {train_at:%Y-%m-%d} to learn re-offending "
                f"({len(X)} with person ids, {int(y.sum())} accused again): widen the date "
                "range or use data whose accused rows carry person ids.")
        self.features_ = tuple(X.columns)
        self.model_ = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=500))
        self.model_.fit(X.to_numpy(), y)
        self.base_rate_ = float(y.mean())
        self.n_train_ = len(X)
        return self

    def predict(self, dataset, as_of) -> pd.DataFrame:
        """Probability of another recorded accusation within ``months`` after ``as_of``, for
        everyone accused before ``as_of``: columns ``person_id, probability``."""
        if not hasattr(self, "model_"):
            raise NotFittedError("This ReoffendingModel is not fitted yet: call fit(dataset, "
                                 "as_of) before predict.")
        X = history_features(dataset, as_of, heads=self.heads_,
                             lookback_months=self.lookback_months)
        X = X[list(self.features_)]
        p = self.model_.predict_proba(X.to_numpy())[:, 1] if len(X) else np.array([])
        return pd.DataFrame({"person_id": X.index.to_numpy(), "probability": p})

    def coefficients(self) -> pd.DataFrame:
        """Standardised coefficients, largest effect first: ``feature, coefficient``."""
        if not hasattr(self, "model_"):
            raise NotFittedError("This ReoffendingModel is not fitted yet.")
        coef = self.model_[-1].coef_[0]
        out = pd.DataFrame({"feature": self.features_, "coefficient": coef})
        return out.reindex(out["coefficient"].abs().sort_values(ascending=False).index,
                           ).reset_index(drop=True)


# --- backtest -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReoffendingBacktest:
    """How well the model ranked and calibrated a period it never saw.

    Attributes
    ----------
    as_of : the cut: features from before it, outcomes in the ``months`` after it.
    months, n, base_rate : horizon, offenders scored, share who were accused again.
    auc : ranking accuracy (0.5 = chance); ``auc_count_only`` ranks by past count alone.
    brier : mean squared error of the probabilities; ``brier_base_rate`` predicts the training
        base rate for everyone (a model worth using beats it).
    threshold : probability at or above which someone counts as "flagged" for error rates.
    calibration : ``bin, n, mean_predicted, observed`` (deciles of predicted probability).
    by_group : ``field, group, n, base_rate, mean_predicted, auc, brier,
        false_positive_rate, false_negative_rate`` per age band and sex (unknown included).
    scores : ``person_id, probability, reoffended`` for each scored offender.
    """

    as_of: pd.Timestamp
    months: int
    n: int
    base_rate: float
    auc: float
    auc_count_only: float
    brier: float
    brier_base_rate: float
    threshold: float
    calibration: pd.DataFrame
    by_group: pd.DataFrame
    scores: pd.DataFrame


def _auc(y, p) -> float:
    y = np.asarray(y, bool)
    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else np.nan


def _person_groups(dataset, as_of) -> pd.DataFrame:
    """Each offender's age band and sex from their latest record before ``as_of`` (reporting
    only; never a model input)."""
    acc = person_incidents(dataset, "accused")
    acc = acc[is_known(acc["person_id"]) & (acc["occurred_at"] < pd.Timestamp(as_of))]
    last = acc.sort_values("occurred_at").groupby("person_id").tail(1).set_index("person_id")
    sex = last["sex"].where(is_known(last["sex"]), "unknown").astype(str)
    bands = age_band(last["age"], last["age_group"] if "age_group" in last else None)
    return pd.DataFrame({"age_band": bands.to_numpy(), "sex": sex.to_numpy()},
                        index=last.index)


def calibration_table(y, p, *, bins: int = 10) -> pd.DataFrame:
    """Observed rate vs mean predicted probability in quantile bins of the prediction."""
    df = pd.DataFrame({"y": np.asarray(y, float), "p": np.asarray(p, float)})
    df["bin"] = pd.qcut(df["p"].rank(method="first"), min(bins, len(df)), labels=False) + 1
    g = df.groupby("bin")
    return pd.DataFrame({"n": g.size(), "mean_predicted": g["p"].mean(),
                         "observed": g["y"].mean()}).reset_index()


def _group_rates(scores, groups, threshold) -> pd.DataFrame:
    rows = []
    joined = scores.join(groups, on="person_id")
    for field in ("age_band", "sex"):
        for group, s in joined.groupby(joined[field].fillna("unknown")):
            y, p = s["reoffended"].to_numpy(bool), s["probability"].to_numpy()
            flagged = p >= threshold
            rows.append({"field": field, "group": group, "n": len(s), "base_rate": y.mean(),
                         "mean_predicted": p.mean(), "auc": _auc(y, p),
                         "brier": float(np.mean((p - y) ** 2)),
                         "false_positive_rate": flagged[~y].mean() if (~y).any() else np.nan,
                         "false_negative_rate": (~flagged[y]).mean() if y.any() else np.nan})
    return pd.DataFrame(rows)


def backtest_reoffending(dataset, *, months: int = _DEFAULT.months, as_of=None,
                         threshold: float | None = None, C: float = 1.0) -> ReoffendingBacktest:
    """Fit on the past, score offenders at ``as_of`` and compare with what happened next.

    ``as_of`` defaults to ``months`` before the last incident, so every outcome window is
    complete. The model is fitted with :meth:`ReoffendingModel.fit` at the same ``as_of`` (it
    learns from the window before, and reads nothing on or after ``as_of``). ``threshold``
    (default: the training base rate) decides who counts as flagged for the error rates.
    """
    _check_months(months, "backtest_reoffending")
    inc = dataset.incidents["occurred_at"].dropna()
    if not len(inc):
        raise UnusableInputError("No incidents to backtest the re-offending model on.")
    first, last = inc.min(), inc.max()
    as_of = (pd.Timestamp(as_of) if as_of is not None
             else (last - pd.DateOffset(months=months)).normalize())
    if as_of - pd.DateOffset(months=months) <= first or as_of >= last:
        span = (last - first).days / 30.4
        raise ParameterError.invalid(
            "months", "backtest_reoffending",
            f"short enough for two windows before the data ends (the data spans about "
            f"{span:.0f} months, so at most {max(1, int(span // 3))})", months)
    model = ReoffendingModel(months=months, C=C).fit(dataset, as_of)
    scores = model.predict(dataset, as_of)
    scores["reoffended"] = scores["person_id"].isin(reoffended(dataset, as_of, months).index)
    y, p = scores["reoffended"].to_numpy(), scores["probability"].to_numpy()
    threshold = model.base_rate_ if threshold is None else float(threshold)
    past = history_features(dataset, as_of, heads=())["log_offences"]
    return ReoffendingBacktest(
        as_of=as_of, months=months, n=len(scores), base_rate=float(y.mean()), auc=_auc(y, p),
        auc_count_only=_auc(y, past.reindex(scores["person_id"]).to_numpy()),
        brier=float(brier_score_loss(y, p)),
        brier_base_rate=float(np.mean((model.base_rate_ - y) ** 2)), threshold=threshold,
        calibration=calibration_table(y, p),
        by_group=_group_rates(scores, _person_groups(dataset, as_of), threshold), scores=scores)


def current_scores(dataset, backtest: ReoffendingBacktest, *, mask_names: bool = True,
                   C: float = 1.0) -> pd.DataFrame:
    """Score everyone accused in the look-back before the data ends, with a band.

    The model is refitted on all the data (learning from the last ``backtest.months``). Each
    score's band is the 95 % Wilson interval of the re-offending rate the backtest *observed*
    among offenders whose scores fell in the same decile, so it shows how far such a score was
    from what happened. Returns ``offender, probability, band_lower, band_upper``, highest
    first; ``offender`` is a pseudonym unless ``mask_names=False`` (then the person id).
    """
    end = dataset.incidents["occurred_at"].max().normalize() + pd.Timedelta(days=1)
    model = ReoffendingModel(months=backtest.months, C=C).fit(dataset, end)
    out = model.predict(dataset, end)
    old = backtest.scores
    edges = np.quantile(old["probability"], np.linspace(0, 1, 11)[1:-1])
    old_bin = np.searchsorted(edges, old["probability"], side="right")
    hits = pd.Series(old["reoffended"].to_numpy()).groupby(old_bin).agg(["sum", "size"])
    lo, hi = wilson_interval(hits["sum"], hits["size"])
    new_bin = np.searchsorted(edges, out["probability"], side="right")
    out["band_lower"] = pd.Series(lo, index=hits.index).reindex(new_bin).to_numpy()
    out["band_upper"] = pd.Series(hi, index=hits.index).reindex(new_bin).to_numpy()
    out["offender"] = (out["person_id"] if not mask_names
                       else out["person_id"].map(offender_pseudonyms(dataset)))
    out = out.sort_values("probability", ascending=False, ignore_index=True)
    return out[["offender", "probability", "band_lower", "band_upper"]]
