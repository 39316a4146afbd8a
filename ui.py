"""Shared widgets and cached calls for the Streamlit pages.

Pages -> ui -> crimekit: pages stay thin (widgets, layout, charts); this module holds the
sidebar (dataset and global filters), the cached loaders and small shared pieces (downloads,
the limits note). It never reimplements analysis.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from crimekit import access, export
from crimekit.errors import CrimekitError
from crimekit.filters import Filters, apply_filters
from crimekit.spatial import grid_for
from crimekit.synth import CITY_NAME, generate_city

DEMO = CITY_NAME
DEMO_SEED = 7

LIMITS_NOTE = (
    "**Limits.** These figures learn from *recorded* crime, which reflects where police already "
    "look and what people report, not all crime. Patrolling predicted places records more crime "
    "there, which can feed back into the next prediction. Use them to ask questions about places "
    "and times, never to judge individuals.")


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
        st.sidebar.warning(f"The dataset store cannot be read: {exc}")
        return []
    return list(listing["name"]) if len(listing) else []


def _store_version(name: str) -> str:
    """Changes whenever dataset ``name`` is re-imported, so caches keyed on it refresh."""
    listing = store().list()
    row = listing[listing["name"] == name]
    return str(row["created"].iloc[0]) if len(row) and "created" in row else ""


@st.cache_resource(show_spinner="Loading the dataset...", max_entries=4)
def _load(name: str, version: str):
    if name == DEMO:
        return demo_city().dataset
    return store().load(name)


def dataset(name: str | None = None):
    """The whole dataset chosen in the sidebar (or named), unfiltered."""
    name = name or st.session_state.get("dataset", DEMO)
    return _load(name, "" if name == DEMO else _store_version(name))


@st.cache_resource(show_spinner=False, max_entries=16)
def _view(name: str, version: str, start, end, categories: tuple, districts: tuple):
    return apply_filters(_load(name, version),
                         Filters(start=start, end=end, categories=categories,
                                 districts=districts))


def current_filters() -> Filters:
    """The global filters as set in the sidebar."""
    s = st.session_state
    dates = s.get("dates") or (None, None)
    start, end = (dates[0], dates[1]) if len(dates) == 2 else (dates[0], None)
    return Filters(start=start, end=end, categories=tuple(s.get("categories") or ()),
                   districts=tuple(s.get("districts") or ()))


def view_key() -> tuple:
    """A small hashable key for the current filtered view: cached page functions take this
    instead of the (large) data, and call :func:`view_of` to get the data back."""
    name = st.session_state.get("dataset", DEMO)
    f = current_filters()
    return (name, "" if name == DEMO else _store_version(name), f.start, f.end, f.categories,
            f.districts)


def view_of(key: tuple):
    """The filtered dataset for a :func:`view_key` (cached)."""
    return _view(*key)


def current_view():
    """The chosen dataset with the sidebar's filters applied (cached)."""
    return view_of(view_key())


@st.cache_resource(show_spinner=False, max_entries=8)
def grid(dataset_key: tuple, cell_size: float):
    """Grid cells over the whole dataset's area (not the filtered view, so cells stay put)."""
    ds = _load(dataset_key[0], dataset_key[1])
    return grid_for(ds.incidents, cell_size=cell_size, beats=ds.beats)


# --- access ------------------------------------------------------------------------------------

@st.cache_resource
def _sign_in_limiter():
    """One limiter per server, so a new tab or session does not reset failed attempts."""
    return access.SignInLimiter()


def configured_users() -> dict:
    """Users from the secrets file's ``users`` table ({} when none: the app runs open)."""
    try:
        table = st.secrets.get("users")
    except Exception:  # noqa: BLE001 - no secrets file at all
        return {}
    return access.users_from_config(table) if table else {}


def require_sign_in() -> None:
    """Ask for a user name and password when users are configured; stop the page until then."""
    users = configured_users()
    if not users:  # the open demo: everyone may do everything (a preset user is kept)
        st.session_state.setdefault("user", access.OPEN_ACCESS)
        return
    user = st.session_state.get("user")
    if isinstance(user, access.User) and user.name in users:
        st.sidebar.caption(f"Signed in as **{user.name}** ({user.role}).")
        if st.sidebar.button("Sign out", key="sign_out"):
            del st.session_state["user"]
            st.rerun()
        return
    st.title("Sign in")
    with st.form("sign_in"):
        name = st.text_input("User name", key="sign_in_name")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        user, message = access.sign_in(name, password, users, _sign_in_limiter())
        if user is not None:
            st.session_state["user"] = user
            st.rerun()
        st.error(message)
    st.stop()


def current_user():
    """The signed-in user (everyone is an analyst when no users are configured)."""
    return st.session_state.get("user", access.OPEN_ACCESS)


def can(action: str) -> bool:
    """Whether the current user may ``action`` ("upload", "unmask", "delete")."""
    return current_user().can(action)


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
    try:
        ds = dataset()
    except CrimekitError as exc:  # a damaged or vanished dataset: say how to recover
        st.error(f"{exc} Meanwhile, choose the demo city or another dataset in the sidebar.")
        st.stop()
    inc = ds.incidents
    if not len(inc):
        st.sidebar.warning("This dataset has no incidents.")
        return
    first, last = (t.date() for t in ds.date_range)
    _init_state("dates", _dates_from_url(first, last) or (first, last))
    dates = st.session_state["dates"]
    if not (isinstance(dates, (tuple, list)) and all(first <= d <= last for d in dates)):
        st.session_state["dates"] = (first, last)
    st.sidebar.date_input("Date range", key="dates", min_value=first, max_value=last,
                          help="Only incidents that occurred in this range are shown.")
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


# --- small shared pieces ------------------------------------------------------------------------

def log_run_time(page: str, started: float) -> None:
    """Append how long this script run took to $CRIMEKIT_TIMING_LOG (for bench/bench_app.py)."""
    path = os.environ.get("CRIMEKIT_TIMING_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{time.time():.3f}\t{page}\t{time.perf_counter() - started:.3f}\n")


def download(df: pd.DataFrame, filename: str, label: str | None = None, key: str | None = None):
    """A CSV download button for a table (spreadsheet-safe)."""
    st.download_button(label or f"Download {filename}", export.to_csv_bytes(df),
                       file_name=filename, mime="text/csv", key=key or f"dl_{filename}")


def save_uploads(uploads) -> list:
    """Write uploaded files to this session's temp folder (once each), keeping their names so
    reports can name them; returns their paths."""
    folder = Path(st.session_state.setdefault("_upload_dir",
                                              tempfile.mkdtemp(prefix="crimekit-upload-")))
    paths = []
    for upload in uploads:
        path = folder / str(upload.file_id) / Path(upload.name).name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(upload.getbuffer())
        paths.append(path)
    return paths


def limits_note() -> None:
    """The plain note on what predictions from recorded crime can and cannot tell."""
    st.caption(LIMITS_NOTE)


def stop_if_empty(view, what: str = "incidents") -> None:
    """Stop the page with a plain message when the filtered view has nothing to show."""
    if not len(view.incidents):
        st.info(f"No {what} match the current filters. Widen the date range or clear the "
                "crime head and district filters in the sidebar.")
        st.stop()
