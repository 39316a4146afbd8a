"""Shared widgets and cached calls for the Streamlit pages.

Pages -> ui -> crimekit: pages stay thin (widgets, layout, charts); this module holds the
sidebar (dataset and global filters), the cached loaders and small shared pieces (downloads,
the limits note). It never reimplements analysis.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from scipy import stats

from crimekit import access, export, patrol, reoffending
from crimekit import forecast as F
from crimekit import temporal as T
from crimekit.alerts import alerts
from crimekit.area_ranking import rank_areas
from crimekit.errors import CrimekitError
from crimekit.evaluate import backtest, versus_best_baseline
from crimekit.features import count_cube
from crimekit.periods import weeks_to_periods
from crimekit.recording import recording_start
from crimekit.filters import Filters, apply_filters
from crimekit.hotspots import LEARNED, MODELS, cell_beats, crime_type_backtest, make_model
from crimekit.patrol_areas import build_patrol_areas
from crimekit.planning import HeadWeights, current_of, plan_inputs, plan_risk
from crimekit.schema import SHIFTS, freq_for
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
        st.sidebar.warning(message(f"The dataset store cannot be read: {exc}"))
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
    """The whole dataset chosen in the sidebar (or named), unfiltered. A damaged or vanished
    dataset stops the page with a message saying how to recover."""
    name = name or st.session_state.get("dataset", DEMO)
    try:
        return _load(name, "" if name == DEMO else _store_version(name))
    except CrimekitError as exc:
        st.error(message(f"{exc} Meanwhile, choose the demo city or another dataset in the "
                         "sidebar."))
        st.stop()


@st.cache_resource(show_spinner=False, max_entries=16)
def _view(name: str, version: str, start, end, categories: tuple, districts: tuple):
    return apply_filters(_load(name, version),
                         Filters(start=start, end=end, categories=categories,
                                 districts=districts))


@st.cache_data(show_spinner=False, max_entries=8)
def _recording(name: str, version: str):
    return recording_start(_load(name, version).incidents)


def recording(name: str):
    """Where the dataset's consistent recording starts (cached per dataset version)."""
    return _recording(name, "" if name == DEMO else _store_version(name))


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


# --- shared analyses ----------------------------------------------------------------------------
# The pages' cached calls, kept here so the Overview and Methods pages hit the very same caches as
# the pages they link to (a result computed on one page is instant on the others). Each takes the
# small view key, never a frame.

#: The Hotspots page's default settings (cell size in metres, period, crime heads, backtest
#: weeks); the Overview and Methods pages use them so their calls are the page's first calls.
HOTSPOT_DEFAULTS = {"cell_size": 250, "freq": "W", "heads": (), "weeks": 13}
#: Hotspot models that fit in about a second or less: the baselines and the learned count
#: model (everything but XGBoost), so the page can choose among them by backtest at once.
FAST_MODELS = tuple(m for m in MODELS if m != "xgboost")
#: The Trends page's defaults for the forecast and alerts (freq, horizon, the dataset's own
#: holidays, no country, recent weeks, significance).
FORECAST_DEFAULTS = {"freq": "W", "horizon": 8, "city_list": True, "country": None}
ALERT_DEFAULTS = {"recent": 4, "alpha": 0.01}


@st.cache_data(show_spinner="Counting incidents per cell and period...", max_entries=8)
def hotspot_cube(key, cell_size, freq, heads):
    """Incidents per grid cell and period (the hotspot models' input)."""
    view = view_of(key)
    return count_cube(view.incidents, grid(key[:2], float(cell_size)), freq=freq,
                      categories=heads, pois=view.pois)


@st.cache_resource(show_spinner="Fitting the model on all history...", max_entries=8)
def hotspot_model(key, cell_size, freq, heads, model):
    """A hotspot model fitted on every period of the view."""
    return make_model(model).fit(hotspot_cube(key, cell_size, freq, heads))


@st.cache_data(show_spinner=False, max_entries=8)
def hotspot_risk(key, cell_size, freq, heads, model):
    """Risk per cell for the period after the data, with beat and an 80% count range."""
    cube = hotspot_cube(key, cell_size, freq, heads)
    pred = hotspot_model(key, cell_size, freq, heads, model).predict(cube, [cube.n_periods])
    beats = cell_beats(cube.grid, view_of(key))
    pred["beat"] = pred["cell_id"].map(beats).astype(object).fillna("")
    pred["expected_low"] = stats.poisson.ppf(0.1, pred["expected"])
    pred["expected_high"] = stats.poisson.ppf(0.9, pred["expected"])
    return pred.sort_values("score", ascending=False, ignore_index=True)


#: A period length in words.
FREQ_WORD = {"D": "day", "S": "shift", "W": "week", "2W": "fortnight", "M": "month"}


@st.cache_data(show_spinner="Ranking the areas...", max_entries=8)
def area_ranking(key):
    """Areas ranked for next period, for data placed by area only (see crimekit.area_ranking)."""
    view = view_of(key)
    return rank_areas(view.incidents, view.beats, freq="W")


def all_heads_key(key: tuple) -> tuple:
    """The view key with the same dataset, dates and districts but every crime head: results
    keyed on it are shared by every choice of crime heads in the sidebar."""
    return key[:4] + ((), key[5])


def joined_backtests(first, second):
    """One backtest with the models of both (backtests of the same view and periods)."""
    extra = [m for m in second.summary["model"].unique()
             if m not in set(first.summary["model"])]
    if not extra:
        return first

    def pick(df):
        return df[df["model"].isin(extra)] if len(df) else df
    return type(first)(pd.concat([first.summary, pick(second.summary)], ignore_index=True),
                       pd.concat([first.per_period, pick(second.per_period)], ignore_index=True),
                       pd.concat([first.reliability, pick(second.reliability)],
                                 ignore_index=True), first.periods)


def hotspot_verdict(bt, coverage) -> dict | None:
    """The best learned model in ``bt`` against its best baseline at ``coverage`` (hit rates,
    paired over the backtest's periods): the row of crimekit.evaluate.versus_best_baseline
    plus ``beats`` (the learned model captured more on average) and ``clear`` (by more than
    twice the standard error). None when ``bt`` lacks a learned model or a baseline."""
    vs = versus_best_baseline(bt, (coverage,), measure="hit_rate").dropna(
        subset=["difference"])
    if not len(vs):
        return None
    best = vs.loc[vs["difference"].idxmax()].to_dict()
    se = best["se"] if best["se"] == best["se"] else 0.0  # NaN with a single period
    return {**best, "beats": best["difference"] > 0,
            "clear": best["difference"] > 2 * se and se > 0}


def best_fast_model(key, cell_size, freq, heads, weeks, coverage=0.01):
    """(model name, the fast models' backtest it was chosen on, whether that backtest is of
    every crime head rather than this view). The fast models (the learned count model and the
    baselines) are compared on the view with every crime head (same dates and districts),
    computed once and shared by every crime-head filter; a crime-head filter then only
    backtests the chosen model. The best baseline is chosen unless a learned model captured
    more crimes than it (a tie goes to the simpler method)."""
    base = all_heads_key(key)
    bt = hotspot_backtest(base, cell_size, freq, heads, weeks, FAST_MODELS)
    hits = bt.at(coverage)
    learned = hits.reindex([m for m in LEARNED if m in hits.index]).dropna()
    baselines = hits.drop(index=learned.index)
    choice = baselines.idxmax()
    if len(learned) and learned.max() > baselines.max():
        choice = learned.idxmax()
    return choice, bt, base != key


@st.cache_data(show_spinner=False, max_entries=16)
def hotspot_backtest(key, cell_size, freq, heads, weeks, models=None):
    """Rolling backtest of the hotspot models over the last ``weeks`` (refit every 13 weeks).

    ``models=None`` runs every model plus, on the demo city, the generator's truth as a ceiling
    (what the Hotspots page shows); a tuple of names runs only those (e.g. FAST_MODELS).
    """
    cube = hotspot_cube(key, cell_size, freq, heads)
    n = min(weeks_to_periods(weeks, freq), cube.n_periods // 3)
    extra = _truth_scores(key, cube, n, heads) if models is None else {}
    return backtest(cube, {name: make_model(name) for name in (models or MODELS)}, n_periods=n,
                    retrain_every_weeks=13, extra_scores=extra)


def _truth_scores(key, cube, n, heads) -> dict:
    """On the unfiltered-by-district demo city, the generator's expected counts as a ceiling."""
    if key[0] != DEMO or key[5] or cube.freq == "S":
        return {}
    truth = demo_city().truth
    fine = truth.fine_cells
    exp = truth.expected_counts(cube.grid.cell_of(fine["lat"], fine["lon"]), freq=cube.freq,
                                categories=list(heads) or None)
    exp = exp[exp["unit"] >= 0].pivot(index="period_start", columns="unit", values="expected")
    t = cube.periods[-n:]
    if not set(t) <= set(exp.index):
        return {}
    return {"truth (demo ceiling)": exp.reindex(index=t, columns=cube.cell_ids).fillna(0)
            .to_numpy()}


@st.cache_data(show_spinner="Backtesting the crime-type model...", max_entries=4)
def crime_type_accuracy(key, place, cell_size):
    """The crime-type model against each place's historical mix over the last 26 weeks."""
    view = view_of(key)
    return crime_type_backtest(view.incidents, grid(key[:2], float(cell_size)), place=place)


def series_incidents(key, by=None, series=None):
    """The view's incidents, or one series of them (``by`` == ``series``)."""
    inc = view_of(key).incidents
    return inc if by is None or series in (None, T.ALL) else inc[inc[by] == series]


def holidays_of(key, city_list: bool, country):
    """The holidays the forecasts use: the dataset's own list and/or a country's."""
    parts = []
    ds = dataset(key[0])
    if city_list and len(ds.holidays):
        parts.append(ds.holidays)
    if country:
        first, last = ds.date_range
        parts.append(F.country_holidays(country, range(first.year, last.year + 3)))
    return pd.concat(parts, ignore_index=True) if parts else None


@st.cache_data(show_spinner=False, max_entries=16)
def trend_table(key, by):
    """Change per year of each series (Poisson regression on weekly counts, 95% interval)."""
    inc = series_incidents(key)
    freq = freq_for(inc, "W")[0]  # month-dated data: a trend over months
    counts = T.counts_over_time(inc, freq, by)
    return T.trend_summary(counts, freq)


#: Origins of the quick forecast backtest shown by default (the full one has 13 in a year).
QUICK_ORIGINS = 4


@st.cache_data(show_spinner="Backtesting the forecast...", max_entries=32)
def forecast_backtest(key, by, series, freq, horizon, city_list, country, origins=None):
    """Backtest metrics of one series (None when it is too short to backtest); ``origins``
    keeps only the latest origins (a quicker backtest), None every origin in the last year."""
    table = F.series_table(series_incidents(key, by, series), freq)
    try:
        points = F.backtest(table, F.ForecastSettings(freq=freq, horizon=horizon),
                            holidays=holidays_of(key, city_list, country), origins=origins)
    except CrimekitError:
        return None
    return F.metrics(points).iloc[0]


@st.cache_data(show_spinner=False, max_entries=16)
def _alerts_for(key, by, recent, alpha, city_list, country, _progress=None):
    inc = series_incidents(key)
    freq, _ = freq_for(inc, "W")  # month-dated data: recent months, not weeks
    table = alerts(inc, by=by, freq=freq, recent=recent, alpha=alpha,
                   holidays=holidays_of(key, city_list, country), n_jobs=None,
                   progress=_progress)
    _computed().add(("alerts", key, by, recent, alpha, city_list, country))
    return table


@st.cache_resource
def _computed() -> set:
    """Which shareable results this server has already computed (so a filter only reuses a
    wider result when that costs nothing)."""
    return set()


def _same_days(key, other) -> bool:
    """Whether two views' incidents start and end on the same days (so their periods, and the
    complete ones among them, are the same)."""
    a, b = view_of(key).incidents["occurred_at"], view_of(other).incidents["occurred_at"]
    return bool(len(a) and len(b) and a.min().normalize() == b.min().normalize()
                and a.max().normalize() == b.max().normalize())


def alerts_for(key, by, recent, alpha, city_list, country, _progress=None):
    """Series of ``by`` whose last ``recent`` weeks are above their forecast (Poisson test).

    Alerts by crime head check each head on its own incidents only, so under a crime-head
    filter they are the rows of the every-head alerts (same dates, districts and settings) for
    the chosen heads, whenever those were already computed and the filtered incidents span the
    same days (same weeks). Otherwise they are computed for the view.
    """
    base = all_heads_key(key)
    if (by == "category" and base != key
            and ("alerts", base, by, recent, alpha, city_list, country) in _computed()
            and _same_days(key, base)):
        table = _alerts_for(base, by, recent, alpha, city_list, country)
        return table[table["series"].isin(key[4])].reset_index(drop=True)
    return _alerts_for(key, by, recent, alpha, city_list, country, _progress=_progress)


def with_progress(label, func, *args):
    """Run a cached ``func(*args, _progress=...)`` showing a progress bar while it works.

    The bar lives outside the cached function, so its updates must not be recorded for replay:
    a later cache hit (another visit, another session) would replay them onto a bar that no
    longer exists and fail with CacheReplayClosureError.
    """
    bar = st.progress(0.0, text=label)

    def step(done, total):
        with _not_recorded():
            bar.progress(done / total, text=f"{label} {done}/{total}")
    try:
        return func(*args, _progress=step)
    finally:
        bar.empty()


@contextlib.contextmanager
def _not_recorded():
    """Streamlit calls inside this block are not recorded by the running cached function."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function
    except ImportError:  # a Streamlit without this flag: nothing to switch off
        yield
        return
    token = in_cached_function.set(False)
    try:
        yield
    finally:
        in_cached_function.reset(token)


# A plan learns from the sidebar's dates, takes its station from the sidebar's districts and
# ignores its crime-head filter (crimekit.planning): its calls take the view key and the Patrol
# page's own choice of (areas, number of drawn areas, heads weighed, heinous weight).
PLAN_CHOICE = ("auto", None, (), 1.0)


def plan_key(key: tuple) -> tuple:
    """The view key a plan learns from: the same dates, every crime head, every district."""
    return key[:4] + ((), ())


@st.cache_resource(show_spinner="Finding the patrol areas...", max_entries=16)
def patrol_areas(name, version, stations: tuple, how, n_areas):
    """The patrol areas of a whole dataset for a station scope (drawn once, so they stay put
    while the dates change)."""
    return build_patrol_areas(_load(name, version), how, station=stations, n_areas=n_areas)


@st.cache_resource(show_spinner=False, max_entries=16)
def patrol_inputs(key, choice=PLAN_CHOICE):
    """What the plan for this view and choice is made from (crimekit.planning.PlanInputs)."""
    how, n_areas, heads, heinous = choice
    areas = patrol_areas(key[0], key[1], tuple(key[5]), how, n_areas)
    return plan_inputs(view_of(plan_key(key)), areas, heads=HeadWeights(tuple(heads), heinous))


@st.cache_data(show_spinner="Estimating risk per area and shift...", max_entries=8)
def patrol_risk(key, source="history", choice=PLAN_CHOICE):
    """Risk per area and shift for the period after the view ends."""
    return plan_risk(patrol_inputs(key, choice), source)


@st.cache_data(show_spinner=False, max_entries=8)
def patrol_current(key, choice=PLAN_CHOICE):
    """Today's deployment in the plan's areas from the duty logs (empty without logs)."""
    return current_of(patrol_inputs(key, choice))


def patrol_default_officers(current, n_beats, shifts=None) -> dict:
    """Today's officers per shift from the duty logs, else two per area."""
    if shifts is None:
        shifts = tuple(pd.unique(current["shift"])) if len(current) and not set(
            current["shift"]) <= set(SHIFTS) else SHIFTS
    if len(current):
        return patrol.totals_per_shift(current, shifts)
    return {s: 2 * n_beats for s in shifts}


@st.cache_data(show_spinner="Solving the deployment plan...", max_entries=32)
def patrol_plan(key, source, officers: tuple, min_per_beat, max_per_beat, max_change, fair_cap,
                must, choice=PLAN_CHOICE):
    """The solved plan for these limits (cached, so moving a slider back is instant)."""
    current = patrol_current(key, choice)
    shifts = patrol_inputs(key, choice).shifts
    return patrol.plan_patrols(patrol_risk(key, source, choice), dict(zip(shifts, officers)),
                               min_per_beat=min_per_beat, max_per_beat=max_per_beat,
                               must_cover=must, current=current if len(current) else None,
                               max_change=max_change, fair_cap=fair_cap)


@st.cache_data(show_spinner=False, max_entries=8)
def patrol_backtest(key, min_per_beat, weeks=4, choice=PLAN_CHOICE):
    """Plans for the last weeks from the data before each, scored on what then happened."""
    return patrol.backtest_plan(patrol_inputs(key, choice).dataset, weeks=weeks,
                                min_per_beat=min_per_beat)


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


# --- access ------------------------------------------------------------------------------------

@st.cache_resource
def _sign_in_limiter():
    """One limiter per server, so a new tab or session does not reset failed attempts."""
    return access.SignInLimiter()


def _secrets_file_present() -> bool:
    """Whether any of Streamlit's secrets locations (``.streamlit/secrets.toml``...) exists."""
    from streamlit import config
    return any(os.path.exists(path) for path in config.get_option("secrets.files") or ())


def _refuse_to_start(reason: str) -> None:
    """Stop every page with a plain explanation: sign-in is configured but cannot be trusted,
    so nothing is shown (fail closed, never an open app)."""
    st.title("crimekit cannot start")
    st.error(f"{reason} Until the administrator fixes the secrets file "
             "(.streamlit/secrets.toml) and restarts the app, nobody can sign in and no data "
             "is shown.")
    st.stop()


def _unreadable_secrets(exc: Exception) -> str:
    """Why the secrets file cannot be read, in a sentence without the server's paths."""
    import tomllib
    cause = exc.__cause__ or exc.__context__ or exc
    if isinstance(cause, tomllib.TOMLDecodeError):
        why = f"it is not valid TOML ({cause})"
    elif isinstance(exc, PermissionError) or isinstance(cause, PermissionError):
        why = "the app's server is not allowed to read it"
    elif isinstance(exc, UnicodeDecodeError) or isinstance(cause, UnicodeDecodeError):
        why = "it is not UTF-8 text"
    elif isinstance(exc, OSError) or isinstance(cause, OSError):
        why = "the app's server cannot open it as a file"
    else:
        why = f"it cannot be parsed ({type(cause).__name__})"
    return f"The secrets file exists but cannot be read: {why}."


def configured_users() -> dict:
    """Users from the secrets file's ``users`` table ({} when there is no secrets file, or it
    has no ``users`` table: the app runs open).

    Fails closed: a secrets file that exists but cannot be read, or that lists an invalid user,
    stops the page with a message saying what to fix (never an open app).
    """
    try:
        table = st.secrets.get("users")
    except Exception as exc:  # noqa: BLE001 - Streamlit raises several types for bad files
        if not _secrets_file_present():
            return {}  # no secrets file at all: the open demo
        _refuse_to_start(_unreadable_secrets(exc))
    if table is None:
        return {}
    try:
        return access.users_from_config(table)
    except CrimekitError as exc:
        _refuse_to_start(str(exc))


def _session_user(users: dict):
    """The signed-in user with the role the secrets file gives them now (a role changed there
    applies at the next page run), or None when nobody (still listed) is signed in."""
    user = st.session_state.get("user")
    if not isinstance(user, access.User):
        return None
    if user.name not in users:
        del st.session_state["user"]
        return None
    role = users[user.name][1]
    if user.role != role:
        user = st.session_state["user"] = access.User(user.name, role)
    return user


def _sign_in_form(users: dict) -> None:
    """The sign-in form; stops the page until the person has signed in."""
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
        st.error(md(message))
    st.stop()


def require_sign_in() -> None:
    """The entry script's gate: ask for a user name and password when users are configured
    (stopping the page until then), and show who is signed in with a sign-out button."""
    users = configured_users()
    if not users:  # the open demo: everyone may do everything (a preset user is kept)
        st.session_state.setdefault("user", access.OPEN_ACCESS)
        return
    user = _session_user(users)
    if user is None:
        _sign_in_form(users)
    st.sidebar.caption(f"Signed in as **{md(user.name)}** ({user.role}).")
    if st.sidebar.button("Sign out", key="sign_out"):
        del st.session_state["user"]
        st.rerun()


def check_access() -> None:
    """Every page's first call: the same check as the entry script's gate, so a page opened by
    its own URL (which on a freshly started server runs without ``app.py``) still asks to sign
    in. Shows nothing when the person is already signed in (or the app is open)."""
    users = configured_users()
    if not users:
        st.session_state.setdefault("user", access.OPEN_ACCESS)
    elif _session_user(users) is None:
        _sign_in_form(users)


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


# --- small shared pieces ------------------------------------------------------------------------

#: The characters Markdown (CommonMark, GFM, Streamlit's :color[] and :emoji:, $math$) gives
#: a meaning to; a backslash makes each one plain text.
_MD_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&@^])")


#: An absolute path (a folder of the server: the store, the upload or temporary folder).
_ABS_PATH = re.compile(r"(?<![\w.~/-])(?:[A-Za-z]:)?/(?:[^\s'\"`/]+/)+[^\s'\"`/]*")
_CODE_SPAN = re.compile(r"(`[^`\n]*`)")


def scrub(text) -> str:
    """``text`` without the server's folders: every absolute path keeps only its last part
    (the file name), so no message shows where the store or the uploads live."""
    return _ABS_PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], str(text))


def message(text) -> str:
    """A message from crimekit for Markdown (``st.error``, ``st.info``...): it may quote data
    (a file name, a crime head, a value), so paths are removed (:func:`scrub`) and the text is
    escaped (:func:`md`), keeping only its `code` spans (commands to run) as they are."""
    parts = _CODE_SPAN.split(scrub(text))
    return "".join(part if i % 2 else md(part) for i, part in enumerate(parts))


def md(text) -> str:
    """Data text (a crime head, a beat, a file or column name, a value) made safe to put inside
    Markdown: every punctuation character is backslash-escaped and line breaks become spaces, so
    ``![x](http://...)`` shows as those characters instead of loading a remote image, and
    ``**``, ``_``, ``$``, ``:red[...]``, links and HTML stay text. Use it wherever data text
    meets ``st.markdown``, ``st.write``, captions, alerts, titles or widget labels; tables
    (``st.dataframe``) and select options show plain text and need no escaping. Quotes,
    commas, slashes and ``= ? % ;`` mean nothing in Markdown and stay as they are."""
    text = re.sub(r"[\r\n\t\x00-\x1f\x7f]+", " ", str(text))
    return _MD_PUNCTUATION.sub(r"\\\1", text)


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


#: How long an upload folder left by a session that ended may stay (seconds).
STALE_UPLOADS_S = 24 * 3600


def _upload_dir(create: bool) -> Path | None:
    """This session's folder for uploaded files: made once, when the first file arrives (not
    on every rerun); None when there is none and ``create`` is False."""
    folder = st.session_state.get("_upload_dir")
    if folder and Path(folder).is_dir():
        return Path(folder)
    if not create:
        return None
    _remove_stale_uploads()
    folder = tempfile.mkdtemp(prefix="crimekit-upload-")
    st.session_state["_upload_dir"] = folder
    return Path(folder)


def _remove_stale_uploads() -> None:
    """Delete upload folders of sessions that ended more than a day ago (they can hold names)."""
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob("crimekit-upload-*"):
        with contextlib.suppress(OSError):
            if now - folder.stat().st_mtime > STALE_UPLOADS_S:
                shutil.rmtree(folder, ignore_errors=True)


def save_uploads(uploads) -> list:
    """Write uploaded files to this session's temp folder (once each, keeping their names so
    reports can name them) and return their paths. Files no longer in the uploader are deleted,
    and so is the folder once it is empty; files already imported are not written again."""
    imported = st.session_state.get("_imported_uploads", set())
    fresh = [u for u in uploads or () if _upload_key(u) not in imported]
    folder = _upload_dir(create=bool(fresh))
    if folder is None:
        return []
    paths = []
    for upload in fresh:
        path = folder / _upload_key(upload) / (Path(upload.name).name or "upload")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(upload.getbuffer())
        paths.append(path)
    keep = {p.parent.name for p in paths}
    for sub in folder.iterdir():
        if sub.name not in keep:
            shutil.rmtree(sub, ignore_errors=True)
    if not paths:
        shutil.rmtree(folder, ignore_errors=True)
        st.session_state.pop("_upload_dir", None)
    return paths


def discard_uploads(paths, *, imported: bool) -> None:
    """Delete uploaded files after an import (they can hold names). Imported ones are not
    written again while the uploader still lists them; after a failed import the next run
    writes them again, so the analyst can change the mapping and retry."""
    if imported:
        st.session_state.setdefault("_imported_uploads", set()).update(
            Path(p).parent.name for p in paths)
    for path in paths:
        shutil.rmtree(Path(path).parent, ignore_errors=True)
    folder = _upload_dir(create=False)
    if folder is not None and not any(folder.iterdir()):
        shutil.rmtree(folder, ignore_errors=True)
        st.session_state.pop("_upload_dir", None)


def _upload_key(upload) -> str:
    """A folder name for one uploaded file (its id in this session)."""
    return re.sub(r"[^0-9A-Za-z_-]", "_", str(upload.file_id))[:80] or "upload"


def alert_verdict(table, label: str):
    """Say how many series are significantly above forecast in the alerts' window; return the
    flagged rows. ``label`` names one series ("crime head", "beat")."""
    flagged = table[table["flagged"]]
    window = f"{table['window_start'].min():%d %b} to {table['window_end'].max():%d %b %Y}"
    tested = f"after accounting for the {len(table)} {label}s tested"
    if len(flagged):
        st.warning(f"{len(flagged)} of {len(table)} {label}s had significantly more crimes "
                   f"than forecast in {window}, {tested}.")
    else:
        st.success(f"No {label} is significantly above forecast in {window}, {tested}.")
    return flagged


def p_text(p) -> str:
    """A p- or q-value for a table: "< 0.001", "0.012", or "-" when there is no test."""
    if p is None or pd.isna(p):
        return "-"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def plain(df: pd.DataFrame, labels: dict, *, p=(), percent=(), dates=(), digits=None):
    """A table for people: only the ``labels`` columns ({column: label}, in that order),
    p-values as text, shares as "+12.5%" ("-" when missing) and dates as dates. Downloads keep
    the machine columns; this is what a page shows."""
    out = df[[c for c in labels if c in df]].copy()
    for c in p:
        if c in out:
            out[c] = out[c].map(p_text)
    for c in percent:
        if c in out:
            out[c] = out[c].map(lambda v: "-" if pd.isna(v) else f"{v:+.1%}")
    for c in dates:
        if c in out:
            out[c] = pd.to_datetime(out[c]).dt.strftime("%d %b %Y")
    if digits is not None:
        out = out.round(digits)
    return out.rename(columns=labels)


def limits_note() -> None:
    """The plain note on what predictions from recorded crime can and cannot tell."""
    st.caption(LIMITS_NOTE)


def stop_if_empty(view, what: str = "incidents") -> None:
    """Stop the page with a plain message when the filtered view has nothing to show."""
    if not len(view.incidents):
        st.info(f"No {what} match the current filters. Widen the date range or clear the "
                "crime head and district filters in the sidebar.")
        st.stop()


# --- the weekly briefing and the operation check -------------------------------------------------

_BRIEFINGS: dict = {}  # (dataset, version, district) -> PDF bytes, shared by sessions


def briefing_scope() -> str | None:
    """The district the briefing is for: the one district chosen in the sidebar, else None
    (the whole area)."""
    districts = st.session_state.get("districts") or []
    return districts[0] if len(districts) == 1 else None


def briefing_download(key_suffix: str = "") -> None:
    """One click: the weekly briefing (two A4 pages, PDF) for the sidebar's district or the
    whole area. It is made when clicked (about ten seconds), from the whole dataset (every
    crime head and date), and kept for the next click."""
    name = st.session_state.get("dataset", DEMO)
    version = "" if name == DEMO else _store_version(name)
    district = briefing_scope()
    ds = dataset(name)

    def make() -> bytes:  # runs on click, outside the page script: no Streamlit calls here
        from crimekit.briefing import BriefingSettings, build_briefing
        from crimekit.briefing_pdf import pdf_bytes
        cache_key = (name, version, district)
        if cache_key not in _BRIEFINGS:
            if len(_BRIEFINGS) > 8:
                _BRIEFINGS.clear()
            _BRIEFINGS[cache_key] = pdf_bytes(build_briefing(ds, BriefingSettings(
                district=district)))
        return _BRIEFINGS[cache_key]

    where = f"the {district} district" if district else "the whole area"
    st.download_button(f"Download the weekly briefing for {where} (PDF, 2 pages)", make,
                       file_name=f"briefing_{(district or 'all').replace(' ', '_')}.pdf",
                       mime="application/pdf", icon=":material/print:",
                       key=f"dl_briefing{key_suffix}", on_click="ignore",
                       help="A map of next week's hot spots and the patrol plan, the top places "
                            "with their reasons, what is rising, the plan per shift and how "
                            "accurate each prediction has been, ready to print. Choose one "
                            "district in the sidebar for a station's briefing.")
