"""The canonical data model: every table crimekit works with, after ingestion.

Validate once, at the door, into these columns; everything downstream trusts them.

- incidents: one row per recorded crime.
- persons: one row per person per incident (victim, accused or complainant).
- beats: a GeoDataFrame of beat polygons (EPSG:4326) with ``beat`` and ``district``.
- patrols: beat duty logs, one row per (beat, date, shift).
- pois: points of interest (covariates) with ``kind``, ``lat``, ``lon``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

# --- incidents -------------------------------------------------------------------------------
INCIDENT_COLUMNS = (
    "incident_id",     # str, unique within a dataset
    "occurred_at",     # datetime64[ns], local time, no timezone
    "category",        # str: crime head
    "category_group",  # str: major head (may be empty)
    "heinous",         # bool
    "lat",             # float, WGS84 (NaN when unknown)
    "lon",             # float, WGS84 (NaN when unknown)
    "beat",            # str (may be empty)
    "district",        # str (may be empty)
    "premises",        # str (may be empty)
    "property_value",  # float (NaN when unknown)
    "arrest",          # bool
    "description",     # str (may be empty)
    "address",         # str: block, street or place as the source writes it (may be empty)
    "count",           # int: crimes this row stands for (1; a count per area and period; -1 for
                       # a reversal of an earlier crime). Sum it, never count rows: crime_count()
    "precision",       # category: how precise occurred_at is: "hour", "day", "month" or "year"
)
REQUIRED_INCIDENT_COLUMNS = ("occurred_at", "category")

#: How precise a row's time is, finest first. A "month" row is dated the 1st at 00:00 and
#: says only "some time that month"; a "day" row has no time of day.
PRECISIONS = ("hour", "day", "month", "year")
PRECISION_DTYPE = pd.CategoricalDtype(PRECISIONS, ordered=True)
#: Period lengths (crimekit.periods codes) that a precision supports: counting month-precision
#: rows per week would pile a month's crimes on its first week.
FREQS_FOR_PRECISION = {"hour": ("S", "D", "W", "2W", "M"), "day": ("D", "W", "2W", "M"),
                       "month": ("M",), "year": ()}
#: Share of crimes that must be at least this precise for the data to count as such.
PRECISION_SHARE = 0.95

# --- persons ---------------------------------------------------------------------------------
PERSON_COLUMNS = (
    "incident_id", "role", "person_id", "name", "age", "sex", "occupation",
    "socio_economic", "caste", "nationality", "home_lat", "home_lon",
)
ROLES = ("victim", "accused", "complainant")
#: Fields that no model may use as input (fairness), and that profiles show only as groups.
PROTECTED_FIELDS = ("sex", "caste", "nationality", "religion", "race", "descent")

# --- patrols ---------------------------------------------------------------------------------
PATROL_COLUMNS = ("beat", "date", "shift", "officers")

#: Shifts and the hours they start; a shift runs until the next one starts.
SHIFTS = ("morning", "evening", "night")
SHIFT_START_HOURS = {"morning": 6, "evening": 14, "night": 22}

POI_COLUMNS = ("kind", "name", "lat", "lon")

_STR_COLUMNS = ("incident_id", "category", "category_group", "beat", "district", "premises",
                "description", "address")


def shift_of(hours) -> np.ndarray:
    """Name the shift each hour of day (0-23) falls in: 06-14 morning, 14-22 evening, else night."""
    hours = np.asarray(hours)
    return np.where((hours >= 6) & (hours < 14), "morning",
                    np.where((hours >= 14) & (hours < 22), "evening", "night"))


def shift_order(col: pd.Series) -> pd.Series:
    """Sort key for ``DataFrame.sort_values(key=...)``: shifts in duty order (morning, evening,
    night; "all day" last), other columns as they are."""
    return col.map({s: i for i, s in enumerate(SHIFTS)}) if col.name == "shift" else col


def conform_incidents(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with every canonical column present and of its canonical dtype.

    Missing optional columns are added empty; extra source columns are kept as they are, after
    the canonical ones. Assumes values are already parsed (ingestion does the parsing and the
    reporting); this only fixes types so downstream code can rely on them.
    """
    out = df.copy()
    for col in _STR_COLUMNS:
        if col not in out:
            out[col] = ""
        elif not (out[col].dtype == object
                  and pd.api.types.infer_dtype(out[col], skipna=False) == "string"):
            out[col] = out[col].astype("string").fillna("").astype(object)
    out["occurred_at"] = pd.to_datetime(out.get("occurred_at"), errors="coerce")
    if getattr(out["occurred_at"].dt, "tz", None) is not None:
        out["occurred_at"] = out["occurred_at"].dt.tz_localize(None)
    out["occurred_at"] = out["occurred_at"].astype("datetime64[ns]")
    for col in ("lat", "lon", "property_value"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float) if col in out else np.nan
    for col in ("heinous", "arrest"):
        out[col] = out[col].fillna(False).astype(bool) if col in out else False
    out["count"] = (pd.to_numeric(out["count"], errors="coerce").fillna(1).astype("int64")
                    if "count" in out else np.ones(len(out), dtype="int64"))
    out["precision"] = _precision_column(out["precision"] if "precision" in out else None,
                                         len(out))
    extra = [c for c in out.columns if c not in INCIDENT_COLUMNS]
    return out[list(INCIDENT_COLUMNS) + extra].reset_index(drop=True)


# --- counting crimes: rows are not crimes ---------------------------------------------------------
def crime_weights(incidents: pd.DataFrame) -> np.ndarray:
    """How many crimes each row stands for (the ``count`` column; 1 per row without it).

    Every count of crimes in crimekit goes through this or :func:`crime_count`: a row of a
    counts file stands for many crimes and a reversal row takes one away.
    """
    if "count" not in incidents:
        return np.ones(len(incidents), dtype=float)
    return pd.to_numeric(incidents["count"], errors="coerce").fillna(1).to_numpy(dtype=float)


def crime_count(incidents: pd.DataFrame, by=None):
    """Crimes (sum of ``count``) in ``incidents``: a number, or a Series per value of ``by``
    (a column name, a list of them, or an array aligned with the rows), largest first."""
    w = pd.Series(crime_weights(incidents), index=incidents.index)
    if by is None:
        total = float(w.sum())
        return int(total) if total.is_integer() else total
    keys = [incidents[b] if isinstance(b, str) else b for b in by] if isinstance(by, list) \
        else (incidents[by] if isinstance(by, str) else by)
    out = w.groupby(keys, observed=True, sort=False).sum()
    if (out == out.round()).all():
        out = out.astype("int64")
    return out.sort_values(ascending=False, kind="stable")


def data_precision(incidents: pd.DataFrame, share: float = PRECISION_SHARE) -> str:
    """The finest time precision that at least ``share`` of the crimes have ("hour", "day",
    "month" or "year"): what the data's dates allow (a monthly file is "month")."""
    if "precision" not in incidents or not len(incidents):
        return "hour"
    w = pd.Series(np.abs(crime_weights(incidents)), index=incidents.index)
    by = w.groupby(incidents["precision"].astype(PRECISION_DTYPE), observed=False).sum()
    cum = by.reindex(list(PRECISIONS), fill_value=0).cumsum()
    total = cum.iloc[-1]
    if total <= 0:
        return "hour"
    return next(p for p in PRECISIONS if cum[p] >= share * total)


def require_precision(incidents: pd.DataFrame, needed: str, what: str) -> None:
    """Refuse ``what`` (e.g. "an hour by weekday chart") with one sentence when the data's
    times are coarser than ``needed`` ("hour" or "day")."""
    from crimekit.errors import PrecisionError
    have = data_precision(incidents)
    if PRECISIONS.index(have) > PRECISIONS.index(needed):
        raise PrecisionError(f"This data's dates are known only to the {have}, so {what} "
                             f"would pile every crime on the first {_FIRST[have]}; it needs "
                             f"times known to the {needed}.")


_FIRST = {"day": "hour of the day", "month": "day of the month", "year": "day of the year"}


def freq_for(incidents: pd.DataFrame, freq: str) -> tuple[str, str]:
    """(the period length to use, a sentence saying why it changed or "").

    ``freq`` (a crimekit.periods code) when the data's precision allows it, else monthly
    periods with one sentence; data known only to the year cannot be counted by period.
    """
    from crimekit.errors import PrecisionError
    have = data_precision(incidents)
    allowed = FREQS_FOR_PRECISION[have]
    if freq in allowed:
        return freq, ""
    if "M" in allowed:
        return "M", (f"Shown by month: this data's dates are known only to the {have}, so "
                     "daily or weekly counts would pile each month's crimes on its first day.")
    raise PrecisionError("This data's dates are known only to the year, so it cannot be "
                         "counted by day, week or month.")


def _precision_column(values, n: int) -> pd.Categorical:
    """Precision as the ordered category, "hour" where unknown (cheap when already one)."""
    if values is None:
        return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=PRECISION_DTYPE)
    if isinstance(values.dtype, pd.CategoricalDtype) and values.dtype == PRECISION_DTYPE \
            and not values.isna().any():
        return values.array
    cat = pd.Categorical(np.asarray(values, dtype=object), dtype=PRECISION_DTYPE)
    codes = np.where(cat.codes < 0, 0, cat.codes).astype(np.int8)
    return pd.Categorical.from_codes(codes, dtype=PRECISION_DTYPE)


def conform_persons(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with every canonical person column present (extra columns kept)."""
    out = df.copy()
    for col in PERSON_COLUMNS:
        if col not in out:
            out[col] = np.nan if col in ("age", "home_lat", "home_lon") else ""
    for col in ("age", "home_lat", "home_lon"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    for col in ("incident_id", "role", "person_id", "name", "sex", "occupation",
                "socio_economic", "caste", "nationality"):
        out[col] = out[col].astype("string").fillna("").astype(object)
    extra = [c for c in out.columns if c not in PERSON_COLUMNS]
    return out[list(PERSON_COLUMNS) + extra].reset_index(drop=True)


def conform_patrols(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` with the canonical patrol columns (beat, date, shift, officers)."""
    out = df.copy()
    out["beat"] = out["beat"].astype("string").fillna("").astype(object)
    out["date"] = pd.to_datetime(out["date"], errors="coerce").dt.normalize()
    out["shift"] = out["shift"].astype("string").fillna("").str.lower().astype(object)
    out["officers"] = pd.to_numeric(out["officers"], errors="coerce").fillna(0).astype(float)
    return out[list(PATROL_COLUMNS)].reset_index(drop=True)


@dataclass(frozen=True)
class Dataset:
    """A city's canonical tables under one name.

    Attributes
    ----------
    name : str
    incidents : DataFrame with INCIDENT_COLUMNS (and any extra source columns).
    persons : DataFrame with PERSON_COLUMNS, possibly empty.
    beats : GeoDataFrame (EPSG:4326) with ``beat``, ``district``, ``geometry``, or None.
    patrols : DataFrame with PATROL_COLUMNS, possibly empty.
    pois : DataFrame with POI_COLUMNS, possibly empty.
    holidays : DataFrame with ``date`` and ``holiday`` (the city's own list), possibly empty.
    meta : dict of free-form facts (source files, hashes, validation summary, crs).
    """

    name: str
    incidents: pd.DataFrame
    persons: pd.DataFrame = field(default_factory=lambda: conform_persons(pd.DataFrame()))
    beats: object = None
    patrols: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({c: [] for c in PATROL_COLUMNS}))
    pois: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({c: [] for c in POI_COLUMNS}))
    holidays: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"date": pd.to_datetime([]), "holiday": []}))
    meta: dict = field(default_factory=dict)

    def with_incidents(self, incidents: pd.DataFrame) -> "Dataset":
        """A copy of this dataset with other incidents (e.g. a filtered view)."""
        return replace(self, incidents=incidents)

    @property
    def precision(self) -> str:
        """How precise the incidents' times are (see :func:`data_precision`)."""
        return data_precision(self.incidents)

    @property
    def crimes(self):
        """Crimes in the dataset: the sum of the incidents' ``count``."""
        return crime_count(self.incidents)

    @property
    def date_range(self):
        """(first, last) occurrence timestamps, or (None, None) when there are no incidents."""
        ts = self.incidents["occurred_at"].dropna()
        return (ts.min(), ts.max()) if len(ts) else (None, None)
