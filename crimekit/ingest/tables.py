"""Raw table + mapping -> canonical tables, with every problem logged.

One builder per kind of table. Each parses the mapped columns with ``parse``, lets a preset's
hook fix its quirks, runs the checks in ``validate`` and returns canonical tables plus the log.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimekit.errors import UnusableInputError
from crimekit.ingest import parse
from crimekit.ingest.dates import parse_datetime
from crimekit.ingest.validate import ProblemLog
from crimekit.schema import (PERSON_COLUMNS, POI_COLUMNS, ROLES, conform_patrols,
                             conform_persons)

#: Without a heinous column, categories containing one of these words are marked heinous.
HEINOUS_WORDS = ("HOMICIDE", "MURDER", "RAPE", "SEXUAL ASSAULT", "CRIM SEXUAL", "KIDNAP",
                 "DACOITY", "MANSLAUGHTER", "HOMICIDIO", "SHOOTING")
ROLE_WORDS = {"victim": "victim", "victima": "victim", "injured": "victim",
              "accused": "accused", "suspect": "accused", "offender": "accused",
              "perpetrator": "accused", "perp": "accused", "arrestee": "accused",
              "complainant": "complainant", "informant": "complainant"}
_TEXT_FIELDS = ("incident_id", "category", "category_group", "premises", "description")
_UNKNOWN_CODES = {"x", "u"}  # LAPD/NYPD codes for "not known" in sex/descent/race


def fatal(raw, what) -> UnusableInputError:
    return UnusableInputError(f"{raw.path.name}: {what}")


def source_fields(mapping: dict) -> dict:
    """{field: source column} from {source: field}, ignoring dropped columns."""
    return {f: s for s, f in mapping.items() if f and f != "ignore"}


def extra_columns(raw_df, mapping, taken) -> pd.DataFrame:
    """Unmapped source columns, kept under their own names ("src_" added on a clash)."""
    keep = [c for c in raw_df.columns if c not in mapping]
    extra = raw_df[keep].copy()
    extra.columns = [f"src_{c}" if c in taken else c for c in keep]
    return extra


def known_values(values: pd.Series) -> np.ndarray:
    t = parse.as_text(values).str.lower()
    return (~parse.is_blank(values) & ~t.isin(_UNKNOWN_CODES).fillna(False)).to_numpy()


def person_fields(df, columns, log, keep_names=False) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse person columns {source: field}; return (table, mask of rows with anything known)."""
    out, known = pd.DataFrame(index=pd.RangeIndex(len(df))), np.zeros(len(df), bool)
    for src, fld in columns.items():
        if src not in df or (fld == "name" and not keep_names):
            continue
        if fld == "age":
            age, group = parse.parse_age(df[src])
            zero = parse.as_text(df[src]).isin(["0", "0.0"]).fillna(False).to_numpy()
            log.add(src, parse.unparsed(df[src], age) & ~zero & (group == "").to_numpy()
                    & known_values(df[src]), "age cannot be read", "age left empty",
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
            known |= known_values(df[src])
    return out, known


def _role_from_names(raw) -> str | None:
    """victim / accused guessed from column names, then the file name ('AccusedData.csv')."""
    for text in [*(str(c).lower() for c in raw.df.columns), raw.path.stem.lower()]:
        for word, role in ROLE_WORDS.items():
            if word in text:
                return role
    return None


def build_persons(raw, preset, mapping, *, keep_names=False, **_):
    """(persons, log, notes) from a victims / accused table."""
    df, src, notes = raw.df, source_fields(mapping), []
    log = ProblemLog(raw.rows)
    if "incident_id" not in src:
        raise fatal(raw, "no column links these persons to incidents; choose it in the mapping "
                     "(field incident_id).")
    fields = {s: f for s, f in mapping.items() if f not in ("incident_id", "role", "ignore")}
    out, _ = person_fields(df, fields, log, keep_names)
    out.insert(0, "incident_id", parse.as_text(df[src["incident_id"]]).fillna("").to_numpy())
    if "role" in src:
        text = parse.as_text(df[src["role"]]).str.lower().fillna("")
        role = text.map(lambda v: next((r for w, r in ROLE_WORDS.items() if w in v), "")) \
            .astype(object)
    else:
        guess = _role_from_names(raw)
        if guess is None:
            raise fatal(raw, "cannot tell whether these persons are victims or accused; add a "
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
    extras = extra_columns(df, mapping, set(out.columns) | set(PERSON_COLUMNS))
    if not keep_names:
        extras = extras[[c for c in extras.columns if "name" not in c.lower()
                         or c in ("District_Name", "Nationality_Name")]]
    kept = pd.concat([out, extras], axis=1)[~(bad_role | no_id)]
    return conform_persons(kept), log, notes


def build_patrols(raw, preset, mapping, **_):
    """(patrols, log, notes) from a beat duty log."""
    df, src, notes = raw.df, source_fields(mapping), []
    log = ProblemLog(raw.rows)
    missing = [f for f in ("beat", "date") if f not in src]
    if missing or not ({"officers", "patrol_hours"} & set(src)):
        raise fatal(raw, "a patrol log needs beat, date, shift and officers (or patrol_hours) "
                     "columns; choose them in the mapping.")
    date = parse_datetime(df[src["date"]]).dt.normalize()
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
    df, src = raw.df, source_fields(mapping)
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
    """(area polygons in EPSG:4326 with beat, district, geometry and the file's other
    properties; log; notes). Points and lines are dropped one by one, invalid polygons
    repaired one by one. Coordinates that are not degrees need ``crs``; without it the
    polygons keep their numbers and ``crs_unknown`` is set in ``attrs`` so the combining
    step can find the system from the incidents' points."""
    import geopandas as gpd
    gdf, notes = raw.df, []
    log = ProblemLog(raw.rows)
    src = source_fields(mapping)
    if "beat" not in src:
        raise fatal(raw, "no name or number property was found in the polygons; choose the "
                    "property that names each area in the mapping (field beat).")
    gdf, unknown = _polygon_crs(raw, gdf, crs, notes)
    empty = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    log.add("geometry", empty, "area has no shape", "area dropped", "redraw those areas")
    kind = gdf.geometry.geom_type.fillna("").to_numpy()
    not_area = ~empty & ~np.isin(kind, ["Polygon", "MultiPolygon", "GeometryCollection"])
    log.add("geometry", not_area, "a point or line, not an area", "dropped",
            "give polygons of the beats or areas (points cannot be planned over)",
            pd.Series(kind))
    if (empty | not_area).all():
        raise fatal(raw, "holds points or lines, not area polygons; give a file of beat or "
                    "area boundaries.")
    invalid = ~empty & ~not_area & ~gdf.geometry.is_valid.fillna(False).to_numpy()
    if invalid.any():
        gdf = gdf.copy()
        gdf.loc[invalid, "geometry"] = gdf.geometry[invalid].make_valid()
        log.add("geometry", invalid, "polygon is not valid (self-crossing)", "repaired",
                "nothing; repair the boundary file to silence this")
    props = {c: parse.parse_code(gdf[c]).to_numpy() for c in gdf.columns
             if c not in ("geometry", "beat", "district")
             and (pd.api.types.is_string_dtype(gdf[c]) or pd.api.types.is_integer_dtype(gdf[c]))}
    out = gpd.GeoDataFrame({
        "beat": parse.parse_code(parse.clean_text(gdf[src["beat"]])[0]).to_numpy(),
        "district": parse.parse_code(gdf[src["district"]]).to_numpy() if "district" in src else "",
        **props}, geometry=gdf.geometry.to_numpy(), crs=None if unknown else "EPSG:4326")
    out = out[~(empty | not_area)].reset_index(drop=True)
    out.attrs["crs_unknown"] = unknown
    return out, log, notes


def _polygon_crs(raw, gdf, crs, notes):
    """(polygons in EPSG:4326 or in their own unknown units, whether the system is unknown).

    A GeoJSON without a ``crs`` member is read as degrees; numbers beyond degree ranges mean
    it was projected, so ``crs`` (or a later match with the incidents) is needed."""
    b = gdf.total_bounds
    degrees = bool(np.isfinite(b).all() and abs(b[0]) <= 180 and abs(b[2]) <= 180
                   and abs(b[1]) <= 90 and abs(b[3]) <= 90)
    if crs:
        if gdf.crs is not None and not degrees and gdf.crs.to_epsg() == 4326:
            notes.append(f"polygon coordinates read in {crs} as given (the file says degrees "
                         "but holds projected numbers)")
        return gdf.set_crs(crs, allow_override=True).to_crs("EPSG:4326"), False
    if gdf.crs is not None and not (gdf.crs.to_epsg() == 4326 and not degrees):
        return gdf.to_crs("EPSG:4326"), False
    if degrees:
        return gdf.set_crs("EPSG:4326", allow_override=True), False
    return gdf.set_crs(None, allow_override=True), True
