"""Raw table + mapping -> canonical tables, with every problem logged.

One builder per kind of table. Each parses the mapped columns with ``parse``, lets a preset's
hook fix its quirks, runs the checks in ``validate`` and returns canonical tables plus the log.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.errors import UnusableInputError
from crimekit.ingest import coords, parse
from crimekit.ingest.validate import ProblemLog, check_coordinates, check_dates
from crimekit.schema import (INCIDENT_COLUMNS, PERSON_COLUMNS, POI_COLUMNS, ROLES,
                             conform_incidents, conform_patrols, conform_persons)

#: Without a heinous column, categories containing one of these words are marked heinous.
HEINOUS_WORDS = ("HOMICIDE", "MURDER", "RAPE", "SEXUAL ASSAULT", "CRIM SEXUAL", "KIDNAP",
                 "DACOITY", "MANSLAUGHTER", "HOMICIDIO", "SHOOTING")
ROLE_WORDS = {"victim": "victim", "victima": "victim", "injured": "victim",
              "accused": "accused", "suspect": "accused", "offender": "accused",
              "perpetrator": "accused", "perp": "accused", "arrestee": "accused",
              "complainant": "complainant", "informant": "complainant"}
_TEXT_FIELDS = ("incident_id", "category", "category_group", "premises", "description")
_UNKNOWN_CODES = {"x", "u"}  # LAPD/NYPD codes for "not known" in sex/descent/race


def _fatal(raw, what) -> UnusableInputError:
    return UnusableInputError(f"{raw.path.name}: {what}")


def _sources(mapping: dict) -> dict:
    """{field: source column} from {source: field}, ignoring dropped columns."""
    return {f: s for s, f in mapping.items() if f and f != "ignore"}


def _extras(raw_df, mapping, taken) -> pd.DataFrame:
    """Unmapped source columns, kept under their own names ("src_" added on a clash)."""
    keep = [c for c in raw_df.columns if c not in mapping]
    extra = raw_df[keep].copy()
    extra.columns = [f"src_{c}" if c in taken else c for c in keep]
    return extra


def _datetime_column(raw, src, log, hints):
    """(occurred_at, raw date column or None, column name) from a full date, date + time, or parts."""
    df = raw.df
    if "occurred_at" in src:
        col = src["occurred_at"]
        return parse.parse_datetime(df[col], hints), df[col], col
    if "date" in src:
        col = src["date"]
        day = parse.parse_datetime(df[col], hints).dt.normalize()
        if "time" in src:
            tod = parse.parse_time_of_day(df[src["time"]])
            log.add(src["time"], parse.unparsed(df[src["time"]], tod) & day.notna().to_numpy(),
                    "time of day cannot be read", "kept at midnight",
                    "write times as hh:mm or hhmm", df[src["time"]])
            day = day + tod.fillna(pd.Timedelta(0))
        return day, df[col], col
    parts = {p: src[p] for p in ("year", "month", "day", "hour", "minute") if p in src}
    if {"year", "month", "day"} <= set(parts):
        nums = pd.DataFrame({p: parse.parse_number(df[c]) for p, c in parts.items()})
        for p in ("hour", "minute"):
            nums[p] = nums[p].fillna(0) if p in nums else 0
        return pd.to_datetime(nums, errors="coerce"), None, parts["year"]
    raise _fatal(raw, "no date column was found (columns: "
                 f"{', '.join(map(str, df.columns[:12]))}{', ...' if len(df.columns) > 12 else ''}); "
                 "name it with --map \"COLUMN=occurred_at\" (or mapping={'COLUMN': 'occurred_at'}).")


def _coordinates(raw, src, out, log, crs, preset, notes):
    """lat/lon from the lat/lon columns, else from projected x/y converted to WGS84."""
    df = raw.df
    for fld in ("lat", "lon", "x", "y"):
        if fld in src:
            vals = parse.parse_number(df[src[fld]])
            log.add(src[fld], parse.unparsed(df[src[fld]], vals), "not a number",
                    "kept without a location", "write coordinates as plain numbers", df[src[fld]])
            out[fld] = vals.to_numpy()
    if "x" not in out or "y" not in out:
        return out
    x, y = out.pop("x"), out.pop("y")
    if "lat" not in out and coords.looks_like_degrees(x, y) and not crs:
        out["lat"], out["lon"] = y.to_numpy(), x.to_numpy()
        notes.append(f"columns {src['x']!r}/{src['y']!r} read as longitude/latitude in degrees")
        return out
    lat = out.get("lat", pd.Series(np.nan, index=out.index))
    lon = out.get("lon", pd.Series(np.nan, index=out.index))
    need = (lat.isna() | lon.isna() | ((lat == 0) & (lon == 0))) & x.notna() & y.notna() \
        & ~((x == 0) & (y == 0))
    if not need.any():
        out["lat"], out["lon"] = lat, lon
        return out
    how = "given"
    if not crs:
        crs, how = coords.guess_crs(x, y, lat, lon, preset.crs if preset else None)
    if crs is None:
        log.add(src["x"], need.to_numpy(), "projected x/y coordinates in an unknown system",
                "kept without a location", "pass the coordinate system, e.g. --crs EPSG:32610")
    else:
        la, lo = coords.to_wgs84(x[need], y[need], crs)
        lat, lon = lat.copy(), lon.copy()
        lat[need], lon[need] = la, lo
        notes.append(f"{int(need.sum()):,} rows located from {src['x']!r}/{src['y']!r} in "
                     f"{crs} (chosen from {how})")
    out["lat"], out["lon"] = lat.to_numpy(), lon.to_numpy()
    return out


def build_incidents(raw, preset, mapping, *, crs=None, today=None, min_year=1960,
                    max_km=100.0, keep_names=False):
    """(incidents, persons, log, notes) from a raw incidents table."""
    df, src, notes = raw.df, _sources(mapping), []
    log = ProblemLog(raw.rows)
    hints = preset.date_hints if preset else ()
    constants = preset.constants if preset else {}
    if "category" not in src and "category" not in constants:
        raise _fatal(raw, "no crime type (category) column was found; name it with --map "
                     "\"COLUMN=category\" or choose the file's format with --format.")
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    out["occurred_at"], raw_date, date_col = _datetime_column(raw, src, log, hints)
    for fld in _TEXT_FIELDS:
        if fld in src:
            out[fld] = parse.as_text(df[src[fld]]).to_numpy()
    for fld in ("beat", "district"):
        if fld in src:
            out[fld] = parse.parse_code(df[src[fld]]).to_numpy()
    for fld in ("heinous", "arrest"):
        if fld in src:
            vals, bad = parse.parse_bool(df[src[fld]])
            log.add(src[fld], bad, "not a recognisable yes/no value", "read as no",
                    "use true/false, yes/no or 1/0", df[src[fld]])
            out[fld] = vals.to_numpy()
    for fld in ("property_value", "victim_count", "accused_count"):
        if fld in src:
            vals = parse.parse_number(df[src[fld]])
            log.add(src[fld], parse.unparsed(df[src[fld]], vals), "not a number",
                    "left empty", "write plain numbers (no units or text)", df[src[fld]])
            out[fld] = vals.to_numpy()
    out = _coordinates(raw, src, out, log, crs, preset, notes)
    for fld, value in constants.items():
        if fld not in out:
            out[fld] = value
    if preset and preset.hook:
        out = preset.hook(df, out, log)
    if "heinous" not in out:
        up = parse.as_text(out["category"]).str.upper().fillna("")
        out["heinous"] = up.str.contains("|".join(HEINOUS_WORDS), regex=True).to_numpy()
    usable = check_dates(log, out, raw_date, date_col, today=today, min_year=min_year)
    cat_col = src.get("category", "")
    blank_cat = parse.is_blank(out["category"]).to_numpy()
    log.add(cat_col, blank_cat, "crime type is empty or unknown", "kept as 'UNKNOWN'",
            "fill in the crime type in the source if it is known")
    out["category"] = np.where(blank_cat, "UNKNOWN", out["category"].astype(object))
    if "lat" in out:
        out = check_coordinates(log, out, src.get("lat", src.get("x", "")), max_km=max_km)
    else:
        log.add("", np.ones(len(out), bool), "no coordinate columns", "kept without a location",
                "map the latitude/longitude columns with --map if the file has them")
    out = _incident_ids(raw, src, out, log)
    keep = usable & _duplicates(raw, out, log, usable, preset)
    incidents = pd.concat([out, _extras(df, mapping, set(out.columns) | set(INCIDENT_COLUMNS))],
                          axis=1)
    persons = _persons_from_rows(raw, preset, incidents, log, keep)
    incidents = incidents[keep]
    if preset and preset.rows_are_victims:
        repeat = incidents["incident_id"].duplicated().to_numpy()
        if repeat.any():
            notes.append(f"{int(repeat.sum()):,} rows are further victims of an incident listed "
                         "earlier (same id): kept as persons, counted once as incidents")
            incidents = incidents[~repeat]
    log.rows_used = int(keep.sum())
    return conform_incidents(incidents), persons, log, notes


def _incident_ids(raw, src, out, log):
    """Give rows without an id one made from the file name and row number."""
    made = pd.Series(raw.path.stem + ":" + pd.Series(raw.rows).astype(str).to_numpy(),
                     index=out.index)
    if "incident_id" not in out:
        out["incident_id"] = made.to_numpy()
        return out
    blank = parse.is_blank(out["incident_id"]).to_numpy()
    log.add(src.get("incident_id", ""), blank, "incident id is empty",
            "kept with an id made from the file name and row number",
            "fill in the ids if persons or other files refer to these incidents")
    out["incident_id"] = np.where(blank, made, out["incident_id"].astype(object))
    return out


def _duplicates(raw, out, log, usable, preset) -> np.ndarray:
    """Mask of rows to keep: not an exact copy of an earlier row, nor an earlier row's id."""
    hashed = pd.util.hash_pandas_object(raw.df, index=False)
    exact = hashed.duplicated().to_numpy() & usable
    log.add("", exact, "exact copy of an earlier row", "row dropped (first copy kept)",
            "nothing; remove the copies from the source to silence this")
    keep = ~exact
    if not (preset and preset.rows_are_victims):
        ids = pd.Series(out["incident_id"]).where(keep & usable)
        same_id = ids.duplicated().to_numpy() & ids.notna().to_numpy()
        log.add("incident_id", same_id, "incident id repeats an earlier row",
                "row dropped (first kept)", "check whether these are the same incident; if "
                "they are different incidents give them different ids", out["incident_id"])
        keep &= ~same_id
    return keep


def _known(values: pd.Series) -> np.ndarray:
    t = parse.as_text(values).str.lower()
    return (~parse.is_blank(values) & ~t.isin(_UNKNOWN_CODES).fillna(False)).to_numpy()


def _person_fields(df, columns, log, keep_names=False) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse person columns {source: field}; return (table, mask of rows with anything known)."""
    out, known = pd.DataFrame(index=pd.RangeIndex(len(df))), np.zeros(len(df), bool)
    for src, fld in columns.items():
        if src not in df or (fld == "name" and not keep_names):
            continue
        if fld == "age":
            age, group = parse.parse_age(df[src])
            zero = parse.as_text(df[src]).isin(["0", "0.0"]).fillna(False).to_numpy()
            log.add(src, parse.unparsed(df[src], age) & ~zero & (group == "").to_numpy()
                    & _known(df[src]), "age cannot be read", "age left empty",
                    "write ages as whole years or groups like 18-24", df[src])
            out["age"] = age.to_numpy()
            if (group != "").any():
                out["age_group"] = group.to_numpy()
            known |= age.notna().to_numpy()
        elif fld == "sex":
            out["sex"] = parse.parse_sex(df[src]).to_numpy()
            known |= (out["sex"] != "").to_numpy()
        elif fld in ("home_lat", "home_lon"):
            out[fld] = parse.parse_number(df[src]).to_numpy()
        else:
            out[fld] = parse.as_text(df[src]).fillna("").to_numpy()
            known |= _known(df[src])
    return out, known


def _persons_from_rows(raw, preset, incidents, log, keep) -> pd.DataFrame:
    """Victims / perpetrators described on incident rows (LAPD, NYPD, Medellin)."""
    frames = []
    for spec in (preset.persons if preset else ()):
        people, known = _person_fields(raw.df, spec.columns, log)
        people.insert(0, "role", spec.role)
        people.insert(0, "incident_id", incidents["incident_id"].to_numpy())
        people = people[known & keep]
        if spec.role == "accused":  # repeated on each victim's row of the same incident
            people = people.drop_duplicates()
        frames.append(people)
    if not frames:
        return conform_persons(pd.DataFrame())
    return conform_persons(pd.concat(frames, ignore_index=True))


def _role_from_names(raw) -> str | None:
    """victim / accused guessed from column names, then the file name ('AccusedData.csv')."""
    for text in [*(str(c).lower() for c in raw.df.columns), raw.path.stem.lower()]:
        for word, role in ROLE_WORDS.items():
            if word in text:
                return role
    return None


def build_persons(raw, preset, mapping, *, keep_names=False, **_):
    """(persons, log, notes) from a victims / accused table."""
    df, src, notes = raw.df, _sources(mapping), []
    log = ProblemLog(raw.rows)
    if "incident_id" not in src:
        raise _fatal(raw, "no column links these persons to incidents; name it with --map "
                     "\"COLUMN=incident_id\".")
    fields = {s: f for s, f in mapping.items() if f not in ("incident_id", "role", "ignore")}
    out, _ = _person_fields(df, fields, log, keep_names)
    out.insert(0, "incident_id", parse.as_text(df[src["incident_id"]]).fillna("").to_numpy())
    if "role" in src:
        text = parse.as_text(df[src["role"]]).str.lower().fillna("")
        role = text.map(lambda v: next((r for w, r in ROLE_WORDS.items() if w in v), "")) \
            .astype(object)
    else:
        guess = _role_from_names(raw)
        if guess is None:
            raise _fatal(raw, "cannot tell whether these persons are victims or accused; add a "
                         "'role' column, or put 'victim' or 'accused' in the file name.")
        notes.append(f"all persons taken as {guess} (from the column or file names)")
        role = pd.Series(guess, index=out.index, dtype=object)
    out.insert(1, "role", role.to_numpy())
    if preset and preset.hook:
        out = preset.hook(df, out, log)
    bad_role = ~out["role"].isin(ROLES).to_numpy()
    log.add(src.get("role", ""), bad_role, "role is not victim, accused or complainant",
            "row dropped", "write victim, accused or complainant", df[src["role"]] if "role" in src else None)
    no_id = (out["incident_id"] == "").to_numpy()
    log.add(src["incident_id"], no_id, "no incident id", "row dropped",
            "fill in which incident each person belongs to")
    extras = _extras(df, mapping, set(out.columns) | set(PERSON_COLUMNS))
    if not keep_names:
        extras = extras[[c for c in extras.columns if "name" not in c.lower()
                         or c in ("District_Name", "Nationality_Name")]]
    kept = pd.concat([out, extras], axis=1)[~(bad_role | no_id)]
    return conform_persons(kept), log, notes


def build_patrols(raw, preset, mapping, **_):
    """(patrols, log, notes) from a beat duty log."""
    df, src, notes = raw.df, _sources(mapping), []
    log = ProblemLog(raw.rows)
    missing = [f for f in ("beat", "date") if f not in src]
    if missing or not ({"officers", "patrol_hours"} & set(src)):
        raise _fatal(raw, "a patrol log needs beat, date, shift and officers (or patrol_hours) "
                     "columns; name them with --map \"COLUMN=FIELD\".")
    date = parse.parse_datetime(df[src["date"]]).dt.normalize()
    log.add(src["date"], date.isna().to_numpy(), "date cannot be read", "row dropped",
            "write dates as YYYY-MM-DD", df[src["date"]])
    if "officers" in src:
        officers = parse.parse_number(df[src["officers"]])
    else:
        officers = parse.parse_number(df[src["patrol_hours"]]) / 8.0
        notes.append("officers computed as patrol hours / 8 (one 8-hour shift per officer)")
    col = src.get("officers", src.get("patrol_hours"))
    log.add(col, parse.unparsed(df[col], officers), "not a number", "read as 0",
            "write the number of officers as a plain number", df[col])
    out = pd.DataFrame({"beat": parse.parse_code(df[src["beat"]]).to_numpy(), "date": date,
                        "shift": parse.as_text(df[src["shift"]]).str.lower().to_numpy()
                        if "shift" in src else "", "officers": officers.to_numpy()})
    return conform_patrols(out[date.notna().to_numpy()]), log, notes


def build_pois(raw, preset, mapping, **_):
    """(pois, log, notes) from a points-of-interest table (kind, name, lat, lon)."""
    df, src = raw.df, _sources(mapping)
    log = ProblemLog(raw.rows)
    out = pd.DataFrame({"kind": parse.as_text(df[src["kind"]]).fillna("").to_numpy()
                        if "kind" in src else "",
                        "name": parse.as_text(df[src["name"]]).fillna("").to_numpy()
                        if "name" in src else "",
                        "lat": parse.parse_number(df[src["lat"]]).to_numpy(),
                        "lon": parse.parse_number(df[src["lon"]]).to_numpy()})
    bad = (out["lat"].isna() | out["lon"].isna() | ((out["lat"] == 0) & (out["lon"] == 0))).to_numpy()
    log.add(src["lat"], bad, "no usable coordinates", "row dropped",
            "points of interest need a latitude and longitude")
    return out[~bad][list(POI_COLUMNS)].reset_index(drop=True), log, []


def build_beats(raw, mapping, *, crs=None, **_):
    """(beats GeoDataFrame in EPSG:4326 with beat, district, geometry; log; notes)."""
    gdf, notes = raw.df, []
    log = ProblemLog(raw.rows)
    src = _sources(mapping)
    if "beat" not in src:
        raise _fatal(raw, "no beat name/number property was found in the polygons; name it "
                     "with --map \"PROPERTY=beat\".")
    if gdf.crs is None:
        b = gdf.total_bounds
        gdf = gdf.set_crs(crs or ("EPSG:4326" if abs(b[0]) <= 180 and abs(b[3]) <= 90 else None),
                          allow_override=True)
        if gdf.crs is None:
            raise _fatal(raw, "the polygons have no coordinate system; pass it with --crs.")
    elif crs:
        gdf = gdf.set_crs(crs, allow_override=True)
    gdf = gdf.to_crs("EPSG:4326")
    empty = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    log.add("geometry", empty, "beat has no polygon", "beat dropped", "redraw those beats")
    invalid = ~empty & ~gdf.geometry.is_valid.fillna(False).to_numpy()
    if invalid.any():
        gdf = gdf.copy()
        gdf.loc[invalid, "geometry"] = gdf.geometry[invalid].make_valid()
        log.add("geometry", invalid, "polygon is not valid (self-crossing)", "repaired",
                "nothing; repair the boundary file to silence this")
    import geopandas as gpd
    out = gpd.GeoDataFrame({
        "beat": parse.parse_code(gdf[src["beat"]]).to_numpy(),
        "district": parse.parse_code(gdf[src["district"]]).to_numpy() if "district" in src else "",
    }, geometry=gdf.geometry.to_numpy(), crs="EPSG:4326")
    return out[~empty].reset_index(drop=True), log, notes
