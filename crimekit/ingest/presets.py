"""Column mappings for the police exports crimekit knows by name.

A preset says which source column feeds which canonical field (see ``mapping.FIELDS``), which
CRS projected x/y are in, fixed values (Medellin's file is all homicides), how person rows are
drawn from incident rows (LAPD victims; NYPD victims and perpetrators), and, for the few
quirks a table cannot express, a small ``hook`` run after the generic parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crimekit.ingest import parse
from crimekit.ingest.dates import parse_dates


@dataclass(frozen=True)
class PersonSpec:
    """How one person per incident row is drawn: role and {source column: person field}."""

    role: str
    columns: dict


@dataclass(frozen=True)
class Preset:
    """A known file layout.

    Attributes
    ----------
    name, title : short name (``--format``) and what the file is.
    kind : "incidents", "persons", "patrols", "beats" or "pois".
    signature : source columns that must all be present to recognise the file.
    columns : {source column: canonical field}.
    crs : CRS of the x/y columns, if any.
    date_hints : date formats to try first.
    constants : {field: value} for fields the file does not hold (e.g. category).
    persons : PersonSpec per person drawn from each incident row.
    rows_are_victims : one row per victim, so incident ids repeat by design (NYPD).
    hook : optional ``hook(raw_df, out_df, log) -> out_df`` for quirks.
    date_fallback : columns holding a date when the date column holds only times (KSP).
    region : (min lon, min lat, max lon, max lat) where the format's data lies, to spot
        swapped coordinates.
    blank_ids : why ids may be empty by design (said in the report instead of a problem).
    area_unit : what the format's areas are called ("community", "LSOA"); "" for beats.
    ids_repeat : why rows may share an id, and be identical, by design (each row is one
        crime counted); such rows are all kept.
    """

    name: str
    title: str
    kind: str
    signature: tuple
    columns: dict
    crs: str | None = None
    date_hints: tuple = ()
    constants: dict = field(default_factory=dict)
    persons: tuple = ()
    rows_are_victims: bool = False
    hook: object = None
    date_fallback: tuple = ()
    region: tuple | None = None
    blank_ids: str = ""
    area_unit: str = ""
    ids_repeat: str = ""


# --- hooks -------------------------------------------------------------------------------------
def _lapd_hook(raw, out, log):
    """LAPD: Status AA/JA means an arrest; 'Part 1-2' is the UCR part (category group)."""
    if "Status" in raw:
        out["arrest"] = parse.as_text(raw["Status"]).str.upper().isin(["AA", "JA"]).to_numpy()
    if "Part 1-2" in raw:
        part = parse.as_text(raw["Part 1-2"]).fillna("")
        out["category_group"] = ("Part " + part).where(part != "", "").to_numpy()
    return out


def _stlouis_hook(raw, out, log):
    """St. Louis: the address is number + street (ILEADS), else the dispatch (CAD) address;
    number 0 marks an intersection ("COTE BRILLIANTE AVE / N EUCLID")."""
    for number, street in (("ILEADSAddress", "ILEADSStreet"), ("CADAddress", "CADStreet")):
        if street in raw:
            num = parse.as_text(raw[number]).fillna("") if number in raw else ""
            num = num.where(~num.isin(["0", ""]), "") if number in raw else num
            text = (num + " " if number in raw else "") + parse.as_text(raw[street]).fillna("")
            text = text.str.strip()
            have = "address" in out and out["address"].astype(str).str.strip().ne("").to_numpy()
            out["address"] = np.where(have, out["address"], text) if "address" in out \
                else text.to_numpy()
    return out


def _nypd_hook(raw, out, log):
    """NYPD: every row is a shooting; murders (STATISTICAL_MURDER_FLAG) are heinous."""
    out["description"] = np.where(out["heinous"], "MURDER", "")
    return out


def ksp_incident_key(raw: pd.DataFrame) -> pd.Series | None:
    """KSP tables link by district, police station (unit) and FIR number: "District/Unit/FIRNo"."""
    if not {"District_Name", "UnitName", "FIRNo"} <= set(raw.columns):
        return None
    parts = [parse.as_text(raw[c]).fillna("") for c in ("District_Name", "UnitName", "FIRNo")]
    key = parts[0] + "/" + parts[1] + "/" + parts[2]
    if "Year" in raw:  # FIR numbers restart every year; add it when the number lacks it
        year = parse.parse_code(raw["Year"])
        key = key.where(parts[2].str.contains("/", regex=False).fillna(False), key + "/" + year)
    return key


def _ksp_hook(raw, out, log):
    """KSP FIRs: offence date, else registration date; linkable ids; arrests from the count."""
    key = ksp_incident_key(raw)
    if key is not None:
        out["incident_id"] = key.to_numpy()
    if "FIR_Reg_DateTime" in raw:
        reg = parse_dates(raw["FIR_Reg_DateTime"])
        use = out["occurred_at"].isna().to_numpy() & reg.values.notna().to_numpy()
        if use.any():
            out.loc[use, "occurred_at"] = reg.values[use].to_numpy()
            out.loc[use, "precision"] = reg.precision[use]
            log.note("Offence_From_Date", use, "offence date missing or unreadable",
                     "used the FIR registration date (FIR_Reg_DateTime) instead",
                     "fill Offence_From_Date in the source if the offence date is known")
    arrested = next((c for c in raw.columns if c.lower().startswith("arrested count")), None)
    if arrested:
        count = parse.parse_number(raw[arrested])
        out["arrested_count"] = count.to_numpy()
        out["arrest"] = (count.fillna(0) > 0).to_numpy()
    return out


def _ksp_persons_hook(raw, out, log):
    """KSP accused/victim tables: the composite FIR key links them to the FIR details."""
    key = ksp_incident_key(raw)
    if key is not None:
        out["incident_id"] = key.to_numpy()
    return out


# --- the presets -------------------------------------------------------------------------------
PRESETS = {p.name: p for p in (
    Preset(
        "chicago", "City of Chicago 'Crimes - 2001 to present' export", "incidents",
        ("ID", "Case Number", "Date", "Primary Type", "Beat"),
        {"ID": "incident_id", "Date": "occurred_at", "Primary Type": "category",
         "Description": "description", "Location Description": "premises", "Arrest": "arrest",
         "Beat": "beat", "District": "district", "X Coordinate": "x", "Y Coordinate": "y",
         "Latitude": "lat", "Longitude": "lon"},
        crs="EPSG:3435", date_hints=("%m/%d/%Y %I:%M:%S %p",)),
    Preset(
        "lapd", "LAPD 'Crime Data from 2020 to Present'", "incidents",
        ("DR_NO", "DATE OCC", "TIME OCC", "Crm Cd Desc"),
        {"DR_NO": "incident_id", "DATE OCC": "date", "TIME OCC": "time",
         "Crm Cd Desc": "category", "AREA NAME": "district", "Rpt Dist No": "beat",
         "Premis Desc": "premises", "LAT": "lat", "LON": "lon", "Weapon Desc": "description"},
        date_hints=("%m/%d/%Y %I:%M:%S %p", "ISO8601"),
        persons=(PersonSpec("victim", {"Vict Age": "age", "Vict Sex": "sex",
                                       "Vict Descent": "descent"}),),
        hook=_lapd_hook),
    Preset(
        "nypd", "NYPD shooting incidents", "incidents",
        ("INCIDENT_KEY", "OCCUR_DATE", "OCCUR_TIME", "BORO"),
        {"INCIDENT_KEY": "incident_id", "OCCUR_DATE": "date", "OCCUR_TIME": "time",
         "PRECINCT": "district", "LOCATION_DESC": "premises",
         "STATISTICAL_MURDER_FLAG": "heinous", "X_COORD_CD": "x", "Y_COORD_CD": "y",
         "Latitude": "lat", "Longitude": "lon"},
        crs="EPSG:2263", date_hints=("%m/%d/%Y",), constants={"category": "SHOOTING"},
        persons=(PersonSpec("accused", {"PERP_AGE_GROUP": "age", "PERP_SEX": "sex",
                                        "PERP_RACE": "race"}),
                 PersonSpec("victim", {"VIC_AGE_GROUP": "age", "VIC_SEX": "sex",
                                       "VIC_RACE": "race"})),
        rows_are_victims=True, hook=_nypd_hook),
    Preset(
        "ksp", "Karnataka State Police FIR details", "incidents",
        ("FIRNo", "CrimeHead_Name", "FIR_Reg_DateTime"),
        {"FIRNo": "incident_id", "Offence_From_Date": "occurred_at", "CrimeHead_Name": "category",
         "CrimeGroup_Name": "category_group", "FIR Type": "heinous", "Beat_Name": "beat",
         "District_Name": "district", "Latitude": "lat", "Longitude": "lon",
         "ActSection": "description", "VICTIM COUNT": "victim_count",
         "Accused Count": "accused_count", "Year": "year", "Month": "month",
         "Place of Offence": "address"},
        date_hints=("dayfirst",), hook=_ksp_hook, date_fallback=("FIR_Date",),
        region=(74.0, 11.5, 78.6, 18.5)),
    Preset(
        "ksp_persons", "Karnataka State Police accused / victim details", "persons",
        ("FIRNo", "District_Name", "UnitName"),
        {"FIRNo": "incident_id", "age": "age", "Sex": "sex", "Profession": "occupation",
         "Caste": "caste", "Nationality_Name": "nationality", "Person_ID": "person_id",
         "AccusedName": "name", "VictimName": "name", "Name": "name"},
        hook=_ksp_persons_hook),
    Preset(
        "medellin", "Medellin homicides (SISC open data)", "incidents",
        ("fecha_hecho", "longitud", "latitud"),
        {"fecha_hecho": "occurred_at", "latitud": "lat", "longitud": "lon",
         "modalidad": "description"},
        constants={"category": "HOMICIDIO", "heinous": True},
        persons=(PersonSpec("victim", {"sexo": "sex", "edad": "age"}),)),
    Preset(
        "vancouver", "Vancouver Police crime data (GeoDASH)", "incidents",
        ("TYPE", "YEAR", "MONTH", "DAY", "HUNDRED_BLOCK"),
        {"TYPE": "category", "YEAR": "year", "MONTH": "month", "DAY": "day", "HOUR": "hour",
         "MINUTE": "minute", "NEIGHBOURHOOD": "district", "X": "x", "Y": "y"},
        crs="EPSG:32610", region=(-123.3, 49.1, -122.9, 49.4)),
    Preset(
        "police_uk", "police.uk street-level crime (England, Wales and Northern Ireland)",
        "incidents", ("Crime ID", "Month", "Reported by", "Crime type"),
        {"Crime ID": "incident_id", "Month": "occurred_at", "Crime type": "category",
         "Longitude": "lon", "Latitude": "lat", "LSOA code": "beat", "Location": "address",
         "Context": "description"},
        date_hints=("%Y-%m",), region=(-8.7, 49.8, 1.8, 60.9), area_unit="LSOA",
        blank_ids="police.uk leaves it empty for anti-social behaviour"),
    Preset(
        "calgary", "City of Calgary community crime statistics (monthly counts)", "incidents",
        ("Category", "Crime Count"),
        {"Community": "beat", "Community Name": "beat", "Category": "category",
         "Crime Count": "count", "Year": "year", "Month": "month", "Sector": "district"},
        region=(-114.4, 50.8, -113.8, 51.3), area_unit="community"),
    Preset(
        "stlouis", "St. Louis Metropolitan Police monthly crime file (SLMPD)", "incidents",
        ("Complaint", "DateOccur", "Count"),
        {"Complaint": "incident_id", "DateOccur": "occurred_at", "Description": "category",
         "Count": "count", "District": "district", "Neighborhood": "beat",
         "XCoord": "x", "YCoord": "y"},
        crs="ESRI:102696", date_hints=("%m/%d/%Y %H:%M",), hook=_stlouis_hook,
        region=(-90.4, 38.5, -90.1, 38.8), area_unit="neighborhood",
        ids_repeat="the file has one row per crime counted, so two victims of one complaint "
                   "are two rows and a reversal repeats its crime's complaint number"),
)}
