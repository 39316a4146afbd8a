"""The Overview page's cached calls: this period against the last and last year, and what is
rising, over the span the comparisons may look at. Each takes the small view key, never a
frame, and calls crimekit.overview; the wording of changes is handed on from crimekit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from crimekit import overview
from crimekit.overview import (MIN_PERCENT_BASE, MIN_TEST_TOTAL,  # noqa: F401 (handed on)
                               PRECISION_SENTENCES, change_label, comparison_words, n_tested)
from crimekit.patrol.areas import station_words  # noqa: F401 (handed on)
from crimekit.wording import plural  # noqa: F401 (handed on)
from ui.data import dataset, recording, view_of


@st.cache_data(show_spinner=False, max_entries=16)
def comparison(key, days, by=None, months=None):
    """This period, the previous one and last year's, per ``by`` group (or all); windows
    outside the data or the sidebar's date range are not comparable."""
    return overview.compare_periods(view_of(key).incidents, days=days, by=by, months=months,
                                    covered=comparable_span(key))


@st.cache_data(show_spinner=False, max_entries=16)
def rising(key, by, days, months=None):
    """The groups rising most against the previous period, beyond chance (q-values)."""
    return overview.rising(view_of(key).incidents, by, days=days, months=months,
                           covered=comparable_span(key))


def comparable_span(key):
    """The span the comparisons may look at: from where the data's consistent recording starts
    (or the sidebar's range, if later) to the view's last day; None when nothing is dated."""
    start, stop = overview.covered_span(view_of(key).incidents)
    if start is None:
        return None
    first = recording(key.dataset).start
    first = overview.covered_span(dataset(key.dataset).incidents)[0] if first is None else first
    if key.start is not None:
        first = max(first, pd.Timestamp(key.start).normalize())
    return first, stop


def comparison_windows(key, days, months):
    """The current, previous and last year's windows of the comparison (ending on the view's
    last day): periods of ``months`` months when given, else of ``days`` days."""
    end = view_of(key).incidents["occurred_at"].max()
    return overview.months_ending(end, months) if months else overview.periods_ending(end, days)
