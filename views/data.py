"""Data: upload files, review the column mapping, read the validation report, manage datasets."""

from pathlib import Path

import pandas as pd
import streamlit as st

import ui
from crimekit.errors import CrimekitError

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "parquet", "geojson", "json", "zip"]


def mapping_editor(index: int, path: Path, kind: str, mapping: dict, sample) -> dict:
    """A table of source columns and the field each maps to; returns the analyst's changes."""
    columns = list(sample.columns)
    table = pd.DataFrame({
        "source column": columns,
        "example": [str(sample[c].iloc[0]) if len(sample) else "" for c in columns],
        "maps to": [mapping.get(c, "") for c in columns]})
    edited = st.data_editor(
        table, key=f"mapping_{index}", hide_index=True, width="stretch",
        disabled=["source column", "example"],
        column_config={"maps to": st.column_config.SelectboxColumn(
            "maps to", options=["", "ignore", *ui.FIELDS.get(kind, ())],
            help="The canonical field this column fills; empty keeps it as an extra column.")})
    return {src: new for src, new, old in zip(edited["source column"], edited["maps to"],
                                              table["maps to"]) if new != old and new}


def show_report(report) -> None:
    """One file's validation report: counts, crimes, dates, problems with advice, a download."""
    if report.kind == "skipped":
        st.error(ui.message(f"Skipped: {report.notes[0] if report.notes else 'the file cannot be used.'}"))
        return
    cols = st.columns(5 if report.crimes is not None else 3)
    cols[0].metric("Rows read", f"{report.rows_read:,}")
    cols[1].metric("Rows kept", f"{report.rows_kept:,}")
    cols[2].metric("Rows dropped", f"{report.rows_read - report.rows_kept:,}")
    if report.crimes is not None:
        cols[3].metric("Crimes", f"{report.crimes:,}", help="The sum of each row's count: a "
                       "row of a counts file stands for many crimes, a reversal takes one away.")
        cols[4].metric("Located", f"{report.located:.0%}" if report.located is not None
                       else "-", help="Share of crimes placed on the map, by coordinates or "
                       "by their area's polygon.")
        if report.first:
            st.caption(f"Dates from {report.first} to {report.last}, known to the "
                       f"{report.precision}.")
    for note in report.notes:
        st.caption(ui.message(note))
    if len(report.problems):
        problems = report.problems.assign(examples=report.problems["examples"].map(
            lambda rows: ", ".join(map(str, list(rows)[:5]))))
        st.dataframe(problems, hide_index=True, width="stretch")
        ui.download(problems, f"problems_{report.file}.csv", "Download the problems",
                    key=f"dl_problems_{report.file}")
    else:
        st.success("No problems found.")


def import_options() -> dict:
    """The choices the validation report may ask for, as boxes (the command line's options)."""
    st.markdown("**Import choices** (change them if the report asks you to)")
    left, mid, right = st.columns(3)
    order = left.selectbox("Day/month order of dates like 01/02/2024", list(ui.DATE_ORDERS),
                           key="import_date_order",
                           help="Decided from the data when any day is above 12, from the "
                                "order of the rows, or from Year/Month columns.")
    crs = mid.text_input("Coordinate system of projected X/Y", key="import_crs",
                         placeholder="found automatically, e.g. EPSG:32610",
                         help="Only for coordinates that are not degrees (metres or feet). "
                              "Give area polygons with the file and it is found for you.")
    label = right.text_input("Crime type for a file without one", key="import_label",
                             placeholder="from the file name",
                             help="A file of one kind of offence (e.g. aggravated assaults) "
                                  "has no crime-type column: its rows get this label.")
    return {"date_order": ui.DATE_ORDERS[order], "crs": crs.strip() or None,
            "label": label.strip() or None}


def import_section() -> None:
    """Upload, map, validate, store."""
    st.subheader("Import files")
    if not ui.can("upload"):
        st.info("Only analysts can import data. Ask an analyst, or sign in as one.")
        return
    st.caption("Incidents or counts (CSV with any delimiter or encoding, Excel, Parquet), victims "
               "and accused, beat or area polygons (GeoJSON or zipped shapefile) and patrol "
               "logs, up to 500 MB each (MB = 1,000,000 bytes). Give several files, or a zip (a "
               "police.uk download), to make one dataset. Row numbers in reports count the "
               "header as row 1. Uploaded files are deleted from the server once imported.")
    uploads = st.file_uploader("Files", type=UPLOAD_TYPES, accept_multiple_files=True,
                               key="uploads")
    saved = ui.save_uploads(uploads)  # also deletes files removed from the uploader
    if not saved:
        if uploads:
            st.caption("Those files are imported. Add others to import more.")
        return
    try:
        paths = ui.expand_uploads(saved)
    except CrimekitError as exc:
        st.error(ui.message(exc))
        return
    fmt = st.selectbox("Format", ui.available_formats(), key="import_format",
                       help="'auto' recognises the layout; pick one to force it.")
    options = import_options()
    overrides, usable, sheet = {}, [], None
    for index, path in enumerate(paths):
        if path.suffix.lower() in (".xlsx", ".xlsm") and len(ui.excel_sheets(path)) > 1:
            sheets = ui.excel_sheets(path)
            picked = st.selectbox(f"Sheet of {path.name}", ["(the one that looks like data)"]
                                  + sheets, key=f"sheet_{index}")
            sheet = None if picked.startswith("(") else picked
        kind, preset, mapping, sample, error = ui.file_preview(str(path), fmt, sheet)
        st.markdown(f"**{ui.md(path.name)}**: " + (f"{kind} ({preset} format)" if not error
                                                   else "cannot be read"))
        if error:
            st.error(ui.message(error))
            continue
        usable.append(path)
        overrides.update(mapping_editor(index, path, kind, mapping, sample))
    if not usable:
        return
    default_name = Path(usable[0].name).stem.replace(" ", "_")
    name = st.text_input("Dataset name", value=default_name, key="import_name")
    replace = st.checkbox("Replace a dataset of the same name", key="import_replace")
    if st.button("Import", type="primary", key="import_button"):
        imported = run_import(usable, name, replace, fmt, overrides, dict(options, sheet=sheet))
        ui.discard_uploads(saved, imported=imported)


def run_import(paths, name, replace, fmt, overrides, options) -> bool:
    """Validate and store; show every file's report, or one plain sentence if unusable.
    Returns whether the files were imported."""
    with st.status("Importing...", expanded=True) as status:
        try:
            name, dataset, reports = ui.import_into_store(
                paths, ui.store(), name=name or None, replace=replace, format=fmt,
                mapping=overrides or None, **options)
        except CrimekitError as exc:
            status.update(label="Nothing was imported", state="error")
            st.error(ui.message(exc))
            return False
        status.update(label=ui.message(ui.import_summary(name, dataset)), state="complete")
    for report in reports:
        st.markdown(f"**{ui.md(report.file)}**: {report.kind}"
                    + (f" ({ui.md(report.preset)} format)" if report.preset else ""))
        show_report(report)
    st.success(ui.message(f"{ui.import_summary(name, dataset)} Choose it in the sidebar's Dataset "
                          "list."))
    return True


def datasets_section() -> None:
    """The store's datasets, with delete for analysts."""
    st.subheader("Stored datasets")
    try:
        listing = ui.store().list()
    except CrimekitError as exc:
        st.error(ui.message(exc))
        return
    if listing.empty:
        st.info("No datasets are stored yet. The demo city is always available.")
        return
    st.dataframe(listing, hide_index=True, width="stretch")
    if not ui.can("delete"):
        return
    left, right = st.columns([3, 1])
    doomed = left.selectbox("Delete a dataset", listing["name"], index=None, key="delete_name",
                            placeholder="Choose a dataset to delete")
    sure = right.checkbox("Yes, delete it", key="delete_confirm", disabled=doomed is None)
    if doomed and sure and st.button("Delete", key="delete_button"):
        try:
            ui.store().delete(doomed)
        except CrimekitError as exc:
            st.error(ui.message(exc))
            return
        st.success(ui.message(f"Deleted dataset {doomed!r}."))


def current_section() -> None:
    """What the chosen dataset holds and what its import reported."""
    ds = ui.dataset()
    st.subheader(f"Current dataset: {ui.md(st.session_state.get('dataset', ui.DEMO))}")
    facts = ui.incident_facts(ds.incidents, ds.beats)
    unit = ds.meta.get("area_unit", "beat")
    cols = st.columns(5)
    cols[0].metric("Incidents", f"{len(ds.incidents):,}")
    cols[1].metric("Crimes", f"{facts['crimes']:,}",
                   help="The sum of each row's count (equal to the incidents when each row "
                        "is one crime).")
    cols[2].metric("Persons", f"{len(ds.persons):,}")
    cols[3].metric(f"{unit.capitalize()} areas" if unit != "beat" else "Beats",
                   "none" if ds.beats is None else f"{len(ds.beats):,}")
    cols[4].metric("Located", f"{facts['located']:.0%}")
    if facts["first"]:
        st.caption(f"Dates from **{facts['first']}** to **{facts['last']}**, known to the "
                   f"**{facts['precision']}**.")
    for summary in ds.meta.get("reports", []):
        label = (f"Skipped: {ui.md(summary['file'])}" if summary.get("kind") == "skipped" else
                 f"Validation report: {ui.md(summary['file'])} ({summary['rows_kept']:,} of "
                 f"{summary['rows_read']:,} rows kept)")
        with st.expander(label):
            for note in summary.get("notes", []):
                st.caption(ui.message(note))
            problems = pd.DataFrame(summary.get("problems", []))
            st.dataframe(problems if len(problems) else pd.DataFrame({"problems": ["none"]}),
                         hide_index=True, width="stretch")
    if ds.meta.get("source"):
        st.caption(ui.message(f"Source: {ds.meta['source']}"))


st.title("Data")
current_section()
import_section()
datasets_section()
