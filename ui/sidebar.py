"""The sidebar: dataset choice and the global filters, mirrored into the URL."""

from __future__ import annotations

import datetime as dt

import streamlit as st


from ui.access import configured_users
from ui.data import DEMO, dataset, recording, stored_names

# --- sidebar -----------------------------------------------------------------------------------

def _from_url(key, default):
    """Initial widget value from the URL's query parameters (shared links), else ``default``."""
    raw = st.query_params.get_all(key)
    if not raw:
        return default
    return raw


def sidebar() -> None:
    """Dataset choice and global filters; their values are mirrored into the URL."""
    names = [DEMO] + stored_names()
    if "dataset" not in st.session_state:
        wanted = st.query_params.get("dataset", DEMO)
        st.session_state["dataset"] = wanted if wanted in names else DEMO
    elif st.session_state["dataset"] not in names:
        st.session_state["dataset"] = DEMO
    if not configured_users():
        st.sidebar.caption("Open demo: no users are configured, so anyone can upload and "
                           "unmask names. See the README to require sign-in.")
    st.sidebar.selectbox("Dataset", names, key="dataset",
                         help="The demo city is synthetic. Import your own files on the Data page.")
    ds = dataset()  # a damaged or vanished dataset stops here, saying how to recover
    inc = ds.incidents
    if not len(inc):
        st.sidebar.warning("This dataset has no incidents.")
        return
    first, last = (t.date() for t in ds.date_range)
    rec = recording(st.session_state["dataset"])
    start = rec.start.date() if rec.start is not None and rec.before > 0 else first
    _init_state("dates", _dates_from_url(first, last) or (max(first, start), last))
    dates = st.session_state["dates"]
    if not (isinstance(dates, (tuple, list)) and all(first <= d <= last for d in dates)):
        st.session_state["dates"] = (first, last)
    st.sidebar.date_input("Date range", key="dates", min_value=first, max_value=last,
                          help="Only incidents that occurred in this range are shown.")
    if start > first:
        st.sidebar.caption(f"The range starts where consistent recording starts "
                           f"({start:%d %b %Y}): {rec.before:,.0f} earlier crimes "
                           f"({rec.share_before:.1%}, back to {first:%Y}) are stragglers. "
                           "Widen the range to include them.")
    heads = sorted(inc["category"].unique())
    _init_state("categories", [c for c in _from_url("category", []) if c in heads])
    st.session_state["categories"] = [c for c in st.session_state["categories"] if c in heads]
    st.sidebar.multiselect("Crime heads", heads, key="categories", placeholder="All crime heads")
    districts = sorted(d for d in inc["district"].unique() if d)
    if districts:
        _init_state("districts", [d for d in _from_url("district", []) if d in districts])
        st.session_state["districts"] = [d for d in st.session_state["districts"]
                                         if d in districts]
        st.sidebar.multiselect("Districts", districts, key="districts",
                               placeholder="All districts")
    _mirror_to_url()


def _init_state(key, value):
    if key not in st.session_state:
        st.session_state[key] = value


def _dates_from_url(first, last):
    try:
        start = dt.date.fromisoformat(st.query_params["start"])
        end = dt.date.fromisoformat(st.query_params["end"])
    except (KeyError, ValueError):
        return None
    return (max(first, start), min(last, end)) if start <= end else None


def _mirror_to_url():
    s = st.session_state
    params = {"dataset": s.get("dataset", DEMO)}
    dates = s.get("dates") or ()
    if len(dates) == 2:
        params["start"], params["end"] = dates[0].isoformat(), dates[1].isoformat()
    if s.get("categories"):
        params["category"] = list(s["categories"])
    if s.get("districts"):
        params["district"] = list(s["districts"])
    keep_page = {k: v for k, v in st.query_params.to_dict().items() if k.startswith("p_")}
    st.query_params.from_dict({**keep_page, **params})
