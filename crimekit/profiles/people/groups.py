"""Groups of people: who the victims and accused of each head are (:func:`distribution`), which
groups are over-represented (:func:`overrepresentation`), and counts of persons per incident
(:func:`person_counts`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.profiles.base import (PROFILE_FIELDS, UNKNOWN, check_choice, is_known,
                                    person_incidents, population_share)
from crimekit.profiles.settings import GROUPINGS, ProfileSettings
from crimekit.stats import fdr_q_values

_DEFAULT = ProfileSettings()


def distribution(dataset, role: str = "victim", *, by: str = "category",
                 fields=PROFILE_FIELDS) -> pd.DataFrame:
    """Share of each value of each person field, per crime head (``by="category"``) or major
    head (``by="category_group"``), plus an ``"All"`` row per field.

    Returns columns ``head, field, value, count, share`` (share within head and field, unknown
    values included so shares add to 1). Fields with no known value at all are left out.
    """
    check_choice("by", "distribution", by, GROUPINGS)
    people = person_incidents(dataset, role)
    frames = []
    for field in fields:
        if not len(people) or not is_known(people[field]).any():
            continue
        values = people[field].where(is_known(people[field]), UNKNOWN).astype(str)
        both = pd.concat([pd.DataFrame({"head": people[by].to_numpy(), "value": values}),
                          pd.DataFrame({"head": "All", "value": values})])
        counts = both.groupby(["head", "value"]).size().rename("count").reset_index()
        counts["share"] = counts["count"] / counts.groupby("head")["count"].transform("sum")
        frames.append(counts.assign(field=field))
    if not frames:
        return pd.DataFrame(columns=["head", "field", "value", "count", "share"])
    out = pd.concat(frames, ignore_index=True)[["head", "field", "value", "count", "share"]]
    return out.sort_values(["field", "head", "count"], ascending=[True, True, False],
                           ignore_index=True)


def overrepresentation(dataset, role: str = "victim", *, field: str = "sex",
                       by: str = "category", population: pd.DataFrame | None = None,
                       min_count: int = _DEFAULT.min_persons, alpha: float = _DEFAULT.alpha,
                       min_ratio: float = _DEFAULT.min_ratio) -> pd.DataFrame:
    """Which groups (values of ``field``) are over-represented among each head's persons.

    A group's ``share`` of a head's persons (with a known ``field``) is compared with its
    ``baseline_share`` among all persons of that role; ``ratio = share / baseline_share``.
    ``p_value`` is a one-sided binomial test (more than the baseline would give), ``q_value``
    its Benjamini-Hochberg correction over the whole table, and ``overrepresented`` marks
    ``q_value < alpha``, ``ratio >= min_ratio`` and ``count >= min_count``. With
    ``population`` (columns ``beat, group, population``; groups are values of ``field``) the
    share is also compared with the group's share of the population (``population_share``,
    ``ratio_population``).

    Returns columns ``head, field, value, count, n, share, baseline_share, ratio, p_value,
    q_value, overrepresented`` (+ the population columns), most over-represented first.
    """
    check_choice("by", "overrepresentation", by, GROUPINGS)
    check_choice("field", "overrepresentation", field, PROFILE_FIELDS)
    columns = ["head", "field", "value", "count", "n", "share", "baseline_share", "ratio",
               "p_value", "q_value", "overrepresented"]
    people = person_incidents(dataset, role)
    if len(people):
        people = people[is_known(people[field])]
    if not len(people):
        return pd.DataFrame(columns=columns)
    values = people[field].astype(str)
    baseline = values.value_counts(normalize=True)
    counts = pd.crosstab(people[by], values)
    out = counts.stack().rename("count").reset_index()
    out.columns = ["head", "value", "count"]
    out["n"] = out["head"].map(counts.sum(axis=1)).astype(int)
    out["share"] = out["count"] / out["n"]
    out["baseline_share"] = out["value"].map(baseline)
    out["ratio"] = out["share"] / out["baseline_share"]
    out["p_value"] = stats.binom.sf(out["count"] - 1, out["n"], out["baseline_share"])
    out["q_value"] = fdr_q_values(out["p_value"])
    out["overrepresented"] = ((out["q_value"] < alpha) & (out["ratio"] >= min_ratio)
                              & (out["count"] >= min_count))
    out["field"] = field
    if population is not None:
        out["population_share"] = population_share(population, out["value"]).to_numpy()
        out["ratio_population"] = out["share"] / out["population_share"]
        columns += ["population_share", "ratio_population"]
    return out[columns].sort_values(["overrepresented", "ratio"], ascending=False,
                                    ignore_index=True)


def person_counts(dataset, *, by: str = "category") -> pd.DataFrame:
    """Victims and accused per crime head from count columns (``victim_count``,
    ``accused_count``, as in the KSP FIR format), or from person rows when there are no counts.

    Returns columns ``head, incidents, victims, accused, victims_per_incident,
    accused_per_incident, source`` (``source`` says "count columns" or "person rows").
    """
    check_choice("by", "person_counts", by, GROUPINGS)
    inc = dataset.incidents
    out = inc.groupby(by).size().rename("incidents").to_frame()
    if {"victim_count", "accused_count"} & set(inc.columns):
        source = "count columns"
        for role in ("victim", "accused"):
            col = f"{role}_count"
            values = pd.to_numeric(inc[col], errors="coerce") if col in inc else np.nan
            out[role if role == "accused" else "victims"] = (
                pd.Series(values, index=inc.index).groupby(inc[by]).sum(min_count=1))
    else:
        source = "person rows"
        people = person_incidents(dataset)
        for role, col in (("victim", "victims"), ("accused", "accused")):
            out[col] = people[people["role"] == role].groupby(by).size()
            out[col] = out[col].fillna(0)
    out["victims_per_incident"] = out["victims"] / out["incidents"]
    out["accused_per_incident"] = out["accused"] / out["incidents"]
    out["source"] = source
    return out.rename_axis("head").reset_index().sort_values("incidents", ascending=False,
                                                             ignore_index=True)
