"""The Profiles page's cached calls (shared with Methods): each takes the view and a
:class:`~crimekit.profiles.ProfileSettings` and calls crimekit.profiles; nothing is computed
here."""

from __future__ import annotations

import streamlit as st

from crimekit.profiles import ProfileSettings, coverage, profile, read_population  # noqa: F401
from ui.data import grid, view_of

#: What the page says while a section is being computed (only when it takes a while).
WORKING = {"victims": "Profiling the victims...", "accused": "Profiling the accused...",
           "reoffending": "Backtesting the re-offending model...",
           "links": "Linking crime heads...", "clusters": "Grouping places..."}


@st.cache_data(show_spinner=False, max_entries=16)
def profile_coverage(key):
    """What person data the view has (victims, accused, fields, ids, homes, count columns)."""
    return coverage(view_of(key))


def profile_grid(key, settings: ProfileSettings):
    """The grid cells of ``settings.cell_size`` over the whole dataset when the places are grid
    cells (the same cells whatever the filters), else None."""
    return grid(key.source, float(settings.cell_size)) if settings.unit == "cell" else None


@st.cache_data(show_spinner=False, max_entries=16)
def cached_profile(key, settings: ProfileSettings, population=None):
    """:func:`crimekit.profiles.profile` of the view, cached on (view, settings, population)."""
    return profile(view_of(key), settings, population=population,
                   grid=profile_grid(key, settings))


def profile_section(key, settings: ProfileSettings, population=None):
    """The :class:`~crimekit.profiles.ProfileResult` of ``settings.section`` for the view,
    with a progress note while it is computed."""
    with st.spinner(WORKING.get(settings.section, "Profiling...")):
        return cached_profile(key, settings, population)


def reoffending_backtest(key, months, mask):
    """(backtest, current scores, None), or (None, None, why) when it cannot be backtested:
    the re-offending section of :func:`profile_section`, for the Methods page."""
    result = profile_section(key, ProfileSettings(section="reoffending", months=months,
                                                  mask_names=mask)).reoffending
    if result is None:
        return None, None, "accused rows carry no person ids"
    return result.backtest, result.scores, result.error or None
