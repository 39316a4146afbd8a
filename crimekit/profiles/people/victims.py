"""Repeat victims: the same person or address harmed again (:func:`repeat_victims`), and how
soon (:func:`revictimisation_intervals`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.profiles.base import check_choice, is_known, masked, person_incidents

#: Gaps between one victimisation and the next, as shown in revictimisation_intervals.
GAP_BINS = ((0, 7, "within a week"), (8, 30, "8-30 days"), (31, 90, "31-90 days"),
            (91, 365, "91-365 days"), (366, np.inf, "over a year"))


def _victim_keys(people: pd.DataFrame, by: str) -> pd.Series:
    """The identity used to spot repeats: the person id, or the home address (to ~1 m)."""
    if by == "person":
        return people["person_id"].where(is_known(people["person_id"]))
    ok = people["home_lat"].notna() & people["home_lon"].notna()
    key = people["home_lat"].round(5).astype(str) + "," + people["home_lon"].round(5).astype(str)
    return key.where(ok)


def _victimisations(dataset, by: str) -> pd.DataFrame:
    """The victimisations of people (or addresses) harmed more than once, by key then time."""
    check_choice("by", "repeat_victims", by, ("person", "address"))
    people = person_incidents(dataset, "victim")
    people = people.assign(key=_victim_keys(people, by)).dropna(subset=["key"])
    people = people[people["key"].duplicated(keep=False)]  # one-off victims have no repeat
    return people.sort_values(["key", "occurred_at"], kind="stable")


def repeats_and_intervals(dataset, *, by: str = "person", mask_names: bool = True) -> tuple:
    """(:func:`repeat_victims`, :func:`revictimisation_intervals`) from one join."""
    v = _victimisations(dataset, by)
    return _repeats(v, mask_names), _intervals(v)


def repeat_victims(dataset, *, by: str = "person", mask_names: bool = True) -> pd.DataFrame:
    """People (``by="person"``) or addresses (``by="address"``) victimised more than once.

    Returns columns ``victim, name, n_incidents, first, last, min_days_between,
    median_days_between, heads``, most victimised (then most recent) first. ``victim`` is a
    pseudonym ("Victim #1") unless ``mask_names=False`` (then the person id or address), and
    ``name`` is masked unless ``mask_names=False``.
    """
    return _repeats(_victimisations(dataset, by), mask_names)


def _repeats(v, mask_names) -> pd.DataFrame:
    columns = ["victim", "name", "n_incidents", "first", "last", "min_days_between",
               "median_days_between", "heads"]
    v = v.assign(gap=v.groupby("key")["occurred_at"].diff().dt.total_seconds() / 86400)
    g = v.groupby("key")
    out = pd.DataFrame({
        "name": g["name"].first(), "n_incidents": g.size(), "first": g["occurred_at"].min(),
        "last": g["occurred_at"].max(), "min_days_between": g["gap"].min(),
        "median_days_between": g["gap"].median(),
        "heads": g["category"].agg(lambda s: ", ".join(sorted(set(s))))})
    out = out[out["n_incidents"] >= 2].rename_axis("key").reset_index()
    out = out.sort_values(["n_incidents", "last", "key"], ascending=[False, False, True],
                          ignore_index=True)
    out["victim"] = (out["key"] if not mask_names
                     else [f"Victim #{i}" for i in range(1, len(out) + 1)])
    out["name"] = masked(out["name"].fillna(""), mask_names)
    return out[columns]


def revictimisation_intervals(dataset, *, by: str = "person") -> pd.DataFrame:
    """How soon repeat victims are harmed again: days from one victimisation to the next.

    Returns one row per bin of GAP_BINS: ``interval, count, share, cumulative_share``.
    """
    return _intervals(_victimisations(dataset, by))


def _intervals(v) -> pd.DataFrame:
    gaps = (v.groupby("key")["occurred_at"].diff().dt.total_seconds() / 86400).dropna()
    days = np.floor(gaps.to_numpy())
    counts = [int(((days >= lo) & (days <= hi)).sum()) for lo, hi, _ in GAP_BINS]
    out = pd.DataFrame({"interval": [label for *_, label in GAP_BINS], "count": counts})
    total = max(sum(counts), 1)
    out["share"] = out["count"] / total
    out["cumulative_share"] = out["share"].cumsum()
    return out
