"""The Map page's cached counts: crimes per grid cell and per beat of the filtered view, and the
study area's outline. Each takes the small view key, never a frame, and calls crimekit.spatial."""

from __future__ import annotations

import streamlit as st

from crimekit.spatial import count_by_beat, count_by_cell, study_area
from ui.data import grid, load_dataset, view_of


@st.cache_data(show_spinner="Counting incidents per cell...", max_entries=16)
def cell_counts(key, cell_size):
    """Incidents of the filtered view per grid cell (cells of the whole dataset's area)."""
    return count_by_cell(view_of(key).incidents, grid(key.source, cell_size))


@st.cache_data(show_spinner=False, max_entries=16)
def beat_counts(key):
    """Incidents of the filtered view per beat (None when the dataset has no beat polygons)."""
    view = view_of(key)
    return None if view.beats is None else count_by_beat(view.incidents, view.beats)


@st.cache_data(show_spinner=False, max_entries=4)
def outline(source):
    """The study area's outline in WGS84 (``source``: the view key's dataset and version),
    always drawn so the map reads offline: the beats' union, else the data's 500 m cells."""
    ds = load_dataset(*source)
    area = study_area(ds.incidents["lat"], ds.incidents["lon"], ds.beats, crs="EPSG:4326") \
        if ds.beats is not None else None
    return grid(source, 500.0).cells.union_all() if area is None else area
