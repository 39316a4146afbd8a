"""One file in: read, map, parse and validate it into canonical tables with its report
(:func:`read_table`), or only its first rows and proposed mapping (:func:`preview`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.ingest import areas, tables
from crimekit.ingest.dates import ORDERS
from crimekit.ingest.incidents import build_incidents
from crimekit.ingest.mapping import (apply_overrides, available_formats, detect_kind, propose_mapping)
from crimekit.ingest.presets import PRESETS
from crimekit.ingest.readers import DEFAULT_MAX_BYTES, RawTable, read_raw
from crimekit.ingest.validate import MAX_DISTANCE_KM, MIN_YEAR, ProblemLog, ValidationReport
from crimekit.schema import (PATROL_COLUMNS, POI_COLUMNS, conform_incidents, conform_persons,
                             crime_count, data_precision)


@dataclass(frozen=True)
class IngestResult:
    """One file after ingestion.

    Attributes
    ----------
    path, sha256 : the file and the hash of its bytes.
    kind : "incidents", "persons", "patrols", "beats" or "pois".
    preset : format used ("chicago", ..., "crimekit", "generic").
    mapping : {source column: canonical field} used.
    report : ValidationReport.
    incidents, persons, patrols, pois : canonical DataFrames (empty when not in this file).
    beats : GeoDataFrame or None.
    """

    path: Path
    sha256: str
    kind: str
    preset: str
    mapping: dict
    report: ValidationReport
    incidents: pd.DataFrame = field(default_factory=lambda: conform_incidents(pd.DataFrame()))
    persons: pd.DataFrame = field(default_factory=lambda: conform_persons(pd.DataFrame()))
    patrols: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {c: [] for c in PATROL_COLUMNS}))
    pois: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({c: [] for c in POI_COLUMNS}))
    beats: object = None


@dataclass(frozen=True)
class Preview:
    """A file before import: what the Data page shows for review.

    Attributes: ``raw`` (the RawTable), ``kind`` (incidents, persons, beats, ...), ``preset``
    (the format recognised), ``mapping`` ({source column: field} proposed)."""

    raw: RawTable
    kind: str
    preset: str
    mapping: dict

    @property
    def sample(self) -> pd.DataFrame:
        """The first rows, without polygons (for a mapping table)."""
        return self.raw.df.drop(columns="geometry", errors="ignore").head(3)


def preview(path, *, format="auto", max_bytes=DEFAULT_MAX_BYTES, sheet=None) -> Preview:
    """Read a file and propose its kind, format and column mapping, importing nothing: the
    first steps of :func:`read_table`, for the analyst to review."""
    raw = read_raw(path, max_bytes=max_bytes, sheet=sheet)
    preset_name, proposed = propose_mapping(raw.df, "auto" if raw.is_geo else format)
    kind = "beats" if raw.is_geo else (PRESETS[preset_name].kind if preset_name in PRESETS
                                       else detect_kind(raw.df.columns))
    return Preview(raw, kind, preset_name, proposed)


def read_table(path, *, format="auto", mapping=None, crs=None, max_bytes=DEFAULT_MAX_BYTES,
               today=None, min_year=MIN_YEAR, max_km=MAX_DISTANCE_KM,
               keep_names=False, date_order="auto", label=None, sheet=None) -> IngestResult:
    """Read one file into canonical tables and a validation report.

    Parameters
    ----------
    format : "auto" (recognise the file), a preset name (see ``available_formats()``),
        "crimekit" or "generic".
    mapping : {source column: field} overriding the proposed mapping ("ignore" drops one).
    crs : CRS of projected x/y columns (e.g. "EPSG:32610"); guessed when not given.
    max_bytes : refuse larger files (default 500 MB).
    today : dates after this day are reported as in the future (default: today).
    min_year : dates before 1 January of this year are reported as implausible.
    max_km : coordinates further than this from the median point are blanked.
    keep_names : keep person names (dropped by default: names are not needed for analysis).
    date_order : "auto" (decided from the data, see ``crimekit.ingest.dates``), "dayfirst"
        or "monthfirst" for dates like 01/02/2024.
    label : crime type for a file without a crime-type column (default: from its name).
    sheet : the sheet of a workbook to read (default: the one that looks like data).
    """
    if format not in available_formats():
        raise ParameterError.invalid("format", "read_table",
                                     f"one of {', '.join(available_formats())}", format)
    if date_order not in ORDERS:
        raise ParameterError.invalid("date_order", "read_table", f"one of {', '.join(ORDERS)}",
                                     date_order)
    seen = preview(path, format=format, max_bytes=max_bytes, sheet=sheet)
    raw, preset_name, kind = seen.raw, seen.preset, seen.kind
    used = apply_overrides(seen.mapping, mapping, list(raw.df.columns), kind)
    preset = PRESETS.get(preset_name)
    opts = dict(crs=crs, today=today, min_year=min_year, max_km=max_km, keep_names=keep_names)
    tabs, persons = {}, None
    if kind == "incidents":
        tabs["incidents"], persons, log, notes = build_incidents(
            raw, preset, used, date_order=date_order, label=label, **opts)
        tabs["persons"] = persons
        kept = getattr(log, "rows_used", len(tabs["incidents"]))
    else:
        builder = {"persons": tables.build_persons, "patrols": tables.build_patrols,
                   "pois": tables.build_pois}.get(kind)
        if kind == "beats":
            table, log, notes = tables.build_beats(raw, used, crs=crs)
        else:
            table, log, notes = builder(raw, preset, used, **opts)
        tabs[kind] = table
        kept = len(table)
    report = _report(raw, kind, preset_name, used, log, kept, notes, tabs.get("incidents"))
    if kept == 0:
        raise UnusableInputError(_nothing_kept(raw, report))
    return IngestResult(path=Path(path), sha256=raw.sha256, kind=kind, preset=preset_name,
                        mapping=used, report=report, **tabs)


def _report(raw: RawTable, kind, preset, mapping, log: ProblemLog, kept, notes, incidents):
    """Assemble the frozen report: reading problems first, then the parsing/validation ones."""
    reading = ProblemLog(raw.rows)
    for problem, rows, action, advice in raw.read_problems:
        reading.add_rows("", rows, problem, action, advice)
    reading.items += log.items
    info = list(raw.notes)
    if raw.encoding and raw.encoding not in ("utf-8", "utf-8-sig"):
        info.append(f"text read as {raw.encoding}")
    if raw.delimiter and raw.delimiter != ",":
        info.append(f"columns separated by {raw.delimiter!r}")
    n_read = len(raw.df) + sum(len(rows) for _, rows, action, _ in raw.read_problems
                               if "skipped" in action)
    facts = incident_facts(incidents) if incidents is not None else {}
    return ValidationReport(file=raw.path.name, kind=kind, preset=preset, rows_read=n_read,
                            rows_kept=kept, problems=reading.frame(), mapping=dict(mapping),
                            notes=tuple(info + list(notes)), **facts)


def incident_facts(incidents, areas_table=None) -> dict:
    """What a report says of incidents: crimes (sum of count), date range at the data's
    precision and the share of crimes placed on the map."""
    if not len(incidents):
        return {"crimes": 0, "precision": "", "first": "", "last": "", "located": 0.0}
    precision = data_precision(incidents)
    fmt = {"hour": "%Y-%m-%d", "day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[precision]
    when = incidents["occurred_at"]
    return {"crimes": crime_count(incidents), "precision": precision,
            "first": f"{when.min():{fmt}}", "last": f"{when.max():{fmt}}",
            "located": areas.located_share(incidents, areas_table)}


def _nothing_kept(raw, report) -> str:
    """One sentence for a file of which no row could be used, naming the main reason."""
    probs = report.problems[report.problems["action"].str.contains("dropped|skipped")]
    if len(probs):
        top = probs.sort_values("rows", ascending=False).iloc[0]
        col = f" in column {top['column']!r}" if top["column"] else ""
        ex = f", e.g. row {top['examples'][0]}" if len(top["examples"]) else ""
        return (f"{raw.path.name}: none of its {report.rows_read:,} rows could be used "
                f"({top['problem']}{col}{ex}); {top['advice']}.")
    return f"{raw.path.name}: none of its rows could be used; check the file and its mapping."
