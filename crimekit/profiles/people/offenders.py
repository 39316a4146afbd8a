"""The accused side: repeat offenders (pseudonymised), journey to crime and co-offending
groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from crimekit.profiles.base import is_known, masked, person_incidents
from crimekit.stats import haversine_km

def _accused(dataset) -> pd.DataFrame:
    acc = person_incidents(dataset, "accused")
    return acc[is_known(acc["person_id"])]


def offender_pseudonyms(dataset) -> pd.Series:
    """A pseudonym for each accused person id: "Offender #1" is the most often accused (ties:
    most recent), so the same person has the same pseudonym in every table of one view."""
    acc = _accused(dataset)
    g = acc.groupby("person_id")["occurred_at"]
    order = pd.DataFrame({"n": g.size(), "last": g.max()}).rename_axis("pid").reset_index()
    order = order.sort_values(["n", "last", "pid"], ascending=[False, False, True])
    return pd.Series([f"Offender #{i}" for i in range(1, len(order) + 1)], index=order["pid"],
                     name="offender")


def repeat_offenders(dataset, *, min_incidents: int = 2, as_of=None,
                     mask_names: bool = True) -> pd.DataFrame:
    """Accused persons with at least ``min_incidents`` incidents, ranked by count then recency.

    Returns columns ``rank, offender, name, n_incidents, first, last, days_since_last,
    n_heads, main_head, n_beats, heads``; ``days_since_last`` counts to ``as_of`` (default: the
    last incident in the dataset). ``offender`` is a pseudonym and ``name`` is masked unless
    ``mask_names=False`` (then the person id and the full name).
    """
    columns = ["rank", "offender", "name", "n_incidents", "first", "last", "days_since_last",
               "n_heads", "main_head", "n_beats", "heads"]
    acc = _accused(dataset)
    if not len(acc):
        return pd.DataFrame(columns=columns)
    as_of = pd.Timestamp(as_of) if as_of is not None else dataset.incidents["occurred_at"].max()
    g = acc.groupby("person_id")
    per_head = acc.groupby(["person_id", "category"]).size().rename("n").reset_index()
    main = per_head.sort_values(["n", "category"], ascending=[False, True])
    out = pd.DataFrame({
        "name": g["name"].first(), "n_incidents": g["incident_id"].nunique(),
        "first": g["occurred_at"].min(), "last": g["occurred_at"].max(),
        "n_heads": g["category"].nunique(),
        "main_head": main.drop_duplicates("person_id").set_index("person_id")["category"],
        "n_beats": acc[is_known(acc["beat"])].groupby("person_id")["beat"].nunique(),
        "heads": per_head.groupby("person_id")["category"].agg(", ".join)})
    out["n_beats"] = out["n_beats"].fillna(0).astype(int)
    out = out[out["n_incidents"] >= min_incidents].rename_axis("person_id").reset_index()
    out["days_since_last"] = (as_of - out["last"]).dt.days
    out = out.sort_values(["n_incidents", "last", "person_id"], ascending=[False, False, True],
                          ignore_index=True)
    out["rank"] = np.arange(1, len(out) + 1)
    out["offender"] = (out["person_id"] if not mask_names
                       else out["person_id"].map(offender_pseudonyms(dataset)))
    out["name"] = masked(out["name"].fillna(""), mask_names)
    return out[columns]


def journey_to_crime(dataset) -> pd.DataFrame:
    """Distance from each accused person's home to the incident, great-circle, in km.

    Returns columns ``incident_id, category, beat, distance_km`` for accused rows with both a
    home and an incident location (no person columns: distances are about crime, not people).
    """
    acc = person_incidents(dataset, "accused")
    acc = acc.dropna(subset=["home_lat", "home_lon", "lat", "lon"])
    out = acc[["incident_id", "category", "beat"]].copy()
    out["distance_km"] = haversine_km(acc["home_lat"], acc["home_lon"], acc["lat"], acc["lon"])
    return out.reset_index(drop=True)


def journey_summary(dataset, *, min_count: int = 5) -> pd.DataFrame:
    """Journey-to-crime distances per crime head: ``category, n, median_km, mean_km, p25_km,
    p75_km, p90_km, share_within_1km``, shortest median first (heads with < min_count left out)."""
    j = journey_to_crime(dataset)
    g = j.groupby("category")["distance_km"]
    out = pd.DataFrame({"n": g.size(), "median_km": g.median(), "mean_km": g.mean(),
                        "p25_km": g.quantile(0.25), "p75_km": g.quantile(0.75),
                        "p90_km": g.quantile(0.9),
                        "share_within_1km": g.agg(lambda s: float((s <= 1).mean()))})
    out = out[out["n"] >= min_count].rename_axis("category").reset_index()
    return out.sort_values("median_km", ignore_index=True)


def co_offending(dataset, *, min_together: int = 1, mask_names: bool = True) -> pd.DataFrame:
    """Pairs of people accused together in the same incident, as a small network table.

    Returns columns ``offender_a, offender_b, n_together, first, last, heads, group,
    group_size``: one row per pair with at least ``min_together`` shared incidents; ``group``
    numbers the connected groups (1 = largest) and ``group_size`` counts its members.
    Pseudonyms match :func:`repeat_offenders` unless ``mask_names=False`` (then person ids).
    """
    columns = ["offender_a", "offender_b", "n_together", "first", "last", "heads", "group",
               "group_size"]
    acc = _accused(dataset)[["incident_id", "person_id", "occurred_at", "category"]]
    acc = acc.drop_duplicates(["incident_id", "person_id"])
    pairs = acc.merge(acc[["incident_id", "person_id"]], on="incident_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["person_id_a"] < pairs["person_id_b"]]
    if not len(pairs):
        return pd.DataFrame(columns=columns)
    g = pairs.groupby(["person_id_a", "person_id_b"])
    out = pd.DataFrame({"n_together": g.size(), "first": g["occurred_at"].min(),
                        "last": g["occurred_at"].max(),
                        "heads": g["category"].agg(lambda s: ", ".join(sorted(set(s))))})
    out = out[out["n_together"] >= min_together].reset_index()
    if not len(out):
        return pd.DataFrame(columns=columns)
    ids, codes = np.unique(out[["person_id_a", "person_id_b"]].to_numpy(), return_inverse=True)
    codes = codes.reshape(-1, 2)
    graph = coo_matrix((np.ones(len(out)), (codes[:, 0], codes[:, 1])), shape=(len(ids),) * 2)
    _, comp = connected_components(graph, directed=False)
    sizes = np.bincount(comp)
    rank = np.empty_like(sizes)
    rank[np.lexsort((np.arange(len(sizes)), -sizes))] = np.arange(1, len(sizes) + 1)
    out["group"] = rank[comp[codes[:, 0]]]
    out["group_size"] = sizes[comp[codes[:, 0]]]
    if mask_names:
        names = offender_pseudonyms(dataset)
        out["person_id_a"] = out["person_id_a"].map(names)
        out["person_id_b"] = out["person_id_b"].map(names)
    out = out.rename(columns={"person_id_a": "offender_a", "person_id_b": "offender_b"})
    return out[columns].sort_values(["group", "n_together"], ascending=[True, False],
                                    ignore_index=True)
