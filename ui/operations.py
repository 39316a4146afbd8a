"""The "Did it work?" page's cached calls: what can be checked, the check, the places' names.

The check uses the sidebar's crime heads with every date and district (:func:`check_key`): it
needs the history before the operation and places elsewhere to compare with.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from crimekit.operations import OperationSettings, check_operation, operation_choices
from crimekit.place_names import name_beats, name_cells
from ui.data import grid, view_of
from ui.patrol import dataset_key


def check_key(key):
    """The view key an operation check reads: the same dataset and crime heads, every date and
    district."""
    if dataclasses.is_dataclass(key):
        return dataclasses.replace(key, start=None, end=None, districts=())
    name, version, _start, _end, heads, _districts = key  # the 6-tuple of ui.data.view_key
    return (name, version, None, None, heads, ())


@st.cache_data(show_spinner=False, max_entries=16)
def check_choices(key):
    """What the data lets the check choose from (crimekit.operations.OperationChoices)."""
    return operation_choices(view_of(check_key(key)))


@st.cache_data(show_spinner="Checking the operation (a forecast and two comparisons)...",
               max_entries=16)
def operation_check(key, settings: OperationSettings):
    """The check of this operation (crimekit.operations.OperationCheck)."""
    cells = grid(dataset_key(key), settings.cell_size) if settings.unit == "cell" else None
    return check_operation(view_of(check_key(key)), settings, grid=cells)


@st.cache_data(show_spinner=False, max_entries=16)
def operation_place_names(key, settings: OperationSettings, places: tuple) -> pd.DataFrame:
    """The operation's (or comparison) places named as places, with what happened there
    lately."""
    view = view_of(check_key(key))
    unit = view.meta.get("area_unit", "beat")
    if settings.unit == "beat":
        named = name_beats(view.incidents, pd.DataFrame({"beat": list(places)}), pois=view.pois,
                           area_unit=unit)
        return named[["name", "reason"]].rename(columns={"name": "Beat", "reason": "Lately"})
    named = name_cells(view.incidents, grid(dataset_key(key), settings.cell_size),
                       pd.DataFrame({"cell_id": list(places)}), pois=view.pois,
                       beats=view.beats, area_unit=unit)
    return named[["name", "reason"]].rename(columns={"name": "Place", "reason": "Lately"})
