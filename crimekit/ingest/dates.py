"""Date columns -> timestamps that know how precise they are, with nothing guessed silently.

A police export's dates come in many shapes: full date-times, dates without a time, months
(``2022-03``), separate Year/Month/Day columns, Excel serial numbers, and sometimes only a time
of day whose date was lost by a spreadsheet. :func:`parse_dates` reads a column into a
:class:`ParsedDates`: the timestamps, each value's precision (``hour``, ``day``, ``month``,
``year``; see crimekit.schema.PRECISIONS), the values that hold only a time (never turned into
today's date), and how the day/month order of ``01/02/2024``-style dates was decided.

Day/month order is decided from evidence across the whole column, in this order: a first field
above 12 (day first) or a second field above 12 (month first); the caller's Year/Month columns
(see :func:`fix_with_year_month`); one reading putting every value on the 1st of a month; the
order of the rows (a file sorted by date reads smoothly only the right way). When nothing
decides it the column is read month first, unless the caller or the file's format says
otherwise, and ``order_evidence`` is ``"ambiguous"`` so the report can say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Date formats tried in order (a format is chosen once per column on a sample).
DATE_FORMATS = (
    "ISO8601",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M",
    "%d-%m-%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M", "%Y/%m/%d", "%m/%d/%y %H:%M", "%m/%d/%y", "%d/%m/%y", "%Y%m%d",
    "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%b %d %Y", "%Y-%m", "%Y/%m", "%m/%Y", "%b %Y",
    "%B %Y", "%b-%y", "%Y",
)
ORDERS = ("auto", "dayfirst", "monthfirst")
_TIME_ONLY = r"^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?$"
_DMY = r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?:\D|$)"
_MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%m/%Y", "%b %Y", "%B %Y", "%b-%y")
#: Excel's day 0 (serial numbers count days from here, with its 1900 leap-year bug absorbed).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_RANGE = (20_000, 80_000)  # 1954 .. 2119
#: Share of values at exactly 00:00 above which a column is read as dates without times.
MIDNIGHT_SHARE = 0.9


@dataclass(frozen=True)
class ParsedDates:
    """A date column after parsing.

    Attributes
    ----------
    values : datetime64[ns] Series (NaT where unreadable, empty or time-only).
    precision : object array, per row: "hour", "day", "month" or "year" ("" where NaT).
    time_only : bool array, values holding a time of day and no date (e.g. "00:30:00").
    order : "dayfirst" or "monthfirst" when the column's dates could be read either way,
        else None.
    order_evidence : what decided ``order`` ("values above 12", "the order of the rows",
        "first of the month", "given", "the file's format") or "ambiguous".
    excel_serial : True when the values were Excel day numbers (45123 = 2023-07-16).
    midnight_as_day : True when every time was 00:00, so the values are dates without times.
    """

    values: pd.Series
    precision: np.ndarray
    time_only: np.ndarray
    order: str | None = None
    order_evidence: str = ""
    excel_serial: bool = False
    midnight_as_day: bool = False


def _text(s: pd.Series) -> pd.Series:
    from crimekit.ingest.parse import as_text, is_blank
    return as_text(s).mask(is_blank(s))


def _strip_tz(t: pd.Series) -> pd.Series:
    """Drop a trailing Z / +hh:mm so values keep their wall-clock time and mix with naive ones."""
    return t.str.replace(r"(?<=\d)(Z|[+-]\d\d:\d\d)$", "", regex=True)


def best_date_format(sample: pd.Series, hints=()) -> tuple[str | None, float]:
    """The date format (from hints, then DATE_FORMATS) parsing most of the sample, and its share."""
    best, best_share = None, 0.0
    for fmt in tuple(hints) + DATE_FORMATS:
        if fmt == "dayfirst":
            continue
        share = pd.to_datetime(sample, format=fmt, errors="coerce").notna().mean()
        if share > best_share + 1e-9:
            best, best_share = fmt, share
        if share == 1.0:
            break
    return best, best_share


def _swap_day_month(fmt: str) -> str | None:
    """The same format with day and month swapped ("%m/%d/%Y" <-> "%d/%m/%Y"), or None."""
    if "%d" not in fmt or "%m" not in fmt:
        return None
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def _order_of(fmt: str | None) -> str | None:
    if not fmt or "%d" not in fmt or "%m" not in fmt or fmt.startswith("%Y"):
        return None
    return "dayfirst" if fmt.index("%d") < fmt.index("%m") else "monthfirst"


def _decide_order(t: pd.Series, fmt: str, order: str, hints) -> tuple[str, str]:
    """(dayfirst|monthfirst, evidence) for a column whose format has a day and a month."""
    if order in ("dayfirst", "monthfirst"):
        return order, "given"
    uniq = pd.Series(t.dropna().unique())
    parts = uniq.str.extract(_DMY)
    first, second = pd.to_numeric(parts[0]), pd.to_numeric(parts[2])
    day_first, month_first = bool((first > 12).any()), bool((second > 12).any())
    if day_first != month_first:
        return ("dayfirst" if day_first else "monthfirst"), "values above 12"
    if day_first and month_first:  # both kinds: the majority reading wins, the rest are reported
        return ("dayfirst" if (first > 12).sum() >= (second > 12).sum() else "monthfirst",
                "values above 12")
    hinted = [h for h in hints if _order_of(h)]
    if hinted:
        return _order_of(hinted[0]), "the file's format"
    this, other = fmt, _swap_day_month(fmt)
    wander = [_wander(pd.to_datetime(t, format=f, errors="coerce")) for f in (this, other)]
    if np.isfinite(wander).all() and min(wander) < 1.5 and max(wander) > 3 * min(wander):
        return _order_of(this if wander[0] < wander[1] else other), "the order of the rows"
    if (first.notna().sum() >= 3 and (first == 1).all() != (second == 1).all()
            and max(first.nunique(), second.nunique()) >= 3):
        return ("dayfirst" if (first == 1).all() else "monthfirst"), "first of the month"
    if "dayfirst" in hints:
        return "dayfirst", "the file's format"
    return _order_of(fmt), "ambiguous"


def _wander(values: pd.Series) -> float:
    """How far the rows travel in time relative to the span they cover: 1 for a file sorted
    by date (either direction), much more when day and month are read the wrong way round."""
    v = values.dropna().to_numpy().astype("int64").astype(float)
    if len(v) < 10 or v.max() == v.min():
        return float("nan")
    return float(np.abs(np.diff(v)).sum() / (v.max() - v.min()))


def _precision_of(t: pd.Series, fmt: str) -> np.ndarray:
    """Per-value precision from the chosen format (per value for ISO/mixed text)."""
    if fmt in ("%Y",):
        return np.full(len(t), "year", dtype=object)
    if fmt in _MONTH_FORMATS:
        return np.full(len(t), "month", dtype=object)
    if fmt not in ("ISO8601", "mixed"):
        return np.full(len(t), "hour" if ("%H" in fmt or "%I" in fmt) else "day", dtype=object)
    if fmt == "ISO8601":  # YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DD hh:mm...: the length says
        n = t.str.len().fillna(0).to_numpy()
        if len(n) and n.min() == n.max():  # one length for every value: one precision
            level = "hour" if n[0] >= 13 else "day" if n[0] >= 8 else "month" if n[0] >= 6 \
                else "year" if n[0] >= 4 else ""
            return np.full(len(n), level, dtype=object)
        return np.select([n >= 13, n >= 8, n >= 6, n >= 4], ["hour", "day", "month", "year"],
                         "").astype(object)
    has_time = t.str.contains(":", regex=False).fillna(False).to_numpy()
    digits = t.str.count(r"\d+").fillna(0).to_numpy()
    n_parts = t.str.count(r"(?:^|[-/. ])\d+").fillna(0).to_numpy()
    out = np.where(has_time, "hour", np.where(n_parts >= 3, "day",
                                              np.where(n_parts == 2, "month", "year")))
    return np.where(digits > 0, out, "").astype(object)


def _excel_serials(s: pd.Series, t: pd.Series):
    """Timestamps from Excel day numbers, or None when the column is not made of them."""
    numeric = pd.api.types.is_numeric_dtype(s.dtype)
    head = t.dropna().head(200)
    if not numeric and pd.to_numeric(head, errors="coerce").notna().mean() < 0.9:
        return None  # most values are not numbers: not Excel day numbers (checked cheaply)
    num = pd.to_numeric(t, errors="coerce") if not numeric else s
    present = t.notna()
    if not present.any() or num[present].notna().mean() < 0.9:
        return None
    lo, hi = _EXCEL_RANGE
    ok = num.between(lo, hi)
    if ok[present].mean() < 0.9:
        return None
    days = num.where(ok)
    values = EXCEL_EPOCH + pd.to_timedelta(days.round(6), unit="D")
    frac = (days % 1).fillna(0).to_numpy()
    precision = np.where(days.isna(), "", np.where(frac > 1e-6, "hour", "day")).astype(object)
    return values.astype("datetime64[ns]"), precision


def parse_dates(s: pd.Series, hints=(), order: str = "auto") -> ParsedDates:
    """Read a date column; see the module docstring. ``hints`` are formats to try first
    (a preset's), and may hold ``"dayfirst"`` for formats known to write the day first."""
    n = len(s)
    empty = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    none = np.zeros(n, bool)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):  # Excel cells that are real dates
        vals = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        vals = vals.astype("datetime64[ns]")
        return _with_midnight_rule(vals, np.where(vals.notna(), "hour", "").astype(object),
                                   none, None, "")
    t = _text(s)
    if s.dtype == object and len(s) and t.notna().any():
        t = t.where(~s.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64))).fillna(False),
                    s.astype(str))
    short = (t.str.len() <= 14).fillna(False).to_numpy()  # a time alone is short: test only those
    time_only = np.zeros(len(t), bool)
    if short.any():
        time_only[short] = t[short].str.fullmatch(_TIME_ONLY).fillna(False).to_numpy()
    t = t.mask(time_only)
    if not t.notna().any():
        return ParsedDates(empty, np.full(n, "", dtype=object), time_only)
    serial = _excel_serials(s, t)
    if serial is not None:
        return ParsedDates(serial[0], serial[1], time_only, excel_serial=True)
    sample = pd.Series(t.dropna().unique()[:500])
    if sample.str.contains(r"\d(?:Z|[+-]\d\d:\d\d)$", regex=True).any():
        t, sample = _strip_tz(t), _strip_tz(sample)
    fmt, share = best_date_format(sample, hints)
    if share < 0.9 and t.nunique() <= 200_000:
        mixed = pd.to_datetime(sample, format="mixed", errors="coerce").notna().mean()
        if mixed > share:
            fmt = "mixed"
    if fmt is None:  # nothing in the sample is a date
        return ParsedDates(empty, np.full(n, "", dtype=object), time_only)
    chosen, evidence = None, ""
    if _order_of(fmt):
        chosen, evidence = _decide_order(t, fmt, order, hints)
        if chosen != _order_of(fmt):
            fmt = _swap_day_month(fmt)
    values = pd.to_datetime(t, format=fmt, errors="coerce", cache=True)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    values = values.astype("datetime64[ns]")
    precision = np.where(values.notna(), _precision_of(t, fmt), "").astype(object)
    return _with_midnight_rule(values, precision, time_only, chosen, evidence)


def _with_midnight_rule(values, precision, time_only, order, evidence) -> ParsedDates:
    """Hour-precision values that are (nearly) all at 00:00 are dates without a time."""
    hourly = precision == "hour"
    midnight = False
    if hourly.sum() >= 5:
        at_zero = (values[hourly] == values[hourly].dt.normalize()).mean()
        if at_zero >= MIDNIGHT_SHARE:
            precision = np.where(hourly, "day", precision).astype(object)
            midnight = True
    return ParsedDates(values, precision, time_only, order, evidence, False, midnight)


def parse_datetime(s: pd.Series, hints=()) -> pd.Series:
    """Just the timestamps of :func:`parse_dates` (NaT where unreadable or time-only)."""
    return parse_dates(s, hints).values


def from_parts(parts: dict) -> tuple[pd.Series, np.ndarray]:
    """(timestamps, precision) from numeric Year/Month(/Day/Hour/Minute) Series.

    A year alone is "year" precision, year + month "month", with a day "day", with an hour
    "hour"; a missing or impossible part makes the row NaT.
    """
    year = parts["year"]
    n = len(year)
    frame = pd.DataFrame({"year": year, "month": parts.get("month", pd.Series(1.0, index=year.index)),
                          "day": parts.get("day", pd.Series(1.0, index=year.index))})
    for p in ("hour", "minute"):
        frame[p] = parts[p].fillna(0) if p in parts else 0
    values = pd.to_datetime(frame, errors="coerce").astype("datetime64[ns]")
    level = ("hour" if "hour" in parts else "day" if "day" in parts else
             "month" if "month" in parts else "year")
    precision = np.where(values.notna(), level, "").astype(object)
    if level == "hour":  # rows without an hour are known to the day only
        precision = np.where(values.notna() & parts["hour"].isna().to_numpy(), "day",
                             precision).astype(object)
    return values, precision if n else np.array([], dtype=object)


def swap_day_month(values: pd.Series) -> pd.Series:
    """The timestamps with day and month exchanged (NaT where the day is above 12)."""
    return pd.to_datetime(pd.DataFrame({
        "year": values.dt.year, "month": values.dt.day, "day": values.dt.month,
        "hour": values.dt.hour, "minute": values.dt.minute, "second": values.dt.second}),
        errors="coerce").astype("datetime64[ns]")


def fix_with_year_month(values: pd.Series, year: pd.Series, month: pd.Series | None):
    """Rows whose day and month were swapped (an Excel round trip), fixed with the file's own
    Year/Month columns. Returns (values, swapped mask, mismatch mask) where ``mismatch`` marks
    rows whose date disagrees with Year/Month even when swapped (kept as read)."""
    ok = values.notna() & year.notna()
    same_year = values.dt.year == year
    if month is None:
        return values, np.zeros(len(values), bool), (ok & ~same_year).to_numpy()
    ok &= month.notna()
    same = same_year & (values.dt.month == month)
    day, mon = values.dt.day, values.dt.month
    swappable = ok & ~same & (day <= 12) & (day == month) & same_year.where(ok, False)
    swapped_values = pd.to_datetime(pd.DataFrame({
        "year": values.dt.year.where(swappable), "month": day.where(swappable),
        "day": mon.where(swappable), "hour": values.dt.hour.where(swappable),
        "minute": values.dt.minute.where(swappable)}), errors="coerce")
    swappable &= swapped_values.notna()
    out = values.where(~swappable, swapped_values).astype("datetime64[ns]")
    mismatch = ok & ~same & ~swappable
    return out, swappable.to_numpy(), mismatch.to_numpy()
