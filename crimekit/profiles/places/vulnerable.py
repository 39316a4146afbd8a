"""Vulnerable areas: beats where one group of people is harmed unusually often."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crimekit.profiles.base import (PROFILE_FIELDS, check_choice, is_known, person_incidents,
                                    population_share)
from crimekit.profiles.settings import ProfileSettings
from crimekit.stats import fdr_q_values

_DEFAULT = ProfileSettings()
COLUMNS = ("beat", "n", "count", "share", "expected", "ratio", "p_value", "q_value", "significant")


def vulnerable_areas(dataset, field: str, value: str, *, role: str = "victim",
                     population: pd.DataFrame | None = None,
                     min_persons: int = _DEFAULT.min_persons,
                     alpha: float = _DEFAULT.alpha) -> pd.DataFrame:
    """Beats where group ``field == value`` is harmed unusually often.

    Without population: the group's share of each beat's victims is compared with its city-wide
    share (one-sided binomial test; ``expected = n * city_share``). With ``population``
    (columns ``beat, group, population``) the group's victims per 1,000 of its residents is
    compared with the city-wide rate (one-sided Poisson test). Beats with fewer than
    ``min_persons`` victims (known ``field``) are left out. ``q_value`` is the
    Benjamini-Hochberg correction across beats; ``significant`` marks ``q_value < alpha``.

    Returns columns ``beat, n, count, share, expected, ratio, p_value, q_value, significant``
    (+ ``population, rate_per_1000`` with population), most unusual first.
    """
    check_choice("field", "vulnerable_areas", field, PROFILE_FIELDS)
    return areas_by_group(person_incidents(dataset, role), field, [value],
                          population=population, min_persons=min_persons, alpha=alpha)[value]


def areas_by_group(people: pd.DataFrame, field: str, groups, *,
                   population: pd.DataFrame | None = None,
                   min_persons: int = _DEFAULT.min_persons,
                   alpha: float = _DEFAULT.alpha) -> dict:
    """{group: :func:`vulnerable_areas` of ``field == group``} for each of ``groups``, from
    persons already joined to their incidents (:func:`~crimekit.profiles.base.person_incidents`),
    so the groups of a field share one filter and one count of persons per beat."""
    if len(people):
        people = people[is_known(people[field]) & is_known(people["beat"])]
    codes, beats = pd.factorize(people["beat"], sort=True)
    n = np.bincount(codes, minlength=len(beats))
    values = people[field].astype(str).to_numpy()
    return {g: _areas(beats, n, codes, values == str(g), g, population, min_persons, alpha)
            for g in groups}


def _areas(beats, n, codes, hit, value, population, min_persons, alpha) -> pd.DataFrame:
    """Vulnerable areas of one group: ``hit`` marks its persons, ``codes`` their beats (positions
    in ``beats``), ``n`` the persons (known field and beat) per beat."""
    columns = list(COLUMNS)
    if not len(codes):
        return pd.DataFrame(columns=columns)
    count = np.bincount(codes, weights=hit, minlength=len(beats)).astype(int)
    per_beat = pd.DataFrame({"beat": beats.to_numpy(), "n": n, "count": count})
    per_beat = per_beat[per_beat["n"] >= min_persons].reset_index(drop=True)
    per_beat["share"] = per_beat["count"] / per_beat["n"]
    if population is None:
        city_share = hit.mean()
        per_beat["expected"] = per_beat["n"] * city_share
        per_beat["p_value"] = stats.binom.sf(per_beat["count"] - 1, per_beat["n"], city_share)
    else:
        population_share(population, [value])  # checks the columns
        pop = population[population["group"].astype(str) == str(value)]
        pop = pop.groupby(pop["beat"].astype(str))["population"].sum()
        per_beat["population"] = per_beat["beat"].map(pop).fillna(0.0)
        per_beat = per_beat[per_beat["population"] > 0].reset_index(drop=True)
        if not len(per_beat):  # no beat with enough victims has residents of the group
            return pd.DataFrame(columns=columns + ["population", "rate_per_1000"])
        rate = per_beat["count"].sum() / per_beat["population"].sum()
        per_beat["rate_per_1000"] = 1000 * per_beat["count"] / per_beat["population"]
        per_beat["expected"] = per_beat["population"] * rate
        per_beat["p_value"] = stats.poisson.sf(per_beat["count"] - 1, per_beat["expected"])
        columns += ["population", "rate_per_1000"]
    per_beat["ratio"] = per_beat["count"] / per_beat["expected"]
    per_beat["q_value"] = fdr_q_values(per_beat["p_value"])
    per_beat["significant"] = per_beat["q_value"] < alpha
    return per_beat[columns].sort_values(["p_value", "ratio"], ascending=[True, False],
                                         ignore_index=True)
