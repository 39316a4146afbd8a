"""What every profile shares: the person fields, masking, persons joined to their incidents, an
optional population table, and what the data can answer at all (:func:`coverage`)."""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass

import pandas as pd

from crimekit.errors import ParameterError, UnusableInputError

#: Person fields profiled as distributions (``age_band`` is derived from ``age``/``age_group``).
PROFILE_FIELDS = ("age_band", "sex", "occupation", "socio_economic")
AGE_EDGES = (0, 18, 25, 35, 45, 60, 200)
AGE_BANDS = ("0-17", "18-24", "25-34", "35-44", "45-59", "60+")
UNKNOWN = "unknown"
_INCIDENT_FIELDS = ("incident_id", "occurred_at", "category", "category_group", "heinous",
                    "lat", "lon", "beat", "district")


def mask_name(name) -> str:
    """Keep each word's first letter and hide the rest: "Ravi Kumar" -> "R*** K****"."""
    words = str(name or "").split()
    return " ".join(w[0] + "*" * (len(w) - 1) for w in words)


def masked(names: pd.Series, mask_names: bool) -> pd.Series:
    """The names masked with :func:`mask_name`, or as they are when ``mask_names`` is False."""
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


#: The joins made inside :func:`shared_joins` ({(id of dataset, role): (dataset, table)}).
_SHARED = contextvars.ContextVar("crimekit_profiles_shared_joins", default=None)


@contextlib.contextmanager
def shared_joins():
    """Inside the block, :func:`person_incidents` joins each dataset and role once and hands
    the same table to every caller (none changes it in place), so a profile of many tables
    does not join persons to incidents again for each one."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def person_incidents(dataset, role: str | None = None) -> pd.DataFrame:
    """Persons of ``role`` (all when None) joined to their incident's time, head and place.

    Persons whose incident is not in the dataset (e.g. filtered out) are dropped. Adds
    ``age_band``; an empty major head (``category_group``) falls back to the crime head.
    Returns a new table (inside :func:`shared_joins`, one shared per dataset and role); the
    dataset is not changed.
    """
    shared = _SHARED.get()
    if shared is None:
        return _join(dataset, role)
    key = (id(dataset), role)
    if key not in shared:  # the dataset is kept with its table, so its id stays its own
        shared[key] = (dataset, _join(dataset, role))
    return shared[key][1]


def _join(dataset, role) -> pd.DataFrame:
    persons = dataset.persons
    if role is not None:
        persons = persons[persons["role"] == role]
    inc = dataset.incidents[list(_INCIDENT_FIELDS)].drop_duplicates("incident_id")
    inc = inc.assign(category_group=inc["category_group"].where(
        is_known(inc["category_group"]), inc["category"]))
    out = persons.merge(inc, on="incident_id", how="inner")
    out["age_band"] = age_band(out["age"], out["age_group"] if "age_group" in out else None)
    return out


def is_known(values: pd.Series) -> pd.Series:
    """True where a value is given: not missing, not empty, not "unknown"."""
    text = values.fillna("").astype(str).str.strip()
    return (text != "") & (text.str.lower() != UNKNOWN)


def check_choice(name, where, value, options):
    """Refuse ``value`` unless it is one of ``options`` (ParameterError's one template)."""
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
        return tuple(f for f in PROFILE_FIELDS if len(df) and is_known(df[f]).any())

    return Coverage(
        victims=len(vic), accused=len(acc), victim_fields=fields(vic), accused_fields=fields(acc),
        person_ids=bool(len(acc)) and bool(is_known(acc["person_id"]).any()),
        victim_ids=bool(len(vic)) and bool(is_known(vic["person_id"]).any()),
        homes=bool(len(acc)) and bool(acc["home_lat"].notna().any()),
        count_columns=tuple(c for c in ("victim_count", "accused_count")
                            if c in dataset.incidents))


def population_share(population, field_values) -> pd.Series:
    """Each group's share of the population (population columns: beat, group, population)."""
    missing = {"beat", "group", "population"} - set(population.columns)
    if missing:
        raise ParameterError.invalid("population", "overrepresentation",
                                     "a table with columns beat, group, population",
                                     f"missing {sorted(missing)}")
    per_group = population.groupby(population["group"].astype(str))["population"].sum()
    return (per_group / per_group.sum()).reindex(field_values)


def read_population(source) -> pd.DataFrame:
    """The optional population table from a CSV file (path or file object): columns ``beat,
    group, population`` (``group`` is a value of the person field profiled, e.g. F or
    Retired), beats and groups read as text. UnusableInputError says what is wrong."""
    try:
        pop = pd.read_csv(source, dtype={"beat": str, "group": str})
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnusableInputError(f"The population file cannot be read: {exc}") from None
    if not {"beat", "group", "population"} <= set(pop.columns):
        raise UnusableInputError(
            "The population file needs the columns beat, group, population (group = a value "
            "of the field shown, e.g. F or Retired).")
    return pop.assign(beat=pop["beat"].astype(str), group=pop["group"].astype(str))
