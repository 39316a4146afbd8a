"""The Data page's calls: preview an upload, expand archives, import into the store."""

from __future__ import annotations

import streamlit as st

from crimekit.errors import CrimekitError
from crimekit.ingest import (FIELDS, ORDERS, available_formats, import_into_store,  # noqa: F401
                             import_summary, incident_facts, preview)
from crimekit.ingest.inputs import expand_inputs
from crimekit.ingest.readers import excel_sheets  # noqa: F401

#: The day/month order choice, in the page's words -> crimekit's date_order.
DATE_ORDERS = {"Decide from the data": "auto", "Day first (31/12/2024)": "dayfirst",
               "Month first (12/31/2024)": "monthfirst"}


@st.cache_data(show_spinner="Reading the file...", max_entries=32)
def file_preview(path: str, fmt: str, sheet=None):
    """(kind, format, proposed mapping, sample rows, None), or (None, None, {}, None, why)
    when the file cannot be read."""
    try:
        seen = preview(path, format=fmt, sheet=sheet)
    except CrimekitError as exc:
        return None, None, {}, None, str(exc)
    return seen.kind, seen.preset, seen.mapping, seen.sample, None


def expand_uploads(saved: list) -> list:
    """The uploaded files, with zip archives of tables expanded beside them."""
    return expand_inputs(saved, saved[0].parent / "expanded") if saved else []
