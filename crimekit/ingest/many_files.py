"""Many files in: files, folders, globs and zip archives read one by one and combined into one
:class:`~crimekit.schema.Dataset` (:func:`ingest_files`), stored (:func:`import_into_store`)
and summed up in a sentence (:func:`import_summary`)."""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from crimekit.errors import ParameterError, UnusableInputError
from crimekit.ingest import areas
from crimekit.ingest.inputs import expand_inputs
from crimekit.ingest.presets import PRESETS
from crimekit.ingest.readers import DEFAULT_MAX_BYTES, file_sha256, read_raw
from crimekit.ingest.one_file import incident_facts, read_table
from crimekit.ingest.validate import MAX_DISTANCE_KM, MIN_YEAR, ProblemLog, ValidationReport
from crimekit.schema import Dataset, conform_incidents, conform_persons


def _dataset_name(paths) -> str:
    stem = Path(paths[0]).stem if paths else "dataset"
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", stem).strip("._") or "dataset"


def ingest_files(paths, *, name=None, format="auto", mapping=None, crs=None,
                 max_bytes=DEFAULT_MAX_BYTES, today=None, min_year=MIN_YEAR,
                 max_km=MAX_DISTANCE_KM, keep_names=False, date_order="auto", label=None,
                 sheet=None):
    """Read several files (incidents, persons, beats or areas, patrols, pois; files, folders,
    globs or zip archives of them) into one Dataset.

    ``format`` applies to every table file (polygon files are always auto-detected); entries
    of ``mapping`` apply to the files that have that column. A file that cannot be used is
    skipped with a report saying why; UnusableInputError only when no file is usable.
    Incidents named by an area are joined to the area polygons by name; incidents far outside
    the polygons lose their coordinates. Returns (Dataset, list of reports). The Dataset's
    ``meta`` holds the sources [(file name, sha256)], presets, report summaries and facts.
    """
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not items:
        raise ParameterError.invalid("paths", "ingest_files", "at least one file", [])
    options = dict(format=format, crs=crs, max_bytes=max_bytes, today=today,
                   min_year=min_year, max_km=max_km, keep_names=keep_names,
                   date_order=date_order, label=label, sheet=sheet)
    with tempfile.TemporaryDirectory(prefix="crimekit-expand-") as workdir:
        files = expand_inputs(items, workdir)
        results, skipped = [], []
        for path in files:
            cols = _columns_of(path, max_bytes, sheet) if mapping else None
            own = {s: f for s, f in (mapping or {}).items() if cols is None or s in cols}
            try:
                results.append(read_table(path, mapping=own or None, **options))
            except UnusableInputError as exc:
                if len(files) == 1:
                    raise
                skipped.append(skipped_report(path, str(exc)))
    if not results:
        raise UnusableInputError("None of the files could be used: " + " ".join(
            r.notes[0] for r in skipped))
    if mapping:
        used = {s for r in results for s in r.mapping}
        unknown = [s for s in mapping if s not in used]
        if unknown:
            raise ParameterError(f"The mapping names column(s) {', '.join(map(repr, unknown))}, "
                                 "which none of the files has.")
    dataset, reports = _combine(results, name or _dataset_name(
        [r.path for r in results if r.kind == "incidents"] or [r.path for r in results]), crs)
    dataset.meta["reports"] += [r.summary() for r in skipped]
    return dataset, reports + skipped


def skipped_report(path, message) -> ValidationReport:
    """The report of a file that could not be used at all (the others were imported)."""
    return ValidationReport(file=Path(path).name, kind="skipped", preset="", rows_read=0,
                            rows_kept=0, notes=(message,))


def _columns_of(path, max_bytes, sheet=None):
    try:
        return set(read_raw(path, max_bytes=max_bytes, sheet=sheet).df.columns)
    except UnusableInputError:
        return None


def _combine(results, name, crs):
    """One Dataset from several IngestResults: area polygons placed and matched by name,
    incidents checked against them, ids repeated across files dropped."""
    pick = lambda kind: [r for r in results if r.kind == kind]  # noqa: E731
    incident_results = pick("incidents")
    beats, beat_notes = _polygons(pick("beats"), incident_results)
    reports, frames = [], []
    seen_ids = [] if len(incident_results) > 1 else None  # ids of earlier files, when many
    for r in results:
        report = r.report
        if r.kind == "incidents":
            inc, report = _incidents_of(r, report, beats, seen_ids)
            frames.append(inc)
        elif r.kind == "beats" and beat_notes:
            report = replace(report, notes=report.notes + tuple(beat_notes))
        reports.append(report)
    incidents = conform_incidents(pd.concat(frames, ignore_index=True)
                                  if frames else pd.DataFrame())
    incidents = incidents.drop(columns=["unlocated_x", "unlocated_y"], errors="ignore")
    persons = [r.persons for r in results if len(r.persons)]
    frames = {k: [getattr(r, k) for r in pick(k)] for k in ("patrols", "pois")}
    units = {PRESETS[r.preset].area_unit for r in incident_results
             if r.preset in PRESETS and PRESETS[r.preset].area_unit}
    meta = {"sources": [(r.path.name, r.sha256) for r in results],
            "presets": {r.path.name: r.preset for r in results},
            "crs": crs, "reports": [rep.summary() for rep in reports],
            "area_unit": units.pop() if len(units) == 1 else "beat",
            **{k: v for k, v in incident_facts(incidents, beats).items()}}
    ds = Dataset(name=name, incidents=incidents,
                 persons=conform_persons(pd.concat(persons, ignore_index=True))
                 if persons else conform_persons(pd.DataFrame()),
                 beats=beats, meta=meta,
                 **{k: pd.concat(v, ignore_index=True) for k, v in frames.items() if v})
    return ds, reports


def _polygons(beat_results, incident_results):
    """All area polygons in EPSG:4326 (placed by the incidents' points when their file had
    no coordinate system), or None; with notes for the polygons' report."""
    if not beat_results:
        return None, []
    import geopandas as gpd
    parts, notes = [], []
    located = pd.concat([r.incidents for r in incident_results], ignore_index=True) \
        if incident_results else None
    for r in beat_results:
        polys = r.beats
        if polys.attrs.get("crs_unknown"):
            placed, note = (areas.place_polygons(polys, located) if located is not None
                            else (None, ""))
            if placed is None:
                raise UnusableInputError(
                    f"{r.path.name}: the polygons' coordinates are not degrees and the file "
                    "names no coordinate system; choose it (for example EPSG:32610 for UTM "
                    "zone 10N) and import again.")
            polys, _ = placed, notes.append(note)
        parts.append(polys)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326"), notes


def _incidents_of(r, report, beats, seen_ids):
    """One file's incidents after the checks that need the other files."""
    inc = r.incidents
    more, notes = [], []
    if beats is not None and len(beats):
        inc, note = areas.place_points(inc, beats)
        if note:
            notes.append(note)
            report = replace(report, problems=report.problems[~report.problems["problem"]
                             .str.startswith("projected x/y coordinates in an unknown")])
        inc, _, area_notes, area_problems = areas.match_areas(inc, beats)
        notes += area_notes
        more += area_problems
        by_area = inc["lat"].isna().to_numpy() & inc["beat"].isin(set(beats["beat"])).to_numpy()
        if by_area.any():
            notes.append(f"{int(by_area.sum()):,} rows without coordinates placed on the map by "
                         "their area's polygon")
            if by_area.sum() == inc["lat"].isna().sum():
                report = replace(report, problems=report.problems[
                    ~report.problems["problem"].isin(["no coordinate columns",
                                                      "no coordinates"])])
        log = ProblemLog(np.full(len(inc), -1))
        from crimekit.ingest.validate import check_coordinates
        inc = check_coordinates(log, inc.copy(), "lat", bounds=tuple(beats.total_bounds))
        more += [dict(p, examples=[]) for p in log.items if "beats" in p["problem"]]
    again = np.zeros(len(inc), bool)
    if seen_ids is not None:
        ids = inc["incident_id"].astype(str).to_numpy()
        positive = inc["count"].to_numpy() >= 0
        if seen_ids and not (r.preset in PRESETS and PRESETS[r.preset].ids_repeat):
            again = np.isin(ids, np.concatenate(seen_ids)) & positive
        if again.any():
            more.append({"problem": "incident id already in an earlier file", "column":
                         "incident_id", "rows": int(again.sum()), "examples": [],
                         "action": "row dropped (the earlier file's row kept)",
                         "advice": "nothing if the files overlap in time"})
            inc = inc[~again]
        seen_ids.append(ids[positive & ~again])
    if more:
        report = report.with_problems(pd.DataFrame(more), rows_kept=report.rows_kept
                                      - int(again.sum()))
    if more or notes:
        report = replace(report, notes=report.notes + tuple(notes),
                         **incident_facts(inc, beats))
    return inc, report


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
                                     "use that dataset, or delete it first.")
    dataset, reports = ingest_files(paths, name=name, **options)
    saved = store.save(dataset, sources=dataset.meta["sources"], reports=reports, replace=replace)
    return saved, dataset, reports


def import_summary(name, dataset) -> str:
    """One line saying what an import kept, for the command line and the app."""
    meta, inc = dataset.meta, dataset.incidents
    facts = incident_facts(inc, dataset.beats)
    precision = facts["precision"]
    span = (f" ({facts['first']} to {facts['last']}, times known to the {precision})"
            if len(inc) else "")
    crimes = facts["crimes"]
    rows = (f"{len(inc):,} incidents" if crimes == len(inc)
            else f"{len(inc):,} rows ({crimes:,} crimes)")
    extra = "".join(f", {n:,} {what}" for n, what in (
        (len(dataset.persons), "persons"),
        (0 if dataset.beats is None else len(dataset.beats),
         "areas" if meta.get("area_unit", "beat") != "beat" else "beats"),
        (len(dataset.patrols), "patrol rows")) if n)
    located = f"; {facts['located']:.0%} of crimes located" if len(inc) else ""
    skipped = [r for r in meta.get("reports", []) if r.get("kind") == "skipped"]
    left = f"; {len(skipped)} file(s) skipped" if skipped else ""
    return f"Imported {rows}{extra} as dataset {name!r}{span}{located}{left}."
