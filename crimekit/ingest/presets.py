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


# --- hooks -------------------------------------------------------------------------------------
def _lapd_hook(raw, out, log):
    """LAPD: Status AA/JA means an arrest; 'Part 1-2' is the UCR part (category group)."""
    if "Status" in raw:
        out["arrest"] = parse.as_text(raw["Status"]).str.upper().isin(["AA", "JA"]).to_numpy()
    if "Part 1-2" in raw:
        part = parse.as_text(raw["Part 1-2"]).fillna("")
        out["category_group"] = ("Part " + part).where(part != "", "").to_numpy()
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
        reg = parse.parse_datetime(raw["FIR_Reg_DateTime"])
        use = out["occurred_at"].isna().to_numpy() & reg.notna().to_numpy()
        if use.any():
            out.loc[use, "occurred_at"] = reg[use].to_numpy()
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
         "Accused Count": "accused_count"},
        hook=_ksp_hook),
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
        crs="EPSG:32610"),
)}
