"""When each incident occurred: the date column (or year/month/day... parts), with its precision
per row, times of day from a separate column, time-only values dated by another column, and
day/month order checked against Year and Month columns. Every finding goes to the problem log
or the notes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.ingest import dates, parse
from crimekit.ingest.tables import fatal

_PARTS = ("year", "month", "day", "hour", "minute")


def occurred_at(raw, src, log, notes, preset, order="auto"):
    """(timestamps, precision per row, raw date column or None, its name) for every row."""
    df = raw.df
    hints = preset.date_hints if preset else ()
    if "occurred_at" in src or "date" in src:
        col = src.get("occurred_at", src.get("date"))
        parsed = dates.parse_dates(df[col], hints, order)
        values, precision = parsed.values, parsed.precision
        _report_parsing(log, notes, col, parsed, df[col])
        date_order, date_col = parsed.order, col
        if parsed.time_only.any():
            values, precision, date_order, date_col = _time_only(raw, src, log, notes, preset,
                                                                 col, parsed, order)
        if "time" in src and "occurred_at" not in src:
            values, precision = _add_time_of_day(df, src, log, values, precision)
        elif "hour" in src and (precision == "day").any():
            values, precision = _add_hour(df, src, log, notes, values, precision)
        if date_order is not None:
            values = _check_parts(df, src, log, notes, date_col, values)
        return values, precision, df[col], col
    parts = {p: src[p] for p in _PARTS if p in src}
    if "year" in parts:
        nums = {p: _part_number(df[c], p) for p, c in parts.items()}
        values, precision = dates.from_parts(nums)
        level = precision[precision != ""][0] if (precision != "").any() else "day"
        notes.append(f"dates built from the {', '.join(parts.values())} columns "
                     f"(known to the {level})")
        return values, precision, None, parts["year"]
    raise fatal(raw, "no date column was found (columns: "
                f"{', '.join(map(str, df.columns[:12]))}{', ...' if len(df.columns) > 12 else ''}"
                "); choose the column that holds each crime's date in the mapping (field "
                "occurred_at).")


def _part_number(s: pd.Series, part: str) -> pd.Series:
    """A date part as a number; months may be names or abbreviations ("Jun", "JUNE")."""
    num = parse.parse_number(s)
    if part == "month" and num.isna().any():
        names = parse.as_text(s).str[:3].str.lower()
        by_name = names.map({m.lower(): i + 1 for i, m in enumerate(
            ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
             "Dec"))})
        num = num.fillna(pd.Series(pd.to_numeric(by_name, errors="coerce"), index=s.index,
                                   dtype=float))
    return num.astype(float)


def _report_parsing(log, notes, col, parsed, raw_values):
    if parsed.excel_serial:
        notes.append(f"column {col!r} holds Excel day numbers (e.g. 45123 = 2023-07-16): read "
                     "as dates")
    if parsed.midnight_as_day:
        notes.append(f"every time in column {col!r} is 00:00: read as dates without a time of "
                     "day")
    if parsed.order_evidence == "ambiguous":
        reading = "month/day (US order)" if parsed.order == "monthfirst" else "day/month"
        log.note(col, np.ones(len(raw_values), bool),
                 f"day and month order is ambiguous (no day above 12, e.g. "
                 f"{raw_values.dropna().iloc[0]!r})", f"read as {reading}",
                 "if that is wrong, import again choosing the other day/month order",
                 None)
    elif parsed.order and parsed.order_evidence not in ("given", ""):
        reading = "month/day" if parsed.order == "monthfirst" else "day/month"
        notes.append(f"dates in column {col!r} read as {reading} (decided by "
                     f"{parsed.order_evidence})")


def _time_only(raw, src, log, notes, preset, col, parsed, order):
    """Rows whose date column holds only a time: dated by another date column when the file
    has one (without a time of day: the time may belong to another event), else refused."""
    df = raw.df
    fallback = [c for c in (preset.date_fallback if preset else ()) if c in df.columns]
    fallback += [c for c in df.columns if c not in fallback and c != col
                 and "date" in c.lower() and c not in src.values()]
    values, precision = parsed.values.copy(), parsed.precision.copy()
    mask, used_order, used_col = parsed.time_only, parsed.order, col
    for other in fallback:
        alt = dates.parse_dates(df[other], preset.date_hints if preset else (), order)
        usable = mask & alt.values.notna().to_numpy() & ~alt.time_only
        if usable.sum() >= 0.5 * mask.sum():
            values[usable] = alt.values[usable].dt.normalize()
            precision[usable] = "day"
            _report_parsing(log, notes, other, alt, df[other])
            log.note(col, usable, "holds only a time of day, no date (e.g. "
                     f"{df[col][usable].iloc[0]!r})", f"dated by column {other!r} (the day "
                     "only)", "export the file again with full dates if the time matters")
            mask, used_order, used_col = mask & ~usable, alt.order, other
            break
    log.add(col, mask, "holds only a time of day and no date (the date part was lost, e.g. "
            f"{df[col][mask].iloc[0]!r})" if mask.any() else "", "row dropped",
            "export the file again with full dates, or map a column that has them")
    return values, precision, used_order, used_col


def _add_time_of_day(df, src, log, values, precision):
    tod = parse.parse_time_of_day(df[src["time"]])
    log.add(src["time"], parse.unparsed(df[src["time"]], tod) & values.notna().to_numpy(),
            "time of day cannot be read", "kept without a time of day",
            "write times as hh:mm or hhmm", df[src["time"]])
    values = values.dt.normalize() + tod.fillna(pd.Timedelta(0))
    has_time = tod.notna().to_numpy() & values.notna().to_numpy()
    precision = np.where(has_time, "hour", np.where(values.notna(), "day", "")).astype(object)
    return values, precision


def _add_hour(df, src, log, notes, values, precision):
    """Dates without a time plus an hour column (Toronto's OCC_DATE + OCC_HOUR): the hour is
    added to those rows, which then are known to the hour."""
    hour = parse.parse_number(df[src["hour"]])
    ok = (precision == "day") & hour.between(0, 23).to_numpy() & (hour % 1 == 0).to_numpy()
    log.add(src["hour"], parse.unparsed(df[src["hour"]], hour) | (
        hour.notna().to_numpy() & ~hour.between(0, 23).to_numpy()), "hour is not 0-23",
        "kept without a time of day", "write hours as whole numbers 0 to 23", df[src["hour"]])
    if not ok.any():
        return values, precision
    values = values.where(~ok, values.dt.normalize() + pd.to_timedelta(hour.where(ok, 0),
                                                                        unit="h"))
    notes.append(f"times of day taken from column {src['hour']!r} for {int(ok.sum()):,} rows")
    return values, np.where(ok, "hour", precision).astype(object)


def _check_parts(df, src, log, notes, col, values):
    """Dates written day/month or month/day beside Year and Month columns: the columns decide
    the order when the whole column reads better the other way, and put back single rows
    whose day and month were swapped (an Excel round trip); rows that disagree either way
    are reported. Nothing happens when the parts describe another date (most rows differ)."""
    if "year" not in src or "month" not in src:
        return values
    year = _part_number(df[src["year"]], "year")
    month = _part_number(df[src["month"]], "month")
    both = values.notna() & year.notna() & month.notna()
    if not both.any():
        return values
    flipped = dates.swap_day_month(values)
    agree = ((values.dt.year == year) & (values.dt.month == month))[both].mean()
    agree_flipped = ((flipped.dt.year == year) & (flipped.dt.month == month))[both].mean()
    if agree_flipped >= 0.8 > agree:
        values = flipped.where(flipped.notna(), values)
        notes.append(f"dates in column {col!r} read the other way round (day and month): the "
                     "Year and Month columns agree with that reading")
    elif agree < 0.8:
        return values
    fixed, swapped, mismatch = dates.fix_with_year_month(values, year, month)
    log.note(col, swapped, "day and month swapped (an Excel round trip: the Year/Month "
             "columns say otherwise)", "day and month put back", "nothing; fix the source "
             "file to silence this", df[col])
    log.note(col, mismatch, "date disagrees with the Year/Month columns", "kept as written",
             "check those rows", df[col])
    return fixed
