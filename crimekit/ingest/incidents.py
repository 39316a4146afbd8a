"""Raw incidents table + mapping -> canonical incidents (and persons drawn from their rows).

The steps, each logging what it found: the date (with its precision, see ``dates``), the text
and code fields, the count of crimes each row stands for, the coordinates (swapped or projected
ones detected), the checks of ``validate``, ids and duplicates. A file without a crime-type
column is imported under a label (given, or derived from the file name) with a note.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from crimekit.ingest import coords, dates, parse
from crimekit.ingest.tables import (HEINOUS_WORDS, extra_columns, fatal, person_fields,
                                    source_fields)
from crimekit.ingest.validate import ProblemLog, check_coordinates, check_dates
from crimekit.schema import INCIDENT_COLUMNS, conform_incidents, conform_persons

_TEXT_FIELDS = ("incident_id", "category", "category_group", "premises", "description",
                "address")
_PARTS = ("year", "month", "day", "hour", "minute")
#: Dates that systems write for "unknown"; a pile of rows on one of them is not real.
PLACEHOLDER_DATES = ("1899-12-30", "1899-12-31", "1900-01-01", "1970-01-01", "1980-01-01",
                     "2000-01-01")


def label_from_name(path) -> str:
    """A crime-type label from a file name: "aggravated_assaults_2019.csv" -> "Aggravated
    assaults" (years, numbers and separators dropped)."""
    stem = re.sub(r"[_\-.]+", " ", str(getattr(path, "stem", path)))
    stem = re.sub(r"\b(19|20)\d\d\b|\b\d+\b", " ", stem)
    words = " ".join(stem.split())
    return words[:1].upper() + words[1:].lower() if words else "Incidents"


# --- dates -------------------------------------------------------------------------------------
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


# --- coordinates --------------------------------------------------------------------------------
def coordinates(raw, src, out, log, crs, preset, notes):
    """lat/lon from the lat/lon columns (swapped columns put back), else from x/y in degrees,
    else from projected x/y converted to WGS84 (``crs``, the preset's, or a guess)."""
    df = raw.df
    for fld in ("lat", "lon", "x", "y"):
        if fld in src:
            vals = parse.parse_number(df[src[fld]])
            log.add(src[fld], parse.unparsed(df[src[fld]], vals), "not a number",
                    "kept without a location", "write coordinates as plain numbers", df[src[fld]])
            out[fld] = vals.to_numpy()
    if ("lat" in out) != ("lon" in out):
        have, missing = ("lat", "lon") if "lat" in out else ("lon", "lat")
        log.add(src[have], np.ones(len(out), bool), f"a {have} column but no {missing} column",
                "kept without a location", f"map the {missing} column too if the file has it")
        out = out.drop(columns=have)
    if "lat" in out:
        out = _projected_latlon(src, out, log, crs, notes)
        out = _swapped_columns(src, out, notes, preset)
    if "x" not in out or "y" not in out:
        return out.drop(columns=[c for c in ("x", "y") if c in out])
    x, y = out.pop("x"), out.pop("y")
    if "lat" not in out and coords.looks_like_degrees(x, y) and not crs:
        out["lat"], out["lon"] = y.to_numpy(), x.to_numpy()
        notes.append(f"columns {src['x']!r}/{src['y']!r} read as longitude/latitude in degrees")
        return out
    return _from_projected(src, out, log, crs, preset, notes, x, y)


def _projected_latlon(src, out, log, crs, notes):
    """Columns called latitude/longitude that hold projected numbers become x/y."""
    lat, lon = out["lat"], out["lon"]
    ok = lat.notna() & lon.notna() & ~((lat == 0) & (lon == 0))
    if ok.sum() and ((lat[ok].abs() > 180) | (lon[ok].abs() > 180)).mean() > 0.5 \
            and "x" not in out:
        notes.append(f"columns {src['lat']!r}/{src['lon']!r} hold projected coordinates, not "
                     "degrees: read as y/x")
        out["x"], out["y"] = lon.to_numpy(), lat.to_numpy()
        src.setdefault("x", src["lon"])
        src.setdefault("y", src["lat"])
        out = out.drop(columns=["lat", "lon"])
    return out


def _swapped_columns(src, out, notes, preset):
    """Latitude and longitude columns given the wrong way round, put back with a note."""
    lat, lon = out["lat"], out["lon"]
    ok = lat.notna() & lon.notna() & ~((lat == 0) & (lon == 0))
    if ok.sum() < 3:
        return out
    mlat, mlon = lat[ok].abs().median(), lon[ok].abs().median()
    region = preset.region if preset else None
    inside = (lambda la, lo: region[1] <= la <= region[3] and region[0] <= lo <= region[2]) \
        if region else None
    a, b = float(lat[ok].median()), float(lon[ok].median())
    swap = ((mlat > 90 and mlon <= 90)
            or (mlat > coords.POLAR_LAT and mlon <= coords.POLAR_LAT)
            or (inside is not None and not inside(a, b) and inside(b, a)))
    if swap:
        out["lat"], out["lon"] = lon.to_numpy(), lat.to_numpy()
        notes.append(f"columns {src['lat']!r} and {src['lon']!r} hold longitude and latitude "
                     f"the other way round (median {a:.4f}, {b:.4f} is "
                     f"{'not a place' if mlat > 90 else 'in a polar region'}): swapped back")
    return out


def _from_projected(src, out, log, crs, preset, notes, x, y):
    lat = out.get("lat", pd.Series(np.nan, index=out.index))
    lon = out.get("lon", pd.Series(np.nan, index=out.index))
    need = (lat.isna() | lon.isna() | ((lat == 0) & (lon == 0))) & x.notna() & y.notna() \
        & ~((x == 0) & (y == 0))
    if not need.any():
        out["lat"], out["lon"] = lat.to_numpy(), lon.to_numpy()
        return out
    how = "given"
    if not crs:
        crs, how = coords.guess_crs(x, y, lat, lon, preset.crs if preset else None)
    if crs is None:
        log.add(src["x"], need.to_numpy(), "projected x/y coordinates in an unknown system "
                f"({coords.describe_units(x[need], y[need])})", "kept without a location",
                "choose the coordinate system (for example EPSG:32610 for UTM zone 10N); "
                "giving area polygons with the file lets crimekit find it")
        out["unlocated_x"], out["unlocated_y"] = x.where(need).to_numpy(), y.where(need).to_numpy()
    else:
        la, lo = coords.to_wgs84(x[need], y[need], crs)
        lat, lon = lat.copy(), lon.copy()
        lat[need], lon[need] = la, lo
        notes.append(f"{int(need.sum()):,} rows located from {src['x']!r}/{src['y']!r} in "
                     f"{crs} ({coords.crs_name(crs)}; chosen from {how})")
    out["lat"], out["lon"] = lat.to_numpy(), lon.to_numpy()
    return out


# --- the builder --------------------------------------------------------------------------------
def build_incidents(raw, preset, mapping, *, crs=None, today=None, min_year=1960,
                    max_km=100.0, keep_names=False, date_order="auto", label=None):
    """(incidents, persons, log, notes) from a raw incidents table."""
    df, src, notes = raw.df, source_fields(mapping), []
    log = ProblemLog(raw.rows)
    constants = dict(preset.constants) if preset else {}
    if "category" not in src and "category" not in constants:
        constants["category"] = label or label_from_name(raw.path)
        notes.append(f"no crime type column: every row imported as {constants['category']!r} "
                     f"({'the label given' if label else 'from the file name'}); set another "
                     "label if that is not what the file holds")
    notes += _also_matching(df.columns, mapping)
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    out["occurred_at"], out["precision"], raw_date, date_col = occurred_at(
        raw, src, log, notes, preset, date_order)
    _text_and_codes(df, src, out, log)
    out = coordinates(raw, src, out, log, crs, preset, notes)
    for fld, value in constants.items():
        if fld not in out:
            out[fld] = value
    if preset and preset.hook:
        out = preset.hook(df, out, log)
    if "heinous" not in out:
        up = parse.as_text(out["category"]).str.upper().fillna("")
        out["heinous"] = up.str.contains("|".join(HEINOUS_WORDS), regex=True).to_numpy()
    usable = check_dates(log, out, raw_date, date_col, today=today, min_year=min_year)
    usable &= _placeholders(log, out, date_col)
    _blank_categories(src, out, log)
    if "lat" in out:
        out = check_coordinates(log, out, src.get("lat", src.get("x", "")), max_km=max_km)
    elif "unlocated_x" not in out:
        log.note("", np.ones(len(out), bool), "no coordinate columns", "kept without a "
                 "location", "map the latitude/longitude columns if the file has them, or "
                 "give area polygons to place rows by their area")
    out = _incident_ids(raw, src, out, log, preset)
    keep = usable & _duplicates(raw, out, log, usable, preset)
    incidents = pd.concat([out, extra_columns(df, mapping, set(out.columns)
                                              | set(INCIDENT_COLUMNS))], axis=1)
    persons = _persons_from_rows(raw, preset, incidents, log, keep)
    incidents = incidents[keep]
    if preset and preset.rows_are_victims:
        repeat = incidents["incident_id"].duplicated().to_numpy()
        if repeat.any():
            notes.append(f"{int(repeat.sum()):,} rows are further victims of an incident listed "
                         "earlier (same id): kept as persons, counted once as incidents")
            incidents = incidents[~repeat]
    _count_notes(incidents, notes)
    _straggler_note(incidents, notes)
    incidents = incidents.drop(columns="id_made")
    log.rows_used = int(keep.sum())
    return conform_incidents(incidents), persons, log, notes


def _also_matching(columns, mapping) -> list:
    """Notes for columns that look like a mapped field but were left as extra columns."""
    from crimekit.ingest.mapping import SYNONYMS, normalise
    taken = {f: s for s, f in mapping.items() if f and f != "ignore"}
    notes = []
    for fld in ("category", "occurred_at"):
        if fld not in taken:
            continue
        others = [c for c in columns if c not in mapping
                  and normalise(c) in SYNONYMS["incidents"][fld]]
        if others:
            notes.append(f"column {others[0]!r} also looks like the {fld} field; "
                         f"{taken[fld]!r} was used and {others[0]!r} kept as an extra column "
                         "(change the mapping to use it instead)")
    return notes


def _text_and_codes(df, src, out, log):
    for fld in _TEXT_FIELDS + ("beat", "district"):
        if fld not in src:
            continue
        if fld in ("incident_id", "description", "address"):  # free text, kept as written
            out[fld] = parse.as_text(df[src[fld]]).to_numpy()
            continue
        text, nbsp = parse.clean_text(df[src[fld]])
        log.note(src[fld], nbsp, "non-breaking spaces in the text", "read as plain spaces "
                 "(so the same name typed two ways is one value)", "nothing", df[src[fld]])
        out[fld] = (parse.parse_code(text) if fld in ("beat", "district") else text).to_numpy()
    for fld in ("heinous", "arrest"):
        if fld in src:
            vals, bad = parse.parse_bool(df[src[fld]])
            log.add(src[fld], bad, "not a recognisable yes/no value", "read as no",
                    "use true/false, yes/no or 1/0", df[src[fld]])
            out[fld] = vals.to_numpy()
    for fld in ("property_value", "victim_count", "accused_count", "count"):
        if fld in src:
            vals = parse.parse_number(df[src[fld]])
            bad = parse.unparsed(df[src[fld]], vals)
            if fld == "count":
                frac = vals.notna() & (vals != vals.round())
                log.add(src[fld], bad | frac.to_numpy(), "count is not a whole number",
                        "read as 1", "write the number of crimes as a whole number",
                        df[src[fld]])
                vals = vals.where(~frac & vals.notna(), 1).round()
            else:
                log.add(src[fld], bad, "not a number", "left empty",
                        "write plain numbers (no units or text)", df[src[fld]])
            out[fld] = vals.to_numpy()


def _blank_categories(src, out, log):
    blank = parse.is_blank(out["category"]).to_numpy()
    log.add(src.get("category", ""), blank, "crime type is empty or unknown",
            "kept as 'UNKNOWN'", "fill in the crime type in the source if it is known")
    out["category"] = np.where(blank, "UNKNOWN", out["category"].astype(object))


def _placeholders(log, out, column) -> np.ndarray:
    """Rows piled on a placeholder date (1970-01-01 ...): reported and dropped."""
    ts = out["occurred_at"]
    keep = np.ones(len(out), bool)
    days = ts.dt.normalize()
    if not days.isin(pd.to_datetime(PLACEHOLDER_DATES)).any():
        return keep
    for day in PLACEHOLDER_DATES:
        hit = (days == pd.Timestamp(day)).to_numpy()
        if hit.sum() >= max(5, 0.002 * len(out)) and hit.sum() > 20 * max(
                1, ((ts >= pd.Timestamp(day)) & (ts < pd.Timestamp(day) + pd.Timedelta(days=30))
                    ).sum() - hit.sum()) / 30:
            log.add(column, hit, f"dated {day}, a placeholder many systems write for an "
                    "unknown date", "row dropped", "fill in the real dates in the source")
            keep &= ~hit
    return keep


def _count_notes(incidents, notes):
    if "count" not in incidents:
        return
    counts = pd.to_numeric(incidents["count"], errors="coerce").fillna(1)
    neg = counts < 0
    if neg.any():
        notes.append(f"{int(neg.sum()):,} rows are reversals (count {int(counts[neg].min())}) of "
                     "crimes recorded earlier: they subtract from totals")
    if (counts > 1).any():
        notes.append(f"rows stand for {int(counts.sum()):,} crimes in all (the count column): "
                     "totals sum it")


def _straggler_note(incidents, notes):
    from crimekit.recording import recording_start
    rec = recording_start(incidents)
    if rec.start is not None and rec.before > 0:
        first = incidents["occurred_at"].min()
        notes.append(f"{rec.before:,.0f} crimes ({rec.share_before:.1%}) occurred long before "
                     f"the rest (back to {first:%Y-%m-%d}); consistent recording starts in "
                     f"{rec.start:%B %Y}: they are kept, and the default date range starts "
                     "there")


def _incident_ids(raw, src, out, log, preset):
    """Give rows without an id one made from the file name and row number."""
    made = pd.Series(raw.path.stem + ":" + pd.Series(raw.rows).astype(str).to_numpy(),
                     index=out.index)
    out["id_made"] = True
    if "incident_id" not in out:
        out["incident_id"] = made.to_numpy()
        return out
    blank = parse.is_blank(out["incident_id"]).to_numpy()
    expected = preset.blank_ids if preset else ""
    log.add(src.get("incident_id", ""), blank, "incident id is empty" + (
        f" ({expected})" if expected else ""), "kept with an id made from the file name and "
        "row number", "nothing" if expected else "fill in the ids if persons or other files "
        "refer to these incidents")
    out["incident_id"] = np.where(blank, made, out["incident_id"].astype(object))
    out["id_made"] = blank
    return out


def _duplicates(raw, out, log, usable, preset) -> np.ndarray:
    """Mask of rows to keep: not an exact copy of an earlier row (unless rows have no id and
    dates known only to the month, where two crimes can look the same, or the format has one
    row per crime counted), nor an earlier row's id (reversal rows, count < 0, share their
    crime's id by design)."""
    by_design = preset.ids_repeat if preset else ""
    hashed = pd.util.hash_pandas_object(raw.df, index=False)
    coarse = out["precision"].isin(["month", "year"]).to_numpy() & out["id_made"].to_numpy()
    exact = hashed.duplicated().to_numpy() & usable
    if by_design:
        log.note("", exact, "identical to an earlier row", f"kept: {by_design}", "nothing")
        return np.ones(len(out), bool)
    log.note("", exact & coarse, "identical to an earlier row", "kept: without ids and with "
             "dates known only to the month, two crimes of the same type at the same place "
             "look the same", "nothing")
    exact &= ~coarse
    log.add("", exact, "exact copy of an earlier row", "row dropped (first copy kept)",
            "nothing; remove the copies from the source to silence this")
    keep = ~exact
    if preset and preset.rows_are_victims:
        return keep
    reversal = (pd.to_numeric(out["count"], errors="coerce") < 0).to_numpy() \
        if "count" in out else np.zeros(len(out), bool)
    ids = pd.Series(out["incident_id"]).where(keep & usable & ~reversal)
    repeated = ids.duplicated().to_numpy() & ids.notna().to_numpy()
    # the same id and time with another crime type: another offence of the same incident
    event = pd.DataFrame({"id": ids, "at": out["occurred_at"], "cat": out["category"]})
    same_event = repeated & ~event.duplicated(["id", "at", "cat"]).to_numpy() \
        & event.duplicated(["id", "at"]).to_numpy()
    log.note("incident_id", same_event, "incident id repeats an earlier row with the same time "
             "and another crime type", "kept: another offence of the same incident",
             "nothing", out["incident_id"])
    same_id = repeated & ~same_event
    log.add("incident_id", same_id, "incident id repeats an earlier row",
            "row dropped (first kept)", "check whether these are the same incident; if "
            "they are different incidents give them different ids", out["incident_id"])
    return keep & ~same_id


def _persons_from_rows(raw, preset, incidents, log, keep) -> pd.DataFrame:
    """Victims / perpetrators described on incident rows (LAPD, NYPD, Medellin)."""
    frames = []
    for spec in (preset.persons if preset else ()):
        people, known = person_fields(raw.df, spec.columns, log)
        people.insert(0, "role", spec.role)
        people.insert(0, "incident_id", incidents["incident_id"].to_numpy())
        people = people[known & keep]
        if spec.role == "accused":  # repeated on each victim's row of the same incident
            people = people.drop_duplicates()
        frames.append(people)
    if not frames:
        return conform_persons(pd.DataFrame())
    return conform_persons(pd.concat(frames, ignore_index=True))
