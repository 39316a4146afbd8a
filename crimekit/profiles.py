"""Who is harmed and who offends: profiles of victims and accused, as groups, people protected.

Every function takes a :class:`~crimekit.schema.Dataset` (usually the filtered view) and returns a
tidy DataFrame with fixed columns. Names never leave this module unmasked unless the caller asks
with ``mask_names=False``; people are shown as stable pseudonyms ("Offender #3", ranked by how
often they were accused) and masked names ("R*** K****").

What each table answers:

- :func:`distribution`: age band, sex, occupation, socio-economic status by crime head.
- :func:`overrepresentation`: which groups are over-represented among a head's victims (share vs
  their share of all victims, and vs population when given), with a one-sided binomial test.
- :func:`vulnerable_areas`: beats where a group's share of victims (or rate per population) is
  unusually high, with p- and q-values.
- :func:`repeat_victims`, :func:`revictimisation_intervals`: the same person or address harmed
  again, and how soon.
- :func:`repeat_offenders`, :func:`journey_to_crime`, :func:`journey_summary`,
  :func:`co_offending`: the accused side.
- :func:`person_counts`: victim/accused *counts* per incident (formats without person rows).
- :func:`coverage`: what the data can answer at all, so pages say so plainly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from crimekit.errors import ParameterError

#: Person fields profiled as distributions (``age_band`` is derived from ``age``/``age_group``).
PROFILE_FIELDS = ("age_band", "sex", "occupation", "socio_economic")
AGE_EDGES = (0, 18, 25, 35, 45, 60, 200)
AGE_BANDS = ("0-17", "18-24", "25-34", "35-44", "45-59", "60+")
UNKNOWN = "unknown"
#: Gaps between one victimisation and the next, as shown in revictimisation_intervals.
GAP_BINS = ((0, 7, "within a week"), (8, 30, "8-30 days"), (31, 90, "31-90 days"),
            (91, 365, "91-365 days"), (366, np.inf, "over a year"))
_INCIDENT_FIELDS = ("incident_id", "occurred_at", "category", "category_group", "heinous",
                    "lat", "lon", "beat", "district")
_BY = ("category", "category_group")


# --- masking ------------------------------------------------------------------------------------

def mask_name(name) -> str:
    """Keep each word's first letter and hide the rest: "Ravi Kumar" -> "R*** K****"."""
    words = str(name or "").split()
    return " ".join(w[0] + "*" * (len(w) - 1) for w in words)


def _masked(names: pd.Series, mask_names: bool) -> pd.Series:
    return names.map(mask_name) if mask_names else names


# --- joining persons to incidents -----------------------------------------------------------------

def age_band(age, age_group=None) -> pd.Series:
    """The age band of each person ("0-17" ... "60+"); the source's own group (e.g. NYPD's
    "25-44") wherever the source gave a group, since the age ingestion derives from a group is
    only its midpoint; "unknown" otherwise."""
    age = pd.Series(age, dtype=float).reset_index(drop=True)
    cut = pd.cut(age, AGE_EDGES, right=False, labels=AGE_BANDS).astype(object)
    out = cut.where(cut.notna(), None)
    if age_group is not None:
        group = pd.Series(age_group, dtype=object).reset_index(drop=True).fillna("").astype(str)
        out = group.where(group.str.strip() != "", out)
    return out.fillna(UNKNOWN).astype(object)


def person_incidents(dataset, role: str | None = None) -> pd.DataFrame:
    """Persons of ``role`` (all when None) joined to their incident's time, head and place.

    Persons whose incident is not in the dataset (e.g. filtered out) are dropped. Adds
    ``age_band``; an empty major head (``category_group``) falls back to the crime head.
    Returns a new table; the dataset is not changed.
    """
    persons = dataset.persons
    if role is not None:
        persons = persons[persons["role"] == role]
    inc = dataset.incidents[list(_INCIDENT_FIELDS)].drop_duplicates("incident_id")
    inc = inc.assign(category_group=inc["category_group"].where(
        _known(inc["category_group"]), inc["category"]))
    out = persons.merge(inc, on="incident_id", how="inner")
    out["age_band"] = age_band(out["age"], out["age_group"] if "age_group" in out else None)
    return out


def _known(values: pd.Series) -> pd.Series:
    text = values.fillna("").astype(str).str.strip()
    return (text != "") & (text.str.lower() != UNKNOWN)


def _check_choice(name, where, value, options):
    if value not in options:
        raise ParameterError.invalid(name, where, f"one of {', '.join(map(str, options))}", value)


# --- what the data can answer ---------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """What person data a dataset has, so each section can say plainly what it cannot show.

    Attributes
    ----------
    victims, accused : number of victim / accused person rows (linked to incidents).
    victim_fields, accused_fields : profile fields with at least one known value.
    person_ids : accused rows carry person ids (needed for repeat offenders, re-offending).
    victim_ids : victim rows carry person ids (needed for repeat victims by person).
    homes : accused rows carry home coordinates (needed for journey-to-crime).
    count_columns : incident columns with victim/accused counts only (e.g. the KSP FIR format).
    """

    victims: int
    accused: int
    victim_fields: tuple
    accused_fields: tuple
    person_ids: bool
    victim_ids: bool
    homes: bool
    count_columns: tuple


def coverage(dataset) -> Coverage:
    """Count what person data ``dataset`` carries (see :class:`Coverage`)."""
    people = person_incidents(dataset)
    vic, acc = people[people["role"] == "victim"], people[people["role"] == "accused"]

    def fields(df):
        return tuple(f for f in PROFILE_FIELDS if len(df) and _known(df[f]).any())

    return Coverage(
        victims=len(vic), accused=len(acc), victim_fields=fields(vic), accused_fields=fields(acc),
        person_ids=bool(len(acc)) and bool(_known(acc["person_id"]).any()),
        victim_ids=bool(len(vic)) and bool(_known(vic["person_id"]).any()),
        homes=bool(len(acc)) and bool(acc["home_lat"].notna().any()),
        count_columns=tuple(c for c in ("victim_count", "accused_count")
                            if c in dataset.incidents))


# --- distributions and over-representation --------------------------------------------------------

def distribution(dataset, role: str = "victim", *, by: str = "category",
                 fields=PROFILE_FIELDS) -> pd.DataFrame:
    """Share of each value of each person field, per crime head (``by="category"``) or major
    head (``by="category_group"``), plus an ``"All"`` row per field.

    Returns columns ``head, field, value, count, share`` (share within head and field, unknown
    values included so shares add to 1). Fields with no known value at all are left out.
    """
    _check_choice("by", "distribution", by, _BY)
    people = person_incidents(dataset, role)
    frames = []
    for field in fields:
        if not len(people) or not _known(people[field]).any():
            continue
        values = people[field].where(_known(people[field]), UNKNOWN).astype(str)
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


def fdr_q_values(p_values) -> np.ndarray:
    """Benjamini-Hochberg q-values: the false discovery rate at which each test is significant,
    so scanning many groups or beats does not flag chance highs."""
    p = np.asarray(p_values, float)
    q = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        q[ok] = stats.false_discovery_control(p[ok])
    return q


def _population_share(population, field_values) -> pd.Series:
    """Each group's share of the population (population columns: beat, group, population)."""
    missing = {"beat", "group", "population"} - set(population.columns)
    if missing:
        raise ParameterError.invalid("population", "overrepresentation",
                                     "a table with columns beat, group, population",
                                     f"missing {sorted(missing)}")
    per_group = population.groupby(population["group"].astype(str))["population"].sum()
    return (per_group / per_group.sum()).reindex(field_values)


def overrepresentation(dataset, role: str = "victim", *, field: str = "sex",
                       by: str = "category", population: pd.DataFrame | None = None,
                       min_count: int = 10, alpha: float = 0.05,
                       min_ratio: float = 1.25) -> pd.DataFrame:
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
    _check_choice("by", "overrepresentation", by, _BY)
    _check_choice("field", "overrepresentation", field, PROFILE_FIELDS)
    columns = ["head", "field", "value", "count", "n", "share", "baseline_share", "ratio",
               "p_value", "q_value", "overrepresented"]
    people = person_incidents(dataset, role)
    if len(people):
        people = people[_known(people[field])]
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
        out["population_share"] = _population_share(population, out["value"]).to_numpy()
        out["ratio_population"] = out["share"] / out["population_share"]
        columns += ["population_share", "ratio_population"]
    return out[columns].sort_values(["overrepresented", "ratio"], ascending=False,
                                    ignore_index=True)


def vulnerable_areas(dataset, field: str, value: str, *, role: str = "victim",
                     population: pd.DataFrame | None = None, min_persons: int = 10,
                     alpha: float = 0.05) -> pd.DataFrame:
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
    _check_choice("field", "vulnerable_areas", field, PROFILE_FIELDS)
    columns = ["beat", "n", "count", "share", "expected", "ratio", "p_value", "q_value",
               "significant"]
    people = person_incidents(dataset, role)
    if len(people):
        people = people[_known(people[field]) & _known(people["beat"])]
    if not len(people):
        return pd.DataFrame(columns=columns)
    hit = people[field].astype(str) == str(value)
    per_beat = pd.DataFrame({"n": people.groupby("beat").size(),
                             "count": hit.groupby(people["beat"]).sum()}).reset_index()
    per_beat = per_beat[per_beat["n"] >= min_persons].reset_index(drop=True)
    per_beat["share"] = per_beat["count"] / per_beat["n"]
    if population is None:
        city_share = hit.mean()
        per_beat["expected"] = per_beat["n"] * city_share
        per_beat["p_value"] = stats.binom.sf(per_beat["count"] - 1, per_beat["n"], city_share)
    else:
        _population_share(population, [value])  # checks the columns
        pop = population[population["group"].astype(str) == str(value)]
        pop = pop.groupby(pop["beat"].astype(str))["population"].sum()
        per_beat["population"] = per_beat["beat"].map(pop).fillna(0.0)
        per_beat = per_beat[per_beat["population"] > 0].reset_index(drop=True)
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


# --- repeat victims -------------------------------------------------------------------------------

def _victim_keys(people: pd.DataFrame, by: str) -> pd.Series:
    """The identity used to spot repeats: the person id, or the home address (to ~1 m)."""
    if by == "person":
        return people["person_id"].where(_known(people["person_id"]))
    ok = people["home_lat"].notna() & people["home_lon"].notna()
    key = people["home_lat"].round(5).astype(str) + "," + people["home_lon"].round(5).astype(str)
    return key.where(ok)


def _victimisations(dataset, by: str) -> pd.DataFrame:
    _check_choice("by", "repeat_victims", by, ("person", "address"))
    people = person_incidents(dataset, "victim")
    people = people.assign(key=_victim_keys(people, by)).dropna(subset=["key"])
    return people.sort_values(["key", "occurred_at"], kind="stable")


def repeat_victims(dataset, *, by: str = "person", mask_names: bool = True) -> pd.DataFrame:
    """People (``by="person"``) or addresses (``by="address"``) victimised more than once.

    Returns columns ``victim, name, n_incidents, first, last, min_days_between,
    median_days_between, heads``, most victimised (then most recent) first. ``victim`` is a
    pseudonym ("Victim #1") unless ``mask_names=False`` (then the person id or address), and
    ``name`` is masked unless ``mask_names=False``.
    """
    columns = ["victim", "name", "n_incidents", "first", "last", "min_days_between",
               "median_days_between", "heads"]
    v = _victimisations(dataset, by)
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
    out["name"] = _masked(out["name"].fillna(""), mask_names)
    return out[columns]


def revictimisation_intervals(dataset, *, by: str = "person") -> pd.DataFrame:
    """How soon repeat victims are harmed again: days from one victimisation to the next.

    Returns one row per bin of GAP_BINS: ``interval, count, share, cumulative_share``.
    """
    v = _victimisations(dataset, by)
    gaps = (v.groupby("key")["occurred_at"].diff().dt.total_seconds() / 86400).dropna()
    days = np.floor(gaps.to_numpy())
    counts = [int(((days >= lo) & (days <= hi)).sum()) for lo, hi, _ in GAP_BINS]
    out = pd.DataFrame({"interval": [label for *_, label in GAP_BINS], "count": counts})
    total = max(sum(counts), 1)
    out["share"] = out["count"] / total
    out["cumulative_share"] = out["share"].cumsum()
    return out


# --- accused --------------------------------------------------------------------------------------

def _accused(dataset) -> pd.DataFrame:
    acc = person_incidents(dataset, "accused")
    return acc[_known(acc["person_id"])]


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
        "n_beats": acc[_known(acc["beat"])].groupby("person_id")["beat"].nunique(),
        "heads": per_head.groupby("person_id")["category"].agg(", ".join)})
    out["n_beats"] = out["n_beats"].fillna(0).astype(int)
    out = out[out["n_incidents"] >= min_incidents].rename_axis("person_id").reset_index()
    out["days_since_last"] = (as_of - out["last"]).dt.days
    out = out.sort_values(["n_incidents", "last", "person_id"], ascending=[False, False, True],
                          ignore_index=True)
    out["rank"] = np.arange(1, len(out) + 1)
    out["offender"] = (out["person_id"] if not mask_names
                       else out["person_id"].map(offender_pseudonyms(dataset)))
    out["name"] = _masked(out["name"].fillna(""), mask_names)
    return out[columns]


def _haversine_km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, float)) for a in (lat1, lon1, lat2, lon2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def journey_to_crime(dataset) -> pd.DataFrame:
    """Distance from each accused person's home to the incident, great-circle, in km.

    Returns columns ``incident_id, category, beat, distance_km`` for accused rows with both a
    home and an incident location (no person columns: distances are about crime, not people).
    """
    acc = person_incidents(dataset, "accused")
    acc = acc.dropna(subset=["home_lat", "home_lon", "lat", "lon"])
    out = acc[["incident_id", "category", "beat"]].copy()
    out["distance_km"] = _haversine_km(acc["home_lat"], acc["home_lon"], acc["lat"], acc["lon"])
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


# --- counts only ----------------------------------------------------------------------------------

def person_counts(dataset, *, by: str = "category") -> pd.DataFrame:
    """Victims and accused per crime head from count columns (``victim_count``,
    ``accused_count``, as in the KSP FIR format), or from person rows when there are no counts.

    Returns columns ``head, incidents, victims, accused, victims_per_incident,
    accused_per_incident, source`` (``source`` says "count columns" or "person rows").
    """
    _check_choice("by", "person_counts", by, _BY)
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
