"""The Profiles page's cached calls (shared with Methods)."""

from __future__ import annotations


import streamlit as st


from crimekit.profiles.people import reoffending
from crimekit.errors import CrimekitError
from ui.data import view_of

@st.cache_data(show_spinner="Backtesting the re-offending model...", max_entries=8)
def reoffending_backtest(key, months, mask):
    """(backtest, current scores, None), or (None, None, why) when it cannot be backtested.

    Same contract as the Profiles page's own cached call, so that page can switch to this one.
    """
    view = view_of(key)
    try:
        bt = reoffending.backtest_reoffending(view, months=months)
    except CrimekitError as exc:
        return None, None, str(exc)
    return bt, reoffending.current_scores(view, bt, mask_names=mask), None
