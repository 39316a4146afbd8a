"""Automatic column matching: which source column feeds which canonical field.

``propose_mapping(raw_df)`` recognises a known export by its signature columns (a preset), the
crimekit canonical files by their exact columns, and anything else by synonyms of each field's
name (English and Spanish). The analyst reviews the proposal and may override any entry.
"""

from __future__ import annotations

import re

import pandas as pd

from crimekit.errors import ParameterError
from crimekit.ingest.presets import PRESETS
from crimekit.schema import PATROL_COLUMNS, PERSON_COLUMNS, POI_COLUMNS

KINDS = ("incidents", "persons", "patrols", "beats", "pois")

#: Fields a source column may be mapped to, per kind, with their synonyms in priority order
#: (normalised: lower case, every run of other characters replaced by "_").
SYNONYMS = {
    "incidents": {
        "incident_id": ["incident_id", "id", "incident_key", "incident_number", "incident_no",
                        "case_number", "case_no", "case_id", "report_number", "report_no",
                        "dr_no", "fir_id", "firno", "fir_no", "event_id", "event_number",
                        "cad_number", "crime_id", "cmplnt_num", "complaint_number", "offense_id",
                        "record_id", "event_unique_id", "objectid"],
        "occurred_at": ["occurred_at", "occurred", "occurred_on", "occurrence_date", "occ_date",
                        "occ_datetime", "occurrence_datetime", "date_of_occurrence",
                        "occurred_date", "date_occurred", "occur_date", "date_occ",
                        "offence_from_date", "offense_date", "offence_date", "incident_date",
                        "incident_datetime", "crime_date", "fecha_hecho", "fecha", "datetime",
                        "date_time", "timestamp", "date", "first_occurrence_date",
                        "cmplnt_fr_dt", "when", "reported", "reported_date", "date_reported",
                        "report_date", "date_rptd", "fir_reg_datetime"],
        "time": ["time", "occurred_time", "occur_time", "time_occ", "incident_time", "hora",
                 "cmplnt_fr_tm", "time_of_day"],
        "year": ["year", "yr", "anio", "ano", "occ_year", "occurrence_year"],
        "month": ["month", "mes", "occ_month", "occurrence_month"],
        "day": ["day", "dia"],
        "hour": ["hour", "hora_hecho", "occ_hour", "occurrence_hour"],
        "minute": ["minute", "minuto"],
        "category": ["category", "primary_type", "crime_type", "crimehead_name", "crime_head",
                     "offense_type", "offence_type", "offense", "offence", "crime",
                     "incident_type", "type", "ofns_desc", "ucr_desc", "crm_cd_desc",
                     "offense_description", "delito", "tipo", "nature", "crime_category",
                     "charge"],
        "category_group": ["category_group", "crimegroup_name", "crime_group", "major_head",
                           "offense_group", "offence_group", "group", "law_cat_cd",
                           "crime_class", "ucr_category", "part_1_2", "mci_category", "mci"],
        "heinous": ["heinous", "is_heinous", "fir_type"],
        "lat": ["lat", "latitude", "latitud", "lat_wgs84", "gps_lat", "y_lat"],
        "lon": ["lon", "lng", "long", "longitude", "longitud", "lon_wgs84", "long_wgs84",
                "gps_lon", "x_lon"],
        "x": ["x", "x_coordinate", "x_coord", "x_coord_cd", "xcoord", "easting", "point_x"],
        "y": ["y", "y_coordinate", "y_coord", "y_coord_cd", "ycoord", "northing", "point_y"],
        "beat": ["beat", "beat_name", "beat_num", "beat_no", "beat_id", "sector", "zone",
                 "patrol_zone", "rpt_dist_no", "reporting_district", "post", "area_name_code",
                 "community", "community_name", "lsoa_code", "lsoa", "lsoa_name", "ward",
                 "ward_name", "ward_code", "census_tract", "tract", "area_code",
                 "neighbourhood_158", "neighbourhood_140", "hood_158", "hood_140"],
        "district": ["district", "district_name", "area", "area_name", "precinct", "division",
                     "police_station", "station", "unitname", "unit", "borough", "boro",
                     "neighbourhood", "neighborhood", "comuna"],
        "premises": ["premises", "premise", "location_description", "location_type",
                     "premis_desc", "location_desc", "prem_typ_desc", "place_type",
                     "loc_cat", "location_category", "premise_type"],
        "address": ["address", "block", "block_address", "hundred_block", "street",
                    "street_name", "location", "place_of_offence", "incident_address",
                    "crime_location", "direccion"],
        "count": ["count", "crime_count", "crimes", "incident_count", "number_of_crimes",
                  "offence_count", "offense_count"],
        "property_value": ["property_value", "value", "loss", "loss_value", "property_loss",
                           "stolen_value", "amount"],
        "arrest": ["arrest", "arrested", "arrest_made", "is_arrest"],
        "description": ["description", "desc", "details", "narrative", "modus_operandi",
                        "modalidad", "pd_desc", "sub_type", "subtype", "offense_detail"],
        "victim_count": ["victim_count", "victims", "no_of_victims", "num_victims"],
        "accused_count": ["accused_count", "accused", "no_of_accused", "num_suspects"],
    },
    "persons": {
        "incident_id": ["incident_id", "id", "incident_key", "case_number", "case_no",
                        "fir_id", "firno", "fir_no", "dr_no", "report_number", "case_id"],
        "role": ["role", "person_role", "person_type", "involvement", "party_type"],
        "person_id": ["person_id", "person_no", "pid", "arr_id", "accused_id", "victim_id"],
        "name": ["name", "person_name", "full_name", "accusedname", "victimname",
                 "accused_name", "victim_name"],
        "age": ["age", "edad", "age_years", "age_group", "vict_age"],
        "sex": ["sex", "gender", "sexo", "vict_sex"],
        "occupation": ["occupation", "profession", "job", "ocupacion"],
        "socio_economic": ["socio_economic", "income_group", "economic_status", "estrato"],
        "caste": ["caste", "caste_name"],
        "nationality": ["nationality", "nationality_name", "country"],
        "home_lat": ["home_lat", "home_latitude"],
        "home_lon": ["home_lon", "home_longitude", "home_lng"],
        "race": ["race", "ethnicity"],
        "descent": ["descent", "vict_descent"],
    },
    "patrols": {
        "beat": ["beat", "beat_name", "beat_num", "sector", "zone", "post"],
        "date": ["date", "duty_date", "patrol_date", "day"],
        "shift": ["shift", "duty_shift", "watch", "tour"],
        "officers": ["officers", "officer_count", "num_officers", "staff", "personnel",
                     "strength"],
        "patrol_hours": ["patrol_hours", "hours", "duty_hours", "man_hours"],
    },
    "pois": {
        "kind": ["kind", "poi_type", "amenity", "type", "category"],
        "name": ["name", "poi_name"],
        "lat": ["lat", "latitude", "latitud", "y"],
        "lon": ["lon", "lng", "longitude", "longitud", "x"],
    },
    "beats": {"beat": ["beat_num", "beat_id", "beat", "beat_name", "zone", "name", "id",
                       "community", "community_name", "lsoa_code", "lsoa11cd", "lsoa21cd",
                       "ward", "ward_name", "area_name", "code"],
              "district": ["district", "dist", "district_name", "dist_num", "area",
                           "precinct", "division", "sector"]},
}
#: Every field name a mapping may use, per kind ("" or "ignore" drops a column).
FIELDS = {kind: tuple(syn) for kind, syn in SYNONYMS.items()}
IGNORE = ("", "ignore", "-")
#: Fields also matched when a synonym is one word of a longer name ("Crime Date Time").
_WORD_MATCH = ("occurred_at", "category", "lat", "lon", "beat", "district", "date", "shift",
               "officers", "kind")


def normalise(name) -> str:
    """Lower case, with every run of non-alphanumerics as one underscore: 'Primary Type' ->
    'primary_type'."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def match_preset(columns) -> str | None:
    """Name of the preset whose signature columns are all present (the most specific wins)."""
    present = {normalise(c) for c in columns}
    hits = [p for p in PRESETS.values() if {normalise(c) for c in p.signature} <= present]
    if not hits:
        return None
    if any(p.name == "ksp" for p in hits):
        return "ksp"
    return max(hits, key=lambda p: len(p.signature)).name


def known_columns(columns) -> int:
    """How many of ``columns`` name a field crimekit knows (to find the data sheet)."""
    known = {syn for kind in SYNONYMS.values() for syns in kind.values() for syn in syns}
    return sum(normalise(c) in known for c in columns)


def detect_kind(columns) -> str:
    """Which table a file holds: incidents, persons, patrols or pois (beats are geo files)."""
    cols = {normalise(c) for c in columns}
    has = lambda kind, f: bool(cols & set(SYNONYMS[kind][f]))  # noqa: E731
    preset = match_preset(columns)
    if preset:
        return PRESETS[preset].kind
    if has("patrols", "shift") and (has("patrols", "officers") or has("patrols", "patrol_hours")):
        return "patrols"
    no_date = not has("incidents", "occurred_at") and not has("incidents", "time")
    if has("pois", "kind") and {"lat", "lon"} <= cols and no_date:
        return "pois"
    if "role" in cols or ((has("persons", "age") or has("persons", "sex"))
                          and not has("incidents", "category") and no_date):
        return "persons"
    return "incidents"


def _by_synonyms(columns, kind) -> dict:
    """{source: field} from exact synonym matches, then word matches (e.g. 'Crime Date Time')."""
    norm = {c: normalise(c) for c in columns}
    mapping, used = {}, set()
    for exact in (True, False):
        for fld, syns in SYNONYMS[kind].items():
            if fld in mapping.values() or (not exact and fld not in _WORD_MATCH):
                continue
            for syn in syns:
                src = next((c for c, n in norm.items() if c not in used and (
                    n == syn if exact else len(syn) > 3 and syn in n.split("_"))), None)
                if src is not None:
                    mapping[src], _ = fld, used.add(src)
                    break
    return mapping


def _resolve_dates(mapping: dict) -> dict:
    """A separate time column turns the date column into a date part. With a full date, Year
    and Month columns stay mapped (they may decide its day/month order) and the finer parts
    go; without one, the parts build the date (Year alone, Year + Month, ...)."""
    fields = set(mapping.values())
    if "time" in fields and "occurred_at" in fields:
        mapping = {s: ("date" if f == "occurred_at" else f) for s, f in mapping.items()}
    if "occurred_at" in fields or "date" in set(mapping.values()):  # an hour may complete a day
        mapping = {s: f for s, f in mapping.items() if f not in ("day", "minute")}
    elif "year" not in fields:
        mapping = {s: f for s, f in mapping.items()
                   if f not in ("month", "day", "hour", "minute", "time")}
    return mapping


def propose_mapping(raw_df: pd.DataFrame, format: str = "auto") -> tuple[str, dict]:
    """Propose (preset name, {source column: canonical field}) for a raw table, importing nothing.

    ``format`` forces a preset ("chicago", ...), "crimekit" or "generic"; "auto" recognises it.
    Unmapped source columns are kept as extra columns by the importer.
    """
    columns = list(raw_df.columns)
    if hasattr(raw_df, "crs") and "geometry" in columns:  # polygons: beats
        return "generic", _by_synonyms([c for c in columns if c != "geometry"], "beats")
    if format not in ("auto", "generic", "crimekit") and format not in PRESETS:
        raise ParameterError.invalid("format", "propose_mapping",
                                     f"one of {', '.join(available_formats())}", format)
    if format == "auto":
        format = match_preset(columns) or ("crimekit" if _is_canonical(columns) else "generic")
    if format in PRESETS:
        preset = PRESETS[format]
        present = {normalise(c): c for c in columns}
        mapping, taken = {}, set()
        for src, fld in preset.columns.items():
            real = present.get(normalise(src))
            if real is not None and fld not in taken:
                mapping[real], _ = fld, taken.add(fld)
        return format, _resolve_dates(mapping) if preset.kind == "incidents" else mapping
    kind = detect_kind(columns)
    if format == "crimekit":  # the canonical names, then synonyms for every other column
        exact = {c: c for c in columns if c in FIELDS[kind]}
        rest = _by_synonyms([c for c in columns if c not in exact], kind)
        rest = {s: f for s, f in rest.items() if f not in exact.values()}
        mapping = {**exact, **rest}
        return "crimekit", _resolve_dates(mapping) if kind == "incidents" else mapping
    mapping = _by_synonyms(columns, kind)
    return "generic", _resolve_dates(mapping) if kind == "incidents" else mapping


def _is_canonical(columns) -> bool:
    cols = set(columns)
    return any(set(c) <= cols for c in (("incident_id", "occurred_at", "category"),
                                        PERSON_COLUMNS[:2] + ("age",), PATROL_COLUMNS,
                                        POI_COLUMNS))


def available_formats() -> tuple[str, ...]:
    """Names accepted by ``format=`` / ``--format``."""
    return ("auto",) + tuple(PRESETS) + ("crimekit", "generic")


def apply_overrides(mapping: dict, overrides: dict | None, columns, kind: str) -> dict:
    """The proposed mapping with the analyst's {source: field} entries put over it.

    A field already fed by another column is taken from it; "" / "ignore" drops a column.
    Unknown columns or fields are refused with the list of valid ones.
    """
    if not overrides:
        return dict(mapping)
    out = dict(mapping)
    valid = set(FIELDS[kind])
    for src, fld in overrides.items():
        if src not in columns:
            raise ParameterError(f"The mapping names column {src!r}, which the file does not "
                                 f"have; its columns are: {', '.join(map(str, columns))}.")
        fld = (fld or "").strip()
        if fld in IGNORE:
            out.pop(src, None)
            out[src] = "ignore"
            continue
        if fld not in valid:
            raise ParameterError(f"Column {src!r} cannot be mapped to {fld!r}; for {kind} the "
                                 f"fields are: {', '.join(sorted(valid))} (or 'ignore').")
        out = {s: f for s, f in out.items() if f != fld}
        out[src] = fld
    return _resolve_dates(out) if kind == "incidents" else out
