"""Ingestion: real files -> crimekit's canonical tables, with a validation report.

Public API
----------
- ``read_table(path, *, format="auto", mapping=None, crs=None, ...) -> IngestResult``: one file.
- ``ingest_files(paths, *, name=None, ...) -> (Dataset, [ValidationReport])``: several files
  (incidents, persons, beats, patrols, pois) combined into one ``crimekit.schema.Dataset``.
- ``propose_mapping(raw_df, format="auto") -> (preset name, {source column: field})`` and
  ``read_raw(path)``: for an app's "review and adjust the mapping" step.
- ``PRESETS``, ``available_formats()``, ``FIELDS``: what can be chosen.

Fatal problems raise ``crimekit.errors.UnusableInputError`` with one sentence naming the file
and what to do; everything else is collected in the report and the good rows are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.ingest import tables
from crimekit.ingest.mapping import (FIELDS, apply_overrides, available_formats, detect_kind,
                                     propose_mapping)
from crimekit.ingest.presets import PRESETS, Preset
from crimekit.ingest.readers import DEFAULT_MAX_BYTES, RawTable, file_sha256, read_raw
from crimekit.ingest.validate import MAX_DISTANCE_KM, MIN_YEAR, ProblemLog, ValidationReport
from crimekit.schema import Dataset, PATROL_COLUMNS, POI_COLUMNS, conform_incidents, \
    conform_persons

__all__ = ["read_table", "ingest_files", "import_into_store", "import_summary", "propose_mapping", "read_raw", "IngestResult",
           "ValidationReport", "PRESETS", "FIELDS", "available_formats", "detect_kind",
           "DEFAULT_MAX_BYTES", "file_sha256"]


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


def read_table(path, *, format="auto", mapping=None, crs=None, max_bytes=DEFAULT_MAX_BYTES,
               today=None, min_year=MIN_YEAR, max_km=MAX_DISTANCE_KM,
               keep_names=False) -> IngestResult:
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
    """
    if format not in available_formats():
        raise ParameterError.invalid("format", "read_table",
                                     f"one of {', '.join(available_formats())}", format)
    raw = read_raw(path, max_bytes=max_bytes)
    preset_name, proposed = propose_mapping(raw.df, "auto" if raw.is_geo else format)
    kind = "beats" if raw.is_geo else (PRESETS[preset_name].kind if preset_name in PRESETS
                                       else detect_kind(raw.df.columns))
    used = apply_overrides(proposed, mapping, list(raw.df.columns), kind)
    preset = PRESETS.get(preset_name)
    opts = dict(crs=crs, today=today, min_year=min_year, max_km=max_km, keep_names=keep_names)
    tabs, persons = {}, None
    if kind == "incidents":
        tabs["incidents"], persons, log, notes = tables.build_incidents(raw, preset, used, **opts)
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
    report = _report(raw, kind, preset_name, used, log, kept, notes)
    if kept == 0:
        raise UnusableInputError(_nothing_kept(raw, report))
    return IngestResult(path=Path(path), sha256=raw.sha256, kind=kind, preset=preset_name,
                        mapping=used, report=report, **tabs)


def _report(raw: RawTable, kind, preset, mapping, log: ProblemLog, kept, notes):
    """Assemble the frozen report: reading problems first, then the parsing/validation ones."""
    reading = ProblemLog(raw.rows)
    for problem, rows, action, advice in raw.read_problems:
        reading.add_rows("", rows, problem, action, advice)
    reading.items += log.items
    info = []
    if raw.encoding and raw.encoding not in ("utf-8", "utf-8-sig"):
        info.append(f"text read as {raw.encoding}")
    if raw.delimiter and raw.delimiter != ",":
        info.append(f"columns separated by {raw.delimiter!r}")
    n_read = len(raw.df) + sum(len(r) for _, r, _, _ in raw.read_problems)
    return ValidationReport(file=raw.path.name, kind=kind, preset=preset, rows_read=n_read,
                            rows_kept=kept, problems=reading.frame(), mapping=dict(mapping),
                            notes=tuple(info + list(notes)))


def _nothing_kept(raw, report) -> str:
    """One sentence for a file of which no row could be used, naming the main reason."""
    probs = report.problems[report.problems["action"].str.contains("dropped|skipped")]
    if len(probs):
        top = probs.sort_values("rows", ascending=False).iloc[0]
        col = f" in column {top['column']!r}" if top["column"] else ""
        return (f"{raw.path.name}: none of its {report.rows_read:,} rows could be used "
                f"({top['problem']}{col}, e.g. row {top['examples'][0]}); {top['advice']}.")
    return f"{raw.path.name}: none of its rows could be used; check the file and its mapping."


def _dataset_name(paths) -> str:
    stem = Path(paths[0]).stem if paths else "dataset"
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", stem).strip("._") or "dataset"


def ingest_files(paths, *, name=None, format="auto", mapping=None, crs=None,
                 max_bytes=DEFAULT_MAX_BYTES, today=None, min_year=MIN_YEAR,
                 max_km=MAX_DISTANCE_KM, keep_names=False):
    """Read several files (incidents, persons, beats, patrols, pois) into one Dataset.

    ``format`` applies to every table file (polygon files are always auto-detected); entries
    of ``mapping`` apply to the files that have that column. Incidents far outside the beats'
    area (when beats are given) lose their coordinates. Returns (Dataset, list of reports).
    The Dataset's ``meta`` holds the sources [(file name, sha256)], presets and report summaries.
    """
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    if not paths:
        raise ParameterError.invalid("paths", "ingest_files", "at least one file", [])
    results = []
    for path in paths:
        cols = _columns_of(path, max_bytes) if mapping else None
        own = {s: f for s, f in (mapping or {}).items() if cols is None or s in cols}
        results.append(read_table(path, format=format, mapping=own or None, crs=crs,
                                  max_bytes=max_bytes, today=today, min_year=min_year,
                                  max_km=max_km, keep_names=keep_names))
    if mapping:
        used = {s for r in results for s in r.mapping}
        unknown = [s for s in mapping if s not in used]
        if unknown:
            raise ParameterError(f"The mapping names column(s) {', '.join(map(repr, unknown))}, "
                                 "which none of the files has.")
    return _combine(results, name or _dataset_name(
        [r.path for r in results if r.kind == "incidents"] or [r.path for r in results]), crs)


def _columns_of(path, max_bytes):
    try:
        return set(read_raw(path, max_bytes=max_bytes).df.columns)
    except UnusableInputError:
        return None


def _combine(results, name, crs):
    """One Dataset from several IngestResults, checking incidents against the beats."""
    pick = lambda kind: [r for r in results if r.kind == kind]  # noqa: E731
    beats = None
    if pick("beats"):
        import geopandas as gpd
        beats = gpd.GeoDataFrame(pd.concat([r.beats for r in pick("beats")], ignore_index=True),
                                 crs="EPSG:4326")
    reports = []
    incident_frames = []
    for r in results:
        report = r.report
        if r.kind == "incidents" and beats is not None and len(beats):
            inc = r.incidents.copy()
            log = ProblemLog(np.full(len(inc), -1))
            from crimekit.ingest.validate import check_coordinates
            inc = check_coordinates(log, inc, "lat", bounds=tuple(beats.total_bounds))
            outside = [p for p in log.items if "beats" in p["problem"]]
            if outside:
                report = report.with_problems(pd.DataFrame(outside).assign(examples=[[]]))
            incident_frames.append(inc)
        elif r.kind == "incidents":
            incident_frames.append(r.incidents)
        reports.append(report)
    incidents = conform_incidents(pd.concat(incident_frames, ignore_index=True)
                                  if incident_frames else pd.DataFrame())
    persons = [r.persons for r in results if len(r.persons)]
    frames = {k: [getattr(r, k) for r in pick(k)] for k in ("patrols", "pois")}
    meta = {"sources": [(r.path.name, r.sha256) for r in results],
            "presets": {r.path.name: r.preset for r in results},
            "crs": crs, "reports": [rep.summary() for rep in reports]}
    ds = Dataset(name=name, incidents=incidents,
                 persons=conform_persons(pd.concat(persons, ignore_index=True))
                 if persons else conform_persons(pd.DataFrame()),
                 beats=beats, meta=meta,
                 **{k: pd.concat(v, ignore_index=True) for k, v in frames.items() if v})
    return ds, reports


def import_into_store(paths, store, *, name=None, replace=False, **options):
    """Validate ``paths`` into one dataset and save it in ``store``: what the ``ingest`` command
    and the app's Data page both do.

    Files already in the store are refused before any reading (one sentence naming the dataset
    that holds them). ``options`` go to :func:`ingest_files`. Returns (name, Dataset, reports).
    """
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    for path in paths:  # cheap check first: the same file is never imported twice
        if not path.is_file():
            continue
        owner = store.find_source(file_sha256(path))
        if owner is not None and not (replace and owner == name):
            raise UnusableInputError(f"{path.name} is already imported as dataset {owner!r}; "
                                     f"use that dataset, or delete it first (`python -m "
                                     f"crimekit datasets --delete {owner}`).")
    dataset, reports = ingest_files(paths, name=name, **options)
    saved = store.save(dataset, sources=dataset.meta["sources"], reports=reports, replace=replace)
    return saved, dataset, reports


def import_summary(name, dataset) -> str:
    """One line saying what an import kept, for the command line and the app."""
    first, last = dataset.date_range
    span = f" ({first:%Y-%m-%d} to {last:%Y-%m-%d})" if first is not None else ""
    extra = "".join(f", {n:,} {what}" for n, what in (
        (len(dataset.persons), "persons"),
        (0 if dataset.beats is None else len(dataset.beats), "beats"),
        (len(dataset.patrols), "patrol rows")) if n)
    return f"Imported {len(dataset.incidents):,} incidents{extra} as dataset {name!r}{span}."
