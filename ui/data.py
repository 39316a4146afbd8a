"""Data for the pages: the demo city, the store, the chosen dataset and its filtered view
(cached, shared by sessions), the grid over it, and where its consistent recording starts."""

from __future__ import annotations

import os

import streamlit as st


from crimekit.errors import CrimekitError
from crimekit.recording import recording_start
from crimekit.schema import Dataset, crime_count, data_precision  # noqa: F401 (counts handed on)
from crimekit.filters import Filters, ViewFilter, apply_filters
from crimekit.spatial import grid_for
from crimekit.synth import CITY_NAME, generate_city
from ui.widgets import message

DEMO = CITY_NAME
DEMO_SEED = 7




# --- cached data -------------------------------------------------------------------------------

# Datasets are cached as shared resources, not copied per call: crimekit never mutates its
# inputs, and copying a million-row table on every rerun would make every click slow.

@st.cache_resource(show_spinner="Generating the demo city (first time only)...", max_entries=2)
def demo_city(seed: int = DEMO_SEED):
    """The synthetic city (dataset and truth), generated once per server."""
    return generate_city(seed)


@st.cache_resource
def _store(root: str):
    from crimekit.store import Store
    return Store(root or None)


def store():
    """The local dataset store (a connection-like resource, shared by sessions), at
    $CRIMEKIT_STORE or data/store."""
    return _store(os.environ.get("CRIMEKIT_STORE", ""))


def stored_names() -> list:
    """Names of the datasets in the store, newest first; empty if the store cannot be read."""
    try:
        listing = store().list()
    except Exception as exc:  # noqa: BLE001 - a damaged store must not stop the demo
        st.sidebar.warning(message(f"The dataset store cannot be read: {exc}"))
        return []
    return list(listing["name"]) if len(listing) else []


def store_version(name: str) -> str:
    """Changes whenever dataset ``name`` is re-imported, so caches keyed on it refresh."""
    listing = store().list()
    row = listing[listing["name"] == name]
    return str(row["created"].iloc[0]) if len(row) and "created" in row else ""


@st.cache_resource(show_spinner="Loading the dataset...", max_entries=4)
def load_dataset(name: str, version: str):
    if name == DEMO:
        return demo_city().dataset
    return store().load(name)


def dataset(name: str | None = None):
    """The whole dataset chosen in the sidebar (or named), unfiltered. A damaged or vanished
    dataset stops the page with a message saying how to recover."""
    name = name or st.session_state.get("dataset", DEMO)
    try:
        return load_dataset(name, "" if name == DEMO else store_version(name))
    except CrimekitError as exc:
        st.error(message(f"{exc} Meanwhile, choose the demo city or another dataset in the "
                         "sidebar."))
        st.stop()


@st.cache_resource(show_spinner=False, max_entries=16)
def _view(name: str, version: str, start, end, categories: tuple, districts: tuple):
    return apply_filters(load_dataset(name, version),
                         Filters(start=start, end=end, categories=categories,
                                 districts=districts))


@st.cache_data(show_spinner=False, max_entries=8)
def _recording(name: str, version: str):
    return recording_start(load_dataset(name, version).incidents)


def recording(name: str):
    """Where the dataset's consistent recording starts (cached per dataset version)."""
    return _recording(name, "" if name == DEMO else store_version(name))


def current_filters() -> Filters:
    """The global filters as set in the sidebar."""
    s = st.session_state
    dates = s.get("dates") or (None, None)
    start, end = (dates[0], dates[1]) if len(dates) == 2 else (dates[0], None)
    return Filters(start=start, end=end, categories=tuple(s.get("categories") or ()),
                   districts=tuple(s.get("districts") or ()))


def view_key() -> ViewFilter:
    """The current view (see :class:`crimekit.filters.ViewFilter`): cached page functions take
    this instead of the (large) data, and call :func:`view_of` to get the data back."""
    name = st.session_state.get("dataset", DEMO)
    f = current_filters()
    return ViewFilter(name, "" if name == DEMO else store_version(name), f.start, f.end,
                      f.categories, f.districts)


def view_of(key) -> "Dataset":
    """The filtered dataset for a view (cached)."""
    return _view(*ViewFilter(*key))


def current_view():
    """The chosen dataset with the sidebar's filters applied (cached)."""
    return view_of(view_key())


@st.cache_resource(show_spinner=False, max_entries=8)
def grid(source: tuple, cell_size: float):
    """Grid cells over the whole dataset's area (not the filtered view, so cells stay put);
    ``source`` is a view's ``.source`` (dataset, version)."""
    ds = load_dataset(*source)
    return grid_for(ds.incidents, cell_size=cell_size, beats=ds.beats)

def all_heads_key(key) -> ViewFilter:
    """The view with the same dataset, dates and districts but every crime head: results keyed
    on it are shared by every choice of crime heads in the sidebar."""
    return ViewFilter(*key).all_heads()
