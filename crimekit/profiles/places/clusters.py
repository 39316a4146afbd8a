"""Groups of places (beats or grid cells) with a similar character of crime: mix and timing.

Each place is described by the shares of its incidents in each crime head (the mix) and in each
shift and on weekends (the timing). Shares are square-rooted (the Hellinger embedding), so the
distance between two places is the Hellinger distance between their mixes plus that between
their timings, and rare heads do not swamp common ones the way standardising would make them.

:class:`PlaceClusters` runs k-means (or Ward's hierarchical clustering) for each number of
groups in ``k_range`` and keeps the one with the highest mean silhouette: the stated criterion,
reported in ``selection_`` so the choice can be checked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import silhouette_score

from crimekit.errors import NotFittedError, ParameterError, UnusableInputError
from crimekit.profiles.places.links import unit_of
from crimekit.profiles.settings import CLUSTER_METHODS, ProfileSettings
from crimekit.schema import SHIFTS, shift_of

_DEFAULT = ProfileSettings()


def place_features(incidents: pd.DataFrame, *, unit: str = "beat", grid=None,
                   by: str = "category", min_incidents: int = 30) -> pd.DataFrame:
    """Crime mix and timing of each place with at least ``min_incidents`` incidents.

    Returns a table indexed by unit: ``incidents``, ``mix_<head>`` (share of each head),
    ``shift_<shift>`` (share in each shift) and ``weekend`` (share on Saturday or Sunday).
    """
    units = unit_of(incidents, unit=unit, grid=grid)
    ok = units.notna() & incidents["occurred_at"].notna()
    inc, units = incidents[ok], units[ok]
    mix = pd.crosstab(units, inc[by], normalize="index").add_prefix("mix_")
    shifts = pd.Series(shift_of(inc["occurred_at"].dt.hour), index=inc.index)
    timing = pd.crosstab(units, shifts, normalize="index").reindex(columns=list(SHIFTS),
                                                                  fill_value=0.0)
    out = pd.concat([units.value_counts().rename("incidents"), mix,
                     timing.add_prefix("shift_"),
                     (inc["occurred_at"].dt.day_of_week >= 5).groupby(units).mean()
                     .rename("weekend")], axis=1)
    out = out[out["incidents"] >= min_incidents]
    return out.rename_axis("unit")


def _embedding(features: pd.DataFrame) -> np.ndarray:
    """Square-rooted shares; the timing block carries as much weight as the mix block."""
    mix = features.filter(like="mix_").to_numpy()
    timing = np.column_stack([features.filter(like="shift_").to_numpy(),
                              features["weekend"], 1 - features["weekend"]])
    return np.hstack([np.sqrt(mix), np.sqrt(timing / 2)])


class PlaceClusters:
    """Cluster places by crime mix and timing; choose the number of groups by silhouette.

    Parameters
    ----------
    k : a fixed number of groups, or None to choose from ``k_range`` by silhouette.
    k_range : (smallest, largest) number of groups tried when ``k`` is None.
    method : "kmeans" or "ward" (hierarchical, Ward linkage).
    min_incidents : places with fewer incidents are left out (their mix is mostly noise).
    seed : random seed for k-means.

    Attributes (after fit)
    ----------
    k_ : number of groups used. ``selection_`` : ``k, silhouette`` for every k tried.
    features_ : the place features (see :func:`place_features`).
    labels_ : ``unit, cluster, incidents`` (cluster 1 has the most places).
    profiles_ : one row per cluster: ``cluster, places, incidents, top_heads, peak_shift,
        weekend_share, summary`` plus the mean of each feature.
    """

    def __init__(self, *, k: int | None = None, k_range: tuple = (2, 8),
                 method: str = _DEFAULT.method, min_incidents: int = 30, seed: int = 0):
        self.k = k
        self.k_range = k_range
        self.method = method
        self.min_incidents = min_incidents
        self.seed = seed

    def _cluster(self, X, k) -> np.ndarray:
        if self.method == "kmeans":
            return KMeans(n_clusters=k, n_init=10, random_state=self.seed).fit_predict(X)
        return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(X)

    def fit(self, incidents: pd.DataFrame, *, unit: str = "beat", grid=None,
            by: str = "category") -> "PlaceClusters":
        """Describe each place, cluster them, and profile each group."""
        if self.method not in CLUSTER_METHODS:
            raise ParameterError.invalid("method", "PlaceClusters", "'kmeans' or 'ward'",
                                         self.method)
        feats = place_features(incidents, unit=unit, grid=grid, by=by,
                               min_incidents=self.min_incidents)
        if len(feats) < 4:
            raise UnusableInputError(
                f"Only {len(feats)} places have at least {self.min_incidents} incidents; "
                "at least 4 are needed to form groups. Widen the filters or lower "
                "min_incidents.")
        X = _embedding(feats)
        lo, hi = (self.k, self.k) if self.k is not None else self.k_range
        if not (isinstance(lo, (int, np.integer)) and 2 <= lo <= hi):
            raise ParameterError.invalid("k", "PlaceClusters", "a whole number >= 2", lo)
        hi = min(hi, len(feats) - 1)
        rows, best = [], None
        for k in range(lo, max(lo, hi) + 1):
            labels = self._cluster(X, k)
            score = silhouette_score(X, labels) if len(set(labels)) > 1 else np.nan
            rows.append({"k": k, "silhouette": score})
            if best is None or score > best[1]:
                best = (k, score, labels)
        self.selection_ = pd.DataFrame(rows)
        self.k_ = best[0]
        self.features_ = feats
        self.labels_ = self._relabel(feats, best[2])
        self.profiles_ = self._profiles()
        return self

    @staticmethod
    def _relabel(feats, labels) -> pd.DataFrame:
        """Number clusters 1.. by size (most places first) so numbers are stable and readable."""
        sizes = pd.Series(labels).value_counts()
        order = {old: new for new, old in enumerate(
            sorted(sizes.index, key=lambda c: (-sizes[c], c)), start=1)}
        return pd.DataFrame({"unit": feats.index, "cluster": [order[c] for c in labels],
                             "incidents": feats["incidents"].to_numpy()})

    def _profiles(self) -> pd.DataFrame:
        feats = self.features_.assign(cluster=self.labels_["cluster"].to_numpy())
        mix_cols = [c for c in feats if c.startswith("mix_")]
        area_mix = (self.features_[mix_cols].mul(self.features_["incidents"], axis=0).sum()
                    / self.features_["incidents"].sum())
        rows = []
        for cluster, part in feats.groupby("cluster"):
            w = part["incidents"]
            mean = part.drop(columns="cluster").mul(w, axis=0).sum() / w.sum()
            lift = (mean[mix_cols] / area_mix).sort_values(ascending=False)
            top = [c[4:] for c in lift.index[:3]]
            shifts = mean[[f"shift_{s}" for s in SHIFTS]]
            peak = shifts.idxmax()[6:]
            rows.append({"cluster": cluster, "places": len(part), "incidents": int(w.sum()),
                         "top_heads": ", ".join(top), "peak_shift": peak,
                         "weekend_share": mean["weekend"],
                         "summary": (f"{len(part)} places; more {', '.join(top)} than the area "
                                     f"as a whole; busiest in the {peak} shift; "
                                     f"{mean['weekend']:.0%} on weekends"),
                         **{c: mean[c] for c in mix_cols + list(shifts.index)}})
        return pd.DataFrame(rows)

    def labels(self) -> pd.DataFrame:
        """The fitted ``unit, cluster, incidents`` table (raises if not fitted)."""
        if not hasattr(self, "labels_"):
            raise NotFittedError("This PlaceClusters is not fitted yet: call fit(incidents).")
        return self.labels_
