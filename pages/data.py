"""Data: upload files, review the column mapping, read the validation report, manage datasets."""

from pathlib import Path

import pandas as pd
import streamlit as st

import ui
from crimekit.errors import CrimekitError
from crimekit.ingest import (FIELDS, available_formats, detect_kind, import_into_store,
                             import_summary, propose_mapping, read_raw)
from crimekit.ingest.presets import PRESETS

ui.check_access()  # before anything else: a page opened by its own URL checks sign-in too

UPLOAD_TYPES = ["csv", "txt", "tsv", "xlsx", "parquet", "geojson", "json", "zip"]


@st.cache_data(show_spinner="Reading the file...", max_entries=32)
def proposal(path: str, fmt: str):
    """What the file looks like and how its columns would be mapped, or the reason it cannot
    be read: (kind, preset, mapping, sample rows, error)."""
    try:
        raw = read_raw(path)
    except CrimekitError as exc:
        return None, None, {}, None, str(exc)
    preset, mapping = propose_mapping(raw.df, "auto" if raw.is_geo else fmt)
    kind = "beats" if raw.is_geo else (PRESETS[preset].kind if preset in PRESETS
                                       else detect_kind(raw.df.columns))
    sample = raw.df.drop(columns="geometry", errors="ignore").head(3)
    return kind, preset, mapping, sample, None


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
            "maps to", options=["", "ignore", *FIELDS.get(kind, ())],
            help="The canonical field this column fills; empty keeps it as an extra column.")})
    return {src: new for src, new, old in zip(edited["source column"], edited["maps to"],
                                              table["maps to"]) if new != old and new}


def show_report(report) -> None:
    """One file's validation report: counts, problems with examples and advice, a download."""
    a, b, c = st.columns(3)
    a.metric("Rows read", f"{report.rows_read:,}")
    b.metric("Rows kept", f"{report.rows_kept:,}")
    c.metric("Rows dropped", f"{report.rows_read - report.rows_kept:,}")
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


def import_section() -> None:
    """Upload, map, validate, store."""
    st.subheader("Import files")
    if not ui.can("upload"):
        st.info("Only analysts can import data. Ask an analyst, or sign in as one.")
        return
    st.caption("Incidents (CSV with any delimiter or encoding, Excel, Parquet), victims and "
               "accused, beat polygons (GeoJSON or zipped shapefile) and patrol logs, up to "
               "500 MB each (MB = 1,000,000 bytes). Give them together to make one dataset. "
               "Row numbers in reports count the header as row 1. Uploaded files are deleted "
               "from the server once imported.")
    uploads = st.file_uploader("Files", type=UPLOAD_TYPES, accept_multiple_files=True,
                               key="uploads")
    paths = ui.save_uploads(uploads)  # also deletes files removed from the uploader
    if not paths:
        if uploads:
            st.caption("Those files are imported. Add others to import more.")
        return
    fmt = st.selectbox("Format", available_formats(), key="import_format",
                       help="'auto' recognises the layout; pick one to force it.")
    overrides = {}
    usable = []
    for index, path in enumerate(paths):
        kind, preset, mapping, sample, error = proposal(str(path), fmt)
        with st.expander(ui.md(f"{path.name}: ") + (f"{kind} ({preset} format)" if not error
                                                    else "cannot be read"), expanded=bool(error)):
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
        imported = run_import(usable, name, replace, fmt, overrides)
        ui.discard_uploads(paths, imported=imported)


def run_import(paths, name, replace, fmt, overrides) -> bool:
    """Validate and store; show every file's report, or one plain sentence if unusable.
    Returns whether the files were imported."""
    with st.status("Importing...", expanded=True) as status:
        try:
            name, dataset, reports = import_into_store(
                paths, ui.store(), name=name or None, replace=replace, format=fmt,
                mapping=overrides or None)
        except CrimekitError as exc:
            status.update(label="Nothing was imported", state="error")
            st.error(ui.message(exc))
            return False
        status.update(label=ui.message(import_summary(name, dataset)), state="complete")
    for report in reports:
        st.markdown(f"**{ui.md(report.file)}**: {report.kind} ({ui.md(report.preset)} format)")
        show_report(report)
    st.success(ui.message(f"{import_summary(name, dataset)} Choose it in the sidebar's Dataset "
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
    first, last = ds.date_range
    cols = st.columns(5)
    cols[0].metric("Incidents", f"{len(ds.incidents):,}")
    cols[1].metric("Persons", f"{len(ds.persons):,}")
    cols[2].metric("Beats", "none" if ds.beats is None else f"{len(ds.beats):,}")
    cols[3].metric("From", "-" if first is None else f"{first:%d %b %Y}")
    cols[4].metric("To", "-" if last is None else f"{last:%d %b %Y}")
    for summary in ds.meta.get("reports", []):
        with st.expander(f"Validation report: {ui.md(summary['file'])} "
                         f"({summary['rows_kept']:,} of {summary['rows_read']:,} rows kept)"):
            problems = pd.DataFrame(summary.get("problems", []))
            st.dataframe(problems if len(problems) else pd.DataFrame({"problems": ["none"]}),
                         hide_index=True, width="stretch")
    if ds.meta.get("source"):
        st.caption(ui.message(f"Source: {ds.meta['source']}"))


st.title("Data")
current_section()
import_section()
datasets_section()
