"""Raw incidents table + mapping -> canonical incidents (and persons drawn from their rows).

The steps, each logging what it found: the date (with its precision: ``incident_dates``), the
text and code fields, the count of crimes each row stands for, the coordinates (swapped or
projected ones detected: ``incident_coords``), the checks of ``validate``, ids and duplicates.
A file without a crime-type column is imported under a label (given, or derived from the file
name) with a note.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from crimekit.ingest import parse
from crimekit.ingest.incident_coords import coordinates
from crimekit.ingest.incident_dates import occurred_at
from crimekit.ingest.tables import HEINOUS_WORDS, extra_columns, person_fields, source_fields
from crimekit.ingest.validate import ProblemLog, check_coordinates, check_dates
from crimekit.schema import INCIDENT_COLUMNS, conform_incidents, conform_persons

_TEXT_FIELDS = ("incident_id", "category", "category_group", "premises", "description",
                "address")
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
