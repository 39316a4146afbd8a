"""Validation that helps: every problem found in a file, how many rows, which, and what to do.

Checks are lazy: they collect every problem and keep the good rows. A ``ProblemLog`` gathers
problems while a file is parsed; ``ValidationReport`` is the frozen result shown to the analyst.

Row numbers are as in the file, counting the header as row 1 (the first data row is row 2), so
an analyst can find them in a spreadsheet. Excel rows count the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from crimekit.stats import haversine_km

PROBLEM_COLUMNS = ("problem", "column", "rows", "examples", "action", "advice")
MAX_EXAMPLES = 5
#: Defaults a commander would pick; override per call.
MIN_YEAR = 1960
MAX_DISTANCE_KM = 100.0


class ProblemLog:
    """Collects problems for one file; ``rows`` maps table positions to file row numbers."""

    def __init__(self, rows: np.ndarray):
        self.rows = np.asarray(rows)
        self.items: list[dict] = []

    def add(self, column, mask, problem, action, advice, values=None):
        """Record a problem for the rows where ``mask`` is True (nothing if none are)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if values is not None:
            sample = pd.Series(np.asarray(values, dtype=object)[mask]).dropna().astype(str).unique()[:3]
            if len(sample):
                problem = f"{problem} (e.g. {', '.join(repr(v) for v in sample)})"
        self.add_rows(column, self.rows[mask], problem, action, advice)

    def add_rows(self, column, file_rows, problem, action, advice):
        """Record a problem for explicit file row numbers (problems found while reading)."""
        file_rows = np.asarray(file_rows)
        self.items.append({"problem": problem, "column": column or "", "rows": int(len(file_rows)),
                           "examples": [int(r) for r in file_rows[:MAX_EXAMPLES]],
                           "action": action, "advice": advice})

    note = add  # an informational entry (rows kept, nothing to fix necessarily) reads the same

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.items, columns=list(PROBLEM_COLUMNS))


@dataclass(frozen=True)
class ValidationReport:
    """What happened to one file.

    Attributes
    ----------
    file : file name.
    kind : incidents, persons, patrols, beats or pois.
    preset : the format used ("chicago", ..., "generic").
    rows_read : data rows read from the file (rows that could not even be split included).
    rows_kept : rows imported.
    problems : DataFrame with columns problem, column, rows, examples (up to 5 file row
        numbers, header = row 1), action (what crimekit did) and advice (what to do).
    mapping : {source column: canonical field} used.
    notes : other facts (encoding, delimiter, CRS used).
    crimes : crimes kept (the sum of the incidents' count; None for other tables).
    precision, first, last : how precise the dates are and the date range at that precision.
    located : share of the crimes placed on the map (by coordinates or by a named area).
    """

    file: str
    kind: str
    preset: str
    rows_read: int
    rows_kept: int
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(PROBLEM_COLUMNS)))
    mapping: dict = field(default_factory=dict)
    notes: tuple = ()
    crimes: float | None = None
    precision: str = ""
    first: str = ""
    last: str = ""
    located: float | None = None

    @property
    def rows_dropped(self) -> int:
        return self.rows_read - self.rows_kept

    def with_problems(self, more: pd.DataFrame, rows_kept=None) -> "ValidationReport":
        """A copy with more problems appended (e.g. found when files are combined)."""
        probs = pd.concat([self.problems, more], ignore_index=True) if len(more) else self.problems
        return replace(self, problems=probs,
                       rows_kept=self.rows_kept if rows_kept is None else rows_kept)

    def summary(self) -> dict:
        """A JSON-ready summary (for the store's manifest)."""
        return {"file": self.file, "kind": self.kind, "preset": self.preset,
                "rows_read": self.rows_read, "rows_kept": self.rows_kept,
                "crimes": self.crimes, "precision": self.precision, "first": self.first,
                "last": self.last, "located": self.located,
                "mapping": dict(self.mapping), "notes": list(self.notes),
                "problems": [{k: (list(v) if k == "examples" else v) for k, v in p.items()}
                             for p in self.problems.to_dict("records")]}

    def to_text(self, hints=None) -> str:
        """The report as the command line prints it; ``hints`` ({phrase: option}) add the
        command-line option to advice that names a choice ("coordinate system": "--crs")."""
        if self.kind == "skipped":
            return f"{self.file}: skipped. {self.notes[0] if self.notes else ''}"
        lines = [f"{self.file}: {self.kind} ({self.preset} format): read {self.rows_read:,} rows, "
                 f"kept {self.rows_kept:,}" + (f", dropped {self.rows_dropped:,}."
                                               if self.rows_dropped else ".")]
        if self.crimes is not None and self.first:
            lines.append(f"  {self.crimes:,} crimes, {self.first} to {self.last} (times known "
                         f"to the {self.precision}); {self.located:.0%} located.")
        lines += [f"  note: {n}" + (f" ({hints['label']})" if hints and "set another label" in n
                                    else "") for n in self.notes]
        if not len(self.problems):
            lines.append("  No problems found.")
        for p in self.problems.itertuples(index=False):
            col = f" in column {p.column!r}" if p.column else ""
            ex = ", ".join(str(r) for r in p.examples)
            more = f" (+{p.rows - len(p.examples):,} more)" if p.rows > len(p.examples) else ""
            advice = p.advice + "".join(f" ({opt})" for phrase, opt in (hints or {}).items()
                                        if phrase in p.advice)
            rows = f" Rows {ex}{more}." if ex else ""
            lines.append(f"  - {p.rows:,} row{'s' if p.rows != 1 else ''}: {p.problem}{col}; "
                         f"{p.action}.{rows} What to do: {advice}.")
        return "\n".join(lines)


# --- checks on parsed incident columns -----------------------------------------------------------
def check_dates(log: ProblemLog, out: pd.DataFrame, raw_date, column: str, *, today, min_year):
    """Flag unreadable, future and implausibly old dates; return the mask of usable rows."""
    ts = out["occurred_at"]
    missing = ts.isna().to_numpy()
    if raw_date is not None:
        from crimekit.ingest.parse import is_blank
        blank = is_blank(raw_date).to_numpy()
        log.add(column, missing & ~blank, "date cannot be read", "row dropped",
                "write dates as YYYY-MM-DD hh:mm (or the file's usual format) or map another "
                "date column in the mapping", raw_date)
        log.add(column, missing & blank, "date is empty", "row dropped",
                "fill in the date in the source; rows without a date cannot be analysed")
    else:
        log.add(column, missing, "date cannot be read", "row dropped",
                "check the date parts (year, month, day) in the source")
    end = (pd.Timestamp(today) if today is not None else pd.Timestamp.now()).normalize() + pd.Timedelta(days=1)
    future = (ts >= end).to_numpy()
    old = (ts < pd.Timestamp(year=min_year, month=1, day=1)).to_numpy()
    log.add(column, future, "date is in the future", "row dropped",
            "check the year or the day/month order of those dates", ts)
    log.add(column, old, f"date is before {min_year}", "row dropped",
            "a placeholder date like 1900-01-01 usually means 'unknown'; fix it in the source "
            "or pass a lower min_year if the dates are real", ts)
    return ~(missing | future | old)


def check_coordinates(log: ProblemLog, out: pd.DataFrame, lat_col: str, *, max_km=MAX_DISTANCE_KM,
                      bounds=None):
    """Blank out (0,0), impossible and far-away coordinates in place; rows are kept.

    "Far away" means more than ``max_km`` from the median point of the file's rows (robust to a
    few strays), or outside ``bounds`` (minx, miny, maxx, maxy) when beats are known.
    """
    lat, lon = out["lat"].to_numpy(dtype=float), out["lon"].to_numpy(dtype=float)
    zero = (lat == 0) & (lon == 0)
    log.add(lat_col, zero, "coordinates are 0,0 (no location recorded)",
            "kept without a location (not on maps)", "geocode the address if location matters")
    impossible = ~zero & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    log.add(lat_col, impossible, "coordinates are not valid latitude/longitude",
            "kept without a location", "check the column mapping (lat/lon swapped or projected "
            "x/y?) or pass crs=")
    lat = np.where(zero | impossible, np.nan, lat)
    lon = np.where(zero | impossible, np.nan, lon)
    missing = np.isnan(lat) | np.isnan(lon)
    log.add(lat_col, missing & ~zero & ~impossible, "no coordinates",
            "kept without a location (counted in time analyses, not on maps)",
            "nothing, unless maps matter: geocode those rows")
    far = np.zeros(len(lat), bool)
    ok = ~missing
    if bounds is not None:
        minx, miny, maxx, maxy = bounds
        margin = 0.1  # degrees (~10 km)
        far = ok & ((lon < minx - margin) | (lon > maxx + margin) |
                    (lat < miny - margin) | (lat > maxy + margin))
        where = "outside the beats' area"
    elif ok.sum() >= 5:
        mid_lat, mid_lon = np.median(lat[ok]), np.median(lon[ok])
        dist = haversine_km(lat, lon, mid_lat, mid_lon)
        far = ok & (dist > max_km)
        swapped = far & (haversine_km(lon, lat, mid_lat, mid_lon) <= max_km)
        if swapped.any():
            log.add(lat_col, swapped, "latitude and longitude swapped in the row",
                    "put back (the swapped place is among the other rows)",
                    "nothing; fix those rows in the source to silence this",
                    _latlon_text(lat, lon, swapped))
            lat, lon = np.where(swapped, lon, lat), np.where(swapped, lat, lon)
            far &= ~swapped
        where = f"more than {max_km:g} km from the middle of the other rows"
    if far.any():
        log.add(lat_col, far, f"coordinates are {where}", "kept without a location",
                "check those rows for swapped or mistyped coordinates",
                _latlon_text(lat, lon, far))
    out["lat"] = np.where(far, np.nan, lat)
    out["lon"] = np.where(far, np.nan, lon)
    return out


def _latlon_text(lat, lon, mask) -> np.ndarray:
    """'lat,lon' strings at the masked positions only (cheap on millions of rows)."""
    text = np.full(len(lat), None, dtype=object)
    idx = np.flatnonzero(mask)[:MAX_EXAMPLES]
    text[idx] = [f"{lat[i]:.4f},{lon[i]:.4f}" for i in idx]
    return text
